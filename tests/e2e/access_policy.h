// The access policy of the public API, written down once for the tests
// that check it through gRPC (accounts_test) and REST (accounts_rest_test):
// the least role each method needs. Every method of every public service
// must be listed, so a new method without a deliberate rule fails them.
#ifndef UPTIME_TESTS_E2E_ACCESS_POLICY_H_
#define UPTIME_TESTS_E2E_ACCESS_POLICY_H_

#include <map>
#include <string>
#include <vector>

namespace uptime::testing {

enum class Need { kNone, kViewer, kEditor, kAdmin };
inline const std::map<std::string, Need>& AccessTable() {
  static const auto* table = new std::map<std::string, Need>{
      {"uptime.v1.MonitorService.CreateMonitor", Need::kEditor},
      {"uptime.v1.MonitorService.GetMonitor", Need::kViewer},
      {"uptime.v1.MonitorService.ListMonitors", Need::kViewer},
      {"uptime.v1.MonitorService.UpdateMonitor", Need::kEditor},
      {"uptime.v1.MonitorService.DeleteMonitor", Need::kEditor},
      {"uptime.v1.MonitorService.PauseMonitor", Need::kEditor},
      {"uptime.v1.MonitorService.ResumeMonitor", Need::kEditor},
      {"uptime.v1.StatusService.GetStatus", Need::kViewer},
      {"uptime.v1.StatusService.ListStatuses", Need::kViewer},
      {"uptime.v1.StatusService.ListResults", Need::kViewer},
      {"uptime.v1.StatusService.GetUptime", Need::kViewer},
      {"uptime.v1.StatusService.BatchGetUptime", Need::kViewer},
      {"uptime.v1.StatusService.ListUptime", Need::kViewer},
      {"uptime.v1.StatusService.ListIncidents", Need::kViewer},
      {"uptime.v1.StatusService.WatchEvents", Need::kViewer},
      {"uptime.v1.NotificationService.CreateChannel", Need::kAdmin},
      {"uptime.v1.NotificationService.GetChannel", Need::kViewer},
      {"uptime.v1.NotificationService.ListChannels", Need::kViewer},
      {"uptime.v1.NotificationService.UpdateChannel", Need::kAdmin},
      {"uptime.v1.NotificationService.DeleteChannel", Need::kAdmin},
      {"uptime.v1.NotificationService.TestChannel", Need::kAdmin},
      {"uptime.v1.MaintenanceService.CreateMaintenanceWindow", Need::kEditor},
      {"uptime.v1.MaintenanceService.GetMaintenanceWindow", Need::kViewer},
      {"uptime.v1.MaintenanceService.ListMaintenanceWindows", Need::kViewer},
      {"uptime.v1.MaintenanceService.UpdateMaintenanceWindow", Need::kEditor},
      {"uptime.v1.MaintenanceService.DeleteMaintenanceWindow", Need::kEditor},
      {"uptime.v1.StatusPageService.CreateStatusPage", Need::kEditor},
      {"uptime.v1.StatusPageService.GetStatusPage", Need::kViewer},
      {"uptime.v1.StatusPageService.ListStatusPages", Need::kViewer},
      {"uptime.v1.StatusPageService.UpdateStatusPage", Need::kEditor},
      {"uptime.v1.StatusPageService.DeleteStatusPage", Need::kEditor},
      {"uptime.v1.ClusterService.GetClusterInfo", Need::kViewer},
      {"uptime.v1.ClusterService.ListAgents", Need::kViewer},
      {"uptime.v1.AuthService.GetCaller", Need::kViewer},
      {"uptime.v1.AuthService.Login", Need::kNone},
      {"uptime.v1.AuthService.Logout", Need::kViewer},
      {"uptime.v1.UserService.CreateUser", Need::kAdmin},
      // Oneself: any role; another user: admin (checked by ownership tests).
      {"uptime.v1.UserService.GetUser", Need::kViewer},
      {"uptime.v1.UserService.ListUsers", Need::kAdmin},
      {"uptime.v1.UserService.UpdateUser", Need::kAdmin},
      {"uptime.v1.UserService.DeleteUser", Need::kAdmin},
      {"uptime.v1.UserService.ChangePassword", Need::kViewer},
      {"uptime.v1.UserService.CreateApiKey", Need::kViewer},
      {"uptime.v1.UserService.ListApiKeys", Need::kViewer},
      {"uptime.v1.UserService.RevokeApiKey", Need::kViewer},
      // One's own second factor; another user's: admin (checked by unit tests).
      {"uptime.v1.UserService.BeginTotpEnrollment", Need::kViewer},
      {"uptime.v1.UserService.ConfirmTotpEnrollment", Need::kViewer},
      {"uptime.v1.UserService.DisableTotp", Need::kViewer},
      {"uptime.v1.AuditService.ListAuditEvents", Need::kAdmin},
  };
  return *table;
}

inline const std::vector<std::string>& PublicServices() {
  static const auto* services = new std::vector<std::string>{
      "uptime.v1.MonitorService",     "uptime.v1.StatusService",
      "uptime.v1.NotificationService", "uptime.v1.MaintenanceService",
      "uptime.v1.StatusPageService",  "uptime.v1.ClusterService",
      "uptime.v1.AuthService",        "uptime.v1.UserService",
      "uptime.v1.AuditService"};
  return *services;
}

}  // namespace uptime::testing

#endif  // UPTIME_TESTS_E2E_ACCESS_POLICY_H_
