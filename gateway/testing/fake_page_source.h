// FakePageSource: an in-memory PageSource for the status-page tests, with
// fixtures that build pages, monitors and incidents. Test-only.
//
// Thread-safety: thread-safe.
#ifndef UPTIME_GATEWAY_TESTING_FAKE_PAGE_SOURCE_H_
#define UPTIME_GATEWAY_TESTING_FAKE_PAGE_SOURCE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/proto_time.h"
#include "gateway/page_source.h"
#include "gateway/status_snapshot.h"

namespace uptime::gateway {

class FakePageSource : public PageSource {
 public:
  absl::StatusOr<std::vector<v1::StatusPage>> ListStatusPages() override {
    absl::MutexLock lock(&mu);
    if (!fail.ok()) return fail;
    return pages;
  }
  absl::StatusOr<std::vector<v1::Monitor>> ListMonitors() override {
    absl::MutexLock lock(&mu);
    if (!fail.ok()) return fail;
    return monitors;
  }
  absl::StatusOr<std::vector<v1::Incident>> ListIncidents(absl::Time) override {
    absl::MutexLock lock(&mu);
    if (!fail.ok()) return fail;
    return incidents;
  }
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> ListMaintenanceWindows() override {
    absl::MutexLock lock(&mu);
    if (!fail.ok()) return fail;
    return windows;
  }
  absl::StatusOr<v1::GetUptimeResponse> GetUptime(const std::string& id) override {
    absl::MutexLock lock(&mu);
    uptime_calls.push_back(id);
    if (!fail.ok()) return fail;
    auto it = uptime.find(id);
    if (it == uptime.end()) return absl::NotFoundError("no such monitor");
    return it->second;
  }

  absl::Mutex mu;
  absl::Status fail ABSL_GUARDED_BY(mu);
  std::vector<v1::StatusPage> pages ABSL_GUARDED_BY(mu);
  std::vector<v1::Monitor> monitors ABSL_GUARDED_BY(mu);
  std::vector<v1::Incident> incidents ABSL_GUARDED_BY(mu);
  std::vector<v1::MaintenanceWindow> windows ABSL_GUARDED_BY(mu);
  std::map<std::string, v1::GetUptimeResponse> uptime ABSL_GUARDED_BY(mu);
  std::vector<std::string> uptime_calls ABSL_GUARDED_BY(mu);
};

// A page `slug` with one group "API" showing `ids`.
inline v1::StatusPage TestPage(const std::string& slug, const std::vector<std::string>& ids) {
  v1::StatusPage p;
  p.set_id("sp-" + slug);
  p.set_slug(slug);
  p.set_title(slug + " status");
  v1::StatusPageGroup* g = p.add_groups();
  g->set_name("API");
  for (const std::string& id : ids) {
    g->add_monitor_ids(id);
    g->add_resolved_monitor_ids(id);
  }
  return p;
}

inline v1::Monitor TestMonitor(const std::string& id, const std::string& url,
                               std::map<std::string, std::string> labels = {}) {
  v1::Monitor m;
  m.set_id(id);
  m.set_name("name of " + id);
  m.mutable_http()->set_url(url);
  m.mutable_labels()->insert(labels.begin(), labels.end());
  return m;
}

inline v1::Incident TestIncident(const std::string& id, const std::string& monitor,
                                 absl::Time started, absl::Time resolved = absl::InfinitePast(),
                                 const std::string& cause = "") {
  v1::Incident i;
  i.set_id(id);
  i.set_monitor_id(monitor);
  ToProto(started, i.mutable_started());
  if (resolved != absl::InfinitePast()) ToProto(resolved, i.mutable_resolved());
  i.set_cause(cause);
  return i;
}

// A snapshot entry in `state` since `since`, with a 12.5 ms latest result.
inline MonitorEntry TestEntry(const std::string& id, v1::State state, absl::Time since) {
  MonitorEntry e;
  e.status.set_monitor_id(id);
  e.status.set_monitor_name("name of " + id);
  e.status.set_state(state);
  ToProto(since, e.status.mutable_since());
  e.status.mutable_last_result()->set_latency_us(12'500);
  return e;
}

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_TESTING_FAKE_PAGE_SOURCE_H_
