// worker_thread.hpp - one background thread that runs a job when poked (now or after a
// delay), or every `period` when nobody pokes it: SqliteStore's upkeep (group commit, WAL
// checkpoints, the max_entries check), kept off the threads that answer requests.
//
// poke() only records when the job is due and wakes the thread (pokes arriving while the job
// runs make it run once more, not once per poke; the earliest due time wins), so a caller
// holding its own lock may poke. The destructor
// stops the thread after the job in progress and joins it. Untrusted input: none. Limits:
// one thread; the job never runs twice at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace postseal::state {

// WorkerThread - see above.
class WorkerThread {
 public:
  // WorkerThread - start the thread; `job` runs on it after each poke and every `period`.
  WorkerThread(std::function<void()> job, std::chrono::milliseconds period);
  ~WorkerThread();
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  // stop - end the thread and wait for it (a job running finishes first); again: nothing.
  // Not from the job itself. The owner calls it before it destroys what the job uses, so
  // that the job never sees the owner half destroyed (the destructor calls it too).
  void stop();
  // poke - run the job `delay` from now (or sooner, if an earlier poke asked for it).
  void poke(std::chrono::milliseconds delay = std::chrono::milliseconds(0));

 private:
  void loop();

  std::function<void()> job_;
  const std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::chrono::steady_clock::time_point due_ = std::chrono::steady_clock::time_point::max();
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace postseal::state
