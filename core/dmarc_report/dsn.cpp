// dsn.cpp - RFC 3464 delivery status notifications (see dsn.hpp).
#include "core/dmarc_report/dsn.hpp"

#include "core/dmarc_report/destination.hpp"
#include "core/mail/header.hpp"
#include "core/mail/mime.hpp"
#include "core/util/text.hpp"

#include <algorithm>
#include <optional>

namespace postseal::dmarc_report {
namespace {

using Fields = std::vector<mail::HeaderField>;

// kActions - RFC 3464 2.3.3 action values.
constexpr std::string_view kActions[] = {"failed", "delayed", "delivered", "relayed", "expanded"};

// lines_within_limit - no line of `text` is longer than kMaxDsnLineOctets (CRLF not counted).
bool lines_within_limit(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    std::size_t eol = text.find("\r\n", at);
    if (eol == std::string_view::npos) eol = text.size();
    if (eol - at > kMaxDsnLineOctets) return false;
    at = eol + 2;
  }
  return true;
}

// header_fields - a header block (lines with CRLF) as fields, within the DSN limits.
std::expected<Fields, DsnError> header_fields(std::string_view block, std::size_t max_fields) {
  if (!lines_within_limit(block)) return std::unexpected(DsnError::line_too_long);
  std::string text(block);
  if (!text.empty() && !text.ends_with("\r\n")) text += "\r\n";
  auto fields = mail::parse_header_block(text);
  if (!fields || fields->size() > max_fields) return std::unexpected(DsnError::bad_header);
  return std::move(*fields);
}

// first_value - the unfolded, trimmed value of the first field named `name`; nullopt if none.
std::optional<std::string> first_value(const Fields& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (!f.is(name)) continue;
    return std::string(trim(mail::unfolded(f.value())));
  }
  return std::nullopt;
}

// content_type - the Content-Type of `fields`, nullopt when absent or unreadable.
std::optional<mail::ContentType> content_type(const Fields& fields) {
  auto value = first_value(fields, "Content-Type");
  if (!value) return std::nullopt;
  return mail::parse_content_type(*value);
}

// typed_address - the address of "rfc822; ADDR" (or RFC 6533 "utf-8; ADDR"), angle brackets
// removed; nullopt when it is not that, empty or longer than kMaxAddressOctets.
std::optional<std::string> typed_address(std::string_view value) {
  const std::size_t semi = value.find(';');
  if (semi == std::string_view::npos) return std::nullopt;
  const std::string_view type = trim(value.substr(0, semi));
  if (!iequals(type, "rfc822") && !iequals(type, "utf-8")) return std::nullopt;
  std::string_view address = trim(value.substr(semi + 1));
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    address = address.substr(1, address.size() - 2);
  if (address.empty() || address.size() > kMaxAddressOctets || has_control(address))
    return std::nullopt;
  return std::string(address);
}

// first_word - the value up to the first space, tab, ";" or "(" (a comment), lower case.
std::string first_word(std::string_view value) {
  return to_lower(value.substr(0, value.find_first_of(" \t;(")));
}

// recipient - one per-recipient group; nullopt when a required field is missing or unusable.
std::optional<DsnRecipient> recipient(const Fields& fields) {
  DsnRecipient r;
  auto final_value = first_value(fields, "Final-Recipient");
  auto action = first_value(fields, "Action");
  auto status = first_value(fields, "Status");
  if (!final_value || !action || !status) return std::nullopt;
  auto final_address = typed_address(*final_value);
  if (!final_address) return std::nullopt;
  r.final_recipient = std::move(*final_address);
  if (auto original = first_value(fields, "Original-Recipient"))
    r.original_recipient = typed_address(*original).value_or("");
  r.action = first_word(*action);
  if (std::find(std::begin(kActions), std::end(kActions), r.action) == std::end(kActions))
    return std::nullopt;
  r.status = first_word(*status);
  if (status_class(r.status) == 0) return std::nullopt;
  return r;
}

// field_groups - the groups of the status part's body, split at empty lines.
std::vector<std::string_view> field_groups(std::string_view body) {
  std::vector<std::string_view> groups;
  std::size_t group_start = 0;
  for (std::size_t at = 0; at <= body.size();) {
    std::size_t eol = body.find("\r\n", at);
    if (eol == std::string_view::npos) eol = body.size();
    if (eol == at) {  // an empty line (or the end) closes the group
      if (at > group_start) groups.push_back(body.substr(group_start, at - group_start));
      group_start = eol + 2;
    }
    if (eol == body.size()) {
      if (body.size() > group_start) groups.push_back(body.substr(group_start));
      break;
    }
    at = eol + 2;
  }
  return groups;
}

// read_status_part - the fields of a message/delivery-status body into `dsn`.
std::expected<void, DsnError> read_status_part(std::string_view body, Dsn& dsn) {
  if (!lines_within_limit(body)) return std::unexpected(DsnError::line_too_long);
  bool first = true;
  for (std::string_view group : field_groups(body)) {
    auto fields = header_fields(group, kMaxDsnGroupFields);
    if (!fields) return std::unexpected(DsnError::bad_status_group);
    const bool per_recipient = first_value(*fields, "Final-Recipient").has_value();
    if (!per_recipient) {
      if (first) dsn.reporting_mta = printable(first_value(*fields, "Reporting-MTA").value_or(""), 255);
      else ++dsn.skipped;
    } else if (dsn.recipients.size() + dsn.skipped >= kMaxDsnRecipients) {
      return std::unexpected(DsnError::too_many_recipients);
    } else if (auto r = recipient(*fields)) {
      dsn.recipients.push_back(std::move(*r));
    } else {
      ++dsn.skipped;
    }
    first = false;
  }
  return {};
}

// is_status_part - a message/delivery-status (or RFC 6533 global) part.
bool is_status_part(const mail::ContentType& type) {
  return type.is("message/delivery-status") || type.is("message/global-delivery-status");
}

// status_part - the first status part among `parts`; its body, or why there is none.
std::expected<std::string_view, DsnError> status_part(const std::vector<mail::BodyPart>& parts) {
  for (const auto& part : parts) {
    if (part.header.empty()) continue;  // text/plain (RFC 2045 5.2)
    auto fields = header_fields(part.header, kMaxDsnHeaderFields);
    if (!fields) return std::unexpected(fields.error());
    auto type = content_type(*fields);
    if (!type || !is_status_part(*type)) continue;
    const std::string encoding = to_lower(first_value(*fields, "Content-Transfer-Encoding").value_or("7bit"));
    if (encoding != "7bit" && encoding != "8bit" && encoding != "binary")
      return std::unexpected(DsnError::encoded_status_part);
    return part.body;
  }
  return std::unexpected(DsnError::no_status_part);
}

// report_boundary - the boundary of a multipart/report; report-type=delivery-status header.
std::expected<std::string, DsnError> report_boundary(const Fields& fields) {
  auto type = content_type(fields);
  if (!type || !type->is("multipart/report")) return std::unexpected(DsnError::not_report);
  if (!iequals(type->parameter("report-type").value_or(""), "delivery-status"))
    return std::unexpected(DsnError::not_delivery_status);
  auto boundary = type->parameter("boundary");
  if (!boundary || !mail::valid_boundary(*boundary)) return std::unexpected(DsnError::no_boundary);
  return std::move(*boundary);
}

}  // namespace

std::string_view to_string(DsnError e) {
  switch (e) {
    case DsnError::too_large: return "message too large";
    case DsnError::no_header_end: return "no end of header";
    case DsnError::bad_header: return "unreadable header";
    case DsnError::line_too_long: return "line too long";
    case DsnError::not_report: return "not multipart/report";
    case DsnError::not_delivery_status: return "report-type is not delivery-status";
    case DsnError::no_boundary: return "no boundary parameter";
    case DsnError::bad_multipart: return "no boundary delimiter or too many parts";
    case DsnError::no_status_part: return "no message/delivery-status part";
    case DsnError::encoded_status_part: return "encoded message/delivery-status part";
    case DsnError::too_many_recipients: return "too many recipients";
    case DsnError::bad_status_group: return "unreadable message/delivery-status fields";
  }
  return "not a DSN";
}

char status_class(std::string_view status) {
  // class "." subject "." detail: class 2, 4 or 5; subject and detail 1 to 3 digits
  if (status.size() < 5 || (status[0] != '2' && status[0] != '4' && status[0] != '5') ||
      status[1] != '.')
    return 0;
  std::size_t at = 2;
  for (int part = 0; part < 2; ++part) {
    std::size_t digits = 0;
    while (at < status.size() && status[at] >= '0' && status[at] <= '9' && digits < 4) ++at, ++digits;
    if (digits == 0 || digits > 3) return 0;
    if (part == 0 && (at >= status.size() || status[at++] != '.')) return 0;
  }
  return at == status.size() ? status[0] : 0;
}

std::expected<Dsn, DsnError> parse_dsn(std::string_view message) {
  if (message.size() > kMaxDsnOctets) return std::unexpected(DsnError::too_large);
  const std::size_t end = message.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::unexpected(DsnError::no_header_end);
  auto header = header_fields(message.substr(0, end + 2), kMaxDsnHeaderFields);
  if (!header) return std::unexpected(header.error());
  auto boundary = report_boundary(*header);
  if (!boundary) return std::unexpected(boundary.error());
  auto parts = mail::split_multipart(message.substr(end + 4), *boundary);
  if (!parts) return std::unexpected(DsnError::bad_multipart);
  auto body = status_part(*parts);
  if (!body) return std::unexpected(body.error());
  Dsn dsn;
  if (auto read = read_status_part(*body, dsn); !read) return std::unexpected(read.error());
  return dsn;
}

}  // namespace postseal::dmarc_report
