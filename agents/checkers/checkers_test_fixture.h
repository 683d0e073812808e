// Shared fixture of the checker tests that run through the CheckEngine's
// loop: an engine whose system resolver is an in-test DNS responder (v4.test,
// v6.test, both.test), monitors of each kind, and a wait for their results.
#ifndef UPTIME_AGENTS_CHECKERS_CHECKERS_TEST_FIXTURE_H_
#define UPTIME_AGENTS_CHECKERS_CHECKERS_TEST_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "agents/engine/check_engine.h"
#include "gtest/gtest.h"
#include "tests/support/dns_responder.h"

namespace uptime::agent {

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

}  // namespace uptime::agent

#endif  // UPTIME_AGENTS_CHECKERS_CHECKERS_TEST_FIXTURE_H_
