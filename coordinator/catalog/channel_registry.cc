#include "coordinator/catalog/channel_registry.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "common/status_macros.h"
#include "coordinator/catalog/audit_record.h"
#include "coordinator/catalog/catalog.h"

namespace uptime::coordinator {
namespace {

absl::Status ChannelNotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("channel '", id, "' not found"));
}

}  // namespace

ChannelRegistry::ChannelRegistry(Clock* clock, store::CatalogStore* store,
                                 const notifiers::NotifierRegistry* notifiers,
                                 notifiers::NotifierDeps deps, InUseFn in_use)
    : clock_(clock),
      store_(store),
      notifiers_(notifiers),
      deps_(std::move(deps)),
      in_use_(in_use ? std::move(in_use) : [](const std::string&) { return false; }) {}

absl::Status ChannelRegistry::Load() {
  absl::StatusOr<std::vector<v1::Channel>> loaded = store_->LoadChannels();
  if (!loaded.ok()) return loaded.status();
  absl::MutexLock lock(&mu_);
  channels_.clear();
  id_by_name_.clear();
  for (v1::Channel& c : *loaded) {
    id_by_name_[c.name()] = c.id();
    const std::string id = c.id();
    channels_[id] = Entry{std::move(c), nullptr};
  }
  return absl::OkStatus();
}

absl::Status ChannelRegistry::ValidateLocked(const v1::Channel& channel,
                                             const std::string& self_id) const {
  RETURN_IF_ERROR(ValidateChannel(channel, *notifiers_));
  const std::string& name = channel.name();
  if (auto it = id_by_name_.find(name); it != id_by_name_.end() && it->second != self_id) {
    return absl::AlreadyExistsError(
        absl::StrCat("channel.name: a channel named '", name, "' already exists"));
  }
  return absl::OkStatus();
}

v1::Channel ChannelRegistry::Redacted(const v1::Channel& channel) const {
  v1::Channel out = channel;
  out.clear_config();
  const notifiers::NotifierFactory* factory = notifiers_->Find(channel.type());
  if (factory == nullptr) {
    // Type no longer registered (a plugin gone): we cannot tell secrets from
    // settings, so every value is treated as a secret.
    for (const auto& [k, v] : channel.config()) (*out.mutable_config())[k] = notifiers::RedactSecret(v);
    return out;
  }
  for (const auto& [k, v] : notifiers::RedactConfig(*factory, ToNotifierConfig(channel))) {
    (*out.mutable_config())[k] = v;
  }
  return out;
}

absl::StatusOr<v1::Channel> ChannelRegistry::Create(v1::Channel channel,
                                                    const v1::AuditEvent& who) {
  channel.clear_id();
  channel.clear_create_time();
  channel.clear_update_time();
  absl::MutexLock lock(&mu_);
  if (absl::Status s = ValidateLocked(channel, ""); !s.ok()) return s;
  std::string id;
  do {
    id = NewId("ch");
  } while (channels_.contains(id));
  channel.set_id(id);
  const absl::Time now = clock_->Now();
  ToProto(now, channel.mutable_create_time());
  ToProto(now, channel.mutable_update_time());
  v1::Channel result = Redacted(channel);
  v1::AuditEvent audit = AuditRecord(who, "channel.create", "channel", id);
  audit.set_after_json(AuditJson(result));
  if (absl::Status s = store_->InsertChannel(channel, audit); !s.ok()) return s;
  id_by_name_[channel.name()] = id;
  channels_[id] = Entry{std::move(channel), nullptr};
  return result;
}

absl::StatusOr<v1::Channel> ChannelRegistry::Get(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return ChannelNotFound(id);
  return Redacted(it->second.channel);
}

absl::StatusOr<ChannelPage> ChannelRegistry::List(const LabelSelector& selector, int page_size,
                                                  const std::string& page_token) const {
  absl::StatusOr<std::string> after = DecodePageToken(page_token);
  if (!after.ok()) return after.status();
  ChannelPage page;
  absl::MutexLock lock(&mu_);
  auto it = after->empty() ? channels_.begin() : channels_.upper_bound(*after);
  for (; it != channels_.end(); ++it) {
    if (!selector.Matches(it->second.channel.labels())) continue;
    if (static_cast<int>(page.channels.size()) == page_size) {
      page.next_page_token = EncodePageToken(page.channels.back().id());
      break;
    }
    page.channels.push_back(Redacted(it->second.channel));
  }
  return page;
}

absl::StatusOr<v1::Channel> ChannelRegistry::Update(const v1::Channel& update,
                                                    const google::protobuf::FieldMask& mask,
                                                    const v1::AuditEvent& who) {
  if (update.id().empty()) return absl::InvalidArgumentError("channel.id: is required");
  bool set_name = mask.paths_size() == 0, set_type = set_name, set_config = set_name,
       set_labels = set_name;
  for (const std::string& path : mask.paths()) {
    if (path == "name") {
      set_name = true;
    } else if (path == "type") {
      set_type = true;
    } else if (path == "config") {
      set_config = true;
    } else if (path == "labels") {
      set_labels = true;
    } else if (path == "id" || path == "create_time" || path == "update_time") {
      return absl::InvalidArgumentError(absl::StrCat("update_mask: '", path, "' cannot be updated"));
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask: unknown field '", path.substr(0, 64), "'"));
    }
  }

  absl::MutexLock lock(&mu_);
  auto it = channels_.find(update.id());
  if (it == channels_.end()) return ChannelNotFound(update.id());
  const v1::Channel& current = it->second.channel;
  v1::Channel updated = current;
  if (set_name) updated.set_name(update.name());
  if (set_type) updated.set_type(update.type());
  if (set_config) *updated.mutable_config() = update.config();
  if (set_labels) *updated.mutable_labels() = update.labels();
  if (set_config && updated.type() == current.type()) {
    // Secrets the client read (redacted) and sent back unchanged keep their
    // stored values. Only within one type: another type's keys mean other
    // things.
    if (const notifiers::NotifierFactory* f = notifiers_->Find(current.type()); f != nullptr) {
      notifiers::NotifierConfig restored = notifiers::RestoreRedactedSecrets(
          *f, ToNotifierConfig(current), ToNotifierConfig(updated));
      updated.clear_config();
      for (auto& [k, v] : restored) (*updated.mutable_config())[k] = std::move(v);
    }
  }
  if (absl::Status s = ValidateLocked(updated, updated.id()); !s.ok()) return s;
  ToProto(clock_->Now(), updated.mutable_update_time());
  v1::Channel result = Redacted(updated);
  v1::AuditEvent audit = AuditRecord(who, "channel.update", "channel", updated.id());
  audit.set_before_json(AuditJson(Redacted(current)));
  audit.set_after_json(AuditJson(result));
  if (absl::Status s = store_->UpdateChannel(updated, audit); !s.ok()) return s;
  if (current.name() != updated.name()) {
    id_by_name_.erase(current.name());
    id_by_name_[updated.name()] = updated.id();
  }
  it->second = Entry{std::move(updated), nullptr};
  return result;
}

absl::Status ChannelRegistry::Delete(const std::string& id, const v1::AuditEvent& who) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return ChannelNotFound(id);
  if (in_use_(id)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "channel '", id, "' is used by monitors; remove it from their notification channels first"));
  }
  v1::AuditEvent audit = AuditRecord(who, "channel.delete", "channel", id);
  audit.set_before_json(AuditJson(Redacted(it->second.channel)));
  if (absl::Status s = store_->DeleteChannel(id, audit); !s.ok() && !absl::IsNotFound(s)) return s;
  id_by_name_.erase(it->second.channel.name());
  channels_.erase(it);
  return absl::OkStatus();
}

bool ChannelRegistry::Exists(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  return channels_.contains(id);
}

size_t ChannelRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return channels_.size();
}

absl::StatusOr<std::shared_ptr<notifiers::Notifier>> ChannelRegistry::NotifierFor(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(id);
  if (it == channels_.end()) return ChannelNotFound(id);
  Entry& entry = it->second;
  if (entry.notifier == nullptr) {
    absl::StatusOr<std::unique_ptr<notifiers::Notifier>> created =
        notifiers_->Create(entry.channel.type(), ToNotifierConfig(entry.channel), deps_);
    if (!created.ok()) return ChannelConfigError(created.status());
    entry.notifier = std::shared_ptr<notifiers::Notifier>(std::move(*created));
  }
  return entry.notifier;
}

}  // namespace uptime::coordinator
