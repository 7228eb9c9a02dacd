// The ethical-sourcing screen (docs/methods/esg.md) on the shipped dataset and the shipped
// indicator tables (data/projects/esg/), reproduced by hand on two projects, and its table checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lodestone/data/loader.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/risk/esg.hpp"

namespace lodestone::risk {
namespace {

namespace fs = std::filesystem;

const model::Dataset& Shipped() {
  static const auto ds = data::LoadDatasetOrThrow(fs::path(LODESTONE_SOURCE_DIR) / "data" / "starter");
  return ds;
}
const EsgTables& ShippedTables() {
  static const auto t = EsgTables::Load(fs::path(LODESTONE_SOURCE_DIR) / "data" / "projects" / "esg");
  return t;
}
const EsgPart& Part(const EsgScore& s, const std::string& name) {
  for (const auto& p : s.parts) {
    if (p.name == name) return p;
  }
  throw std::runtime_error("no part " + name);
}

// Iluka Eneabba, rare earths in Australia. WGI 2023 (governance.csv): control of corruption
// +1.78, rule of law +1.52 -> ((1.78 + 2.5) / 5 + (1.52 + 2.5) / 5) / 2 = (0.856 + 0.804) / 2 =
// 0.830. Australia supports the EITI without implementing it: 0.5. Rare earths from Australia
// are not on the DoL list: 1. No site audit recorded: left out. (0.830 + 0.5 + 1) / 3 = 0.77667.
TEST(EsgScreen, IlukaEneabbaByHand) {
  const auto s = ScoreProject(Shipped(), ShippedTables(), "iluka_eneabba", "AUS", "rare_earths");
  ASSERT_EQ(s.parts.size(), 4u);
  EXPECT_NEAR(*Part(s, "governance").value, 0.830, 1e-12);
  EXPECT_DOUBLE_EQ(*Part(s, "transparency").value, 0.5);
  EXPECT_DOUBLE_EQ(*Part(s, "labour").value, 1.0);
  EXPECT_FALSE(Part(s, "site").value);
  ASSERT_TRUE(s.score);
  EXPECT_NEAR(*s.score, (0.830 + 0.5 + 1.0) / 3, 1e-12);
  EXPECT_NE(DescribeEsg(s).find("site: no independent audit"), std::string::npos) << DescribeEsg(s);
}

// Pomalaa HPAL, nickel in Indonesia. WGI 2023: control of corruption -0.49, rule of law -0.15 ->
// (0.402 + 0.470) / 2 = 0.436. Indonesia implements the EITI: 1. Nickel from Indonesia is on the
// 2024 DoL list for forced labour: 0. (0.436 + 1 + 0) / 3 = 0.47867, below the 0.5 pass mark.
TEST(EsgScreen, PomalaaHpalByHand) {
  const auto s = ScoreProject(Shipped(), ShippedTables(), "pomalaa_hpal", "IDN", "nickel");
  EXPECT_NEAR(*Part(s, "governance").value, 0.436, 1e-12);
  EXPECT_DOUBLE_EQ(*Part(s, "transparency").value, 1.0);
  EXPECT_DOUBLE_EQ(*Part(s, "labour").value, 0.0);
  EXPECT_NE(Part(s, "labour").basis.find("forced labour"), std::string::npos);
  ASSERT_TRUE(s.score);
  EXPECT_NEAR(*s.score, (0.436 + 1.0 + 0.0) / 3, 1e-12);
  EXPECT_LT(*s.score, 0.5);
}

// The shipped facts the screen rests on stay in the tables (a rebuild cannot drop them silently).
TEST(EsgScreen, ShippedListingsPinned) {
  const auto cobalt = ScoreCountryMineral(Shipped(), ShippedTables(), "COD", "cobalt");
  EXPECT_DOUBLE_EQ(*Part(cobalt, "labour").value, 0.0);
  EXPECT_DOUBLE_EQ(*Part(cobalt, "transparency").value, 1.0);
  const auto us = ScoreCountryMineral(Shipped(), ShippedTables(), "USA", "lithium");
  EXPECT_DOUBLE_EQ(*Part(us, "transparency").value, 0.5);  // withdrew from implementing in 2017; a supporter
  EXPECT_DOUBLE_EQ(*Part(us, "labour").value, 1.0);
  const auto cn = ScoreCountryMineral(Shipped(), ShippedTables(), "CHN", "graphite");
  EXPECT_DOUBLE_EQ(*Part(cn, "transparency").value, 0.0);
}

TEST(EsgScreen, UnknownCountryHasNoGovernancePart) {
  const auto s = ScoreCountryMineral(Shipped(), ShippedTables(), "XXX", "cobalt");
  EXPECT_FALSE(Part(s, "governance").value);
  ASSERT_TRUE(s.score);  // the known parts only: transparency 0, labour 1
  EXPECT_DOUBLE_EQ(*s.score, 0.5);
}

fs::path WriteTables(const std::string& name, const std::string& eiti, const std::string& labour,
                     const std::string& sites) {
  const fs::path dir = fs::temp_directory_path() / ("lodestone_esg_" + name);
  fs::create_directories(dir);
  std::ofstream(dir / "eiti_status.csv") << eiti;
  std::ofstream(dir / "labour_list.csv") << labour;
  std::ofstream(dir / "site_assurance.csv") << sites;
  return dir;
}

TEST(EsgScreen, RecordedSiteAuditIsAFourthPart) {
  const auto dir = WriteTables("site", "country,status,as_of,source,url\nAUS,supporting,2022-11-04,s,u\n",
                               "mineral,country,listing,good,edition,source,url\n",
                               "project,scheme,result,date,source,url\nsite_a,IRMA,assessed,2024-05,s,u\n");
  const auto t = EsgTables::Load(dir);
  const auto s = ScoreProject(Shipped(), t, "site_a", "AUS", "rare_earths");
  EXPECT_DOUBLE_EQ(*Part(s, "site").value, 1.0);
  EXPECT_NEAR(*s.score, (0.830 + 0.5 + 1.0 + 1.0) / 4, 1e-12);
  fs::remove_all(dir);
}

TEST(EsgScreen, MalformedTableNamesFileLineAndColumn) {
  const auto dir = WriteTables("bad", "country,status,as_of,source,url\nAUS,member,2022-11-04,s,u\n",
                               "mineral,country,listing,good,edition,source,url\ncobalt,COD,slavery,ore,2024,s,u\n",
                               "project,scheme,result,date,source,url\n");
  try {
    EsgTables::Load(dir);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData);
    const std::string what = e.what();
    EXPECT_NE(what.find("eiti_status.csv:2:2"), std::string::npos) << what;
  }
  fs::remove_all(dir);
  EXPECT_THROW(EsgTables::Load(dir), Error);  // missing directory: NotFound
}

// The risk table shows the screen: a supply-weighted row per stage, and the verdict says it.
TEST(EsgScreen, RiskTableShowsTheScreen) {
  AssessRequest rq;
  rq.minerals = {"cobalt"};
  rq.esg = &ShippedTables();
  const auto result = Assess(Shipped(), rq);
  bool found = false;
  for (const auto& r : result.rows) {
    if (r.method != "esg-screen") continue;
    found = true;
    ASSERT_TRUE(r.value) << r.status;
    EXPECT_GT(*r.value, 0.0);
    EXPECT_LT(*r.value, 1.0);
  }
  EXPECT_TRUE(found);
  const auto v = Verdicts(result);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].line.find("ESG screen"), std::string::npos) << v[0].line;
  EXPECT_NE(v[0].line.find("is the bottleneck"), std::string::npos) << v[0].line;
}

}  // namespace
}  // namespace lodestone::risk
