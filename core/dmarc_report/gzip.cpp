// gzip.cpp - gzip output through zlib (see gzip.hpp).
#include "core/dmarc_report/gzip.hpp"

#include <zlib.h>

#include <array>
#include <cassert>
#include <stdexcept>

namespace postseal::dmarc_report {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // zlib: 15-bit window, gzip header and trailer
constexpr int kMemLevel = 8;

}  // namespace

GzipWriter::GzipWriter() : stream_(new z_stream{}) {
  if (deflateInit2(stream_, Z_BEST_COMPRESSION, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    delete stream_;
    throw std::bad_alloc();
  }
}

GzipWriter::~GzipWriter() {
  deflateEnd(stream_);
  delete stream_;
}

void GzipWriter::deflate_all(std::string_view text, int flush) {
  std::array<unsigned char, 16384> buffer;
  stream_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream_->avail_in = static_cast<uInt>(text.size());
  do {
    stream_->next_out = buffer.data();
    stream_->avail_out = static_cast<uInt>(buffer.size());
    [[maybe_unused]] int rc = deflate(stream_, flush);
    assert(rc != Z_STREAM_ERROR);
    out_.append(reinterpret_cast<const char*>(buffer.data()), buffer.size() - stream_->avail_out);
  } while (stream_->avail_out == 0);
}

void GzipWriter::write(std::string_view text) { deflate_all(text, Z_NO_FLUSH); }

std::string GzipWriter::finish() {
  deflate_all({}, Z_FINISH);
  return std::move(out_);
}

std::string gzip(std::string_view text) {
  GzipWriter w;
  w.write(text);
  return w.finish();
}

}  // namespace postseal::dmarc_report
