// The schema, as migrations. Released migrations are immutable: change the
// schema by appending a new one with the next version.
#include "store/postgres/migrations.h"

namespace uptime::store {
namespace {

// Version 1: the whole initial schema.
constexpr char kInitialSchema[] = R"sql(
-- Unix microseconds of a timestamp: how every time column is read, so the
-- client never parses a DateStyle-dependent text form.
CREATE FUNCTION uptime_us(t timestamptz) RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

-- Ids are compared byte-wise (COLLATE "C") whatever the database's locale:
-- cheaper on every index probe of the ingest path, and the order the stores'
-- page tokens assume.

-- The catalog. `spec` is the serialized uptime.v1.Monitor / uptime.v1.Channel
-- and is what the coordinator loads; the other columns mirror it for SQL
-- (unique names, label queries, operators reading the database).
CREATE TABLE monitors (
  id          text COLLATE "C" PRIMARY KEY,
  name        text NOT NULL CONSTRAINT monitors_name_key UNIQUE,
  labels      jsonb NOT NULL DEFAULT '{}',
  spec        bytea NOT NULL,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL
);
CREATE INDEX monitors_labels_idx ON monitors USING gin (labels jsonb_path_ops);

-- Secrets in `config` are stored as given: redacting them in responses is
-- the API's job.
CREATE TABLE channels (
  id          text COLLATE "C" PRIMARY KEY,
  name        text NOT NULL CONSTRAINT channels_name_key UNIQUE,
  type        text NOT NULL,
  config      jsonb NOT NULL DEFAULT '{}',
  spec        bytea NOT NULL,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL
);

-- Raw check results, one partition per UTC day (results_YYYYMMDD), created
-- ahead of time and on demand, dropped whole by retention. No primary key:
-- it would cost every insert an index probe for rows nobody updates.
CREATE TABLE results (
  monitor_id      text COLLATE "C" NOT NULL,
  agent_id        text COLLATE "C" NOT NULL,
  location        text NOT NULL,
  epoch           bigint NOT NULL,
  start_time      timestamptz NOT NULL,
  scheduled_time  timestamptz,
  success         boolean NOT NULL,
  latency_us      bigint NOT NULL,
  -- Phases (0 where the checker does not measure them).
  dns_us          bigint NOT NULL DEFAULT 0,
  connect_us      bigint NOT NULL DEFAULT 0,
  tls_us          bigint NOT NULL DEFAULT 0,
  first_byte_us   bigint NOT NULL DEFAULT 0,
  http_status     smallint NOT NULL DEFAULT 0,
  error_kind      smallint NOT NULL DEFAULT 0,
  error_message   text NOT NULL DEFAULT '',
  tls_cert_expiry bigint  -- Unix seconds; NULL when not TLS
) PARTITION BY RANGE (start_time);
CREATE INDEX results_monitor_time_idx ON results (monitor_id, start_time DESC);

-- Uptime aggregates. Latency sum and max cover successful checks only: a
-- timeout's "latency" is the timeout and would drown the signal.
CREATE TABLE uptime_minute (
  monitor_id     text COLLATE "C" NOT NULL,
  minute         timestamptz NOT NULL,
  checks         integer NOT NULL,
  failures       integer NOT NULL,
  latency_sum_us bigint NOT NULL,
  latency_max_us bigint NOT NULL,
  PRIMARY KEY (monitor_id, minute)
);
-- Rows arrive in time order, so a BRIN index serves roll-ups and retention
-- by time range for almost no write cost.
CREATE INDEX uptime_minute_minute_idx ON uptime_minute USING brin (minute);

CREATE TABLE uptime_hour (
  monitor_id     text COLLATE "C" NOT NULL,
  hour           timestamptz NOT NULL,
  checks         integer NOT NULL,
  failures       integer NOT NULL,
  latency_sum_us bigint NOT NULL,
  latency_max_us bigint NOT NULL,
  PRIMARY KEY (monitor_id, hour)
);
CREATE INDEX uptime_hour_hour_idx ON uptime_hour USING brin (hour);

-- uptime_hour holds every hour before `hours_before`; readers take minutes
-- from there on, so nothing is counted twice.
CREATE TABLE uptime_rollup (
  id           boolean PRIMARY KEY DEFAULT true CHECK (id),
  hours_before timestamptz NOT NULL
);
INSERT INTO uptime_rollup (id, hours_before) VALUES (true, 'epoch');

CREATE TABLE incidents (
  id          text COLLATE "C" PRIMARY KEY,
  monitor_id  text COLLATE "C" NOT NULL,
  started     timestamptz NOT NULL,
  resolved    timestamptz,
  cause       text NOT NULL DEFAULT '',
  alerts_sent integer NOT NULL DEFAULT 0
);
-- At most one open incident per monitor, whatever the callers do.
CREATE UNIQUE INDEX incidents_one_open_idx ON incidents (monitor_id) WHERE resolved IS NULL;
CREATE INDEX incidents_monitor_started_idx ON incidents (monitor_id, started DESC, id DESC);
CREATE INDEX incidents_started_idx ON incidents (started DESC, id DESC);

-- The state machine's summary per monitor, restored by a new leader.
CREATE TABLE monitor_state (
  monitor_id            text COLLATE "C" PRIMARY KEY,
  state                 smallint NOT NULL,
  since                 timestamptz,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  consecutive_successes integer NOT NULL DEFAULT 0,
  open_incident_id      text,
  last_result           bytea,  -- serialized uptime.v1.CheckResult
  update_time           timestamptz NOT NULL DEFAULT now()
);

-- The highest durable result batch per agent incarnation, so a new leader
-- acks (and drops) batches an agent resends after a failover.
CREATE TABLE agent_batches (
  agent_id      text COLLATE "C" PRIMARY KEY,
  incarnation   text NOT NULL,
  last_sequence bigint NOT NULL,
  update_time   timestamptz NOT NULL DEFAULT now()
);

-- Alerts to deliver. One row per (subject, kind, channel): `incident_id` is
-- the incident, or another dedup subject such as "tls:<monitor>:<notAfter>";
-- re-notifies carry their count in `kind` ("renotify:3") so each is distinct.
CREATE TABLE alert_outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id text COLLATE "C" NOT NULL,
  kind        text NOT NULL,
  channel_id  text COLLATE "C" NOT NULL,
  payload     jsonb NOT NULL DEFAULT '{}',
  created     timestamptz NOT NULL,
  due         timestamptz NOT NULL,
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text,
  sent_at     timestamptz,
  CONSTRAINT alert_outbox_once UNIQUE (incident_id, kind, channel_id)
);
CREATE INDEX alert_outbox_due_idx ON alert_outbox (due) WHERE sent_at IS NULL;
)sql";

// Version 2: maintenance windows (uptime.v1.MaintenanceWindow). `spec` is
// what the coordinator loads; the other columns mirror it for operators.
// Names are not unique: the same "deploy" window may be planned many times.
constexpr char kMaintenanceWindows[] = R"sql(
CREATE TABLE maintenance_windows (
  id             text COLLATE "C" PRIMARY KEY,
  name           text NOT NULL,
  monitor_ids    text[] NOT NULL DEFAULT '{}',
  label_selector text NOT NULL DEFAULT '',
  -- A one-off window's span, or a recurring window's optional bounds.
  start_time     timestamptz,
  end_time       timestamptz,
  recurring      boolean NOT NULL,
  spec           bytea NOT NULL,
  create_time    timestamptz NOT NULL,
  update_time    timestamptz NOT NULL
);
)sql";

// Minute buckets are updated in place many times a minute: room on each
// page lets PostgreSQL make those updates HOT (no index churn), which
// halves their cost on the ingest path.
constexpr char kMinuteFillfactor[] = R"sql(
ALTER TABLE uptime_minute SET (fillfactor = 50);
)sql";

// Version 4: public status pages (uptime.v1.StatusPage). `spec` is what the
// coordinator loads; slug and title mirror it for operators. The slug is the
// page's address (/status/{slug}), so it is unique here as well as in the
// coordinator's memory; the constraint is named so the store can tell a
// slug collision from an id collision.
constexpr char kStatusPages[] = R"sql(
CREATE TABLE status_pages (
  id          text COLLATE "C" PRIMARY KEY,
  slug        text COLLATE "C" NOT NULL CONSTRAINT status_pages_slug_key UNIQUE,
  title       text NOT NULL,
  spec        bytea NOT NULL,
  create_time timestamptz NOT NULL,
  update_time timestamptz NOT NULL
);
)sql";

// Version 5: accounts and the audit log. `spec` is the serialized
// uptime.v1.User / uptime.v1.ApiKey (never holding a secret); passwords are
// Argon2id encodings, keys and session tokens SHA-256 hex digests. Usernames
// are unique case-insensitively; that index and the hash constraints are
// named so the store can say which key collided. A user's keys and sessions
// go with the user. Audit rows reference nothing: the record outlives what
// it describes. Their ids order the log (newest first by id), and the
// indexes serve the list's filters in that order.
constexpr char kAccounts[] = R"sql(
CREATE TABLE users (
  id            text COLLATE "C" PRIMARY KEY,
  username      text NOT NULL,
  spec          bytea NOT NULL,
  password_hash text NOT NULL DEFAULT '',
  totp_secret   text NOT NULL DEFAULT '',
  create_time   timestamptz NOT NULL,
  update_time   timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE api_keys (
  id             text COLLATE "C" PRIMARY KEY,
  user_id        text COLLATE "C" NOT NULL
                 CONSTRAINT api_keys_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
  key_hash       text COLLATE "C" NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE,
  spec           bytea NOT NULL,
  last_used_time timestamptz
);
CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

CREATE TABLE sessions (
  id             text COLLATE "C" PRIMARY KEY,
  token_hash     text COLLATE "C" NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
  user_id        text COLLATE "C" NOT NULL
                 CONSTRAINT sessions_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
  create_time    timestamptz NOT NULL,
  last_seen_time timestamptz NOT NULL,
  expire_time    timestamptz NOT NULL,
  client_address text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expire_time_idx ON sessions (expire_time);

CREATE TABLE audit_events (
  id             bigserial PRIMARY KEY,
  time           timestamptz,
  actor          text NOT NULL DEFAULT '',
  actor_user_id  text NOT NULL DEFAULT '',
  credential     text NOT NULL DEFAULT '',
  action         text NOT NULL DEFAULT '',
  resource_type  text NOT NULL DEFAULT '',
  resource_id    text NOT NULL DEFAULT '',
  before_json    text NOT NULL DEFAULT '',
  after_json     text NOT NULL DEFAULT '',
  client_address text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, id DESC);
CREATE INDEX audit_events_actor_idx ON audit_events (actor, id DESC);
)sql";

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "maintenance windows", kMaintenanceWindows},
    {3, "room for in-place minute-bucket updates", kMinuteFillfactor},
    {4, "status pages", kStatusPages},
    {5, "accounts and the audit log", kAccounts},
};

}  // namespace

absl::Span<const Migration> AllMigrations() { return kMigrations; }

}  // namespace uptime::store
