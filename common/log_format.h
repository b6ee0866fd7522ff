#pragma once

// How herald's log lines look: on a terminal or in a file, a timestamp and the level; under
// systemd, when stderr is the journal's stream, a syslog priority prefix ("<3>", "<4>",
// "<6>", "<7>") that journald turns into the entry's PRIORITY, and no timestamp (journald
// adds its own). Either way one event is one line: control characters in a message are
// never written, so text a web page or a remote server controls cannot forge a log line.
// Header-only: spdlog is linked by the programs that log, not by herald_common.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

namespace herald {

// `text` made safe for one log line: ASCII control characters and DEL are dropped (tab, CR
// and LF become a space), as are the C1 controls U+0080..U+009F (some terminals obey them
// as escape sequences); U+2028/U+2029, which some viewers break lines at, become a space.
// Everything else, invalid UTF-8 included, is kept byte for byte.
inline std::string log_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\t' || c == '\n' || c == '\r') {
      out.push_back(' ');
      continue;
    }
    if (c < 0x20 || c == 0x7F) {
      continue;
    }
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        ++i;
        continue;
      }
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80) {
      const auto last = static_cast<unsigned char>(text[i + 2]);
      if (last == 0xA8 || last == 0xA9) {
        out.push_back(' ');
        i += 2;
        continue;
      }
    }
    out.push_back(static_cast<char>(c));
  }
  return out;
}

// True when `journal_stream` (the JOURNAL_STREAM variable systemd sets: "DEVICE:INODE" of
// the stream it connected to stdout/stderr) names the file `fd` is open on. A service whose
// stderr was redirected elsewhere (a file, a pipe) keeps the plain format.
inline bool fd_is_journal_stream(const char* journal_stream, int fd) {
  if (journal_stream == nullptr || *journal_stream == '\0') {
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return false;
  }
  unsigned long long device = 0;
  unsigned long long inode = 0;
  char extra = 0;
  if (std::sscanf(journal_stream, "%llu:%llu%c", &device, &inode, &extra) != 2) {
    return false;
  }
  return device == static_cast<unsigned long long>(st.st_dev) &&
         inode == static_cast<unsigned long long>(st.st_ino);
}

inline bool stderr_is_journal() {
  return fd_is_journal_stream(std::getenv("JOURNAL_STREAM"), STDERR_FILENO);
}

// sd-daemon(3) priorities: spdlog's critical/error/warn/info/debug/trace.
inline int syslog_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::critical: return 2;
    case spdlog::level::err: return 3;
    case spdlog::level::warn: return 4;
    case spdlog::level::info: return 6;
    default: return 7;
  }
}

// The formatter of herald's stderr logger (see the top of this file).
class LogFormatter final : public spdlog::formatter {
 public:
  explicit LogFormatter(bool journal) : journal_(journal) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    if (journal_) {
      append(dest, "<");
      append(dest, std::to_string(syslog_priority(msg.level)));
      append(dest, ">");
    } else {
      const std::time_t seconds = spdlog::log_clock::to_time_t(msg.time);
      std::tm local{};
      localtime_r(&seconds, &local);
      char stamp[32];
      const std::size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S ", &local);
      append(dest, std::string_view(stamp, n));
      // The level word is what the colour sink paints on a terminal.
      msg.color_range_start = dest.size();
      const auto& name = spdlog::level::to_string_view(msg.level);
      append(dest, std::string_view(name.data(), name.size()));
      msg.color_range_end = dest.size();
      append(dest, " ");
    }
    append(dest, log_safe(std::string_view(msg.payload.data(), msg.payload.size())));
    append(dest, "\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LogFormatter>(journal_);
  }

 private:
  static void append(spdlog::memory_buf_t& dest, std::string_view text) {
    dest.append(text.data(), text.data() + text.size());
  }

  bool journal_;
};

}  // namespace herald
