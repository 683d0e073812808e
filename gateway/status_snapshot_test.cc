#include "gateway/status_snapshot.h"

#include "gtest/gtest.h"

namespace uptime::gateway {
namespace {

MonitorEntry Entry(const std::string& id, v1::State state, int64_t since,
                   std::map<std::string, std::string> labels = {}) {
  MonitorEntry e;
  e.status.set_monitor_id(id);
  e.status.set_state(state);
  e.status.mutable_since()->set_seconds(since);
  e.labels = std::move(labels);
  return e;
}

void Load(StatusSnapshot& s) {
  std::map<std::string, MonitorEntry> entries;
  entries["a"] = Entry("a", v1::STATE_UP, 10, {{"env", "prod"}});
  entries["b"] = Entry("b", v1::STATE_DOWN, 10, {{"env", "dev"}});
  entries["c"] = Entry("c", v1::STATE_UP, 10, {{"env", "prod"}});
  s.Replace(std::move(entries), absl::FromUnixSeconds(100));
}

TEST(StatusSnapshotTest, GetListAndSummary) {
  StatusSnapshot s;
  Load(s);
  EXPECT_TRUE(s.loaded());
  EXPECT_EQ(*s.GetJson("a"),
            "{\"monitorId\":\"a\",\"state\":\"STATE_UP\",\"since\":\"1970-01-01T00:00:10Z\"}");
  EXPECT_FALSE(s.GetJson("zz").has_value());
  LabelSelector prod = *LabelSelector::Parse("label_selector", "env=prod");
  absl::StatusOr<std::string> list = s.ListJson(prod, "env=prod", v1::STATE_UNSPECIFIED, 1, "");
  ASSERT_TRUE(list.ok());
  EXPECT_NE(list->find("\"nextPageToken\":\"a\""), std::string::npos) << *list;
  list = s.ListJson(prod, "env=prod", v1::STATE_UNSPECIFIED, 1, "a");
  EXPECT_NE(list->find("\"monitorId\":\"c\""), std::string::npos) << *list;
  EXPECT_EQ(list->find("nextPageToken"), std::string::npos) << *list;
  list = s.ListJson(LabelSelector(), "", v1::STATE_DOWN, 0, "");
  EXPECT_NE(list->find("\"monitorId\":\"b\""), std::string::npos);
  EXPECT_EQ(list->find("\"monitorId\":\"a\""), std::string::npos);
  EXPECT_EQ(s.ListJson(prod, "env=prod", v1::STATE_UNSPECIFIED, 1001, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.SummaryJson(LabelSelector()),
            "{\"total\":3,\"counts\":{\"STATE_PENDING\":0,\"STATE_UP\":2,\"STATE_DOWN\":1,"
            "\"STATE_PAUSED\":0,\"STATE_MAINTENANCE\":0}}");
}

TEST(StatusSnapshotTest, ApplyAndReplaceKeepTheNewerState) {
  StatusSnapshot s;
  Load(s);
  v1::StateChange change;
  change.set_monitor_id("a");
  change.set_to_state(v1::STATE_DOWN);
  change.mutable_time()->set_seconds(20);
  change.set_incident_id("i1");
  bool unknown = true;
  auto labels = s.Apply(change, &unknown);
  EXPECT_FALSE(unknown);
  EXPECT_EQ(labels.at("env"), "prod");
  EXPECT_NE(s.GetJson("a")->find("STATE_DOWN"), std::string::npos);
  EXPECT_NE(s.GetJson("a")->find("\"openIncidentId\":\"i1\""), std::string::npos);
  // A cached page is not served after a change.
  EXPECT_NE(s.ListJson(LabelSelector(), "", v1::STATE_DOWN, 0, "")->find("\"a\""),
            std::string::npos);
  // A load that started before the change must not undo it.
  std::map<std::string, MonitorEntry> stale;
  stale["a"] = Entry("a", v1::STATE_UP, 10, {{"env", "staging"}});
  s.Replace(std::move(stale), absl::FromUnixSeconds(200));
  EXPECT_NE(s.GetJson("a")->find("STATE_DOWN"), std::string::npos);
  EXPECT_FALSE(s.GetJson("b").has_value());  // deleted
  change.set_monitor_id("new");
  s.Apply(change, &unknown);
  EXPECT_TRUE(unknown);
  EXPECT_TRUE(s.GetJson("new").has_value());
}

}  // namespace
}  // namespace uptime::gateway
