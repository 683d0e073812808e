#include "store/cache_writer.h"

#include <time.h>

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace uptime::store {
namespace {

absl::Duration ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return absl::DurationFromTimespec(ts);
}

}  // namespace

CacheWriter::CacheWriter(StatusCache* cache, Snapshot snapshot, Fetch fetch,
                         CacheWriterOptions options, Clock* clock)
    : cache_(cache),
      snapshot_(std::move(snapshot)),
      fetch_(std::move(fetch)),
      options_(options),
      clock_(clock) {}

CacheWriter::~CacheWriter() { Stop(); }

void CacheWriter::Start() {
  for (const v1::MonitorStatus& s : snapshot_()) {
    if (s.has_last_result()) before_start_.insert(s.monitor_id());
  }
  thread_ = std::thread([this] { Run(); });
}

void CacheWriter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void CacheWriter::Put(std::vector<v1::MonitorStatus> statuses) {
  if (statuses.empty()) return;
  absl::MutexLock lock(&mu_);
  for (v1::MonitorStatus& s : statuses) {
    std::string id = s.monitor_id();
    statuses_.insert_or_assign(std::move(id), std::move(s));
  }
}

uint64_t CacheWriter::BeginAppend() {
  absl::MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  open_tickets_.insert(ticket);
  return ticket;
}

void CacheWriter::CancelAppend(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  open_tickets_.erase(ticket);
}

void CacheWriter::AppendHistory(uint64_t ticket, std::vector<v1::CheckResult> results) {
  absl::MutexLock lock(&mu_);
  open_tickets_.erase(ticket);
  if (results.empty()) return;
  if (pending_results_ + results.size() > options_.max_pending_results) {
    // Not kept, but not forgotten: the monitors are refilled from the
    // source of truth once the cache keeps up again.
    stats_.results_dropped += results.size();
    last_error_ = absl::StrCat("more than ", options_.max_pending_results, " results waiting");
    MarkStale(results);
    return;
  }
  pending_results_ += results.size();
  stats_.max_backlog = std::max(stats_.max_backlog, pending_results_);
  history_.push_back({ticket, std::move(results)});
}

void CacheWriter::MarkStale(absl::Span<const v1::CheckResult> results) {
  for (const v1::CheckResult& r : results) stale_.insert(r.monitor_id());
}

CacheWriterStats CacheWriter::stats() const {
  absl::MutexLock lock(&mu_);
  CacheWriterStats stats = stats_;
  stats.backlog = pending_results_;
  stats.stale_monitors = stale_.size();
  return stats;
}

uint64_t CacheWriter::ResultKey(const v1::CheckResult& r) {
  return absl::HashOf(r.monitor_id(), r.agent_id(), r.start_time_us());
}

void CacheWriter::Run() {
  while (true) {
    bool stopping;
    {
      absl::MutexLock lock(&mu_);
      // A backlog half way to the bound goes out at once.
      auto due = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stop_ || pending_results_ >= options_.max_pending_results / 2;
      };
      mu_.AwaitWithTimeout(absl::Condition(&due), options_.interval);
      stopping = stop_;
    }
    const absl::Time start = clock_->Now();
    FlushOnce(/*last=*/stopping);
    const absl::Duration took = clock_->Now() - start;
    const absl::Duration cpu = ThreadCpu();
    {
      absl::MutexLock lock(&mu_);
      stats_.longest_flush = std::max(stats_.longest_flush, took);
      stats_.cpu = cpu;
    }
    if (stopping) return;
  }
}

void CacheWriter::FlushOnce(bool last) {
  std::unordered_map<std::string, v1::MonitorStatus> statuses;
  std::vector<Handoff> history;
  uint64_t floor;  // every ticket below it is handed over (and taken now) or cancelled
  {
    absl::MutexLock lock(&mu_);
    statuses.swap(statuses_);
    history.swap(history_);
    pending_results_ = 0;
    floor = open_tickets_.empty() ? next_ticket_ : *open_tickets_.begin();
  }
  // Redis reconnected (or was never filled): statuses again, a slice at a
  // time, and the history refilled if Redis lost it. A failed attempt is
  // retried at once if the cache reconnected meanwhile, else about once a
  // second: a snapshot of every monitor is not free.
  const uint64_t generation = cache_->generation();
  if (generation != synced_generation_ || synced_generation_ == 0) {
    const int64_t retry_flushes =
        std::max<int64_t>(1, absl::Seconds(1) / std::max(options_.interval, absl::Milliseconds(1)));
    if (generation != failed_generation_ || ++flushes_since_failure_ >= retry_flushes) {
      Resync();
    }
  }
  const absl::Time t0 = clock_->Now();
  WriteStatuses(std::move(statuses));
  const absl::Time t1 = clock_->Now();
  AppendAll(std::move(history));
  const absl::Time t2 = clock_->Now();
  // Handoffs a filter could apply to have all been seen.
  std::erase_if(filters_, [floor](const RefillFilter& f) { return f.mark <= floor; });
  if (!last) RefillSome();
  const absl::Time t3 = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    stats_.longest_statuses = std::max(stats_.longest_statuses, t1 - t0);
    stats_.longest_append = std::max(stats_.longest_append, t2 - t1);
    stats_.longest_refill = std::max(stats_.longest_refill, t3 - t2);
  }
  MaybeLog();
}

void CacheWriter::Resync() {
  absl::StatusOr<bool> lost = cache_->MarkContents();
  if (!lost.ok()) {
    failed_generation_ = cache_->generation();
    flushes_since_failure_ = 0;
    absl::MutexLock lock(&mu_);
    last_error_ = std::string(lost.status().message());
    return;
  }
  std::vector<v1::MonitorStatus> all = snapshot_();
  resync_.clear();
  resync_.reserve(all.size());
  if (*lost) {
    // Redis restarted empty: every monitor with results lost its history.
    // At the first contact only those with results from before Start(): the
    // others' results are all on their way here.
    absl::MutexLock lock(&mu_);
    if (first_resync_) {
      stale_.insert(before_start_.begin(), before_start_.end());
    } else {
      for (const v1::MonitorStatus& s : all) {
        if (s.has_last_result()) stale_.insert(s.monitor_id());
      }
    }
  }
  first_resync_ = false;
  before_start_ = {};
  for (v1::MonitorStatus& s : all) {
    std::string id = s.monitor_id();
    resync_.insert_or_assign(std::move(id), std::move(s));
  }
  // MarkContents() may have (re)connected: what it saw speaks for that
  // connection, not the one `generation` counted.
  synced_generation_ = cache_->generation();
}

void CacheWriter::WriteStatuses(std::unordered_map<std::string, v1::MonitorStatus> changed) {
  const size_t budget = std::max<size_t>(1, options_.status_batch);
  // What changed is at least as new as the resync's copy (dropped) and as
  // what waits from an earlier flush (replaced). Kept on this thread, not
  // put back under the lock the result writers hand over with.
  for (auto& [id, s] : changed) {
    resync_.erase(id);
    unsent_.insert_or_assign(id, std::move(s));
  }
  std::vector<v1::MonitorStatus> batch;
  batch.reserve(std::min(budget, unsent_.size() + resync_.size()));
  for (auto it = unsent_.begin(); it != unsent_.end() && batch.size() < budget;) {
    batch.push_back(std::move(it->second));
    unsent_.erase(it++);
  }
  for (auto it = resync_.begin(); it != resync_.end() && batch.size() < budget;) {
    batch.push_back(std::move(it->second));
    resync_.erase(it++);
  }
  if (batch.empty()) return;
  if (absl::Status s = cache_->Put(batch); !s.ok()) {
    // The next successful flush writes every status again.
    synced_generation_ = 0;
    resync_.clear();
    unsent_.clear();  // the resync's snapshot has them, newer
    failed_generation_ = cache_->generation();
    flushes_since_failure_ = 0;
    absl::MutexLock lock(&mu_);
    last_error_ = std::string(s.message());
  }
}

void CacheWriter::AppendAll(std::vector<Handoff> handoffs) {
  size_t n = 0;
  for (const Handoff& h : handoffs) n += h.results.size();
  if (n == 0) return;
  // One call for everything: a monitor's results from every handoff go out
  // in one LPUSH.
  std::vector<v1::CheckResult> all;
  all.reserve(n);
  for (Handoff& h : handoffs) {
    for (v1::CheckResult& r : h.results) {
      bool seen = false;  // by a refill that read it after it was durable
      for (RefillFilter& f : filters_) {
        if (h.ticket >= f.mark) continue;
        auto it = f.keys.find(ResultKey(r));
        if (it == f.keys.end()) continue;
        if (--it->second == 0) f.keys.erase(it);
        seen = true;
        break;
      }
      if (!seen) all.push_back(std::move(r));
    }
  }
  absl::Status s = cache_->AppendHistory(all);
  absl::MutexLock lock(&mu_);
  if (s.ok()) {
    stats_.results_appended += all.size();
    return;
  }
  // Some lists may have the results, some not: refilling them all from the
  // source of truth is exact either way.
  stats_.results_dropped += all.size();
  last_error_ = std::string(s.message());
  MarkStale(all);
}

void CacheWriter::RefillSome() {
  if (!fetch_) return;
  std::vector<std::string> ids;
  {
    absl::MutexLock lock(&mu_);
    if (stale_.empty() || pending_results_ > options_.max_pending_results / 2) return;
    for (auto it = stale_.begin(); it != stale_.end() && ids.size() < options_.refill_batch;) {
      ids.push_back(*it);
      stale_.erase(it++);
    }
  }
  std::vector<MonitorHistory> histories;
  histories.reserve(ids.size());
  const absl::Time deadline = clock_->Now() + options_.refill_budget;
  size_t done = 0;
  for (; done < ids.size() && (done == 0 || clock_->Now() < deadline); ++done) {
    absl::StatusOr<std::vector<v1::CheckResult>> results = fetch_(ids[done], options_.history_length);
    if (absl::IsNotFound(results.status())) continue;  // deleted: nothing to show
    if (!results.ok()) {
      absl::MutexLock lock(&mu_);
      last_error_ = absl::StrCat("refill: ", results.status().message());
      break;
    }
    histories.push_back({ids[done], *std::move(results)});
  }
  RefillFilter filter;
  {
    // Taken after every read: a ticket issued from now on belongs to a write
    // that ends after the reads, so its results cannot be in them.
    absl::MutexLock lock(&mu_);
    filter.mark = next_ticket_;
    // Not read: the source failed, or the budget ran out.
    for (size_t i = done; i < ids.size(); ++i) stale_.insert(ids[i]);
  }
  if (histories.empty()) return;
  for (const MonitorHistory& h : histories) {
    for (const v1::CheckResult& r : h.results) ++filter.keys[ResultKey(r)];
  }
  absl::Status s = cache_->ReplaceHistory(histories);
  // Kept even if the replace failed: those monitors are refilled again.
  filters_.push_back(std::move(filter));
  absl::MutexLock lock(&mu_);
  if (s.ok()) {
    stats_.monitors_refilled += histories.size();
    return;
  }
  last_error_ = absl::StrCat("refill: ", s.message());
  for (const MonitorHistory& h : histories) stale_.insert(h.monitor_id);
}

void CacheWriter::MaybeLog() {
  uint64_t dropped;
  size_t stale;
  std::string error;
  {
    absl::MutexLock lock(&mu_);
    dropped = stats_.results_dropped;
    stale = stale_.size();
    error = last_error_;
  }
  const absl::Time now = clock_->Now();
  if (dropped > logged_dropped_ && now - last_log_ >= options_.log_interval) {
    spdlog::warn(
        "redis history: {} results not appended since the last warning ({}); {} monitors' "
        "history will be refilled from PostgreSQL",
        dropped - logged_dropped_, error, stale);
    logged_dropped_ = dropped;
    last_log_ = now;
    warned_ = true;
  }
  if (warned_ && stale == 0) {
    spdlog::info("redis history: refilled from PostgreSQL ({} more results dropped since the "
                 "warning), nothing missing any more",
                 dropped - logged_dropped_);
    logged_dropped_ = dropped;
    warned_ = false;
  }
}

}  // namespace uptime::store
