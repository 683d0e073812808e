// Orderly shutdown on SIGTERM/SIGINT without async-signal-unsafe handlers:
// block the signals in every thread, then wait for one synchronously.
#ifndef UPTIME_COMMON_SIGNALS_H_
#define UPTIME_COMMON_SIGNALS_H_

#include <csignal>

namespace uptime {

// Call first in main(), before any thread starts, so all threads inherit the
// mask and the signals queue for WaitForTerminationSignal().
inline void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// A write to a connection the peer has reset must fail with EPIPE, not kill
// the server: sendfile(2) and libraries that write with write(2) cannot pass
// MSG_NOSIGNAL. Call in main() of every server.
inline void IgnoreBrokenPipes() { std::signal(SIGPIPE, SIG_IGN); }

// Blocks until SIGTERM or SIGINT arrives; returns the signal number.
inline int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace uptime

#endif  // UPTIME_COMMON_SIGNALS_H_
