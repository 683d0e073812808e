#include "store/postgres/pg_catalog_store.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_text.h"

namespace uptime::store {
namespace {

// Turns a unique violation into the caller's vocabulary: which of id or
// name collided.
absl::Status Explain(absl::Status status, absl::string_view what, const std::string& id,
                     const std::string& name) {
  if (!absl::IsAlreadyExists(status)) return status;
  if (absl::EndsWith(PgConstraint(status), "_name_key")) {
    return absl::AlreadyExistsError(absl::StrCat(what, " name '", name, "' already exists"));
  }
  return absl::AlreadyExistsError(absl::StrCat(what, " id '", id, "' already exists"));
}

absl::Status ExpectOneRow(const absl::StatusOr<PgResult>& result, absl::string_view what,
                          const std::string& id) {
  if (!result.ok()) return result.status();
  if (result->affected() == 0) {
    return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
  }
  return absl::OkStatus();
}

template <typename T>
absl::StatusOr<std::vector<T>> LoadAll(PgPool* pool, const std::string& table,
                                       absl::string_view what) {
  ASSIGN_OR_RETURN(PgLease lease, pool->Acquire());
  ASSIGN_OR_RETURN(PgResult rows,
                   lease->Exec(absl::StrCat("SELECT id, spec FROM ", table, " ORDER BY id")));
  std::vector<T> out(rows.rows());
  for (int i = 0; i < rows.rows(); ++i) {
    if (!out[i].ParseFromString(rows.Bytes(i, 1))) {
      return absl::DataLossError(
          absl::StrCat(what, " '", rows.Text(i, 0), "': stored spec does not parse"));
    }
  }
  return out;
}

absl::Status DeleteById(PgPool* pool, const std::string& table, absl::string_view what,
                        const std::string& id, const v1::AuditEvent& audit) {
  return pool->InTransaction([&](PgConn& tx) -> absl::Status {
    RETURN_IF_ERROR(ExpectOneRow(
        tx.Exec(absl::StrCat("DELETE FROM ", table, " WHERE id = $1"), {PgParam::Text(id)}), what,
        id));
    return InsertAuditEvent(tx, audit).status();
  });
}

std::vector<PgParam> MonitorParams(const v1::Monitor& m) {
  return {PgParam::Text(m.id()),
          PgParam::Text(m.name()),
          PgParam::Text(JsonObject(m.labels())),
          PgParam::Bytes(m.SerializeAsString()),
          PgParam::Time(FromProto(m.create_time())),
          PgParam::Time(FromProto(m.update_time()))};
}

std::vector<PgParam> ChannelParams(const v1::Channel& c) {
  return {PgParam::Text(c.id()),
          PgParam::Text(c.name()),
          PgParam::Text(c.type()),
          PgParam::Text(JsonObject(c.config())),
          PgParam::Bytes(c.SerializeAsString()),
          PgParam::Time(FromProto(c.create_time())),
          PgParam::Time(FromProto(c.update_time()))};
}

}  // namespace

absl::StatusOr<std::vector<v1::Monitor>> PgCatalogStore::LoadMonitors() {
  return LoadAll<v1::Monitor>(pool_, "monitors", "monitor");
}

absl::Status PgCatalogStore::InsertMonitor(const v1::Monitor& m, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    RETURN_IF_ERROR(Explain(tx.Exec("INSERT INTO monitors (id, name, labels, spec, create_time, "
                                    "update_time) VALUES ($1, $2, $3::jsonb, $4, $5, $6)",
                                    MonitorParams(m))
                                .status(),
                            "monitor", m.id(), m.name()));
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgCatalogStore::UpdateMonitor(const v1::Monitor& m, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    absl::StatusOr<PgResult> r = tx.Exec(
        "UPDATE monitors SET name = $2, labels = $3::jsonb, spec = $4, create_time = $5, "
        "update_time = $6 WHERE id = $1",
        MonitorParams(m));
    if (!r.ok()) return Explain(r.status(), "monitor", m.id(), m.name());
    RETURN_IF_ERROR(ExpectOneRow(r, "monitor", m.id()));
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgCatalogStore::DeleteMonitor(const std::string& id, const v1::AuditEvent& audit) {
  return DeleteById(pool_, "monitors", "monitor", id, audit);
}

absl::StatusOr<std::vector<v1::Channel>> PgCatalogStore::LoadChannels() {
  return LoadAll<v1::Channel>(pool_, "channels", "channel");
}

absl::Status PgCatalogStore::InsertChannel(const v1::Channel& c, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    RETURN_IF_ERROR(
        Explain(tx.Exec("INSERT INTO channels (id, name, type, config, spec, create_time, "
                        "update_time) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)",
                        ChannelParams(c))
                    .status(),
                "channel", c.id(), c.name()));
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgCatalogStore::UpdateChannel(const v1::Channel& c, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    absl::StatusOr<PgResult> r = tx.Exec(
        "UPDATE channels SET name = $2, type = $3, config = $4::jsonb, spec = $5, "
        "create_time = $6, update_time = $7 WHERE id = $1",
        ChannelParams(c));
    if (!r.ok()) return Explain(r.status(), "channel", c.id(), c.name());
    RETURN_IF_ERROR(ExpectOneRow(r, "channel", c.id()));
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgCatalogStore::DeleteChannel(const std::string& id, const v1::AuditEvent& audit) {
  return DeleteById(pool_, "channels", "channel", id, audit);
}

}  // namespace uptime::store
