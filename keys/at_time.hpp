// at_time.hpp - the time `postseal keys rotate|status|tick --at WHEN` act at, instead of now:
// to rehearse a rotation schedule ("what does status say on 2027-01-10?") and to walk the
// states through real days in the integration test (docs/key-rotation.md).
// Untrusted input: the option's text (the administrator's). Forms: "+N" with a unit s, m, h
// or d (after now; N at most 36,500 days), "YYYY-MM-DD" (00:00 UTC) and
// "YYYY-MM-DDTHH:MM:SSZ" (UTC), years 1970-9999.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace postseal::keys {

// parse_at - the Unix time `text` names, `now` being the wall clock; an error names the form.
std::expected<std::int64_t, std::string> parse_at(std::string_view text, std::int64_t now);

}  // namespace postseal::keys
