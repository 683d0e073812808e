#include "store/postgres/pg_maintenance_store.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_text.h"

namespace uptime::store {
namespace {

// An unset Timestamp is NULL, not 1970: one-off bounds are optional for
// recurring windows.
PgParam OptionalTime(const v1::MaintenanceWindow& w, bool start) {
  const bool set = start ? w.has_start_time() : w.has_end_time();
  if (!set) return PgParam::Null();
  return PgParam::Time(FromProto(start ? w.start_time() : w.end_time()));
}

std::vector<PgParam> RowParams(const v1::MaintenanceWindow& w) {
  const std::vector<std::string> ids(w.monitor_ids().begin(), w.monitor_ids().end());
  return {PgParam::Text(w.id()),
          PgParam::Text(w.name()),
          PgParam::Text(TextArrayLiteral(ids)),
          PgParam::Text(w.label_selector()),
          OptionalTime(w, /*start=*/true),
          OptionalTime(w, /*start=*/false),
          PgParam::Bool(w.has_recurrence()),
          PgParam::Bytes(w.SerializeAsString()),
          PgParam::Time(FromProto(w.create_time())),
          PgParam::Time(FromProto(w.update_time()))};
}

absl::Status WindowNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("maintenance window '", id, "' not found"));
}

}  // namespace

absl::StatusOr<std::vector<v1::MaintenanceWindow>> PgMaintenanceStore::LoadWindows() {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows,
                   lease->Exec("SELECT id, spec FROM maintenance_windows ORDER BY id"));
  std::vector<v1::MaintenanceWindow> out(rows.rows());
  for (int i = 0; i < rows.rows(); ++i) {
    if (!out[i].ParseFromString(rows.Bytes(i, 1))) {
      return absl::DataLossError(
          absl::StrCat("maintenance window '", rows.Text(i, 0), "': stored spec does not parse"));
    }
  }
  return out;
}

absl::Status PgMaintenanceStore::InsertWindow(const v1::MaintenanceWindow& w,
                                              const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    absl::StatusOr<PgResult> r = tx.Exec(
        "INSERT INTO maintenance_windows (id, name, monitor_ids, label_selector, start_time, "
        "end_time, recurring, spec, create_time, update_time) "
        "VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $8, $9, $10)",
        RowParams(w));
    if (absl::IsAlreadyExists(r.status())) {
      return absl::AlreadyExistsError(
          absl::StrCat("maintenance window id '", w.id(), "' already exists"));
    }
    RETURN_IF_ERROR(r.status());
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgMaintenanceStore::UpdateWindow(const v1::MaintenanceWindow& w,
                                              const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     tx.Exec("UPDATE maintenance_windows SET name = $2, monitor_ids = $3::text[], "
                             "label_selector = $4, start_time = $5, end_time = $6, recurring = $7, "
                             "spec = $8, create_time = $9, update_time = $10 WHERE id = $1",
                             RowParams(w)));
    if (r.affected() == 0) return WindowNotFound(w.id());
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgMaintenanceStore::DeleteWindow(const std::string& id, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     tx.Exec("DELETE FROM maintenance_windows WHERE id = $1", {PgParam::Text(id)}));
    if (r.affected() == 0) return WindowNotFound(id);
    return InsertAuditEvent(tx, audit).status();
  });
}

}  // namespace uptime::store
