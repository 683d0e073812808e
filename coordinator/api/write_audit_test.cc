// The write methods of the monitor, maintenance and status page services
// record who made each change (principal, credential, client address) and
// when, keep their scopes, and record nothing for a refused call.
#include <memory>
#include <string>
#include <vector>

#include "common/auth.h"
#include "common/clock.h"
#include "common/proto_time.h"
#include "coordinator/api/maintenance_service.h"
#include "coordinator/api/monitor_service.h"
#include "coordinator/api/status_page_service.h"
#include "coordinator/catalog/catalog.h"
#include "coordinator/catalog/maintenance_registry.h"
#include "coordinator/catalog/status_page_registry.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "store/memory/memory_account_store.h"
#include "store/memory/memory_catalog_store.h"
#include "store/memory/memory_maintenance_store.h"
#include "store/memory/memory_status_page_store.h"

namespace uptime::coordinator {
namespace {

class WriteAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&monitor_service_);
    builder.RegisterService(&maintenance_service_);
    builder.RegisterService(&status_page_service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    std::shared_ptr<grpc::Channel> channel = server_->InProcessChannel(grpc::ChannelArguments());
    monitors_ = v1::MonitorService::NewStub(channel);
    windows_ = v1::MaintenanceService::NewStub(channel);
    pages_ = v1::StatusPageService::NewStub(channel);
  }
  void TearDown() override { server_->Shutdown(); }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    AttachToken(ctx.get(), token);
    return ctx;
  }

  // Every event, oldest first.
  std::vector<v1::AuditEvent> Events() {
    absl::StatusOr<store::AuditPage> page = log_.ListAudit({.page_size = 1000});
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) return {};
    return {page->events.rbegin(), page->events.rend()};
  }

  // Creates a monitor as the admin; its id.
  std::string CreateMonitor() {
    v1::CreateMonitorRequest req;
    req.mutable_monitor()->set_name("api");
    req.mutable_monitor()->mutable_http()->set_url("https://example.com/health");
    v1::Monitor created;
    grpc::Status s = monitors_->CreateMonitor(Ctx("admin-token").get(), req, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created.id();
  }

  void ExpectAdminTokenNow(const v1::AuditEvent& e) {
    EXPECT_EQ(e.actor(), "admin-token");
    EXPECT_EQ(e.credential(), "static_token");
    EXPECT_FALSE(e.client_address().empty());
    EXPECT_EQ(e.time().seconds(), absl::ToUnixSeconds(clock_.Now()));
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1'750'000'000)};
  store::MemoryAccountStore log_;
  store::MemoryCatalogStore catalog_store_{&log_};
  store::MemoryMaintenanceStore maintenance_store_{&log_};
  store::MemoryStatusPageStore status_page_store_{&log_};
  Catalog catalog_{&clock_, &catalog_store_};
  MaintenanceRegistry maintenance_{&clock_, &maintenance_store_,
                                   [this](const std::string& id) { return catalog_.Get(id).ok(); },
                                   [](std::shared_ptr<const MaintenanceCalendar>) {}};
  StatusPageRegistry status_pages_{&clock_, &status_page_store_, &catalog_};
  TokenAuthorizer auth_{Tokens{.admin = "admin-token", .read = "read-token", .agent = "agent"}};
  MonitorServiceImpl monitor_service_{&auth_, &clock_, &catalog_,
                                      [](const std::string&) { return false; }};
  MaintenanceServiceImpl maintenance_service_{&auth_, &clock_, &maintenance_};
  StatusPageServiceImpl status_page_service_{&auth_, &clock_, &status_pages_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::MonitorService::Stub> monitors_;
  std::unique_ptr<v1::MaintenanceService::Stub> windows_;
  std::unique_ptr<v1::StatusPageService::Stub> pages_;
};

TEST_F(WriteAuditTest, MonitorWritesRecordWhoAndWhen) {
  v1::CreateMonitorRequest create;
  create.mutable_monitor()->set_name("api");
  create.mutable_monitor()->mutable_http()->set_url("https://example.com/health");
  v1::Monitor created;
  EXPECT_EQ(monitors_->CreateMonitor(Ctx("read-token").get(), create, &created).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(monitors_->CreateMonitor(Ctx("").get(), create, &created).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Events().empty());

  const std::string id = CreateMonitor();
  v1::PauseMonitorRequest pause;
  pause.set_id(id);
  v1::Monitor paused;
  EXPECT_EQ(monitors_->PauseMonitor(Ctx("read-token").get(), pause, &paused).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  clock_.Advance(absl::Seconds(5));
  ASSERT_TRUE(monitors_->PauseMonitor(Ctx("admin-token").get(), pause, &paused).ok());
  v1::DeleteMonitorRequest del;
  del.set_id(id);
  google::protobuf::Empty empty;
  ASSERT_TRUE(monitors_->DeleteMonitor(Ctx("admin-token").get(), del, &empty).ok());

  std::vector<v1::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].action(), "monitor.create");
  EXPECT_EQ(events[1].action(), "monitor.pause");
  EXPECT_EQ(events[2].action(), "monitor.delete");
  for (const v1::AuditEvent& e : events) {
    EXPECT_EQ(e.resource_type(), "monitor");
    EXPECT_EQ(e.resource_id(), id);
  }
  EXPECT_EQ(events[0].time().seconds(), absl::ToUnixSeconds(clock_.Now() - absl::Seconds(5)));
  ExpectAdminTokenNow(events[1]);
  ExpectAdminTokenNow(events[2]);
}

TEST_F(WriteAuditTest, MaintenanceAndStatusPageWritesAreRecorded) {
  const std::string monitor_id = CreateMonitor();

  v1::CreateMaintenanceWindowRequest window;
  window.mutable_window()->set_name("deploy");
  window.mutable_window()->add_monitor_ids(monitor_id);
  ToProto(clock_.Now(), window.mutable_window()->mutable_start_time());
  ToProto(clock_.Now() + absl::Hours(1), window.mutable_window()->mutable_end_time());
  v1::MaintenanceWindow created_window;
  EXPECT_EQ(windows_->CreateMaintenanceWindow(Ctx("read-token").get(), window, &created_window)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s =
      windows_->CreateMaintenanceWindow(Ctx("admin-token").get(), window, &created_window);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::CreateStatusPageRequest page;
  page.mutable_status_page()->set_slug("acme");
  page.mutable_status_page()->set_title("Acme");
  v1::StatusPageGroup* group = page.mutable_status_page()->add_groups();
  group->set_name("API");
  group->add_monitor_ids(monitor_id);
  v1::StatusPage created_page;
  EXPECT_EQ(pages_->CreateStatusPage(Ctx("read-token").get(), page, &created_page).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  s = pages_->CreateStatusPage(Ctx("admin-token").get(), page, &created_page);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::DeleteStatusPageRequest del;
  del.set_id(created_page.id());
  google::protobuf::Empty empty;
  ASSERT_TRUE(pages_->DeleteStatusPage(Ctx("admin-token").get(), del, &empty).ok());

  std::vector<v1::AuditEvent> events = Events();
  ASSERT_EQ(events.size(), 4u);  // monitor, window, page, page delete
  EXPECT_EQ(events[1].action(), "maintenance_window.create");
  EXPECT_EQ(events[1].resource_type(), "maintenance_window");
  EXPECT_EQ(events[1].resource_id(), created_window.id());
  EXPECT_EQ(events[2].action(), "status_page.create");
  EXPECT_EQ(events[2].resource_type(), "status_page");
  EXPECT_EQ(events[2].resource_id(), created_page.id());
  EXPECT_EQ(events[3].action(), "status_page.delete");
  for (const v1::AuditEvent& e : events) ExpectAdminTokenNow(e);
}

}  // namespace
}  // namespace uptime::coordinator
