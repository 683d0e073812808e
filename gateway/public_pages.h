// PublicPages: the gateway's copy of everything the public status pages
// show, kept fresh in the background so anonymous requests are answered from
// memory and never reach the coordinator.
//
// From the PageSource (the coordinator, with the gateway's read token):
//   - the pages (ListStatusPages) every `pages_interval`, on request (after a
//     write through the gateway) and after an upstream resync; the monitors
//     they show are the only public ones (ShownGroups);
//   - monitor names/targets/labels, incidents and maintenance windows every
//     `details_interval`, and soon after a public monitor goes down or up;
//   - each public monitor's uptime, cached for `uptime_ttl`, fetched by a
//     single thread in batches (PageSource::BatchGetUptime: a page of 500
//     monitors costs the coordinator one BatchGetUptime per TTL, answered
//     with ten store queries, rather than 500 GetUptime calls and 1,000
//     queries).
// Live states come from the StatusSnapshot (synced at every page refresh and
// resync) and from the Upstream's state changes (OnStateChange), which also
// feed one small EventHub per page for the page's SSE stream.
//
// Example:
//   PublicPages pages(options, &source, &snapshot, clock);
//   pages.Start();
//   if (std::optional<PageView> v = pages.View("acme")) ... RenderPublicPageJson(*v) ...
//
// Thread-safety: thread-safe. Start()/Stop() from one thread.
#ifndef UPTIME_GATEWAY_PUBLIC_PAGES_H_
#define UPTIME_GATEWAY_PUBLIC_PAGES_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/event_hub.h"
#include "gateway/page_source.h"
#include "gateway/public_page_view.h"
#include "gateway/status_snapshot.h"

namespace uptime::gateway {

struct PublicPagesOptions {
  absl::Duration pages_interval = absl::Seconds(10);
  absl::Duration details_interval = absl::Seconds(30);
  absl::Duration uptime_ttl = absl::Minutes(5);
  // Events kept per page for clients resuming with Last-Event-ID.
  size_t replay_capacity = 256;
};

class PublicPages {
 public:
  PublicPages(PublicPagesOptions options, PageSource* source, const StatusSnapshot* snapshot,
              Clock* clock);
  ~PublicPages();

  // Starts the refresh threads (the first refresh runs at once).
  void Start();
  void Stop();

  // One refresh of each kind; the threads call these, and so may tests.
  absl::Status RefreshPages();
  absl::Status RefreshDetails();
  // Fetches the uptime of up to `max` public monitors whose cached uptime is
  // missing or older than the TTL (missing first), with one
  // PageSource::BatchGetUptime. Returns how many it tried.
  size_t RefreshUptime(size_t max);

  // Refresh the pages soon (coalesced; from any thread).
  void RequestRefresh() const;

  // Upstream hooks. OnStateChange runs on the upstream's watch thread after
  // the snapshot applied `change`; OnResync after the snapshot was reloaded
  // (or found to have missed events): clients of every page must refetch.
  void OnStateChange(const v1::StateChange& change);
  void OnResync();

  bool HasPage(const std::string& slug) const;
  // Everything `slug`'s page shows as of now; nullopt for an unknown slug.
  std::optional<PageView> View(const std::string& slug) const;

  // The overall state of `slug`'s page (see OverallState), or nullopt.
  std::optional<std::string> Overall(const std::string& slug) const;

  // A public monitor's live state and cached uptime (null while unknown);
  // nullopt when no page shows it (or it does not exist).
  struct MonitorData {
    LiveState live;
    std::shared_ptr<const v1::GetUptimeResponse> uptime;
  };
  std::optional<MonitorData> Monitor(const std::string& monitor_id) const;

  // The event stream of `slug`'s page, or null for an unknown slug.
  std::shared_ptr<EventHub> Events(const std::string& slug) const;

  // Bumped by every change of what any page shows: keys render caches.
  uint64_t version() const;

 private:
  struct Page {
    std::shared_ptr<const v1::StatusPage> page;
    std::string serialized;  // to notice definition changes
    std::vector<ShownGroup> groups;
    std::set<std::string> monitor_ids;
    std::shared_ptr<EventHub> hub;
  };
  struct CachedUptime {
    std::shared_ptr<const v1::GetUptimeResponse> uptime;
    absl::Time fetched_at;
    absl::Time changed_at;
  };

  // Copies the snapshot's state of every public monitor into live_, unless
  // live_ already holds a newer one (from a state change).
  void SyncLiveFromSnapshot();
  std::string OverallLocked(const Page& page) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void RefreshLoop();
  void UptimeLoop();
  // Waits up to `d` or until stopping (or `wake` is set); false when stopping.
  bool Wait(absl::Duration d, const bool* wake) ABSL_EXCLUSIVE_LOCKS_REQUIRED(thread_mu_);

  const PublicPagesOptions options_;
  PageSource* const source_;
  const StatusSnapshot* const snapshot_;
  Clock* const clock_;

  mutable absl::Mutex mu_;
  std::map<std::string, Page> pages_ ABSL_GUARDED_BY(mu_);  // by slug
  std::map<std::string, std::vector<std::string>> monitor_pages_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, LiveState> live_ ABSL_GUARDED_BY(mu_);  // public monitors only
  std::map<std::string, MonitorInfo> info_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, CachedUptime> uptime_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::Incident> incidents_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::MaintenanceWindow> windows_ ABSL_GUARDED_BY(mu_);
  absl::Time details_changed_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 1;

  mutable absl::Mutex thread_mu_;
  bool stopping_ ABSL_GUARDED_BY(thread_mu_) = false;
  mutable bool pages_requested_ ABSL_GUARDED_BY(thread_mu_) = false;
  bool details_requested_ ABSL_GUARDED_BY(thread_mu_) = false;
  std::thread refresh_thread_;
  std::thread uptime_thread_;
};

}  // namespace uptime::gateway

#endif  // UPTIME_GATEWAY_PUBLIC_PAGES_H_
