// naming.hpp - the names a report carries: Report-ID, file name and Subject.
//
// RFC 9990 3.3: Report-ID (ridfmt: dot-atom-text "@" dot-atom-text, the same in the document,
// the file name's unique-id and the Subject, and the same when a report is sent again), the
// file name receiver "!" policy-domain "!" begin "!" end "!" unique-id ".xml.gz" (unique-id
// 1*(ALPHA / DIGIT)), and the Subject "Report Domain: D Submitter: S Report-ID: <id>".
// Input: checked domain names (the policy domain from discovery, the submitter from config).
#pragma once

#include "core/dmarc_report/period.hpp"

#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// report_id - "2026-12-06.example.com@receiver.example": unique per domain and period.
std::string report_id(std::string_view receiver, std::string_view policy_domain,
                      const Period& period);
// unique_id - the file name's unique-id of a Report-ID: 16 hex digits of its digest.
std::string unique_id(std::string_view report_id);
// report_file_name - the .xml.gz name of a report.
std::string report_file_name(std::string_view receiver, std::string_view policy_domain,
                             const Period& period, std::string_view report_id);
// report_subject - the Subject field value.
std::string report_subject(std::string_view policy_domain, std::string_view receiver,
                           std::string_view report_id);

}  // namespace postseal::dmarc_report
