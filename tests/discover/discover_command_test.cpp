// `herald sources discover URL`, through the binary as admins run it: a loopback site,
// --write and its refusal to overwrite, --replay, and the message when nothing is found.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "tests/support/fixtures.h"
#include "tests/support/local_server.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

struct Outcome {
  int exit_code = -1;
  std::string out{};  // stdout and stderr together
};

class DiscoverCommandTest : public ::testing::Test {
 protected:
  // Read by the server's routes: declared before the server.
  std::string page_ = testing::read_fixture("discover/decoy-hot.html");
  testing::TempDir dir_;
  testing::LocalServer server_;

  void SetUp() override {
    std::ofstream(dir_.path() / "herald.toml") << R"(
[storage]
database = "state/herald.db"

[sources]
dir = "sources.d"

[fetch]
min_delay = "0s"
)";
    fs::create_directories(dir_.path() / "sources.d");
    server_.routes().Get("/xwzx/tzgg/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(page_, "text/html; charset=utf-8");
    });
    server_.start();
  }

  Outcome herald(const std::string& args) {
    const fs::path out = dir_.path() / "out.txt";
    const std::string command = fmt::format("'{}' --config '{}' {} >'{}' 2>&1", HERALD_BINARY,
                                            (dir_.path() / "herald.toml").string(), args, out.string());
    const int status = std::system(command.c_str());
    std::ostringstream text;
    text << std::ifstream(out, std::ios::binary).rdbuf();
    return Outcome{WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
  }
};

TEST_F(DiscoverCommandTest, ProposesTheColumnsListAndWritesItOnce) {
  const std::string url = server_.url("/xwzx/tzgg/");
  const Outcome shown = herald(fmt::format("sources discover '{}' --id example-tzgg", url));
  ASSERT_EQ(shown.exit_code, 0) << shown.out;
  EXPECT_THAT(shown.out, HasSubstr("item = \"ul.news-list > li\""));
  EXPECT_THAT(shown.out, HasSubstr("date = \"span.time\""));
  EXPECT_THAT(shown.out, HasSubstr("How sure herald is"));
  EXPECT_THAT(shown.out, HasSubstr("Rejected alternatives"));
  EXPECT_THAT(shown.out, HasSubstr("热点"));  // the decoy, rejected in one line
  EXPECT_THAT(shown.out, HasSubstr("Not saved"));
  EXPECT_FALSE(fs::exists(dir_.path() / "sources.d/example-tzgg.toml"));

  const Outcome written = herald(fmt::format("sources discover '{}' --id example-tzgg --write", url));
  ASSERT_EQ(written.exit_code, 0) << written.out;
  const fs::path file = dir_.path() / "sources.d/example-tzgg.toml";
  ASSERT_TRUE(fs::exists(file));
  auto loaded = load_source_file(file);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->url, url);
  EXPECT_EQ(loaded->list->item.text, "ul.news-list > li");
  EXPECT_EQ(loaded->timezone.name(), "Asia/Shanghai");  // herald.toml's default zone

  // The saved source works as any other: `sources test` extracts the column's 8 items.
  const Outcome tested = herald("sources test example-tzgg");
  EXPECT_EQ(tested.exit_code, 0) << tested.out;
  EXPECT_THAT(tested.out, HasSubstr("8 items"));

  // A second --write never replaces the admin's file.
  std::ofstream(file, std::ios::app) << "# edited by the admin\n";
  const Outcome again = herald(fmt::format("sources discover '{}' --id example-tzgg --write", url));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr("already exists"));
  std::ostringstream kept;
  kept << std::ifstream(file).rdbuf();
  EXPECT_THAT(kept.str(), HasSubstr("# edited by the admin"));
}

TEST_F(DiscoverCommandTest, ReplaysASavedResponse) {
  const Outcome r = herald(fmt::format("sources discover https://www.cac.gov.cn/wxzw/wxfb/A093702index_1.htm "
                                   "--id cac-wxfb --replay '{}'",
                                   testing::fixture_path("cn-cac").string()));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("item = \"div#loadingInfoPage > li\""));
}

TEST_F(DiscoverCommandTest, SaysWhatToTryWhenThereIsNoList) {
  std::ofstream(dir_.path() / "about.html")
      << "<html><body><h1>About us</h1><p>An office. <a href=\"/c\">Contact</a></p></body></html>";
  const Outcome r = herald(fmt::format("sources discover https://www.example.gov.cn/about/ --page '{}'",
                                   (dir_.path() / "about.html").string()));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("no announcement list or feed found"));
  EXPECT_THAT(r.out, HasSubstr("What to try"));
  EXPECT_THAT(r.out, Not(HasSubstr("id = ")));
}

}  // namespace
}  // namespace herald
