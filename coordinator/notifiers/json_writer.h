// A minimal streaming JSON writer for notifier payloads.
//
// Why not google::protobuf::Struct + JsonPrint: payload field order should
// follow the documented schema (people read these bodies), integers should
// stay integers, and text from the outside world (error messages of checked
// servers) may hold invalid UTF-8, which must become U+FFFD rather than a
// rejected payload: Slack answers such a body with HTTP 400, which would
// lose the alert.
//
// Example:
//   JsonWriter w;
//   w.BeginObject().Key("text").String("hi").Key("n").Int(3).EndObject();
//   std::string body = w.Take();  // {"text":"hi","n":3}
//
// Not thread-safe. Misuse (a value without a key inside an object) is a
// programming error and is not diagnosed.
#ifndef UPTIME_COORDINATOR_NOTIFIERS_JSON_WRITER_H_
#define UPTIME_COORDINATOR_NOTIFIERS_JSON_WRITER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace uptime::notifiers {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Convenience: an array of strings / an object of string values.
  JsonWriter& StringArray(const std::vector<std::string>& values);
  JsonWriter& StringMap(const std::map<std::string, std::string>& values);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open container: whether it has no element yet.
  std::vector<bool> first_;
  bool after_key_ = false;
};

// `s` quoted as a JSON string, invalid UTF-8 replaced by U+FFFD.
std::string JsonQuote(absl::string_view s);

// `s` with invalid UTF-8 sequences replaced by U+FFFD (also for non-JSON
// formats such as email bodies).
std::string SanitizeUtf8(absl::string_view s);

// `s` cut to at most `max_bytes` without splitting a UTF-8 sequence, with
// "…" appended when cut (the result then still fits `max_bytes`).
std::string TruncateUtf8(absl::string_view s, size_t max_bytes);

}  // namespace uptime::notifiers

#endif  // UPTIME_COORDINATOR_NOTIFIERS_JSON_WRITER_H_
