#include "coordinator/catalog/catalog.h"

#include "gtest/gtest.h"
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
  auto a = catalog.Create(Named("a"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->id().substr(0, 4), "mon-");
  EXPECT_EQ((*a)->create_time().seconds(), absl::ToUnixSeconds(clock.Now()));
  EXPECT_EQ(catalog.Create(Named("a")).status().code(), absl::StatusCode::kAlreadyExists);
  auto got = catalog.Get((*a)->id());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)->name(), "a");
  EXPECT_TRUE(catalog.Delete((*a)->id()).ok());
  EXPECT_EQ(catalog.Get((*a)->id()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(catalog.Delete((*a)->id()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(listener.events, (std::vector<std::string>{"+a", "-" + (*a)->id()}));
  // The name is free again.
  EXPECT_TRUE(catalog.Create(Named("a")).ok());
}

TEST(CatalogTest, ListPagesInIdOrderWithSelector) {
  SimulatedClock clock;
  store::MemoryCatalogStore catalog_store;
  Catalog catalog(&clock, &catalog_store);
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(catalog.Create(Named("m" + std::to_string(i), i % 5 == 0 ? "dev" : "prod")).ok());
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
  auto a = catalog.Create(Named("a"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(catalog.SetPaused((*a)->id(), true).ok());
  ASSERT_TRUE(catalog.SetPaused((*a)->id(), true).ok());
  EXPECT_EQ(listener.events.size(), 2u);
  EXPECT_TRUE((*catalog.Get((*a)->id()))->paused());
}

}  // namespace
}  // namespace uptime::coordinator
