// TCP, DNS, gRPC health and ICMP checks, and HTTP checks of host names, through the CheckEngine's loop, against
// an in-test DNS responder, an in-test gRPC server and the loopback address.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agents/engine/check_engine.h"
#include "agents/checkers/dns_check.h"
#include "tests/support/dns_responder.h"
#include "agents/checkers/icmp_check.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "tests/support/http_target.h"
#include "tests/support/ports.h"
#include "uptime/v1/agent.grpc.pb.h"

namespace uptime::agent {
namespace {

class CheckersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The "system" resolver of host names (ICMP): local, so no test asks
    // the machine's resolver anything.
    names_ = DnsResponder::Start({{{"v4.test", 1}, {"127.0.0.1"}},
                                  {{"v6.test", 28}, {"::1"}},
                                  {{"both.test", 1}, {"127.0.0.1"}},
                                  {{"both.test", 28}, {"::1"}}});
    ASSERT_NE(names_, nullptr);
    auto engine = CheckEngine::Create({.identity = {"agent-c", {}},
                                       .dns_servers = absl::StrCat("127.0.0.1:", names_->port())},
                                      [this](std::vector<v1::CheckResult> rs) {
                                        absl::MutexLock lock(&mu_);
                                        for (auto& r : rs) results_.push_back(std::move(r));
                                      });
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    engine_->Start();
  }

  static v1::AssignedMonitor Monitor(absl::Duration timeout = absl::Seconds(2)) {
    v1::AssignedMonitor am;
    am.mutable_monitor()->set_id("m");
    am.mutable_monitor()->mutable_interval()->set_seconds(60);
    am.mutable_monitor()->mutable_timeout()->set_nanos(
        static_cast<int32_t>(absl::ToInt64Nanoseconds(timeout % absl::Seconds(1))));
    am.mutable_monitor()->mutable_timeout()->set_seconds(absl::ToInt64Seconds(timeout));
    return am;
  }

  // Runs one check and returns its result.
  v1::CheckResult Check(const v1::AssignedMonitor& m) {
    size_t before;
    {
      absl::MutexLock lock(&mu_);
      before = results_.size();
    }
    EXPECT_TRUE(engine_->RunOnce(m).ok());
    absl::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return results_.size() > before; };
    if (!mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(10))) return {};
    return results_[before];
  }

  // Waits for `n` results in all; returns them by monitor id.
  std::map<std::string, v1::CheckResult> AwaitResults(size_t n) {
    absl::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return results_.size() >= n; };
    mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(10));
    std::map<std::string, v1::CheckResult> by_id;
    for (const auto& r : results_) by_id[r.monitor_id()] = r;
    return by_id;
  }

  static void SetTimeout(v1::AssignedMonitor& am, absl::Duration timeout) {
    am.mutable_monitor()->mutable_timeout()->set_nanos(
        static_cast<int32_t>(absl::ToInt64Nanoseconds(timeout % absl::Seconds(1))));
    am.mutable_monitor()->mutable_timeout()->set_seconds(absl::ToInt64Seconds(timeout));
  }

  static v1::AssignedMonitor Tcp(const std::string& host, int port) {
    v1::AssignedMonitor m = Monitor();
    m.mutable_monitor()->mutable_tcp()->set_host(host);
    m.mutable_monitor()->mutable_tcp()->set_port(port);
    return m;
  }

  static v1::AssignedMonitor Icmp(const std::string& host) {
    v1::AssignedMonitor m = Monitor();
    m.mutable_monitor()->mutable_icmp()->set_host(host);
    return m;
  }

  v1::AssignedMonitor Dns(const std::string& name, v1::DnsRecordType type,
                          const std::string& expected = "") {
    // Generous, so a loaded machine still gets its answer; tests of the
    // timeout itself set a short one.
    v1::AssignedMonitor am = Monitor(absl::Seconds(5));
    am.mutable_monitor()->mutable_dns()->set_name(name);
    am.mutable_monitor()->mutable_dns()->set_record_type(type);
    am.mutable_monitor()->mutable_dns()->set_expected_answer(expected);
    am.mutable_monitor()->mutable_dns()->set_resolver(absl::StrCat("127.0.0.1:", dns_->port()));
    return am;
  }

  absl::Mutex mu_;
  std::vector<v1::CheckResult> results_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<DnsResponder> names_;
  std::unique_ptr<CheckEngine> engine_;
  std::unique_ptr<DnsResponder> dns_;
};

// Restores real ICMP socket probing however a test ends.
struct IcmpSocketsReset {
  ~IcmpSocketsReset() { SetIcmpSocketsAllowedForTest(true, true); }
};

TEST_F(CheckersTest, DnsAnswersMatchAndMismatch) {
  dns_ = DnsResponder::Start({{{"web.test", 1}, {"10.0.0.1", "10.0.0.2"}},
                              {{"web.test", 16}, {"v=spf1 -all"}},
                              {{"web.test", 15}, {"10 mx.web.test"}}});
  ASSERT_NE(dns_, nullptr);
  v1::CheckResult r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_GT(r.latency_us(), 0);
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.2"));  // any answer matches
  EXPECT_TRUE(r.success()) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_TXT, "v=spf1 -all"));
  EXPECT_TRUE(r.success()) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_MX, "MX.web.test."));
  EXPECT_TRUE(r.success()) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.9.9.9"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS_ANSWER);
  EXPECT_NE(r.error_message().find("10.0.0.1"), std::string::npos) << r.error_message();
}

TEST_F(CheckersTest, DnsFailuresAreClassified) {
  dns_ = DnsResponder::Start({{{"web.test", 1}, {"10.0.0.1"}}});
  ASSERT_NE(dns_, nullptr);
  v1::CheckResult r = Check(Dns("nope.test", v1::DNS_RECORD_TYPE_A));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  r = Check(Dns("servfail.test", v1::DNS_RECORD_TYPE_A));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_AAAA));  // exists, no AAAA
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  v1::AssignedMonitor silent = Dns("silent.test", v1::DNS_RECORD_TYPE_A);
  SetTimeout(silent, absl::Milliseconds(500));
  const absl::Time begin = absl::Now();
  r = Check(silent);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(4));  // the 500 ms timeout, not c-ares' default
  v1::AssignedMonitor bad = Dns("web.test", v1::DNS_RECORD_TYPE_A);
  bad.mutable_monitor()->mutable_dns()->set_resolver("not a resolver");
  EXPECT_EQ(Check(bad).error_kind(), v1::ERROR_KIND_INTERNAL);
}

TEST_F(CheckersTest, ManyDnsChecksShareTheLoop) {
  dns_ = DnsResponder::Start({{{"web.test", 1}, {"10.0.0.1"}}});
  ASSERT_NE(dns_, nullptr);
  for (int i = 0; i < 50; ++i) {
    v1::AssignedMonitor m = Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.1");
    m.mutable_monitor()->set_id(absl::StrCat("d", i));
    ASSERT_TRUE(engine_->RunOnce(m).ok());
  }
  ASSERT_TRUE(engine_->WaitIdle(absl::Seconds(10)));
  absl::MutexLock lock(&mu_);
  ASSERT_EQ(results_.size(), 50u);
  for (const auto& r : results_) EXPECT_TRUE(r.success()) << r.error_message();
}

TEST_F(CheckersTest, ConcurrentDnsChecksShareOneChannel) {
  // Slow answers, so all the checks are in flight together.
  dns_ = DnsResponder::Start({{{"slow.web.test", 1}, {"10.0.0.1"}}});
  ASSERT_NE(dns_, nullptr);
  constexpr int kChecks = 300;
  for (int i = 0; i < kChecks; ++i) {
    v1::AssignedMonitor m = Dns("slow.web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.1");
    SetTimeout(m, absl::Seconds(5));
    m.mutable_monitor()->set_id(absl::StrCat("d", i));
    ASSERT_TRUE(engine_->RunOnce(m).ok());
  }
  ASSERT_TRUE(engine_->WaitIdle(absl::Seconds(10)));
  {
    absl::MutexLock lock(&mu_);
    ASSERT_EQ(results_.size(), static_cast<size_t>(kChecks));
    for (const auto& r : results_) EXPECT_TRUE(r.success()) << r.error_message();
  }
  EXPECT_GE(dns_->queries(), kChecks);
  // One channel for the resolver: every query left from the same socket
  // (a channel per check would have used 300). c-ares closes a socket once
  // idle, so this holds for queries in flight together.
  EXPECT_EQ(dns_->client_ports(), 1u);
}

TEST_F(CheckersTest, OneDnsCheckTimesOutWhileOthersOnTheChannelGoOn) {
  dns_ = DnsResponder::Start({{{"slow.web.test", 1}, {"10.0.0.1"}},
                              {{"web.test", 1}, {"10.0.0.2"}}});
  ASSERT_NE(dns_, nullptr);
  // "slow." answers come after 600 ms: the quitter gives up at 200 ms (its
  // answer then arrives for a check that is gone), the patient one waits.
  v1::AssignedMonitor quitter = Dns("slow.web.test", v1::DNS_RECORD_TYPE_A);
  quitter.mutable_monitor()->set_id("quitter");
  SetTimeout(quitter, absl::Milliseconds(200));
  v1::AssignedMonitor silent = Dns("silent.test", v1::DNS_RECORD_TYPE_A);
  silent.mutable_monitor()->set_id("silent");
  SetTimeout(silent, absl::Milliseconds(300));
  v1::AssignedMonitor patient = Dns("slow.web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.1");
  patient.mutable_monitor()->set_id("patient");
  SetTimeout(patient, absl::Seconds(3));
  ASSERT_TRUE(engine_->RunOnce(quitter).ok());
  ASSERT_TRUE(engine_->RunOnce(silent).ok());
  ASSERT_TRUE(engine_->RunOnce(patient).ok());
  std::map<std::string, v1::CheckResult> results = AwaitResults(3);
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results["quitter"].error_kind(), v1::ERROR_KIND_TIMEOUT)
      << results["quitter"].error_message();
  EXPECT_LT(results["quitter"].latency_us(), 500'000);  // its own deadline
  EXPECT_EQ(results["silent"].error_kind(), v1::ERROR_KIND_TIMEOUT);
  EXPECT_TRUE(results["patient"].success()) << results["patient"].error_message();
  EXPECT_GE(results["patient"].latency_us(), 500'000);  // answered after both gave up
  // The quitter's late answer was dropped; the channel goes on.
  v1::CheckResult r = Check(Dns("web.test", v1::DNS_RECORD_TYPE_A, "10.0.0.2"));
  EXPECT_TRUE(r.success()) << r.error_message();
}

TEST(DnsParseTest, RejectsTruncatedReplies) {
  const unsigned char reply[5] = {};
  EXPECT_FALSE(ParseDnsAnswers(reply, sizeof(reply), 1).ok());
}

class GrpcCheckersTest : public CheckersTest {
 protected:
  void StartServer() {
    grpc::EnableDefaultHealthCheckService(true);
    port_ = ::uptime::testing::PickFreePort();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port_), grpc::InsecureServerCredentials());
    // gRPC refuses a server without a synchronous service of its own.
    builder.RegisterService(&unused_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  v1::AssignedMonitor Grpc(const std::string& service, int port = 0) {
    v1::AssignedMonitor am = Monitor(absl::Milliseconds(1500));
    am.mutable_monitor()->mutable_grpc()->set_target(absl::StrCat("127.0.0.1:", port ? port : port_));
    am.mutable_monitor()->mutable_grpc()->set_service(service);
    return am;
  }
  int port_ = 0;
  v1::AgentService::Service unused_;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(GrpcCheckersTest, ServingNotServingAndUnknown) {
  StartServer();
  auto* health = server_->GetHealthCheckService();
  health->SetServingStatus("api", true);
  v1::CheckResult r = Check(Grpc("api"));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_TRUE(Check(Grpc("")).success());  // the server as a whole
  health->SetServingStatus("api", false);
  r = Check(Grpc("api"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_NOT_SERVING) << r.error_message();
  EXPECT_NE(r.error_message().find("NOT_SERVING"), std::string::npos);
  r = Check(Grpc("unknown"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_NOT_SERVING) << r.error_message();
  server_->Shutdown();
}

TEST_F(GrpcCheckersTest, ConnectionFailures) {
  v1::CheckResult r = Check(Grpc("", ::uptime::testing::PickFreePort()));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  // A listener that never speaks HTTP/2: the deadline ends the call.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  r = Check(Grpc("", ntohs(addr.sin_port)));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  close(fd);
}

TEST_F(GrpcCheckersTest, TlsAgainstPlaintextServerFails) {
  StartServer();
  v1::AssignedMonitor m = Grpc("");
  m.mutable_monitor()->mutable_grpc()->set_tls(true);
  m.mutable_monitor()->mutable_grpc()->set_insecure_skip_tls_verify(true);
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TLS) << r.error_message();
  server_->Shutdown();
}

TEST_F(CheckersTest, IcmpLoopbackAnswers) {
  SetIcmpSocketsAllowedForTest(true, true);
  v1::AssignedMonitor m = Monitor();
  m.mutable_monitor()->mutable_icmp()->set_host("127.0.0.1");
  v1::CheckResult r = Check(m);
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_NE(IcmpSocketKindInUse(), IcmpSocketKind::kNone);
  // The raw fallback (ping sockets are off here, but force it anyway).
  SetIcmpSocketsAllowedForTest(false, true);
  r = Check(m);
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(IcmpSocketKindInUse(), IcmpSocketKind::kRaw);
  SetIcmpSocketsAllowedForTest(true, true);
}

TEST_F(CheckersTest, IcmpWithoutPermissionSaysSo) {
  SetIcmpSocketsAllowedForTest(false, false);
  v1::AssignedMonitor m = Monitor();
  m.mutable_monitor()->mutable_icmp()->set_host("127.0.0.1");
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_PERMISSION);
  EXPECT_NE(r.error_message().find("CAP_NET_RAW"), std::string::npos);
  SetIcmpSocketsAllowedForTest(true, true);
  m.mutable_monitor()->mutable_icmp()->set_host("not-an-ip");
  EXPECT_EQ(Check(m).error_kind(), v1::ERROR_KIND_DNS);
}

TEST_F(CheckersTest, IcmpIpv6LoopbackAnswers) {
  IcmpSocketsReset reset;
  SetIcmpSocketsAllowedForTest(true, true);
  for (const char* host : {"::1", "[::1]"}) {
    v1::CheckResult r = Check(Icmp(host));
    if (r.error_kind() == v1::ERROR_KIND_PERMISSION) {
      GTEST_SKIP() << "the kernel refuses ICMPv6 ping and raw sockets here: " << r.error_message();
    }
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_EQ(r.dns_us(), 0) << "an address needs no lookup";
  }
  EXPECT_NE(IcmpSocketKindInUse(AF_INET6), IcmpSocketKind::kNone);
  // The raw fallback.
  SetIcmpSocketsAllowedForTest(false, true);
  v1::CheckResult r = Check(Icmp("::1"));
  if (r.error_kind() == v1::ERROR_KIND_PERMISSION) {
    GTEST_SKIP() << "no raw ICMPv6 socket here (needs CAP_NET_RAW): " << r.error_message();
  }
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(IcmpSocketKindInUse(AF_INET6), IcmpSocketKind::kRaw);
}

TEST_F(CheckersTest, IcmpResolvesHostNamesFirst) {
  IcmpSocketsReset reset;
  SetIcmpSocketsAllowedForTest(true, true);
  // Not found: a DNS failure, whatever the ICMP permissions.
  v1::CheckResult r = Check(Icmp("nope.test"));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  EXPECT_NE(r.error_message().find("nope.test"), std::string::npos) << r.error_message();
  EXPECT_GT(r.dns_us(), 0);
  // From the resolver (A, AAAA) and from the hosts file.
  for (const char* host : {"v4.test", "v6.test", "localhost"}) {
    r = Check(Icmp(host));
    if (r.error_kind() == v1::ERROR_KIND_PERMISSION) {
      GTEST_SKIP() << "the kernel refuses ICMP sockets here: " << r.error_message();
    }
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_GT(r.dns_us(), 0) << host;
    EXPECT_LE(r.dns_us(), r.latency_us()) << host << ": the lookup is part of the check";
  }
  EXPECT_GE(names_->queries(), 2);
}

TEST_F(CheckersTest, IcmpNameLookupCountsAgainstTheTimeout) {
  // The names resolver never answers "silent." names.
  v1::AssignedMonitor m = Icmp("silent.test");
  SetTimeout(m, absl::Milliseconds(300));
  const absl::Time begin = absl::Now();
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(2));
}

TEST_F(CheckersTest, IcmpEndsWithinTheTimeout) {
  v1::AssignedMonitor m = Monitor(absl::Milliseconds(300));
  // TEST-NET-1: nobody should answer; but this VM's network stack answers
  // every echo itself, so success is accepted; the point is a bounded end.
  m.mutable_monitor()->mutable_icmp()->set_host("192.0.2.1");
  const absl::Time begin = absl::Now();
  v1::CheckResult r = Check(m);
  EXPECT_LT(absl::Now() - begin, absl::Seconds(1));
  EXPECT_TRUE(r.success() || r.error_kind() == v1::ERROR_KIND_TIMEOUT ||
              r.error_kind() == v1::ERROR_KIND_CONNECT)
      << r.error_message();
}

// A listening socket on 127.0.0.1 only (not ::1), accepting nothing: the
// kernel completes handshakes into the backlog, which is all TCP checks need.
class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(CheckersTest, TcpConnectsToAddressesAndNames) {
  Listener listener;
  ASSERT_GT(listener.port(), 0);
  v1::CheckResult r = Check(Tcp("127.0.0.1", listener.port()));
  EXPECT_TRUE(r.success()) << r.error_message();
  EXPECT_EQ(r.dns_us(), 0) << "an address literal is never looked up";
  EXPECT_GE(r.connect_us(), 0);
  EXPECT_LE(r.connect_us(), r.latency_us());
  // From the resolver, from the hosts file, and a name with an AAAA (::1,
  // where nothing listens) and an A record: the other address is tried.
  for (const char* host : {"v4.test", "localhost", "both.test"}) {
    r = Check(Tcp(host, listener.port()));
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_GT(r.dns_us(), 0) << host;
    EXPECT_LE(r.dns_us(), r.latency_us()) << host << ": the lookup is part of the check";
  }
}

TEST_F(CheckersTest, TcpFailuresSayWhy) {
  const int closed = ::uptime::testing::PickFreePort();
  v1::CheckResult r = Check(Tcp("127.0.0.1", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  EXPECT_NE(r.error_message().find(absl::StrCat("127.0.0.1:", closed)), std::string::npos)
      << r.error_message();
  EXPECT_NE(r.error_message().find("refused"), std::string::npos) << r.error_message();
  r = Check(Tcp("[::1]", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  EXPECT_NE(r.error_message().find(absl::StrCat("[::1]:", closed)), std::string::npos)
      << r.error_message();
  // Every address of the name refused: the last failure is named.
  r = Check(Tcp("both.test", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_CONNECT) << r.error_message();
  r = Check(Tcp("nope.test", closed));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  EXPECT_NE(r.error_message().find("nope.test"), std::string::npos) << r.error_message();
  r = Check(Tcp("127.0.0.1", 0));
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_INTERNAL) << r.error_message();
  // The lookup counts against the timeout.
  v1::AssignedMonitor silent = Tcp("silent.test", closed);
  SetTimeout(silent, absl::Milliseconds(300));
  const absl::Time begin = absl::Now();
  r = Check(silent);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(2));
}

TEST_F(CheckersTest, HttpHostNamesAreResolvedOnTheLoop) {
  auto target = ::uptime::testing::HttpTarget::Start();
  ASSERT_TRUE(target.ok()) << target.status();
  const int port = (*target)->port();
  const int64_t queries = names_->queries();
  // From the loop's resolver (A; A and AAAA, where ::1 has no listener, so
  // curl falls back), and a name and an address literal for comparison.
  for (const char* host : {"v4.test", "both.test", "127.0.0.1"}) {
    v1::AssignedMonitor m = Monitor();
    m.mutable_monitor()->mutable_http()->set_url(absl::StrCat("http://", host, ":", port, "/x"));
    v1::CheckResult r = Check(m);
    EXPECT_TRUE(r.success()) << host << ": " << r.error_message();
    EXPECT_EQ(r.http_status(), 200) << host;
    EXPECT_LE(r.dns_us(), r.latency_us()) << host << ": the lookup is part of the check";
    EXPECT_LE(r.connect_us() + r.dns_us(), r.latency_us()) << host;
  }
  EXPECT_GE(names_->queries(), queries + 2) << "each check looks its name up afresh";
  // A second check of the same name asks again (no cache between checks).
  const int64_t before = names_->queries();
  v1::AssignedMonitor again = Monitor();
  again.mutable_monitor()->mutable_http()->set_url(absl::StrCat("http://v4.test:", port, "/"));
  EXPECT_TRUE(Check(again).success());
  EXPECT_GT(names_->queries(), before);
}

TEST_F(CheckersTest, HttpNameFailuresAreDnsOrTimeoutResults) {
  v1::AssignedMonitor m = Monitor();
  m.mutable_monitor()->mutable_http()->set_url("http://nope.test:1/");
  v1::CheckResult r = Check(m);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_DNS) << r.error_message();
  EXPECT_NE(r.error_message().find("nope.test"), std::string::npos) << r.error_message();
  EXPECT_GT(r.dns_us(), 0);
  // The names resolver never answers "silent." names: the check's timeout,
  // not c-ares' retries, ends it.
  v1::AssignedMonitor silent = Monitor();
  silent.mutable_monitor()->mutable_http()->set_url("http://silent.test:1/");
  SetTimeout(silent, absl::Milliseconds(300));
  const absl::Time begin = absl::Now();
  r = Check(silent);
  EXPECT_EQ(r.error_kind(), v1::ERROR_KIND_TIMEOUT) << r.error_message();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(2));
}

}  // namespace
}  // namespace uptime::agent
