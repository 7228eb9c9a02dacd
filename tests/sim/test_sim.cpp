// The simulator: inputs and scenario files, hand-computed cases, properties, the naive oracle,
// mass balance on every Monte Carlo scenario, and identical results whatever the thread count.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <tuple>

#include <nlohmann/json.hpp>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim/kernel.hpp"
#include "lodestone/sim/serialize.hpp"
#include "lodestone/sim/simulate.hpp"
#include "naive_sim.hpp"
#include "shipped.hpp"

namespace lodestone::sim {
namespace {

using fixtures::Pooled;
using fixtures::Shipped;

namespace fs = std::filesystem;
const fs::path kRoot = LODESTONE_SOURCE_DIR;

// The shipped network under the market rule with the given contract shares and leakage.
Network MarketWith(double initial, double later, double leakage, double hold = 3) {
  Network n = Shipped();
  n.market.rule = MarketRule::Market;
  n.market.contract_share_initial = initial;
  n.market.contract_share_later = later;
  n.market.contract_hold_months = hold;
  n.market.leakage = leakage;
  return n;
}

void ExpectBalanced(const Flows& f, const std::string& what) {
  double scale = std::max(1.0, f.demand);
  EXPECT_NEAR(f.delivered + f.stock_drawn + f.shortfall, f.demand, 1e-9 * scale) << what;
  EXPECT_GE(f.shortfall, -1e-9 * scale) << what;
  EXPECT_GE(f.stock_drawn, -1e-9 * scale) << what;
  EXPECT_GE(f.delivered, -1e-9 * scale) << what;
}

Shock Control(const std::string& country, const std::string& mineral, SimStage stage, double fraction, double months) {
  Shock s;
  s.kind = ShockKind::ExportControl;
  s.country = country;
  s.minerals = {mineral};
  s.stage = stage;
  s.fraction = fraction;
  s.months = months;
  s.source = "test";
  return s;
}

Scenario Of(std::vector<Shock> shocks) {
  Scenario sc;
  sc.id = "test";
  sc.title = "test";
  sc.shocks = std::move(shocks);
  return sc;
}

const ScenarioRow& Row(const ScenarioResult& r, const std::string& m, const std::string& c,
                       const std::string& s = "total") {
  for (const auto& row : r.rows) {
    if (row.mineral == m && row.consumer == c && row.sector == s) return row;
  }
  throw std::runtime_error("no row " + m + " " + c + " " + s);
}

TEST(SimInputs, ShippedInputsLoadAndEveryMineralWithProductionIsSimulated) {
  const Network& net = Shipped();
  EXPECT_EQ(net.consumers.back().code, "ROW");
  for (const char* m : {"antimony", "cobalt", "copper", "gallium", "germanium", "graphite", "lithium", "manganese",
                        "nickel", "palladium", "platinum", "rare_earths", "tungsten"}) {
    EXPECT_NE(net.Find(m), nullptr) << m;
  }
  // Baseline flows balance: each refinery ships its output, each consumer gets its demand.
  for (const auto& mn : net.minerals) {
    for (std::size_t j = 0; j < mn.J(); ++j) {
      double s = 0;
      for (std::size_t k = 0; k < net.K(); ++k) s += mn.refined_flow[j * net.K() + k];
      EXPECT_NEAR(s, mn.refined_output[j], 1e-9 * mn.refined_output[j]) << mn.id;
    }
    for (std::size_t k = 0; k < net.K(); ++k) {
      double s = 0;
      for (std::size_t j = 0; j < mn.J(); ++j) s += mn.refined_flow[j * net.K() + k];
      EXPECT_NEAR(s, mn.demand[k], 1e-9 * std::max(1.0, mn.demand[k])) << mn.id << " " << net.consumers[k].code;
    }
  }
}

TEST(SimInputs, BadSectorSumIsReportedWithFileAndLine) {
  lodestone::testing::TempDir dir;
  for (const char* f : {"sources.csv", "demand.csv", "stockpiles.csv", "chokepoints.csv", "routes.csv"}) {
    fs::copy_file(kRoot / "data/sim" / f, dir.path() / f);
  }
  lodestone::testing::WriteFile(dir.path() / "sectors.csv",
                                "mineral,region,sector,share,source,note\ncobalt,world,ev_batteries,0.5,usgs_mcs2026,\n"
                                "cobalt,world,other,0.4,usgs_mcs2026,\nlithium,world,rockets,1,usgs_mcs2026,\n");
  auto ds = data::LoadDatasetOrThrow(kRoot / "data/starter");
  try {
    LoadSimInputs(dir.path(), ds);
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    std::string msg = e.diagnostics().Format();
    EXPECT_NE(msg.find("sectors.csv:4:3: error: unknown sector 'rockets'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sector shares of cobalt in world sum to 0.9000"), std::string::npos) << msg;
  }
}

TEST(Scenario, ParseErrorsGiveLineAndColumn) {
  try {
    ParseScenario(
        "{\n  \"format\": \"lodestone-scenario/1\",\n  \"id\": \"x\", \"title\": \"t\", \"year\": 2025,\n"
        "  \"shocks\": [ {\"kind\": \"outage\", \"country\": \"COD\", \"stage\": \"mining\",\n"
        "    \"minerals\": [\"cobalt\"], \"fraction\": 1.5, \"months\": 3, \"source\": \"s\"} ]\n}\n",
        "s.json");
    FAIL();
  } catch (const lodestone::Error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "s.json:5:41: error: /shocks/0/fraction: expected a number between 0 and 1, found 1.5"),
              std::string::npos)
        << e.what();
  }
  try {
    ParseScenario("{\"format\": \"lodestone-scenario/1\",\n \"id\": 3", "t.json");
    FAIL();
  } catch (const lodestone::Error& e) {
    EXPECT_NE(std::string(e.what()).find("t.json:2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
  }
}

TEST(Scenario, UnknownCountryIsReportedAtTheShock) {
  auto sc = ParseScenario(
      "{\"format\": \"lodestone-scenario/1\", \"id\": \"x\", \"title\": \"t\", \"year\": 2025,\n"
      " \"shocks\": [{\"kind\": \"outage\", \"country\": \"XYZ\", \"stage\": \"mining\", \"minerals\": [\"cobalt\"],"
      " \"fraction\": 0.5, \"months\": 3, \"source\": \"s\"}]}",
      "u.json");
  try {
    sim::Run(Shipped(), sc);
    FAIL();
  } catch (const lodestone::Error& e) {
    EXPECT_EQ(e.kind(), lodestone::ErrorKind::InvalidData);
    EXPECT_NE(std::string(e.what()).find("u.json:2:13: error: unknown country 'XYZ'"), std::string::npos) << e.what();
  }
}

TEST(Simulate, BaselineHasNoShortfall) {
  const Network& net = Shipped();
  EvalScratch ws;
  MineralOutcome out;
  for (std::size_t m = 0; m < net.minerals.size(); ++m) {
    EvaluateMineral(net, static_cast<int>(m), nullptr, 0, 12, {}, ws, out);
    for (std::size_t k = 0; k < net.K(); ++k) {
      const Flows& f = out.by_consumer[k][kSectors];
      EXPECT_EQ(f.shortfall, 0.0) << net.minerals[m].id;
      EXPECT_NEAR(f.delivered, net.minerals[m].demand[k], 1e-9 * std::max(1.0, f.demand));
    }
  }
}

// Gallium is refined almost only in China: a full ban on exports to everyone leaves Japan short
// of its demand less its stock, and China's own use untouched.
TEST(Simulate, SoleSupplierBanLeavesDemandLessStock) {
  const Network& net = Shipped();
  const MineralNetwork& ga = *net.Find("gallium");
  auto r = sim::Run(net, Of({Control("CHN", "gallium", SimStage::Refining, 1.0, 12)}));
  int jpn = net.FindConsumer("JPN"), chn = net.FindConsumer("CHN");
  // What Japan gets from outside China, in the baseline flows.
  double other = 0;
  for (std::size_t j = 0; j < ga.J(); ++j) {
    if (net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(ga.refiners[j])}).iso3 != "CHN") {
      other += ga.refined_flow[j * net.K() + jpn];
    }
  }
  const auto& row = Row(r, "gallium", "JPN");
  EXPECT_NEAR(row.flows.stock_drawn, std::min(ga.stock[jpn], ga.demand[jpn] - other), 1e-9);
  EXPECT_NEAR(row.flows.shortfall + row.flows.stock_drawn + row.flows.delivered, ga.demand[jpn], 1e-9);
  // Under the pooled rules Japan keeps what it got from outside China. Under the market rule the
  // spot share of those flows is bid for by every buyer China no longer serves, so Japan (whose
  // bilateral baseline draws more on non-Chinese refiners than a pooled one) may keep less.
  auto pooled = sim::Run(Pooled(), Of({Control("CHN", "gallium", SimStage::Refining, 1.0, 12)}));
  EXPECT_GE(Row(pooled, "gallium", "JPN").flows.delivered, other - 1e-9);
  EXPECT_NEAR(Row(r, "gallium", "CHN").flows.shortfall, 0.0, 1e-12);
  EXPECT_NEAR(Row(r, "gallium", "CHN").flows.delivered, ga.demand[chn], 1e-9);
}

TEST(Simulate, ChokepointNoFlowUsesChangesNothing) {
  const Network& net = Shipped();
  // Find a mineral none of whose flows passes a chokepoint in the shipped routes.
  int mineral = -1, cp = -1;
  for (std::size_t c = 0; c < net.chokepoints.size() && mineral < 0; ++c) {
    for (std::size_t m = 0; m < net.minerals.size() && mineral < 0; ++m) {
      if (net.minerals[m].ore_route[c].empty() && net.minerals[m].refined_route[c].empty()) {
        mineral = static_cast<int>(m);
        cp = static_cast<int>(c);
      }
    }
  }
  ASSERT_GE(mineral, 0) << "every mineral passes every chokepoint";
  Shock s;
  s.kind = ShockKind::Chokepoint;
  s.chokepoint = net.chokepoints[cp].id;
  s.minerals = {net.minerals[mineral].id};
  s.fraction = 1;
  s.reroutable = 0;
  s.months = 12;
  s.source = "test";
  auto r = sim::Run(net, Of({s}));
  ASSERT_FALSE(r.rows.empty());
  for (const auto& row : r.rows) {
    EXPECT_EQ(row.flows.shortfall, 0.0) << row.consumer;
    EXPECT_EQ(row.flows.stock_drawn, 0.0) << row.consumer;
  }
}

TEST(Simulate, BanOnCountryWithNoExportsChangesNothing) {
  // The United States mines and refines no gallium in the baseline: its ban changes nothing.
  auto r = sim::Run(Shipped(), Of({Control("USA", "gallium", SimStage::Refining, 1.0, 12)}));
  for (const auto& row : r.rows) EXPECT_EQ(row.flows.shortfall, 0.0) << row.consumer;
  EXPECT_FALSE(r.notes.empty());
}

TEST(Simulate, ShippedScenariosBalanceAndMatchTheNaivePath) {
  const Network& net = Pooled();
  for (const auto& entry : fs::directory_iterator(kRoot / "scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "register.json") continue;
    auto sc = LoadScenario(entry.path());
    auto fast = sim::Run(net, sc);
    auto slow = naive::Evaluate(net, sc.shocks, sc.horizon_months);
    ASSERT_FALSE(fast.rows.empty()) << entry.path();
    double total_short = 0, total_drawn = 0;
    for (const auto& row : fast.rows) {
      ExpectBalanced(row.flows, sc.id + " " + row.mineral + " " + row.consumer + " " + row.sector);
      const auto& n = slow.at(row.mineral).at(row.consumer).at(row.sector);
      double tol = 1e-9 * std::max(1.0, n.demand);
      EXPECT_NEAR(row.flows.shortfall, n.shortfall, tol) << sc.id << " " << row.mineral << " " << row.consumer;
      EXPECT_NEAR(row.flows.stock_drawn, n.stock, tol);
      EXPECT_NEAR(row.flows.delivered, n.delivered, tol);
      total_short += row.flows.shortfall;
      total_drawn += row.flows.stock_drawn;
    }
    // A scenario changes something when some buyer goes short or draws its stock (the January 2026
    // Japanese end-user ban is small enough for Japan's stocks and other suppliers to cover).
    EXPECT_GT(total_short + total_drawn, 0) << sc.id << ": a shipped scenario that changes nothing";
  }
}

TEST(Simulate, DefenceFirstProtectsDefence) {
  const Network& net = Pooled();
  auto sc = Of({Control("CHN", "gallium", SimStage::Refining, 0.9, 12)});
  EvalOptions opt;
  opt.sector_rule = SectorRule::DefenceFirst;
  auto pro = sim::Run(net, sc);
  auto def = sim::Run(net, sc, opt);
  const auto& a = Row(pro, "gallium", "USA", "defence");
  const auto& b = Row(def, "gallium", "USA", "defence");
  EXPECT_LE(b.flows.shortfall, a.flows.shortfall);
  EXPECT_NEAR(Row(def, "gallium", "USA").flows.shortfall, Row(pro, "gallium", "USA").flows.shortfall, 1e-9);
  auto slow = naive::Evaluate(net, sc.shocks, 12, true);
  EXPECT_NEAR(b.flows.shortfall, slow.at("gallium").at("USA").at("defence").shortfall, 1e-9);
}

// New supply (a project) is free supply: no change without a shock; under a ban it goes first to
// its own country, and it never raises anyone's shortfall.
TEST(Simulate, AddedSupplyGoesToShortConsumersAndNeverHurts) {
  const Network& net = Pooled();  // the home-first rule for new supply is the pooled rules
  auto sc = Of({Control("CHN", "gallium", SimStage::Refining, 1.0, 12)});
  auto before = sim::Run(net, sc);
  Network more = WithAdditions(net, {{"gallium", "USA", true, 5.0}});
  auto after = sim::Run(more, sc);
  auto base = sim::Run(more, Of({}));
  EXPECT_TRUE(base.rows.empty());
  ASSERT_EQ(before.rows.size(), after.rows.size());
  double relief = 0;
  for (std::size_t i = 0; i < before.rows.size(); ++i) {
    ExpectBalanced(after.rows[i].flows, "added");
    EXPECT_LE(after.rows[i].flows.shortfall + after.rows[i].flows.stock_drawn,
              before.rows[i].flows.shortfall + before.rows[i].flows.stock_drawn + 1e-9);
    if (after.rows[i].sector == "total") {
      relief += before.rows[i].flows.shortfall + before.rows[i].flows.stock_drawn - after.rows[i].flows.shortfall -
                after.rows[i].flows.stock_drawn;
    }
  }
  EXPECT_NEAR(relief, 5.0, 1e-9);  // all 5 t find short consumers
  // The United States is served first: its gap shrinks by min(5 t, its gap).
  const auto& us0 = Row(before, "gallium", "USA");
  const auto& us1 = Row(after, "gallium", "USA");
  EXPECT_NEAR(us0.flows.shortfall + us0.flows.stock_drawn - us1.flows.shortfall - us1.flows.stock_drawn,
              std::min(5.0, us0.flows.shortfall + us0.flows.stock_drawn), 1e-9);
}

TEST(Simulate, AddedMineNeedsRefiningCapacity) {
  const Network& net = Shipped();
  auto sc = Of({Control("CHN", "cobalt", SimStage::Refining, 0.5, 12)});
  auto before = sim::Run(net, sc);
  Network more = WithAdditions(net, {{"cobalt", "AUS", false, 1e6}});
  auto after = sim::Run(more, sc);
  // Ore helps only through spare refining capacity outside the controls; relief is bounded by it.
  double spare = 0;
  const auto& co = *more.Find("cobalt");
  for (std::size_t j = 0; j < co.J(); ++j) spare += co.refinery_capacity[j] - co.refined_output[j];
  double relief = 0;
  for (std::size_t i = 0; i < before.rows.size(); ++i) {
    if (before.rows[i].sector != "total") continue;
    relief += before.rows[i].flows.shortfall - after.rows[i].flows.shortfall;
  }
  EXPECT_GE(relief, 0);
  EXPECT_LE(relief, spare + 1e-6);
}

// A larger outage or export control never leaves any consumer with less shortfall; a larger
// chokepoint closure never lowers the world's (a consumer off the closed route can gain from
// supply that reallocation frees, so the per-consumer form does not hold for closures).
RC_GTEST_PROP(SimulateProperty, ShortfallNeverDecreasesWhenAShockGrows, ()) {
  const Network& net = Shipped();
  const auto& mn = net.minerals[*rc::gen::inRange<std::size_t>(0, net.minerals.size())];
  bool refining = *rc::gen::arbitrary<bool>();
  const auto& nodes = refining || !mn.has_ore_stage ? mn.refiners : mn.miners;
  int country = nodes[*rc::gen::inRange<std::size_t>(0, nodes.size())];
  std::string code = net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(country)}).iso3;
  int kind = *rc::gen::inRange(0, 3);
  double f1 = *rc::gen::inRange(0, 1000) / 1000.0, f2 = *rc::gen::inRange(0, 1000) / 1000.0;
  if (f1 > f2) std::swap(f1, f2);
  double months = *rc::gen::inRange(1, 13);
  auto make = [&](double f) {
    Shock s =
        Control(code, mn.id, mn.component ? SimStage::Component : (refining ? SimStage::Refining : SimStage::Mining), f,
                months);
    if (kind == 1) s.kind = ShockKind::Outage;
    if (kind == 2) {
      s.kind = ShockKind::Chokepoint;
      s.chokepoint = "malacca";
    }
    return Of({s});
  };
  auto a = sim::Run(net, make(f1)), b = sim::Run(net, make(f2));
  double world_a = 0, world_b = 0, scale = 1;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    if (a.rows[i].sector != "total") continue;
    world_a += a.rows[i].flows.shortfall + a.rows[i].flows.stock_drawn;
    world_b += b.rows[i].flows.shortfall + b.rows[i].flows.stock_drawn;
    scale += a.rows[i].flows.demand;
    if (kind == 2) continue;  // a closure can reroute freed supply to a consumer: only the world total holds
    RC_ASSERT(b.rows[i].flows.shortfall + b.rows[i].flows.stock_drawn >=
              a.rows[i].flows.shortfall + a.rows[i].flows.stock_drawn - 1e-9 * std::max(1.0, a.rows[i].flows.demand));
    RC_ASSERT(b.rows[i].flows.shortfall >= a.rows[i].flows.shortfall - 1e-9 * std::max(1.0, a.rows[i].flows.demand));
  }
  RC_ASSERT(world_b >= world_a - 1e-9 * scale);
}

TEST(MonteCarlo, EveryScenarioBalancesAndMatchesTheNaivePath) {
  const Network& net = Pooled();
  auto reg = LoadRegister(kRoot / "scenarios/register.json");
  const std::uint64_t runs = 1500, seed = 7;
  auto draws = DrawScenarios(reg, runs, seed);
  McOptions opt;
  opt.runs = runs;
  opt.seed = seed;
  opt.threads = 2;
  std::size_t checked = 0;
  opt.observe = [&](std::uint64_t sc, int m, const MineralOutcome& out) {
    std::vector<Shock> shocks;
    for (const auto& d : draws[sc]) {
      Shock s = reg.events[d.event].shock;
      s.fraction = d.fraction;
      s.factor = d.factor;
      s.start_month = d.start;
      s.months = d.months;
      shocks.push_back(s);
    }
    if (checked < 400) {  // the naive path recomputes every mineral: check a sample
      auto slow = naive::Evaluate(net, shocks, reg.horizon_months);
      const auto& mn = net.minerals[m];
      for (std::size_t k = 0; k < net.K(); ++k) {
        const auto& n = slow.at(mn.id).at(net.consumers[k].code).at("total");
        ASSERT_NEAR(out.by_consumer[k][kSectors].shortfall, n.shortfall, 1e-9 * std::max(1.0, n.demand))
            << "scenario " << sc << " " << mn.id;
      }
    }
    ++checked;
    for (std::size_t k = 0; k < net.K(); ++k) {
      for (int s = 0; s <= kSectors; ++s) ExpectBalanced(out.by_consumer[k][s], "mc");
    }
  };
  auto res = RunMonteCarlo(net, reg, opt);
  EXPECT_EQ(checked, res.mineral_evaluations);
  EXPECT_GT(checked, runs);  // scenarios touch minerals
  for (const auto& r : res.rows) {
    EXPECT_NEAR(r.delivered_t + r.stock_drawn_t + r.shortfall_t.mean, r.demand_t, 1e-6 * std::max(1.0, r.demand_t));
    EXPECT_LE(r.shortfall_t.p50, r.shortfall_t.p95 + 1e-9);
    EXPECT_LE(r.shortfall_t.p95, r.shortfall_t.max * (1 + 1e-9) + r.demand_t * 0.001);
    EXPECT_LE(r.shortfall_t.mean, r.shortfall_t.cvar95 + 1e-9 * std::max(1.0, r.demand_t));
  }
}

TEST(MonteCarlo, QuantilesMatchExactOrderStatisticsWithinTheBinWidth) {
  const Network& net = Shipped();
  auto reg = LoadRegister(kRoot / "scenarios/register.json");
  const std::uint64_t runs = 3000;
  for (auto rule : {SectorRule::ProRata, SectorRule::DefenceFirst}) {
    McOptions opt;
    opt.runs = runs;
    opt.seed = 11;
    opt.eval.sector_rule = rule;
    std::map<std::tuple<int, int, int>, std::vector<double>> values;
    opt.observe = [&](std::uint64_t, int m, const MineralOutcome& out) {
      for (std::size_t k = 0; k < net.K(); ++k) {
        for (int s = 0; s <= kSectors; ++s) {
          values[{m, static_cast<int>(k), s}].push_back(out.by_consumer[k][s].shortfall);
        }
      }
    };
    auto res = RunMonteCarlo(net, reg, opt);
    for (const auto& r : res.rows) {
      int m = net.FindMineralIndex(r.mineral), k = net.FindConsumer(r.consumer);
      int s = kSectors;
      Sector sec;
      if (ParseSector(r.sector, sec)) s = static_cast<int>(sec);
      auto v = values[{m, k, s}];
      v.resize(runs, 0.0);  // untouched scenarios: no shortfall
      std::sort(v.begin(), v.end());
      double share = s == kSectors ? 1.0 : net.minerals[m].sector_share[k][s];
      double base = net.minerals[m].demand[k] * share;
      double tol = base * res.histogram_resolution_pct / 100 * (1 + 1e-9) + 1e-9;
      std::string what = r.mineral + " " + r.consumer + " " + r.sector;
      EXPECT_NEAR(r.shortfall_t.p50, v[runs / 2 - 1 + (runs % 2)], tol) << what;
      EXPECT_NEAR(r.shortfall_t.p95, v[static_cast<std::size_t>(std::ceil(0.95 * runs)) - 1], tol) << what;
      double tail = 0;
      std::size_t t = runs - static_cast<std::size_t>(std::floor(0.95 * runs));
      for (std::size_t i = runs - t; i < runs; ++i) tail += v[i];
      EXPECT_NEAR(r.shortfall_t.cvar95, tail / static_cast<double>(t), tol) << what;
      EXPECT_DOUBLE_EQ(r.shortfall_t.max, v.back()) << what;
    }
  }
}

// The total rows' distribution: every run counted once, in the band of its own shortfall.
TEST(MonteCarlo, HistogramCountsEveryRunInItsBand) {
  const Network& net = Shipped();
  auto reg = LoadRegister(kRoot / "scenarios/register.json");
  const std::uint64_t runs = 3000;
  McOptions opt;
  opt.runs = runs;
  opt.seed = 12;
  std::map<std::pair<int, int>, std::vector<double>> fractions;
  opt.observe = [&](std::uint64_t, int m, const MineralOutcome& out) {
    for (std::size_t k = 0; k < net.K(); ++k) {
      const double base = net.minerals[m].demand[k];
      if (base > 0) fractions[{m, static_cast<int>(k)}].push_back(out.by_consumer[k][kSectors].shortfall / base);
    }
  };
  auto res = RunMonteCarlo(net, reg, opt);
  int checked = 0;
  for (const auto& r : res.rows) {
    if (r.sector != "total") {
      EXPECT_TRUE(r.histogram.empty()) << r.mineral << " " << r.consumer << " " << r.sector;
      continue;
    }
    const int bands = 100 / kMcHistogramBandPct;
    ASSERT_EQ(r.histogram.size(), static_cast<std::size_t>(bands + 2));
    const int m = net.FindMineralIndex(r.mineral), k = net.FindConsumer(r.consumer);
    if (!(net.minerals[m].demand[k] > 0)) continue;
    std::vector<double> expect(bands + 2, 0.0);
    const auto& v = fractions[{m, k}];
    expect[0] = static_cast<double>(runs - v.size());  // runs that never touched the mineral
    for (double f : v) {
      if (!(f > 0)) {
        expect[0] += 1;
      } else if (f > 1) {
        expect[bands + 1] += 1;
      } else {
        expect[static_cast<std::size_t>(std::ceil(f * 100 / kMcHistogramBandPct))] += 1;
      }
    }
    double sum = 0;
    for (std::size_t b = 0; b < expect.size(); ++b) {
      EXPECT_DOUBLE_EQ(r.histogram[b], expect[b] / static_cast<double>(runs))
          << r.mineral << " " << r.consumer << " band " << b;
      sum += r.histogram[b];
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
    EXPECT_NEAR(r.histogram[0], 1 - r.p_shortfall, 1e-12);
    ++checked;
  }
  EXPECT_GT(checked, 3);
}

TEST(MonteCarlo, SameBitsWithOneAndTwoThreads) {
  const Network& net = Shipped();
  auto reg = LoadRegister(kRoot / "scenarios/register.json");
  McOptions opt;
  opt.runs = 20000;
  opt.seed = 42;
  opt.threads = 1;
  auto a = RunMonteCarlo(net, reg, opt);
  opt.threads = 2;
  auto b = RunMonteCarlo(net, reg, opt);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  ASSERT_FALSE(a.rows.empty());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const auto& x = a.rows[i];
    const auto& y = b.rows[i];
    for (auto [p, q] : {std::pair{x.demand_t, y.demand_t},
                        {x.delivered_t, y.delivered_t},
                        {x.stock_drawn_t, y.stock_drawn_t},
                        {x.shortfall_t.mean, y.shortfall_t.mean},
                        {x.shortfall_t.p50, y.shortfall_t.p50},
                        {x.shortfall_t.p95, y.shortfall_t.p95},
                        {x.shortfall_t.cvar95, y.shortfall_t.cvar95},
                        {x.shortfall_t.max, y.shortfall_t.max},
                        {x.p_shortfall, y.p_shortfall}}) {
      EXPECT_EQ(std::memcmp(&p, &q, sizeof p), 0) << x.mineral << " " << x.consumer << " " << x.sector;
    }
  }
  opt.seed = 43;
  auto c = RunMonteCarlo(net, reg, opt);
  bool differs = false;
  for (std::size_t i = 0; i < a.rows.size() && i < c.rows.size(); ++i)
    differs |= a.rows[i].shortfall_t.mean != c.rows[i].shortfall_t.mean;
  EXPECT_TRUE(differs) << "another seed gives other draws";
}

TEST(MonteCarlo, EventFrequenciesFollowTheRegister) {
  auto reg = LoadRegister(kRoot / "scenarios/register.json");
  McOptions opt;
  opt.runs = 50000;
  opt.seed = 3;
  auto res = RunMonteCarlo(Shipped(), reg, opt);
  for (std::size_t e = 0; e < reg.events.size(); ++e) {
    double p = reg.events[e].probability, sd = std::sqrt(p * (1 - p) / 50000.0);
    EXPECT_NEAR(res.event_rate[e], p, 5 * sd + 1e-12) << reg.events[e].id;
  }
}

// --- The market rule (docs/simulation.md, "Market clearing")

double Gap(const ScenarioRow& r) { return r.flows.shortfall + r.flows.stock_drawn; }

// With every flow under contract and no leakage, the market rule is the pooled rules, to the bit,
// on every shipped scenario and with either sector rule.
TEST(Market, ContractShareOneGivesThePooledRulesExactly) {
  const Network all_contract = MarketWith(1, 1, 0);
  for (const auto& entry : fs::directory_iterator(kRoot / "scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "register.json") continue;
    auto sc = LoadScenario(entry.path());
    for (auto rule : {SectorRule::ProRata, SectorRule::DefenceFirst}) {
      EvalOptions opt;
      opt.sector_rule = rule;
      auto a = sim::Run(Pooled(), sc, opt), b = sim::Run(all_contract, sc, opt);
      ASSERT_EQ(a.rows.size(), b.rows.size());
      for (std::size_t i = 0; i < a.rows.size(); ++i) {
        const auto& x = a.rows[i].flows;
        const auto& y = b.rows[i].flows;
        EXPECT_EQ(x.delivered, y.delivered) << sc.id << " " << a.rows[i].mineral << " " << a.rows[i].consumer;
        EXPECT_EQ(x.shortfall, y.shortfall) << sc.id << " " << a.rows[i].mineral << " " << a.rows[i].consumer;
        EXPECT_EQ(x.stock_drawn, y.stock_drawn) << sc.id;
      }
    }
  }
}

// Every shipped scenario balances under the market rule as shipped and with everything spot.
TEST(Market, ShippedScenariosBalance) {
  const Network spot = MarketWith(0, 0, 0);
  for (const auto& entry : fs::directory_iterator(kRoot / "scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "register.json") continue;
    auto sc = LoadScenario(entry.path());
    for (const Network* net : {&Shipped(), &spot}) {
      auto r = sim::Run(*net, sc);
      for (const auto& row : r.rows) ExpectBalanced(row.flows, sc.id + " " + row.mineral + " " + row.consumer);
    }
  }
}

// Full diversion: China bans rare-earth exports to the United States only. With nothing under
// contract and no leakage, China's tonnes go to other buyers and non-Chinese supply (more than US
// demand) to the United States: nobody is short. Under the pooled rules the United States is.
TEST(Market, BanOnOneBuyerIsDivertedWhenOtherSupplyCoversIt) {
  const Network spot = MarketWith(0, 0, 0);
  const MineralNetwork& ree = *spot.Find("rare_earths");
  const int usa = spot.FindConsumer("USA");
  double other = 0;
  for (std::size_t j = 0; j < ree.J(); ++j) {
    if (spot.dataset.Country(model::CountryId{static_cast<std::uint16_t>(ree.refiners[j])}).iso3 != "CHN") {
      other += ree.refined_output[j];
    }
  }
  ASSERT_GT(other, ree.demand[usa]) << "the case needs non-Chinese supply above US demand";
  Shock ban = Control("CHN", "rare_earths", SimStage::Refining, 1.0, 12);
  ban.targets.kind = Targets::Kind::Only;
  ban.targets.codes = {"USA"};
  auto r = sim::Run(spot, Of({ban}));
  for (const auto& row : r.rows) {
    ExpectBalanced(row.flows, row.consumer);
    EXPECT_NEAR(Gap(row), 0.0, 1e-9 * std::max(1.0, row.flows.demand)) << row.consumer << " " << row.sector;
  }
  auto pooled = sim::Run(Pooled(), Of({ban}));
  EXPECT_GT(Gap(Row(pooled, "rare_earths", "USA")), 0.5 * ree.demand[usa]);
  // As shipped (contracts hold a share), the United States is short, but less than under the
  // pooled rules, and the buyers China still serves take up its blocked tonnes.
  auto shipped = sim::Run(Shipped(), Of({ban}));
  EXPECT_LT(Gap(Row(shipped, "rare_earths", "USA")), Gap(Row(pooled, "rare_earths", "USA")));
  EXPECT_GT(Gap(Row(shipped, "rare_earths", "USA")), 0.0);
}

// The naive oracle, extended to the market rule, agrees on every shipped scenario, as shipped,
// all spot, and with leakage and another contract path; and on targeted bans.
TEST(Market, ShippedScenariosMatchTheNaivePath) {
  const Network spot = MarketWith(0, 0, 0), other = MarketWith(0.7, 0.2, 0.3, 4);
  std::vector<Scenario> cases;
  for (const auto& entry : fs::directory_iterator(kRoot / "scenarios")) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "register.json") continue;
    cases.push_back(LoadScenario(entry.path()));
  }
  for (const char* m : {"rare_earths", "gallium", "graphite", "cobalt"}) {
    Shock ban = Control("CHN", m, SimStage::Refining, 0.8, 9);
    ban.start_month = 2;
    ban.targets.kind = Targets::Kind::Only;
    ban.targets.codes = {"USA"};
    cases.push_back(Of({ban}));
  }
  for (const Network* net : {&Shipped(), &spot, &other}) {
    for (const auto& sc : cases) {
      auto fast = sim::Run(*net, sc);
      auto slow = naive::Evaluate(*net, sc.shocks, sc.horizon_months);
      for (const auto& row : fast.rows) {
        const auto& n = slow.at(row.mineral).at(row.consumer).at(row.sector);
        double tol = 1e-9 * std::max(1.0, n.demand);
        EXPECT_NEAR(row.flows.shortfall, n.shortfall, tol) << sc.id << " " << row.mineral << " " << row.consumer;
        EXPECT_NEAR(row.flows.stock_drawn, n.stock, tol) << sc.id << " " << row.mineral << " " << row.consumer;
        EXPECT_NEAR(row.flows.delivered, n.delivered, tol) << sc.id << " " << row.mineral << " " << row.consumer;
      }
    }
  }
}

// Leakage lets a share of the blocked tonnes through: the targeted buyer's gap shrinks with it.
TEST(Market, LeakageReducesTheTargetedBuyersGap) {
  Shock ban = Control("CHN", "gallium", SimStage::Refining, 1.0, 12);
  ban.targets.kind = Targets::Kind::Only;
  ban.targets.codes = {"USA"};
  double last = 1e300;
  for (double leak : {0.0, 0.3, 0.6, 1.0}) {
    auto r = sim::Run(MarketWith(1, 1, leak), Of({ban}));
    double gap = Gap(Row(r, "gallium", "USA"));
    EXPECT_LT(gap, last + 1e-9) << leak;
    last = gap;
  }
  EXPECT_NEAR(last, 0.0, 1e-9);  // everything leaks: the ban changes nothing
}

// The contract share path: contracts hold during the first months, then the spot share grows;
// the segment boundary at the change keeps the balance exact.
TEST(Market, ContractPathSplitsTheHorizon) {
  Shock ban = Control("CHN", "rare_earths", SimStage::Refining, 1.0, 12);
  ban.targets.kind = Targets::Kind::Only;
  ban.targets.codes = {"USA"};
  auto hold = sim::Run(MarketWith(1, 0, 0, 6), Of({ban}));
  auto all = sim::Run(Pooled(), Of({ban}));
  // Half the year under the pooled rules, half fully diverted (no gap).
  EXPECT_NEAR(Gap(Row(hold, "rare_earths", "USA")), 0.5 * Gap(Row(all, "rare_earths", "USA")),
              1e-6 * Row(all, "rare_earths", "USA").flows.demand);
}

// Under the market rule new supply never raises anyone's gap and all of it finds short buyers.
TEST(Market, AddedSupplyNeverHurts) {
  auto sc = Of({Control("CHN", "gallium", SimStage::Refining, 1.0, 12)});
  auto before = sim::Run(Shipped(), sc);
  auto after = sim::Run(WithAdditions(Shipped(), {{"gallium", "USA", true, 5.0}}), sc);
  ASSERT_EQ(before.rows.size(), after.rows.size());
  double relief = 0;
  for (std::size_t i = 0; i < before.rows.size(); ++i) {
    ExpectBalanced(after.rows[i].flows, "added");
    EXPECT_LE(Gap(after.rows[i]), Gap(before.rows[i]) + 1e-9) << before.rows[i].consumer;
    if (after.rows[i].sector == "total") relief += Gap(before.rows[i]) - Gap(after.rows[i]);
  }
  EXPECT_NEAR(relief, 5.0, 1e-9);
}

// The world's shortfall never falls as a shock grows, under the market rule.
RC_GTEST_PROP(MarketProperty, WorldShortfallNeverDecreasesWhenAShockGrows, ()) {
  static const Network spot = MarketWith(0.5, 0.2, 0);
  const Network& net = **rc::gen::element(&Shipped(), &spot);
  const auto& mn = net.minerals[*rc::gen::inRange<std::size_t>(0, net.minerals.size())];
  bool refining = *rc::gen::arbitrary<bool>();
  const auto& nodes = refining || !mn.has_ore_stage ? mn.refiners : mn.miners;
  int country = nodes[*rc::gen::inRange<std::size_t>(0, nodes.size())];
  std::string code = net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(country)}).iso3;
  int kind = *rc::gen::inRange(0, 3);
  int target = *rc::gen::inRange(0, 3);
  double f1 = *rc::gen::inRange(0, 1000) / 1000.0, f2 = *rc::gen::inRange(0, 1000) / 1000.0;
  if (f1 > f2) std::swap(f1, f2);
  double months = *rc::gen::inRange(1, 13);
  auto make = [&](double f) {
    Shock s =
        Control(code, mn.id, mn.component ? SimStage::Component : (refining ? SimStage::Refining : SimStage::Mining), f,
                months);
    if (target == 1) {
      s.targets.kind = Targets::Kind::Only;
      s.targets.codes = {"USA"};
    } else if (target == 2) {
      s.targets.kind = Targets::Kind::AllBut;
      s.targets.codes = {"MSP"};
    }
    if (kind == 1) s.kind = ShockKind::Outage;
    if (kind == 2) {
      s.kind = ShockKind::Chokepoint;
      s.chokepoint = "malacca";
    }
    return Of({s});
  };
  auto a = sim::Run(net, make(f1)), b = sim::Run(net, make(f2));
  double world_a = 0, world_b = 0, scale = 1;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    if (a.rows[i].sector != "total") continue;
    world_a += Gap(a.rows[i]);
    world_b += Gap(b.rows[i]);
    scale += a.rows[i].flows.demand;
  }
  RC_ASSERT(world_b >= world_a - 1e-9 * scale);
}

// Every Monte Carlo draw balances under the market rule and a sample matches the naive path; the
// bytes do not depend on threads.
TEST(Market, MonteCarloBalancesAndIsTheSameWithOneAndTwoThreads) {
  const Network& net = Shipped();
  ASSERT_EQ(net.market.rule, MarketRule::Market);
  auto reg = LoadRegister(kRoot / "scenarios/register.json");
  McOptions opt;
  opt.runs = 3000;
  opt.seed = 5;
  opt.threads = 2;
  std::size_t seen = 0;
  auto draws = DrawScenarios(reg, opt.runs, opt.seed);
  opt.observe = [&](std::uint64_t sc, int m, const MineralOutcome& out) {
    if (seen < 300) {  // the naive path, extended to the market rule, on a sample
      std::vector<Shock> shocks;
      for (const auto& d : draws[sc]) {
        Shock s = reg.events[d.event].shock;
        s.fraction = d.fraction;
        s.factor = d.factor;
        s.start_month = d.start;
        s.months = d.months;
        shocks.push_back(s);
      }
      auto slow = naive::Evaluate(net, shocks, reg.horizon_months);
      for (std::size_t k = 0; k < net.K(); ++k) {
        const auto& n = slow.at(net.minerals[m].id).at(net.consumers[k].code).at("total");
        EXPECT_NEAR(out.by_consumer[k][kSectors].shortfall, n.shortfall, 1e-9 * std::max(1.0, n.demand))
            << "scenario " << sc << " " << net.minerals[m].id;
      }
    }
    ++seen;
    for (std::size_t k = 0; k < net.K(); ++k) {
      for (int s = 0; s <= kSectors; ++s) ExpectBalanced(out.by_consumer[k][s], "market mc");
    }
  };
  auto a = RunMonteCarlo(net, reg, opt);
  EXPECT_EQ(seen, a.mineral_evaluations);
  opt.observe = nullptr;
  opt.threads = 1;
  auto b = RunMonteCarlo(net, reg, opt);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(std::memcmp(&a.rows[i].shortfall_t, &b.rows[i].shortfall_t, sizeof(McStat)), 0) << a.rows[i].mineral;
    EXPECT_EQ(std::memcmp(&a.rows[i].delivered_t, &b.rows[i].delivered_t, sizeof(double)), 0);
  }
}

// The baseline follows each consumer's import sources where chosen: the United States takes 71%
// of its rare-earth imports from China and Japan 60%, so their flows from China differ.
TEST(Market, BaselineFollowsImportSources) {
  const Network& net = Shipped();
  const MineralNetwork& ree = *net.Find("rare_earths");
  const int usa = net.FindConsumer("USA"), jpn = net.FindConsumer("JPN");
  int chn = -1;
  for (std::size_t j = 0; j < ree.J(); ++j) {
    if (net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(ree.refiners[j])}).iso3 == "CHN") {
      chn = static_cast<int>(j);
    }
  }
  ASSERT_GE(chn, 0);
  EXPECT_NEAR(ree.refined_flow[chn * net.K() + usa] / ree.demand[usa], 0.71, 1e-9);
  EXPECT_NEAR(ree.refined_flow[chn * net.K() + jpn] / ree.demand[jpn], 0.6, 1e-9);
  EXPECT_NE(ree.flow_basis[usa].find("import sources: compounds and metals"), std::string::npos);
  EXPECT_NE(ree.flow_basis[jpn].find("import sources: all rare-earth imports, 2025"), std::string::npos);
  EXPECT_EQ(ree.flow_basis[net.FindConsumer("ROW")].rfind("pooled", 0), 0u);
  // Every refinery ships exactly its output and every consumer receives exactly its demand.
  for (std::size_t m = 0; m < net.minerals.size(); ++m) {
    const auto& mn = net.minerals[m];
    for (std::size_t j = 0; j < mn.J(); ++j) {
      double out = 0;
      for (std::size_t k = 0; k < net.K(); ++k) out += mn.refined_flow[j * net.K() + k];
      EXPECT_NEAR(out, mn.refined_output[j], 1e-9 * std::max(1.0, mn.refined_output[j])) << mn.id;
    }
    for (std::size_t k = 0; k < net.K(); ++k) {
      double in = 0;
      for (std::size_t j = 0; j < mn.J(); ++j) in += mn.refined_flow[j * net.K() + k];
      EXPECT_NEAR(in, mn.demand[k], 1e-9 * std::max(1.0, mn.demand[k])) << mn.id << " " << k;
    }
  }
}

// A bad choice of import sources is reported at its line.
TEST(Market, UnknownImportBasisIsReportedWithFileAndLine) {
  lodestone::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "sim";
  fs::copy(kRoot / "data/sim", dir);
  {
    std::ofstream f(dir / "import_basis.csv", std::ios::app);
    f << "USA,gallium,unwrought bars,2021-24,none\n";
  }
  auto ds = data::LoadDatasetOrThrow(kRoot / "data/starter");
  try {
    BuildNetwork(ds, LoadSimInputs(dir, ds), 2025);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidData);
    std::string text = e.diagnostics().Format();
    EXPECT_NE(text.find("import_basis.csv:17"), std::string::npos) << text;
    EXPECT_NE(text.find("unwrought bars"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace lodestone::sim

namespace lodestone::sim {
namespace {

// The index of the refinery of `iso3` in `mn`, or -1.
int RefinerOf(const Network& net, const MineralNetwork& mn, std::string_view iso3) {
  for (std::size_t j = 0; j < mn.J(); ++j) {
    if (net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(mn.refiners[j])}).iso3 == iso3) {
      return static_cast<int>(j);
    }
  }
  return -1;
}

// Bilateral trade comes first: gallium's US, Japanese and Chinese flows follow each one's 2024
// imports of HS 8112.92 (the group code, said in the basis with the extract's caveats), and
// rare earths, which the extract lacks before the magnet stage, keep the import sources.
TEST(BaselineTrade, ConsumersFollowTheirOwnBilateralImports) {
  const Network& net = Shipped();
  const MineralNetwork& ga = *net.Find("gallium");
  const int usa = net.FindConsumer("USA"), jpn = net.FindConsumer("JPN");
  for (int k : {usa, jpn, net.FindConsumer("CHN")}) {
    EXPECT_EQ(ga.flow_basis[k].rfind("bilateral trade: HS 811292 imports 2024", 0), 0u) << ga.flow_basis[k];
    EXPECT_NE(ga.flow_basis[k].find("group of several minerals"), std::string::npos);
  }
  EXPECT_EQ(ga.flow_basis[net.FindConsumer("ROW")].rfind("pooled", 0), 0u);
  bool caveats = false;
  for (const auto& b : ga.basis) caveats = caveats || b.rfind("bilateral trade caveats (cepii_baci_atlas)", 0) == 0;
  EXPECT_TRUE(caveats);
  EXPECT_NE(std::find(ga.sources.begin(), ga.sources.end(), "cepii_baci_atlas"), ga.sources.end());
  // Different partners, different shares from China.
  const int chn = RefinerOf(net, ga, "CHN");
  ASSERT_GE(chn, 0);
  const double us_cn = ga.refined_flow[chn * net.K() + usa] / ga.demand[usa];
  const double jp_cn = ga.refined_flow[chn * net.K() + jpn] / ga.demand[jpn];
  EXPECT_GT(std::fabs(us_cn - jp_cn), 0.01) << us_cn << " " << jp_cn;
  const MineralNetwork& ree = *net.Find("rare_earths");
  EXPECT_EQ(ree.flow_basis[usa].rfind("import sources: compounds and metals", 0), 0u) << ree.flow_basis[usa];
}

// Parameter baseline_bilateral_trade = 0 builds the earlier baseline: no trade rows used.
TEST(BaselineTrade, ParameterZeroBuildsTheImportSourceBaseline) {
  lodestone::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "sim";
  fs::copy(kRoot / "data/sim", dir);
  {
    std::ifstream in(dir / "parameters.csv");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("baseline_bilateral_trade,1,");
    ASSERT_NE(at, std::string::npos);
    text[at + std::strlen("baseline_bilateral_trade,")] = '0';
    std::ofstream out(dir / "parameters.csv", std::ios::trunc);
    out << text;
  }
  auto ds = data::LoadDatasetOrThrow(kRoot / "data/starter");
  const Network net = BuildNetwork(ds, LoadSimInputs(dir, ds), 2025);
  for (const auto& mn : net.minerals) {
    for (const auto& b : mn.flow_basis) EXPECT_EQ(b.find("bilateral trade"), std::string::npos) << mn.id << ": " << b;
  }
  EXPECT_EQ(net.Find("gallium")->flow_basis[net.FindConsumer("USA")].rfind("import sources: metal", 0), 0u);
}

// The default scenario (China's October 2025 controls) gives the United States and Japan
// different gallium shortfalls, and each result names the rule its flows came from. Under the
// pooled rules the gaps follow each one's baseline share from China; as shipped, spot clearing
// brings the gaps close and Japan's stock (60 days, the United States' is not known) makes the
// shortfalls differ.
TEST(BaselineTrade, DefaultScenarioDiffersForUsAndJapan) {
  const auto sc = LoadScenario(kRoot / "scenarios" / "cn-2025-10-widened-ga-ge-graphite.json");
  auto pooled = sim::Run(Pooled(), sc);
  const auto& pus = Row(pooled, "gallium", "USA");
  const auto& pjp = Row(pooled, "gallium", "JPN");
  EXPECT_GT(std::fabs(Gap(pus) / pus.flows.demand - Gap(pjp) / pjp.flows.demand), 0.05)
      << Gap(pus) / pus.flows.demand << " " << Gap(pjp) / pjp.flows.demand;
  auto r = sim::Run(Shipped(), sc);
  const auto& us = Row(r, "gallium", "USA");
  const auto& jp = Row(r, "gallium", "JPN");
  EXPECT_GT(std::fabs(us.flows.shortfall / us.flows.demand - jp.flows.shortfall / jp.flows.demand), 0.05);
  EXPECT_EQ(us.baseline_source.rfind("bilateral trade", 0), 0u) << us.baseline_source;
  EXPECT_EQ(jp.baseline_source.rfind("bilateral trade", 0), 0u) << jp.baseline_source;
  for (const auto& row : r.rows) ExpectBalanced(row.flows, row.consumer);
  for (const auto& row : pooled.rows) ExpectBalanced(row.flows, row.consumer);
}

// "Only USA" at fraction 1, everything spot and under the pooled rules: only US-bound flows from
// China are blocked; a consumer China does not supply is untouched, and Japan's baseline flows
// from China stay in place under the pooled rules.
TEST(BaselineTrade, OnlyUsaTouchesOnlyUsFlows) {
  Shock ban = Control("CHN", "gallium", SimStage::Refining, 1.0, 12);
  ban.targets.kind = Targets::Kind::Only;
  ban.targets.codes = {"USA"};
  const Network& net = Pooled();
  auto r = sim::Run(net, Of({ban}));
  const MineralNetwork& ga = *net.Find("gallium");
  const int chn = RefinerOf(net, ga, "CHN");
  ASSERT_GE(chn, 0);
  for (const char* c : {"JPN", "CHN", "ROW"}) {
    const auto& row = Row(r, "gallium", c);
    EXPECT_NEAR(Gap(row), 0.0, 1e-9 * std::max(1.0, row.flows.demand)) << c;
  }
  // The United States loses at most what China shipped it in the baseline.
  const int usa = net.FindConsumer("USA");
  const double from_china = ga.refined_flow[chn * net.K() + usa];
  ASSERT_GT(from_china, 0.0);
  EXPECT_GT(Gap(Row(r, "gallium", "USA")), 0.0);
  EXPECT_LE(Gap(Row(r, "gallium", "USA")), from_china * (1 + 1e-9));
}

// --- Chains: the rare-earth split and the magnet component stage (docs/simulation.md, "Chains and
// components").

double TotalDemand(const MineralNetwork& mn) { return std::accumulate(mn.demand.begin(), mn.demand.end(), 0.0); }

TEST(Chains, RareEarthSplitAddsUpToTheParent) {
  const Network& net = Shipped();
  const auto* all = net.Find("rare_earths");
  const auto* mag = net.Find("rare_earths_magnet");
  const auto* oth = net.Find("rare_earths_other");
  ASSERT_TRUE(all && mag && oth);
  EXPECT_EQ(mag->parent, "rare_earths");
  EXPECT_EQ(mag->unit, all->unit);
  // Mine output by country: 0.29 and 0.71 of the parent's.
  ASSERT_EQ(mag->I(), all->I());
  for (std::size_t i = 0; i < all->I(); ++i) {
    EXPECT_EQ(mag->miners[i], all->miners[i]);
    EXPECT_NEAR(mag->mine_output[i] + oth->mine_output[i], all->mine_output[i], 1e-9 * all->mine_output[i]);
    EXPECT_NEAR(mag->mine_output[i], 0.29 * all->mine_output[i], 1e-9 * all->mine_output[i]);
  }
  EXPECT_NEAR(TotalDemand(*mag) + TotalDemand(*oth), TotalDemand(*all), 1e-6);
  // China and Japan: magnet plus other rare earths is their rare-earth demand.
  for (const char* c : {"CHN", "JPN"}) {
    const int k = net.FindConsumer(c);
    EXPECT_NEAR(mag->demand[k] + oth->demand[k], all->demand[k], 1.0) << c;
  }
  // US compounds-and-metals use has no magnet end use: its magnet rare earths are not known.
  const int usa = net.FindConsumer("USA");
  EXPECT_FALSE(mag->demand_known[usa]);
  EXPECT_NEAR(oth->demand[usa], all->demand[usa], 1e-9);
  // Magnet rare earths are separated 92% in China; their sectors differ from the other rare earths'.
  double chn = 0;
  for (std::size_t j = 0; j < mag->J(); ++j) {
    if (net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(mag->refiners[j])}).iso3 == "CHN") {
      chn = mag->refined_output[j] / TotalDemand(*mag);
    }
  }
  EXPECT_NEAR(chn, 0.92, 1e-9);
  EXPECT_GT(mag->sector_share[0][static_cast<int>(Sector::Defence)], 0.0);
  EXPECT_EQ(oth->sector_share[0][static_cast<int>(Sector::Defence)], 0.0);
}

TEST(Chains, MagnetComponentIsBuiltOnItsFeed) {
  const Network& net = Shipped();
  const auto* mag = net.Find("ndfeb_magnets");
  ASSERT_NE(mag, nullptr);
  EXPECT_TRUE(mag->component);
  EXPECT_FALSE(mag->has_ore_stage);
  EXPECT_EQ(mag->unit, "t magnet");
  ASSERT_EQ(mag->feeds.size(), 1u);
  const auto& feed = net.minerals[mag->feeds[0].mineral];
  EXPECT_EQ(feed.id, "rare_earths_magnet");
  EXPECT_LT(mag->feeds[0].mineral, net.FindMineralIndex("ndfeb_magnets"));
  EXPECT_NEAR(TotalDemand(*mag), TotalDemand(feed) / 0.35, 1e-6);
  // Producers: China 0.90, Japan 0.07, others 0.03; each limited by its own country's feed, the
  // others by the rest of the world's; each producer's feed need matches its feed demand.
  ASSERT_EQ(mag->J(), 3u);
  for (std::size_t j = 0; j < mag->J(); ++j) {
    const std::string code = net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(mag->refiners[j])}).iso3;
    const std::string fc = net.consumers[mag->feeds[0].consumer[j]].code;
    EXPECT_EQ(fc, code == "XOT" ? std::string("ROW") : code);
    EXPECT_NEAR(mag->refined_output[j] * 0.35, feed.demand[mag->feeds[0].consumer[j]], 1.0) << code;
  }
  // Flows follow HS 8505.11 trade where it exists: 75% of US magnet imports (by value) come from China.
  const int usa = net.FindConsumer("USA");
  EXPECT_NE(mag->flow_basis[usa].find("HS 850511"), std::string::npos) << mag->flow_basis[usa];
  double from_china = 0;
  for (std::size_t j = 0; j < mag->J(); ++j) {
    if (net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(mag->refiners[j])}).iso3 == "CHN") {
      from_china = mag->refined_flow[j * net.K() + usa] / mag->demand[usa];
    }
  }
  EXPECT_NEAR(from_china, 0.750, 0.005);
}

TEST(Chains, StageMustMatchTheChain) {
  const Network& net = Shipped();
  EXPECT_THROW(sim::Run(net, Of({Control("CHN", "ndfeb_magnets", SimStage::Refining, 0.5, 12)})), lodestone::Error);
  EXPECT_THROW(sim::Run(net, Of({Control("CHN", "rare_earths_magnet", SimStage::Component, 0.5, 12)})),
               lodestone::Error);
  auto sc = ParseScenario(R"({"format": "lodestone-scenario/1", "id": "x", "title": "x", "year": 2025,
    "shocks": [{"kind": "export_control", "country": "CHN", "stage": "component", "minerals": ["ndfeb_magnets"],
                "fraction": 0.5, "targets": "all", "months": 12, "source": "t", "basis": "t"}]})",
                          "x.json");
  ASSERT_EQ(sc.shocks.size(), 1u);
  EXPECT_EQ(sc.shocks[0].stage, SimStage::Component);
  try {
    ParseScenario(R"({"format": "lodestone-scenario/1", "id": "x", "title": "x", "year": 2025,
      "shocks": [{"kind": "outage", "country": "CHN", "stage": "magnets", "minerals": ["ndfeb_magnets"],
                  "fraction": 0.5, "months": 12, "source": "t", "basis": "t"}]})",
                  "x.json");
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    EXPECT_NE(e.diagnostics().Format().find("expected mining, refining or component"), std::string::npos);
  }
}

// The coupling by hand: one shock on the feed over the whole horizon is one period, so each
// producer loses exactly the share of its feed consumer's demand not met over the horizon; the
// component run equals a run with those outages written out.
TEST(Chains, FeedShortfallBecomesProducerOutage) {
  // The pooled rules cut the horizon only at shocks (the market rule also at the end of the
  // contract hold: that case is checked against the naive oracle on the shipped scenarios).
  for (const Network* net : {&Pooled()}) {
    Shock cut = Control("CHN", "rare_earths_magnet", SimStage::Refining, 0.9, 12);
    cut.kind = ShockKind::Outage;
    auto coupled = sim::Run(*net, Of({cut}));
    // Each producer's feed consumer: its own country's, the others' the rest of the world's.
    std::vector<Shock> written;
    std::map<std::string, double> lost;
    for (const auto& [producer, feed_consumer] :
         std::vector<std::pair<std::string, std::string>>{{"CHN", "CHN"}, {"JPN", "JPN"}, {"XOT", "ROW"}}) {
      const auto& f = Row(coupled, "rare_earths_magnet", feed_consumer);
      lost[producer] = 1 - (f.flows.delivered + f.flows.stock_drawn) / f.flows.demand;
      // China and Japan are short of feed beyond any stock; the rest of the world may be served.
      if (producer != "XOT") ASSERT_GT(lost[producer], 0.01) << producer;
      if (lost[producer] <= 1e-12) continue;
      Shock o;
      o.kind = ShockKind::Outage;
      o.country = producer;
      o.stage = SimStage::Component;
      o.minerals = {"ndfeb_magnets"};
      o.fraction = lost[producer];
      o.months = 12;
      written.push_back(o);
    }
    auto by_hand = sim::Run(*net, Of(written));
    for (const char* c : {"CHN", "JPN", "USA", "ROW"}) {
      const auto& a = Row(coupled, "ndfeb_magnets", c);
      const auto& b = Row(by_hand, "ndfeb_magnets", c);
      EXPECT_GT(a.flows.shortfall, 0.0) << c;
      EXPECT_NEAR(a.flows.shortfall, b.flows.shortfall, 1e-9 * a.flows.demand) << c;
      EXPECT_NEAR(a.flows.delivered, b.flows.delivered, 1e-9 * a.flows.demand) << c;
      ExpectBalanced(a.flows, std::string("ndfeb_magnets ") + c);
    }
    // What caused it: the feed alone, nothing from shocks on magnets; each producer's lost output.
    ASSERT_EQ(coupled.producer_feed_loss.size(), 3u);
    for (const auto& p : coupled.producer_feed_loss) {
      EXPECT_NEAR(p.lost_t, p.output_t * lost.at(p.producer), 1e-9 * p.output_t) << p.producer;
    }
    EXPECT_NEAR(coupled.producer_feed_loss[1].output_t, 22620, 1);  // Japan: 0.07 of 323,143 t
    ASSERT_EQ(coupled.components.size(), net->K());
    for (const auto& c : coupled.components) {
      EXPECT_EQ(c.component_only_t, 0.0) << c.consumer;
      EXPECT_NEAR(c.feed_only_t, c.shortfall_t, 1e-9 * std::max(1.0, c.demand_t)) << c.consumer;
    }
  }
}

// A control on magnets alone leaves the feed whole: no producer loses output; consumers are short
// by the component shock only. With both, the causes are reported apart.
TEST(Chains, ComponentShockAndFeedShockAreReportedApart) {
  const Network& net = Shipped();
  Shock magnets = Control("CHN", "ndfeb_magnets", SimStage::Component, 0.5, 12);
  auto only = sim::Run(net, Of({magnets}));
  for (const auto& p : only.producer_feed_loss) EXPECT_EQ(p.lost_t, 0.0) << p.producer;
  EXPECT_GT(Row(only, "ndfeb_magnets", "USA").flows.shortfall, 0.0);
  EXPECT_EQ(std::count(only.minerals.begin(), only.minerals.end(), "rare_earths_magnet"), 0);
  Shock feed = Control("CHN", "rare_earths_magnet", SimStage::Refining, 0.7, 12);
  auto both = sim::Run(net, Of({magnets, feed}));
  double feed_part = 0, own_part = 0;
  for (const auto& c : both.components) {
    if (c.consumer != "USA") continue;
    EXPECT_NEAR(c.shortfall_t, Row(both, "ndfeb_magnets", "USA").flows.shortfall, 1e-9);
    feed_part = c.feed_only_t;
    own_part = c.component_only_t;
    EXPECT_NEAR(own_part, Row(only, "ndfeb_magnets", "USA").flows.shortfall, 1e-9 * c.demand_t);
    EXPECT_GE(c.shortfall_t, std::max(feed_part, own_part) - 1e-9 * c.demand_t);
  }
  EXPECT_GT(own_part, 0.0);
  // Deterministic: the same bytes again.
  EXPECT_EQ(ToJson(sim::Run(net, Of({magnets, feed}))).dump(), ToJson(both).dump());
}

// The shipped variant of China's October 2025 controls acts on magnet rare earths and magnets: the
// United States and Japan are short of magnets, the other rare earths are untouched.
TEST(Chains, OctoberControlsOnMagnetsReachUsAndJapan) {
  const Network& net = Shipped();
  auto sc = LoadScenario(kRoot / "scenarios/cn-2025-10-ree-controls-magnets.json");
  auto r = sim::Run(net, sc);
  EXPECT_EQ(std::count(r.minerals.begin(), r.minerals.end(), "rare_earths_other"), 0);
  for (const char* c : {"USA", "JPN"}) {
    const auto& row = Row(r, "ndfeb_magnets", c);
    ExpectBalanced(row.flows, c);
    ASSERT_TRUE(row.shortfall_pct.has_value());
    EXPECT_GT(*row.shortfall_pct, 5.0) << c;
    EXPECT_LT(*row.shortfall_pct, 70.0) << c;
  }
  EXPECT_EQ(Row(r, "ndfeb_magnets", "CHN").flows.shortfall, 0.0);  // China's own use is untouched
  auto j = ToJson(r);
  ASSERT_TRUE(j.contains("components"));
  EXPECT_EQ(j["components"].size(), net.K());
}

// The Monte Carlo couples the chains as a single run does, with the same bytes on 1 and 2 threads.
TEST(Chains, MonteCarloCouplesTheChainsThreadIndependently) {
  const Network& net = Shipped();
  auto reg = ParseRegister(R"({"format": "lodestone-register/1", "id": "r", "title": "r", "year": 2025,
    "events": [{"id": "cn-magnet-ree", "probability": 0.5,
                "shock": {"kind": "outage", "country": "CHN", "stage": "refining",
                          "minerals": ["rare_earths_magnet"],
                          "fraction": {"dist": "uniform", "min": 0.5, "max": 1}, "months": 12, "source": "t",
                          "basis": "t"},
                "source": "t", "basis": "t"}]})",
                           "r.json");
  McOptions opt;
  opt.runs = 400;
  opt.seed = 3;
  opt.threads = 1;
  auto one = RunMonteCarlo(net, reg, opt);
  opt.threads = 2;
  auto two = RunMonteCarlo(net, reg, opt);
  EXPECT_EQ(ToJson(one).dump(), ToJson(two).dump());
  bool magnets = false;
  for (const auto& row : one.rows) {
    if (row.mineral == "ndfeb_magnets" && row.consumer == "JPN" && row.sector == "total") {
      magnets = true;
      EXPECT_GT(row.shortfall_t.mean, 0.0);
      EXPECT_GT(row.p_shortfall, 0.3);
    }
  }
  EXPECT_TRUE(magnets);
}

TEST(Chains, BadChainRowsAreReportedWithFileAndLine) {
  lodestone::testing::TempDir dir;
  for (const auto& e : fs::directory_iterator(kRoot / "data/sim")) {
    if (e.path().extension() == ".csv" && e.path().filename() != "chains.csv") {
      fs::copy_file(e.path(), dir.path() / e.path().filename());
    }
  }
  lodestone::testing::WriteFile(
      dir.path() / "chains.csv",
      "id,kind,parent,unit,content_share,feed,intensity,trade_stage,source,note\n"
      "rare_earths_magnet,split,rare_earths,,0.29,,,,assume_ree_magnet_split,\n"
      "rare_earths_other,split,rare_earths,,0.8,,,,assume_ree_magnet_split,\n"
      "ndfeb_magnets,component,rare_earths,t magnet,,nothing,-1,magnet,assume_ndfeb_intensity,\n");
  auto ds = data::LoadDatasetOrThrow(kRoot / "data/starter");
  try {
    LoadSimInputs(dir.path(), ds);
    FAIL() << "expected an error";
  } catch (const lodestone::Error& e) {
    std::string msg = e.diagnostics().Format();
    EXPECT_NE(msg.find("content shares of the splits of rare_earths sum to 1.0900"), std::string::npos) << msg;
    EXPECT_NE(msg.find("chains.csv:4:6: error: unknown feed 'nothing'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("expected a number above 0"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace lodestone::sim
