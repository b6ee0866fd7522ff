// Self-repair end to end (issue 14 item 2, docs/repair.md): a loopback site switches CMS
// templates under a source; the poll that stops matching leaves a proposal that re-finds
// the items herald has; an admin applies it; the next poll re-finds those items without
// storing them twice and adds the new ones.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/text.h"
#include "config/config_loader.h"
#include "tests/repair/repair_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class RepairFlowTest : public RepairFixture,
                       public ::testing::WithParamInterface<Template> {};

TEST_P(RepairFlowTest, ATemplateSwitchIsProposedAppliedAndRePolledWithoutDuplicates) {
  // 1. The site in the template the file was written for: 5 items stored.
  site_.show(Template::kOriginal, 5);
  const RunReport first = poll();
  ASSERT_TRUE(first.ok()) << format_report(first);
  ASSERT_EQ(first.stored.items_new, 5);
  EXPECT_EQ(proposals("open"), 0) << "a page that matches needs no repair";
  const std::string original = read_text(source_file());

  // 2. The CMS template changes; the page shows the same 5 items and 2 new ones.
  site_.show(GetParam(), 7);
  const RunReport broken = poll();
  ASSERT_EQ(broken.outcome, "no_match") << format_report(broken);
  EXPECT_EQ(health(), HealthState::kLayoutChanged);

  // 3. The proposal: new [list] rules that re-find all 5 stored items, and the 2 new ones.
  auto open = store_->open_repair(kSourceId);
  ASSERT_TRUE(open.has_value()) << open.error().message;
  ASSERT_TRUE(open->has_value()) << "the poll that stopped matching proposes a repair";
  const RepairProposal& proposal = **open;
  EXPECT_EQ(proposal.cause, "no_match");
  EXPECT_EQ(proposal.items_found, 7);
  EXPECT_EQ(proposal.known_found, 5) << proposal.summary << "\n" << proposal.diff;
  EXPECT_EQ(proposal.known_total, 5);
  EXPECT_EQ(proposal.page_url, site_.url("/list/"));
  EXPECT_THAT(proposal.diff, HasSubstr("-item = \"ul.news li\""));
  EXPECT_THAT(proposal.diff, StartsWith("--- a/tpl-news.toml\n+++ b/tpl-news.toml\n"));
  // Everything outside [list] is the admin's and stays as written.
  EXPECT_THAT(proposal.proposed_text, HasSubstr("# Notices of a regulator, polled from its list page."));
  EXPECT_THAT(proposal.proposed_text, HasSubstr("[fetch]\ntimeout = \"10s\"\n"));
  EXPECT_THAT(proposal.proposed_text, HasSubstr(fmt::format("url = \"{}\"", site_.url("/list/"))));
  const auto items = nlohmann::json::parse(proposal.items);
  ASSERT_EQ(items.size(), 7u);
  int known = 0;
  for (const auto& item : items) {
    known += item.at("known").get<bool>() ? 1 : 0;
  }
  EXPECT_EQ(known, 5);
  if (GetParam() == Template::kDateInLink) {
    // The redesign prints the date in the link text: the proposal reads it there and keeps
    // it out of the titles, instead of sending herald to every article page for it.
    EXPECT_THAT(proposal.proposed_text, HasSubstr("\ndate = \"a\"\n")) << proposal.proposed_text;
    EXPECT_THAT(proposal.proposed_text, HasSubstr("\ntitle_strip_date = true\n"));
    EXPECT_THAT(proposal.proposed_text, Not(HasSubstr("[article]")));
    int n = 7;  // newest first
    for (const auto& item : items) {
      EXPECT_EQ(item.at("title").get<std::string>(), headline(n));
      EXPECT_EQ(item.at("date").get<std::string>(), date_of(n));
      --n;
    }
  }
  // Nothing is applied without an admin.
  EXPECT_EQ(read_text(source_file()), original);

  // 4. The admin applies it: the file is replaced, the old one kept next to it.
  auto applied = apply_repair(*store_, kSourceId, "admin", clock_.now_utc_seconds());
  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_EQ(read_text(source_file()), proposal.proposed_text);
  EXPECT_EQ(read_text(applied->backup), original);
  EXPECT_EQ(applied->backup.parent_path(), source_file().parent_path());
  EXPECT_THAT(applied->backup.filename().string(), StartsWith("tpl-news.toml.bak-"));
  EXPECT_EQ(proposals("open"), 0);
  EXPECT_EQ(proposals("applied"), 1);

  // 5. Reload (as SIGHUP does) and re-poll: the 5 known items are re-found, not stored
  //    again; the 2 new ones are added.
  reload();
  EXPECT_EQ(loaded_.sources.errors.size(), 0u) << "the backup is not read as a source";
  const RunReport repaired = poll();
  ASSERT_TRUE(repaired.ok()) << format_report(repaired);
  EXPECT_EQ(repaired.extracted, 7);
  EXPECT_EQ(repaired.stored.items_seen, 7);
  EXPECT_EQ(repaired.stored.items_new, 2);
  EXPECT_EQ(stored_items(), 7);
  EXPECT_EQ(count("SELECT COUNT(DISTINCT url_key) FROM items"), 7);
  for (int n = 1; n <= 7; ++n) {
    EXPECT_EQ(count(fmt::format("SELECT COUNT(*) FROM items WHERE url = '{}'",
                                site_.url(fmt::format("/a/{}.html", n)))),
              1)
        << "item " << n;
  }
  EXPECT_NE(health(), HealthState::kLayoutChanged);
  EXPECT_EQ(proposals("open"), 0) << "a page that matches again needs no repair";
  if (GetParam() == Template::kDateInLink) {
    // The 2 new items as stored: dated, and titled without the date.
    EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE title LIKE '2024-%'"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM items WHERE published_at IS NULL"), 0);
    EXPECT_EQ(count(fmt::format("SELECT COUNT(*) FROM items WHERE title = '{}'", headline(7))), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(CmsTemplates, RepairFlowTest,
                         ::testing::Values(Template::kRenamed, Template::kTable,
                                           Template::kDateInLink),
                         [](const ::testing::TestParamInfo<Template>& info) {
                           switch (info.param) {
                             case Template::kRenamed: return std::string("ClassesRenamed");
                             case Template::kTable: return std::string("ListBecomesTable");
                             case Template::kDateInLink: return std::string("DateMovesIntoLink");
                             case Template::kOriginal:
                             case Template::kMostlyMoved: break;
                           }
                           return std::string("Original");
                         });

class RepairProposalTest : public RepairFixture {
 protected:
  // 5 items stored, then the site switches to the renamed template.
  void break_the_source() {
    site_.show(Template::kOriginal, 5);
    ASSERT_TRUE(poll().ok());
    site_.show(Template::kRenamed, 6);
    ASSERT_EQ(poll().outcome, "no_match");
  }
};

TEST_F(RepairProposalTest, TheSamePageIsProposedForOnce) {
  break_the_source();
  ASSERT_EQ(proposals("open"), 1);
  ASSERT_EQ(poll().outcome, "no_match");
  ASSERT_EQ(poll().outcome, "no_match");
  EXPECT_EQ(count("SELECT COUNT(*) FROM repair_proposals"), 1);
}

TEST_F(RepairProposalTest, AChangedPageReplacesTheOpenProposal) {
  break_the_source();
  auto first = store_->open_repair(kSourceId);
  ASSERT_TRUE(first.has_value() && first->has_value());
  site_.show(Template::kRenamed, 8);
  ASSERT_EQ(poll().outcome, "no_match");
  EXPECT_EQ(proposals("open"), 1) << "never more than one open proposal per source";
  EXPECT_EQ(proposals("superseded"), 1);
  auto second = store_->open_repair(kSourceId);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_NE((*second)->id, (*first)->id);
  EXPECT_EQ((*second)->items_found, 8);
  EXPECT_EQ((*second)->known_found, 5);
}

TEST_F(RepairProposalTest, ADiscardHoldsUntilThePageChanges) {
  break_the_source();
  auto discarded = discard_repair(*store_, kSourceId, "admin", clock_.now_utc_seconds());
  ASSERT_TRUE(discarded.has_value()) << discarded.error().message;
  EXPECT_EQ(proposals("discarded"), 1);
  ASSERT_EQ(poll().outcome, "no_match");
  EXPECT_EQ(proposals("open"), 0) << "the same page is not proposed for again";
  site_.show(Template::kRenamed, 7);
  ASSERT_EQ(poll().outcome, "no_match");
  EXPECT_EQ(proposals("open"), 1) << "a changed page is";
  // Nothing to decide twice.
  ASSERT_TRUE(discard_repair(*store_, kSourceId, "admin", clock_.now_utc_seconds()).has_value());
  auto again = discard_repair(*store_, kSourceId, "admin", clock_.now_utc_seconds());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(RepairProposalTest, AFileEditedSinceTheProposalIsNotOverwritten) {
  break_the_source();
  const std::string edited = read_text(source_file()) + "# the admin fixed it by hand\n";
  write_file(source_file(), edited);
  auto applied = apply_repair(*store_, kSourceId, "admin", clock_.now_utc_seconds());
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().code, ErrorCode::kUsage);
  EXPECT_THAT(applied.error().message, HasSubstr("was edited after repair"));
  EXPECT_EQ(read_text(source_file()), edited);
  EXPECT_EQ(proposals("open"), 1);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(source_file().parent_path())) {
    ++files;
  }
  EXPECT_EQ(files, 1) << "no backup, no temp file left behind";
}

TEST_F(RepairProposalTest, FarFewerItemsThanUsualAreProposedForToo) {
  // Usually 10 to 12 items a poll.
  for (int published = 10; published <= 12; ++published) {
    site_.show(Template::kOriginal, published);
    ASSERT_TRUE(poll().ok());
  }
  EXPECT_EQ(proposals("open"), 0);
  // The old list keeps only the newest item; the other 12 moved to a renamed list.
  site_.show(Template::kMostlyMoved, 13);
  const RunReport few = poll();
  ASSERT_TRUE(few.ok()) << format_report(few);
  ASSERT_EQ(few.extracted, 1);
  auto open = store_->open_repair(kSourceId);
  ASSERT_TRUE(open.has_value() && open->has_value());
  EXPECT_EQ((*open)->cause, "few_items: 1, usually 11");
  EXPECT_EQ((*open)->items_found, 12);
  EXPECT_EQ((*open)->known_found, 12);
  auto health = store_->source_health(clock_.now_utc_seconds());
  ASSERT_TRUE(health.has_value() && !health->empty());
  EXPECT_THAT(health->front().reason, HasSubstr("a repair is proposed"));

  // The site goes back to its old list: nothing is left to decide.
  site_.show(Template::kOriginal, 13);
  ASSERT_TRUE(poll().ok());
  EXPECT_EQ(proposals("open"), 0);
  EXPECT_EQ(proposals("superseded"), 1);
}

TEST_F(RepairProposalTest, HealthSaysARepairIsProposed) {
  break_the_source();
  auto health = store_->source_health(clock_.now_utc_seconds());
  ASSERT_TRUE(health.has_value() && !health->empty());
  EXPECT_EQ(health->front().state, HealthState::kLayoutChanged);
  EXPECT_THAT(health->front().reason, HasSubstr(std::string(kRepairProposedText)));
  EXPECT_THAT(health->front().reason, HasSubstr("herald sources repair tpl-news"));
  ASSERT_TRUE(discard_repair(*store_, kSourceId, "admin", clock_.now_utc_seconds()).has_value());
  health = store_->source_health(clock_.now_utc_seconds());
  ASSERT_TRUE(health.has_value() && !health->empty());
  EXPECT_EQ(health->front().state, HealthState::kLayoutChanged);
  EXPECT_THAT(health->front().reason, Not(HasSubstr("a repair is proposed")));
}

TEST_F(RepairProposalTest, ASourceThatNeverMatchedGetsNoProposal) {
  // Selectors that never worked are a file still being written, not a layout change.
  site_.show(Template::kRenamed, 5);
  ASSERT_EQ(poll().outcome, "no_match");
  EXPECT_EQ(count("SELECT COUNT(*) FROM repair_proposals"), 0);
}

TEST_F(RepairProposalTest, ApplyWithoutAProposalSaysSo) {
  auto applied = apply_repair(*store_, kSourceId, "admin", clock_.now_utc_seconds());
  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(applied.error().message, HasSubstr("no repair is proposed for source 'tpl-news'"));
}

}  // namespace
}  // namespace herald::testing
