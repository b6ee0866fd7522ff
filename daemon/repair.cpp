#include "daemon/repair.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "config/config_loader.h"
#include "scrapers/decode/decode.h"
#include "scrapers/discover/discover.h"
#include "scrapers/registry.h"

namespace herald {
namespace {

namespace fs = std::filesystem;

// Stored items a proposal is compared with: more than any list page shows at once.
constexpr int kKnownCompared = 500;
// Items kept in a proposal for people to look at.
constexpr std::size_t kItemsKept = 50;

// A file descriptor closed on every path.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }
  // Closes now, so a failing close (a full disk on NFS) is seen; -1 on failure.
  int close_now() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Error file_error(int err, std::string what) {
  return Error{err == ENOSPC || err == EDQUOT ? ErrorCode::kDbFull : ErrorCode::kStorage,
               fmt::format("{}: {}", what, std::strerror(err))};
}

Result<std::string> read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fail(ErrorCode::kNotFound,
                fmt::format("cannot read the source file {}: check that it exists and herald "
                            "may read it",
                            path.string()));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<void> write_all(int fd, std::string_view bytes, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail(file_error(errno, fmt::format("cannot write {}", name)));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> sync_directory(const fs::path& dir) {
  const Descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return fail(file_error(errno, fmt::format("cannot sync directory {}", dir.string())));
  }
  return {};
}

// `bytes` into `target` through a temp file in the same directory (written, fsynced,
// renamed over, directory fsynced): a reload running meanwhile reads the old file or the
// new one, never half of one. The temp name does not end in .toml, so no reload loads it.
Result<void> write_atomically(const fs::path& target, std::string_view bytes, mode_t mode) {
  std::string temp =
      (target.parent_path() / fmt::format(".{}.repair-XXXXXX", target.filename().string()))
          .string();
  Descriptor fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EROFS || err == EACCES || err == EPERM) {
      // The packaged service's sandbox keeps /etc/herald read-only for the daemon (and so
      // for the web UI's Apply button); an admin on the server can write it.
      return fail(ErrorCode::kStorage,
                  fmt::format("herald cannot write in {} ({}); apply the repair on the server "
                              "as an admin instead: sudo herald sources repair ID --apply",
                              target.parent_path().string(), std::strerror(err)));
    }
    return fail(file_error(err, fmt::format("cannot create a temp file next to {}",
                                            target.string())));
  }
  auto abandon = [&temp](Error error) {
    ::unlink(temp.c_str());
    return fail(std::move(error));
  };
  if (auto written = write_all(fd.get(), bytes, temp); !written) {
    return abandon(std::move(written.error()));
  }
  if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) {
    return abandon(file_error(errno, fmt::format("cannot sync {}", temp)));
  }
  if (fd.close_now() != 0) {
    return abandon(file_error(errno, fmt::format("cannot close {}", temp)));
  }
  if (::rename(temp.c_str(), target.c_str()) != 0) {
    return abandon(file_error(errno, fmt::format("cannot replace {}", target.string())));
  }
  return sync_directory(target.parent_path());
}

// A private directory for checking a text as a source file, removed with it.
class ScratchDir {
 public:
  static Result<ScratchDir> create() {
    std::error_code ec;
    std::string pattern = (fs::temp_directory_path(ec) / "herald-repair-XXXXXX").string();
    if (ec || ::mkdtemp(pattern.data()) == nullptr) {
      return fail(file_error(errno, "cannot create a temporary directory"));
    }
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  const fs::path& path() const { return path_; }

 private:
  explicit ScratchDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// Loads `text` as the file of source `id` would be loaded by `sources check`: the same
// keys, selectors and id-matches-file-name rules.
Result<SourceConfig> load_as_source_file(const std::string& id, std::string_view text) {
  auto scratch = ScratchDir::create();
  if (!scratch) {
    return fail(std::move(scratch.error()));
  }
  const fs::path file = scratch->path() / (id + ".toml");
  {
    std::ofstream out(file, std::ios::binary);
    out << text;
    if (!out) {
      return fail(ErrorCode::kStorage, fmt::format("cannot write {}", file.string()));
    }
  }
  return load_source_file(file);
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      lines.push_back(text);
      break;
    }
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool is_table_header(std::string_view line) {
  const std::string_view t = trim(line);
  return t.starts_with("[");
}

bool is_list_header(std::string_view line) {
  std::string_view t = trim(line);
  if (!t.starts_with("[")) {
    return false;
  }
  t.remove_prefix(1);
  t = trim(t);
  if (!t.starts_with("list")) {
    return false;
  }
  t.remove_prefix(4);
  return trim(t).starts_with("]");
}

std::string backup_stamp(std::int64_t now_utc) {
  const std::time_t t = static_cast<std::time_t>(now_utc);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%S", &tm);
  return buffer;
}

// The proposal's items for people: title, link, date and whether herald has it already.
std::string items_json(const std::vector<Item>& items, const std::vector<bool>& known) {
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < items.size() && i < kItemsKept; ++i) {
    out.push_back(nlohmann::json{
        {"title", items[i].title},
        {"url", items[i].url},
        {"date", items[i].published_text},
        {"known", known[i]}});
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One list candidate tried with herald's own extractor on the page, as the source would
// poll with it.
struct Trial {
  const ListCandidate* candidate = nullptr;
  std::vector<Item> items{};
  std::vector<bool> known{};
  int known_found = 0;
};

}  // namespace

std::string replace_list_table(std::string_view file_text, std::string_view list_table) {
  const std::vector<std::string_view> lines = split_lines(file_text);
  std::string table(list_table);
  if (!table.empty() && table.back() != '\n') {
    table += '\n';
  }
  std::size_t start = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (is_list_header(lines[i])) {
      start = i;
      break;
    }
  }
  std::string out;
  if (start == lines.size()) {
    out = std::string(file_text);
    if (!out.empty() && out.back() != '\n') {
      out += '\n';
    }
    return out + "\n" + table;
  }
  std::size_t end = start + 1;
  while (end < lines.size() && !is_table_header(lines[end])) {
    ++end;
  }
  // Comments and blank lines right above the next table belong to that table.
  std::size_t cut = end;
  if (end < lines.size()) {
    while (cut > start + 1 &&
           (trim(lines[cut - 1]).empty() || trim(lines[cut - 1]).starts_with("#"))) {
      --cut;
    }
  }
  for (std::size_t i = 0; i < start; ++i) {
    out.append(lines[i]).append("\n");
  }
  out += table;
  if (cut < lines.size()) {
    out += "\n";
    std::size_t from = cut;
    while (from < end && trim(lines[from]).empty()) {
      ++from;
    }
    for (std::size_t i = from; i < lines.size(); ++i) {
      out.append(lines[i]).append("\n");
    }
  }
  return out;
}

std::string unified_diff(std::string_view before, std::string_view after,
                         std::string_view before_name, std::string_view after_name) {
  const std::vector<std::string_view> a = split_lines(before);
  const std::vector<std::string_view> b = split_lines(after);
  if (a == b) {
    return {};
  }
  // Longest common subsequence of lines: source files are a few dozen lines.
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  struct Line {
    char op;  // ' ', '-', '+'
    std::string_view text;
    std::size_t a_line;  // 0-based line in `before` (of the next line there, for '+')
    std::size_t b_line;
  };
  std::vector<Line> script;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      script.push_back({' ', a[i], i, j});
      ++i;
      ++j;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      script.push_back({'-', a[i], i, j});  // removals first, as diff(1) prints them
      ++i;
    } else {
      script.push_back({'+', b[j], i, j});
      ++j;
    }
  }
  constexpr std::size_t kContext = 3;
  std::string out = fmt::format("--- {}\n+++ {}\n", before_name, after_name);
  std::size_t k = 0;
  while (k < script.size()) {
    while (k < script.size() && script[k].op == ' ') {
      ++k;
    }
    if (k == script.size()) {
      break;
    }
    // A hunk: from kContext lines before this change to kContext after the last change
    // that is at most 2 * kContext unchanged lines from the previous one.
    const std::size_t first = k >= kContext ? k - kContext : 0;
    std::size_t last = k;
    std::size_t probe = k;
    while (probe < script.size()) {
      if (script[probe].op != ' ') {
        last = probe;
        ++probe;
        continue;
      }
      std::size_t run = probe;
      while (run < script.size() && script[run].op == ' ') {
        ++run;
      }
      if (run == script.size() || run - probe > 2 * kContext) {
        break;
      }
      probe = run;
    }
    const std::size_t stop = std::min(script.size(), last + 1 + kContext);
    std::size_t a_count = 0;
    std::size_t b_count = 0;
    for (std::size_t x = first; x < stop; ++x) {
      a_count += script[x].op != '+' ? 1 : 0;
      b_count += script[x].op != '-' ? 1 : 0;
    }
    out += fmt::format("@@ -{},{} +{},{} @@\n", script[first].a_line + (a_count ? 1 : 0), a_count,
                       script[first].b_line + (b_count ? 1 : 0), b_count);
    for (std::size_t x = first; x < stop; ++x) {
      out += script[x].op;
      out.append(script[x].text).append("\n");
    }
    k = stop;
  }
  return out;
}

Result<std::optional<std::string>> repair_cause(const SourceConfig& source, Store& store,
                                                const RunReport& report) {
  if (source.type != SourceType::kHtml || source.mode != SourceMode::kPoll || !source.list) {
    return std::optional<std::string>();
  }
  if (report.outcome == error_code_name(ErrorCode::kNoMatch)) {
    // A page that never matched is a source still being written, not a layout change.
    auto before = store.matched_before(source.id);
    if (!before) {
      return fail(std::move(before.error()));
    }
    return *before ? std::optional<std::string>("no_match") : std::optional<std::string>();
  }
  if (report.outcome != "ok") {
    return std::optional<std::string>();
  }
  auto usual = store.usual_items_seen(source.id);
  if (!usual) {
    return fail(std::move(usual.error()));
  }
  if (!*usual || **usual < kFewItemsMinUsual ||
      report.extracted >= static_cast<int>(kFewItemsShare * **usual)) {
    return std::optional<std::string>();
  }
  return std::optional<std::string>(
      fmt::format("few_items: {}, usually {}", report.extracted, **usual));
}

Result<std::optional<std::int64_t>> propose_repair(const SourceConfig& source, Store& store,
                                                   const FetchResponse& page,
                                                   const std::string& cause,
                                                   std::int64_t now_utc) {
  const std::string page_sha256 = sha256_hex(page.body);
  auto newest = store.newest_repair(source.id);
  if (!newest) {
    return fail(std::move(newest.error()));
  }
  if (*newest && (*newest)->page_sha256 == page_sha256) {
    return std::optional<std::int64_t>();  // proposed for this very page already
  }
  if (source.file.empty()) {
    return fail(ErrorCode::kNotFound,
                fmt::format("source {} has no file to repair", source.id));
  }
  auto current = read_text(source.file);
  if (!current) {
    return fail(std::move(current.error()));
  }
  auto decoded = decode_to_utf8(page.body, page.content_type, source.charset);
  if (!decoded) {
    return fail(std::move(decoded.error()));
  }
  auto stored = store.source_items(source.id, kKnownCompared);
  if (!stored) {
    return fail(std::move(stored.error()));
  }
  DiscoverOptions options;
  options.timezone = source.timezone;
  options.now_utc = now_utc;
  for (const SourceItemRef& item : *stored) {
    options.known.push_back(KnownItem{.title = item.title, .url = item.url});
  }
  const std::string final_url = page.final_url.empty() ? source.url : page.final_url;
  auto discovery = discover_list(*decoded, final_url, options);
  if (!discovery) {
    return fail(std::move(discovery.error()));
  }

  // Each candidate is tried as the source would poll with it; the one that re-finds most
  // of what herald already has wins, discovery's own ranking breaks ties.
  std::optional<Trial> best;
  for (const ListCandidate& candidate : discovery->lists) {
    if (candidate.score <= 0.0) {
      continue;  // what discovery itself rejects (navigation, tag clouds) is never proposed
    }
    SourceConfig trial_source = source;
    trial_source.list = candidate.rules;
    auto extraction = extract_page(trial_source, page, now_utc);
    if (!extraction || extraction->items.empty()) {
      continue;
    }
    Trial trial{.candidate = &candidate, .items = std::move(extraction->items)};
    std::vector<std::string> keys;
    for (const Item& item : trial.items) {
      keys.push_back(item.url_key);
    }
    auto known = store.known_url_keys(keys);
    if (!known) {
      return fail(std::move(known.error()));
    }
    trial.known = std::move(*known);
    trial.known_found =
        static_cast<int>(std::count(trial.known.begin(), trial.known.end(), true));
    if (!best || trial.known_found > best->known_found) {
      best = std::move(trial);
    }
  }
  if (!best) {
    spdlog::warn("source={} stage=repair discovery found no list on the page that yields "
                 "items; no repair proposed: the page needs a person",
                 source.id);
    return std::optional<std::int64_t>();
  }
  std::string list_table = render_list_table(*best->candidate);
  std::string proposed = replace_list_table(*current, list_table);
  if (best->candidate->needs_article_date && !source.article) {
    proposed += "\n[article]\n";
  }
  if (auto loads = load_as_source_file(source.id, proposed); !loads) {
    spdlog::warn("source={} stage=repair the proposed file does not load, no repair "
                 "proposed: {}",
                 source.id, strip_controls(loads.error().message));
    return std::optional<std::int64_t>();
  }
  const std::string name = fs::path(source.file).filename().string();
  RepairProposal proposal;
  proposal.source_id = source.id;
  proposal.created_at = now_utc;
  proposal.cause = cause;
  proposal.page_url = final_url;
  proposal.page_sha256 = page_sha256;
  proposal.file_path = source.file;
  proposal.file_sha256 = sha256_hex(*current);
  proposal.proposed_text = proposed;
  proposal.diff = unified_diff(*current, proposed, "a/" + name, "b/" + name);
  proposal.items = items_json(best->items, best->known);
  proposal.items_found = static_cast<int>(best->items.size());
  proposal.known_found = best->known_found;
  proposal.known_total = static_cast<int>(stored->size());
  proposal.confidence = discovery->confidence;
  proposal.summary = describe_candidate(*best->candidate);
  auto id = store.save_repair(proposal);
  if (!id) {
    return fail(std::move(id.error()));
  }
  spdlog::warn("source={} stage=repair {} ({}): proposal {} yields {} items, {} of them "
               "already stored; see `herald sources repair {} --show`",
               source.id,
               cause == "no_match" ? kRepairProposedText : std::string_view("a repair is proposed"),
               cause, *id, proposal.items_found,
               proposal.known_found, source.id);
  return std::optional<std::int64_t>(*id);
}

namespace {

// A page that matches as usual again (the site rolled back, or an admin fixed the file by
// hand) leaves nothing to decide. Read first: most polls have no proposal, and a write per
// poll would cost a transaction each.
void retire_if_matching(const SourceConfig& source, Store& store, const RunReport& report,
                        std::int64_t now_utc) {
  if (!report.ok() || report.extracted == 0) {
    return;
  }
  auto open = store.open_repair(source.id);
  if (!open || !*open) {
    return;
  }
  if (auto retired = store.retire_open_repair(source.id, now_utc); retired && *retired) {
    spdlog::info("source={} stage=repair the page matches again: repair {} is no longer "
                 "needed",
                 source.id, (*open)->id);
  }
}

}  // namespace

void consider_repair(const SourceConfig& source, Store& store, const FetchResponse& page,
                     const RunReport& report, std::int64_t now_utc) {
  if (source.file.empty()) {
    return;  // built in code (tests, tools), not read from sources.d: no file to repair
  }
  try {
    auto cause = repair_cause(source, store, report);
    if (!cause) {
      spdlog::warn("source={} stage=repair not considered: {}", source.id,
                   strip_controls(cause.error().message));
      return;
    }
    if (!*cause) {
      retire_if_matching(source, store, report, now_utc);
      return;
    }
    if (auto proposed = propose_repair(source, store, page, **cause, now_utc); !proposed) {
      spdlog::warn("source={} stage=repair no proposal: {}", source.id,
                   strip_controls(proposed.error().message));
    }
  } catch (const std::exception& e) {
    // A repair is an aid: a bug in it must not cost the poll that was just committed.
    spdlog::error("source={} stage=repair failed: {}", source.id, e.what());
  }
}

Result<AppliedRepair> apply_repair(Store& store, const std::string& source_id,
                                   const std::string& actor, std::int64_t now_utc) {
  auto open = store.open_repair(source_id);
  if (!open) {
    return fail(std::move(open.error()));
  }
  if (!*open) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no repair is proposed for source '{}' (see `herald sources "
                            "repairs`)",
                            source_id));
  }
  const RepairProposal& proposal = **open;
  const fs::path file = proposal.file_path;
  auto current = read_text(file);
  if (!current) {
    return fail(std::move(current.error()));
  }
  if (sha256_hex(*current) != proposal.file_sha256) {
    return fail(ErrorCode::kUsage,
                fmt::format("{} was edited after repair {} was proposed; nothing applied. "
                            "Discard it (`herald sources repair {} --discard`) and let the "
                            "next poll propose again",
                            file.string(), proposal.id, source_id));
  }
  auto loaded = load_as_source_file(source_id, proposal.proposed_text);
  if (!loaded) {
    Error error = std::move(loaded.error());
    error.code = ErrorCode::kConfig;
    error.message = fmt::format("repair {} does not load as a source file; nothing applied "
                                "(discard it):\n{}",
                                proposal.id, error.message);
    return fail(std::move(error));
  }
  std::error_code ec;
  const auto perms = fs::status(file, ec).permissions();
  const mode_t mode = ec ? 0644 : static_cast<mode_t>(perms & fs::perms::mask);
  const fs::path backup =
      file.parent_path() / fmt::format("{}.bak-{}", file.filename().string(),
                                       backup_stamp(now_utc));
  if (auto kept = write_atomically(backup, *current, mode); !kept) {
    return fail(std::move(kept.error()));
  }
  if (auto written = write_atomically(file, proposal.proposed_text, mode); !written) {
    return fail(std::move(written.error()));
  }
  if (auto closed = store.close_repair(proposal.id, RepairState::kApplied, actor, now_utc,
                                       backup.string());
      !closed) {
    return fail(std::move(closed.error()));
  }
  loaded->file = file.string();
  spdlog::info("source={} stage=repair repair {} applied by {}; the old file is kept as {}",
               source_id, proposal.id, strip_controls(actor), backup.string());
  return AppliedRepair{.proposal_id = proposal.id,
                       .file = file,
                       .backup = backup,
                       .source = std::move(*loaded)};
}

Result<RepairProposal> discard_repair(Store& store, const std::string& source_id,
                                      const std::string& actor, std::int64_t now_utc) {
  auto open = store.open_repair(source_id);
  if (!open) {
    return fail(std::move(open.error()));
  }
  if (!*open) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no repair is proposed for source '{}' (see `herald sources "
                            "repairs`)",
                            source_id));
  }
  if (auto closed = store.close_repair((*open)->id, RepairState::kDiscarded, actor, now_utc);
      !closed) {
    return fail(std::move(closed.error()));
  }
  RepairProposal out = std::move(**open);
  out.state = RepairState::kDiscarded;
  return out;
}

}  // namespace herald
