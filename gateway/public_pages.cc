#include "gateway/public_pages.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "gateway/request_mapping.h"
#include "spdlog/spdlog.h"

namespace uptime::gateway {

namespace {

// After a failed refresh: retry sooner than the interval, but not in a loop.
constexpr absl::Duration kRetryAfterError = absl::Seconds(2);
// State changes ask for fresh incidents; a flapping monitor must not turn
// that into a refresh per event.
constexpr absl::Duration kMinDetailsGap = absl::Seconds(2);
// Requested page refreshes (a write through the gateway, a miss on an unknown
// slug) come at most this often, so a flood of misses costs the coordinator
// one ListStatusPages a second.
constexpr absl::Duration kMinPagesGap = absl::Seconds(1);
// A failed uptime fetch is retried after this long, not at once.
constexpr absl::Duration kUptimeRetry = absl::Seconds(30);
// Uptimes fetched per round of the uptime thread, in as few calls as the
// source allows (CoordinatorPageSource: BatchGetUptime, 500 ids a call).
constexpr size_t kUptimeBatch = 1000;

template <typename M>
bool SameMessages(const std::vector<M>& a, const std::vector<M>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].SerializeAsString() != b[i].SerializeAsString()) return false;
  }
  return true;
}

std::string StateEventJson(const std::string& id, const LiveState& live,
                           const std::string& overall) {
  return absl::StrCat("{\"id\":", JsonQuote(id), ",\"state\":",
                      JsonQuote(PublicStateName(live.state)), ",\"since\":",
                      JsonQuote(Rfc3339(live.since)), ",\"overall\":", JsonQuote(overall), "}");
}

}  // namespace

PublicPages::PublicPages(PublicPagesOptions options, PageSource* source,
                         const StatusSnapshot* snapshot, Clock* clock)
    : options_(options), source_(source), snapshot_(snapshot), clock_(clock) {}

PublicPages::~PublicPages() { Stop(); }

void PublicPages::Start() {
  refresh_thread_ = std::thread([this] { RefreshLoop(); });
  uptime_thread_ = std::thread([this] { UptimeLoop(); });
}

void PublicPages::Stop() {
  {
    absl::MutexLock lock(&thread_mu_);
    stopping_ = true;
  }
  if (refresh_thread_.joinable()) refresh_thread_.join();
  if (uptime_thread_.joinable()) uptime_thread_.join();
}

absl::Status PublicPages::RefreshPages() {
  absl::StatusOr<std::vector<v1::StatusPage>> listed = source_->ListStatusPages();
  if (!listed.ok()) return listed.status();
  const absl::Time now = clock_->Now();
  std::vector<std::shared_ptr<EventHub>> resync;
  bool missing_info = false;
  {
    absl::MutexLock lock(&mu_);
    std::map<std::string, Page> next;
    for (v1::StatusPage& p : *listed) {
      Page page;
      page.serialized = p.SerializeAsString();
      page.groups = ShownGroups(p);
      for (const ShownGroup& g : page.groups) {
        page.monitor_ids.insert(g.monitor_ids.begin(), g.monitor_ids.end());
      }
      if (auto old = pages_.find(p.slug()); old != pages_.end()) {
        page.hub = old->second.hub;
        if (old->second.serialized != page.serialized) resync.push_back(page.hub);
      } else {
        page.hub = std::make_shared<EventHub>(static_cast<uint64_t>(absl::ToUnixMicros(now)),
                                              options_.replay_capacity);
        resync.push_back(nullptr);  // a new page: the render caches must go
      }
      const std::string slug = p.slug();
      page.page = std::make_shared<const v1::StatusPage>(std::move(p));
      next[slug] = std::move(page);
    }
    for (const auto& [slug, old] : pages_) {
      // Clients of a deleted page refetch, and get the 404.
      if (!next.contains(slug)) resync.push_back(old.hub);
    }
    pages_ = std::move(next);
    monitor_pages_.clear();
    for (const auto& [slug, page] : pages_) {
      for (const std::string& id : page.monitor_ids) monitor_pages_[id].push_back(slug);
    }
    // What no page shows any more is forgotten at once.
    // (Loops rather than erase_if: lambdas hide the held lock from the
    // thread-safety analysis.)
    for (auto it = live_.begin(); it != live_.end();) {
      it = monitor_pages_.contains(it->first) ? std::next(it) : live_.erase(it);
    }
    for (auto it = info_.begin(); it != info_.end();) {
      it = monitor_pages_.contains(it->first) ? std::next(it) : info_.erase(it);
    }
    for (auto it = uptime_.begin(); it != uptime_.end();) {
      it = monitor_pages_.contains(it->first) ? std::next(it) : uptime_.erase(it);
    }
    for (const auto& [id, slugs] : monitor_pages_) missing_info = missing_info || !info_.contains(id);
    if (!resync.empty()) ++version_;
  }
  for (const std::shared_ptr<EventHub>& hub : resync) {
    if (hub != nullptr) hub->Publish("resync", "{}", {});
  }
  SyncLiveFromSnapshot();
  if (missing_info) {
    absl::MutexLock lock(&thread_mu_);
    details_requested_ = true;
  }
  return absl::OkStatus();
}

void PublicPages::SyncLiveFromSnapshot() {
  std::vector<std::string> ids;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& [id, slugs] : monitor_pages_) ids.push_back(id);
  }
  // The snapshot keeps each status as JSON; parse outside our lock.
  std::map<std::string, v1::MonitorStatus> statuses;
  for (const std::string& id : ids) {
    std::optional<std::string> json = snapshot_->GetJson(id);
    if (!json.has_value()) continue;
    v1::MonitorStatus st;
    if (ParseJsonBody(*json, &st).ok()) statuses[id] = std::move(st);
  }
  absl::MutexLock lock(&mu_);
  bool changed = false;
  for (const std::string& id : ids) {
    if (!monitor_pages_.contains(id)) continue;  // no longer public
    LiveState& live = live_[id];
    const LiveState before = live;
    auto it = statuses.find(id);
    if (it != statuses.end()) {
      const v1::MonitorStatus& st = it->second;
      const absl::Time since =
          st.has_since() ? FromProto(st.since()) : absl::InfinitePast();
      // A state change seen after the snapshot was read is newer: kept.
      if (live.since == absl::InfinitePast() || since >= live.since) {
        live.state = st.state() == v1::STATE_UNSPECIFIED ? v1::STATE_PENDING : st.state();
        live.since = since;
      }
      if (!st.monitor_name().empty()) live.name = st.monitor_name();
      if (st.has_last_result()) {
        live.latency_ms = static_cast<double>(st.last_result().latency_us()) / 1000.0;
      }
    }
    changed = changed || !(before == live);
  }
  if (changed) ++version_;
}

absl::Status PublicPages::RefreshDetails() {
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::vector<v1::Monitor>> monitors = source_->ListMonitors();
  if (!monitors.ok()) return monitors.status();
  absl::StatusOr<std::vector<v1::Incident>> incidents =
      source_->ListIncidents(now - kIncidentHorizon);
  if (!incidents.ok()) return incidents.status();
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> windows = source_->ListMaintenanceWindows();
  if (!windows.ok()) return windows.status();
  absl::MutexLock lock(&mu_);
  std::map<std::string, MonitorInfo> info;
  for (const v1::Monitor& m : *monitors) {
    if (!monitor_pages_.contains(m.id())) continue;
    info[m.id()] = MonitorInfo{m.name(), MonitorTarget(m),
                               std::map<std::string, std::string>(m.labels().begin(),
                                                                  m.labels().end())};
  }
  // Only public monitors' incidents are kept.
  std::vector<v1::Incident> kept;
  for (v1::Incident& i : *incidents) {
    if (monitor_pages_.contains(i.monitor_id())) kept.push_back(std::move(i));
  }
  *incidents = std::move(kept);
  if (info != info_ || !SameMessages(*incidents, incidents_) || !SameMessages(*windows, windows_)) {
    info_ = std::move(info);
    incidents_ = *std::move(incidents);
    windows_ = *std::move(windows);
    details_changed_at_ = now;
    ++version_;
  }
  return absl::OkStatus();
}

size_t PublicPages::RefreshUptime(size_t max) {
  const absl::Time now = clock_->Now();
  std::vector<std::string> due;
  {
    absl::ReaderMutexLock lock(&mu_);
    std::vector<std::pair<absl::Time, std::string>> stale;
    for (const auto& [id, slugs] : monitor_pages_) {
      auto it = uptime_.find(id);
      if (it == uptime_.end()) {
        due.push_back(id);
      } else if (now - it->second.fetched_at >= options_.uptime_ttl) {
        stale.emplace_back(it->second.fetched_at, id);
      }
      if (due.size() >= max) break;
    }
    std::sort(stale.begin(), stale.end());
    for (auto& [t, id] : stale) {
      if (due.size() >= max) break;
      due.push_back(std::move(id));
    }
  }
  if (due.empty()) return 0;
  std::vector<absl::StatusOr<v1::GetUptimeResponse>> fetched = source_->BatchGetUptime(due);
  if (fetched.size() != due.size()) {
    // A source bug; treat every id as failed rather than misattribute.
    fetched.assign(due.size(), absl::InternalError("uptime batch answered the wrong count"));
  }
  size_t failed = 0;
  std::string first_failure;
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < due.size(); ++i) {
    const std::string& id = due[i];
    absl::StatusOr<v1::GetUptimeResponse>& r = fetched[i];
    if (!monitor_pages_.contains(id)) continue;
    CachedUptime& c = uptime_[id];
    if (!r.ok()) {
      // Keep what we had; try again well before the TTL is up again.
      c.fetched_at = clock_->Now() - options_.uptime_ttl + kUptimeRetry;
      if (failed++ == 0) first_failure = absl::StrCat(id, ": ", r.status().ToString());
      continue;
    }
    c.fetched_at = clock_->Now();
    bool any_checks = false;
    for (const v1::UptimeWindow& w : r->windows()) any_checks = any_checks || w.checks() > 0;
    // A new monitor has no checks yet: ask again soon, not in five minutes.
    if (!any_checks) c.fetched_at -= options_.uptime_ttl - kUptimeRetry;
    if (c.uptime == nullptr || c.uptime->SerializeAsString() != r->SerializeAsString()) {
      c.uptime = std::make_shared<const v1::GetUptimeResponse>(*std::move(r));
      c.changed_at = c.fetched_at;
      ++version_;
    }
  }
  // One line per round, not per monitor: a coordinator that is away fails
  // the whole batch.
  if (failed > 0) {
    spdlog::debug("uptime of {} monitor(s) for status pages failed, first {}", failed,
                  first_failure);
  }
  return due.size();
}

void PublicPages::RequestRefresh() const {
  absl::MutexLock lock(&thread_mu_);
  pages_requested_ = true;
}

std::string PublicPages::OverallLocked(const Page& page) const {
  std::vector<v1::State> states;
  for (const std::string& id : page.monitor_ids) {
    auto it = live_.find(id);
    states.push_back(it == live_.end() ? v1::STATE_PENDING : it->second.state);
  }
  return OverallState(states);
}

void PublicPages::OnStateChange(const v1::StateChange& change) {
  std::vector<std::pair<std::shared_ptr<EventHub>, std::string>> events;
  {
    absl::MutexLock lock(&mu_);
    auto pages = monitor_pages_.find(change.monitor_id());
    if (pages == monitor_pages_.end()) return;  // not public: nothing leaves
    LiveState& live = live_[change.monitor_id()];
    const absl::Time t = FromProto(change.time());
    if (live.since != absl::InfinitePast() && t < live.since) return;  // older than we know
    live.state = change.to_state();
    live.since = t;
    if (!change.monitor_name().empty()) live.name = change.monitor_name();
    ++version_;
    for (const std::string& slug : pages->second) {
      const Page& page = pages_.at(slug);
      events.emplace_back(page.hub, StateEventJson(change.monitor_id(), live, OverallLocked(page)));
    }
  }
  for (const auto& [hub, data] : events) hub->Publish("state", data, {});
  if (change.to_state() == v1::STATE_DOWN || change.from_state() == v1::STATE_DOWN) {
    // An incident opened or closed: show it without waiting for the interval.
    absl::MutexLock lock(&thread_mu_);
    details_requested_ = true;
  }
}

void PublicPages::OnResync() {
  SyncLiveFromSnapshot();
  RequestRefresh();
  std::vector<std::shared_ptr<EventHub>> hubs;
  {
    absl::MutexLock lock(&mu_);
    ++version_;
    for (const auto& [slug, page] : pages_) hubs.push_back(page.hub);
  }
  for (const auto& hub : hubs) hub->Publish("resync", "{}", {});
}

bool PublicPages::HasPage(const std::string& slug) const {
  absl::ReaderMutexLock lock(&mu_);
  return pages_.contains(slug);
}

std::optional<PageView> PublicPages::View(const std::string& slug) const {
  const absl::Time now = clock_->Now();
  absl::ReaderMutexLock lock(&mu_);
  auto it = pages_.find(slug);
  if (it == pages_.end()) return std::nullopt;
  const Page& page = it->second;
  PageView view;
  view.page = page.page;
  view.groups = page.groups;
  view.now = now;
  view.updated_at = details_changed_at_;
  if (page.page->has_update_time()) {
    view.updated_at = std::max(view.updated_at, FromProto(page.page->update_time()));
  }
  for (const std::string& id : page.monitor_ids) {
    if (auto l = live_.find(id); l != live_.end()) {
      view.live.emplace(id, l->second);
      view.updated_at = std::max(view.updated_at, l->second.since);
    }
    if (auto i = info_.find(id); i != info_.end()) view.info.emplace(id, i->second);
    if (auto u = uptime_.find(id); u != uptime_.end() && u->second.uptime != nullptr) {
      view.uptime.emplace(id, u->second.uptime);
      view.updated_at = std::max(view.updated_at, u->second.changed_at);
    }
  }
  view.incidents = SelectIncidents(incidents_, page.monitor_ids, now);
  view.maintenance = SelectMaintenance(windows_, page.monitor_ids, view.info, now);
  // Before anything was loaded: the Unix epoch rather than a year-0 date.
  if (view.updated_at == absl::InfinitePast()) view.updated_at = absl::UnixEpoch();
  return view;
}

std::optional<std::string> PublicPages::Overall(const std::string& slug) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = pages_.find(slug);
  if (it == pages_.end()) return std::nullopt;
  return OverallLocked(it->second);
}

std::optional<PublicPages::MonitorData> PublicPages::Monitor(const std::string& monitor_id) const {
  absl::ReaderMutexLock lock(&mu_);
  if (!monitor_pages_.contains(monitor_id)) return std::nullopt;
  MonitorData data;
  if (auto l = live_.find(monitor_id); l != live_.end()) data.live = l->second;
  if (auto u = uptime_.find(monitor_id); u != uptime_.end()) data.uptime = u->second.uptime;
  return data;
}

std::shared_ptr<EventHub> PublicPages::Events(const std::string& slug) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = pages_.find(slug);
  return it == pages_.end() ? nullptr : it->second.hub;
}

uint64_t PublicPages::version() const {
  absl::ReaderMutexLock lock(&mu_);
  return version_;
}

bool PublicPages::Wait(absl::Duration d, const bool* wake) {
  // Real waiting is glue; what is due is decided with the injected clock.
  auto ready = [this, wake]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(thread_mu_) {
    return stopping_ || (wake != nullptr && *wake);
  };
  thread_mu_.AwaitWithTimeout(absl::Condition(&ready), d);
  return !stopping_;
}

void PublicPages::RefreshLoop() {
  absl::Time next_pages = absl::InfinitePast();
  absl::Time next_details = absl::InfinitePast();
  absl::Time last_details = absl::InfinitePast();
  absl::Time last_pages = absl::InfinitePast();
  while (true) {
    bool do_pages = false, do_details = false;
    {
      absl::MutexLock lock(&thread_mu_);
      // The first refresh runs at once.
      const bool first = next_pages == absl::InfinitePast();
      // Within kMinPagesGap of the last refresh a request does not wake us:
      // it waits for the next tick.
      const bool may_wake = clock_->Now() - last_pages >= kMinPagesGap;
      if (!Wait(first ? absl::ZeroDuration() : absl::Seconds(1),
                may_wake ? &pages_requested_ : nullptr)) {
        return;
      }
      const absl::Time now = clock_->Now();
      do_pages = (pages_requested_ && now - last_pages >= kMinPagesGap) || now >= next_pages;
      do_details = now >= next_details ||
                   (details_requested_ && now - last_details >= kMinDetailsGap);
      if (do_pages) pages_requested_ = false;
      if (do_details) details_requested_ = false;
    }
    if (do_pages) {
      absl::Status s = RefreshPages();
      last_pages = clock_->Now();
      next_pages = last_pages + (s.ok() ? options_.pages_interval : kRetryAfterError);
      if (!s.ok()) spdlog::warn("status pages refresh: {}", s.ToString());
    }
    if (do_details) {
      absl::Status s = RefreshDetails();
      last_details = clock_->Now();
      next_details = last_details + (s.ok() ? options_.details_interval : kRetryAfterError);
      if (!s.ok()) spdlog::warn("status pages details refresh: {}", s.ToString());
    }
  }
}

void PublicPages::UptimeLoop() {
  while (true) {
    const size_t fetched = RefreshUptime(kUptimeBatch);
    absl::MutexLock lock(&thread_mu_);
    if (stopping_) return;
    if (fetched == 0 && !Wait(absl::Seconds(1), nullptr)) return;
  }
}

}  // namespace uptime::gateway
