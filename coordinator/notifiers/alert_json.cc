#include "coordinator/notifiers/alert_json.h"

#include "coordinator/notifiers/json_writer.h"

namespace uptime::notifiers {
namespace {

void TimeOrNull(JsonWriter& w, absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    w.Null();
  } else {
    w.String(FormatRfc3339(t));
  }
}

// The keys shared by the top-level document and group members.
void WriteAlertFields(JsonWriter& w, const Alert& alert) {
  w.Key("dedup_key").String(DedupKey(alert));
  w.Key("incident_id").String(alert.incident_id);
  w.Key("state").String(StateName(alert.new_state));
  w.Key("monitor").BeginObject();
  w.Key("id").String(alert.monitor.id);
  w.Key("name").String(alert.monitor.name);
  w.Key("target").String(alert.monitor.target);
  w.Key("labels").StringMap(alert.monitor.labels);
  w.EndObject();
  w.Key("cause").String(alert.cause);
  w.Key("since");
  TimeOrNull(w, alert.since);
  w.Key("duration_seconds").Int(absl::ToInt64Seconds(alert.duration));
  w.Key("locations").StringArray(alert.locations);
  w.Key("dashboard_url").String(DashboardLink(alert));
  w.Key("tls_expiry");
  TimeOrNull(w, alert.tls_expiry);
}

}  // namespace

std::string AlertToJson(const Alert& alert, absl::Time sent_at) {
  JsonWriter w;
  w.BeginObject();
  w.Key("version").Int(kAlertJsonVersion);
  w.Key("kind").String(AlertKindName(alert.kind));
  w.Key("sent_at").String(FormatRfc3339(sent_at));
  WriteAlertFields(w, alert);
  w.Key("group").BeginArray();
  for (const Alert& member : alert.group) {
    w.BeginObject();
    w.Key("kind").String(AlertKindName(member.kind));
    WriteAlertFields(w, member);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.Take();
}

}  // namespace uptime::notifiers
