// signature_plan.hpp - which DKIM signatures one message gets: the one rule both signers (the
// content filter and the milter, through sign_step.hpp) and postseal's own mail use.
//
// With signer.multiple_signatures = false (the default) the first row that matches the From
// address signs: the most specific [[signer.sender]] row, else the From domain's
// [[signer.domain]] row (signing_table.hpp), as OpenDKIM's SigningTable takes its first match.
// With multiple_signatures = true every matching row signs, as OpenDKIM's MultipleSignatures
// (opendkim.conf(5), SigningTable: "all matches are applied"; docs/migration.md): every
// matching sender row, most specific first, then the domain rows that sign the From domain
// (its own, then each parent with subdomains = true, nearest first). Each signature keeps its
// row's d=, s=, i= and h=/c=/x=. Unlike OpenDKIM, which signs once per matching row, a key
// (the same d= and s=) signs once: the most specific row that names it. The fields are
// prepended in plan order, the most specific row's on top.
//
// Input: the From mailbox (parsed by core/mail/address.hpp; untrusted) and the signing table
// (local admin). Limit: kMaxSignaturesPerMessage signatures per message; the rest of the plan
// is dropped and said so (PlanResult::dropped).
#pragma once

#include "signer/filter/signing_table.hpp"

#include <cstddef>
#include <string_view>
#include <vector>

namespace postseal::signer {

// kMaxSignaturesPerMessage - DKIM-Signature fields one message gets at most (each costs a
// body hash and a private-key operation, and receivers check only a few: RFC 6376 6.1 lets a
// verifier stop early).
inline constexpr std::size_t kMaxSignaturesPerMessage = 8;

// PlannedRow - one signing row and the keys it signs with (its keys minus those already used).
struct PlannedRow {
  const DomainPolicy* policy = nullptr;  // d=, i=, h=, c=, x=, require_signature, domainkeys
  std::vector<dkim::SignerKey> keys;
};

// SignaturePlan - the rows that sign, in order, and how many keys the cap left out.
struct SignaturePlan {
  std::vector<PlannedRow> rows;  // empty: no row signs this From address
  std::size_t dropped = 0;       // keys beyond kMaxSignaturesPerMessage
};

// plan_signatures - the signatures for mail from `local`@`domain` (local part as the mailbox
// parser gives it, quotes and all; domain lower-case) under `table`'s rows and mode.
SignaturePlan plan_signatures(const SigningTable& table, std::string_view local,
                              std::string_view domain);

}  // namespace postseal::signer
