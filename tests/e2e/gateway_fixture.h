// GatewayFixture: a coordinator with PostgreSQL, one agent, an HTTP target
// and uptime-gateway in front, plus small HTTP clients (libcurl for normal
// requests and event streams, raw sockets for malformed ones).
#ifndef UPTIME_TESTS_E2E_GATEWAY_FIXTURE_H_
#define UPTIME_TESTS_E2E_GATEWAY_FIXTURE_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/http_target.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/redis_server.h"

namespace uptime::testing {

struct HttpResult {
  long status = 0;  // 0: the request failed
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// One HTTP request to 127.0.0.1:port; `token` empty sends no Authorization.
HttpResult HttpCall(int port, const std::string& method, const std::string& path,
                    const std::string& token, const std::string& body = "",
                    const std::vector<std::string>& extra_headers = {});

// A TCP connection to 127.0.0.1:`port` (receive buffer `receive_buffer`
// bytes when set, before connecting so the window stays small); -1 when it
// cannot connect.
int ConnectLoopback(int port, int receive_buffer = 0);

// Sends `raw` bytes on a new connection, optionally half-closes, and returns
// what came back (until the server closes or 5 s pass).
std::string RawExchange(int port, const std::string& raw, bool shutdown_write = false);

// A server-sent events client on its own thread (libcurl), collecting the
// stream's text until stopped.
class SseClient {
 public:
  SseClient(int port, const std::string& path, const std::string& token,
            const std::string& last_event_id = "");
  ~SseClient();
  std::string text() const;
  bool done() const { return done_.load(); }
  // The `id:` of the last complete event containing `needle`, or 0.
  uint64_t LastIdWith(const std::string& needle) const;

 private:
  mutable absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts (or restarts) the gateway with `extra` flags.
  void StartGateway(const std::vector<std::string>& extra = {});
  // The same with HTTPS on the listener (readiness checked over TLS by the
  // caller; here only that the process runs and listens).
  void StartGatewayTls(const std::string& cert, const std::string& key);
  // Creates an HTTP monitor on the target through the REST API as admin;
  // returns its id.
  std::string CreateMonitor(const std::string& name, const std::string& labels_json = "{}");

  std::unique_ptr<PostgresServer> pg_;
  std::unique_ptr<RedisServer> redis_;
  ClusterFixture cluster_;
  std::unique_ptr<HttpTarget> target_;
  std::unique_ptr<Process> gateway_;
  int port_ = 0;
};

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_E2E_GATEWAY_FIXTURE_H_
