// dk_canon.cpp - RFC 4870 3.4.2 simple and nofws canonicalization (see dk_canon.hpp).
#include "core/domainkeys/dk_canon.hpp"

#include "core/util/text.hpp"

namespace postseal::domainkeys {

namespace {

bool is_nofws_removed(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string_view to_string(DkCanon canon) {
  return canon == DkCanon::simple ? "simple" : "nofws";
}

std::optional<DkCanon> parse_canon(std::string_view text) {
  if (iequals(text, "simple")) return DkCanon::simple;
  if (iequals(text, "nofws")) return DkCanon::nofws;
  return std::nullopt;
}

std::string canonicalize_header(DkCanon canon, std::string_view raw_field) {
  std::string out;
  out.reserve(raw_field.size() + 2);
  if (canon == DkCanon::simple) {
    out.append(raw_field);
  } else {
    for (char c : raw_field) {
      if (!is_nofws_removed(c)) out.push_back(c);
    }
  }
  out.append("\r\n");
  return out;
}

void BodyCanonicalizer::update(std::string_view chunk, std::string& out) {
  if (canon_ == DkCanon::simple) {
    update_simple(chunk, out);
  } else {
    update_nofws(chunk, out);
  }
}

// begin_content - the current line is not empty: release the empty lines held before it.
void BodyCanonicalizer::begin_content(std::string& out) {
  if (line_has_content_) return;
  for (; pending_empty_lines_ > 0; --pending_empty_lines_) out.append("\r\n");
  line_has_content_ = true;
}

// end_line - a CRLF ends the current line; an empty line is held back (it may be trailing).
void BodyCanonicalizer::end_line(std::string& out) {
  if (line_has_content_) {
    out.append("\r\n");
  } else {
    ++pending_empty_lines_;
  }
  line_has_content_ = false;
  pending_cr_ = false;
}

void BodyCanonicalizer::update_simple(std::string_view chunk, std::string& out) {
  std::size_t i = 0;
  while (i < chunk.size()) {
    char c = chunk[i];
    if (pending_cr_) {
      if (c == '\n') {
        end_line(out);
        ++i;
        continue;
      }
      begin_content(out);  // a CR not followed by LF is content
      out.push_back('\r');
      pending_cr_ = false;
    }
    if (c == '\r') {
      pending_cr_ = true;
      ++i;
      continue;
    }
    // copy the run up to the next CR in one append
    std::size_t cr = chunk.find('\r', i);
    std::size_t end = cr == std::string_view::npos ? chunk.size() : cr;
    begin_content(out);
    out.append(chunk.substr(i, end - i));
    i = end;
  }
}

void BodyCanonicalizer::update_nofws(std::string_view chunk, std::string& out) {
  for (char c : chunk) {
    if (c == ' ' || c == '\t') continue;
    if (c == '\r') {
      pending_cr_ = true;  // an earlier CR without LF is dropped
      continue;
    }
    if (c == '\n') {
      if (pending_cr_) end_line(out);  // a bare LF is dropped
      continue;
    }
    pending_cr_ = false;
    begin_content(out);
    out.push_back(c);
  }
}

void BodyCanonicalizer::finish(std::string& out) {
  if (pending_cr_ && canon_ == DkCanon::simple) {
    begin_content(out);
    out.push_back('\r');
  }
  pending_cr_ = false;
}

}  // namespace postseal::domainkeys
