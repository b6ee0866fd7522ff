// RELIABILITY.md §2.2, rows C1–C12: hostile or broken content served to the whole poll
// pipeline. Failures must leave what is stored as it was; successes must store valid,
// correctly decoded UTF-8 text and nothing a page smuggles in.

#include <iconv.h>

#include <cerrno>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/faults/fault_harness.h"

namespace herald::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// UTF-8 -> `charset` with glibc iconv; throws (failing the test) when it cannot.
std::string encode(std::string_view utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    throw std::runtime_error(std::string("iconv cannot encode ") + charset);
  }
  std::string in(utf8);
  std::string out(in.size() * 4 + 16, '\0');
  char* in_ptr = in.data();
  std::size_t in_left = in.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t done = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (done == static_cast<std::size_t>(-1)) {
    throw std::runtime_error(std::string("iconv failed for ") + charset);
  }
  out.resize(out.size() - out_left);
  return out;
}

// Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) and no NUL.
bool valid_utf8_without_nul(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) {
      return false;
    }
    int extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) {
      return false;  // the sequence is cut off
    }
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xc0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3f);
    }
    const std::uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

// A list page in the layout the HTML source reads; `head` goes into <head>.
std::string list_page(std::string_view head, const std::vector<std::string>& titles,
                      std::string_view link_prefix) {
  std::string page = fmt::format("<!DOCTYPE html><html><head>{}<title>list</title></head>"
                                 "<body><ul class=\"news\">\n",
                                 head);
  for (std::size_t i = 0; i < titles.size(); ++i) {
    page += fmt::format("<li><a href=\"{}{}.html\">{}</a><span>2023-11-0{}</span></li>\n",
                        link_prefix, i, titles[i], i + 1);
  }
  return page + "</ul></body></html>";
}

class ContentFaultTest : public FaultTest {
 protected:
  // Serves `body` with `content_type` at /page (starting the server the first time);
  // returns that URL.
  std::string serve(std::string body, std::string content_type) {
    {
      const std::lock_guard lock(mutex_);
      body_ = std::move(body);
      content_type_ = std::move(content_type);
    }
    if (!started_) {
      hostile_.routes().Get("/page", [this](const httplib::Request&, httplib::Response& res) {
        const std::lock_guard lock(mutex_);
        res.set_content(body_, content_type_);
      });
      hostile_.start();
      started_ = true;
    }
    return hostile_.url("/page");
  }

  RunReport poll_served(std::string_view id, std::string body, std::string content_type) {
    return poll_at(id, serve(std::move(body), std::move(content_type)));
  }

  RunReport expect_served_fault(std::string_view id, std::string body, std::string content_type,
                                std::string_view outcome) {
    return expect_fault(id, serve(std::move(body), std::move(content_type)), outcome);
  }

  // The first column of every row `sql` returns, `param` bound to its one "?" if given.
  std::vector<std::string> column(const std::string& sql,
                                  std::optional<std::string_view> param = std::nullopt) {
    std::vector<std::string> out;
    auto stmt = store_->database().prepare(sql);
    EXPECT_TRUE(stmt.has_value());
    if (param) {
      stmt->bind(1, *param);
    }
    while (true) {
      auto row = stmt->step();
      if (!row || !*row) {
        break;
      }
      out.push_back(stmt->column_text(0));
    }
    return out;
  }
  std::vector<std::string> titles_under(std::string_view url_part) {
    return column("SELECT title FROM items WHERE instr(url, ?) > 0 ORDER BY id", url_part);
  }

  void TearDown() override {
    FaultTest::TearDown();  // hang up before hostile_ stops
  }

  std::mutex mutex_;  // guards body_ and content_type_ (server thread reads)
  std::string body_;
  std::string content_type_;
  bool started_ = false;
  LocalServer hostile_;
};

// C1: no charset in the header: the <meta> prescan decides, and a BOM beats everything.
TEST_F(ContentFaultTest, C1_MissingHeaderCharsetIsFoundByMetaPrescanAndBom) {
  poll_good(kHtmlId);
  const std::vector<std::string> titles = {"关于促进人工智能健康发展的通知（元数据）",
                                           "数据安全管理办法征求意见稿（元数据）"};
  const RunReport meta = poll_served(
      kHtmlId, encode(list_page("<meta charset=\"gbk\">", titles, "/meta/"), "GBK"),
      "text/html");
  ASSERT_EQ(meta.outcome, "ok") << format_report(meta);
  EXPECT_EQ(titles_under("/meta/"), titles);

  const std::vector<std::string> bom_titles = {"生成式人工智能备案公告（字节序标记）"};
  const RunReport bom = poll_served(
      kHtmlId, "\xEF\xBB\xBF" + list_page("", bom_titles, "/bom/"), "text/html");
  ASSERT_EQ(bom.outcome, "ok") << format_report(bom);
  EXPECT_EQ(titles_under("/bom/"), bom_titles);
}

// C2: the header claims UTF-8, the bytes are GBK.
TEST_F(ContentFaultTest, C2_WrongHeaderCharsetIsFlaggedAndStoresValidUtf8) {
  poll_good(kHtmlId);
  const std::vector<std::string> titles = {"关于人工智能伦理审查办法的通知", "算法备案清单公示",
                                           "网络数据安全管理条例解读"};
  const RunReport report = poll_served(
      kHtmlId, encode(list_page("", titles, "/lying/"), "GBK"), "text/html; charset=utf-8");

  EXPECT_THAT(report.outcome, AnyOf("ok", "charset_suspect")) << format_report(report);
  EXPECT_TRUE(report.charset_suspect) << format_report(report);
  for (const std::string& title : column("SELECT title FROM items")) {
    EXPECT_TRUE(valid_utf8_without_nul(title)) << title;
  }
}

// C3: legacy CJK encodings named in the header, decoded to the same UTF-8 text.
TEST_F(ContentFaultTest, C3_LegacyCjkEncodingsDecodeToGoldenUtf8) {
  poll_good(kHtmlId);
  struct Case {
    const char* label;   // as sent in Content-Type
    const char* iconv;   // what encodes the page
    std::vector<std::string> titles;
  };
  const std::vector<Case> cases = {
      {"gb2312", "GBK", {"国家互联网信息办公室发布人工智能安全治理框架"}},
      {"gb18030", "GB18030", {"生成式人工智能服务安全基本要求（𠀀字测试）"}},
      {"shift_jis", "SHIFT_JIS", {"ＡＩ事業者ガイドライン（第１．０版）を公表"}},
      {"euc-kr", "EUC-KR", {"인공지능 기본법 시행령 입법예고"}},
      {"big5", "BIG5", {"人工智慧基本法草案預告"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    const std::string prefix = fmt::format("/{}/", c.label);
    const RunReport report =
        poll_served(kHtmlId, encode(list_page("", c.titles, prefix), c.iconv),
                    fmt::format("text/html; charset={}", c.label));
    ASSERT_EQ(report.outcome, "ok") << format_report(report);
    EXPECT_FALSE(report.charset_suspect);
    EXPECT_EQ(titles_under(prefix), c.titles);
  }
}

// C4: invalid UTF-8 (overlong, lone surrogate, NUL, truncated sequence) never reaches
// SQLite as such.
TEST_F(ContentFaultTest, C4_InvalidUtf8IsNeverStored) {
  poll_good(kHtmlId);
  const std::string bad_title =
      std::string("Overlong \xC0\xAF slash, surrogate \xED\xA0\x80 here, nul ") +
      std::string(1, '\0') + " and cut \xE4\xBA";
  const RunReport report =
      poll_served(kHtmlId, list_page("<meta charset=\"utf-8\">", {bad_title, "人工智能 ok"},
                                     "/bad-utf8/"),
                  "text/html; charset=utf-8");

  ASSERT_EQ(report.outcome, "ok") << format_report(report);
  const auto stored = titles_under("/bad-utf8/");
  ASSERT_EQ(stored.size(), 2u);
  for (const std::string& title : column("SELECT title || coalesce(summary, '') FROM items")) {
    EXPECT_TRUE(valid_utf8_without_nul(title)) << title;
  }
  EXPECT_THAT(stored[0], HasSubstr("Overlong"));
}

// C5: unclosed tags and bad nesting: parsed best-effort.
TEST_F(ContentFaultTest, C5_MalformedHtmlIsParsedBestEffort) {
  poll_good(kHtmlId);
  const std::string page =
      "<html><head><meta charset=utf-8><body><div><ul class=news>"
      "<li><a href=/m/0.html>人工智能 通知一<span>2023-11-01"
      "<li><b><i><a href='/m/1.html'>通知二</b></i></a><span>2023-11-02</span>"
      "<li><a href=/m/2.html>通知三</p></div></table><span>2023-11-03";
  const RunReport report = poll_served(kHtmlId, page, "text/html; charset=utf-8");

  ASSERT_EQ(report.outcome, "ok") << format_report(report);
  EXPECT_GE(titles_under("/m/").size(), 2u);
}

// C6: gumbo's known killers, each parse_limit with memory bounded and nothing changed.
// 40k unclosed <span> (240 KB): gumbo 0.10.1 with default options grows to 4 GB and abort()s.
TEST_F(ContentFaultTest, C6_UnclosedSpansAreParseLimit) {
  std::string spans = "<html><body><ul class=news>";
  for (int i = 0; i < 40000; ++i) {
    spans += "<span>";
  }
  expect_served_fault(kHtmlId, spans, "text/html; charset=utf-8", "parse_limit");
}

// RELIABILITY.md's 100k nested <div> (500 KB). gumbo's time grows with the square of the
// depth (about 30 s for this page), so the depth is estimated from the bytes first and the
// page refused before gumbo sees it.
TEST_F(ContentFaultTest, C6_DeeplyNestedDivsAreParseLimit) {
  std::string divs = "<html><body>";
  for (int i = 0; i < 100000; ++i) {
    divs += "<div>";
  }
  const RunReport report =
      expect_served_fault(kHtmlId, divs, "text/html; charset=utf-8", "parse_limit");
  ASSERT_TRUE(report.error.has_value());
  EXPECT_THAT(report.error->message, HasSubstr("before parsing"));
}

// C7: an external entity pointing at a local file: refused, the file's content never stored.
TEST_F(ContentFaultTest, C7_XxeFeedIsRefusedAndNoFileContentIsStored) {
  const std::string feed = R"(<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY leak SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title>
<item><title>Leak &leak; here</title><link>https://example.org/xxe</link></item>
</channel></rss>)";
  expect_served_fault(kFeedId, feed, "application/rss+xml", "feed_invalid");
  for (const std::string& row : snapshot()) {
    EXPECT_THAT(row, Not(HasSubstr("root:")));
  }
}

// C8: billion laughs.
TEST_F(ContentFaultTest, C8_BillionLaughsIsRefusedWithBoundedMemory) {
  std::string feed = "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY l0 \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    feed += fmt::format("<!ENTITY l{} \"", i);
    for (int k = 0; k < 10; ++k) {
      feed += fmt::format("&l{};", i - 1);
    }
    feed += "\">\n";
  }
  feed += "]>\n<rss version=\"2.0\"><channel><title>t</title><item><title>&l9;</title>"
          "<link>https://example.org/lol</link></item></channel></rss>";
  expect_served_fault(kFeedId, feed, "application/rss+xml", "feed_invalid");
}

// C9: an HTML page where the feed should be is feed_invalid, nothing changed. A feed cut
// short is read with libxml2's recovery: the items that arrived whole are kept, nothing
// already stored changes, and the cut-off item is not stored half.
TEST_F(ContentFaultTest, C9_HtmlInsteadOfFeedIsFeedInvalid) {
  expect_served_fault(kFeedId, "<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>",
               "text/html", "feed_invalid");
}

TEST_F(ContentFaultTest, C9_TruncatedFeedKeepsWhatWasStoredAndNoHalfItem) {
  const Snapshot before = poll_good(kFeedId);
  // Items go in front: the whole one ends up before the one the cut goes through.
  std::string next =
      feed_with_new_item(feed_, "Cut off in the middle of this title", "https://x.org/cut");
  next = feed_with_new_item(next, "Complete new item", "https://x.org/whole");
  const std::size_t cut = next.find("middle of this title");
  ASSERT_NE(cut, std::string::npos);

  const RunReport report =
      poll_served(kFeedId, next.substr(0, cut + 6), "application/rss+xml");

  EXPECT_EQ(report.outcome, "ok") << format_report(report);
  EXPECT_EQ(last_poll_row(kFeedId).first, "ok");
  EXPECT_EQ(titles_under("x.org/whole"), std::vector<std::string>{"Complete new item"});
  const Snapshot after = snapshot();
  for (const std::string& row : before) {
    if (!row.starts_with("candidate")) {
      EXPECT_THAT(after, ::testing::Contains(row)) << "a stored item changed";
    }
  }
  EXPECT_TRUE(titles_under("x.org/cut").empty()) << "half an item was stored";
}

// C10: a 900 KB title, and a feed of 20,000 items: both bounded per fetch.
TEST_F(ContentFaultTest, C10_HugeFieldAndHugeItemCountAreCapped) {
  poll_good(kFeedId);
  const std::string huge_title(900 * 1024, 'A');
  const RunReport big_field = poll_served(
      kFeedId,
      feed_with_new_item(feed_, huge_title + " artificial intelligence", "https://x.org/huge"),
      "application/rss+xml");
  ASSERT_EQ(big_field.outcome, "ok") << format_report(big_field);
  const auto stored = titles_under("x.org/huge");
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_LE(stored[0].size(), 1024u);

  std::string many = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>";
  for (int i = 0; i < 20000; ++i) {
    many += fmt::format("<item><title>n{}</title><link>https://m.org/{}</link></item>", i, i);
  }
  many += "</channel></rss>";
  SourceConfig wide = source(kFeedId);
  wide.fetch.max_body_bytes = 8 * 1024 * 1024;
  wide.url = serve(many, "application/rss+xml");  // ≈1.3 MB: needs a larger byte cap
  const RunReport report = poll_config(wide);
  ASSERT_EQ(report.outcome, "ok") << format_report(report);
  EXPECT_LE(report.stored.items_new, 5000);
  EXPECT_LE(titles_under("https://m.org/").size(), 5000u);
}

// C11: one announcement linked with tracking parameters and re-spaced titles is one item.
TEST_F(ContentFaultTest, C11_TrackingParametersAndWhitespaceDoNotDuplicate) {
  poll_good(kFeedId);
  std::string feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>";
  for (const char* variant : {"https://dedup.org/a?id=1",
                              "https://dedup.org/a?id=1&amp;utm_source=feed&amp;utm_medium=rss",
                              "https://dedup.org/a?utm_campaign=x&amp;id=1"}) {
    feed += fmt::format("<item><title>  One   story\n about AI </title><link>{}</link>"
                        "<pubDate>Fri, 25 Jul 2025 00:00:00 GMT</pubDate></item>",
                        variant);
  }
  feed += "</channel></rss>";

  const RunReport report = poll_served(kFeedId, feed, "application/rss+xml");
  const RunReport again = poll_served(kFeedId, feed, "application/rss+xml");

  ASSERT_EQ(report.outcome, "ok") << format_report(report);
  EXPECT_EQ(report.stored.items_new, 1);
  EXPECT_EQ(again.stored.items_new, 0);
  EXPECT_EQ(titles_under("dedup.org").size(), 1u);
}

// C12: markup aimed at the review UI: stored as plain text, javascript: links refused. (The
// browser suite renders such items in Chromium and checks that nothing runs.)
TEST_F(ContentFaultTest, C12_HostileMarkupIsStoredAsTextAndScriptLinksAreRefused) {
  poll_good(kFeedId);
  const std::string feed = R"FEED(<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title><![CDATA[<img src=x onerror=alert(1)> AI </script><script>window.__pwned=1</script>]]></title>
<link>https://evil.org/1</link>
<description><![CDATA[<a href="javascript:alert(2)">click</a><iframe src=//evil.org></iframe>]]></description></item>
<item><title>Script link</title><link>javascript:alert(3)</link></item>
</channel></rss>)FEED";

  const RunReport report = poll_served(kFeedId, feed, "application/rss+xml");

  ASSERT_EQ(report.outcome, "ok") << format_report(report);
  EXPECT_GE(report.rejected, 1);  // the javascript: link
  for (const std::string& url : column("SELECT url FROM items")) {
    EXPECT_TRUE(url.starts_with("http://") || url.starts_with("https://")) << url;
  }
  const auto stored = titles_under("evil.org/1");
  ASSERT_EQ(stored.size(), 1u);
  for (const std::string& text :
       column("SELECT title || ' ' || coalesce(summary, '') FROM items")) {
    EXPECT_THAT(text, Not(HasSubstr("<script"))) << text;
    EXPECT_THAT(text, Not(HasSubstr("<iframe"))) << text;
    EXPECT_THAT(text, Not(HasSubstr("onerror="))) << text;
  }
}

}  // namespace
}  // namespace herald::testing
