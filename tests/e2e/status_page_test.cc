// Status pages end to end, over real gRPC against a real coordinator with
// PostgreSQL: the whole API surface (create, get by id and by slug, list,
// masked update, delete), its errors and access rules, resolution against
// the live catalog, persistence across a coordinator restart, and
// reflection.
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/postgres_server.h"
#include "uptime/v1/status_page.grpc.pb.h"

namespace uptime::testing {
namespace {

// Drives StatusPageService over the cluster's channel, with a given token.
class PagesClient {
 public:
  explicit PagesClient(const ClusterFixture& cluster)
      : stub_(v1::StatusPageService::NewStub(cluster.channel())) {}

  grpc::Status Create(const v1::StatusPage& page, v1::StatusPage* out,
                      const std::string& token = kAdminToken) {
    v1::CreateStatusPageRequest req;
    *req.mutable_status_page() = page;
    return stub_->CreateStatusPage(ClusterFixture::Context(token).get(), req, out);
  }
  grpc::Status Get(const std::string& id, const std::string& slug, v1::StatusPage* out,
                   const std::string& token = kReadToken) {
    v1::GetStatusPageRequest req;
    req.set_id(id);
    req.set_slug(slug);
    return stub_->GetStatusPage(ClusterFixture::Context(token).get(), req, out);
  }
  grpc::Status List(int page_size, const std::string& token_in,
                    v1::ListStatusPagesResponse* out) {
    v1::ListStatusPagesRequest req;
    req.set_page_size(page_size);
    req.set_page_token(token_in);
    return stub_->ListStatusPages(ClusterFixture::Context(kReadToken).get(), req, out);
  }
  grpc::Status Update(const v1::StatusPage& page, const std::vector<std::string>& paths,
                      v1::StatusPage* out, const std::string& token = kAdminToken) {
    v1::UpdateStatusPageRequest req;
    *req.mutable_status_page() = page;
    for (const std::string& p : paths) req.mutable_update_mask()->add_paths(p);
    return stub_->UpdateStatusPage(ClusterFixture::Context(token).get(), req, out);
  }
  grpc::Status Delete(const std::string& id, const std::string& token = kAdminToken) {
    v1::DeleteStatusPageRequest req;
    req.set_id(id);
    google::protobuf::Empty empty;
    return stub_->DeleteStatusPage(ClusterFixture::Context(token).get(), req, &empty);
  }

 private:
  std::unique_ptr<v1::StatusPageService::Stub> stub_;
};

v1::StatusPage Page(const std::string& slug, const std::vector<std::string>& ids,
                    const std::string& selector = "") {
  v1::StatusPage p;
  p.set_slug(slug);
  p.set_title("Acme status");
  v1::StatusPageGroup* g = p.add_groups();
  g->set_name("API");
  for (const std::string& id : ids) g->add_monitor_ids(id);
  g->set_label_selector(selector);
  return p;
}

std::vector<std::string> Shown(const v1::StatusPage& page, int group = 0) {
  const auto& ids = page.groups(group).resolved_monitor_ids();
  return {ids.begin(), ids.end()};
}

// The services the coordinator lists through server reflection (grpcurl).
std::set<std::string> ReflectedServices(const ClusterFixture& cluster) {
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(cluster.channel());
  grpc::ClientContext ctx;
  auto stream = reflection->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  std::set<std::string> names;
  if (stream->Write(req) && stream->Read(&resp)) {
    for (const auto& s : resp.list_services_response().service()) names.insert(s.name());
  }
  stream->WritesDone();
  (void)stream->Finish();
  return names;
}

TEST(StatusPageTest, ApiValidatesAuthorizesResolvesAndPersists) {
  auto pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator({"--postgres", (*pg)->dsn()}).ok());
  EXPECT_TRUE(ReflectedServices(cluster).contains("uptime.v1.StatusPageService"));

  // Two monitors labelled for a selector, one listed by id only.
  std::vector<std::string> ids;
  for (const char* name : {"web", "api", "billing"}) {
    v1::Monitor m = HttpMonitor(name, "http://127.0.0.1:9/health");
    if (std::string(name) != "billing") (*m.mutable_labels())["team"] = "core";
    auto created = cluster.CreateMonitor(m);
    ASSERT_TRUE(created.ok()) << created.status();
    ids.push_back(created->id());
  }
  const std::string& web = ids[0];
  const std::string& api = ids[1];
  const std::string& billing = ids[2];
  PagesClient pages(cluster);

  // Bad input names the field; nothing is half-created.
  struct Bad {
    v1::StatusPage page;
    grpc::StatusCode code;
    std::string message;
  };
  std::vector<Bad> bad = {
      {Page("Acme!", {billing}), grpc::StatusCode::INVALID_ARGUMENT, "status_page.slug: must be"},
      {Page("acme", {"mon-does-not-exist"}), grpc::StatusCode::INVALID_ARGUMENT,
       "status_page.groups[0].monitor_ids[0]: unknown monitor 'mon-does-not-exist'"},
      {Page("acme", {}), grpc::StatusCode::INVALID_ARGUMENT,
       "status_page.groups[0].monitor_ids: set monitor_ids or label_selector"},
      {Page("acme", {}, "=nope"), grpc::StatusCode::INVALID_ARGUMENT,
       "status_page.groups[0].label_selector"},
  };
  bad.push_back({Page("acme", {billing}), grpc::StatusCode::INVALID_ARGUMENT,
                 "status_page.logo_url: must be an absolute http:// or https:// URL"});
  bad.back().page.set_logo_url("javascript:alert(1)");
  bad.push_back({Page("acme", {billing}), grpc::StatusCode::INVALID_ARGUMENT, "status_page.labels"});
  (*bad.back().page.mutable_labels())["no spaces"] = "x";
  for (const Bad& b : bad) {
    v1::StatusPage out;
    grpc::Status s = pages.Create(b.page, &out);
    EXPECT_EQ(s.error_code(), b.code) << b.message << " -> " << s.error_message();
    EXPECT_TRUE(absl::StrContains(s.error_message(), b.message)) << s.error_message();
  }

  // Writes need admin; reads need a valid token.
  v1::StatusPage out;
  EXPECT_EQ(pages.Create(Page("acme", {billing}), &out, kReadToken).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(pages.Create(Page("acme", {billing}), &out, "wrong").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ListStatusPagesResponse list;
  ASSERT_TRUE(pages.List(0, "", &list).ok());
  EXPECT_EQ(list.status_pages_size(), 0);

  // Create: listed ids first, then the selector's matches by name.
  v1::StatusPage acme_in = Page("acme", {billing}, "team=core");
  acme_in.mutable_announcement()->set_text("Investigating slow logins");
  acme_in.mutable_announcement()->set_level(v1::ANNOUNCEMENT_LEVEL_WARNING);
  (*acme_in.mutable_labels())["managed-by"] = "uptimectl";
  v1::StatusPage acme;
  grpc::Status s = pages.Create(acme_in, &acme);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(absl::StartsWith(acme.id(), "sp-")) << acme.id();
  EXPECT_EQ(acme.id().size(), 19u);
  EXPECT_TRUE(acme.has_create_time());
  EXPECT_EQ(Shown(acme), (std::vector<std::string>{billing, api, web}));
  s = pages.Create(Page("acme", {web}), &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "status_page.slug: 'acme' is taken"));
  v1::StatusPage beta;
  ASSERT_TRUE(pages.Create(Page("beta", {web}), &beta).ok());

  // Get by id and by slug (a read token suffices); exactly one of the two.
  v1::StatusPage got;
  s = pages.Get(acme.id(), "", &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.slug(), "acme");
  EXPECT_EQ(Shown(got), Shown(acme));
  s = pages.Get("", "beta", &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.id(), beta.id());
  EXPECT_EQ(pages.Get("", "", &got).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(pages.Get(acme.id(), "acme", &got).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = pages.Get("", "nope", &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "nope")) << s.error_message();
  EXPECT_EQ(pages.Get("sp-0000000000000000", "", &got).error_code(), grpc::StatusCode::NOT_FOUND);

  // List: by slug, one per page, then done; bounds checked.
  std::vector<std::string> slugs;
  std::string token;
  do {
    list.Clear();
    ASSERT_TRUE(pages.List(1, token, &list).ok());
    for (const v1::StatusPage& p : list.status_pages()) slugs.push_back(p.slug());
    token = list.next_page_token();
  } while (!token.empty() && slugs.size() < 10);
  EXPECT_EQ(slugs, (std::vector<std::string>{"acme", "beta"}));
  EXPECT_EQ(pages.List(1001, "", &list).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(pages.List(1, "garbage!", &list).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // Update under a mask: only the named fields change.
  v1::StatusPage patch;
  patch.set_id(acme.id());
  patch.set_title("Acme, Inc.");
  patch.set_slug("ignored-not-in-mask");
  v1::StatusPage updated;
  s = pages.Update(patch, {"title", "show_targets"}, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.title(), "Acme, Inc.");
  EXPECT_EQ(updated.slug(), "acme");
  EXPECT_EQ(updated.announcement().text(), "Investigating slow logins");
  EXPECT_EQ(Shown(updated), Shown(acme));
  s = pages.Update(patch, {"create_time"}, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "update_mask")) << s.error_message();
  EXPECT_EQ(pages.Update(patch, {"title"}, &updated, kReadToken).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  patch.set_id("");
  EXPECT_EQ(pages.Update(patch, {"title"}, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Delete: admin only, once, then NOT_FOUND.
  EXPECT_EQ(pages.Delete(beta.id(), kReadToken).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(pages.Delete(beta.id()).ok());
  EXPECT_EQ(pages.Delete(beta.id()).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(pages.Get("", "beta", &got).error_code(), grpc::StatusCode::NOT_FOUND);

  // Stored in PostgreSQL: a restarted coordinator serves the updated page,
  // resolved against its reloaded catalog.
  ASSERT_TRUE(cluster.RestartCoordinator().ok());
  PagesClient after_restart(cluster);
  s = after_restart.Get("", "acme", &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.id(), acme.id());
  EXPECT_EQ(got.title(), "Acme, Inc.");
  EXPECT_EQ(got.announcement().level(), v1::ANNOUNCEMENT_LEVEL_WARNING);
  EXPECT_EQ(got.labels().at("managed-by"), "uptimectl");  // in the stored spec
  EXPECT_EQ(Shown(got), Shown(acme));
  list.Clear();
  ASSERT_TRUE(after_restart.List(0, "", &list).ok());
  EXPECT_EQ(list.status_pages_size(), 1);
}

}  // namespace
}  // namespace uptime::testing
