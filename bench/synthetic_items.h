#pragma once

// Synthetic announcements for the storage benchmarks (herald_db_fill, herald_store_bench):
// Chinese government-style and English regulator-style titles and summaries made from
// real phrasing, an AI term in the title of the items meant to be candidates.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/item.h"

namespace herald::bench {

inline constexpr std::string_view kProvinces[] = {
    "广东省", "上海市", "北京市", "浙江省", "江苏省", "四川省", "湖北省", "山东省", "福建省",
    "安徽省", "河南省", "湖南省", "重庆市", "天津市", "陕西省", "辽宁省", "贵州省", "云南省"};
inline constexpr std::string_view kAgencies[] = {
    "人民政府", "工业和信息化厅", "经济和信息化委员会", "发展和改革委员会", "科学技术厅",
    "市场监督管理局", "网信办", "司法厅", "商务厅", "数据局", "通信管理局", "知识产权局"};
inline constexpr std::string_view kAiTopics[] = {
    "人工智能", "大模型", "生成式人工智能", "算力基础设施", "数据安全", "个人信息保护",
    "人脸识别技术应用", "智能体", "数据跨境流动", "深度合成服务", "算法备案", "人工智能+制造"};
inline constexpr std::string_view kOtherTopics[] = {
    "中小企业纾困", "安全生产", "乡村振兴", "营商环境", "森林防火", "知识产权保护",
    "专精特新企业", "制造业数字化转型", "5G应用", "工业互联网", "标准化工作", "节能降碳",
    "新能源汽车推广应用", "老旧小区改造", "职业技能培训", "预算执行", "消费品以旧换新",
    "外贸稳规模优结构", "高新技术企业认定", "科技成果转化", "绿色工厂", "信息通信业"};
inline constexpr std::string_view kDocKinds[] = {"行动计划", "实施方案", "若干措施", "管理办法（试行）",
                                          "工作要点", "指导意见", "三年行动方案", "工作方案"};
inline constexpr std::string_view kZhTemplates[] = {
    "关于印发《{p}{t}{k}》的通知", "{p}{a}关于开展{t}专项行动的通知", "{p}{a}召开{t}工作推进会",
    "关于公布{y}年度{p}{t}试点示范项目名单的通知", "{p}{a}关于征求《{t}{k}（征求意见稿）》意见的公告",
    "{a}负责同志调研{t}工作", "关于组织申报{y}年{t}专项资金项目的通知", "{p}{t}发展情况新闻发布会召开",
    "一图读懂《{p}{t}{k}》", "{p}{a}{y}年{t}工作情况通报"};
inline constexpr std::string_view kEnAiTopics[] = {
    "artificial intelligence", "generative AI", "deepfake labelling", "machine learning audits",
    "large language model evaluation", "AI safety"};
inline constexpr std::string_view kEnOtherTopics[] = {
    "data protection", "online safety", "cyber security", "competition in digital markets",
    "cloud services", "telecoms resilience", "open banking", "smart meters", "spectrum auctions"};
inline constexpr std::string_view kEnTemplates[] = {
    "Consultation on the {t} framework opens", "Guidance on {t} for small firms published",
    "Regulator fines company over {t} failures", "Statement on {t} and consumer protection",
    "Call for evidence: {t} in public services", "Annual report on {t} released",
    "New rules for {t} take effect", "Joint statement with partners on {t}"};
inline constexpr std::string_view kZhSentences[] = {
    "为深入贯彻落实党中央、国务院决策部署", "进一步优化营商环境", "推动高质量发展",
    "经研究，现将有关事项通知如下", "请各地级以上市结合实际认真贯彻执行", "加快构建现代化产业体系",
    "切实加强组织领导", "着力提升公共服务水平", "统筹发展和安全", "现予以公布",
    "会议强调要压实主体责任", "鼓励企业加大研发投入"};
inline constexpr std::string_view kEnSentences[] = {
    "Officials said the measure would apply from next year.",
    "The document sets out the steps firms must take.",
    "Responses are invited until the end of the quarter.",
    "The regulator will publish a summary of the responses.",
    "Firms that fail to comply face fines of up to 4% of turnover.",
    "The guidance replaces the version published two years ago."};

template <std::size_t N>
inline std::string_view pick(std::mt19937_64& rng, const std::string_view (&list)[N]) {
  return list[rng() % N];
}

inline std::string title_for(std::mt19937_64& rng, bool english, bool ai, int year) {
  if (english) {
    std::string t(pick(rng, kEnTemplates));
    const std::string_view topic = ai ? pick(rng, kEnAiTopics) : pick(rng, kEnOtherTopics);
    return fmt::format(fmt::runtime(t), fmt::arg("t", topic));
  }
  std::string t(pick(rng, kZhTemplates));
  const std::string_view topic = ai ? pick(rng, kAiTopics) : pick(rng, kOtherTopics);
  return fmt::format(fmt::runtime(t), fmt::arg("p", pick(rng, kProvinces)),
                     fmt::arg("a", pick(rng, kAgencies)), fmt::arg("t", topic),
                     fmt::arg("k", pick(rng, kDocKinds)), fmt::arg("y", year));
}

inline std::string text_for(std::mt19937_64& rng, bool english, int sentences) {
  std::string out;
  for (int i = 0; i < sentences; ++i) {
    if (english) {
      if (!out.empty()) out += ' ';
      out += pick(rng, kEnSentences);
    } else {
      out += pick(rng, kZhSentences);
      out += i + 1 == sentences ? "。" : "，";
    }
  }
  return out;
}

// Item number `id` of source `source` (an int), first seen at `seen_utc`: unique url and
// url_key, a summary, one in ten with an article body of ~1.5 KB, a quarter candidates.
inline Item synthetic_item(std::mt19937_64& rng, int source, long id, std::int64_t seen_utc) {
  const bool english = source % 4 == 3;
  const bool ai = rng() % 4 == 0;
  const std::int64_t published = seen_utc - static_cast<std::int64_t>(rng() % 86400);
  const int year = 1970 + static_cast<int>(static_cast<double>(published) / (365.2425 * 86400));
  Item item;
  item.source_id = fmt::format("bench-{:04d}", source);
  item.title = title_for(rng, english, ai, year);
  item.url = fmt::format("https://www{}.example.gov.cn/art/{}/art_{}.html", source, year, id);
  item.url_key = fmt::format("www{}.example.gov.cn/art/{}/art_{}.html", source, year, id);
  item.summary = text_for(rng, english, 2 + static_cast<int>(rng() % 4));
  item.published_at = published;
  item.published_text = fmt::format("{}", published);
  item.fingerprint = fmt::format("{:016x}", rng());
  if (rng() % 10 == 0) {
    item.body = text_for(rng, english, 40 + static_cast<int>(rng() % 40));
  }
  if (ai) {
    item.candidate = true;
    item.score = 1.0 + static_cast<double>(rng() % 3);
    item.matched_terms = {english ? "artificial intelligence" : "人工智能"};
  }
  return item;
}

}  // namespace herald::bench
