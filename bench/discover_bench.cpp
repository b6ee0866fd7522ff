// Discovery against hand-written configs (issue 14): for each page, the items the page's
// hand-written config extracts are the reference, and the list discovery chooses is
// measured against them (title+link recall and precision, dates), with the time
// discovery takes (decode + parse + discover_list; median of --runs).
//
//   herald_discover_bench [--runs N] [--corpus DIR]
//
// Pages: every html source in config/sources.d that has a fixture list page in
// tests/fixtures/<id>/; tests/fixtures/discover/real/*.toml (real pages) and
// tests/fixtures/discover/*.toml (hard cases), each next to its .html; with --corpus, the
// html sites of a bench/corpus/generate.py corpus (gen1 pages, sources.d configs).
// Prints a Markdown table (bench/README.md "Discovery").

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config/config_loader.h"
#include "config/fixtures.h"
#include "scrapers/decode/decode.h"
#include "scrapers/discover/discover.h"
#include "scrapers/extract/html_list.h"
#include "scrapers/parse/html_document.h"

namespace fs = std::filesystem;
using namespace herald;

namespace {

// After every date on the pages: relative dates resolve the same on every run.
constexpr std::int64_t kNow = 1796083200;  // 2026-12-01

struct Page {
  std::string group;  // "fixture", "real", "hard", "corpus"
  std::string name;
  SourceConfig reference;
  std::string bytes;
  std::string content_type;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void add_pages_with_configs(const fs::path& dir, const std::string& group, std::vector<Page>& out) {
  std::vector<fs::path> tomls;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".toml") tomls.push_back(e.path());
  }
  std::sort(tomls.begin(), tomls.end());
  for (const fs::path& t : tomls) {
    auto source = load_source_file(t);
    fs::path html = t;
    html.replace_extension(".html");
    if (!source || !fs::exists(html)) {
      std::cerr << "skipped " << t << (source ? "" : ": " + source.error().message) << "\n";
      continue;
    }
    out.push_back(Page{group, t.stem().string(), *source, slurp(html), ""});
  }
}

void add_fixture_sources(const fs::path& root, std::vector<Page>& out) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(root / "config/sources.d")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    auto source = load_source_file(f);
    if (!source || source->type != SourceType::kHtml || !source->list) continue;
    auto index = load_fixture_index(root / "tests/fixtures" / source->id);
    if (!index) continue;
    for (const SavedResponse& r : index->responses) {
      if (r.url == source->url) {
        out.push_back(Page{"fixture", source->id, *source, slurp(r.file), r.content_type});
      }
    }
  }
}

void add_corpus(const fs::path& dir, std::vector<Page>& out) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir / "sources.d")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    auto source = load_source_file(f);
    if (!source || source->type != SourceType::kHtml || !source->list) continue;
    const fs::path site = dir / "gen1" / source->id;
    if (!fs::exists(site)) continue;
    for (const auto& e : fs::recursive_directory_iterator(site)) {
      if (e.path().extension() == ".html") {
        out.push_back(Page{"corpus", source->id, *source, slurp(e.path()), "text/html"});
        break;
      }
    }
  }
}

std::vector<RawItem> reference_items(const Page& p) {
  auto decoded = decode_to_utf8(p.bytes, p.content_type, p.reference.charset);
  if (!decoded) return {};
  auto doc = HtmlDocument::parse(decoded->utf8);
  if (!doc) return {};
  auto items = extract_list(*doc, *p.reference.list);
  return items ? *items : std::vector<RawItem>{};
}

std::string pct(double v) { return fmt::format("{:.0f}%", 100.0 * v); }

}  // namespace

int main(int argc, char** argv) {
  int runs = 15;
  fs::path corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--corpus" && i + 1 < argc) {
      corpus = argv[++i];
    } else {
      std::cerr << "usage: herald_discover_bench [--runs N] [--corpus DIR]\n";
      return 2;
    }
  }
  const fs::path root = HERALD_SOURCE_DIR;
  std::vector<Page> pages;
  add_fixture_sources(root, pages);
  add_pages_with_configs(root / "tests/fixtures/discover/real", "real", pages);
  add_pages_with_configs(root / "tests/fixtures/discover", "hard", pages);
  if (!corpus.empty()) add_corpus(corpus, pages);

  DiscoverOptions options;
  options.timezone = TimeZone::fixed(8 * 3600);
  options.now_utc = kNow;
  options.preview_items = 1000;

  std::cout << "| group | page | KB | ref items | found | title+link recall | precision | date recall | chosen region | ms (median) |\n";
  std::cout << "|---|---|---:|---:|---:|---:|---:|---:|---|---:|\n";
  struct Totals {
    std::size_t reference = 0, same = 0, found = 0, dated = 0, same_date = 0, pages = 0, perfect = 0;
  };
  std::map<std::string, Totals> totals;
  std::vector<double> per_60kb;
  for (const Page& p : pages) {
    const std::vector<RawItem> ref = reference_items(p);
    std::vector<double> times;
    Discovery d;
    for (int r = 0; r < runs; ++r) {
      const auto start = std::chrono::steady_clock::now();
      auto decoded = decode_to_utf8(p.bytes, p.content_type, std::nullopt);
      if (!decoded) break;
      auto found = discover_list(*decoded, p.reference.url, options);
      const auto end = std::chrono::steady_clock::now();
      times.push_back(std::chrono::duration<double, std::milli>(end - start).count());
      if (found) d = std::move(*found);
    }
    std::sort(times.begin(), times.end());
    const double median = times.empty() ? 0.0 : times[times.size() / 2];
    const std::vector<RawItem> mine = d.lists.empty() ? std::vector<RawItem>{} : d.lists.front().preview;
    const ItemAgreement a = compare_items(ref, mine, p.reference.url, p.reference.timezone);
    Totals& t = totals[p.group];
    t.pages++;
    t.reference += a.reference;
    t.same += a.same_title_link;
    t.found += a.found;
    t.dated += a.reference_dated;
    t.same_date += a.same_date;
    t.perfect += a.recall() >= 0.95 && a.precision() >= 0.95 ? 1 : 0;
    per_60kb.push_back(median * 60.0 * 1024.0 / std::max<double>(1.0, static_cast<double>(p.bytes.size())));
    std::cout << fmt::format("| {} | {} | {:.0f} | {} | {} | {} | {} | {} | `{}` | {:.1f} |\n", p.group, p.name,
                             static_cast<double>(p.bytes.size()) / 1024.0, a.reference, a.found, pct(a.recall()),
                             pct(a.precision()), a.reference_dated == 0 ? std::string("–") : pct(a.date_recall()),
                             d.lists.empty() ? std::string("none") : d.lists.front().rules.item.text, median);
  }
  std::cout << "\n| group | pages | pages ≥95% | items | title+link recall | precision | date recall |\n";
  std::cout << "|---|---:|---:|---:|---:|---:|---:|\n";
  Totals all;
  for (const auto& [group, t] : totals) {
    std::cout << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", group, t.pages, t.perfect, t.reference,
                             pct(t.reference ? double(t.same) / double(t.reference) : 1.0),
                             pct(t.found ? double(t.same) / double(t.found) : 1.0),
                             pct(t.dated ? double(t.same_date) / double(t.dated) : 1.0));
    all.pages += t.pages;
    all.perfect += t.perfect;
    all.reference += t.reference;
    all.same += t.same;
    all.found += t.found;
    all.dated += t.dated;
    all.same_date += t.same_date;
  }
  std::cout << fmt::format("| all | {} | {} | {} | {} | {} | {} |\n", all.pages, all.perfect, all.reference,
                           pct(all.reference ? double(all.same) / double(all.reference) : 1.0),
                           pct(all.found ? double(all.same) / double(all.found) : 1.0),
                           pct(all.dated ? double(all.same_date) / double(all.dated) : 1.0));
  std::sort(per_60kb.begin(), per_60kb.end());
  if (!per_60kb.empty()) {
    std::cout << fmt::format("\nms per 60 KB of page (scaled from each page's median): median {:.1f}, max {:.1f}; "
                             "{} runs per page\n",
                             per_60kb[per_60kb.size() / 2], per_60kb.back(), runs);
  }
  return 0;
}
