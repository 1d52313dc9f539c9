// worker_thread.cpp - WorkerThread (see worker_thread.hpp).
#include "core/state/worker_thread.hpp"

namespace postseal::state {

WorkerThread::WorkerThread(std::function<void()> job, std::chrono::milliseconds period)
    : job_(std::move(job)), period_(period), thread_([this] { loop(); }) {}

WorkerThread::~WorkerThread() { stop(); }

void WorkerThread::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void WorkerThread::poke(std::chrono::milliseconds delay) {
  {
    std::lock_guard lock(mutex_);
    auto due = std::chrono::steady_clock::now() + delay;
    if (due >= due_) return;
    due_ = due;
  }
  wake_.notify_one();
}

void WorkerThread::loop() {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto period_end = Clock::now() + period_;
    while (!stopping_) {
      auto until = std::min(due_, period_end);
      if (Clock::now() >= until) break;
      wake_.wait_until(lock, until);
    }
    if (stopping_) break;
    due_ = Clock::time_point::max();
    lock.unlock();
    job_();
    lock.lock();
  }
}

}  // namespace postseal::state
