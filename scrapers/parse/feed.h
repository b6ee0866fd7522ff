#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/item.h"
#include "common/result.h"

namespace herald {

enum class FeedFormat { kRss, kRdf, kAtom };

struct Feed {
  FeedFormat format = FeedFormat::kRss;
  std::string title{};
  std::string link{};
  std::vector<RawItem> items{};  // in document order
};

// Parses RSS 0.91/0.92/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 from UTF-8 text (decode first).
// libxml2 runs with safe options only: no entity substitution, no DTD loading, no network,
// no XML_PARSE_HUGE. Title: <title>; link: RSS <link>, else a permalink <guid>, Atom
// <link rel="alternate"> (or no rel); date: pubDate / dc:date / published / updated /
// issued / modified; summary: description / summary / content:encoded / content, as text
// (markup stripped, whitespace collapsed). Errors: kFeedInvalid.
Result<Feed> parse_feed(std::string_view utf8);

// Turns an HTML fragment (an RSS description after XML unescaping) into plain text: tags and
// comments dropped, <script>/<style> bodies dropped, block elements become spaces, and the
// common named entities plus numeric references decoded. Whitespace is not collapsed.
// A '<' that does not start a tag is kept as text ("1 < 2").
std::string html_fragment_to_text(std::string_view html);

}  // namespace herald
