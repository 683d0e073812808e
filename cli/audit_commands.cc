#include "cli/audit_commands.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/views.h"
#include "common/status_macros.h"

namespace uptime::cli {
namespace {

// The server's largest page.
constexpr int kMaxPageSize = 1000;

struct AuditFlags {
  std::string actor;
  std::string resource_type;
  std::string resource_id;
  int limit = 50;
  std::string page_token;
};

// Up to `limit` events from `page_token` on, fetching as many pages as that
// takes; the token of what is left is kept for the hint.
absl::Status ListEvents(CommandEnv& env, const AuditFlags& flags) {
  if (flags.limit < 1) {
    return UsageError(absl::InvalidArgumentError(
        absl::StrCat("--limit: expected at least 1, got ", flags.limit)));
  }
  v1::ListAuditEventsRequest request;
  request.set_actor(flags.actor);
  request.set_resource_type(flags.resource_type);
  request.set_resource_id(flags.resource_id);
  request.set_page_token(flags.page_token);
  v1::ListAuditEventsResponse merged;
  while (true) {
    request.set_page_size(std::min(kMaxPageSize, flags.limit - merged.events_size()));
    v1::ListAuditEventsResponse page;
    RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->audit().ListAuditEvents(ctx, request, &page);
    }));
    const std::string next = page.next_page_token();
    merged.MergeFrom(page);
    merged.set_next_page_token(next);
    // A server repeating a token would loop forever: that is the end too.
    if (next.empty() || next == request.page_token() || merged.events_size() >= flags.limit) {
      break;
    }
    request.set_page_token(next);
  }
  // A server ignoring page_size must not make --limit a lie.
  if (merged.events_size() > flags.limit) {
    merged.mutable_events()->DeleteSubrange(flags.limit, merged.events_size() - flags.limit);
  }
  const bool table = env.printer->format() == OutputFormat::kTable;
  if (table && merged.events().empty()) {
    *env.err << "no audit events found\n";
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(env.printer->Print(merged, [&] { return AuditEventsTable(merged.events()); }));
  if (table && !merged.next_page_token().empty()) {
    *env.err << "older events: add --page-token " << merged.next_page_token()
             << " (or a larger --limit)\n";
  }
  return absl::OkStatus();
}

}  // namespace

void AddAuditCommands(CLI::App& root, CommandTable& table) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* audit = root.add_subcommand(
      "audit", "Who changed what and when, newest first (admins; -o yaml for before/after)");
  audit->add_option("--actor", flags->actor, "Only this actor: a username or 'admin-token'");
  audit->add_option("--resource-type", flags->resource_type,
                    "Only this kind of resource: monitor, channel, user, api_key, ...");
  audit->add_option("--resource-id", flags->resource_id, "Only this resource's id");
  audit->add_option("--limit", flags->limit, "At most this many events")->capture_default_str();
  audit->add_option("--page-token", flags->page_token, "Continue from this result page token");
  table.Add(audit, [flags](CommandEnv& env) { return ListEvents(env, *flags); });
}

}  // namespace uptime::cli
