#include "coordinator/notifiers/json_writer.h"

#include "coordinator/notifiers/testing/test_util.h"
#include "gtest/gtest.h"

namespace uptime::notifiers {
namespace {

TEST(JsonWriterTest, NestingAndCommas) {
  JsonWriter w;
  w.BeginObject();
  w.Key("a").Int(1);
  w.Key("b").BeginArray().String("x").Bool(true).Null().BeginObject().EndObject().EndArray();
  w.Key("c").StringMap({{"k", "v"}, {"l", "w"}});
  w.Key("d").StringArray({});
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x",true,null,{}],"c":{"k":"v","l":"w"},"d":[]})");
}

TEST(JsonWriterTest, EscapesControlCharactersAndQuotes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  EXPECT_EQ(JsonQuote("h\xC3\xA9llo"), "\"h\xC3\xA9llo\"");  // valid UTF-8 kept
}

TEST(JsonWriterTest, InvalidUtf8BecomesReplacementCharacter) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(SanitizeUtf8("a\xFF" "b"), "a" + replacement + "b");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), replacement + replacement);  // overlong
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), replacement + replacement + replacement);  // surrogate
  EXPECT_EQ(SanitizeUtf8("\xE2\x82"), replacement + replacement);  // truncated
  EXPECT_EQ(SanitizeUtf8("\xF0\x9F\x94\xB4"), "\xF0\x9F\x94\xB4");  // emoji
  // And the writer's output always parses.
  test::ParseJson(JsonQuote("bad \xFF\xFE bytes"));
}

TEST(JsonWriterTest, TruncateKeepsWholeCharacters) {
  EXPECT_EQ(TruncateUtf8("short", 10), "short");
  const std::string cut = TruncateUtf8("abcdefghij", 6);
  EXPECT_EQ(cut, "abc\xE2\x80\xA6");
  EXPECT_LE(cut.size(), 6u);
  // "é" is two bytes: never split.
  EXPECT_EQ(TruncateUtf8("\xC3\xA9\xC3\xA9\xC3\xA9", 5), "\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(TruncateUtf8("\xC3\xA9\xC3\xA9\xC3\xA9", 4), "\xE2\x80\xA6");
  EXPECT_EQ(SanitizeUtf8(TruncateUtf8("\xC3\xA9\xC3\xA9\xC3\xA9x", 6)),
            TruncateUtf8("\xC3\xA9\xC3\xA9\xC3\xA9x", 6));
}

}  // namespace
}  // namespace uptime::notifiers
