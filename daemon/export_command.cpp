// `herald export`: the newsletter draft of one month, in Markdown or HTML.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/timezone.h"
#include "daemon/cli.h"
#include "daemon/context.h"
#include "daemon/edition.h"
#include "web/export.h"

namespace herald {
namespace {

struct ExportArguments {
  std::string month{};
  std::string format = "md";
  std::filesystem::path output{};
  bool publish = false;
  // The firm is in Beijing: a month is counted in its zone, whatever the sources' zones.
  std::string timezone = "Asia/Shanghai";
  std::string title{};
  std::string commentary_label = "短评";
  std::string by{};
};

int fail_with(const Error& error) {
  print_error(error);
  return exit_code_for(error);
}

// Writes next to `path` and renames over it, so an interrupted export never leaves half a
// draft where the last good one was.
Result<void> write_file(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      return fail(ErrorCode::kInternal,
                  fmt::format("cannot write {}: check the directory exists and is writable",
                              temporary.string()));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    return fail(ErrorCode::kInternal,
                fmt::format("cannot rename {} to {}: {}", temporary.string(), path.string(),
                            ec.message()));
  }
  return {};
}

int export_edition(const GlobalOptions& options, const ExportArguments& args) {
  auto loaded = load_configuration(options.config);
  if (!loaded) {
    return fail_with(loaded.error());
  }
  if (!parse_edition_month(args.month)) {
    return fail_with(Error{ErrorCode::kUsage,
                           fmt::format("--month '{}': write YYYY-MM, e.g. 2023-11", args.month)});
  }
  auto zone = TimeZone::load(args.timezone);
  if (!zone) {
    return fail_with(Error{ErrorCode::kUsage, fmt::format("--timezone: {}", zone.error().message)});
  }
  auto store = open_store(loaded->config);
  if (!store) {
    return fail_with(store.error());
  }
  auto edition = build_edition(*store, loaded->sources.sources, args.month, *zone);
  if (!edition) {
    return fail_with(edition.error());
  }
  edition->title = args.title;
  const web::ExportOptions export_options{.commentary_label = args.commentary_label};
  const std::string text = args.format == "html" ? web::export_html(*edition, export_options)
                                                 : web::export_markdown(*edition, export_options);
  if (args.output.empty()) {
    std::cout << text << std::flush;
  } else if (auto written = write_file(args.output, text); !written) {
    return fail_with(written.error());
  }
  std::cerr << fmt::format("herald: {} items in the {} edition{}\n", edition->items.size(),
                           args.month,
                           args.output.empty() ? "" : " written to " + args.output.string());

  if (args.publish) {
    SystemClock clock;
    auto published = store->publish_edition(args.month, month_utc_offset(args.month, *zone),
                                             args.by.empty() ? std::string("cli") : args.by,
                                             clock.now_utc_seconds());
    if (!published) {
      return fail_with(published.error());
    }
    std::cerr << fmt::format("herald: {} candidates marked published in edition {}\n",
                             *published, args.month);
  }
  return kExitOk;
}

}  // namespace

void add_export_verb(Cli& cli) {
  auto args = std::make_shared<ExportArguments>();
  if (const char* user = std::getenv("USER"); user != nullptr) {
    args->by = user;
  }
  CLI::App* command = cli.app().add_subcommand(
      "export", "The newsletter draft of one month: accepted candidates by section");
  command->add_option("--month", args->month, "The edition, YYYY-MM (e.g. 2023-11)")->required();
  command->add_option("--format", args->format, "md (Markdown) or html")
      ->check(CLI::IsMember({"md", "html"}))
      ->capture_default_str();
  command->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  command->add_flag("--publish", args->publish,
                    "Then mark the exported candidates published in this edition");
  command->add_option("--timezone", args->timezone, "The zone the month is counted in")
      ->capture_default_str();
  command->add_option("--title", args->title, "Document title (default: 2023年11月)");
  command->add_option("--commentary-label", args->commentary_label,
                      "Heading of the editors' comments, e.g. 植德短评")
      ->capture_default_str();
  command->add_option("--by", args->by, "Who published (with --publish; default: $USER)");
  cli.on(command, [&cli, args] { return export_edition(cli.options(), *args); });
}

}  // namespace herald
