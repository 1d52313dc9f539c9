// sendmail.hpp - handing a report message to Postfix's sendmail(1), within a time limit.
//
// Runs `SENDMAIL -i -f FROM -- TO` (Postfix's sendmail: -i, a lone "." is no end of input;
// "--" so no address is read as an option) with the message on its standard input, without
// a shell, in a process group of its own. Input: our own message; FROM and TO were checked
// (destination.hpp). Limits: the whole hand-off (writing the message and waiting for the
// exit) takes at most `timeout` (dmarc.report_sendmail_timeout): a sendmail that hangs or
// stops reading is killed with its process group (SIGKILL) and the call fails, so neither the
// failure report thread nor `postseal dmarc report` nor a daemon stop waits longer. A
// sendmail that does not exist or fails gives an error text.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kDefaultSendmail - dmarc.report_sendmail's default.
inline constexpr std::string_view kDefaultSendmail = "/usr/sbin/sendmail";

// send_mail - run sendmail for one recipient, for at most `timeout`; the error says why it
// failed ("/usr/sbin/sendmail timed out after 30 s: killed").
std::expected<void, std::string> send_mail(const std::string& sendmail, const std::string& from,
                                           const std::string& to, std::string_view message,
                                           std::chrono::milliseconds timeout);

}  // namespace postseal::dmarc_report
