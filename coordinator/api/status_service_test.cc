#include "coordinator/api/status_service.h"

#include <memory>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "common/auth.h"
#include "common/clock.h"
#include "common/worker_pool.h"
#include "coordinator/catalog/catalog.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "store/memory/memory_catalog_store.h"
#include "store/memory/memory_incident_store.h"
#include "store/memory/memory_result_store.h"
#include "store/testing/faulty_stores.h"
#include "tests/support/eventually.h"

namespace uptime::coordinator {
namespace {

// A real gRPC server with the StatusService over in-memory stages, and a
// result store that hangs on demand (a slow PostgreSQL query).
class StatusServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog_.AddListener(&tracker_);
    catalog_.AddListener(&agents_);
    v1::Monitor m;
    m.set_name("api");
    m.mutable_http()->set_url("http://127.0.0.1/");
    absl::StatusOr<MonitorPtr> created = catalog_.Create(m, v1::AuditEvent());
    ASSERT_TRUE(created.ok()) << created.status();
    monitor_id_ = (*created)->id();

    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::StatusService::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    faults_.ReleaseReads();
    if (server_ != nullptr) server_->Shutdown();
    reads_.Stop();
  }

  std::unique_ptr<grpc::ClientContext> Context(absl::Duration deadline = absl::Seconds(10)) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->AddMetadata("authorization", "Bearer read-token");
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return ctx;
  }

  grpc::Status ListResults() {
    v1::ListResultsRequest req;
    req.set_monitor_id(monitor_id_);
    v1::ListResultsResponse resp;
    return stub_->ListResults(Context().get(), req, &resp);
  }

  Clock* clock_ = RealClock::Get();
  EventBus events_;
  store::MemoryCatalogStore catalog_store_;
  Catalog catalog_{clock_, &catalog_store_};
  StatusTracker tracker_{clock_, &events_, nullptr};
  AgentManager agents_{clock_, AgentManagerOptions{}};
  store::MemoryResultStore memory_results_;
  store::StoreFaults faults_;
  store::FaultyResultStore results_{&memory_results_, &faults_};
  store::MemoryIncidentStore incidents_{clock_};
  WorkerPool reads_{{.threads = 1, .max_queued = 1}};
  TokenAuthorizer auth_{Tokens{.admin = "admin-token", .read = "read-token", .agent = {}}};
  StatusServiceImpl service_{&auth_,   clock_,     &tracker_,   &agents_,
                             &events_, &results_, &incidents_, &reads_};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::StatusService::Stub> stub_;
  std::string monitor_id_;
};

TEST_F(StatusServiceTest, AStalledStoreReadLeavesGetStatusAnswering) {
  faults_.StallReads();
  grpc::Status stalled_status;
  std::jthread stalled([&] { stalled_status = ListResults(); });
  auto release = absl::MakeCleanup([&] { faults_.ReleaseReads(); });  // before the join
  ASSERT_EVENTUALLY(faults_.stalled_reads() == 1, absl::Seconds(10));

  // The query hangs on the read pool; calls answered from memory still answer.
  for (int i = 0; i < 20; ++i) {
    v1::GetStatusRequest req;
    req.set_monitor_id(monitor_id_);
    v1::MonitorStatus resp;
    grpc::Status s = stub_->GetStatus(Context(absl::Seconds(2)).get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.monitor_id(), monitor_id_);
  }

  std::move(release).Invoke();
  stalled.join();
  EXPECT_TRUE(stalled_status.ok()) << stalled_status.error_message();
}

TEST_F(StatusServiceTest, ReadsBeyondThePoolsBoundAreRefusedAtOnce) {
  faults_.StallReads();
  grpc::Status first, second;
  std::jthread running([&] { first = ListResults(); });
  std::jthread queued;
  auto release = absl::MakeCleanup([&] { faults_.ReleaseReads(); });  // before the joins
  ASSERT_EVENTUALLY(faults_.stalled_reads() == 1, absl::Seconds(10));
  queued = std::jthread([&] { second = ListResults(); });
  ASSERT_EVENTUALLY(reads_.queued() == 1, absl::Seconds(10));

  // One worker busy, one call waiting: the next is refused, not queued.
  grpc::Status refused = ListResults();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();

  std::move(release).Invoke();
  running.join();
  queued.join();
  EXPECT_TRUE(first.ok()) << first.error_message();
  EXPECT_TRUE(second.ok()) << second.error_message();
}

}  // namespace
}  // namespace uptime::coordinator
