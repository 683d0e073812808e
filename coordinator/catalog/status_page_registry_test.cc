#include "coordinator/catalog/status_page_registry.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "coordinator/catalog/audit_test_support.h"
#include "gtest/gtest.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_catalog_store.h"
#include "store/memory/memory_status_page_store.h"

namespace uptime::coordinator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The memory store, refusing every write while `down` (PostgreSQL gone).
class FlakyStatusPageStore : public store::MemoryStatusPageStore {
 public:
  using MemoryStatusPageStore::MemoryStatusPageStore;

  absl::Status InsertPage(const v1::StatusPage& page, const v1::AuditEvent& audit) override {
    return down ? Down() : MemoryStatusPageStore::InsertPage(page, audit);
  }
  absl::Status UpdatePage(const v1::StatusPage& page, const v1::AuditEvent& audit) override {
    return down ? Down() : MemoryStatusPageStore::UpdatePage(page, audit);
  }
  absl::Status DeletePage(const std::string& id, const v1::AuditEvent& audit) override {
    return down ? Down() : MemoryStatusPageStore::DeletePage(id, audit);
  }

  bool down = false;

 private:
  static absl::Status Down() { return absl::UnavailableError("postgres: connection refused"); }
};

std::vector<std::string> Resolved(const v1::StatusPageGroup& g) {
  return {g.resolved_monitor_ids().begin(), g.resolved_monitor_ids().end()};
}

class StatusPageRegistryTest : public ::testing::Test {
 protected:
  StatusPageRegistryTest() {
    api_ = AddMonitor("api", {{"team", "core"}});
    web_ = AddMonitor("web", {{"team", "web"}});
  }

  std::string AddMonitor(const std::string& name, std::map<std::string, std::string> labels) {
    v1::Monitor m;
    m.set_name(name);
    m.mutable_labels()->insert(labels.begin(), labels.end());
    absl::StatusOr<MonitorPtr> created = catalog_.Create(m, TestWho());
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? (*created)->id() : "";
  }

  // A valid page with one group over the "api" monitor.
  v1::StatusPage Page(const std::string& slug = "acme") {
    v1::StatusPage p;
    p.set_slug(slug);
    p.set_title("Acme status");
    v1::StatusPageGroup* g = p.add_groups();
    g->set_name("API");
    g->add_monitor_ids(api_);
    return p;
  }

  absl::Status CreateError(const std::function<void(v1::StatusPage&)>& edit) {
    v1::StatusPage p = Page();
    edit(p);
    return registry_.Create(p, TestWho()).status();
  }

  SimulatedClock clock_;
  store::MemoryCatalogStore catalog_store_;
  Catalog catalog_{&clock_, &catalog_store_};
  store::MemoryAccountStore audit_log_;
  FlakyStatusPageStore store_{&audit_log_};
  StatusPageRegistry registry_{&clock_, &store_, &catalog_};
  std::string api_;
  std::string web_;
};

TEST_F(StatusPageRegistryTest, CreateAssignsIdAndTimesAndIgnoresOutputOnlyFields) {
  v1::StatusPage p = Page();
  p.set_id("mine");
  ToProto(absl::UnixEpoch(), p.mutable_create_time());
  p.mutable_groups(0)->add_resolved_monitor_ids("mon-forged");
  absl::StatusOr<v1::StatusPage> created = registry_.Create(p, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->id().size(), 3u + 16u);
  EXPECT_TRUE(absl::StartsWith(created->id(), "sp-"));
  EXPECT_EQ(created->id().find_first_not_of("0123456789abcdef", 3), std::string::npos);
  EXPECT_EQ(FromProto(created->create_time()), clock_.Now());
  EXPECT_EQ(FromProto(created->update_time()), clock_.Now());
  EXPECT_THAT(Resolved(created->groups(0)), ElementsAre(api_));
  // Resolution is never stored.
  std::vector<v1::StatusPage> stored = *store_.LoadPages();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id(), created->id());
  EXPECT_EQ(stored[0].groups(0).resolved_monitor_ids_size(), 0);
}

TEST_F(StatusPageRegistryTest, BadInputNamesTheFieldAndChangesNothing) {
  struct Case {
    std::function<void(v1::StatusPage&)> edit;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](auto& p) { p.clear_slug(); }, "status_page.slug: is required"},
      {[](auto& p) { p.set_slug("Acme"); }, "status_page.slug: must be 1..63"},
      {[](auto& p) { p.set_slug("-acme"); }, "status_page.slug: must be"},
      {[](auto& p) { p.set_slug("acme-"); }, "status_page.slug: must be"},
      {[](auto& p) { p.set_slug("ac_me"); }, "status_page.slug: must be"},
      {[](auto& p) { p.set_slug(std::string(64, 'a')); }, "status_page.slug: must be"},
      {[](auto& p) { p.set_title(" "); }, "status_page.title: is required"},
      {[](auto& p) { p.set_title(std::string(201, 'x')); }, "status_page.title: must be at most 200"},
      {[](auto& p) { p.set_title("bad \xc3"); }, "status_page.title: is not valid UTF-8"},
      {[](auto& p) { p.set_description(std::string(2001, 'x')); },
       "status_page.description: must be at most 2000"},
      {[](auto& p) { p.set_logo_url("/logo.png"); }, "status_page.logo_url: must be an absolute http://"},
      {[](auto& p) { p.set_logo_url("ftp://acme.example/logo.png"); },
       "status_page.logo_url: must be an absolute http:// or https:// URL"},
      {[](auto& p) { p.set_homepage_url("https://user:pw@acme.example/"); },
       "status_page.homepage_url: must not contain credentials"},
      {[](auto& p) { p.set_homepage_url("https://acme.example/" + std::string(2048, 'x')); },
       "status_page.homepage_url: must be at most 2048 bytes"},
      {[](auto& p) { p.clear_groups(); }, "status_page.groups: at least one group"},
      {[](auto& p) {
         for (int i = 0; i < 20; ++i) *p.add_groups() = p.groups(0);
       },
       "status_page.groups: at most 20 groups"},
      {[](auto& p) { p.mutable_groups(0)->clear_name(); }, "status_page.groups[0].name: is required"},
      {[](auto& p) { p.mutable_groups(0)->set_name(std::string(101, 'x')); },
       "status_page.groups[0].name: must be at most 100"},
      {[](auto& p) { p.mutable_groups(0)->clear_monitor_ids(); },
       "status_page.groups[0].monitor_ids: set monitor_ids or label_selector"},
      {[this](auto& p) {
         v1::StatusPageGroup* g = p.add_groups();
         g->set_name("EU");
         g->add_monitor_ids(web_);
         g->add_monitor_ids("mon-404");
       },
       "status_page.groups[1].monitor_ids[1]: unknown monitor 'mon-404'"},
      {[this](auto& p) { p.mutable_groups(0)->add_monitor_ids(api_); },
       "status_page.groups[0].monitor_ids[1]: duplicate of monitor_ids[0]"},
      {[](auto& p) { p.mutable_groups(0)->add_monitor_ids(""); },
       "status_page.groups[0].monitor_ids[1]: is empty"},
      {[](auto& p) {
         for (int i = 0; i < 501; ++i) p.mutable_groups(0)->add_monitor_ids(absl::StrCat("m", i));
       },
       "status_page.groups[0].monitor_ids: at most 500"},
      {[](auto& p) { p.mutable_groups(0)->set_label_selector("=oops"); },
       "status_page.groups[0].label_selector"},
      {[](auto& p) { p.mutable_announcement()->set_text(std::string(2001, 'x')); },
       "status_page.announcement.text: must be at most 2000"},
      {[](auto& p) {
         p.mutable_announcement()->set_text("hi");
         p.mutable_announcement()->set_level(static_cast<v1::AnnouncementLevel>(7));
       },
       "status_page.announcement.level: unknown level 7"},
      {[](auto& p) { p.mutable_announcement()->mutable_expire_time()->set_nanos(-1); },
       "status_page.announcement.expire_time: is not a valid timestamp"},
  };
  for (const Case& c : cases) {
    absl::Status s = CreateError(c.edit);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.error << " -> " << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.error));
  }
  EXPECT_EQ(registry_.size(), 0u);
  EXPECT_TRUE(store_.LoadPages()->empty());

  // Valid edge values pass: characters, not bytes, are counted.
  EXPECT_TRUE(CreateError([](auto& p) {
                p.set_slug(std::string(63, 'a'));
                std::string title;
                for (int i = 0; i < 200; ++i) title += "\xc3\xa9";  // é
                p.set_title(title);
                p.set_logo_url("http://cdn.acme.example/logo.svg");
                p.mutable_announcement();  // empty text: no announcement
              }).ok());
}

TEST_F(StatusPageRegistryTest, SlugIsUniqueOnCreateAndUpdate) {
  ASSERT_TRUE(registry_.Create(Page("acme"), TestWho()).ok());
  absl::StatusOr<v1::StatusPage> beta = registry_.Create(Page("beta"), TestWho());
  ASSERT_TRUE(beta.ok());
  absl::Status s = registry_.Create(Page("acme"), TestWho()).status();
  EXPECT_TRUE(absl::IsAlreadyExists(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("status_page.slug: 'acme' is taken"));

  v1::StatusPage rename = *beta;
  rename.set_slug("acme");
  google::protobuf::FieldMask mask;
  mask.add_paths("slug");
  EXPECT_TRUE(absl::IsAlreadyExists(registry_.Update(rename, mask, TestWho()).status()));
  // Keeping its own slug is no collision.
  rename.set_slug("beta");
  EXPECT_TRUE(registry_.Update(rename, mask, TestWho()).ok());
}

TEST_F(StatusPageRegistryTest, ResolvesListedIdsThenSelectorByNameFromTheLiveCatalog) {
  const std::string zed = AddMonitor("zed", {{"team", "core"}});
  const std::string alpha = AddMonitor("alpha", {{"team", "core"}});
  v1::StatusPage p = Page();
  v1::StatusPageGroup* g = p.mutable_groups(0);
  g->clear_monitor_ids();
  g->add_monitor_ids(web_);  // listed first, though the selector misses it
  g->add_monitor_ids(zed);   // listed and matched: shown once, where listed
  g->set_label_selector("team=core");
  absl::StatusOr<v1::StatusPage> created = registry_.Create(p, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_THAT(Resolved(created->groups(0)), ElementsAre(web_, zed, alpha, api_));

  // Later catalog changes show on the next read; a deleted listed monitor
  // simply disappears.
  const std::string beta = AddMonitor("beta", {{"team", "core"}});
  ASSERT_TRUE(catalog_.Delete(web_, TestWho()).ok());
  absl::StatusOr<v1::StatusPage> got = registry_.Get(created->id());
  ASSERT_TRUE(got.ok());
  EXPECT_THAT(Resolved(got->groups(0)), ElementsAre(zed, alpha, api_, beta));
  EXPECT_EQ(got->groups(0).monitor_ids_size(), 2);
  absl::StatusOr<StatusPageList> list = registry_.List(LabelSelector(), 10, "");
  ASSERT_TRUE(list.ok());
  EXPECT_THAT(Resolved(list->pages[0].groups(0)), ElementsAre(zed, alpha, api_, beta));
}

TEST_F(StatusPageRegistryTest, ResolutionIsCappedPerGroup) {
  for (int i = 0; i < kMaxResolvedMonitorsPerGroup + 5; ++i) {
    AddMonitor(absl::StrCat("bulk-", 10000 + i), {{"tier", "bulk"}});
  }
  v1::StatusPage p = Page();
  p.mutable_groups(0)->set_label_selector("tier=bulk");
  absl::StatusOr<v1::StatusPage> created = registry_.Create(p, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::StatusPageGroup& g = created->groups(0);
  ASSERT_EQ(g.resolved_monitor_ids_size(), kMaxResolvedMonitorsPerGroup);
  EXPECT_EQ(g.resolved_monitor_ids(0), api_);
  EXPECT_EQ((*catalog_.Get(g.resolved_monitor_ids(1)))->name(), "bulk-10000");
}

TEST_F(StatusPageRegistryTest, UpdateAppliesOnlyTheMaskAndRejectsOtherPaths) {
  v1::StatusPage p = Page();
  p.set_description("all systems");
  p.mutable_announcement()->set_text("maintenance tonight");
  absl::StatusOr<v1::StatusPage> created = registry_.Create(p, TestWho());
  ASSERT_TRUE(created.ok());
  clock_.Advance(absl::Minutes(5));

  v1::StatusPage patch;
  patch.set_id(created->id());
  patch.set_title("Acme, Inc.");
  patch.set_description("ignored: not in the mask");
  patch.set_show_targets(true);
  google::protobuf::FieldMask mask;
  mask.add_paths("title");
  mask.add_paths("show_targets");
  mask.add_paths("announcement");  // absent in the patch: cleared
  absl::StatusOr<v1::StatusPage> updated = registry_.Update(patch, mask, TestWho());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->title(), "Acme, Inc.");
  EXPECT_TRUE(updated->show_targets());
  EXPECT_EQ(updated->description(), "all systems");
  EXPECT_FALSE(updated->has_announcement());
  EXPECT_EQ(updated->slug(), "acme");
  EXPECT_THAT(Resolved(updated->groups(0)), ElementsAre(api_));
  EXPECT_EQ(FromProto(updated->update_time()), clock_.Now());
  EXPECT_EQ(FromProto(updated->create_time()), FromProto(created->create_time()));

  for (const char* bad : {"id", "create_time", "update_time", "groups.name", "bogus"}) {
    google::protobuf::FieldMask m;
    m.add_paths(bad);
    absl::Status s = registry_.Update(patch, m, TestWho()).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(s.message()), HasSubstr("update_mask: '")) << bad;
  }

  // An empty mask replaces every writable field; output-only ones stay.
  v1::StatusPage whole = Page("acme-2");
  whole.set_id(created->id());
  ToProto(absl::UnixEpoch(), whole.mutable_create_time());
  updated = registry_.Update(whole, {}, TestWho());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->title(), "Acme status");
  EXPECT_FALSE(updated->show_targets());
  EXPECT_EQ(FromProto(updated->create_time()), FromProto(created->create_time()));
  EXPECT_TRUE(registry_.GetBySlug("acme-2").ok());
  EXPECT_TRUE(absl::IsNotFound(registry_.GetBySlug("acme").status()));
  EXPECT_TRUE(registry_.Create(Page("acme"), TestWho()).ok());  // the old slug is free

  // A bad result of a valid mask is refused whole.
  mask.Clear();
  mask.add_paths("groups");
  patch.add_groups()->set_name("EU");
  patch.mutable_groups(0)->add_monitor_ids("mon-404");
  absl::Status s = registry_.Update(patch, mask, TestWho()).status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("status_page.groups[0].monitor_ids[0]: unknown"));
  EXPECT_TRUE(absl::IsNotFound(registry_.Update([] {
                                            v1::StatusPage x;
                                            x.set_id("sp-x");
                                            return x;
                                          }(),
                                          {}, TestWho())
                                   .status()));
}

TEST_F(StatusPageRegistryTest, PageStaysEditableAfterItsMonitorIsDeleted) {
  absl::StatusOr<v1::StatusPage> created = registry_.Create(Page(), TestWho());
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(catalog_.Delete(api_, TestWho()).ok());
  v1::StatusPage patch = *created;
  patch.set_title("still here");
  EXPECT_TRUE(registry_.Update(patch, {}, TestWho()).ok());
  // Adding an unknown id is still refused.
  patch.mutable_groups(0)->add_monitor_ids("mon-404");
  EXPECT_THAT(std::string(registry_.Update(patch, {}, TestWho()).status().message()),
              HasSubstr("status_page.groups[0].monitor_ids[1]: unknown monitor"));
}

TEST_F(StatusPageRegistryTest, StoreFailureChangesNothing) {
  absl::StatusOr<v1::StatusPage> created = registry_.Create(Page(), TestWho());
  ASSERT_TRUE(created.ok());
  store_.down = true;
  EXPECT_TRUE(absl::IsUnavailable(registry_.Create(Page("other"), TestWho()).status()));
  v1::StatusPage renamed = *created;
  renamed.set_slug("renamed");
  EXPECT_TRUE(absl::IsUnavailable(registry_.Update(renamed, {}, TestWho()).status()));
  EXPECT_TRUE(absl::IsUnavailable(registry_.Delete(created->id(), TestWho())));
  store_.down = false;
  EXPECT_EQ(registry_.size(), 1u);
  EXPECT_EQ(registry_.Get(created->id())->slug(), "acme");
  EXPECT_TRUE(absl::IsNotFound(registry_.GetBySlug("other").status()));
  EXPECT_TRUE(absl::IsNotFound(registry_.GetBySlug("renamed").status()));
  // The refused create left its slug free.
  EXPECT_TRUE(registry_.Create(Page("other"), TestWho()).ok());
}

TEST_F(StatusPageRegistryTest, LabelsAreValidatedUpdatableListedAndAudited) {
  v1::StatusPage p = Page("acme");
  (*p.mutable_labels())["managed-by"] = "uptimectl";
  absl::StatusOr<v1::StatusPage> created = registry_.Create(p, TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->labels().at("managed-by"), "uptimectl");
  ASSERT_TRUE(registry_.Create(Page("other"), TestWho()).ok());
  EXPECT_THAT(std::string(CreateError([](auto& q) {
                            q.set_slug("bad");
                            (*q.mutable_labels())["k"] = "tab\there";
                          }).message()),
              HasSubstr("status_page.labels"));

  absl::StatusOr<LabelSelector> managed = LabelSelector::Parse("", "managed-by=uptimectl");
  ASSERT_TRUE(managed.ok());
  absl::StatusOr<StatusPageList> list = registry_.List(*managed, 10, "");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->pages.size(), 1u);
  EXPECT_EQ(list->pages[0].slug(), "acme");

  v1::StatusPage relabel;
  relabel.set_id(created->id());
  (*relabel.mutable_labels())["team"] = "web";
  google::protobuf::FieldMask mask;
  mask.add_paths("labels");
  absl::StatusOr<v1::StatusPage> updated = registry_.Update(relabel, mask, TestWho());
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->labels().size(), 1u);
  EXPECT_EQ(updated->title(), "Acme status");
  EXPECT_TRUE(registry_.List(*managed, 10, "")->pages.empty());

  const std::vector<v1::AuditEvent> events = AuditEvents(audit_log_);
  ASSERT_FALSE(events.empty());
  EXPECT_THAT(events.back().before_json(), HasSubstr("\"managed-by\""));
  EXPECT_THAT(events.back().after_json(), HasSubstr("\"team\""));
}

TEST_F(StatusPageRegistryTest, ListPagesBySlug) {
  for (const char* slug : {"delta", "alpha", "echo", "charlie", "bravo"}) {
    ASSERT_TRUE(registry_.Create(Page(slug), TestWho()).ok());
  }
  std::vector<std::string> seen;
  std::string token;
  do {
    absl::StatusOr<StatusPageList> list = registry_.List(LabelSelector(), 2, token);
    ASSERT_TRUE(list.ok()) << list.status();
    EXPECT_LE(list->pages.size(), 2u);
    for (const v1::StatusPage& p : list->pages) seen.push_back(p.slug());
    token = list->next_page_token;
  } while (!token.empty());
  EXPECT_THAT(seen, ElementsAre("alpha", "bravo", "charlie", "delta", "echo"));
  EXPECT_EQ(registry_.List(LabelSelector(), 5, "")->next_page_token, "");
  EXPECT_FALSE(registry_.List(LabelSelector(), 10, "%%%").ok());
}

TEST_F(StatusPageRegistryTest, GetDeleteAndLoad) {
  absl::StatusOr<v1::StatusPage> a = registry_.Create(Page("a"), TestWho());
  absl::StatusOr<v1::StatusPage> b = registry_.Create(Page("b"), TestWho());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(registry_.GetBySlug("b")->id(), b->id());
  absl::Status missing = registry_.Get("sp-nope").status();
  EXPECT_TRUE(absl::IsNotFound(missing));
  EXPECT_THAT(std::string(missing.message()), HasSubstr("sp-nope"));
  EXPECT_THAT(std::string(registry_.GetBySlug("nope").status().message()), HasSubstr("'nope'"));

  EXPECT_TRUE(registry_.Delete(a->id(), TestWho()).ok());
  EXPECT_TRUE(absl::IsNotFound(registry_.Delete(a->id(), TestWho())));
  EXPECT_TRUE(absl::IsNotFound(registry_.Get(a->id()).status()));
  EXPECT_TRUE(absl::IsNotFound(registry_.GetBySlug("a").status()));

  StatusPageRegistry reloaded(&clock_, &store_, &catalog_);
  ASSERT_TRUE(reloaded.Load().ok());
  EXPECT_EQ(reloaded.size(), 1u);
  absl::StatusOr<v1::StatusPage> got = reloaded.GetBySlug("b");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->id(), b->id());
  EXPECT_THAT(Resolved(got->groups(0)), ElementsAre(api_));
}

TEST_F(StatusPageRegistryTest, EveryChangeIsAuditedAsStored) {
  absl::StatusOr<v1::StatusPage> created = registry_.Create(Page("acme"), TestWho());
  ASSERT_TRUE(created.ok()) << created.status();
  // Refused: no record.
  EXPECT_TRUE(absl::IsAlreadyExists(registry_.Create(Page("acme"), TestWho()).status()));
  store_.down = true;
  EXPECT_TRUE(absl::IsUnavailable(registry_.Create(Page("other"), TestWho()).status()));
  store_.down = false;
  v1::StatusPage retitled = *created;
  retitled.set_title("Acme, Inc. status");
  ASSERT_TRUE(registry_.Update(retitled, {}, TestWho()).ok());
  ASSERT_TRUE(registry_.Delete(created->id(), TestWho()).ok());

  std::vector<v1::AuditEvent> events = AuditEvents(audit_log_);
  ASSERT_EQ(events.size(), 3u);
  const std::vector<std::string> actions = {"status_page.create", "status_page.update",
                                            "status_page.delete"};
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].action(), actions[i]);
    EXPECT_EQ(events[i].resource_type(), "status_page");
    EXPECT_EQ(events[i].resource_id(), created->id());
    EXPECT_TRUE(HasTestWho(events[i]));
  }
  EXPECT_EQ(events[0].before_json(), "");
  v1::StatusPage after = FromAuditJson<v1::StatusPage>(events[0].after_json());
  EXPECT_EQ(after.slug(), "acme");
  EXPECT_EQ(after.id(), created->id());
  // As stored: resolved ids are output only.
  ASSERT_EQ(after.groups_size(), 1);
  EXPECT_EQ(after.groups(0).resolved_monitor_ids_size(), 0);
  EXPECT_EQ(FromAuditJson<v1::StatusPage>(events[1].before_json()).title(), "Acme status");
  EXPECT_EQ(FromAuditJson<v1::StatusPage>(events[1].after_json()).title(), "Acme, Inc. status");
  EXPECT_EQ(FromAuditJson<v1::StatusPage>(events[2].before_json()).title(), "Acme, Inc. status");
  EXPECT_EQ(events[2].after_json(), "");
}

}  // namespace
}  // namespace uptime::coordinator
