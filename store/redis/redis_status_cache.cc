#include "store/redis/redis_status_cache.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "uptime/v1/monitor.pb.h"

namespace uptime::store {
namespace {

// Bounds the memory of one pipeline (hiredis buffers all of it).
constexpr size_t kMaxPipeline = 10'000;

// How far past history_length a list may grow before it is trimmed back.
int64_t TrimSlack(int history_length) { return std::max(0, history_length / 8); }

absl::StatusOr<std::vector<RedisReply>> Chunked(RedisClient& client,
                                                const std::vector<RedisCommand>& commands) {
  std::vector<RedisReply> all;
  for (size_t off = 0; off < commands.size(); off += kMaxPipeline) {
    const size_t n = std::min(kMaxPipeline, commands.size() - off);
    ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                     client.Pipeline(absl::MakeConstSpan(commands).subspan(off, n)));
    for (RedisReply& r : replies) all.push_back(std::move(r));
  }
  return all;
}

}  // namespace

RedisStatusCache::RedisStatusCache(RedisStatusCacheOptions options, Clock* clock)
    : options_(std::move(options)), client_(options_.redis, clock) {}

std::string RedisStatusCache::StatusKey(absl::string_view id) const {
  return absl::StrCat(options_.key_prefix, "status:", id);
}
std::string RedisStatusCache::HistoryKey(absl::string_view id) const {
  return absl::StrCat(options_.key_prefix, "history:", id);
}
std::string RedisStatusCache::IdsKey() const { return absl::StrCat(options_.key_prefix, "status-ids"); }
std::string RedisStatusCache::ContentsKey() const {
  return absl::StrCat(options_.key_prefix, "contents");
}
std::string RedisStatusCache::LabelsKey() const {
  return absl::StrCat(options_.key_prefix, "monitor-labels");
}

absl::Status RedisStatusCache::Put(absl::Span<const v1::MonitorStatus> statuses) {
  if (statuses.empty()) return absl::OkStatus();
  std::vector<RedisCommand> commands;
  RedisCommand sadd = {"SADD", IdsKey()};
  for (const v1::MonitorStatus& s : statuses) {
    // Plain fields let other readers (scripts, redis-cli) see the state
    // without protobuf; `proto` is what our readers use.
    commands.push_back({"HSET", StatusKey(s.monitor_id()),
                        "state", v1::State_Name(s.state()),
                        "since_us", absl::StrCat(absl::ToUnixMicros(FromProto(s.since()))),
                        "consecutive_failures", absl::StrCat(s.consecutive_failures()),
                        "consecutive_successes", absl::StrCat(s.consecutive_successes()),
                        "open_incident_id", s.open_incident_id(),
                        "proto", s.SerializeAsString()});
    sadd.push_back(s.monitor_id());
  }
  commands.push_back(std::move(sadd));
  return Chunked(client_, commands).status();
}

absl::Status RedisStatusCache::Remove(absl::Span<const std::string> monitor_ids) {
  if (monitor_ids.empty()) return absl::OkStatus();
  std::vector<RedisCommand> commands;
  RedisCommand srem = {"SREM", IdsKey()};
  for (const std::string& id : monitor_ids) {
    commands.push_back({"DEL", StatusKey(id), HistoryKey(id)});
    srem.push_back(id);
  }
  commands.push_back(std::move(srem));
  return Chunked(client_, commands).status();
}

absl::Status RedisStatusCache::AppendHistory(absl::Span<const v1::CheckResult> results) {
  if (results.empty()) return absl::OkStatus();
  // One LPUSH with all of a monitor's new results (oldest first, so the
  // newest ends up at the head). Grouped in first-seen order through an
  // index keyed by views into `results`: no per-result key allocation.
  std::vector<RedisCommand> pushes;
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(results.size());
  for (const v1::CheckResult& r : results) {
    auto [it, inserted] = index.try_emplace(std::string_view(r.monitor_id()), pushes.size());
    if (inserted) pushes.push_back({"LPUSH", HistoryKey(r.monitor_id())});
    pushes[it->second].push_back(r.SerializeAsString());
  }
  ASSIGN_OR_RETURN(std::vector<RedisReply> lengths, Chunked(client_, pushes));
  // LPUSH answers with the list's length; trimming only once a list is
  // `slack` past the cap costs one LTRIM per `slack` pushes instead of one
  // per push, which halves the commands when every monitor is in the batch.
  const int64_t cap = options_.history_length;
  const int64_t slack = TrimSlack(options_.history_length);
  std::vector<RedisCommand> trims;
  for (size_t i = 0; i < lengths.size() && i < pushes.size(); ++i) {
    if (lengths[i].type == RedisReply::Type::kInteger && lengths[i].integer > cap + slack) {
      trims.push_back({"LTRIM", std::move(pushes[i][1]), "0", absl::StrCat(cap - 1)});
    }
  }
  if (trims.empty()) return absl::OkStatus();
  return Chunked(client_, trims).status();
}

absl::Status RedisStatusCache::ReplaceHistory(absl::Span<const MonitorHistory> histories) {
  // Pipelines end between monitors: a MULTI split from its EXEC would queue
  // another caller's commands into the transaction.
  std::vector<RedisCommand> commands;
  for (const MonitorHistory& h : histories) {
    if (commands.size() + 4 > kMaxPipeline) {
      RETURN_IF_ERROR(client_.Pipeline(commands).status());
      commands.clear();
    }
    std::string key = HistoryKey(h.monitor_id);
    const size_t n = std::min(h.results.size(), static_cast<size_t>(std::max(0, options_.history_length)));
    if (n == 0) {
      commands.push_back({"DEL", std::move(key)});
      continue;
    }
    // RPUSH of the newest-first list keeps the newest at the head, as LPUSH
    // leaves it.
    RedisCommand push = {"RPUSH", key};
    push.reserve(n + 2);
    for (size_t i = 0; i < n; ++i) push.push_back(h.results[i].SerializeAsString());
    commands.push_back({"MULTI"});
    commands.push_back({"DEL", std::move(key)});
    commands.push_back(std::move(push));
    commands.push_back({"EXEC"});
  }
  return client_.Pipeline(commands).status();
}

absl::StatusOr<bool> RedisStatusCache::MarkContents() {
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                   client_.Pipeline({{"SET", ContentsKey(), "1", "NX"}}));
  // "OK" when it was set now, nil when it was there already.
  return replies[0].type == RedisReply::Type::kStatus;
}

absl::StatusOr<std::vector<v1::CheckResult>> RedisStatusCache::History(
    const std::string& monitor_id, int limit) {
  std::vector<v1::CheckResult> out;
  // Lists may run `TrimSlack` past the cap between trims; readers never see it.
  limit = std::min(limit, options_.history_length);
  if (limit <= 0) return out;
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                   client_.Pipeline({{"LRANGE", HistoryKey(monitor_id), "0",
                                      absl::StrCat(limit - 1)}}));
  for (const RedisReply& element : replies[0].elements) {
    if (!out.emplace_back().ParseFromString(element.str)) {
      return absl::DataLossError(absl::StrCat("redis history of '", monitor_id,
                                              "' holds an entry that does not parse"));
    }
  }
  return out;
}

absl::Status RedisStatusCache::Publish(absl::string_view channel, absl::string_view message) {
  return client_.Pipeline({{"PUBLISH", std::string(channel), std::string(message)}}).status();
}

absl::StatusOr<v1::MonitorStatus> RedisStatusCache::Get(const std::string& monitor_id) {
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies,
                   client_.Pipeline({{"HGET", StatusKey(monitor_id), "proto"}}));
  if (replies[0].type == RedisReply::Type::kNil) {
    return absl::NotFoundError(absl::StrCat("no status for monitor '", monitor_id, "'"));
  }
  v1::MonitorStatus status;
  if (!status.ParseFromString(replies[0].str)) {
    return absl::DataLossError(absl::StrCat("redis status of '", monitor_id, "' does not parse"));
  }
  return status;
}

absl::StatusOr<std::vector<v1::MonitorStatus>> RedisStatusCache::GetAll() {
  ASSIGN_OR_RETURN(std::vector<RedisReply> ids, client_.Pipeline({{"SMEMBERS", IdsKey()}}));
  std::vector<RedisCommand> gets;
  for (const RedisReply& id : ids[0].elements) gets.push_back({"HGET", StatusKey(id.str), "proto"});
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies, Chunked(client_, gets));
  std::map<std::string, v1::MonitorStatus> by_id;
  for (const RedisReply& reply : replies) {
    if (reply.type == RedisReply::Type::kNil) continue;  // removed meanwhile
    v1::MonitorStatus status;
    if (!status.ParseFromString(reply.str)) {
      return absl::DataLossError("redis holds a status that does not parse");
    }
    std::string id = status.monitor_id();
    by_id.emplace(std::move(id), std::move(status));
  }
  std::vector<v1::MonitorStatus> out;
  out.reserve(by_id.size());
  for (auto& [id, status] : by_id) out.push_back(std::move(status));
  return out;
}

absl::Status RedisStatusCache::PutMonitorLabels(const LabelsById& labels) {
  v1::ListMonitorsResponse record;
  for (const auto& [id, monitor_labels] : labels) {
    v1::Monitor* m = record.add_monitors();
    m->set_id(id);
    m->mutable_labels()->insert(monitor_labels.begin(), monitor_labels.end());
  }
  return client_.Pipeline({{"SET", LabelsKey(), record.SerializeAsString()}}).status();
}

absl::StatusOr<RedisStatusCache::LabelsById> RedisStatusCache::GetMonitorLabels() {
  ASSIGN_OR_RETURN(std::vector<RedisReply> replies, client_.Pipeline({{"GET", LabelsKey()}}));
  if (replies[0].type == RedisReply::Type::kNil) {
    return absl::NotFoundError("redis holds no monitor labels");
  }
  v1::ListMonitorsResponse record;
  if (!record.ParseFromString(replies[0].str)) {
    return absl::DataLossError("redis holds monitor labels that do not parse");
  }
  LabelsById out;
  for (const v1::Monitor& m : record.monitors()) {
    out[m.id()] = std::map<std::string, std::string>(m.labels().begin(), m.labels().end());
  }
  return out;
}

}  // namespace uptime::store
