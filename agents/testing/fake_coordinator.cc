#include "agents/testing/fake_coordinator.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace uptime::agent {

class FakeCoordinator::Service final : public v1::AgentService::Service {
 public:
  explicit Service(FakeCoordinator* owner) : owner_(owner) {}
  grpc::Status Connect(grpc::ServerContext* context, Stream* stream) override {
    return owner_->Connect(context, stream);
  }

 private:
  FakeCoordinator* const owner_;
};

// The current stream, held for writing from a thread other than its
// handler's: while a lease is held, the handler does not return, so the
// stream stays valid even after the agent went away.
class FakeCoordinator::WriteLease {
 public:
  explicit WriteLease(FakeCoordinator* owner) : owner_(owner) {
    absl::MutexLock lock(&owner_->mu_);
    stream_ = owner_->stream_;
    if (stream_ != nullptr) ++owner_->writers_[stream_];
  }
  ~WriteLease() {
    if (stream_ == nullptr) return;
    absl::MutexLock lock(&owner_->mu_);
    auto it = owner_->writers_.find(stream_);
    if (--it->second == 0) owner_->writers_.erase(it);
  }
  WriteLease(const WriteLease&) = delete;
  WriteLease& operator=(const WriteLease&) = delete;

  // Null when no agent is connected.
  Stream* stream() const { return stream_; }

 private:
  FakeCoordinator* const owner_;
  Stream* stream_ = nullptr;
};

FakeCoordinator::FakeCoordinator(FakeCoordinatorOptions options)
    : options_(std::move(options)), service_(std::make_unique<Service>(this)) {}

absl::StatusOr<std::unique_ptr<FakeCoordinator>> FakeCoordinator::Start(
    FakeCoordinatorOptions options) {
  const int port = options.port;
  std::unique_ptr<FakeCoordinator> fake(new FakeCoordinator(std::move(options)));
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                           &fake->port_);
  builder.RegisterService(fake->service_.get());
  fake->server_ = builder.BuildAndStart();
  if (!fake->server_ || fake->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("fake coordinator: cannot listen on 127.0.0.1:", port));
  }
  return fake;
}

std::unique_ptr<FakeCoordinator> FakeCoordinator::Start(int port, bool auto_ack,
                                                        std::vector<v1::AssignedMonitor> monitors) {
  FakeCoordinatorOptions options;
  options.port = port;
  options.auto_ack = auto_ack;
  options.monitors = std::move(monitors);
  if (options.monitors.empty()) options.monitors.emplace_back().mutable_monitor()->set_id("m1");
  auto fake = Start(std::move(options));
  return fake.ok() ? *std::move(fake) : nullptr;
}

// Stops the server before any member goes, so no handler runs on a
// half-destroyed fake.
FakeCoordinator::~FakeCoordinator() { Kill(); }

void FakeCoordinator::Kill() {
  // A deadline of now cancels every stream; Shutdown still waits for the
  // handlers to return, and they wait for their write leases, whose writes
  // fail fast on a cancelled stream.
  if (server_) server_->Shutdown(std::chrono::system_clock::now());
  server_.reset();
}

bool FakeCoordinator::Write(Stream* stream, const v1::CoordinatorMessage& msg) {
  absl::MutexLock lock(&write_mu_);
  return stream->Write(msg);
}

grpc::Status FakeCoordinator::Connect(grpc::ServerContext* context, Stream* stream) {
  const auto& metadata = context->client_metadata();
  auto auth = metadata.find("authorization");
  if (auth == metadata.end() || std::string(auth->second.data(), auth->second.size()) !=
                                    absl::StrCat("Bearer ", options_.token)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token");
  }
  v1::AgentMessage msg;
  if (!stream->Read(&msg) || !msg.has_hello()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "Hello first");
  }
  v1::CoordinatorMessage full;
  full.mutable_assignment()->set_full(true);
  full.mutable_assignment()->set_heartbeat_interval_ms(
      static_cast<int32_t>(absl::ToInt64Milliseconds(options_.heartbeat_interval)));
  for (const auto& m : options_.monitors) *full.mutable_assignment()->add_upserts() = m;
  // Written before the stream is published: as on the real coordinator,
  // whatever Assign() or Send() write comes after the full assignment.
  Write(stream, full);
  {
    absl::MutexLock lock(&mu_);
    // Recorded with the stream published, so a test that saw the Hello can
    // Send() at once.
    hellos_.push_back(msg.hello());
    NoteAssignment(full.assignment());
    stream_ = stream;
  }

  v1::CoordinatorMessage ack;
  while (stream->Read(&msg)) {
    if (msg.has_results()) {
      {
        // Recorded before the ack goes out: a test that saw the agent get
        // its ack finds the batch here.
        absl::MutexLock lock(&mu_);
        Count(msg.results());
        if (options_.record_batches) batches_.push_back(msg.results());
      }
      if (options_.auto_ack) {
        ack.mutable_ack()->set_sequence(msg.results().sequence());
        Write(stream, ack);
      }
    } else if (msg.has_heartbeat()) {
      absl::MutexLock lock(&mu_);
      heartbeats_.push_back(msg.heartbeat());
    } else if (msg.has_goodbye()) {
      {
        absl::MutexLock lock(&mu_);
        goodbyes_.push_back({msg.goodbye(), absl::Now()});
      }
      AnswerGoodbye(stream);
    }
  }

  absl::MutexLock lock(&mu_);
  // A reconnected agent's newer stream may already have taken the place.
  if (stream_ == stream) stream_ = nullptr;
  auto idle = [this, stream]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !writers_.contains(stream);
  };
  mu_.Await(absl::Condition(&idle));
  return grpc::Status::OK;
}

void FakeCoordinator::AnswerGoodbye(Stream* stream) {
  bool answer;
  absl::Duration delay;
  std::vector<std::string> ids;
  {
    absl::MutexLock lock(&mu_);
    answer = answer_goodbye_;
    delay = goodbye_delay_;
    if (answer) ids.assign(assigned_ids_.begin(), assigned_ids_.end());
  }
  if (!answer) return;
  // Stands for the time the real coordinator takes to move the monitors.
  // The handler reads nothing meanwhile, but the agent keeps checking and
  // sending (gRPC buffers), and the getters stay free to answer.
  absl::SleepFor(delay);
  // As the real coordinator: take each monitor away (in chunks, for the
  // message limit), then Drain on the same stream.
  size_t i = 0;
  do {
    v1::CoordinatorMessage removal;
    removal.mutable_assignment()->set_full(false);
    const size_t end = std::min(ids.size(), i + kDefaultChunk);
    for (; i < end; ++i) removal.mutable_assignment()->add_removed_ids(ids[i]);
    {
      absl::MutexLock lock(&mu_);
      NoteAssignment(removal.assignment());
    }
    if (!Write(stream, removal)) return;
  } while (i < ids.size());
  v1::CoordinatorMessage drain;
  drain.mutable_drain()->set_reason("monitors moved");
  Write(stream, drain);
}

void FakeCoordinator::NoteAssignment(const v1::Assignment& assignment) {
  if (assignment.full()) assigned_ids_.clear();
  for (const auto& id : assignment.removed_ids()) assigned_ids_.erase(id);
  for (const auto& m : assignment.upserts()) assigned_ids_.insert(m.monitor().id());
}

void FakeCoordinator::Count(const v1::ResultBatch& batch) {
  for (const v1::CheckResult& r : batch.results()) {
    ++received_;
    latest_start_us_ = std::max(latest_start_us_, r.start_time_us());
    if (r.start_time_us() < window_begin_us_ || r.start_time_us() >= window_end_us_) continue;
    ++window_.checks;
    window_.lateness_us.push_back(r.start_time_us() - r.scheduled_time_us());
    if (!r.success() && window_.failures++ == 0) window_.first_error = r.error_message();
  }
}

bool FakeCoordinator::Send(const v1::CoordinatorMessage& msg) {
  WriteLease lease(this);
  if (lease.stream() == nullptr) return false;
  if (msg.has_assignment()) {
    absl::MutexLock lock(&mu_);
    NoteAssignment(msg.assignment());
  }
  return Write(lease.stream(), msg);
}

absl::Status FakeCoordinator::Assign(const std::vector<v1::AssignedMonitor>& monitors,
                                     size_t chunk) {
  if (chunk == 0) return absl::InvalidArgumentError("chunk must be positive");
  WriteLease lease(this);
  if (lease.stream() == nullptr) return absl::FailedPreconditionError("no agent connected");
  for (size_t i = 0; i < monitors.size(); i += chunk) {
    v1::CoordinatorMessage update;
    update.mutable_assignment()->set_full(false);
    const size_t end = std::min(monitors.size(), i + chunk);
    for (size_t j = i; j < end; ++j) *update.mutable_assignment()->add_upserts() = monitors[j];
    {
      absl::MutexLock lock(&mu_);
      NoteAssignment(update.assignment());
    }
    if (!Write(lease.stream(), update)) return absl::UnavailableError("agent stream closed");
  }
  return absl::OkStatus();
}

bool FakeCoordinator::WaitForAgent(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto connected = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stream_ != nullptr; };
  return mu_.AwaitWithTimeout(absl::Condition(&connected), timeout);
}

bool FakeCoordinator::streaming() {
  absl::MutexLock lock(&mu_);
  return stream_ != nullptr;
}

void FakeCoordinator::set_answer_goodbye(bool answer, absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  answer_goodbye_ = answer;
  goodbye_delay_ = delay;
}

std::vector<v1::Hello> FakeCoordinator::hellos() {
  absl::MutexLock lock(&mu_);
  return hellos_;
}

std::vector<v1::ResultBatch> FakeCoordinator::batches() {
  absl::MutexLock lock(&mu_);
  return batches_;
}

std::vector<v1::Heartbeat> FakeCoordinator::heartbeats() {
  absl::MutexLock lock(&mu_);
  return heartbeats_;
}

std::vector<std::pair<v1::Goodbye, absl::Time>> FakeCoordinator::goodbyes() {
  absl::MutexLock lock(&mu_);
  return goodbyes_;
}

int64_t FakeCoordinator::results_received() {
  absl::MutexLock lock(&mu_);
  return received_;
}

void FakeCoordinator::SetWindow(absl::Time begin, absl::Time end) {
  absl::MutexLock lock(&mu_);
  window_begin_us_ = absl::ToUnixMicros(begin);
  window_end_us_ = absl::ToUnixMicros(end);
  window_ = WindowResults();
}

bool FakeCoordinator::WaitForResultsAfter(absl::Time t, absl::Duration timeout) {
  const int64_t t_us = absl::ToUnixMicros(t);
  absl::MutexLock lock(&mu_);
  auto seen = [this, t_us]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return latest_start_us_ >= t_us; };
  return mu_.AwaitWithTimeout(absl::Condition(&seen), timeout);
}

FakeCoordinator::WindowResults FakeCoordinator::TakeWindow() {
  absl::MutexLock lock(&mu_);
  WindowResults out = std::move(window_);
  window_ = WindowResults();
  window_end_us_ = window_begin_us_;  // counts nothing more
  std::sort(out.lateness_us.begin(), out.lateness_us.end());
  return out;
}

}  // namespace uptime::agent
