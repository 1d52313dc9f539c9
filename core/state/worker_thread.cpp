// worker_thread.cpp - WorkerThread (see worker_thread.hpp).
#include "core/state/worker_thread.hpp"

namespace postseal::state {

WorkerThread::WorkerThread(std::function<void()> job, std::chrono::milliseconds period)
    : job_(std::move(job)), period_(period), thread_([this] { loop(); }) {}

WorkerThread::~WorkerThread() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WorkerThread::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_one();
}

void WorkerThread::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, period_, [this] { return poked_ || stopping_; });
    if (stopping_) break;
    poked_ = false;
    lock.unlock();
    job_();
    lock.lock();
  }
}

}  // namespace postseal::state
