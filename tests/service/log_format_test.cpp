// herald's log lines (common/log_format.h): one event is one line whatever a web page put
// in the text, and the journal gets syslog priority prefixes.

#include "common/log_format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include "tests/support/fixtures.h"

namespace herald {
namespace {

TEST(LogSafeTest, ControlCharactersCannotStartANewLine) {
  // A scraped title that tries to forge a poll line of another source.
  const std::string forged = "Notice\nsource=other outcome=ok new=999\r\x1b[2J\x07 end";
  const std::string safe = log_safe(forged);
  EXPECT_EQ(safe, "Notice source=other outcome=ok new=999 [2J end");
  EXPECT_EQ(safe.find_first_of("\n\r\x1b\x07"), std::string::npos);
}

TEST(LogSafeTest, C1ControlsAndUnicodeLineSeparatorsGo) {
  // U+009B (CSI), U+0085 (NEL), U+2028, U+2029 around text that stays.
  const std::string text = "a\xc2\x9b" "31mb\xc2\x85" "c\xe2\x80\xa8" "d\xe2\x80\xa9" "e";
  EXPECT_EQ(log_safe(text), "a31mbc d e");
}

TEST(LogSafeTest, OrdinaryTextIsKeptByteForByte) {
  const std::string text = "北京市人民政府 · 人工智能 — naïve “quotes” \xff (bad byte kept)";
  EXPECT_EQ(log_safe(text), text);
  EXPECT_EQ(log_safe("\xc2\xa0nbsp"), "\xc2\xa0nbsp");  // U+00A0 is not a control
}

TEST(JournalStreamTest, MatchesOnlyTheFileStderrIsOpenOn) {
  testing::TempDir dir;
  const auto path = dir.path() / "stream";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  const std::string mine = fmt::format("{}:{}", static_cast<unsigned long long>(st.st_dev),
                                       static_cast<unsigned long long>(st.st_ino));
  EXPECT_TRUE(fd_is_journal_stream(mine.c_str(), fd));
  EXPECT_FALSE(fd_is_journal_stream(nullptr, fd));
  EXPECT_FALSE(fd_is_journal_stream("", fd));
  EXPECT_FALSE(fd_is_journal_stream(
      fmt::format("{}:{}", static_cast<unsigned long long>(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino) + 1)
          .c_str(),
      fd));
  EXPECT_FALSE(fd_is_journal_stream((mine + "x").c_str(), fd));
  EXPECT_FALSE(fd_is_journal_stream("garbage", fd));
  ::close(fd);
}

std::string formatted(bool journal, spdlog::level::level_enum level, std::string_view text) {
  LogFormatter formatter(journal);
  const spdlog::details::log_msg msg(spdlog::source_loc{}, "herald", level,
                                     spdlog::string_view_t(text.data(), text.size()));
  spdlog::memory_buf_t out;
  formatter.format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(LogFormatterTest, JournalLinesCarryThePriorityAndNoTimestamp) {
  EXPECT_EQ(formatted(true, spdlog::level::err, "source=a outcome=timeout"),
            "<3>source=a outcome=timeout\n");
  EXPECT_EQ(formatted(true, spdlog::level::warn, "w"), "<4>w\n");
  EXPECT_EQ(formatted(true, spdlog::level::info, "i"), "<6>i\n");
  EXPECT_EQ(formatted(true, spdlog::level::debug, "d"), "<7>d\n");
  EXPECT_EQ(formatted(true, spdlog::level::critical, "c"), "<2>c\n");
}

TEST(LogFormatterTest, PlainLinesCarryTimeAndLevel) {
  const std::string line = formatted(false, spdlog::level::warn, "careful");
  EXPECT_TRUE(std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d warning careful\n)")))
      << line;
}

TEST(LogFormatterTest, AMessageIsAlwaysOneLine) {
  // Whatever a call site forgot to clean, the formatter does not let through.
  EXPECT_EQ(formatted(true, spdlog::level::info, "title\n<3>source=x outcome=forged"),
            "<6>title <3>source=x outcome=forged\n");
  const std::string plain = formatted(false, spdlog::level::info, "a\nb\rc");
  EXPECT_EQ(plain.find('\n'), plain.size() - 1) << plain;
}

}  // namespace
}  // namespace herald
