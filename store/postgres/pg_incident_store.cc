#include "store/postgres/pg_incident_store.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "store/paging.h"
#include "store/postgres/pg_text.h"

namespace uptime::store {
namespace {

constexpr char kIncidentColumns[] =
    "id, monitor_id, uptime_us(started), uptime_us(resolved), cause, alerts_sent";

v1::Incident IncidentAt(const PgResult& rows, int i) {
  v1::Incident incident;
  incident.set_id(std::string(rows.Text(i, 0)));
  incident.set_monitor_id(std::string(rows.Text(i, 1)));
  ToProto(rows.MicrosTime(i, 2), incident.mutable_started());
  if (!rows.IsNull(i, 3)) ToProto(rows.MicrosTime(i, 3), incident.mutable_resolved());
  incident.set_cause(std::string(rows.Text(i, 4)));
  incident.set_alerts_sent(static_cast<int32_t>(rows.Int(i, 5)));
  return incident;
}

absl::StatusOr<v1::Incident> SelectIncident(PgConn& conn, const std::string& id) {
  ASSIGN_OR_RETURN(PgResult rows,
                   conn.Exec(absl::StrCat("SELECT ", kIncidentColumns, " FROM incidents WHERE id = $1"),
                             {PgParam::Text(id)}));
  if (rows.rows() == 0) return absl::NotFoundError(absl::StrCat("incident '", id, "' not found"));
  return IncidentAt(rows, 0);
}

// Exactly-one-row UPDATEs that report whether the row exists at all, so
// "already done" (OK) and "no such row" (NOT_FOUND) differ.
absl::Status ExpectExists(const absl::StatusOr<PgResult>& result, int64_t id) {
  if (!result.ok()) return result.status();
  if (result->rows() != 1 || !result->Bool(0, 0)) {
    return absl::NotFoundError(absl::StrCat("outbox row ", id, " not found"));
  }
  return absl::OkStatus();
}

// Rows inserted already sent count towards the incident's alerts_sent.
constexpr char kEnqueue[] = R"sql(
WITH ins AS (
  INSERT INTO alert_outbox (incident_id, kind, channel_id, payload, created, due, sent_at)
  SELECT $1::text, k, c, p::jsonb, $2::timestamptz, d, s
  FROM unnest($3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
       AS t(k, c, p, d, s)
  ON CONFLICT (incident_id, kind, channel_id) DO NOTHING
  RETURNING sent_at)
UPDATE incidents SET alerts_sent = alerts_sent + (SELECT count(*) FROM ins WHERE sent_at IS NOT NULL)
WHERE id = $1)sql";

constexpr char kSaveStates[] = R"sql(
INSERT INTO monitor_state AS s (monitor_id, state, since, consecutive_failures,
                                consecutive_successes, open_incident_id, last_result)
SELECT m, st, si, cf, cs, NULLIF(oi, ''), lr
FROM unnest($1::text[], $2::smallint[], $3::timestamptz[], $4::int[], $5::int[], $6::text[],
            $7::bytea[]) AS t(m, st, si, cf, cs, oi, lr)
ON CONFLICT (monitor_id) DO UPDATE SET
  state = EXCLUDED.state, since = EXCLUDED.since,
  consecutive_failures = EXCLUDED.consecutive_failures,
  consecutive_successes = EXCLUDED.consecutive_successes,
  open_incident_id = EXCLUDED.open_incident_id, last_result = EXCLUDED.last_result,
  update_time = now())sql";

}  // namespace

absl::Status PgIncidentStore::Enqueue(PgConn& conn, const std::string& subject,
                                      absl::Span<const OutboxRow> outbox) {
  if (outbox.empty()) return absl::OkStatus();
  // First row per (kind, channel) wins, as the unique constraint would
  // decide; duplicates inside one statement are not worth a server error.
  std::map<std::tuple<std::string, std::string>, const OutboxRow*> unique;
  for (const OutboxRow& row : outbox) unique.try_emplace({row.kind, row.channel_id}, &row);
  std::vector<std::string> kinds, channels, payloads, sent;
  std::vector<absl::Time> due;
  std::vector<bool> has_sent;
  for (const auto& [key, row] : unique) {
    kinds.push_back(row->kind);
    channels.push_back(row->channel_id);
    payloads.push_back(row->payload_json.empty() ? "{}" : row->payload_json);
    due.push_back(row->due);
    sent.push_back(row->sent.has_value() ? PgTime(*row->sent) : "");
    has_sent.push_back(row->sent.has_value());
  }
  return conn
      .Exec(kEnqueue,
            {PgParam::Text(subject), PgParam::Time(clock_->Now()),
             PgParam::Text(TextArrayLiteral(kinds)), PgParam::Text(TextArrayLiteral(channels)),
             PgParam::Text(TextArrayLiteral(payloads)), PgParam::Text(TimeArrayLiteral(due)),
             PgParam::Text(NullableTextArrayLiteral(sent, has_sent))})
      .status();
}

absl::StatusOr<OpenedIncident> PgIncidentStore::OpenIncident(const v1::Incident& incident,
                                                             absl::Span<const OutboxRow> outbox) {
  OpenedIncident out;
  const std::string id = incident.id().empty() ? NewIncidentId() : incident.id();
  RETURN_IF_ERROR(pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    // DO NOTHING covers both the id and the one-open-per-monitor index.
    ASSIGN_OR_RETURN(PgResult inserted,
                     tx.Exec("INSERT INTO incidents (id, monitor_id, started, cause) "
                             "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id",
                             {PgParam::Text(id), PgParam::Text(incident.monitor_id()),
                              PgParam::Time(FromProto(incident.started())),
                              PgParam::Text(incident.cause())}));
    out.created = inserted.rows() == 1;
    std::string existing = id;
    if (!out.created) {
      // Prefer the monitor's open incident; else the same id retried after
      // it was closed.
      ASSIGN_OR_RETURN(PgResult found, tx.Exec(R"sql(
          SELECT id FROM incidents WHERE (monitor_id = $1 AND resolved IS NULL) OR id = $2
          ORDER BY (resolved IS NULL) DESC LIMIT 1)sql",
                                               {PgParam::Text(incident.monitor_id()),
                                                PgParam::Text(id)}));
      if (found.rows() != 1) return absl::AbortedError("incident vanished while opening; retry");
      existing = std::string(found.Text(0, 0));
    }
    RETURN_IF_ERROR(Enqueue(tx, existing, outbox));
    ASSIGN_OR_RETURN(out.incident, SelectIncident(tx, existing));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<v1::Incident> PgIncidentStore::CloseIncident(const std::string& id,
                                                            absl::Time resolved,
                                                            absl::Span<const OutboxRow> outbox) {
  v1::Incident out;
  RETURN_IF_ERROR(pool_->InTransaction([&](PgConn& tx) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult updated,
                     tx.Exec("UPDATE incidents SET resolved = COALESCE(resolved, $2) "
                             "WHERE id = $1 RETURNING id",
                             {PgParam::Text(id), PgParam::Time(resolved)}));
    if (updated.rows() == 0) {
      return absl::NotFoundError(absl::StrCat("incident '", id, "' not found"));
    }
    RETURN_IF_ERROR(Enqueue(tx, id, outbox));
    ASSIGN_OR_RETURN(out, SelectIncident(tx, id));
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PgIncidentStore::EnqueueAlerts(const std::string& subject,
                                            absl::Span<const OutboxRow> outbox) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return Enqueue(*lease, subject, outbox);
}

absl::StatusOr<IncidentPage> PgIncidentStore::ListIncidents(const IncidentQuery& query) {
  ASSIGN_OR_RETURN(PageCursor cursor, DecodePageToken(query.page_token));
  const int page_size = EffectivePageSize(query.page_size);
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows, lease->Exec(absl::StrCat("SELECT ", kIncidentColumns, R"sql(
      FROM incidents
      WHERE ($1 = '' OR monitor_id = $1) AND (NOT $2::boolean OR resolved IS NULL)
        AND (started, id COLLATE "C") < ($3::timestamptz, $4::text COLLATE "C")
      ORDER BY started DESC, id COLLATE "C" DESC LIMIT $5)sql"),
      {PgParam::Text(query.monitor_id), PgParam::Bool(query.open_only),
       PgParam::Time(cursor.time), PgParam::Text(cursor.key), PgParam::Int(page_size + 1)}));
  IncidentPage page;
  const int n = std::min(rows.rows(), page_size);
  for (int i = 0; i < n; ++i) page.incidents.push_back(IncidentAt(rows, i));
  if (rows.rows() > page_size) {
    const v1::Incident& last = page.incidents.back();
    page.next_page_token = EncodePageToken({FromProto(last.started()), last.id()});
  }
  return page;
}

absl::Status PgIncidentStore::SaveStates(absl::Span<const v1::MonitorStatus> statuses) {
  if (statuses.empty()) return absl::OkStatus();
  // Last write per monitor wins; sorted ids keep lock order stable.
  std::map<std::string, const v1::MonitorStatus*> latest;
  for (const v1::MonitorStatus& s : statuses) latest[s.monitor_id()] = &s;
  std::vector<std::string> ids, incident_ids, since, last_results;
  std::vector<int64_t> states, failures, successes;
  std::vector<bool> has_since, has_result;
  for (const auto& [id, s] : latest) {
    ids.push_back(id);
    states.push_back(s->state());
    since.push_back(s->has_since() ? PgTime(FromProto(s->since())) : "");
    has_since.push_back(s->has_since());
    failures.push_back(s->consecutive_failures());
    successes.push_back(s->consecutive_successes());
    incident_ids.push_back(s->open_incident_id());
    last_results.push_back(s->has_last_result() ? s->last_result().SerializeAsString() : "");
    has_result.push_back(s->has_last_result());
  }
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return lease
      ->Exec(kSaveStates,
             {PgParam::Text(TextArrayLiteral(ids)), PgParam::Text(IntArrayLiteral(states)),
              PgParam::Text(NullableTextArrayLiteral(since, has_since)),
              PgParam::Text(IntArrayLiteral(failures)), PgParam::Text(IntArrayLiteral(successes)),
              PgParam::Text(TextArrayLiteral(incident_ids)),
              PgParam::Text(ByteaArrayLiteral(last_results, has_result))})
      .status();
}

absl::StatusOr<std::vector<v1::MonitorStatus>> PgIncidentStore::LoadStates() {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows, lease->Exec(R"sql(
      SELECT monitor_id, state, uptime_us(since), consecutive_failures, consecutive_successes,
             coalesce(open_incident_id, ''), last_result
      FROM monitor_state ORDER BY monitor_id)sql"));
  std::vector<v1::MonitorStatus> out(rows.rows());
  for (int i = 0; i < rows.rows(); ++i) {
    v1::MonitorStatus& s = out[i];
    s.set_monitor_id(std::string(rows.Text(i, 0)));
    s.set_state(static_cast<v1::State>(rows.Int(i, 1)));
    if (!rows.IsNull(i, 2)) ToProto(rows.MicrosTime(i, 2), s.mutable_since());
    s.set_consecutive_failures(static_cast<int32_t>(rows.Int(i, 3)));
    s.set_consecutive_successes(static_cast<int32_t>(rows.Int(i, 4)));
    s.set_open_incident_id(std::string(rows.Text(i, 5)));
    if (!rows.IsNull(i, 6) && !s.mutable_last_result()->ParseFromString(rows.Bytes(i, 6))) {
      return absl::DataLossError(absl::StrCat("monitor_state '", s.monitor_id(),
                                              "': stored last_result does not parse"));
    }
  }
  return out;
}

absl::Status PgIncidentStore::DeleteStates(absl::Span<const std::string> monitor_ids) {
  if (monitor_ids.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return lease
      ->Exec("DELETE FROM monitor_state WHERE monitor_id = ANY($1::text[])",
             {PgParam::Text(TextArrayLiteral(monitor_ids))})
      .status();
}

absl::StatusOr<std::vector<OutboxEntry>> PgIncidentStore::ClaimDue(absl::Time now, int limit,
                                                                   absl::Duration lease_for) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  // SKIP LOCKED: a second sender (an old leader not yet dead) takes other
  // rows instead of waiting for these.
  ASSIGN_OR_RETURN(PgResult rows, lease->Exec(R"sql(
      WITH c AS (
        SELECT id, due FROM alert_outbox WHERE sent_at IS NULL AND due <= $1
        ORDER BY due, id LIMIT $2 FOR UPDATE SKIP LOCKED)
      UPDATE alert_outbox o SET due = $3, attempts = o.attempts + 1 FROM c WHERE o.id = c.id
      RETURNING o.id, o.incident_id, o.kind, o.channel_id, o.payload::text, uptime_us(o.created),
                uptime_us(c.due), o.attempts, coalesce(o.last_error, ''))sql",
      {PgParam::Time(now), PgParam::Int(std::max(0, limit)), PgParam::Time(now + lease_for)}));
  std::vector<OutboxEntry> out;
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({rows.Int(i, 0), std::string(rows.Text(i, 1)), std::string(rows.Text(i, 2)),
                   std::string(rows.Text(i, 3)), std::string(rows.Text(i, 4)),
                   rows.MicrosTime(i, 5), rows.MicrosTime(i, 6),
                   static_cast<int>(rows.Int(i, 7)), std::string(rows.Text(i, 8))});
  }
  std::sort(out.begin(), out.end(), [](const OutboxEntry& a, const OutboxEntry& b) {
    return a.due != b.due ? a.due < b.due : a.id < b.id;
  });
  return out;
}

absl::Status PgIncidentStore::MarkSent(int64_t id, absl::Time sent) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return ExpectExists(lease->Exec(R"sql(
      WITH s AS (UPDATE alert_outbox SET sent_at = $2, last_error = NULL
                 WHERE id = $1 AND sent_at IS NULL RETURNING incident_id),
           i AS (UPDATE incidents SET alerts_sent = alerts_sent + 1
                 WHERE id IN (SELECT incident_id FROM s))
      SELECT EXISTS (SELECT 1 FROM alert_outbox WHERE id = $1))sql",
                                  {PgParam::Int(id), PgParam::Time(sent)}),
                      id);
}

absl::Status PgIncidentStore::MarkFailed(int64_t id, const std::string& error,
                                         absl::Time next_due) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  return ExpectExists(lease->Exec(R"sql(
      WITH f AS (UPDATE alert_outbox SET last_error = $2, due = $3
                 WHERE id = $1 AND sent_at IS NULL)
      SELECT EXISTS (SELECT 1 FROM alert_outbox WHERE id = $1))sql",
                                  {PgParam::Int(id), PgParam::Text(error), PgParam::Time(next_due)}),
                      id);
}

absl::StatusOr<int64_t> PgIncidentStore::FindOutboxRow(const std::string& subject,
                                                       const std::string& kind,
                                                       const std::string& channel_id) {
  ASSIGN_OR_RETURN(PgLease lease, pool_->Acquire());
  ASSIGN_OR_RETURN(PgResult rows,
                   lease->Exec("SELECT id FROM alert_outbox WHERE incident_id = $1 AND kind = $2 "
                               "AND channel_id = $3",
                               {PgParam::Text(subject), PgParam::Text(kind),
                                PgParam::Text(channel_id)}));
  if (rows.rows() == 0) {
    return absl::NotFoundError(absl::StrCat("no ", kind, " alert for ", subject, " to channel ",
                                            channel_id));
  }
  return rows.Int(0, 0);
}

}  // namespace uptime::store
