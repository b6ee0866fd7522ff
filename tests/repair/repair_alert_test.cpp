// The alert about a source whose page stopped matching says a repair is proposed, and how
// to look at it: the alert's reason is the health reason (daemon/notify.h alert_verdict).

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/notify.h"
#include "daemon/notify_message.h"
#include "tests/repair/repair_support.h"

namespace herald::testing {
namespace {

using ::testing::HasSubstr;

class RepairAlertTest : public RepairFixture {};

TEST_F(RepairAlertTest, TheAlertSaysARepairIsProposed) {
  site_.show(Template::kOriginal, 5);
  ASSERT_TRUE(poll().ok());
  site_.show(Template::kRenamed, 6);
  ASSERT_EQ(poll().outcome, "no_match");

  auto health = store_->source_health(clock_.now_utc_seconds());
  ASSERT_TRUE(health.has_value() && health->size() == 1u);
  const AlertVerdict verdict = alert_verdict(health->front());
  ASSERT_TRUE(verdict.unhealthy);
  AlertBatch batch;
  batch.alerts.push_back(SourceAlert{.kind = AlertKind::kUnhealthy,
                                     .source_id = kSourceId,
                                     .source_name = "Template test notices",
                                     .state = verdict.state,
                                     .reason = verdict.reason});
  const EmailContent mail = email_content(Notification{batch}, MessageContext{});
  EXPECT_THAT(mail.text, HasSubstr("layout changed — a repair is proposed"));
  EXPECT_THAT(mail.text, HasSubstr("herald sources repair tpl-news"));
  EXPECT_THAT(webhook_body(Notification{batch}, WebhookFormat::kGeneric, MessageContext{}),
              HasSubstr("layout changed — a repair is proposed"));
}

}  // namespace
}  // namespace herald::testing
