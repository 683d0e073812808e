// Agents are trusted to run checks, not to send well-formed results: a buggy
// or compromised agent can send any ResultBatch. The status tracker must
// count any result (unknown monitor ids, negative or huge latencies, odd
// timestamps, long messages) without crashing, and keep every monitor's
// state one of the defined ones.
//
// Input: a serialised uptime.v1.ResultBatch.
#include <cstdint>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "coordinator/health/event_bus.h"
#include "coordinator/health/incident_sink.h"
#include "coordinator/health/status_tracker.h"
#include "uptime/v1/agent.pb.h"

namespace {

namespace v1 = uptime::v1;

class CountingIncidents : public uptime::coordinator::IncidentSink {
 public:
  void IncidentOpened(const v1::Incident& incident, const v1::Monitor&) override {
    if (incident.monitor_id().empty()) __builtin_trap();
  }
  void IncidentResolved(const v1::Incident& incident, const v1::Monitor&) override {
    if (incident.monitor_id().empty()) __builtin_trap();
  }
};

std::shared_ptr<const v1::Monitor> MakeMonitor(const char* id, int failures, int recoveries) {
  auto m = std::make_shared<v1::Monitor>();
  m->set_id(id);
  m->set_name(id);
  m->mutable_http()->set_url("https://example.com/");
  m->mutable_interval()->set_seconds(30);
  m->set_failure_threshold(failures);
  m->set_recovery_threshold(recoveries);
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1024 * 1024) return 0;
  v1::ResultBatch batch;
  if (!batch.ParseFromArray(data, static_cast<int>(size))) return 0;
  uptime::SimulatedClock clock;
  uptime::coordinator::EventBus events;
  CountingIncidents incidents;
  {
    uptime::coordinator::StatusTracker tracker(&clock, &events, &incidents);
    tracker.OnMonitorUpserted(MakeMonitor("m1", 1, 1));
    tracker.OnMonitorUpserted(MakeMonitor("m2", 3, 2));
    // Half the batch, time passes, the rest: results arrive in pieces.
    std::vector<v1::CheckResult> results(batch.results().begin(), batch.results().end());
    const size_t half = results.size() / 2;
    tracker.Ingest(absl::MakeConstSpan(results).subspan(0, half));
    clock.Advance(absl::Seconds(31));
    tracker.Ingest(absl::MakeConstSpan(results).subspan(half));
    for (const v1::MonitorStatus& status : tracker.All()) {
      if (!v1::State_IsValid(status.state())) __builtin_trap();
    }
    (void)tracker.TakeDirty();
    tracker.OnMonitorRemoved("m2");
    (void)tracker.Counts();
  }
  return 0;
}
