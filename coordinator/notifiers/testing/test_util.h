// Shared by the notifier tests: sample alerts and JSON inspection.
#ifndef UPTIME_COORDINATOR_NOTIFIERS_TESTING_TEST_UTIL_H_
#define UPTIME_COORDINATOR_NOTIFIERS_TESTING_TEST_UTIL_H_

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "coordinator/notifiers/alert.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace uptime::notifiers::test {

// 2023-11-14 22:13:20 UTC.
inline absl::Time SampleTime() { return absl::FromUnixSeconds(1'700'000'000); }

// "api-prod" DOWN since SampleTime(), incident "inc-42", from two locations.
inline Alert SampleDownAlert() {
  Alert a;
  a.kind = AlertKind::kDown;
  a.monitor.id = "mon-1";
  a.monitor.name = "api-prod";
  a.monitor.target = "https://api.example.com/health";
  a.monitor.labels = {{"team", "core"}, {"env", "prod"}};
  a.incident_id = "inc-42";
  a.dedup_key = "inc-42";
  a.new_state = v1::STATE_DOWN;
  a.cause = "status: HTTP 503 from eu-west";
  a.since = SampleTime();
  a.duration = absl::Seconds(200);
  a.locations = {"eu-west", "us-east"};
  a.dashboard_base_url = "https://uptime.example.com/";
  return a;
}

inline Alert SampleRecoveredAlert() {
  Alert a = SampleDownAlert();
  a.kind = AlertKind::kRecovered;
  a.new_state = v1::STATE_UP;
  a.since = SampleTime() + absl::Seconds(200);
  a.duration = absl::Seconds(200);
  return a;
}

// A storm of `n` DOWN monitors "m0".."m<n-1>".
inline Alert SampleGroup(int n) {
  Alert group;
  group.kind = AlertKind::kDown;
  group.new_state = v1::STATE_DOWN;
  group.since = SampleTime();
  group.dashboard_base_url = "https://uptime.example.com";
  for (int i = 0; i < n; ++i) {
    Alert m = SampleDownAlert();
    m.monitor.id = "id" + std::to_string(i);
    m.monitor.name = "m" + std::to_string(i);
    m.monitor.target = "host" + std::to_string(i) + ":443";
    m.incident_id = m.dedup_key = "inc-" + std::to_string(i);
    group.group.push_back(m);
  }
  return group;
}

// Parses `json` (failing the test on a syntax error).
inline google::protobuf::Value ParseJson(absl::string_view json) {
  google::protobuf::Value value;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &value);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return value;
}

// v[key] for an object (a null Value, and a test failure, when missing).
inline const google::protobuf::Value& At(const google::protobuf::Value& v, const std::string& key) {
  static const google::protobuf::Value* const kMissing = new google::protobuf::Value();
  const auto& fields = v.struct_value().fields();
  auto it = fields.find(key);
  if (it == fields.end()) {
    ADD_FAILURE() << "no key \"" << key << "\"";
    return *kMissing;
  }
  return it->second;
}

inline bool Has(const google::protobuf::Value& v, const std::string& key) {
  return v.struct_value().fields().count(key) > 0;
}

inline std::string Str(const google::protobuf::Value& v, const std::string& key) {
  return At(v, key).string_value();
}

// v[i] for an array.
inline const google::protobuf::Value& Item(const google::protobuf::Value& v, int i) {
  return v.list_value().values(i);
}

inline int Size(const google::protobuf::Value& v) { return v.list_value().values_size(); }

// A rendered email: its header block and the decoded text/html parts.
struct ParsedMime {
  std::string headers;
  std::string text, html;
};

inline ParsedMime ParseMime(const std::string& mime) {
  ParsedMime p;
  const size_t end = mime.find("\r\n\r\n");
  p.headers = mime.substr(0, end);
  const size_t b = p.headers.find("boundary=\"");
  if (end == std::string::npos || b == std::string::npos) {
    ADD_FAILURE() << "not a multipart message:\n" << mime;
    return p;
  }
  const std::string boundary = p.headers.substr(b + 10, p.headers.find('"', b + 10) - (b + 10));
  for (absl::string_view part : absl::StrSplit(mime, "--" + boundary)) {
    const size_t body_at = part.find("\r\n\r\n");
    if (body_at == absl::string_view::npos) continue;
    std::string decoded;
    absl::Base64Unescape(absl::StrReplaceAll(part.substr(body_at + 4), {{"\r\n", ""}}),
                         &decoded);
    if (absl::StrContains(part.substr(0, body_at), "text/plain")) p.text = decoded;
    if (absl::StrContains(part.substr(0, body_at), "text/html")) p.html = decoded;
  }
  return p;
}

}  // namespace uptime::notifiers::test

#endif  // UPTIME_COORDINATOR_NOTIFIERS_TESTING_TEST_UTIL_H_
