// Tests: the supply façade (ranking, the "N more countries" remainder, sources cited) and the
// data module's serialisers, on the small fixture dataset tests/data/mini.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/serialize.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/data/supply.hpp"
#include "lodestone/model/error.hpp"

using namespace lodestone;

namespace {

std::filesystem::path MiniDir() { return std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "mini"; }

const model::Dataset& Mini() {
  static const auto ds = data::LoadDatasetOrThrow(MiniDir());
  return ds;
}

const data::SupplyStage* Stage(const data::SupplyResult& r, const std::string& stage, bool from_shares) {
  for (const auto& m : r.minerals) {
    for (const auto& s : m.stages) {
      if (s.stage == stage && s.from_shares == from_shares) return &s;
    }
  }
  return nullptr;
}

}  // namespace

TEST(Supply, RanksTopCountriesAndSumsTheRest) {
  data::SupplyRequest req;
  req.minerals = {"lithium"};
  req.top = 1;
  const auto r = data::Supply(Mini(), req);
  ASSERT_EQ(r.minerals.size(), 1u);
  EXPECT_EQ(r.minerals[0].name, "Lithium");
  const auto* mining = Stage(r, "mining", false);
  ASSERT_NE(mining, nullptr);
  EXPECT_EQ(mining->year, 2025);
  ASSERT_EQ(mining->countries.size(), 3u);
  // Australia ranked first; Chile beyond the top one; the United States (withheld) unranked.
  EXPECT_EQ(mining->countries[0].iso3, "AUS");
  EXPECT_EQ(mining->countries[0].rank, 1);
  EXPECT_TRUE(mining->countries[1].in_remainder);
  EXPECT_FALSE(mining->countries[2].rank);
  EXPECT_FALSE(mining->countries[2].in_remainder);
  ASSERT_TRUE(mining->remainder);
  EXPECT_EQ(mining->remainder->countries, 1u);
  EXPECT_EQ(mining->remainder->missing, 0u);
  ASSERT_TRUE(mining->remainder->quantity);
  EXPECT_DOUBLE_EQ(*mining->remainder->quantity, 56000.0);
  EXPECT_NEAR(mining->remainder->share, 56000.0 / 148000.0, 1e-12);
  EXPECT_FALSE(mining->insufficient);
}

TEST(Supply, RemainderWithMissingFiguresIsPartialNotZero) {
  // Refining of lithium has no known production figure: the picture comes from published shares,
  // whose countries have no quantity. The remainder beyond the top one has a share but its
  // quantity total is not known (it was summed as 0 before).
  data::SupplyRequest req;
  req.minerals = {"lithium"};
  req.top = 1;
  const auto r = data::Supply(Mini(), req);
  const auto* refining = Stage(r, "refining", true);
  ASSERT_NE(refining, nullptr);
  ASSERT_TRUE(refining->remainder);
  EXPECT_EQ(refining->remainder->countries, 1u);
  EXPECT_EQ(refining->remainder->missing, 1u);
  EXPECT_FALSE(refining->remainder->quantity);
  EXPECT_DOUBLE_EQ(refining->remainder->known_quantity, 0.0);
  EXPECT_NEAR(refining->remainder->share, 0.32, 1e-12);
}

TEST(Supply, NoRemainderWhenEveryRankedCountryIsListed) {
  data::SupplyRequest req;
  req.minerals = {"lithium"};
  const auto r = data::Supply(Mini(), req);
  const auto* mining = Stage(r, "mining", false);
  ASSERT_NE(mining, nullptr);
  EXPECT_FALSE(mining->remainder);
}

TEST(Supply, UnknownMineralIsAnInvalidRequest) {
  data::SupplyRequest req;
  req.minerals = {"unobtainium"};
  try {
    data::Supply(Mini(), req);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
    EXPECT_NE(std::string(e.what()).find("unknown mineral 'unobtainium'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("cobalt, lithium"), std::string::npos);
  }
}

TEST(Supply, CitesTheSourcesOfListedFigures) {
  data::SupplyRequest req;
  req.minerals = {"cobalt"};
  const auto r = data::Supply(Mini(), req);
  ASSERT_EQ(r.cited.size(), 1u);
  EXPECT_EQ(r.cited[0].id, "test_src");
  const auto* mining = Stage(r, "mining", false);
  ASSERT_NE(mining, nullptr);
  ASSERT_TRUE(mining->world_source);
  EXPECT_EQ(*mining->world_source, "test_src");
  EXPECT_EQ(mining->share_basis, "published world total");
}

TEST(DataSerialize, SupplyJsonKeepsMissingFiguresNullAndCarriesMethod) {
  data::SupplyRequest req;
  req.minerals = {"lithium"};
  const auto j = data::ToJson(data::Supply(Mini(), req));
  ASSERT_TRUE(j.is_array());
  const auto& mining = j.at(0);
  EXPECT_EQ(mining.at("stage"), "mining");
  EXPECT_TRUE(mining.at("world_total").is_null());
  EXPECT_TRUE(mining.at("world_source").is_null());
  bool withheld = false;
  for (const auto& c : mining.at("countries")) {
    if (c.at("country") != "USA") continue;
    withheld = true;
    EXPECT_EQ(c.at("quantity").at("status"), "withheld");
    EXPECT_TRUE(c.at("share").is_null());
  }
  EXPECT_TRUE(withheld);
  EXPECT_EQ(mining.at("method").at("id"), data::kSupplyMethod);
  EXPECT_EQ(mining.at("provenance").at("sources"), nlohmann::ordered_json::array({"test_src"}));
  // The shares picture cites the assumption behind "other countries".
  bool rule = false;
  for (const auto& p : j) {
    for (const auto& a : p.at("provenance").at("assumptions"))
      rule = rule || a == "Remainder assigned to other countries";
  }
  EXPECT_TRUE(rule);
}

TEST(DataSerialize, SupplyCsvOneRowPerCountry) {
  data::SupplyRequest req;
  req.minerals = {"cobalt"};
  const auto csv = data::ToCsv(data::Supply(Mini(), req));
  ASSERT_EQ(csv.columns.size(), 12u);
  EXPECT_EQ(csv.columns[0], "mineral");
  ASSERT_EQ(csv.rows.size(), 1u);
  EXPECT_EQ(csv.rows[0][3], "COD");
  EXPECT_EQ(csv.rows[0][5], "230000");
  EXPECT_EQ(csv.rows[0][7], "known");
}

TEST(DataSerialize, CheckOfABrokenDatasetListsProblems) {
  lodestone::testing::TempDir dir;
  for (const auto& f : std::filesystem::directory_iterator(MiniDir())) {
    std::filesystem::copy_file(f.path(), dir.path() / f.path().filename());
  }
  auto text = lodestone::testing::ReadFile(dir / "production.csv");
  text.replace(text.find("lithium,mining,AUS"), 18, "lithium,mining,AUX");
  lodestone::testing::WriteFile(dir / "production.csv", text);
  const auto check = data::CheckDataset(dir.path());
  EXPECT_FALSE(check.valid);
  const auto j = data::ToJson(check);
  EXPECT_EQ(j.at("valid"), false);
  EXPECT_GE(j.at("errors").get<int>(), 1);
  EXPECT_EQ(j.at("problems").at(0).at("severity"), "error");
  EXPECT_EQ(j.at("problems").at(0).at("line"), 4);
  const auto csv = data::ToCsv(check);
  ASSERT_FALSE(csv.rows.empty());
  EXPECT_EQ(csv.rows[0][0], "error");
  EXPECT_EQ(csv.rows[0][2], "4");
  EXPECT_EQ(csv.rows[0][3], "3");

  const auto ok = data::CheckDataset(MiniDir());
  EXPECT_TRUE(ok.valid);
  EXPECT_EQ(ok.name, "mini");
  EXPECT_EQ(ok.sources, 2u);
}

TEST(DataSerialize, InfoJsonListsTablesAndSources) {
  const auto j = data::ToJson(data::DescribeDataset(Mini()));
  EXPECT_EQ(j.at("name"), "mini");
  EXPECT_EQ(j.at("tables").at("production.csv"), 6);
  EXPECT_EQ(j.at("sources").at(1).at("kind"), "assumption");
  const auto csv = data::ToCsv(data::DescribeDataset(Mini()));
  ASSERT_EQ(csv.rows.size(), 2u);
  EXPECT_EQ(csv.rows[0][0], "test_src");
}
