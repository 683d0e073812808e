// An in-process coordinator for uptimectl's tests: MonitorService,
// StatusService, ClusterService, MaintenanceService and StatusPageService on
// 127.0.0.1 (a free port), backed by
// plain maps, recording what clients sent. A fake rather than mocks so each
// test states data and outcomes, not call sequences.
//
// Thread-safe: gRPC runs the handlers on its own threads while the test reads
// recordings.
#ifndef UPTIME_CLI_TESTING_FAKE_COORDINATOR_H_
#define UPTIME_CLI_TESTING_FAKE_COORDINATOR_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server.h"
#include "uptime/v1/cluster.grpc.pb.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/status.grpc.pb.h"
#include "uptime/v1/status_page.grpc.pb.h"

namespace uptime::cli {

class FakeCoordinator {
 public:
  // Starts serving; the test fails (ADD_FAILURE) if the server cannot start.
  FakeCoordinator();
  ~FakeCoordinator();

  // "127.0.0.1:PORT".
  const std::string& addr() const { return addr_; }

  void AddMonitor(v1::Monitor monitor);
  void AddStatus(v1::MonitorStatus status);
  void AddAgent(v1::AgentInfo agent);
  void SetClusterInfo(v1::ClusterInfo info);
  void AddWindow(v1::MaintenanceWindow window);
  // Stored as given (id, slug and resolved_monitor_ids included).
  void AddStatusPage(v1::StatusPage page);
  // Every later call fails with `status` (grpc::Status::OK to stop).
  void FailWith(grpc::Status status);
  // Pages hold at most this many items (default 2), so tests page with few.
  void SetMaxPageSize(int size);

  bool HasMonitor(const std::string& id);
  std::optional<v1::Monitor> CreatedMonitor();  // of the last CreateMonitor
  std::optional<v1::ListMonitorsRequest> LastListMonitors();
  std::optional<v1::ListStatusesRequest> LastListStatuses();
  std::optional<v1::MaintenanceWindow> CreatedWindow();  // of the last CreateMaintenanceWindow
  bool HasWindow(const std::string& id);
  std::optional<v1::StatusPage> CreatedStatusPage();  // of the last CreateStatusPage
  std::optional<v1::UpdateStatusPageRequest> LastUpdateStatusPage();
  std::optional<v1::StatusPage> FindStatusPage(const std::string& id);
  // The `authorization` metadata of every call so far ("" when absent).
  std::vector<std::string> Authorizations();
  int calls();

 private:
  class Monitors;
  class Statuses;
  class Cluster;
  class Maintenance;
  class StatusPages;

  // Records the call; returns the configured failure or OK.
  grpc::Status Begin(const grpc::ServerContext& ctx);

  absl::Mutex mu_;
  std::map<std::string, v1::Monitor> monitors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::MonitorStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::MaintenanceWindow> windows_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::MaintenanceWindow> created_window_ ABSL_GUARDED_BY(mu_);
  // By slug: ListStatusPages is ordered by slug, and pages by the last one.
  std::map<std::string, v1::StatusPage> status_pages_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::StatusPage> created_status_page_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::UpdateStatusPageRequest> last_update_status_page_ ABSL_GUARDED_BY(mu_);
  v1::ListAgentsResponse agents_ ABSL_GUARDED_BY(mu_);
  v1::ClusterInfo cluster_info_ ABSL_GUARDED_BY(mu_);
  grpc::Status failure_ ABSL_GUARDED_BY(mu_);
  int max_page_size_ ABSL_GUARDED_BY(mu_) = 2;
  int next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::optional<v1::Monitor> created_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::ListMonitorsRequest> last_list_monitors_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::ListStatusesRequest> last_list_statuses_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);

  // Declared after the state they use, so they are destroyed first.
  std::unique_ptr<Monitors> monitor_service_;
  std::unique_ptr<Statuses> status_service_;
  std::unique_ptr<Cluster> cluster_service_;
  std::unique_ptr<Maintenance> maintenance_service_;
  std::unique_ptr<StatusPages> status_page_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string addr_;
};

}  // namespace uptime::cli

#endif  // UPTIME_CLI_TESTING_FAKE_COORDINATOR_H_
