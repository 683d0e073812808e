#include "coordinator/api/status_service.h"

#include <deque>
#include <functional>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/grpc_status.h"
#include "coordinator/api/monitor_service.h"
#include "store/uptime_stats.h"

namespace uptime::coordinator {
namespace {

// One WatchEvents stream: a bounded queue fed by the EventBus, drained by one
// write at a time. A watcher that falls more than kMaxQueued events behind
// loses the oldest ones; the gap shows in the sequence numbers.
class EventWatcher : public grpc::ServerWriteReactor<v1::Event>, public EventSink {
 public:
  static constexpr size_t kMaxQueued = 10'000;

  EventWatcher(EventBus* bus, LabelSelector selector, const v1::WatchEventsRequest& req)
      : bus_(bus),
        selector_(std::move(selector)),
        monitor_ids_(req.monitor_ids().begin(), req.monitor_ids().end()),
        include_results_(req.include_results()) {
    bus_->Subscribe(this);
    // Lets the client know the watch is in place before any event arrives.
    StartSendInitialMetadata();
  }

  bool WantsResults() const override { return include_results_; }

  void Deliver(const v1::Event& event,
               const google::protobuf::Map<std::string, std::string>& labels) override {
    const std::string& monitor_id =
        event.has_result() ? event.result().monitor_id() : event.state_change().monitor_id();
    if (!monitor_ids_.empty() && !monitor_ids_.contains(monitor_id)) return;
    if (!selector_.Matches(labels)) return;
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    ++sequence_;
    if (queue_.size() >= kMaxQueued) {
      if (writing_) {
        queue_.erase(queue_.begin() + 1);  // the front is being written
      } else {
        queue_.pop_front();
      }
    }
    queue_.push_back(event);
    queue_.back().set_sequence(sequence_);
    WriteNextLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
      return;
    }
    queue_.pop_front();
    WriteNextLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    bus_->Unsubscribe(this);
    delete this;
  }

 private:
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || queue_.empty() || finished_) return;
    writing_ = true;
    StartWrite(&queue_.front());
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  EventBus* const bus_;
  const LabelSelector selector_;
  const absl::flat_hash_set<std::string> monitor_ids_;
  const bool include_results_;
  absl::Mutex mu_;
  std::deque<v1::Event> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

// A write reactor that fails at once (bad token or request).
class FailedWatch : public grpc::ServerWriteReactor<v1::Event> {
 public:
  explicit FailedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerUnaryReactor* StatusServiceImpl::OffThread(grpc::CallbackServerContext* ctx,
                                                       std::function<grpc::Status()> read) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // The request and response stay valid until Finish(), whichever thread
  // calls it.
  if (!reads_->TrySubmit([reactor, read = std::move(read)] { reactor->Finish(read()); })) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "too many store reads in progress: retry later"));
  }
  return reactor;
}

StatusServiceImpl::StatusServiceImpl(const TokenAuthorizer* auth, Clock* clock,
                                     StatusTracker* tracker, AgentManager* agents, EventBus* events,
                                     store::ResultStore* results, store::IncidentStore* incidents,
                                     WorkerPool* reads, const UptimeCache* uptime)
    : auth_(auth),
      clock_(clock),
      tracker_(tracker),
      agents_(agents),
      events_(events),
      results_(results),
      incidents_(incidents),
      reads_(reads),
      uptime_(uptime) {}

grpc::Status StatusServiceImpl::KnownMonitor(const std::string& monitor_id) const {
  if (grpc::Status s = RequireId(monitor_id, "monitor_id"); !s.ok()) return s;
  return ToGrpcStatus(tracker_->Get(monitor_id).status());
}

grpc::ServerUnaryReactor* StatusServiceImpl::GetStatus(grpc::CallbackServerContext* ctx,
                                                       const v1::GetStatusRequest* req,
                                                       v1::MonitorStatus* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  if (grpc::Status s = RequireId(req->monitor_id(), "monitor_id"); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<v1::MonitorStatus> status = tracker_->Get(req->monitor_id());
  if (!status.ok()) return FinishWith(ctx, ToGrpcStatus(status.status()));
  *resp = std::move(*status);
  for (std::string& id : agents_->AgentsOf(req->monitor_id())) resp->add_agent_ids(std::move(id));
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* StatusServiceImpl::ListStatuses(grpc::CallbackServerContext* ctx,
                                                          const v1::ListStatusesRequest* req,
                                                          v1::ListStatusesResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse("label_selector", req->label_selector());
  if (!selector.ok()) return FinishWith(ctx, ToGrpcStatus(selector.status()));
  if (!v1::State_IsValid(req->state())) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "state: unknown state"));
  }
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  absl::StatusOr<StatusPage> page = tracker_->List(*selector, req->state(), *page_size, req->page_token());
  if (!page.ok()) return FinishWith(ctx, ToGrpcStatus(page.status()));
  for (v1::MonitorStatus& s : page->statuses) {
    for (std::string& id : agents_->AgentsOf(s.monitor_id())) s.add_agent_ids(std::move(id));
    *resp->add_statuses() = std::move(s);
  }
  resp->set_next_page_token(page->next_page_token);
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* StatusServiceImpl::ListResults(grpc::CallbackServerContext* ctx,
                                                         const v1::ListResultsRequest* req,
                                                         v1::ListResultsResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  if (grpc::Status s = KnownMonitor(req->monitor_id()); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  store::ResultQuery query;
  query.monitor_id = req->monitor_id();
  if (req->has_start_time()) query.start = FromProto(req->start_time());
  if (req->has_end_time()) query.end = FromProto(req->end_time());
  if (query.start > query.end) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "end_time: must not be before start_time"));
  }
  query.failures_only = req->failures_only();
  query.page_size = *page_size;
  query.page_token = req->page_token();
  return OffThread(ctx, [this, query = std::move(query), resp] {
    absl::StatusOr<store::ResultPage> page = results_->ListResults(query);
    if (!page.ok()) return ToGrpcStatus(page.status());
    for (v1::CheckResult& r : page->results) *resp->add_results() = std::move(r);
    resp->set_next_page_token(page->next_page_token);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* StatusServiceImpl::GetUptime(grpc::CallbackServerContext* ctx,
                                                       const v1::GetUptimeRequest* req,
                                                       v1::GetUptimeResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  if (grpc::Status s = KnownMonitor(req->monitor_id()); !s.ok()) return FinishWith(ctx, s);
  return OffThread(ctx, [this, monitor_id = req->monitor_id(), resp] {
    absl::StatusOr<v1::GetUptimeResponse> uptime = results_->GetUptime(monitor_id, clock_->Now());
    if (!uptime.ok()) return ToGrpcStatus(uptime.status());
    *resp = std::move(*uptime);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* StatusServiceImpl::BatchGetUptime(grpc::CallbackServerContext* ctx,
                                                            const v1::BatchGetUptimeRequest* req,
                                                            v1::BatchGetUptimeResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  const int count = req->monitor_ids_size();
  if (count < 1 || count > kMaxBatchGetUptime) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        absl::StrCat("monitor_ids: 1 to ", kMaxBatchGetUptime,
                                                     " ids are required, got ", count)));
  }
  // Atomic, as AIP-231 asks: one unknown id fails the call, named by its
  // position, rather than a response that silently lacks it.
  for (int i = 0; i < count; ++i) {
    const std::string field = absl::StrCat("monitor_ids[", i, "]");
    if (grpc::Status s = RequireId(req->monitor_ids(i), field.c_str()); !s.ok()) {
      return FinishWith(ctx, s);
    }
    if (absl::Status known = tracker_->Get(req->monitor_ids(i)).status(); !known.ok()) {
      return FinishWith(ctx, grpc::Status(ToGrpcStatus(known).error_code(),
                                          absl::StrCat(field, ": ", known.message())));
    }
  }
  std::vector<std::string> ids(req->monitor_ids().begin(), req->monitor_ids().end());
  return OffThread(ctx, [this, ids = std::move(ids), resp] {
    absl::StatusOr<std::vector<v1::GetUptimeResponse>> uptimes =
        results_->GetUptimes(ids, clock_->Now());
    if (!uptimes.ok()) return ToGrpcStatus(uptimes.status());
    resp->mutable_uptimes()->Reserve(static_cast<int>(uptimes->size()));
    for (v1::GetUptimeResponse& u : *uptimes) *resp->add_uptimes() = std::move(u);
    return grpc::Status::OK;
  });
}

grpc::ServerUnaryReactor* StatusServiceImpl::ListUptime(grpc::CallbackServerContext* ctx,
                                                        const v1::ListUptimeRequest* req,
                                                        v1::ListUptimeResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse("label_selector", req->label_selector());
  if (!selector.ok()) return FinishWith(ctx, ToGrpcStatus(selector.status()));
  const std::string& window = uptime_->options().window_name;
  if (!req->window().empty() && req->window() != window) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                        "window: only \"" + window +
                                            "\" is summarised for many monitors; use GetUptime "
                                            "for other windows"));
  }
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  std::shared_ptr<const UptimeSummary> summary = uptime_->Current();
  if (summary == nullptr) {
    return FinishWith(ctx, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                        "the uptime summary is not computed yet: retry shortly"));
  }
  // The tracker pages the monitors (same order, selector and page tokens as
  // ListStatuses); the summary fills in their figures.
  absl::StatusOr<StatusPage> page =
      tracker_->List(*selector, v1::STATE_UNSPECIFIED, *page_size, req->page_token());
  if (!page.ok()) return FinishWith(ctx, ToGrpcStatus(page.status()));
  resp->set_window(window);
  resp->mutable_uptimes()->Reserve(static_cast<int>(page->statuses.size()));
  for (const v1::MonitorStatus& s : page->statuses) {
    v1::MonitorUptime* u = resp->add_uptimes();
    u->set_monitor_id(s.monitor_id());
    const store::UptimeTotals* totals = summary->Find(s.monitor_id());
    const int64_t checks = totals == nullptr ? 0 : totals->checks;
    const int64_t failures = totals == nullptr ? 0 : totals->failures;
    u->set_checks(checks);
    u->set_failures(failures);
    u->set_uptime_percent(store::UptimePercent(checks, failures));
    const int64_t successes = checks - failures;
    u->set_mean_latency_ms(successes > 0 ? totals->latency_sum_us / 1000.0 / successes : 0.0);
  }
  resp->set_next_page_token(page->next_page_token);
  ToProto(summary->computed_at, resp->mutable_computed_at());
  return FinishWith(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* StatusServiceImpl::ListIncidents(grpc::CallbackServerContext* ctx,
                                                           const v1::ListIncidentsRequest* req,
                                                           v1::ListIncidentsResponse* resp) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return FinishWith(ctx, s);
  absl::StatusOr<int> page_size = NormalizePageSize("page_size", req->page_size());
  if (!page_size.ok()) return FinishWith(ctx, ToGrpcStatus(page_size.status()));
  store::IncidentQuery query;
  query.monitor_id = req->monitor_id();
  query.open_only = req->open_only();
  query.page_size = *page_size;
  query.page_token = req->page_token();
  return OffThread(ctx, [this, query = std::move(query), resp] {
    absl::StatusOr<store::IncidentPage> page = incidents_->ListIncidents(query);
    if (!page.ok()) return ToGrpcStatus(page.status());
    for (v1::Incident& i : page->incidents) *resp->add_incidents() = std::move(i);
    resp->set_next_page_token(page->next_page_token);
    return grpc::Status::OK;
  });
}

grpc::ServerWriteReactor<v1::Event>* StatusServiceImpl::WatchEvents(
    grpc::CallbackServerContext* ctx, const v1::WatchEventsRequest* req) {
  if (grpc::Status s = auth_->Check(*ctx, Scope::kRead); !s.ok()) return new FailedWatch(s);
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse("label_selector", req->label_selector());
  if (!selector.ok()) return new FailedWatch(ToGrpcStatus(selector.status()));
  return new EventWatcher(events_, std::move(*selector), *req);
}

}  // namespace uptime::coordinator
