#include "common/labels.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace uptime {

absl::Status ValidateLabel(absl::string_view field, absl::string_view key,
                           absl::string_view value) {
  if (key.empty() || key.size() > 63) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": label key must be 1..63 characters, got '", key, "'"));
  }
  for (char c : key) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '/' && c != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ": label key '", key, "' may only contain letters, digits and . _ / -"));
    }
  }
  if (value.size() > 255) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": value of label '", key, "' is longer than 255 characters"));
  }
  for (char c : value) {
    if (absl::ascii_iscntrl(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": value of label '", key, "' contains a control character"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<LabelSelector> LabelSelector::Parse(absl::string_view field,
                                                   absl::string_view text) {
  LabelSelector selector;
  for (absl::string_view raw : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    absl::string_view term = absl::StripAsciiWhitespace(raw);
    Term t;
    size_t pos;
    if ((pos = term.find("!=")) != absl::string_view::npos) {
      t.op = Op::kNotEquals;
      t.key = std::string(absl::StripAsciiWhitespace(term.substr(0, pos)));
      t.value = std::string(absl::StripAsciiWhitespace(term.substr(pos + 2)));
    } else if ((pos = term.find('=')) != absl::string_view::npos) {
      t.op = Op::kEquals;
      size_t skip = term.substr(pos).size() > 1 && term[pos + 1] == '=' ? 2 : 1;
      t.key = std::string(absl::StripAsciiWhitespace(term.substr(0, pos)));
      t.value = std::string(absl::StripAsciiWhitespace(term.substr(pos + skip)));
    } else if (absl::StartsWith(term, "!")) {
      t.op = Op::kNotExists;
      t.key = std::string(absl::StripAsciiWhitespace(term.substr(1)));
    } else {
      t.op = Op::kExists;
      t.key = std::string(term);
    }
    if (absl::Status s = ValidateLabel(field, t.key, t.value); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(s.message(), " (in selector term '", term, "')"));
    }
    selector.terms_.push_back(std::move(t));
  }
  return selector;
}

template <typename Map>
bool LabelSelector::MatchesImpl(const Map& labels) const {
  for (const Term& t : terms_) {
    auto it = labels.find(t.key);
    const bool has = it != labels.end();
    switch (t.op) {
      case Op::kEquals:
        if (!has || it->second != t.value) return false;
        break;
      case Op::kNotEquals:
        if (has && it->second == t.value) return false;
        break;
      case Op::kExists:
        if (!has) return false;
        break;
      case Op::kNotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

bool LabelSelector::Matches(const google::protobuf::Map<std::string, std::string>& labels) const {
  return MatchesImpl(labels);
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  return MatchesImpl(labels);
}

}  // namespace uptime
