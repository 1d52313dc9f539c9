// naming.cpp - Report-ID, file name and Subject (see naming.hpp).
#include "core/dmarc_report/naming.hpp"

#include "core/dmarc_report/row.hpp"

#include <fmt/format.h>

namespace postseal::dmarc_report {

std::string report_id(std::string_view receiver, std::string_view policy_domain,
                      const Period& period) {
  return fmt::format("{}.{}@{}", period.text(), policy_domain, receiver);
}

std::string unique_id(std::string_view id) { return digest(id).substr(0, 16); }

std::string report_file_name(std::string_view receiver, std::string_view policy_domain,
                             const Period& period, std::string_view id) {
  return fmt::format("{}!{}!{}!{}!{}.xml.gz", receiver, policy_domain, period.begin(), period.end(),
                     unique_id(id));
}

std::string report_subject(std::string_view policy_domain, std::string_view receiver,
                           std::string_view id) {
  return fmt::format("Report Domain: {} Submitter: {} Report-ID: <{}>", policy_domain, receiver,
                     id);
}

}  // namespace postseal::dmarc_report
