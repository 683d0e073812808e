#include "bench/agent/stand_in_coordinator.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"

namespace uptime::bench {

class StandInCoordinator::Service final : public v1::AgentService::Service {
 public:
  explicit Service(StandInCoordinator* owner) : owner_(owner) {}
  grpc::Status Connect(grpc::ServerContext* context, Stream* stream) override {
    return owner_->Connect(context, stream);
  }

 private:
  StandInCoordinator* const owner_;
};

StandInCoordinator::StandInCoordinator(std::string token) : token_(std::move(token)) {}

absl::StatusOr<std::unique_ptr<StandInCoordinator>> StandInCoordinator::Start(std::string token) {
  std::unique_ptr<StandInCoordinator> c(new StandInCoordinator(std::move(token)));
  c->service_ = std::make_unique<Service>(c.get());
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &c->port_);
  builder.RegisterService(c->service_.get());
  c->server_ = builder.BuildAndStart();
  if (!c->server_ || c->port_ == 0) {
    return absl::UnavailableError("stand-in coordinator: cannot listen on 127.0.0.1");
  }
  return c;
}

StandInCoordinator::~StandInCoordinator() {
  // Ends the handler before any member it uses goes.
  if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

bool StandInCoordinator::Write(Stream* stream, const v1::CoordinatorMessage& message) {
  absl::MutexLock lock(&write_mu_);
  return stream->Write(message);
}

grpc::Status StandInCoordinator::Connect(grpc::ServerContext* context, Stream* stream) {
  const auto& md = context->client_metadata();
  auto auth = md.find("authorization");
  if (auth == md.end() ||
      std::string(auth->second.data(), auth->second.size()) != absl::StrCat("Bearer ", token_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token");
  }
  v1::AgentMessage msg;
  if (!stream->Read(&msg) || !msg.has_hello()) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "Hello first");
  }
  v1::CoordinatorMessage hello_answer;
  hello_answer.mutable_assignment()->set_full(true);
  hello_answer.mutable_assignment()->set_heartbeat_interval_ms(1000);
  Write(stream, hello_answer);
  {
    absl::MutexLock lock(&mu_);
    stream_ = stream;
  }
  v1::CoordinatorMessage ack;
  while (stream->Read(&msg)) {
    if (msg.has_results()) {
      {
        absl::MutexLock lock(&mu_);
        Count(msg.results());
      }
      ack.mutable_ack()->set_sequence(msg.results().sequence());
      Write(stream, ack);
    } else if (msg.has_goodbye()) {
      // As the real coordinator: take every monitor away, then Drain.
      v1::CoordinatorMessage removal;
      removal.mutable_assignment()->set_full(true);
      Write(stream, removal);
      v1::CoordinatorMessage drain;
      drain.mutable_drain()->set_reason("benchmark over");
      Write(stream, drain);
    }
  }
  absl::MutexLock lock(&mu_);
  stream_ = nullptr;
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return assigning_ == 0; };
  mu_.Await(absl::Condition(&idle));
  return grpc::Status::OK;
}

void StandInCoordinator::Count(const v1::ResultBatch& batch) {
  for (const v1::CheckResult& r : batch.results()) {
    ++received_;
    latest_start_us_ = std::max(latest_start_us_, r.start_time_us());
    if (r.start_time_us() < window_begin_us_ || r.start_time_us() >= window_end_us_) continue;
    ++window_.checks;
    window_.lateness_us.push_back(r.start_time_us() - r.scheduled_time_us());
    if (!r.success()) {
      if (window_.failures++ == 0) window_.first_error = r.error_message();
    }
  }
}

bool StandInCoordinator::WaitForAgent(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto connected = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stream_ != nullptr; };
  return mu_.AwaitWithTimeout(absl::Condition(&connected), timeout);
}

absl::Status StandInCoordinator::Assign(const std::vector<v1::AssignedMonitor>& monitors,
                                        size_t chunk) {
  Stream* stream;
  {
    absl::MutexLock lock(&mu_);
    stream = stream_;
    if (stream == nullptr) return absl::FailedPreconditionError("no agent connected");
    ++assigning_;
  }
  absl::Status status = absl::OkStatus();
  for (size_t i = 0; i < monitors.size(); i += chunk) {
    v1::CoordinatorMessage update;
    update.mutable_assignment()->set_full(false);
    const size_t end = std::min(monitors.size(), i + chunk);
    for (size_t j = i; j < end; ++j) *update.mutable_assignment()->add_upserts() = monitors[j];
    if (!Write(stream, update)) {
      status = absl::UnavailableError("agent stream closed");
      break;
    }
  }
  absl::MutexLock lock(&mu_);
  --assigning_;
  return status;
}

void StandInCoordinator::SetWindow(absl::Time begin, absl::Time end) {
  absl::MutexLock lock(&mu_);
  window_begin_us_ = absl::ToUnixMicros(begin);
  window_end_us_ = absl::ToUnixMicros(end);
  window_ = WindowResults();
}

bool StandInCoordinator::WaitForResultsAfter(absl::Time t, absl::Duration timeout) {
  const int64_t t_us = absl::ToUnixMicros(t);
  absl::MutexLock lock(&mu_);
  auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return latest_start_us_ >= t_us; };
  return mu_.AwaitWithTimeout(absl::Condition(&seen), timeout);
}

WindowResults StandInCoordinator::TakeWindow() {
  absl::MutexLock lock(&mu_);
  WindowResults out = std::move(window_);
  window_ = WindowResults();
  window_end_us_ = window_begin_us_;  // counts nothing more
  std::sort(out.lateness_us.begin(), out.lateness_us.end());
  return out;
}

int64_t StandInCoordinator::results_received() {
  absl::MutexLock lock(&mu_);
  return received_;
}

}  // namespace uptime::bench
