// `herald users add | passwd | list | remove | disable | enable | role`: the web UI's
// accounts. Every change but add ends the user's web sessions at once.

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <termios.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/timezone.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/passwords.h"

namespace herald {
namespace {

// Shorter passwords fall to a guessing attack even through Argon2id.
constexpr std::size_t kMinPasswordBytes = 8;
constexpr std::size_t kMaxPasswordBytes = 1024;

// Turns terminal echo off for its lifetime (the password is not shown while typed).
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd_, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  ~EchoOff() {
    if (active_) {
      tcsetattr(fd_, TCSAFLUSH, &saved_);
    }
  }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

std::optional<std::string> read_line(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) {
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

Result<std::string> prompt_hidden(const char* prompt) {
  std::cerr << prompt << std::flush;
  std::optional<std::string> line;
  {
    EchoOff quiet(STDIN_FILENO);
    line = read_line(std::cin);
  }
  std::cerr << "\n";
  if (!line) {
    return fail(ErrorCode::kUsage, "no password given (end of input)");
  }
  return *line;
}

// The new password: one line of stdin with --password-stdin (scripts), else typed twice
// on the terminal without echo.
Result<std::string> read_new_password(bool from_stdin) {
  std::string password;
  if (from_stdin) {
    auto line = read_line(std::cin);
    if (!line) {
      return fail(ErrorCode::kUsage, "--password-stdin: stdin is empty; write the password "
                                     "as one line");
    }
    password = std::move(*line);
  } else {
    if (isatty(STDIN_FILENO) == 0) {
      return fail(ErrorCode::kUsage,
                  "stdin is not a terminal: pass the password on stdin with --password-stdin");
    }
    auto first = prompt_hidden("Password: ");
    if (!first) {
      return first;
    }
    auto again = prompt_hidden("Repeat password: ");
    if (!again) {
      return again;
    }
    if (*first != *again) {
      return fail(ErrorCode::kUsage, "the two passwords differ; nothing was changed");
    }
    password = std::move(*first);
  }
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return fail(ErrorCode::kUsage,
                fmt::format("a password needs {} to {} bytes; nothing was changed",
                            kMinPasswordBytes, kMaxPasswordBytes));
  }
  return password;
}

Result<std::string> new_password_hash(bool from_stdin) {
  auto password = read_new_password(from_stdin);
  if (!password) {
    return fail(std::move(password.error()));
  }
  std::string hash = hash_password(*password);
  if (hash.empty()) {
    return fail(ErrorCode::kInternal,
                "libsodium could not hash the password (out of memory or not initialised)");
  }
  return hash;
}

struct UserArguments {
  std::string name{};
  std::string role = "editor";
  bool password_stdin = false;
  bool json = false;
};

int fail_with(const Error& error) {
  print_error(error);
  return exit_code_for(error);
}

Result<Store> open_configured_store(const GlobalOptions& options) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail(std::move(loaded.error()));
  }
  return open_store(loaded->config);
}

int add_user(const GlobalOptions& options, const UserArguments& args) {
  auto store = open_configured_store(options);
  if (!store) {
    return fail_with(store.error());
  }
  const std::optional<Role> role = parse_role(args.role);
  if (!role) {
    return fail_with(Error{ErrorCode::kUsage, "--role is editor or admin"});
  }
  // Fail on a taken name before asking for a password that would be thrown away.
  auto existing = store->find_user(args.name);
  if (!existing) {
    return fail_with(existing.error());
  }
  if (*existing) {
    return fail_with(Error{ErrorCode::kUsage,
                           fmt::format("user '{}' already exists (change the password with "
                                       "'herald users passwd {}')",
                                       args.name, args.name)});
  }
  auto hash = new_password_hash(args.password_stdin);
  if (!hash) {
    return fail_with(hash.error());
  }
  SystemClock clock;
  auto user = store->add_user(args.name, *role, *hash, clock.now_utc_seconds());
  if (!user) {
    return fail_with(user.error());
  }
  std::cout << fmt::format("added {} ({})\n", user->name, role_name(user->role));
  return kExitOk;
}

int change_password(const GlobalOptions& options, const UserArguments& args) {
  auto store = open_configured_store(options);
  if (!store) {
    return fail_with(store.error());
  }
  auto existing = store->find_user(args.name);
  if (!existing) {
    return fail_with(existing.error());
  }
  if (!*existing) {
    return fail_with(
        Error{ErrorCode::kNotFound, fmt::format("no user '{}' (see 'herald users list')",
                                                args.name)});
  }
  auto hash = new_password_hash(args.password_stdin);
  if (!hash) {
    return fail_with(hash.error());
  }
  if (auto changed = store->set_password(args.name, *hash); !changed) {
    return fail_with(changed.error());
  }
  std::cout << fmt::format("password of {} changed; their web sessions have ended\n",
                           args.name);
  return kExitOk;
}

enum class Revocation { kRemove, kDisable, kEnable, kRole };

int revoke(const GlobalOptions& options, Revocation what, const UserArguments& args) {
  auto store = open_configured_store(options);
  if (!store) {
    return fail_with(store.error());
  }
  Result<void> done;
  std::string message;
  switch (what) {
    case Revocation::kRemove:
      done = store->remove_user(args.name);
      message = fmt::format("removed {}; their web sessions have ended", args.name);
      break;
    case Revocation::kDisable:
      done = store->set_user_disabled(args.name, true);
      message = fmt::format("disabled {}; their web sessions have ended (enable again with "
                            "'herald users enable {}')",
                            args.name, args.name);
      break;
    case Revocation::kEnable:
      done = store->set_user_disabled(args.name, false);
      message = fmt::format("enabled {}", args.name);
      break;
    case Revocation::kRole: {
      const std::optional<Role> role = parse_role(args.role);
      if (!role) {
        return fail_with(Error{ErrorCode::kUsage, "ROLE is editor or admin"});
      }
      done = store->set_user_role(args.name, *role);
      message = fmt::format("{} is now {}; their web sessions have ended", args.name,
                            role_name(*role));
      break;
    }
  }
  if (!done) {
    return fail_with(done.error());
  }
  std::cout << message << "\n";
  return kExitOk;
}

int list_users(const GlobalOptions& options, bool as_json) {
  auto store = open_configured_store(options);
  if (!store) {
    return fail_with(store.error());
  }
  auto users = store->list_users();
  if (!users) {
    return fail_with(users.error());
  }
  const TimeZone utc = TimeZone::utc();
  if (as_json) {
    // Never the hashes: they are secrets too (offline guessing).
    nlohmann::json out = nlohmann::json::array();
    for (const User& user : *users) {
      out.push_back({{"name", user.name},
                     {"role", role_name(user.role)},
                     {"disabled", user.disabled},
                     {"created_at", format_iso8601(user.created_at, utc)}});
    }
    std::cout << out.dump(2) << std::endl;
    return kExitOk;
  }
  for (const User& user : *users) {
    std::cout << fmt::format("{:<24} {:<7} {}{}\n", user.name, role_name(user.role),
                             format_iso8601(user.created_at, utc),
                             user.disabled ? " disabled" : "");
  }
  std::cout << users->size() << " users\n";
  return kExitOk;
}

}  // namespace

void add_users_verbs(Cli& cli) {
  CLI::App* users = cli.app().add_subcommand("users", "Accounts of the editors' web UI");
  users->require_subcommand(1);

  auto add_args = std::make_shared<UserArguments>();
  CLI::App* add = users->add_subcommand("add", "Add an account (asks for its password)");
  add->add_option("NAME", add_args->name, "Login name")->required();
  add->add_option("--role", add_args->role, "editor (reviews and exports) or admin (also sources)")
      ->check(CLI::IsMember({"editor", "admin"}))
      ->capture_default_str();
  add->add_flag("--password-stdin", add_args->password_stdin,
                "Read the password as one line from stdin (for scripts)");
  cli.on(add, [&cli, add_args] { return add_user(cli.options(), *add_args); });

  auto passwd_args = std::make_shared<UserArguments>();
  CLI::App* passwd = users->add_subcommand("passwd", "Set an account's password");
  passwd->add_option("NAME", passwd_args->name, "Login name")->required();
  passwd->add_flag("--password-stdin", passwd_args->password_stdin,
                   "Read the password as one line from stdin (for scripts)");
  cli.on(passwd, [&cli, passwd_args] { return change_password(cli.options(), *passwd_args); });

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = users->add_subcommand("list", "List the accounts (never their passwords)");
  list->add_flag("--json", *list_json, "Print a JSON array");
  cli.on(list, [&cli, list_json] { return list_users(cli.options(), *list_json); });

  // Revocation: each ends the account's web sessions at once. The last enabled admin
  // cannot be removed, disabled or made an editor.
  auto add_revocation = [users, &cli](const char* verb, const char* help, Revocation what) {
    auto args = std::make_shared<UserArguments>();
    CLI::App* command = users->add_subcommand(verb, help);
    command->add_option("NAME", args->name, "Login name")->required();
    if (what == Revocation::kRole) {
      command->add_option("ROLE", args->role, "editor or admin")
          ->required()
          ->check(CLI::IsMember({"editor", "admin"}));
    }
    cli.on(command, [&cli, what, args] { return revoke(cli.options(), what, *args); });
  };
  add_revocation("remove", "Delete an account and end its sessions (its audit entries stay)",
                 Revocation::kRemove);
  add_revocation("disable", "Stop an account signing in and end its sessions",
                 Revocation::kDisable);
  add_revocation("enable", "Let a disabled account sign in again", Revocation::kEnable);
  add_revocation("role", "Make an account editor or admin, and end its sessions",
                 Revocation::kRole);
}

}  // namespace herald
