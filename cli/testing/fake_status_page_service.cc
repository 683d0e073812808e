// FakeCoordinator's StatusPageService, and the test setters and
// recordings it serves.
#include "cli/testing/fake_coordinator.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "cli/testing/fake_service_responses.h"
#include "google/protobuf/util/field_mask_util.h"

namespace uptime::cli {

using fake_service_responses::Page;

// Enough of the real service for the CLI: slugs unique and required, lookup
// by id or slug, field-mask updates. resolved_monitor_ids are the configured
// ids (the fake does not evaluate selectors).
class FakeCoordinator::StatusPages final : public v1::StatusPageService::Service {
 public:
  explicit StatusPages(FakeCoordinator& fake) : f_(fake) {}

  grpc::Status CreateStatusPage(grpc::ServerContext* ctx, const v1::CreateStatusPageRequest* req,
                                v1::StatusPage* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.created_status_page_ = req->status_page();
    v1::StatusPage page = req->status_page();
    page.set_id(absl::StrFormat("sp-%016x", f_.next_id_++));
    page.mutable_create_time()->set_seconds(1'700'000'000);
    if (grpc::Status s = Store(page, ""); !s.ok()) return s;
    *resp = std::move(page);
    return grpc::Status::OK;
  }

  grpc::Status GetStatusPage(grpc::ServerContext* ctx, const v1::GetStatusPageRequest* req,
                             v1::StatusPage* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    if (req->id().empty() == req->slug().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "give exactly one of id and slug");
    }
    auto it = req->id().empty() ? f_.status_pages_.find(req->slug()) : FindById(req->id());
    if (it == f_.status_pages_.end()) return PageNotFound(req->id() + req->slug());
    *resp = it->second;
    return grpc::Status::OK;
  }

  grpc::Status ListStatusPages(grpc::ServerContext* ctx, const v1::ListStatusPagesRequest* req,
                               v1::ListStatusPagesResponse* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    resp->set_next_page_token(
        Page(f_.status_pages_, req->page_token(), req->page_size(), f_.max_page_size_,
             [&](const v1::StatusPage& p) { *resp->add_status_pages() = p; }));
    return grpc::Status::OK;
  }

  grpc::Status UpdateStatusPage(grpc::ServerContext* ctx, const v1::UpdateStatusPageRequest* req,
                                v1::StatusPage* resp) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    f_.last_update_status_page_ = *req;
    auto it = FindById(req->status_page().id());
    if (it == f_.status_pages_.end()) return PageNotFound(req->status_page().id());
    v1::StatusPage page = it->second;
    if (req->update_mask().paths().empty()) {
      v1::StatusPage replacement = req->status_page();
      *replacement.mutable_create_time() = page.create_time();
      page = std::move(replacement);
    } else {
      google::protobuf::util::FieldMaskUtil::MergeOptions options;
      options.set_replace_message_fields(true);
      options.set_replace_repeated_fields(true);
      google::protobuf::util::FieldMaskUtil::MergeMessageTo(req->status_page(),
                                                            req->update_mask(), options, &page);
    }
    if (grpc::Status s = Store(page, it->first); !s.ok()) return s;
    *resp = std::move(page);
    return grpc::Status::OK;
  }

  grpc::Status DeleteStatusPage(grpc::ServerContext* ctx, const v1::DeleteStatusPageRequest* req,
                                google::protobuf::Empty*) override {
    if (grpc::Status s = f_.Begin(*ctx); !s.ok()) return s;
    absl::MutexLock lock(&f_.mu_);
    auto it = FindById(req->id());
    if (it == f_.status_pages_.end()) return PageNotFound(req->id());
    f_.status_pages_.erase(it);
    return grpc::Status::OK;
  }

 private:
  using PageMap = std::map<std::string, v1::StatusPage>;

  static grpc::Status PageNotFound(const std::string& name) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("status page '", name, "' not found"));
  }

  PageMap::iterator FindById(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(f_.mu_) {
    return std::find_if(f_.status_pages_.begin(), f_.status_pages_.end(),
                        [&](const auto& entry) { return entry.second.id() == id; });
  }

  // Validates and stores `page`, which was filed under `old_slug` ("" for a
  // new page); fills in the output-only fields.
  grpc::Status Store(v1::StatusPage& page, const std::string& old_slug)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(f_.mu_) {
    if (page.slug().empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "status_page.slug: required");
    }
    if (page.slug() != old_slug && f_.status_pages_.count(page.slug()) > 0) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          absl::StrCat("status_page.slug: '", page.slug(), "' is taken"));
    }
    for (v1::StatusPageGroup& g : *page.mutable_groups()) {
      *g.mutable_resolved_monitor_ids() = g.monitor_ids();
    }
    page.mutable_update_time()->set_seconds(1'700'000'000);
    if (!old_slug.empty()) f_.status_pages_.erase(old_slug);
    f_.status_pages_[page.slug()] = page;
    return grpc::Status::OK;
  }

  FakeCoordinator& f_;
};

void FakeCoordinator::AddStatusPage(v1::StatusPage page) {
  absl::MutexLock lock(&mu_);
  status_pages_[page.slug()] = std::move(page);
}

std::optional<v1::StatusPage> FakeCoordinator::CreatedStatusPage() {
  absl::MutexLock lock(&mu_);
  return created_status_page_;
}

std::optional<v1::UpdateStatusPageRequest> FakeCoordinator::LastUpdateStatusPage() {
  absl::MutexLock lock(&mu_);
  return last_update_status_page_;
}

std::optional<v1::StatusPage> FakeCoordinator::FindStatusPage(const std::string& id) {
  absl::MutexLock lock(&mu_);
  for (const auto& [slug, page] : status_pages_) {
    if (page.id() == id) return page;
  }
  return std::nullopt;
}

std::unique_ptr<grpc::Service> FakeCoordinator::NewStatusPageService(FakeCoordinator& fake) {
  return std::make_unique<StatusPages>(fake);
}

}  // namespace uptime::cli
