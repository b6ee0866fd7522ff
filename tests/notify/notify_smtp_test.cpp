// The e-mail channel against a real SMTP server: Debian's aiosmtpd, run as a sink that
// writes each message it receives into a Maildir. Python's own e-mail parser then decodes
// what arrived, so the headers and body are checked by an independent reader.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon/notify.h"
#include "daemon/notify_message.h"
#include "daemon/notify_send.h"
#include "scrapers/fetch/curl_fetcher.h"
#include "tests/notify/notify_support.h"

namespace herald {
namespace {

using nlohmann::json;
using testing::add_candidate;
using testing::day0;
using testing::slot;

constexpr const char* kPython = "/usr/bin/python3";

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// aiosmtpd -n -l 127.0.0.1:PORT -c aiosmtpd.handlers.Mailbox DIR, stopped in the destructor.
class SmtpSink {
 public:
  explicit SmtpSink(const std::filesystem::path& maildir) : maildir_(maildir) {
    port_ = free_port();
    const std::string listen = fmt::format("127.0.0.1:{}", port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(kPython, kPython, "-m", "aiosmtpd", "-n", "-l", listen.c_str(), "-c",
              "aiosmtpd.handlers.Mailbox", maildir.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait for the port to accept connections (a safety net of 30 s, not a schedule).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!accepts_connections(port_) && std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~SmtpSink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  bool running() const { return pid_ > 0 && accepts_connections(port_); }
  std::string url() const { return fmt::format("smtp://127.0.0.1:{}", port_); }

  std::vector<std::filesystem::path> messages() const {
    std::vector<std::filesystem::path> out;
    const auto fresh = maildir_ / "new";
    if (std::filesystem::is_directory(fresh)) {
      for (const auto& entry : std::filesystem::directory_iterator(fresh)) {
        out.push_back(entry.path());
      }
    }
    return out;
  }

 private:
  std::filesystem::path maildir_;
  int port_ = -1;
  pid_t pid_ = -1;
};

// The message as Python's e-mail package reads it: decoded headers, body and envelope.
json decode_with_python(const std::filesystem::path& message, const std::filesystem::path& dir) {
  const auto script = dir / "decode.py";
  std::ofstream(script) << R"(import email, email.policy, json, sys
with open(sys.argv[1], 'rb') as f:
    m = email.message_from_binary_file(f, policy=email.policy.default)
print(json.dumps({
    'subject': str(m['Subject']),
    'from': str(m['From']),
    'to': str(m['To']),
    'rcpt': str(m['X-RcptTo']),
    'mail_from': str(m['X-MailFrom']),
    'date': str(m['Date']),
    'message_id': str(m['Message-ID']),
    'content_type': m.get_content_type(),
    'charset': m.get_content_charset(),
    'defects': len(m.defects),
    'body': m.get_content(),
}))
)";
  const std::string command = fmt::format("'{}' '{}' '{}'", kPython, script.string(), message.string());
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return {};
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    out.append(buffer, n);
  }
  ::pclose(pipe);
  return json::parse(out, nullptr, false);
}

class NotifySmtpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPython)) {
      GTEST_SKIP() << "no /usr/bin/python3 (scripts/bootstrap installs python3-aiosmtpd)";
    }
    sink_ = std::make_unique<SmtpSink>(dir_.path() / "maildir");
    ASSERT_TRUE(sink_->running())
        << "aiosmtpd did not start: is python3-aiosmtpd installed (scripts/bootstrap)?";
  }

  EmailTarget target() const {
    return EmailTarget{.smtp_url = sink_->url(),
                       .from = "herald 通知 <herald@example.org>",
                       .to = {"编辑部 <editors@example.org>", "chief@example.org"},
                       .require_tls = false};
  }

  CurlGlobal curl_;
  testing::TempDir dir_;
  std::unique_ptr<SmtpSink> sink_;
};

TEST_F(NotifySmtpTest, TheDigestArrivesAsAProperUtf8MessageToEveryRecipient) {
  const auto db = dir_.path() / "herald.db";
  Loaded loaded = testing::loaded_config(db);
  loaded.config.notify.email = target();
  {
    Store store = testing::open_db(db);
    ASSERT_TRUE(store.set_state(std::string(kLastDigestKey), std::to_string(slot(-1)), slot(-1)));
    add_candidate(store, "bj-gov", "关于规范生成式人工智能服务的通知", day0() + 60);
    add_candidate(store, "openai-news", "Safety evaluations hub", day0() + 120, {"AI"});
  }
  auto notifier = make_notify_task(loaded);
  ASSERT_NE(notifier, nullptr);
  std::atomic<bool> stop{false};

  notifier->run_due(slot(0) + 1, stop);

  const auto messages = sink_->messages();
  ASSERT_EQ(messages.size(), 1u);
  const json mail = decode_with_python(messages[0], dir_.path());
  ASSERT_TRUE(mail.is_object()) << "python could not read the message";
  EXPECT_EQ(mail["subject"], "herald 新候选：2 条（2026-11-01 08:30 以来）");
  EXPECT_EQ(mail["from"], "herald 通知 <herald@example.org>");
  EXPECT_NE(mail["to"].get<std::string>().find("编辑部 <editors@example.org>"), std::string::npos)
      << mail["to"];
  EXPECT_NE(mail["to"].get<std::string>().find("chief@example.org"), std::string::npos);
  EXPECT_EQ(mail["rcpt"], "editors@example.org, chief@example.org");
  EXPECT_EQ(mail["mail_from"], "herald@example.org");
  EXPECT_EQ(mail["content_type"], "text/plain");
  EXPECT_EQ(mail["charset"], "utf-8");
  EXPECT_EQ(mail["defects"], 0);
  EXPECT_NE(mail["message_id"].get<std::string>().find("@example.org>"), std::string::npos);
  EXPECT_NE(mail["date"].get<std::string>().find("+0800"), std::string::npos) << mail["date"];
  const std::string body = mail["body"];
  EXPECT_NE(body.find("1. 关于规范生成式人工智能服务的通知"), std::string::npos) << body;
  EXPECT_NE(body.find("来源：北京市人民政府 · 工作动态"), std::string::npos) << body;
  EXPECT_NE(body.find("2. Safety evaluations hub"), std::string::npos) << body;
  EXPECT_NE(body.find("审核队列：https://herald.example.org/queue"), std::string::npos) << body;
}

TEST_F(NotifySmtpTest, RequireTlsRefusesAServerWithoutStarttls) {
  EmailTarget strict = target();
  strict.require_tls = true;
  const std::string message =
      build_email(EmailContent{"subject", "body"}, strict, day0(), TimeZone::utc(), "<x@y>");

  auto sent = send_mail(strict, message, SendLimits{});

  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kTls) << sent.error().message;
  EXPECT_TRUE(sink_->messages().empty());
}

}  // namespace
}  // namespace herald
