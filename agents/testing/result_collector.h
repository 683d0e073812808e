// ResultCollector: gathers the results a CheckEngine (or a group of them,
// from several loop threads at once) hands to its callback, for tests.
//
// Example:
//   ResultCollector results;
//   auto engine = CheckEngine::Create(options, results.callback());
//   std::vector<v1::CheckResult> all = results.Wait(3);
#ifndef UPTIME_AGENTS_TESTING_RESULT_COLLECTOR_H_
#define UPTIME_AGENTS_TESTING_RESULT_COLLECTOR_H_

#include <functional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "uptime/v1/result.pb.h"

namespace uptime::agent {

class ResultCollector {
 public:
  // The engine's result callback; thread-safe. Must not outlive this.
  std::function<void(std::vector<v1::CheckResult>)> callback() {
    return [this](std::vector<v1::CheckResult> rs) {
      absl::MutexLock lock(&mu_);
      for (auto& r : rs) results_.push_back(std::move(r));
    };
  }
  // Waits for `n` results in total; returns them all (fewer on timeout).
  std::vector<v1::CheckResult> Wait(size_t n, absl::Duration timeout = absl::Seconds(15)) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return results_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
    return results_;
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return results_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::CheckResult> results_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_TESTING_RESULT_COLLECTOR_H_
