// Tests: test_import_eu — the EU CRM 2023 Annex 7 importer on the project's copies of the two
// published share tables (global supply, EU sourcing) and on small broken files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "data/test_fixtures.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {
namespace {

using lodestone::testing::PublishedFile;
using lodestone::testing::ReferenceDir;
using lodestone::testing::SourceDir;
using lodestone::testing::TempDir;
using lodestone::testing::WriteFile;

constexpr std::string_view kHeader = "Material,Stage,Country,Share,t\n";

const Reference& Ref() {
  static const Reference ref = Reference::Load(ReferenceDir());
  return ref;
}

std::filesystem::path GlobalFile() {
  return PublishedFile("eu_crm_2023/eu_crm_2023_annex7_global_supply_shares_t.csv");
}
std::filesystem::path SourcingFile() {
  return PublishedFile("eu_crm_2023/eu_crm_2023_annex7_eu_sourcing_shares_t.csv");
}

// shares.csv rows as column name -> cell, keyed by (mineral, stage, scope, country).
using Row = std::map<std::string, std::string>;
using Key = std::tuple<std::string, std::string, std::string, std::string>;
std::map<Key, Row> Shares(const ImportResult& r) {
  const auto* schema = FindTable("shares.csv");
  std::map<Key, Row> out;
  for (const auto& cells : r.tables.at("shares.csv").rows) {
    EXPECT_EQ(cells.size(), schema->columns.size());
    Row row;
    for (std::size_t i = 0; i < schema->columns.size() && i < cells.size(); ++i) {
      row[std::string(schema->columns[i])] = cells[i];
    }
    Key key{row["mineral"], row["stage"], row["scope"], row["country"]};
    EXPECT_EQ(out.count(key), 0u) << "duplicate " << row["mineral"] << " " << row["country"];
    out[key] = row;
  }
  return out;
}

double Number(const std::string& cell) {
  model::Value v;
  EXPECT_EQ(model::ParseValueCell(cell, false, v), model::ValueParse::Ok) << cell;
  return v.number;
}

model::Diagnostics FailingImport(const std::vector<std::filesystem::path>& files) {
  try {
    ImportEuAnnex7(files, Ref());
  } catch (const lodestone::Error& e) {
    return e.diagnostics();
  }
  ADD_FAILURE() << "import did not fail";
  return {};
}

using lodestone::testing::HasError;

class ImportEuAnnex7Real : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { result_ = new ImportResult(ImportEuAnnex7({GlobalFile(), SourcingFile()}, Ref())); }
  static void TearDownTestSuite() {
    delete result_;
    result_ = nullptr;
  }
  static ImportResult* result_;
};
ImportResult* ImportEuAnnex7Real::result_ = nullptr;

TEST_F(ImportEuAnnex7Real, PublishedFiguresAsFractions) {
  auto s = Shares(*result_);
  const auto& cobalt = s.at({"cobalt", "refining", "global", "CHN"});
  EXPECT_EQ(cobalt.at("share"), "0.596");  // "59.6%"
  EXPECT_EQ(cobalt.at("t"), "1.0");
  EXPECT_EQ(cobalt.at("period"), "2016-2020");
  EXPECT_EQ(cobalt.at("source"), "eu_crm_2023_annex7");
  EXPECT_EQ(s.at({"lithium", "mining", "global", "AUS"}).at("share"), "0.53");  // "53.0%"
  EXPECT_EQ(s.at({"nickel", "mining", "global", "IDN"}).at("share"), "0.263");
  EXPECT_EQ(s.at({"nickel", "mining", "global", "IDN"}).at("t"), "1.3");
  // Publisher spellings resolved through countries.csv aliases.
  EXPECT_EQ(s.at({"cobalt", "mining", "global", "COD"}).at("source"), "eu_crm_2023_annex7");  // "Congo, D.R."
  EXPECT_EQ(s.count({"graphite", "mining", "sourcing:EU", "KOR"}), 1u);                       // "Korea, South"
  EXPECT_EQ(s.count({"nickel", "mining", "global", "TUR"}), 1u);                              // "Türkiye"
}

TEST_F(ImportEuAnnex7Real, BelowBoundsStayBounds) {
  auto s = Shares(*result_);
  EXPECT_EQ(s.at({"nickel", "mining", "global", "MAR"}).at("share"), "<0.001");  // "<0.1%"
  EXPECT_EQ(s.at({"nickel", "mining", "global", "VNM"}).at("share"), "<0.001");
}

TEST_F(ImportEuAnnex7Real, ResidualCompletesShortDistributions) {
  auto s = Shares(*result_);
  const auto& xot = s.at({"nickel", "mining", "global", "XOT"});
  EXPECT_EQ(xot.at("share"), "0.091");  // 100% - 90.9% listed
  EXPECT_EQ(xot.at("source"), "assume_eu_residual");
  EXPECT_EQ(xot.at("t"), "");
  EXPECT_EQ(s.at({"cobalt", "refining", "global", "XOT"}).at("share"), "0.014");
  EXPECT_EQ(s.at({"tungsten", "mining", "sourcing:EU", "XOT"}).at("share"), "0.23");
  // Distributions at or above 100% get nothing.
  EXPECT_EQ(s.count({"lithium", "refining", "global", "XOT"}), 0u);  // 100.0%
  EXPECT_EQ(s.count({"copper", "mining", "global", "XOT"}), 0u);     // 100.2%
  EXPECT_EQ(s.count({"neodymium", "mining", "sourcing:EU", "XOT"}), 0u);

  // Every distribution now sums to 1 or more (exact figures; "<x" counted as 0).
  std::map<std::tuple<std::string, std::string, std::string>, double> sums;
  for (const auto& [key, row] : s) {
    if (row.at("share")[0] == '<') continue;
    sums[{std::get<0>(key), std::get<1>(key), std::get<2>(key)}] += Number(row.at("share"));
  }
  for (const auto& [key, sum] : sums) {
    EXPECT_GE(sum, 1.0 - 1e-9) << std::get<0>(key) << " " << std::get<1>(key) << " " << std::get<2>(key);
    EXPECT_LE(sum, 1.0 + 0.02) << std::get<0>(key) << " " << std::get<1>(key) << " " << std::get<2>(key);
  }
}

TEST_F(ImportEuAnnex7Real, SourcingTableHasItsScope) {
  auto s = Shares(*result_);
  const auto& fin = s.at({"cobalt", "refining", "sourcing:EU", "FIN"});
  EXPECT_EQ(fin.at("share"), "0.62");
  EXPECT_EQ(fin.at("t"), "0.8");
  EXPECT_EQ(s.at({"lithium", "refining", "sourcing:EU", "CHL"}).at("share"), "0.79");
  EXPECT_EQ(s.at({"lithium", "refining", "sourcing:EU", "XOT"}).at("share"), "0.02");
  std::set<std::string> scopes;
  for (const auto& [key, row] : s) scopes.insert(std::get<2>(key));
  EXPECT_EQ(scopes, (std::set<std::string>{"global", "sourcing:EU"}));
}

TEST_F(ImportEuAnnex7Real, OnlyMappedMaterialsAndStats) {
  auto s = Shares(*result_);
  std::set<std::string> minerals;
  for (const auto& [key, row] : s) minerals.insert(std::get<0>(key));
  const std::set<std::string> expected = {"antimony", "cobalt",       "copper",    "dysprosium", "gallium", "germanium",
                                          "graphite", "lithium",      "manganese", "neodymium",  "nickel",  "palladium",
                                          "platinum", "praseodymium", "terbium",   "tungsten"};
  EXPECT_EQ(minerals, expected);
  std::map<std::string, std::size_t> stats(result_->stats.begin(), result_->stats.end());
  EXPECT_EQ(stats.at("rows read"), 2561u + 907u);
  EXPECT_GT(stats.at("rows skipped (material not mapped)"), 0u);
  EXPECT_GT(stats.at("materials not mapped"), 0u);
  EXPECT_EQ(stats.at("rows read"), stats.at("rows imported") + stats.at("rows skipped (material not mapped)"));
  EXPECT_EQ(stats.at("residual rows added (XOT)") + stats.at("rows imported"),
            result_->tables.at("shares.csv").rows.size());
  EXPECT_FALSE(result_->diagnostics.HasErrors());
  // The sourcing file prints one share without its '%' (Silicon metal, Germany: "6").
  EXPECT_TRUE(std::any_of(result_->diagnostics.Items().begin(), result_->diagnostics.Items().end(),
                          [](const model::Diagnostic& d) {
                            return d.severity == model::Severity::Warning && d.line == 712 && d.column == 4;
                          }))
      << result_->diagnostics.Format();
}

TEST_F(ImportEuAnnex7Real, ApplyImportValidates) {
  TempDir tmp;
  auto ds = ApplyImport(*result_, tmp / "dataset", Ref());
  EXPECT_EQ(ds->shares.size(), result_->tables.at("shares.csv").rows.size());
  // Together with the WGI import, into one dataset.
  auto wgi = ImportWgi(PublishedFile("wgi/raw/wgi_2023_official_format_semicolon.csv"), Ref());
  auto both = ApplyImport(wgi, tmp / "dataset", Ref());
  EXPECT_EQ(both->shares.size(), ds->shares.size());
  EXPECT_GT(both->governance.size(), 0u);
}

TEST_F(ImportEuAnnex7Real, DeterministicAndOrderIndependent) {
  auto reversed = ImportEuAnnex7({SourcingFile(), GlobalFile()}, Ref());
  EXPECT_EQ(reversed.tables.at("shares.csv").rows, result_->tables.at("shares.csv").rows);
}

TEST(ImportEuAnnex7Single, GlobalFileAlone) {
  auto r = ImportEuAnnex7({GlobalFile()}, Ref());
  auto s = Shares(r);
  for (const auto& [key, row] : s) EXPECT_EQ(std::get<2>(key), "global");
  EXPECT_EQ(s.at({"germanium", "refining", "global", "CHN"}).at("source"), "eu_crm_2023_annex7");
}

TEST(ImportEuErrors, UnknownCountryAndBadShareWithPlace) {
  TempDir tmp;
  auto file = tmp / "annex7_global_test.csv";
  WriteFile(file, std::string(kHeader) +
                      "Cobalt,P,China,59.6%,1.0\n"
                      "Cobalt,P,Narnia,10%,1.0\n"
                      "Cobalt,E,China,abc,1.0\n"
                      "Cobalt,X,China,1%,1.0\n"
                      "Cobalt,E,Gondor,1%,x\n"
                      "Cobalt,E,Chile,120%,1.0\n");
  auto d = FailingImport({file});
  EXPECT_TRUE(HasError(d, 3, 3, "unknown country 'Narnia'")) << d.Format();
  EXPECT_TRUE(HasError(d, 4, 4, "share 'abc'")) << d.Format();
  EXPECT_TRUE(HasError(d, 5, 2, "stage 'X'")) << d.Format();
  EXPECT_TRUE(HasError(d, 6, 3, "unknown country 'Gondor'")) << d.Format();
  EXPECT_TRUE(HasError(d, 6, 5, "trade factor")) << d.Format();
  EXPECT_TRUE(HasError(d, 7, 4, "above 100%")) << d.Format();
  EXPECT_EQ(d.ErrorCount(), 6u) << d.Format();
  for (const auto& item : d.Items()) EXPECT_EQ(item.file, file.string());
}

TEST(ImportEuErrors, UnmappedMaterialsAreStillChecked) {
  // The reader serves the risk module too, which reads every material: problems in rows the
  // import skips are reported as well.
  TempDir tmp;
  auto file = tmp / "annex7_sourcing.csv";
  WriteFile(file, std::string(kHeader) + "Unobtainium,E,Atlantis,4%,1\n");
  auto d = FailingImport({file});
  EXPECT_TRUE(HasError(d, 2, 3, "unknown country 'Atlantis'")) << d.Format();
}

TEST(ImportEuErrors, DuplicateShareAcrossFilesOfOneScope) {
  TempDir tmp;
  auto a = tmp / "a_global.csv";
  auto b = tmp / "b_global.csv";
  WriteFile(a, std::string(kHeader) + "Gallium,P,China,98%,1.0\n");
  WriteFile(b, std::string(kHeader) + "Gallium,P,China,98%,1.0\n");
  auto d = FailingImport({a, b});
  EXPECT_TRUE(HasError(d, 2, 0, "second share of CHN")) << d.Format();
}

TEST(ImportEuErrors, ScopeUndecidable) {
  TempDir tmp;
  auto file = tmp / "annex7.csv";
  WriteFile(file, std::string(kHeader) + "Gallium,P,China,98%,1.0\n");
  auto d = FailingImport({file});
  EXPECT_TRUE(HasError(d, 0, 0, "'global' or 'sourcing'")) << d.Format();
}

TEST(ImportEuSmall, ResidualArithmeticIsExact) {
  TempDir tmp;
  auto file = tmp / "small_sourcing_shares.csv";
  // 33.3 + 33.3 + 0.05 + <0.1 = 66.65 listed: the residual is 33.35% exactly.
  WriteFile(file, std::string(kHeader) +
                      "Gallium,P,China,33.3%,1\n"
                      "Gallium,P,Germany,33.3%,0.8\n"
                      "Gallium,P,Japan,0.05%,1\n"
                      "Gallium,P,\"Korea, South\",<0.1%,1\n"
                      "Cobalt,P,Finland,100%,0.8\n"
                      "Aluminium,E,Guinea,50%,1\n");
  auto r = ImportEuAnnex7({file}, Ref());
  auto s = Shares(r);
  EXPECT_EQ(s.at({"gallium", "refining", "sourcing:EU", "XOT"}).at("share"), "0.3335");
  EXPECT_EQ(s.at({"gallium", "refining", "sourcing:EU", "JPN"}).at("share"), "0.0005");
  EXPECT_EQ(s.at({"gallium", "refining", "sourcing:EU", "KOR"}).at("share"), "<0.001");
  EXPECT_EQ(s.at({"cobalt", "refining", "sourcing:EU", "FIN"}).at("share"), "1");
  EXPECT_EQ(s.count({"cobalt", "refining", "sourcing:EU", "XOT"}), 0u);
  EXPECT_EQ(s.size(), 6u);  // aluminium is not mapped: skipped
  std::map<std::string, std::size_t> stats(r.stats.begin(), r.stats.end());
  EXPECT_EQ(stats.at("rows skipped (material not mapped)"), 1u);
  EXPECT_EQ(stats.at("materials not mapped"), 1u);
  EXPECT_EQ(stats.at("residual rows added (XOT)"), 1u);
}

TEST(ImportEuSmall, ScopeColumnOverridesFileName) {
  TempDir tmp;
  auto file = tmp / "annex7_both.csv";
  WriteFile(file,
            "Scope,Material,Stage,Country,Share,t\n"
            "global,Germanium,P,China,100%,1.0\n"
            "EU sourcing,Germanium,P,China,17%,1\n");
  auto s = Shares(ImportEuAnnex7({file}, Ref()));
  EXPECT_EQ(s.at({"germanium", "refining", "global", "CHN"}).at("share"), "1");
  EXPECT_EQ(s.at({"germanium", "refining", "sourcing:EU", "CHN"}).at("share"), "0.17");
  EXPECT_EQ(s.at({"germanium", "refining", "sourcing:EU", "XOT"}).at("share"), "0.83");
}

}  // namespace
}  // namespace lodestone::data
