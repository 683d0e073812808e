#include "coordinator/ingest/result_ingest.h"

#include "absl/strings/str_cat.h"

namespace uptime::coordinator {

ResultIngest::ResultIngest(ResultIngestOptions options, AgentManager* agents,
                           StatusTracker* tracker, ResultSink* sink, MetricsRegistry* metrics)
    : options_(options),
      agents_(agents),
      tracker_(tracker),
      sink_(sink),
      results_counted_((metrics ? metrics : &own_metrics_)
                           ->AddCounter("uptime_coordinator_results_total",
                                        "Check results received from agents, by fate",
                                        {{"fate", "counted"}})),
      batches_resent_((metrics ? metrics : &own_metrics_)
                          ->AddCounter("uptime_coordinator_batches_resent_total",
                                       "Result batches received again after a reconnect")) {}

void ResultIngest::RestoreSequences(absl::Span<const store::AgentSequence> sequences) {
  absl::MutexLock lock(&mu_);
  for (const store::AgentSequence& seq : sequences) {
    last_sequence_[seq.agent_id] = {seq.incarnation, seq.last_sequence};
  }
}

absl::StatusOr<std::optional<uint64_t>> ResultIngest::OnResults(const std::string& agent_id,
                                                                const SessionLink* link,
                                                                v1::ResultBatch* batch) {
  if (batch->results_size() > options_.max_results_per_batch) {
    return absl::InvalidArgumentError(absl::StrCat("results: batch of ", batch->results_size(),
                                                   " results exceeds the limit of ",
                                                   options_.max_results_per_batch));
  }
  const uint64_t sequence = batch->sequence();
  if (sequence == 0) {
    return absl::InvalidArgumentError("results.sequence: must start at 1");
  }
  const size_t reserved = static_cast<size_t>(batch->results_size());
  // Room first: a batch refused here is not counted, so its resend will be.
  if (sink_ != nullptr && !sink_->TryReserve(reserved)) {
    return absl::ResourceExhaustedError("the coordinator's write queue is full: resend later");
  }
  auto give_room_back = [&] {
    if (sink_ != nullptr) sink_->Enqueue(reserved, {}, {}, nullptr);
  };
  std::optional<AgentManager::Sender> sender = agents_->CurrentSender(agent_id, link);
  if (!sender.has_value()) {
    give_room_back();
    return absl::UnavailableError("agent is not registered on this stream");
  }
  bool resent = false;
  uint64_t previous = 0;
  {
    absl::MutexLock lock(&mu_);
    auto& [incarnation, last] = last_sequence_[agent_id];
    if (incarnation != sender->incarnation) {
      incarnation = sender->incarnation;
      last = 0;
    }
    previous = last;
    if (sequence <= last) {
      resent = true;
    } else {
      last = sequence;
    }
  }
  std::vector<v1::CheckResult> counted;
  if (resent) {
    // A resend of a counted batch: acknowledge it, after anything still
    // queued for it is durable.
    batches_resent_->Increment();
  } else {
    std::optional<std::vector<v1::CheckResult>> current =
        agents_->FilterCurrent(agent_id, link, batch->mutable_results());
    if (!current.has_value()) {
      // The stream ended meanwhile: forget the batch, so its resend counts.
      absl::MutexLock lock(&mu_);
      auto it = last_sequence_.find(agent_id);
      if (it != last_sequence_.end() && it->second.first == sender->incarnation &&
          it->second.second == sequence) {
        it->second.second = previous;
      }
      give_room_back();
      return absl::UnavailableError("agent is not registered on this stream");
    }
    counted = std::move(*current);
    for (v1::CheckResult& r : counted) {
      if (r.error_message().size() > options_.max_error_message_bytes) {
        r.mutable_error_message()->resize(options_.max_error_message_bytes);
      }
    }
  }
  results_counted_->Increment(counted.size());
  tracker_->Ingest(counted);
  if (sink_ == nullptr) return std::optional<uint64_t>(sequence);
  store::AgentSequence ack{agent_id, sender->incarnation, sequence};
  std::shared_ptr<SessionLink> reply_link = std::move(sender->link);
  sink_->Enqueue(reserved, std::move(counted), std::move(ack), [reply_link, sequence] {
    v1::CoordinatorMessage message;
    message.mutable_ack()->set_sequence(sequence);
    reply_link->Send(std::move(message));
  });
  return std::optional<uint64_t>();
}

}  // namespace uptime::coordinator
