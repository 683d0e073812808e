// Responses shared by FakeCoordinator's services (fake_*_service*.cc): the
// paging contract and the monitor NOT_FOUND error of the real API.
#ifndef UPTIME_CLI_TESTING_FAKE_SERVICE_RESPONSES_H_
#define UPTIME_CLI_TESTING_FAKE_SERVICE_RESPONSES_H_

#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/support/status.h"

namespace uptime::cli::fake_service_responses {

// One page of `items` (ordered by key) after `page_token`, the last key
// served being the next token: the paging contract of the real API.
template <typename Map, typename Add>
std::string Page(const Map& items, const std::string& page_token, int requested, int max,
                 Add add) {
  const int size = requested > 0 && requested < max ? requested : max;
  auto it = page_token.empty() ? items.begin() : items.upper_bound(page_token);
  for (int n = 0; it != items.end() && n < size; ++it, ++n) add(it->second);
  if (it == items.end()) return "";
  return std::prev(it)->first;
}

inline grpc::Status NotFound(const std::string& id) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, absl::StrCat("monitor '", id, "' not found"));
}

}  // namespace uptime::cli::fake_service_responses

#endif  // UPTIME_CLI_TESTING_FAKE_SERVICE_RESPONSES_H_
