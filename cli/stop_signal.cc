#include "cli/stop_signal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <thread>
#include <utility>

namespace uptime::cli {
namespace {

// The write end of the active SignalScope's pipe: all a handler may touch.
volatile sig_atomic_t g_signal_pipe = -1;

void RelaySignal(int) {
  const int saved_errno = errno;
  const char byte = 1;
  if (g_signal_pipe >= 0) (void)!write(g_signal_pipe, &byte, 1);
  errno = saved_errno;
}

}  // namespace

class StopSignal::SignalScope {
 public:
  explicit SignalScope(StopSignal* stop) {
    if (pipe2(fds_, O_CLOEXEC) != 0) return;  // no relay: signals keep their default
    g_signal_pipe = fds_[1];
    struct sigaction action = {};
    action.sa_handler = RelaySignal;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
    relay_ = std::thread([this, stop] {
      char byte = 0;
      while (true) {
        const ssize_t n = read(fds_[0], &byte, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || byte == 0) return;  // 0: the scope ends
        stop->Stop();
      }
    });
  }

  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;

  ~SignalScope() {
    if (!relay_.joinable()) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_signal_pipe = -1;
    const char end = 0;
    (void)!write(fds_[1], &end, 1);
    relay_.join();
    close(fds_[0]);
    close(fds_[1]);
  }

 private:
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ = {};
  struct sigaction old_term_ = {};
  std::thread relay_;
};

StopSignal::Registration::~Registration() { signal_->Remove(id_); }

void StopSignal::Stop() {
  // Callbacks run under the lock, so a Registration being destroyed waits
  // for its callback to finish instead of freeing what it touches.
  absl::MutexLock lock(&mu_);
  if (ran_) return;
  ran_ = true;
  stopped_.Notify();
  for (auto& [id, callback] : callbacks_) callback();
}

bool StopSignal::WaitFor(absl::Duration timeout) const {
  return stopped_.WaitForNotificationWithTimeout(timeout);
}

std::unique_ptr<StopSignal::Registration> StopSignal::OnStop(std::function<void()> callback) {
  absl::MutexLock lock(&mu_);
  if (ran_) callback();
  const int id = next_id_++;
  callbacks_[id] = std::move(callback);
  return std::make_unique<Registration>(this, id);
}

void StopSignal::Remove(int id) {
  absl::MutexLock lock(&mu_);
  callbacks_.erase(id);
}

std::shared_ptr<StopSignal::SignalScope> StopSignal::InstallSignalHandlers() {
  return std::make_shared<SignalScope>(this);
}

}  // namespace uptime::cli
