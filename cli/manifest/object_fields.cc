// The parts of manifest.h every kind shares: kind names, the document
// format's rules, and an object's name, labels and references by name, read
// and written through reflection. Reading documents is in manifest.cc.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/manifest/manifest.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace uptime::cli::manifest {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

FormatRules MakeDocumentRules() {
  FormatRules rules;
  for (const char* f : {"id", "name", "labels", "paused", "create_time", "update_time"}) {
    rules.hidden.insert(absl::StrCat("uptime.v1.Monitor.", f));
  }
  for (const char* f : {"id", "name", "labels", "create_time", "update_time"}) {
    rules.hidden.insert(absl::StrCat("uptime.v1.Channel.", f));
  }
  for (const char* f :
       {"id", "name", "labels", "create_time", "update_time", "active", "next_occurrence"}) {
    rules.hidden.insert(absl::StrCat("uptime.v1.MaintenanceWindow.", f));
  }
  for (const char* f : {"id", "slug", "labels", "create_time", "update_time"}) {
    rules.hidden.insert(absl::StrCat("uptime.v1.StatusPage.", f));
  }
  rules.hidden.insert("uptime.v1.StatusPageGroup.resolved_monitor_ids");
  rules.renamed["uptime.v1.Monitor.channel_ids"] = "channels";
  rules.renamed["uptime.v1.MaintenanceWindow.monitor_ids"] = "monitors";
  rules.renamed["uptime.v1.StatusPageGroup.monitor_ids"] = "monitors";
  return rules;
}

}  // namespace

const FormatRules& DocumentRules() {
  static const FormatRules* rules = new FormatRules(MakeDocumentRules());
  return *rules;
}

absl::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kChannel:
      return "Channel";
    case Kind::kMonitor:
      return "Monitor";
    case Kind::kMaintenanceWindow:
      return "MaintenanceWindow";
    case Kind::kStatusPage:
      return "StatusPage";
  }
  return "";
}

bool ParseKind(absl::string_view text, Kind* kind) {
  const std::string lower = absl::AsciiStrToLower(text);
  static const std::pair<const char*, Kind> kNames[] = {
      {"channel", Kind::kChannel},
      {"channels", Kind::kChannel},
      {"monitor", Kind::kMonitor},
      {"monitors", Kind::kMonitor},
      {"maintenancewindow", Kind::kMaintenanceWindow},
      {"maintenancewindows", Kind::kMaintenanceWindow},
      {"maintenance", Kind::kMaintenanceWindow},
      {"statuspage", Kind::kStatusPage},
      {"statuspages", Kind::kStatusPage},
      {"status-pages", Kind::kStatusPage},
  };
  for (const auto& [name, k] : kNames) {
    if (lower == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

std::string NameOf(const Message& message) {
  const auto* d = message.GetDescriptor();
  const FieldDescriptor* f =
      d->FindFieldByName(d == v1::StatusPage::descriptor() ? "slug" : "name");
  return message.GetReflection()->GetString(message, f);
}

void SetName(Message* message, const std::string& name) {
  const auto* d = message->GetDescriptor();
  const FieldDescriptor* f =
      d->FindFieldByName(d == v1::StatusPage::descriptor() ? "slug" : "name");
  message->GetReflection()->SetString(message, f, name);
}

const FieldDescriptor* LabelsField(const Message& message) {
  const FieldDescriptor* f = message.GetDescriptor()->FindFieldByName("labels");
  return f != nullptr && f->is_map() ? f : nullptr;
}

std::map<std::string, std::string> LabelsOf(const Message& message) {
  std::map<std::string, std::string> out;
  const FieldDescriptor* f = LabelsField(message);
  if (f == nullptr) return out;
  const auto* r = message.GetReflection();
  for (int i = 0; i < r->FieldSize(message, f); ++i) {
    const Message& entry = r->GetRepeatedMessage(message, f, i);
    const auto* er = entry.GetReflection();
    out[er->GetString(entry, f->message_type()->map_key())] =
        er->GetString(entry, f->message_type()->map_value());
  }
  return out;
}

void SetLabels(Message* message, const std::map<std::string, std::string>& labels) {
  const FieldDescriptor* f = LabelsField(*message);
  if (f == nullptr) return;
  const auto* r = message->GetReflection();
  r->ClearField(message, f);
  for (const auto& [k, v] : labels) {
    Message* entry = r->AddMessage(message, f);
    entry->GetReflection()->SetString(entry, f->message_type()->map_key(), k);
    entry->GetReflection()->SetString(entry, f->message_type()->map_value(), v);
  }
}

std::vector<Reference> ReferencesOf(Kind kind, const Message& message) {
  std::vector<Reference> out;
  auto add = [&](Kind target, const std::string& name, std::string path) {
    out.push_back({target, name, std::move(path), {}});
  };
  if (kind == Kind::kMonitor) {
    const auto& m = static_cast<const v1::Monitor&>(message);
    for (int i = 0; i < m.channel_ids_size(); ++i) {
      add(Kind::kChannel, m.channel_ids(i), absl::StrCat("channel_ids[", i, "]"));
    }
  } else if (kind == Kind::kMaintenanceWindow) {
    const auto& w = static_cast<const v1::MaintenanceWindow&>(message);
    for (int i = 0; i < w.monitor_ids_size(); ++i) {
      add(Kind::kMonitor, w.monitor_ids(i), absl::StrCat("monitor_ids[", i, "]"));
    }
  } else if (kind == Kind::kStatusPage) {
    const auto& p = static_cast<const v1::StatusPage&>(message);
    for (int g = 0; g < p.groups_size(); ++g) {
      for (int i = 0; i < p.groups(g).monitor_ids_size(); ++i) {
        add(Kind::kMonitor, p.groups(g).monitor_ids(i),
            absl::StrCat("groups[", g, "].monitor_ids[", i, "]"));
      }
    }
  }
  return out;
}

void RewriteReferences(Kind kind, Message* message,
                       const std::function<std::string(Kind, const std::string&)>& map) {
  auto rewrite = [&](Kind target, google::protobuf::RepeatedPtrField<std::string>* ids) {
    for (std::string& id : *ids) id = map(target, id);
  };
  if (kind == Kind::kMonitor) {
    rewrite(Kind::kChannel, static_cast<v1::Monitor*>(message)->mutable_channel_ids());
  } else if (kind == Kind::kMaintenanceWindow) {
    rewrite(Kind::kMonitor, static_cast<v1::MaintenanceWindow*>(message)->mutable_monitor_ids());
  } else if (kind == Kind::kStatusPage) {
    for (auto& group : *static_cast<v1::StatusPage*>(message)->mutable_groups()) {
      rewrite(Kind::kMonitor, group.mutable_monitor_ids());
    }
  }
}

}  // namespace uptime::cli::manifest
