// ValidateStatusPage without a registry: what uptimectl checks before
// sending. The full field table and slug uniqueness are exercised through
// the registry in status_page_registry_test.cc.
#include "coordinator/catalog/status_page_validation.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace uptime::coordinator {
namespace {

using ::testing::StartsWith;

v1::StatusPage Page() {
  v1::StatusPage p;
  p.set_slug("acme");
  p.set_title("Acme status");
  v1::StatusPageGroup* g = p.add_groups();
  g->set_name("API");
  g->add_monitor_ids("mon-1");
  (*p.mutable_labels())["managed-by"] = "uptimectl";
  return p;
}

absl::Status Check(const v1::StatusPage& p) {
  const std::set<std::string> monitors = {"mon-1", "mon-2"};
  return ValidateStatusPage(p, [&](const std::string& id) { return monitors.contains(id); });
}

std::string Error(const v1::StatusPage& p) {
  absl::Status s = Check(p);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  return std::string(s.message());
}

TEST(StatusPageValidationTest, ValidPagePasses) {
  EXPECT_TRUE(Check(Page()).ok());
  v1::StatusPage p = Page();
  p.mutable_groups(0)->clear_monitor_ids();
  p.mutable_groups(0)->set_label_selector("team=core");
  EXPECT_TRUE(Check(p).ok());
}

TEST(StatusPageValidationTest, EachErrorNamesTheField) {
  v1::StatusPage p = Page();
  p.set_slug("Acme");
  EXPECT_THAT(Error(p), StartsWith("status_page.slug: must be 1..63"));
  p = Page();
  p.set_logo_url("javascript:alert(1)");
  EXPECT_THAT(Error(p), StartsWith("status_page.logo_url: must be an absolute"));
  p = Page();
  (*p.mutable_labels())[""] = "x";
  EXPECT_THAT(Error(p), StartsWith("status_page.labels"));
  p = Page();
  (*p.mutable_labels())["k"] = std::string(256, 'v');
  EXPECT_THAT(Error(p), StartsWith("status_page.labels"));
  p = Page();
  p.mutable_groups(0)->add_monitor_ids("mon-404");
  EXPECT_THAT(Error(p), StartsWith("status_page.groups[0].monitor_ids[1]: unknown monitor"));
  p = Page();
  p.mutable_groups(0)->add_monitor_ids("mon-1");
  EXPECT_THAT(Error(p), StartsWith("status_page.groups[0].monitor_ids[1]: duplicate"));
  p = Page();
  p.mutable_announcement()->mutable_expire_time()->set_nanos(-1);
  EXPECT_THAT(Error(p), StartsWith("status_page.announcement.expire_time"));
}

}  // namespace
}  // namespace uptime::coordinator
