// ResultIngest: where an agent's result batch enters the coordinator.
//
// For each batch, in this order:
//  1. limits: the batch size and sequence are checked (an error ends the
//     stream as misbehaving);
//  2. room: the ResultSink must have room for the batch, or the batch is
//     refused (RESOURCE_EXHAUSTED) and the agent resends it later;
//  3. dedup: a batch whose sequence this agent incarnation already had is
//     a resend after a reconnect, acknowledged but not counted again;
//  4. epoch filter: the cluster keeps only results of monitors the agent
//     holds, at their current epoch (AgentManager::FilterCurrent);
//  5. the kept results go to the health stage (the StatusTracker) at once and to the sink, and the agent's Ack is sent when the
//     sink reports the batch durable.
//
// Thread-safety: thread-safe. Batches of one agent arrive on one stream, in
// order.
#ifndef UPTIME_COORDINATOR_INGEST_RESULT_INGEST_H_
#define UPTIME_COORDINATOR_INGEST_RESULT_INGEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "common/metrics.h"
#include "coordinator/cluster/agent_manager.h"
#include "coordinator/health/status_tracker.h"
#include "coordinator/ingest/result_sink.h"
#include "store/result_store.h"
#include "uptime/v1/agent.pb.h"

namespace uptime::coordinator {

struct ResultIngestOptions {
  // Results per batch above this close the stream as misbehaving.
  int max_results_per_batch = 10'000;
  // Longer error messages from agents are cut to this many bytes.
  size_t max_error_message_bytes = 1024;
};

class ResultIngest {
 public:
  // `sink` may be null: batches are then acked as soon as they are counted.
  // Everything passed in must outlive this object.
  ResultIngest(ResultIngestOptions options, AgentManager* agents, StatusTracker* tracker,
               ResultSink* sink, MetricsRegistry* metrics);

  // The last durable batch per agent incarnation, loaded at start, so resent
  // batches already stored before a restart are not counted twice.
  void RestoreSequences(absl::Span<const store::AgentSequence> sequences);

  // Counts the batch's valid results. Returns the sequence to acknowledge
  // now, or nullopt when the Ack will be sent on the agent's stream once the
  // batch is durable. An error ends the stream: INVALID_ARGUMENT for a batch
  // over the limits, RESOURCE_EXHAUSTED when the write queue is full (the
  // agent resends later), UNAVAILABLE when `link` is not the agent's stream.
  absl::StatusOr<std::optional<uint64_t>> OnResults(const std::string& agent_id,
                                                    const SessionLink* link,
                                                    v1::ResultBatch* batch);

 private:
  const ResultIngestOptions options_;
  AgentManager* const agents_;
  StatusTracker* const tracker_;
  ResultSink* const sink_;
  MetricsRegistry own_metrics_;  // when none is given
  Counter* const results_counted_;
  Counter* const batches_resent_;

  absl::Mutex mu_;
  // Highest batch sequence counted per agent id, with its incarnation.
  absl::flat_hash_map<std::string, std::pair<std::string, uint64_t>> last_sequence_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_INGEST_RESULT_INGEST_H_
