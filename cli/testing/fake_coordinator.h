// An in-process coordinator for uptimectl's tests: MonitorService,
// StatusService, ClusterService, MaintenanceService, StatusPageService, NotificationService,
// AuthService (GetCaller), UserService (TOTP included) and AuditService on 127.0.0.1 (a free
// port), backed by plain maps, recording what clients sent. A fake rather than mocks so each
// test states data and outcomes, not call sequences.
//
// Thread-safe: gRPC runs the handlers on its own threads while the test reads
// recordings.
#ifndef UPTIME_CLI_TESTING_FAKE_COORDINATOR_H_
#define UPTIME_CLI_TESTING_FAKE_COORDINATOR_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/server.h"
#include "uptime/v1/audit.grpc.pb.h"
#include "uptime/v1/auth.grpc.pb.h"
#include "uptime/v1/cluster.grpc.pb.h"
#include "uptime/v1/maintenance.grpc.pb.h"
#include "uptime/v1/monitor.grpc.pb.h"
#include "uptime/v1/notification.grpc.pb.h"
#include "uptime/v1/status.grpc.pb.h"
#include "uptime/v1/status_page.grpc.pb.h"
#include "uptime/v1/user.grpc.pb.h"

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
  // History: ListResults answers a monitor's results newest first (by
  // start_time_us), filtered like the coordinator; ListIncidents newest
  // first (by started); GetUptime answers what was set for the monitor id
  // (NOT_FOUND otherwise).
  void AddResult(v1::CheckResult result);
  void AddIncident(v1::Incident incident);
  void SetUptime(v1::GetUptimeResponse uptime);
  // WatchEvents. Each stream sends its initial metadata at once, then the
  // events published while it is open (sequence numbers as given), until
  // the client cancels or EndWatches ends every open stream with `status`.
  void PublishEvent(const v1::Event& event);
  void EndWatches(grpc::Status status);
  // Waits until `count` WatchEvents streams have been opened in total (also
  // counting closed ones); false after `timeout`.
  bool WaitForWatches(int count, absl::Duration timeout);
  int open_watches();
  void AddAgent(v1::AgentInfo agent);
  void SetClusterInfo(v1::ClusterInfo info);
  void AddWindow(v1::MaintenanceWindow window);
  // Stored as given (id, slug and resolved_monitor_ids included).
  void AddStatusPage(v1::StatusPage page);
  // Stored as given (id and secrets in full); responses redact the secret
  // keys of the built-in types like the coordinator ("****" + last 4).
  void AddChannel(v1::Channel channel);
  // As stored: secrets in full.
  std::optional<v1::Channel> FindChannel(const std::string& id);
  // What TestChannel answers (default: delivered).
  void SetTestChannelResult(v1::TestChannelResponse response);
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
  // Accounts. GetCaller answers for `token` (sent as "Bearer TOKEN") with
  // `caller`; unknown or missing tokens are UNAUTHENTICATED there. The
  // UserService takes the caller's user id from the same table ("me", own
  // keys, ChangePassword) but checks no roles: tests of refusals use FailWith.
  void AddCredential(const std::string& token, v1::Caller caller);
  // Stored as given (id included); `password` is kept apart, never returned.
  void AddUser(v1::User user, const std::string& password);
  std::optional<v1::User> FindUser(const std::string& id);
  std::optional<std::string> PasswordOf(const std::string& id);
  void AddApiKey(v1::ApiKey key);
  bool HasApiKey(const std::string& id);
  // BeginTotpEnrollment always answers this secret; ConfirmTotpEnrollment
  // takes the code last set here (default "123456") as the app's current
  // one. Confirm sets the user's totp_enabled, DisableTotp clears it (own:
  // with the user's password).
  static constexpr char kTotpSecret[] = "JBSWY3DPEHPK3PXP";
  void SetTotpCode(const std::string& code);
  // Listed newest (highest id) first.
  void AddAuditEvent(v1::AuditEvent event);

  // The last request of type T received by the account services
  // (CreateUserRequest, UpdateUserRequest, ChangePasswordRequest,
  // CreateApiKeyRequest, ListApiKeysRequest, ListAuditEventsRequest, ...).
  template <typename T>
  std::optional<T> Last() {
    absl::MutexLock lock(&mu_);
    auto it = last_requests_.find(T::descriptor()->full_name());
    if (it == last_requests_.end()) return std::nullopt;
    T request;
    request.ParseFromString(it->second);
    return request;
  }

  // The `authorization` metadata of every call so far ("" when absent).
  std::vector<std::string> Authorizations();
  int calls();

 private:
  class Monitors;
  class Statuses;
  class Cluster;
  class Maintenance;
  class StatusPages;
  class Channels;
  class Auth;
  class Users;
  class Audit;
  // Each defined beside its class (fake_*_service*.cc).
  static std::unique_ptr<grpc::Service> NewMonitorService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewStatusService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewClusterService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewMaintenanceService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewStatusPageService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewNotificationService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewAuthService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewUserService(FakeCoordinator& fake);
  static std::unique_ptr<grpc::Service> NewAuditService(FakeCoordinator& fake);

  // Records the call; returns the configured failure or OK.
  grpc::Status Begin(const grpc::ServerContext& ctx);
  // Begin(), remembering `request` for Last<T>().
  grpc::Status Begin(const grpc::ServerContext& ctx, const google::protobuf::Message& request);
  // The Caller the call's bearer token maps to, if any.
  std::optional<v1::Caller> CallerOf(const grpc::ServerContext& ctx)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::map<std::string, v1::Monitor> monitors_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::MonitorStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::MaintenanceWindow> windows_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::MaintenanceWindow> created_window_ ABSL_GUARDED_BY(mu_);
  // By slug: ListStatusPages is ordered by slug, and pages by the last one.
  std::map<std::string, v1::StatusPage> status_pages_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::StatusPage> created_status_page_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::UpdateStatusPageRequest> last_update_status_page_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::Channel> channels_ ABSL_GUARDED_BY(mu_);  // by id
  v1::TestChannelResponse test_channel_result_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::Caller> credentials_ ABSL_GUARDED_BY(mu_);  // by token
  // By username: ListUsers is ordered by username, and pages by the last one.
  std::map<std::string, v1::User> users_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> passwords_ ABSL_GUARDED_BY(mu_);  // by user id
  std::map<std::string, v1::ApiKey> api_keys_ ABSL_GUARDED_BY(mu_);     // by id
  // Users between BeginTotpEnrollment and ConfirmTotpEnrollment, by id.
  std::set<std::string> pending_totp_ ABSL_GUARDED_BY(mu_);
  std::string totp_code_ ABSL_GUARDED_BY(mu_) = "123456";
  std::map<int64_t, v1::AuditEvent> audit_events_ ABSL_GUARDED_BY(mu_);  // by id
  // Message full name -> the serialized last request of that type.
  std::map<std::string, std::string> last_requests_ ABSL_GUARDED_BY(mu_);
  v1::ListAgentsResponse agents_ ABSL_GUARDED_BY(mu_);
  v1::ClusterInfo cluster_info_ ABSL_GUARDED_BY(mu_);
  grpc::Status failure_ ABSL_GUARDED_BY(mu_);
  // Keyed so that map order is the API's order (newest first).
  std::map<std::string, v1::CheckResult> results_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::Incident> incidents_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::GetUptimeResponse> uptimes_ ABSL_GUARDED_BY(mu_);  // by monitor id
  // One queue per open WatchEvents stream, by stream number.
  struct Watch {
    v1::WatchEventsRequest request;
    std::vector<v1::Event> queue;
    std::optional<grpc::Status> end;
  };
  std::map<int, Watch> watches_ ABSL_GUARDED_BY(mu_);
  int watches_started_ ABSL_GUARDED_BY(mu_) = 0;
  int max_page_size_ ABSL_GUARDED_BY(mu_) = 2;
  int next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::optional<v1::Monitor> created_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::ListMonitorsRequest> last_list_monitors_ ABSL_GUARDED_BY(mu_);
  std::optional<v1::ListStatusesRequest> last_list_statuses_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);

  // Declared after the state they use, so they are destroyed first. Held
  // as grpc::Service so that each service's class stays in its own file.
  std::unique_ptr<grpc::Service> monitor_service_;
  std::unique_ptr<grpc::Service> status_service_;
  std::unique_ptr<grpc::Service> cluster_service_;
  std::unique_ptr<grpc::Service> maintenance_service_;
  std::unique_ptr<grpc::Service> status_page_service_;
  std::unique_ptr<grpc::Service> channel_service_;
  std::unique_ptr<grpc::Service> auth_service_;
  std::unique_ptr<grpc::Service> user_service_;
  std::unique_ptr<grpc::Service> audit_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string addr_;
};

}  // namespace uptime::cli

#endif  // UPTIME_CLI_TESTING_FAKE_COORDINATOR_H_
