// What each channel receives: the JSON shape every chat service expects, the size limits,
// and scraped text that cannot turn into markup, mentions or header lines.

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "daemon/notify_message.h"
#include "tests/notify/notify_support.h"

namespace herald {
namespace {

using nlohmann::json;
using testing::day0;

MessageContext context() {
  return MessageContext{.zone = TimeZone::fixed(8 * 3600),
                        .web_origin = "https://herald.example.org"};
}

DigestEntry entry(int id, std::string title) {
  return DigestEntry{.candidate_id = id,
                     .title = std::move(title),
                     .source_id = "bj-gov",
                     .source_name = "北京市人民政府 · 工作动态",
                     .published_at = day0() - 3600,
                     .url = "https://www.beijing.gov.cn/ywdt/gzdt/2026/" + std::to_string(id) +
                            ".html",
                     .matched = {"人工智能", "大模型"}};
}

Digest digest(int n, int max_items = 50) {
  Digest d;
  d.since_utc = day0() - 86400 + 30 * 60;
  d.max_items = max_items;
  for (int i = 1; i <= n; ++i) {
    d.entries.push_back(entry(i, "关于推进人工智能赋能新型工业化的实施意见 第" + std::to_string(i) + "号"));
  }
  return d;
}

AlertBatch alerts() {
  return AlertBatch{{SourceAlert{.kind = AlertKind::kUnhealthy,
                                 .source_id = "bj-gov",
                                 .source_name = "北京市人民政府 · 工作动态",
                                 .state = "failing",
                                 .reason = "3 failed polls in a row (last: timeout)"},
                     SourceAlert{.kind = AlertKind::kRecovered,
                                 .source_id = "openai-news",
                                 .source_name = "OpenAI News",
                                 .state = "ok"}}};
}

TEST(WebhookFormat, GenericDigestIsStructuredJsonWithTheStoriesAndAQueueLink) {
  const json body = json::parse(webhook_body(digest(3, 2), WebhookFormat::kGeneric, context()));

  EXPECT_EQ(body["event"], "digest");
  EXPECT_EQ(body["total"], 3);
  ASSERT_EQ(body["items"].size(), 2u);
  EXPECT_EQ(body["more"], 1);
  const json& first = body["items"][0];
  EXPECT_EQ(first["id"], 1);
  EXPECT_EQ(first["title"], "关于推进人工智能赋能新型工业化的实施意见 第1号");
  EXPECT_EQ(first["source"], "bj-gov");
  EXPECT_EQ(first["source_name"], "北京市人民政府 · 工作动态");
  EXPECT_EQ(first["published_at"], "2026-11-02");  // 07:00 in Beijing
  EXPECT_EQ(first["url"], "https://www.beijing.gov.cn/ywdt/gzdt/2026/1.html");
  EXPECT_EQ(first["matched"], json({"人工智能", "大模型"}));
  EXPECT_EQ(body["queue_url"], "https://herald.example.org/queue");
  const std::string text = body["text"];
  EXPECT_NE(text.find("herald 新候选：3 条（2026-11-01 08:30 以来）"), std::string::npos) << text;
  EXPECT_NE(text.find("另有 1 条未列出"), std::string::npos) << text;
  EXPECT_EQ(text.find("第3号"), std::string::npos) << "only two stories are listed";
}

TEST(WebhookFormat, GenericAlertListsEachSourceChange) {
  const json body = json::parse(webhook_body(alerts(), WebhookFormat::kGeneric, context()));

  EXPECT_EQ(body["event"], "alert");
  ASSERT_EQ(body["alerts"].size(), 2u);
  EXPECT_EQ(body["alerts"][0]["kind"], "unhealthy");
  EXPECT_EQ(body["alerts"][0]["source"], "bj-gov");
  EXPECT_EQ(body["alerts"][0]["state"], "failing");
  EXPECT_EQ(body["alerts"][0]["reason"], "3 failed polls in a row (last: timeout)");
  EXPECT_EQ(body["alerts"][1]["kind"], "recovered");
  EXPECT_EQ(body["sources_url"], "https://herald.example.org/sources");
}

TEST(WebhookFormat, SlackGetsMrkdwnTextWithLinksAndNoUnfurling) {
  const json body = json::parse(webhook_body(digest(1), WebhookFormat::kSlack, context()));

  ASSERT_TRUE(body["text"].is_string());
  const std::string text = body["text"];
  EXPECT_NE(text.find("<https://www.beijing.gov.cn/ywdt/gzdt/2026/1.html|关于推进"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("<https://herald.example.org/queue|打开审核队列>"), std::string::npos);
  EXPECT_EQ(body["unfurl_links"], false);
}

TEST(WebhookFormat, WeComGetsMarkdownContent) {
  const json body = json::parse(webhook_body(digest(2), WebhookFormat::kWeCom, context()));

  EXPECT_EQ(body["msgtype"], "markdown");
  const std::string content = body["markdown"]["content"];
  EXPECT_NE(content.find("[关于推进人工智能赋能新型工业化的实施意见 第2号]("
                         "https://www.beijing.gov.cn/ywdt/gzdt/2026/2.html)"),
            std::string::npos)
      << content;
  EXPECT_NE(content.find("关键词：人工智能、大模型"), std::string::npos);
}

TEST(WebhookFormat, DingTalkGetsMarkdownWithATitle) {
  const json body = json::parse(webhook_body(alerts(), WebhookFormat::kDingTalk, context()));

  EXPECT_EQ(body["msgtype"], "markdown");
  EXPECT_EQ(body["markdown"]["title"], "herald 来源状态：2 个变化");
  const std::string text = body["markdown"]["text"];
  EXPECT_NE(text.find("异常：北京市人民政府 · 工作动态（bj-gov）"), std::string::npos) << text;
  EXPECT_NE(text.find("已恢复：OpenAI News（openai-news）"), std::string::npos) << text;
  // DingTalk's robot keyword check usually names the sender: it is always in the text.
  EXPECT_NE(text.find("herald"), std::string::npos);
}

TEST(WebhookFormat, FeishuGetsATextMessage) {
  const json body = json::parse(webhook_body(digest(1), WebhookFormat::kFeishu, context()));

  EXPECT_EQ(body["msg_type"], "text");
  const std::string text = body["content"]["text"];
  EXPECT_NE(text.find("1. 关于推进人工智能赋能新型工业化的实施意见 第1号\n   "
                      "https://www.beijing.gov.cn/ywdt/gzdt/2026/1.html"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("审核队列：https://herald.example.org/queue"), std::string::npos);
}

TEST(WebhookFormat, WeComContentStaysWithin4096BytesAndCountsWhatItLeftOut) {
  Digest big = digest(50);
  for (auto& e : big.entries) {
    e.title += std::string(60, 'x') + "人工智能监管沙盒试点";  // long, partly multibyte
  }
  const json body = json::parse(webhook_body(big, WebhookFormat::kWeCom, context()));

  const std::string content = body["markdown"]["content"];
  EXPECT_LE(content.size(), kWeComMarkdownMaxBytes);
  EXPECT_TRUE(is_valid_utf8(content));
  const auto more = content.find("另有 ");
  ASSERT_NE(more, std::string::npos) << content;
  // Listed + "另有 N 条" account for all 50.
  int listed = 0;
  for (int i = 1; i <= 50; ++i) {
    if (content.find("第" + std::to_string(i) + "号") != std::string::npos) {
      ++listed;
    }
  }
  EXPECT_GT(listed, 0);
  EXPECT_NE(content.find("另有 " + std::to_string(50 - listed) + " 条未列出"), std::string::npos)
      << content;
}

TEST(WebhookFormat, EveryFormatKeepsToItsLimitWithAHugeDigest) {
  const Digest big = digest(2000, 2000);
  auto body = [&](WebhookFormat format) { return webhook_body(big, format, context()); };

  const std::string generic = body(WebhookFormat::kGeneric);
  EXPECT_LE(generic.size(), kGenericBodyMaxBytes);
  EXPECT_GT(json::parse(generic)["more"], 0);
  const std::string slack = json::parse(body(WebhookFormat::kSlack))["text"];
  EXPECT_LE(slack.size(), kSlackTextMaxBytes);
  const std::string wecom = json::parse(body(WebhookFormat::kWeCom))["markdown"]["content"];
  EXPECT_LE(wecom.size(), kWeComMarkdownMaxBytes);
  const std::string dingtalk = json::parse(body(WebhookFormat::kDingTalk))["markdown"]["text"];
  EXPECT_LE(dingtalk.size(), kDingTalkTextMaxBytes);
  EXPECT_LE(body(WebhookFormat::kFeishu).size(), kFeishuBodyMaxBytes);
  for (const std::string& text : {slack, wecom, dingtalk}) {
    EXPECT_NE(text.find("条未列出"), std::string::npos);
    EXPECT_TRUE(is_valid_utf8(text));
  }
}

TEST(WebhookFormat, ScrapedTextCannotBecomeMarkupOrMentions) {
  Digest d = digest(0);
  DigestEntry hostile = entry(1, "<!channel> [点我](https://evil.example/) **加粗**\x07\x1b[31m <at user_id=\"all\">所有人</at>");
  hostile.url = "https://example.gov.cn/a b)(c.html";
  d.entries.push_back(hostile);

  const std::string slack =
      json::parse(webhook_body(d, WebhookFormat::kSlack, context()))["text"];
  EXPECT_EQ(slack.find("<!channel>"), std::string::npos) << slack;
  EXPECT_NE(slack.find("&lt;!channel&gt;"), std::string::npos) << slack;

  const std::string wecom =
      json::parse(webhook_body(d, WebhookFormat::kWeCom, context()))["markdown"]["content"];
  EXPECT_EQ(wecom.find("[点我](https://evil.example/)"), std::string::npos) << wecom;
  EXPECT_EQ(wecom.find("**加粗**"), std::string::npos) << wecom;
  EXPECT_NE(wecom.find("(https://example.gov.cn/a%20b%29%28c.html)"), std::string::npos)
      << wecom;

  const std::string feishu =
      json::parse(webhook_body(d, WebhookFormat::kFeishu, context()))["content"]["text"];
  EXPECT_EQ(feishu.find("<at"), std::string::npos) << feishu;

  for (const std::string& text : {slack, wecom, feishu}) {
    EXPECT_EQ(text.find('\x07'), std::string::npos);
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
  }
}

TEST(WebhookFormat, ALinkThatIsNotHttpIsNotShown) {
  Digest d = digest(0);
  DigestEntry e = entry(1, "标题");
  e.url = "javascript:alert(1)";
  d.entries.push_back(e);

  const std::string wecom =
      json::parse(webhook_body(d, WebhookFormat::kWeCom, context()))["markdown"]["content"];
  EXPECT_EQ(wecom.find("javascript"), std::string::npos) << wecom;
  EXPECT_NE(wecom.find("1. 标题"), std::string::npos) << wecom;
}

TEST(Email, MessageIsRfc5322WithCrlfShortLinesAndEncodedSubject) {
  EmailTarget target{.smtp_url = "smtp://127.0.0.1:25",
                     .from = "herald 通知 <herald@example.org>",
                     .to = {"编辑部 <editors@example.org>", "chief@example.org"}};
  const EmailContent content = email_content(digest(2), context());
  const std::string message = build_email(content, target, day0(), TimeZone::fixed(8 * 3600),
                                          "<abc.herald@example.org>");

  std::size_t start = 0;
  while (start < message.size()) {
    const auto end = message.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "every line ends in CRLF";
    const std::string line = message.substr(start, end - start);
    EXPECT_EQ(line.find('\n'), std::string::npos) << "no bare LF";
    EXPECT_LE(line.size(), 78u) << line;
    start = end + 2;
  }
  EXPECT_NE(message.find("Date: Mon, 2 Nov 2026 08:00:00 +0800\r\n"), std::string::npos)
      << message;
  EXPECT_NE(message.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(message.find("From: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(message.find("<herald@example.org>\r\n"), std::string::npos);
  EXPECT_NE(message.find("Message-ID: <abc.herald@example.org>\r\n"), std::string::npos);
  EXPECT_NE(message.find("Content-Type: text/plain; charset=UTF-8\r\n"), std::string::npos);
  EXPECT_NE(message.find("Content-Transfer-Encoding: base64\r\n"), std::string::npos);
  EXPECT_NE(message.find("chief@example.org"), std::string::npos);
}

TEST(Email, AddressesAreTakenFromMailboxesAndBadOnesRefused) {
  EXPECT_EQ(mail_address("herald <herald@example.org>"), "herald@example.org");
  EXPECT_EQ(mail_address("  editor@example.org "), "editor@example.org");
  EXPECT_EQ(mail_address("\"Zhang, San\" <zs@example.org>"), "zs@example.org");
  EXPECT_FALSE(mail_address("no-at-sign"));
  EXPECT_FALSE(mail_address("a@b.org\r\nBcc: x@evil.example"));
  EXPECT_FALSE(mail_address("<a@b.org> trailing"));
  EXPECT_FALSE(mail_address(""));
}

TEST(Email, Base64IsStandard) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("人工智能"), "5Lq65bel5pm66IO9");
}

}  // namespace
}  // namespace herald
