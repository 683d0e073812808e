#include "gateway/status_snapshot.h"

#include "gateway/result_json.h"
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

v1::CheckResult Result(const std::string& id, int64_t start_us, int64_t latency_us) {
  v1::CheckResult r;
  r.set_monitor_id(id);
  r.set_start_time_us(start_us);
  r.set_latency_us(latency_us);
  r.set_success(true);
  return r;
}

std::map<std::string, std::string> ApplyTo(StatusSnapshot& s, const v1::CheckResult& r,
                                           bool* known) {
  return s.ApplyResult(r, CheckResultJson(r), known);
}

TEST(StatusSnapshotTest, ResultsRefreshLastResultNewestWins) {
  StatusSnapshot s;
  Load(s);
  bool known = false;
  EXPECT_EQ(ApplyTo(s, Result("a", 2'000, 1234), &known),
            (std::map<std::string, std::string>{{"env", "prod"}}));
  EXPECT_TRUE(known);
  // The same JSON as the printer's (but for where lastResult goes).
  EXPECT_EQ(*s.GetJson("a"),
            "{\"monitorId\":\"a\",\"state\":\"STATE_UP\",\"since\":\"1970-01-01T00:00:10Z\","
            "\"lastResult\":{\"monitorId\":\"a\",\"startTimeUs\":\"2000\",\"success\":true,"
            "\"latencyUs\":\"1234\"}}");
  // An older result (another location, later) does not replace it.
  ApplyTo(s, Result("a", 1'000, 99), &known);
  EXPECT_NE(s.GetJson("a")->find("\"latencyUs\":\"1234\""), std::string::npos);
  // Lists see it (the page cache is invalidated).
  absl::StatusOr<std::string> list = s.ListJson(LabelSelector(), "", v1::STATE_UNSPECIFIED, 0, "");
  EXPECT_NE(list->find("1234"), std::string::npos);
  ApplyTo(s, Result("a", 3'000, 777), &known);
  list = s.ListJson(LabelSelector(), "", v1::STATE_UNSPECIFIED, 0, "");
  EXPECT_NE(list->find("777"), std::string::npos) << *list;
  // Unknown monitors are left to the next load.
  EXPECT_TRUE(ApplyTo(s, Result("zz", 1, 1), &known).empty());
  EXPECT_FALSE(known);
  EXPECT_FALSE(s.GetJson("zz").has_value());
}

TEST(StatusSnapshotTest, ALoadKeepsANewerStreamedResult) {
  StatusSnapshot s;
  Load(s);
  bool known;
  ApplyTo(s, Result("a", 5'000, 555), &known);
  std::map<std::string, MonitorEntry> entries;
  entries["a"] = Entry("a", v1::STATE_UP, 10, {{"env", "prod"}});
  *entries["a"].status.mutable_last_result() = Result("a", 4'000, 444);  // read earlier
  entries["b"] = Entry("b", v1::STATE_UP, 10);
  *entries["b"].status.mutable_last_result() = Result("b", 4'000, 444);
  s.Replace(std::move(entries), absl::FromUnixSeconds(200));
  EXPECT_NE(s.GetJson("a")->find("555"), std::string::npos) << *s.GetJson("a");
  EXPECT_NE(s.GetJson("b")->find("444"), std::string::npos) << *s.GetJson("b");
  EXPECT_TRUE(s.labels_known());
}

TEST(StatusSnapshotTest, CachedAnswersEqualFreshOnesUntilAChange) {
  StatusSnapshot s;
  Load(s);
  const LabelSelector all;
  const LabelSelector prod = *LabelSelector::Parse("label_selector", "env=prod");
  std::shared_ptr<const std::string> list =
      *s.ListJsonShared(all, "", v1::STATE_UNSPECIFIED, 1000, "");
  std::shared_ptr<const std::string> summary = s.SummaryJsonShared(prod, "env=prod");
  // Served again from the cache: the same string, with the bytes a fresh
  // render gives.
  EXPECT_EQ(*s.ListJsonShared(all, "", v1::STATE_UNSPECIFIED, 1000, ""), list);
  EXPECT_EQ(s.SummaryJsonShared(prod, "env=prod"), summary);
  EXPECT_EQ(*summary, s.SummaryJson(prod));
  EXPECT_EQ(*summary,
            "{\"total\":2,\"counts\":{\"STATE_PENDING\":0,\"STATE_UP\":2,\"STATE_DOWN\":0,"
            "\"STATE_PAUSED\":0,\"STATE_MAINTENANCE\":0}}");
  // Other parameters are other answers.
  EXPECT_NE(*s.ListJsonShared(all, "", v1::STATE_UP, 1000, ""), list);
  EXPECT_NE(*s.SummaryJsonShared(all, ""), *summary);

  // Any change makes them stale.
  const uint64_t version = s.version();
  v1::StateChange change;
  change.set_monitor_id("c");
  change.set_to_state(v1::STATE_DOWN);
  change.mutable_time()->set_seconds(20);
  bool unknown;
  s.Apply(change, &unknown);
  EXPECT_GT(s.version(), version);
  std::shared_ptr<const std::string> after =
      *s.ListJsonShared(all, "", v1::STATE_UNSPECIFIED, 1000, "");
  EXPECT_NE(after, list);
  EXPECT_NE(after->find("STATE_DOWN"), std::string::npos);
  EXPECT_NE(s.SummaryJsonShared(prod, "env=prod")->find("\"STATE_DOWN\":1"), std::string::npos);
  // More queries than the cache holds: answers rendered again (evicted)
  // or not are the same bytes.
  std::vector<std::string> first;
  for (int i = 1; i <= 40; ++i) {
    first.push_back(**s.ListJsonShared(all, "", v1::STATE_UNSPECIFIED, i, ""));
  }
  for (int i = 1; i <= 40; ++i) {
    EXPECT_EQ(**s.ListJsonShared(all, "", v1::STATE_UNSPECIFIED, i, ""), first[i - 1]);
  }
  EXPECT_EQ(**s.ListJsonShared(all, "", v1::STATE_UNSPECIFIED, 1000, ""), *after);
}

}  // namespace
}  // namespace uptime::gateway
