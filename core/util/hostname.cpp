// hostname.cpp - the label walker (see hostname.hpp).
#include "core/util/hostname.hpp"

namespace postseal {
namespace {

bool is_let_dig(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// allowed - whether `c` may stand in a label under `chars` (hyphen placement checked apart).
bool allowed(char c, LabelChars chars) {
  switch (chars) {
    case LabelChars::ldh: return is_let_dig(c) || c == '-';
    case LabelChars::ldh_underscore: return is_let_dig(c) || c == '-' || c == '_';
    case LabelChars::no_controls: {
      auto u = static_cast<unsigned char>(c);
      return u >= 0x20 && u != 0x7f;
    }
  }
  return false;
}

// check_label - one label: length, octets, then (for the LDH sets) hyphen placement.
std::optional<NameError> check_label(std::string_view label, LabelChars chars) {
  if (label.empty()) return NameError{NameProblem::empty_label};
  if (label.size() > kMaxLabelOctets) return NameError{NameProblem::label_too_long};
  for (char c : label)
    if (!allowed(c, chars)) return NameError{NameProblem::bad_character, c};
  if (chars != LabelChars::no_controls && (label.front() == '-' || label.back() == '-'))
    return NameError{NameProblem::bad_hyphen};
  return std::nullopt;
}

}  // namespace

std::string_view to_string(NameProblem p) {
  switch (p) {
    case NameProblem::empty: return "empty name";
    case NameProblem::too_long: return "name too long";
    case NameProblem::empty_label: return "empty label";
    case NameProblem::label_too_long: return "label too long";
    case NameProblem::bad_character: return "character not allowed";
    case NameProblem::bad_hyphen: return "label starts or ends with '-'";
    case NameProblem::too_few_labels: return "too few labels";
  }
  return "bad name";
}

std::optional<NameError> check_hostname(std::string_view name, LabelChars chars, std::size_t min_labels) {
  if (name.empty()) return NameError{NameProblem::empty};
  if (name.size() > kMaxDomainOctets) return NameError{NameProblem::too_long};
  std::size_t labels = 0;
  while (true) {
    std::size_t dot = name.find('.');
    if (auto error = check_label(name.substr(0, dot), chars)) return error;
    ++labels;
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
  }
  if (labels < min_labels) return NameError{NameProblem::too_few_labels};
  return std::nullopt;
}

bool is_hostname(std::string_view name, LabelChars chars, std::size_t min_labels) {
  return !check_hostname(name, chars, min_labels).has_value();
}

}  // namespace postseal
