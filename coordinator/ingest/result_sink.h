// ResultSink: where counted results go to become durable (Persistence), so
// the AgentManager can acknowledge an agent's batch only once it is.
#ifndef UPTIME_COORDINATOR_INGEST_RESULT_SINK_H_
#define UPTIME_COORDINATOR_INGEST_RESULT_SINK_H_

#include <functional>
#include <vector>

#include "store/result_store.h"
#include "uptime/v1/result.pb.h"

namespace uptime::coordinator {

class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // Reserves room for `n` results; false when full (the batch is refused and
  // the agent resends it later).
  virtual bool TryReserve(size_t n) = 0;
  // Queues results (with `reserved` room taken by TryReserve) and the agent
  // sequence they complete. `on_durable` runs once both are durable, in
  // queue order.
  virtual void Enqueue(size_t reserved, std::vector<v1::CheckResult> results,
                       store::AgentSequence ack, std::function<void()> on_durable) = 0;
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_INGEST_RESULT_SINK_H_
