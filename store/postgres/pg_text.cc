#include "store/postgres/pg_text.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/utf8.h"

namespace uptime::store {
namespace {

bool IsCleanAscii(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c != 0 && c < 0x80;
  });
}

void AppendSeparator(std::string& row) {
  if (!row.empty() && row.back() != '\n') row.push_back('\t');
}

// Appends `s` as a double-quoted array element.
void AppendQuotedElement(std::string& out, absl::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace

std::string SanitizeUtf8(absl::string_view s) {
  if (IsCleanAscii(s)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '\0') {
      ++i;
      continue;
    }
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out.push_back('?');
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

void AppendCopyField(std::string& row, absl::string_view value) {
  AppendSeparator(row);
  // Sanitizing copies; almost every field is plain ASCII and skips it.
  std::string sanitized;
  if (!IsCleanAscii(value)) {
    sanitized = SanitizeUtf8(value);
    value = sanitized;
  }
  for (char c : value) {
    switch (c) {
      case '\\': row.append("\\\\"); break;
      case '\t': row.append("\\t"); break;
      case '\n': row.append("\\n"); break;
      case '\r': row.append("\\r"); break;
      default: row.push_back(c);
    }
  }
}

void AppendCopyInt(std::string& row, int64_t value) {
  AppendSeparator(row);
  absl::StrAppend(&row, value);
}

void AppendCopyBool(std::string& row, bool value) {
  AppendSeparator(row);
  row.push_back(value ? 't' : 'f');
}

void AppendCopyTime(std::string& row, absl::Time value) {
  AppendSeparator(row);
  row.append(PgTime(value));
}

void AppendCopyNull(std::string& row) {
  AppendSeparator(row);
  row.append("\\N");
}

void EndCopyRow(std::string& row) { row.push_back('\n'); }

std::string PgTime(absl::Time t) {
  // Unbounded query ranges map onto PostgreSQL's own infinities.
  if (t == absl::InfinitePast()) return "-infinity";
  if (t == absl::InfiniteFuture()) return "infinity";
  // Hand-rolled rather than absl::FormatTime: this runs twice per result in
  // the ingest path, and the general formatter costs several times more.
  int64_t micros = absl::ToUnixMicros(t);
  int64_t secs = micros / 1'000'000;
  int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    --secs;
  }
  int64_t days = secs / 86'400;
  int64_t sod = secs % 86'400;
  if (sod < 0) {
    sod += 86'400;
    --days;
  }
  // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible
  // low-level date algorithms").
  const int64_t z = days + 719'468;
  const int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const int64_t doe = z - era * 146'097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) {
    return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
  }
  char buf[40];
  const int n = std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
                              static_cast<int>(year), static_cast<int>(month),
                              static_cast<int>(day), static_cast<int>(sod / 3600),
                              static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60),
                              static_cast<int>(frac));
  return std::string(buf, static_cast<size_t>(n));
}

std::string NullableTextArrayLiteral(absl::Span<const std::string> values,
                                     const std::vector<bool>& present) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (i < present.size() && !present[i]) {
      out.append("NULL");
    } else {
      AppendQuotedElement(out, SanitizeUtf8(values[i]));
    }
  }
  out.push_back('}');
  return out;
}

std::string TextArrayLiteral(absl::Span<const std::string> values) {
  return NullableTextArrayLiteral(values, {});  // empty `present`: every element present
}

std::string ByteaArrayLiteral(absl::Span<const std::string> values,
                              const std::vector<bool>& present) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (i < present.size() && !present[i]) {
      out.append("NULL");
    } else {
      // Inside a quoted element a backslash needs escaping: "\\x0a0b".
      absl::StrAppend(&out, "\"\\\\x", absl::BytesToHexString(values[i]), "\"");
    }
  }
  out.push_back('}');
  return out;
}

std::string IntArrayLiteral(absl::Span<const int64_t> values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

std::string TimeArrayLiteral(absl::Span<const absl::Time> values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    absl::StrAppend(&out, "\"", PgTime(values[i]), "\"");
  }
  out.push_back('}');
  return out;
}

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (char ch : SanitizeUtf8(s)) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string JsonObject(const google::protobuf::Map<std::string, std::string>& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : sorted) {
    if (!first) out.push_back(',');
    first = false;
    absl::StrAppend(&out, JsonString(key), ":", JsonString(value));
  }
  out.push_back('}');
  return out;
}

}  // namespace uptime::store
