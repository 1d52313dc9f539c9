// sign_mail.cpp - signing one report mail (see sign_mail.hpp).
#include "core/dmarc_report/sign_mail.hpp"

namespace postseal::dmarc_report {

std::expected<SignedMail, std::string> sign_mail(const SignMail& sign, std::string message) {
  if (!sign) return SignedMail{std::move(message), ""};
  MailSignature signature = sign(message);
  if (signature.defer) return std::unexpected(std::move(signature.summary));
  message.insert(0, signature.fields);
  return SignedMail{std::move(message), std::move(signature.summary)};
}

}  // namespace postseal::dmarc_report
