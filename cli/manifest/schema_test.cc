#include "cli/manifest/schema.h"

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace uptime::cli::manifest {
namespace {

// The checked-in schema is what editors load; it must follow the protos.
TEST(SchemaTest, CheckedInSchemaIsUpToDate) {
  const std::string path = std::string(UPTIME_SOURCE_DIR) + "/docs/schema/uptime-v1.schema.json";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), ManifestJsonSchema())
      << path << " is out of date; regenerate it with\n"
      << "  build/bin/uptime_manifest_schema > docs/schema/uptime-v1.schema.json";
}

TEST(SchemaTest, DescribesEveryKindAndHidesOutputOnlyFields) {
  const std::string schema = ManifestJsonSchema();
  for (const char* kind :
       {"\"Channel\"", "\"Monitor\"", "\"MaintenanceWindow\"", "\"StatusPage\""}) {
    EXPECT_NE(schema.find(kind), std::string::npos) << kind;
  }
  EXPECT_NE(schema.find("\"channels\""), std::string::npos);
  EXPECT_EQ(schema.find("\"channelIds\""), std::string::npos);
  EXPECT_EQ(schema.find("\"createTime\""), std::string::npos);
  EXPECT_EQ(schema.find("\"resolvedMonitorIds\""), std::string::npos);
}

}  // namespace
}  // namespace uptime::cli::manifest
