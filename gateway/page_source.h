// PageSource: what the public status pages need from the coordinator, read
// with the gateway's own (read-only) token. An interface so PublicPages can
// be tested with a fake; CoordinatorPageSource is the gRPC implementation.
//
// Public requests never call these: PublicPages calls them from its own
// refresh threads, so a flood of anonymous requests costs the coordinator
// nothing.
//
// Thread-safety: implementations are thread-safe.
#ifndef UPTIME_GATEWAY_PAGE_SOURCE_H_
#define UPTIME_GATEWAY_PAGE_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "grpcpp/channel.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/status.grpc.pb.h"
#include "uptime/v1/status_page.grpc.pb.h"

namespace uptime::gateway {

class PageSource {
 public:
  virtual ~PageSource() = default;
  // Every page (resolved_monitor_ids filled in).
  virtual absl::StatusOr<std::vector<v1::StatusPage>> ListStatusPages() = 0;
  // Every monitor (for names, targets and labels).
  virtual absl::StatusOr<std::vector<v1::Monitor>> ListMonitors() = 0;
  // Open incidents, and the others that started after `since`.
  virtual absl::StatusOr<std::vector<v1::Incident>> ListIncidents(absl::Time since) = 0;
  virtual absl::StatusOr<std::vector<v1::MaintenanceWindow>> ListMaintenanceWindows() = 0;
  virtual absl::StatusOr<v1::GetUptimeResponse> GetUptime(const std::string& monitor_id) = 0;
  // The uptime of each of `monitor_ids`: one result per id, in order, so one
  // failing id (a monitor deleted meanwhile) costs only its own entry. This
  // default asks GetUptime per id; CoordinatorPageSource batches.
  virtual std::vector<absl::StatusOr<v1::GetUptimeResponse>> BatchGetUptime(
      const std::vector<std::string>& monitor_ids);
};

// Blocking gRPC calls (the refresh threads may wait), each with a deadline.
class CoordinatorPageSource : public PageSource {
 public:
  CoordinatorPageSource(const std::shared_ptr<grpc::ChannelInterface>& channel, std::string token,
                        absl::Duration rpc_timeout);

  absl::StatusOr<std::vector<v1::StatusPage>> ListStatusPages() override;
  absl::StatusOr<std::vector<v1::Monitor>> ListMonitors() override;
  absl::StatusOr<std::vector<v1::Incident>> ListIncidents(absl::Time since) override;
  absl::StatusOr<std::vector<v1::MaintenanceWindow>> ListMaintenanceWindows() override;
  absl::StatusOr<v1::GetUptimeResponse> GetUptime(const std::string& monitor_id) override;
  // StatusService.BatchGetUptime, one call per kUptimeBatchSize ids. The
  // call is atomic: when it fails NOT_FOUND (a monitor deleted meanwhile) the
  // chunk is halved until the missing ids fail alone. GetUptime per id when
  // the coordinator does not know the method yet.
  std::vector<absl::StatusOr<v1::GetUptimeResponse>> BatchGetUptime(
      const std::vector<std::string>& monitor_ids) override;

  // Ids per BatchGetUptime call: below the API's 1,000 so an answer (~3 KB
  // per monitor with its 90 bars) stays well inside gRPC's default 4 MB
  // message limit and the RPC deadline.
  static constexpr size_t kUptimeBatchSize = 500;

 private:
  std::unique_ptr<grpc::ClientContext> MakeContext() const;
  // One BatchGetUptime for `ids` (splitting on NOT_FOUND), appending one
  // result per id to `out`.
  void FetchUptimes(absl::Span<const std::string> ids,
                    std::vector<absl::StatusOr<v1::GetUptimeResponse>>* out);

  const std::string token_;
  const absl::Duration rpc_timeout_;
  const std::unique_ptr<v1::StatusPageService::Stub> pages_;
  const std::unique_ptr<v1::MonitorService::Stub> monitors_;
  const std::unique_ptr<v1::StatusService::Stub> statuses_;
  const std::unique_ptr<v1::MaintenanceService::Stub> maintenance_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_PAGE_SOURCE_H_
