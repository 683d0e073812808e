// What `apply` would change: the manifest compared with the server's objects.
//
// Objects are matched by kind and name (a status page by slug). Both sides
// are compared as documents after the server's defaults, with ids replaced by
// names, so an object written by apply and read back compares equal. An
// update lists every changed field and carries a field mask of exactly the
// changed top-level fields, sent as one Update call (atomic per object).
//
// Channel secrets come back from the server redacted ("****" + the last four
// characters), so they cannot be compared directly. apply stores a salted
// SHA-256 of the channel's config in the label uptime.dev/config-hash; a
// secret counts as unchanged only when its redacted form matches and that
// hash matches the file's config. A changed secret therefore always sends the
// whole config again; an unchanged one is never sent.
//
// Example:
//   PlanResult planned = MakePlan(manifest, state, {.prune = true});
//   if (!planned.diagnostics.empty()) ...;   // nothing may change
//   PrintPlan(planned.plan, std::cout);
//   RETURN_IF_ERROR(ExecutePlan(planned.plan, state, client, on_step));
#ifndef UPTIME_CLI_MANIFEST_PLAN_H_
#define UPTIME_CLI_MANIFEST_PLAN_H_

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/manifest/manifest.h"
#include "google/protobuf/field_mask.pb.h"

namespace uptime::cli::manifest {

// The server's objects, as listed (complete, not one page).
struct ServerState {
  std::vector<v1::Channel> channels;
  std::vector<v1::Monitor> monitors;
  std::vector<v1::MaintenanceWindow> windows;
  std::vector<v1::StatusPage> pages;

  // Every object of `kind` as (id, message) pairs.
  std::vector<std::pair<std::string, const google::protobuf::Message*>> Of(Kind kind) const;
};

struct PlanOptions {
  bool prune = false;
  // The server refuses to create a maintenance window that is already over
  // (updating one is fine: that is how a window is ended early); checked
  // against this time so it fails before anything changes.
  absl::Time now = absl::InfinitePast();
  // Fresh salt for a config hash; random in production, fixed in tests.
  std::function<std::string()> new_salt;
};

enum class StepAction { kCreate, kUpdate, kDelete };

struct FieldChange {
  std::string path;    // document path, "spec.http.url"
  std::string before;  // "(none)" when absent; secrets redacted
  std::string after;
};

struct Step {
  StepAction action = StepAction::kCreate;
  Kind kind = Kind::kChannel;
  std::string name;
  std::string id;  // update and delete
  // Create and update: the object to send, references still as names.
  ObjectMessage desired;
  google::protobuf::FieldMask mask;  // update only
  std::vector<FieldChange> changes;  // update only
};

struct Plan {
  std::vector<Step> steps;  // in execution order
  int unchanged = 0;

  int Count(StepAction action) const;
  bool empty() const { return steps.empty(); }
};

struct PlanResult {
  Plan plan;
  std::vector<Diagnostic> diagnostics;  // non-empty: nothing may change
};

PlanResult MakePlan(const Manifest& manifest, const ServerState& state, const PlanOptions& options);

// "+ create Monitor/api", "~ update ..." with one "    path: old -> new" line
// per change, "- delete ...", then a summary line.
void PrintPlan(const Plan& plan, std::ostream& out);

// Writes objects through the API; implemented over gRPC by the command and
// in memory by tests.
class CatalogClient {
 public:
  virtual ~CatalogClient() = default;
  // Returns the new object's id.
  virtual absl::StatusOr<std::string> Create(Kind kind,
                                             const google::protobuf::Message& object) = 0;
  virtual absl::Status Update(Kind kind, const std::string& id,
                              const google::protobuf::Message& object,
                              const google::protobuf::FieldMask& mask) = 0;
  virtual absl::Status Delete(Kind kind, const std::string& id) = 0;
};

// Runs the steps in order, resolving names to ids (from `state` and from the
// objects created on the way). Stops at the first failure and returns it,
// naming the object; `done` is called after each step that succeeded.
absl::Status ExecutePlan(const Plan& plan, const ServerState& state, CatalogClient& client,
                         const std::function<void(const Step&)>& done);

// "****" plus the last four characters (just "****" below 12 characters): the
// server's own redaction, so both sides of a change look alike.
std::string Redact(const std::string& secret);

// The label value recording `config` (salted SHA-256), and whether `label`
// records exactly `config`.
std::string ConfigHash(const google::protobuf::Map<std::string, std::string>& config,
                       const std::string& salt);
bool ConfigHashMatches(const std::string& label,
                       const google::protobuf::Map<std::string, std::string>& config);
std::string RandomSalt();

}  // namespace uptime::cli::manifest

#endif  // UPTIME_CLI_MANIFEST_PLAN_H_
