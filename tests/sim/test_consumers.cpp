// Consumers beyond the United States, Japan and China: the EU as one buyer (EUU), Korea, Taiwan
// and India. Demand and sectors for every mineral, the EU's imports from outside the EU, and
// export controls that name a buyer, a bloc or a group acting on exactly the buyers they mean.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim/simulate.hpp"
#include "shipped.hpp"

namespace lodestone::sim {
namespace {

using fixtures::Data;
using fixtures::Shipped;

namespace fs = std::filesystem;
const fs::path kRoot = LODESTONE_SOURCE_DIR;

// Every flow under contract, no leakage: the pooled rules.
Network AllContract() {
  Network n = Shipped();
  n.market.rule = MarketRule::Market;
  n.market.contract_share_initial = 1;
  n.market.contract_share_later = 1;
  n.market.leakage = 0;
  return n;
}

Scenario OneControl(const std::string& mineral, Targets::Kind kind, std::vector<std::string> codes,
                    SimStage stage = SimStage::Refining) {
  Shock s;
  s.kind = ShockKind::ExportControl;
  s.country = "CHN";
  s.minerals = {mineral};
  s.stage = stage;
  s.fraction = 1;
  s.months = 12;
  s.source = "test";
  s.targets.kind = kind;
  s.targets.codes = std::move(codes);
  Scenario sc;
  sc.id = "test";
  sc.title = "test";
  sc.shocks = {s};
  return sc;
}

const ScenarioRow& Row(const ScenarioResult& r, const std::string& m, const std::string& c) {
  for (const auto& row : r.rows) {
    if (row.mineral == m && row.consumer == c && row.sector == "total") return row;
  }
  throw std::runtime_error("no row " + m + " " + c);
}

double Gap(const ScenarioRow& r) { return r.flows.shortfall + r.flows.stock_drawn; }

const std::vector<std::string> kNew = {"EUU", "IND", "KOR", "TWN"};

TEST(Consumers, NewConsumersHaveDemandAndSectorsForEveryMineral) {
  const Network& net = Shipped();
  for (const auto& code : kNew) ASSERT_GE(net.FindConsumer(code), 0) << code;
  for (const auto& mn : net.minerals) {
    double listed = 0;
    for (std::size_t k = 0; k < net.K(); ++k) listed += mn.demand[k];
    for (const auto& code : kNew) {
      const int k = net.FindConsumer(code);
      const double sum = std::accumulate(mn.sector_share[k].begin(), mn.sector_share[k].end(), 0.0);
      EXPECT_NEAR(sum, 1.0, 1e-9) << mn.id << " " << code;
      if (mn.demand_known[k]) {
        EXPECT_GT(mn.demand[k], 0.0) << mn.id << " " << code;
        continue;
      }
      // The explicit NAs, with their reason: Taiwan's platinum and palladium (no vehicle figure
      // read); every new buyer's magnet rare earths and magnets (bought by the magnet makers, whose
      // makers outside China and Japan are fed by the rest of the world); anode material of the
      // buyers without a cell-output figure (India, Korea, Taiwan), and cathode material likewise.
      const bool magnets = mn.id == "rare_earths_magnet" || mn.id == "ndfeb_magnets";
      const bool anode =
          (mn.id == "anode_graphite" || mn.id == "cathode_lfp" || mn.id == "cathode_ncm_nca") && code != "EUU";
      if (!magnets && !anode) {
        EXPECT_EQ(code, "TWN") << mn.id;
        EXPECT_TRUE(mn.id == "platinum" || mn.id == "palladium") << mn.id;
      }
      bool said = false;
      for (const auto& b : mn.basis) said = said || b == code + " demand not known: counted in the rest of the world";
      EXPECT_TRUE(said) << mn.id;
    }
    // World demand is shared out exactly, the rest of the world keeping what is left.
    const double world = listed;
    EXPECT_GE(mn.demand[net.K() - 1], 0.0) << mn.id;
    EXPECT_GT(world, 0.0) << mn.id;
  }
}

// The new consumers share what the United States, China and Japan leave in proportion to the
// proxy in data/sim/demand.csv: India's and the EU's crude steel are 149.6 and 129.5 Mt.
TEST(Consumers, ShareOfTheRestSplitsWhatTheConsumersWithFiguresLeave) {
  const Network& net = Shipped();
  const MineralNetwork& mn = *net.Find("manganese");
  const int usa = net.FindConsumer("USA"), chn = net.FindConsumer("CHN"), jpn = net.FindConsumer("JPN");
  double world = 0;
  for (std::size_t k = 0; k < net.K(); ++k) world += mn.demand[k];
  const double rest = world - mn.demand[usa] - mn.demand[chn] - mn.demand[jpn];
  EXPECT_NEAR(mn.demand[net.FindConsumer("IND")] / rest, 0.2095, 1e-4);
  EXPECT_NEAR(mn.demand[net.FindConsumer("EUU")] / mn.demand[net.FindConsumer("IND")], 129.5 / 149.6, 2e-3);
  // Japan keeps its share of world demand (the crude-steel share 0.0446).
  EXPECT_NEAR(mn.demand[jpn] / world, 0.0446, 1e-9);
}

TEST(Consumers, TheEuIsOneBuyerWithItsMemberStatesAndImportsFromOutside) {
  const Network& net = Shipped();
  const int eu = net.FindConsumer("EUU");
  ASSERT_GE(eu, 0);
  const Consumer& c = net.consumers[eu];
  EXPECT_TRUE(IsBlocCountry(c.country));
  EXPECT_EQ(c.name, "European Union");
  EXPECT_EQ(c.members.size(), 27u);
  const auto& ds = net.dataset;
  for (const char* m : {"DEU", "FRA", "FIN", "BEL", "NLD", "EST"}) EXPECT_TRUE(c.Includes(ds.FindCountry(m)->index()));
  for (const char* m : {"GBR", "NOR", "CHE", "USA"}) EXPECT_FALSE(c.Includes(ds.FindCountry(m)->index()));
  // Refineries inside the EU are the EU buyer's own (Finland, Germany, Belgium ... refine copper,
  // nickel and other metals here); its imports come from outside the EU, by trade.csv.
  std::size_t home = 0;
  for (const auto& mn : net.minerals) {
    for (std::size_t j = 0; j < mn.J(); ++j) {
      if (!c.Includes(mn.refiners[j])) continue;
      EXPECT_EQ(mn.refiner_home_consumer[j], eu) << mn.id;
      ++home;
    }
  }
  EXPECT_GE(home, 3u);
  const MineralNetwork& ga = *net.Find("gallium");
  EXPECT_EQ(ga.flow_basis[eu].rfind("bilateral trade: HS 811292 imports 2024", 0), 0u) << ga.flow_basis[eu];
  EXPECT_NE(ga.flow_basis[eu].find("one buyer for 27 member states"), std::string::npos) << ga.flow_basis[eu];
  // No baseline flow to the EU comes from a refinery of a member other than by the domestic rule:
  // every EU refinery's output to the EU is at most what it refines.
  for (std::size_t j = 0; j < ga.J(); ++j) {
    EXPECT_LE(ga.refined_flow[j * net.K() + eu], ga.refined_output[j] * (1 + 1e-9));
  }
}

// A member state cannot buy alone and in its bloc; a bloc code cannot be a country code.
TEST(Consumers, BlocErrorsAreReportedWithFileAndLine) {
  lodestone::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "sim";
  fs::copy(kRoot / "data/sim", dir);
  {
    std::ofstream out(dir / "blocs.csv", std::ios::app);
    out << "DEU,Germany bloc,FRA,eu_member_states\n";
  }
  try {
    LoadSimInputs(dir, Data());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("blocs.csv:29"), std::string::npos) << what;
    EXPECT_NE(what.find("neither a country code"), std::string::npos) << what;
  }
  {
    std::ifstream in(kRoot / "data/sim/blocs.csv");
    std::stringstream text;
    text << in.rdbuf();
    std::ofstream out(dir / "blocs.csv", std::ios::trunc);
    out << text.str();
    std::ofstream demand(dir / "demand.csv", std::ios::app);
    demand << "copper,DEU,2025,,,0.01,,assume_rest_steel_share,test\n";
  }
  try {
    BuildNetwork(Data(), LoadSimInputs(dir, Data()), 2025);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DEU has its own demand rows and is also a member of the bloc EUU"),
              std::string::npos)
        << e.what();
  }
}

// 'only KOR' and 'only EUU' at fraction 1 with every flow under contract: only that buyer's
// baseline flows from China stop; every other buyer keeps its baseline links whole.
TEST(Consumers, OnlyOneBuyerTouchesOnlyThatBuyersFlows) {
  const Network net = AllContract();
  for (const std::string target : {"KOR", "EUU"}) {
    // Every mineral China ships the buyer refined material in the baseline.
    std::vector<std::string> minerals;
    for (const auto& mn : net.minerals) {
      for (std::size_t j = 0; j < mn.J(); ++j) {
        if (net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(mn.refiners[j])}).iso3 == "CHN" &&
            mn.refined_flow[j * net.K() + net.FindConsumer(target)] > 0) {
          minerals.push_back(mn.id);
        }
      }
    }
    EXPECT_GE(minerals.size(), 3u) << target;
    for (const std::string& mineral : minerals) {
      // A component chain (magnets) is controlled at its component stage.
      const SimStage stage = net.Find(mineral)->component ? SimStage::Component : SimStage::Refining;
      const auto sc = OneControl(mineral, Targets::Kind::Only, {target}, stage);
      const auto fl = RunFlows(net, sc, mineral);
      std::map<std::pair<std::string, std::string>, double> before, after;
      for (const auto& l : fl.before) before[{l.source, l.target}] = l.tonnes;
      for (const auto& l : fl.after) after[{l.source, l.target}] = l.tonnes;
      bool cut = false;
      for (const auto& [key, t] : before) {
        const double a = after.count(key) ? after.at(key) : 0.0;
        if (key.second == "consumer:" + target && key.first == "refining:CHN") {
          EXPECT_NEAR(a, 0.0, 1e-9 * std::max(1.0, t)) << mineral << " " << target;
          cut = true;
        } else if (key.first.rfind("refining:", 0) == 0) {
          EXPECT_GE(a, t * (1 - 1e-9)) << mineral << " " << target << " " << key.first << " -> " << key.second;
        }
      }
      EXPECT_TRUE(cut) << mineral << " " << target << ": China ships it nothing in the baseline";
      const auto r = sim::Run(net, sc);
      for (const auto& row : r.rows) {
        // A component fed by the mineral (anode material from graphite) is a chain of its own: the
        // buyer's makers lose output for want of feed, and the component's buyers share that loss.
        if (row.sector != "total" || row.consumer == target || row.mineral != mineral) continue;
        EXPECT_NEAR(Gap(row), 0.0, 1e-9 * std::max(1.0, row.flows.demand)) << mineral << " " << row.consumer;
      }
      // Only makers fed by the buyer's own demand lose output.
      for (const auto& p : r.producer_feed_loss) {
        if (p.lost_t > 0) EXPECT_EQ(p.producer, target) << p.component;
      }
    }
  }
}

// 'all but MSP': MSP lists the United States, Japan, Korea, India and six EU member states, so the
// EU buyer is exempt with them; Taiwan and the rest of the world are hit.
TEST(Consumers, AllButMspExemptsTheMspBuyersIncludingTheEu) {
  const Network net = AllContract();
  const auto sc = OneControl("gallium", Targets::Kind::AllBut, {"MSP"});
  const auto r = sim::Run(net, sc);
  for (const char* c : {"USA", "JPN", "KOR", "IND", "EUU", "CHN"}) {
    const auto& row = Row(r, "gallium", c);
    EXPECT_NEAR(Gap(row), 0.0, 1e-9 * std::max(1.0, row.flows.demand)) << c;
  }
  EXPECT_GT(Gap(Row(r, "gallium", "TWN")), 0.0);
  EXPECT_GT(Gap(Row(r, "gallium", "ROW")), 0.0);
  // 'only MSP' is the mirror image: the EU is hit through its member states.
  const auto only = sim::Run(net, OneControl("gallium", Targets::Kind::Only, {"MSP"}));
  EXPECT_GT(Gap(Row(only, "gallium", "EUU")), 0.0);
  EXPECT_NEAR(Gap(Row(only, "gallium", "TWN")), 0.0, 1e-12);
  // A bloc code is a valid target; an unknown code is still an error.
  EXPECT_NO_THROW(sim::Run(net, OneControl("gallium", Targets::Kind::Only, {"EUU"})));
  EXPECT_THROW(sim::Run(net, OneControl("gallium", Targets::Kind::Only, {"EUX"})), Error);
}

// China's January 2026 ban on dual-use exports to Japanese military users acts on Japan alone.
TEST(Consumers, JapanDualUseScenarioActsOnJapanOnly) {
  const auto sc = LoadScenario(kRoot / "scenarios" / "cn-2026-01-jpn-dual-use.json");
  ASSERT_FALSE(sc.shocks.empty());
  for (const auto& s : sc.shocks) {
    EXPECT_EQ(s.targets.kind, Targets::Kind::Only);
    EXPECT_EQ(s.targets.codes, std::vector<std::string>{"JPN"});
    EXPECT_GT(s.fraction, 0.0);
    EXPECT_LT(s.fraction, 1.0);
  }
  const Network net = AllContract();
  const auto r = sim::Run(net, sc);
  double japan = 0;
  for (const auto& row : r.rows) {
    if (row.sector != "total") continue;
    const double scale = std::max(1.0, row.flows.demand);
    EXPECT_NEAR(row.flows.delivered + row.flows.stock_drawn + row.flows.shortfall, row.flows.demand, 1e-9 * scale);
    if (row.consumer == "JPN") {
      japan += Gap(row);
    } else {
      EXPECT_NEAR(Gap(row), 0.0, 1e-9 * scale) << row.mineral << " " << row.consumer;
    }
  }
  EXPECT_GT(japan, 0.0);
}

// Adding consumers leaves the US, Japanese and Chinese demand as it was and changes their results
// in the default scenario only where the new buyers' own baseline imports move China's flows.
TEST(Consumers, DefaultScenarioForUsJapanChinaChangesOnlyAsTheNewBuyersExplain) {
  lodestone::testing::TempDir tmp;
  const fs::path dir = tmp.path() / "sim";
  fs::copy(kRoot / "data/sim", dir);
  {
    std::ifstream in(kRoot / "data/sim/demand.csv");
    std::ofstream out(dir / "demand.csv", std::ios::trunc);
    std::string line;
    while (std::getline(in, line)) {
      const bool new_row = line.find(",EUU,") != std::string::npos || line.find(",IND,") != std::string::npos ||
                           line.find(",KOR,") != std::string::npos || line.find(",TWN,") != std::string::npos;
      if (!new_row) out << line << "\n";
    }
  }
  const Network old_net = BuildNetwork(Data(), LoadSimInputs(dir, Data()), 2025);
  ASSERT_EQ(old_net.K(), 4u);
  const auto sc = LoadScenario(kRoot / "scenarios" / "cn-2025-10-widened-ga-ge-graphite.json");
  const auto before = sim::Run(old_net, sc);
  const auto after = sim::Run(Shipped(), sc);
  for (const auto& row : before.rows) {
    if (row.sector != "total" || row.consumer == "ROW") continue;
    const auto& now = Row(after, row.mineral, row.consumer);
    EXPECT_NEAR(now.flows.demand, row.flows.demand, 1e-9 * std::max(1.0, row.flows.demand));
    // Rare earths and graphite: the new buyers' flows are pooled or come out of ROW's, so the US,
    // Japanese and Chinese results stay as they were.
    const double tol = row.mineral == "gallium" ? 0.02 : 1e-9;
    EXPECT_NEAR(now.flows.shortfall, row.flows.shortfall, tol * std::max(1.0, row.flows.demand))
        << row.mineral << " " << row.consumer;
  }
}

}  // namespace
}  // namespace lodestone::sim
