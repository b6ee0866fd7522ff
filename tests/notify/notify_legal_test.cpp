// The daily digest's section 「即将截止的征求意见」 (docs/legal.md): open consultations whose
// comment deadline is between the desk's today and a week later, in every format the digest
// is written in, with scraped titles kept from turning into markup; and the notifier that
// picks them from the store.

#include <atomic>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/legal.h"
#include "daemon/notify.h"
#include "daemon/notify_message.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/notify/notify_support.h"

namespace herald {
namespace {

using nlohmann::json;
using testing::day0;
using testing::hook;
using testing::slot;

MessageContext context() {
  return MessageContext{.zone = TimeZone::fixed(8 * 3600),
                        .web_origin = "https://herald.example.org"};
}

Digest digest_with_closing() {
  Digest d;
  d.since_utc = day0() - 86400 + 30 * 60;
  d.entries.push_back(DigestEntry{.candidate_id = 1,
                                  .title = "北京市关于加快人工智能产业发展的若干措施",
                                  .source_id = "bj-gov",
                                  .published_at = day0() - 3600,
                                  .url = "https://www.beijing.gov.cn/1.html",
                                  .matched = {"人工智能"}});
  d.closing.push_back(DigestConsultation{.candidate_id = 7,
                                         .title = "人工智能标准（征求意见稿）",
                                         .url = "https://sheitc.example.cn/soon.html",
                                         .deadline = "2026-11-02",
                                         .days_left = 0});
  d.closing.push_back(DigestConsultation{.candidate_id = 8,
                                         .title = "生成式人工智能办法（征求意见稿）",
                                         .url = "https://sheitc.example.cn/later.html",
                                         .deadline = "2026-11-05",
                                         .days_left = 3});
  return d;
}

TEST(DigestConsultations, GenericJsonListsThemWithDeadlineAndDaysLeft) {
  const json body =
      json::parse(webhook_body(digest_with_closing(), WebhookFormat::kGeneric, context()));
  ASSERT_EQ(body["closing_consultations"].size(), 2u);
  const json& first = body["closing_consultations"][0];
  EXPECT_EQ(first["id"], 7);
  EXPECT_EQ(first["title"], "人工智能标准（征求意见稿）");
  EXPECT_EQ(first["url"], "https://sheitc.example.cn/soon.html");
  EXPECT_EQ(first["comment_deadline"], "2026-11-02");
  EXPECT_EQ(first["days_left"], 0);
  EXPECT_EQ(body["closing_consultations"][1]["days_left"], 3);
  EXPECT_EQ(body["closing_more"], 0);
  EXPECT_EQ(body["total"], 1);  // the new candidates, as before
  const std::string text = body["text"];
  EXPECT_NE(text.find("即将截止的征求意见"), std::string::npos) << text;
  EXPECT_NE(text.find("- 人工智能标准（征求意见稿）\n   https://sheitc.example.cn/soon.html"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("截止日期：2026-11-02 · 今天截止"), std::string::npos) << text;
  EXPECT_NE(text.find("截止日期：2026-11-05 · 剩余 3 天"), std::string::npos) << text;
  EXPECT_NE(body["title"].get<std::string>().find("2 项征求意见即将截止"), std::string::npos);
}

TEST(DigestConsultations, EveryFormatCarriesTheSection) {
  const Digest d = digest_with_closing();
  const std::string wecom =
      json::parse(webhook_body(d, WebhookFormat::kWeCom, context()))["markdown"]["content"];
  EXPECT_NE(wecom.find("**即将截止的征求意见**"), std::string::npos) << wecom;
  EXPECT_NE(wecom.find("[人工智能标准（征求意见稿）](https://sheitc.example.cn/soon.html)"),
            std::string::npos)
      << wecom;
  EXPECT_NE(wecom.find("> 截止日期：2026-11-05 · 剩余 3 天"), std::string::npos) << wecom;
  const std::string dingtalk =
      json::parse(webhook_body(d, WebhookFormat::kDingTalk, context()))["markdown"]["text"];
  EXPECT_NE(dingtalk.find("即将截止的征求意见"), std::string::npos);
  const std::string slack = json::parse(webhook_body(d, WebhookFormat::kSlack, context()))["text"];
  EXPECT_NE(slack.find("<https://sheitc.example.cn/soon.html|人工智能标准（征求意见稿）>"),
            std::string::npos)
      << slack;
  const std::string feishu =
      json::parse(webhook_body(d, WebhookFormat::kFeishu, context()))["content"]["text"];
  EXPECT_NE(feishu.find("截止日期：2026-11-02 · 今天截止"), std::string::npos) << feishu;
  const EmailContent mail = email_content(d, context());
  EXPECT_NE(mail.text.find("即将截止的征求意见\n\n- 人工智能标准（征求意见稿）"), std::string::npos)
      << mail.text;
  EXPECT_NE(mail.subject.find("2 项征求意见即将截止"), std::string::npos) << mail.subject;

  // A digest without consultations reads exactly as before.
  Digest plain = d;
  plain.closing.clear();
  EXPECT_EQ(email_content(plain, context()).text.find("征求意见"), std::string::npos);
}

TEST(DigestConsultations, ScrapedTitlesAndLinksCannotBecomeMarkupOrMentions) {
  Digest d;
  d.since_utc = day0();
  d.closing.push_back(DigestConsultation{.candidate_id = 1,
                                         .title = "[点我](https://evil.example) <!channel> **粗**\n# 标题",
                                         .url = "javascript:alert(1)",
                                         .deadline = "2026-11-03",
                                         .days_left = 1});
  const std::string wecom =
      json::parse(webhook_body(d, WebhookFormat::kWeCom, context()))["markdown"]["content"];
  EXPECT_EQ(wecom.find("](https://evil"), std::string::npos) << wecom;
  EXPECT_EQ(wecom.find("javascript:"), std::string::npos) << wecom;
  EXPECT_NE(wecom.find("［点我］"), std::string::npos) << wecom;
  EXPECT_EQ(wecom.find("\n# "), std::string::npos) << wecom;
  const std::string slack = json::parse(webhook_body(d, WebhookFormat::kSlack, context()))["text"];
  EXPECT_EQ(slack.find("<!channel>"), std::string::npos) << slack;
  const json generic = json::parse(webhook_body(d, WebhookFormat::kGeneric, context()));
  EXPECT_EQ(generic["closing_consultations"][0]["url"], "");
}

TEST(DigestConsultations, ALongListIsCappedAndCounted) {
  Digest d;
  d.since_utc = day0();
  for (int i = 0; i < 25; ++i) {
    d.closing.push_back(DigestConsultation{.candidate_id = i + 1,
                                           .title = "征求意见稿 " + std::to_string(i + 1),
                                           .url = "https://example.gov.cn/" + std::to_string(i),
                                           .deadline = "2026-11-04",
                                           .days_left = 2});
  }
  const json body = json::parse(webhook_body(d, WebhookFormat::kGeneric, context()));
  EXPECT_EQ(body["closing_consultations"].size(), kMaxClosingListed);
  EXPECT_EQ(body["closing_more"], 5);
  EXPECT_NE(body["text"].get<std::string>().find("另有 5 项未列出"), std::string::npos);
  const std::string wecom =
      json::parse(webhook_body(d, WebhookFormat::kWeCom, context()))["markdown"]["content"];
  EXPECT_LE(wecom.size(), kWeComMarkdownMaxBytes);
}

// The notifier as serve runs it: the consultations closing today up to a week later (on the
// desk's calendar, here Beijing's) go into the digest; it goes out for them even when no new
// candidate arrived.
class NotifyConsultationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.path() / "herald.db";
    loaded_ = testing::loaded_config(db_);
    loaded_.config.notify.webhooks = {hook(receiver_, "generic", WebhookFormat::kGeneric)};
    options_.health_every = std::chrono::seconds(3600);
  }

  // A candidate first seen at `at` whose comment deadline is `deadline`.
  void add_consultation(Store& store, const std::string& key, const std::string& deadline,
                        std::int64_t at) {
    Item item;
    item.source_id = "bj-gov";
    item.title = "关于人工智能的办法（征求意见稿）" + key;
    item.url = "https://example.gov.cn/yjzj/" + key + ".html";
    item.url_key = "example.gov.cn/yjzj/" + key + ".html";
    item.published_at = at - 3600;
    item.score = 1.0;
    item.matched_terms = {"人工智能"};
    item.candidate = true;
    item.legal[LegalField::kCommentDeadline] = {.value = deadline, .from = "text:截止"};
    PollRecord poll{.source_id = "bj-gov", .started_at = at, .outcome = "ok"};
    poll.items = {item};
    poll.default_section = "最新法律与监管动态";
    ASSERT_TRUE(store.commit_poll(poll).has_value());
  }

  std::vector<json> digests() {
    std::vector<json> out;
    for (const auto& r : receiver_.requests("generic")) {
      json body = json::parse(r.body);
      if (body.value("event", "") == "digest") {
        out.push_back(std::move(body));
      }
    }
    return out;
  }

  CurlGlobal curl_;
  testing::TempDir dir_;
  std::filesystem::path db_;
  testing::Receiver receiver_;
  Loaded loaded_;
  NotifyOptions options_;
  std::atomic<bool> stop_{false};
};

TEST_F(NotifyConsultationsTest, DigestNamesTheConsultationsClosingWithinAWeek) {
  {
    Store store = testing::open_db(db_);
    // Queued before the last digest: no new candidates in this one.
    add_consultation(store, "yesterday", "2026-11-01", day0() - 3 * 86400);
    add_consultation(store, "today", "2026-11-02", day0() - 3 * 86400);
    add_consultation(store, "week", "2026-11-09", day0() - 3 * 86400);
    add_consultation(store, "eight", "2026-11-10", day0() - 3 * 86400);
    add_consultation(store, "rejected", "2026-11-03", day0() - 3 * 86400);
    ASSERT_TRUE(store.edit_candidate(5, {.state = ReviewState::kRejected}, "ann", day0())
                    .has_value());
    ASSERT_TRUE(store.set_state(std::string(kLastDigestKey), std::to_string(slot(-1)), slot(-1)));
  }
  auto notifier = make_notify_task(loaded_, options_);
  ASSERT_NE(notifier, nullptr);
  // 08:30 in Beijing on 2026-11-02 is 00:30 UTC: the desk's today is the 2nd.
  notifier->run_due(slot(0) + 5, stop_);

  const auto sent = digests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["total"], 0);
  const json& closing = sent[0]["closing_consultations"];
  ASSERT_EQ(closing.size(), 2u) << closing.dump();
  EXPECT_EQ(closing[0]["comment_deadline"], "2026-11-02");
  EXPECT_EQ(closing[0]["days_left"], 0);
  EXPECT_EQ(closing[1]["comment_deadline"], "2026-11-09");
  EXPECT_EQ(closing[1]["days_left"], 7);
  EXPECT_EQ(closing[1]["url"], "https://example.gov.cn/yjzj/week.html");
}

TEST_F(NotifyConsultationsTest, NothingNewAndNothingClosingSendsNothing) {
  {
    Store store = testing::open_db(db_);
    add_consultation(store, "later", "2026-11-20", day0() - 3 * 86400);
    ASSERT_TRUE(store.set_state(std::string(kLastDigestKey), std::to_string(slot(-1)), slot(-1)));
  }
  auto notifier = make_notify_task(loaded_, options_);
  ASSERT_NE(notifier, nullptr);
  notifier->run_due(slot(0) + 5, stop_);
  EXPECT_TRUE(digests().empty());
}

}  // namespace
}  // namespace herald
