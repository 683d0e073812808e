#include "gateway/upstream.h"

#include <chrono>
#include <map>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "gateway/backoff.h"
#include "gateway/request_mapping.h"
#include "gateway/result_json.h"
#include "spdlog/spdlog.h"

namespace uptime::gateway {

Upstream::Upstream(UpstreamOptions options, Clock* clock, StatusSnapshot* snapshot, EventHub* hub)
    : options_(std::move(options)),
      clock_(clock),
      snapshot_(snapshot),
      hub_(hub),
      monitors_(v1::MonitorService::NewStub(options_.channel)),
      statuses_(v1::StatusService::NewStub(options_.channel)) {}

Upstream::~Upstream() { Stop(); }

void Upstream::Start() {
  watch_thread_ = std::thread([this] { WatchLoop(); });
  reload_thread_ = std::thread([this] { ReloadLoop(); });
  if (options_.results != ResultsMode::kOff) {
    results_thread_ = std::thread([this] { ResultsLoop(); });
  }
}

void Upstream::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    if (watch_ctx_ != nullptr) watch_ctx_->TryCancel();
    if (results_ctx_ != nullptr) results_ctx_->TryCancel();
  }
  if (watch_thread_.joinable()) watch_thread_.join();
  if (reload_thread_.joinable()) reload_thread_.join();
  if (results_thread_.joinable()) results_thread_.join();
}

std::unique_ptr<grpc::ClientContext> Upstream::MakeContext(bool deadline) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  AttachToken(ctx.get(), options_.token);
  if (deadline) {
    // Wall-clock glue for gRPC's deadline, not logic.
    ctx->set_deadline(std::chrono::system_clock::now() +
                      absl::ToChronoMilliseconds(options_.rpc_timeout));
  }
  return ctx;
}

bool Upstream::Pause(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  // Real waiting is glue: the delay itself comes from Backoff.
  auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
  mu_.AwaitWithTimeout(absl::Condition(&stop), d);
  return !stopping_;
}

// Calls `call` for every page of a List method (1,000 per page), handing each
// page to `each`; stops at the last page, or when the server repeats a token.
template <typename Response, typename Request, typename Call, typename Each>
absl::Status Upstream::ForEachPage(Request req, Call call, Each each) const {
  req.set_page_size(1000);
  for (int pages = 0; pages < 100'000; ++pages) {
    Response page;
    auto ctx = MakeContext(true);
    grpc::Status s = call(ctx.get(), req, &page);
    if (!s.ok()) return FromGrpcStatus(s);
    each(page);
    if (page.next_page_token().empty() || page.next_page_token() == req.page_token()) break;
    req.set_page_token(page.next_page_token());
  }
  return absl::OkStatus();
}

void Upstream::RequestReload() {
  absl::MutexLock lock(&mu_);
  reload_requested_ = true;
}

absl::Status Upstream::Load() {
  absl::MutexLock load_lock(&load_mu_);
  std::map<std::string, std::map<std::string, std::string>> labels;
  std::map<std::string, std::string> names;
  v1::ListMonitorsRequest mreq;
  RETURN_IF_ERROR(ForEachPage<v1::ListMonitorsResponse>(
      mreq,
      [&](grpc::ClientContext* ctx, const v1::ListMonitorsRequest& req,
          v1::ListMonitorsResponse* page) { return monitors_->ListMonitors(ctx, req, page); },
      [&](v1::ListMonitorsResponse& page) {
        for (const v1::Monitor& m : page.monitors()) {
          labels[m.id()] =
              std::map<std::string, std::string>(m.labels().begin(), m.labels().end());
          names[m.id()] = m.name();
        }
      }));
  std::map<std::string, MonitorEntry> entries;
  v1::ListStatusesRequest sreq;
  RETURN_IF_ERROR(ForEachPage<v1::ListStatusesResponse>(
      sreq,
      [&](grpc::ClientContext* ctx, const v1::ListStatusesRequest& req,
          v1::ListStatusesResponse* page) { return statuses_->ListStatuses(ctx, req, page); },
      [&](v1::ListStatusesResponse& page) {
        for (v1::MonitorStatus& st : *page.mutable_statuses()) {
          entries[st.monitor_id()].status = std::move(st);
        }
      }));
  for (auto& [id, l] : labels) {
    MonitorEntry& e = entries[id];
    if (e.status.monitor_id().empty()) {
      // Created after the status list was read, or not yet decided.
      e.status.set_monitor_id(id);
      e.status.set_monitor_name(names[id]);
      e.status.set_state(v1::STATE_PENDING);
    }
    e.labels = l;
  }
  // Statuses of monitors deleted between the two lists go with them.
  for (auto it = entries.begin(); it != entries.end();) {
    it = labels.contains(it->first) ? std::next(it) : entries.erase(it);
  }
  snapshot_->Replace(std::move(entries), clock_->Now());
  // After the snapshot: a slow fallback store never delays reads.
  if (options_.remember_labels) options_.remember_labels(labels);
  return absl::OkStatus();
}

void Upstream::HandleEvent(v1::Event event) {
  const uint64_t seq = event.sequence();
  if (last_upstream_sequence_ != 0 && seq != last_upstream_sequence_ + 1) {
    // The coordinator dropped events for this stream (it was behind): what
    // happened in between is unknown, so reload and have clients refetch.
    spdlog::warn("upstream events {}..{} were dropped; resyncing", last_upstream_sequence_ + 1,
                 seq - 1);
    RequestReload();
    hub_->PublishResync("upstream gap");
    if (options_.on_resync) options_.on_resync();
  }
  last_upstream_sequence_ = seq;
  snapshot_->Touch(clock_->Now());
  if (!event.has_state_change()) return;
  bool unknown = false;
  std::map<std::string, std::string> labels = snapshot_->Apply(event.state_change(), &unknown);
  if (unknown) RequestReload();
  if (options_.on_state_change) options_.on_state_change(event.state_change());
  // The SSE id replaces the upstream sequence, which is per stream and
  // restarts with every reconnect.
  event.clear_sequence();
  hub_->Publish("state_change", ToJson(event), std::move(labels),
                event.state_change().monitor_id());
}

void Upstream::WatchLoop() {
  absl::BitGen rng;
  Backoff backoff(options_.backoff_initial, options_.backoff_max,
                  [&rng] { return absl::Uniform(rng, 0.0, 1.0); });
  bool first = true;
  while (true) {
    auto ctx = MakeContext(false);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      watch_ctx_ = ctx.get();
    }
    v1::WatchEventsRequest req;
    std::unique_ptr<grpc::ClientReader<v1::Event>> reader = statuses_->WatchEvents(ctx.get(), req);
    absl::Status status = absl::OkStatus();
    // Returns once the watch is registered (or the call failed: then the
    // load fails too, and Finish() says why).
    reader->WaitForInitialMetadata();
    if (absl::Status loaded = Load(); !loaded.ok()) {
      ctx->TryCancel();
      reader->Finish();
      status = loaded;
    } else {
      if (!first) {
        reconnects_.fetch_add(1);
        hub_->PublishResync("upstream reconnected");
      }
      if (options_.on_resync) options_.on_resync();
      spdlog::info("watching coordinator events; snapshot has {} monitors", snapshot_->size());
      first = false;
      connected_ = true;
      backoff.Reset();
      last_upstream_sequence_ = 0;
      v1::Event event;
      while (reader->Read(&event)) HandleEvent(std::move(event));
      connected_ = false;
      status = FromGrpcStatus(reader->Finish());
    }
    {
      absl::MutexLock lock(&mu_);
      watch_ctx_ = nullptr;
      if (stopping_) return;
    }
    spdlog::warn("coordinator event stream: {}", status.ToString());
    if (!snapshot_->loaded() && options_.fallback) {
      absl::StatusOr<FallbackSnapshot> fallback = options_.fallback();
      if (fallback.ok()) {
        spdlog::info("loaded {} statuses from Redis while the coordinator is unreachable ({})",
                     fallback->entries.size(),
                     fallback->labels_known ? "with their labels" : "labels unknown");
        snapshot_->Replace(std::move(fallback->entries), clock_->Now(), fallback->labels_known);
        // Clients that connected meanwhile must refetch once the real
        // snapshot arrives.
        first = false;
      } else {
        spdlog::warn("fallback status load: {}", fallback.status().ToString());
      }
    }
    if (!Pause(backoff.Next())) return;
  }
}

void Upstream::ReloadLoop() {
  absl::Time next = clock_->Now() + options_.reload_interval;
  while (true) {
    CloseIdleResults();
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || reload_requested_;
      };
      // Short waits: a burst of unknown monitors costs one reload a second.
      mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Seconds(1));
      if (stopping_) return;
      if (!reload_requested_ && clock_->Now() < next) continue;
      reload_requested_ = false;
    }
    next = clock_->Now() + options_.reload_interval;
    if (!connected_) continue;
    if (absl::Status s = Load(); !s.ok()) spdlog::warn("snapshot reload: {}", s.ToString());
  }
}

bool Upstream::ResultsWanted() const {
  return options_.results == ResultsMode::kAlways ||
         (options_.results == ResultsMode::kOnDemand && hub_->result_clients() > 0);
}

void Upstream::CloseIdleResults() {
  if (options_.results != ResultsMode::kOnDemand) return;
  const bool wanted = hub_->result_clients() > 0;
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (results_ctx_ == nullptr || wanted) {
    results_unwanted_since_ = absl::InfiniteFuture();
    return;
  }
  if (results_unwanted_since_ == absl::InfiniteFuture()) {
    results_unwanted_since_ = now;
  } else if (now - results_unwanted_since_ >= options_.results_linger) {
    results_closed_idle_ = true;
    results_ctx_->TryCancel();
  }
}

void Upstream::HandleResult(v1::Event event) {
  results_received_.fetch_add(1, std::memory_order_relaxed);
  bool known = false;
  // Rendered once, for the snapshot and every client.
  std::string json = CheckResultJson(event.result());
  const std::map<std::string, std::string> labels =
      snapshot_->ApplyResult(event.result(), json, &known);
  // A monitor the snapshot lacks: its creation reaches the snapshot with
  // the next load, and its results with it.
  if (!known) return;
  // The Event's JSON ({"result":...}; the per-stream sequence left out).
  hub_->PublishResult(event.result().monitor_id(), labels,
                      [&json] { return absl::StrCat("{\"result\":", json, "}"); });
}

void Upstream::ResultsLoop() {
  absl::BitGen rng;
  Backoff backoff(options_.backoff_initial, options_.backoff_max,
                  [&rng] { return absl::Uniform(rng, 0.0, 1.0); });
  while (true) {
    // Demand is polled: a client asking for results waits at most this
    // long for the stream, and the hub needs no hook back into us.
    if (!ResultsWanted()) {
      if (!Pause(absl::Milliseconds(250))) return;
      continue;
    }
    auto ctx = MakeContext(false);
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      results_ctx_ = ctx.get();
      results_closed_idle_ = false;
      results_unwanted_since_ = absl::InfiniteFuture();
    }
    v1::WatchEventsRequest req;
    req.set_include_results(true);
    std::unique_ptr<grpc::ClientReader<v1::Event>> reader = statuses_->WatchEvents(ctx.get(), req);
    reader->WaitForInitialMetadata();
    results_connected_ = true;
    spdlog::info("streaming check results from the coordinator");
    uint64_t last_sequence = 0;
    bool any = false;
    v1::Event event;
    while (reader->Read(&event)) {
      any = true;
      const uint64_t seq = event.sequence();
      if (last_sequence != 0 && seq > last_sequence + 1) {
        results_dropped_.fetch_add(seq - last_sequence - 1, std::memory_order_relaxed);
      }
      last_sequence = seq;
      // State changes come on the watch stream (this one has them too).
      if (event.has_result()) HandleResult(std::move(event));
    }
    results_connected_ = false;
    const absl::Status status = FromGrpcStatus(reader->Finish());
    bool idle;
    {
      absl::MutexLock lock(&mu_);
      results_ctx_ = nullptr;
      if (stopping_) return;
      idle = results_closed_idle_;
    }
    if (idle) {
      spdlog::info("no client wants check results: results stream closed");
      backoff.Reset();
      continue;
    }
    if (any) backoff.Reset();
    spdlog::warn("coordinator results stream: {}", status.ToString());
    if (!Pause(backoff.Next())) return;
  }
}

}  // namespace uptime::gateway
