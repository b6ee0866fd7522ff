// A replayed month through the editors' whole flow, with the binary as editors and admins
// run it: the shipped configuration polls every saved page (`herald poll --replay`), the
// month's candidates are accepted, `herald drafts run` drafts them, and `herald export`
// writes the month. Every exported item must carry what the newsletter prints: a Chinese
// headline (the accepted draft), 来源 as the publisher's Chinese name, and a 摘要 wherever
// herald has any text for it. Without a model endpoint the 摘要 still comes from the
// article's lead sentences.

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "daemon/context.h"
#include "storage/store.h"
#include "tests/daemon/herald_cli.h"
#include "tests/export/newsletter_parser.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"
#include "web/app.h"

namespace herald {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::CommandResult;
using testing::Dialect;
using testing::fixture_path;
using testing::LocalServer;
using testing::run_herald;
using testing::shipped_config_in;
using testing::TempDir;
using testing::write_file;

constexpr std::int64_t kShanghaiOffset = 8 * 3600;  // the shipped [schedule] timezone

bool has_han(std::string_view text) {
  // U+4E00..U+9FFF in UTF-8: lead byte 0xE4..0xE9.
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0xE4 && byte <= 0xE9) {
      return true;
    }
  }
  return false;
}

std::string month_of(std::int64_t utc_seconds) {
  return format_iso8601(utc_seconds + kShanghaiOffset, TimeZone::utc()).substr(0, 7);
}

// A chat-completions endpoint that answers every request with a Chinese draft numbered in
// the order asked, as a JSON object in the message content.
void serve_chat_completions(LocalServer& server, std::shared_ptr<std::atomic<int>> asked) {
  server.routes().Post("/v1/chat/completions",
                       [asked](const httplib::Request&, httplib::Response& response) {
                         const int n = ++*asked;
                         const nlohmann::json draft = {
                             {"title", fmt::format("中文标题草稿第{}条", n)},
                             {"summary", fmt::format("这是第{}条的中文摘要。它说明发布机构、"
                                                     "文件名称和主要要求。",
                                                     n)}};
                         const nlohmann::json answer = {
                             {"id", "chatcmpl-1"},
                             {"object", "chat.completion"},
                             {"model", "test-model"},
                             {"choices",
                              {{{"index", 0},
                                {"message",
                                 {{"role", "assistant"}, {"content", draft.dump()}}},
                                {"finish_reason", "stop"}}}}};
                         response.set_content(answer.dump(), "application/json");
                       });
}

class MonthExportTest : public ::testing::Test {
 protected:
  // Polls every shipped source from the saved pages, then accepts every candidate of the
  // month with the most of them into the legal section; returns that month ("2023-11").
  std::string poll_and_accept_busiest_month() {
    const CommandResult polled = run_herald(config_ + " poll " + replay_);
    EXPECT_EQ(polled.exit_code, 0) << polled.out;
    auto store = Store::open(dir_.path() / "state" / "herald.db");
    EXPECT_TRUE(store.has_value());
    if (!store) {
      return "";
    }
    QueueQuery query;
    query.collapse_clusters = false;
    query.limit = 100000;
    auto page = store->query_queue(query);
    EXPECT_TRUE(page.has_value());
    if (!page) {
      return "";
    }
    std::map<std::string, int> per_month;
    for (const Candidate& c : page->items) {
      if (c.published_at) {
        ++per_month[month_of(*c.published_at)];
      }
    }
    std::string busiest;
    for (const auto& [month, count] : per_month) {
      if (busiest.empty() || count > per_month[busiest]) {
        busiest = month;
      }
    }
    for (const Candidate& c : page->items) {
      if (c.published_at && month_of(*c.published_at) == busiest) {
        CandidateEdit edit;
        edit.state = ReviewState::kAccepted;
        edit.section = std::string(web::kLegalSection);
        EXPECT_TRUE(store->edit_candidate(c.id, edit, "editor", 1'700'000'000).has_value());
        accepted_.push_back(c);
      }
    }
    return busiest;
  }

  testing::ParsedNewsletter export_month(const std::string& month) {
    const CommandResult exported =
        run_herald(config_ + fmt::format(" export --month {} --format md", month));
    EXPECT_EQ(exported.exit_code, 0) << exported.out;
    return testing::parse_newsletter(exported.out, Dialect::kMarkdown, "植德短评");
  }

  TempDir dir_;
  std::string config_ = fmt::format("--config '{}'", shipped_config_in(dir_.path()).string());
  std::string replay_ = fmt::format("--replay '{}'", fixture_path("").string());
  std::vector<Candidate> accepted_;
};

TEST_F(MonthExportTest, EveryItemHasAChineseHeadlinePublisherAndSummaryFromAcceptedDrafts) {
  auto asked = std::make_shared<std::atomic<int>>(0);
  LocalServer model;
  serve_chat_completions(model, asked);
  model.start();
  // The shipped herald.toml with its [draft] block filled in, and its prompt beside it.
  const std::filesystem::path root = HERALD_SOURCE_ROOT;
  std::filesystem::copy_file(root / "config" / "draft_prompt.txt",
                             dir_.path() / "draft_prompt.txt");
  {
    std::ofstream toml(dir_.path() / "herald.toml", std::ios::app);
    toml << fmt::format("\n[draft]\nendpoint = \"{}\"\nmodel = \"test-model\"\n",
                        model.url("/v1"));
  }

  const std::string month = poll_and_accept_busiest_month();
  ASSERT_GE(accepted_.size(), 5u) << month;

  const CommandResult drafted = run_herald(config_ + " drafts run");
  ASSERT_EQ(drafted.exit_code, 0) << drafted.out;
  EXPECT_THAT(drafted.out, HasSubstr("by the model"));
  EXPECT_GE(asked->load(), static_cast<int>(accepted_.size()));
  for (const Candidate& c : accepted_) {
    const CommandResult taken = run_herald(config_ + fmt::format(" drafts accept {}", c.id));
    EXPECT_EQ(taken.exit_code, 0) << c.id << ": " << taken.out;
  }

  const testing::ParsedNewsletter exported = export_month(month);
  ASSERT_EQ(exported.edition.items.size(), accepted_.size()) << month;
  for (const web::EditionItem& item : exported.edition.items) {
    EXPECT_THAT(item.title, HasSubstr("中文标题草稿第")) << item.url;
    EXPECT_TRUE(has_han(item.source_name)) << item.url << " 来源：" << item.source_name;
    EXPECT_THAT(item.summary, HasSubstr("中文摘要")) << item.url;
  }
  // The original stays: the queue still has the site's own title beside the edited one.
  const auto shown = nlohmann::json::parse(
      run_herald(config_ + fmt::format(" queue show {} --json", accepted_.front().id)).out);
  EXPECT_EQ(shown.value("title", ""), accepted_.front().title) << shown.dump(1);
  EXPECT_THAT(shown.value("edited_title", ""), HasSubstr("中文标题草稿第")) << shown.dump(1);
}

TEST_F(MonthExportTest, WithoutAnEndpointEveryItemWithTextStillHasPublisherAndSummary) {
  const std::string month = poll_and_accept_busiest_month();
  ASSERT_GE(accepted_.size(), 5u) << month;
  const CommandResult drafted = run_herald(config_ + " drafts run");
  ASSERT_EQ(drafted.exit_code, 0) << drafted.out;
  EXPECT_THAT(drafted.out, Not(HasSubstr(" 0 from the lead sentences")));

  // The candidates as stored, with their article text (the queue's list leaves it out).
  auto store = Store::open(dir_.path() / "state" / "herald.db");
  ASSERT_TRUE(store.has_value());
  std::map<std::string, Candidate> by_url;
  for (const Candidate& listed : accepted_) {
    auto full = store->get_candidate(listed.id);
    ASSERT_TRUE(full.has_value());
    by_url[full->url] = *full;
  }
  const testing::ParsedNewsletter exported = export_month(month);
  ASSERT_EQ(exported.edition.items.size(), accepted_.size()) << month;
  int with_text = 0;
  for (const web::EditionItem& item : exported.edition.items) {
    EXPECT_TRUE(has_han(item.source_name)) << item.url << " 来源：" << item.source_name;
    const auto found = by_url.find(item.url);
    ASSERT_NE(found, by_url.end()) << item.url;
    const Candidate& c = found->second;
    if (!collapse_whitespace(c.summary).empty() || !collapse_whitespace(c.body).empty()) {
      ++with_text;
      EXPECT_FALSE(collapse_whitespace(item.summary).empty()) << item.url;
    }
  }
  EXPECT_GT(with_text, 0);
}

}  // namespace
}  // namespace herald
