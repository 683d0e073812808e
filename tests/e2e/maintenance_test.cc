// Maintenance windows end to end: a monitor failing inside a window shows
// MAINTENANCE and alerts nobody; when the window ends, it is DOWN and Slack
// gets exactly one message. Plus the API's validation, access rules,
// persistence across a restart and reflection, over real gRPC.
#include <set>

#include "absl/strings/match.h"
#include "common/proto_time.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/e2e/cluster_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/http_target.h"
#include "tests/support/postgres_server.h"
#include "tests/support/webhook_sink.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/notification.grpc.pb.h"

namespace uptime::testing {
namespace {

// A window over `selector` from a second ago for an hour.
v1::MaintenanceWindow CoveringNow(const std::string& selector) {
  v1::MaintenanceWindow w;
  w.set_name("deploy");
  w.set_label_selector(selector);
  ToProto(absl::Now() - absl::Seconds(1), w.mutable_start_time());
  ToProto(absl::Now() + absl::Hours(1), w.mutable_end_time());
  return w;
}

TEST(MaintenanceTest, FailingInAWindowIsSilentThenOneDownAlertWhenItEnds) {
  auto pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  auto target = HttpTarget::Start();
  ASSERT_TRUE(target.ok());
  auto sink = WebhookSink::Start();
  ASSERT_TRUE(sink.ok());
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator({"--postgres", (*pg)->dsn()}).ok());
  ASSERT_TRUE(cluster.StartAgent("a1", "region=eu").ok());

  auto created = cluster.CreateChannel(SlackChannel("oncall", (*sink)->url("/services/T000/B000/secret")));
  ASSERT_TRUE(created.ok()) << created.status();
  const v1::Channel& channel = *created;

  v1::Monitor monitor = HttpMonitor("checkout", (*target)->url("/health"));
  (*monitor.mutable_labels())["team"] = "core";
  monitor.set_failure_threshold(2);
  monitor.add_channel_ids(channel.id());
  auto m = cluster.CreateMonitor(monitor);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EVENTUALLY(cluster.StateOf(m->id()) == v1::STATE_UP, absl::Seconds(20));

  auto maintenance = v1::MaintenanceService::NewStub(cluster.channel());
  v1::CreateMaintenanceWindowRequest create;
  *create.mutable_window() = CoveringNow("team=core");
  v1::MaintenanceWindow window;
  grpc::Status s = maintenance->CreateMaintenanceWindow(ClusterFixture::Context().get(), create, &window);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(window.active());
  ASSERT_EVENTUALLY(cluster.StateOf(m->id()) == v1::STATE_MAINTENANCE, absl::Seconds(10));

  // Failing well past the threshold: counted, but nobody is told.
  (*target)->SetStatus(503);
  ASSERT_EVENTUALLY(
      [&] {
        auto status = cluster.GetStatus(m->id());
        return status.ok() && status->consecutive_failures() >= 4;
      }(),
      absl::Seconds(20));
  absl::StatusOr<v1::MonitorStatus> during = cluster.GetStatus(m->id());
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->state(), v1::STATE_MAINTENANCE);
  EXPECT_FALSE(during->last_result().success());
  EXPECT_TRUE(during->open_incident_id().empty());
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ((*sink)->count(), 0u);

  // A new leader restores the window and the state: still silent.
  ASSERT_TRUE(cluster.RestartCoordinator().ok());
  ASSERT_EVENTUALLY(
      [&] {
        auto status = cluster.GetStatus(m->id());
        return status.ok() && status->state() == v1::STATE_MAINTENANCE &&
               status->consecutive_failures() >= 2;
      }(),
      absl::Seconds(20));
  EXPECT_EQ((*sink)->count(), 0u);

  // The window is cut short to end in 2 s: it ends on the coordinator's
  // timer, no API call at that moment. DOWN then, and one DOWN message.
  v1::UpdateMaintenanceWindowRequest cut;
  cut.mutable_window()->set_id(window.id());
  ToProto(absl::Now() + absl::Seconds(2), cut.mutable_window()->mutable_end_time());
  cut.mutable_update_mask()->add_paths("end_time");
  v1::MaintenanceWindow shortened;
  s = maintenance->UpdateMaintenanceWindow(ClusterFixture::Context().get(), cut, &shortened);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(shortened.label_selector(), "team=core");
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(cluster.StateOf(m->id()), v1::STATE_MAINTENANCE);
  EXPECT_EQ((*sink)->count(), 0u);
  ASSERT_EVENTUALLY(cluster.StateOf(m->id()) == v1::STATE_DOWN, absl::Seconds(10));
  ASSERT_EVENTUALLY((*sink)->count() == 1, absl::Seconds(20));
  const std::string down = (*sink)->requests()[0].body;
  EXPECT_TRUE(absl::StrContains(down, "checkout")) << down;
  EXPECT_TRUE(absl::StrContains(down, "DOWN")) << down;
  EXPECT_TRUE(absl::StrContains(down, "503")) << down;
  absl::SleepFor(absl::Seconds(3));
  EXPECT_EQ((*sink)->count(), 1u);
}

TEST(MaintenanceTest, ApiValidatesAuthorizesPersistsAndIsReflected) {
  auto pg = PostgresServer::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  ClusterFixture cluster;
  ASSERT_TRUE(cluster.StartCoordinator({"--postgres", (*pg)->dsn()}).ok());
  auto maintenance = v1::MaintenanceService::NewStub(cluster.channel());

  auto create = [&](const v1::MaintenanceWindow& w, const std::string& token = kAdminToken) {
    v1::CreateMaintenanceWindowRequest req;
    *req.mutable_window() = w;
    v1::MaintenanceWindow out;
    grpc::Status s = maintenance->CreateMaintenanceWindow(ClusterFixture::Context(token).get(),
                                                          req, &out);
    return std::make_pair(s, out);
  };

  struct Bad {
    v1::MaintenanceWindow window;
    std::string field;
  };
  std::vector<Bad> bad;
  {
    v1::MaintenanceWindow w = CoveringNow("team=core");
    *w.mutable_end_time() = w.start_time();
    bad.push_back({w, "window.end_time: must be after start_time"});
    w = CoveringNow("");
    w.add_monitor_ids("mon-does-not-exist");
    bad.push_back({w, "window.monitor_ids[0]: unknown monitor"});
    w = CoveringNow("");
    bad.push_back({w, "window.monitor_ids:"});
    w = CoveringNow("team=core");
    w.set_name("");
    bad.push_back({w, "window.name: is required"});
    w = CoveringNow("team=core");
    w.mutable_recurrence()->set_start_time_of_day("03:00");
    w.mutable_recurrence()->mutable_duration()->set_seconds(3600);
    w.mutable_recurrence()->set_time_zone("Europe/Nowhere");
    bad.push_back({w, "window.recurrence.time_zone: unknown time zone"});
    w = CoveringNow("team=core");
    (*w.mutable_labels())["no spaces"] = "x";
    bad.push_back({w, "window.labels"});
  }
  for (const Bad& b : bad) {
    auto [status, out] = create(b.window);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.field;
    EXPECT_TRUE(absl::StrContains(status.error_message(), b.field)) << status.error_message();
  }

  // Writes need admin; reads need a token.
  EXPECT_EQ(create(CoveringNow("team=core"), kReadToken).first.error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(create(CoveringNow("team=core"), "wrong").first.error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::ListMaintenanceWindowsRequest list_req;
  v1::ListMaintenanceWindowsResponse list;
  grpc::Status s = maintenance->ListMaintenanceWindows(ClusterFixture::Context(kReadToken).get(),
                                                       list_req, &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(list.windows_size(), 0);  // nothing was half-created

  v1::MaintenanceWindow nightly;
  nightly.set_name("nightly");
  nightly.set_label_selector("tier=batch");
  nightly.mutable_recurrence()->add_days(v1::WEEKDAY_SUNDAY);
  nightly.mutable_recurrence()->set_start_time_of_day("02:30");
  nightly.mutable_recurrence()->mutable_duration()->set_seconds(7200);
  nightly.mutable_recurrence()->set_time_zone("Europe/Berlin");
  (*nightly.mutable_labels())["managed-by"] = "uptimectl";
  auto [created_status, created] = create(nightly);
  ASSERT_TRUE(created_status.ok()) << created_status.error_message();
  EXPECT_TRUE(created.has_next_occurrence());

  v1::UpdateMaintenanceWindowRequest update;
  update.mutable_window()->set_id(created.id());
  update.mutable_update_mask()->add_paths("create_time");
  v1::MaintenanceWindow updated;
  s = maintenance->UpdateMaintenanceWindow(ClusterFixture::Context().get(), update, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "update_mask")) << s.error_message();
  update.mutable_update_mask()->Clear();
  update.mutable_update_mask()->add_paths("description");
  update.mutable_window()->set_description("weekly batch reindex");
  s = maintenance->UpdateMaintenanceWindow(ClusterFixture::Context().get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.description(), "weekly batch reindex");
  EXPECT_EQ(updated.recurrence().time_zone(), "Europe/Berlin");

  // Deleting: once, then NOT_FOUND.
  auto [doomed_status, doomed] = create(CoveringNow("team=core"));
  ASSERT_TRUE(doomed_status.ok()) << doomed_status.error_message();
  v1::DeleteMaintenanceWindowRequest del;
  del.set_id(doomed.id());
  google::protobuf::Empty empty;
  EXPECT_TRUE(maintenance->DeleteMaintenanceWindow(ClusterFixture::Context().get(), del, &empty)
                  .ok());
  EXPECT_EQ(maintenance->DeleteMaintenanceWindow(ClusterFixture::Context().get(), del, &empty)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::GetMaintenanceWindowRequest get;
  get.set_id("mw-unknown");
  v1::MaintenanceWindow got;
  EXPECT_EQ(maintenance->GetMaintenanceWindow(ClusterFixture::Context().get(), get, &got)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Stored in PostgreSQL: a restarted coordinator still has it.
  ASSERT_TRUE(cluster.RestartCoordinator().ok());
  get.set_id(created.id());
  s = maintenance->GetMaintenanceWindow(ClusterFixture::Context(kReadToken).get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got.description(), "weekly batch reindex");
  EXPECT_EQ(got.recurrence().start_time_of_day(), "02:30");
  EXPECT_EQ(got.labels().at("managed-by"), "uptimectl");  // in the stored spec
  list_req.set_label_selector("managed-by=uptimectl");
  list.Clear();
  s = maintenance->ListMaintenanceWindows(ClusterFixture::Context(kReadToken).get(), list_req,
                                          &list);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(list.windows_size(), 1);
  EXPECT_EQ(list.windows(0).id(), created.id());
  list_req.set_label_selector("=bad");
  s = maintenance->ListMaintenanceWindows(ClusterFixture::Context(kReadToken).get(), list_req,
                                          &list);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(s.error_message(), "label_selector")) << s.error_message();

  // grpcurl finds the service through reflection.
  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(cluster.channel());
  grpc::ClientContext ctx;
  auto stream = reflection->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::set<std::string> names;
  for (const auto& service : resp.list_services_response().service()) names.insert(service.name());
  EXPECT_TRUE(names.contains("uptime.v1.MaintenanceService"));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace uptime::testing
