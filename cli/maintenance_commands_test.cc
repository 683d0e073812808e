// `uptimectl maintenance ...` against a fake coordinator: the windows built
// from flags, the table, and exit codes.
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

int64_t Unix(const google::protobuf::Timestamp& t) { return t.seconds(); }

TEST_F(CliTest, MaintenanceAddOneOffWithSelector) {
  ASSERT_EQ(Run({"maintenance", "add", "--name", "deploy", "--selector", "team=core", "--start",
                 "2026-11-25T12:00:00Z", "--end", "2026-11-25T13:00:00+00:00"}),
            kExitOk)
      << err();
  std::optional<v1::MaintenanceWindow> sent = fake_.CreatedWindow();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->name(), "deploy");
  EXPECT_EQ(sent->label_selector(), "team=core");
  EXPECT_FALSE(sent->has_recurrence());
  EXPECT_EQ(Unix(sent->start_time()), 1'795'608'000);  // 2026-11-25T12:00:00Z
  EXPECT_EQ(Unix(sent->end_time()), 1'795'608'000 + 3600);
  EXPECT_THAT(Lines(out()),
              ElementsAre("ID    NAME    COVERS     SCHEDULE                      ACTIVE  NEXT",
                          "mw-1  deploy  team=core  2026-11-25 12:00 - 13:00 UTC  no      -"));
}

TEST_F(CliTest, MaintenanceAddFromNowForADuration) {
  ASSERT_EQ(Run({"maintenance", "add", "--name", "hotfix", "--monitor", "mon-1", "--monitor",
                 "mon-2", "--duration", "90m"}),
            kExitOk)
      << err();
  std::optional<v1::MaintenanceWindow> sent = fake_.CreatedWindow();
  ASSERT_TRUE(sent.has_value());
  EXPECT_THAT(sent->monitor_ids(), ElementsAre("mon-1", "mon-2"));
  EXPECT_EQ(Unix(sent->start_time()), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(Unix(sent->end_time()), absl::ToUnixSeconds(kNow + absl::Minutes(90)));
}

TEST_F(CliTest, MaintenanceAddRecurring) {
  ASSERT_EQ(Run({"-o", "json", "maintenance", "add", "--name", "nightly", "--monitor", "mon-1",
                 "--days", "sat,sunday", "--at", "02:30", "--duration", "2h", "--time-zone",
                 "Europe/Berlin", "--end", "2027-01-01T00:00:00Z"}),
            kExitOk)
      << err();
  std::optional<v1::MaintenanceWindow> sent = fake_.CreatedWindow();
  ASSERT_TRUE(sent.has_value());
  ASSERT_TRUE(sent->has_recurrence());
  EXPECT_THAT(sent->recurrence().days(),
              ElementsAre(v1::WEEKDAY_SATURDAY, v1::WEEKDAY_SUNDAY));
  EXPECT_EQ(sent->recurrence().start_time_of_day(), "02:30");
  EXPECT_EQ(sent->recurrence().duration().seconds(), 7200);
  EXPECT_EQ(sent->recurrence().time_zone(), "Europe/Berlin");
  EXPECT_FALSE(sent->has_start_time());
  EXPECT_TRUE(sent->has_end_time());  // a bound
  v1::MaintenanceWindow printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.recurrence().time_zone(), "Europe/Berlin");
}

TEST_F(CliTest, MaintenanceAddRejectsBadFlagsBeforeAnyCall) {
  const std::vector<std::vector<std::string>> bad = {
      {"--name", "x", "--duration", "1h"},                                  // covers nothing
      {"--name", "x", "--monitor", "m", "--start", "tomorrow", "--end", "2026-01-01T00:00:00Z"},
      {"--name", "x", "--monitor", "m"},                                    // no end
      {"--name", "x", "--monitor", "m", "--duration", "-5m"},
      {"--name", "x", "--monitor", "m", "--at", "02:00"},                   // no duration
      {"--name", "x", "--monitor", "m", "--at", "02:00", "--duration", "1h", "--days", "funday"},
  };
  for (std::vector<std::string> args : bad) {
    args.insert(args.begin(), {"maintenance", "add"});
    EXPECT_EQ(Run(args), kExitUsage) << args[4];
  }
  EXPECT_EQ(fake_.calls(), 0);
  EXPECT_FALSE(fake_.CreatedWindow().has_value());
}

TEST_F(CliTest, MaintenanceListShowsActiveAndNext) {
  v1::MaintenanceWindow active;
  active.set_id("mw-a");
  active.set_name("upgrade");
  active.add_monitor_ids("mon-1");
  active.add_monitor_ids("mon-2");
  active.set_label_selector("env=prod");
  active.mutable_start_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Minutes(15)));
  active.mutable_end_time()->set_seconds(absl::ToUnixSeconds(kNow + absl::Minutes(45)));
  active.set_active(true);
  *active.mutable_next_occurrence()->mutable_start_time() = active.start_time();
  *active.mutable_next_occurrence()->mutable_end_time() = active.end_time();
  fake_.AddWindow(active);
  v1::MaintenanceWindow nightly;
  nightly.set_id("mw-b");
  nightly.set_name("nightly");
  nightly.add_monitor_ids("mon-3");
  nightly.mutable_recurrence()->set_start_time_of_day("02:30");
  nightly.mutable_recurrence()->mutable_duration()->set_seconds(7200);
  nightly.mutable_recurrence()->set_time_zone("Europe/Berlin");
  nightly.mutable_recurrence()->add_days(v1::WEEKDAY_SATURDAY);
  nightly.mutable_next_occurrence()->mutable_start_time()->set_seconds(
      absl::ToUnixSeconds(kNow + absl::Hours(3)));
  fake_.AddWindow(nightly);
  fake_.SetMaxPageSize(1);

  ASSERT_EQ(Run({"maintenance", "list", "--all"}), kExitOk) << err();
  EXPECT_THAT(
      Lines(out()),
      ElementsAre(
          "ID    NAME     COVERS                 SCHEDULE                        ACTIVE  NEXT",
          "mw-a  upgrade  2 monitors + env=prod  2023-11-14 21:58 - 22:58 UTC    yes     "
          "ends in 45m",
          "mw-b  nightly  mon-3                  sat 02:30 Europe/Berlin for 2h  no      in 3h0m"));
}

TEST_F(CliTest, MaintenanceGetAndRemove) {
  v1::MaintenanceWindow w;
  w.set_id("mw-a");
  w.set_name("upgrade");
  w.add_monitor_ids("mon-1");
  fake_.AddWindow(w);
  ASSERT_EQ(Run({"-o", "yaml", "maintenance", "get", "mw-a"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("name: upgrade"));

  EXPECT_EQ(Run({"maintenance", "rm", "mw-nope", "mw-a"}), kExitNotFound);
  EXPECT_THAT(out(), HasSubstr("deleted mw-a"));
  EXPECT_THAT(err(), HasSubstr("NOT_FOUND"));
  EXPECT_FALSE(fake_.HasWindow("mw-a"));
}

}  // namespace
}  // namespace uptime::cli
