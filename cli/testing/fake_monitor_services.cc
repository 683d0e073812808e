// FakeCoordinator's MonitorService and StatusService (statuses, history,
// WatchEvents), and the test setters and recordings they serve.
#include "cli/testing/fake_coordinator.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/testing/fake_service_responses.h"

namespace uptime::cli {

using fake_service_responses::Page;
using fake_service_responses::NotFound;

class FakeCoordinator::Monitors final : public v1::MonitorService::Service {
 public:
  explicit Monitors(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateMonitor(grpc::ServerContext* ctx, const v1::CreateMonitorRequest* req,
                             v1::Monitor* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.created_ = req->monitor();
    *resp = req->monitor();
    resp->set_id(absl::StrCat("mon-", f_.next_id_++));
    resp->mutable_create_time()->set_seconds(1'700'000'000);
    f_.monitors_[resp->id()] = *resp;
    return grpc::Status::OK;
  }

  grpc::Status GetMonitor(grpc::ServerContext* ctx, const v1::GetMonitorRequest* req,
                          v1::Monitor* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.monitors_.find(req->id());
    if (it == f_.monitors_.end()) return NotFound(req->id());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListMonitors(grpc::ServerContext* ctx, const v1::ListMonitorsRequest* req,
                            v1::ListMonitorsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.last_list_monitors_ = *req;
    resp->set_next_page_token(Page(f_.monitors_, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::Monitor& m) { *resp->add_monitors() = m; }));
    return grpc::Status::OK;
  }

  grpc::Status DeleteMonitor(grpc::ServerContext* ctx, const v1::DeleteMonitorRequest* req,
                             google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (f_.monitors_.erase(req->id()) == 0) return NotFound(req->id());
    return grpc::Status::OK;
  }

  grpc::Status PauseMonitor(grpc::ServerContext* ctx, const v1::PauseMonitorRequest* req,
                            v1::Monitor* resp) override {
    return SetPaused(*ctx, req->id(), true, resp);
  }

  grpc::Status ResumeMonitor(grpc::ServerContext* ctx, const v1::ResumeMonitorRequest* req,
                             v1::Monitor* resp) override {
    return SetPaused(*ctx, req->id(), false, resp);
  }

 private:
  grpc::Status SetPaused(const grpc::ServerContext& ctx, const std::string& id, bool paused,
                         v1::Monitor* resp) {
    if (grpc::Status s = f_.Begin(ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.monitors_.find(id);
    if (it == f_.monitors_.end()) return NotFound(id);
    it->second.set_paused(paused);
    *resp = it->second;
    return grpc::Status::OK;
  }

  FakeCoordinator& f_;
};

class FakeCoordinator::Statuses final : public v1::StatusService::Service {
 public:
  explicit Statuses(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest* req,
                         v1::MonitorStatus* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.statuses_.find(req->monitor_id());
    if (it == f_.statuses_.end()) return NotFound(req->monitor_id());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListStatuses(grpc::ServerContext* ctx, const v1::ListStatusesRequest* req,
                            v1::ListStatusesResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.last_list_statuses_ = *req;
    resp->set_next_page_token(
        Page(f_.statuses_, req->page_token(), req->page_size(), f_.max_page_size_,
             [&](const v1::MonitorStatus& s) { *resp->add_statuses() = s; }));
    return grpc::Status::OK;
  }

  grpc::Status ListResults(grpc::ServerContext* ctx, const v1::ListResultsRequest* req,
                           v1::ListResultsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    const int64_t start_us = req->has_start_time() ? TimestampMicros(req->start_time()) : INT64_MIN;
    const int64_t end_us = req->has_end_time() ? TimestampMicros(req->end_time()) : INT64_MAX;
    std::map<std::string, v1::CheckResult> matching;
    for (const auto& [key, r] : f_.results_) {
      if (r.monitor_id() != req->monitor_id()) continue;
      if (r.start_time_us() < start_us || r.start_time_us() >= end_us) continue;
      if (req->failures_only() && r.success()) continue;
      matching[key] = r;
    }
    resp->set_next_page_token(Page(matching, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::CheckResult& r) { *resp->add_results() = r; }));
    return grpc::Status::OK;
  }

  grpc::Status GetUptime(grpc::ServerContext* ctx, const v1::GetUptimeRequest* req,
                         v1::GetUptimeResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = f_.uptimes_.find(req->monitor_id());
    if (it == f_.uptimes_.end()) return NotFound(req->monitor_id());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListIncidents(grpc::ServerContext* ctx, const v1::ListIncidentsRequest* req,
                             v1::ListIncidentsResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    std::map<std::string, v1::Incident> matching;
    for (const auto& [key, i] : f_.incidents_) {
      if (!req->monitor_id().empty() && i.monitor_id() != req->monitor_id()) continue;
      if (req->open_only() && i.has_resolved()) continue;
      matching[key] = i;
    }
    resp->set_next_page_token(Page(matching, req->page_token(), req->page_size(),
                                   f_.max_page_size_,
                                   [&](const v1::Incident& i) { *resp->add_incidents() = i; }));
    return grpc::Status::OK;
  }

  // Polls for cancellation: a sync handler has no callback for it.
  grpc::Status WatchEvents(grpc::ServerContext* ctx, const v1::WatchEventsRequest* req,
                           grpc::ServerWriter<v1::Event>* writer) override {
    if (grpc::Status s = f_.Begin(*ctx, *req); !s.ok()) return s;
    int id = 0;
    {
      absl::MutexLock lock(&f_.mu_);
      id = ++f_.watches_started_;
      f_.watches_[id].request = *req;
    }
    writer->SendInitialMetadata();
    while (true) {
      std::vector<v1::Event> events;
      std::optional<grpc::Status> end;
      {
        absl::MutexLock lock(&f_.mu_);
        Watch& watch = f_.watches_[id];
        f_.mu_.AwaitWithTimeout(absl::Condition(
                                    +[](Watch* w) { return !w->queue.empty() || w->end.has_value(); },
                                    &watch),
                                absl::Milliseconds(20));
        events.swap(watch.queue);
        end = watch.end;
        if (end.has_value() || ctx->IsCancelled()) f_.watches_.erase(id);
      }
      for (const v1::Event& event : events) {
        if (!writer->Write(event)) break;
      }
      if (end.has_value()) return *end;
      if (ctx->IsCancelled()) return grpc::Status::CANCELLED;
    }
  }

 private:
  static int64_t TimestampMicros(const google::protobuf::Timestamp& t) {
    return t.seconds() * 1'000'000 + t.nanos() / 1000;
  }

  FakeCoordinator& f_;
};

void FakeCoordinator::AddResult(v1::CheckResult result) {
  absl::MutexLock lock(&mu_);
  // Newest first; the counter keeps results of the same microsecond apart.
  const std::string key = absl::StrFormat("%020d-%06d", INT64_MAX - result.start_time_us(),
                                          static_cast<int>(results_.size()));
  results_[key] = std::move(result);
}

void FakeCoordinator::AddIncident(v1::Incident incident) {
  absl::MutexLock lock(&mu_);
  const std::string key =
      absl::StrFormat("%020d-%s", INT64_MAX - incident.started().seconds(), incident.id());
  incidents_[key] = std::move(incident);
}

void FakeCoordinator::SetUptime(v1::GetUptimeResponse uptime) {
  absl::MutexLock lock(&mu_);
  uptimes_[uptime.monitor_id()] = std::move(uptime);
}

void FakeCoordinator::PublishEvent(const v1::Event& event) {
  absl::MutexLock lock(&mu_);
  const std::string& monitor_id =
      event.has_result() ? event.result().monitor_id() : event.state_change().monitor_id();
  for (auto& [id, watch] : watches_) {
    if (event.has_result() && !watch.request.include_results()) continue;
    const auto& ids = watch.request.monitor_ids();
    if (!ids.empty() && std::find(ids.begin(), ids.end(), monitor_id) == ids.end()) continue;
    watch.queue.push_back(event);
  }
}

void FakeCoordinator::EndWatches(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  for (auto& [id, watch] : watches_) watch.end = status;
}

bool FakeCoordinator::WaitForWatches(int count, absl::Duration timeout) {
  // Test glue on a real server's threads: wall-clock polling is fine here.
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (watches_started_ >= count) return true;
    }
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

int FakeCoordinator::open_watches() {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(watches_.size());
}

void FakeCoordinator::AddMonitor(v1::Monitor monitor) {
  absl::MutexLock lock(&mu_);
  monitors_[monitor.id()] = std::move(monitor);
}

void FakeCoordinator::AddStatus(v1::MonitorStatus status) {
  absl::MutexLock lock(&mu_);
  statuses_[status.monitor_id()] = std::move(status);
}

bool FakeCoordinator::HasMonitor(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return monitors_.count(id) > 0;
}

std::optional<v1::Monitor> FakeCoordinator::CreatedMonitor() {
  absl::MutexLock lock(&mu_);
  return created_;
}

std::optional<v1::ListMonitorsRequest> FakeCoordinator::LastListMonitors() {
  absl::MutexLock lock(&mu_);
  return last_list_monitors_;
}

std::optional<v1::ListStatusesRequest> FakeCoordinator::LastListStatuses() {
  absl::MutexLock lock(&mu_);
  return last_list_statuses_;
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewMonitorService(FakeCoordinator& fake) {
  return std::make_unique<Monitors>(fake);
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewStatusService(FakeCoordinator& fake) {
  return std::make_unique<Statuses>(fake);
}

}  // namespace uptime::cli
