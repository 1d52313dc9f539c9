// worker_thread_test.cpp - WorkerThread runs its job after a poke and on its period, never
// twice at once, and stops (joins) when destroyed.
#include "core/state/worker_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace postseal::state::test {
namespace {

using namespace std::chrono_literals;

// Runs - counts the job's runs; wait_for waits (bounded) until there were `n`.
struct Runs {
  std::mutex mutex;
  std::condition_variable changed;
  int n = 0;
  std::atomic<int> running{0}, overlaps{0};
  void job() {
    if (running.fetch_add(1) != 0) overlaps.fetch_add(1);
    std::this_thread::sleep_for(1ms);
    running.fetch_sub(1);
    std::lock_guard lock(mutex);
    ++n;
    changed.notify_all();
  }
  bool wait_for(int want) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return n >= want; });
  }
};

TEST(WorkerThread, RunsAfterAPoke) {
  Runs runs;
  WorkerThread worker([&] { runs.job(); }, std::chrono::hours(1));
  worker.poke();
  EXPECT_TRUE(runs.wait_for(1));
  for (int i = 0; i < 100; ++i) worker.poke();
  EXPECT_TRUE(runs.wait_for(2));
  EXPECT_EQ(runs.overlaps.load(), 0);
}

TEST(WorkerThread, RunsOnItsPeriodUnpoked) {
  Runs runs;
  WorkerThread worker([&] { runs.job(); }, 1ms);
  EXPECT_TRUE(runs.wait_for(3));
}

TEST(WorkerThread, StopsWhenDestroyed) {
  Runs runs;
  { WorkerThread worker([&] { runs.job(); }, std::chrono::hours(1)); }
  EXPECT_EQ(runs.n, 0);  // destroyed unpoked: the job never ran, and the thread was joined
}

}  // namespace
}  // namespace postseal::state::test
