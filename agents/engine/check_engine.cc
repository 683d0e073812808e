#include "agents/engine/check_engine.h"

#include <curl/curl.h>
#include <signal.h>

#include <mutex>
#include <utility>

#include "agents/engine/check_engine_loop.h"

namespace uptime::agent {
namespace {

constexpr absl::Duration kEnqueueTimeout = absl::Seconds(5);

// Process-wide setup that must happen before any curl use and before
// threads multiply: curl's global init, and ignoring SIGPIPE, which a peer
// closing a TLS connection can raise inside OpenSSL's write() and which
// would otherwise kill the agent (curl only guards it without NOSIGNAL).
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
  });
}

}  // namespace

absl::StatusOr<std::unique_ptr<CheckEngine>> CheckEngine::Create(CheckEngineOptions options,
                                                                ResultCallback on_results) {
  GlobalInit();
  if (options.max_concurrency < 1) {
    return absl::InvalidArgumentError("max_concurrency must be at least 1");
  }
  std::unique_ptr<CheckEngine> engine(new CheckEngine(std::move(options), std::move(on_results)));
  engine->loop_ = std::make_unique<Loop>(engine.get());
  if (absl::Status s = engine->loop_->Init(); !s.ok()) return s;
  return engine;
}

CheckEngine::CheckEngine(CheckEngineOptions options, ResultCallback on_results)
    : options_(std::move(options)), on_results_(std::move(on_results)) {}

CheckEngine::~CheckEngine() { Stop(); }

void CheckEngine::Start() {
  thread_ = std::thread([this] { loop_->Run(); });
}

void CheckEngine::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (loop_) loop_->Wake();
  if (thread_.joinable()) thread_.join();
}

absl::Status CheckEngine::Enqueue(Command command) {
  auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || queue_.size() < options_.queue_capacity;
  };
  {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(&has_room), kEnqueueTimeout)) {
      return absl::UnavailableError("check engine queue is full");
    }
    if (stopping_) return absl::UnavailableError("check engine is stopped");
    queue_.push_back(std::move(command));
    queued_.fetch_add(1);
  }
  loop_->Wake();
  return absl::OkStatus();
}

absl::Status CheckEngine::ReplaceAll(std::vector<v1::AssignedMonitor> monitors) {
  return Enqueue(ReplaceCmd{std::move(monitors)});
}

absl::Status CheckEngine::Apply(std::vector<v1::AssignedMonitor> upserts,
                                std::vector<std::string> removed_ids) {
  return Enqueue(ApplyCmd{std::move(upserts), std::move(removed_ids)});
}

absl::Status CheckEngine::RunOnce(v1::AssignedMonitor monitor) {
  return Enqueue(RunOnceCmd{std::move(monitor)});
}

bool CheckEngine::WaitIdle(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (queued_.load() > 0 || in_flight_.load() > 0) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

CheckEngineStats CheckEngine::stats() const {
  CheckEngineStats s;
  s.monitors = monitors_.load(std::memory_order_relaxed);
  s.in_flight = in_flight_.load(std::memory_order_relaxed);
  s.started = started_.load(std::memory_order_relaxed);
  s.completed = completed_.load(std::memory_order_relaxed);
  s.overruns = overruns_.load(std::memory_order_relaxed);
  s.skipped = skipped_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace uptime::agent
