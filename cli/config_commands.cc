#include "cli/config_commands.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/config_contexts.h"
#include "common/status_macros.h"
#include "google/protobuf/struct.pb.h"

namespace uptime::cli {
namespace {

// What `set-context` was given; unset options leave the field as it was.
struct SetContextFlags {
  std::string name;
  std::string addr;
  std::string token;
  std::string token_file;
  std::string timeout;
  bool tls = false;
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_server_name;
  // Options, to tell "given" from "left at the default".
  CLI::Option* addr_opt = nullptr;
  CLI::Option* token_opt = nullptr;
  CLI::Option* token_file_opt = nullptr;
  CLI::Option* timeout_opt = nullptr;
  CLI::Option* tls_opt = nullptr;
  CLI::Option* tls_ca_opt = nullptr;
  CLI::Option* tls_cert_opt = nullptr;
  CLI::Option* tls_key_opt = nullptr;
  CLI::Option* tls_server_name_opt = nullptr;
  bool use = false;
};

// Malformed files are the user's to fix: exit code 2, like a bad flag.
absl::StatusOr<ContextsFile> Load(const absl::StatusOr<std::string>& path) {
  if (!path.ok()) return UsageError(path.status());
  absl::StatusOr<ContextsFile> file = LoadContexts(*path);
  if (!file.ok()) return UsageError(file.status());
  return file;
}

std::string AuthOf(const Context& c) {
  if (!c.token_file.empty()) return absl::StrCat("token-file ", c.token_file);
  if (!c.token.empty()) return "token (inline)";
  return "-";
}

// A context for JSON and YAML output; never the token itself.
google::protobuf::Struct ContextDoc(const Context& c, bool current) {
  google::protobuf::Struct doc;
  auto& f = *doc.mutable_fields();
  f["name"].set_string_value(c.name);
  f["current"].set_bool_value(current);
  if (!c.addr.empty()) f["addr"].set_string_value(c.addr);
  if (!c.token.empty()) f["token"].set_string_value("REDACTED");
  if (!c.token_file.empty()) f["tokenFile"].set_string_value(c.token_file);
  if (!c.timeout.empty()) f["timeout"].set_string_value(c.timeout);
  auto& tls = *f["tls"].mutable_struct_value()->mutable_fields();
  if (c.tls.enabled) tls["enabled"].set_bool_value(*c.tls.enabled);
  if (!c.tls.ca.empty()) tls["ca"].set_string_value(c.tls.ca);
  if (!c.tls.cert.empty()) tls["cert"].set_string_value(c.tls.cert);
  if (!c.tls.key.empty()) tls["key"].set_string_value(c.tls.key);
  if (!c.tls.server_name.empty()) tls["serverName"].set_string_value(c.tls.server_name);
  if (tls.empty()) f.erase("tls");
  return doc;
}

absl::Status GetContexts(CommandEnv& env, const absl::StatusOr<std::string>& path) {
  ASSIGN_OR_RETURN(ContextsFile file, Load(path));
  if (env.printer->format() == OutputFormat::kTable && file.contexts.empty()) {
    *env.err << "no contexts in " << *path
             << ": add one with `uptimectl config set-context NAME --addr HOST:PORT`\n";
    return absl::OkStatus();
  }
  google::protobuf::Struct doc;
  auto* list = (*doc.mutable_fields())["contexts"].mutable_list_value();
  for (const Context& c : file.contexts) {
    *list->add_values()->mutable_struct_value() = ContextDoc(c, c.name == file.current_context);
  }
  return env.printer->Print(doc, [&] {
    Table table({"CURRENT", "NAME", "ADDR", "AUTH", "TLS", "TIMEOUT"});
    for (const Context& c : file.contexts) {
      table.AddRow({c.name == file.current_context ? "*" : "", c.name,
                    c.addr.empty() ? "-" : c.addr, AuthOf(c),
                    c.tls.enabled.value_or(false) ? "yes" : "-",
                    c.timeout.empty() ? "-" : c.timeout});
    }
    return table;
  });
}

absl::Status CurrentContext(CommandEnv& env, const absl::StatusOr<std::string>& path) {
  ASSIGN_OR_RETURN(ContextsFile file, Load(path));
  if (file.current_context.empty()) {
    return absl::NotFoundError(absl::StrCat("no current context in ", *path,
                                            " (set one with `uptimectl config use-context NAME`)"));
  }
  google::protobuf::Struct doc;
  (*doc.mutable_fields())["currentContext"].set_string_value(file.current_context);
  return env.printer->Print(doc, [&] {
    Table table({});
    table.AddRow({file.current_context});
    return table;
  });
}

absl::Status UseContext(CommandEnv& env, const absl::StatusOr<std::string>& path,
                        const std::string& name) {
  ASSIGN_OR_RETURN(ContextsFile file, Load(path));
  if (file.Find(name) == nullptr) {
    return absl::NotFoundError(absl::StrCat("no context '", name, "' in ", *path));
  }
  file.current_context = name;
  RETURN_IF_ERROR(SaveContexts(*path, file));
  *env.err << "switched to context '" << name << "'\n";
  return absl::OkStatus();
}

// A path typed on the command line is relative to the working directory;
// in the file it would be read relative to the file: store it absolute.
std::string Absolute(const std::string& value) {
  if (value.empty() || value.front() == '~') return value;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(value, ec);
  return ec ? value : absolute.lexically_normal().string();
}

absl::Status SetContext(CommandEnv& env, const absl::StatusOr<std::string>& path,
                        const SetContextFlags& flags) {
  // Validated before the file is read, so bad input changes nothing.
  const bool token_given = flags.token_opt->count() > 0;
  const bool token_file_given = flags.token_file_opt->count() > 0;
  if (token_given && token_file_given) {
    return UsageError(
        absl::InvalidArgumentError("--token and --token-file are mutually exclusive"));
  }
  if (flags.addr_opt->count() > 0 && flags.addr.empty()) {
    return UsageError(absl::InvalidArgumentError("--addr: expected HOST:PORT, got ''"));
  }
  if (flags.timeout_opt->count() > 0 && !flags.timeout.empty()) {
    absl::Duration timeout;
    if (!absl::ParseDuration(flags.timeout, &timeout) || timeout <= absl::ZeroDuration() ||
        timeout == absl::InfiniteDuration()) {
      return UsageError(absl::InvalidArgumentError(absl::StrCat(
          "--timeout: expected a positive duration such as 10s, got '", flags.timeout, "'")));
    }
  }
  if (flags.name.empty()) {
    return UsageError(absl::InvalidArgumentError("NAME: expected a context name, got ''"));
  }
  ASSIGN_OR_RETURN(ContextsFile file, Load(path));
  Context* context = file.Find(flags.name);
  const bool created = context == nullptr;
  if (created) {
    file.contexts.push_back(Context{.name = flags.name});
    context = &file.contexts.back();
  }
  if (flags.addr_opt->count() > 0) context->addr = flags.addr;
  if (token_given) {
    context->token = flags.token;
    context->token_file.clear();
  }
  if (token_file_given) {
    context->token_file = Absolute(flags.token_file);
    context->token.clear();
  }
  if (flags.timeout_opt->count() > 0) context->timeout = flags.timeout;
  if (flags.tls_opt->count() > 0) context->tls.enabled = flags.tls;
  if (flags.tls_ca_opt->count() > 0) context->tls.ca = Absolute(flags.tls_ca);
  if (flags.tls_cert_opt->count() > 0) context->tls.cert = Absolute(flags.tls_cert);
  if (flags.tls_key_opt->count() > 0) context->tls.key = Absolute(flags.tls_key);
  if (flags.tls_server_name_opt->count() > 0) context->tls.server_name = flags.tls_server_name;
  if (flags.use) file.current_context = flags.name;
  RETURN_IF_ERROR(SaveContexts(*path, file));
  if (token_given && !flags.token.empty()) {
    *env.err << "warning: the token is stored inline in " << *path
             << "; prefer --token-file, which keeps the secret out of the config file\n";
  }
  *env.err << "context '" << flags.name << "' " << (created ? "created" : "modified")
           << (flags.use ? " and in use" : "") << "\n";
  return absl::OkStatus();
}

absl::Status DeleteContext(CommandEnv& env, const absl::StatusOr<std::string>& path,
                           const std::string& name) {
  ASSIGN_OR_RETURN(ContextsFile file, Load(path));
  auto it = std::find_if(file.contexts.begin(), file.contexts.end(),
                         [&](const Context& c) { return c.name == name; });
  if (it == file.contexts.end()) {
    return absl::NotFoundError(absl::StrCat("no context '", name, "' in ", *path));
  }
  file.contexts.erase(it);
  const bool was_current = file.current_context == name;
  if (was_current) file.current_context.clear();
  RETURN_IF_ERROR(SaveContexts(*path, file));
  *env.err << "deleted context '" << name << "'"
           << (was_current ? "; it was the current context, now there is none" : "") << "\n";
  return absl::OkStatus();
}

// The whole file, tokens redacted: YAML for people (the file's own form),
// or the documents of get-contexts under -o json|yaml.
absl::Status View(CommandEnv& env, const absl::StatusOr<std::string>& path) {
  ASSIGN_OR_RETURN(ContextsFile file, Load(path));
  if (env.printer->format() == OutputFormat::kTable) {
    env.printer->out() << SerializeContexts(file, /*redact=*/true);
    return absl::OkStatus();
  }
  google::protobuf::Struct doc;
  auto& fields = *doc.mutable_fields();
  fields["currentContext"].set_string_value(file.current_context);
  auto* list = fields["contexts"].mutable_list_value();
  for (const Context& c : file.contexts) {
    google::protobuf::Struct one = ContextDoc(c, c.name == file.current_context);
    one.mutable_fields()->erase("current");
    *list->add_values()->mutable_struct_value() = std::move(one);
  }
  return env.printer->Print(doc, [] { return Table({}); });
}

}  // namespace

void AddConfigCommands(CLI::App& root, CommandTable& table, absl::StatusOr<std::string> path) {
  auto shared_path = std::make_shared<absl::StatusOr<std::string>>(std::move(path));
  CLI::App* config = root.add_subcommand(
      "config", "Named contexts (address, token, TLS) in uptimectl's config file");
  config->require_subcommand(1);

  CLI::App* get = config->add_subcommand("get-contexts", "List the contexts (never the tokens)");
  table.Add(get, [shared_path](CommandEnv& env) { return GetContexts(env, *shared_path); },
            /*needs_api=*/false);

  CLI::App* current = config->add_subcommand("current-context", "Print the current context");
  table.Add(current, [shared_path](CommandEnv& env) { return CurrentContext(env, *shared_path); },
            /*needs_api=*/false);

  auto use_name = std::make_shared<std::string>();
  CLI::App* use = config->add_subcommand("use-context", "Make NAME the current context");
  use->add_option("name", *use_name, "Context name")->required();
  table.Add(use, [shared_path, use_name](CommandEnv& env) {
    return UseContext(env, *shared_path, *use_name);
  }, /*needs_api=*/false);

  auto flags = std::make_shared<SetContextFlags>();
  CLI::App* set = config->add_subcommand(
      "set-context", "Create context NAME, or change the settings given");
  set->add_option("name", flags->name, "Context name")->required();
  // No environment fallback here: UPTIME_ADDR must not leak into the file.
  flags->addr_opt = set->add_option("--addr", flags->addr, "Coordinator HOST:PORT");
  flags->token_opt =
      set->add_option("--token", flags->token, "Bearer token, stored inline (prefer --token-file)");
  flags->token_file_opt =
      set->add_option("--token-file", flags->token_file, "File holding the bearer token");
  flags->timeout_opt = set->add_option("--timeout", flags->timeout, "Deadline of each RPC");
  flags->tls_opt = set->add_flag("--tls", flags->tls, "Connect with TLS (--tls=false: without)");
  flags->tls_ca_opt = set->add_option("--tls-ca", flags->tls_ca, "CA certificates (PEM)");
  flags->tls_cert_opt =
      set->add_option("--tls-cert", flags->tls_cert, "Client certificate (PEM) for mutual TLS");
  flags->tls_key_opt =
      set->add_option("--tls-key", flags->tls_key, "Client private key (PEM) for mutual TLS");
  flags->tls_server_name_opt = set->add_option("--tls-server-name", flags->tls_server_name,
                                               "Expected server name in its certificate");
  set->add_flag("--use", flags->use, "Also make it the current context");
  table.Add(set, [shared_path, flags](CommandEnv& env) {
    return SetContext(env, *shared_path, *flags);
  }, /*needs_api=*/false);

  auto delete_name = std::make_shared<std::string>();
  CLI::App* del = config->add_subcommand("delete-context", "Remove context NAME");
  del->add_option("name", *delete_name, "Context name")->required();
  table.Add(del, [shared_path, delete_name](CommandEnv& env) {
    return DeleteContext(env, *shared_path, *delete_name);
  }, /*needs_api=*/false);

  CLI::App* view = config->add_subcommand("view", "Print the config file, tokens redacted");
  table.Add(view, [shared_path](CommandEnv& env) { return View(env, *shared_path); },
            /*needs_api=*/false);
}

}  // namespace uptime::cli
