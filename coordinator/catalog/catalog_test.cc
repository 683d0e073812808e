#include "coordinator/catalog/catalog.h"

#include "coordinator/catalog/audit_test_support.h"
#include "gtest/gtest.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_catalog_store.h"

namespace uptime::coordinator {
namespace {

class RecordingListener : public CatalogListener {
 public:
  void OnMonitorUpserted(const MonitorPtr& m) override { events.push_back("+" + m->name()); }
  void OnMonitorRemoved(const std::string& id) override { events.push_back("-" + id); }
  std::vector<std::string> events;
};

v1::Monitor Named(const std::string& name, const std::string& env = "prod") {
  v1::Monitor m;
  m.set_name(name);
  (*m.mutable_labels())["env"] = env;
  return m;
}

TEST(CatalogTest, CreateGetDeleteAndNotify) {
  SimulatedClock clock;
  store::MemoryCatalogStore catalog_store;
  Catalog catalog(&clock, &catalog_store);
  RecordingListener listener;
  catalog.AddListener(&listener);
  auto a = catalog.Create(Named("a"), TestWho());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->id().substr(0, 4), "mon-");
  EXPECT_EQ((*a)->create_time().seconds(), absl::ToUnixSeconds(clock.Now()));
  EXPECT_EQ(catalog.Create(Named("a"), TestWho()).status().code(),
            absl::StatusCode::kAlreadyExists);
  auto got = catalog.Get((*a)->id());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)->name(), "a");
  EXPECT_TRUE(catalog.Delete((*a)->id(), TestWho()).ok());
  EXPECT_EQ(catalog.Get((*a)->id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(catalog.Delete((*a)->id(), TestWho()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(listener.events, (std::vector<std::string>{"+a", "-" + (*a)->id()}));
  // The name is free again.
  EXPECT_TRUE(catalog.Create(Named("a"), TestWho()).ok());
}

TEST(CatalogTest, ListPagesInIdOrderWithSelector) {
  SimulatedClock clock;
  store::MemoryCatalogStore catalog_store;
  Catalog catalog(&clock, &catalog_store);
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(
        catalog.Create(Named("m" + std::to_string(i), i % 5 == 0 ? "dev" : "prod"), TestWho())
            .ok());
  }
  auto sel = LabelSelector::Parse("s", "env=prod");
  ASSERT_TRUE(sel.ok());
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    auto page = catalog.List(*sel, 7, token);
    ASSERT_TRUE(page.ok());
    for (const auto& m : page->monitors) ids.push_back(m->id());
    token = page->next_page_token;
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(catalog.List(*sel, 7, "garbage!").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CatalogTest, PauseIsIdempotent) {
  SimulatedClock clock;
  store::MemoryCatalogStore catalog_store;
  Catalog catalog(&clock, &catalog_store);
  RecordingListener listener;
  catalog.AddListener(&listener);
  auto a = catalog.Create(Named("a"), TestWho());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(catalog.SetPaused((*a)->id(), true, TestWho()).ok());
  ASSERT_TRUE(catalog.SetPaused((*a)->id(), true, TestWho()).ok());
  EXPECT_EQ(listener.events.size(), 2u);
  EXPECT_TRUE((*catalog.Get((*a)->id()))->paused());
}

TEST(CatalogTest, EveryChangeIsAuditedWithBeforeAndAfter) {
  SimulatedClock clock;
  store::MemoryAccountStore log;
  store::MemoryCatalogStore catalog_store(&log);
  Catalog catalog(&clock, &catalog_store);
  absl::StatusOr<MonitorPtr> a = catalog.Create(Named("a"), TestWho());
  ASSERT_TRUE(a.ok()) << a.status();
  const std::string id = (*a)->id();
  v1::Monitor renamed = **a;
  renamed.set_name("a2");
  ASSERT_TRUE(catalog.Replace(renamed, TestWho()).ok());
  ASSERT_TRUE(catalog.SetPaused(id, true, TestWho()).ok());
  ASSERT_TRUE(catalog.SetPaused(id, true, TestWho()).ok());  // no change, no record
  ASSERT_TRUE(catalog.SetPaused(id, false, TestWho()).ok());
  ASSERT_TRUE(catalog.Delete(id, TestWho()).ok());

  std::vector<v1::AuditEvent> events = AuditEvents(log);
  ASSERT_EQ(events.size(), 5u);
  const std::vector<std::string> actions = {"monitor.create", "monitor.update", "monitor.pause",
                                            "monitor.resume", "monitor.delete"};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].action(), actions[i]);
    EXPECT_EQ(events[i].resource_type(), "monitor");
    EXPECT_EQ(events[i].resource_id(), id);
    EXPECT_TRUE(HasTestWho(events[i]));
  }
  EXPECT_EQ(events[0].before_json(), "");
  EXPECT_EQ(FromAuditJson<v1::Monitor>(events[0].after_json()).name(), "a");
  EXPECT_EQ(FromAuditJson<v1::Monitor>(events[0].after_json()).id(), id);
  EXPECT_EQ(FromAuditJson<v1::Monitor>(events[1].before_json()).name(), "a");
  EXPECT_EQ(FromAuditJson<v1::Monitor>(events[1].after_json()).name(), "a2");
  EXPECT_FALSE(FromAuditJson<v1::Monitor>(events[2].before_json()).paused());
  EXPECT_TRUE(FromAuditJson<v1::Monitor>(events[2].after_json()).paused());
  EXPECT_TRUE(FromAuditJson<v1::Monitor>(events[3].before_json()).paused());
  EXPECT_FALSE(FromAuditJson<v1::Monitor>(events[3].after_json()).paused());
  EXPECT_EQ(FromAuditJson<v1::Monitor>(events[4].before_json()).name(), "a2");
  EXPECT_EQ(events[4].after_json(), "");
}

TEST(CatalogTest, RefusedChangesAreNotAudited) {
  SimulatedClock clock;
  store::MemoryAccountStore log;
  store::MemoryCatalogStore catalog_store(&log);
  Catalog catalog(&clock, &catalog_store);
  ASSERT_TRUE(catalog.Create(Named("a"), TestWho()).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(catalog.Create(Named("a"), TestWho()).status()));
  EXPECT_TRUE(absl::IsNotFound(catalog.Delete("mon-nope", TestWho())));
  EXPECT_TRUE(absl::IsNotFound(catalog.SetPaused("mon-nope", true, TestWho()).status()));
  EXPECT_EQ(AuditEvents(log).size(), 1u);
}

}  // namespace
}  // namespace uptime::coordinator
