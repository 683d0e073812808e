#include "gateway/error_mapping.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gateway/request_mapping.h"

namespace uptime::gateway {

unsigned HttpStatusFor(absl::StatusCode code) {
  using C = absl::StatusCode;
  switch (code) {
    case C::kOk: return 200;
    case C::kInvalidArgument:
    case C::kOutOfRange: return 400;
    case C::kUnauthenticated: return 401;
    case C::kPermissionDenied: return 403;
    case C::kNotFound: return 404;
    case C::kAlreadyExists:
    case C::kAborted:
    case C::kFailedPrecondition: return 409;
    case C::kResourceExhausted: return 429;
    case C::kCancelled: return 499;
    case C::kUnimplemented: return 501;
    case C::kUnavailable:
    case C::kDeadlineExceeded: return 503;
    default: return 500;
  }
}

const char* CodeName(absl::StatusCode code) {
  using C = absl::StatusCode;
  switch (code) {
    case C::kOk: return "OK";
    case C::kCancelled: return "CANCELLED";
    case C::kUnknown: return "UNKNOWN";
    case C::kInvalidArgument: return "INVALID_ARGUMENT";
    case C::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case C::kNotFound: return "NOT_FOUND";
    case C::kAlreadyExists: return "ALREADY_EXISTS";
    case C::kPermissionDenied: return "PERMISSION_DENIED";
    case C::kResourceExhausted: return "RESOURCE_EXHAUSTED";
    case C::kFailedPrecondition: return "FAILED_PRECONDITION";
    case C::kAborted: return "ABORTED";
    case C::kOutOfRange: return "OUT_OF_RANGE";
    case C::kUnimplemented: return "UNIMPLEMENTED";
    case C::kInternal: return "INTERNAL";
    case C::kUnavailable: return "UNAVAILABLE";
    case C::kDataLoss: return "DATA_LOSS";
    case C::kUnauthenticated: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

std::string FieldOf(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || colon == 0) return "";
  absl::string_view field = message.substr(0, colon);
  for (char c : field) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '[' &&
        c != ']') {
      return "";
    }
  }
  return std::string(field);
}

int64_t RetryAfterSeconds(absl::string_view message, int64_t fallback) {
  const std::string lower = absl::AsciiStrToLower(message);
  for (absl::string_view marker : {"retry after ", "try again in ", "retry in "}) {
    const size_t at = absl::string_view(lower).find(marker);
    if (at == absl::string_view::npos) continue;
    absl::string_view rest = absl::string_view(lower).substr(at + marker.size());
    const size_t end = rest.find_first_of(" ,;)");
    absl::string_view word = rest.substr(0, end);
    absl::ConsumeSuffix(&word, ".");
    absl::Duration d;
    int64_t n = 0;
    if (absl::ParseDuration(word, &d) && d > absl::ZeroDuration()) {
      return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(d))));
    }
    if (absl::SimpleAtoi(word, &n) && n > 0) {
      // "30 seconds", "2 minutes", or a bare number of seconds.
      absl::string_view unit =
          end == absl::string_view::npos ? "" : absl::StripLeadingAsciiWhitespace(rest.substr(end));
      if (absl::StartsWith(unit, "min")) return n * 60;
      if (absl::StartsWith(unit, "hour")) return n * 3600;
      return n;
    }
  }
  return std::max<int64_t>(1, fallback);
}

std::string ErrorJson(const absl::Status& status) {
  const std::string message(status.message());
  std::string details = "[]";
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    if (std::string field = FieldOf(message); !field.empty()) {
      details = absl::StrCat(
          "[{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":[{"
          "\"field\":",
          JsonQuote(field), ",\"description\":", JsonQuote(message.substr(field.size() + 2)),
          "}]}]");
    }
  }
  return absl::StrCat("{\"code\":", static_cast<int>(status.code()), ",\"status\":\"",
                      CodeName(status.code()), "\",\"message\":",
                      JsonQuote(IsValidUtf8(message) ? message : "(message not UTF-8)"),
                      ",\"details\":", details, "}");
}

HttpResponse ErrorResponse(const absl::Status& status) {
  HttpResponse r;
  r.status = HttpStatusFor(status.code());
  r.body = ErrorJson(status);
  r.headers.emplace_back("Cache-Control", "no-store");
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  if (status.code() == absl::StatusCode::kResourceExhausted) {
    r.headers.emplace_back("Retry-After", absl::StrCat(RetryAfterSeconds(status.message())));
  }
  return r;
}

}  // namespace uptime::gateway
