// Tests: test_import_wgi — the World Bank WGI importer on the project's copies of the published
// files (official semicolon format and DataBank export) and on small broken files.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::data {
namespace {

using lodestone::testing::PublishedFile;
using lodestone::testing::ReferenceDir;
using lodestone::testing::SourceDir;
using lodestone::testing::TempDir;
using lodestone::testing::WriteFile;

constexpr std::size_t kEconomies = 214;
constexpr std::size_t kDataBankYears = 15;  // 2009..2023
constexpr std::string_view kOfficialHeader =
    "codeindyr;code;countryname;year;indicator;estimate;stddev;nsource;pctrank;pctranklower;pctrankupper\n";

const Reference& Ref() {
  static const Reference ref = Reference::Load(ReferenceDir());
  return ref;
}

std::filesystem::path OfficialFile() { return PublishedFile("wgi/raw/wgi_2023_official_format_semicolon.csv"); }
std::filesystem::path DataBankFile() {
  return PublishedFile("wgi/raw/wgi_databank_export_2009_2023_CC_GE_PV_RQ_VA.csv");
}

// governance.csv rows keyed by (country, year), as column name -> cell.
using Row = std::map<std::string, std::string>;
std::map<std::pair<std::string, std::string>, Row> ByCountryYear(const ImportResult& r) {
  const auto* schema = FindTable("governance.csv");
  std::map<std::pair<std::string, std::string>, Row> out;
  for (const auto& cells : r.tables.at("governance.csv").rows) {
    EXPECT_EQ(cells.size(), schema->columns.size());
    Row row;
    for (std::size_t i = 0; i < schema->columns.size() && i < cells.size(); ++i) {
      row[std::string(schema->columns[i])] = cells[i];
    }
    out[{row["country"], row["year"]}] = row;
  }
  return out;
}

// The diagnostics of an import that must fail.
model::Diagnostics FailingImport(const std::filesystem::path& file) {
  try {
    ImportWgi(file, Ref());
  } catch (const lodestone::Error& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "import of " << file << " did not fail";
  return {};
}

using lodestone::testing::HasError;

class ImportWgiOfficial : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { result_ = new ImportResult(ImportWgi(OfficialFile(), Ref())); }
  static void TearDownTestSuite() {
    delete result_;
    result_ = nullptr;
  }
  static ImportResult* result_;
};
ImportResult* ImportWgiOfficial::result_ = nullptr;

TEST_F(ImportWgiOfficial, EveryEconomyOnceFor2023) {
  auto rows = ByCountryYear(*result_);
  EXPECT_EQ(rows.size(), kEconomies);
  std::set<std::string> countries;
  for (const auto& [key, row] : rows) {
    EXPECT_EQ(key.second, "2023");
    EXPECT_EQ(row.at("source"), "wgi_2024");
    countries.insert(key.first);
  }
  EXPECT_EQ(countries.size(), kEconomies);
  EXPECT_FALSE(result_->diagnostics.HasErrors());
  ASSERT_EQ(result_->sources.size(), 1u);
  EXPECT_EQ(result_->sources[0].id, "wgi_2024");
}

TEST_F(ImportWgiOfficial, LegacyCodesMapToIso) {
  auto rows = ByCountryYear(*result_);
  // ZAR is DR Congo although some of its rows are named "Congo" like COG's.
  EXPECT_EQ(rows.at({"COD", "2023"}).at("pv"), "-2.04");
  EXPECT_EQ(rows.at({"COD", "2023"}).at("cc"), "-1.48");
  EXPECT_EQ(rows.at({"COG", "2023"}).at("pv"), "0.02");
  EXPECT_EQ(rows.at({"AND", "2023"}).at("pv"), "1.58");   // ADO
  EXPECT_EQ(rows.at({"XKX", "2023"}).at("cc"), "-0.19");  // KSV
  EXPECT_EQ(rows.at({"ROU", "2023"}).at("va"), "0.5");    // ROM, printed "0,50"
  EXPECT_EQ(rows.at({"TLS", "2023"}).at("ge"), "-0.84");  // TMP
  EXPECT_EQ(rows.at({"PSE", "2023"}).at("pv"), "-1.87");  // WBG
  for (std::string_view legacy : {"ADO", "ZAR", "ROM", "TMP", "WBG", "KSV"}) {
    EXPECT_EQ(rows.count({std::string(legacy), "2023"}), 0u) << legacy;
  }
}

TEST_F(ImportWgiOfficial, CommaDecimalsParsed) {
  auto rows = ByCountryYear(*result_);
  const auto& afg = rows.at({"AFG", "2023"});
  EXPECT_EQ(afg.at("cc"), "-1.15");  // "-1,15"
  EXPECT_EQ(rows.at({"ASM", "2023"}).at("cc"), "1.25");
}

TEST_F(ImportWgiOfficial, MissingStaysMissing) {
  auto rows = ByCountryYear(*result_);
  const auto& ant = rows.at({"ANT", "2023"});
  for (std::string_view ind : {"va", "pv", "ge", "rq", "rl", "cc"}) EXPECT_EQ(ant.at(std::string(ind)), "NA") << ind;
  EXPECT_EQ(rows.at({"NIU", "2023"}).at("pv"), "NA");
  EXPECT_EQ(rows.at({"NIU", "2023"}).at("va"), "NA");
  EXPECT_NE(rows.at({"NIU", "2023"}).at("cc"), "NA");
  // Nothing missing became zero: the file prints "0,00" nowhere for these.
  std::size_t na = 0;
  for (const auto& [key, row] : rows) {
    for (std::string_view ind : {"va", "pv", "ge", "rq", "rl", "cc"}) na += row.at(std::string(ind)) == "NA";
  }
  EXPECT_EQ(na, 15u);  // the 15 ".." estimates of the file
}

TEST_F(ImportWgiOfficial, StatsCountTheFile) {
  std::map<std::string, std::size_t> stats(result_->stats.begin(), result_->stats.end());
  EXPECT_EQ(stats.at("records read (official format)"), kEconomies * 6);
  EXPECT_EQ(stats.at("economies"), kEconomies);
  EXPECT_EQ(stats.at("legacy codes mapped"), 6u);
  EXPECT_EQ(stats.at("estimates missing (NA)"), 15u);
}

TEST_F(ImportWgiOfficial, ApplyImportValidates) {
  TempDir tmp;
  auto ds = ApplyImport(*result_, tmp / "dataset", Ref());
  const auto& g = ds->governance;
  ASSERT_EQ(g.size(), kEconomies);
  auto cod = ds.FindCountry("COD");
  ASSERT_TRUE(cod.has_value());
  auto it = std::find(g.country.begin(), g.country.end(), *cod);
  ASSERT_NE(it, g.country.end());
  auto i = static_cast<std::size_t>(it - g.country.begin());
  EXPECT_EQ(g.year[i], 2023);
  ASSERT_TRUE(g.pv[i].IsKnown());
  EXPECT_DOUBLE_EQ(g.pv[i].number, -2.04);
  // A second import of the same source replaces the first: still one row per economy.
  auto again = ApplyImport(*result_, tmp / "dataset", Ref());
  EXPECT_EQ(again->governance.size(), kEconomies);
}

TEST_F(ImportWgiOfficial, Deterministic) {
  auto second = ImportWgi(OfficialFile(), Ref());
  EXPECT_EQ(second.tables.at("governance.csv").rows, result_->tables.at("governance.csv").rows);
}

TEST(ImportWgiDataBank, FullPrecisionAndNoRuleOfLaw) {
  auto r = ImportWgi(DataBankFile(), Ref());
  auto rows = ByCountryYear(r);
  EXPECT_EQ(rows.size(), kEconomies * kDataBankYears);
  const auto& afg = rows.at({"AFG", "2023"});
  EXPECT_EQ(afg.at("cc"), "-1.15493178367615");
  EXPECT_EQ(afg.at("ge"), "-1.98701369762421");
  EXPECT_EQ(afg.at("rl"), "NA");  // not in the export: missing, never 0
  EXPECT_EQ(rows.at({"AFG", "2009"}).at("pv"), "-2.71142148971558");
  EXPECT_EQ(rows.at({"COD", "2023"}).at("pv"), "-2.04486203193665");
  for (const auto& [key, row] : rows) EXPECT_EQ(row.at("rl"), "NA") << key.first << " " << key.second;
  // ".." in the export stays NA; ANT has no figure at all but is still listed.
  EXPECT_EQ(rows.at({"NIU", "2023"}).at("pv"), "NA");
  EXPECT_EQ(rows.at({"NIU", "2022"}).at("pv"), "1.37735855579376");
  EXPECT_EQ(rows.at({"ANT", "2015"}).at("cc"), "NA");
  EXPECT_FALSE(r.diagnostics.HasErrors());
  TempDir tmp;
  auto ds = ApplyImport(r, tmp / "dataset", Ref());
  EXPECT_EQ(ds->governance.size(), kEconomies * kDataBankYears);
}

TEST(ImportWgiErrors, UnknownCodeReportedWithPlace) {
  TempDir tmp;
  auto file = tmp / "wgi.csv";
  WriteFile(file, std::string(kOfficialHeader) +
                      "AFGcc2023;AFG;Afghanistan;2023;cc;-1,15;0,17;8;13,7;6,1;20,8\n"
                      "XYZcc2023;XYZ;Nowhere;2023;cc;0,10;0,17;8;13,7;6,1;20,8\n"
                      "AFGpv2023;AFG;Afghanistan;2023;pv;abc;0,17;8;13,7;6,1;20,8\n"
                      "QQQpv2023;QQQ;Elsewhere;2023;pv;0,10;0,17;8;13,7;6,1;20,8\n");
  auto d = FailingImport(file);
  EXPECT_TRUE(HasError(d, 3, 2, "unknown WGI economy code 'XYZ'")) << d.Format();
  EXPECT_TRUE(HasError(d, 4, 6, "estimate 'abc'")) << d.Format();
  EXPECT_TRUE(HasError(d, 5, 2, "'QQQ'")) << d.Format();  // every problem, not only the first
  EXPECT_EQ(d.ErrorCount(), 3u) << d.Format();
  for (const auto& item : d.Items()) EXPECT_EQ(item.file, file.string());
}

TEST(ImportWgiErrors, BadYearIndicatorAndDuplicate) {
  TempDir tmp;
  auto file = tmp / "wgi.csv";
  WriteFile(file, std::string(kOfficialHeader) +
                      "AFGcc2023;AFG;Afghanistan;20x3;cc;-1,15;0,17;8;13,7;6,1;20,8\n"
                      "AFGxx2023;AFG;Afghanistan;2023;xx;-1,15;0,17;8;13,7;6,1;20,8\n"
                      "AFGcc2023;AFG;Afghanistan;2023;cc;-1,15;0,17;8;13,7;6,1;20,8\n"
                      "AFGcc2023;AFG;Afghanistan;2023;cc;-1,16;0,17;8;13,7;6,1;20,8\n"
                      "AFGge2023;AFG;Afghanistan;2023;ge;9,5;0,17;8;13,7;6,1;20,8\n"
                      "AFGrl2023;AFG;Afghanistan;2023;rl;-1,15\n");
  auto d = FailingImport(file);
  EXPECT_TRUE(HasError(d, 2, 4, "year '20x3'")) << d.Format();
  EXPECT_TRUE(HasError(d, 3, 5, "unknown indicator 'xx'")) << d.Format();
  EXPECT_TRUE(HasError(d, 5, 0, "duplicate cc estimate")) << d.Format();
  EXPECT_TRUE(HasError(d, 6, 6, "outside")) << d.Format();
  EXPECT_TRUE(HasError(d, 7, 0, "expected 11 fields")) << d.Format();
}

TEST(ImportWgiErrors, LegacyAndIsoCodeForOneEconomy) {
  TempDir tmp;
  auto file = tmp / "wgi.csv";
  WriteFile(file, std::string(kOfficialHeader) +
                      "ZARcc2023;ZAR;Congo;2023;cc;-1,48;0,15;12;5,2;0,9;10,4\n"
                      "CODpv2023;COD;Congo, Dem. Rep.;2023;pv;-2,04;0,21;7;5,2;2,4;7,6\n");
  auto d = FailingImport(file);
  EXPECT_TRUE(HasError(d, 3, 2, "both denote COD")) << d.Format();
}

TEST(ImportWgiErrors, UnrecognisedHeader) {
  TempDir tmp;
  auto file = tmp / "wgi.csv";
  WriteFile(file, "country,year,value\nAFG,2023,1\n");
  auto d = FailingImport(file);
  EXPECT_TRUE(HasError(d, 1, 0, "header not recognised")) << d.Format();
}

TEST(ImportWgiErrors, DataBankUnknownCodeAndValue) {
  TempDir tmp;
  auto file = tmp / "databank.csv";
  WriteFile(file,
            "Country Name,Country Code,Series Name,Series Code,2022 [YR2022],2023 [YR2023]\n"
            "Afghanistan,AFG,Control of Corruption: Estimate,CC.EST,-1.18,..\n"
            "Atlantis,ATL,Control of Corruption: Estimate,CC.EST,0.1,0.2\n"
            "Afghanistan,AFG,Voice and Accountability: Estimate,VA.EST,1.2.3,0.5\n"
            ",,,,,\n"
            "Data from database: Worldwide Governance Indicators,,,,,\n");
  auto d = FailingImport(file);
  EXPECT_TRUE(HasError(d, 3, 2, "'ATL'")) << d.Format();
  EXPECT_TRUE(HasError(d, 4, 5, "estimate '1.2.3'")) << d.Format();
  EXPECT_EQ(d.ErrorCount(), 2u) << d.Format();
}

TEST(ImportWgiDataBankSmall, OtherSeriesSkippedAndMissingYearsNa) {
  TempDir tmp;
  auto file = tmp / "databank.csv";
  WriteFile(file,
            "\xEF\xBB\xBF"
            "Country Name,Country Code,Series Name,Series Code,2022 [YR2022],2023 [YR2023]\r\n"
            "Afghanistan,AFG,Control of Corruption: Estimate,CC.EST,-1.18,..\r\n"
            "Afghanistan,AFG,Control of Corruption: Percentile Rank,CC.PER.RNK,10.5,12.1\r\n"
            "Kosovo,XKX,Rule of Law: Estimate,RL.EST,-0.3,-0.31\r\n");
  auto r = ImportWgi(file, Ref());
  auto rows = ByCountryYear(r);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows.at({"AFG", "2022"}).at("cc"), "-1.18");
  EXPECT_EQ(rows.at({"AFG", "2023"}).at("cc"), "NA");
  EXPECT_EQ(rows.at({"AFG", "2023"}).at("rl"), "NA");
  EXPECT_EQ(rows.at({"XKX", "2023"}).at("rl"), "-0.31");
  EXPECT_EQ(rows.at({"XKX", "2023"}).at("cc"), "NA");
  EXPECT_EQ(r.diagnostics.WarningCount(), 1u);  // the rank series, once
}

TEST(ImportWgiEncoding, Windows1252NamesDoNotMatter) {
  TempDir tmp;
  auto file = tmp / "wgi.csv";
  // "Côte d'Ivoire" in Windows-1252: the name is not read, the code is.
  WriteFile(file,
            std::string(kOfficialHeader) + "CIVcc2023;CIV;C\xF4te d'Ivoire;2023;cc;-0,31;0,15;14;44,3;32,1;51,9\n");
  auto r = ImportWgi(file, Ref());
  auto rows = ByCountryYear(r);
  EXPECT_EQ(rows.at({"CIV", "2023"}).at("cc"), "-0.31");
  EXPECT_EQ(r.diagnostics.WarningCount(), 1u);
}

}  // namespace
}  // namespace lodestone::data

namespace lodestone::data {
namespace {

// A header-only WGI file over a dataset holding the WGI rows would delete them all: refused.
TEST_F(ImportWgiOfficial, HeaderOnlyFileIsRefusedOverAnExistingDataset) {
  TempDir tmp;
  ApplyImport(*result_, tmp / "dataset", Ref());
  auto file = tmp / "wgi.csv";
  WriteFile(file, std::string(kOfficialHeader));
  auto empty = ImportWgi(file, Ref());
  try {
    ApplyImport(empty, tmp / "dataset", Ref());
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("yields no rows"), std::string::npos) << msg;
    EXPECT_NE(msg.find("governance.csv"), std::string::npos) << msg;
  }
  EXPECT_EQ(LoadDatasetOrThrow(tmp / "dataset")->governance.size(), kEconomies);
}

}  // namespace
}  // namespace lodestone::data
