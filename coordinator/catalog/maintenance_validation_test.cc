// ValidateMaintenanceWindow and ValidateWindowNotOver without a registry:
// what uptimectl checks before sending. The registry's own rules (kept ids on
// update, ends in the past allowed on update) are in
// maintenance_registry_test.cc.
#include "coordinator/catalog/maintenance_validation.h"

#include <set>
#include <string>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

using ::testing::StartsWith;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

v1::MaintenanceWindow Window() {
  v1::MaintenanceWindow w;
  w.set_name("deploy");
  w.add_monitor_ids("mon-1");
  ToProto(kNow, w.mutable_start_time());
  ToProto(kNow + absl::Hours(1), w.mutable_end_time());
  (*w.mutable_labels())["managed-by"] = "uptimectl";
  return w;
}

absl::Status Check(const v1::MaintenanceWindow& w) {
  const std::set<std::string> monitors = {"mon-1", "mon-2"};
  return ValidateMaintenanceWindow(w, [&](const std::string& id) { return monitors.contains(id); });
}

std::string Error(const v1::MaintenanceWindow& w) {
  absl::Status s = Check(w);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

TEST(MaintenanceValidationTest, ValidWindowPasses) {
  EXPECT_TRUE(Check(Window()).ok());
  v1::MaintenanceWindow recurring;
  recurring.set_name("nightly");
  recurring.set_label_selector("team=core");
  recurring.mutable_recurrence()->set_start_time_of_day("02:00");
  recurring.mutable_recurrence()->mutable_duration()->set_seconds(1800);  // time zone: UTC
  EXPECT_TRUE(Check(recurring).ok());
  EXPECT_TRUE(ValidateWindowNotOver(recurring, kNow).ok());
}

TEST(MaintenanceValidationTest, EachErrorNamesTheField) {
  v1::MaintenanceWindow w = Window();
  w.set_name(" ");
  EXPECT_THAT(Error(w), StartsWith("window.name: is required"));
  w = Window();
  (*w.mutable_labels())["bad key!"] = "x";
  EXPECT_THAT(Error(w), StartsWith("window.labels"));
  w = Window();
  w.add_monitor_ids("mon-9");
  EXPECT_THAT(Error(w), StartsWith("window.monitor_ids[1]: unknown monitor 'mon-9'"));
  w = Window();
  w.add_monitor_ids("mon-1");
  EXPECT_THAT(Error(w), StartsWith("window.monitor_ids[1]: duplicate of monitor_ids[0]"));
  w = Window();
  w.set_label_selector("=oops");
  EXPECT_THAT(Error(w), StartsWith("window.label_selector"));
  w = Window();
  w.clear_end_time();
  EXPECT_THAT(Error(w), StartsWith("window.end_time: is required"));
}

TEST(MaintenanceValidationTest, NotOverDependsOnNowOnly) {
  const v1::MaintenanceWindow w = Window();
  EXPECT_TRUE(Check(w).ok());  // no clock involved
  EXPECT_TRUE(ValidateWindowNotOver(w, kNow).ok());
  EXPECT_TRUE(ValidateWindowNotOver(w, kNow + absl::Minutes(59)).ok());
  absl::Status over = ValidateWindowNotOver(w, kNow + absl::Hours(2));
  EXPECT_EQ(over.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(over.message()), StartsWith("window.end_time: is in the past"));
}

}  // namespace
}  // namespace uptime::coordinator
