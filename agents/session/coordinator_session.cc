#include "agents/session/coordinator_session.h"

#include <algorithm>
#include <optional>
#include <random>
#include <utility>

#include "absl/strings/str_format.h"
#include "common/auth.h"
#include "common/config.h"
#include "spdlog/spdlog.h"

namespace uptime::agent {
namespace {

// After a Drain, how long to wait for the acks of the flushed results
// before closing the stream anyway (they are resent on the next one).
constexpr absl::Duration kDrainAckWait = absl::Seconds(2);

// A stream that lived this long counts as healthy (resets the backoff).
constexpr absl::Duration kHealthyStream = absl::Seconds(1);

// How long the reader waits for the writer to notice the end of a stream
// before cancelling the call to unblock it.
constexpr absl::Duration kWriterExitWait = absl::Seconds(1);

using Stream = grpc::ClientReaderWriter<v1::AgentMessage, v1::CoordinatorMessage>;

}  // namespace

std::string NewIncarnation() {
  std::random_device rd;
  const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return absl::StrFormat("%016x", v);
}

CoordinatorSession::CoordinatorSession(SessionOptions options)
    : options_(std::move(options)),
      buffer_(options_.buffer),
      heartbeat_(options_.default_heartbeat) {}

CoordinatorSession::~CoordinatorSession() { Shutdown(absl::ZeroDuration()); }

void CoordinatorSession::Start(CheckRunner* runner) {
  runner_ = runner;
  thread_ = std::thread([this] { RunConnections(); });
}

void CoordinatorSession::OnResults(std::vector<v1::CheckResult> results) {
  absl::MutexLock lock(&mu_);
  buffer_.Add(std::move(results), absl::Now());
}

SessionStats CoordinatorSession::stats() const {
  absl::MutexLock lock(&mu_);
  SessionStats s;
  s.connected = connected_;
  s.connects = connects_;
  s.last_sequence = buffer_.last_sequence();
  s.acked_sequence = buffer_.acked_sequence();
  s.unacked_batches = buffer_.unacked_batches();
  s.buffered_results = buffer_.buffered_results();
  s.dropped_results = buffer_.dropped_results();
  return s;
}

void CoordinatorSession::RunConnections() {
  while (true) {
    const bool healthy = RunStream();
    absl::MutexLock lock(&mu_);
    // After our Goodbye was answered with Drain, a new stream would only say
    // Hello and win monitors back: wait for Shutdown() instead.
    if (goodbye_drained_) mu_.Await(absl::Condition(&stopped_));
    if (stopped_) return;
    if (healthy) failures_ = 0;
    const absl::Duration delay = NextBackoff();
    mu_.AwaitWithTimeout(absl::Condition(&stopped_), delay);
    if (stopped_) return;
  }
}

// Exponential from min_backoff, capped at max_backoff, with "equal jitter"
// (half fixed, half random) so agents that lost the same coordinator do not
// all come back in the same instant.
absl::Duration CoordinatorSession::NextBackoff() {
  absl::Duration base = options_.min_backoff;
  for (int i = 0; i < failures_ && base < options_.max_backoff; ++i) base *= 2;
  base = std::min(base, options_.max_backoff);
  ++failures_;
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  return base * jitter(rng);
}

bool CoordinatorSession::RunStream() {
  grpc::ClientContext context;
  AttachToken(&context, options_.token);
  uint64_t id;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return false;
    context_ = &context;
    id = ++stream_id_;
    stream_open_ = true;
    draining_ = false;
    buffer_.RewindForResend();
  }
  // A new channel per stream: a channel that failed keeps its own reconnect
  // backoff (fail-fast calls fail until it expires, up to minutes), which
  // would override ours; a fresh one connects at once and re-resolves the
  // coordinator's name (a new pod IP after a restart).
  // (Subchannels, which hold that backoff, are shared between channels
  // unless each channel has its own pool.)
  grpc::ChannelArguments args = options_.channel_args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel(options_.coordinator, options_.credentials, args);
  std::unique_ptr<v1::AgentService::Stub> stub = v1::AgentService::NewStub(channel);
  const absl::Time opened = absl::Now();
  std::unique_ptr<Stream> stream = stub->Connect(&context);
  bool writer_done = false;  // guarded by mu_
  std::thread writer([&] {
    WriteLoop(stream.get(), &context, id);
    absl::MutexLock lock(&mu_);
    writer_done = true;
  });

  bool answered = false;
  v1::CoordinatorMessage message;
  while (stream->Read(&message)) {
    if (!answered) {
      answered = true;
      absl::MutexLock lock(&mu_);
      connected_ = true;
      ++connects_;
      spdlog::info("connected to coordinator {} (agent {}, incarnation {})", options_.coordinator,
                   options_.identity.agent_id, options_.incarnation);
    }
    Handle(message);
  }

  bool was_connected;
  int failures;
  bool writer_exited;
  {
    absl::MutexLock lock(&mu_);
    stream_open_ = false;  // wakes the writer
    context_ = nullptr;
    was_connected = connected_;
    connected_ = false;
    failures = failures_;
    // The call has ended, so a pending Write fails at once; wait briefly so
    // Finish() reports the real status rather than our own cancellation.
    writer_exited = mu_.AwaitWithTimeout(absl::Condition(&writer_done), kWriterExitWait);
  }
  // Unblocks a Write that is somehow still stuck.
  if (!writer_exited) context.TryCancel();
  writer.join();
  const grpc::Status status = stream->Finish();
  if (was_connected) {
    spdlog::warn("disconnected from coordinator {}: {} {}", options_.coordinator,
                 static_cast<int>(status.error_code()), status.error_message());
  } else {
    // Rate-limited: a coordinator that stays down must not flood the log.
    const auto level = failures == 0 || failures % 10 == 0 ? spdlog::level::warn
                                                            : spdlog::level::debug;
    spdlog::log(level, "cannot connect to coordinator {}: {} {} (attempt {})",
                options_.coordinator, static_cast<int>(status.error_code()),
                status.error_message(), failures + 1);
  }
  // A coordinator that answers and then drops the stream at once must not
  // get a reconnect every 100 ms: only a stream that lasted resets backoff.
  return answered && absl::Now() - opened >= kHealthyStream;
}

void CoordinatorSession::Handle(v1::CoordinatorMessage& message) {
  switch (message.kind_case()) {
    case v1::CoordinatorMessage::kAssignment:
      HandleAssignment(*message.mutable_assignment());
      // Read() would keep the emptied monitor objects for reuse; a big
      // assignment is rare, so give its memory back instead.
      message = v1::CoordinatorMessage();
      break;
    case v1::CoordinatorMessage::kAck: {
      absl::MutexLock lock(&mu_);
      buffer_.Ack(message.ack().sequence());
      break;
    }
    case v1::CoordinatorMessage::kDrain: {
      spdlog::info("coordinator asks to drain: {}", message.drain().reason());
      {
        absl::MutexLock lock(&mu_);
        if (leaving_) {
          // The answer to our Goodbye: the monitors live elsewhere now.
          // Shutdown() flushes and closes; the stream must stay open for it
          // (checks still running report on it), so no draining_ here.
          goodbye_drained_ = true;
        } else {
          draining_ = true;
          drain_deadline_ = absl::Now() + kDrainAckWait;
        }
      }
      if (absl::Status s = runner_->ReplaceAll({}); !s.ok()) {
        spdlog::error("cannot stop checks for drain: {}", s.ToString());
      }
      break;
    }
    default:
      spdlog::debug("ignoring unknown coordinator message");
  }
}

void CoordinatorSession::HandleAssignment(v1::Assignment& assignment) {
  {
    absl::MutexLock lock(&mu_);
    if (closing_ || draining_) return;  // checks are being wound down
    if (assignment.heartbeat_interval_ms() > 0) {
      const absl::Duration interval = absl::Milliseconds(assignment.heartbeat_interval_ms());
      if (interval != heartbeat_) {
        heartbeat_ = interval;
        ++heartbeat_changes_;  // wakes the writer to re-plan its next heartbeat
      }
    }
  }
  std::vector<v1::AssignedMonitor> upserts;
  upserts.reserve(static_cast<size_t>(assignment.upserts_size()));
  // Moving a message without an arena swaps its fields: no copy.
  for (v1::AssignedMonitor& m : *assignment.mutable_upserts()) upserts.push_back(std::move(m));
  absl::Status s;
  if (assignment.full()) {
    spdlog::info("assignment: {} monitors", upserts.size());
    s = runner_->ReplaceAll(std::move(upserts));
  } else {
    spdlog::info("assignment update: {} upserted, {} removed", upserts.size(),
                 assignment.removed_ids_size());
    s = runner_->Apply(std::move(upserts), std::vector<std::string>(
                                               assignment.removed_ids().begin(),
                                               assignment.removed_ids().end()));
  }
  if (!s.ok()) {
    // The agent's set no longer matches the coordinator's: reconnect, which
    // brings a full assignment.
    spdlog::error("cannot apply assignment: {}; reconnecting", s.ToString());
    absl::MutexLock lock(&mu_);
    if (context_ != nullptr) context_->TryCancel();
  }
}

v1::AgentMessage CoordinatorSession::MakeHeartbeat(absl::Time now,
                                                   const CheckRunnerStats& runner) {
  v1::AgentMessage msg;
  v1::Heartbeat* hb = msg.mutable_heartbeat();
  hb->set_in_flight(static_cast<int32_t>(runner.in_flight));
  hb->set_unacked_batches(static_cast<int32_t>(buffer_.unacked_batches()));
  const double seconds = absl::ToDoubleSeconds(now - hb_time_);
  if (seconds > 0 && hb_time_ != absl::InfinitePast()) {
    hb->set_checks_per_second(static_cast<double>(runner.completed - hb_completed_) / seconds);
  }
  hb->set_dropped_results(buffer_.dropped_results());
  hb->set_overruns(runner.overruns);
  hb_completed_ = runner.completed;
  hb_time_ = now;
  return msg;
}

void CoordinatorSession::WriteLoop(Stream* stream, grpc::ClientContext* context,
                                   uint64_t stream_id) {
  v1::AgentMessage hello_msg;
  v1::Hello* hello = hello_msg.mutable_hello();
  hello->set_agent_id(options_.identity.agent_id);
  hello->set_incarnation(options_.incarnation);
  for (const auto& [k, v] : options_.identity.labels) (*hello->mutable_labels())[k] = v;
  hello->set_capacity(options_.capacity);
  hello->set_version(std::string(Version()));
  hello->set_protocol_version(v1::PROTOCOL_VERSION_1);
  if (!stream->Write(hello_msg)) return;  // the reader sees the failure too

  // Due at last + heartbeat_ (read each time: an Assignment may change it).
  absl::Time last_heartbeat = absl::Now();
  int64_t heartbeat_changes_seen = -1;
  while (true) {
    std::vector<ResultBuffer::Message> out;
    bool heartbeat_due = false;
    bool close_now = false;
    bool send_goodbye = false;
    v1::AgentMessage goodbye;
    {
      absl::MutexLock lock(&mu_);
      auto wake = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !stream_open_ || goodbye_pending_ || buffer_.HasUnsent() ||
               heartbeat_changes_ != heartbeat_changes_seen ||
               ((draining_ || closing_) && buffer_.pending_results() > 0) ||
               (draining_ && buffer_.unacked_batches() == 0);
      };
      const absl::Time next_heartbeat = last_heartbeat + heartbeat_;
      absl::Time deadline = next_heartbeat;
      if (auto flush = buffer_.FlushDeadline()) deadline = std::min(deadline, *flush);
      if (draining_) deadline = std::min(deadline, drain_deadline_);
      mu_.AwaitWithDeadline(absl::Condition(&wake), deadline);
      heartbeat_changes_seen = heartbeat_changes_;
      if (!stream_open_ || stream_id_ != stream_id) return;
      const absl::Time now = absl::Now();
      // Results first: they are older than the Goodbye.
      buffer_.Flush(now, draining_ || closing_ || leaving_);
      out = buffer_.TakeUnsent();
      if (goodbye_pending_) {
        goodbye_pending_ = false;
        send_goodbye = true;
        goodbye.mutable_goodbye()->set_reason(goodbye_reason_);
      }
      if (now >= next_heartbeat) {
        heartbeat_due = true;
        last_heartbeat = now;
      }
      close_now = draining_ && buffer_.pending_results() == 0 &&
                  (buffer_.unacked_batches() == 0 || now >= drain_deadline_);
    }
    for (const ResultBuffer::Message& m : out) {
      if (!stream->Write(*m)) return;
    }
    if (send_goodbye) {
      spdlog::info("saying goodbye to coordinator {}", options_.coordinator);
      if (!stream->Write(goodbye)) return;
    }
    if (heartbeat_due) {
      const CheckRunnerStats runner_stats = runner_->stats();  // outside mu_
      v1::AgentMessage heartbeat;
      {
        absl::MutexLock lock(&mu_);
        heartbeat = MakeHeartbeat(absl::Now(), runner_stats);
      }
      if (!stream->Write(heartbeat)) return;
    }
    if (close_now) {
      spdlog::info("drained: closing the stream to coordinator {}", options_.coordinator);
      context->TryCancel();
      return;
    }
  }
}

void CoordinatorSession::Shutdown(absl::Duration grace, std::string reason) {
  {
    absl::MutexLock lock(&mu_);
    if (closing_ || leaving_) {
      // Someone else shuts down; wait for them to finish.
      mu_.Await(absl::Condition(&shutdown_done_));
      return;
    }
    leaving_ = true;
    if (connected_ && grace > absl::ZeroDuration()) {
      // Phase 1: checks go on (assignments still apply: the removals) until
      // Drain, the stream breaks, or the grace runs out.
      goodbye_reason_ = std::move(reason);
      goodbye_pending_ = true;
      auto answered = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return goodbye_drained_ || !connected_;
      };
      if (!mu_.AwaitWithTimeout(absl::Condition(&answered), grace)) {
        spdlog::warn("coordinator did not answer Goodbye within {}; stopping checks anyway",
                     absl::FormatDuration(grace));
      }
    }
    closing_ = true;
  }
  const absl::Time deadline = absl::Now() + grace;
  if (runner_ != nullptr) {
    if (absl::Status s = runner_->ReplaceAll({}); !s.ok()) {
      spdlog::debug("stopping checks: {}", s.ToString());
    }
    // Half the grace for checks to end, the rest (at least) for the acks.
    runner_->WaitIdle(std::max(absl::ZeroDuration(), (deadline - absl::Now()) / 2));
  }
  {
    absl::MutexLock lock(&mu_);
    auto all_acked = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return buffer_.empty(); };
    if (runner_ != nullptr) mu_.AwaitWithDeadline(absl::Condition(&all_acked), deadline);
    if (!buffer_.empty()) {
      spdlog::warn("shutting down with {} results not acknowledged by the coordinator",
                   buffer_.buffered_results());
    }
    stopped_ = true;
    // The context lives until RunStream() clears context_ under mu_, so
    // cancelling it here is safe; TryCancel does not block.
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  shutdown_done_ = true;
}

}  // namespace uptime::agent
