// Labels and label selectors, Kubernetes-style.
//
// A selector is a comma-separated list of terms that must all hold:
// `key=value` (also `key==value`), `key!=value`, `key` (has the label) and
// `!key` (lacks it). The empty selector matches everything.
//
// Example:
//   ASSIGN_OR_RETURN(LabelSelector sel, LabelSelector::Parse("selector", "env=prod,!canary"));
//   if (sel.Matches(monitor.labels())) ...
#ifndef UPTIME_COMMON_LABELS_H_
#define UPTIME_COMMON_LABELS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"

namespace uptime {

// Keys: 1..63 characters of [A-Za-z0-9._/-]; values: at most 255 characters,
// no control characters. Errors name `field` and the key.
absl::Status ValidateLabel(absl::string_view field, absl::string_view key,
                           absl::string_view value);

class LabelSelector {
 public:
  LabelSelector() = default;

  // INVALID_ARGUMENT naming `field` on a malformed selector.
  static absl::StatusOr<LabelSelector> Parse(absl::string_view field, absl::string_view text);

  bool Matches(const google::protobuf::Map<std::string, std::string>& labels) const;
  bool Matches(const std::map<std::string, std::string>& labels) const;

  bool empty() const { return terms_.empty(); }

 private:
  enum class Op { kEquals, kNotEquals, kExists, kNotExists };
  struct Term {
    Op op;
    std::string key;
    std::string value;
  };

  template <typename Map>
  bool MatchesImpl(const Map& labels) const;

  std::vector<Term> terms_;
};

}  // namespace uptime

#endif  // UPTIME_COMMON_LABELS_H_
