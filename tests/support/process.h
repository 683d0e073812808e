// A child process owned by a test: started, signalled, stopped and always
// reaped, with its stdout and stderr captured in a log file.
//
// Each child runs in its own process group (so Kill() also reaches anything
// it forked) and gets PR_SET_PDEATHSIG(SIGKILL), so it dies with the test
// binary even when the test crashes. The death signal is tied to the thread
// that called Start(): start processes from a thread that outlives them
// (normally the test's main thread).
//
// Example:
//   absl::StatusOr<std::unique_ptr<Process>> agent = Process::Start(
//       BinaryPath("uptime-agent"), {"--coordinator", address});
//   ASSERT_TRUE(agent.ok()) << agent.status();
//   ASSERT_TRUE((*agent)->Signal(SIGSTOP).ok());  // simulate a hang
//   ASSERT_TRUE((*agent)->Kill().ok());           // simulate a crash
//
// Thread-safety: all methods may be called from any thread.

#ifndef UPTIME_TESTS_SUPPORT_PROCESS_H_
#define UPTIME_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/support/temp_dir.h"

namespace uptime::testing {

// Everything Process::Start can be told. Defined outside the class so it can
// be a default argument (GCC rejects nested structs with member initializers
// there).
struct ProcessOptions {
  // Path of the executable; without a '/', it is looked up in $PATH.
  std::string binary;
  // Arguments after argv[0] (argv[0] is `binary`).
  std::vector<std::string> args;
  // Added to (or replacing entries of) the test's own environment.
  std::vector<std::pair<std::string, std::string>> extra_env;
  // When set (and running as root), the child drops to this user: used for
  // PostgreSQL, which refuses to run as root.
  std::string run_as_user;
  // Working directory of the child; empty keeps the test's.
  std::string working_dir;
  // Where stdout+stderr go (appended). Empty: <fresh temp dir>/<name>.log.
  std::string log_path;
};

class Process {
 public:
  using Options = ProcessOptions;

  // Starts `binary` with `args` (not including argv[0]). Fails if the binary
  // cannot be executed; the error is reported here, not as an exit code.
  static absl::StatusOr<std::unique_ptr<Process>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::vector<std::pair<std::string, std::string>>& extra_env = {});
  static absl::StatusOr<std::unique_ptr<Process>> Start(
      const ProcessOptions& options);

  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  // Kills (SIGKILL to the process group) and reaps the child if it is still
  // there.
  ~Process();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  // The whole log so far (empty if it cannot be read).
  std::string ReadLog() const;

  // True until the child has exited. A SIGSTOPped child is still running.
  bool Running();

  // Sends `sig` to the child (not its group), e.g. SIGSTOP/SIGCONT/SIGHUP.
  // FailedPrecondition once the child has been reaped.
  absl::Status Signal(int sig);

  // SIGKILL to the whole process group, then reaps. OK if already exited.
  absl::Status Kill();

  // SIGTERM (and SIGCONT, in case it is stopped), waits up to `grace`, then
  // SIGKILL. Returns the exit code as a
  // shell reports it: the exit status, or 128+signal if killed by a signal
  // (143 for SIGTERM, 137 for SIGKILL).
  absl::StatusOr<int> Stop(absl::Duration grace = absl::Seconds(5));

  // Waits up to `timeout` for the child to exit on its own and returns its
  // exit code as Stop() does; DeadlineExceeded if it is still running.
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  Process(pid_t pid, std::string log_path, std::optional<TempDir> log_dir)
      : pid_(pid),
        log_path_(std::move(log_path)),
        log_dir_(std::move(log_dir)) {}

  // Reaps the child if it has exited; returns its exit code if reaped.
  std::optional<int> PollLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const pid_t pid_;
  const std::string log_path_;
  absl::Mutex mu_;
  std::optional<int> exit_code_ ABSL_GUARDED_BY(mu_);
  // Declared last: destroyed after the child is gone.
  std::optional<TempDir> log_dir_;
};

// Path of one of the project's binaries: $UPTIME_BINARY_DIR/name when that
// environment variable is set, else the UPTIME_BINARY_DIR compile definition
// of this library, else ./name.
std::string BinaryPath(absl::string_view name);

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_PROCESS_H_
