#include "coordinator/catalog/maintenance_calendar.h"

#include <string>
#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

v1::MaintenanceWindow OneOff(const std::string& id, absl::Time start, absl::Time end) {
  v1::MaintenanceWindow w;
  w.set_id(id);
  w.set_name(id);
  ToProto(start, w.mutable_start_time());
  ToProto(end, w.mutable_end_time());
  return w;
}

v1::MaintenanceWindow Daily(const std::string& id, const std::string& at, absl::Duration duration,
                            const std::string& zone, std::vector<v1::Weekday> days = {}) {
  v1::MaintenanceWindow w;
  w.set_id(id);
  w.set_name(id);
  v1::Recurrence* r = w.mutable_recurrence();
  for (v1::Weekday d : days) r->add_days(d);
  r->set_start_time_of_day(at);
  ToProto(duration, r->mutable_duration());
  r->set_time_zone(zone);
  return w;
}

v1::Monitor Monitor(const std::string& id, std::vector<std::pair<std::string, std::string>> labels) {
  v1::Monitor m;
  m.set_id(id);
  for (auto& [k, v] : labels) (*m.mutable_labels())[k] = v;
  return m;
}

WindowSchedule Compiled(const v1::MaintenanceWindow& w) {
  absl::StatusOr<WindowSchedule> s = WindowSchedule::Compile(w);
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(WindowScheduleTest, OneOffIsHalfOpen) {
  const absl::Time start = Utc(2026, 11, 25, 12), end = Utc(2026, 11, 25, 13);
  WindowSchedule s = Compiled(OneOff("w", start, end));
  EXPECT_FALSE(s.ActiveAt(start - absl::Nanoseconds(1)));
  EXPECT_TRUE(s.ActiveAt(start));
  EXPECT_TRUE(s.ActiveAt(end - absl::Nanoseconds(1)));
  EXPECT_FALSE(s.ActiveAt(end));
  EXPECT_EQ(s.NextChange(start - absl::Hours(5)), start);
  EXPECT_EQ(s.NextChange(start), end);
  EXPECT_EQ(s.NextChange(end), absl::InfiniteFuture());
  ASSERT_TRUE(s.CurrentOrNext(start + absl::Minutes(1)).has_value());
  EXPECT_EQ(s.CurrentOrNext(start + absl::Minutes(1))->end, end);
  EXPECT_FALSE(s.CurrentOrNext(end).has_value());
}

TEST(WindowScheduleTest, WeekdaysInUtc) {
  // 2026-11-23 is a Monday.
  WindowSchedule s = Compiled(Daily("w", "22:00", absl::Hours(4), "UTC",
                                    {v1::WEEKDAY_MONDAY, v1::WEEKDAY_WEDNESDAY}));
  EXPECT_TRUE(s.ActiveAt(Utc(2026, 11, 23, 23)));
  // Spills past midnight into Tuesday.
  EXPECT_TRUE(s.ActiveAt(Utc(2026, 11, 24, 1, 59)));
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 11, 24, 2)));
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 11, 24, 23)));  // Tuesday evening: not a chosen day
  EXPECT_TRUE(s.ActiveAt(Utc(2026, 11, 25, 22)));
  EXPECT_EQ(s.NextChange(Utc(2026, 11, 24, 2)), Utc(2026, 11, 25, 22));
  // From Thursday the next start is Monday.
  std::optional<TimeInterval> next = s.CurrentOrNext(Utc(2026, 11, 26, 12));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->start, Utc(2026, 11, 30, 22));
  EXPECT_EQ(next->end, Utc(2026, 12, 1, 2));
}

TEST(WindowScheduleTest, BoundsClipOccurrences) {
  v1::MaintenanceWindow w = Daily("w", "00:00", absl::Hours(6), "UTC");
  ToProto(Utc(2026, 1, 10, 3), w.mutable_start_time());
  ToProto(Utc(2026, 1, 12, 2), w.mutable_end_time());
  WindowSchedule s = Compiled(w);
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 1, 9, 1)));
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 1, 10, 2)));
  EXPECT_TRUE(s.ActiveAt(Utc(2026, 1, 10, 3)));
  EXPECT_TRUE(s.ActiveAt(Utc(2026, 1, 11, 5)));
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 1, 12, 2)));
  EXPECT_EQ(s.NextChange(Utc(2025, 6, 1, 0)), Utc(2026, 1, 10, 3));
  EXPECT_EQ(s.NextChange(Utc(2026, 1, 12, 0)), Utc(2026, 1, 12, 2));
  EXPECT_EQ(s.NextChange(Utc(2026, 1, 12, 2)), absl::InfiniteFuture());
  EXPECT_FALSE(s.CurrentOrNext(Utc(2026, 1, 12, 2)).has_value());
}

// Europe/Berlin springs forward on 2026-03-29 at 02:00 CET to 03:00 CEST:
// 02:30 does not exist that day.
TEST(WindowScheduleTest, SkippedLocalTimeStartsWhenTheGapEnds) {
  WindowSchedule s = Compiled(Daily("w", "02:30", absl::Hours(1), "Europe/Berlin"));
  // The day before: 02:30 CET = 01:30 UTC.
  EXPECT_EQ(s.CurrentOrNext(Utc(2026, 3, 28, 0))->start, Utc(2026, 3, 28, 1, 30));
  // That day: at 03:00 CEST = 01:00 UTC, lasting one hour of elapsed time.
  std::optional<TimeInterval> o = s.CurrentOrNext(Utc(2026, 3, 28, 12));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->start, Utc(2026, 3, 29, 1));
  EXPECT_EQ(o->end, Utc(2026, 3, 29, 2));
  // The day after: 02:30 CEST = 00:30 UTC.
  EXPECT_EQ(s.CurrentOrNext(Utc(2026, 3, 29, 12))->start, Utc(2026, 3, 30, 0, 30));
}

// Europe/Berlin falls back on 2026-10-25 at 03:00 CEST to 02:00 CET: 02:30
// happens twice that day.
TEST(WindowScheduleTest, RepeatedLocalTimeStartsTheFirstTime) {
  WindowSchedule s = Compiled(Daily("w", "02:30", absl::Hours(1), "Europe/Berlin"));
  std::optional<TimeInterval> o = s.CurrentOrNext(Utc(2026, 10, 24, 12));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->start, Utc(2026, 10, 25, 0, 30));  // 02:30 CEST
  EXPECT_EQ(o->end, Utc(2026, 10, 25, 1, 30));    // 02:30 CET, one hour later
  // Not a second occurrence at the second 02:30.
  EXPECT_FALSE(s.ActiveAt(Utc(2026, 10, 25, 1, 45)));
  EXPECT_EQ(s.CurrentOrNext(Utc(2026, 10, 25, 12))->start, Utc(2026, 10, 26, 1, 30));
}

// Walks the boundaries of a New York business-hours window across the US
// change to DST (2026-03-08): the same local 09:00 is an hour earlier in UTC.
TEST(WindowScheduleTest, NextChangeFollowsLocalTimeAcrossDst) {
  v1::MaintenanceWindow w = Daily("w", "09:00", absl::Hours(8), "America/New_York");
  auto calendar = MaintenanceCalendar::Build({w});
  std::vector<absl::Time> changes;
  absl::Time t = Utc(2026, 3, 6, 0);
  for (int i = 0; i < 8; ++i) {
    t = calendar->NextChange(t);
    changes.push_back(t);
  }
  EXPECT_EQ(changes, (std::vector<absl::Time>{
                         Utc(2026, 3, 6, 14), Utc(2026, 3, 6, 22),  // EST, UTC-5
                         Utc(2026, 3, 7, 14), Utc(2026, 3, 7, 22),
                         Utc(2026, 3, 8, 13), Utc(2026, 3, 8, 21),  // EDT, UTC-4
                         Utc(2026, 3, 9, 13), Utc(2026, 3, 9, 21)}));
}

TEST(MaintenanceCalendarTest, CoversByIdAndBySelectorOnlyWhileActive) {
  const absl::Time start = Utc(2026, 11, 25, 12), end = Utc(2026, 11, 25, 13);
  v1::MaintenanceWindow by_id = OneOff("mw-1", start, end);
  by_id.add_monitor_ids("mon-a");
  v1::MaintenanceWindow by_label = OneOff("mw-2", start + absl::Minutes(30), end);
  by_label.set_label_selector("team=core,!canary");
  auto calendar = MaintenanceCalendar::Build({by_id, by_label});
  EXPECT_EQ(calendar->size(), 2u);

  const v1::Monitor a = Monitor("mon-a", {});
  const v1::Monitor core = Monitor("mon-b", {{"team", "core"}});
  const v1::Monitor canary = Monitor("mon-c", {{"team", "core"}, {"canary", "yes"}});
  const v1::Monitor other = Monitor("mon-d", {{"team", "web"}});

  EXPECT_FALSE(calendar->InMaintenance(a, start - absl::Seconds(1)));
  EXPECT_TRUE(calendar->InMaintenance(a, start));
  EXPECT_FALSE(calendar->InMaintenance(core, start));
  const absl::Time both = start + absl::Minutes(45);
  EXPECT_TRUE(calendar->InMaintenance(a, both));
  EXPECT_TRUE(calendar->InMaintenance(core, both));
  EXPECT_FALSE(calendar->InMaintenance(canary, both));
  EXPECT_FALSE(calendar->InMaintenance(other, both));
  EXPECT_FALSE(calendar->InMaintenance(core, end));
  // Asking about an earlier time again is answered for that time.
  EXPECT_FALSE(calendar->InMaintenance(core, start));

  MaintenanceCalendar::ActiveSet active = calendar->ActiveAt(both);
  EXPECT_EQ(active.window_ids(), (std::vector<std::string>{"mw-1", "mw-2"}));
  EXPECT_EQ(calendar->NextChange(start), start + absl::Minutes(30));
  EXPECT_EQ(calendar->NextChange(both), end);
  EXPECT_EQ(calendar->NextChange(end), absl::InfiniteFuture());
}

TEST(MaintenanceCalendarTest, EmptyCalendarCoversNothingAndNeverChanges) {
  MaintenanceCalendar empty;
  EXPECT_FALSE(empty.InMaintenance(Monitor("m", {}), Utc(2026, 1, 1, 0)));
  EXPECT_EQ(empty.NextChange(Utc(2026, 1, 1, 0)), absl::InfiniteFuture());
  EXPECT_TRUE(empty.ActiveAt(Utc(2026, 1, 1, 0)).empty());
}

TEST(MaintenanceCalendarTest, SkipsWindowsThatDoNotCompile) {
  v1::MaintenanceWindow bad_zone = Daily("mw-1", "01:00", absl::Hours(1), "Mars/Olympus");
  bad_zone.add_monitor_ids("m");
  v1::MaintenanceWindow bad_selector = OneOff("mw-2", Utc(2026, 1, 1, 0), Utc(2026, 1, 2, 0));
  bad_selector.set_label_selector("=oops");
  v1::MaintenanceWindow good = OneOff("mw-3", Utc(2026, 1, 1, 0), Utc(2026, 1, 2, 0));
  good.add_monitor_ids("m");
  auto calendar = MaintenanceCalendar::Build({bad_zone, bad_selector, good});
  EXPECT_EQ(calendar->size(), 1u);
  EXPECT_EQ(calendar->skipped(), 2);
  EXPECT_TRUE(calendar->InMaintenance(Monitor("m", {}), Utc(2026, 1, 1, 12)));
}

TEST(WindowScheduleTest, CompileNamesTheBadField) {
  struct Case {
    v1::MaintenanceWindow window;
    std::string error;
  };
  const absl::Time t = Utc(2026, 1, 1, 0);
  std::vector<Case> cases;
  {
    v1::MaintenanceWindow w = OneOff("w", t, t);
    cases.push_back({w, "window.end_time: must be after start_time"});
    w.clear_start_time();
    cases.push_back({w, "window.start_time: is required"});
    w = OneOff("w", t, t + absl::Hours(1));
    w.clear_end_time();
    cases.push_back({w, "window.end_time: is required"});
    w = OneOff("w", t, t + absl::Hours(1));
    w.mutable_end_time()->set_nanos(-1);
    cases.push_back({w, "window.end_time: out of range"});
  }
  {
    v1::MaintenanceWindow w = Daily("w", "24:00", absl::Hours(1), "UTC");
    cases.push_back({w, "window.recurrence.start_time_of_day: must be \"HH:MM\""});
    w = Daily("w", "", absl::Hours(1), "UTC");
    cases.push_back({w, "window.recurrence.start_time_of_day: is required"});
    w = Daily("w", "01:00", absl::Seconds(30), "UTC");
    cases.push_back({w, "window.recurrence.duration: must be between 1m and 168h"});
    w = Daily("w", "01:00", absl::Hours(169), "UTC");
    cases.push_back({w, "window.recurrence.duration: must be between 1m and 168h"});
    w = Daily("w", "01:00", absl::Hours(1), "UTC");
    w.mutable_recurrence()->clear_duration();
    cases.push_back({w, "window.recurrence.duration: is required"});
    w = Daily("w", "01:00", absl::Hours(1), "Europe/Atlantis");
    cases.push_back({w, "window.recurrence.time_zone: unknown time zone \"Europe/Atlantis\""});
    w = Daily("w", "01:00", absl::Hours(1), "UTC", {v1::WEEKDAY_MONDAY, v1::WEEKDAY_MONDAY});
    cases.push_back({w, "window.recurrence.days[1]: duplicate WEEKDAY_MONDAY"});
    w = Daily("w", "01:00", absl::Hours(1), "UTC", {v1::WEEKDAY_UNSPECIFIED});
    cases.push_back({w, "window.recurrence.days[0]: must be a weekday"});
    w = Daily("w", "01:00", absl::Hours(1), "UTC");
    ToProto(t, w.mutable_start_time());
    ToProto(t - absl::Hours(1), w.mutable_end_time());
    cases.push_back({w, "window.end_time: must be after start_time"});
  }
  for (const Case& c : cases) {
    absl::StatusOr<WindowSchedule> s = WindowSchedule::Compile(c.window);
    ASSERT_FALSE(s.ok()) << c.window.DebugString();
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(s.status().message()), HasSubstr(c.error));
  }
  // Defaults: no time zone is UTC, no days is every day.
  v1::MaintenanceWindow w = Daily("w", "23:59", absl::Minutes(1), "");
  absl::StatusOr<WindowSchedule> s = WindowSchedule::Compile(w);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->ActiveAt(Utc(2026, 2, 3, 23, 59)));
}

TEST(ParseTimeOfDayTest, StrictHoursAndMinutes) {
  EXPECT_EQ(ParseTimeOfDay("00:00"), 0);
  EXPECT_EQ(ParseTimeOfDay("23:59"), 23 * 60 + 59);
  EXPECT_EQ(ParseTimeOfDay("09:05"), 9 * 60 + 5);
  for (const char* bad : {"9:05", "09:5", "24:00", "12:60", "12-30", "ab:cd", "", "12:30:00"}) {
    EXPECT_FALSE(ParseTimeOfDay(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace uptime::coordinator
