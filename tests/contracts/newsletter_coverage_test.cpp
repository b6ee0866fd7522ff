// Issue 4's "done when": each of the newsletter's 30 items is covered by a saved page and a
// test. A polled source covers an item when its contract (expected.toml) lists the item and
// holds; a manual source covers it when `herald add` on a saved copy of the item's page
// queues it with the right title, link and local publish date. The table below says which,
// item by item, and is checked against the seed itself so it cannot drift from the newsletter.
// Pages that do not carry an item's title or date (a JavaScript shell, a homepage) are added
// with the editor's --title/--date: such rows assert that `herald add` refuses the page
// alone, naming those flags, and queues the item with the seed's title and date once given.

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.h"
#include "config/fixtures.h"
#include "daemon/contracts.h"
#include "tests/export/newsletter_parser.h"
#include "tests/support/fixtures.h"
#include "web/export.h"

// The contracts suite has no HERALD_BINARY of its own (tests/CMakeLists.txt gives it to the
// daemon and crash suites): find build/herald from this binary, build/tests/<suite>.
namespace herald::coverage_detail {
inline std::string herald_binary_path() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : (self.parent_path().parent_path() / "herald").string();
}
}  // namespace herald::coverage_detail
#ifndef HERALD_BINARY
#define HERALD_BINARY ::herald::coverage_detail::herald_binary_path()
#endif
#include "tests/daemon/herald_cli.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kLegal = "最新法律与监管动态";
constexpr std::string_view kIndustry = "最新行业动态";

// One newsletter item and how it is covered.
struct Row {
  std::string_view section{};
  int number = 0;
  std::string_view title{};      // the seed's title (PDF spacing aside)
  std::string_view source_id{};  // config/sources.d/<id>.toml
  // The link herald produces for the item. `link_note` explains why it differs from the
  // seed's 链接 when it does; empty means it is the seed's link exactly.
  std::string_view link{};
  std::string_view link_note{};
  // Manual rows: tests/fixtures/manual/<manual_dir>/ holds the saved page; `herald add` must
  // give exactly this title and local date ("" = no date found).
  std::string_view manual_dir{};
  std::string_view added_title{};
  std::string_view added_date{};
  // Why a polled source's item is covered by `herald add` instead of its contract.
  std::string_view add_note{};
  // Rows whose page does not say: what the editor passes as --title and --date (the
  // seed's), which added_title and added_date then are.
  std::string_view editor_title{};
  std::string_view editor_date{};
  // Why a row does not fully cover its item (the report lists these); empty = covered.
  std::string_view gap{};
};

bool is_manual(const Row& row) { return !row.manual_dir.empty(); }
bool needs_editor(const Row& row) { return !row.editor_date.empty(); }

// clang-format off
const std::vector<Row>& rows() {
  static const std::vector<Row> table = {
    {.section = kLegal, .number = 1, .title = "上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》",
     .source_id = "sh-sheitc", .link = "https://app.sheitc.sh.gov.cn/jsjb/695961.htm"},
    {.section = kLegal, .number = 2, .title = "广东省发布《关于加快建设通用人工智能产业创新引领地的实施意见》",
     .source_id = "gd-gov", .link = "https://www.gd.gov.cn/zwgk/wjk/qbwj/yf/content/post_4282629.html"},
    {.section = kLegal, .number = 3, .title = "2023年世界互联网大会发布《发展负责任的生成式人工智能研究报告及共识文件》",
     .source_id = "cn-cri", .link = "https://city.cri.cn/20231109/a7c356fa-d03a-97de-8113-f5111d5269fd.html"},
    {.section = kLegal, .number = 4, .title = "中国音像与数字出版协会对《出版业生成式人工智能技术应用指南》团体标准征求意见",
     .source_id = "cn-cadpa", .link = "https://www.cadpa.org.cn/3281/202311/41635.html",
     .link_note = "seed spells it http://; same_item_urls = [\"scheme\"] makes it the same item"},
    {.section = kLegal, .number = 5, .title = "《北京市人工智能医疗器械生产质量管理规范检查指南（征求意见稿）》公开征集意见",
     .source_id = "bj-gov-yjzj", .link = "https://www.beijing.gov.cn/hudong/gfxwjzj/zjxx/202311/t20231101_3292553.html"},
    {.section = kLegal, .number = 6, .title = "美国参议院提出《2023年人工智能研究、创新和问责法案》",
     .source_id = "us-senate-thune", .link = "https://www.thune.senate.gov/public/index.cfm/2023/11/thune-klobuchar-lead-commerce-committee-colleagues-in-introducing-bipartisan-ai-bill-to-boost-innovation-and-strengthen-accountability"},
    {.section = kLegal, .number = 7, .title = "美国、英国等18个国家签署国际协议《安全人工智能系统开发指南》",
     .source_id = "uk-ncsc", .link = "https://www.ncsc.gov.uk/news/uk-develops-new-global-guidelines-ai-security"},
    {.section = kLegal, .number = 8, .title = "日本计划明年开始将政府持有的数据提供用于AI训练",
     .source_id = "jp-cao", .link = "https://www8.cao.go.jp/cstp/ai/ai_senryaku/6kai/6kai.html"},
    {.section = kLegal, .number = 9, .title = "美国国土安全部（DHS）发布第一版人工智能路线图",
     .source_id = "us-cisa", .link = "https://www.cisa.gov/news-events/news/dhs-cybersecurity-and-infrastructure-security-agency-releases-roadmap-artificial-intelligence"},
    {.section = kLegal, .number = 10, .title = "新加坡金融管理局与业界合作开发金融领域的生成式人工智能风险框架",
     .source_id = "sg-mas", .link = "https://www.mas.gov.sg/news/media-releases/2023/mas-partners-industry-to-develop-generative-ai-risk-framework-for-the-financial-sector"},
    {.section = kLegal, .number = 11, .title = "中国信通院发布《元宇宙白皮书》（2023）",
     .source_id = "cn-caict-bps", .link = "http://www.caict.ac.cn/kxyj/qwfb/bps/202311/t20231123_466324.htm"},
    {.section = kLegal, .number = 12, .title = "中国信通院发布《大模型治理蓝皮报告（2023年）——从规则走向实践》",
     .source_id = "cn-caict-ztbg", .link = "http://www.caict.ac.cn/kxyj/qwfb/ztbg/202311/t20231124_466440.htm"},
    {.section = kLegal, .number = 13, .title = "《北京市人工智能行业大模型创新应用白皮书（2023年）》发布",
     .source_id = "bj-gov-gzdt", .link = "https://www.beijing.gov.cn/ywdt/gzdt/202311/t20231129_3321720.html"},
    {.section = kLegal, .number = 14, .title = "加州联邦法院驳回视觉艺术家指控Stability AI, Midjourney和DeviantArtde版权侵权诉讼",
     .source_id = "us-courtlistener", .link = "https://www.courtlistener.com/opinion/9466805/andersen-v-stability-ai-ltd/",
     .link_note = "seed cites a paywalled Westlaw document (a citation, no public link); CourtListener carries the same order"},
    {.section = kLegal, .number = 15, .title = "杭州互联网法院发布十大典型司法建议，涉及AI换脸应添加显著标识的司法建议",
     .source_id = "cn-hz-netcourt", .link = "https://mp.weixin.qq.com/s/f1fMfsuawveBEP_eLkD8_w",
     .manual_dir = "hz-netcourt",
     .added_title = "杭州互联网法院发布十大典型司法建议，涉及AI换脸应添加显著标识的司法建议",
     .added_date = "2023-11-07"},
    {.section = kLegal, .number = 16, .title = "北京互联网法院对AI生成图片相关领域著作权第一案作出判决",
     .source_id = "cn-wechat-mp", .link = "https://mp.weixin.qq.com/s/Wu3-GuFvMJvJKJobqqq7vQ",
     .manual_dir = "wechat-zhichanku",
     .added_title = "北京互联网法院对AI生成图片相关领域著作权第一案作出判决",
     .added_date = "2023-11-29"},
    {.section = kLegal, .number = 17, .title = "多位创作者起诉小红书偷画师作品训练AI模型涉侵权，已获立案",
     .source_id = "cn-ipforefront", .link = "http://www.ipforefront.com/article_show.asp?id=3702&BigClass=%E8%B5%84%E8%AE%AF",
     .manual_dir = "ipforefront-3702",
     .added_title = "多位创作者起诉小红书偷画师作品训练AI模型涉侵权，已获立案",
     .added_date = "2023-11-30"},

    {.section = kIndustry, .number = 1, .title = "vivo发布自研AI大模型“蓝心大模型”矩阵",
     .source_id = "cn-vivo", .link = "https://www.vivo.com.cn/brand/news/detail?id=1199&type=0",
     .manual_dir = "vivo-1199",
     .added_title = "vivo发布自研AI大模型“蓝心大模型”矩阵",
     .added_date = "2023-11-01"},
    {.section = kIndustry, .number = 2, .title = "马斯克旗下xAI正式发布首个大模型“Grok”",
     .source_id = "us-xai", .link = "https://x.ai/",
     .manual_dir = "xai-home",
     .added_title = "马斯克旗下xAI正式发布首个大模型“Grok”",
     .added_date = "2023-11-04",
     .editor_title = "马斯克旗下xAI正式发布首个大模型“Grok”",
     .editor_date = "2023-11-04",
     .gap = "the seed links only the homepage https://x.ai/ (title \"xAI\", no date): `herald add` refuses it "
            "alone; the editor gives --title and --date"},
    {.section = kIndustry, .number = 3, .title = "OpenAI宣布推出Copyright Shield机制，代用户支付版权侵权法律费用",
     .source_id = "openai-news", .link = "https://openai.com/index/new-models-and-developer-products-announced-at-devday",
     .link_note = "seed cites the old /blog/ address; the real feed lists it under /index/"},
    {.section = kIndustry, .number = 4, .title = "学而思MathGPT大模型备案通过",
     .source_id = "cn-jiemian", .link = "https://m.jiemian.com/article/10345906.html",
     .manual_dir = "jiemian-10345906",
     .added_title = "学而思MathGPT大模型备案通过",
     .added_date = "2023-11-06",
     .add_note = "cn-jiemian is polled, but its fixture is the real 2018 homepage, which predates the item"},
    {.section = kIndustry, .number = 5, .title = "亚马逊正在开发“Olympus”AI",
     .source_id = "intl-reuters", .link = "https://www.reuters.com/technology/amazon-sets-new-team-trains-ambitious-ai-model-codenamed-olympus-sources-2023-11-08/",
     .manual_dir = "reuters-olympus",
     .added_title = "Exclusive: Amazon steps up effort to build AI that can rival Alphabet, OpenAI",
     .added_date = "2023-11-08"},
    {.section = kIndustry, .number = 6, .title = "三星正在测试AI聊天机器人Gauss，预计明年应用到Galaxy S24中",
     .source_id = "intl-sammobile", .link = "https://www.sammobile.com/news/samsung-gauss-generative-ai-model-unveiled/"},
    {.section = kIndustry, .number = 7, .title = "阿里巴巴夸克发布自研大模型",
     .source_id = "cn-xinhua", .link = "http://www.news.cn/tech/20231114/f493d31dd7dc4904b21d412c3489ea1b/c.html"},
    {.section = kIndustry, .number = 8, .title = "Mistral、Phi、Jais、Code Llama、NVIDIA Nemotron等加入微软Azure AI模型目录",
     .source_id = "us-ms-techcommunity", .link = "https://techcommunity.microsoft.com/t5/ai-machine-learning-blog/welcoming-mistral-phi-jais-code-llama-nvidia-nemotron-and-more/ba-p/3982699"},
    {.section = kIndustry, .number = 9, .title = "OPPO正式推出自主训练大模型AndesGPT",
     .source_id = "cn-qqnews", .link = "https://new.qq.com/rain/a/20231116A054CO00",
     .manual_dir = "qq-andesgpt",
     .added_title = "OPPO正式推出自主训练大模型AndesGPT",
     .added_date = "2023-11-16"},
    {.section = kIndustry, .number = 10, .title = "微软Azure OpenAI服务推出GPT-4 Turbo和GPT-3.5-Turbo-1106模型",
     .source_id = "us-ms-techcommunity", .link = "https://techcommunity.microsoft.com/t5/ai-azure-ai-services-blog/azure-openai-service-launches-gpt-4-turbo-and-gpt-3-5-turbo-1106/ba-p/3985962"},
    {.section = kIndustry, .number = 11, .title = "WPS发布声明，承诺用户文档不会被用于AI训练",
     .source_id = "cn-weibo", .link = "https://weibo.com/1595145397/NtbQwm1Om",
     .manual_dir = "weibo-wps",
     .added_title = "WPS发布声明，承诺用户文档不会被用于AI训练",
     .added_date = "2023-11-18",
     .editor_title = "WPS发布声明，承诺用户文档不会被用于AI训练",
     .editor_date = "2023-11-18",
     .gap = "weibo.com status pages are a JavaScript shell (<title>微博</title>, empty #app); the post's text and "
            "created_at come from an API that needs visitor cookies: `herald add` refuses the shell alone; the "
            "editor gives --title and --date"},
    {.section = kIndustry, .number = 12, .title = "英伟达（NVIDIA）与Genentech达成合作，利用生成式AI加速药物研发",
     .source_id = "us-nvidia-blog", .link = "https://blogs.nvidia.com/blog/genentech-drug-discovery-bionemo/"},
    {.section = kIndustry, .number = 13, .title = "亚马逊云科技宣布推出生成式AI助手Amazon Q",
     .source_id = "us-amazon-press", .link = "https://press.aboutamazon.com/2023/11/aws-announces-amazon-q-to-reimagine-the-future-of-work"},
  };
  return table;
}
// clang-format on

std::string squeeze(std::string_view s) { return testing::newsletter_parser_detail::remove_spaces(s); }

const testing::ParsedNewsletter& seed() {
  static const testing::ParsedNewsletter parsed = testing::parse_newsletter(
      testing::read_fixture("seed/ai-monthly-2023-11.txt"), testing::Dialect::kSeedPdfText,
      "植德短评");
  return parsed;
}

// The seed's item for a row, or nullptr.
const web::EditionItem* seed_item(const Row& row) {
  const auto& parsed = seed();
  for (std::size_t i = 0; i < parsed.edition.items.size(); ++i) {
    if (parsed.edition.items[i].section == row.section && parsed.item_numbers[i] == row.number) {
      return &parsed.edition.items[i];
    }
  }
  return nullptr;
}

std::string row_name(const Row& row) {
  return fmt::format("{} {}", row.section == kLegal ? "legal" : "industry", row.number);
}

fs::path shipped_sources_dir() { return fs::path(HERALD_SOURCE_ROOT) / "config" / "sources.d"; }

TEST(NewsletterCoverage, TheTableIsTheSeedsThirtyItems) {
  const auto& table = rows();
  ASSERT_EQ(table.size(), 30u);
  int legal = 0;
  int industry = 0;
  for (const Row& row : table) {
    (row.section == kLegal ? legal : industry) += 1;
    EXPECT_EQ(row.number, row.section == kLegal ? legal : industry) << row_name(row) << " out of order";
  }
  EXPECT_EQ(legal, 17);
  EXPECT_EQ(industry, 13);

  ASSERT_EQ(seed().edition.items.size(), 30u) << "the seed parser no longer finds 30 items";
  for (const Row& row : table) {
    const web::EditionItem* item = seed_item(row);
    ASSERT_NE(item, nullptr) << row_name(row) << " is not in the seed";
    EXPECT_EQ(squeeze(row.title), squeeze(item->title)) << row_name(row);
    if (row.link_note.empty()) {
      EXPECT_EQ(row.link, item->url) << row_name(row) << ": not the seed's link (add a link_note?)";
    } else {
      EXPECT_NE(row.link, item->url) << row_name(row) << ": the link_note is stale";
    }
    EXPECT_TRUE(fs::is_regular_file(shipped_sources_dir() / (std::string(row.source_id) + ".toml")))
        << row_name(row) << ": no source " << row.source_id;
  }
}

TEST(NewsletterCoverage, PolledItemsAreInTheirSourcesContracts) {
  auto config = load_herald_config(fs::path(HERALD_SOURCE_ROOT) / "config" / "herald.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const fs::path fixtures = HERALD_FIXTURES;
  for (const Row& row : rows()) {
    if (is_manual(row)) {
      continue;
    }
    SCOPED_TRACE(row_name(row) + " " + std::string(row.source_id));
    auto source = load_source_file(shipped_sources_dir() / (std::string(row.source_id) + ".toml"));
    ASSERT_TRUE(source.has_value()) << source.error().message;
    EXPECT_NE(source->mode, SourceMode::kManual);

    // The contract names the item with its title and date...
    auto contract = load_fixture_contract(fixtures / row.source_id);
    ASSERT_TRUE(contract.has_value()) << contract.error().message;
    const ExpectedItem* expected = nullptr;
    for (const ExpectedItem& item : contract->items) {
      if (item.url == row.link) {
        expected = &item;
      }
    }
    ASSERT_NE(expected, nullptr) << contract->where << " does not list " << row.link;
    EXPECT_FALSE(expected->title.empty()) << expected->where;
    EXPECT_FALSE(expected->published.empty()) << expected->where << ": no published date";

    // ...and holds: the source's real configuration extracts it from the saved responses.
    const ContractResult result = check_contract(*source, *config, fixtures, std::time(nullptr));
    EXPECT_EQ(result.status, ContractStatus::kOk) << format_contract_line(result);
    bool found = false;
    for (const Item& item : result.items) {
      if (item.url != row.link) {
        continue;
      }
      found = true;
      EXPECT_EQ(item.title, expected->title);
      ASSERT_TRUE(item.published_at.has_value()) << row.link;
      if (expected->published.size() == 10) {  // a local date, not a full instant
        const CivilDate date = web::local_date(*item.published_at, source->timezone);
        EXPECT_EQ(fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day),
                  expected->published);
      }
    }
    EXPECT_TRUE(found) << row.source_id << " did not extract " << row.link;
  }
}

TEST(NewsletterCoverage, ManualItemsAreQueuedByHeraldAddFromTheirSavedPages) {
  const fs::path binary = std::string(HERALD_BINARY);
  ASSERT_TRUE(fs::is_regular_file(binary))
      << binary << " is missing: build the herald target (the contracts suite drives it)";
  for (const Row& row : rows()) {
    if (!is_manual(row)) {
      continue;
    }
    SCOPED_TRACE(row_name(row) + " " + std::string(row.source_id));
    auto source = load_source_file(shipped_sources_dir() / (std::string(row.source_id) + ".toml"));
    ASSERT_TRUE(source.has_value()) << source.error().message;
    EXPECT_EQ(source->mode == SourceMode::kManual, row.add_note.empty())
        << "a polled source's item is covered by herald add only with an add_note";

    testing::TempDir dir;
    testing::write_test_config(dir.path(), "\n[web]\nenabled = false\n");
    fs::copy(shipped_sources_dir(), dir.path() / "sources.d");
    const fs::path saved = testing::fixture_path("manual/" + std::string(row.manual_dir));
    ASSERT_TRUE(fs::is_regular_file(saved / "index.toml")) << saved;
    const std::string add =
        fmt::format("--config '{}' add '{}' --source {} --replay '{}' --json",
                    (dir.path() / "herald.toml").string(), row.link, row.source_id, saved.string());
    if (needs_editor(row)) {
      // The page alone does not say: nothing is stored (the message naming --title and
      // --date is tested in tests/daemon/add_command_test.cpp).
      const testing::CommandResult refused = testing::run_herald(add);
      EXPECT_EQ(refused.exit_code, 1) << refused.out;
      EXPECT_TRUE(refused.out.empty()) << refused.out;
    }
    const testing::CommandResult added = testing::run_herald(
        needs_editor(row)
            ? fmt::format("{} --title '{}' --date {}", add, row.editor_title, row.editor_date)
            : add);
    ASSERT_EQ(added.exit_code, 0) << added.out;
    const json candidate = json::parse(added.out, nullptr, false);
    ASSERT_FALSE(candidate.is_discarded()) << added.out;
    EXPECT_EQ(candidate.value("added", false), true);
    EXPECT_EQ(candidate.value("source", ""), row.source_id);
    EXPECT_EQ(candidate.value("url", ""), row.link);
    EXPECT_EQ(candidate.value("title", ""), row.added_title);
    EXPECT_EQ(candidate.value("state", ""), "pending");
    const testing::CommandResult queue = testing::run_herald(
        fmt::format("--config '{}' queue list --json", (dir.path() / "herald.toml").string()));
    ASSERT_EQ(queue.exit_code, 0) << queue.out;
    const json queued = json::parse(queue.out, nullptr, false);
    ASSERT_TRUE(queued.is_array()) << queue.out;
    ASSERT_EQ(queued.size(), 1u) << queue.out;
    EXPECT_EQ(queued[0].value("url", ""), row.link);
    // published_at is printed in the source's zone: its first ten characters are the local date.
    const std::string published =
        candidate.contains("published_at") && candidate["published_at"].is_string()
            ? candidate["published_at"].get<std::string>().substr(0, 10)
            : std::string();
    EXPECT_EQ(published, row.added_date);
    if (needs_editor(row)) {
      EXPECT_EQ(candidate.value("from_editor", json::array()), json::array({"title", "date"}));
    } else {
      EXPECT_EQ(candidate.value("from_editor", json::array()), json::array());
    }
    if (row.gap.empty() || needs_editor(row)) {
      const web::EditionItem* item = seed_item(row);
      ASSERT_NE(item, nullptr);
      ASSERT_TRUE(item->published_date.has_value());
      EXPECT_EQ(published, fmt::format("{:04}-{:02}-{:02}", item->published_date->year,
                                       item->published_date->month, item->published_date->day))
          << "not the seed's 发布日期";
      if (source->language == "zh") {  // the newsletter translates foreign headlines
        EXPECT_EQ(squeeze(row.added_title), squeeze(row.title)) << "not the seed's title";
      }
    }
  }
}

TEST(NewsletterCoverage, PrintsHowEachItemIsCovered) {
  int polled = 0;
  int manual = 0;
  int gaps = 0;
  int editor = 0;
  std::string report = "\nnewsletter 2023-11: how each item is covered\n";
  for (const Row& row : rows()) {
    const std::string how = is_manual(row)
                                ? fmt::format("herald add  {:<18} manual/{}", row.source_id, row.manual_dir)
                                : fmt::format("contract    {:<18} {}/expected.toml", row.source_id, row.source_id);
    (is_manual(row) ? manual : polled) += 1;
    report += fmt::format("{:<12} {}  {}\n", row_name(row), how, squeeze(row.title));
    if (!row.add_note.empty()) {
      report += fmt::format("{:<12}   why herald add: {}\n", "", row.add_note);
    }
    if (!row.link_note.empty()) {
      report += fmt::format("{:<12}   link: {}\n", "", row.link_note);
    }
    if (needs_editor(row)) {
      ++editor;
      report += fmt::format("{:<12}   EDITOR: {}\n", "", row.gap);
    } else if (!row.gap.empty()) {
      ++gaps;
      report += fmt::format("{:<12}   GAP: {}\n", "", row.gap);
    }
  }
  report += fmt::format("{} by contract, {} by herald add ({} with the editor's --title/--date), {} "
                        "with a gap\n",
                        polled, manual, editor, gaps);
  std::fputs(report.c_str(), stdout);
  EXPECT_EQ(polled + manual, 30);
}

}  // namespace
}  // namespace herald
