// `uptimectl status-pages ...` against a fake coordinator: the pages and
// update masks built from flags, slug lookup, output formats and exit codes.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "cli/testing/cli_test_fixture.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kAcmeId[] = "sp-00000000000000aa";

v1::StatusPage Acme() {
  v1::StatusPage page;
  page.set_id(kAcmeId);
  page.set_slug("acme");
  page.set_title("Acme status");
  v1::StatusPageGroup* api = page.add_groups();
  api->set_name("API");
  api->add_monitor_ids("mon-1");
  api->add_monitor_ids("mon-2");
  *api->mutable_resolved_monitor_ids() = api->monitor_ids();
  v1::StatusPageGroup* eu = page.add_groups();
  eu->set_name("Europe");
  eu->set_label_selector("region=eu");
  eu->add_resolved_monitor_ids("mon-3");
  page.mutable_update_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Minutes(5)));
  return page;
}

v1::StatusPage Blog() {
  v1::StatusPage page;
  page.set_id("sp-00000000000000bb");
  page.set_slug("blog");
  page.set_title("Blog");
  v1::StatusPageGroup* web = page.add_groups();
  web->set_name("Web");
  web->add_monitor_ids("mon-9");
  *web->mutable_resolved_monitor_ids() = web->monitor_ids();
  page.mutable_update_time()->set_seconds(absl::ToUnixSeconds(kNow - absl::Hours(2)));
  return page;
}

TEST_F(CliTest, StatusPagesCreateMergesGroupsInTypedOrder) {
  ASSERT_EQ(Run({"status-pages", "create", "--slug", "acme", "--title", "Acme status",
                 "--description", "All systems", "--logo-url", "https://acme.example/logo.png",
                 "--homepage-url", "https://acme.example/", "--group", "API=mon-1, mon-2",
                 "--group-selector", "Europe=region=eu", "--group-selector",
                 "API=tier=api,env!=dev", "--group", "API=mon-3", "--show-targets",
                 "--hide-response-times", "--announcement", "Slow logins",
                 "--announcement-level", "WARNING"}),
            kExitOk)
      << err();
  std::optional<v1::StatusPage> sent = fake_.CreatedStatusPage();
  ASSERT_TRUE(sent.has_value());
  EXPECT_EQ(sent->slug(), "acme");
  EXPECT_EQ(sent->title(), "Acme status");
  EXPECT_EQ(sent->description(), "All systems");
  EXPECT_EQ(sent->logo_url(), "https://acme.example/logo.png");
  EXPECT_EQ(sent->homepage_url(), "https://acme.example/");
  ASSERT_EQ(sent->groups_size(), 2);
  EXPECT_EQ(sent->groups(0).name(), "API");
  EXPECT_THAT(sent->groups(0).monitor_ids(), ElementsAre("mon-1", "mon-2", "mon-3"));
  EXPECT_EQ(sent->groups(0).label_selector(), "tier=api,env!=dev");
  EXPECT_EQ(sent->groups(1).name(), "Europe");
  EXPECT_THAT(sent->groups(1).monitor_ids(), IsEmpty());
  EXPECT_EQ(sent->groups(1).label_selector(), "region=eu");
  EXPECT_TRUE(sent->show_targets());
  EXPECT_FALSE(sent->show_incident_causes());
  EXPECT_TRUE(sent->hide_response_times());
  EXPECT_EQ(sent->announcement().text(), "Slow logins");
  EXPECT_EQ(sent->announcement().level(), v1::ANNOUNCEMENT_LEVEL_WARNING);
  EXPECT_THAT(Lines(out()),
              ElementsAre("SLUG  TITLE        GROUPS  MONITORS  URL           UPDATED",
                          "acme  Acme status  2       3         /status/acme  0s ago",
                          "GROUP   MONITORS           SELECTOR           SHOWS",
                          "API     mon-1,mon-2,mon-3  tier=api,env!=dev  3",
                          "Europe  -                  region=eu          0",
                          "announcement (warning): Slow logins"));
}

TEST_F(CliTest, StatusPagesCreatePrintsJsonAndYaml) {
  ASSERT_EQ(Run({"-o", "json", "status-pages", "create", "--slug", "acme", "--title", "Acme",
                 "--group", "API=mon-1"}),
            kExitOk)
      << err();
  v1::StatusPage printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.id(), "sp-0000000000000001");
  EXPECT_THAT(printed.groups(0).resolved_monitor_ids(), ElementsAre("mon-1"));
  EXPECT_FALSE(printed.has_announcement());

  ASSERT_EQ(Run({"-o", "yaml", "status-pages", "get", "acme"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("slug: acme"));
  EXPECT_THAT(out(), HasSubstr("id: sp-0000000000000001"));
}

TEST_F(CliTest, StatusPagesCreateRejectsBadFlagsBeforeAnyCall) {
  const std::vector<std::string> required = {"--slug", "acme", "--title", "Acme"};
  struct Case {
    std::vector<std::string> args;  // after the required flags, unless `replace`
    std::string error;              // part of stderr: names the flag
    bool replace = false;
  };
  const std::vector<Case> cases = {
      {{"--title", "Acme", "--group", "API=mon-1"}, "--slug is required", true},
      {{"--slug", "acme", "--group", "API=mon-1"}, "--title is required", true},
      {{}, "--group or --group-selector: a page needs at least one group"},
      {{"--group", "API"}, "--group: expected NAME=MONITOR_ID[,MONITOR_ID...], got 'API'"},
      {{"--group", "=mon-1"}, "--group: expected NAME="},
      {{"--group", "API="}, "--group: expected NAME="},
      {{"--group", "API=, ,"}, "--group: expected NAME="},
      {{"--group-selector", "API"}, "--group-selector: expected NAME=SELECTOR"},
      {{"--group-selector", "API=a=b", "--group-selector", "API=c=d"},
       "--group-selector: group 'API' given twice"},
      {{"--group", "API=mon-1", "--announcement", "x", "--announcement-level", "loud"},
       "--announcement-level: loud not in {info,warning,critical}"},
      {{"--group", "API=mon-1", "--announcement-level", "info"},
       "--announcement-level: needs --announcement TEXT"},
      {{"--group", "API=mon-1", "--frobnicate"}, "--frobnicate"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"status-pages", "create"};
    if (!c.replace) args.insert(args.end(), required.begin(), required.end());
    args.insert(args.end(), c.args.begin(), c.args.end());
    EXPECT_EQ(Run(args), kExitUsage) << c.error;
    EXPECT_THAT(err(), HasSubstr(c.error));
  }
  EXPECT_EQ(fake_.calls(), 0);
}

TEST_F(CliTest, StatusPagesCreateReportsServerErrors) {
  fake_.AddStatusPage(Acme());
  EXPECT_EQ(Run({"status-pages", "create", "--slug", "acme", "--title", "Again", "--group",
                 "API=mon-1"}),
            kExitError);
  EXPECT_EQ(err(), "error: ALREADY_EXISTS: status_page.slug: 'acme' is taken\n");
  EXPECT_EQ(out(), "");
}

TEST_F(CliTest, StatusPagesListEveryPage) {
  fake_.AddStatusPage(Acme());
  fake_.AddStatusPage(Blog());
  fake_.SetMaxPageSize(1);
  ASSERT_EQ(Run({"status-pages", "list", "--all"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("SLUG  TITLE        GROUPS  MONITORS  URL           UPDATED",
                          "acme  Acme status  2       3         /status/acme  5m ago",
                          "blog  Blog         1       1         /status/blog  2h0m ago"));
  EXPECT_EQ(err(), "");

  ASSERT_EQ(Run({"status-pages", "ls"}), kExitOk) << err();
  EXPECT_EQ(Lines(out()).size(), 2u);
  EXPECT_EQ(err(), "more status pages: add --all, or --page-token acme\n");

  ASSERT_EQ(Run({"status-pages", "list", "--page-token", "acme"}), kExitOk) << err();
  EXPECT_THAT(Lines(out())[1], HasSubstr("blog"));
}

TEST_F(CliTest, StatusPagesListOutputFormats) {
  ASSERT_EQ(Run({"status-pages", "list"}), kExitOk) << err();
  EXPECT_EQ(out(), "");
  EXPECT_EQ(err(), "no status pages found\n");

  fake_.AddStatusPage(Acme());
  fake_.AddStatusPage(Blog());
  ASSERT_EQ(Run({"-o", "json", "status-pages", "list"}), kExitOk) << err();
  v1::ListStatusPagesResponse printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  ASSERT_EQ(printed.status_pages_size(), 2);
  EXPECT_EQ(printed.status_pages(0).slug(), "acme");
  EXPECT_EQ(printed.status_pages(1).id(), "sp-00000000000000bb");

  ASSERT_EQ(Run({"status-pages", "list", "-o", "yaml"}), kExitOk) << err();
  EXPECT_THAT(out(), HasSubstr("statusPages:"));
  EXPECT_THAT(out(), HasSubstr("labelSelector: region=eu"));

  EXPECT_EQ(Run({"status-pages", "list", "-o", "xml"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--output"));
}

TEST_F(CliTest, StatusPagesGetByIdOrSlug) {
  fake_.AddStatusPage(Acme());
  // A slug may start with "sp-" too: only the full id shape is an id.
  v1::StatusPage tricky = Blog();
  tricky.set_slug("sp-team");
  fake_.AddStatusPage(tricky);
  struct Case {
    std::string name;
    std::string slug;  // of the page expected
  };
  for (const Case& c : std::vector<Case>{{kAcmeId, "acme"},
                                         {"acme", "acme"},
                                         {"sp-team", "sp-team"},
                                         {"sp-00000000000000bb", "sp-team"}}) {
    ASSERT_EQ(Run({"-o", "json", "status-pages", "get", c.name}), kExitOk) << c.name << err();
    v1::StatusPage printed;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
    EXPECT_EQ(printed.slug(), c.slug) << c.name;
  }

  ASSERT_EQ(Run({"status-pages", "get", "acme"}), kExitOk) << err();
  EXPECT_THAT(Lines(out()),
              ElementsAre("SLUG  TITLE        GROUPS  MONITORS  URL           UPDATED",
                          "acme  Acme status  2       3         /status/acme  5m ago",
                          "GROUP   MONITORS     SELECTOR   SHOWS",
                          "API     mon-1,mon-2  -          2",
                          "Europe  -            region=eu  1"));

  EXPECT_EQ(Run({"status-pages", "get", "nope"}), kExitNotFound);
  EXPECT_EQ(err(), "error: NOT_FOUND: status page 'nope' not found\n");
  EXPECT_EQ(Run({"status-pages", "get"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("page is required"));
}

TEST_F(CliTest, StatusPagesUpdateSendsOnlyTheFieldsGiven) {
  struct Case {
    std::vector<std::string> flags;
    std::vector<std::string> mask;
    std::function<void(const v1::StatusPage&)> check;  // of the stored page
  };
  const std::vector<Case> cases = {
      {{"--title", "Acme Inc."},
       {"title"},
       [](const v1::StatusPage& p) {
         EXPECT_EQ(p.title(), "Acme Inc.");
         EXPECT_EQ(p.groups_size(), 2);  // untouched
       }},
      {{"--group-selector", "All=env=prod", "--description", "d"},
       {"description", "groups"},
       [](const v1::StatusPage& p) {
         EXPECT_EQ(p.description(), "d");
         ASSERT_EQ(p.groups_size(), 1);
         EXPECT_EQ(p.groups(0).label_selector(), "env=prod");
       }},
      {{"--show-targets", "--show-incident-causes=true", "--hide-response-times=false"},
       {"show_targets", "show_incident_causes", "hide_response_times"},
       [](const v1::StatusPage& p) {
         EXPECT_TRUE(p.show_targets());
         EXPECT_TRUE(p.show_incident_causes());
         EXPECT_FALSE(p.hide_response_times());
       }},
      {{"--announcement", "Down for maintenance", "--announcement-level", "critical"},
       {"announcement"},
       [](const v1::StatusPage& p) {
         EXPECT_EQ(p.announcement().level(), v1::ANNOUNCEMENT_LEVEL_CRITICAL);
       }},
      {{"--announcement", ""},
       {"announcement"},
       [](const v1::StatusPage& p) { EXPECT_FALSE(p.has_announcement()); }},
      {{"--slug", "acme-inc", "--logo-url", "https://l/", "--homepage-url", "https://h/"},
       {"slug", "logo_url", "homepage_url"},
       [](const v1::StatusPage& p) {
         EXPECT_EQ(p.slug(), "acme-inc");
         EXPECT_EQ(p.homepage_url(), "https://h/");
       }},
  };
  for (const Case& c : cases) {
    v1::StatusPage acme = Acme();
    acme.set_hide_response_times(true);
    acme.mutable_announcement()->set_text("old");
    fake_.AddStatusPage(acme);
    std::vector<std::string> args = {"status-pages", "update", "acme"};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    ASSERT_EQ(Run(args), kExitOk) << c.flags[0] << ": " << err();
    std::optional<v1::UpdateStatusPageRequest> sent = fake_.LastUpdateStatusPage();
    ASSERT_TRUE(sent.has_value());
    EXPECT_EQ(sent->status_page().id(), kAcmeId);  // the slug looked up
    EXPECT_THAT(sent->update_mask().paths(), ElementsAreArray(c.mask)) << c.flags[0];
    std::optional<v1::StatusPage> stored = fake_.FindStatusPage(kAcmeId);
    ASSERT_TRUE(stored.has_value());
    c.check(*stored);
    ASSERT_EQ(Run({"status-pages", "delete", kAcmeId}), kExitOk) << err();
  }
}

TEST_F(CliTest, StatusPagesUpdateErrors) {
  fake_.AddStatusPage(Acme());
  EXPECT_EQ(Run({"status-pages", "update", "acme"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("nothing to update"));
  EXPECT_EQ(Run({"status-pages", "update", "acme", "--announcement-level", "info"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--announcement-level: needs --announcement"));
  EXPECT_EQ(Run({"status-pages", "update", "acme", "--group", "API"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("--group: expected"));
  EXPECT_EQ(fake_.calls(), 0);

  EXPECT_EQ(Run({"status-pages", "update", "nope", "--title", "x"}), kExitNotFound);
  EXPECT_EQ(err(), "error: NOT_FOUND: status page 'nope' not found\n");
  EXPECT_EQ(Run({"status-pages", "update", "sp-00000000000000ff", "--title", "x"}),
            kExitNotFound);
  EXPECT_THAT(err(), HasSubstr("NOT_FOUND"));
  // An id goes straight to UpdateStatusPage, without a lookup.
  EXPECT_EQ(fake_.LastUpdateStatusPage()->status_page().id(), "sp-00000000000000ff");
}

TEST_F(CliTest, StatusPagesDeleteByIdOrSlug) {
  fake_.AddStatusPage(Acme());
  fake_.AddStatusPage(Blog());
  EXPECT_EQ(Run({"status-pages", "delete", "acme", "nope", "sp-00000000000000bb"}),
            kExitNotFound);
  EXPECT_EQ(out(), "deleted acme\ndeleted sp-00000000000000bb\n");
  EXPECT_EQ(err(), "error: NOT_FOUND: status page 'nope' not found\n");
  EXPECT_FALSE(fake_.FindStatusPage(kAcmeId).has_value());
  EXPECT_FALSE(fake_.FindStatusPage("sp-00000000000000bb").has_value());

  fake_.AddStatusPage(Acme());
  ASSERT_EQ(Run({"-o", "json", "status-pages", "rm", "acme"}), kExitOk) << err();
  google::protobuf::Struct printed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out(), &printed).ok()) << out();
  EXPECT_EQ(printed.fields().at("deleted").list_value().values(0).string_value(), "acme");
}

TEST_F(CliTest, StatusPagesServerFailureStopsDelete) {
  fake_.AddStatusPage(Acme());
  fake_.FailWith(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "needs the 'admin' scope"));
  EXPECT_EQ(Run({"status-pages", "delete", kAcmeId, "sp-00000000000000bb"}), kExitDenied);
  EXPECT_EQ(err(), "error: PERMISSION_DENIED: needs the 'admin' scope\n");
  EXPECT_EQ(fake_.calls(), 1);
}

TEST_F(CliTest, StatusPagesHelp) {
  ASSERT_EQ(Run({"status-pages", "--help"}), kExitOk);
  for (const char* sub : {"list", "get", "create", "update", "delete"}) {
    EXPECT_THAT(out(), HasSubstr(sub));
  }
  ASSERT_EQ(Run({"status-pages", "update", "--help"}), kExitOk);
  EXPECT_THAT(out(), HasSubstr("--group-selector"));
  EXPECT_THAT(out(), HasSubstr("--FLAG=false"));
  EXPECT_EQ(Run({"status-pages"}), kExitUsage);
  EXPECT_EQ(Run({"status-pages", "frob"}), kExitUsage);
  EXPECT_THAT(err(), HasSubstr("unknown command 'frob'"));
}

}  // namespace
}  // namespace uptime::cli
