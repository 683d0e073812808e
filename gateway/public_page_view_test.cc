#include "gateway/public_page_view.h"

#include "gateway/testing/fake_page_source.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

namespace pb = google::protobuf;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

pb::Struct Parse(const std::string& json) {
  pb::Struct s;
  EXPECT_TRUE(pb::util::JsonStringToMessage(json, &s).ok()) << json;
  return s;
}

PageView TestView(v1::StatusPage page) {
  PageView v;
  v.page = std::make_shared<const v1::StatusPage>(std::move(page));
  v.groups = ShownGroups(*v.page);
  v.now = kNow;
  v.updated_at = kNow - absl::Minutes(1);
  v.live["m1"] = LiveState{"one", v1::STATE_UP, kNow - absl::Hours(1), 12.34};
  v.live["m2"] = LiveState{"two", v1::STATE_DOWN, kNow - absl::Minutes(5), std::nullopt};
  v.info["m1"] = MonitorInfo{"One", "https://internal.example/health", {}};
  v.incidents = {TestIncident("inc-1", "m2", kNow - absl::Minutes(5), absl::InfinitePast(),
                              "HTTP 503 from 10.0.0.7")};
  return v;
}

TEST(PublicPageViewTest, OverallState) {
  using S = std::vector<v1::State>;
  EXPECT_EQ(OverallState(S{}), "operational");
  EXPECT_EQ(OverallState(S{v1::STATE_UP, v1::STATE_PENDING}), "operational");
  EXPECT_EQ(OverallState(S{v1::STATE_UP, v1::STATE_DOWN}), "degraded");
  EXPECT_EQ(OverallState(S{v1::STATE_DOWN, v1::STATE_PAUSED}), "outage");
  EXPECT_EQ(OverallState(S{v1::STATE_UP, v1::STATE_MAINTENANCE}), "maintenance");
  EXPECT_EQ(OverallState(S{v1::STATE_DOWN, v1::STATE_MAINTENANCE}), "degraded");
  EXPECT_EQ(OverallState(S{v1::STATE_PAUSED}), "operational");
}

TEST(PublicPageViewTest, ShownGroupsStopAtTheCap) {
  std::vector<std::string> ids;
  for (int i = 0; i < 1200; ++i) ids.push_back("m" + std::to_string(i));
  v1::StatusPage p = TestPage("a", ids);
  // A second group repeating shown monitors costs nothing extra.
  *p.add_groups() = p.groups(0);
  std::vector<ShownGroup> groups = ShownGroups(p);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].monitor_ids.size(), kMaxShownMonitors);
  EXPECT_EQ(groups[1].monitor_ids.size(), kMaxShownMonitors);
}

TEST(PublicPageViewTest, SelectIncidentsOrdersAndBounds) {
  std::vector<v1::Incident> all = {
      TestIncident("old", "m1", kNow - absl::Hours(24 * 40), kNow - absl::Hours(24 * 39)),
      TestIncident("r1", "m1", kNow - absl::Hours(5), kNow - absl::Hours(4)),
      TestIncident("r2", "m1", kNow - absl::Hours(3), kNow - absl::Hours(2)),
      TestIncident("open", "m1", kNow - absl::Hours(10)),
      TestIncident("private", "m9", kNow - absl::Hours(1)),
  };
  std::vector<v1::Incident> got = SelectIncidents(all, {"m1"}, kNow);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].id(), "open");
  EXPECT_EQ(got[1].id(), "r2");
  EXPECT_EQ(got[2].id(), "r1");
  std::vector<v1::Incident> many;
  for (int i = 0; i < 80; ++i) {
    many.push_back(TestIncident("i" + std::to_string(i), "m1", kNow - absl::Minutes(i + 2),
                                kNow - absl::Minutes(i + 1)));
  }
  EXPECT_EQ(SelectIncidents(many, {"m1"}, kNow).size(), kMaxShownIncidents);
}

TEST(PublicPageViewTest, SelectMaintenanceByIdOrSelectorWithinAWeek) {
  auto window = [](const std::string& id, absl::Time start, absl::Time end) {
    v1::MaintenanceWindow w;
    w.set_id(id);
    w.set_name(id);
    ToProto(start, w.mutable_start_time());
    ToProto(end, w.mutable_end_time());
    return w;
  };
  std::vector<v1::MaintenanceWindow> all;
  all.push_back(window("now", kNow - absl::Hours(1), kNow + absl::Hours(1)));
  all.back().add_monitor_ids("m1");
  all.push_back(window("soon", kNow + absl::Hours(24), kNow + absl::Hours(25)));
  all.back().set_label_selector("team=api");
  all.push_back(window("far", kNow + absl::Hours(24 * 8), kNow + absl::Hours(24 * 9)));
  all.back().add_monitor_ids("m1");
  all.push_back(window("past", kNow - absl::Hours(3), kNow - absl::Hours(2)));
  all.back().add_monitor_ids("m1");
  all.push_back(window("other", kNow - absl::Hours(1), kNow + absl::Hours(1)));
  all.back().add_monitor_ids("m9");
  std::map<std::string, MonitorInfo> info = {{"m2", MonitorInfo{"", "", {{"team", "api"}}}}};
  std::vector<v1::MaintenanceWindow> got = SelectMaintenance(all, {"m1", "m2"}, info, kNow);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id(), "now");
  EXPECT_EQ(got[1].id(), "soon");
}

TEST(PublicPageViewTest, RenderHidesPrivateFieldsByDefault) {
  PageView v = TestView(TestPage("acme", {"m1", "m2", "m3"}));
  const std::string json = RenderPublicPageJson(v);
  pb::Struct doc = Parse(json);
  EXPECT_EQ(doc.fields().at("slug").string_value(), "acme");
  EXPECT_EQ(doc.fields().at("overall").string_value(), "degraded");
  EXPECT_EQ(doc.fields().at("updatedAt").string_value(), "2027-01-15T07:59:00Z");
  EXPECT_FALSE(doc.fields().contains("announcement"));
  const auto& monitors = doc.fields().at("groups").list_value().values(0).struct_value()
                             .fields().at("monitors").list_value();
  ASSERT_EQ(monitors.values_size(), 3);
  const auto& m1 = monitors.values(0).struct_value().fields();
  EXPECT_EQ(m1.at("name").string_value(), "One");
  EXPECT_EQ(m1.at("state").string_value(), "up");
  EXPECT_EQ(m1.at("latencyMs").number_value(), 12.3);
  EXPECT_FALSE(m1.contains("target"));
  EXPECT_FALSE(m1.contains("uptime"));
  const auto& m3 = monitors.values(2).struct_value().fields();
  EXPECT_EQ(m3.at("state").string_value(), "pending");
  EXPECT_FALSE(m3.contains("since"));
  EXPECT_EQ(json.find("10.0.0.7"), std::string::npos) << json;
  EXPECT_EQ(json.find("internal.example"), std::string::npos) << json;
  const auto& inc = doc.fields().at("incidents").list_value().values(0).struct_value().fields();
  EXPECT_EQ(inc.at("monitorName").string_value(), "two");
  EXPECT_FALSE(inc.contains("resolved"));
  EXPECT_FALSE(inc.contains("cause"));
}

TEST(PublicPageViewTest, RenderShowsWhatThePageAllows) {
  v1::StatusPage p = TestPage("acme", {"m1", "m2"});
  p.set_show_targets(true);
  p.set_show_incident_causes(true);
  p.set_hide_response_times(true);
  p.mutable_announcement()->set_text("Slow logins");
  p.mutable_announcement()->set_level(v1::ANNOUNCEMENT_LEVEL_WARNING);
  PageView v = TestView(p);
  auto uptime = std::make_shared<v1::GetUptimeResponse>();
  v1::UptimeWindow* w = uptime->add_windows();
  w->set_window("24h");
  w->set_checks(100);
  w->set_failures(1);
  w->set_uptime_percent(99.0);
  uptime->add_windows()->set_window("90d");  // no checks: omitted
  v1::DailyBar* d = uptime->add_daily_bars();
  ToProto(absl::FromUnixSeconds(1'799'971'200), d->mutable_day());
  v.uptime["m1"] = uptime;
  pb::Struct doc = Parse(RenderPublicPageJson(v));
  EXPECT_EQ(doc.fields().at("announcement").struct_value().fields().at("level").string_value(),
            "warning");
  EXPECT_FALSE(doc.fields().at("showResponseTimes").bool_value());
  const auto& m1 = doc.fields().at("groups").list_value().values(0).struct_value().fields()
                       .at("monitors").list_value().values(0).struct_value().fields();
  EXPECT_EQ(m1.at("target").string_value(), "https://internal.example/health");
  EXPECT_FALSE(m1.contains("latencyMs"));
  EXPECT_EQ(m1.at("uptime").struct_value().fields().at("24h").number_value(), 99.0);
  EXPECT_FALSE(m1.at("uptime").struct_value().fields().contains("90d"));
  const auto& day = m1.at("days").list_value().values(0).struct_value().fields();
  EXPECT_EQ(day.at("day").string_value(), "2027-01-15");
  EXPECT_EQ(day.at("checks").number_value(), 0);
  const auto& inc = doc.fields().at("incidents").list_value().values(0).struct_value().fields();
  EXPECT_EQ(inc.at("cause").string_value(), "HTTP 503 from 10.0.0.7");

  // An expired announcement is not shown.
  p.mutable_announcement()->mutable_expire_time()->set_seconds(absl::ToUnixSeconds(kNow) - 1);
  EXPECT_FALSE(Parse(RenderPublicPageJson(TestView(p))).fields().contains("announcement"));
}

TEST(PublicPageViewTest, FeedHasAnEntryPerIncidentAndCausesOnlyWhenShown) {
  PageView v = TestView(TestPage("acme", {"m1", "m2"}));
  v.incidents.push_back(
      TestIncident("inc-0", "m1", kNow - absl::Hours(3), kNow - absl::Hours(2), "boom"));
  Feed feed = BuildPageFeed(v, "/status/acme", "/status/acme/feed.atom");
  ASSERT_EQ(feed.entries.size(), 2u);
  EXPECT_EQ(feed.entries[0].title, "two is down");
  EXPECT_EQ(feed.entries[1].title, "One recovered");
  EXPECT_EQ(feed.entries[0].summary.find("10.0.0.7"), std::string::npos);
  EXPECT_EQ(feed.updated, kNow - absl::Minutes(5));
}

}  // namespace
}  // namespace uptime::gateway
