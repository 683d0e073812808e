// `uptimectl watch` against the fake coordinator's event stream: output per
// format, the request sent, reconnects, gaps and stopping. uptimectl runs on
// a thread of its own; the test publishes events and reads the output as it
// grows.
#include <csignal>
#include <memory>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "cli/stop_signal.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// An output stream that the test may read while uptimectl writes to it:
// without a put area every write reaches xsputn/overflow, under the lock.
class SyncBuf : public std::streambuf {
 public:
  std::string str() {
    absl::MutexLock lock(&mu_);
    return text_;
  }

 protected:
  int_type overflow(int_type c) override {
    absl::MutexLock lock(&mu_);
    if (c != traits_type::eof()) text_.push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    absl::MutexLock lock(&mu_);
    text_.append(s, static_cast<size_t>(n));
    return n;
  }

 private:
  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
};

v1::Event Change(uint64_t sequence, const std::string& id, const std::string& name,
                 v1::State from, v1::State to, const std::string& cause) {
  v1::Event e;
  e.set_sequence(sequence);
  v1::StateChange* c = e.mutable_state_change();
  c->set_monitor_id(id);
  c->set_monitor_name(name);
  c->set_from_state(from);
  c->set_to_state(to);
  c->mutable_time()->set_seconds(absl::ToUnixSeconds(kNow));
  c->set_cause(cause);
  c->set_incident_id(to == v1::STATE_DOWN ? "inc-1" : "");
  return e;
}

v1::Event ResultEvent(uint64_t sequence, const std::string& id, bool success) {
  v1::Event e;
  e.set_sequence(sequence);
  v1::CheckResult* r = e.mutable_result();
  r->set_monitor_id(id);
  r->set_location("eu-west");
  r->set_agent_id("agent-a");
  r->set_start_time_us(absl::ToUnixMicros(kNow));
  r->set_success(success);
  r->set_latency_us(42'000);
  r->set_http_status(success ? 200 : 503);
  if (!success) r->set_error_kind(v1::ERROR_KIND_STATUS);
  return e;
}

class WatchTest : public CliTest {
 protected:
  ~WatchTest() override { Stop(); }

  // Starts `uptimectl --addr FAKE ARGS` on a thread.
  void Start(std::vector<std::string> args) {
    args.insert(args.begin(), {"--addr", fake_.addr(), "--timeout", "5s"});
    StartExactly(std::move(args));
  }

  void StartExactly(std::vector<std::string> args) {
    thread_ = std::thread([this, args] {
      CliEnv env = Env();
      env.out = &out_stream_;
      env.err = &err_stream_;
      env.stop = stop_;
      code_ = RunCli(args, env);
    });
  }

  // Stops uptimectl and returns its exit code.
  int Stop() {
    stop_->Stop();
    if (thread_.joinable()) thread_.join();
    return code_;
  }

  // `-o FORMAT watch` while m1 goes DOWN, then UP: its stdout.
  std::string WatchDownThenUp(const std::string& format) {
    Start({"-o", format, "watch"});
    EXPECT_TRUE(fake_.WaitForWatches(1, absl::Seconds(10)));
    fake_.PublishEvent(Change(1, "m1", "api", v1::STATE_UP, v1::STATE_DOWN, "x"));
    fake_.PublishEvent(Change(2, "m1", "api", v1::STATE_DOWN, v1::STATE_UP, "recovered"));
    EXPECT_TRUE(OutHas("recovered"));
    EXPECT_EQ(Stop(), kExitOk);
    return out_buf_.str();
  }

  // Waits (up to 10 s) until stdout, or stderr, contains `text`.
  bool OutHas(const std::string& text) { return Eventually([&] { return Has(out_buf_, text); }); }
  bool ErrHas(const std::string& text) { return Eventually([&] { return Has(err_buf_, text); }); }

  static bool Has(SyncBuf& buf, const std::string& text) {
    return buf.str().find(text) != std::string::npos;
  }
  template <typename F>
  static bool Eventually(F done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!done()) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  SyncBuf out_buf_;
  SyncBuf err_buf_;
  std::ostream out_stream_{&out_buf_};
  std::ostream err_stream_{&err_buf_};
  std::shared_ptr<StopSignal> stop_ = std::make_shared<StopSignal>();
  std::thread thread_;
  int code_ = -1;
};

TEST_F(WatchTest, PrintsStateChangesAsTheyComeAndStopsWithZero) {
  Start({"watch", "-l", "env=prod", "--monitor", "m1", "--monitor", "m2"});
  ASSERT_TRUE(fake_.WaitForWatches(1, absl::Seconds(10)));
  ASSERT_TRUE(OutHas("TIME (UTC)"));
  fake_.PublishEvent(Change(1, "m1", "api", v1::STATE_UP, v1::STATE_DOWN, "status: HTTP 503"));
  fake_.PublishEvent(ResultEvent(2, "m1", true));  // not asked for: the fake drops it
  fake_.PublishEvent(Change(2, "m2", "web", v1::STATE_PENDING, v1::STATE_UP, "recovered"));
  ASSERT_TRUE(OutHas("web"));
  EXPECT_EQ(Stop(), kExitOk);
  EXPECT_THAT(Lines(out_buf_.str()),
              ElementsAre("TIME (UTC)           MONITOR                   EVENT               DETAIL",
                          "2023-11-14 22:13:20  api                       UP -> DOWN          "
                          "status: HTTP 503",
                          "2023-11-14 22:13:20  web                       PENDING -> UP       "
                          "recovered"));
  std::optional<v1::WatchEventsRequest> sent = fake_.Last<v1::WatchEventsRequest>();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->label_selector(), "env=prod");
  EXPECT_THAT(sent->monitor_ids(), ElementsAre("m1", "m2"));
  EXPECT_FALSE(sent->include_results());
  EXPECT_EQ(err_buf_.str(), "");
}

TEST_F(WatchTest, ResultsWithNamesAndWideDetail) {
  v1::MonitorStatus status;
  status.set_monitor_id("m1");
  status.set_monitor_name("api");
  fake_.AddStatus(status);
  Start({"-o", "wide", "watch", "--results"});
  ASSERT_TRUE(fake_.WaitForWatches(1, absl::Seconds(10)));
  fake_.PublishEvent(ResultEvent(1, "m1", false));
  fake_.PublishEvent(Change(2, "m1", "api", v1::STATE_UP, v1::STATE_DOWN, "status: HTTP 503"));
  ASSERT_TRUE(OutHas("incident=inc-1"));
  EXPECT_EQ(Stop(), kExitOk);
  const std::vector<std::string> lines = Lines(out_buf_.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1],
            "2023-11-14 22:13:20  api                       result FAIL         42ms  HTTP 503  "
            "eu-west  agent=agent-a  status");
  EXPECT_THAT(lines[2], HasSubstr("UP -> DOWN          status: HTTP 503  id=m1 incident=inc-1"));
  EXPECT_TRUE(fake_.Last<v1::WatchEventsRequest>()->include_results());
}

TEST_F(WatchTest, JsonIsOneLinePerEvent) {
  const std::vector<std::string> lines = Lines(WatchDownThenUp("json"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("{\"sequence\":\"1\",\"stateChange\":{\"monitorId\":\"m1\""));
  EXPECT_THAT(lines[1], HasSubstr("\"toState\":\"STATE_UP\""));
}

TEST_F(WatchTest, YamlIsOneDocumentPerEvent) {
  const std::string out = WatchDownThenUp("yaml");
  EXPECT_EQ(out.rfind("---\n", 0), 0u) << out;
  EXPECT_THAT(out, HasSubstr("\n---\n"));
  EXPECT_THAT(out, HasSubstr("  toState: STATE_DOWN\n"));
}

TEST_F(WatchTest, ReconnectsWhenTheStreamBreaksAndNotesGaps) {
  Start({"watch"});
  ASSERT_TRUE(fake_.WaitForWatches(1, absl::Seconds(10)));
  fake_.PublishEvent(Change(1, "m1", "api", v1::STATE_UP, v1::STATE_DOWN, "x"));
  fake_.PublishEvent(Change(5, "m1", "api", v1::STATE_DOWN, v1::STATE_UP, "recovered"));
  ASSERT_TRUE(ErrHas("3 event(s) dropped by the coordinator (sequence 2..4)"));

  fake_.EndWatches(grpc::Status(grpc::StatusCode::UNAVAILABLE, "coordinator shutting down"));
  ASSERT_TRUE(ErrHas("watch: the stream broke (UNAVAILABLE: coordinator shutting down); "
                     "reconnecting in 500ms"));
  ASSERT_TRUE(fake_.WaitForWatches(2, absl::Seconds(10)));
  ASSERT_TRUE(ErrHas("watch: reconnected"));
  // The new stream counts from 1 again: no gap reported for that.
  fake_.PublishEvent(Change(1, "m2", "web", v1::STATE_UP, v1::STATE_DOWN, "timeout"));
  ASSERT_TRUE(OutHas("web"));
  EXPECT_EQ(Stop(), kExitOk);
  EXPECT_THAT(err_buf_.str(), Not(HasSubstr("sequence 1..0")));
  // One header for the whole watch.
  EXPECT_EQ(Lines(out_buf_.str()).size(), 4u);
}

TEST_F(WatchTest, RefusalEndsTheWatchWithItsExitCode) {
  fake_.FailWith(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad token"));
  Start({"watch"});
  thread_.join();
  EXPECT_EQ(code_, kExitDenied);
  EXPECT_THAT(err_buf_.str(), HasSubstr("UNAUTHENTICATED: bad token"));
}

TEST_F(WatchTest, RefusedAfterAReconnectEndsToo) {
  Start({"watch"});
  ASSERT_TRUE(fake_.WaitForWatches(1, absl::Seconds(10)));
  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "key revoked"));
  fake_.EndWatches(grpc::Status(grpc::StatusCode::UNAVAILABLE, "restart"));
  thread_.join();
  EXPECT_EQ(code_, kExitDenied);
  EXPECT_THAT(err_buf_.str(), HasSubstr("PERMISSION_DENIED: key revoked"));
}

TEST_F(WatchTest, UnreachableCoordinatorIsNotRetried) {
  StartExactly({"--addr", "127.0.0.1:1", "watch"});
  thread_.join();
  EXPECT_EQ(code_, kExitUnavailable);
  EXPECT_THAT(err_buf_.str(), HasSubstr("cannot reach coordinator at 127.0.0.1:1"));
}

TEST(StopSignalTest, CallbacksRunOnceAndWaitsEndEarly) {
  StopSignal stop;
  int runs = 0;
  {
    std::unique_ptr<StopSignal::Registration> r = stop.OnStop([&] { ++runs; });
    EXPECT_FALSE(stop.WaitFor(absl::Milliseconds(1)));
    stop.Stop();
    stop.Stop();
  }
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(stop.stopped());
  EXPECT_TRUE(stop.WaitFor(absl::Hours(1)));
  // Registered after the fact: runs at once.
  std::unique_ptr<StopSignal::Registration> late = stop.OnStop([&] { ++runs; });
  EXPECT_EQ(runs, 2);
}

TEST(StopSignalTest, SigtermStopsWhileHandlersAreInstalled) {
  StopSignal stop;
  {
    std::shared_ptr<StopSignal::SignalScope> scope = stop.InstallSignalHandlers();
    ASSERT_EQ(raise(SIGTERM), 0);
    EXPECT_TRUE(stop.WaitFor(absl::Seconds(10)));
  }
}

}  // namespace
}  // namespace uptime::cli
