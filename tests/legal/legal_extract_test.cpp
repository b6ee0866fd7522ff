#include "scrapers/legal/legal.h"

#include <cstdint>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "common/legal.h"
#include "common/timezone.h"
#include "scrapers/decode/decode.h"
#include "scrapers/enrich/article.h"
#include "scrapers/parse/html_document.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

using testing::read_fixture;

// 2024-01-01T00:00:00Z: after every fixture's date.
constexpr std::int64_t kNow = 1704067200;

TimeZone shanghai() {
  auto tz = TimeZone::load("Asia/Shanghai");
  EXPECT_TRUE(tz.has_value()) << tz.error().message;
  return tz ? *tz : TimeZone::fixed(8 * 3600);
}

// As the pipeline reads a page: bytes decoded to UTF-8 (decode stage), parsed, then
// extract_article, whose `legal` is what a new item carries.
ArticleFields article_of(const std::string& bytes, const TimeZone& tz) {
  auto decoded = decode_to_utf8(bytes, "text/html", std::nullopt);
  EXPECT_TRUE(decoded.has_value()) << decoded.error().message;
  if (!decoded) {
    return {};
  }
  auto doc = HtmlDocument::parse(decoded->utf8);
  EXPECT_TRUE(doc.has_value()) << doc.error().message;
  if (!doc) {
    return {};
  }
  auto fields = extract_article(*doc, std::nullopt, tz, kNow);
  EXPECT_TRUE(fields.has_value()) << fields.error().message;
  if (!fields) {
    return {};
  }
  EXPECT_EQ(legal_facts_problem(fields->legal), "");
  return *fields;
}

LegalFacts page_facts(const std::string& html, std::string_view body,
                      std::optional<int> year_hint = std::nullopt) {
  auto doc = HtmlDocument::parse(html);
  EXPECT_TRUE(doc.has_value()) << doc.error().message;
  if (!doc) {
    return {};
  }
  LegalFacts facts = extract_legal_from_page(*doc, body, year_hint);
  EXPECT_EQ(legal_facts_problem(facts), "");
  return facts;
}

LegalFacts body_facts(std::string_view body, std::optional<int> year_hint = std::nullopt) {
  return page_facts("<html><body></body></html>", body, year_hint);
}

void expect_all_empty(const LegalFacts& facts) {
  for (std::size_t i = 0; i < kLegalFieldCount; ++i) {
    EXPECT_EQ(facts.fields[i].value, "") << kLegalFieldNames[i] << " from " << facts.fields[i].from;
    EXPECT_EQ(facts.fields[i].from, "") << kLegalFieldNames[i];
  }
}

const LegalValue& at(const LegalFacts& facts, LegalField field) { return facts[field]; }

// A draft's title, so that how-to-comment text is kept (pages that invite no comments drop it).
constexpr const char* kDraftTitle = "关于《数据安全管理办法（征求意见稿）》公开征求意见的通知";

// Reconstructed page (tests/fixtures/legal/NOTE.md): the TRS 信息公开 table in GBK.
TEST(LegalPageTest, GbkGovernmentTableGivesEveryRowWithItsLabel) {
  const ArticleFields fields =
      article_of(read_fixture("legal/zwgk-table-gbk.html"), shanghai());
  const LegalFacts& legal = fields.legal;
  EXPECT_EQ(at(legal, LegalField::kDocNumber), (LegalValue{"沪经信规范〔2023〕8号", "table:发文字号"}));
  EXPECT_EQ(at(legal, LegalField::kIssuer),
            (LegalValue{"上海市经济和信息化委员会", "table:发文机关"}));
  EXPECT_EQ(at(legal, LegalField::kAdoptedOn), (LegalValue{"2023-11-07", "table:成文日期"}));
  EXPECT_EQ(at(legal, LegalField::kPublishedOn), (LegalValue{"2023-11-13", "table:发布日期"}));
  // Label and value in one cell.
  EXPECT_EQ(at(legal, LegalField::kEffectiveOn), (LegalValue{"2024-01-01", "table:施行日期"}));
  // 文　　种 is printed with spaces inside the label.
  EXPECT_EQ(at(legal, LegalField::kInstrument), (LegalValue{"通知", "table:文种"}));
  EXPECT_EQ(legal.value(LegalField::kCommentDeadline), "");
  // The header's webmaster address is no way to comment: the page invites no comments.
  EXPECT_EQ(legal.value(LegalField::kCommentHow), "");
}

// The gd-gov article fixture is reconstructed from the survey's documented template
// (tests/fixtures/gd-gov/NOTE.md): div.introduce div.col with <label> + <span>.
TEST(LegalPageTest, GdGovIntroduceLabelsGiveNumberDatesAndIssuer) {
  const ArticleFields fields =
      article_of(read_fixture("gd-gov/article-post_4282629.html"), shanghai());
  const LegalFacts& legal = fields.legal;
  EXPECT_EQ(at(legal, LegalField::kDocNumber), (LegalValue{"粤府〔2023〕90号", "table:文号"}));
  EXPECT_EQ(at(legal, LegalField::kAdoptedOn), (LegalValue{"2023-11-03", "table:成文日期"}));
  EXPECT_EQ(at(legal, LegalField::kPublishedOn), (LegalValue{"2023-11-13", "table:发布日期"}));
  // 发布机构 in the table wins over the ContentSource meta (广东省人民政府办公厅).
  EXPECT_EQ(at(legal, LegalField::kIssuer), (LegalValue{"广东省人民政府", "table:发布机构"}));
  // "…的实施意见" is the document's own title form.
  EXPECT_EQ(at(legal, LegalField::kInstrument), (LegalValue{"意见", "title"}));
  EXPECT_EQ(legal.value(LegalField::kCommentDeadline), "");
  EXPECT_EQ(legal.value(LegalField::kEffectiveOn), "");
}

// Reconstructed from the survey's 政府网站 template (tests/fixtures/bj-gov-yjzj/NOTE.md).
TEST(LegalPageTest, BeijingConsultationDeadlineIsTheEndOfTheRange) {
  const ArticleFields fields =
      article_of(read_fixture("bj-gov-yjzj/article-t20231101_3292553.html"), shanghai());
  const LegalFacts& legal = fields.legal;
  EXPECT_EQ(legal.value(LegalField::kCommentDeadline), "2023-11-30");
  EXPECT_EQ(legal[LegalField::kCommentDeadline].from,
            "text:公开征集意见时间为2023年11月1日至2023年11月30日。");
  EXPECT_EQ(at(legal, LegalField::kInstrument), (LegalValue{"征求意见稿", "title"}));
  EXPECT_EQ(at(legal, LegalField::kIssuer), (LegalValue{"北京市药品监督管理局", "meta:ContentSource"}));
  // Not from the info line's 发布时间 (news pages print one too): from the metadata.
  EXPECT_EQ(at(legal, LegalField::kPublishedOn), (LegalValue{"2023-11-01", "meta:PubDate"}));
  EXPECT_EQ(legal.value(LegalField::kDocNumber), "");
}

// gkmlpt (广东 政务公开目录) puts the table in div.classify; other templates use list items
// with the label in a <span> and an ASCII colon.
TEST(LegalPageTest, GkmlptClassifyTableAndListItemLabels) {
  const LegalFacts gkmlpt = page_facts(
      "<div class=\"classify\"><table><tr><td class=\"td-title\">索引号：</td>"
      "<td class=\"td-value\">11440000006939748X/2023-00287</td>"
      "<td class=\"td-title\">分类：</td><td class=\"td-value\">综合政务</td></tr>"
      "<tr><td class=\"td-title\">发布机构：</td><td class=\"td-value\">广东省人民政府办公厅</td>"
      "<td class=\"td-title\">成文日期：</td><td class=\"td-value\">2023-10-27</td></tr>"
      "<tr><td class=\"td-title\">文号：</td><td class=\"td-value\">粤办函〔2023〕254号</td>"
      "<td class=\"td-title\">发布日期：</td><td class=\"td-value\">2023-11-02</td></tr>"
      "</table></div>",
      "");
  EXPECT_EQ(at(gkmlpt, LegalField::kDocNumber), (LegalValue{"粤办函〔2023〕254号", "table:文号"}));
  EXPECT_EQ(at(gkmlpt, LegalField::kIssuer), (LegalValue{"广东省人民政府办公厅", "table:发布机构"}));
  EXPECT_EQ(gkmlpt.value(LegalField::kAdoptedOn), "2023-10-27");
  EXPECT_EQ(gkmlpt.value(LegalField::kPublishedOn), "2023-11-02");

  const LegalFacts items = page_facts(
      "<ul class=\"xxgk\"><li><span>发文字号:</span>工信部联政法〔2023〕10号</li>"
      "<li><span>发文机关:</span> 工业和信息化部 </li><li><span>施行日期:</span>2023年3月1日</li></ul>",
      "");
  EXPECT_EQ(at(items, LegalField::kDocNumber),
            (LegalValue{"工信部联政法〔2023〕10号", "table:发文字号"}));
  EXPECT_EQ(items.value(LegalField::kIssuer), "工业和信息化部");
  EXPECT_EQ(items.value(LegalField::kEffectiveOn), "2023-03-01");
}

// extract_article gives the extractor the page's year for dates printed without one.
TEST(LegalPageTest, ArticleDateGivesTheYearOfAYearlessDeadline) {
  const ArticleFields fields = article_of(
      "<html><head><meta name=\"PubDate\" content=\"2023-11-20 09:00\"></head><body>"
      "<h1>关于《数据出境安全评估办法（修订草案征求意见稿）》公开征求意见的通知</h1>"
      "<div id=\"mainText\"><p>为进一步规范数据出境活动，我办起草了修订草案征求意见稿，现向社会公开征求意见。"
      "请于12月7日前将意见反馈至电子邮箱sjcj@cac.gov.cn。</p></div></body></html>",
      shanghai());
  EXPECT_EQ(fields.legal.value(LegalField::kCommentDeadline), "2023-12-07");
  EXPECT_EQ(fields.legal.value(LegalField::kCommentHow), "sjcj@cac.gov.cn");
  EXPECT_EQ(fields.legal.value(LegalField::kInstrument), "征求意见稿");
}

TEST(LegalPageTest, PubDateMetaWithTwoDatetimesGivesTheFirstDate) {
  const LegalFacts facts = page_facts(
      R"(<html><head><meta name="PubDate" content="2023-11-07 10:00:00 2023-11-08 09:30:00">)"
      R"(<meta name="ContentSource" content="国务院办公厅"></head><body><p>正文</p></body></html>)",
      "正文");
  EXPECT_EQ(at(facts, LegalField::kPublishedOn), (LegalValue{"2023-11-07", "meta:PubDate"}));
  EXPECT_EQ(at(facts, LegalField::kIssuer), (LegalValue{"国务院办公厅", "meta:ContentSource"}));
}

TEST(LegalTextTest, DeadlineFromTheBodyOnly) {
  EXPECT_EQ(body_facts("自即日起至2023年12月7日，社会各界可通过以下方式提出意见。")
                .value(LegalField::kCommentDeadline),
            "2023-12-07");
  EXPECT_EQ(body_facts("意见反馈截止时间为2023年12月7日。").value(LegalField::kCommentDeadline),
            "2023-12-07");
  EXPECT_EQ(body_facts("截止日期：2023年12月7日").value(LegalField::kCommentDeadline),
            "2023-12-07");
  // As the tc260 seed prints it: spaces inside the date.
  EXPECT_EQ(body_facts("征求意见截止时间为 2023年 12月 3日。").value(LegalField::kCommentDeadline),
            "2023-12-03");
  EXPECT_EQ(body_facts("意见反馈截止时间为２０２３年１２月７日。")
                .value(LegalField::kCommentDeadline),
            "2023-12-07");
  EXPECT_EQ(body_facts("截止日期：2023/12/7").value(LegalField::kCommentDeadline), "2023-12-07");
  EXPECT_EQ(body_facts("2023年12月7日为意见反馈截止日期。").value(LegalField::kCommentDeadline),
            "2023-12-07");
  EXPECT_EQ(body_facts("截止日期：2023.12.07").value(LegalField::kCommentDeadline), "2023-12-07");
}

TEST(LegalTextTest, DeadlineWithoutAYearTakesTheHint) {
  const LegalFacts facts =
      body_facts("请于12月7日前将意见反馈至电子邮箱zcfg@miit.gov.cn。", 2023);
  EXPECT_EQ(facts.value(LegalField::kCommentDeadline), "2023-12-07");
  EXPECT_EQ(facts.value(LegalField::kCommentHow), "zcfg@miit.gov.cn");
  // A time of day between the date and 前.
  EXPECT_EQ(body_facts("请于2023年12月7日17:00前将意见反馈至我委。")
                .value(LegalField::kCommentDeadline),
            "2023-12-07");
  EXPECT_EQ(body_facts("请于2023年12月7日下午5时前提出意见。").value(LegalField::kCommentDeadline),
            "2023-12-07");
  // Without a hint a year-less date is not guessed.
  expect_all_empty(body_facts("请于12月7日前将意见反馈至我委。"));
  // A range across the new year: the end rolls to the next year.
  EXPECT_EQ(body_facts("公开征求意见时间为2023年12月20日至1月19日。")
                .value(LegalField::kCommentDeadline),
            "2024-01-19");
  EXPECT_EQ(body_facts("公开征求意见时间为12月20日至1月19日。", 2023)
                .value(LegalField::kCommentDeadline),
            "2024-01-19");
}

TEST(LegalTextTest, TwoDatesInOneSentenceGoToTheirFields) {
  const LegalFacts range =
      body_facts("公开征集意见时间为2023年11月1日至2023年11月30日。");
  EXPECT_EQ(range.value(LegalField::kCommentDeadline), "2023-11-30");
  EXPECT_EQ(range.value(LegalField::kEffectiveOn), "");

  const LegalFacts adopted = body_facts(
      "本办法已于2023年11月7日经市政府第12次常务会议审议通过，自2024年1月1日起施行。");
  EXPECT_EQ(adopted.value(LegalField::kAdoptedOn), "2023-11-07");
  EXPECT_EQ(adopted.value(LegalField::kEffectiveOn), "2024-01-01");
  EXPECT_EQ(adopted[LegalField::kEffectiveOn].from,
            "text:本办法已于2023年11月7日经市政府第12次常务会议审议通过，自2024年1月1日起施行。");
  EXPECT_EQ(adopted.value(LegalField::kCommentDeadline), "");
  // "自发布之日起施行" names no date: nothing.
  EXPECT_EQ(body_facts("本办法自发布之日起施行。").value(LegalField::kEffectiveOn), "");
}

TEST(LegalTextTest, HowToCommentIsTheSentencesAddressPart) {
  const LegalFacts facts = body_facts(
      "意见反馈截止时间为2023年12月7日。\n\n"
      "1.通过电子邮件将意见发送至：wlaqbz@cac.gov.cn。\n\n"
      "2.通过信函方式将意见邮寄至：北京市西城区车公庄大街11号国家互联网信息办公室网络安全协调局，"
      "邮编100044，并在信封上注明“意见反馈”字样。\n\n"
      "3.登录中华人民共和国司法部 中国政府法制信息网（www.moj.gov.cn），进入首页"
      "“立法意见征集”栏目提出意见。");
  EXPECT_EQ(facts.value(LegalField::kCommentDeadline), "2023-12-07");
  const std::string& how = facts.value(LegalField::kCommentHow);
  EXPECT_NE(how.find("wlaqbz@cac.gov.cn"), std::string::npos) << how;
  EXPECT_NE(how.find("北京市西城区车公庄大街11号国家互联网信息办公室网络安全协调局"),
            std::string::npos)
      << how;
  EXPECT_NE(how.find("www.moj.gov.cn"), std::string::npos) << how;
  EXPECT_EQ(how.find("邮编"), std::string::npos) << how;
  EXPECT_LE(how.size(), kMaxLegalHowBytes);
}

TEST(LegalTextTest, DocumentNumberOnALineOfItsOwn) {
  const LegalFacts facts =
      body_facts("国办发〔2023〕26号\n\n各省、自治区、直辖市人民政府，国务院各部委、各直属机构：");
  EXPECT_EQ(at(facts, LegalField::kDocNumber), (LegalValue{"国办发〔2023〕26号", "text:国办发〔2023〕26号"}));
  EXPECT_EQ(body_facts("京药监发[2023]5号").value(LegalField::kDocNumber), "京药监发[2023]5号");
  EXPECT_EQ(body_facts("京药监发［2023］5号").value(LegalField::kDocNumber), "京药监发［2023］5号");
  EXPECT_EQ(body_facts("京药监发（2023）5号").value(LegalField::kDocNumber), "京药监发（2023）5号");
}

// Reconstructed Federal Register page (tests/fixtures/legal/NOTE.md).
TEST(LegalPageTest, FederalRegisterProposedRule) {
  const ArticleFields fields =
      article_of(read_fixture("legal/fedreg-proposed-rule.html"), TimeZone::utc());
  const LegalFacts& legal = fields.legal;
  EXPECT_EQ(at(legal, LegalField::kDocNumber), (LegalValue{"2023-25221", "table:Document Number"}));
  EXPECT_EQ(at(legal, LegalField::kIssuer),
            (LegalValue{"Consumer Financial Protection Bureau", "table:Agencies"}));
  EXPECT_EQ(at(legal, LegalField::kInstrument), (LegalValue{"proposed rule", "table:Document Type"}));
  EXPECT_EQ(at(legal, LegalField::kCommentDeadline), (LegalValue{"2024-01-16", "table:Comments Close"}));
  EXPECT_EQ(at(legal, LegalField::kPublishedOn), (LegalValue{"2023-11-16", "table:Publication Date"}));
  EXPECT_EQ(legal.value(LegalField::kEffectiveOn), "");
  EXPECT_EQ(legal.value(LegalField::kAdoptedOn), "");
  const std::string& how = legal.value(LegalField::kCommentHow);
  EXPECT_NE(how.find("https://www.regulations.gov"), std::string::npos) << how;
  EXPECT_NE(how.find("2023-ADS-Rule@cfpb.gov"), std::string::npos) << how;
}

// The preamble alone, as the Federal Register's full text prints it (reconstructed).
TEST(LegalPageTest, FederalRegisterPreambleWithoutDocumentDetails) {
  const std::string html =
      "<html><head><meta property=\"og:site_name\" content=\"Federal Register\"></head><body>"
      "<p><strong>AGENCY:</strong> Federal Trade Commission.</p>"
      "<p><strong>ACTION:</strong> Final rule.</p>"
      "<p><strong>DATES:</strong> This rule is effective 03/01/2024.</p></body></html>";
  const LegalFacts facts =
      page_facts(html, "AGENCY: Federal Trade Commission.\n\nACTION: Final rule.\n\n"
                       "DATES: This rule is effective 03/01/2024.");
  EXPECT_EQ(at(facts, LegalField::kIssuer), (LegalValue{"Federal Trade Commission", "table:AGENCY"}));
  EXPECT_EQ(at(facts, LegalField::kInstrument), (LegalValue{"rule", "table:ACTION"}));
  EXPECT_EQ(facts.value(LegalField::kEffectiveOn), "2024-03-01");
  EXPECT_EQ(facts.value(LegalField::kCommentDeadline), "");
}

TEST(LegalPageTest, NumericUsDatesOnlyOnFederalRegisterPages) {
  const std::string cells =
      "<dl><dt>Effective Date:</dt><dd>01/02/2024</dd><dt>Agency:</dt><dd>Ofcom.</dd></dl>";
  // Elsewhere 01/02/2024 may be 1 February: not read.
  const LegalFacts elsewhere = page_facts("<html><body>" + cells + "</body></html>", "");
  EXPECT_EQ(elsewhere.value(LegalField::kEffectiveOn), "");
  EXPECT_EQ(elsewhere.value(LegalField::kIssuer), "Ofcom.");
  const LegalFacts federal = page_facts(
      "<html><head><title>Federal Register :: Some Rule</title></head><body>" + cells +
          "</body></html>",
      "");
  EXPECT_EQ(federal.value(LegalField::kEffectiveOn), "2024-01-02");
  EXPECT_EQ(federal.value(LegalField::kIssuer), "Ofcom");
}

TEST(LegalTextTest, FederalRegisterDatesSentenceWithoutTheTable) {
  const LegalFacts facts = body_facts(
      "ACTION: Proposed rule. DATES: Comments must be received on or before January 16, 2024. "
      "ADDRESSES: Email: rules@ftc.gov.");
  EXPECT_EQ(facts.value(LegalField::kCommentDeadline), "2024-01-16");
  EXPECT_EQ(facts.value(LegalField::kCommentHow), "rules@ftc.gov");
  EXPECT_EQ(body_facts("Comments due Jan. 16, 2024.").value(LegalField::kCommentDeadline),
            "2024-01-16");
  EXPECT_EQ(body_facts("DATES: This rule is effective January 1, 2024.")
                .value(LegalField::kEffectiveOn),
            "2024-01-01");
}

TEST(LegalTextTest, GovUkConsultationCloses) {
  const LegalFacts facts = body_facts(
      "This consultation closes at 11:59pm on 16 January 2024. "
      "Respond by email: ai-regulation@dsit.gov.uk.");
  EXPECT_EQ(facts.value(LegalField::kCommentDeadline), "2024-01-16");
  EXPECT_EQ(facts[LegalField::kCommentDeadline].from,
            "text:This consultation closes at 11:59pm on 16 January 2024.");
  EXPECT_EQ(facts.value(LegalField::kCommentHow), "ai-regulation@dsit.gov.uk");
  // A UK date written 01/02/2024 is not read as a US one.
  EXPECT_EQ(body_facts("Consultation closes 01/02/2024.").value(LegalField::kCommentDeadline), "");
}

TEST(LegalPageTest, CompanyAndNewsPagesStateNothing) {
  // Real pages (tests/fixtures/enrich/NOTE.md): a blog post, The Register, Chinese news.
  for (const char* fixture : {"enrich/gitlab-blog-2024-06-25-jsonld-excerpt.html",
                              "enrich/article-2014-01-22-review_ouya_android_games_console.html",
                              "enrich/gmw-article-2017-03-10.html",
                              "enrich/youth-cn-article-2017-03-10.html",
                              "enrich/qq-tech-article-2016-deepmind.html"}) {
    SCOPED_TRACE(fixture);
    expect_all_empty(article_of(read_fixture(fixture), shanghai()).legal);
  }
}

// Reconstructed (tests/fixtures/legal/NOTE.md): bracketed numbers that are no 文号, 截至 as
// "as of", addresses on a page that invites no comments.
TEST(LegalPageTest, BracketedNumbersAndAsOfDatesAreNotLegalFacts) {
  expect_all_empty(article_of(read_fixture("legal/random-brackets.html"), shanghai()).legal);
}

// Titles copied from the real cac.gov.cn list snapshot
// (../shared/sources/snapshots/real2/cn-cac/cac-wxan-A093802-list-trimmed-2026-09-21.html).
TEST(LegalTextTest, RealCacListTitles) {
  for (const char* title :
       {"国家互联网信息办公室关于《国务院关于保障未成年人健康安全使用网络的规定（征求意见稿）》"
        "公开征求意见的通知",
        "关于征求《政务移动互联网应用程序管理要求》强制性国家标准（征求意见稿）意见的通知",
        "国家互联网信息办公室关于《中华人民共和国反网络暴力法（征求意见稿）》公开征求意见的通知"}) {
    SCOPED_TRACE(title);
    const LegalFacts facts = extract_legal_from_text(title, "", 2026);
    EXPECT_EQ(at(facts, LegalField::kInstrument), (LegalValue{"征求意见稿", "title"}));
    EXPECT_EQ(legal_facts_problem(facts), "");
  }
  // The fourth row invites committee members, not comments.
  EXPECT_EQ(at(extract_legal_from_text("关于全国网络安全标准化技术委员会换届及征集委员的通知", "",
                                       2026),
               LegalField::kInstrument),
            (LegalValue{"通知", "title"}));
}

TEST(LegalTextTest, InstrumentFromTitles) {
  const auto type = [](const char* title) {
    return extract_legal_from_text(title, "", std::nullopt).value(LegalField::kInstrument);
  };
  EXPECT_EQ(type("上海市数据交易场所管理实施办法"), "办法");
  EXPECT_EQ(type("生成式人工智能服务管理暂行办法（试行）"), "办法");
  EXPECT_EQ(type("网络数据安全管理条例"), "条例");
  EXPECT_EQ(type("国家网信办关于加强网络信息内容生态治理的管理规定"), "规定");
  EXPECT_EQ(type("《人工智能 大模型 第1部分：通用要求标准》"), "标准");
  EXPECT_EQ(type("《汽车整车信息安全技术要求》强制性国家标准"), "标准");
  EXPECT_EQ(type("中华人民共和国数据安全法"), "法律");
  EXPECT_EQ(type("Notice of Proposed Rulemaking: Unfair or Deceptive Fees"), "proposed rule");
  EXPECT_EQ(type("AI regulation: a pro-innovation approach - consultation"), "consultation");
  EXPECT_EQ(type("Thune Introduces the Artificial Intelligence Research Act"), "bill");
  EXPECT_EQ(type("Senator Introduces National AI Action Plan"), "");
  // News headlines ending in a loose type word are not instruments.
  EXPECT_EQ(type("我国发布首个大模型标准"), "");
  // Column names are no document titles.
  EXPECT_EQ(type("通知公告"), "");
  EXPECT_EQ(type("公司公告"), "");
  EXPECT_EQ(type("意见征集"), "");
  EXPECT_EQ(type("Consultations"), "");
  EXPECT_EQ(type("OpenAI announces GPT-4 Turbo"), "");
}

TEST(LegalTextTest, ListSummaryFactsComeFromTheList) {
  const LegalFacts facts = extract_legal_from_text(
      "关于《北京市自动驾驶汽车条例（征求意见稿）》公开征集意见的公告",
      "公开征集意见时间为2024年6月30日至2024年7月30日，意见可发送至zdjs@jtw.beijing.gov.cn。",
      2024);
  EXPECT_EQ(at(facts, LegalField::kCommentDeadline), (LegalValue{"2024-07-30", "list"}));
  EXPECT_EQ(at(facts, LegalField::kCommentHow), (LegalValue{"zdjs@jtw.beijing.gov.cn", "list"}));
  EXPECT_EQ(at(facts, LegalField::kInstrument), (LegalValue{"征求意见稿", "title"}));
}

TEST(LegalMergeTest, PageWinsAndTheListFillsGaps) {
  LegalFacts page;
  page[LegalField::kCommentDeadline] = {"2023-12-07", "text:截止日期：2023年12月7日"};
  LegalFacts list;
  list[LegalField::kCommentDeadline] = {"2023-12-01", "list"};
  list[LegalField::kInstrument] = {"征求意见稿", "title"};
  merge_legal(page, list);
  EXPECT_EQ(page[LegalField::kCommentDeadline].value, "2023-12-07");
  EXPECT_EQ(page[LegalField::kInstrument], (LegalValue{"征求意见稿", "title"}));
  EXPECT_EQ(page.value(LegalField::kDocNumber), "");
}

TEST(LegalHostileTest, ImpossibleDatesAreNotRead) {
  expect_all_empty(body_facts("意见反馈截止时间为2023年2月30日。"));
  expect_all_empty(body_facts("截止日期：2023-13-01"));
  // A range whose end is impossible does not fall back to its start.
  expect_all_empty(body_facts("公开征集意见时间为2023年11月1日至2023年11月31日。"));
  expect_all_empty(page_facts(
      "<table><tr><td>成文日期：</td><td>2023年2月29日</td></tr></table>", ""));
}

TEST(LegalPageTest, HeaderRowOfARelatedDocumentsTableIsNoValue) {
  // 相关文件 listed under an article: the header's 文号 cell is followed by another label,
  // and a row cell holds a title, not a number.
  expect_all_empty(page_facts(
      "<table><tr><th>标题</th><th>文号</th><th>发布日期</th></tr>"
      "<tr><td>关于加强监管的通知</td><td>见附件</td><td>详见正文</td></tr></table>"
      "<ul><li><span>文号：</span>无</li><li><span>发文机关：</span>-</li></ul>",
      ""));
}

TEST(LegalHostileTest, MegabyteLabelAndValueAreCapped) {
  const std::string huge(1024 * 1024, 'x');
  // A 1 MB value cell: the cell is not a metadata cell (cells are short), nothing read.
  expect_all_empty(page_facts(
      "<table><tr><td>文号：</td><td>" + huge + "</td></tr></table>", ""));
  // A 1 MB "label": no label.
  expect_all_empty(page_facts("<table><tr><td>" + huge + "：</td><td>1</td></tr></table>", ""));
  // A label cell followed by 1 MB of running text.
  expect_all_empty(page_facts("<ul><li><span>文号：</span>" + huge + "</li></ul>", ""));
  // A 1 MB sentence around a deadline: the value is the date, the source sentence is capped.
  const std::string chinese_padding = [] {
    std::string s;
    while (s.size() < 1024 * 1024) {
      s += "意见";
    }
    return s;
  }();
  const LegalFacts facts =
      body_facts(chinese_padding + "截止日期：2023年12月7日" + chinese_padding);
  EXPECT_EQ(facts.value(LegalField::kCommentDeadline), "2023-12-07");
  EXPECT_LE(facts[LegalField::kCommentDeadline].from.size(), kMaxLegalSentenceBytes + 5);
  // A 1 MB e-mail address in a consultation text stays within the cap.
  const LegalFacts how = extract_legal_from_text(
      kDraftTitle, "意见请发送至" + huge + "@example.gov.cn。", std::nullopt);
  EXPECT_EQ(legal_facts_problem(how), "");
  EXPECT_EQ(how.value(LegalField::kInstrument), "征求意见稿");
  EXPECT_LE(how.value(LegalField::kCommentHow).size(), kMaxLegalHowBytes);
}

// Shapes that made a reader quadratic (a 64 KB "www.www.…" took 2 s before the address
// scan resumed after each match): each must still give clean, capped facts.
TEST(LegalHostileTest, RepetitiveBodiesStayCleanAndCapped) {
  std::string dates, hosts, mails;
  while (dates.size() < 64 * 1024) {
    dates += "2023年1月1日";
  }
  while (hosts.size() < 64 * 1024) {
    hosts += "www.";
  }
  while (mails.size() < 64 * 1024) {
    mails += "a" + std::to_string(mails.size()) + "@b.cn ";
  }
  for (const std::string* body : {&dates, &hosts, &mails}) {
    const LegalFacts facts = extract_legal_from_text(kDraftTitle, "意见" + *body, 2023);
    EXPECT_EQ(legal_facts_problem(facts), "");
    EXPECT_EQ(facts.value(LegalField::kInstrument), "征求意见稿");
    EXPECT_LE(facts.value(LegalField::kCommentHow).size(), kMaxLegalHowBytes);
  }
}

TEST(LegalHostileTest, ControlCharactersAndInvalidUtf8NeverReachAValue) {
  const LegalFacts facts = page_facts(
      "<table><tr><td>文号：</td><td>国办发\x01〔2023〕26号\x7f</td></tr>"
      "<tr><td>发文机关：</td><td>国务院\xff\xfe办公厅\x1b[31m</td></tr></table>",
      "截止日期：2023年12月7日\x07");
  // The HTML parser turns the control bytes into U+FFFD (the pipeline's decode stage would
  // have cleaned them first); no control character survives either way.
  EXPECT_NE(facts.value(LegalField::kDocNumber).find("〔2023〕26号"), std::string::npos);
  EXPECT_EQ(facts.value(LegalField::kDocNumber).find('\x01'), std::string::npos);
  EXPECT_EQ(facts.value(LegalField::kIssuer).find('\x1b'), std::string::npos);
  EXPECT_EQ(facts.value(LegalField::kCommentDeadline), "2023-12-07");
  EXPECT_EQ(legal_facts_problem(facts), "");
  const LegalFacts text =
      extract_legal_from_text("关于\x01《X办法（征求意见稿）》\xff", "截止日期：\x02 2023年12月7日", 2023);
  EXPECT_EQ(text.value(LegalField::kInstrument), "征求意见稿");
  EXPECT_EQ(legal_facts_problem(text), "");
}

TEST(LegalInvariantsTest, BrokenFactsAreNamed) {
  LegalFacts facts;
  EXPECT_EQ(legal_facts_problem(facts), "");
  facts[LegalField::kEffectiveOn] = {"2023-02-30", "text:x"};
  EXPECT_NE(legal_facts_problem(facts), "");
  facts[LegalField::kEffectiveOn] = {};
  facts[LegalField::kInstrument] = {"memo", "title"};
  EXPECT_NE(legal_facts_problem(facts), "");
  facts[LegalField::kInstrument] = {"通知", ""};
  EXPECT_NE(legal_facts_problem(facts), "");
}

}  // namespace
}  // namespace herald
