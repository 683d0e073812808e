// `uptimectl status`, `agents`, `cluster`, `version` against a fake
// coordinator: tables, paging, filters.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::MonitorStatus Status(const std::string& id, const std::string& name, v1::State state,
                         absl::Duration age) {
  v1::MonitorStatus s;
  s.set_monitor_id(id);
  s.set_monitor_name(name);
  s.set_state(state);
  s.mutable_since()->set_seconds(absl::ToUnixSeconds(kNow - age));
  s.mutable_last_result()->set_success(state != v1::STATE_DOWN);
  s.mutable_last_result()->set_latency_us(42'000);
  return s;
}

TEST_F(CliTest, StatusTableFollowsEveryPageInAlignedColumns) {
  fake_.AddStatus(Status("m1", "api", v1::STATE_UP, absl::Minutes(12)));
  v1::MonitorStatus down = Status("m2", "database-primary", v1::STATE_DOWN, absl::Seconds(30));
  down.mutable_last_result()->set_error_kind(v1::ERROR_KIND_CONNECT);
  down.mutable_last_result()->set_error_message("connection refused");
  fake_.AddStatus(down);
  fake_.AddStatus(Status("m3", "web", v1::STATE_PENDING, absl::Hours(3) + absl::Minutes(5)));
  fake_.SetMaxPageSize(1);

  ASSERT_EQ(Run({"status"}), kExitOk) << err();
  EXPECT_EQ(fake_.calls(), 3);
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID  NAME              STATE    SINCE     LATENCY  LAST ERROR",
                          "m1  api               UP       12m ago   42ms     -",
                          "m2  database-primary  DOWN     30s ago   42ms     "
                          "connect: connection refused",
                          "m3  web               PENDING  3h5m ago  42ms     -"));
}

TEST_F(CliTest, StatusFiltersBySelectorAndState) {
  ASSERT_EQ(Run({"status", "--selector", "env=prod", "--state", "down"}), kExitOk) << err();
  ASSERT_TRUE(fake_.LastListStatuses().has_value());
  EXPECT_EQ(fake_.LastListStatuses()->label_selector(), "env=prod");
  EXPECT_EQ(fake_.LastListStatuses()->state(), v1::STATE_DOWN);
  EXPECT_THAT(err(), HasSubstr("no monitors found"));

  EXPECT_EQ(Run({"status", "--state", "sideways"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--state"));
}

TEST_F(CliTest, StatusOfOneMonitor) {
  fake_.AddStatus(Status("m1", "api", v1::STATE_UP, absl::Minutes(1)));
  ASSERT_EQ(Run({"status", "m1"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()), ElementsAre("ID  NAME  STATE  SINCE   LATENCY  LAST ERROR",
                                        "m1  api   UP     1m ago  42ms     -"));
  ASSERT_EQ(Run({"-o", "json", "status", "m1"}), kExitOk) << err();
  v1::MonitorStatus parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &parsed).ok()) << out();
  EXPECT_EQ(parsed.state(), v1::STATE_UP);
  EXPECT_THAT(out(), HasSubstr("\"STATE_UP\""));
}

TEST_F(CliTest, AgentsTable) {
  v1::AgentInfo agent;
  agent.set_agent_id("agent-0");
  (*agent.mutable_labels())["region"] = "eu-west";
  agent.set_version("0.1.0");
  agent.set_monitors_assigned(120);
  agent.set_capacity(1000);
  agent.set_checks_per_second(4.3);
  agent.mutable_connected_since()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(26)));
  agent.mutable_last_heartbeat()->set_seconds(absl::ToUnixSeconds(kNow - absl::Seconds(2)));
  fake_.AddAgent(agent);
  ASSERT_EQ(Run({"agents"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID       LABELS          VERSION  MONITORS  CAPACITY  CHECKS/S  "
                          "IN-FLIGHT  CONNECTED  HEARTBEAT  DRAINING",
                          "agent-0  region=eu-west  0.1.0    120       1000      4.3       "
                          "0          1d2h ago   2s ago     no"));
}

TEST_F(CliTest, ClusterInfoAsKeyValuesAndYaml) {
  v1::ClusterInfo info;
  info.set_coordinator_id("coord-a");
  info.set_is_leader(true);
  info.set_version("0.1.0");
  info.set_monitors(7);
  info.set_monitors_down(1);
  fake_.SetClusterInfo(info);
  ASSERT_EQ(Run({"cluster"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("Coordinator:    coord-a\n"));
  EXPECT_THAT(out(), HasSubstr("Leader:         yes\n"));
  EXPECT_THAT(out(), HasSubstr("  down:         1\n"));
  EXPECT_THAT(out(), HasSubstr("  maintenance:  0\n"));
  ASSERT_EQ(Run({"-o", "yaml", "cluster"}), kExitOk) << err();
  EXPECT_EQ(out(),
            "version: \"0.1.0\"\ncoordinatorId: coord-a\nisLeader: true\nmonitors: 7\n"
            "monitorsDown: 1\n");
}

TEST_F(CliTest, VersionNeedsNoCoordinator) {
  EXPECT_EQ(RunAt("127.0.0.1:1", {"version"}), kExitOk);
  EXPECT_THAT(out(), ::testing::StartsWith("uptimectl "));
  EXPECT_EQ(fake_.calls(), 0);
}

}  // namespace
}  // namespace uptime::cli
