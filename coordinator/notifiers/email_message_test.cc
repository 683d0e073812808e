#include "coordinator/notifiers/email_message.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "coordinator/notifiers/testing/test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::notifiers {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(EmailSubjectTest, TagsByKind) {
  Alert a = test::SampleDownAlert();
  EXPECT_EQ(EmailSubject(a), "[DOWN] api-prod");
  a.kind = AlertKind::kRecovered;
  EXPECT_EQ(EmailSubject(a), "[RECOVERED] api-prod");
  a.kind = AlertKind::kStillDown;
  EXPECT_EQ(EmailSubject(a), "[STILL DOWN] api-prod");
  a.kind = AlertKind::kTlsExpiring;
  EXPECT_EQ(EmailSubject(a), "[TLS EXPIRING] api-prod");
  a.kind = AlertKind::kTest;
  EXPECT_EQ(EmailSubject(a), "[TEST] Uptime Monitor");
  EXPECT_EQ(EmailSubject(test::SampleGroup(12)), "[DOWN] 12 monitors");
}

TEST(EmailContentTest, TextAndHtmlBodies) {
  Alert a = test::SampleDownAlert();
  a.cause = "body had <script>";
  const EmailContent c = BuildEmailContent(a);
  EXPECT_THAT(c.text, HasSubstr("api-prod is DOWN\n\n"));
  EXPECT_THAT(c.text, HasSubstr("Target: https://api.example.com/health\n"));
  EXPECT_THAT(c.text, HasSubstr("Cause: body had <script>\n"));
  EXPECT_THAT(c.text, HasSubstr("Down since: 2023-11-14 22:13:20 UTC\n"));
  EXPECT_THAT(c.text, HasSubstr("Down for: 3m 20s\n"));
  EXPECT_THAT(c.text, HasSubstr("Locations: eu-west, us-east\n"));
  EXPECT_THAT(c.text, HasSubstr("Incident: inc-42\n"));
  EXPECT_THAT(c.text, HasSubstr("Dashboard: https://uptime.example.com/monitors/mon-1\n"));
  EXPECT_THAT(c.html, HasSubstr("<h2>api-prod is DOWN</h2>"));
  EXPECT_THAT(c.html, HasSubstr("<td>body had &lt;script&gt;</td>"));
  EXPECT_THAT(c.html, Not(HasSubstr("<script>")));
  EXPECT_THAT(c.html, HasSubstr("href=\"https://uptime.example.com/monitors/mon-1\""));
}

TEST(EmailContentTest, GroupListsMembers) {
  const EmailContent c = BuildEmailContent(test::SampleGroup(60));
  EXPECT_THAT(c.text, HasSubstr("60 monitors are DOWN"));
  EXPECT_THAT(c.text, HasSubstr("- m0 (host0:443): status: HTTP 503 from eu-west\n"));
  EXPECT_THAT(c.text, HasSubstr("...and 10 more"));
  EXPECT_THAT(c.html, HasSubstr("<li>m49 (host49:443)"));
  EXPECT_THAT(c.html, Not(HasSubstr("<li>m50 ")));
}

TEST(RenderMimeTest, MultipartAlternativeWithHeaders) {
  const EmailContent c = BuildEmailContent(test::SampleDownAlert());
  MimeEnvelope env;
  env.from = "uptime@example.com";
  env.to = {"a@example.com", "b@example.com"};
  env.date = test::SampleTime();
  env.message_id = "inc-42.1@example.com";
  env.thread_id = "incident.inc-42@example.com";
  env.event = "down";
  const std::string mime = RenderMime(c, env);
  const test::ParsedMime p = test::ParseMime(mime);
  EXPECT_THAT(p.headers, HasSubstr("From: uptime@example.com\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("To: a@example.com, b@example.com\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("Subject: [DOWN] api-prod\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("Message-ID: <inc-42.1@example.com>\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("References: <incident.inc-42@example.com>\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("X-Uptime-Event: down\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("MIME-Version: 1.0\r\n"));
  EXPECT_THAT(p.headers, HasSubstr("Content-Type: multipart/alternative; boundary="));
  EXPECT_EQ(p.text, c.text);
  EXPECT_EQ(p.html, c.html);
  for (absl::string_view line : absl::StrSplit(mime, "\r\n")) EXPECT_LE(line.size(), 998u);
}

TEST(RenderMimeTest, HeaderInjectionAndNonAsciiSubjects) {
  Alert a = test::SampleDownAlert();
  a.monitor.name = "evil\r\nBcc: victim@example.com";
  EmailContent c = BuildEmailContent(a);
  MimeEnvelope env;
  env.from = "u@example.com";
  env.to = {"a@example.com"};
  env.date = test::SampleTime();
  env.message_id = "x@example.com";
  const std::string mime = RenderMime(c, env);
  EXPECT_THAT(mime, Not(HasSubstr("\r\nBcc:")));
  EXPECT_THAT(mime, HasSubstr("Subject: [DOWN] evil  Bcc: victim@example.com\r\n"));

  EXPECT_EQ(EncodeHeaderValue("plain ascii"), "plain ascii");
  const std::string encoded = EncodeHeaderValue("[DOWN] caf\xC3\xA9");
  EXPECT_EQ(encoded, "=?UTF-8?B?" + absl::Base64Escape("[DOWN] caf\xC3\xA9") + "?=");
  // Long values fold into several encoded words, none longer than 75.
  std::string long_name;
  for (int i = 0; i < 40; ++i) long_name += "\xC3\xA9";
  for (absl::string_view word : absl::StrSplit(EncodeHeaderValue(long_name), "\r\n ")) {
    EXPECT_LE(word.size(), 75u);
    std::string decoded;
    ASSERT_TRUE(absl::Base64Unescape(word.substr(10, word.size() - 12), &decoded));
    EXPECT_EQ(decoded.size() % 2, 0u);  // whole characters only
  }
}

}  // namespace
}  // namespace uptime::notifiers
