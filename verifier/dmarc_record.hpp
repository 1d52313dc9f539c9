// dmarc_record.hpp - counting DMARC-evaluated messages for aggregate reports in the milter and
// the before-queue proxy (dmarc.report_record), through core/dmarc_report's Recorder.
//
// RFC 9990 2.1: what one message contributes to the report of each Author Domain's policy
// domain that asks for reports (rua): source IP, header_from, envelope_from, the SPF domain,
// scope and result, each DKIM signature's d=, s= and result, the disposition, DMARC-aligned
// dkim/spf and the override reason (trusted_forwarder, local_policy, policy_test_mode for t=y).
// Two steps like greylisting (verifier/greylist/service.hpp): make_dmarc_recording reads the
// keys as root; start_dmarc_recording opens the store as the daemon's user. A store failure
// never touches the message (the Recorder fails open). Untrusted input: the message's results
// (bounded by their parsers, cut by core/dmarc_report/row.hpp) and its header fields (only
// to recognise report mail, which is not counted).
#pragma once

#include "core/dmarc_report/recorder.hpp"
#include "core/state/options.hpp"
#include "verifier/dmarc_check.hpp"
#include "verifier/message_report.hpp"

#include <memory>

namespace postseal::config {
class File;
}  // namespace postseal::config

namespace postseal::verifier {

// DmarcRecording - the store and recorder of one daemon (null recorder until started).
struct DmarcRecording {
  state::Options state;
  dmarc_report::Limits limits;
  std::unique_ptr<state::Store> store;
  std::unique_ptr<dmarc_report::Recorder> recorder;
};

// make_dmarc_recording - when DMARC is evaluated (dmarc.enable) and dmarc.report_record is
// on, else null; reads [dmarc] only (no public suffix list); the store is not opened yet.
// Throws StartupError.
std::unique_ptr<DmarcRecording> make_dmarc_recording(const config::File& file);

// start_dmarc_recording - open the store (once; `clock` must outlive the recording).
void start_dmarc_recording(DmarcRecording& recording, const Clock& clock);

// report_rows - the (policy, row) pairs `verdict` gives for `report`: one per evaluated
// Author Domain whose policy asks for aggregate reports.
std::vector<std::pair<dmarc_report::PolicyPublished, dmarc_report::Row>> report_rows(
    const DmarcCheck& check, const MessageReport& report, const dmarc::Verdict& verdict);

// is_passing_report_mail - the message is itself a DMARC report (core/dmarc_report/
// report_mail.hpp: RFC 9990 Subject or RFC 9991 feedback report) and passed DMARC for every
// Author Domain, as report mail must: it is not counted (no report rows about report mail).
bool is_passing_report_mail(const std::vector<mail::HeaderField>& headers,
                            const dmarc::Verdict& verdict);

// record_dmarc - count the message (no-op while the recording is not started, and for
// passing report mail).
void record_dmarc(DmarcRecording& recording, const DmarcCheck& check, const MessageReport& report,
                  const dmarc::Verdict& verdict, const std::vector<mail::HeaderField>& headers);

}  // namespace postseal::verifier
