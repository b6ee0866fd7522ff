// The November 2023 edition rebuilt from the seed and exported again: the export must keep
// the seed's structure (导读 with numbered titles per section, then each item's fields).

#include <cstddef>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/export/newsletter_parser.h"
#include "tests/support/fixtures.h"
#include "web/export.h"

namespace herald::web {
namespace {

using testing::Dialect;
using testing::parse_newsletter;
using testing::ParsedNewsletter;

constexpr std::string_view kSeedLabel = "植德短评";
const std::vector<std::string> kSections = {"最新法律与监管动态", "最新行业动态"};

const ParsedNewsletter& seed() {
  static const ParsedNewsletter parsed =
      parse_newsletter(herald::testing::read_fixture("seed/ai-monthly-2023-11.txt"),
                       Dialect::kSeedPdfText, kSeedLabel);
  return parsed;
}

Edition seed_edition() {
  Edition edition = seed().edition;
  edition.month = "2023-11";
  edition.title = "人工智能月刊 2023年11月";
  return edition;
}

std::vector<const EditionItem*> items_of(const Edition& edition, const std::string& section) {
  std::vector<const EditionItem*> out;
  for (const EditionItem& item : edition.items) {
    if (item.section == section) {
      out.push_back(&item);
    }
  }
  return out;
}

std::string without_spaces(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c != ' ') {
      out += c;
    }
  }
  return out;
}

std::string first_sentence(const std::string& text) {
  const std::size_t end = text.find("。");
  const std::string sentence = end == std::string::npos ? text : text.substr(0, end + 3);
  return sentence.substr(0, sentence.find('\n'));
}

std::vector<std::string> first_groups(const std::string& text, const std::regex& re) {
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

std::string unescape(std::string_view markdown) {
  return testing::newsletter_parser_detail::unescape_markdown(markdown);
}

// ---- The seed as read by the test parser: facts checked against the text by hand. -----

TEST(SeedParserTest, FindsBothSectionsWithSeventeenAndThirteenItems) {
  EXPECT_EQ(seed().toc_sections, kSections);
  EXPECT_EQ(seed().edition.sections, kSections);
  EXPECT_EQ(items_of(seed().edition, kSections[0]).size(), 17u);
  EXPECT_EQ(items_of(seed().edition, kSections[1]).size(), 13u);
  ASSERT_EQ(seed().toc_titles.size(), 2u);
  EXPECT_EQ(seed().toc_titles[0].size(), 17u);
  EXPECT_EQ(seed().toc_titles[1].size(), 13u);
}

TEST(SeedParserTest, EveryItemHasDateSourceLinkAndSummary) {
  for (const EditionItem& item : seed().edition.items) {
    SCOPED_TRACE(item.title);
    ASSERT_TRUE(item.published_date.has_value()) << item.published_text;
    EXPECT_EQ(item.published_date->year, 2023);
    EXPECT_FALSE(item.source_name.empty());
    EXPECT_FALSE(item.url.empty());
    EXPECT_FALSE(item.summary.empty());
  }
}

TEST(SeedParserTest, JoinsWrappedTitlesAndLinks) {
  const auto legal = items_of(seed().edition, kSections[0]);
  const auto industry = items_of(seed().edition, kSections[1]);
  EXPECT_EQ(
      legal[0]->title,
      "上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》");
  EXPECT_EQ(industry[7]->title,
            "Mistral、Phi、Jais、Code Llama、NVIDIA Nemotron 等加入 微软 Azure AI 模型目录");
  EXPECT_EQ(
      legal[9]->url,
      "https://www.mas.gov.sg/news/media-releases/2023/"
      "mas-partners-industry-to-develop-generative-ai-risk-framework-for-the-financial-sector");
  // Wrapped across a page break, with footer links, header and page number in between.
  EXPECT_EQ(industry[7]->url,
            "https://techcommunity.microsoft.com/t5/ai-machine-learning-blog/"
            "welcoming-mistral-phi-jais-code-llama-nvidia-nemotron-and-more/ba-p/3982699");
  EXPECT_EQ(legal[16]->url,
            "http://www.ipforefront.com/article_show.asp?id=3702&BigClass=%E8%B5%84%E8%AE%AF");
  EXPECT_EQ(legal[13]->url,
            "Andersen, et al., v. Stability AI LTD., et al., No. 3:23-cv-00201(WHO), 2023 WL "
            "7132064 （C.D. Cal. Oct. 30, 2023)");
  EXPECT_EQ(legal[13]->published_date->month, 10);
  EXPECT_EQ(legal[13]->published_date->day, 30);
}

// The seed's footer repeats each item's URL unbroken on one line: a joined URL must be one
// of them, which checks the joining independently of the expected values above.
TEST(SeedParserTest, EveryJoinedUrlIsAlsoPrintedWholeInTheFooter) {
  std::set<std::string> footer;
  std::istringstream text(herald::testing::read_fixture("seed/ai-monthly-2023-11.txt"));
  for (std::string line; std::getline(text, line);) {
    if (line.starts_with("http")) {
      footer.insert(line);
    }
  }
  int urls = 0;
  std::vector<std::string> not_in_footer;
  for (const EditionItem& item : seed().edition.items) {
    if (item.url.starts_with("http")) {
      ++urls;
      if (!footer.contains(item.url)) {
        not_in_footer.push_back(item.url);
      }
    }
  }
  EXPECT_EQ(urls, 29);
  // Two links the PDF's footer happens not to repeat (the second one is checked above).
  const std::vector<std::string> expected = {
      "https://www.beijing.gov.cn/ywdt/gzdt/202311/t20231129_3321720.html",
      "http://www.ipforefront.com/article_show.asp?id=3702&BigClass=%E8%B5%84%E8%AE%AF"};
  EXPECT_EQ(not_in_footer, expected);
}

TEST(SeedParserTest, CommentaryOnlyWhereTheSeedHasOne) {
  std::vector<std::pair<std::size_t, int>> with_commentary;
  for (std::size_t s = 0; s < kSections.size(); ++s) {
    const auto items = items_of(seed().edition, kSections[s]);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i]->commentary.empty()) {
        with_commentary.emplace_back(s, static_cast<int>(i + 1));
      }
    }
  }
  const std::vector<std::pair<std::size_t, int>> expected = {{0, 8},  {0, 14}, {0, 16},
                                                             {0, 17}, {1, 3},  {1, 11}};
  EXPECT_EQ(with_commentary, expected);
  EXPECT_TRUE(items_of(seed().edition, kSections[0])[7]->commentary.starts_with(
      "日本政府对使用人工智能的态度较为积极"));
}

TEST(SeedParserTest, TocTitlesMatchBodyTitlesExceptTheSeedsOwnComma) {
  for (std::size_t s = 0; s < kSections.size(); ++s) {
    const auto items = items_of(seed().edition, kSections[s]);
    for (std::size_t i = 0; i < items.size(); ++i) {
      EXPECT_EQ(seed().toc_numbers[s][i], static_cast<int>(i + 1));
      const std::string toc = without_spaces(seed().toc_titles[s][i]);
      std::string body = without_spaces(items[i]->title);
      if (s == 1 && i == 10) {
        // The seed's editors wrote "WPS发布声明，承诺..." in the body only.
        ASSERT_NE(body.find("，"), std::string::npos);
        body.erase(body.find("，"), std::string_view("，").size());
      }
      EXPECT_EQ(toc, body) << "section " << s + 1 << " item " << i + 1;
    }
  }
}

// ---- The export ------------------------------------------------------------------------

// The markdown between `from` and `to` (or the end).
std::string slice(const std::string& text, const std::string& from, const std::string& to) {
  const std::size_t start = text.find(from);
  if (start == std::string::npos) {
    return {};
  }
  const std::size_t end = to.empty() ? std::string::npos : text.find(to, start + from.size());
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(SeedExportMarkdownTest, TocListsEachSectionsTitlesNumberedFromOne) {
  const std::string md = export_markdown(seed_edition(), {.commentary_label = "植德短评"});
  const std::string toc = slice(md, "## 导读\n", "## 一、");
  ASSERT_FALSE(toc.empty()) << md.substr(0, 500);

  std::string expected = "## 导读\n\n";
  for (const std::string& section : kSections) {
    expected += fmt::format("### {}\n\n", section);
    const auto items = items_of(seed().edition, section);
    for (std::size_t i = 0; i < items.size(); ++i) {
      expected += fmt::format("{}. {}\n", i + 1, items[i]->title);
    }
    expected += "\n";
  }
  EXPECT_EQ(unescape(toc), expected);
}

TEST(SeedExportMarkdownTest, EachItemHasItsFieldsUnderItsNumberInItsSection) {
  const std::string md = export_markdown(seed_edition(), {.commentary_label = "植德短评"});
  const std::string legal = slice(md, "## 一、最新法律与监管动态\n", "## 二、");
  const std::string industry = slice(md, "## 二、最新行业动态\n", "");
  ASSERT_FALSE(legal.empty());
  ASSERT_FALSE(industry.empty());
  EXPECT_EQ(md.find("## 三、"), std::string::npos);

  for (std::size_t s = 0; s < kSections.size(); ++s) {
    const std::string& body = s == 0 ? legal : industry;
    const auto items = items_of(seed().edition, kSections[s]);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const EditionItem& item = *items[i];
      SCOPED_TRACE(fmt::format("section {} item {}", s + 1, i + 1));
      const std::string block =
          unescape(slice(body, fmt::format("\n### {}. ", i + 1), fmt::format("\n### {}. ", i + 2)));
      ASSERT_FALSE(block.empty());
      EXPECT_TRUE(block.starts_with(fmt::format("\n### {}. {}\n", i + 1, item.title))) << block;
      EXPECT_NE(block.find(fmt::format("\n发布日期：2023年{}月{}日\n", item.published_date->month,
                                       item.published_date->day)),
                std::string::npos);
      EXPECT_NE(block.find(fmt::format("\n来源：{}\n", item.source_name)), std::string::npos);
      const std::string link = item.url.starts_with("http") ? "<" + item.url + ">" : item.url;
      EXPECT_NE(block.find(fmt::format("\n链接：{}\n", link)), std::string::npos);
      EXPECT_NE(block.find("\n摘要：\n\n" + first_sentence(item.summary)), std::string::npos);
      EXPECT_EQ(block.find("**植德短评**") != std::string::npos, !item.commentary.empty());
    }
  }
}

TEST(SeedExportMarkdownTest, SeedDatesLoseThePdfSpaces) {
  const std::string md = export_markdown(seed_edition());
  EXPECT_NE(md.find("发布日期：2023年11月7日\n"), std::string::npos);
  EXPECT_NE(md.find("发布日期：2023年10月30日\n"), std::string::npos);
  std::istringstream lines(md);
  int dates = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("发布日期：")) {
      ++dates;
      EXPECT_EQ(line.find(' '), std::string::npos) << line;
    }
  }
  EXPECT_EQ(dates, 30);
}

TEST(SeedExportMarkdownTest, ReadingTheExportBackGivesTheSameEdition) {
  const Edition edition = seed_edition();
  const std::string md = export_markdown(edition, {.commentary_label = "植德短评"});
  const ParsedNewsletter again = parse_newsletter(md, Dialect::kMarkdown, "植德短评");

  EXPECT_EQ(again.toc_sections, kSections);
  EXPECT_EQ(again.edition.sections, kSections);
  ASSERT_EQ(again.edition.items.size(), edition.items.size());
  for (std::size_t i = 0; i < edition.items.size(); ++i) {
    const EditionItem& want = edition.items[i];
    const EditionItem& got = again.edition.items[i];
    SCOPED_TRACE(want.title);
    EXPECT_EQ(got.section, want.section);
    EXPECT_EQ(got.title, want.title);
    ASSERT_TRUE(got.published_date.has_value());
    EXPECT_EQ(format_chinese_date(*got.published_date), format_chinese_date(*want.published_date));
    EXPECT_EQ(got.source_name, want.source_name);
    EXPECT_EQ(got.url, want.url);
    EXPECT_EQ(got.summary, want.summary);
    EXPECT_EQ(got.commentary, want.commentary);
  }
  for (std::size_t s = 0; s < kSections.size(); ++s) {
    std::vector<int> one_to_n(items_of(edition, kSections[s]).size());
    for (std::size_t i = 0; i < one_to_n.size(); ++i) {
      one_to_n[i] = static_cast<int>(i + 1);
    }
    EXPECT_EQ(again.toc_numbers[s], one_to_n);
    EXPECT_EQ(again.toc_titles[s].size(), one_to_n.size());
  }
}

TEST(SeedExportMarkdownTest, DefaultCommentaryLabelIsShortComment) {
  const std::string md = export_markdown(seed_edition());
  EXPECT_EQ(md.find("植德短评"), std::string::npos);
  EXPECT_EQ(herald::testing::count_occurrences(md, "\n**短评**\n"), 6u);
}

TEST(SeedExportHtmlTest, HeadingsAndAnchorsFollowTheSections) {
  const std::string html = export_html(seed_edition(), {.commentary_label = "植德短评"});
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"section-1\">一、最新法律与监管动态</h2>"), std::string::npos);
  EXPECT_NE(html.find("<h2 id=\"section-2\">二、最新行业动态</h2>"), std::string::npos);
  EXPECT_EQ(html.find("id=\"section-3\""), std::string::npos);

  // Every TOC entry points at an item that exists, and every item is in the TOC.
  const std::regex toc_link(R"re(<li><a href="#(item-[0-9]+-[0-9]+)">)re");
  const std::regex item_id(R"re(<div class="item" id="(item-[0-9]+-[0-9]+)">)re");
  const std::vector<std::string> links = first_groups(html, toc_link);
  const std::vector<std::string> ids = first_groups(html, item_id);
  EXPECT_EQ(links.size(), 30u);
  EXPECT_EQ(links, ids);
  EXPECT_EQ(links.at(16), "item-1-17");
  EXPECT_EQ(links.at(17), "item-2-1");
  EXPECT_EQ(links.back(), "item-2-13");

  EXPECT_NE(html.find("<h3>17. 多位创作者起诉小红书偷画师作品训练 AI模型涉侵权，已获立案</h3>"),
            std::string::npos);
  // The "&" in a query string is escaped inside the attribute too.
  EXPECT_NE(html.find("<a href=\"http://www.ipforefront.com/article_show.asp?id=3702&amp;"
                      "BigClass=%E8%B5%84%E8%AE%AF\" rel=\"noopener noreferrer\">"),
            std::string::npos);
  // The Westlaw citation is text, not a link.
  EXPECT_NE(html.find("<span class=\"label\">链接：</span>Andersen, et al., v. Stability AI"),
            std::string::npos);
  EXPECT_EQ(html.find("href=\"Andersen"), std::string::npos);
  EXPECT_EQ(herald::testing::count_occurrences(html, "<p class=\"label\">植德短评</p>"), 6u);
  EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
}

}  // namespace
}  // namespace herald::web
