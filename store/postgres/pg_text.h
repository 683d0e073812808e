// Text encodings PostgreSQL expects from us: COPY text rows, array literals,
// JSON objects and timestamps.
//
// Everything here is pure and unit-tested, because an escaping mistake in a
// COPY stream fails a whole batch of results (or, worse, shifts columns).
//
// Example:
//   std::string row;
//   AppendCopyField(row, "a\tb");       // a\\tb (escaped tab)
//   AppendCopyNull(row);                // \N
//   EndCopyRow(row);
//   std::string arr = TextArrayLiteral({"x", "y\"z"});  // {"x","y\"z"}
#ifndef UPTIME_STORE_POSTGRES_PG_TEXT_H_
#define UPTIME_STORE_POSTGRES_PG_TEXT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/map.h"

namespace uptime::store {

// Replaces each byte that is not part of valid UTF-8 with '?', and drops NUL
// (PostgreSQL text cannot hold it). Agents copy error text from the network,
// and one invalid byte would make the server reject the whole COPY.
std::string SanitizeUtf8(absl::string_view s);

// COPY ... FROM STDIN (FORMAT text): fields separated by tabs, rows by '\n'.
// AppendCopyField escapes backslash, tab, newline and carriage return and
// sanitizes UTF-8. A separator is written before every field but the first of
// a row, so callers append fields in column order and then call EndCopyRow.
void AppendCopyField(std::string& row, absl::string_view value);
void AppendCopyInt(std::string& row, int64_t value);
void AppendCopyBool(std::string& row, bool value);
void AppendCopyTime(std::string& row, absl::Time value);
void AppendCopyNull(std::string& row);
void EndCopyRow(std::string& row);

// "2024-05-06 07:08:09.123456+00": a timestamptz literal in UTC with
// microseconds, whatever the session's DateStyle and TimeZone.
std::string PgTime(absl::Time t);

// Array literals for `unnest($1::text[], ...)`: elements are double-quoted
// with '"' and '\' escaped, so ids with commas or braces stay intact.
std::string TextArrayLiteral(absl::Span<const std::string> values);
std::string IntArrayLiteral(absl::Span<const int64_t> values);
std::string TimeArrayLiteral(absl::Span<const absl::Time> values);
// NULL elements where `present` is false.
std::string NullableTextArrayLiteral(absl::Span<const std::string> values,
                                     const std::vector<bool>& present);
// Binary payloads as bytea hex ("\\x0a0b") inside a text array literal.
std::string ByteaArrayLiteral(absl::Span<const std::string> values,
                              const std::vector<bool>& present);

// {"key":"value",...} for jsonb columns, keys sorted so equal maps encode
// equally.
std::string JsonObject(const google::protobuf::Map<std::string, std::string>& map);
// A JSON string literal including the quotes.
std::string JsonString(absl::string_view s);

}  // namespace uptime::store

#endif  // UPTIME_STORE_POSTGRES_PG_TEXT_H_
