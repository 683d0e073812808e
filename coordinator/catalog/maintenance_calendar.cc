#include "coordinator/catalog/maintenance_calendar.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace uptime::coordinator {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view sub, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ".", sub, ": ", what));
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& t, absl::string_view field,
                            absl::string_view sub) {
  if (!IsValidTimestamp(t)) {
    return Invalid(field, sub, "out of range");
  }
  return absl::OkStatus();
}

// Where an occurrence starting on local `day` at `minute` begins. A local
// time skipped by a DST change starts when the gap ends (the first instant
// the day is past that time); a repeated one starts the first time round.
absl::Time LocalStart(const absl::TimeZone& zone, absl::CivilDay day, int minute) {
  const absl::TimeZone::TimeInfo info = zone.At(
      absl::CivilSecond(day.year(), day.month(), day.day(), minute / 60, minute % 60, 0));
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

// Days an occurrence can reach back: one started this many local days before
// a time may still be in effect then.
int64_t DaysBack(absl::Duration duration) {
  return absl::ToInt64Hours(duration) / 24 + 2;
}

}  // namespace

std::optional<int> ParseTimeOfDay(absl::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

absl::StatusOr<WindowSchedule> WindowSchedule::Compile(const v1::MaintenanceWindow& window,
                                                       absl::string_view field) {
  WindowSchedule s;
  if (window.has_start_time()) {
    if (absl::Status st = CheckTimestamp(window.start_time(), field, "start_time"); !st.ok()) {
      return st;
    }
    s.start_ = FromProto(window.start_time());
  }
  if (window.has_end_time()) {
    if (absl::Status st = CheckTimestamp(window.end_time(), field, "end_time"); !st.ok()) return st;
    s.end_ = FromProto(window.end_time());
  }
  if (!window.has_recurrence()) {
    if (!window.has_start_time()) {
      return Invalid(field, "start_time", "is required for a one-off window (or set recurrence)");
    }
    if (!window.has_end_time()) {
      return Invalid(field, "end_time", "is required for a one-off window (or set recurrence)");
    }
  }
  if (window.has_start_time() && window.has_end_time() && s.end_ <= s.start_) {
    return Invalid(field, "end_time", "must be after start_time");
  }
  if (!window.has_recurrence()) return s;

  const v1::Recurrence& r = window.recurrence();
  s.recurring_ = true;
  for (int i = 0; i < r.days_size(); ++i) {
    const int day = r.days(i);
    if (day < v1::WEEKDAY_MONDAY || day > v1::WEEKDAY_SUNDAY) {
      return Invalid(field, absl::StrCat("recurrence.days[", i, "]"),
                     "must be a weekday (WEEKDAY_MONDAY .. WEEKDAY_SUNDAY)");
    }
    const uint8_t bit = static_cast<uint8_t>(1u << (day - v1::WEEKDAY_MONDAY));
    if (s.weekdays_ & bit) {
      return Invalid(field, absl::StrCat("recurrence.days[", i, "]"),
                     absl::StrCat("duplicate ", v1::Weekday_Name(r.days(i))));
    }
    s.weekdays_ |= bit;
  }
  if (s.weekdays_ == 0) s.weekdays_ = 0x7f;  // every day
  if (r.start_time_of_day().empty()) {
    return Invalid(field, "recurrence.start_time_of_day", "is required (\"HH:MM\")");
  }
  std::optional<int> minute = ParseTimeOfDay(r.start_time_of_day());
  if (!minute) {
    return Invalid(field, "recurrence.start_time_of_day",
                   absl::StrCat("must be \"HH:MM\" from 00:00 to 23:59, got \"",
                                r.start_time_of_day().substr(0, 32), "\""));
  }
  s.minute_of_day_ = *minute;
  if (!r.has_duration()) return Invalid(field, "recurrence.duration", "is required");
  const google::protobuf::Duration& d = r.duration();
  if (d.nanos() < -999'999'999 || d.nanos() > 999'999'999 ||
      (d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0)) {
    return Invalid(field, "recurrence.duration", "malformed");
  }
  s.duration_ = FromProto(d);
  if (s.duration_ < kMinRecurrenceDuration || s.duration_ > kMaxRecurrenceDuration) {
    return Invalid(field, "recurrence.duration", "must be between 1m and 168h");
  }
  const std::string zone = r.time_zone().empty() ? "UTC" : r.time_zone();
  if (!absl::LoadTimeZone(zone, &s.zone_)) {
    return Invalid(field, "recurrence.time_zone",
                   absl::StrCat("unknown time zone \"", zone.substr(0, 64),
                                "\" (an IANA name such as Europe/Berlin)"));
  }
  return s;
}

std::vector<TimeInterval> WindowSchedule::Occurrences(absl::Time from, absl::Time to) const {
  std::vector<TimeInterval> out;
  const absl::Time lo = std::max(from, start_);
  const absl::Time hi = std::min(to, end_);
  if (lo >= hi) return out;
  if (!recurring_) {
    out.push_back({start_, end_});
    return out;
  }
  // Callers ask for short ranges (an instant, or about a week ahead); an
  // unbounded range is refused rather than looped over.
  if (lo == absl::InfinitePast() || hi == absl::InfiniteFuture()) return out;
  const absl::CivilDay first = absl::ToCivilDay(lo, zone_) - DaysBack(duration_);
  const absl::CivilDay last = absl::ToCivilDay(hi, zone_) + 1;
  for (absl::CivilDay day = first; day <= last; ++day) {
    const int weekday = static_cast<int>(absl::GetWeekday(day));
    if ((weekdays_ & (1u << weekday)) == 0) continue;
    const absl::Time begin = LocalStart(zone_, day, minute_of_day_);
    const TimeInterval clipped{std::max(begin, start_), std::min(begin + duration_, end_)};
    if (clipped.start >= clipped.end) continue;
    if (clipped.start < hi && clipped.end > lo) out.push_back(clipped);
  }
  std::sort(out.begin(), out.end(),
            [](const TimeInterval& a, const TimeInterval& b) { return a.start < b.start; });
  return out;
}

bool WindowSchedule::ActiveAt(absl::Time t) const {
  return !Occurrences(t, t + absl::Nanoseconds(1)).empty();
}

std::optional<TimeInterval> WindowSchedule::CurrentOrNext(absl::Time now) const {
  if (!recurring_) {
    if (end_ <= now) return std::nullopt;
    return TimeInterval{start_, end_};
  }
  // Any weekday pattern has an occurrence within 7 days of `origin`.
  const absl::Time origin = std::max(now, start_);
  if (origin >= end_) return std::nullopt;
  for (const TimeInterval& o : Occurrences(origin, origin + absl::Hours(24 * 8) + duration_)) {
    if (o.end > now) return o;
  }
  return std::nullopt;
}

absl::Time WindowSchedule::NextChange(absl::Time now) const {
  absl::Time next = absl::InfiniteFuture();
  auto consider = [&](absl::Time t) {
    if (t > now && t < next) next = t;
  };
  if (!recurring_) {
    consider(start_);
    consider(end_);
    return next;
  }
  const absl::Time origin = std::max(now, start_);
  if (origin >= end_) return next;
  for (const TimeInterval& o : Occurrences(origin, origin + absl::Hours(24 * 8) + duration_)) {
    consider(o.start);
    consider(o.end);
  }
  return next;
}

bool MaintenanceCalendar::ActiveSet::Covers(const v1::Monitor& monitor) const {
  if (window_ids_.empty()) return false;
  if (monitor_ids_.contains(monitor.id())) return true;
  for (const auto& selector : selectors_) {
    if (selector->Matches(monitor.labels())) return true;
  }
  return false;
}

std::shared_ptr<const MaintenanceCalendar> MaintenanceCalendar::Build(
    absl::Span<const v1::MaintenanceWindow> windows) {
  auto calendar = std::make_shared<MaintenanceCalendar>();
  for (const v1::MaintenanceWindow& w : windows) {
    absl::StatusOr<WindowSchedule> schedule = WindowSchedule::Compile(w);
    std::shared_ptr<const LabelSelector> selector;
    if (!w.label_selector().empty()) {
      absl::StatusOr<LabelSelector> parsed = LabelSelector::Parse("label_selector", w.label_selector());
      if (!parsed.ok()) {
        ++calendar->skipped_;
        continue;
      }
      selector = std::make_shared<const LabelSelector>(*std::move(parsed));
    }
    if (!schedule.ok()) {
      ++calendar->skipped_;
      continue;
    }
    calendar->windows_.push_back(Window{
        .id = w.id(),
        .schedule = *std::move(schedule),
        .monitor_ids = std::vector<std::string>(w.monitor_ids().begin(), w.monitor_ids().end()),
        .selector = std::move(selector)});
  }
  std::sort(calendar->windows_.begin(), calendar->windows_.end(),
            [](const Window& a, const Window& b) { return a.id < b.id; });
  return calendar;
}

MaintenanceCalendar::ActiveSet MaintenanceCalendar::ActiveAt(absl::Time now) const {
  ActiveSet active;
  for (const Window& w : windows_) {
    if (!w.schedule.ActiveAt(now)) continue;
    active.window_ids_.push_back(w.id);
    active.monitor_ids_.insert(w.monitor_ids.begin(), w.monitor_ids.end());
    if (w.selector != nullptr) active.selectors_.push_back(w.selector);
  }
  return active;
}

bool MaintenanceCalendar::InMaintenance(const v1::Monitor& monitor, absl::Time now) const {
  absl::MutexLock lock(&cache_mu_);
  if (!cached_ || now < cached_from_ || now >= cached_until_) {
    cached_ = ActiveAt(now);
    cached_from_ = now;
    cached_until_ = NextChange(now);
  }
  return cached_->Covers(monitor);
}

absl::Time MaintenanceCalendar::NextChange(absl::Time now) const {
  absl::Time next = absl::InfiniteFuture();
  for (const Window& w : windows_) next = std::min(next, w.schedule.NextChange(now));
  return next;
}

}  // namespace uptime::coordinator
