// sendmail.hpp - handing a report message to Postfix's sendmail(1).
//
// Runs `SENDMAIL -i -f FROM -- TO` (Postfix's sendmail: -i, a lone "." is no end of input;
// "--" so no address is read as an option) with the message on its standard input, without
// a shell. Input: our own message; FROM and TO were checked (destination.hpp). Limits: the
// child's status is waited for; a sendmail that does not exist or fails gives an error text.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace postseal::dmarc_report {

// kDefaultSendmail - dmarc.report_sendmail's default.
inline constexpr std::string_view kDefaultSendmail = "/usr/sbin/sendmail";

// send_mail - run sendmail for one recipient; the error says why it failed.
std::expected<void, std::string> send_mail(const std::string& sendmail, const std::string& from,
                                           const std::string& to, std::string_view message);

}  // namespace postseal::dmarc_report
