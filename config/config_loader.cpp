#include "config/config_loader.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "common/timezone.h"
#include "config/selector.h"
#include "config/toml_file.h"

// The installed libtomlplusplus is built with exceptions; its ABI namespace differs
// without them, and read_toml_file (toml_file.cpp) relies on toml::parse throwing toml::parse_error.
static_assert(TOML_EXCEPTIONS, "herald expects toml++ with TOML_EXCEPTIONS enabled");

namespace herald {

std::string_view source_type_name(SourceType type) {
  switch (type) {
    case SourceType::kHtml:
      return "html";
    case SourceType::kFeed:
      return "feed";
    case SourceType::kJson:
      return "json";
    case SourceType::kCourtListener:
      return "courtlistener";
    case SourceType::kWechat:
      return "wechat";
  }
  return "unknown";
}

std::string_view source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::kGovernment:
      return "government";
    case SourceKind::kCourt:
      return "court";
    case SourceKind::kAssociation:
      return "association";
    case SourceKind::kCompany:
      return "company";
    case SourceKind::kMedia:
      return "media";
    case SourceKind::kPlatform:
      return "platform";
  }
  return "unknown";
}

namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr std::string_view kDefaultUserAgent = "herald/0.1";
constexpr seconds kMinInterval{60};
constexpr seconds kMaxInterval{7 * 24 * 3600};
constexpr seconds kMinTimeout{1};
constexpr seconds kMaxTimeout{600};
constexpr seconds kMinDelay{0};
constexpr seconds kMaxDelay{3600};
constexpr std::int64_t kMinBodyBytes = 1024;
constexpr std::int64_t kMaxBodyBytes = 64 * 1024 * 1024;
constexpr std::int64_t kMaxExpectMinItems = 10000;
// [queue] / a source's backfill_days: ten years covers any archive.
constexpr std::int64_t kMaxBackfillDays = 3650;
constexpr int kDefaultBackfillDays = 30;
constexpr std::int64_t kMaxArticlesPerPoll = 200;
constexpr double kMaxJitter = 0.5;

// ---------------------------------------------------------------------------------------
// Problems: every problem in one file, so an admin can fix them all in one go.

class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  bool empty() const { return entries_.empty(); }

  void add(toml::source_position where, std::string_view key, std::string_view what) {
    // Tables toml++ creates implicitly (a.b.c = 1) can lack a position.
    if (!where) {
      where = toml::source_position{1, 1};
    }
    entries_.push_back(
        {where, fmt::format("{}:{}:{}: key '{}': {}", file_, where.line, where.column, key, what)});
  }

  // One Error for the file: one line per problem, in the order they appear in the file.
  Error error() const {
    std::vector<Entry> sorted = entries_;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Entry& a, const Entry& b) { return a.where < b.where; });
    std::string message;
    for (const Entry& entry : sorted) {
      if (!message.empty()) {
        message += '\n';
      }
      message += entry.text;
    }
    return Error{ErrorCode::kConfig, std::move(message), false};
  }

 private:
  struct Entry {
    toml::source_position where{};
    std::string text{};
  };
  std::string file_;
  std::vector<Entry> entries_;
};

// ---------------------------------------------------------------------------------------
// Small value checks.

std::string_view type_description(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "a whole number";
    case toml::node_type::floating_point:
      return "a decimal number";
    case toml::node_type::boolean:
      return "true/false";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    case toml::node_type::array:
      return "a list [ ... ]";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view name : names) {
    if (!out.empty()) {
      out += ", ";
    }
    out += name;
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool has_control_char(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

bool starts_with_ignoring_case(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    if (c != prefix[i]) {
      return false;
    }
  }
  return true;
}

// Returns what is wrong with `url`, or nullopt when it is an absolute http(s) URL.
std::optional<std::string> http_url_problem(std::string_view url) {
  std::size_t rest = 0;
  if (starts_with_ignoring_case(url, "https://")) {
    rest = 8;
  } else if (starts_with_ignoring_case(url, "http://")) {
    rest = 7;
  } else {
    return fmt::format(
        "'{}' is not an http:// or https:// address; write the full address, "
        "e.g. \"https://www.example.gov.cn/news/\"",
        url);
  }
  if (rest == url.size() || url[rest] == '/' || url[rest] == '?' || url[rest] == '#') {
    return fmt::format(
        "'{}' has no host name; write the full address, "
        "e.g. \"https://www.example.gov.cn/news/\"",
        url);
  }
  if (std::any_of(url.begin(), url.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f;
      })) {
    return fmt::format(
        "'{}' contains a space or control character; percent-encode it "
        "(a space is %20)",
        url);
  }
  return std::nullopt;
}

bool valid_source_id(std::string_view id) {
  const auto lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (id.empty() || id.size() > 64 || !lower_or_digit(id.front())) {
    return false;
  }
  return std::all_of(id.begin(), id.end(),
                     [&](char c) { return lower_or_digit(c) || c == '-' || c == '_'; });
}

// "90s", "15m", "2h", "1d", "3y" (365 days) and combinations from the largest unit down
// ("1h30m", "1y180d").
std::optional<seconds> parse_duration(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  std::int64_t total = 0;
  std::int64_t previous_unit = std::numeric_limits<std::int64_t>::max();
  std::size_t i = 0;
  while (i < text.size()) {
    std::int64_t value = 0;
    const std::size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (value > 100'000'000) {  // far beyond any valid range; stops overflow
        return std::nullopt;
      }
      ++i;
    }
    if (i == digits_start || i == text.size()) {
      return std::nullopt;
    }
    std::int64_t unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'y':
        unit = 365 * 86400;
        break;
      default:
        return std::nullopt;
    }
    if (unit >= previous_unit) {  // "1h1h" or "30m1h": almost certainly a typo
      return std::nullopt;
    }
    previous_unit = unit;
    total += value * unit;
    ++i;
  }
  return seconds{total};
}

std::string format_duration(seconds duration) {
  std::int64_t left = duration.count();
  std::string out;
  for (const auto& [unit, suffix] :
       {std::pair<std::int64_t, char>{365 * 86400, 'y'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'},
        {1, 's'}}) {
    if (left >= unit) {
      out += fmt::format("{}{}", left / unit, suffix);
      left %= unit;
    }
  }
  return out.empty() ? "0s" : out;
}

std::string format_bytes(std::int64_t bytes) {
  if (bytes % (1024 * 1024) == 0) {
    return fmt::format("{} MiB", bytes / (1024 * 1024));
  }
  if (bytes % 1024 == 0) {
    return fmt::format("{} KiB", bytes / 1024);
  }
  return fmt::format("{} bytes", bytes);
}

// ---------------------------------------------------------------------------------------
// TableReader: typed access to one TOML table, reporting every problem with its position.
// Absent and invalid values both come back as nullopt; callers keep their defaults, and
// the file is rejected at the end if any problem was recorded.

class TableReader {
 public:
  // Reports every key of `table` not in `known` (typos must not be silently ignored).
  TableReader(Problems& problems, const toml::table& table, std::string path,
              std::vector<std::string_view> known)
      : problems_(problems), table_(table), path_(std::move(path)), known_(std::move(known)) {
    for (const auto& [key, node] : table_) {
      const std::string_view name = key.str();
      if (std::find(known_.begin(), known_.end(), name) != known_.end()) {
        continue;
      }
      std::string what = fmt::format("unknown key in {}", where_name());
      std::string_view closest;
      std::size_t best = 3;  // suggest only near misses
      for (std::string_view candidate : known_) {
        const std::size_t distance = edit_distance(name, candidate);
        if (distance < best) {
          best = distance;
          closest = candidate;
        }
      }
      if (closest.empty()) {
        what += fmt::format("; valid keys are: {}", join(known_));
      } else {
        what += fmt::format("; did you mean '{}'? Valid keys are: {}", closest, join(known_));
      }
      problems_.add(key.source().begin, key_path(name), what);
    }
  }

  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }

  // The table itself: where a missing key is reported.
  toml::source_position position() const { return table_.source().begin; }

  // The value of `key`, or the table when it is absent.
  toml::source_position position(std::string_view key) const {
    const toml::node* node = table_.get(key);
    return node != nullptr ? node->source().begin : position();
  }

  bool has(std::string_view key) const { return table_.get(key) != nullptr; }
  const toml::node* node(std::string_view key) const { return table_.get(key); }

  void problem(std::string_view key, std::string_view what) {
    problems_.add(position(key), key_path(key), what);
  }

  // A problem inside a value (an element of a list), at the element's own position.
  void problem_at(toml::source_position where, std::string_view key, std::string_view what) {
    problems_.add(where, key_path(key), what);
  }

  void missing(std::string_view key, std::string_view example) {
    problems_.add(position(), key_path(key),
                  fmt::format("missing; add e.g. {} = {}{}", key, example,
                              path_.empty() ? "" : fmt::format(" to {}", where_name())));
  }

  // A non-empty, single-line string. `example` is a TOML value ("\"...\"").
  std::optional<std::string> string(std::string_view key, std::string_view example) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      problem(key, fmt::format("expected a string, found {}; write {} = {}",
                               type_description(*node), key, example));
      return std::nullopt;
    }
    const std::string& text = value->get();
    if (is_blank(text)) {
      problem(key, fmt::format("is empty; write e.g. {} = {}", key, example));
      return std::nullopt;
    }
    if (has_control_char(text)) {
      problem(key, fmt::format("contains a line break or control character; write it on one "
                               "line, e.g. {} = {}",
                               key, example));
      return std::nullopt;
    }
    return text;
  }

  std::optional<std::string> required_string(std::string_view key, std::string_view example) {
    if (!has(key)) {
      missing(key, example);
      return std::nullopt;
    }
    return string(key, example);
  }

  std::optional<bool> boolean(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    if (const auto* value = node->as_boolean()) {
      return value->get();
    }
    problem(key, fmt::format("expected true or false, found {}; write {} = true or {} = false "
                             "(no quotes)",
                             type_description(*node), key, key));
    return std::nullopt;
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max,
                                      std::string (*show)(std::int64_t) = nullptr) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_integer();
    if (value == nullptr) {
      problem(key, fmt::format("expected a whole number, found {}; write e.g. {} = {} (no "
                               "quotes)",
                               type_description(*node), key, min));
      return std::nullopt;
    }
    const std::int64_t n = value->get();
    if (n < min || n > max) {
      const auto shown = [&](std::int64_t bound) {
        return show == nullptr ? std::to_string(bound) : fmt::format("{} ({})", bound, show(bound));
      };
      problem(key, fmt::format("{} is out of range; write a number from {} to {}", n, shown(min),
                               shown(max)));
      return std::nullopt;
    }
    return n;
  }

  // A number (integer or decimal) in [low, high], or (low, high] when !low_inclusive.
  std::optional<double> number(std::string_view key, double low, bool low_inclusive, double high) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    if (!node->is_number()) {
      problem(key, fmt::format("expected a number, found {}; write e.g. {} = 1.0 (no quotes)",
                               type_description(*node), key));
      return std::nullopt;
    }
    const double n = node->value<double>().value_or(0.0);
    const bool above_low = low_inclusive ? n >= low : n > low;
    if (!std::isfinite(n) || !above_low || n > high) {
      problem(key, fmt::format("{} is out of range; write a number {} {} and at most {}", n,
                               low_inclusive ? "of at least" : "greater than", low, high));
      return std::nullopt;
    }
    return n;
  }

  std::optional<seconds> duration(std::string_view key, seconds min, seconds max) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return std::nullopt;
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      problem(key, fmt::format("expected a duration string like \"2h\", found {}; write e.g. "
                               "{} = \"{}\" (units s, m, h, d)",
                               type_description(*node), key, format_duration(max / 2)));
      return std::nullopt;
    }
    const std::optional<seconds> parsed = parse_duration(value->get());
    if (!parsed) {
      problem(key, fmt::format("'{}' is not a duration; write a number and a unit (s, m, h, d), "
                               "e.g. \"90s\", \"15m\", \"2h\" or \"1h30m\"",
                               value->get()));
      return std::nullopt;
    }
    if (*parsed < min) {
      problem(key, fmt::format("\"{}\" is too short; write at least \"{}\"", value->get(),
                               format_duration(min)));
      return std::nullopt;
    }
    if (*parsed > max) {
      problem(key, fmt::format("\"{}\" is too long; write at most \"{}\"", value->get(),
                               format_duration(max)));
      return std::nullopt;
    }
    return parsed;
  }

  // A sub-table, or nullptr when absent or not a table.
  const toml::table* table(std::string_view key) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return nullptr;
    }
    if (const auto* sub = node->as_table()) {
      return sub;
    }
    problem(key, fmt::format("expected a table, found {}; write a [{}] section",
                             type_description(*node), key_path(key)));
    return nullptr;
  }

  const toml::array* array(std::string_view key, std::string_view example) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      return nullptr;
    }
    if (const auto* list = node->as_array()) {
      return list;
    }
    problem(key, fmt::format("expected a list, found {}; write {} = {}", type_description(*node),
                             key, example));
    return nullptr;
  }

 private:
  std::string where_name() const {
    if (path_.empty()) {
      return "the top level";
    }
    // Array elements (topics[0]) are not written as [name] in the file.
    return path_.find('[') == std::string::npos ? fmt::format("[{}]", path_) : path_;
  }

  Problems& problems_;
  const toml::table& table_;
  std::string path_;
  std::vector<std::string_view> known_;
};

template <typename Enum>
std::optional<Enum> enum_value(TableReader& table, std::string_view key,
                               std::initializer_list<std::pair<std::string_view, Enum>> names) {
  std::vector<std::string_view> valid;
  for (const auto& [name, value] : names) {
    valid.push_back(name);
  }
  const std::optional<std::string> text = table.string(key, fmt::format("\"{}\"", valid.front()));
  if (!text) {
    return std::nullopt;
  }
  for (const auto& [name, value] : names) {
    if (*text == name) {
      return value;
    }
  }
  table.problem(key, fmt::format("unknown {} '{}'; write one of: {}", key, *text, join(valid)));
  return std::nullopt;
}

std::optional<Selector> selector(TableReader& table, std::string_view key, SelectorScope scope,
                                 std::string_view example) {
  const std::optional<std::string> text = table.string(key, example);
  if (!text) {
    return std::nullopt;
  }
  Result<Selector> compiled = compile_selector(*text, scope);
  if (!compiled) {
    table.problem(key, compiled.error().message);
    return std::nullopt;
  }
  return std::move(*compiled);
}

std::optional<std::string> header_value(TableReader& table, std::string_view key,
                                        std::string_view example) {
  // string() already rejects CR/LF, which would let a value inject HTTP headers.
  return table.string(key, example);
}

// ---------------------------------------------------------------------------------------
// Source files.

std::optional<ListRules> read_list(TableReader& list) {
  ListRules rules;
  bool ok = true;
  if (!list.has("item")) {
    list.missing("item", "\"ul.list li\"");
    ok = false;
  } else if (auto item = selector(list, "item", SelectorScope::kDocument, "\"ul.list li\"")) {
    rules.item = std::move(*item);
  } else {
    ok = false;
  }
  if (list.has("title")) {
    rules.title = selector(list, "title", SelectorScope::kRelative, "\"a@title\"");
    ok = ok && rules.title.has_value();
  }
  if (list.has("link")) {
    auto link = selector(list, "link", SelectorScope::kRelative, "\"a@href\"");
    ok = ok && link.has_value();
    if (link) {
      rules.link = std::move(*link);
    }
  } else {
    Result<Selector> link = compile_selector("a@href", SelectorScope::kRelative);
    if (link) {
      rules.link = std::move(*link);
    } else {
      // The built-in default failing is a bug in the selector compiler, not in the file.
      list.problem("link", fmt::format("the default \"a@href\" did not compile ({}); write link "
                                       "explicitly",
                                       link.error().message));
      ok = false;
    }
  }
  if (list.has("date")) {
    rules.date = selector(list, "date", SelectorScope::kRelative, "\"span.date\"");
    ok = ok && rules.date.has_value();
  }
  if (list.has("summary")) {
    rules.summary = selector(list, "summary", SelectorScope::kRelative, "\".summary\"");
    ok = ok && rules.summary.has_value();
  }
  if (list.has("title_strip_date")) {
    const std::optional<bool> strip = list.boolean("title_strip_date");
    ok = ok && strip.has_value();
    rules.title_strip_date = strip.value_or(false);
  }
  if (list.has("date_is")) {
    const std::optional<std::string> meaning = list.string("date_is", "\"deadline\"");
    if (meaning && *meaning == "deadline") {
      rules.date_is_deadline = true;
    } else if (meaning && *meaning != "published") {
      list.problem("date_is", fmt::format("unknown date_is \"{}\"; write date_is = \"published\" "
                                          "(the default) or date_is = \"deadline\"",
                                          *meaning));
      ok = false;
    }
    ok = ok && meaning.has_value();
  }
  if (rules.date_is_deadline) {
    if (!list.has("date")) {
      list.problem("date_is", "date_is = \"deadline\" needs the date selector that reads the "
                              "deadline; add date = \"span.date\" (your page's element)");
      ok = false;
    } else if (list.has("summary")) {
      list.problem("date_is", "date_is = \"deadline\" keeps the deadline as the item's summary; "
                              "remove summary from [list]");
      ok = false;
    } else {
      // Read as the summary, the deadline is never taken for the publish date.
      rules.summary = std::move(rules.date);
      rules.date.reset();
    }
  }
  if (!ok) {
    return std::nullopt;
  }
  return rules;
}

void read_source_fetch(TableReader& fetch, FetchSettings& settings) {
  settings.user_agent =
      header_value(fetch, "user_agent", "\"herald/0.1 (+mailto:ops@example.com)\"");
  if (auto referer = header_value(fetch, "referer", "\"https://www.example.gov.cn/\"")) {
    if (auto wrong = http_url_problem(*referer)) {
      fetch.problem("referer", *wrong);
    } else {
      settings.referer = std::move(referer);
    }
  }
  settings.accept_language = header_value(fetch, "accept_language", "\"zh-CN,zh;q=0.9\"");
  settings.timeout = fetch.duration("timeout", kMinTimeout, kMaxTimeout).value_or(settings.timeout);
  if (auto max = fetch.integer("max_body_bytes", kMinBodyBytes, kMaxBodyBytes, format_bytes)) {
    settings.max_body_bytes = static_cast<std::size_t>(*max);
  }
  if (fetch.has("min_delay")) {
    settings.min_delay = fetch.duration("min_delay", kMinDelay, kMaxDelay);
  }
  settings.ignore_robots = fetch.boolean("ignore_robots").value_or(false);
  settings.internal = fetch.boolean("internal").value_or(false);
}

std::optional<ArticleRules> read_article(TableReader& article) {
  ArticleRules rules;
  bool ok = true;
  const auto optional_selector = [&](std::string_view key, std::string_view example,
                                     std::optional<Selector>& out) {
    if (article.has(key)) {
      out = selector(article, key, SelectorScope::kDocument, example);
      ok = ok && out.has_value();
    }
  };
  optional_selector("title", "\"h1\"", rules.title);
  optional_selector("date", "\"div.info span.time\"", rules.date);
  optional_selector("summary", "\"meta[name=description]@content\"", rules.summary);
  optional_selector("body", "\"#mainText\"", rules.body);
  if (article.has("max_per_poll")) {
    auto max = article.integer("max_per_poll", 1, kMaxArticlesPerPoll);
    ok = ok && max.has_value();
    rules.max_per_poll = static_cast<int>(max.value_or(rules.max_per_poll));
  }
  if (article.has("timeout")) {
    auto timeout = article.duration("timeout", kMinTimeout, kMaxTimeout);
    ok = ok && timeout.has_value();
    rules.timeout = timeout.value_or(rules.timeout);
  }
  if (!ok) {
    return std::nullopt;
  }
  return rules;
}

// same_item_urls = ["scheme", "www"]: any subset; a repeated name changes nothing.
void read_same_item_urls(TableReader& top, Problems& problems, UrlKeyOptions& options) {
  constexpr std::string_view kExample = "[\"scheme\", \"www\"]";
  const toml::array* list = top.array("same_item_urls", kExample);
  if (list == nullptr) {
    return;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::node& node = *list->get(i);
    const std::string key = fmt::format("same_item_urls[{}]", i);
    const auto* name = node.as_string();
    if (name != nullptr && name->get() == "scheme") {
      options.ignore_scheme = true;
    } else if (name != nullptr && name->get() == "www") {
      options.ignore_www = true;
    } else {
      problems.add(node.source().begin, key,
                   fmt::format("expected \"scheme\" (http and https are the same item) or "
                               "\"www\" (www., m. and the bare host are the same item), found "
                               "{}; write e.g. same_item_urls = {}",
                               name != nullptr ? fmt::format("'{}'", name->get())
                                               : std::string(type_description(node)),
                               kExample));
    }
  }
}

// mode, manual_reason, bridge_url. A manual source says why (shown on the health page and
// in `sources status`); only a manual source may name a bridge feed to poll instead.
void read_mode(TableReader& top, SourceConfig& source) {
  const auto mode = enum_value<SourceMode>(
      top, "mode", {{"poll", SourceMode::kPoll}, {"manual", SourceMode::kManual}});
  if (mode) {
    source.mode = *mode;
  } else if (top.has("mode")) {
    // Which keys belong is unknown until the mode is fixed: check the values only.
    source.mode = SourceMode::kManual;
  }
  const bool manual = source.mode == SourceMode::kManual;
  const bool mode_known = mode.has_value() || !top.has("mode");
  if (top.has("manual_reason")) {
    auto reason = top.string("manual_reason", "\"No public list; editors add articles with "
                                              "`herald add URL`\"");
    if (reason && !manual) {
      top.problem("manual_reason", "is only used with mode = \"manual\"; remove it, or add "
                                   "mode = \"manual\" if herald cannot poll this source");
    } else if (reason) {
      source.manual_reason = std::move(*reason);
    }
  } else if (manual && mode_known) {
    top.missing("manual_reason",
                "\"No public list; editors add articles with `herald add URL`\" (why herald "
                "cannot poll it, shown to admins)");
  }
  if (top.has("bridge_url")) {
    auto bridge = top.string("bridge_url", "\"https://rss.example.com/wechat/feed.xml\"");
    if (bridge && !manual) {
      top.problem("bridge_url", "is only used with mode = \"manual\" (a feed polled in place of "
                                "a source herald cannot poll); remove it, or set url to the "
                                "feed and type = \"feed\"");
    } else if (bridge) {
      if (auto wrong = http_url_problem(*bridge)) {
        top.problem("bridge_url", *wrong);
      } else {
        source.bridge_url = std::move(*bridge);
      }
    }
  }
}

// A dot path into a JSON document ("data.list", "a.0.b"). `allow_empty`: "" means the
// document itself. Unlike string(), an empty value can be valid here.
std::optional<std::string> json_path(TableReader& table, std::string_view key, bool allow_empty,
                                     std::string_view example) {
  const toml::node* node = table.node(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const auto* value = node->as_string();
  if (value == nullptr) {
    table.problem(key, fmt::format("expected a string, found {}; write {} = {}",
                                   type_description(*node), key, example));
    return std::nullopt;
  }
  const std::string& path = value->get();
  if (path.empty()) {
    if (!allow_empty) {
      table.problem(key, fmt::format("is empty; write the field's dot path, e.g. {} = {}", key,
                                     example));
      return std::nullopt;
    }
    return path;
  }
  const bool bad_char = std::any_of(path.begin(), path.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  if (bad_char || path.front() == '.' || path.back() == '.' ||
      path.find("..") != std::string::npos) {
    table.problem(key, fmt::format("'{}' is not a dot path; write field names separated by dots, "
                                   "with array positions as numbers, e.g. {} = {}",
                                   bad_char ? std::string("(with spaces or control characters)")
                                            : path,
                                   key, example));
    return std::nullopt;
  }
  return path;
}

std::optional<JsonRules> read_json(TableReader& json) {
  JsonRules rules;
  bool ok = true;
  if (auto method = json.string("method", "\"GET\"")) {
    if (*method == "GET" || *method == "POST") {
      rules.method = *method;
    } else {
      json.problem("method", fmt::format("unknown method '{}'; write \"GET\" or \"POST\" (upper "
                                         "case)",
                                         *method));
      ok = false;
    }
  } else if (json.has("method")) {
    ok = false;
  }
  if (json.has("body")) {
    if (auto body = json.string("body", "\"page=1&pageSize=20\"")) {
      if (rules.method != "POST") {
        json.problem("body", "a body is only sent with method = \"POST\"; add method = \"POST\" "
                             "or remove body");
        ok = false;
      }
      rules.body = std::move(*body);
    } else {
      ok = false;
    }
  }
  const auto path = [&](std::string_view key, bool required, bool allow_empty,
                        std::string_view example, std::string& out) {
    if (!json.has(key)) {
      if (required) {
        json.missing(key, example);
        ok = false;
      }
      return;
    }
    if (auto value = json_path(json, key, allow_empty, example)) {
      out = std::move(*value);
    } else {
      ok = false;
    }
  };
  path("items", true, true, "\"data.list\"", rules.items);
  path("title", true, false, "\"title\"", rules.title);
  path("link", true, false, "\"url\"", rules.link);
  path("date", false, false, "\"publishDate\"", rules.date);
  path("summary", false, false, "\"summary\"", rules.summary);
  if (json.has("link_base")) {
    if (auto base = json.string("link_base", "\"https://www.example.gov.cn/\"")) {
      if (auto wrong = http_url_problem(*base)) {
        json.problem("link_base", *wrong);
        ok = false;
      } else {
        rules.link_base = std::move(*base);
      }
    } else {
      ok = false;
    }
  }
  if (!ok) {
    return std::nullopt;
  }
  return rules;
}

std::optional<CourtListenerRules> read_courtlistener(TableReader& table) {
  CourtListenerRules rules;
  bool ok = true;
  if (auto query = table.required_string("query", "\"\\\"Stability AI\\\"\"")) {
    rules.query = std::move(*query);
  } else {
    ok = false;
  }
  if (auto type = enum_value<std::string_view>(table, "search_type", {{"o", "o"}, {"r", "r"}})) {
    rules.search_type = std::string(*type);
  } else if (table.has("search_type")) {
    ok = false;
  }
  if (table.has("court")) {
    if (auto court = table.string("court", "\"cand\"")) {
      const bool plain = std::all_of(court->begin(), court->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
      });
      if (plain) {
        rules.court = std::move(*court);
      } else {
        table.problem("court", fmt::format("'{}' is not a list of CourtListener court ids; write "
                                           "lower-case ids separated by spaces, e.g. \"cand "
                                           "cacd\"",
                                           *court));
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (!ok) {
    return std::nullopt;
  }
  return rules;
}

struct LoadedSource {
  SourceConfig config{};
  toml::source_position id_position{};  // for duplicate-id messages
};

// 来源 in the export: one line, bounded. An empty string is allowed and means "not set"
// (`herald sources discover` writes publisher = "" for the admin to fill in).
void read_publisher(TableReader& top, SourceConfig& source) {
  constexpr std::size_t kMaxPublisherBytes = 120;
  const toml::node* node = top.node("publisher");
  if (node != nullptr && node->as_string() != nullptr && node->as_string()->get().empty()) {
    return;
  }
  if (auto publisher = top.string("publisher", "\"英国国家网络安全中心官网\"")) {
    if (publisher->size() > kMaxPublisherBytes) {
      top.problem("publisher", fmt::format("is {} bytes long; write the publisher's name as the "
                                           "newsletter prints it, at most {} bytes, e.g. "
                                           "publisher = \"澎湃新闻\"",
                                           publisher->size(), kMaxPublisherBytes));
      return;
    }
    source.publisher = std::move(*publisher);
  }
}

Result<LoadedSource> read_source(const fs::path& file, const fs::path& zoneinfo_dir) {
  Result<toml::table> document = read_toml_file(file);
  if (!document) {
    return fail(std::move(document.error()));
  }
  Problems problems(file.string());
  TableReader top(problems, *document, "",
                  {"id", "name", "kind", "language", "timezone", "interval", "type", "url",
                   "charset", "always_candidate", "enabled", "expect_min_items", "list", "fetch",
                   "article", "same_item_urls", "mode", "manual_reason", "bridge_url", "json",
                   "courtlistener", "publisher", "backfill_days"});
  LoadedSource loaded;
  SourceConfig& source = loaded.config;
  source.file = file.string();

  const std::string stem = file.stem().string();
  loaded.id_position = top.position("id");
  if (auto id = top.required_string("id", fmt::format("\"{}\"", stem))) {
    if (!valid_source_id(*id)) {
      top.problem("id", fmt::format("'{}' is not a valid id; use 1 to 64 lowercase letters, "
                                    "digits, '-' or '_', starting with a letter or digit, e.g. "
                                    "\"bj-gov-gzdt\"",
                                    *id));
    } else if (*id != stem) {
      top.problem("id", fmt::format("'{}' does not match the file name '{}'; set id = \"{}\" or "
                                    "rename the file to {}.toml",
                                    *id, file.filename().string(), stem, *id));
    }
    source.id = std::move(*id);
  }
  if (auto name = top.required_string("name", "\"北京市人民政府 · 工作动态\"")) {
    source.name = std::move(*name);
  }
  read_publisher(top, source);
  if (auto days = top.integer("backfill_days", 0, kMaxBackfillDays)) {
    source.backfill_days = static_cast<int>(*days);
  }

  if (!top.has("kind")) {
    top.missing("kind", "\"government\"");
  } else if (auto kind = enum_value<SourceKind>(top, "kind",
                                                {{"government", SourceKind::kGovernment},
                                                 {"court", SourceKind::kCourt},
                                                 {"association", SourceKind::kAssociation},
                                                 {"company", SourceKind::kCompany},
                                                 {"media", SourceKind::kMedia},
                                                 {"platform", SourceKind::kPlatform}})) {
    source.kind = *kind;
  }

  source.language = top.string("language", "\"zh\"").value_or("");

  if (auto zone = top.string("timezone", "\"Asia/Shanghai\"")) {
    Result<TimeZone> loaded_zone = TimeZone::load(*zone, zoneinfo_dir);
    if (loaded_zone) {
      source.timezone = std::move(*loaded_zone);
    } else {
      top.problem("timezone", fmt::format("{}; write an IANA zone name such as \"Asia/Shanghai\", "
                                          "\"America/New_York\" or \"UTC\"",
                                          loaded_zone.error().message));
    }
  }

  source.interval = top.duration("interval", kMinInterval, kMaxInterval).value_or(source.interval);

  const bool type_given = top.has("type");
  if (auto type = enum_value<SourceType>(top, "type",
                                         {{"html", SourceType::kHtml},
                                          {"feed", SourceType::kFeed},
                                          {"json", SourceType::kJson},
                                          {"courtlistener", SourceType::kCourtListener},
                                          {"wechat", SourceType::kWechat}})) {
    source.type = *type;
  }
  read_mode(top, source);
  // A manual source is not polled (unless through its bridge feed), so the sections that
  // describe polling are optional for it; when present they are still checked.
  const bool polled = source.mode == SourceMode::kPoll;

  if (auto url = top.required_string("url", "\"https://www.example.gov.cn/news/\"")) {
    if (auto wrong = http_url_problem(*url)) {
      top.problem("url", *wrong);
    }
    source.url = std::move(*url);
  }

  source.charset = top.string("charset", "\"gbk\"");
  if (source.charset) {
    const bool plain = std::all_of(source.charset->begin(), source.charset->end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '.' || c == ':';
    });
    if (!plain) {
      top.problem("charset", fmt::format("'{}' is not a character set name; write e.g. \"gbk\", "
                                         "\"gb18030\", \"big5\" or \"utf-8\"",
                                         *source.charset));
    }
  }

  source.always_candidate = top.boolean("always_candidate").value_or(source.always_candidate);
  source.enabled = top.boolean("enabled").value_or(source.enabled);
  if (auto expect = top.integer("expect_min_items", 0, kMaxExpectMinItems)) {
    source.expect_min_items = static_cast<int>(*expect);
  }

  if (const toml::table* list = top.table("list")) {
    if (source.type != SourceType::kHtml) {
      top.problem("list",
                  source.type == SourceType::kFeed
                      ? "a [list] section is only used when type = \"html\"; remove it, or set "
                        "type = \"html\" if this is a web page rather than a feed"
                      : fmt::format("a [list] section is only used when type = \"html\"; remove "
                                    "it (type = \"{}\" does not read it)",
                                    source_type_name(source.type)));
    } else {
      TableReader list_reader(problems, *list, "list",
                              {"item", "title", "link", "date", "summary", "title_strip_date",
                               "date_is"});
      source.list = read_list(list_reader);
    }
  } else if (polled && source.type == SourceType::kHtml && !top.has("list")) {
    const toml::source_position where = type_given ? top.position("type") : top.position();
    problems.add(where, "list",
                 "missing section [list], required when type = \"html\"; add a [list] section "
                 "with at least item = \"ul.list li\" (one node per announcement), or set "
                 "type = \"feed\" for RSS/Atom");
  }

  if (const toml::table* fetch = top.table("fetch")) {
    TableReader fetch_reader(
        problems, *fetch, "fetch",
        {"user_agent", "referer", "accept_language", "timeout", "max_body_bytes", "min_delay",
         "ignore_robots", "internal"});
    read_source_fetch(fetch_reader, source.fetch);
  }

  if (const toml::table* article = top.table("article")) {
    TableReader article_reader(problems, *article, "article",
                               {"title", "date", "summary", "body", "max_per_poll", "timeout"});
    source.article = read_article(article_reader);
  }
  read_same_item_urls(top, problems, source.url_key);

  const toml::source_position type_position = type_given ? top.position("type") : top.position();
  if (const toml::table* json = top.table("json")) {
    if (source.type != SourceType::kJson) {
      top.problem("json", fmt::format("a [json] section is only used when type = \"json\"; "
                                      "remove it, or set type = \"json\" (now \"{}\")",
                                      source_type_name(source.type)));
    } else {
      TableReader json_reader(
          problems, *json, "json",
          {"method", "body", "items", "title", "link", "date", "summary", "link_base"});
      source.json = read_json(json_reader);
    }
  } else if (polled && source.type == SourceType::kJson && !top.has("json")) {
    problems.add(type_position, "json",
                 "missing section [json], required when type = \"json\"; add a [json] section "
                 "with at least items = \"data.list\", title = \"title\" and link = \"url\"");
  }
  if (const toml::table* courtlistener = top.table("courtlistener")) {
    if (source.type != SourceType::kCourtListener) {
      top.problem("courtlistener",
                  fmt::format("a [courtlistener] section is only used when type = "
                              "\"courtlistener\"; remove it, or set type = \"courtlistener\" "
                              "(now \"{}\")",
                              source_type_name(source.type)));
    } else {
      TableReader reader(problems, *courtlistener, "courtlistener",
                         {"query", "search_type", "court"});
      source.courtlistener = read_courtlistener(reader);
    }
  } else if (polled && source.type == SourceType::kCourtListener && !top.has("courtlistener")) {
    problems.add(type_position, "courtlistener",
                 "missing section [courtlistener], required when type = \"courtlistener\"; add "
                 "a [courtlistener] section with at least query = \"Stability AI\"");
  }

  if (!problems.empty()) {
    return fail(problems.error());
  }
  return loaded;
}

bool is_toml_file(const fs::path& path) {
  const std::string filename = path.filename().string();
  if (filename.empty() || filename.front() == '.') {  // editor swap and lock files
    return false;
  }
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return extension == ".toml";
}

// ---------------------------------------------------------------------------------------
// herald.toml

// A required, non-empty list; nullptr (with the problem reported) when it is missing, not a
// list, or empty.
const toml::array* required_list(TableReader& table, std::string_view key,
                                 std::string_view example, std::string_view element) {
  if (!table.has(key)) {
    table.missing(key, example);
    return nullptr;
  }
  const toml::array* list = table.array(key, example);
  if (list != nullptr && list->empty()) {
    table.problem(key, fmt::format("is empty; list at least one {}, e.g. {} = {}", element, key,
                                   example));
    return nullptr;
  }
  return list;
}

std::optional<TopicProfile> read_topic(Problems& problems, const toml::table& table,
                                       const std::string& path) {
  TableReader topic(problems, table, path, {"name", "threshold", "keywords", "excludes"});
  TopicProfile profile;
  bool ok = true;
  if (auto name = topic.required_string("name", "\"ai-law\"")) {
    profile.name = std::move(*name);
  } else {
    ok = false;
  }
  if (topic.has("threshold")) {
    if (auto threshold = topic.number("threshold", 0.0, false, 1e6)) {
      profile.threshold = *threshold;
    } else {
      ok = false;
    }
  }
  const std::string_view keywords_example = "[ \"人工智能\", { term = \"大模型\", weight = 2.0 } ]";
  if (const toml::array* keywords =
          required_list(topic, "keywords", keywords_example, "term")) {
    for (std::size_t i = 0; i < keywords->size(); ++i) {
      const toml::node& node = *keywords->get(i);
      const std::string key = fmt::format("{}.keywords[{}]", path, i);
      if (const auto* term = node.as_string()) {
        if (is_blank(term->get())) {
          problems.add(node.source().begin, key, "is empty; write a term such as \"人工智能\"");
          ok = false;
        } else {
          profile.keywords.push_back(Keyword{term->get(), 1.0});
        }
      } else if (const auto* entry = node.as_table()) {
        TableReader keyword(problems, *entry, key, {"term", "weight"});
        Keyword parsed;
        if (auto text = keyword.required_string("term", "\"大模型\"")) {
          parsed.term = std::move(*text);
        } else {
          ok = false;
        }
        if (keyword.has("weight")) {
          if (auto weight = keyword.number("weight", 0.0, false, 1e6)) {
            parsed.weight = *weight;
          } else {
            ok = false;
          }
        }
        profile.keywords.push_back(std::move(parsed));
      } else {
        problems.add(node.source().begin, key,
                     fmt::format("expected a string or a table, found {}; write \"大模型\" or "
                                 "{{ term = \"大模型\", weight = 2.0 }}",
                                 type_description(node)));
        ok = false;
      }
    }
  } else {
    ok = false;
  }
  if (const toml::array* excludes = topic.array("excludes", "[ \"招聘\" ]")) {
    for (std::size_t i = 0; i < excludes->size(); ++i) {
      const toml::node& node = *excludes->get(i);
      const auto* term = node.as_string();
      if (term == nullptr || is_blank(term->get())) {
        problems.add(node.source().begin, fmt::format("{}.excludes[{}]", path, i),
                     fmt::format("expected a non-empty string, found {}; write e.g. \"招聘\"",
                                 term == nullptr ? type_description(node) : "an empty string"));
        ok = false;
      } else {
        profile.excludes.push_back(term->get());
      }
    }
  } else if (topic.has("excludes")) {
    ok = false;
  }
  if (!ok) {
    return std::nullopt;
  }
  return profile;
}

// A list of [[sections]] (topics, notify.webhook): each element a table that `read` turns
// into a T, whose names must differ.
struct SectionList {
  std::string_view path{};    // "topics", "notify.webhook"
  std::string_view noun{};    // "topic"
  std::string_view keys{};    // what each section holds: "name, threshold and keywords"
  std::string_view rename{};  // the advice for a repeated name
};

template <typename T, typename Read>
void read_section_list(Problems& problems, const toml::node* node, const SectionList& list,
                       Read read, std::vector<T>& out) {
  if (node == nullptr) {
    return;
  }
  const toml::array* sections = node->as_array();
  if (sections == nullptr) {
    problems.add(node->source().begin, list.path,
                 fmt::format("expected [[{0}]] sections, found {1}; write each {2} as [[{0}]] "
                             "(double brackets) with {3}",
                             list.path, type_description(*node), list.noun, list.keys));
    return;
  }
  std::map<std::string, toml::source_position> seen;
  for (std::size_t i = 0; i < sections->size(); ++i) {
    const toml::node& section = *sections->get(i);
    const std::string path = fmt::format("{}[{}]", list.path, i);
    const auto* table = section.as_table();
    if (table == nullptr) {
      problems.add(section.source().begin, path,
                   fmt::format("expected a table, found {}; write each {} as a [[{}]] section "
                               "with {}",
                               type_description(section), list.noun, list.path, list.keys));
      continue;
    }
    std::optional<T> item = read(problems, *table, path);
    if (!item) {
      continue;
    }
    const toml::source_position where = table->get("name")->source().begin;
    const auto [previous, inserted] = seen.emplace(item->name, where);
    if (!inserted) {
      problems.add(where, path + ".name",
                   fmt::format("{} '{}' is already defined at line {}; {}", list.noun, item->name,
                               previous->second.line, list.rename));
      continue;
    }
    out.push_back(std::move(*item));
  }
}

std::optional<fs::path> read_path(TableReader& table, std::string_view key,
                                  std::string_view example, const fs::path& base) {
  std::optional<std::string> text = table.string(key, example);
  if (!text) {
    return std::nullopt;
  }
  return (base / fs::path(*text)).lexically_normal();
}

// [tokens]: service = "secret". Any service name is accepted (the module that needs one
// looks it up); values are never echoed in messages, only their keys.
void read_tokens(Problems& problems, const toml::table& table,
                 std::map<std::string, std::string>& tokens) {
  std::vector<std::string_view> names;
  for (const auto& [key, node] : table) {
    names.push_back(key.str());
  }
  TableReader reader(problems, table, "tokens", names);
  for (std::string_view name : names) {
    const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
    if (!plain) {
      reader.problem(name, "is not a service name; write lower-case letters, digits, '-' or "
                           "'_', e.g. courtlistener = \"...\"");
      continue;
    }
    if (auto value = reader.string(name, "\"<your API token>\"")) {
      tokens.emplace(std::string(name), std::move(*value));
    }
  }
}

// "https://herald.example.com" (or with a port): what browsers put in Origin headers.
std::optional<std::string> origin_problem(std::string_view origin) {
  if (auto wrong = http_url_problem(origin)) {
    return wrong;
  }
  const std::size_t host = origin.find("://") + 3;
  if (origin.find_first_of("/?#", host) != std::string_view::npos) {
    return fmt::format("'{}' is not an origin: write only scheme, host and port, without a path "
                       "or a trailing slash, e.g. \"https://herald.example.com\"",
                       origin);
  }
  return std::nullopt;
}

// "10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8": what [web] trusted_proxies accepts.
bool is_address_or_cidr(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  std::array<unsigned char, 16> bytes{};
  int max_prefix = 32;
  if (inet_pton(AF_INET, address.c_str(), bytes.data()) != 1) {
    if (inet_pton(AF_INET6, address.c_str(), bytes.data()) != 1) {
      return false;
    }
    max_prefix = 128;
  }
  if (slash == std::string_view::npos) {
    return true;
  }
  const std::string_view digits = text.substr(slash + 1);
  return !digits.empty() && digits.size() <= 3 &&
         digits.find_first_not_of("0123456789") == std::string_view::npos &&
         std::stoi(std::string(digits)) <= max_prefix;
}

void read_web(TableReader& web, const fs::path& base, WebSettings& settings) {
  constexpr seconds kMinSession{60};
  constexpr seconds kMaxIdle{30 * 86400};
  constexpr seconds kMaxAbsolute{90 * 86400};
  settings.enabled = web.boolean("enabled").value_or(settings.enabled);
  if (auto host = web.string("listen_host", "\"127.0.0.1\"")) {
    if (host->find_first_of(" /") != std::string::npos) {
      web.problem("listen_host", fmt::format("'{}' is not a host name or address; write e.g. "
                                             "\"127.0.0.1\", \"::1\" or \"0.0.0.0\"",
                                             *host));
    } else {
      settings.listen_host = std::move(*host);
    }
  }
  if (auto port = web.integer("port", 1, 65535)) {
    settings.port = static_cast<int>(*port);
  }
  if (auto origin = web.string("public_origin", "\"https://herald.example.com\"")) {
    if (auto wrong = origin_problem(*origin)) {
      web.problem("public_origin", *wrong);
    } else {
      settings.public_origin = std::move(*origin);
    }
  }
  const auto idle = web.duration("session_idle_timeout", kMinSession, kMaxIdle);
  const auto absolute = web.duration("session_absolute_timeout", kMinSession, kMaxAbsolute);
  settings.session_idle_timeout = idle.value_or(settings.session_idle_timeout);
  settings.session_absolute_timeout = absolute.value_or(settings.session_absolute_timeout);
  if (settings.session_absolute_timeout < settings.session_idle_timeout) {
    web.problem(absolute ? "session_absolute_timeout" : "session_idle_timeout",
                fmt::format("a session's absolute timeout ({}) is shorter than its idle timeout "
                            "({}); make session_absolute_timeout at least as long",
                            format_duration(settings.session_absolute_timeout),
                            format_duration(settings.session_idle_timeout)));
  }
  settings.assets_dir =
      read_path(web, "assets_dir", "\"../web\"", base).value_or(settings.assets_dir);
  settings.metrics = web.boolean("metrics").value_or(settings.metrics);
  if (const toml::array* proxies = web.array("trusted_proxies", "[\"127.0.0.1\"]")) {
    settings.trusted_proxies.clear();
    for (const toml::node& element : *proxies) {
      const auto* text = element.as_string();
      if (text == nullptr || !is_address_or_cidr(text->get())) {
        web.problem_at(element.source().begin, "trusted_proxies",
                       "expected the address or CIDR block of a reverse proxy, e.g. "
                       "\"127.0.0.1\", \"::1\" or \"10.0.0.0/8\"");
        continue;
      }
      settings.trusted_proxies.push_back(text->get());
    }
  }
}

// A retention period: a duration ("3y", "1095d") or "forever" (nullopt). The outer
// optional is empty when the key is absent or invalid (the caller keeps its default).
std::optional<std::optional<seconds>> retention(TableReader& table, std::string_view key,
                                                seconds min, seconds max) {
  const toml::node* node = table.node(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const auto* value = node->as_string();
  if (value == nullptr) {
    table.problem(key, fmt::format("expected a duration string or \"forever\", found {}; write "
                                   "e.g. {} = \"3y\" or {} = \"forever\"",
                                   type_description(*node), key, key));
    return std::nullopt;
  }
  const std::string& text = value->get();
  if (text == "forever") {
    return std::optional<seconds>{};
  }
  const std::optional<seconds> parsed = parse_duration(text);
  if (!parsed) {
    table.problem(key, fmt::format("'{}' is neither a duration nor \"forever\"; write a number and "
                                   "a unit (d, y = 365 days), e.g. \"90d\", \"3y\", or \"forever\"",
                                   text));
    return std::nullopt;
  }
  if (*parsed < min) {
    table.problem(key, fmt::format("\"{}\" is too short; write at least \"{}\", or \"forever\"",
                                   text, format_duration(min)));
    return std::nullopt;
  }
  if (*parsed > max) {
    table.problem(key, fmt::format("\"{}\" is too long; write at most \"{}\", or \"forever\" to "
                                   "keep everything",
                                   text, format_duration(max)));
    return std::nullopt;
  }
  return std::optional<seconds>{*parsed};
}

// A local time of day "HH:MM" (24-hour) or "off" (nullopt). The outer optional is empty when
// the key is absent or invalid.
std::optional<std::optional<std::chrono::minutes>> time_of_day(TableReader& table,
                                                               std::string_view key,
                                                               std::string_view example) {
  const toml::node* node = table.node(key);
  if (node == nullptr) {
    return std::nullopt;
  }
  const std::string fix = fmt::format("write a 24-hour local time in quotes, e.g. {} = \"{}\", "
                                      "or {} = \"off\"",
                                      key, example, key);
  const auto* value = node->as_string();
  if (value == nullptr) {
    table.problem(key, fmt::format("expected a string, found {}; {}", type_description(*node),
                                   fix));
    return std::nullopt;
  }
  const std::string& text = value->get();
  if (text == "off") {
    return std::optional<std::chrono::minutes>{};
  }
  const auto digit = [&](std::size_t i) { return text[i] >= '0' && text[i] <= '9'; };
  if (text.size() == 5 && digit(0) && digit(1) && text[2] == ':' && digit(3) && digit(4)) {
    const int hour = (text[0] - '0') * 10 + (text[1] - '0');
    const int minute = (text[3] - '0') * 10 + (text[4] - '0');
    if (hour < 24 && minute < 60) {
      return std::optional<std::chrono::minutes>{std::chrono::minutes(hour * 60 + minute)};
    }
  }
  table.problem(key, fmt::format("'{}' is not a time of day; {}", text, fix));
  return std::nullopt;
}

// [schedule] timezone: the zone of daily times (digest_at, backup_at).
TimeZone default_local_zone(const fs::path& zoneinfo_dir) {
  Result<TimeZone> zone = TimeZone::load("Asia/Shanghai", zoneinfo_dir);
  return zone ? std::move(*zone) : TimeZone::fixed(8 * 3600);
}

void read_schedule(TableReader& schedule, const fs::path& zoneinfo_dir, HeraldConfig& config) {
  config.interval_jitter =
      schedule.number("jitter", 0.0, true, kMaxJitter).value_or(config.interval_jitter);
  if (auto zone = schedule.string("timezone", "\"Asia/Shanghai\"")) {
    Result<TimeZone> loaded = TimeZone::load(*zone, zoneinfo_dir);
    if (loaded) {
      config.local_zone = std::move(*loaded);
    } else {
      schedule.problem("timezone", fmt::format("{}; write an IANA zone name such as "
                                               "\"Asia/Shanghai\", \"Europe/Berlin\" or \"UTC\"",
                                               loaded.error().message));
    }
  }
}

constexpr seconds kMinRetention{86400};
constexpr seconds kMaxRetention{100LL * 365 * 86400};

void read_archive(TableReader& archive, const fs::path& base, ArchiveSettings& settings) {
  settings.enabled = archive.boolean("enabled").value_or(settings.enabled);
  settings.dir = read_path(archive, "dir", "\"../state/evidence\"", base).value_or(settings.dir);
  if (auto kept = retention(archive, "retention", kMinRetention, kMaxRetention)) {
    settings.retention = *kept;
  }
}

// [storage] keys beyond database.
void read_db_care(TableReader& storage, const fs::path& base, DatabaseCare& care) {
  care.backup_dir =
      read_path(storage, "backup_dir", "\"../state/backups\"", base).value_or(care.backup_dir);
  if (auto at = time_of_day(storage, "backup_at", "03:15")) {
    care.backup_at = *at;
  }
  if (auto keep = storage.integer("backup_keep", 1, 365)) {
    care.backup_keep = static_cast<int>(*keep);
  }
  if (auto kept = retention(storage, "item_retention", kMinRetention, kMaxRetention)) {
    care.item_retention = *kept;
  }
}

// Webhook URLs carry their key in the path or the query (Slack, WeCom, DingTalk, Feishu):
// the problem text never quotes the URL.
std::optional<std::string> webhook_url_problem(std::string_view url) {
  constexpr std::string_view kFix =
      "write the full address the chat service gave you, e.g. "
      "\"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...\"";
  std::size_t rest = 0;
  if (starts_with_ignoring_case(url, "https://")) {
    rest = 8;
  } else if (starts_with_ignoring_case(url, "http://")) {
    rest = 7;
  } else {
    return fmt::format("is not an http:// or https:// address; {}", kFix);
  }
  if (rest == url.size() || url[rest] == '/' || url[rest] == '?' || url[rest] == '#') {
    return fmt::format("has no host name; {}", kFix);
  }
  if (std::any_of(url.begin(), url.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u == 0x7f;
      })) {
    return "contains a space or control character; percent-encode it (a space is %20)";
  }
  return std::nullopt;
}

// A plain mailbox "local@domain": what SMTP's MAIL FROM / RCPT TO take. Display names
// ("Ops <ops@example.com>") are not accepted, so nothing reaches the SMTP dialogue unchecked.
bool looks_like_address(std::string_view address) {
  const std::size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = address.substr(at + 1);
  if (domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return false;
  }
  return std::none_of(address.begin(), address.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
           c == '(' || c == ')' || c == '\\' || c == '[' || c == ']';
  });
}

// Optional true/false keys into `flags`; false when one of them is not a boolean.
bool read_flags(TableReader& table,
                std::initializer_list<std::pair<std::string_view, bool*>> flags) {
  bool ok = true;
  for (const auto& [key, out] : flags) {
    if (auto value = table.boolean(key)) {
      *out = *value;
    } else if (table.has(key)) {
      ok = false;
    }
  }
  return ok;
}

std::optional<WebhookTarget> read_webhook(Problems& problems, const toml::table& table,
                                          const std::string& path) {
  TableReader hook(problems, table, path, {"name", "format", "url", "digest", "alerts"});
  WebhookTarget target;
  bool ok = true;
  if (auto name = hook.required_string("name", "\"editors-wecom\"")) {
    target.name = std::move(*name);
  } else {
    ok = false;
  }
  if (auto format = enum_value<WebhookFormat>(hook, "format",
                                              {{"generic", WebhookFormat::kGeneric},
                                               {"slack", WebhookFormat::kSlack},
                                               {"wecom", WebhookFormat::kWeCom},
                                               {"dingtalk", WebhookFormat::kDingTalk},
                                               {"feishu", WebhookFormat::kFeishu}})) {
    target.format = *format;
  } else if (hook.has("format")) {
    ok = false;
  }
  // Not hook.string(): its problems may quote the value, and the value is a secret.
  if (const toml::node* node = hook.node("url"); node == nullptr) {
    hook.missing("url", "\"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...\"");
    ok = false;
  } else if (const auto* url = node->as_string(); url == nullptr) {
    hook.problem("url", fmt::format("expected a string, found {}; write url = \"https://...\" "
                                    "(the address the chat service gave you)",
                                    type_description(*node)));
    ok = false;
  } else if (auto wrong = webhook_url_problem(url->get())) {
    hook.problem("url", *wrong);
    ok = false;
  } else {
    target.url = url->get();
  }
  ok = read_flags(hook, {{"digest", &target.digest}, {"alerts", &target.alerts}}) && ok;
  if (!ok) {
    return std::nullopt;
  }
  return target;
}

std::optional<EmailTarget> read_email(TableReader& mail) {
  EmailTarget email;
  bool ok = true;
  constexpr std::string_view kSmtpExample = "\"smtp://mail.example.com:587\"";
  if (auto url = mail.required_string("smtp_url", kSmtpExample)) {
    std::size_t rest = 0;
    if (starts_with_ignoring_case(*url, "smtps://")) {
      rest = 8;
    } else if (starts_with_ignoring_case(*url, "smtp://")) {
      rest = 7;
    }
    const std::size_t host_end = url->find_first_of("/?#", rest);
    const std::string_view authority =
        std::string_view(*url).substr(rest, host_end == std::string::npos ? std::string::npos
                                                                         : host_end - rest);
    if (rest == 0) {
      mail.problem("smtp_url", fmt::format("is not an smtp:// or smtps:// address; write e.g. "
                                           "smtp_url = {} (STARTTLS) or \"smtps://mail.example."
                                           "com:465\"",
                                           kSmtpExample));
      ok = false;
    } else if (authority.find('@') != std::string_view::npos) {
      // Never quote it: the part before '@' is a user name and perhaps a password.
      mail.problem("smtp_url", "contains a user name or password; write only the server, e.g. "
                               "smtp_url = \"smtp://mail.example.com:587\", and put the "
                               "account in username and password");
      ok = false;
    } else if (authority.empty()) {
      mail.problem("smtp_url", fmt::format("has no host name; write e.g. smtp_url = {}",
                                           kSmtpExample));
      ok = false;
    } else {
      email.smtp_url = std::move(*url);
    }
  } else {
    ok = false;
  }
  if (auto from = mail.required_string("from", "\"herald@example.com\"")) {
    if (looks_like_address(*from)) {
      email.from = std::move(*from);
    } else {
      mail.problem("from", fmt::format("'{}' is not an e-mail address; write a plain address, "
                                       "e.g. from = \"herald@example.com\"",
                                       *from));
      ok = false;
    }
  } else {
    ok = false;
  }
  constexpr std::string_view kToExample = "[\"editors@example.com\"]";
  if (const toml::array* to = required_list(mail, "to", kToExample, "address")) {
    for (std::size_t i = 0; i < to->size(); ++i) {
      const toml::node& node = *to->get(i);
      const auto* address = node.as_string();
      if (address == nullptr || !looks_like_address(address->get())) {
        mail.problem_at(node.source().begin, fmt::format("to[{}]", i),
                        fmt::format("{} is not an e-mail address; write plain addresses, e.g. "
                                    "to = {}",
                                    address == nullptr ? std::string(type_description(node))
                                                       : fmt::format("'{}'", address->get()),
                                    kToExample));
        ok = false;
      } else {
        email.to.push_back(address->get());
      }
    }
  } else {
    ok = false;
  }
  if (mail.has("username")) {
    if (auto user = mail.string("username", "\"herald@example.com\"")) {
      email.username = std::move(*user);
    } else {
      ok = false;
    }
  }
  // string() only ever quotes the example, never the value: safe for the password.
  if (mail.has("password")) {
    if (auto password = mail.string("password", "\"<the account's password>\"")) {
      email.password = std::move(*password);
      if (email.username.empty() && !mail.has("username")) {
        mail.problem("password", "is set without a username; add username = \"...\" (the SMTP "
                                 "account), or remove password for a relay without AUTH");
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  ok = read_flags(mail, {{"require_tls", &email.require_tls},
                         {"digest", &email.digest},
                         {"alerts", &email.alerts}}) &&
       ok;
  if (!ok) {
    return std::nullopt;
  }
  return email;
}

// A small text file named in herald.toml (an API key, the draft prompt), or why it cannot
// be read. The text is never part of the message: a key file holds a secret.
std::optional<std::string> read_small_file(const fs::path& path, std::size_t max_bytes,
                                           std::string& why) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    why = ec || !fs::exists(path, ec) ? "no such file" : "not a regular file";
    return std::nullopt;
  }
  const auto size = fs::file_size(path, ec);
  if (ec || size > max_bytes) {
    why = ec ? ec.message() : fmt::format("larger than {} bytes", max_bytes);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    why = fmt::format("cannot be read ({})", std::strerror(errno));
    return std::nullopt;
  }
  return text.str();
}

// [draft]: the drafting endpoint. Its key and prompt files are read here, once, so a
// missing file is reported at load with the key that names it.
void read_draft(TableReader& draft, const fs::path& base, DraftConfig& settings) {
  constexpr std::size_t kMaxKeyBytes = 4096;
  constexpr std::size_t kMaxPromptBytes = 64 * 1024;
  if (auto endpoint = draft.string("endpoint", "\"http://127.0.0.1:11434/v1\"")) {
    if (auto wrong = http_url_problem(*endpoint)) {
      draft.problem("endpoint", *wrong);
    } else {
      settings.endpoint = std::move(*endpoint);
    }
  }
  if (auto model = draft.string("model", "\"qwen2.5:7b-instruct\"")) {
    settings.model = std::move(*model);
  } else if (!draft.has("model") && draft.has("endpoint")) {
    draft.missing("model", "\"qwen2.5:7b-instruct\"");
  }
  if (auto seconds_value = draft.integer("timeout_seconds", 1, 600)) {
    settings.timeout = seconds(*seconds_value);
  }
  if (auto concurrency = draft.integer("concurrency", 1, 8)) {
    settings.concurrency = static_cast<int>(*concurrency);
  }
  if (auto budget = draft.integer("daily_budget", 0, 1000000)) {
    settings.daily_budget = static_cast<int>(*budget);
  }
  if (auto chars = draft.integer("max_article_chars", 200, 200000)) {
    settings.max_article_chars = static_cast<std::size_t>(*chars);
  }
  settings.stream = draft.boolean("stream").value_or(settings.stream);

  if (auto key_file = read_path(draft, "api_key_file", "\"draft_api_key\"", base)) {
    std::string why;
    if (auto key = read_small_file(*key_file, kMaxKeyBytes, why)) {
      const std::string_view trimmed = [&]() -> std::string_view {
        std::string_view k = *key;
        while (!k.empty() && std::isspace(static_cast<unsigned char>(k.front()))) {
          k.remove_prefix(1);
        }
        while (!k.empty() && std::isspace(static_cast<unsigned char>(k.back()))) {
          k.remove_suffix(1);
        }
        return k;
      }();
      if (trimmed.empty()) {
        draft.problem("api_key_file", fmt::format("{} is empty; put the provider's API key in "
                                                  "it, on one line",
                                                  key_file->string()));
      } else if (has_control_char(trimmed)) {
        draft.problem("api_key_file", fmt::format("{} holds more than one line; put only the "
                                                  "API key in it, on one line",
                                                  key_file->string()));
      } else {
        settings.api_key_file = *key_file;
        settings.api_key = std::string(trimmed);
      }
    } else {
      draft.problem("api_key_file", fmt::format("cannot read the API key file {}: {}; create it "
                                                "(readable by herald only) or remove "
                                                "api_key_file for an endpoint without a key",
                                                key_file->string(), why));
    }
  }

  // The prompt is needed only with a model; a prompt_file written out is always checked.
  const bool explicit_prompt = draft.has("prompt_file");
  settings.prompt_file = read_path(draft, "prompt_file", "\"draft_prompt.txt\"", base)
                             .value_or((base / "draft_prompt.txt").lexically_normal());
  if (explicit_prompt || !settings.endpoint.empty()) {
    std::string why;
    if (auto prompt = read_small_file(settings.prompt_file, kMaxPromptBytes, why)) {
      if (is_blank(*prompt)) {
        draft.problem(explicit_prompt ? "prompt_file" : "endpoint",
                      fmt::format("the prompt file {} is empty; copy the shipped "
                                  "draft_prompt.txt there and edit it",
                                  settings.prompt_file.string()));
      } else {
        settings.prompt = std::move(*prompt);
      }
    } else {
      draft.problem(explicit_prompt ? "prompt_file" : "endpoint",
                    fmt::format("cannot read the draft prompt file {}: {}; copy the shipped "
                                "draft_prompt.txt there, or set prompt_file to where it is",
                                settings.prompt_file.string(), why));
    }
  }
}

void read_notify(Problems& problems, TableReader& notify, NotifySettings& settings) {
  if (auto at = time_of_day(notify, "digest_at", "08:30")) {
    settings.digest_at = *at;
  }
  if (auto max = notify.integer("digest_max_items", 1, 500)) {
    settings.digest_max_items = static_cast<int>(*max);
  }
  settings.alerts = notify.boolean("alerts").value_or(settings.alerts);

  read_section_list<WebhookTarget>(problems, notify.node("webhook"),
                                   {.path = "notify.webhook",
                                    .noun = "webhook",
                                    .keys = "name, format and url",
                                    .rename = "give each webhook a different name"},
                                   read_webhook, settings.webhooks);
  if (const toml::table* email = notify.table("email")) {
    TableReader reader(problems, *email, "notify.email",
                       {"smtp_url", "from", "to", "username", "password", "require_tls",
                        "digest", "alerts"});
    settings.email = read_email(reader);
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------

Result<HeraldConfig> load_herald_config(const std::filesystem::path& file) {
  Result<toml::table> document = read_toml_file(file);
  if (!document) {
    return fail(std::move(document.error()));
  }
  // Absolute, so that the daemon's working directory never changes what a path means.
  std::error_code ec;
  fs::path base = fs::absolute(file, ec).parent_path();
  if (ec) {
    base = file.parent_path();
  }

  Problems problems(file.string());
  TableReader top(problems, *document, "",
                  {"storage", "sources", "fetch", "schedule", "topics", "tokens", "web", "archive",
                   "notify", "draft", "queue"});
  HeraldConfig config;
  config.file = file;
  config.database = (base / "herald.db").lexically_normal();
  config.sources_dir = (base / "sources.d").lexically_normal();
  config.user_agent = std::string(kDefaultUserAgent);
  config.local_zone = default_local_zone(kDefaultZoneinfoDir);

  if (const toml::table* storage = top.table("storage")) {
    TableReader reader(problems, *storage, "storage",
                       {"database", "backup_dir", "backup_at", "backup_keep", "item_retention"});
    config.database =
        read_path(reader, "database", "\"state/herald.db\"", base).value_or(config.database);
    read_db_care(reader, base, config.db_care);
  }
  if (const toml::table* archive = top.table("archive")) {
    TableReader reader(problems, *archive, "archive", {"enabled", "dir", "retention"});
    read_archive(reader, base, config.archive);
  }
  if (const toml::table* notify = top.table("notify")) {
    TableReader reader(problems, *notify, "notify",
                       {"digest_at", "digest_max_items", "alerts", "webhook", "email"});
    read_notify(problems, reader, config.notify);
  }
  config.backfill_days = kDefaultBackfillDays;
  if (const toml::table* queue = top.table("queue")) {
    TableReader reader(problems, *queue, "queue", {"backfill_days"});
    if (auto days = reader.integer("backfill_days", 0, kMaxBackfillDays)) {
      config.backfill_days = static_cast<int>(*days);
    }
  }
  if (const toml::table* draft = top.table("draft")) {
    TableReader reader(problems, *draft, "draft",
                       {"endpoint", "model", "api_key_file", "timeout_seconds", "concurrency",
                        "daily_budget", "max_article_chars", "prompt_file", "stream"});
    read_draft(reader, base, config.draft);
  }
  if (const toml::table* sources = top.table("sources")) {
    TableReader reader(problems, *sources, "sources", {"dir", "fixtures"});
    config.sources_dir =
        read_path(reader, "dir", "\"sources.d\"", base).value_or(config.sources_dir);
    config.fixtures_dir = read_path(reader, "fixtures", "\"../tests/fixtures\"", base)
                              .value_or(config.fixtures_dir);
  }
  if (const toml::table* tokens = top.table("tokens")) {
    read_tokens(problems, *tokens, config.tokens);
  }
  if (const toml::table* web = top.table("web")) {
    TableReader reader(problems, *web, "web",
                       {"enabled", "listen_host", "port", "public_origin", "session_idle_timeout",
                        "session_absolute_timeout", "assets_dir", "metrics", "trusted_proxies"});
    read_web(reader, base, config.web);
  }
  if (const toml::table* fetch = top.table("fetch")) {
    TableReader reader(problems, *fetch, "fetch", {"user_agent", "timeout", "min_delay", "contact"});
    config.user_agent =
        header_value(reader, "user_agent", "\"herald/0.1 (+mailto:ops@example.com)\"")
            .value_or(config.user_agent);
    config.default_timeout =
        reader.duration("timeout", kMinTimeout, kMaxTimeout).value_or(config.default_timeout);
    config.min_delay = reader.duration("min_delay", kMinDelay, kMaxDelay).value_or(config.min_delay);
    config.contact = header_value(reader, "contact", "\"newsletter-ops@example.com\"").value_or("");
  }
  if (const toml::table* schedule = top.table("schedule")) {
    TableReader reader(problems, *schedule, "schedule", {"jitter", "timezone"});
    read_schedule(reader, kDefaultZoneinfoDir, config);
  }
  read_section_list<TopicProfile>(problems, document->get("topics"),
                                  {.path = "topics",
                                   .noun = "topic",
                                   .keys = "name, threshold and keywords",
                                   .rename = "give each topic a different name or merge them"},
                                  read_topic, config.topics);

  if (!problems.empty()) {
    return fail(problems.error());
  }
  // Defaults that follow the database, wherever [storage] database put it.
  const fs::path database_dir = config.database.parent_path();
  if (config.archive.dir.empty()) {
    config.archive.dir = database_dir / "evidence";
  }
  if (config.db_care.backup_dir.empty()) {
    config.db_care.backup_dir = database_dir / "backups";
  }
  return config;
}

Result<SourceConfig> load_source_file(const std::filesystem::path& file,
                                      const std::filesystem::path& zoneinfo_dir) {
  Result<LoadedSource> loaded = read_source(file, zoneinfo_dir);
  if (!loaded) {
    return fail(std::move(loaded.error()));
  }
  return std::move(loaded->config);
}

Result<SourceConfig> load_source_file(const std::filesystem::path& file) {
  return load_source_file(file, kDefaultZoneinfoDir);
}

Result<SourceSet> load_sources(const std::filesystem::path& dir,
                               const std::filesystem::path& zoneinfo_dir) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (ec || !fs::exists(status)) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: sources directory {} does not exist; create it or set "
                            "[sources] dir in herald.toml",
                            dir.string(), dir.string()));
  }
  if (!fs::is_directory(status)) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: sources directory {} is not a directory; set [sources] dir in "
                            "herald.toml to the folder holding the <id>.toml files",
                            dir.string(), dir.string()));
  }
  std::vector<fs::path> files;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (is_toml_file(it->path()) && it->is_regular_file(type_ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return fail(ErrorCode::kConfig,
                fmt::format("{}: cannot read sources directory: {}; check its permissions",
                            dir.string(), ec.message()));
  }
  std::sort(files.begin(), files.end());

  SourceSet set;
  std::map<std::string, std::string> file_of_id;
  for (const fs::path& file : files) {
    Result<LoadedSource> loaded = read_source(file, zoneinfo_dir);
    if (!loaded) {
      set.errors.push_back(std::move(loaded.error()));
      continue;
    }
    const auto [previous, inserted] = file_of_id.emplace(loaded->config.id, file.string());
    if (!inserted) {
      Problems problems(file.string());
      problems.add(loaded->id_position, "id",
                   fmt::format("'{}' is already used by {}; ids must be unique, so remove one "
                               "of the two files",
                               loaded->config.id, previous->second));
      set.errors.push_back(problems.error());
      continue;
    }
    set.sources.push_back(std::move(loaded->config));
  }
  std::sort(set.sources.begin(), set.sources.end(),
            [](const SourceConfig& a, const SourceConfig& b) { return a.id < b.id; });
  return set;
}

Result<SourceSet> load_sources(const std::filesystem::path& dir) {
  return load_sources(dir, kDefaultZoneinfoDir);
}

}  // namespace herald
