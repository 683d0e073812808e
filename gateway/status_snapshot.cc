#include "gateway/status_snapshot.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gateway/request_mapping.h"
#include "gateway/result_json.h"

namespace uptime::gateway {

namespace {

int64_t SinceMicros(const v1::MonitorStatus& s) {
  return s.since().seconds() * 1'000'000 + s.since().nanos() / 1000;
}

}  // namespace

StatusSnapshot::Stored StatusSnapshot::Render(MonitorEntry entry) {
  Stored stored;
  v1::CheckResult last;
  const bool has_last = entry.status.has_last_result();
  if (has_last) entry.status.mutable_last_result()->Swap(&last);
  entry.status.clear_last_result();
  stored.head = ToJson(entry.status);
  stored.head.pop_back();  // the closing brace
  if (has_last) {
    stored.result = CheckResultJson(last);
    entry.status.mutable_last_result()->Swap(&last);
  }
  stored.entry = std::move(entry);
  return stored;
}

void StatusSnapshot::Stored::AppendJson(std::string* out) const {
  out->append(head);
  if (!result.empty()) {
    absl::StrAppend(out, head.size() > 1 ? "," : "", "\"lastResult\":", result);
  }
  out->push_back('}');
}

void StatusSnapshot::Replace(std::map<std::string, MonitorEntry> entries, absl::Time loaded_at,
                             bool labels_known) {
  std::map<std::string, Stored> fresh;
  for (auto& [id, entry] : entries) fresh.emplace(id, Render(std::move(entry)));
  absl::MutexLock lock(&mu_);
  for (auto& [id, stored] : fresh) {
    auto old = entries_.find(id);
    if (old == entries_.end()) continue;
    const v1::MonitorStatus& held = old->second.entry.status;
    if (SinceMicros(held) > SinceMicros(stored.entry.status)) {
      MonitorEntry merged = old->second.entry;
      merged.labels = stored.entry.labels;
      merged.status.set_monitor_name(stored.entry.status.monitor_name());
      stored = Render(std::move(merged));
    } else if (held.last_result().start_time_us() >
               stored.entry.status.last_result().start_time_us()) {
      // A streamed result newer than the load's (which may be seconds old).
      *stored.entry.status.mutable_last_result() = held.last_result();
      stored.result = old->second.result;
    }
  }
  entries_ = std::move(fresh);
  ++version_;
  loaded_ = true;
  labels_known_ = labels_known;
  updated_at_ = loaded_at;
}

std::map<std::string, std::string> StatusSnapshot::Apply(const v1::StateChange& change,
                                                         bool* unknown) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(change.monitor_id());
  *unknown = it == entries_.end();
  MonitorEntry entry;
  if (!*unknown) entry = it->second.entry;
  v1::MonitorStatus& s = entry.status;
  s.set_monitor_id(change.monitor_id());
  if (!change.monitor_name().empty()) s.set_monitor_name(change.monitor_name());
  s.set_state(change.to_state());
  *s.mutable_since() = change.time();
  if (change.to_state() == v1::STATE_DOWN && !change.incident_id().empty()) {
    s.set_open_incident_id(change.incident_id());
  } else if (change.to_state() == v1::STATE_UP) {
    s.clear_open_incident_id();
  }
  std::map<std::string, std::string> labels = entry.labels;
  entries_[change.monitor_id()] = Render(std::move(entry));
  ++version_;
  return labels;
}

std::map<std::string, std::string> StatusSnapshot::ApplyResult(const v1::CheckResult& result,
                                                               std::string result_json,
                                                               bool* known) {
  // In place: no copy of the entry, no status re-rendered, so the writer
  // lock is held for a compare and two assignments.
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(result.monitor_id());
  *known = it != entries_.end();
  if (!*known) return {};
  Stored& stored = it->second;
  v1::MonitorStatus& held = stored.entry.status;
  if (!held.has_last_result() || held.last_result().start_time_us() <= result.start_time_us()) {
    *held.mutable_last_result() = result;
    stored.result = std::move(result_json);
    ++version_;
  }
  return stored.entry.labels;
}

void StatusSnapshot::Touch(absl::Time t) {
  absl::MutexLock lock(&mu_);
  if (loaded_) updated_at_ = t;
}

bool StatusSnapshot::loaded() const {
  absl::ReaderMutexLock lock(&mu_);
  return loaded_;
}

bool StatusSnapshot::labels_known() const {
  absl::ReaderMutexLock lock(&mu_);
  return labels_known_;
}

absl::Time StatusSnapshot::updated_at() const {
  absl::ReaderMutexLock lock(&mu_);
  return updated_at_;
}

size_t StatusSnapshot::size() const {
  absl::ReaderMutexLock lock(&mu_);
  return entries_.size();
}

std::optional<std::string> StatusSnapshot::GetJson(const std::string& monitor_id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = entries_.find(monitor_id);
  if (it == entries_.end()) return std::nullopt;
  std::string json;
  it->second.AppendJson(&json);
  return json;
}

absl::StatusOr<std::string> StatusSnapshot::ListJson(const LabelSelector& selector,
                                                     const std::string& selector_text,
                                                     v1::State state, int page_size,
                                                     const std::string& page_token) const {
  absl::StatusOr<std::shared_ptr<const std::string>> json =
      ListJsonShared(selector, selector_text, state, page_size, page_token);
  if (!json.ok()) return json.status();
  return **json;
}

absl::StatusOr<std::shared_ptr<const std::string>> StatusSnapshot::ListJsonShared(
    const LabelSelector& selector, const std::string& selector_text, v1::State state,
    int page_size, const std::string& page_token) const {
  if (page_size == 0) page_size = 100;
  if (page_size < 1 || page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 1..1000, got ", page_size));
  }
  const std::string key = absl::StrCat("list\n", selector_text, "\n", static_cast<int>(state),
                                       "\n", page_size, "\n", page_token);
  absl::ReaderMutexLock lock(&mu_);
  if (std::shared_ptr<const std::string> hit = FindCached(key)) return hit;
  // Rendered outside the cache's lock: other answers are served meanwhile.
  // Two threads may render the same one; both answers are equal.
  auto json = std::make_shared<const std::string>(
      RenderList(selector, state, page_size, page_token));
  PutCached(key, json);
  return json;
}

std::shared_ptr<const std::string> StatusSnapshot::FindCached(const std::string& key) const {
  absl::MutexLock cache_lock(&cache_mu_);
  for (CachedAnswer& a : cache_) {
    if (a.key == key && a.version == version_) {
      a.used = ++cache_tick_;
      return a.json;
    }
  }
  return nullptr;
}

void StatusSnapshot::PutCached(const std::string& key,
                               std::shared_ptr<const std::string> json) const {
  absl::MutexLock cache_lock(&cache_mu_);
  CachedAnswer* slot = nullptr;
  for (CachedAnswer& a : cache_) {
    if (a.key == key) slot = &a;
  }
  if (slot == nullptr && cache_.size() < kMaxCachedAnswers) slot = &cache_.emplace_back();
  if (slot == nullptr) {
    // An answer of an older version first (it will never be served again),
    // else the least recently used.
    const uint64_t current = version_;
    slot = &*std::min_element(cache_.begin(), cache_.end(),
                              [current](const CachedAnswer& a, const CachedAnswer& b) {
                                return std::pair(a.version == current, a.used) <
                                       std::pair(b.version == current, b.used);
                              });
  }
  *slot = CachedAnswer{key, version_, ++cache_tick_, std::move(json)};
}

std::string StatusSnapshot::RenderList(const LabelSelector& selector, v1::State state,
                                       int page_size, const std::string& page_token) const {
  std::string out = "{\"statuses\":[";
  int count = 0;
  std::string last_id;
  bool more = false;
  for (auto it = entries_.upper_bound(page_token); it != entries_.end(); ++it) {
    const MonitorEntry& e = it->second.entry;
    if (state != v1::STATE_UNSPECIFIED && e.status.state() != state) continue;
    if (!selector.Matches(e.labels)) continue;
    if (count == page_size) {
      more = true;
      break;
    }
    if (count > 0) out += ",";
    it->second.AppendJson(&out);
    last_id = it->first;
    ++count;
  }
  out += "]";
  if (more) absl::StrAppend(&out, ",\"nextPageToken\":", JsonQuote(last_id));
  out += "}";
  return out;
}

std::string StatusSnapshot::SummaryJson(const LabelSelector& selector) const {
  absl::ReaderMutexLock lock(&mu_);
  return RenderSummary(selector);
}

std::shared_ptr<const std::string> StatusSnapshot::SummaryJsonShared(
    const LabelSelector& selector, const std::string& selector_text) const {
  const std::string key = absl::StrCat("summary\n", selector_text);
  absl::ReaderMutexLock lock(&mu_);
  if (std::shared_ptr<const std::string> hit = FindCached(key)) return hit;
  auto json = std::make_shared<const std::string>(RenderSummary(selector));
  PutCached(key, json);
  return json;
}

uint64_t StatusSnapshot::version() const {
  absl::ReaderMutexLock lock(&mu_);
  return version_;
}

std::string StatusSnapshot::RenderSummary(const LabelSelector& selector) const {
  std::map<int, int64_t> counts;
  int64_t total = 0;
  for (const auto& [id, stored] : entries_) {
    if (!selector.Matches(stored.entry.labels)) continue;
    ++counts[stored.entry.status.state()];
    ++total;
  }
  std::string out = absl::StrCat("{\"total\":", total, ",\"counts\":{");
  const google::protobuf::EnumDescriptor* states = v1::State_descriptor();
  bool first = true;
  for (int i = 0; i < states->value_count(); ++i) {
    const int number = states->value(i)->number();
    if (number == v1::STATE_UNSPECIFIED) continue;
    absl::StrAppend(&out, first ? "" : ",", "\"", states->value(i)->name(), "\":", counts[number]);
    first = false;
  }
  out += "}}";
  return out;
}

}  // namespace uptime::gateway
