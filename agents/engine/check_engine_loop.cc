#include "agents/engine/check_engine_loop.h"

#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "spdlog/spdlog.h"

namespace uptime::agent {
namespace {

constexpr int kMaxEvents = 256;
constexpr size_t kTrimAfterMonitors = 1000;
// Checks in flight before memory is handed back once most have ended.
constexpr size_t kTrimAfterInFlight = 256;
constexpr absl::Duration kMinTrimInterval = absl::Seconds(10);
}  // namespace

CheckEngine::Loop::~Loop() {
  // Late gRPC completions must not reach a dead loop.
  if (mailbox_) mailbox_->Close();
  loop_checks_.clear();  // closes their descriptors while epoll_fd_ is valid
  // Curl checks too hold lookups (their DNS phase): gone before dns_.
  for (auto& [raw, check] : active_) curl_multi_remove_handle(multi_, check->easy());
  lookups_.clear();
  active_.clear();
  dns_.reset();
  pool_.clear();
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status CheckEngine::Loop::Init() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return absl::ResourceExhaustedError(absl::StrCat("epoll: ", strerror(errno)));
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return absl::ResourceExhaustedError(absl::StrCat("eventfd: ", strerror(errno)));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) {
    return absl::InternalError(absl::StrCat("epoll_ctl: ", strerror(errno)));
  }
  mailbox_ = std::make_shared<LoopMailbox>([this] { Wake(); });
  dns_ = std::make_unique<DnsChannels>(
      this, DnsChannelsOptions{.system_servers = owner_->options_.dns_servers});
  multi_ = curl_multi_init();
  if (multi_ == nullptr) return absl::ResourceExhaustedError("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Loop::OnSocket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Loop::OnTimer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
  // Each check has its own connection; no cross-check limits in curl.
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
  return absl::OkStatus();
}

void CheckEngine::Loop::Wake() {
  const uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: the loop wakes anyway.
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
}

void CheckEngine::Loop::Watch(int fd, uint32_t events, LoopCheck* check) {
  SetFdOwner(fd, events, check, nullptr);
}

void CheckEngine::Loop::WatchForService(int fd, uint32_t events, LoopService* service) {
  SetFdOwner(fd, events, nullptr, service);
}

void CheckEngine::Loop::SetFdOwner(int fd, uint32_t events, LoopCheck* check,
                                   LoopService* service) {
  if (events == 0) {
    if (fd_owners_.erase(fd) > 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return;
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  int op = fd_owners_.contains(fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  int rc = epoll_ctl(epoll_fd_, op, fd, &ev);
  if (rc != 0 && (errno == EEXIST || errno == ENOENT)) {
    // The number of a socket curl left open and registered (curl_fds_), or
    // of one a close already took out.
    op = errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    rc = epoll_ctl(epoll_fd_, op, fd, &ev);
  }
  if (rc != 0) {
    spdlog::warn("epoll_ctl({}) for {} failed: {}", fd,
                 check != nullptr ? check->spec()->id : std::string("the DNS channels"),
                 strerror(errno));
  }
  fd_owners_[fd] = FdOwner{check, service};
}

void CheckEngine::Loop::Settle(LoopCheck* check) {
  if (check->timer_key != absl::InfiniteFuture()) {
    loop_timers_.erase({check->timer_key, check});
    check->timer_key = absl::InfiniteFuture();
  }
  if (!check->done()) {
    check->timer_key = check->next_timer();
    loop_timers_.emplace(check->timer_key, check);
    return;
  }
  if (check->scheduled()) scheduler_.Complete(check->spec()->id);
  results_.push_back(check->TakeResult());
  touched_.erase(check);  // a later check may get its address
  // Its destructor unwatches its descriptors (fd_owners_ must not dangle).
  loop_checks_.erase(check);
}

void CheckEngine::Loop::SettleTouched() {
  while (!touched_.empty()) {
    LoopCheck* check = *touched_.begin();
    touched_.erase(touched_.begin());
    if (loop_checks_.contains(check)) Settle(check);
  }
}

void CheckEngine::Loop::RunServiceTimers(absl::Time now) {
  if (dns_->next_timer() > now) return;
  dns_->OnTimer(now);
  SettleTouched();
}

void CheckEngine::Loop::RunLoopTimers(absl::Time now) {
  while (!loop_timers_.empty() && loop_timers_.begin()->first <= now) {
    LoopCheck* check = loop_timers_.begin()->second;
    check->OnTimer(*this, now);
    if (!check->done() && check->next_timer() <= now) {
      // A check must move its timer on or finish; never spin on it.
      loop_timers_.erase(loop_timers_.begin());
      check->timer_key = absl::InfiniteFuture();
      continue;
    }
    Settle(check);
  }
}

void CheckEngine::Loop::RunPosted() {
  for (auto& fn : mailbox_->Take()) {
    if (LoopCheck* check = fn(); check != nullptr && loop_checks_.contains(check)) Settle(check);
  }
}

int CheckEngine::Loop::OnSocket(CURL*, curl_socket_t fd, int what, void* self_ptr,
                                void* assigned) {
  auto* self = static_cast<Loop*>(self_ptr);
  if (what == CURL_POLL_REMOVE) {
    self->curl_fds_.erase(fd);  // see curl_fds_: no EPOLL_CTL_DEL
    return 0;
  }
  epoll_event ev{};
  ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  int op = assigned != nullptr ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (epoll_ctl(self->epoll_fd_, op, fd, &ev) != 0) {
    // A reused descriptor number can be in the other state than curl's
    // bookkeeping suggests; the other operation then succeeds.
    op = errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(self->epoll_fd_, op, fd, &ev) != 0) {
      spdlog::warn("epoll_ctl({}) failed: {}", fd, strerror(errno));
    }
  }
  if (assigned == nullptr) curl_multi_assign(self->multi_, fd, self);
  self->curl_fds_.insert(fd);
  return 0;
}

int CheckEngine::Loop::OnTimer(CURLM*, long timeout_ms, void* self_ptr) {
  auto* self = static_cast<Loop*>(self_ptr);
  if (timeout_ms < 0) {
    self->curl_deadline_.reset();
  } else {
    self->curl_deadline_ = absl::Now() + absl::Milliseconds(timeout_ms);
  }
  return 0;
}

void CheckEngine::Loop::Run() {
  epoll_event events[kMaxEvents];
  while (ApplyCommands()) {
    int running = 0;
    if (curl_deadline_.has_value() && *curl_deadline_ <= absl::Now()) {
      curl_deadline_.reset();
      curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
      Reap();
    }
    RunPosted();
    RunServiceTimers(absl::Now());
    ExpireLookups(absl::Now());
    RunLoopTimers(absl::Now());
    StartDue(absl::Now());
    Deliver();

    const int n = epoll_wait(epoll_fd_, events, kMaxEvents, TimeoutMs(absl::Now()));
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == wake_fd_) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = read(wake_fd_, &count, sizeof(count));
      } else {
        OnSocketEvent(events[i].data.fd, events[i].events);
      }
    }
    Reap();
  }
}

void CheckEngine::Loop::OnSocketEvent(int fd, uint32_t events) {
  if (auto it = fd_owners_.find(fd); it != fd_owners_.end()) {
    if (LoopService* service = it->second.service) {
      service->OnFd(fd, events);
      SettleTouched();
      return;
    }
    LoopCheck* check = it->second.check;
    check->OnFd(*this, fd, events);
    Settle(check);
    return;
  }
  if (!curl_fds_.contains(fd)) {
    // A socket curl stopped polling but did not close (see curl_fds_).
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return;
  }
  int flags = 0;
  if (events & EPOLLIN) flags |= CURL_CSELECT_IN;
  if (events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
  if (events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
  int running = 0;
  curl_multi_socket_action(multi_, fd, flags, &running);
}

int CheckEngine::Loop::TimeoutMs(absl::Time now) const {
  std::optional<absl::Time> deadline = curl_deadline_;
  if (!loop_timers_.empty() && (!deadline || loop_timers_.begin()->first < *deadline)) {
    deadline = loop_timers_.begin()->first;
  }
  if (!lookups_.empty() && (!deadline || lookups_.begin()->first < *deadline)) {
    deadline = lookups_.begin()->first;
  }
  if (const absl::Time dns = dns_->next_timer();
      dns != absl::InfiniteFuture() && (!deadline || dns < *deadline)) {
    deadline = dns;
  }
  if (InFlight() < static_cast<size_t>(owner_->options_.max_concurrency)) {
    if (auto due = scheduler_.NextDue()) {
      *due = std::max(*due, pacer_.Ready(scheduler_.planned_rate()));
      if (!deadline || *due < *deadline) deadline = due;
    }
  }
  if (!deadline) return -1;  // only the eventfd or a socket can wake us
  if (*deadline <= now) return 0;
  // Round up: waking a hair early would only spin.
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(*deadline - now, absl::Milliseconds(1)));
  return static_cast<int>(std::min<int64_t>(ms, 60'000));
}

bool CheckEngine::Loop::ApplyCommands() {
  std::deque<Command> commands;
  {
    absl::MutexLock lock(&owner_->mu_);
    if (owner_->stopping_) return false;
    commands.swap(owner_->queue_);
  }
  if (commands.empty()) return true;
  const absl::Time now = absl::Now();
  size_t touched = 0;  // monitors in the commands
  for (Command& command : commands) {
    if (auto* replace = std::get_if<ReplaceCmd>(&command)) {
      touched += replace->monitors.size();
      absl::flat_hash_set<std::string> keep;
      for (const auto& m : replace->monitors) {
        if (!m.monitor().paused()) keep.insert(m.monitor().id());
      }
      std::vector<std::string> gone;
      for (const CheckSpecPtr& spec : monitors_) {
        if (!keep.contains(spec->id)) gone.push_back(spec->id);
      }
      touched += gone.size();
      for (const std::string& id : gone) Remove(id);
      for (const auto& m : replace->monitors) Upsert(m, now);
    } else if (auto* apply = std::get_if<ApplyCmd>(&command)) {
      touched += apply->upserts.size() + apply->removed_ids.size();
      for (const std::string& id : apply->removed_ids) Remove(id);
      for (const auto& m : apply->upserts) Upsert(m, now);
    } else if (auto* once = std::get_if<RunOnceCmd>(&command)) {
      StartCheck(MakeCheckSpec(once->monitor, owner_->options_.identity), now, false);
    }
  }
  applied_ += static_cast<int64_t>(commands.size());
  commands.clear();
  if (touched >= kTrimAfterMonitors) {
    // A big assignment arrived as protos (~1 KiB per monitor, parsed on the
    // session's thread, so in another malloc arena) and is now freed; glibc
    // keeps such memory resident. Hand it back, or the agent's RSS would
    // carry the peak of its largest assignment forever (DESIGN §6 allows
    // 1 KiB per monitor). A few ms, and only after big changes. (The
    // uptime-agent binary links jemalloc, which purges freed pages itself;
    // there glibc's arenas are empty and this returns at once.)
    malloc_trim(0);
  }
  return true;
}

void CheckEngine::Loop::Upsert(const v1::AssignedMonitor& monitor, absl::Time now) {
  const std::string& id = monitor.monitor().id();
  if (id.empty()) return;
  if (monitor.monitor().paused()) {
    Remove(id);
    return;
  }
  CheckSpecPtr spec = MakeCheckSpec(monitor, owner_->options_.identity);
  scheduler_.Upsert(id, spec->interval, now);
  // Checks in flight keep the spec they started with; the next slot uses
  // this one (new epoch, URL, ...).
  if (auto it = monitors_.find(id); it != monitors_.end()) monitors_.erase(it);
  monitors_.insert(std::move(spec));
}

void CheckEngine::Loop::Remove(const std::string& id) {
  if (auto it = monitors_.find(id); it != monitors_.end()) monitors_.erase(it);
  scheduler_.Remove(id);
}

void CheckEngine::Loop::StartDue(absl::Time now) {
  const size_t max = static_cast<size_t>(owner_->options_.max_concurrency);
  if (InFlight() >= max) return;
  // Paced: the backlog after a stall must not start in one burst.
  const double rate = scheduler_.planned_rate();
  const size_t allowed = std::min(max - InFlight(), pacer_.Allowance(rate, now));
  if (allowed == 0) return;
  std::vector<ScheduledJob> jobs = scheduler_.PopDue(now, allowed);
  pacer_.Started(rate, now, jobs.size());
  for (ScheduledJob& job : jobs) {
    auto it = monitors_.find(absl::string_view(job.id));
    if (it == monitors_.end()) {
      scheduler_.Complete(job.id);
      continue;
    }
    StartCheck(*it, job.planned, true);
  }
}

void CheckEngine::Loop::StartCheck(CheckSpecPtr spec, absl::Time planned, bool scheduled) {
  if (std::unique_ptr<LoopCheck> other = MakeLoopCheck(
          spec, owner_->options_.identity.agent_id, planned, absl::Now(), scheduled)) {
    owner_->started_.fetch_add(1, std::memory_order_relaxed);
    LoopCheck* raw = other.get();
    loop_checks_.emplace(raw, std::move(other));
    raw->Start(*this);
    Settle(raw);
    return;
  }
  std::unique_ptr<CurlCheck> check;
  if (!pool_.empty()) {
    check = std::move(pool_.back());
    pool_.pop_back();
  } else {
    check = std::make_unique<CurlCheck>();
  }
  const absl::Time start = absl::Now();
  absl::Status status = check->Prepare(spec, planned, start, scheduled);
  owner_->started_.fetch_add(1, std::memory_order_relaxed);
  CurlCheck* raw = check.get();
  active_.emplace(raw, std::move(check));
  if (!status.ok()) {
    // The agent could not run this check: still a result, so the
    // coordinator sees why instead of silence.
    FailCurl(raw, v1::ERROR_KIND_INTERNAL, std::string(status.message()));
    return;
  }
  if (std::optional<UrlHost> host = HostNeedingLookup(spec->http()->url)) {
    Resolve(raw, *std::move(host));
    return;
  }
  AddTransfer(raw);
}

void CheckEngine::Loop::Resolve(CurlCheck* check, UrlHost host) {
  const std::string name = host.name;
  absl::StatusOr<DnsLookup> lookup = dns_->ResolveHost(
      name, [this, check, host = std::move(host)](int status,
                                                  std::vector<sockaddr_storage> addresses) {
        OnResolved(check, host, status, std::move(addresses));
      });
  if (!lookup.ok()) {
    FailCurl(check, v1::ERROR_KIND_INTERNAL, std::string(lookup.status().message()));
    return;
  }
  check->set_lookup(*std::move(lookup));
  lookups_.emplace(check->deadline(), check);
}

// Runs from DnsChannels' delivery, outside c-ares (see DnsChannels).
void CheckEngine::Loop::OnResolved(CurlCheck* check, const UrlHost& host, int status,
                                   std::vector<sockaddr_storage> addresses) {
  lookups_.erase({check->deadline(), check});
  if (status != ARES_SUCCESS) {
    FailCurl(check, v1::ERROR_KIND_DNS, absl::StrCat(host.name, ": ", ares_strerror(status)));
    return;
  }
  const std::vector<std::string> stale(stale_resolves_.begin(), stale_resolves_.end());
  if (absl::Status s = check->UseAddresses(host, addresses, stale, absl::Now()); !s.ok()) {
    FailCurl(check, v1::ERROR_KIND_DNS, std::string(s.message()));
    return;
  }
  stale_resolves_.clear();
  AddTransfer(check);
}

void CheckEngine::Loop::ExpireLookups(absl::Time now) {
  while (!lookups_.empty() && lookups_.begin()->first <= now) {
    CurlCheck* check = lookups_.begin()->second;
    lookups_.erase(lookups_.begin());
    FailCurl(check, v1::ERROR_KIND_TIMEOUT,
             absl::StrCat("no answer within the timeout (name lookup of ",
                          check->spec()->http()->url, ")"));
  }
}

void CheckEngine::Loop::AddTransfer(CurlCheck* check) {
  if (CURLMcode mc = curl_multi_add_handle(multi_, check->easy()); mc != CURLM_OK) {
    FailCurl(check, v1::ERROR_KIND_INTERNAL, curl_multi_strerror(mc));
  }
}

void CheckEngine::Loop::FailCurl(CurlCheck* check, v1::ErrorKind kind, std::string message) {
  results_.push_back(check->FailEarly(kind, std::move(message), owner_->options_.identity.agent_id));
  Release(check);
}

void CheckEngine::Loop::Reap() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    // Copy out before remove_handle invalidates `msg`.
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;
    CurlCheck* check = CurlCheck::FromEasy(easy);
    results_.push_back(check->Finish(code, owner_->options_.identity.agent_id));
    curl_multi_remove_handle(multi_, easy);
    if (std::string stale = check->StaleEntry(); !stale.empty()) {
      stale_resolves_.insert(std::move(stale));
    }
    Release(check);
  }
}

void CheckEngine::Loop::Release(CurlCheck* check) {
  if (check->scheduled()) scheduler_.Complete(check->spec()->id);
  auto node = active_.extract(check);
  check->Reset();
  // See CheckEngineOptions::max_idle_handles; steady load needs few.
  if (pool_.size() < std::min(owner_->options_.max_idle_handles,
                              static_cast<size_t>(owner_->options_.max_concurrency))) {
    pool_.push_back(std::move(node.mapped()));
  }
}

void CheckEngine::Loop::TrimAfterBurst() {
  const size_t in_flight = InFlight();
  peak_in_flight_ = std::max(peak_in_flight_, in_flight);
  if (peak_in_flight_ < kTrimAfterInFlight || in_flight > peak_in_flight_ / 4) return;
  const absl::Time now = absl::Now();
  // Idle after a burst: always worth it (the next burst rebuilds the peak).
  if (in_flight > 0 && now - last_trim_ < kMinTrimInterval) return;
  last_trim_ = now;
  // Most of a burst's checks ended (a slow target recovered, monitors
  // removed, a backlog drained): their buffers, freed on this thread, stay
  // resident in its malloc arena until trimmed, so the agent's RSS would
  // keep the peak. A few ms, at most once per burst and kMinTrimInterval.
  malloc_trim(0);
  peak_in_flight_ = in_flight;
}

// Publishes results, then the counters: WaitIdle() sees "idle" only after
// every result of the applied commands went through the callback.
void CheckEngine::Loop::Deliver() {
  if (!results_.empty()) {
    owner_->completed_.fetch_add(static_cast<int64_t>(results_.size()), std::memory_order_relaxed);
    std::vector<v1::CheckResult> batch;
    batch.swap(results_);
    owner_->on_results_(std::move(batch));
  }
  owner_->monitors_.store(static_cast<int64_t>(scheduler_.size()), std::memory_order_relaxed);
  owner_->in_flight_.store(static_cast<int64_t>(InFlight()));
  TrimAfterBurst();
  owner_->overruns_.store(scheduler_.overruns(), std::memory_order_relaxed);
  owner_->skipped_.store(scheduler_.skipped(), std::memory_order_relaxed);
  if (applied_ > 0) {
    owner_->queued_.fetch_sub(applied_);
    applied_ = 0;
  }
}

}  // namespace uptime::agent
