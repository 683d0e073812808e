#include "cli/completion.h"

#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"

namespace uptime::cli {
namespace {

// What the script knows of one visible command.
struct CommandInfo {
  std::string path;                                        // "monitors add"; "" for the root
  std::vector<std::string> subcommands;                    // canonical names, offered
  std::vector<std::pair<std::string, std::string>> names;  // name or alias -> canonical
  std::vector<std::string> flags;                          // -o and --output alike
  std::vector<std::string> value_flags;                    // of `flags`, those that take a value
  std::vector<std::pair<std::string, std::vector<std::string>>> choices;  // flag -> values
  std::vector<std::string> arguments;  // fixed values of positionals: bash, zsh
  bool monitor_id = false;             // a positional takes monitor ids
};

// Every word goes into the script unquoted or in single quotes; CLI11 names
// are always this tame, anything else is left out rather than escaped.
bool Tame(absl::string_view word) {
  if (word.empty()) return false;
  for (char c : word) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool Visible(const CLI::App* command) {
  return !command->get_name().empty() && !command->get_group().empty();
}

// "TEXT:{table,json,yaml}" -> table, json, yaml: CLI11 appends an IsMember
// check's set to the type name.
std::vector<std::string> Choices(const CLI::Option& option) {
  const std::string type = option.get_type_name();
  const size_t open = type.find('{');
  const size_t close = type.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> values;
  for (absl::string_view value : absl::StrSplit(
           absl::string_view(type).substr(open + 1, close - open - 1), ',', absl::SkipEmpty())) {
    if (!Tame(value)) return {};
    values.emplace_back(value);
  }
  return values;
}

// -o and --output; hidden options (group "") have none.
std::vector<std::string> FlagNames(const CLI::Option& option) {
  std::vector<std::string> names;
  if (option.get_group().empty() || option.get_positional()) return names;
  for (const std::string& s : option.get_snames()) names.push_back("-" + s);
  for (const std::string& l : option.get_lnames()) names.push_back("--" + l);
  return names;
}

// `global` holds the root's flag names, offered at every level already:
// a subcommand's own -h,--help is not listed twice.
void Collect(const CLI::App& command, const std::string& path, const std::set<std::string>& global,
             std::vector<CommandInfo>& out) {
  CommandInfo info;
  info.path = path;
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    if (option->get_positional()) {
      if (absl::StartsWith(option->get_description(), "Monitor id")) info.monitor_id = true;
      for (std::string& value : Choices(*option)) info.arguments.push_back(std::move(value));
      continue;
    }
    const std::vector<std::string> choices = Choices(*option);
    for (const std::string& name : FlagNames(*option)) {
      if (!Tame(name) || (!path.empty() && global.contains(name))) continue;
      info.flags.push_back(name);
      if (option->get_items_expected_max() != 0) info.value_flags.push_back(name);
      if (!choices.empty()) info.choices.emplace_back(name, choices);
    }
  }
  std::vector<const CLI::App*> subcommands = command.get_subcommands(Visible);
  for (const CLI::App* sub : subcommands) {
    if (!Tame(sub->get_name())) continue;
    info.subcommands.push_back(sub->get_name());
    info.names.emplace_back(sub->get_name(), sub->get_name());
    for (const std::string& alias : sub->get_aliases()) {
      if (Tame(alias)) info.names.emplace_back(alias, sub->get_name());
    }
  }
  out.push_back(std::move(info));
  for (const CLI::App* sub : subcommands) {
    if (!Tame(sub->get_name())) continue;
    Collect(*sub, path.empty() ? sub->get_name() : absl::StrCat(path, " ", sub->get_name()), global,
            out);
  }
}

// A shell function `case "<key>" in 'k1') printf '%s\n' 'v1' ;; ... esac`
// over the entries whose value is not empty.
std::string CaseFunction(absl::string_view name, absl::string_view comment, absl::string_view key,
                         const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out = absl::StrCat("# ", comment, "\n", name, "() {\n  case \"", key, "\" in\n");
  for (const auto& [k, v] : entries) {
    if (v.empty()) continue;
    absl::StrAppend(&out, "    '", k, "') printf '%s\\n' '", v, "' ;;\n");
  }
  absl::StrAppend(&out, "  esac\n}\n\n");
  return out;
}

// The functions both shells share: the tables, and the walker that turns
// the words before the cursor into candidates for the word at it. Written
// in the common subset of bash and zsh (no arrays, no [[ ]]).
std::string SharedFunctions(const std::vector<CommandInfo>& commands) {
  std::vector<std::pair<std::string, std::string>> subcommands, names, flags, value_flags, choices,
      arguments, monitor_ids;
  for (const CommandInfo& c : commands) {
    subcommands.emplace_back(c.path, absl::StrJoin(c.subcommands, " "));
    for (const auto& [name, canonical] : c.names) {
      names.emplace_back(absl::StrCat(c.path, "/", name), canonical);
    }
    flags.emplace_back(c.path, absl::StrJoin(c.flags, " "));
    value_flags.emplace_back(c.path, absl::StrJoin(c.value_flags, " "));
    for (const auto& [flag, values] : c.choices) {
      choices.emplace_back(absl::StrCat(c.path, "/", flag), absl::StrJoin(values, " "));
    }
    arguments.emplace_back(c.path, absl::StrJoin(c.arguments, " "));
    if (c.monitor_id) monitor_ids.emplace_back(c.path, "yes");
  }
  std::string out;
  out +=
      CaseFunction("__uptimectl_subcommands", "Subcommands of a command path.", "$1", subcommands);
  out += CaseFunction("__uptimectl_canonical",
                      "The name of subcommand $2 (a name or an alias) of path $1, if it is one.",
                      "$1/$2", names);
  out += CaseFunction("__uptimectl_flags", "Flags of a command path ('' holds the global ones).",
                      "$1", flags);
  out += CaseFunction("__uptimectl_value_flags", "Flags of a command path that take a value.", "$1",
                      value_flags);
  out += CaseFunction("__uptimectl_choices", "The fixed values of flag $2 of path $1.", "$1/$2",
                      choices);
  out += CaseFunction("__uptimectl_arguments", "Fixed values of the positionals of path $1.", "$1",
                      arguments);
  out += CaseFunction("__uptimectl_takes_monitor_id", "Whether path $1 takes monitor ids.", "$1",
                      monitor_ids);
  out += R"sh(# Candidates for the word at the cursor ($1), given the program ($2) and the
# words between them. Global flags (and their values) seen on the way are kept
# to reach the same coordinator for monitor ids.
__uptimectl_candidates() {
  local cur="$1" prog="$2" cmdpath='' word canon pending='' conn='' global
  shift 2
  for word in "$@"; do
    if [ -n "$pending" ]; then
      case " $(__uptimectl_value_flags '') " in
        *" $pending "*) conn="$conn $(__uptimectl_quote "$pending") $(__uptimectl_quote "$word")" ;;
      esac
      pending=''
      continue
    fi
    case "$word" in
      -h|--help) ;;
      -*)
        global="${word%%=*}"
        case " $(__uptimectl_flags '') " in
          *" $global "*) case "$word" in
              *=*) conn="$conn $(__uptimectl_quote "$word")" ;;
              *) case " $(__uptimectl_value_flags '') " in
                  *" $word "*) ;;
                  *) conn="$conn $(__uptimectl_quote "$word")" ;;
                esac ;;
            esac ;;
        esac
        case "$word" in
          *=*) ;;
          *) case " $(__uptimectl_value_flags "$cmdpath") $(__uptimectl_value_flags '') " in
              *" $word "*) pending="$word" ;;
            esac ;;
        esac ;;
      *)
        canon="$(__uptimectl_canonical "$cmdpath" "$word")"
        if [ -n "$canon" ]; then cmdpath="${cmdpath:+$cmdpath }$canon"; fi ;;
    esac
  done
  if [ -n "$pending" ]; then
    __uptimectl_choices "$cmdpath" "$pending"
    if [ -n "$cmdpath" ]; then __uptimectl_choices '' "$pending"; fi
    return 0
  fi
  case "$cur" in
    -*)
      __uptimectl_flags "$cmdpath"
      if [ -n "$cmdpath" ]; then __uptimectl_flags ''; fi ;;
    *)
      __uptimectl_subcommands "$cmdpath"
      __uptimectl_arguments "$cmdpath"
      if [ "$(__uptimectl_takes_monitor_id "$cmdpath")" = yes ]; then
        eval "UPTIME_TIMEOUT=2s $(__uptimectl_quote "$prog") $conn __complete monitors" 2>/dev/null
      fi ;;
  esac
  return 0
}

# $1 in single quotes, for eval.
__uptimectl_quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

)sh";
  return out;
}

constexpr absl::string_view kBashWrapper =
    R"sh(# bash splits "--output=json" and "host:7070" at = and :, glue them back.
__uptimectl_bash() {
  local -a words=()
  local i n=0 word cur
  for ((i = 0; i <= COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    if ((n > 1)) && [[ "$word" == [:=] || "${words[n - 1]}" == *[:=] ]]; then
      words[n - 1]+="$word"
    else
      words[n]="$word"
      n=$((n + 1))
    fi
  done
  cur="${words[n - 1]}"
  COMPREPLY=()
  # A value after = or : is left to the shell's file completion.
  [[ "$cur" == *[:=]* ]] && return 0
  local IFS=$' \t\n'
  COMPREPLY=($(compgen -W "$(__uptimectl_candidates "$cur" "${words[@]:0:n-1}")" -- "$cur"))
}

complete -o default -F __uptimectl_bash )sh";

constexpr absl::string_view kZshWrapper = R"sh(_uptimectl() {
  local -a candidates
  candidates=($(__uptimectl_candidates "${words[CURRENT]}" "${(@)words[1,CURRENT-1]}"))
  if (( ${#candidates} )); then
    compadd -a candidates
  else
    _files
  fi
}

# Autoloaded from fpath the file is the body of _uptimectl; sourced, it
# registers itself.
if [ "$funcstack[1]" = "_uptimectl" ]; then
  _uptimectl "$@"
else
  compdef _uptimectl )sh";

absl::Status PrintMonitorIds(CommandEnv& env) {
  v1::ListMonitorsResponse merged;
  RETURN_IF_ERROR(env.api->ListPages(
      v1::ListMonitorsRequest(), /*all=*/true,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->monitors().ListMonitors(ctx, req, page);
      },
      &merged));
  for (const v1::Monitor& monitor : merged.monitors()) env.printer->out() << monitor.id() << "\n";
  return absl::OkStatus();
}

}  // namespace

std::string CompletionScript(const CLI::App& root, Shell shell) {
  std::set<std::string> global;
  for (const CLI::Option* option : root.get_options()) {
    for (std::string& name : FlagNames(*option)) global.insert(std::move(name));
  }
  std::vector<CommandInfo> commands;
  Collect(root, "", global, commands);
  const std::string name = root.get_name();
  std::string out;
  if (shell == Shell::kZsh) absl::StrAppend(&out, "#compdef ", name, "\n");
  absl::StrAppend(&out, "# ", name, " completion for ", shell == Shell::kBash ? "bash" : "zsh",
                  ", generated by `", name, " completion ", shell == Shell::kBash ? "bash" : "zsh",
                  "`.\n\n");
  out += SharedFunctions(commands);
  if (shell == Shell::kBash) {
    absl::StrAppend(&out, kBashWrapper, name, "\n");
  } else {
    absl::StrAppend(&out, kZshWrapper, name, "\nfi\n");
  }
  return out;
}

void AddCompletionCommands(CLI::App& root, CommandTable& table) {
  CLI::App* completion = root.add_subcommand(
      "completion", "Print a shell completion script for bash or zsh (see the docs to install it)");
  auto shell = std::make_shared<std::string>();
  completion->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  const CLI::App* root_ptr = &root;
  table.Add(
      completion,
      [root_ptr, shell](CommandEnv& env) {
        env.printer->out() << CompletionScript(*root_ptr,
                                               *shell == "zsh" ? Shell::kZsh : Shell::kBash);
        return absl::OkStatus();
      },
      /*needs_api=*/false);

  // Hidden (group ""): the script's helper, not for people.
  CLI::App* complete = root.add_subcommand("__complete", "Candidates for shell completion");
  complete->group("");
  auto kind = std::make_shared<std::string>();
  complete->add_option("kind", *kind, "What to list")
      ->required()
      ->check(CLI::IsMember({"monitors"}));
  table.Add(complete, [](CommandEnv& env) { return PrintMonitorIds(env); });
}

}  // namespace uptime::cli
