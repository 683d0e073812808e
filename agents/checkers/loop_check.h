// LoopCheck: a check that is not a curl transfer (TCP, DNS, gRPC health, ICMP),
// run by the CheckEngine's loop next to curl's transfers.
//
// The loop polls the descriptors a check Watch()es, calls OnTimer() once
// next_timer() has passed, and runs closures other threads Post() through
// the LoopMailbox. After each call it looks at done(): a finished check's
// result is delivered and the check destroyed.
//
// Thread-safety: everything but LoopMailbox::Post runs on the loop thread.
#ifndef UPTIME_AGENTS_CHECKERS_LOOP_CHECK_H_
#define UPTIME_AGENTS_CHECKERS_LOOP_CHECK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "agents/checkers/check_spec.h"
#include "uptime/v1/result.pb.h"

namespace uptime::agent {

class LoopCheck;

// Closures from other threads (gRPC completions) for the loop. Shared, so
// a completion arriving after the loop ended finds it Close()d and is
// dropped instead of touching freed memory.
class LoopMailbox {
 public:
  explicit LoopMailbox(std::function<void()> wake) : wake_(std::move(wake)) {}
  // Runs `fn` on the loop thread soon, then settles the check it returns
  // (nullptr: none; the check may be gone by then, so `fn` finds out).
  // Thread-safe.
  using Posted = std::function<LoopCheck*()>;
  void Post(Posted fn) {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    posted_.push_back(std::move(fn));
    wake_();  // under the lock: Close() cannot have run, so wake_ is valid
  }
  std::vector<Posted> Take() {
    absl::MutexLock lock(&mu_);
    return std::exchange(posted_, {});
  }
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    posted_.clear();
  }

 private:
  const std::function<void()> wake_;
  absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Posted> posted_ ABSL_GUARDED_BY(mu_);
};

class DnsChannels;

// Machinery on the loop that serves many checks with descriptors and timers
// of its own (the shared c-ares channels), as opposed to a LoopCheck, which
// the loop delivers and destroys once done. Loop thread only.
class LoopService {
 public:
  virtual ~LoopService() = default;
  virtual void OnFd(int fd, uint32_t events) = 0;
  // When OnTimer() wants to run next; InfiniteFuture(): no need.
  virtual absl::Time next_timer() const = 0;
  virtual void OnTimer(absl::Time now) = 0;
};

// What a check sees of the loop.
class LoopIo {
 public:
  virtual ~LoopIo() = default;
  // Polls `fd` for `events` (EPOLLIN/EPOLLOUT) on behalf of `check`; 0 stops
  // (call it before closing the descriptor).
  virtual void Watch(int fd, uint32_t events, LoopCheck* check) = 0;
  // The same for a service's descriptor.
  virtual void WatchForService(int fd, uint32_t events, LoopService* service) = 0;
  // `fd` (watched by a check) is about to be closed: forget it without a
  // system call, since closing a descriptor takes it out of epoll. Only for
  // descriptors never dup()ed or shared with another process.
  virtual void Closing(int fd) { Watch(fd, 0, nullptr); }
  // For a service's callbacks into a check: the loop settles `check` (delivers
  // it if done, else re-arms its timer) once the service call returns, so the
  // check is never destroyed under the service's feet.
  virtual void Touch(LoopCheck* check) = 0;
  virtual std::shared_ptr<LoopMailbox> mailbox() = 0;
  // The shared DNS channels (DNS checks, host names of other checks).
  virtual DnsChannels& dns() = 0;
};

class LoopCheck {
 public:
  LoopCheck(CheckSpecPtr spec, const std::string& agent_id, absl::Time planned, absl::Time start,
            bool scheduled)
      : spec_(std::move(spec)),
        result_(NewResult(*spec_, agent_id, planned, start)),
        planned_(planned),
        start_(start),
        deadline_(start + spec_->timeout()),
        timer_(deadline_),
        scheduled_(scheduled) {}
  virtual ~LoopCheck() = default;
  LoopCheck(const LoopCheck&) = delete;
  LoopCheck& operator=(const LoopCheck&) = delete;

  // Begins the check; may finish it at once.
  virtual void Start(LoopIo& io) = 0;
  virtual void OnFd(LoopIo& /*io*/, int /*fd*/, uint32_t /*events*/) {}
  // Called once next_timer() has passed. The default: the monitor's timeout.
  virtual void OnTimer(LoopIo& /*io*/, absl::Time now) {
    if (now >= deadline_) Fail(v1::ERROR_KIND_TIMEOUT, "no answer within the timeout");
  }

  absl::Time next_timer() const { return timer_; }
  bool done() const { return done_; }
  bool scheduled() const { return scheduled_; }
  absl::Time planned() const { return planned_; }
  absl::Time start() const { return start_; }
  const CheckSpecPtr& spec() const { return spec_; }
  v1::CheckResult TakeResult() { return std::move(result_); }
  // Non-empty when the check ended by handing over to curl (HttpCheck on a
  // redirect): the loop goes on with a curl transfer of this URL, from this
  // check's start and within its timeout, instead of delivering a result.
  const std::string& handoff_url() const { return handoff_url_; }

  // The loop's bookkeeping: where this check sits in its timer set.
  absl::Time timer_key = absl::InfiniteFuture();

 protected:
  void SetTimer(absl::Time t) { timer_ = std::min(t, deadline_); }
  void Succeed() { Complete(); }
  void HandOff(std::string url) {
    if (done_) return;
    handoff_url_ = std::move(url);
    done_ = true;
  }
  void Fail(v1::ErrorKind kind, std::string message) {
    if (done_) return;
    SetFailure(&result_, kind, std::move(message));
    Complete();
  }
  v1::CheckResult& result() { return result_; }
  absl::Time deadline() const { return deadline_; }

 private:
  void Complete() {
    if (done_) return;
    done_ = true;
    if (result_.error_kind() == v1::ERROR_KIND_UNSPECIFIED) {
      result_.set_success(true);
    }
    result_.set_latency_us(absl::ToInt64Microseconds(absl::Now() - start_));
  }

  const CheckSpecPtr spec_;
  v1::CheckResult result_;
  const absl::Time planned_;
  const absl::Time start_;
  const absl::Time deadline_;
  absl::Time timer_;
  const bool scheduled_;
  bool done_ = false;
  std::string handoff_url_;
};

// The LoopCheck for `spec` (TCP, DNS, gRPC, ICMP, and plain HTTP when
// `http_on_loop` and HttpCheck can take it), or nullptr for a curl transfer.
std::unique_ptr<LoopCheck> MakeLoopCheck(CheckSpecPtr spec, const std::string& agent_id,
                                         absl::Time planned, absl::Time start, bool scheduled,
                                         bool http_on_loop = true);

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_LOOP_CHECK_H_
