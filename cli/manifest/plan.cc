#include "cli/manifest/plan.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/manifest/validation.h"
#include "coordinator/catalog/maintenance_validation.h"
#include "coordinator/catalog/monitor_validation.h"
#include "google/protobuf/descriptor.h"

namespace uptime::cli::manifest {
namespace {

using google::protobuf::Message;

constexpr char kNone[] = "(none)";
constexpr char kRedactedPrefix[] = "****";

int Index(Kind kind) { return static_cast<int>(kind); }

// Names and ids of the server's objects, per kind.
struct ServerIndex {
  std::map<std::string, std::vector<std::string>> ids_by_name[4];
  std::map<std::string, std::string> name_by_id[4];
  std::map<std::string, const Message*> by_id[4];

  explicit ServerIndex(const ServerState& state) {
    for (Kind kind : kAllKinds) {
      for (const auto& [id, message] : state.Of(kind)) {
        const std::string name = NameOf(*message);
        ids_by_name[Index(kind)][name].push_back(id);
        name_by_id[Index(kind)][id] = name;
        by_id[Index(kind)][id] = message;
      }
    }
  }
};

// The server's defaults, applied to both sides before comparing so an
// omitted field equals its default.
void Normalize(Kind kind, Message* message) {
  if (kind == Kind::kMonitor) {
    coordinator::ApplyMonitorDefaults(static_cast<v1::Monitor*>(message));
  } else if (kind == Kind::kMaintenanceWindow) {
    auto* w = static_cast<v1::MaintenanceWindow*>(message);
    if (w->has_recurrence() && w->recurrence().time_zone().empty()) {
      w->mutable_recurrence()->set_time_zone("UTC");
    }
  }
}

std::map<std::string, std::string> FlatDocument(const Message& message) {
  YAML::Node doc(YAML::NodeType::Map);
  YAML::Node labels(YAML::NodeType::Map);
  for (const auto& [k, v] : LabelsOf(message)) labels[k] = v;
  doc["metadata"]["labels"] = labels;
  doc["spec"] = MessageToYaml(message, DocumentRules());
  std::map<std::string, std::string> flat;
  Flatten(doc, "", &flat);
  return flat;
}

// The top-level proto field a changed document path belongs to.
std::string MaskPathFor(const Message& message, const std::string& path) {
  if (absl::StartsWith(path, "metadata.labels")) return "labels";
  if (!absl::StartsWith(path, "spec.")) return "";
  const std::string rest = path.substr(5);
  const std::string key = rest.substr(0, rest.find_first_of(".["));
  const auto* d = message.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (DocumentKey(d->field(i), DocumentRules()) == key) return d->field(i)->name();
  }
  return "";
}

std::map<std::string, std::string> WithManagedLabel(const Message& message) {
  std::map<std::string, std::string> labels = LabelsOf(message);
  labels[kManagedByLabel] = kManagedByValue;
  return labels;
}

bool IsManaged(const Message& message) {
  auto labels = LabelsOf(message);
  auto it = labels.find(kManagedByLabel);
  return it != labels.end() && it->second == kManagedByValue;
}

// Channel secrets (see the header): makes `actual` carry the file's value
// for every secret that provably did not change, and sets the hash label on
// `desired`.
void ReconcileSecrets(v1::Channel* desired, v1::Channel* actual, const PlanOptions& options) {
  const auto actual_labels = LabelsOf(*actual);
  auto hash = actual_labels.find(kConfigHashLabel);
  const bool hash_ok =
      hash != actual_labels.end() && ConfigHashMatches(hash->second, desired->config());
  for (const auto& [key, value] : desired->config()) {
    auto it = actual->mutable_config()->find(key);
    if (hash_ok && it != actual->mutable_config()->end() &&
        absl::StartsWith(it->second, kRedactedPrefix) && Redact(value) == it->second) {
      it->second = value;
    }
  }
  auto labels = LabelsOf(*desired);
  labels[kConfigHashLabel] =
      hash_ok ? hash->second : ConfigHash(desired->config(), options.new_salt());
  SetLabels(desired, labels);
}

// Document paths whose values are secrets: from ${VAR}, or redacted by the
// server.
bool IsSecretPath(const Object* object, const std::string& path, const std::string& before) {
  if (absl::StartsWith(before, kRedactedPrefix)) return true;
  if (object == nullptr) return false;
  for (const std::string& p : object->secret_paths) {
    auto it = object->positions.find(p);
    if (it != object->positions.end() && it->second.yaml_path == path) return true;
  }
  return false;
}

std::vector<FieldChange> Differences(const Message& desired, const Message& actual,
                                     const Object* object) {
  const auto want = FlatDocument(desired);
  const auto have = FlatDocument(actual);
  std::set<std::string> paths;
  for (const auto& [k, v] : want) paths.insert(k);
  for (const auto& [k, v] : have) paths.insert(k);
  std::vector<FieldChange> changes;
  for (const std::string& path : paths) {
    auto w = want.find(path);
    auto h = have.find(path);
    const std::string after = w == want.end() ? kNone : w->second;
    const std::string before = h == have.end() ? kNone : h->second;
    if (w != want.end() && h != have.end() && w->second == h->second) continue;
    if (IsSecretPath(object, path, before)) {
      changes.push_back(
          {path,
           h == have.end() || absl::StartsWith(before, kRedactedPrefix) ? before : Redact(before),
           w == want.end() ? kNone : Redact(after)});
    } else {
      changes.push_back({path, before, after});
    }
  }
  return changes;
}

std::string Hex(const unsigned char* data, size_t size) {
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(data), size));
}

}  // namespace

std::vector<std::pair<std::string, const Message*>> ServerState::Of(Kind kind) const {
  std::vector<std::pair<std::string, const Message*>> out;
  auto add = [&](const auto& list) {
    for (const auto& m : list) out.emplace_back(m.id(), &m);
  };
  switch (kind) {
    case Kind::kChannel:
      add(channels);
      break;
    case Kind::kMonitor:
      add(monitors);
      break;
    case Kind::kMaintenanceWindow:
      add(windows);
      break;
    case Kind::kStatusPage:
      add(pages);
      break;
  }
  return out;
}

int Plan::Count(StepAction action) const {
  return static_cast<int>(
      std::count_if(steps.begin(), steps.end(), [&](const Step& s) { return s.action == action; }));
}

std::string Redact(const std::string& secret) {
  if (secret.size() < 12) return kRedactedPrefix;
  return absl::StrCat(kRedactedPrefix, secret.substr(secret.size() - 4));
}

std::string RandomSalt() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "0000000000000000";
  return Hex(bytes, sizeof bytes);
}

std::string ConfigHash(const google::protobuf::Map<std::string, std::string>& config,
                       const std::string& salt) {
  std::map<std::string, std::string> sorted(config.begin(), config.end());
  std::string input = absl::StrCat(salt, "\n");
  for (const auto& [k, v] : sorted)
    absl::StrAppend(&input, k, std::string(1, '\0'), v, std::string(1, '\0'));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha256(), nullptr);
  return absl::StrCat("v1.", salt, ".", Hex(digest, size).substr(0, 40));
}

bool ConfigHashMatches(const std::string& label,
                       const google::protobuf::Map<std::string, std::string>& config) {
  std::vector<std::string> parts = absl::StrSplit(label, '.');
  if (parts.size() != 3 || parts[0] != "v1") return false;
  return ConfigHash(config, parts[1]) == label;
}

PlanResult MakePlan(const Manifest& manifest, const ServerState& state,
                    const PlanOptions& options) {
  PlanResult result;
  PlanOptions opts = options;
  if (!opts.new_salt) opts.new_salt = RandomSalt;
  const ServerIndex index(state);
  std::set<std::pair<Kind, std::string>> pruned;
  std::vector<Step> deletes;
  if (opts.prune) {
    for (Kind kind : kAllKinds) {
      for (const auto& [id, message] : state.Of(kind)) {
        if (!IsManaged(*message) || manifest.Find(kind, NameOf(*message)) != nullptr) continue;
        pruned.insert({kind, NameOf(*message)});
        Step step;
        step.action = StepAction::kDelete;
        step.kind = kind;
        step.name = NameOf(*message);
        step.id = id;
        deletes.push_back(std::move(step));
      }
    }
    // Dependents go first: pages and windows, then monitors, then channels.
    std::stable_sort(deletes.begin(), deletes.end(),
                     [](const Step& a, const Step& b) { return a.kind > b.kind; });
  }

  for (const Object& object : manifest.objects) {
    for (const Reference& ref : object.references) {
      if (manifest.Find(ref.target, ref.name) == nullptr &&
          pruned.contains({ref.target, ref.name})) {
        result.diagnostics.push_back(
            {object.file, ref.where.position, ref.where.yaml_path,
             absl::StrCat(
                 KindName(ref.target), " '", ref.name,
                 "' is managed by uptimectl but not in the files, so --prune would delete it"),
             false});
      }
    }
    const auto& ids = index.ids_by_name[Index(object.kind)];
    auto found = ids.find(object.name);
    Step step;
    step.kind = object.kind;
    step.name = object.name;
    step.desired = object.message;
    Message* desired = std::visit([](auto& v) -> Message* { return &v; }, step.desired);
    SetLabels(desired, WithManagedLabel(*desired));
    if (found == ids.end()) {
      step.action = StepAction::kCreate;
      if (object.kind == Kind::kMaintenanceWindow) {
        absl::Status over = coordinator::ValidateWindowNotOver(
            std::get<v1::MaintenanceWindow>(object.message), opts.now);
        if (!over.ok()) result.diagnostics.push_back(DiagnosticFor(object, over));
      }
      if (object.kind == Kind::kChannel) {
        auto* channel = static_cast<v1::Channel*>(desired);
        auto labels = LabelsOf(*channel);
        labels[kConfigHashLabel] = ConfigHash(channel->config(), opts.new_salt());
        SetLabels(channel, labels);
      }
      result.plan.steps.push_back(std::move(step));
      continue;
    }
    if (found->second.size() > 1) {
      result.diagnostics.push_back(
          {object.file, object.position, "metadata.name",
           absl::StrCat(found->second.size(), " ", KindName(object.kind), "s are named '",
                        object.name, "' on the server; rename or delete all but one"),
           false});
      continue;
    }
    step.id = found->second.front();
    std::unique_ptr<Message> actual(index.by_id[Index(object.kind)].at(step.id)->New());
    actual->CopyFrom(*index.by_id[Index(object.kind)].at(step.id));
    RewriteReferences(object.kind, actual.get(), [&](Kind target, const std::string& id) {
      auto it = index.name_by_id[Index(target)].find(id);
      return it == index.name_by_id[Index(target)].end() ? id : it->second;
    });
    if (object.kind == Kind::kChannel) {
      ReconcileSecrets(static_cast<v1::Channel*>(desired), static_cast<v1::Channel*>(actual.get()),
                       opts);
    }
    Normalize(object.kind, desired);
    Normalize(object.kind, actual.get());
    step.changes = Differences(*desired, *actual, &object);
    if (step.changes.empty()) {
      ++result.plan.unchanged;
      continue;
    }
    std::set<std::string> mask;
    for (const FieldChange& c : step.changes) {
      const std::string path = MaskPathFor(*desired, c.path);
      if (!path.empty()) mask.insert(path);
    }
    for (const std::string& path : mask) step.mask.add_paths(path);
    step.action = StepAction::kUpdate;
    result.plan.steps.push_back(std::move(step));
  }
  for (Step& step : deletes) result.plan.steps.push_back(std::move(step));
  return result;
}

void PrintPlan(const Plan& plan, std::ostream& out) {
  for (const Step& step : plan.steps) {
    const std::string what = absl::StrCat(KindName(step.kind), "/", step.name);
    switch (step.action) {
      case StepAction::kCreate:
        out << "+ create " << what << "\n";
        break;
      case StepAction::kUpdate:
        out << "~ update " << what << "\n";
        for (const FieldChange& c : step.changes) {
          out << "    " << c.path << ": " << c.before << " -> " << c.after << "\n";
        }
        break;
      case StepAction::kDelete:
        out << "- delete " << what << "\n";
        break;
    }
  }
  out << "Plan: " << plan.Count(StepAction::kCreate) << " to create, "
      << plan.Count(StepAction::kUpdate) << " to update, " << plan.Count(StepAction::kDelete)
      << " to delete, " << plan.unchanged << " unchanged.\n";
}

absl::Status ExecutePlan(const Plan& plan, const ServerState& state, CatalogClient& client,
                         const std::function<void(const Step&)>& done) {
  std::map<std::string, std::string> ids[4];
  for (Kind kind : kAllKinds) {
    for (const auto& [id, message] : state.Of(kind)) ids[Index(kind)].emplace(NameOf(*message), id);
  }
  for (const Step& step : plan.steps) {
    absl::Status status;
    if (step.action == StepAction::kDelete) {
      status = client.Delete(step.kind, step.id);
    } else {
      ObjectMessage message = step.desired;
      Message* m = std::visit([](auto& v) -> Message* { return &v; }, message);
      RewriteReferences(step.kind, m, [&](Kind target, const std::string& name) {
        auto it = ids[Index(target)].find(name);
        return it == ids[Index(target)].end() ? name : it->second;
      });
      if (step.action == StepAction::kCreate) {
        absl::StatusOr<std::string> id = client.Create(step.kind, *m);
        status = id.status();
        if (id.ok()) ids[Index(step.kind)][step.name] = *id;
      } else {
        status = client.Update(step.kind, step.id, *m, step.mask);
      }
    }
    if (!status.ok()) {
      return absl::Status(
          status.code(), absl::StrCat(KindName(step.kind), "/", step.name, ": ", status.message()));
    }
    if (done) done(step);
  }
  return absl::OkStatus();
}

}  // namespace uptime::cli::manifest
