// stream.cpp - buffered socket reading with line limits (see stream.hpp).
#include "core/smtp/stream.hpp"

#include <asio/redirect_error.hpp>
#include <asio/buffer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <vector>

namespace postseal::smtp {

void Stream::compact() {
  if (start_ == 0) return;
  buffer_.erase(0, start_);
  start_ = 0;
}

// fill - append one socket read to the buffer; false on EOF or error. A session that has no
// read buffer yet (nothing read since the greeting) first waits until the peer sends, so an
// idle new session costs a few kB, not kReadChunkOctets; once allocated the buffer is kept.
asio::awaitable<bool> Stream::fill() {
  compact();
  std::error_code ec;
  if (buffer_.capacity() < kReadChunkOctets) {
    co_await socket_.async_wait(asio::socket_base::wait_read, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return false;
  }
  std::size_t old = buffer_.size();
  // grown without zero-filling (64 kB per read otherwise): the read overwrites what it uses
  buffer_.resize_and_overwrite(old + kReadChunkOctets, [](char*, std::size_t n) { return n; });
  std::size_t n = co_await socket_.async_read_some(asio::buffer(buffer_.data() + old, kReadChunkOctets),
                                                   asio::redirect_error(asio::use_awaitable, ec));
  buffer_.resize(old + (ec ? 0 : n));
  co_return !ec && n > 0;
}

asio::awaitable<std::expected<std::string, StreamError>> Stream::read_line(std::size_t max) {
  bool discarding = false;
  for (;;) {
    std::string_view view(buffer_.data() + start_, buffer_.size() - start_);
    std::size_t lf = view.find('\n');
    if (lf != std::string_view::npos) {
      std::string_view line = view.substr(0, lf);
      start_ += lf + 1;
      if (discarding || line.size() > max + 1) co_return std::unexpected(StreamError::too_long);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.size() > max) co_return std::unexpected(StreamError::too_long);
      co_return std::string(line);
    }
    if (view.size() > max + 1) {  // drop what we have of an over-long line
      discarding = true;
      start_ = buffer_.size();
    }
    bool filled = co_await fill();
    if (!filled) co_return std::unexpected(StreamError::closed);
  }
}

asio::awaitable<std::expected<std::string_view, StreamError>> Stream::read_some() {
  // (no co_await inside && or ?: : g++ 12 miscompiles it into an illegal instruction)
  if (!buffered()) {
    bool filled = co_await fill();
    if (!filled) co_return std::unexpected(StreamError::closed);
  }
  co_return std::string_view(buffer_.data() + start_, buffer_.size() - start_);
}

void Stream::consume(std::size_t n) {
  start_ += std::min(n, buffer_.size() - start_);
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
}

asio::awaitable<bool> Stream::write(std::string_view data) {
  std::error_code ec;
  co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()),
                             asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

asio::awaitable<bool> Stream::write(std::span<const std::string_view> parts) {
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(parts.size());
  for (auto part : parts) buffers.emplace_back(part.data(), part.size());
  std::error_code ec;
  co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
  co_return !ec;
}

void Stream::close() {
  std::error_code ignored;
  socket_.shutdown(net::Socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace postseal::smtp
