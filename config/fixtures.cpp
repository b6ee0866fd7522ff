#include "config/fixtures.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/toml_file.h"

static_assert(TOML_EXCEPTIONS, "herald expects toml++ with TOML_EXCEPTIONS enabled");

namespace herald {
namespace {

namespace fs = std::filesystem;

// Collects every problem of one file, sorted by position, like the source loader does.
class FileProblems {
 public:
  explicit FileProblems(std::string file) : file_(std::move(file)) {}

  void add(const toml::source_position& where, std::string_view key, std::string_view what) {
    const toml::source_position at = where ? where : toml::source_position{1, 1};
    lines_.emplace_back(at, fmt::format("{}:{}:{}: key '{}': {}", file_, at.line, at.column,
                                        key, what));
  }
  bool empty() const { return lines_.empty(); }
  Error error() const {
    auto sorted = lines_;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string message;
    for (const auto& [where, text] : sorted) {
      message += message.empty() ? "" : "\n";
      message += text;
    }
    return Error{ErrorCode::kConfig, std::move(message)};
  }
  std::string at(const toml::source_position& where) const {
    return fmt::format("{}:{}", file_, where.line);
  }

 private:
  std::string file_;
  std::vector<std::pair<toml::source_position, std::string>> lines_;
};

// A fixture file that does not exist means "no fixture" (kNotFound), which callers tell
// apart from a broken one (kConfig).
Result<toml::table> read_fixture_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return fail(ErrorCode::kNotFound, fmt::format("{}: cannot read the file", file.string()));
  }
  return read_toml_file(file);
}

void reject_unknown_keys(const toml::table& table, std::initializer_list<std::string_view> known,
                         FileProblems& problems) {
  for (const auto& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      std::string allowed;
      for (std::string_view name : known) {
        allowed += allowed.empty() ? "" : ", ";
        allowed += name;
      }
      problems.add(key.source().begin, key.str(),
                   fmt::format("unknown key; the keys here are: {}", allowed));
    }
  }
}

// A required (or optional) string; nullopt after reporting when it is the wrong type.
std::optional<std::string> string_key(const toml::table& table, std::string_view key,
                                      bool required, const toml::source_position& owner,
                                      FileProblems& problems) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    if (required) {
      problems.add(owner, key, "missing; every entry needs it");
    }
    return std::nullopt;
  }
  if (const auto* value = node->as_string()) {
    return value->get();
  }
  problems.add(node->source().begin, key, "must be a string in double quotes");
  return std::nullopt;
}

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2023-11-29", or an instant with a zone: "2023-11-02T19:23:30Z", "...T10:00:00+08:00".
bool is_expected_date(std::string_view text) {
  if (text.size() < 10 || !is_digits(text.substr(0, 4)) || text[4] != '-' ||
      !is_digits(text.substr(5, 2)) || text[7] != '-' || !is_digits(text.substr(8, 2))) {
    return false;
  }
  if (text.size() == 10) {
    return true;
  }
  if (text[10] != 'T' || text.size() < 17) {
    return false;
  }
  const char last = text.back();
  return last == 'Z' || text.find_first_of("+-", 16) != std::string_view::npos;
}

// TOML's own date types, for a published written without quotes.
std::optional<std::string> toml_date_text(const toml::node& node) {
  if (const auto* date = node.as_date()) {
    const toml::date d = date->get();
    return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
  }
  if (const auto* date_time = node.as_date_time()) {
    const toml::date_time dt = date_time->get();
    if (!dt.offset) {
      return std::nullopt;  // a local date-time: which zone is ambiguous
    }
    const int minutes = dt.offset->minutes;
    const int magnitude = minutes < 0 ? -minutes : minutes;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", dt.date.year,
                       dt.date.month, dt.date.day, dt.time.hour, dt.time.minute, dt.time.second,
                       minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
  }
  return std::nullopt;
}

// Each [[name]] table of `root`, or a problem when `name` is not an array of tables.
std::vector<const toml::table*> tables_of(const toml::table& root, std::string_view name,
                                          FileProblems& problems) {
  std::vector<const toml::table*> tables;
  const toml::node* node = root.get(name);
  if (node == nullptr) {
    return tables;
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    problems.add(node->source().begin, name,
                 fmt::format("must be a list of tables; write [[{}]] sections", name));
    return tables;
  }
  for (const toml::node& element : *array) {
    if (const auto* table = element.as_table()) {
      tables.push_back(table);
    } else {
      problems.add(element.source().begin, name,
                   fmt::format("every entry must be a table; write [[{}]] sections", name));
    }
  }
  return tables;
}

}  // namespace

Result<FixtureIndex> load_fixture_index(const fs::path& dir) {
  const fs::path file = dir / kFixtureIndexFile;
  auto root = read_fixture_file(file);
  if (!root) {
    return fail(root.error());
  }
  FileProblems problems(file.string());
  reject_unknown_keys(*root, {"response"}, problems);
  FixtureIndex index{.dir = dir};
  std::set<std::pair<std::string, std::string>> seen;
  for (const toml::table* table : tables_of(*root, "response", problems)) {
    const toml::source_position owner = table->source().begin;
    reject_unknown_keys(*table, {"url", "file", "content_type", "status", "method"}, problems);
    SavedResponse response{.where = problems.at(owner)};
    auto url = string_key(*table, "url", true, owner, problems);
    auto name = string_key(*table, "file", true, owner, problems);
    response.content_type = string_key(*table, "content_type", false, owner, problems).value_or("");
    if (auto method = string_key(*table, "method", false, owner, problems)) {
      if (*method == "GET" || *method == "POST") {
        response.method = *method;
      } else {
        problems.add(table->get("method")->source().begin, "method",
                     fmt::format("'{}' is not a method herald sends; write \"GET\" or \"POST\"",
                                 *method));
      }
    }
    if (const toml::node* status = table->get("status")) {
      const auto value = status->value<std::int64_t>();
      if (!value || *value < 100 || *value > 599) {
        problems.add(status->source().begin, "status",
                     "must be an HTTP status between 100 and 599, e.g. 200 or 404");
      } else {
        response.status = static_cast<long>(*value);
      }
    }
    if (url) {
      if (!url->starts_with("http://") && !url->starts_with("https://")) {
        problems.add(table->get("url")->source().begin, "url",
                     fmt::format("'{}' is not an http(s) address; write exactly the URL herald "
                                 "requests",
                                 *url));
      } else if (!seen.emplace(response.method, *url).second) {
        problems.add(table->get("url")->source().begin, "url",
                     fmt::format("{} {} is listed twice; keep one [[response]] per URL",
                                 response.method, *url));
      }
      response.url = *url;
    }
    if (name) {
      response.file = dir / *name;
      std::error_code ec;
      if (!fs::is_regular_file(response.file, ec)) {
        problems.add(table->get("file")->source().begin, "file",
                     fmt::format("{} does not exist; name a file in {}", *name, dir.string()));
      }
    }
    index.responses.push_back(std::move(response));
  }
  if (!problems.empty()) {
    return fail(problems.error());
  }
  return index;
}

Result<FixtureContract> load_fixture_contract(const fs::path& dir) {
  const fs::path file = dir / kFixtureContractFile;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    return fail(ErrorCode::kNotFound,
                fmt::format("{}: missing; write the contract (docs/source-fixtures.md)",
                            file.string()));
  }
  auto root = read_fixture_file(file);
  if (!root) {
    return fail(root.error());
  }
  FileProblems problems(file.string());
  reject_unknown_keys(*root, {"count", "item"}, problems);
  FixtureContract contract{.dir = dir, .where = file.string()};
  if (const toml::node* count = root->get("count")) {
    const auto value = count->value<std::int64_t>();
    if (!value || *value < 0 || *value > 100000) {
      problems.add(count->source().begin, "count",
                   "must be the number of items extracted from the list, e.g. count = 20");
    } else {
      contract.count = static_cast<int>(*value);
    }
  } else {
    problems.add(toml::source_position{1, 1}, "count",
                 "missing; write how many items the list response gives, e.g. count = 20");
  }
  for (const toml::table* table : tables_of(*root, "item", problems)) {
    const toml::source_position owner = table->source().begin;
    reject_unknown_keys(*table, {"title", "url", "published"}, problems);
    ExpectedItem item{.where = problems.at(owner)};
    item.title = string_key(*table, "title", true, owner, problems).value_or("");
    item.url = string_key(*table, "url", true, owner, problems).value_or("");
    if (const toml::node* published = table->get("published")) {
      std::optional<std::string> text;
      if (const auto* value = published->as_string()) {
        text = value->get();
      } else {
        text = toml_date_text(*published);
      }
      if (!text || !is_expected_date(*text)) {
        problems.add(published->source().begin, "published",
                     "must be a local date \"2023-11-29\" or an instant with its zone "
                     "\"2023-11-02T19:23:30Z\"");
      } else {
        item.published = *text;
      }
    }
    contract.items.push_back(std::move(item));
  }
  if (!problems.empty()) {
    return fail(problems.error());
  }
  return contract;
}

}  // namespace herald
