#include "coordinator/alerting/alert_payload.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace uptime::coordinator {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using notifiers::Alert;
using notifiers::AlertKind;

constexpr int kPayloadVersion = 1;
void PutTime(Struct& s, const char* key, absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return;
  (*s.mutable_fields())[key].set_string_value(
      absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()));
}

void PutString(Struct& s, const char* key, const std::string& v) {
  if (!v.empty()) (*s.mutable_fields())[key].set_string_value(v);
}

std::string GetString(const Struct& s, const char* key) {
  auto it = s.fields().find(key);
  return it == s.fields().end() ? std::string() : it->second.string_value();
}

absl::StatusOr<absl::Time> GetTime(const Struct& s, const char* key) {
  auto it = s.fields().find(key);
  if (it == s.fields().end() || it->second.has_null_value()) return absl::InfinitePast();
  absl::Time t;
  std::string err;
  if (!absl::ParseTime(absl::RFC3339_full, it->second.string_value(), &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat("payload: ", key, ": bad time"));
  }
  return t;
}

}  // namespace

std::optional<AlertKind> AlertKindFromName(absl::string_view name) {
  for (AlertKind k : notifiers::kAllAlertKinds) {
    if (notifiers::AlertKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string AlertToPayload(const Alert& alert) {
  Struct s;
  auto& f = *s.mutable_fields();
  f["v"].set_number_value(kPayloadVersion);
  f["kind"].set_string_value(std::string(notifiers::AlertKindName(alert.kind)));
  Struct& m = *f["monitor"].mutable_struct_value();
  PutString(m, "id", alert.monitor.id);
  PutString(m, "name", alert.monitor.name);
  PutString(m, "target", alert.monitor.target);
  Struct& labels = *(*m.mutable_fields())["labels"].mutable_struct_value();
  for (const auto& [k, v] : alert.monitor.labels) (*labels.mutable_fields())[k].set_string_value(v);
  PutString(s, "incident_id", alert.incident_id);
  PutString(s, "dedup_key", alert.dedup_key);
  f["state"].set_string_value(v1::State_Name(alert.new_state));
  PutString(s, "cause", alert.cause);
  PutTime(s, "since", alert.since);
  f["duration_ms"].set_number_value(
      static_cast<double>(absl::ToInt64Milliseconds(alert.duration)));
  auto& locations = *f["locations"].mutable_list_value();
  for (const std::string& l : alert.locations) locations.add_values()->set_string_value(l);
  PutString(s, "dashboard_base_url", alert.dashboard_base_url);
  PutTime(s, "tls_expiry", alert.tls_expiry);
  std::string json;
  // Serializing a Struct cannot fail.
  (void)google::protobuf::util::MessageToJsonString(s, &json);
  return json;
}

absl::StatusOr<Alert> PayloadToAlert(absl::string_view payload_json) {
  Struct s;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(
           std::string(payload_json.data(), payload_json.size()), &s, options)
           .ok()) {
    return absl::InvalidArgumentError("payload: not a JSON object");
  }
  const auto& f = s.fields();
  auto v = f.find("v");
  if (v == f.end() || v->second.number_value() != kPayloadVersion) {
    return absl::InvalidArgumentError("payload: v: unsupported version");
  }
  Alert a;
  const std::string kind = GetString(s, "kind");
  std::optional<AlertKind> k = AlertKindFromName(kind);
  if (!k) return absl::InvalidArgumentError(absl::StrCat("payload: kind: unknown '", kind.substr(0, 32), "'"));
  a.kind = *k;
  if (auto m = f.find("monitor"); m != f.end()) {
    const Struct& ms = m->second.struct_value();
    a.monitor.id = GetString(ms, "id");
    a.monitor.name = GetString(ms, "name");
    a.monitor.target = GetString(ms, "target");
    if (auto l = ms.fields().find("labels"); l != ms.fields().end()) {
      for (const auto& [lk, lv] : l->second.struct_value().fields()) {
        a.monitor.labels[lk] = lv.string_value();
      }
    }
  }
  a.incident_id = GetString(s, "incident_id");
  a.dedup_key = GetString(s, "dedup_key");
  v1::State state = v1::STATE_UNSPECIFIED;
  if (const std::string name = GetString(s, "state"); !name.empty() && !v1::State_Parse(name, &state)) {
    return absl::InvalidArgumentError("payload: state: unknown");
  }
  a.new_state = state;
  a.cause = GetString(s, "cause");
  absl::StatusOr<absl::Time> since = GetTime(s, "since");
  if (!since.ok()) return since.status();
  a.since = *since;
  if (auto d = f.find("duration_ms"); d != f.end()) {
    a.duration = absl::Milliseconds(static_cast<int64_t>(d->second.number_value()));
  }
  if (auto l = f.find("locations"); l != f.end()) {
    for (const Value& loc : l->second.list_value().values()) a.locations.push_back(loc.string_value());
  }
  a.dashboard_base_url = GetString(s, "dashboard_base_url");
  absl::StatusOr<absl::Time> expiry = GetTime(s, "tls_expiry");
  if (!expiry.ok()) return expiry.status();
  a.tls_expiry = *expiry;
  return a;
}

std::vector<store::OutboxRow> BuildIncidentOutbox(const v1::Incident& incident,
                                                  const v1::Monitor& monitor, bool recovered,
                                                  absl::Time now,
                                                  const std::string& dashboard_base_url) {
  Alert a;
  a.kind = recovered ? AlertKind::kRecovered : AlertKind::kDown;
  a.monitor = notifiers::AlertMonitorFromProto(monitor);
  a.incident_id = a.dedup_key = incident.id();
  a.new_state = recovered ? v1::STATE_UP : v1::STATE_DOWN;
  a.cause = incident.cause();
  const absl::Time started = FromProto(incident.started());
  if (recovered) {
    a.since = incident.has_resolved() ? FromProto(incident.resolved()) : now;
    a.duration = a.since - started;
  } else {
    a.since = started;
  }
  a.dashboard_base_url = dashboard_base_url;
  const std::string payload = AlertToPayload(a);
  std::vector<store::OutboxRow> rows;
  for (const std::string& channel : monitor.channel_ids()) {
    store::OutboxRow row;
    row.kind = std::string(notifiers::AlertKindName(a.kind));
    row.channel_id = channel;
    row.payload_json = payload;
    row.due = now;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace uptime::coordinator
