#pragma once

// Test data for near-duplicate detection, shared by the cluster tests.
//
// kNewsletterItems: the 30 items of the November 2023 issue of the newsletter herald feeds
// (/work/shared/seed/ai-monthly-2023-11.txt): the title as the editors wrote it and the
// first sentence of the 摘要. Thirty different stories: no two may be near-duplicates.
//
// kSameStoryPairs: one story as published by two places. Side a is the newsletter's item
// (title + summary lead) or the issuer's own title; side b is another outlet's version.
// The official titles are the issuers' (several read off the source URLs the newsletter
// cites, e.g. press.aboutamazon.com/2023/11/aws-announces-amazon-q-to-reimagine-the-
// future-of-work); the outlet versions follow how 新华网, 腾讯新闻, provincial portals and
// wire services re-title such news (shortened subject, 《》 dropped, outlet suffix, reposts
// with 转载/【】 prefixes, full-width letters). They were written for this test from those
// conventions, not captured from the live sites (herald's tests run offline).
//
// Kind::kCopy   — a repost: same headline, decorated or lightly edited (the common case
//                 on government portals that repost ministry notices).
// Kind::kRewrite — a different outlet's own headline for the same event.

#include <array>
#include <utility>
#include <string_view>
#include <vector>

namespace herald::testing {

struct Story {
  std::string_view title{};
  std::string_view summary{};
};

enum class Kind { kCopy, kRewrite };

struct SameStoryPair {
  Kind kind = Kind::kCopy;
  Story a{};
  Story b{};
};

inline constexpr std::array<Story, 30> kNewsletterItems{{
    {"上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》",
     "2023年11月7日，上海市经济和信息化委员会、上海市发展和改革委员会、上海市科学技术委员会、中共上海市委网络安全和信息化委员会办公室、上海市财政局联合发布《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》。"},
    {"广东省发布《关于加快建设通用人工智能产业创新引领地的实施意见》",
     "广东省政府日前批复同意《广东省人民政府关于加快建设通用人工智能产业创新引领地的实施意见》，提出探索打造“粤港澳大湾区数据特区”。"},
    {"2023年世界互联网大会发布《发展负责任的生成式人工智能研究报告及共识文件》",
     "11月9日，2023年世界互联网大会在乌镇举行。会上，《发展负责任的生成式人工智能研究报告及共识文件》发布。"},
    {"中国音像与数字出版协会对《出版业生成式人工智能技术应用指南》团体标准征求意见",
     "中国音像与数字出版协会表示，《出版业生成式人工智能技术应用指南》团体标准已完成征求意见稿的起草工作。"},
    {"《北京市人工智能医疗器械生产质量管理规范检查指南（征求意见稿）》公开征集意见",
     "2023年11月1日，北京市药品监督管理局发布对《北京市人工智能医疗器械生产质量管理规范检查指南（征求意见稿）》公开征集意见的公告。"},
    {"美国参议院提出《2023年人工智能研究、创新和问责法案》",
     "2023年11月15日，美国六位参议员和参议院商业、科学和交通委员会的所有成员提出了《2023年人工智能研究、创新和问责法案》（Artificial Intelligence (AI) Research, Innovation, and Accountability Act of 2023）。"},
    {"美国、英国等 18个国家签署国际协议《安全人工智能系统开发指南》",
     "2023年11月27日，美国、英国和其他十六个国家公布了首份关于如何保护AI免受流氓行为侵害的详细国际协议《安全人工智能系统开发指南》（Guidelines for Secure AI System Development），敦促企业打造“设计安全”的AI系统。"},
    {"日本计划明年开始将政府持有的数据提供用于 AI训练",
     "2023年11月7日，政府召开了“人工智能战略会议”（由东京大学大学院教授松尾东洋担任主席），讨论有关人工智能（AI）的政策方向。"},
    {"美国国土安全部（DHS）发布第一版人工智能路线图",
     "2023年11月14日，美国国土安全部下属网络安全和基础设施安全局（CISA）发布第一版人工智能路线图，旨在保障人工智能安全开发和落地实施。"},
    {"新加坡金融管理局与业界合作开发金融领域的生成式人工智能风险框架",
     "新加坡金融管理局（The Monetary Authority of Singapore “MAS”）11月15日宣布 MindForge 项目第一阶段圆满结束。"},
    {"中国信通院发布《元宇宙白皮书》（2023）",
     "白皮书在系统梳理国内外发展脉络基础上，构建了元宇宙发展的整体性视图，包括研究了元宇宙争议焦点和兴起动因，提出了概念内涵与总体架构。"},
    {"中国信通院发布《大模型治理蓝皮报告（2023年）——从规则走向实践》",
     "蓝皮报告分析了大模型技术变革引发的风险挑战，提炼出大模型治理基本框架，然后围绕各方高度关注的四大议题，讨论相应制度方案。"},
    {"《北京市人工智能行业大模型创新应用白皮书（2023年）》发布",
     "11月29日，北京市科学技术委员会、中关村科技园区管理委员会在AICC 2023人工智能计算大会上发布了《北京市人工智能行业大模型创新应用白皮书（2023年）》（以下简称《白皮书》）。"},
    {"加州联邦法院驳回视觉艺术家指控 Stability AI, Midjourney和 DeviantArtde 版权侵权诉讼",
     "原告莎拉·安德森（Sarah Andersen）、凯利·麦克南（Kelly McKernan）和卡拉·奥尔蒂斯（Karla Ortiz）代表其他同类艺术家，向文本图像生成器 Stable Diffusion制造商 Stability AI公司提起诉讼。"},
    {"杭州互联网法院发布十大典型司法建议，涉及 AI换脸应添加显著标识的司法建议",
     "杭州互联网法院在案件审理中发现，某科技公司开发、运营的APP，应用了人脸替换信息技术，为他人提供对图像、视频内容中人脸等生物特征进行生成或者编辑的服务，存在违法、违规的情况，可能危及公民合法权益，遂发出司法建议。"},
    {"北京互联网法院对 AI生成图片相关领域著作权第一案作出判决",
     "近日，北京互联网法院针对人工智能生成图片（AI绘画图片）著作权侵权纠纷作出一审判决，该案为 AI生成图片相关领域著作权第一案。"},
    {"多位创作者起诉小红书偷画师作品训练 AI模型涉侵权，已获立案",
     "29日晚，四位创作者@是雪鱼啊 @画画的云淡风轻 @正版青团子@RedMatcha发布最新维权微博，称其与小红书关于作品著作权侵权一案有了新进展。"},
    {"vivo发布自研 AI大模型“蓝心大模型”矩阵",
     "11月1日，2023 vivo开发者大会在深圳举办，会上发布了“1+2+N”的智能系统体验。"},
    {"马斯克旗下 xAI正式发布首个大模型“Grok”",
     "2023年11月4日，xAI正式发布首个大模型“Grok ”。Grok 是一款模仿《银河系漫游指南》（Hitchhiker’s Guide to the Galaxy）的人工智能。"},
    {"OpenAI宣布推出 Copyright Shield机制，代用户支付版权侵权法律费用",
     "美国时间2023年11月6日，Open AI 召开首届开发者大会（OpenAI DevDay），Open AI在大会上提及，它将推出一项新的版权保护机制：版权保护盾（Copyright Shield）。"},
    {"学而思MathGPT大模型备案通过",
     "按照《生成式人工智能服务管理暂行办法》规定，学而思大模型MathGPT近日完成相关备案并通过审核，正式成为首批通过备案的教育大模型。"},
    {"亚马逊正在开发“Olympus”AI",
     "2023年11月7日，路透社从两位知情人士处获知，亚马逊正在投资数百万美元来训练一个大型语言模型，并期望它能够与 OpenAI 和 Alphabet 的顶级模型相媲美。"},
    {"三星正在测试 AI聊天机器人 Gauss，预计明年应用到 Galaxy S24中",
     "三星在2023年三星人工智能论坛（Samsung AI Forum 2023 event）活动上推出生成式 AI模型，名为 Samsung Gauss。"},
    {"阿里巴巴夸克发布自研大模型",
     "11月14日，阿里巴巴智能信息事业群发布全栈自研、千亿级参数的夸克大模型。"},
    {"Mistral、Phi、Jais、Code Llama、NVIDIA Nemotron 等加入微软 Azure AI 模型目录",
     "2023年11月15日，微软发布 Azure AI中添加了几个新的基础和生成式 AI模型。"},
    {"OPPO正式推出自主训练大模型 AndesGPT",
     "11月16日，2023 OPPO开发者大会（ODC23）在上海开幕。会上，OPPO公布了自研的潘塔纳尔智慧跨端系统的最新成果，正式推出自主训练的大模型AndesGPT。"},
    {"微软 Azure OpenAI 服务推出 GPT-4 Turbo 和 GPT-3.5-Turbo-1106 模型",
     "2023年11月16日，微软在“Microsoft Ignite 2023”全球开发者大会上公布GPT-4 Turbo 和 GPT-3.5-Turbo-1106 模型。"},
    {"WPS发布声明承诺用户文档不会被用于 AI训练",
     "11月16日，金山办公宣布旗下具备大语言模型能力的人工智能办公应用WPS AI开启公测。"},
    {"英伟达（NVIDIA）与 Genentech达成合作，利用生成式 AI加速药物研发",
     "2023年11月21日，英伟达官网发布消息称，其将和 Genentech合作利用生成式 AI加速药物研发。"},
    {"亚马逊云科技宣布推出生成式 AI助手 Amazon Q",
     "亚马逊云科技在“2023 re:Invent”全球大会上宣布推出 Amazon Q，这是一种新型生成式 AI支持的助手，专门用于满足办公场景需要，可以根据客户业务进行定制。"},
}};

inline constexpr std::array<SameStoryPair, 25> kSameStoryPairs{{
    // --- reposts: the same headline, decorated or lightly edited -------------------------
    {Kind::kCopy,
     {"上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》", ""},
     {"【转载】上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施(2023—2025年)》_腾讯新闻", ""}},
    {Kind::kCopy,
     {"广东省人民政府关于加快建设通用人工智能产业创新引领地的实施意见", ""},
     {"广东省发布《关于加快建设通用人工智能产业创新引领地的实施意见》", ""}},
    {Kind::kCopy,
     {"北京市药品监督管理局关于对《北京市人工智能医疗器械生产质量管理规范检查指南（征求意见稿）》公开征集意见的公告", ""},
     {"《北京市人工智能医疗器械生产质量管理规范检查指南（征求意见稿）》公开征集意见", ""}},
    {Kind::kCopy,
     {"中国音像与数字出版协会对《出版业生成式人工智能技术应用指南》团体标准征求意见", ""},
     {"关于《出版业生成式人工智能技术应用指南》团体标准征求意见的通知", ""}},
    {Kind::kCopy,
     {"中国信通院发布《大模型治理蓝皮报告（2023年）——从规则走向实践》", ""},
     {"大模型治理蓝皮报告（2023年）——从规则走向实践", ""}},
    {Kind::kCopy,
     {"日本计划明年开始将政府持有的数据提供用于 AI训练", ""},
     {"日本计划明年开始将政府持有的数据提供用于ＡＩ训练－新华网", ""}},
    {Kind::kCopy,
     {"杭州互联网法院发布十大典型司法建议，涉及 AI换脸应添加显著标识的司法建议", ""},
     {"杭州互联网法院发布十大典型司法建议 涉及AI换脸应添加显著标识", ""}},
    {Kind::kCopy,
     {"英伟达（NVIDIA）与 Genentech达成合作，利用生成式 AI加速药物研发", ""},
     {"英伟达与Genentech达成合作 利用生成式AI加速药物研发", ""}},
    {Kind::kCopy,
     {"DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶", ""},  // tech.qq.com, 2016
     {"DeepMind新电脑已可利用记忆自学 人工智能迈上新台阶_科技_腾讯网", ""}},
    {Kind::kCopy,
     {"MAS Partners Industry to Develop Generative AI Risk Framework for the Financial Sector", ""},
     {"MAS partners industry to develop generative AI risk framework for financial sector", ""}},
    {Kind::kCopy,
     {"Azure OpenAI Service launches GPT-4 Turbo and GPT-3.5-Turbo-1106 models", ""},
     {"Azure OpenAI Service Launches GPT-4 Turbo and GPT-3.5 Turbo 1106 Models | Microsoft", ""}},
    {Kind::kCopy,
     {"DHS Cybersecurity and Infrastructure Security Agency Releases Roadmap for Artificial Intelligence", ""},
     {"Cybersecurity and Infrastructure Security Agency releases roadmap for artificial intelligence", ""}},
    // --- another outlet's own headline, with its lead ----------------------------------
    {Kind::kRewrite,
     {"上海市经济和信息化委员会印发《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》",
      "2023年11月7日，上海市经济和信息化委员会、上海市发展和改革委员会、上海市科学技术委员会、中共上海市委网络安全和信息化委员会办公室、上海市财政局联合发布《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》。"},
     {"上海发布推动人工智能大模型创新发展若干措施",
      "新华社上海11月7日电 上海市经济和信息化委员会等五部门日前联合发布《上海市推动人工智能大模型创新发展若干措施（2023-2025年）》。"}},
    {Kind::kRewrite,
     {"广东省发布《关于加快建设通用人工智能产业创新引领地的实施意见》",
      "广东省政府日前批复同意《广东省人民政府关于加快建设通用人工智能产业创新引领地的实施意见》，提出探索打造“粤港澳大湾区数据特区”。"},
     {"广东出台22条举措 加快建设通用人工智能产业创新引领地",
      "广东省政府日前印发《关于加快建设通用人工智能产业创新引领地的实施意见》，提出探索打造“粤港澳大湾区数据特区”。"}},
    {Kind::kRewrite,
     {"2023年世界互联网大会发布《发展负责任的生成式人工智能研究报告及共识文件》",
      "11月9日，2023年世界互联网大会在乌镇举行。会上，《发展负责任的生成式人工智能研究报告及共识文件》发布。"},
     {"《发展负责任的生成式人工智能研究报告及共识文件》在乌镇发布",
      "9日，在2023年世界互联网大会乌镇峰会上，《发展负责任的生成式人工智能研究报告及共识文件》正式发布。"}},
    {Kind::kRewrite,
     {"《北京市人工智能行业大模型创新应用白皮书（2023年）》发布",
      "11月29日，北京市科学技术委员会、中关村科技园区管理委员会在AICC 2023人工智能计算大会上发布了《北京市人工智能行业大模型创新应用白皮书（2023年）》。"},
     {"北京发布人工智能行业大模型创新应用白皮书",
      "在AICC 2023人工智能计算大会上，北京市科委、中关村管委会发布了《北京市人工智能行业大模型创新应用白皮书（2023年）》。"}},
    {Kind::kRewrite,
     {"马斯克旗下 xAI正式发布首个大模型“Grok”",
      "2023年11月4日，xAI正式发布首个大模型“Grok ”。"},
     {"马斯克的xAI发布首个大模型Grok",
      "11月4日，马斯克旗下人工智能公司xAI正式发布其首个大模型Grok。"}},
    {Kind::kRewrite,
     {"阿里巴巴夸克发布自研大模型",
      "11月14日，阿里巴巴智能信息事业群发布全栈自研、千亿级参数的夸克大模型。"},
     {"阿里巴巴发布千亿级参数夸克大模型",
      "新华网北京11月14日电 阿里巴巴智能信息事业群14日发布全栈自研、千亿级参数的夸克大模型。"}},
    {Kind::kRewrite,
     {"学而思MathGPT大模型备案通过",
      "学而思大模型MathGPT近日完成相关备案并通过审核，正式成为首批通过备案的教育大模型。"},
     {"学而思大模型MathGPT通过备案 即日起全面开放",
      "界面新闻记者获悉，学而思大模型MathGPT近日完成相关备案并通过审核，成为首批通过备案的教育大模型。"}},
    {Kind::kRewrite,
     {"北京互联网法院对 AI生成图片相关领域著作权第一案作出判决",
      "近日，北京互联网法院针对人工智能生成图片（AI绘画图片）著作权侵权纠纷作出一审判决，该案为 AI生成图片相关领域著作权第一案。"},
     {"全国首例AI生成图片著作权案一审宣判",
      "北京互联网法院近日对人工智能生成图片著作权侵权纠纷作出一审判决，认定涉案AI生成图片具备独创性，构成作品。"}},
    {Kind::kRewrite,
     {"AWS Announces Amazon Q to Reimagine the Future of Work",
      "Amazon Q is a new type of generative AI-powered assistant tailored to your business."},
     {"Amazon launches Q, a business chatbot powered by generative AI",
      "Amazon.com's cloud unit on Tuesday announced Amazon Q, a generative AI-powered assistant for businesses."}},
    {Kind::kRewrite,
     {"Amazon sets new team, trains ambitious AI model codenamed Olympus - sources",
      "Amazon is investing millions in training an ambitious large language model, hoping it could rival top models from OpenAI and Alphabet, two people familiar with the matter told Reuters."},
     {"Amazon is training an ambitious AI model codenamed Olympus, Reuters reports",
      "Amazon is investing millions in training an ambitious large language model to rival OpenAI and Alphabet, Reuters reported on Wednesday, citing two people familiar with the matter."}},
    {Kind::kRewrite,
     {"Thune, Klobuchar Lead Commerce Committee Colleagues in Introducing Bipartisan AI Bill to Boost Innovation and Strengthen Accountability",
      "The Artificial Intelligence Research, Innovation, and Accountability Act of 2023 establishes a framework to bolster innovation while bringing greater transparency, accountability, and security."},
     {"Senators introduce bipartisan AI bill to boost innovation and strengthen accountability",
      "The Artificial Intelligence Research, Innovation, and Accountability Act of 2023 would establish a framework to bolster innovation and bring greater transparency, accountability, and security."}},
    {Kind::kRewrite,
     {"UK and US develop new global guidelines for AI security",
      "The guidelines for secure AI system development are the first of their kind to be agreed globally."},
     {"US, Britain, other countries ink agreement to make AI 'secure by design'",
      "The United States, Britain and more than a dozen other countries unveiled what a senior U.S. official described as the first detailed international agreement on how to keep AI safe."}},
    {Kind::kRewrite,  // whitehouse.gov, 30 October 2023: the order and its fact sheet
     {"Executive Order on the Safe, Secure, and Trustworthy Development and Use of Artificial Intelligence", ""},
     {"FACT SHEET: President Biden Issues Executive Order on Safe, Secure, and Trustworthy Artificial Intelligence", ""}},
}};

// Different stories whose titles look alike: sister policies of other provinces, documents
// of one series, one issuer's successive reports. Real titles.
inline constexpr std::array<std::pair<Story, Story>, 7> kLookAlikePairs{{
    {{"北京市促进通用人工智能创新发展的若干措施", ""},
     {"上海市推动人工智能大模型创新发展若干措施（2023-2025年）", ""}},
    {{"安徽省通用人工智能创新发展三年行动计划（2023—2025年）", ""},
     {"北京市促进通用人工智能创新发展的若干措施", ""}},
    {{"深圳市加快推动人工智能高质量发展高水平应用行动方案（2023—2024年）", ""},
     {"安徽省通用人工智能创新发展三年行动计划（2023—2025年）", ""}},
    {{"生成式人工智能服务管理暂行办法", ""},
     {"生成式人工智能服务安全基本要求（征求意见稿）", ""}},
    {{"国家互联网信息办公室关于发布第二批深度合成服务算法备案信息的公告", ""},
     {"国家互联网信息办公室关于发布第三批深度合成服务算法备案信息的公告", ""}},
    {{"人工智能白皮书（2022年）", ""},
     {"人工智能生成内容（AIGC）白皮书（2022年）", ""}},
    {{"OpenAI announces leadership transition", ""},
     {"OpenAI announces new members to board of directors", ""}},
}};

// Every story above: the newsletter's items, then both sides of each pair.
inline std::vector<Story> all_stories() {
  std::vector<Story> stories(kNewsletterItems.begin(), kNewsletterItems.end());
  for (const auto& pair : kSameStoryPairs) {
    stories.push_back(pair.a);
    stories.push_back(pair.b);
  }
  for (const auto& [a, b] : kLookAlikePairs) {
    stories.push_back(a);
    stories.push_back(b);
  }
  return stories;
}

}  // namespace herald::testing
