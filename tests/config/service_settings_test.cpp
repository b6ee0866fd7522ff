// herald.toml's service settings: [web] metrics, [schedule] timezone, [archive], [storage]
// database care, [notify] (webhooks and e-mail), and the source files' [fetch] internal.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.h"
#include "tests/support/fixtures.h"

namespace herald {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kDay = 86400;

class ServiceSettingsTest : public ::testing::Test {
 protected:
  fs::path write(std::string_view text) {
    file_ = dir_.path() / "herald.toml";
    std::ofstream out(file_, std::ios::binary);
    out << text;
    return file_;
  }

  HeraldConfig load_good(std::string_view text) {
    Result<HeraldConfig> config = load_herald_config(write(text));
    EXPECT_TRUE(config.has_value()) << config.error().message;
    return config ? std::move(*config) : HeraldConfig{};
  }

  // The whole error message of a file that must be rejected.
  std::string load_bad(std::string_view text) {
    Result<HeraldConfig> config = load_herald_config(write(text));
    EXPECT_FALSE(config.has_value()) << "loaded " << file_;
    if (config) {
      return "";
    }
    EXPECT_EQ(config.error().code, ErrorCode::kConfig);
    return config.error().message;
  }

  // "FILE:LINE:COL: key 'KEY': "
  std::string at(int line, int column, std::string_view key) const {
    return file_.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
           ": key '" + std::string(key) + "': ";
  }

  testing::TempDir dir_;
  fs::path file_;
};

// ---- defaults ---------------------------------------------------------------------------

TEST_F(ServiceSettingsTest, DefaultsFollowTheDatabase) {
  const HeraldConfig config = load_good("[storage]\ndatabase = \"state/h.db\"\n");
  const fs::path state = dir_.path() / "state";
  EXPECT_TRUE(config.web.metrics);
  EXPECT_EQ(config.local_zone.name(), "Asia/Shanghai");
  EXPECT_TRUE(config.archive.enabled);
  EXPECT_EQ(config.archive.dir, state / "evidence");
  EXPECT_EQ(config.archive.retention, seconds{3 * 365 * kDay});
  EXPECT_EQ(config.db_care.backup_dir, state / "backups");
  EXPECT_EQ(config.db_care.backup_at, minutes{3 * 60 + 15});
  EXPECT_EQ(config.db_care.backup_keep, 7);
  EXPECT_FALSE(config.db_care.item_retention.has_value());
  EXPECT_TRUE(config.notify.webhooks.empty());
  EXPECT_FALSE(config.notify.email.has_value());
  EXPECT_FALSE(config.notify.digest_at.has_value());
  EXPECT_EQ(config.notify.digest_max_items, 50);
  EXPECT_TRUE(config.notify.alerts);
}

TEST_F(ServiceSettingsTest, ShippedHeraldTomlKeepsTheDocumentedDefaults) {
  Result<HeraldConfig> config =
      load_herald_config(fs::path(HERALD_SOURCE_ROOT) / "config" / "herald.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->web.metrics);
  EXPECT_EQ(config->local_zone.name(), "Asia/Shanghai");
  EXPECT_TRUE(config->archive.enabled);
  EXPECT_EQ(config->archive.dir, config->database.parent_path() / "evidence");
  EXPECT_EQ(config->db_care.backup_at, minutes{3 * 60 + 15});
  EXPECT_EQ(config->db_care.backup_keep, 7);
  EXPECT_EQ(config->db_care.backup_dir, config->database.parent_path() / "backups");
  EXPECT_TRUE(config->notify.webhooks.empty());
  EXPECT_FALSE(config->notify.email.has_value());
  EXPECT_FALSE(config->notify.digest_at.has_value());
}

// ---- [web] metrics, [schedule] timezone ------------------------------------------------

TEST_F(ServiceSettingsTest, MetricsCanBeTurnedOff) {
  EXPECT_FALSE(load_good("[web]\nmetrics = false\n").web.metrics);
  const std::string message = load_bad("[web]\nmetrics = \"no\"\n");
  EXPECT_THAT(message, HasSubstr(at(2, 11, "web.metrics") + "expected true or false, found a "
                                                            "string"));
}

TEST_F(ServiceSettingsTest, ScheduleTimezoneIsAnIanaZone) {
  const HeraldConfig config = load_good("[schedule]\ntimezone = \"America/New_York\"\n");
  EXPECT_EQ(config.local_zone.name(), "America/New_York");
  // 2026-07-01 12:00 UTC is 08:00 EDT.
  EXPECT_EQ(config.local_zone.offset_at_utc(1782907200), -4 * 3600);

  EXPECT_EQ(load_good("[schedule]\ntimezone = \"UTC\"\n").local_zone.offset_at_utc(0), 0);

  const std::string message = load_bad("[schedule]\njitter = 0.1\ntimezone = \"Asia/Beijing\"\n");
  EXPECT_THAT(message, AllOf(HasSubstr(at(3, 12, "schedule.timezone") +
                                       "unknown time zone \"Asia/Beijing\""),
                             HasSubstr("write an IANA zone name such as \"Asia/Shanghai\"")));
}

// ---- [archive] --------------------------------------------------------------------------

TEST_F(ServiceSettingsTest, ArchiveSettings) {
  HeraldConfig config = load_good("[archive]\nenabled = false\ndir = \"../evidence\"\n"
                                  "retention = \"1095d\"\n");
  EXPECT_FALSE(config.archive.enabled);
  EXPECT_EQ(config.archive.dir, (dir_.path().parent_path() / "evidence").lexically_normal());
  EXPECT_EQ(config.archive.retention, seconds{1095 * kDay});

  config = load_good("[archive]\nretention = \"forever\"\n");
  EXPECT_FALSE(config.archive.retention.has_value());
  config = load_good("[archive]\nretention = \"2y180d\"\n");
  EXPECT_EQ(config.archive.retention, seconds{(2 * 365 + 180) * kDay});
}

TEST_F(ServiceSettingsTest, ArchiveProblems) {
  const std::string message = load_bad("[archive]\n"
                                       "enabled = 1\n"
                                       "dir = \"\"\n"
                                       "retention = \"3 years\"\n"
                                       "retension = \"1y\"\n");
  EXPECT_THAT(message, HasSubstr(at(2, 11, "archive.enabled") + "expected true or false"));
  EXPECT_THAT(message, HasSubstr(at(3, 7, "archive.dir") + "is empty"));
  EXPECT_THAT(message, HasSubstr(at(4, 13, "archive.retention") +
                                 "'3 years' is neither a duration nor \"forever\"; write a "
                                 "number and a unit (d, y = 365 days), e.g. \"90d\", \"3y\", or "
                                 "\"forever\""));
  EXPECT_THAT(message, HasSubstr(at(5, 1, "archive.retension") +
                                 "unknown key in [archive]; did you mean 'retention'?"));

  EXPECT_THAT(load_bad("[archive]\nretention = \"12h\"\n"),
              HasSubstr(at(2, 13, "archive.retention") + "\"12h\" is too short; write at least "
                                                         "\"1d\", or \"forever\""));
  EXPECT_THAT(load_bad("[archive]\nretention = \"101y\"\n"),
              HasSubstr(at(2, 13, "archive.retention") + "\"101y\" is too long; write at most "
                                                         "\"100y\""));
  EXPECT_THAT(load_bad("[archive]\nretention = 3\n"),
              HasSubstr(at(2, 13, "archive.retention") + "expected a duration string or "
                                                         "\"forever\", found a whole number"));
}

// ---- [storage] database care -------------------------------------------------------------

TEST_F(ServiceSettingsTest, DatabaseCareSettings) {
  HeraldConfig config = load_good("[storage]\ndatabase = \"/var/lib/herald/herald.db\"\n"
                                  "backup_dir = \"/srv/backup/herald\"\nbackup_at = \"23:59\"\n"
                                  "backup_keep = 365\nitem_retention = \"2y\"\n");
  EXPECT_EQ(config.db_care.backup_dir, fs::path("/srv/backup/herald"));
  EXPECT_EQ(config.db_care.backup_at, minutes{23 * 60 + 59});
  EXPECT_EQ(config.db_care.backup_keep, 365);
  EXPECT_EQ(config.db_care.item_retention, seconds{2 * 365 * kDay});
  // The archive default still follows the database.
  EXPECT_EQ(config.archive.dir, fs::path("/var/lib/herald/evidence"));

  config = load_good("[storage]\nbackup_at = \"off\"\nbackup_keep = 1\n"
                     "item_retention = \"forever\"\n");
  EXPECT_FALSE(config.db_care.backup_at.has_value());
  EXPECT_EQ(config.db_care.backup_keep, 1);
  EXPECT_FALSE(config.db_care.item_retention.has_value());
  config = load_good("[storage]\nbackup_at = \"00:00\"\n");
  EXPECT_EQ(config.db_care.backup_at, minutes{0});
}

TEST_F(ServiceSettingsTest, DatabaseCareProblems) {
  const std::string message = load_bad("[storage]\n"
                                       "backup_at = \"3:15\"\n"
                                       "backup_keep = 0\n"
                                       "item_retention = \"forever and ever\"\n"
                                       "backup_dirs = \"x\"\n");
  EXPECT_THAT(message, HasSubstr(at(2, 13, "storage.backup_at") +
                                 "'3:15' is not a time of day; write a 24-hour local time in "
                                 "quotes, e.g. backup_at = \"03:15\", or backup_at = \"off\""));
  EXPECT_THAT(message, HasSubstr(at(3, 15, "storage.backup_keep") + "0 is out of range; write a "
                                                                    "number from 1 to 365"));
  EXPECT_THAT(message, HasSubstr(at(4, 18, "storage.item_retention") + "'forever and ever' is "
                                                                       "neither a duration"));
  EXPECT_THAT(message, HasSubstr(at(5, 1, "storage.backup_dirs") +
                                 "unknown key in [storage]; did you mean 'backup_dir'?"));
  for (const std::string_view bad : {"24:00", "12:60", "12.30", "noon", "1230"}) {
    EXPECT_THAT(load_bad(fmt::format("[storage]\nbackup_at = \"{}\"\n", bad)),
                HasSubstr(at(2, 13, "storage.backup_at") +
                          fmt::format("'{}' is not a time of day", bad)));
  }
  EXPECT_THAT(load_bad("[storage]\nbackup_at = 315\n"),
              HasSubstr(at(2, 13, "storage.backup_at") + "expected a string, found a whole "
                                                         "number; write a 24-hour local time"));
  EXPECT_THAT(load_bad("[storage]\nbackup_keep = 366\n"),
              HasSubstr(at(2, 15, "storage.backup_keep") + "366 is out of range"));
}

// ---- [notify] ---------------------------------------------------------------------------

constexpr std::string_view kFullNotify = R"([notify]
digest_at = "08:30"
digest_max_items = 20
alerts = false

[[notify.webhook]]
name = "editors-wecom"
format = "wecom"
url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-secret-key"
alerts = false

[[notify.webhook]]
name = "ops-slack"
format = "slack"
url = "https://hooks.slack.com/services/T000/B000/slack-secret"
digest = false

[[notify.webhook]]
name = "intranet"
url = "http://10.0.0.5:9000/herald"

[notify.email]
smtp_url = "smtps://mail.example.com:465"
from = "herald@example.com"
to = ["editors@example.com", "lead@example.cn"]
username = "herald"
password = "mail-secret-password"
require_tls = false
digest = true
alerts = false
)";

TEST_F(ServiceSettingsTest, NotifySettings) {
  const HeraldConfig config = load_good(kFullNotify);
  const NotifySettings& notify = config.notify;
  EXPECT_EQ(notify.digest_at, minutes{8 * 60 + 30});
  EXPECT_EQ(notify.digest_max_items, 20);
  EXPECT_FALSE(notify.alerts);
  ASSERT_EQ(notify.webhooks.size(), 3u);
  EXPECT_EQ(notify.webhooks[0].name, "editors-wecom");
  EXPECT_EQ(notify.webhooks[0].format, WebhookFormat::kWeCom);
  EXPECT_EQ(notify.webhooks[0].url,
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-secret-key");
  EXPECT_TRUE(notify.webhooks[0].digest);
  EXPECT_FALSE(notify.webhooks[0].alerts);
  EXPECT_EQ(notify.webhooks[1].format, WebhookFormat::kSlack);
  EXPECT_FALSE(notify.webhooks[1].digest);
  EXPECT_TRUE(notify.webhooks[1].alerts);
  EXPECT_EQ(notify.webhooks[2].format, WebhookFormat::kGeneric);
  EXPECT_EQ(notify.webhooks[2].url, "http://10.0.0.5:9000/herald");

  ASSERT_TRUE(notify.email.has_value());
  const EmailTarget& email = *notify.email;
  EXPECT_EQ(email.smtp_url, "smtps://mail.example.com:465");
  EXPECT_EQ(email.from, "herald@example.com");
  EXPECT_THAT(email.to, ElementsAre("editors@example.com", "lead@example.cn"));
  EXPECT_EQ(email.username, "herald");
  EXPECT_EQ(email.password, "mail-secret-password");
  EXPECT_FALSE(email.require_tls);
  EXPECT_TRUE(email.digest);
  EXPECT_FALSE(email.alerts);
}

TEST_F(ServiceSettingsTest, EveryWebhookFormatAndEmailDefaults) {
  const HeraldConfig config = load_good(R"([[notify.webhook]]
name = "a"
format = "generic"
url = "https://a.example.com/"
[[notify.webhook]]
name = "b"
format = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=x"
[[notify.webhook]]
name = "c"
format = "feishu"
url = "https://open.feishu.cn/open-apis/bot/v2/hook/x"
[notify.email]
smtp_url = "smtp://127.0.0.1:2525"
from = "herald@localhost"
to = ["ops@localhost"]
)");
  ASSERT_EQ(config.notify.webhooks.size(), 3u);
  EXPECT_EQ(config.notify.webhooks[0].format, WebhookFormat::kGeneric);
  EXPECT_EQ(config.notify.webhooks[1].format, WebhookFormat::kDingTalk);
  EXPECT_EQ(config.notify.webhooks[2].format, WebhookFormat::kFeishu);
  ASSERT_TRUE(config.notify.email.has_value());
  EXPECT_TRUE(config.notify.email->username.empty());
  EXPECT_TRUE(config.notify.email->password.empty());
  EXPECT_TRUE(config.notify.email->require_tls);
  EXPECT_TRUE(config.notify.email->digest);
  EXPECT_TRUE(config.notify.email->alerts);
  EXPECT_FALSE(config.notify.digest_at.has_value());
}

TEST_F(ServiceSettingsTest, NotifyProblems) {
  const std::string message = load_bad(R"([notify]
digest_at = "8:30am"
digest_max_items = 501
alert = true
)");
  EXPECT_THAT(message, HasSubstr(at(2, 13, "notify.digest_at") +
                                 "'8:30am' is not a time of day; write a 24-hour local time in "
                                 "quotes, e.g. digest_at = \"08:30\", or digest_at = \"off\""));
  EXPECT_THAT(message, HasSubstr(at(3, 20, "notify.digest_max_items") +
                                 "501 is out of range; write a number from 1 to 500"));
  EXPECT_THAT(message, HasSubstr(at(4, 1, "notify.alert") + "unknown key in [notify]; did you "
                                                            "mean 'alerts'?"));
  EXPECT_FALSE(load_good("[notify]\ndigest_at = \"off\"\n").notify.digest_at.has_value());
}

TEST_F(ServiceSettingsTest, WebhookProblemsNeverShowTheUrl) {
  const std::string message = load_bad(R"([[notify.webhook]]
name = "chat"
format = "teams"
url = "ftp://hooks.example.com/send?key=first-secret"
[[notify.webhook]]
format = "slack"
url = "https://hooks.slack.com/services/T0/B0/second-secret"
[[notify.webhook]]
name = "chat"
url = "https:///path?key=third-secret"
[[notify.webhook]]
name = "chat"
url = "https://x.example.com/a b?key=fourth-secret"
digest = "yes"
[[notify.webhook]]
name = "chat2"
url = 42
)");
  EXPECT_THAT(message, HasSubstr(at(3, 10, "notify.webhook[0].format") +
                                 "unknown format 'teams'; write one of: generic, slack, wecom, "
                                 "dingtalk, feishu"));
  EXPECT_THAT(message, HasSubstr(at(4, 7, "notify.webhook[0].url") +
                                 "is not an http:// or https:// address"));
  EXPECT_THAT(message, HasSubstr(at(5, 1, "notify.webhook[1].name") + "missing; add e.g. name = "
                                                                      "\"editors-wecom\""));
  EXPECT_THAT(message, HasSubstr(at(10, 7, "notify.webhook[2].url") + "has no host name"));
  EXPECT_THAT(message, HasSubstr(at(13, 7, "notify.webhook[3].url") + "contains a space"));
  EXPECT_THAT(message, HasSubstr(at(14, 10, "notify.webhook[3].digest") + "expected true or "
                                                                          "false"));
  EXPECT_THAT(message, HasSubstr(at(17, 7, "notify.webhook[4].url") + "expected a string, found "
                                                                      "a whole number"));
  for (const std::string_view secret :
       {"first-secret", "second-secret", "third-secret", "fourth-secret", "hooks.example.com",
        "hooks.slack", "x.example.com"}) {
    EXPECT_THAT(message, Not(HasSubstr(secret)));
  }
}

TEST_F(ServiceSettingsTest, DuplicateWebhookNamesAndSingleBracketWebhook) {
  EXPECT_THAT(load_bad("[[notify.webhook]]\nname = \"chat\"\nurl = \"https://a.example.com/\"\n"
                       "[[notify.webhook]]\nname = \"chat\"\nurl = \"https://b.example.com/\"\n"),
              HasSubstr(at(5, 8, "notify.webhook[1].name") + "webhook 'chat' is already defined "
                                                             "at line 2"));
  EXPECT_THAT(load_bad("[notify.webhook]\nname = \"chat\"\nurl = \"https://a.example.com/\"\n"),
              AllOf(HasSubstr("key 'notify.webhook': expected [[notify.webhook]] sections"),
                    HasSubstr("double brackets")));
}

TEST_F(ServiceSettingsTest, EmailProblemsNeverShowThePassword) {
  const std::string message = load_bad(R"([notify.email]
smtp_url = "http://mail.example.com"
from = "Herald <herald@example.com>"
to = ["editors@example.com", "not-an-address", 7, "two@@example.com"]
password = "pw-secret-1"
require_tls = "yes"
)");
  EXPECT_THAT(message, HasSubstr(at(2, 12, "notify.email.smtp_url") +
                                 "is not an smtp:// or smtps:// address"));
  EXPECT_THAT(message, HasSubstr(at(3, 8, "notify.email.from") +
                                 "'Herald <herald@example.com>' is not an e-mail address; write a "
                                 "plain address"));
  EXPECT_THAT(message, HasSubstr(at(4, 30, "notify.email.to[1]") +
                                 "'not-an-address' is not an e-mail address"));
  EXPECT_THAT(message, HasSubstr(at(4, 48, "notify.email.to[2]") +
                                 "a whole number is not an e-mail address"));
  EXPECT_THAT(message, HasSubstr(at(4, 51, "notify.email.to[3]") +
                                 "'two@@example.com' is not an e-mail address"));
  EXPECT_THAT(message, HasSubstr(at(5, 12, "notify.email.password") +
                                 "is set without a username"));
  EXPECT_THAT(message, HasSubstr(at(6, 15, "notify.email.require_tls") + "expected true or "
                                                                         "false"));
  EXPECT_THAT(message, Not(HasSubstr("pw-secret-1")));

  const std::string credentials = load_bad(R"([notify.email]
smtp_url = "smtp://herald:pw-secret-2@mail.example.com:587"
from = "herald@example.com"
to = ["editors@example.com"]
username = "herald"
password = """two
lines pw-secret-3"""
)");
  EXPECT_THAT(credentials, HasSubstr(at(2, 12, "notify.email.smtp_url") +
                                     "contains a user name or password"));
  EXPECT_THAT(credentials, HasSubstr(at(6, 12, "notify.email.password") +
                                     "contains a line break"));
  EXPECT_THAT(credentials, AllOf(Not(HasSubstr("pw-secret-2")), Not(HasSubstr("pw-secret-3"))));

  EXPECT_THAT(load_bad("[notify.email]\nsmtp_url = \"smtp://mail.example.com\"\n"
                       "from = \"herald@example.com\"\nto = []\n"),
              HasSubstr(at(4, 6, "notify.email.to") + "is empty; list at least one address"));
  const std::string missing = load_bad("[notify.email]\nsmtp_url = \"smtps://\"\n");
  EXPECT_THAT(missing, HasSubstr(at(2, 12, "notify.email.smtp_url") + "has no host name"));
  EXPECT_THAT(missing, HasSubstr("key 'notify.email.from': missing"));
  EXPECT_THAT(missing, HasSubstr("key 'notify.email.to': missing"));
}

// ---- source files: [fetch] internal ----------------------------------------------------

TEST_F(ServiceSettingsTest, SourceFetchInternal) {
  constexpr std::string_view kSource = R"(id = "intranet"
name = "Firm intranet"
kind = "company"
type = "feed"
url = "https://intranet.example.com/feed.xml"
[fetch]
internal = true
)";
  const fs::path file = dir_.path() / "intranet.toml";
  {
    std::ofstream out(file, std::ios::binary);
    out << kSource;
  }
  Result<SourceConfig> source = load_source_file(file);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_TRUE(source->fetch.internal);

  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << std::string(kSource.substr(0, kSource.find("[fetch]")));
  }
  source = load_source_file(file);
  ASSERT_TRUE(source.has_value()) << source.error().message;
  EXPECT_FALSE(source->fetch.internal);

  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << std::string(kSource.substr(0, kSource.find("internal"))) << "internal = \"yes\"\n";
  }
  source = load_source_file(file);
  ASSERT_FALSE(source.has_value());
  EXPECT_THAT(source.error().message,
              HasSubstr(file.string() + ":7:12: key 'fetch.internal': expected true or false"));
}

}  // namespace
}  // namespace herald
