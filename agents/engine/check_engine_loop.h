// Internal to CheckEngine: the state and code of its loop thread (epoll,
// eventfd, the curl multi handle, the scheduler, checks in flight); include
// nowhere else. Its code is split by concern: the loop itself, commands and
// scheduling (check_engine_loop.cc), the LoopIo of non-curl checks
// (check_engine_loop_io.cc), HTTP checks on curl (check_engine_loop_curl.cc).
#ifndef UPTIME_AGENTS_ENGINE_CHECK_ENGINE_LOOP_H_
#define UPTIME_AGENTS_ENGINE_CHECK_ENGINE_LOOP_H_

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "agents/engine/check_engine.h"
#include "agents/checkers/dns_channels.h"
#include "agents/checkers/curl_check.h"
#include "agents/checkers/loop_check.h"
#include "agents/scheduling/scheduler.h"
#include "agents/scheduling/start_pacer.h"

namespace uptime::agent {

// State owned by the loop thread (after Init(), which runs on the creator).
// Reads the engine's queue (under its mutex) and publishes its counters.
class CheckEngine::Loop : public LoopIo {
 public:
  explicit Loop(CheckEngine* owner)
      : owner_(owner),
        scheduler_(absl::Seconds(1), owner->options_.late_skip_fraction),
        pacer_(owner->options_.catch_up_factor) {}
  ~Loop() override;

  absl::Status Init();
  void Run();
  // Thread-safe.
  void Wake();

  // LoopIo, for the non-curl checks.
  void Watch(int fd, uint32_t events, LoopCheck* check) override;
  void WatchForService(int fd, uint32_t events, LoopService* service) override;
  void Closing(int fd) override { fd_owners_.erase(fd); }
  void Touch(LoopCheck* check) override { touched_.insert(check); }
  std::shared_ptr<LoopMailbox> mailbox() override { return mailbox_; }
  DnsChannels& dns() override { return *dns_; }

 private:
  static int OnSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* assigned);
  static int OnTimer(CURLM* multi, long timeout_ms, void* self);

  // Takes queued commands; false once the engine is stopping.
  bool ApplyCommands();
  void Upsert(const v1::AssignedMonitor& monitor, absl::Time now);
  void Remove(const std::string& id);
  void StartDue(absl::Time now);
  void StartCheck(CheckSpecPtr spec, absl::Time planned, bool scheduled);
  // StartCheck() of an HTTP check: a pooled handle, then the lookup or the
  // transfer.
  void StartCurl(CheckSpecPtr spec, absl::Time planned, bool scheduled);
  // The curl transfer that goes on from a LoopCheck's handoff_url() (an
  // HttpCheck's redirect), within that check's timeout.
  void ContinueWithCurl(const LoopCheck& check);
  // Both of the above: a pooled handle from `start`, then the lookup or the
  // transfer.
  void StartCurlFrom(CheckSpecPtr spec, absl::Time planned, bool scheduled, absl::Time start,
                     bool redirected);
  // HTTP checks of host names: the lookup on our c-ares channel, then the
  // transfer (see CurlCheck).
  void Resolve(CurlCheck* check, UrlHost host);
  void OnResolved(CurlCheck* check, const UrlHost& host, int status,
                  std::vector<sockaddr_storage> addresses);
  // Times out lookups past their check's deadline.
  void ExpireLookups(absl::Time now);
  // Adds the transfer to the multi handle; an error ends the check.
  void AddTransfer(CurlCheck* check);
  // Ends a check that never reached its transfer, with a result.
  void FailCurl(CurlCheck* check, v1::ErrorKind kind, std::string message);
  void Reap();
  void Release(CurlCheck* check);
  void Deliver();
  // Hands freed memory back to the system once in-flight checks fell to a
  // quarter of a high peak.
  void TrimAfterBurst();
  int TimeoutMs(absl::Time now) const;
  void OnSocketEvent(int fd, uint32_t events);
  size_t InFlight() const { return active_.size() + loop_checks_.size(); }
  // After any call into a LoopCheck: delivers it if done, else re-arms its timer.
  void Settle(LoopCheck* check);
  void RunLoopTimers(absl::Time now);
  void RunPosted();
  void RunServiceTimers(absl::Time now);
  // Settles the checks services Touch()ed.
  void SettleTouched();
  void SetFdOwner(int fd, uint32_t events, LoopCheck* check, LoopService* service);

  CheckEngine* const owner_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  CURLM* multi_ = nullptr;
  std::optional<absl::Time> curl_deadline_;
  // Hashed and compared by the spec's id, so the id is not stored twice.
  struct SpecById {
    using is_transparent = void;
    static absl::string_view Id(absl::string_view id) { return id; }
    static absl::string_view Id(const CheckSpecPtr& spec) { return spec->id; }
    size_t operator()(const auto& key) const { return absl::Hash<absl::string_view>{}(Id(key)); }
    bool operator()(const auto& a, const auto& b) const { return Id(a) == Id(b); }
  };

  Scheduler scheduler_;
  StartPacer pacer_;
  absl::flat_hash_set<CheckSpecPtr, SpecById, SpecById> monitors_;  // the assigned set
  absl::flat_hash_map<CurlCheck*, std::unique_ptr<CurlCheck>> active_;
  // HTTP checks in their DNS phase, by deadline.
  std::set<std::pair<absl::Time, CurlCheck*>> lookups_;
  // CURLOPT_RESOLVE removals ("-host:port") of finished checks, for the next
  // transfer to apply: without them a redirect to a host another check
  // resolved would reuse that address instead of looking it up afresh.
  absl::flat_hash_set<std::string> stale_resolves_;
  std::vector<std::unique_ptr<CurlCheck>> pool_;  // reset handles, reused
  absl::flat_hash_map<LoopCheck*, std::unique_ptr<LoopCheck>> loop_checks_;
  // Descriptors of loop checks and services (exactly one of the two set).
  struct FdOwner {
    LoopCheck* check = nullptr;
    LoopService* service = nullptr;
  };
  absl::flat_hash_map<int, FdOwner> fd_owners_;
  // Sockets curl wants polled now. Its CURL_POLL_REMOVE costs no system
  // call: curl closes the socket next, which takes it out of epoll; an event
  // on a descriptor in neither map is a socket curl kept open, removed then.
  absl::flat_hash_set<int> curl_fds_;
  std::unique_ptr<DnsChannels> dns_;
  absl::flat_hash_set<LoopCheck*> touched_;
  std::set<std::pair<absl::Time, LoopCheck*>> loop_timers_;
  std::shared_ptr<LoopMailbox> mailbox_;
  std::vector<v1::CheckResult> results_;
  int64_t applied_ = 0;  // commands applied, not yet published to queued_
  size_t peak_in_flight_ = 0;  // since the last trim
  absl::Time last_trim_ = absl::InfinitePast();
};

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_ENGINE_CHECK_ENGINE_LOOP_H_
