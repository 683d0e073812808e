#include "agents/engine/check_engine_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agents/engine/heap_stats.h"

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
    // session's thread, so in another malloc arena) and is now freed; the
    // allocator keeps such memory resident (jemalloc until that arena's
    // next activity). Hand it back, or the agent's RSS would carry the peak
    // of its largest assignment (DESIGN §6 allows 1 KiB per monitor). A few
    // ms, and only after big changes.
    scheduler_.ShrinkToFit();
    ReleaseFreeHeap();
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
  scheduler_.Upsert(id, spec->interval(), now);
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
  if (std::unique_ptr<LoopCheck> other =
          MakeLoopCheck(spec, owner_->options_.identity.agent_id, planned, absl::Now(), scheduled,
                        owner_->options_.http_on_loop)) {
    owner_->started_.fetch_add(1, std::memory_order_relaxed);
    LoopCheck* raw = other.get();
    loop_checks_.emplace(raw, std::move(other));
    raw->Start(*this);
    Settle(raw);
    return;
  }
  StartCurl(std::move(spec), planned, scheduled);
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
  ReleaseFreeHeap();
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