#include "gateway/stream_auth_watcher.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace uptime::gateway {

struct StreamAuthWatcher::State {
  Clock* clock = nullptr;
  absl::Duration period;
  Check check;

  mutable absl::Mutex mu;
  struct Stream {
    std::string authorization;
    std::weak_ptr<SseSink> sink;
  };
  std::map<uint64_t, Stream> streams ABSL_GUARDED_BY(mu);
  uint64_t next_id ABSL_GUARDED_BY(mu) = 1;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  bool sweeping ABSL_GUARDED_BY(mu) = false;
  std::optional<Clock::TimerId> timer ABSL_GUARDED_BY(mu);
};

StreamAuthWatcher::StreamAuthWatcher(Clock* clock, absl::Duration period, Check check)
    : state_(std::make_shared<State>()) {
  state_->clock = clock;
  // A zero period would make every sweep schedule the next one at once.
  state_->period = std::max(period, absl::Milliseconds(10));
  state_->check = std::move(check);
}

StreamAuthWatcher::~StreamAuthWatcher() {
  std::optional<Clock::TimerId> timer;
  {
    absl::MutexLock lock(&state_->mu);
    state_->stopping = true;
    timer = state_->timer;
    state_->timer.reset();
    // Never cancel while holding the lock: the clock may be running the
    // sweep, which takes it.
  }
  if (timer.has_value()) state_->clock->Cancel(*timer);
  absl::MutexLock lock(&state_->mu);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_->mu) { return !state_->sweeping; };
  state_->mu.Await(absl::Condition(&idle));
}

uint64_t StreamAuthWatcher::Add(std::string authorization, std::weak_ptr<SseSink> sink) {
  absl::MutexLock lock(&state_->mu);
  const uint64_t id = state_->next_id++;
  state_->streams[id] = State::Stream{std::move(authorization), std::move(sink)};
  ScheduleLocked(state_);
  return id;
}

void StreamAuthWatcher::Remove(uint64_t id) {
  absl::MutexLock lock(&state_->mu);
  state_->streams.erase(id);
}

size_t StreamAuthWatcher::streams() const {
  absl::MutexLock lock(&state_->mu);
  return state_->streams.size();
}

// Called with state->mu held. State is opaque in the header, so the
// requirement is asserted here rather than annotated on the declaration.
void StreamAuthWatcher::ScheduleLocked(const std::shared_ptr<State>& state) {
  state->mu.AssertHeld();
  if (state->stopping || state->timer.has_value() || state->streams.empty()) return;
  // ScheduleAt never runs `fn` inline, so holding the lock here is safe.
  state->timer = state->clock->ScheduleAt(state->clock->Now() + state->period,
                                          [state] { Sweep(state); });
}

void StreamAuthWatcher::Sweep(const std::shared_ptr<State>& state) {
  std::set<std::string> credentials;
  {
    absl::MutexLock lock(&state->mu);
    state->timer.reset();
    if (state->stopping) return;
    state->sweeping = true;
    for (const auto& [id, stream] : state->streams) credentials.insert(stream.authorization);
  }
  for (const std::string& authorization : credentials) {
    state->check(authorization, [state, authorization](absl::Status status) {
      const absl::StatusCode code = status.code();
      if (code != absl::StatusCode::kUnauthenticated &&
          code != absl::StatusCode::kPermissionDenied) {
        return;
      }
      std::vector<std::shared_ptr<SseSink>> refused;
      {
        absl::MutexLock lock(&state->mu);
        for (auto it = state->streams.begin(); it != state->streams.end();) {
          if (it->second.authorization != authorization) {
            ++it;
            continue;
          }
          if (std::shared_ptr<SseSink> sink = it->second.sink.lock()) {
            refused.push_back(std::move(sink));
          }
          it = state->streams.erase(it);
        }
      }
      // Outside the lock: a session's close detaches from the hub and from
      // here.
      for (const std::shared_ptr<SseSink>& sink : refused) sink->Disconnect();
    });
  }
  absl::MutexLock lock(&state->mu);
  state->sweeping = false;
  ScheduleLocked(state);
}

}  // namespace uptime::gateway
