// gzip.hpp - compressing a report as RFC 1952 gzip data (zlib's deflate with a gzip wrapper),
// as RFC 9990 3.3 asks of the aggregate report file (media type application/gzip, RFC 6713).
//
// Input: our own XML, streamed. Limits: the output is held in memory (a report of
// kMaxMaxRows rows compresses to a few MiB).
#pragma once

#include <string>
#include <string_view>

typedef struct z_stream_s z_stream;

namespace postseal::dmarc_report {

// GzipWriter - feed text with write(), take the gzip data with finish().
class GzipWriter {
 public:
  GzipWriter();
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  void write(std::string_view text);
  std::string finish();

 private:
  void deflate_all(std::string_view text, int flush);
  z_stream* stream_;
  std::string out_;
};

// gzip - `text` compressed in one go.
std::string gzip(std::string_view text);

}  // namespace postseal::dmarc_report
