#include "gateway/page_source.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "google/protobuf/util/time_util.h"

namespace uptime::gateway {

namespace {

// Bounds every listing: a coordinator that keeps handing out tokens cannot
// make a refresh run forever or fill memory.
constexpr int kMaxListPages = 100;

// Calls `call(request, &response)` for each page of 1,000, handing every page
// to `each`; `each` returns false to stop early.
template <typename Response, typename Request, typename Call, typename Each>
absl::Status ForEachPage(Request req, Call call, Each each) {
  req.set_page_size(1000);
  for (int pages = 0; pages < kMaxListPages; ++pages) {
    Response page;
    RETURN_IF_ERROR(call(req, &page));
    if (!each(page)) break;
    if (page.next_page_token().empty() || page.next_page_token() == req.page_token()) break;
    req.set_page_token(page.next_page_token());
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<absl::StatusOr<v1::GetUptimeResponse>> PageSource::BatchGetUptime(
    const std::vector<std::string>& monitor_ids) {
  std::vector<absl::StatusOr<v1::GetUptimeResponse>> out;
  out.reserve(monitor_ids.size());
  for (const std::string& id : monitor_ids) out.push_back(GetUptime(id));
  return out;
}

CoordinatorPageSource::CoordinatorPageSource(const std::shared_ptr<grpc::ChannelInterface>& channel,
                                             std::string token, absl::Duration rpc_timeout)
    : token_(std::move(token)),
      rpc_timeout_(rpc_timeout),
      pages_(v1::StatusPageService::NewStub(channel)),
      monitors_(v1::MonitorService::NewStub(channel)),
      statuses_(v1::StatusService::NewStub(channel)),
      maintenance_(v1::MaintenanceService::NewStub(channel)) {}

std::unique_ptr<grpc::ClientContext> CoordinatorPageSource::MakeContext() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  AttachToken(ctx.get(), token_);
  // Wall-clock glue for gRPC's deadline, not logic.
  ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(rpc_timeout_));
  return ctx;
}

absl::StatusOr<std::vector<v1::StatusPage>> CoordinatorPageSource::ListStatusPages() {
  std::vector<v1::StatusPage> out;
  RETURN_IF_ERROR(ForEachPage<v1::ListStatusPagesResponse>(
      v1::ListStatusPagesRequest(),
      [this](const v1::ListStatusPagesRequest& req, v1::ListStatusPagesResponse* resp) {
        return FromGrpcStatus(pages_->ListStatusPages(MakeContext().get(), req, resp));
      },
      [&out](v1::ListStatusPagesResponse& page) {
        for (v1::StatusPage& p : *page.mutable_status_pages()) out.push_back(std::move(p));
        return true;
      }));
  return out;
}

absl::StatusOr<std::vector<v1::Monitor>> CoordinatorPageSource::ListMonitors() {
  std::vector<v1::Monitor> out;
  RETURN_IF_ERROR(ForEachPage<v1::ListMonitorsResponse>(
      v1::ListMonitorsRequest(),
      [this](const v1::ListMonitorsRequest& req, v1::ListMonitorsResponse* resp) {
        return FromGrpcStatus(monitors_->ListMonitors(MakeContext().get(), req, resp));
      },
      [&out](v1::ListMonitorsResponse& page) {
        for (v1::Monitor& m : *page.mutable_monitors()) out.push_back(std::move(m));
        return true;
      }));
  return out;
}

absl::StatusOr<std::vector<v1::Incident>> CoordinatorPageSource::ListIncidents(absl::Time since) {
  std::vector<v1::Incident> out;
  auto call = [this](const v1::ListIncidentsRequest& req, v1::ListIncidentsResponse* resp) {
    return FromGrpcStatus(statuses_->ListIncidents(MakeContext().get(), req, resp));
  };
  v1::ListIncidentsRequest open;
  open.set_open_only(true);
  RETURN_IF_ERROR(ForEachPage<v1::ListIncidentsResponse>(
      open, call, [&out](v1::ListIncidentsResponse& page) {
        for (v1::Incident& i : *page.mutable_incidents()) out.push_back(std::move(i));
        return true;
      }));
  // Newest first: stop at the first page that reaches back past `since`.
  RETURN_IF_ERROR(ForEachPage<v1::ListIncidentsResponse>(
      v1::ListIncidentsRequest(), call, [&out, since](v1::ListIncidentsResponse& page) {
        bool more = true;
        for (v1::Incident& i : *page.mutable_incidents()) {
          if (!i.has_resolved()) continue;  // listed above
          if (absl::FromUnixSeconds(i.started().seconds()) < since) {
            more = false;
            continue;
          }
          out.push_back(std::move(i));
        }
        return more;
      }));
  return out;
}

absl::StatusOr<std::vector<v1::MaintenanceWindow>> CoordinatorPageSource::ListMaintenanceWindows() {
  std::vector<v1::MaintenanceWindow> out;
  RETURN_IF_ERROR(ForEachPage<v1::ListMaintenanceWindowsResponse>(
      v1::ListMaintenanceWindowsRequest(),
      [this](const v1::ListMaintenanceWindowsRequest& req,
             v1::ListMaintenanceWindowsResponse* resp) {
        return FromGrpcStatus(maintenance_->ListMaintenanceWindows(MakeContext().get(), req, resp));
      },
      [&out](v1::ListMaintenanceWindowsResponse& page) {
        for (v1::MaintenanceWindow& w : *page.mutable_windows()) out.push_back(std::move(w));
        return true;
      }));
  return out;
}

absl::StatusOr<v1::GetUptimeResponse> CoordinatorPageSource::GetUptime(
    const std::string& monitor_id) {
  v1::GetUptimeRequest req;
  req.set_monitor_id(monitor_id);
  v1::GetUptimeResponse resp;
  RETURN_IF_ERROR(FromGrpcStatus(statuses_->GetUptime(MakeContext().get(), req, &resp)));
  return resp;
}

std::vector<absl::StatusOr<v1::GetUptimeResponse>> CoordinatorPageSource::BatchGetUptime(
    const std::vector<std::string>& monitor_ids) {
  std::vector<absl::StatusOr<v1::GetUptimeResponse>> out;
  out.reserve(monitor_ids.size());
  const absl::Span<const std::string> all(monitor_ids);
  for (size_t from = 0; from < all.size(); from += kUptimeBatchSize) {
    FetchUptimes(all.subspan(from, kUptimeBatchSize), &out);
  }
  return out;
}

void CoordinatorPageSource::FetchUptimes(absl::Span<const std::string> ids,
                                         std::vector<absl::StatusOr<v1::GetUptimeResponse>>* out) {
  v1::BatchGetUptimeRequest req;
  for (const std::string& id : ids) req.add_monitor_ids(id);
  v1::BatchGetUptimeResponse resp;
  absl::Status s = FromGrpcStatus(statuses_->BatchGetUptime(MakeContext().get(), req, &resp));
  if (s.ok() && resp.uptimes_size() != req.monitor_ids_size()) {
    s = absl::InternalError(absl::StrCat("BatchGetUptime answered ", resp.uptimes_size(),
                                         " uptimes for ", req.monitor_ids_size(), " ids"));
  }
  if (s.ok()) {
    for (v1::GetUptimeResponse& u : *resp.mutable_uptimes()) out->push_back(std::move(u));
  } else if (absl::IsNotFound(s) && ids.size() > 1) {
    // The call is atomic and some id is gone (deleted after the page was
    // listed): halve until the missing ones stand alone, so the others keep
    // their bars at a cost of a few calls per missing id, not one per monitor.
    const size_t half = ids.size() / 2;
    FetchUptimes(ids.subspan(0, half), out);
    FetchUptimes(ids.subspan(half), out);
  } else if (absl::IsUnimplemented(s)) {
    // A coordinator older than BatchGetUptime (during an upgrade).
    for (const std::string& id : ids) out->push_back(GetUptime(id));
  } else {
    for (size_t i = 0; i < ids.size(); ++i) out->push_back(s);
  }
}

}  // namespace uptime::gateway
