#include "tests/support/process.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

extern char** environ;

namespace uptime::testing {
namespace {

absl::Status ErrnoStatus(absl::string_view what, int err) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(err)));
}

// Resolved before fork(): the child may only call async-signal-safe
// functions, and a PATH search allocates.
absl::StatusOr<std::string> ResolveBinary(const std::string& binary) {
  if (binary.empty()) return absl::InvalidArgumentError("empty binary");
  if (binary.find('/') != std::string::npos) {
    if (::access(binary.c_str(), X_OK) != 0) {
      return ErrnoStatus(absl::StrCat("cannot execute ", binary), errno);
    }
    return binary;
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir :
       absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", binary);
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return absl::NotFoundError(absl::StrCat(binary, " not found in $PATH"));
}

std::vector<std::string> BuildEnv(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    absl::string_view entry(*e);
    absl::string_view key = entry.substr(0, entry.find('='));
    bool overridden =
        std::any_of(extra.begin(), extra.end(),
                    [&](const auto& kv) { return kv.first == key; });
    if (!overridden) env.emplace_back(entry);
  }
  for (const auto& [key, value] : extra)
    env.push_back(absl::StrCat(key, "=", value));
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Child side of a failed start: hands errno to the parent, which turns it
// into Start()'s error.
[[noreturn]] void ReportErrnoAndExit(int err_fd) {
  int err = errno;
  ssize_t ignored = ::write(err_fd, &err, sizeof(err));
  (void)ignored;
  ::_exit(127);
}

// Runs in the child between fork() and exec(): async-signal-safe calls only.
// On failure writes errno to `err_fd` and exits.
[[noreturn]] void ExecChild(const char* path, char* const* argv,
                            char* const* envp, int log_fd, int null_fd,
                            int err_fd, pid_t parent, const uid_t* uid,
                            gid_t gid, const char* working_dir) {
  auto fail = [err_fd] { ReportErrnoAndExit(err_fd); };
  ::setpgid(0, 0);
  if (::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 ||
      ::dup2(log_fd, 2) < 0) {
    fail();
  }
  if (uid != nullptr) {
    if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 ||
        ::setuid(*uid) != 0) {
      fail();
    }
  }
  // After the uid change: changing credentials clears the death signal.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail();
  if (::getppid() != parent) ::_exit(127);  // Parent died before prctl.
  if (working_dir != nullptr && ::chdir(working_dir) != 0) fail();
  // Handlers reset on exec, ignored signals and the mask do not: give the
  // child a clean slate whatever the test binary did.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Sockets and files the test opened without O_CLOEXEC (Asio's, for one)
  // must not leak: a child holding a listening socket keeps its port busy.
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < 4096; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  ::execve(path, argv, envp);
  ReportErrnoAndExit(err_fd);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Process>> Process::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& extra_env) {
  ProcessOptions options;
  options.binary = binary;
  options.args = args;
  options.extra_env = extra_env;
  return Start(options);
}

absl::StatusOr<std::unique_ptr<Process>> Process::Start(
    const ProcessOptions& options) {
  absl::StatusOr<std::string> path = ResolveBinary(options.binary);
  if (!path.ok()) return path.status();

  std::optional<TempDir> log_dir;
  std::string log_path = options.log_path;
  if (log_path.empty()) {
    absl::StatusOr<TempDir> dir = TempDir::Create("uptime-proc-");
    if (!dir.ok()) return dir.status();
    std::string name = path->substr(path->rfind('/') + 1);
    log_path = absl::StrCat(dir->path(), "/", name, ".log");
    log_dir.emplace(*std::move(dir));
  }

  std::optional<uid_t> uid;
  gid_t gid = 0;
  if (!options.run_as_user.empty() && ::geteuid() == 0) {
    struct passwd pw_storage;
    struct passwd* pw = nullptr;
    char buf[4096];
    if (::getpwnam_r(options.run_as_user.c_str(), &pw_storage, buf, sizeof(buf),
                     &pw) != 0 ||
        pw == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no such user: ", options.run_as_user));
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }

  std::vector<std::string> argv_strings = {*path};
  argv_strings.insert(argv_strings.end(), options.args.begin(),
                      options.args.end());
  std::vector<std::string> env_strings = BuildEnv(options.extra_env);
  std::vector<char*> argv = CStrings(argv_strings);
  std::vector<char*> envp = CStrings(env_strings);

  int log_fd =
      ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return ErrnoStatus(absl::StrCat("open ", log_path), errno);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int err_pipe[2];
  if (null_fd < 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    int err = errno;
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return ErrnoStatus("open /dev/null or pipe", err);
  }

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ExecChild(
        path->c_str(), argv.data(), envp.data(), log_fd, null_fd, err_pipe[1],
        parent, uid ? &*uid : nullptr, gid,
        options.working_dir.empty() ? nullptr : options.working_dir.c_str());
  }
  const int fork_errno = errno;
  ::close(err_pipe[1]);
  ::close(log_fd);
  ::close(null_fd);
  if (pid < 0) {
    ::close(err_pipe[0]);
    return ErrnoStatus("fork", fork_errno);
  }
  // Also set the group from this side, so a signal to the group right after
  // Start() returns cannot miss it.
  ::setpgid(pid, pid);

  // The pipe closes on a successful exec; otherwise it carries errno.
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(err_pipe[0], &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  ::close(err_pipe[0]);
  if (n > 0) {
    int status;
    ::waitpid(pid, &status, 0);
    return ErrnoStatus(absl::StrCat("starting ", *path), child_errno);
  }
  return std::unique_ptr<Process>(
      new Process(pid, std::move(log_path), std::move(log_dir)));
}

Process::~Process() {
  absl::Status ignored = Kill();  // Nothing useful to do with an error here.
  (void)ignored;
}

std::string Process::ReadLog() const {
  std::ifstream in(log_path_);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::optional<int> Process::PollLocked() {
  if (exit_code_.has_value()) return exit_code_;
  int status;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) exit_code_ = ExitCode(status);
  return exit_code_;
}

bool Process::Running() {
  absl::MutexLock lock(&mu_);
  return !PollLocked().has_value();
}

absl::Status Process::Signal(int sig) {
  absl::MutexLock lock(&mu_);
  // Never signal a reaped pid: the kernel may have reused it.
  if (PollLocked().has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("process ", pid_, " has exited"));
  }
  if (::kill(pid_, sig) != 0) return ErrnoStatus("kill", errno);
  return absl::OkStatus();
}

absl::Status Process::Kill() {
  absl::MutexLock lock(&mu_);
  if (exit_code_.has_value()) return absl::OkStatus();
  // The group first, to take the children with it; then the pid itself in
  // case it moved to another group. An exited but unreaped child is a
  // zombie, so the pid cannot have been reused yet.
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return ErrnoStatus("waitpid", errno);
  exit_code_ = ExitCode(status);
  return absl::OkStatus();
}

absl::StatusOr<int> Process::Wait(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration poll = absl::Milliseconds(1);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (std::optional<int> code = PollLocked()) return *code;
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " still running after ",
                       absl::FormatDuration(timeout)));
    }
    // Short polls first: most children exit within milliseconds of a signal.
    absl::SleepFor(std::min(poll, deadline - absl::Now()));
    poll = std::min(poll * 2, absl::Milliseconds(20));
  }
}

absl::StatusOr<int> Process::Stop(absl::Duration grace) {
  absl::Status sent = Signal(SIGTERM);
  if (!sent.ok() && !absl::IsFailedPrecondition(sent)) return sent;
  // A SIGSTOPped child would only see the SIGTERM after the grace period.
  if (sent.ok()) sent = Signal(SIGCONT);
  absl::StatusOr<int> code = Wait(grace);
  if (code.ok()) return code;
  if (absl::Status killed = Kill(); !killed.ok()) return killed;
  return Wait(absl::ZeroDuration());
}

std::string BinaryPath(absl::string_view name) {
#ifdef UPTIME_BINARY_DIR
  const char* compiled = UPTIME_BINARY_DIR;
#else
  const char* compiled = ".";
#endif
  const char* dir = std::getenv("UPTIME_BINARY_DIR");
  return absl::StrCat(dir != nullptr && *dir != '\0' ? dir : compiled, "/",
                      name);
}

}  // namespace uptime::testing
