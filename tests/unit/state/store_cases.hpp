// store_cases.hpp - the one table of Store cases every backend must answer alike
// (store_table_test.cpp runs it against MemoryStore and SqliteStore, and against RedisStore
// when POSTSEAL_TEST_REDIS names a server: tests/integration/state_redis.sh).
//
// A case is a script of steps, each with the answer it wants rendered as text: "nil" or
// "=VALUE" (get; put_if_absent_or_get's value found), "set" (put_if_absent_or_get wrote it), "ok", "true"/"false", a number, "k=v k=v" (scan, sorted), "#N" (scan size),
// "error: bad input". `advance` moves the injected FixedClock; against Redis (whose expiry
// runs on its own clock) it sleeps that many real seconds, so the shared time-based cases use
// TTLs of 1-3 s and never look at an exact expiry second. Cases marked embedded_only (exact
// expiry boundaries, max_entries eviction, the count expire() returns) do not apply to Redis.
#pragma once

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

namespace postseal::state::test {

enum class Op {
  get,
  put,
  put_if_absent,
  put_if_absent_or_get,
  increment,
  erase,
  scan,
  scan_size,
  count,
  expire,
  advance
};

struct Step {
  Op op;
  std::string key;
  std::string value;
  std::int64_t n = 0;    // ttl (put, put_if_absent), by (increment), limit (scan), seconds
  std::int64_t ttl = 0;  // increment's ttl
  std::string want;
};

struct Case {
  std::string name;
  std::vector<Step> steps;
  std::size_t max_entries = 1000;
  bool embedded_only = false;
};

// PrintTo - a case by its name in gtest's messages.
inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

inline Step Get(std::string k, std::string want) { return {Op::get, k, "", 0, 0, want}; }
inline Step Put(std::string k, std::string v, std::int64_t ttl, std::string want = "ok") {
  return {Op::put, k, v, ttl, 0, want};
}
inline Step PutIfAbsent(std::string k, std::string v, std::int64_t ttl, std::string want) {
  return {Op::put_if_absent, k, v, ttl, 0, want};
}
inline Step PutOrGet(std::string k, std::string v, std::int64_t ttl, std::string want) {
  return {Op::put_if_absent_or_get, k, v, ttl, 0, want};
}
inline Step Incr(std::string k, std::int64_t by, std::int64_t ttl, std::string want) {
  return {Op::increment, k, "", by, ttl, want};
}
inline Step Erase(std::string k, std::string want) { return {Op::erase, k, "", 0, 0, want}; }
inline Step Scan(std::string prefix, std::int64_t limit, std::string want) {
  return {Op::scan, prefix, "", limit, 0, want};
}
inline Step ScanSize(std::string prefix, std::int64_t limit, std::string want) {
  return {Op::scan_size, prefix, "", limit, 0, want};
}
inline Step Count(std::string prefix, std::string want) {
  return {Op::count, prefix, "", 0, 0, want};
}
inline Step Expire(std::string want) { return {Op::expire, "", "", 0, 0, want}; }
inline Step Advance(std::int64_t seconds) { return {Op::advance, "", "", seconds, 0, ""}; }

inline const std::string kBad = "error: bad input";

inline std::vector<Case> store_cases() {
  const std::string long_key(513, 'k'), max_key(512, 'k');
  const std::string long_value(4097, 'v'), max_value(4096, 'v');
  const std::string binary("a\0b\xff\r\n", 6);
  constexpr std::int64_t kForever = 0;
  return {
      {"get_put",
       {Get("a", "nil"), Put("a", "1", kForever), Get("a", "=1"), Put("a", "2", kForever),
        Get("a", "=2"), Put("b", "", kForever), Get("b", "="), Put("c", binary, kForever),
        Get("c", "=" + binary), Put("d", "x", -5), Get("d", "=x")}},
      {"put_if_absent",
       {PutIfAbsent("k", "v1", 60, "true"), PutIfAbsent("k", "v2", 60, "false"), Get("k", "=v1"),
        Erase("k", "true"), PutIfAbsent("k", "v3", kForever, "true"), Get("k", "=v3"),
        Put("k", "v4", 60), PutIfAbsent("k", "v5", 60, "false"), Get("k", "=v4")}},
      {"put_if_absent_or_get",
       {PutOrGet("k", "v1", 60, "set"), PutOrGet("k", "v2", 60, "=v1"), Get("k", "=v1"),
        Erase("k", "true"), PutOrGet("k", "v3", kForever, "set"), PutOrGet("k", "v4", 60, "=v3"),
        Put("k", "v5", 60), PutOrGet("k", "v6", 60, "=v5"), Put("e", "", 60), PutOrGet("e", "x", 60, "="),
        PutOrGet("b", binary, 60, "set"), PutOrGet("b", "y", 60, "=" + binary),
        PutOrGet(long_key, "v", 60, kBad), PutOrGet("k2", long_value, 60, kBad), Get("k2", "nil")}},
      {"put_if_absent_or_get_expiry",
       {PutOrGet("t", "v1", 2, "set"), Advance(1), PutOrGet("t", "v2", 2, "=v1"), Advance(2),
        PutOrGet("t", "v3", kForever, "set"), Get("t", "=v3")}},
      {"increment",
       {Incr("c", 1, 60, "1"),
        Incr("c", 5, 60, "6"),
        Incr("c", -10, 60, "-4"),
        Get("c", "=-4"),
        Incr("z", 0, 60, "0"),
        Put("d", "x", 60),
        Incr("d", 1, 60, kBad),
        Get("d", "=x"),
        Put("e", "01", 60),
        Incr("e", 1, 60, kBad),
        Put("f", "+1", 60),
        Incr("f", 1, 60, kBad),
        Put("g", " 1", 60),
        Incr("g", 1, 60, kBad),
        Put("h", "", 60),
        Incr("h", 1, 60, kBad),
        Put("i", "9223372036854775807", 60),
        Incr("i", 1, 60, kBad),
        Get("i", "=9223372036854775807"),
        Put("j", "-9223372036854775808", 60),
        Incr("j", -1, 60, kBad),
        Incr("j", 1, 60, "-9223372036854775807")}},
      {"erase",
       {Erase("x", "false"), Put("x", "1", kForever), Erase("x", "true"), Erase("x", "false"),
        Get("x", "nil")}},
      {"scan_count",
       {Put("gl:a", "1", 60), Put("gl:b", "2", kForever), Put("dm:c", "3", 60), Put("gl", "4", 60),
        Scan("gl:", 100, "gl:a=1 gl:b=2"), Count("gl:", "2"), Count("", "4"), Scan("zz", 100, ""),
        Count("zz", "0"), ScanSize("gl:", 1, "#1"), Scan("", 100, "dm:c=3 gl=4 gl:a=1 gl:b=2"),
        ScanSize("", std::numeric_limits<std::int64_t>::max(), "#4"), Erase("gl:a", "true"),
        Scan("gl:", 100, "gl:b=2")}},
      {"expiry",
       {Put("t1", "v", 2), PutIfAbsent("t2", "v", 2, "true"), Incr("t3", 1, 2, "1"),
        Put("t4", "v", kForever), Advance(1), Get("t1", "=v"), PutIfAbsent("t2", "w", 2, "false"),
        Count("t", "4"), Scan("t2", 10, "t2=v"), Advance(2), Get("t1", "nil"), Get("t4", "=v"),
        Count("t", "1"), Scan("t", 10, "t4=v"), PutIfAbsent("t2", "w", kForever, "true"),
        Get("t2", "=w"), Incr("t3", 1, kForever, "1"), Count("t", "3"), Erase("t1", "false")}},
      {"increment_sets_ttl",
       {Incr("c", 1, 2, "1"), Advance(1), Incr("c", 1, 2, "2"), Advance(1), Get("c", "=2"),
        Advance(2), Get("c", "nil"), Incr("p", 1, 2, "1"), Incr("p", 1, kForever, "2"), Advance(3),
        Get("p", "=2")}},
      {"bad_input",
       {Get("", kBad), Get(long_key, kBad), Put(long_key, "v", 60, kBad), Put(max_key, "v", 60),
        Get(max_key, "=v"), Put("k", long_value, 60, kBad), Put("k", max_value, 60),
        Get("k", "=" + max_value), PutIfAbsent(long_key, "v", 60, kBad),
        PutIfAbsent("k2", long_value, 60, kBad), Incr(long_key, 1, 60, kBad), Erase("", kBad),
        Scan(long_key, 10, kBad), Count(long_key, kBad), Count("", "2")}},
      {"huge_ttl",
       {Put("k", "v", std::numeric_limits<std::int64_t>::max()), Get("k", "=v"),
        PutIfAbsent("p", "v", std::numeric_limits<std::int64_t>::max(), "true"),
        Incr("c", 1, std::numeric_limits<std::int64_t>::max(), "1"), Count("", "3")}},
      // Embedded only: exact expiry seconds, expire()'s count, the max_entries bound.
      {"expiry_boundary",
       {Put("k", "v", 10), Advance(9), Get("k", "=v"), Advance(1), Get("k", "nil"),
        PutIfAbsent("k", "w", 10, "true"), Get("k", "=w")},
       1000,
       true},
      {"expire_count",
       {Put("a", "1", 1), Put("b", "2", 1), Put("c", "3", kForever), Expire("0"), Advance(2),
        Count("", "1"), Expire("2"), Count("", "1"), Expire("0"), Get("c", "=3")},
       1000,
       true},
      {"max_entries_oldest_expiry",
       {Put("a", "1", 100), Put("b", "2", 50), Put("c", "3", kForever), Put("d", "4", 200),
        Get("b", "nil"), Count("", "3"), Put("e", "5", kForever), Get("a", "nil"),
        Put("f", "6", kForever), Get("d", "nil"), Put("g", "7", kForever), Get("c", "nil"),
        Scan("", 10, "e=5 f=6 g=7"), Incr("h", 1, kForever, "1"), Get("e", "nil"), Count("", "3")},
       3,
       true},
      {"max_entries_expired_first",
       {Put("x", "1", 5), Put("y", "2", 5), Put("z", "3", kForever), Advance(10),
        Put("w", "4", kForever), Expire("0"), Scan("", 10, "w=4 z=3"),
        PutIfAbsent("v", "5", 100, "true"), Count("", "3"), PutIfAbsent("u", "6", 200, "true"),
        Get("v", "nil"), Count("", "3")},
       3,
       true},
  };
}

}  // namespace postseal::state::test
