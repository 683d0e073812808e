#include "cli/manifest/plan.h"

#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "coordinator/catalog/monitor_validation.h"
#include "google/protobuf/util/field_mask_util.h"
#include "gtest/gtest.h"

namespace uptime::cli::manifest {
namespace {

using google::protobuf::util::FieldMaskUtil;

Manifest Load(const std::string& text, std::map<std::string, std::string> vars = {}) {
  LoadResult result;
  ParseManifestText("m.yaml", text, FixedEnv(std::move(vars)), &result);
  FinishManifest(&result);
  EXPECT_TRUE(result.diagnostics.empty()) << result.diagnostics[0].ToString();
  return result.manifest;
}

// The server side as far as planning can tell: ids, defaults, field masks,
// and webhook_url returned redacted.
class FakeCatalog : public CatalogClient {
 public:
  ServerState state;
  std::vector<std::string> calls;  // "update Monitor m-1 [interval]"

  absl::StatusOr<std::string> Create(Kind kind, const google::protobuf::Message& object) override {
    const std::string id = absl::StrCat("id-", ++next_id_);
    calls.push_back(absl::StrCat("create ", KindName(kind), " ", NameOf(object)));
    Store(kind, id, object);
    return id;
  }
  absl::Status Update(Kind kind, const std::string& id, const google::protobuf::Message& object,
                      const google::protobuf::FieldMask& mask) override {
    calls.push_back(absl::StrCat("update ", KindName(kind), " ", NameOf(object), " [",
                                 absl::StrJoin(mask.paths(), ","), "]"));
    for (const auto& [existing_id, existing] : state.Of(kind)) {
      if (existing_id != id) continue;
      std::unique_ptr<google::protobuf::Message> merged(existing->New());
      merged->CopyFrom(kind == Kind::kChannel ? secrets_.at(id) : *existing);
      FieldMaskUtil::MergeOptions options;
      options.set_replace_message_fields(true);
      options.set_replace_repeated_fields(true);
      FieldMaskUtil::MergeMessageTo(object, mask, options, merged.get());
      Store(kind, id, *merged);
      return absl::OkStatus();
    }
    return absl::NotFoundError(id);
  }
  absl::Status Delete(Kind kind, const std::string& id) override {
    calls.push_back(absl::StrCat("delete ", KindName(kind), " ", id));
    auto erase = [&](auto& list) {
      list.erase(
          std::remove_if(list.begin(), list.end(), [&](const auto& m) { return m.id() == id; }),
          list.end());
    };
    if (kind == Kind::kChannel) erase(state.channels);
    if (kind == Kind::kMonitor) erase(state.monitors);
    if (kind == Kind::kMaintenanceWindow) erase(state.windows);
    if (kind == Kind::kStatusPage) erase(state.pages);
    return absl::OkStatus();
  }

 private:
  template <typename T>
  void Put(std::vector<T>& list, T value) {
    for (T& existing : list) {
      if (existing.id() == value.id()) {
        existing = value;
        return;
      }
    }
    list.push_back(value);
  }
  void Store(Kind kind, const std::string& id, const google::protobuf::Message& object) {
    switch (kind) {
      case Kind::kChannel: {
        v1::Channel c;
        c.CopyFrom(object);
        c.set_id(id);
        secrets_[id] = c;
        auto it = c.mutable_config()->find("webhook_url");
        if (it != c.mutable_config()->end()) it->second = Redact(it->second);
        Put(state.channels, c);
        break;
      }
      case Kind::kMonitor: {
        v1::Monitor m;
        m.CopyFrom(object);
        m.set_id(id);
        coordinator::ApplyMonitorDefaults(&m);
        Put(state.monitors, m);
        break;
      }
      case Kind::kMaintenanceWindow: {
        v1::MaintenanceWindow w;
        w.CopyFrom(object);
        w.set_id(id);
        Put(state.windows, w);
        break;
      }
      case Kind::kStatusPage: {
        v1::StatusPage p;
        p.CopyFrom(object);
        p.set_id(id);
        Put(state.pages, p);
        break;
      }
    }
  }
  int next_id_ = 0;
  std::map<std::string, v1::Channel> secrets_;
};

constexpr char kFiles[] = R"(apiVersion: uptime.dev/v1
kind: Channel
metadata: {name: oncall}
spec: {type: slack, config: {webhook_url: "${HOOK}"}}
---
apiVersion: uptime.dev/v1
kind: Monitor
metadata: {name: api, labels: {team: core}}
spec:
  http: {url: "https://api.example.com/health"}
  interval: 30s
  channels: [oncall]
---
apiVersion: uptime.dev/v1
kind: StatusPage
metadata: {name: public}
spec:
  title: Example
  groups: [{name: API, monitors: [api]}]
)";

PlanOptions Fixed() {
  return {.prune = false,
          .now = absl::FromUnixSeconds(1'700'000'000),
          .new_salt = [] { return std::string("00112233aabbccdd"); }};
}

Plan Apply(FakeCatalog& catalog, const Manifest& manifest, PlanOptions options = Fixed()) {
  PlanResult planned = MakePlan(manifest, catalog.state, options);
  EXPECT_TRUE(planned.diagnostics.empty()) << planned.diagnostics[0].ToString();
  EXPECT_TRUE(ExecutePlan(planned.plan, catalog.state, catalog, nullptr).ok());
  return planned.plan;
}

const std::map<std::string, std::string> kVars = {
    {"HOOK", "https://hooks.slack.com/services/T0/B0/secret1"}};

TEST(PlanTest, CreatesInDependencyOrderWithIdsThenASecondApplyChangesNothing) {
  FakeCatalog catalog;
  Plan first = Apply(catalog, Load(kFiles, kVars));
  EXPECT_EQ(first.Count(StepAction::kCreate), 3);
  EXPECT_EQ(catalog.calls, (std::vector<std::string>{"create Channel oncall", "create Monitor api",
                                                     "create StatusPage public"}));
  ASSERT_EQ(catalog.state.monitors.size(), 1u);
  EXPECT_EQ(catalog.state.monitors[0].channel_ids(0), catalog.state.channels[0].id());
  EXPECT_EQ(catalog.state.pages[0].groups(0).monitor_ids(0), catalog.state.monitors[0].id());
  EXPECT_EQ(catalog.state.monitors[0].labels().at(kManagedByLabel), kManagedByValue);

  catalog.calls.clear();
  PlanResult again = MakePlan(Load(kFiles, kVars), catalog.state, Fixed());
  EXPECT_TRUE(again.plan.empty());
  EXPECT_EQ(again.plan.unchanged, 3);
}

TEST(PlanTest, AChangedFieldUpdatesExactlyThatFieldAndSecretsAreRedacted) {
  FakeCatalog catalog;
  Apply(catalog, Load(kFiles, kVars));
  catalog.calls.clear();
  auto vars = kVars;
  vars["HOOK"] = "https://hooks.slack.com/services/T0/B0/secret2";
  std::string files = kFiles;
  files.replace(files.find("interval: 30s"), 13, "interval: 45s");
  PlanResult planned = MakePlan(Load(files, vars), catalog.state, Fixed());
  std::ostringstream printed;
  PrintPlan(planned.plan, printed);
  EXPECT_EQ(printed.str(),
            "~ update Channel/oncall\n"
            "    metadata.labels.uptime.dev/config-hash: " +
                LabelsOf(catalog.state.channels[0]).at(kConfigHashLabel) + " -> " +
                ConfigHash(std::get<v1::Channel>(Load(files, vars).objects[0].message).config(),
                           "00112233aabbccdd") +
                "\n"
                "    spec.config.webhook_url: ****ret1 -> ****ret2\n"
                "~ update Monitor/api\n"
                "    spec.interval: 30s -> 45s\n"
                "Plan: 0 to create, 2 to update, 0 to delete, 1 unchanged.\n");
  EXPECT_EQ(printed.str().find("secret2"), std::string::npos);
  ASSERT_TRUE(ExecutePlan(planned.plan, catalog.state, catalog, nullptr).ok());
  EXPECT_EQ(catalog.calls, (std::vector<std::string>{"update Channel oncall [config,labels]",
                                                     "update Monitor api [interval]"}));
  EXPECT_TRUE(MakePlan(Load(files, vars), catalog.state, Fixed()).plan.empty());
}

TEST(PlanTest, PruneDeletesOnlyManagedObjectsDependentsFirst) {
  FakeCatalog catalog;
  Apply(catalog, Load(kFiles, kVars));
  v1::Monitor unmanaged;
  unmanaged.set_id("hand-made");
  unmanaged.set_name("by-hand");
  unmanaged.mutable_tcp()->set_host("h");
  catalog.state.monitors.push_back(unmanaged);
  catalog.calls.clear();
  const std::string only_channel = R"(apiVersion: uptime.dev/v1
kind: Channel
metadata: {name: oncall}
spec: {type: slack, config: {webhook_url: "${HOOK}"}}
)";
  PlanOptions prune = Fixed();
  prune.prune = true;
  Plan plan = Apply(catalog, Load(only_channel, kVars), prune);
  EXPECT_EQ(plan.Count(StepAction::kDelete), 2);
  EXPECT_EQ(catalog.calls,
            (std::vector<std::string>{"delete StatusPage id-3", "delete Monitor id-2"}));
  ASSERT_EQ(catalog.state.monitors.size(), 1u);
  EXPECT_EQ(catalog.state.monitors[0].name(), "by-hand");
}

TEST(PlanTest, AReferenceToAnObjectPruneWouldDeleteIsAnError) {
  FakeCatalog catalog;
  Apply(catalog, Load(kFiles, kVars));
  const std::string monitor_only = R"(apiVersion: uptime.dev/v1
kind: Monitor
metadata: {name: api}
spec: {tcp: {host: h, port: 1}, channels: [oncall]}
)";
  PlanOptions prune = Fixed();
  prune.prune = true;
  PlanResult planned = MakePlan(Load(monitor_only), catalog.state, prune);
  ASSERT_EQ(planned.diagnostics.size(), 1u);
  EXPECT_EQ(planned.diagnostics[0].ToString(),
            "m.yaml:4:44: spec.channels[0]: Channel 'oncall' is managed by uptimectl but not in "
            "the files, so --prune would delete it");
}

TEST(PlanTest, CreatingAWindowThatIsAlreadyOverIsAnError) {
  FakeCatalog catalog;
  const std::string window = R"(apiVersion: uptime.dev/v1
kind: MaintenanceWindow
metadata: {name: past}
spec:
  labelSelector: team=core
  startTime: "2020-01-01T00:00:00Z"
  endTime: "2020-01-01T01:00:00Z"
)";
  PlanResult planned = MakePlan(Load(window), catalog.state, Fixed());
  ASSERT_EQ(planned.diagnostics.size(), 1u);
  EXPECT_EQ(planned.diagnostics[0].file, "m.yaml");
  EXPECT_EQ(planned.diagnostics[0].position.line, 7);
  EXPECT_EQ(planned.diagnostics[0].field, "spec.endTime");
}

TEST(PlanTest, ConfigHashIsSaltedAndVerifiable) {
  google::protobuf::Map<std::string, std::string> config;
  config["webhook_url"] = "https://x/secret";
  const std::string a = ConfigHash(config, "aa");
  EXPECT_NE(a, ConfigHash(config, "bb"));
  EXPECT_TRUE(ConfigHashMatches(a, config));
  config["webhook_url"] = "https://x/other";
  EXPECT_FALSE(ConfigHashMatches(a, config));
  EXPECT_EQ(a.find("secret"), std::string::npos);
}

}  // namespace
}  // namespace uptime::cli::manifest
