#include "gateway/public_page_view.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/labels.h"
#include "common/proto_time.h"
#include "gateway/request_mapping.h"

namespace uptime::gateway {

namespace {

// A JSON number with at most `decimals` decimals and no trailing zeros, so
// equal data renders to equal bytes (and equal ETags).
std::string JsonNumber(double v, int decimals) {
  if (!std::isfinite(v)) return "0";
  std::string s = absl::StrFormat("%.*f", decimals, v);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string Field(absl::string_view name, absl::string_view json_value) {
  return absl::StrCat(JsonQuote(name), ":", json_value);
}

const char* LevelName(v1::AnnouncementLevel level) {
  switch (level) {
    case v1::ANNOUNCEMENT_LEVEL_WARNING: return "warning";
    case v1::ANNOUNCEMENT_LEVEL_CRITICAL: return "critical";
    default: return "info";
  }
}

// The occurrence a window is or will next be in effect, as [start, end).
std::pair<absl::Time, absl::Time> WindowSpan(const v1::MaintenanceWindow& w) {
  if (w.has_next_occurrence()) {
    return {FromProto(w.next_occurrence().start_time()),
            FromProto(w.next_occurrence().end_time())};
  }
  return {FromProto(w.start_time()), FromProto(w.end_time())};
}

std::string MonitorName(const PageView& view, const std::string& id) {
  if (auto it = view.info.find(id); it != view.info.end() && !it->second.name.empty()) {
    return it->second.name;
  }
  if (auto it = view.live.find(id); it != view.live.end()) return it->second.name;
  return id;
}

std::string UptimeJson(const v1::GetUptimeResponse& uptime) {
  std::vector<std::string> windows;
  for (const v1::UptimeWindow& w : uptime.windows()) {
    // A window without checks says nothing yet: omitted, as the contract
    // omits unknown uptimes.
    if (w.checks() <= 0) continue;
    if (w.window() != "24h" && w.window() != "7d" && w.window() != "30d" && w.window() != "90d") {
      continue;
    }
    windows.push_back(Field(w.window(), JsonNumber(w.uptime_percent(), 3)));
  }
  if (windows.empty()) return "";
  return absl::StrCat("{", absl::StrJoin(windows, ","), "}");
}

std::string DaysJson(const v1::GetUptimeResponse& uptime) {
  std::vector<std::string> days;
  for (const v1::DailyBar& d : uptime.daily_bars()) {
    days.push_back(absl::StrCat(
        "{", Field("day", JsonQuote(absl::FormatTime("%Y-%m-%d", FromProto(d.day()),
                                                     absl::UTCTimeZone()))),
        ",", Field("checks", absl::StrCat(d.checks())), ",",
        Field("failures", absl::StrCat(d.failures())), ",",
        Field("uptimePercent", JsonNumber(d.checks() > 0 ? d.uptime_percent() : 100.0, 3)), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(days, ","), "]");
}

}  // namespace

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string PublicStateName(v1::State state) {
  switch (state) {
    case v1::STATE_UP: return "up";
    case v1::STATE_DOWN: return "down";
    case v1::STATE_PAUSED: return "paused";
    case v1::STATE_MAINTENANCE: return "maintenance";
    default: return "pending";
  }
}

std::string OverallState(const std::vector<v1::State>& states) {
  size_t counted = 0, down = 0, maintenance = 0;
  for (v1::State s : states) {
    if (s == v1::STATE_PAUSED) continue;
    ++counted;
    if (s == v1::STATE_DOWN) ++down;
    if (s == v1::STATE_MAINTENANCE) ++maintenance;
  }
  if (down > 0) return down == counted ? "outage" : "degraded";
  if (maintenance > 0) return "maintenance";
  return "operational";
}

std::string MonitorTarget(const v1::Monitor& m) {
  switch (m.spec_case()) {
    case v1::Monitor::kHttp: return m.http().url();
    case v1::Monitor::kTcp: return absl::StrCat(m.tcp().host(), ":", m.tcp().port());
    case v1::Monitor::kDns: return m.dns().name();
    case v1::Monitor::kGrpc: return m.grpc().target();
    case v1::Monitor::kIcmp: return m.icmp().host();
    default: return "";
  }
}

std::vector<ShownGroup> ShownGroups(const v1::StatusPage& page) {
  std::vector<ShownGroup> out;
  std::set<std::string> shown;
  for (const v1::StatusPageGroup& g : page.groups()) {
    ShownGroup group{g.name(), {}};
    for (const std::string& id : g.resolved_monitor_ids()) {
      if (!shown.contains(id)) {
        if (shown.size() >= kMaxShownMonitors) continue;
        shown.insert(id);
      }
      group.monitor_ids.push_back(id);
    }
    out.push_back(std::move(group));
  }
  return out;
}

std::vector<v1::Incident> SelectIncidents(const std::vector<v1::Incident>& all,
                                          const std::set<std::string>& monitors, absl::Time now) {
  std::vector<v1::Incident> open, resolved;
  for (const v1::Incident& i : all) {
    if (!monitors.contains(i.monitor_id())) continue;
    if (!i.has_resolved()) {
      open.push_back(i);
    } else if (FromProto(i.resolved()) >= now - kIncidentHorizon) {
      resolved.push_back(i);
    }
  }
  auto newest_first = [](const v1::Incident& a, const v1::Incident& b) {
    const absl::Time ta = FromProto(a.has_resolved() ? a.resolved() : a.started());
    const absl::Time tb = FromProto(b.has_resolved() ? b.resolved() : b.started());
    if (ta != tb) return ta > tb;
    return a.id() > b.id();
  };
  std::sort(open.begin(), open.end(), newest_first);
  std::sort(resolved.begin(), resolved.end(), newest_first);
  for (v1::Incident& i : resolved) open.push_back(std::move(i));
  if (open.size() > kMaxShownIncidents) open.resize(kMaxShownIncidents);
  return open;
}

std::vector<v1::MaintenanceWindow> SelectMaintenance(
    const std::vector<v1::MaintenanceWindow>& all, const std::set<std::string>& monitors,
    const std::map<std::string, MonitorInfo>& info, absl::Time now) {
  std::vector<v1::MaintenanceWindow> out;
  for (const v1::MaintenanceWindow& w : all) {
    const auto [start, end] = WindowSpan(w);
    const bool in_effect = start <= now && now < end;
    const bool soon = start > now && start <= now + kMaintenanceHorizon;
    if (!in_effect && !soon) continue;
    bool covers = false;
    for (const std::string& id : w.monitor_ids()) covers = covers || monitors.contains(id);
    if (!covers && !w.label_selector().empty()) {
      absl::StatusOr<LabelSelector> selector = LabelSelector::Parse("label_selector",
                                                                     w.label_selector());
      if (selector.ok()) {
        for (const std::string& id : monitors) {
          auto it = info.find(id);
          if (it != info.end() && selector->Matches(it->second.labels)) {
            covers = true;
            break;
          }
        }
      }
    }
    if (covers) out.push_back(w);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const absl::Time sa = WindowSpan(a).first, sb = WindowSpan(b).first;
    if (sa != sb) return sa < sb;
    return a.id() < b.id();
  });
  return out;
}

std::string ViewOverall(const PageView& view) {
  std::vector<v1::State> states;
  std::set<std::string> seen;
  for (const ShownGroup& g : view.groups) {
    for (const std::string& id : g.monitor_ids) {
      if (!seen.insert(id).second) continue;
      auto it = view.live.find(id);
      states.push_back(it == view.live.end() ? v1::STATE_PENDING : it->second.state);
    }
  }
  return OverallState(states);
}

std::string RenderPublicPageJson(const PageView& view) {
  const v1::StatusPage& p = *view.page;
  const bool show_latency = !p.hide_response_times();
  std::vector<std::string> fields = {
      Field("slug", JsonQuote(p.slug())),
      Field("title", JsonQuote(p.title())),
      Field("description", JsonQuote(p.description())),
      Field("logoUrl", JsonQuote(p.logo_url())),
      Field("homepageUrl", JsonQuote(p.homepage_url())),
  };
  if (p.has_announcement() && !p.announcement().text().empty() &&
      (!p.announcement().has_expire_time() ||
       FromProto(p.announcement().expire_time()) > view.now)) {
    fields.push_back(Field(
        "announcement",
        absl::StrCat("{", Field("text", JsonQuote(p.announcement().text())), ",",
                     Field("level", JsonQuote(LevelName(p.announcement().level()))), "}")));
  }
  fields.push_back(Field("overall", JsonQuote(ViewOverall(view))));
  fields.push_back(Field("updatedAt", JsonQuote(Rfc3339(view.updated_at))));
  fields.push_back(Field("showResponseTimes", show_latency ? "true" : "false"));

  std::vector<std::string> groups;
  for (const ShownGroup& g : view.groups) {
    std::vector<std::string> monitors;
    for (const std::string& id : g.monitor_ids) {
      LiveState live;
      if (auto it = view.live.find(id); it != view.live.end()) live = it->second;
      std::vector<std::string> m = {
          Field("id", JsonQuote(id)),
          Field("name", JsonQuote(MonitorName(view, id))),
          Field("state", JsonQuote(PublicStateName(live.state))),
      };
      if (live.since != absl::InfinitePast()) {
        m.push_back(Field("since", JsonQuote(Rfc3339(live.since))));
      }
      if (p.show_targets()) {
        if (auto it = view.info.find(id); it != view.info.end() && !it->second.target.empty()) {
          m.push_back(Field("target", JsonQuote(it->second.target)));
        }
      }
      if (show_latency && live.latency_ms.has_value()) {
        m.push_back(Field("latencyMs", JsonNumber(*live.latency_ms, 1)));
      }
      if (auto it = view.uptime.find(id); it != view.uptime.end() && it->second != nullptr) {
        if (std::string u = UptimeJson(*it->second); !u.empty()) m.push_back(Field("uptime", u));
        if (it->second->daily_bars_size() > 0) m.push_back(Field("days", DaysJson(*it->second)));
      }
      monitors.push_back(absl::StrCat("{", absl::StrJoin(m, ","), "}"));
    }
    groups.push_back(absl::StrCat("{", Field("name", JsonQuote(g.name)), ",",
                                  Field("monitors", absl::StrCat("[", absl::StrJoin(monitors, ","),
                                                                 "]")),
                                  "}"));
  }
  fields.push_back(Field("groups", absl::StrCat("[", absl::StrJoin(groups, ","), "]")));

  std::vector<std::string> incidents;
  for (const v1::Incident& i : view.incidents) {
    std::vector<std::string> f = {
        Field("id", JsonQuote(i.id())),
        Field("monitorId", JsonQuote(i.monitor_id())),
        Field("monitorName", JsonQuote(MonitorName(view, i.monitor_id()))),
        Field("started", JsonQuote(Rfc3339(FromProto(i.started())))),
    };
    if (i.has_resolved()) f.push_back(Field("resolved", JsonQuote(Rfc3339(FromProto(i.resolved())))));
    if (p.show_incident_causes() && !i.cause().empty()) {
      f.push_back(Field("cause", JsonQuote(i.cause())));
    }
    incidents.push_back(absl::StrCat("{", absl::StrJoin(f, ","), "}"));
  }
  fields.push_back(Field("incidents", absl::StrCat("[", absl::StrJoin(incidents, ","), "]")));

  std::vector<std::string> windows;
  for (const v1::MaintenanceWindow& w : view.maintenance) {
    const auto [start, end] = WindowSpan(w);
    windows.push_back(absl::StrCat(
        "{", Field("id", JsonQuote(w.id())), ",", Field("name", JsonQuote(w.name())), ",",
        Field("description", JsonQuote(w.description())), ",",
        Field("start", JsonQuote(Rfc3339(start))), ",", Field("end", JsonQuote(Rfc3339(end))), ",",
        Field("active", start <= view.now && view.now < end ? "true" : "false"), "}"));
  }
  fields.push_back(Field("maintenance", absl::StrCat("[", absl::StrJoin(windows, ","), "]")));
  return absl::StrCat("{", absl::StrJoin(fields, ","), "}");
}

Feed BuildPageFeed(const PageView& view, const std::string& page_path,
                   const std::string& self_path) {
  const v1::StatusPage& p = *view.page;
  Feed feed;
  feed.id = absl::StrCat("urn:uptime:status-page:", p.slug());
  feed.title = p.title();
  feed.subtitle = p.description();
  feed.page_url = page_path;
  feed.self_url = self_path;
  // Not the render time: equal content must give equal bytes (ETags).
  feed.updated = p.has_update_time() ? FromProto(p.update_time()) : absl::UnixEpoch();
  for (const v1::Incident& i : view.incidents) {
    const std::string name = MonitorName(view, i.monitor_id());
    const absl::Time started = FromProto(i.started());
    FeedEntry e;
    e.id = absl::StrCat("urn:uptime:incident:", i.id());
    e.link = page_path;
    e.published = started;
    if (i.has_resolved()) {
      const absl::Time resolved = FromProto(i.resolved());
      e.title = absl::StrCat(name, " recovered");
      e.summary = absl::StrCat(name, " was down from ", Rfc3339(started), " to ",
                               Rfc3339(resolved), ".");
      e.updated = resolved;
    } else {
      e.title = absl::StrCat(name, " is down");
      e.summary = absl::StrCat(name, " has been down since ", Rfc3339(started), ".");
      e.updated = started;
    }
    if (p.show_incident_causes() && !i.cause().empty()) {
      absl::StrAppend(&e.summary, " Cause: ", i.cause());
    }
    feed.updated = std::max(feed.updated, e.updated);
    feed.entries.push_back(std::move(e));
  }
  // Newest update first, as feed readers expect.
  std::stable_sort(feed.entries.begin(), feed.entries.end(),
                   [](const FeedEntry& a, const FeedEntry& b) { return a.updated > b.updated; });
  return feed;
}

}  // namespace uptime::gateway
