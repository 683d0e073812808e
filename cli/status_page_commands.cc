// `uptimectl status-pages ...`: the StatusPageService from a shell.
//
//   uptimectl status-pages create --slug acme --title "Acme status"
//       --group "API=mon-1,mon-2" --group-selector "API=tier=api" --group-selector "Europe=region=eu"
//   uptimectl status-pages update acme --announcement "Slow logins" --announcement-level warning
//
// A page is addressed by id ("sp-" + 16 hex digits) or by slug; update and
// delete look a slug up first, since those RPCs take only the id.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "cli/commands.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

namespace uptime::cli {
namespace {

// The flags of create and update. For update, a field is sent only when one
// of its flags was typed, so the options are kept to ask CLI11 about that.
struct PageFlags {
  std::string slug;
  std::string title;
  std::string description;
  std::string logo_url;
  std::string homepage_url;
  std::vector<std::string> groups;           // NAME=ID[,ID...]
  std::vector<std::string> group_selectors;  // NAME=SELECTOR
  bool show_targets = false;
  bool show_incident_causes = false;
  bool hide_response_times = false;
  std::string announcement;
  std::string announcement_level;

  // Set while building the command; read after parsing.
  const CLI::App* command = nullptr;
  const CLI::Option* group_option = nullptr;
  const CLI::Option* group_selector_option = nullptr;
  const CLI::Option* announcement_option = nullptr;
  const CLI::Option* announcement_level_option = nullptr;
  // StatusPage field path -> the flags that set it, in the proto's order.
  std::vector<std::pair<std::string, std::vector<const CLI::Option*>>> fields;
};

bool Given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

// Server-assigned ids are "sp-" + 16 hex digits; anything else is a slug. A
// slug may itself start with "sp-", so the prefix alone does not decide.
bool IsStatusPageId(absl::string_view text) {
  if (!absl::ConsumePrefix(&text, "sp-") || text.size() != 16) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

// "NAME=REST" of a --group or --group-selector value.
absl::StatusOr<std::pair<std::string, std::string>> SplitGroupFlag(const std::string& flag,
                                                                   const std::string& value,
                                                                   absl::string_view expected) {
  const size_t eq = value.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == value.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": expected ", expected, ", got '", value, "'"));
  }
  return std::make_pair(value.substr(0, eq), value.substr(eq + 1));
}

// The groups in the order their flags were typed; a name given again adds
// to the same group, so `--group API=mon-1 --group-selector API=tier=api`
// is one group.
absl::StatusOr<std::vector<v1::StatusPageGroup>> BuildGroups(const PageFlags& f) {
  std::vector<v1::StatusPageGroup> groups;
  const auto find_or_add = [&](const std::string& name) -> v1::StatusPageGroup& {
    for (v1::StatusPageGroup& g : groups) {
      if (g.name() == name) return g;
    }
    groups.emplace_back().set_name(name);
    return groups.back();
  };
  size_t next_ids = 0;
  size_t next_selector = 0;
  // CLI11 keeps each option's values apart; its parse order interleaves them.
  for (const CLI::Option* option : f.command->parse_order()) {
    if (option == f.group_option && next_ids < f.groups.size()) {
      ASSIGN_OR_RETURN(auto parts, SplitGroupFlag("--group", f.groups[next_ids++],
                                                  "NAME=MONITOR_ID[,MONITOR_ID...]"));
      v1::StatusPageGroup& group = find_or_add(parts.first);
      for (absl::string_view id : absl::StrSplit(parts.second, ',', absl::SkipWhitespace())) {
        group.add_monitor_ids(std::string(absl::StripAsciiWhitespace(id)));
      }
      if (group.monitor_ids().empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--group: expected NAME=MONITOR_ID[,MONITOR_ID...], got '", f.groups[next_ids - 1],
            "'"));
      }
    } else if (option == f.group_selector_option && next_selector < f.group_selectors.size()) {
      ASSIGN_OR_RETURN(auto parts, SplitGroupFlag("--group-selector",
                                                  f.group_selectors[next_selector++],
                                                  "NAME=SELECTOR such as 'API=env=prod'"));
      v1::StatusPageGroup& group = find_or_add(parts.first);
      if (!group.label_selector().empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--group-selector: group '", parts.first,
                         "' given twice (join the terms with commas instead)"));
      }
      group.set_label_selector(parts.second);
    }
  }
  return groups;
}

v1::AnnouncementLevel ParseLevel(const std::string& level) {
  // CLI11 has already limited the flag to these words (any case).
  const std::string lower = absl::AsciiStrToLower(level);
  if (lower == "warning") return v1::ANNOUNCEMENT_LEVEL_WARNING;
  if (lower == "critical") return v1::ANNOUNCEMENT_LEVEL_CRITICAL;
  return v1::ANNOUNCEMENT_LEVEL_INFO;
}

// The page the flags describe. Only what a shell user can get wrong in the
// flags themselves is checked here; the server validates the rest and names
// the API field.
absl::StatusOr<v1::StatusPage> BuildPage(const PageFlags& f) {
  v1::StatusPage page;
  page.set_slug(f.slug);
  page.set_title(f.title);
  page.set_description(f.description);
  page.set_logo_url(f.logo_url);
  page.set_homepage_url(f.homepage_url);
  ASSIGN_OR_RETURN(std::vector<v1::StatusPageGroup> groups, BuildGroups(f));
  for (v1::StatusPageGroup& g : groups) *page.add_groups() = std::move(g);
  page.set_show_targets(f.show_targets);
  page.set_show_incident_causes(f.show_incident_causes);
  page.set_hide_response_times(f.hide_response_times);
  if (Given(f.announcement_level_option) && !Given(f.announcement_option)) {
    return absl::InvalidArgumentError("--announcement-level: needs --announcement TEXT");
  }
  // Empty text means no announcement: leaving the message unset says so.
  if (!f.announcement.empty()) {
    page.mutable_announcement()->set_text(f.announcement);
    page.mutable_announcement()->set_level(ParseLevel(f.announcement_level));
  }
  return page;
}

absl::Status PrintPage(CommandEnv& env, const v1::StatusPage& page) {
  RETURN_IF_ERROR(env.printer->Print(page, [&] {
    google::protobuf::RepeatedPtrField<v1::StatusPage> one;
    *one.Add() = page;
    return StatusPagesTable(one, env.printer->now());
  }));
  if (env.printer->format() != OutputFormat::kTable) return absl::OkStatus();
  std::ostream& out = env.printer->out();
  if (!page.groups().empty()) {
    out << "\n";
    StatusPageGroupsTable(page).Print(out);
  }
  if (!page.announcement().text().empty()) {
    v1::AnnouncementLevel level = page.announcement().level();
    if (level == v1::ANNOUNCEMENT_LEVEL_UNSPECIFIED) level = v1::ANNOUNCEMENT_LEVEL_INFO;
    out << "\nannouncement ("
        << absl::AsciiStrToLower(absl::StripPrefix(v1::AnnouncementLevel_Name(level),
                                                   "ANNOUNCEMENT_LEVEL_"))
        << "): " << page.announcement().text() << "\n";
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::StatusPage> Fetch(CommandEnv& env, const std::string& id_or_slug) {
  v1::GetStatusPageRequest request;
  if (IsStatusPageId(id_or_slug)) {
    request.set_id(id_or_slug);
  } else {
    request.set_slug(id_or_slug);
  }
  v1::StatusPage page;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->status_pages().GetStatusPage(ctx, request, &page);
  }));
  return page;
}

// The id of the page `id_or_slug` names; an RPC only for a slug.
absl::StatusOr<std::string> ResolveId(CommandEnv& env, const std::string& id_or_slug) {
  if (IsStatusPageId(id_or_slug)) return id_or_slug;
  ASSIGN_OR_RETURN(v1::StatusPage page, Fetch(env, id_or_slug));
  return page.id();
}

absl::Status Create(CommandEnv& env, const PageFlags& flags) {
  absl::StatusOr<v1::StatusPage> page = BuildPage(flags);
  if (page.ok() && page->groups().empty()) {
    page = absl::InvalidArgumentError(
        "--group or --group-selector: a page needs at least one group");
  }
  if (!page.ok()) return UsageError(page.status());
  v1::CreateStatusPageRequest request;
  *request.mutable_status_page() = *std::move(page);
  v1::StatusPage created;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->status_pages().CreateStatusPage(ctx, request, &created);
  }));
  return PrintPage(env, created);
}

absl::Status Update(CommandEnv& env, const std::string& id_or_slug, const PageFlags& flags) {
  v1::UpdateStatusPageRequest request;
  for (const auto& [path, options] : flags.fields) {
    for (const CLI::Option* option : options) {
      if (Given(option)) {
        request.mutable_update_mask()->add_paths(path);
        break;
      }
    }
  }
  absl::StatusOr<v1::StatusPage> page = BuildPage(flags);
  if (page.ok() && request.update_mask().paths().empty()) {
    page = absl::InvalidArgumentError(
        "nothing to update: give at least one flag such as --title or --group (see --help)");
  }
  if (!page.ok()) return UsageError(page.status());
  ASSIGN_OR_RETURN(std::string id, ResolveId(env, id_or_slug));
  *request.mutable_status_page() = *std::move(page);
  request.mutable_status_page()->set_id(id);
  v1::StatusPage updated;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->status_pages().UpdateStatusPage(ctx, request, &updated);
  }));
  return PrintPage(env, updated);
}

struct PageListFlags {
  bool all = false;
  int page_size = 0;
  std::string page_token;
};

absl::Status ListPages(CommandEnv& env, const PageListFlags& flags) {
  v1::ListStatusPagesRequest request;
  request.set_page_size(flags.page_size);
  request.set_page_token(flags.page_token);
  v1::ListStatusPagesResponse merged;
  RETURN_IF_ERROR(env.api->ListPages(
      std::move(request), flags.all,
      [&](grpc::ClientContext* ctx, const auto& req, auto* page) {
        return env.api->status_pages().ListStatusPages(ctx, req, page);
      },
      &merged));
  return PrintList(env, merged, merged.status_pages_size(), merged.next_page_token(),
                   "status pages",
                   [&] { return StatusPagesTable(merged.status_pages(), env.printer->now()); });
}

absl::Status GetPage(CommandEnv& env, const std::string& id_or_slug) {
  ASSIGN_OR_RETURN(v1::StatusPage page, Fetch(env, id_or_slug));
  return PrintPage(env, page);
}

absl::Status Delete(CommandEnv& env, const std::vector<std::string>& names) {
  return DeleteEach(env, names, [&](const std::string& name) -> absl::Status {
    v1::DeleteStatusPageRequest request;
    ASSIGN_OR_RETURN(*request.mutable_id(), ResolveId(env, name));
    google::protobuf::Empty empty;
    return env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->status_pages().DeleteStatusPage(ctx, request, &empty);
    });
  });
}

// The flags of create (`create` true: --slug, --title and a group required)
// and update (every flag optional; those typed are the update mask).
void AddPageFlags(CLI::App& cmd, PageFlags& f, bool create) {
  f.command = &cmd;
  const auto field = [&f](const std::string& path, CLI::Option* option) {
    f.fields.push_back({path, {option}});
    return option;
  };
  CLI::Option* slug =
      field("slug", cmd.add_option("--slug", f.slug,
                                   create ? "Address /status/SLUG: a-z, 0-9 and '-'"
                                          : "New address /status/SLUG (old links stop working)"));
  CLI::Option* title = field("title", cmd.add_option("--title", f.title, "Page title"));
  if (create) {
    slug->required();
    title->required();
  }
  field("description", cmd.add_option("--description", f.description, "Text under the title"));
  field("logo_url", cmd.add_option("--logo-url", f.logo_url, "http(s) URL of the header logo"));
  field("homepage_url",
        cmd.add_option("--homepage-url", f.homepage_url, "http(s) URL the logo links to"));

  const std::string groups = create ? "Groups (at least one; shown in the order given)"
                                    : "Groups (replace all of the page's groups)";
  f.group_option = Repeatable(cmd.add_option(
                                  "--group", f.groups,
                                  "NAME=MONITOR_ID[,MONITOR_ID...]: a group showing these "
                                  "monitors (repeatable)"))
                       ->group(groups);
  f.group_selector_option =
      Repeatable(cmd.add_option("--group-selector", f.group_selectors,
                                "NAME=SELECTOR, e.g. 'API=env=prod,tier!=db': a group showing "
                                "the monitors matching it (repeatable; with --group of the same "
                                "NAME, one group)"))
          ->group(groups);
  f.fields.push_back({"groups", {f.group_option, f.group_selector_option}});

  const std::string shown =
      create ? "What the public sees" : "What the public sees (--FLAG=false turns it off)";
  field("show_targets", cmd.add_flag("--show-targets", f.show_targets,
                                     "Show each monitor's URL or host (may name internal hosts)"))
      ->group(shown);
  field("show_incident_causes",
        cmd.add_flag("--show-incident-causes", f.show_incident_causes,
                     "Show each incident's cause (error texts may name internal hosts)"))
      ->group(shown);
  field("hide_response_times",
        cmd.add_flag("--hide-response-times", f.hide_response_times, "Hide response times"))
      ->group(shown);
  f.announcement_option =
      cmd.add_option("--announcement", f.announcement,
                     create ? "Message at the top of the page" : "Message at the top ('' removes it)")
          ->group(shown);
  f.announcement_level_option =
      cmd.add_option("--announcement-level", f.announcement_level,
                     "info (default), warning or critical")
          ->check(CLI::IsMember({"info", "warning", "critical"}, CLI::ignore_case))
          ->group(shown);
  f.fields.push_back({"announcement", {f.announcement_option, f.announcement_level_option}});
}

}  // namespace

void AddStatusPageCommands(CLI::App& root, CommandTable& table) {
  CLI::App* group = root.add_subcommand(
      "status-pages", "Public status pages at /status/SLUG (served without a token)");
  group->alias("status-page");
  group->require_subcommand(1);

  auto list_flags = std::make_shared<PageListFlags>();
  CLI::App* list = group->add_subcommand("list", "List status pages, ordered by slug");
  list->alias("ls");
  // "page" alone would be ambiguous here: these are pages of results.
  list->add_flag("--all", list_flags->all, "Fetch every result page, not just the first");
  list->add_option("--page-size", list_flags->page_size,
                   "Status pages per result page (server default 100)");
  list->add_option("--page-token", list_flags->page_token,
                   "Continue from this result page token");
  table.Add(list, [list_flags](CommandEnv& env) { return ListPages(env, *list_flags); });

  auto get_name = std::make_shared<std::string>();
  CLI::App* get = group->add_subcommand(
      "get", "Show one status page and its groups (use -o yaml for all fields)");
  get->add_option("page", *get_name, "Status page id (sp-...) or slug")->required();
  table.Add(get, [get_name](CommandEnv& env) { return GetPage(env, *get_name); });

  auto create_flags = std::make_shared<PageFlags>();
  CLI::App* create = group->add_subcommand(
      "create", "Create a status page (public at once); prints it with its id");
  create->alias("add");
  AddPageFlags(*create, *create_flags, /*create=*/true);
  table.Add(create, [create_flags](CommandEnv& env) { return Create(env, *create_flags); });

  auto update_name = std::make_shared<std::string>();
  auto update_flags = std::make_shared<PageFlags>();
  CLI::App* update = group->add_subcommand(
      "update", "Change the fields given by flags, and only those; prints the page");
  update->add_option("page", *update_name, "Status page id (sp-...) or slug")->required();
  AddPageFlags(*update, *update_flags, /*create=*/false);
  table.Add(update, [update_name, update_flags](CommandEnv& env) {
    return Update(env, *update_name, *update_flags);
  });

  auto delete_names = std::make_shared<std::vector<std::string>>();
  CLI::App* del = group->add_subcommand(
      "delete", "Delete status pages (their public pages and badges disappear at once)");
  del->alias("rm");
  del->add_option("pages", *delete_names, "Status page ids (sp-...) or slugs")->required();
  table.Add(del, [delete_names](CommandEnv& env) { return Delete(env, *delete_names); });
}

}  // namespace uptime::cli
