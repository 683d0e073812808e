#include <algorithm>
#include <istream>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/account_commands_helpers.h"
#include "cli/views.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"

// `uptimectl users totp enable|disable`: the TOTP second factor.

namespace uptime::cli::account_commands_internal {
namespace {

// Where the one-time code of `users totp enable` comes from. A flag value is
// acceptable here, unlike a password: the code is worthless 30 seconds on.
struct TotpEnableFlags {
  std::string code;         // --code: confirms an enrollment begun earlier
  bool code_stdin = false;  // --code-stdin
};

// The six digits an app shows, which some apps group as "123 456".
absl::StatusOr<std::string> CleanTotpCode(absl::string_view flag, absl::string_view typed) {
  std::string code;
  for (char c : typed) {
    if (c != ' ') code.push_back(c);
  }
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    // The text is not echoed: it could be a password typed at the wrong prompt.
    return Usage(absl::StrCat(flag, ": expected the 6 digits the authenticator app shows"));
  }
  return code;
}

// The one-time code, after the secret has been shown: from standard input
// or typed at the terminal.
absl::StatusOr<std::string> ReadTotpCode(const TotpEnableFlags& flags, PasswordInput& input) {
  if (flags.code_stdin) {
    std::string line;
    if (input.in == nullptr || !std::getline(*input.in, line)) {
      return Usage("--code-stdin: standard input ended before the code");
    }
    if (absl::EndsWith(line, "\r")) line.pop_back();
    return CleanTotpCode("--code-stdin", line);
  }
  absl::StatusOr<std::string> typed = input.terminal->ReadHidden("Code from the app: ");
  if (!typed.ok()) return Usage(absl::StrCat("code: ", typed.status().message()));
  return CleanTotpCode("code", *typed);
}

absl::Status ConfirmTotp(CommandEnv& env, const std::string& code) {
  v1::ConfirmTotpEnrollmentRequest request;
  request.set_code(code);
  google::protobuf::Empty empty;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().ConfirmTotpEnrollment(ctx, request, &empty);
  }));
  if (env.printer->format() == OutputFormat::kTable) {
    env.printer->out() << "two-factor sign-in is on: signing in now also needs a code from the "
                          "app\n";
  }
  return absl::OkStatus();
}

// Begin, show the secret, then Confirm with the code read after it; or, with
// --code, only Confirm: the code can only be for the secret of an earlier
// run (each Begin makes a new one), which is how it goes without a terminal.
absl::Status EnableTotp(CommandEnv& env, PasswordInput& input, const TotpEnableFlags& flags) {
  if (!flags.code.empty()) {
    ASSIGN_OR_RETURN(std::string code, CleanTotpCode("--code", flags.code));
    return ConfirmTotp(env, code);
  }
  const bool ask = flags.code_stdin ||
                   (input.terminal != nullptr && input.terminal->IsInteractive());
  v1::TotpEnrollment enrollment;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().BeginTotpEnrollment(ctx, v1::BeginTotpEnrollmentRequest(),
                                                &enrollment);
  }));
  // JSON and YAML carry the secret in the whole enrollment, for scripts that
  // compute the code themselves; the exit code says whether Confirm worked.
  RETURN_IF_ERROR(env.printer->Print(enrollment, [&] {
    Table table({});
    table.AddRow({"Secret:", enrollment.secret()});
    table.AddRow({"URL:", enrollment.otpauth_url()});
    return table;
  }));
  if (env.printer->format() == OutputFormat::kTable) {
    env.printer->out() << "\nAdd this to your authenticator app: scan the URL as a QR code, or "
                          "type the secret in by hand. Then "
                       << (ask ? "enter the 6-digit code it shows.\n"
                               : "turn it on within 10 minutes with the 6-digit code it shows:\n"
                                 "  uptimectl users totp enable --code CODE\n");
  }
  if (!ask) return absl::OkStatus();
  // Before the prompt, which goes to the terminal and would otherwise come
  // ahead of the secret it asks about.
  env.printer->out().flush();
  ASSIGN_OR_RETURN(std::string code, ReadTotpCode(flags, input));
  return ConfirmTotp(env, code);
}

struct TotpDisableFlags {
  std::string user;  // empty: the caller's own
  PasswordFlags password;
};

// One's own password, checked by the coordinator: typed once at a terminal
// (not twice as a new one), else as ReadNewPassword reads it.
absl::StatusOr<std::string> ReadOwnPassword(const PasswordFlags& flags, PasswordInput& input) {
  if (flags.file.empty() && !flags.from_stdin && input.terminal != nullptr &&
      input.terminal->IsInteractive()) {
    absl::StatusOr<std::string> typed = input.terminal->ReadHidden("Your password: ");
    if (!typed.ok()) return Usage(absl::StrCat("password: ", typed.status().message()));
    if (typed->empty()) return Usage("password: nothing was typed");
    return typed;
  }
  return ReadNewPassword(flags, input, "Your password");
}

absl::Status DisableTotp(CommandEnv& env, PasswordInput& input, const TotpDisableFlags& flags) {
  bool own = flags.user.empty() || flags.user == "me";
  v1::DisableTotpRequest request;
  request.set_user_id("me");
  if (!own) {
    ASSIGN_OR_RETURN(*request.mutable_user_id(), ResolveUserId(env, flags.user));
    // The coordinator counts one's own id or username as "me", password
    // and all.
    v1::Caller caller;
    RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
      return env.api->auth().GetCaller(ctx, v1::GetCallerRequest(), &caller);
    }));
    own = !caller.user_id().empty() && caller.user_id() == request.user_id();
  }
  if (own) {
    ASSIGN_OR_RETURN(*request.mutable_password(), ReadOwnPassword(flags.password, input));
  } else if (!flags.password.file.empty() || flags.password.from_stdin) {
    return Usage(
        "--password-file and --password-stdin: only for your own second factor (an admin "
        "turns off another user's without a password)");
  }
  google::protobuf::Empty empty;
  RETURN_IF_ERROR(env.api->Call([&](grpc::ClientContext* ctx) {
    return env.api->users().DisableTotp(ctx, request, &empty);
  }));
  return PrintDone(env, own ? "two-factor sign-in is off: signing in needs only your password"
                            : absl::StrCat("two-factor sign-in is off for ", flags.user));
}

}  // namespace

void AddTotpCommands(CLI::App& group, CommandTable& table,
                     const std::shared_ptr<PasswordInput>& input) {
  CLI::App* totp = group.add_subcommand(
      "totp", "A second factor for signing in: codes from an authenticator app (TOTP)");
  totp->require_subcommand(1);

  auto enable_flags = std::make_shared<TotpEnableFlags>();
  CLI::App* totp_enable = totp->add_subcommand(
      "enable",
      "Turn on your own second factor: prints a secret for the app, then asks for the code it "
      "shows (without a terminal: run again with --code)");
  CLI::Option* code = totp_enable->add_option(
      "--code", enable_flags->code,
      "Only finish: the 6-digit code for the secret an earlier 'enable' printed (within 10 "
      "minutes)");
  CLI::Option* code_stdin = totp_enable->add_flag(
      "--code-stdin", enable_flags->code_stdin,
      "Read the code from the first line of standard input (after the secret is printed)");
  code->excludes(code_stdin);
  table.Add(totp_enable, [enable_flags, input](CommandEnv& env) {
    return EnableTotp(env, *input, *enable_flags);
  });

  auto disable_flags = std::make_shared<TotpDisableFlags>();
  CLI::App* totp_disable = totp->add_subcommand(
      "disable",
      "Turn off a second factor: your own (needs your password) or, admins, another user's "
      "(e.g. after a lost phone)");
  totp_disable->add_option("user", disable_flags->user,
                           "Admins: the user id (u-...) or username (default: yourself)");
  AddPasswordFlags(*totp_disable, disable_flags->password);
  table.Add(totp_disable, [disable_flags, input](CommandEnv& env) {
    return DisableTotp(env, *input, *disable_flags);
  });
}

}  // namespace uptime::cli::account_commands_internal
