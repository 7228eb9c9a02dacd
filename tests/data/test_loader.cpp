// Tests: loading a valid dataset into the columnar model (ids, units, missing states,
// provenance), saving it back, and all-or-nothing commits.
#include <gtest/gtest.h>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/raw_tables.hpp"
#include "lodestone/data/summary.hpp"

using namespace lodestone;
using lodestone::testing::TempDir;

namespace {
std::filesystem::path Mini() { return std::filesystem::path(LODESTONE_TEST_DATA_DIR) / "mini"; }
}  // namespace

TEST(Loader, LoadsTheMiniDataset) {
  auto r = data::LoadDataset(Mini());
  ASSERT_TRUE(r.dataset) << r.diagnostics.Format();
  const auto& ds = *r.dataset;
  EXPECT_EQ(ds->countries.size(), 8u);
  EXPECT_EQ(ds->minerals.size(), 2u);
  EXPECT_EQ(ds->production.size(), 6u);
  auto cod = ds.FindCountry("COD");
  ASSERT_TRUE(cod);
  EXPECT_EQ(ds.Country(*cod).aliases, (std::vector<std::string>{"Congo (Kinshasa)", "wgi:ZAR"}));
  EXPECT_EQ(ds.Country(*ds.FindCountry("WLD")).kind, model::CountryKind::Aggregate);
  // Regions are interned: countries of one region share one dense id.
  EXPECT_EQ(ds.Region(ds.Country(*cod).region), "Sub-Saharan Africa");
  EXPECT_EQ(ds.Country(*ds.FindCountry("CHN")).region, ds.Country(*ds.FindCountry("JPN")).region);
  EXPECT_NE(ds.Country(*ds.FindCountry("CHN")).region, ds.Country(*ds.FindCountry("AUS")).region);
}

TEST(Loader, ConvertsUnitsToTheMineralsCanonicalUnit) {
  auto ds = data::LoadDatasetOrThrow(Mini());
  const auto& p = ds->production;
  auto cobalt = *ds.FindMineral("cobalt");
  auto cod = *ds.FindCountry("COD");
  bool found = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.mineral[i] == cobalt && p.country[i] == cod) {
      EXPECT_EQ(p.quantity[i], model::Value::Of(230000));  // 230 kt Co
      found = true;
    }
  }
  EXPECT_TRUE(found);
  // Trade quantity stays unknown, not zero.
  EXPECT_EQ(ds->trade.quantity[1].status, model::ValueStatus::Unknown);
}

TEST(Loader, EveryFigureNamesItsSource) {
  auto ds = data::LoadDatasetOrThrow(Mini());
  const auto& src = ds.SourceOf(ds->shares.source[2]);
  EXPECT_EQ(src.id, "test_rule");
  EXPECT_EQ(src.kind, model::SourceKind::Assumption);
  EXPECT_EQ(src.rule, "Remainder assigned to other countries");
}

TEST(Loader, MissingValuesStayMissing) {
  auto ds = data::LoadDatasetOrThrow(Mini());
  auto usa = *ds.FindCountry("USA");
  const auto& p = ds->production;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.country[i] == usa) EXPECT_EQ(p.quantity[i].status, model::ValueStatus::Withheld);
  }
  EXPECT_EQ(ds->governance.cc[1].status, model::ValueStatus::NotAvailable);
}

TEST(Loader, SaveThenLoadIsTheIdentity) {
  auto ds = data::LoadDatasetOrThrow(Mini());
  TempDir tmp;
  data::SaveDataset(ds, tmp / "copy");
  auto back = data::LoadDatasetOrThrow(tmp / "copy");
  EXPECT_TRUE(back == ds);
}

TEST(Loader, GroupMembers) {
  auto ds = data::LoadDatasetOrThrow(Mini());
  auto members = ds.GroupMembers(*ds.FindGroup("MSP"));
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(ds.Country(members[0]).iso3, "JPN");
}

TEST(Loader, SupplyPictureSharesOfWorldTotal) {
  auto ds = data::LoadDatasetOrThrow(Mini());
  auto pics = data::SupplyPictures(ds, *ds.FindMineral("cobalt"));
  ASSERT_EQ(pics.size(), 1u);
  EXPECT_EQ(pics[0].share_basis, "published world total");
  ASSERT_EQ(pics[0].entries.size(), 1u);
  EXPECT_NEAR(*pics[0].entries[0].share, 230000.0 / 310000.0, 1e-12);
  auto li = data::SupplyPictures(ds, *ds.FindMineral("lithium"), 2025);
  // Mining and refining from production; refining has only a bound (">50000"), so the refining
  // shares of shares.csv are shown as well.
  ASSERT_EQ(li.size(), 3u);
  EXPECT_EQ(li[0].missing, 1u);  // the withheld US figure
  EXPECT_FALSE(li[0].entries.back().share.has_value());
  EXPECT_TRUE(li[2].from_shares);
  EXPECT_EQ(li[2].period, "2016-2020");
  ASSERT_EQ(li[2].entries.size(), 3u);
  EXPECT_EQ(ds.Country(li[2].entries[0].country).iso3, "CHN");
  EXPECT_EQ(ds.Country(li[2].entries.back().country).iso3, "XOT");  // residual last
}

TEST(Loader, FailedCommitLeavesTheDirectoryUnchanged) {
  TempDir tmp;
  auto target = tmp / "ds";
  data::SaveDataset(data::LoadDatasetOrThrow(Mini()), target);
  auto before = lodestone::testing::ReadFile(target / "production.csv");
  auto raw = data::ReadRawDataset(target);
  raw.tables["production.csv"].rows[0][2] = "XYZ";  // unknown country
  EXPECT_THROW(data::CommitRawDataset(raw, target), Error);
  EXPECT_EQ(lodestone::testing::ReadFile(target / "production.csv"), before);
  EXPECT_TRUE(data::LoadDataset(target).dataset.has_value());
  // No temporary directories are left behind.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(tmp.path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(Loader, SuccessfulCommitReplacesTheDataset) {
  TempDir tmp;
  auto target = tmp / "ds";
  data::SaveDataset(data::LoadDatasetOrThrow(Mini()), target);
  auto raw = data::ReadRawDataset(target);
  raw.tables["production.csv"].rows[0][4] = "231000";
  auto ds = data::CommitRawDataset(raw, target);
  EXPECT_EQ(ds->production.quantity[0], model::Value::Of(231000));
  EXPECT_EQ(data::LoadDatasetOrThrow(target)->production.quantity[0], model::Value::Of(231000));
}
