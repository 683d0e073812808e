// StatusSnapshot: every monitor's live status in memory, so status reads
// answer without a network round trip. Each entry keeps its protobuf JSON
// rendered once per change, so a read copies a string instead of printing
// a message.
//
// Fed by the Upstream: Replace() with a full load (at start, on reconnect,
// periodically), Apply() with each state change between loads, and
// ApplyResult() with each check result while results are streamed. A load
// that raced with newer state changes keeps the newer state (by `since`),
// and a newer last result (by start time).
//
// Thread-safety: thread-safe; reads share a reader lock.
#ifndef UPTIME_GATEWAY_STATUS_SNAPSHOT_H_
#define UPTIME_GATEWAY_STATUS_SNAPSHOT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/labels.h"
#include "uptime/v1/status.pb.h"

namespace uptime::gateway {

struct MonitorEntry {
  v1::MonitorStatus status;
  std::map<std::string, std::string> labels;
};

class StatusSnapshot {
 public:
  // Replaces everything with `entries` (keyed by monitor id), loaded at
  // `loaded_at`. Entries whose current `since` is newer than the loaded one
  // keep their state: a state change seen during the load is not undone.
  // `labels_known` false: the entries come without labels (the Redis
  // fallback), so label selectors cannot be answered until the next load.
  void Replace(std::map<std::string, MonitorEntry> entries, absl::Time loaded_at,
               bool labels_known = true);

  // Applies a state change. Returns the monitor's labels (empty for a
  // monitor the snapshot does not know yet: it is added and the next load
  // fills in its labels; `*unknown` is then set).
  std::map<std::string, std::string> Apply(const v1::StateChange& change, bool* unknown);

  // Makes `result` its monitor's last result unless the one held started
  // later (results from several locations interleave); `result_json` is
  // its JSON (CheckResultJson), rendered by the caller, who needs it too.
  // Returns the monitor's labels; for a monitor the snapshot does not
  // hold, changes nothing and sets `*known` to false (the next load brings
  // it).
  std::map<std::string, std::string> ApplyResult(const v1::CheckResult& result,
                                                 std::string result_json, bool* known);

  // Records that the snapshot was confirmed current at `t` (the event
  // stream is up), for the age metric.
  void Touch(absl::Time t);

  bool loaded() const;
  // False while the snapshot came from a load without labels.
  bool labels_known() const;
  // Time of the last load or confirmation; InfinitePast before the first.
  absl::Time updated_at() const;
  size_t size() const;

  // The JSON of one status, or nullopt.
  std::optional<std::string> GetJson(const std::string& monitor_id) const;

  // The JSON of a ListStatusesResponse: statuses matching `selector` and
  // `state` (STATE_UNSPECIFIED: any) ordered by id, after `page_token` (the
  // last id of the previous page), at most `page_size` (1..1000; 0 means
  // 100). INVALID_ARGUMENT naming the field for a bad size.
  // `selector_text` (the selector as given) keys a small cache of rendered
  // pages, valid until the snapshot changes: dashboards ask for the same
  // 1,000-status page over and over, and rendering it costs far more than
  // serving it.
  absl::StatusOr<std::string> ListJson(const LabelSelector& selector,
                                       const std::string& selector_text, v1::State state,
                                       int page_size, const std::string& page_token) const;
  // The same, shared with the cache: no copy of the (up to ~130 KB) page
  // per request. The string is never modified once returned.
  absl::StatusOr<std::shared_ptr<const std::string>> ListJsonShared(
      const LabelSelector& selector, const std::string& selector_text, v1::State state,
      int page_size, const std::string& page_token) const;

  // {"total": N, "counts": {"STATE_UP": n, ...}} for matching monitors;
  // every state is listed, zeros included, so dashboards need no defaults.
  std::string SummaryJson(const LabelSelector& selector) const;
  // The same from the cache of rendered answers (keyed by `selector_text`,
  // the selector as given), shared and never modified.
  std::shared_ptr<const std::string> SummaryJsonShared(const LabelSelector& selector,
                                                       const std::string& selector_text) const;

  // Counts changes: an answer rendered at one version is the answer until
  // the next. For tests and the cache.
  uint64_t version() const;

 private:
  // The JSON is kept in two parts so that a result (many a second) replaces
  // only its own: the status without its last result, open at the end
  // (no closing brace), and the last result's JSON (empty: none).
  struct Stored {
    MonitorEntry entry;
    std::string head;
    std::string result;
    void AppendJson(std::string* out) const;
  };
  static Stored Render(MonitorEntry entry);

  std::string RenderList(const LabelSelector& selector, v1::State state, int page_size,
                         const std::string& page_token) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  std::string RenderSummary(const LabelSelector& selector) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The answer cached under `key` at the current version, or null.
  std::shared_ptr<const std::string> FindCached(const std::string& key) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Caches `json` under `key` at the current version.
  void PutCached(const std::string& key, std::shared_ptr<const std::string> json) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Stored> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by every change
  // Rendered answers (list pages, summaries): a few, the least recently
  // used replaced first, since selectors and page tokens are caller-chosen.
  // Dashboards ask for the same few over and over.
  static constexpr size_t kMaxCachedAnswers = 16;
  struct CachedAnswer {
    std::string key;
    uint64_t version = 0;
    uint64_t used = 0;
    std::shared_ptr<const std::string> json;
  };
  mutable absl::Mutex cache_mu_;  // after mu_ when both are held
  mutable std::vector<CachedAnswer> cache_ ABSL_GUARDED_BY(cache_mu_);
  mutable uint64_t cache_tick_ ABSL_GUARDED_BY(cache_mu_) = 0;
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  bool labels_known_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time updated_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_STATUS_SNAPSHOT_H_
