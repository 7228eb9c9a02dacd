// Tests: a corpus of broken datasets. Each fault must give its exact error (file, line, column,
// message), every problem must be reported at once, and no Dataset may come out.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"

using namespace lodestone;
using lodestone::testing::ReadFile;
using lodestone::testing::TempDir;
using lodestone::testing::WriteFile;

namespace {

std::filesystem::path Mini() { return std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "mini"; }

// A copy of the mini dataset in which one file is replaced.
class Broken {
 public:
  Broken() {
    for (const auto& e : std::filesystem::directory_iterator(Mini())) {
      std::filesystem::copy_file(e.path(), tmp_ / e.path().filename().string());
    }
  }
  void Set(const std::string& file, std::string_view content) { WriteFile(tmp_ / file, content); }
  // Replaces the first occurrence of `from` in `file`.
  void Edit(const std::string& file, const std::string& from, const std::string& to) {
    auto text = ReadFile(tmp_ / file);
    auto p = text.find(from);
    ASSERT_NE(p, std::string::npos) << from;
    text.replace(p, from.size(), to);
    WriteFile(tmp_ / file, text);
  }
  data::LoadResult Load() const { return data::LoadDataset(tmp_.path()); }
  std::string Path(const std::string& file) const { return (tmp_ / file).string(); }

 private:
  TempDir tmp_;
};

// Asserts the load failed and that one of its errors is exactly at (file, line, column) with a
// message containing `text`.
void ExpectError(const data::LoadResult& r, const std::string& file, std::size_t line, std::size_t column,
                 const std::string& text) {
  ASSERT_FALSE(r.dataset.has_value()) << "a broken dataset was loaded";
  for (const auto& d : r.diagnostics.Items()) {
    if (d.file == file && d.line == line && d.column == column && d.message.find(text) != std::string::npos) return;
  }
  ADD_FAILURE() << "expected " << file << ":" << line << ":" << column << ": " << text << "\ngot:\n"
                << r.diagnostics.Format();
}

}  // namespace

TEST(BrokenInputs, TheMiniDatasetIsValid) {
  Broken b;
  auto r = b.Load();
  ASSERT_TRUE(r.dataset) << r.diagnostics.Format();
}

TEST(BrokenInputs, UnknownCountryCode) {
  Broken b;
  b.Edit("production.csv", "lithium,mining,AUS", "lithium,mining,AUX");
  ExpectError(b.Load(), b.Path("production.csv"), 4, 3, "unknown country code 'AUX' (not in countries.csv)");
}

TEST(BrokenInputs, UnknownMineral) {
  Broken b;
  b.Edit("reserves.csv", "cobalt,COD", "kobalt,COD");
  ExpectError(b.Load(), b.Path("reserves.csv"), 2, 1, "unknown mineral 'kobalt'");
}

TEST(BrokenInputs, NegativeQuantity) {
  Broken b;
  b.Edit("production.csv", "92000", "-92000");
  ExpectError(b.Load(), b.Path("production.csv"), 4, 5, "negative quantity");
}

TEST(BrokenInputs, NonNumericQuantity) {
  Broken b;
  b.Edit("production.csv", "92000", "92,000");
  // The comma splits the field: the row has one field too many.
  ExpectError(b.Load(), b.Path("production.csv"), 4, 9, "expected 8 fields, found 9");
  Broken c;
  c.Edit("production.csv", "92000", "92k");
  ExpectError(c.Load(), c.Path("production.csv"), 4, 5, "'92k': expected a number");
}

TEST(BrokenInputs, NanAndInfinity) {
  Broken b;
  b.Edit("production.csv", "92000", "NaN");
  b.Edit("reserves.csv", "6000000", "inf");
  auto r = b.Load();
  ExpectError(r, b.Path("production.csv"), 4, 5, "NaN and infinity are not figures");
  ExpectError(r, b.Path("reserves.csv"), 2, 4, "NaN and infinity are not figures");
}

TEST(BrokenInputs, DuplicateKey) {
  Broken b;
  b.Edit("production.csv", "lithium,mining,CHL", "lithium,mining,AUS");
  ExpectError(b.Load(), b.Path("production.csv"), 5, 0,
              "duplicate key (mineral, stage, country, year): same as line 4");
}

TEST(BrokenInputs, DuplicateTradeFlows) {
  // Next to each other (the sorted fast path) ...
  Broken b;
  b.Edit("trade.csv", "CHL,JPN,2022,unknown", "CHL,USA,2022,unknown");
  ExpectError(b.Load(), b.Path("trade.csv"), 3, 0,
              "duplicate key (mineral, stage, product, exporter, importer, year): same as line 2");
  // ... and apart, after the order broke (keys rebuilt and sorted).
  Broken c;
  c.Set("trade.csv", ReadFile(c.Path("trade.csv")) + "lithium,refining,283691,CHL,USA,2022,5,t Li,7,test_src\n");
  c.Edit("dataset.json", "\"trade.csv\": {\"rows\": 2}", "\"trade.csv\": {\"rows\": 3}");
  auto r = c.Load();
  ExpectError(r, c.Path("trade.csv"), 4, 0,
              "duplicate key (mineral, stage, product, exporter, importer, year): same as line 2");
  EXPECT_EQ(r.diagnostics.ErrorCount(), 1u) << r.diagnostics.Format();
}

TEST(BrokenInputs, SharesThatDoNotSumToOne) {
  Broken b;
  b.Edit("shares.csv", "CHN,2016-2020,0.56", "CHN,2016-2020,0.46");
  ExpectError(b.Load(), b.Path("shares.csv"), 2, 0,
              "shares of lithium refining (global, 2016-2020) sum to 0.9, expected 1");
}

TEST(BrokenInputs, ShareAboveOne) {
  Broken b;
  b.Edit("shares.csv", "CHN,2016-2020,0.56", "CHN,2016-2020,56");
  ExpectError(b.Load(), b.Path("shares.csv"), 2, 6, "share 56 is above 1");
}

TEST(BrokenInputs, UnitMismatch) {
  Broken b;
  b.Edit("production.csv", "92000,t Li", "92000,t");
  ExpectError(b.Load(), b.Path("production.csv"), 4, 6, "unit mismatch: 't' does not convert to lithium's unit 't Li'");
  Broken c;
  c.Edit("production.csv", "92000,t Li", "92000,tons");
  ExpectError(c.Load(), c.Path("production.csv"), 4, 6, "unit 'tons' not understood");
}

TEST(BrokenInputs, UnterminatedQuote) {
  Broken b;
  b.Edit("production.csv", "\"Reported, with a comma\"", "\"Reported, with a comma");
  ExpectError(b.Load(), b.Path("production.csv"), 5, 8, "unterminated quoted field");
}

TEST(BrokenInputs, WrongFieldCount) {
  Broken b;
  b.Edit("reserves.csv", "lithium,CHL,2025,9200000,t Li,test_src,", "lithium,CHL,2025,9200000,t Li,test_src");
  ExpectError(b.Load(), b.Path("reserves.csv"), 3, 7, "expected 7 fields, found 6");
}

TEST(BrokenInputs, TruncatedFile) {
  Broken b;
  auto text = ReadFile(b.Path("production.csv"));
  // Cut in the middle of the fourth data row.
  auto cut = text.find("lithium,mining,USA");
  b.Set("production.csv", text.substr(0, cut + 10));
  auto r = b.Load();
  ExpectError(r, b.Path("production.csv"), 6, 3, "expected 8 fields, found 2 (file truncated?)");
  ExpectError(r, b.Path("production.csv"), 0, 0, "5 data rows, but dataset.json lists 6 (file truncated?)");
}

TEST(BrokenInputs, WrongEncoding) {
  Broken b;
  b.Edit("production.csv", "Estimated.", "Estim\xE9");  // a Latin-1 e-acute
  ExpectError(b.Load(), b.Path("production.csv"), 2, 48, "invalid UTF-8 byte 0xE9");
  Broken c;
  c.Set("minerals.csv", std::string_view("\xFF\xFEi\0d\0", 6));
  ExpectError(c.Load(), c.Path("minerals.csv"), 1, 1, "UTF-16");
}

TEST(BrokenInputs, EmptyFile) {
  Broken b;
  b.Set("groups.csv", "");
  ExpectError(b.Load(), b.Path("groups.csv"), 1, 0,
              "empty file: expected the header line 'group,country,role,since,source'");
}

TEST(BrokenInputs, HeaderOnly) {
  Broken b;
  b.Set("trade.csv", "mineral,stage,product,exporter,importer,year,quantity,unit,value_usd,source\n");
  ExpectError(b.Load(), b.Path("trade.csv"), 0, 0, "0 data rows, but dataset.json lists 2");
  Broken c;
  c.Set("minerals.csv", "id,name,unit,lists\n");
  auto r = c.Load();
  ExpectError(r, c.Path("minerals.csv"), 0, 0, "header only: this table needs at least one row");
  // Every row naming a mineral is now an error too, each reported.
  ExpectError(r, c.Path("production.csv"), 2, 1, "unknown mineral 'cobalt'");
}

TEST(BrokenInputs, AMillionColumns) {
  Broken b;
  std::string row = "lithium,mining,JPN,2025,1,t Li,test_src," + std::string(1000000, ',') + "\n";
  b.Set("production.csv", ReadFile(b.Path("production.csv")) + row);
  auto r = b.Load();
  ExpectError(r, b.Path("production.csv"), 8, 4097, "1000008 fields on one line; at most 4096 are read");
  EXPECT_LT(r.diagnostics.Items().size(), 10u);
}

TEST(BrokenInputs, BinaryGarbage) {
  Broken b;
  std::string garbage;
  std::uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1664525u + 1013904223u;
    garbage += static_cast<char>(x >> 24);
  }
  b.Set("countries.csv", garbage);
  auto r = b.Load();
  ASSERT_FALSE(r.dataset);
  ASSERT_FALSE(r.diagnostics.Items().empty());
  EXPECT_EQ(r.diagnostics.Items()[0].file, b.Path("countries.csv"));
}

TEST(BrokenInputs, UnknownSourceAndMissingColumn) {
  Broken b;
  b.Edit("governance.csv", "0.1,test_src", "0.1,nobody");
  b.Edit("headlines.csv", "scenario,evidence", "scenario,grade");
  auto r = b.Load();
  ExpectError(r, b.Path("governance.csv"), 2, 9, "unknown source 'nobody' (not in dataset.json sources)");
  ExpectError(r, b.Path("headlines.csv"), 1, 9, "unknown column 'grade'");
  ExpectError(r, b.Path("headlines.csv"), 1, 0, "missing column 'evidence'");
}

TEST(BrokenInputs, MalformedManifest) {
  Broken b;
  b.Edit("dataset.json", "\"version\": \"1\",", "\"version\": \"1\"");
  ExpectError(b.Load(), b.Path("dataset.json"), 4, 8, "malformed JSON");
  Broken c;
  c.Edit("dataset.json", "\"rule\": \"Remainder assigned to other countries\"", "\"note\": \"x\"");
  ExpectError(c.Load(), c.Path("dataset.json"), 0, 0, "sources[1]: missing \"rule\"");
}

TEST(BrokenInputs, AllProblemsAreReportedAtOnce) {
  Broken b;
  b.Edit("production.csv", "lithium,mining,AUS", "lithium,mining,AUX");
  b.Edit("production.csv", "56000", "-5");
  b.Edit("reserves.csv", "cobalt,COD", "kobalt,COD");
  b.Edit("governance.csv", "-2.04", "-20.4");
  auto r = b.Load();
  ASSERT_FALSE(r.dataset);
  EXPECT_EQ(r.diagnostics.ErrorCount(), 4u) << r.diagnostics.Format();
}

TEST(BrokenInputs, MissingListedFile) {
  Broken b;
  std::filesystem::remove(b.Path("trade.csv"));
  ExpectError(b.Load(), b.Path("trade.csv"), 0, 0, "file listed in dataset.json is missing");
}

TEST(BrokenInputs, NetExporterIsNotAQuantity) {
  Broken b;
  b.Edit("production.csv", "92000", "E");
  ExpectError(b.Load(), b.Path("production.csv"), 4, 5, "'E' (net exporter) is a value of import reliance only");
  // Where the USGS convention applies, E stays a value.
  Broken c;
  c.Edit("import_reliance.csv", ">0.5", "E");
  auto r = c.Load();
  ASSERT_TRUE(r.dataset) << r.diagnostics.Format();
}

TEST(BrokenInputs, BelowZeroBoundIsNegative) {
  Broken b;
  b.Edit("production.csv", "92000", "<0");
  ExpectError(b.Load(), b.Path("production.csv"), 4, 5, "negative quantity");
}

TEST(BrokenInputs, UnderflowIsReportedAsSuch) {
  Broken b;
  b.Edit("production.csv", "92000", "1e-400");
  ExpectError(b.Load(), b.Path("production.csv"), 4, 5, "too small for a double (it underflows to 0)");
}

TEST(BrokenInputs, FiguresThatCouldOverflowSumsAreRejected) {
  Broken b;
  b.Edit("production.csv", "92000", "1e308");
  b.Edit("reserves.csv", "6000000", "1e999");
  auto r = b.Load();
  ExpectError(r, b.Path("production.csv"), 4, 5, "number too large: figures are at most 1e100");
  ExpectError(r, b.Path("reserves.csv"), 2, 4, "nor is a number beyond a double's range");
}

TEST(BrokenInputs, DuplicateKeyInManifest) {
  Broken b;
  b.Edit("dataset.json", "\"version\": \"1\",", "\"version\": \"1\", \"version\": \"2\",");
  ExpectError(b.Load(), b.Path("dataset.json"), 0, 0, "duplicate key \"version\"");
}

TEST(BrokenInputs, FifoInPlaceOfATableIsRefusedNotRead) {
  Broken b;
  std::filesystem::remove(b.Path("trade.csv"));
  ASSERT_EQ(::mkfifo(b.Path("trade.csv").c_str(), 0600), 0);
  // Reading the FIFO would block for ever; the loader must refuse it at once.
  auto r = b.Load();
  ASSERT_FALSE(r.dataset);
  EXPECT_NE(r.diagnostics.Format().find("not a regular file"), std::string::npos) << r.diagnostics.Format();
}
