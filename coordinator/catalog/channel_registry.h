// ChannelRegistry: every notification channel, in memory, written through to
// the CatalogStore (PostgreSQL) first, with one cached Notifier per channel.
//
// The single writer of channel definitions inside the coordinator. It
// validates a channel completely (name, type, the type's config) before
// storing anything, and a change the store refuses changes nothing in memory
// either. Secrets (webhook URLs, routing keys, passwords) are kept in full
// here and in the store, but every channel this class returns has them
// redacted (notifiers::RedactConfig); only NotifierFor() uses them. Nothing
// here logs a config value.
//
// Every change takes `who` (an audit event with actor, credential, client
// address and time filled in, see AuditTemplate) and completes it: action
// ("channel.create", ".update", ".delete"), resource and the channel as JSON
// before and after, redacted like every response, so no secret reaches the
// audit log. The store writes it with the change.
//
// Example:
//   ChannelRegistry channels(clock, store, &notifier_registry, deps,
//                            [&](const std::string& id) { return MonitorsUse(id); });
//   RETURN_IF_ERROR(channels.Load());
//   ASSIGN_OR_RETURN(v1::Channel created, channels.Create(channel, who));
//   ASSIGN_OR_RETURN(std::shared_ptr<notifiers::Notifier> n,
//                    channels.NotifierFor(created.id()));
//   RETURN_IF_ERROR(n->Send(alert));
//
// Thread-safety: thread-safe (one mutex). `in_use` is called with that mutex
// held, so it must not call back into the registry. Clock, store and
// notifier registry are not owned and must outlive this object.
#ifndef UPTIME_COORDINATOR_CATALOG_CHANNEL_REGISTRY_H_
#define UPTIME_COORDINATOR_CATALOG_CHANNEL_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/labels.h"
#include "coordinator/catalog/channel_validation.h"
#include "coordinator/notifiers/notifier.h"
#include "google/protobuf/field_mask.pb.h"
#include "store/catalog_store.h"
#include "uptime/v1/audit.pb.h"
#include "uptime/v1/notification.pb.h"

namespace uptime::coordinator {

struct ChannelPage {
  std::vector<v1::Channel> channels;  // redacted, ordered by id
  std::string next_page_token;
};

class ChannelRegistry {
 public:
  // True while some monitor lists the channel id in its notification
  // channels; Delete() refuses then.
  using InUseFn = std::function<bool(const std::string& channel_id)>;

  ChannelRegistry(Clock* clock, store::CatalogStore* store,
                  const notifiers::NotifierRegistry* notifiers, notifiers::NotifierDeps deps,
                  InUseFn in_use);
  ChannelRegistry(const ChannelRegistry&) = delete;
  ChannelRegistry& operator=(const ChannelRegistry&) = delete;

  // Replaces the in-memory channels with the store's (at start, or on
  // becoming leader) and drops every cached notifier.
  absl::Status Load();

  // Validates `channel` (name, type, config; id and times are ignored),
  // assigns "ch-<16 hex>" and create/update times, stores it. Returns it
  // redacted. INVALID_ARGUMENT naming the field ("channel.name: ...",
  // "channel.type: ...", "channel.config.<key>: ..."); ALREADY_EXISTS for a
  // taken name; the store's error (e.g. UNAVAILABLE) otherwise.
  absl::StatusOr<v1::Channel> Create(v1::Channel channel, const v1::AuditEvent& who);

  // The channel, redacted. NOT_FOUND for an unknown id.
  absl::StatusOr<v1::Channel> Get(const std::string& id) const;

  // Up to `page_size` (> 0) channels matching `selector` after
  // `page_token`, redacted. INVALID_ARGUMENT for a malformed token.
  absl::StatusOr<ChannelPage> List(const LabelSelector& selector, int page_size,
                                   const std::string& page_token) const;

  // Applies `update` (its id selects the channel) under `mask`: paths
  // "name", "type", "config", "labels" (maps as a whole); an empty mask means
  // all four.
  // A secret sent back exactly as it was returned redacted keeps its stored
  // value, so clients can read-modify-write. Validated like Create; the
  // channel's cached notifier is recreated on next use. Returns it redacted.
  absl::StatusOr<v1::Channel> Update(const v1::Channel& update,
                                     const google::protobuf::FieldMask& mask,
                                     const v1::AuditEvent& who);

  // NOT_FOUND for an unknown id; FAILED_PRECONDITION while `in_use(id)`.
  absl::Status Delete(const std::string& id, const v1::AuditEvent& who);

  bool Exists(const std::string& id) const;
  size_t size() const;

  // The channel's notifier (with full secrets), created on first use and
  // shared until the channel is updated, deleted or reloaded. NOT_FOUND for
  // an unknown id; the factory's error if the stored config no longer
  // validates (e.g. a plugin that is not loaded any more).
  absl::StatusOr<std::shared_ptr<notifiers::Notifier>> NotifierFor(const std::string& id);

 private:
  struct Entry {
    v1::Channel channel;  // secrets in full
    std::shared_ptr<notifiers::Notifier> notifier;  // null until first use
  };

  // ValidateChannel, and the name not taken by another channel than
  // `self_id` ("" for a new channel).
  absl::Status ValidateLocked(const v1::Channel& channel, const std::string& self_id) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  v1::Channel Redacted(const v1::Channel& channel) const;

  Clock* const clock_;
  store::CatalogStore* const store_;
  const notifiers::NotifierRegistry* const notifiers_;
  const notifiers::NotifierDeps deps_;
  const InUseFn in_use_;

  mutable absl::Mutex mu_;
  std::map<std::string, Entry> channels_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::string> id_by_name_ ABSL_GUARDED_BY(mu_);
};

}  // namespace uptime::coordinator

#endif  // UPTIME_COORDINATOR_CATALOG_CHANNEL_REGISTRY_H_
