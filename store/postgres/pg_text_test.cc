// Pure encodings: COPY text escaping, array literals, JSON, times, page
// tokens.
#include "store/postgres/pg_text.h"

#include <random>

#include "gtest/gtest.h"
#include "store/paging.h"

namespace uptime::store {
namespace {

TEST(SanitizeUtf8Test, KeepsValidTextAndReplacesInvalidBytes) {
  EXPECT_EQ(SanitizeUtf8("plain ascii"), "plain ascii");
  EXPECT_EQ(SanitizeUtf8("\xc3\xbc \xe2\x9c\x93 \xf0\x9f\x98\x80"), "\xc3\xbc \xe2\x9c\x93 \xf0\x9f\x98\x80");
  EXPECT_EQ(SanitizeUtf8("a\xff" "b"), "a?b");
  EXPECT_EQ(SanitizeUtf8("cut \xc3"), "cut ?");
  EXPECT_EQ(SanitizeUtf8("\xc0\xaf"), "??");          // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xed\xa0\x80"), "???");      // surrogate
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b", 3)), "ab");
}

TEST(CopyTextTest, EscapesSeparatorsAndBackslashes) {
  std::string row;
  AppendCopyField(row, "a\tb\nc\rd\\e");
  AppendCopyInt(row, -7);
  AppendCopyBool(row, true);
  AppendCopyNull(row);
  AppendCopyTime(row, absl::FromUnixMicros(1'700'000'000'000'001));
  EndCopyRow(row);
  AppendCopyField(row, "\\N");
  EndCopyRow(row);
  EXPECT_EQ(row,
            "a\\tb\\nc\\rd\\\\e\t-7\tt\t\\N\t2023-11-14 22:13:20.000001+00\n"
            "\\\\N\n");
}

TEST(ArrayLiteralTest, QuotesAndEscapesElements) {
  EXPECT_EQ(TextArrayLiteral({"a", "b,c", "q\"x", "s\\t", "{}"}),
            R"({"a","b,c","q\"x","s\\t","{}"})");
  EXPECT_EQ(TextArrayLiteral({}), "{}");
  EXPECT_EQ(IntArrayLiteral({1, -2, 3}), "{1,-2,3}");
  EXPECT_EQ(NullableTextArrayLiteral({"a", "", "c"}, {true, false, true}), R"({"a",NULL,"c"})");
  EXPECT_EQ(ByteaArrayLiteral({std::string("\x01\xff", 2), ""}, {true, false}),
            R"({"\\x01ff",NULL})");
  EXPECT_EQ(TimeArrayLiteral({absl::UnixEpoch()}), R"({"1970-01-01 00:00:00.000000+00"})");
}

TEST(PgTimeTest, FormatsUtcMicrosAndInfinities) {
  EXPECT_EQ(PgTime(absl::FromUnixMicros(-1)), "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(PgTime(absl::InfinitePast()), "-infinity");
  EXPECT_EQ(PgTime(absl::InfiniteFuture()), "infinity");
}

TEST(PgTimeTest, MatchesTheGeneralFormatter) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> micros(-30'000'000'000'000'000, 253'000'000'000'000'000);
  std::vector<absl::Time> times = {absl::FromCivil(absl::CivilDay(2024, 2, 29), absl::UTCTimeZone()),
                                   absl::FromCivil(absl::CivilDay(2000, 3, 1), absl::UTCTimeZone()),
                                   absl::FromCivil(absl::CivilDay(1900, 3, 1), absl::UTCTimeZone())};
  for (int i = 0; i < 10'000; ++i) times.push_back(absl::FromUnixMicros(micros(rng)));
  for (absl::Time t : times) {
    ASSERT_EQ(PgTime(t), absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone()))
        << absl::ToUnixMicros(t);
  }
}

TEST(JsonTest, EncodesSortedObjectsWithEscapes) {
  google::protobuf::Map<std::string, std::string> map;
  map["b"] = "line\nbreak \"q\" \\";
  map["a"] = std::string("\x01", 1);
  EXPECT_EQ(JsonObject(map), R"({"a":"\u0001","b":"line\nbreak \"q\" \\"})");
  EXPECT_EQ(JsonObject({}), "{}");
}

TEST(PagingTest, TokensRoundTripAndRejectGarbage) {
  const PageCursor cursor{absl::FromUnixMicros(123456789), "agent/with/slashes"};
  absl::StatusOr<PageCursor> back = DecodePageToken(EncodePageToken(cursor));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->time, cursor.time);
  EXPECT_EQ(back->key, cursor.key);
  EXPECT_EQ(DecodePageToken("")->time, absl::InfiniteFuture());
  EXPECT_TRUE(absl::IsInvalidArgument(DecodePageToken("!!").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(DecodePageToken("bm9zbGFzaA").status()));  // "noslash"
  EXPECT_TRUE(AfterCursor(cursor, cursor.time - absl::Microseconds(1), "zzz"));
  EXPECT_TRUE(AfterCursor(cursor, cursor.time, "agent"));
  EXPECT_FALSE(AfterCursor(cursor, cursor.time, cursor.key));
  EXPECT_EQ(EffectivePageSize(0), 100);
  EXPECT_EQ(EffectivePageSize(5000), 1000);
}

}  // namespace
}  // namespace uptime::store
