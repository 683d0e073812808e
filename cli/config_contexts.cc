#include "cli/config_contexts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "yaml-cpp/yaml.h"

namespace uptime::cli {
namespace {

// "PATH:LINE: FIELD: problem"; yaml-cpp counts lines from 0.
absl::Status FieldError(absl::string_view path, const YAML::Node& node, absl::string_view field,
                        absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(path, ":", node.Mark().line + 1, ": ", field, ": ", problem));
}

absl::StatusOr<std::string> ScalarField(absl::string_view path, const YAML::Node& node,
                                        absl::string_view field) {
  if (!node.IsScalar()) return FieldError(path, node, field, "expected a string");
  return node.Scalar();
}

absl::StatusOr<bool> BoolField(absl::string_view path, const YAML::Node& node,
                               absl::string_view field) {
  bool value = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
    return FieldError(path, node, field, "expected true or false");
  }
  return value;
}

absl::Status ParseTls(absl::string_view path, const YAML::Node& node, absl::string_view prefix,
                      ContextTls& tls) {
  if (!node.IsMap()) return FieldError(path, node, prefix, "expected a mapping");
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    const std::string field = absl::StrCat(prefix, ".", key);
    if (key == "enabled") {
      absl::StatusOr<bool> enabled = BoolField(path, entry.second, field);
      if (!enabled.ok()) return enabled.status();
      tls.enabled = *enabled;
      continue;
    }
    std::string* target = key == "ca"            ? &tls.ca
                          : key == "cert"        ? &tls.cert
                          : key == "key"         ? &tls.key
                          : key == "server-name" ? &tls.server_name
                                                 : nullptr;
    if (target == nullptr) {
      return FieldError(path, entry.first, field,
                        "unknown key (expected enabled, ca, cert, key or server-name)");
    }
    absl::StatusOr<std::string> value = ScalarField(path, entry.second, field);
    if (!value.ok()) return value.status();
    *target = *std::move(value);
  }
  return absl::OkStatus();
}

absl::StatusOr<Context> ParseContext(absl::string_view path, const YAML::Node& node,
                                     absl::string_view prefix) {
  if (!node.IsMap()) return FieldError(path, node, prefix, "expected a mapping");
  Context context;
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    const std::string field = absl::StrCat(prefix, ".", key);
    if (key == "tls") {
      if (absl::Status s = ParseTls(path, entry.second, field, context.tls); !s.ok()) return s;
      continue;
    }
    std::string* target = key == "name"         ? &context.name
                          : key == "addr"       ? &context.addr
                          : key == "token"      ? &context.token
                          : key == "token-file" ? &context.token_file
                          : key == "timeout"    ? &context.timeout
                                                : nullptr;
    if (target == nullptr) {
      return FieldError(path, entry.first, field,
                        "unknown key (expected name, addr, token, token-file, timeout or tls)");
    }
    absl::StatusOr<std::string> value = ScalarField(path, entry.second, field);
    if (!value.ok()) return value.status();
    *target = *std::move(value);
  }
  if (context.name.empty()) {
    return FieldError(path, node, absl::StrCat(prefix, ".name"), "required");
  }
  if (!context.token.empty() && !context.token_file.empty()) {
    return FieldError(path, node, prefix, "token and token-file are mutually exclusive");
  }
  if (!context.timeout.empty()) {
    absl::Duration timeout;
    if (!absl::ParseDuration(context.timeout, &timeout) || timeout <= absl::ZeroDuration() ||
        timeout == absl::InfiniteDuration()) {
      return FieldError(path, node["timeout"], absl::StrCat(prefix, ".timeout"),
                        absl::StrCat("expected a positive duration such as 10s, got '",
                                     context.timeout, "'"));
    }
  }
  return context;
}

void EmitString(YAML::Emitter& out, const char* key, const std::string& value) {
  if (!value.empty()) out << YAML::Key << key << YAML::Value << value;
}

}  // namespace

std::optional<std::string> SystemGetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Context* ContextsFile::Find(absl::string_view name) {
  for (Context& c : contexts) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const Context* ContextsFile::Find(absl::string_view name) const {
  return const_cast<ContextsFile*>(this)->Find(name);
}

absl::StatusOr<std::string> ConfigPath(const GetEnv& getenv) {
  // Empty variables count as unset, as in the XDG base directory spec.
  if (std::optional<std::string> path = getenv("UPTIMECTL_CONFIG"); path && !path->empty()) {
    return *path;
  }
  if (std::optional<std::string> xdg = getenv("XDG_CONFIG_HOME"); xdg && !xdg->empty()) {
    return absl::StrCat(*xdg, "/uptimectl/config.yaml");
  }
  if (std::optional<std::string> home = getenv("HOME"); home && !home->empty()) {
    return absl::StrCat(*home, "/.config/uptimectl/config.yaml");
  }
  return absl::FailedPreconditionError(
      "cannot locate the config file: set UPTIMECTL_CONFIG, XDG_CONFIG_HOME or HOME");
}

absl::StatusOr<ContextsFile> ParseContexts(absl::string_view text, absl::string_view path) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", e.mark.line + 1, ": not valid YAML: ", e.msg));
  }
  ContextsFile file;
  if (root.IsNull()) return file;  // an empty file
  if (!root.IsMap()) return FieldError(path, root, "(top level)", "expected a mapping");
  std::set<std::string> names;
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    if (key == "current-context") {
      absl::StatusOr<std::string> current = ScalarField(path, entry.second, key);
      if (!current.ok()) return current.status();
      file.current_context = *std::move(current);
    } else if (key == "contexts") {
      if (entry.second.IsNull()) continue;
      if (!entry.second.IsSequence()) return FieldError(path, entry.second, key, "expected a list");
      for (size_t i = 0; i < entry.second.size(); ++i) {
        const YAML::Node item = entry.second[i];
        absl::StatusOr<Context> context = ParseContext(path, item, absl::StrCat("contexts[", i, "]"));
        if (!context.ok()) return context.status();
        if (!names.insert(context->name).second) {
          return FieldError(path, item, absl::StrCat("contexts[", i, "].name"),
                            absl::StrCat("duplicate context '", context->name, "'"));
        }
        file.contexts.push_back(*std::move(context));
      }
    } else {
      return FieldError(path, entry.first, key,
                        "unknown key (expected current-context or contexts)");
    }
  }
  return file;
}

absl::StatusOr<ContextsFile> LoadContexts(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return ContextsFile{};
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseContexts(text.str(), path);
}

std::string SerializeContexts(const ContextsFile& file, bool redact) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  EmitString(out, "current-context", file.current_context);
  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq;
  for (const Context& c : file.contexts) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << c.name;
    EmitString(out, "addr", c.addr);
    EmitString(out, "token", c.token.empty() || !redact ? c.token : std::string("REDACTED"));
    EmitString(out, "token-file", c.token_file);
    EmitString(out, "timeout", c.timeout);
    const ContextTls& tls = c.tls;
    if (tls.enabled || !tls.ca.empty() || !tls.cert.empty() || !tls.key.empty() ||
        !tls.server_name.empty()) {
      out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
      if (tls.enabled) out << YAML::Key << "enabled" << YAML::Value << *tls.enabled;
      EmitString(out, "ca", tls.ca);
      EmitString(out, "cert", tls.cert);
      EmitString(out, "key", tls.key);
      EmitString(out, "server-name", tls.server_name);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return absl::StrCat(out.c_str(), "\n");
}

absl::Status SaveContexts(const std::string& path, const ContextsFile& file) {
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path() && !std::filesystem::exists(target.parent_path(), ec)) {
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create ", target.parent_path().string(), ": ", ec.message()));
    }
    // Only the directory made here: an existing one keeps the owner's mode.
    std::filesystem::permissions(target.parent_path(), std::filesystem::perms::owner_all, ec);
  }
  // mkstemp creates the file 0600: the token is never readable by others,
  // not even between write and rename.
  std::string temp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  const std::string text = SerializeContexts(file, /*redact=*/false);
  size_t written = 0;
  bool ok = true;
  while (written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    written += static_cast<size_t>(n);
  }
  const int saved_errno = errno;
  ok = ok && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
    const int error = ok ? errno : saved_errno;
    unlink(temp.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Context>> SelectContext(const ContextsFile& file,
                                                     const std::string& flag,
                                                     absl::string_view path) {
  if (!flag.empty()) {
    const Context* c = file.Find(flag);
    if (c == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("--context: no context '", flag, "' in ", path,
                       " (see `uptimectl config get-contexts`)"));
    }
    return *c;
  }
  if (file.current_context.empty()) return std::nullopt;
  const Context* c = file.Find(file.current_context);
  if (c == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": current-context: no context '",
                                                   file.current_context, "' in the file"));
  }
  return *c;
}

std::string ContextFilePath(absl::string_view value, absl::string_view config_path,
                            const GetEnv& getenv) {
  if (value.empty() || absl::StartsWith(value, "/")) return std::string(value);
  if (absl::StartsWith(value, "~/")) {
    std::optional<std::string> home = getenv("HOME");
    if (home) return absl::StrCat(*home, value.substr(1));
    return std::string(value);
  }
  const std::filesystem::path dir = std::filesystem::path(std::string(config_path)).parent_path();
  return (dir / std::string(value)).string();
}

}  // namespace uptime::cli
