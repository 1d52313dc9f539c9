// sent_recently.cpp - the record of report mail handed to sendmail (see sent_recently.hpp).
#include "core/dmarc_report/sent_recently.hpp"

#include "core/dmarc_report/period.hpp"
#include "core/dmarc_report/store_keys.hpp"

namespace postseal::dmarc_report {

state::Result<void> note_sent(state::Store& store, std::string_view address, std::string_view what) {
  return store.put(keys::handed_over(address), what.substr(0, kMaxSentWhatOctets),
                   kSentRecentlyDays * kSecondsPerDay);
}

state::Result<std::optional<std::string>> sent_recently(state::Store& store,
                                                        std::string_view address) {
  return store.get(keys::handed_over(address));
}

}  // namespace postseal::dmarc_report
