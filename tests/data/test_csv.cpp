// Tests: the CSV reader (quotes, line ends, BOM, malformed input) and the UTF-8 check.
#include <gtest/gtest.h>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"

using namespace lodestone;
using data::CsvReader;

namespace {
std::vector<std::vector<std::string>> ReadAll(std::string text, model::Diagnostics* d = nullptr) {
  CsvReader r(std::move(text), "f.csv", d);
  std::vector<std::string_view> f;
  std::vector<std::vector<std::string>> out;
  while (r.Next(f)) out.emplace_back(f.begin(), f.end());
  return out;
}
}  // namespace

TEST(Csv, QuotedFieldsAndDoubledQuotes) {
  auto rows = ReadAll("a,\"b,c\",\"say \"\"hi\"\"\"\n1,2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b,c", "say \"hi\""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "2", "3"}));
}

TEST(Csv, CrlfBomAndNoFinalNewline) {
  auto rows = ReadAll("\xEF\xBB\xBFx,y\r\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "x");
  EXPECT_EQ(rows[1][1], "2");
}

TEST(Csv, QuotedNewlineCountsLines) {
  CsvReader r("a,\"two\nlines\"\nb,c\n", "f.csv", nullptr);
  std::vector<std::string_view> f;
  ASSERT_TRUE(r.Next(f));
  EXPECT_EQ(f[1], "two\nlines");
  ASSERT_TRUE(r.Next(f));
  EXPECT_EQ(r.line(), 3u);
}

TEST(Csv, UnterminatedQuoteIsReported) {
  model::Diagnostics d;
  ReadAll("a,b\n1,\"open\n", &d);
  ASSERT_EQ(d.ErrorCount(), 1u);
  EXPECT_EQ(d.Items()[0].line, 2u);
  EXPECT_EQ(d.Items()[0].column, 2u);
  EXPECT_NE(d.Items()[0].message.find("unterminated quoted field"), std::string::npos);
}

TEST(Csv, StrayQuoteIsReported) {
  model::Diagnostics d;
  ReadAll("a,b\n1,x\"y\n", &d);
  ASSERT_EQ(d.ErrorCount(), 1u);
  EXPECT_EQ(d.Items()[0].line, 2u);
  EXPECT_EQ(d.Items()[0].column, 2u);
}

TEST(Csv, AMillionFieldsCostOneMessage) {
  std::string line(1000000, ',');
  model::Diagnostics d;
  CsvReader r(line + "\n", "f.csv", &d);
  std::vector<std::string_view> f;
  ASSERT_TRUE(r.Next(f));
  EXPECT_TRUE(r.record_malformed());
  EXPECT_EQ(f.size(), data::CsvOptions{}.max_fields);
  ASSERT_EQ(d.ErrorCount(), 1u);
  EXPECT_NE(d.Items()[0].message.find("1000001 fields on one line"), std::string::npos);
}

TEST(Csv, SemicolonDelimiter) {
  CsvReader r("a;\"1,5\"\n", "f.csv", nullptr, {';'});
  std::vector<std::string_view> f;
  ASSERT_TRUE(r.Next(f));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1], "1,5");
}

TEST(Csv, QuoteFieldRoundTrip) {
  for (std::string s : {"plain", "a,b", "say \"x\"", "two\nlines", ""}) {
    auto rows = ReadAll(data::QuoteCsvField(s) + ",z\n");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], s);
  }
}

TEST(Encoding, Utf8CheckFindsLineAndColumn) {
  EXPECT_FALSE(data::CheckUtf8("plain ascii\nand caf\xC3\xA9\n"));
  auto p = data::CheckUtf8("ok\nCongo, caf\xE9\n");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->line, 2u);
  EXPECT_EQ(p->column, 11u);
  EXPECT_NE(p->message.find("invalid UTF-8 byte 0xE9"), std::string::npos);
  auto nul = data::CheckUtf8(std::string("abc\0def", 7));
  ASSERT_TRUE(nul);
  EXPECT_NE(nul->message.find("NUL byte"), std::string::npos);
  auto bom16 = data::CheckUtf8(std::string_view("\xFF\xFEx\0", 4));
  ASSERT_TRUE(bom16);
  EXPECT_NE(bom16->message.find("UTF-16"), std::string::npos);
  EXPECT_TRUE(data::CheckUtf8("\xC0\xAF"));      // overlong
  EXPECT_TRUE(data::CheckUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(Encoding, Cp1252Conversion) {
  EXPECT_EQ(data::Cp1252ToUtf8("C\xF4te d\x92Ivoire \x97"), "C\xC3\xB4te d\xE2\x80\x99Ivoire \xE2\x80\x94");
  EXPECT_FALSE(data::CheckUtf8(data::Cp1252ToUtf8(std::string("\x80\x81\xFF"))));
}
