// rcpt_greylist.cpp - greylisting in the milter at RCPT TO (see rcpt_greylist.hpp).
#include "verifier/milter/rcpt_greylist.hpp"

#include "core/util/log.hpp"
#include "verifier/greylist/answer.hpp"

#include <asio/post.hpp>

#include <atomic>
#include <future>
#include <memory>

namespace postseal::milter {
namespace {

// Check - one check handed to the io_context: the request, pointing into its own copies of
// the strings; the answer; `abandoned` once its waiter gave up.
struct Check {
  explicit Check(const greylist::Request& r)
      : client_name(r.client_name),
        sender(r.sender),
        recipient(r.recipient),
        sasl_username(r.sasl_username),
        spf_pass_domain(r.spf_pass_domain),
        request(r) {
    request.client_name = client_name;
    request.sender = sender;
    request.recipient = recipient;
    request.sasl_username = sasl_username;
    request.spf_pass_domain = spf_pass_domain;
  }
  const std::string client_name, sender, recipient, sasl_username, spf_pass_domain;
  greylist::Request request;
  std::promise<greylist::Outcome> done;
  std::atomic<bool> abandoned{false};
};

std::atomic<bool> g_late{false};  // the last check did not answer within the limit

// note_timely - log when the store answers in time again after a late check.
void note_timely() {
  if (g_late.exchange(false))
    log::info("milter: greylisting answers within state.timeout_ms again");
}

// note_late - log the first late check of an episode.
void note_late(std::chrono::milliseconds limit) {
  if (!g_late.exchange(true))
    log::warning(
        "milter: greylisting did not answer within state.timeout_ms ({} ms): recipients pass "
        "unchecked (fail open) until it does",
        limit.count());
}

}  // namespace

RcptGreylist rcpt_greylist(const greylist::Outcome& outcome, const greylist::Service& service,
                           bool test_only, bool header_planned) {
  RcptGreylist r;
  if (outcome.action == greylist::Action::defer) {
    if (test_only) {
      r.answer = "test_only: would defer";
      return r;
    }
    r.tempfail = true;
    r.reply = "450 " + greylist::defer_reply(service.defer_text, outcome.seconds);
    r.answer = r.reply;
    return r;
  }
  if (outcome.action == greylist::Action::pass && outcome.first_pass && service.add_header &&
      !header_planned) {
    r.add_header = true;
    r.answer = "continue, X-Greylist at end of message";
    return r;
  }
  r.answer = "continue";
  return r;
}

std::optional<greylist::Outcome> check_within(asio::io_context& io,
                                              greylist::Greylister& greylister,
                                              const greylist::Request& request,
                                              std::chrono::milliseconds limit) {
  auto check = std::make_shared<Check>(request);
  auto answer = check->done.get_future();
  asio::post(io, [check, &greylister] {
    if (check->abandoned.load()) return;
    check->done.set_value(greylister.check(check->request));
  });
  if (answer.wait_for(limit) != std::future_status::ready) {
    check->abandoned.store(true);
    note_late(limit);
    return std::nullopt;
  }
  note_timely();
  return answer.get();
}

}  // namespace postseal::milter
