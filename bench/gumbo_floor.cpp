// The parser's floor for the poll-cycle benchmark (scripts/bench-poll): the CPU that only
// parsing every page of a corpus generation costs, nothing else. Each page is first decoded
// to UTF-8 exactly as a poll does (decode_to_utf8 with the Content-Type nginx sends, so GBK
// pages go through the <meta> prescan), outside the timed part; then every HTML page is
// given to gumbo_parse_with_options with the options HtmlDocument::parse uses
// (max_errors = 0) and every feed to libxml2's xmlCtxtReadMemory with the options
// parse_feed uses, and the process CPU time of those calls alone is reported.
//
//   herald_gumbo_floor DIR          # DIR: a generation of bench/corpus (…/gen1)
//
// prints one line: "floor pages=1000 html=800 feeds=200 bytes=… gumbo_cpu_ms=… xml_cpu_ms=…
// floor_cpu_ms=… decode_cpu_ms=…"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gumbo.h>
#include <libxml/parser.h>

#include "scrapers/decode/decode.h"

namespace {

namespace fs = std::filesystem;

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct Page {
  std::string utf8{};
  bool feed = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: herald_gumbo_floor CORPUS_GENERATION_DIR\n";
    return 2;
  }
  const fs::path dir = argv[1];
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(
           dir, fs::directory_options::follow_directory_symlink, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "index.html" || name == "rss.xml" || name == "atom.xml") {
      files.push_back(entry.path());
    }
  }
  if (ec || files.empty()) {
    std::cerr << "herald_gumbo_floor: no corpus pages under " << dir.string()
              << " (generate one with bench/corpus/generate.py)\n";
    return 1;
  }

  std::vector<Page> pages;
  pages.reserve(files.size());
  std::size_t bytes = 0;
  const double decode_start = process_cpu_ms();
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes += body.size();
    const std::string name = file.filename().string();
    const bool feed = name != "index.html";
    const char* type = name == "index.html" ? "text/html"
                       : name == "rss.xml"  ? "application/rss+xml"
                                            : "application/atom+xml";
    auto decoded = herald::decode_to_utf8(body, type, std::nullopt);
    if (!decoded) {
      std::cerr << "herald_gumbo_floor: " << file.string() << ": " << decoded.error().message
                << "\n";
      return 1;
    }
    pages.push_back(Page{.utf8 = std::move(decoded->utf8), .feed = feed});
  }
  const double decode_ms = process_cpu_ms() - decode_start;

  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  xmlInitParser();
  // parse_feed's options (scrapers/parse/feed.cpp kParseOptions).
  constexpr int kXmlOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                              XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA;

  double gumbo_ms = 0;
  double xml_ms = 0;
  std::size_t html_pages = 0;
  std::size_t nodes_seen = 0;  // keeps the parses observable
  for (const Page& page : pages) {
    const double start = process_cpu_ms();
    if (page.feed) {
      xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
      xmlDocPtr doc = xmlCtxtReadMemory(ctxt, page.utf8.data(), static_cast<int>(page.utf8.size()),
                                        nullptr, "UTF-8", kXmlOptions);
      nodes_seen += doc != nullptr ? 1 : 0;
      xmlFreeDoc(doc);
      xmlFreeParserCtxt(ctxt);
      xml_ms += process_cpu_ms() - start;
    } else {
      GumboOutput* output =
          gumbo_parse_with_options(&options, page.utf8.data(), page.utf8.size());
      nodes_seen += output->root->v.element.children.length;
      gumbo_destroy_output(&options, output);
      gumbo_ms += process_cpu_ms() - start;
      ++html_pages;
    }
  }
  std::cout << fmt::format(
      "floor pages={} html={} feeds={} bytes={} gumbo_cpu_ms={:.1f} xml_cpu_ms={:.1f} "
      "floor_cpu_ms={:.1f} decode_cpu_ms={:.1f} nodes={}\n",
      pages.size(), html_pages, pages.size() - html_pages, bytes, gumbo_ms, xml_ms,
      gumbo_ms + xml_ms, decode_ms, nodes_seen);
  return 0;
}
