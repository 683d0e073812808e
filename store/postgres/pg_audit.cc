#include "store/postgres/pg_audit.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/audit_page_token.h"
#include "store/paging.h"
#include "store/postgres/pg_text.h"

namespace uptime::store {
namespace {

constexpr char kColumns[] =
    "id, uptime_us(time), actor, actor_user_id, credential, action, resource_type, "
    "resource_id, before_json, after_json, client_address";

v1::AuditEvent EventAt(const PgResult& rows, int i) {
  v1::AuditEvent event;
  event.set_id(rows.Int(i, 0));
  if (!rows.IsNull(i, 1)) ToProto(rows.MicrosTime(i, 1), event.mutable_time());
  event.set_actor(std::string(rows.Text(i, 2)));
  event.set_actor_user_id(std::string(rows.Text(i, 3)));
  event.set_credential(std::string(rows.Text(i, 4)));
  event.set_action(std::string(rows.Text(i, 5)));
  event.set_resource_type(std::string(rows.Text(i, 6)));
  event.set_resource_id(std::string(rows.Text(i, 7)));
  event.set_before_json(std::string(rows.Text(i, 8)));
  event.set_after_json(std::string(rows.Text(i, 9)));
  event.set_client_address(std::string(rows.Text(i, 10)));
  return event;
}

}  // namespace

absl::StatusOr<int64_t> InsertAuditEvent(PgConn& conn, const v1::AuditEvent& event) {
  ASSIGN_OR_RETURN(
      PgResult rows,
      conn.Exec("INSERT INTO audit_events (time, actor, actor_user_id, credential, action, "
                "resource_type, resource_id, before_json, after_json, client_address) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                {event.has_time() ? PgParam::Time(FromProto(event.time())) : PgParam::Null(),
                 PgParam::Text(SanitizeUtf8(event.actor())),
                 PgParam::Text(SanitizeUtf8(event.actor_user_id())),
                 PgParam::Text(SanitizeUtf8(event.credential())),
                 PgParam::Text(SanitizeUtf8(event.action())),
                 PgParam::Text(SanitizeUtf8(event.resource_type())),
                 PgParam::Text(SanitizeUtf8(event.resource_id())),
                 PgParam::Text(SanitizeUtf8(event.before_json())),
                 PgParam::Text(SanitizeUtf8(event.after_json())),
                 PgParam::Text(SanitizeUtf8(event.client_address()))}));
  if (rows.rows() != 1) return absl::InternalError("audit insert returned no id");
  return rows.Int(0, 0);
}

absl::StatusOr<AuditPage> ListAuditEvents(PgConn& conn, const AuditQuery& query) {
  ASSIGN_OR_RETURN(const int64_t before, DecodeAuditPageToken(query.page_token));
  const int page_size = EffectivePageSize(query.page_size);
  // Only the filters given become conditions, so each query matches an
  // index prefix exactly.
  std::vector<PgParam> params;
  std::vector<std::string> conditions;
  auto where = [&](absl::string_view column, PgParam value) {
    params.push_back(std::move(value));
    conditions.push_back(absl::StrCat(column, " = $", params.size()));
  };
  if (before != std::numeric_limits<int64_t>::max()) {
    params.push_back(PgParam::Int(before));
    conditions.push_back(absl::StrCat("id < $", params.size()));
  }
  if (!query.resource_type.empty()) where("resource_type", PgParam::Text(query.resource_type));
  if (!query.resource_id.empty()) where("resource_id", PgParam::Text(query.resource_id));
  if (!query.actor.empty()) where("actor", PgParam::Text(query.actor));
  std::string sql = absl::StrCat("SELECT ", kColumns, " FROM audit_events");
  if (!conditions.empty()) absl::StrAppend(&sql, " WHERE ", absl::StrJoin(conditions, " AND "));
  // One row more than the page tells whether another page follows.
  absl::StrAppend(&sql, " ORDER BY id DESC LIMIT ", page_size + 1);
  ASSIGN_OR_RETURN(PgResult rows, conn.Exec(sql, params));
  AuditPage page;
  const int n = std::min(rows.rows(), page_size);
  page.events.reserve(n);
  for (int i = 0; i < n; ++i) page.events.push_back(EventAt(rows, i));
  if (rows.rows() > page_size) page.next_page_token = EncodeAuditPageToken(page.events.back().id());
  return page;
}

}  // namespace uptime::store
