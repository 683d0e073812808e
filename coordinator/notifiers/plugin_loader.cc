#include "coordinator/notifiers/plugin_loader.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "coordinator/notifiers/alert_json.h"
#include "coordinator/notifiers/http_post.h"
#include "coordinator/notifiers/plugin_abi.h"
#include "spdlog/spdlog.h"

namespace uptime::notifiers {
namespace {

// A loaded shared object. Never dlclose'd once a factory exists: code of a
// plugin may still run in detached threads it started, and unloading buys
// nothing in a long-running coordinator.
struct PluginLibrary {
  void* handle = nullptr;
  const uptime_notifier_plugin_v1_t* plugin = nullptr;
  std::string path;
};

uptime_plugin_result_t EmptyResult() {
  uptime_plugin_result_t result;
  std::memset(&result, 0, sizeof(result));
  result.retry_after_ms = -1;
  return result;
}

// The message, NUL-terminated even if the plugin filled the buffer.
std::string MessageOf(uptime_plugin_result_t& result) {
  result.message[UPTIME_PLUGIN_MESSAGE_SIZE - 1] = '\0';
  return result.message;
}

// Keeps the strings alive while the plugin reads the C view of a config.
class CConfig {
 public:
  explicit CConfig(const NotifierConfig& config) {
    for (const auto& [key, value] : config) kv_.push_back({key.c_str(), value.c_str()});
  }
  const uptime_kv_t* data() const { return kv_.empty() ? nullptr : kv_.data(); }
  size_t size() const { return kv_.size(); }

 private:
  std::vector<uptime_kv_t> kv_;
};

class PluginNotifier : public Notifier {
 public:
  PluginNotifier(std::shared_ptr<PluginLibrary> library, void* instance,
                 std::vector<std::string> secrets, const NotifierDeps& deps)
      : library_(std::move(library)),
        instance_(instance),
        secrets_(std::move(secrets)),
        clock_(deps.clock != nullptr ? deps.clock : RealClock::Get()) {}

  ~PluginNotifier() override { library_->plugin->destroy(instance_); }

  absl::Status Send(const Alert& alert) override {
    const std::string json = AlertToJson(alert, clock_->Now());
    uptime_plugin_result_t result = EmptyResult();
    int32_t code;
    {
      // The ABI promises plugins no concurrent send() per instance.
      absl::MutexLock lock(&mu_);
      code = library_->plugin->send(instance_, json.c_str(), json.size(), &result);
    }
    const std::string message = ScrubSecrets(
        absl::StrCat("plugin ", library_->plugin->name, ": ", MessageOf(result)), secrets_);
    switch (code) {
      case UPTIME_PLUGIN_OK:
        return absl::OkStatus();
      case UPTIME_PLUGIN_RETRY: {
        std::optional<absl::Duration> after;
        if (result.retry_after_ms >= 0) after = absl::Milliseconds(result.retry_after_ms);
        return RetryableError(message, after);
      }
      case UPTIME_PLUGIN_PERMANENT:
        return PermanentError(message);
      default:
        return absl::InternalError(absl::StrCat(message, " (unknown result code ", code, ")"));
    }
  }

 private:
  const std::shared_ptr<PluginLibrary> library_;
  void* const instance_;
  const std::vector<std::string> secrets_;
  Clock* const clock_;
  absl::Mutex mu_;
};

class PluginFactory : public NotifierFactory {
 public:
  explicit PluginFactory(std::shared_ptr<PluginLibrary> library) : library_(std::move(library)) {}

  std::string name() const override { return library_->plugin->name; }

  absl::Status ValidateConfig(const NotifierConfig& config) const override {
    CConfig c(config);
    uptime_plugin_result_t result = EmptyResult();
    if (library_->plugin->validate(c.data(), c.size(), &result) == UPTIME_PLUGIN_OK) {
      return absl::OkStatus();
    }
    std::string message = MessageOf(result);
    if (message.empty()) message = absl::StrCat("config: rejected by plugin ", name());
    return absl::InvalidArgumentError(ScrubSecrets(std::move(message), SecretValues(config)));
  }

  std::vector<std::string> SecretKeys() const override {
    std::vector<std::string> keys;
    const char* const* list = library_->plugin->secret_keys;
    for (; list != nullptr && *list != nullptr; ++list) keys.emplace_back(*list);
    return keys;
  }

  absl::StatusOr<std::unique_ptr<Notifier>> Create(const NotifierConfig& config,
                                                   const NotifierDeps& deps) const override {
    if (absl::Status s = ValidateConfig(config); !s.ok()) return s;
    CConfig c(config);
    uptime_plugin_result_t result = EmptyResult();
    void* instance = library_->plugin->create(c.data(), c.size(), &result);
    if (instance == nullptr) {
      return absl::FailedPreconditionError(ScrubSecrets(
          absl::StrCat("plugin ", name(), ": create failed: ", MessageOf(result)),
          SecretValues(config)));
    }
    return std::make_unique<PluginNotifier>(library_, instance, SecretValues(config), deps);
  }

 private:
  std::vector<std::string> SecretValues(const NotifierConfig& config) const {
    std::vector<std::string> values;
    for (const std::string& key : SecretKeys()) {
      auto it = config.find(key);
      if (it != config.end()) values.push_back(it->second);
    }
    return values;
  }

  const std::shared_ptr<PluginLibrary> library_;
};

absl::Status Malformed(const std::string& path, absl::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat("notifier plugin ", path, ": ", why));
}

}  // namespace

absl::StatusOr<std::string> LoadNotifierPlugin(const std::string& path,
                                               NotifierRegistry* registry) {
  // RTLD_LOCAL keeps one plugin's symbols from satisfying another's.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = dlerror();
    return Malformed(path, absl::StrCat("cannot load: ", error != nullptr ? error : "unknown"));
  }
  // Any failure below unloads again: nothing refers to the library yet.
  std::unique_ptr<void, int (*)(void*)> guard(handle, &dlclose);
  auto entry = reinterpret_cast<uptime_notifier_plugin_v1_fn>(
      dlsym(handle, UPTIME_NOTIFIER_PLUGIN_SYMBOL_V1));
  if (entry == nullptr) {
    return Malformed(path, absl::StrCat("does not export ", UPTIME_NOTIFIER_PLUGIN_SYMBOL_V1,
                                        "() (not an uptime notifier plugin?)"));
  }
  const uptime_notifier_plugin_v1_t* plugin = entry();
  if (plugin == nullptr) return Malformed(path, "entry point returned NULL");
  if (plugin->abi_version != UPTIME_NOTIFIER_ABI_VERSION) {
    return Malformed(path, absl::StrCat("ABI version ", plugin->abi_version,
                                        ", but this coordinator supports version ",
                                        UPTIME_NOTIFIER_ABI_VERSION));
  }
  if (plugin->name == nullptr || !IsValidNotifierName(plugin->name)) {
    return Malformed(path, "name must be 1..64 characters of [a-z0-9_-]");
  }
  if (plugin->validate == nullptr || plugin->create == nullptr || plugin->destroy == nullptr ||
      plugin->send == nullptr) {
    return Malformed(path, "descriptor lacks validate, create, destroy or send");
  }
  auto library = std::make_shared<PluginLibrary>();
  library->handle = handle;
  library->plugin = plugin;
  library->path = path;
  std::string name = plugin->name;
  if (absl::Status s = registry->Register(std::make_unique<PluginFactory>(library)); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("notifier plugin ", path, ": ", s.message()));
  }
  guard.release();
  return name;
}

absl::StatusOr<std::vector<PluginLoadResult>> LoadNotifierPlugins(const std::string& dir,
                                                                  NotifierRegistry* registry) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    const absl::StatusCode code = ec == std::errc::no_such_file_or_directory
                                      ? absl::StatusCode::kNotFound
                                      : absl::StatusCode::kFailedPrecondition;
    return absl::Status(code,
                        absl::StrCat("notifier plugin directory ", dir, ": ", ec.message()));
  }
  std::vector<std::string> paths;
  for (const fs::directory_entry& entry : it) {
    if (entry.is_regular_file(ec) && absl::EndsWith(entry.path().filename().string(), ".so")) {
      paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<PluginLoadResult> results;
  for (const std::string& path : paths) {
    PluginLoadResult result{path, LoadNotifierPlugin(path, registry)};
    if (result.name.ok()) {
      spdlog::info("loaded notifier plugin \"{}\" from {}", *result.name, path);
    } else {
      spdlog::error("skipped notifier plugin: {}", result.name.status().message());
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace uptime::notifiers
