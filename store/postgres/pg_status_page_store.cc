#include "store/postgres/pg_status_page_store.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/postgres/pg_audit.h"

namespace uptime::store {
namespace {

// Named in migration 4, so a collision can say which key it was.
constexpr char kSlugConstraint[] = "status_pages_slug_key";

std::vector<PgParam> RowParams(const v1::StatusPage& page) {
  return {PgParam::Text(page.id()),
          PgParam::Text(page.slug()),
          PgParam::Text(page.title()),
          PgParam::Bytes(page.SerializeAsString()),
          PgParam::Time(FromProto(page.create_time())),
          PgParam::Time(FromProto(page.update_time()))};
}

// A unique violation in the caller's vocabulary: the slug or the id.
absl::Status Explain(const absl::Status& status, const v1::StatusPage& page) {
  if (!absl::IsAlreadyExists(status)) return status;
  if (PgConstraint(status) == kSlugConstraint) {
    return absl::AlreadyExistsError(absl::StrCat("status page slug '", page.slug(), "' is taken"));
  }
  return absl::AlreadyExistsError(absl::StrCat("status page id '", page.id(), "' already exists"));
}

absl::Status PageNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("status page '", id, "' not found"));
}

}  // namespace

absl::StatusOr<std::vector<v1::StatusPage>> PgStatusPageStore::LoadPages() {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows, lease->Exec("SELECT id, spec FROM status_pages ORDER BY id"));
  std::vector<v1::StatusPage> pages(rows.rows());
  for (int row = 0; row < rows.rows(); ++row) {
    if (!pages[row].ParseFromString(rows.Bytes(row, 1))) {
      return absl::DataLossError(
          absl::StrCat("status page '", rows.Text(row, 0), "': stored spec does not parse"));
    }
  }
  return pages;
}

absl::Status PgStatusPageStore::InsertPage(const v1::StatusPage& page,
                                           const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    RETURN_IF_ERROR(Explain(tx.Exec("INSERT INTO status_pages (id, slug, title, spec, "
                                    "create_time, update_time) VALUES ($1, $2, $3, $4, $5, $6)",
                                    RowParams(page))
                                .status(),
                            page));
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgStatusPageStore::UpdatePage(const v1::StatusPage& page,
                                           const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    absl::StatusOr<PgResult> r = tx.Exec(
        "UPDATE status_pages SET slug = $2, title = $3, spec = $4, create_time = $5, "
        "update_time = $6 WHERE id = $1",
        RowParams(page));
    if (!r.ok()) return Explain(r.status(), page);
    if (r->affected() == 0) return PageNotFound(page.id());
    return InsertAuditEvent(tx, audit).status();
  });
}

absl::Status PgStatusPageStore::DeletePage(const std::string& id, const v1::AuditEvent& audit) {
  return pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r,
                     tx.Exec("DELETE FROM status_pages WHERE id = $1", {PgParam::Text(id)}));
    if (r.affected() == 0) return PageNotFound(id);
    return InsertAuditEvent(tx, audit).status();
  });
}

}  // namespace uptime::store
