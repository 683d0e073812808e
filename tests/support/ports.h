// Free TCP ports on loopback for servers that tests start as child processes.
//
// Servers we run in-process (HttpTarget, WebhookSink) bind port 0 themselves
// and never need this; it exists for PostgreSQL and Redis, which must be told
// a port on their command line.
//
// Example:
//   int port = uptime::testing::PickFreePort();
//   auto redis = Process::Start("redis-server",
//                               {"--port", absl::StrCat(port)});

#ifndef UPTIME_TESTS_SUPPORT_PORTS_H_
#define UPTIME_TESTS_SUPPORT_PORTS_H_

namespace uptime::testing {

// Returns a TCP port on 127.0.0.1 that was free a moment ago: the kernel picks
// it when we bind port 0, and we close the socket before returning. Another
// process may take it in between; the window is small because the kernel does
// not hand out the same ephemeral port again right away. Aborts the test
// binary if no socket can be bound at all (the machine is broken).
int PickFreePort();

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_SUPPORT_PORTS_H_
