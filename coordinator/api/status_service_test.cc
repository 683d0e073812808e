#include "coordinator/api/status_service.h"

#include <algorithm>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

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
#include "store/testing/check_result.h"
#include "store/testing/faulty_stores.h"
#include "tests/support/eventually.h"

namespace uptime::coordinator {
namespace {

using store::TestResult;

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
  UptimeCache uptime_{clock_, &results_, {}};
  StatusServiceImpl service_{&auth_,   clock_,     &tracker_,   &agents_, &events_,
                             &results_, &incidents_, &reads_,    &uptime_};
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

TEST_F(StatusServiceTest, ListUptimePagesEveryMonitorFromTheSummary) {
  // Two more monitors, one labelled, one without any check.
  std::vector<std::string> ids = {monitor_id_};
  for (const char* name : {"web", "idle"}) {
    v1::Monitor m;
    m.set_name(name);
    m.mutable_http()->set_url("http://127.0.0.1/");
    if (std::string(name) == "web") (*m.mutable_labels())["team"] = "web";
    absl::StatusOr<MonitorPtr> created = catalog_.Create(m, v1::AuditEvent());
    ASSERT_TRUE(created.ok()) << created.status();
    ids.push_back((*created)->id());
  }
  const std::string web = ids[1], idle = ids[2];
  const absl::Time now = clock_->Now();
  ASSERT_TRUE(memory_results_
                  .WriteBatch({TestResult(monitor_id_, now - absl::Hours(3), true, 100),
                               TestResult(monitor_id_, now - absl::Hours(2), true, 300),
                               TestResult(monitor_id_, now - absl::Hours(1), false, 0),
                               TestResult(web, now - absl::Minutes(5), true, 20)},
                              {})
                  .ok());

  v1::ListUptimeRequest req;
  v1::ListUptimeResponse resp;
  // Before the first summary: UNAVAILABLE, not made-up figures.
  grpc::Status s = stub_->ListUptime(Context().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();

  ASSERT_TRUE(uptime_.Refresh().ok());
  // Every monitor, in id order, two per page.
  std::map<std::string, v1::MonitorUptime> all;
  std::vector<std::string> order;
  req.set_page_size(2);
  for (int pages = 0; pages < 5; ++pages) {
    resp.Clear();
    s = stub_->ListUptime(Context().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.window(), "24h");
    EXPECT_LE(resp.uptimes_size(), 2);
    EXPECT_TRUE(resp.has_computed_at());
    for (const v1::MonitorUptime& u : resp.uptimes()) {
      all[u.monitor_id()] = u;
      order.push_back(u.monitor_id());
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(order, sorted);
  EXPECT_EQ(all[monitor_id_].checks(), 3);
  EXPECT_EQ(all[monitor_id_].failures(), 1);
  EXPECT_NEAR(all[monitor_id_].uptime_percent(), 200.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(all[monitor_id_].mean_latency_ms(), 200);
  EXPECT_EQ(all[web].checks(), 1);
  EXPECT_EQ(all[idle].checks(), 0);
  EXPECT_DOUBLE_EQ(all[idle].uptime_percent(), 100);
  EXPECT_DOUBLE_EQ(all[idle].mean_latency_ms(), 0);

  // The same figures as GetUptime's 24h window.
  v1::GetUptimeRequest one;
  one.set_monitor_id(monitor_id_);
  v1::GetUptimeResponse single;
  ASSERT_TRUE(stub_->GetUptime(Context().get(), one, &single).ok());
  EXPECT_EQ(single.windows(0).window(), "24h");
  EXPECT_EQ(single.windows(0).checks(), all[monitor_id_].checks());
  EXPECT_DOUBLE_EQ(single.windows(0).mean_latency_ms(), all[monitor_id_].mean_latency_ms());

  // A label selector narrows the list.
  req.Clear();
  req.set_label_selector("team=web");
  resp.Clear();
  ASSERT_TRUE(stub_->ListUptime(Context().get(), req, &resp).ok());
  ASSERT_EQ(resp.uptimes_size(), 1);
  EXPECT_EQ(resp.uptimes(0).monitor_id(), web);
}

TEST_F(StatusServiceTest, ListUptimeRefusesBadInputNamingTheFieldAndNeedsAToken) {
  ASSERT_TRUE(uptime_.Refresh().ok());
  const auto code = [&](const v1::ListUptimeRequest& req, bool token = true) {
    v1::ListUptimeResponse resp;
    auto ctx = token ? Context() : std::make_unique<grpc::ClientContext>();
    grpc::Status s = stub_->ListUptime(ctx.get(), req, &resp);
    return std::make_pair(s.error_code(), s.error_message());
  };
  v1::ListUptimeRequest req;
  req.set_window("7d");
  EXPECT_EQ(code(req).first, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(code(req).second.rfind("window:", 0), 0u) << code(req).second;
  req.Clear();
  req.set_label_selector("team in (");
  EXPECT_EQ(code(req).first, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(code(req).second.rfind("label_selector", 0), 0u) << code(req).second;
  req.Clear();
  req.set_page_size(5000);
  EXPECT_EQ(code(req).first, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(code(req).second.rfind("page_size", 0), 0u) << code(req).second;
  req.Clear();
  req.set_window("24h");
  EXPECT_EQ(code(req).first, grpc::StatusCode::OK);
  EXPECT_EQ(code(req, /*token=*/false).first, grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(StatusServiceTest, BatchGetUptimeAnswersEveryIdInOrderWithOneStoreRead) {
  v1::Monitor m;
  m.set_name("web");
  m.mutable_http()->set_url("http://127.0.0.1/");
  absl::StatusOr<MonitorPtr> created = catalog_.Create(m, v1::AuditEvent());
  ASSERT_TRUE(created.ok()) << created.status();
  const std::string web = (*created)->id();
  const absl::Time now = clock_->Now();
  ASSERT_TRUE(memory_results_
                  .WriteBatch({TestResult(monitor_id_, now - absl::Hours(3), true, 100),
                               TestResult(monitor_id_, now - absl::Hours(50), false, 0),
                               TestResult(web, now - absl::Minutes(5), true, 20)},
                              {})
                  .ok());

  v1::BatchGetUptimeRequest req;
  for (const std::string& id : {web, monitor_id_, web}) req.add_monitor_ids(id);
  v1::BatchGetUptimeResponse resp;
  const int64_t reads_before = faults_.reads();
  grpc::Status s = stub_->BatchGetUptime(Context().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // Three monitors, one store read (GetUptime costs one per monitor).
  EXPECT_EQ(faults_.reads() - reads_before, 1);
  ASSERT_EQ(resp.uptimes_size(), 3);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const v1::GetUptimeResponse& got = resp.uptimes(i);
    EXPECT_EQ(got.monitor_id(), req.monitor_ids(i));
    // The same figures as GetUptime.
    v1::GetUptimeRequest one;
    one.set_monitor_id(req.monitor_ids(i));
    v1::GetUptimeResponse single;
    ASSERT_TRUE(stub_->GetUptime(Context().get(), one, &single).ok());
    ASSERT_EQ(got.windows_size(), single.windows_size());
    for (int w = 0; w < got.windows_size(); ++w) {
      EXPECT_EQ(got.windows(w).window(), single.windows(w).window());
      EXPECT_EQ(got.windows(w).checks(), single.windows(w).checks());
      EXPECT_EQ(got.windows(w).failures(), single.windows(w).failures());
    }
    ASSERT_EQ(got.daily_bars_size(), 90);
    EXPECT_EQ(got.daily_bars(89).day().seconds(), single.daily_bars(89).day().seconds());
  }
  EXPECT_EQ(resp.uptimes(0).windows(0).checks(), 1);  // web, 24h
  EXPECT_EQ(resp.uptimes(1).windows(0).checks(), 1);  // api, 24h
  EXPECT_EQ(resp.uptimes(1).windows(1).checks(), 2);  // api, 7d
  EXPECT_EQ(resp.uptimes(1).windows(1).failures(), 1);
}

TEST_F(StatusServiceTest, BatchGetUptimeRefusesBadInputNamingTheFieldAndNeedsAToken) {
  const auto call = [&](const std::vector<std::string>& ids, bool token = true) {
    v1::BatchGetUptimeRequest req;
    for (const std::string& id : ids) req.add_monitor_ids(id);
    v1::BatchGetUptimeResponse resp;
    auto ctx = token ? Context() : std::make_unique<grpc::ClientContext>();
    grpc::Status s = stub_->BatchGetUptime(ctx.get(), req, &resp);
    return std::make_pair(s.error_code(), s.error_message());
  };
  auto r = call({});
  EXPECT_EQ(r.first, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(r.second.rfind("monitor_ids:", 0), 0u) << r.second;
  r = call(std::vector<std::string>(kMaxBatchGetUptime + 1, monitor_id_));
  EXPECT_EQ(r.first, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(r.second.rfind("monitor_ids:", 0), 0u) << r.second;
  r = call({monitor_id_, ""});
  EXPECT_EQ(r.first, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(r.second.rfind("monitor_ids[1]:", 0), 0u) << r.second;
  // Atomic: one unknown id fails the call and is named.
  r = call({monitor_id_, "mon-nope"});
  EXPECT_EQ(r.first, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(r.second.rfind("monitor_ids[1]:", 0), 0u) << r.second;
  EXPECT_NE(r.second.find("mon-nope"), std::string::npos) << r.second;
  EXPECT_EQ(call(std::vector<std::string>(kMaxBatchGetUptime, monitor_id_)).first,
            grpc::StatusCode::OK);
  EXPECT_EQ(call({monitor_id_}, /*token=*/false).first, grpc::StatusCode::UNAUTHENTICATED);
}

}  // namespace
}  // namespace uptime::coordinator
