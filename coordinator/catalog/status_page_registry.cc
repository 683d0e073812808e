#include "coordinator/catalog/status_page_registry.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/field_error.h"
#include "common/labels.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/catalog/audit_record.h"
#include "google/protobuf/util/field_mask_util.h"

namespace uptime::coordinator {
namespace {

// The paths UpdateStatusPage accepts: every field a client may set.
constexpr absl::string_view kWritableFields[] = {
    "slug",         "title",        "description",          "logo_url",            "homepage_url",
    "groups",       "show_targets", "show_incident_causes", "hide_response_times", "announcement",
    "labels"};

// Output-only fields are the server's; clients may send back what they read.
void ClearOutputOnly(v1::StatusPage& page) {
  for (v1::StatusPageGroup& g : *page.mutable_groups()) g.clear_resolved_monitor_ids();
}

absl::Status PageNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("status page '", id.substr(0, 64), "' not found"));
}

// The catalog as one call sees it: every monitor ordered by (name, id),
// read at most once per call and only if some group has a selector.
class CatalogView {
 public:
  explicit CatalogView(const Catalog& catalog) : catalog_(catalog) {}

  bool Exists(const std::string& id) const { return catalog_.Get(id).ok(); }

  const std::vector<MonitorPtr>& ByName() {
    if (loaded_) return by_name_;
    loaded_ = true;
    std::string token;
    do {
      absl::StatusOr<MonitorPage> page = catalog_.List(LabelSelector(), 1000, token);
      if (!page.ok()) break;  // cannot happen with our own tokens
      by_name_.insert(by_name_.end(), page->monitors.begin(), page->monitors.end());
      token = page->next_page_token;
    } while (!token.empty());
    std::sort(by_name_.begin(), by_name_.end(), [](const MonitorPtr& a, const MonitorPtr& b) {
      return std::tie(a->name(), a->id()) < std::tie(b->name(), b->id());
    });
    return by_name_;
  }

 private:
  const Catalog& catalog_;
  bool loaded_ = false;
  std::vector<MonitorPtr> by_name_;
};

void ResolveGroup(v1::StatusPageGroup& g, CatalogView& view) {
  g.clear_resolved_monitor_ids();
  absl::flat_hash_set<std::string> shown;
  for (const std::string& id : g.monitor_ids()) {
    if (g.resolved_monitor_ids_size() >= kMaxResolvedMonitorsPerGroup) return;
    if (view.Exists(id) && shown.insert(id).second) g.add_resolved_monitor_ids(id);
  }
  if (g.label_selector().empty()) return;
  absl::StatusOr<LabelSelector> selector = LabelSelector::Parse("", g.label_selector());
  if (!selector.ok()) return;  // stored by another build: the listed ids only
  for (const MonitorPtr& m : view.ByName()) {
    if (g.resolved_monitor_ids_size() >= kMaxResolvedMonitorsPerGroup) return;
    if (selector->Matches(m->labels()) && !shown.contains(m->id())) {
      g.add_resolved_monitor_ids(m->id());
    }
  }
}

}  // namespace

StatusPageRegistry::StatusPageRegistry(Clock* clock, store::StatusPageStore* store,
                                       const Catalog* catalog)
    : clock_(clock), store_(store), catalog_(catalog) {}

absl::Status StatusPageRegistry::Load() {
  absl::StatusOr<std::vector<v1::StatusPage>> loaded = store_->LoadPages();
  if (!loaded.ok()) return loaded.status();
  absl::MutexLock lock(&mu_);
  by_slug_.clear();
  slug_by_id_.clear();
  for (v1::StatusPage& page : *loaded) {
    slug_by_id_[page.id()] = page.slug();
    const std::string slug = page.slug();
    by_slug_[slug] = std::move(page);
  }
  return absl::OkStatus();
}

absl::Status StatusPageRegistry::ValidateLocked(const v1::StatusPage& page,
                                                const v1::StatusPage* current) const {
  // Ids the page showed before this update are accepted even when their
  // monitors were deleted since.
  absl::flat_hash_set<std::string> kept;
  if (current != nullptr) {
    for (const v1::StatusPageGroup& g : current->groups()) {
      kept.insert(g.monitor_ids().begin(), g.monitor_ids().end());
    }
  }
  RETURN_IF_ERROR(ValidateStatusPage(page, [&](const std::string& id) {
    return kept.contains(id) || catalog_->Get(id).ok();
  }));
  // Last: a page that is wrong anyway should say what is wrong with it.
  if (auto it = by_slug_.find(page.slug()); it != by_slug_.end() && it->second.id() != page.id()) {
    return absl::AlreadyExistsError(
        absl::StrCat("status_page.slug: '", page.slug(), "' is taken"));
  }
  return absl::OkStatus();
}

void StatusPageRegistry::Resolve(std::vector<v1::StatusPage>& pages) const {
  CatalogView view(*catalog_);
  for (v1::StatusPage& page : pages) {
    for (v1::StatusPageGroup& g : *page.mutable_groups()) ResolveGroup(g, view);
  }
}

v1::StatusPage StatusPageRegistry::Resolved(v1::StatusPage page) const {
  CatalogView view(*catalog_);
  for (v1::StatusPageGroup& g : *page.mutable_groups()) ResolveGroup(g, view);
  return page;
}

absl::StatusOr<v1::StatusPage> StatusPageRegistry::Create(v1::StatusPage page,
                                                          const v1::AuditEvent& who) {
  page.clear_id();
  page.clear_create_time();
  page.clear_update_time();
  ClearOutputOnly(page);
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(ValidateLocked(page, /*current=*/nullptr));
    std::string id;
    do {
      id = NewId("sp");
    } while (slug_by_id_.contains(id));
    page.set_id(id);
    const absl::Time now = clock_->Now();
    ToProto(now, page.mutable_create_time());
    ToProto(now, page.mutable_update_time());
    v1::AuditEvent audit = AuditRecord(who, "status_page.create", "status_page", id);
    audit.set_after_json(AuditJson(page));
    RETURN_IF_ERROR(store_->InsertPage(page, audit));
    slug_by_id_[id] = page.slug();
    by_slug_[page.slug()] = page;
  }
  return Resolved(std::move(page));
}

absl::StatusOr<v1::StatusPage> StatusPageRegistry::Get(const std::string& id) const {
  v1::StatusPage page;
  {
    absl::MutexLock lock(&mu_);
    auto it = slug_by_id_.find(id);
    if (it == slug_by_id_.end()) return PageNotFound(id);
    page = by_slug_.at(it->second);
  }
  return Resolved(std::move(page));
}

absl::StatusOr<v1::StatusPage> StatusPageRegistry::GetBySlug(const std::string& slug) const {
  v1::StatusPage page;
  {
    absl::MutexLock lock(&mu_);
    auto it = by_slug_.find(slug);
    if (it == by_slug_.end()) {
      return absl::NotFoundError(
          absl::StrCat("status page with slug '", slug.substr(0, 64), "' not found"));
    }
    page = it->second;
  }
  return Resolved(std::move(page));
}

absl::StatusOr<StatusPageList> StatusPageRegistry::List(const LabelSelector& selector,
                                                        int page_size,
                                                        const std::string& page_token) const {
  ASSIGN_OR_RETURN(const std::string after, DecodePageToken(page_token));
  StatusPageList list;
  {
    absl::MutexLock lock(&mu_);
    auto it = after.empty() ? by_slug_.begin() : by_slug_.upper_bound(after);
    for (; it != by_slug_.end(); ++it) {
      if (!selector.Matches(it->second.labels())) continue;
      if (static_cast<int>(list.pages.size()) == page_size) {
        list.next_page_token = EncodePageToken(list.pages.back().slug());
        break;
      }
      list.pages.push_back(it->second);
    }
  }
  Resolve(list.pages);
  return list;
}

absl::StatusOr<v1::StatusPage> StatusPageRegistry::Update(
    const v1::StatusPage& update, const google::protobuf::FieldMask& mask,
    const v1::AuditEvent& who) {
  using google::protobuf::util::FieldMaskUtil;
  if (update.id().empty()) return InvalidField("status_page.id", "is required");
  for (const std::string& path : mask.paths()) {
    if (std::find(std::begin(kWritableFields), std::end(kWritableFields), path) ==
        std::end(kWritableFields)) {
      return InvalidField("update_mask",
                     absl::StrCat("'", path.substr(0, 64), "' is not a writable field (one of ",
                                  absl::StrJoin(kWritableFields, ", "), ")"));
    }
  }
  v1::StatusPage updated;
  {
    absl::MutexLock lock(&mu_);
    auto id_it = slug_by_id_.find(update.id());
    if (id_it == slug_by_id_.end()) return PageNotFound(update.id());
    const std::string old_slug = id_it->second;
    const v1::StatusPage& current = by_slug_.at(old_slug);
    if (mask.paths_size() == 0) {
      updated = update;
      updated.set_id(current.id());
      *updated.mutable_create_time() = current.create_time();
    } else {
      updated = current;
      FieldMaskUtil::MergeOptions options;
      options.set_replace_message_fields(true);
      options.set_replace_repeated_fields(true);
      FieldMaskUtil::MergeMessageTo(update, mask, options, &updated);
    }
    ClearOutputOnly(updated);
    RETURN_IF_ERROR(ValidateLocked(updated, &current));
    ToProto(clock_->Now(), updated.mutable_update_time());
    v1::AuditEvent audit = AuditRecord(who, "status_page.update", "status_page", updated.id());
    audit.set_before_json(AuditJson(current));
    audit.set_after_json(AuditJson(updated));
    RETURN_IF_ERROR(store_->UpdatePage(updated, audit));
    by_slug_.erase(old_slug);  // `current` dangles from here on
    id_it->second = updated.slug();
    by_slug_[updated.slug()] = updated;
  }
  return Resolved(std::move(updated));
}

absl::Status StatusPageRegistry::Delete(const std::string& id, const v1::AuditEvent& who) {
  absl::MutexLock lock(&mu_);
  auto it = slug_by_id_.find(id);
  if (it == slug_by_id_.end()) return PageNotFound(id);
  // NOT_FOUND from the store: already gone there; drop it here too.
  v1::AuditEvent audit = AuditRecord(who, "status_page.delete", "status_page", id);
  audit.set_before_json(AuditJson(by_slug_.at(it->second)));
  if (absl::Status s = store_->DeletePage(id, audit); !s.ok() && !absl::IsNotFound(s)) return s;
  by_slug_.erase(it->second);
  slug_by_id_.erase(it);
  return absl::OkStatus();
}

size_t StatusPageRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return slug_by_id_.size();
}

}  // namespace uptime::coordinator
