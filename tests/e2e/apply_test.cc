// Monitors as code end to end: uptimectl apply / diff / export / validate
// (the real command code, run in-process) against a real coordinator backed
// by PostgreSQL. What changed is read back through the API and the audit log.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/cli.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/postgres_server.h"
#include "uptime/v1/audit.grpc.pb.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/notification.grpc.pb.h"
#include "uptime/v1/status_page.grpc.pb.h"

namespace uptime::testing {
namespace {

const std::filesystem::path kExamples =
    std::filesystem::path(UPTIME_SOURCE_DIR) / "deploy/examples";

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Start();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = *std::move(pg);
    ASSERT_TRUE(cluster_.StartCoordinator({"--postgres", pg_->dsn()}).ok());
    setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/first-secret", 1);
    setenv("OPS_WEBHOOK_SECRET", "0123456789abcdef-first", 1);
    dir_ = std::filesystem::path(::testing::TempDir()) /
           absl::StrCat("apply_", ::getpid(), "_",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::copy(kExamples, dir_, std::filesystem::copy_options::recursive);
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    unsetenv("SLACK_WEBHOOK_URL");
    unsetenv("OPS_WEBHOOK_SECRET");
  }

  CliRun Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {"--addr", cluster_.address(), "--token", kAdminToken});
    std::ostringstream out, err;
    cli::CliEnv env;
    env.out = &out;
    env.err = &err;
    CliRun run;
    run.code = cli::RunCli(args, env);
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  std::string ReadFile(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void WriteFile(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  void Replace(const std::string& name, const std::string& from, const std::string& to) {
    std::string text = ReadFile(name);
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    WriteFile(name, text);
  }

  std::vector<v1::Monitor> Monitors() {
    auto stub = v1::MonitorService::NewStub(cluster_.channel());
    v1::ListMonitorsRequest req;
    req.set_page_size(1000);
    v1::ListMonitorsResponse resp;
    EXPECT_TRUE(stub->ListMonitors(ClusterFixture::Context().get(), req, &resp).ok());
    return {resp.monitors().begin(), resp.monitors().end()};
  }
  std::optional<v1::Monitor> MonitorNamed(const std::string& name) {
    for (const v1::Monitor& m : Monitors()) {
      if (m.name() == name) return m;
    }
    return std::nullopt;
  }
  int Count(const std::string& kind) {
    int n = 0;
    if (kind == "channels") {
      auto stub = v1::NotificationService::NewStub(cluster_.channel());
      v1::ListChannelsRequest req;
      v1::ListChannelsResponse resp;
      EXPECT_TRUE(stub->ListChannels(ClusterFixture::Context().get(), req, &resp).ok());
      n = resp.channels_size();
    } else if (kind == "windows") {
      auto stub = v1::MaintenanceService::NewStub(cluster_.channel());
      v1::ListMaintenanceWindowsRequest req;
      v1::ListMaintenanceWindowsResponse resp;
      EXPECT_TRUE(stub->ListMaintenanceWindows(ClusterFixture::Context().get(), req, &resp).ok());
      n = resp.windows_size();
    } else if (kind == "pages") {
      auto stub = v1::StatusPageService::NewStub(cluster_.channel());
      v1::ListStatusPagesRequest req;
      v1::ListStatusPagesResponse resp;
      EXPECT_TRUE(stub->ListStatusPages(ClusterFixture::Context().get(), req, &resp).ok());
      n = resp.status_pages_size();
    } else {
      n = static_cast<int>(Monitors().size());
    }
    return n;
  }
  // Audit events newer than `after_id`, oldest first, as "action resource_id".
  std::vector<v1::AuditEvent> AuditSince(int64_t after_id) {
    auto stub = v1::AuditService::NewStub(cluster_.channel());
    v1::ListAuditEventsRequest req;
    req.set_page_size(1000);
    v1::ListAuditEventsResponse resp;
    EXPECT_TRUE(stub->ListAuditEvents(ClusterFixture::Context().get(), req, &resp).ok());
    std::vector<v1::AuditEvent> out;
    for (const v1::AuditEvent& e : resp.events()) {
      if (e.id() > after_id) out.insert(out.begin(), e);
    }
    return out;
  }
  int64_t LastAuditId() {
    std::vector<v1::AuditEvent> all = AuditSince(0);
    return all.empty() ? 0 : all.back().id();
  }

  std::unique_ptr<PostgresServer> pg_;
  ClusterFixture cluster_;
  std::filesystem::path dir_;
};

TEST_F(ApplyTest, ExamplesValidateApplyAndApplyExportApplyChangesNothing) {
  CliRun validate = Cli({"validate", "-f", dir_.string()});
  ASSERT_EQ(validate.code, 0) << validate.err;
  EXPECT_EQ(validate.out, "valid: 2 Channels, 4 Monitors, 1 MaintenanceWindow, 1 StatusPage\n");

  CliRun applied = Cli({"apply", "-f", dir_.string()});
  ASSERT_EQ(applied.code, 0) << applied.err;
  EXPECT_TRUE(absl::StrContains(applied.out, "8 created, 0 updated, 0 deleted, 0 unchanged"))
      << applied.out;
  EXPECT_EQ(Count("channels"), 2);
  EXPECT_EQ(Count("monitors"), 4);
  EXPECT_EQ(Count("windows"), 1);
  EXPECT_EQ(Count("pages"), 1);
  std::optional<v1::Monitor> checkout = MonitorNamed("shop-checkout");
  ASSERT_TRUE(checkout.has_value());
  EXPECT_EQ(checkout->channel_ids_size(), 2);
  EXPECT_EQ(checkout->labels().at("uptime.dev/managed-by"), "uptimectl");

  // Idempotent: a second apply and a diff find nothing to do.
  const int64_t before = LastAuditId();
  CliRun again = Cli({"apply", "-f", dir_.string()});
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, "0 created, 0 updated, 0 deleted, 8 unchanged\n");
  CliRun diff = Cli({"diff", "-f", dir_.string()});
  EXPECT_EQ(diff.code, 0) << diff.out << diff.err;

  // export -> apply: the exported documents describe the same objects.
  CliRun exported = Cli({"export"});
  ASSERT_EQ(exported.code, 0) << exported.err;
  EXPECT_TRUE(absl::StrContains(exported.err, "SLACK_OPS_WEBHOOK_URL")) << exported.err;
  EXPECT_TRUE(absl::StrContains(exported.err, "INCIDENT_BOT_SECRET")) << exported.err;
  EXPECT_FALSE(absl::StrContains(exported.out, "first-secret"));
  EXPECT_FALSE(absl::StrContains(exported.out, "createTime"));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  WriteFile("exported.yaml", exported.out);
  setenv("SLACK_OPS_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/first-secret", 1);
  setenv("INCIDENT_BOT_SECRET", "0123456789abcdef-first", 1);
  CliRun reapplied = Cli({"apply", "-f", dir_.string()});
  unsetenv("SLACK_OPS_WEBHOOK_URL");
  unsetenv("INCIDENT_BOT_SECRET");
  ASSERT_EQ(reapplied.code, 0) << reapplied.err;
  EXPECT_EQ(reapplied.out, "0 created, 0 updated, 0 deleted, 8 unchanged\n");
  EXPECT_TRUE(AuditSince(before).empty()) << AuditSince(before).front().action();
}

TEST_F(ApplyTest, AChangedFileUpdatesExactlyTheChangedFieldsOfTheChangedObjects) {
  ASSERT_EQ(Cli({"apply", "-f", dir_.string()}).code, 0);
  const v1::Monitor before = *MonitorNamed("shop-api");
  const int64_t audit_before = LastAuditId();

  Replace("monitors.yaml", "    method: HEAD\n  interval: 1m", "    method: HEAD\n  interval: 2m");
  setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T000/B000/second-secret", 1);

  CliRun diff = Cli({"diff", "-f", dir_.string()});
  EXPECT_EQ(diff.code, 1);
  EXPECT_TRUE(
      absl::StrContains(diff.out, "~ update Monitor/shop-api\n    spec.interval: 60s -> 120s\n"))
      << diff.out;
  EXPECT_TRUE(absl::StrContains(diff.out, "spec.config.webhook_url: ****cret -> ****cret"))
      << diff.out;
  EXPECT_FALSE(absl::StrContains(diff.out, "second-secret"));
  EXPECT_TRUE(
      absl::StrContains(diff.out, "Plan: 0 to create, 2 to update, 0 to delete, 6 unchanged."))
      << diff.out;

  CliRun applied = Cli({"apply", "-f", dir_.string()});
  ASSERT_EQ(applied.code, 0) << applied.err;
  EXPECT_TRUE(absl::StrContains(applied.out, "updated Monitor/shop-api (interval)")) << applied.out;
  EXPECT_TRUE(absl::StrContains(applied.out, "updated Channel/slack-ops (config, labels)"))
      << applied.out;

  // One audited update per changed object, nothing else.
  std::vector<std::string> actions;
  for (const v1::AuditEvent& e : AuditSince(audit_before)) {
    actions.push_back(absl::StrCat(e.action(), " ", e.resource_id()));
  }
  EXPECT_EQ(actions.size(), 2u);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "monitor.update " + before.id()),
            actions.end());
  const v1::Monitor after = *MonitorNamed("shop-api");
  EXPECT_EQ(after.interval().seconds(), 120);
  v1::Monitor same = after;
  *same.mutable_interval() = before.interval();
  *same.mutable_update_time() = before.update_time();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(same, before))
      << same.DebugString() << "\nvs\n"
      << before.DebugString();

  CliRun again = Cli({"diff", "-f", dir_.string()});
  EXPECT_EQ(again.code, 0) << again.out;
}

TEST_F(ApplyTest, PruneRemovesOnlyManagedObjects) {
  ASSERT_EQ(Cli({"apply", "-f", dir_.string()}).code, 0);
  // Made by hand, not by apply: --prune must leave it alone.
  ASSERT_EQ(Cli({"monitors", "add", "by-hand", "--tcp", "db.example.com:5432"}).code, 0);

  std::filesystem::remove(dir_ / "status-page.yaml");
  std::filesystem::remove(dir_ / "maintenance.yaml");
  // Drop the last monitor, shop-dns (the status page showed it).
  std::string text = ReadFile("monitors.yaml");
  const size_t last =
      text.find("---\napiVersion: uptime.dev/v1\nkind: Monitor\nmetadata:\n  name: shop-dns");
  ASSERT_NE(last, std::string::npos);
  WriteFile("monitors.yaml", text.substr(0, last));

  CliRun plan = Cli({"apply", "--prune", "--dry-run", "-f", dir_.string()});
  ASSERT_EQ(plan.code, 0) << plan.err;
  EXPECT_TRUE(
      absl::StrContains(plan.out,
                        "- delete StatusPage/shop\n- delete "
                        "MaintenanceWindow/weekly-db-maintenance\n- delete Monitor/shop-dns\n"))
      << plan.out;
  EXPECT_EQ(Count("monitors"), 5);

  CliRun pruned = Cli({"apply", "--prune", "-f", dir_.string()});
  ASSERT_EQ(pruned.code, 0) << pruned.err;
  EXPECT_EQ(Count("pages"), 0);
  EXPECT_EQ(Count("windows"), 0);
  std::set<std::string> names;
  for (const v1::Monitor& m : Monitors()) names.insert(m.name());
  EXPECT_EQ(names, (std::set<std::string>{"by-hand", "orders-db", "shop-api", "shop-checkout"}));
  EXPECT_EQ(Count("channels"), 2);
}

TEST_F(ApplyTest, AFileWithAnErrorAnywhereChangesNothing) {
  Replace("status-page.yaml", "title: Example Shop status", "titel: Example Shop status");
  CliRun applied = Cli({"apply", "-f", dir_.string()});
  EXPECT_EQ(applied.code, 2);
  EXPECT_TRUE(absl::StrContains(applied.err, (dir_ / "status-page.yaml").string() +
                                                 ":11:3: spec.titel: unknown field 'titel'; did "
                                                 "you mean 'title'?"))
      << applied.err;
  EXPECT_EQ(Count("channels"), 0);
  EXPECT_EQ(Count("monitors"), 0);

  // A server rule (interval range), checked offline by the same code.
  Replace("status-page.yaml", "titel:", "title:");
  Replace("monitors.yaml", "  interval: 5m", "  interval: 48h");
  applied = Cli({"apply", "-f", dir_.string()});
  EXPECT_EQ(applied.code, 2);
  EXPECT_TRUE(absl::StrContains(applied.err, "monitors.yaml:68:13: spec.interval:")) << applied.err;
  EXPECT_EQ(Count("channels"), 0);
  EXPECT_EQ(Count("monitors"), 0);
}

}  // namespace
}  // namespace uptime::testing
