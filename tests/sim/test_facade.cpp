// The simulator's public pieces for front ends: Monte Carlo partials (exact merge, bytes), the
// serialisers, and the façades over an app::Workspace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "lodestone/app/workspace.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim/price.hpp"
#include "lodestone/sim/serialize.hpp"
#include "lodestone/sim/simulate.hpp"
#include "lodestone/sim_facade/outlook.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone {
namespace {

const std::filesystem::path kRoot = LODESTONE_SOURCE_DIR;

const app::Workspace& Ws() {
  static app::Workspace ws(app::WorkspacePaths::UnderRoot(kRoot));
  return ws;
}

std::string CsvText(const model::CsvRows& rows) {
  std::string out;
  for (const auto& c : rows.columns) out += c + ",";
  out += "\n";
  for (const auto& r : rows.rows) {
    for (const auto& c : r) out += c + ",";
    out += "\n";
  }
  return out;
}

// --- 128-bit words

TEST(Wide, AddsWithCarryAndSign) {
  sim::Wide w;
  w += std::numeric_limits<std::int64_t>::max();
  w += std::numeric_limits<std::int64_t>::max();
  w += 2;  // 2^64 exactly
  EXPECT_EQ(w.hi, 1);
  EXPECT_EQ(w.lo, 0u);
  w += -1;
  EXPECT_EQ(w.hi, 0);
  EXPECT_EQ(w.lo, ~std::uint64_t{0});
  sim::Wide neg;
  neg += -5;
  EXPECT_EQ(neg.hi, -1);
  EXPECT_EQ(sim::ToDouble(neg), -5.0);
  EXPECT_EQ(sim::ToDouble(w + neg), 18446744073709551610.0);
}

TEST(Wide, ToDoubleRoundsAsThe128BitConversion) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t hi_bits = rng() >> (rng() % 64), lo = rng();
    const auto hi = static_cast<std::int64_t>(i % 2 ? hi_bits : ~hi_bits);
    __extension__ __int128 v = (static_cast<__int128>(hi) << 64) | static_cast<__int128>(lo);
    EXPECT_EQ(sim::ToDouble(sim::Wide{hi, lo}), static_cast<double>(v)) << hi << " " << lo;
  }
  // Ties between two doubles round to even.
  const std::uint64_t tie = (std::uint64_t{1} << 54) + 2;  // 53-bit mantissa + half
  EXPECT_EQ(sim::ToDouble(sim::Wide{static_cast<std::int64_t>(tie >> 11), tie << 53}),
            static_cast<double>((static_cast<unsigned __int128>(tie >> 11) << 64) | (tie << 53)));
}

// --- Monte Carlo partials

sim::McOptions Opts(std::uint64_t runs) {
  sim::McOptions opt;
  opt.runs = runs;
  opt.seed = 11;
  opt.threads = 2;
  return opt;
}

std::string Bytes(const sim::McResult& r) { return sim::ToJson(r).dump() + CsvText(sim::ToCsv(r)); }

TEST(McPartial, SplitSerialisedAndMergedInAnyOrderGivesTheSameBytes) {
  const auto& net = Ws().network();
  const auto& reg = Ws().risk_register();
  const auto opt = Opts(5 * sim::McBlockSize() + 300);  // 6 blocks, the last one short
  const std::string whole = Bytes(sim::RunMonteCarlo(net, reg, opt));
  const std::uint64_t blocks = sim::McBlockCount(opt.runs);
  ASSERT_EQ(blocks, 6u);
  const std::vector<std::vector<std::uint64_t>> splits = {{0, 6}, {0, 1, 6}, {0, 4, 5, 6}, {0, 2, 3, 6}};
  for (const auto& cuts : splits) {
    std::vector<std::string> parts;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      parts.push_back(sim::Serialize(sim::RunMonteCarloBlocks(net, reg, opt, cuts[i], cuts[i + 1])));
    }
    std::vector<std::size_t> order(parts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    do {
      sim::McPartial acc = sim::Deserialize(parts[order[0]]);
      for (std::size_t i = 1; i < order.size(); ++i) acc = sim::Merge(acc, sim::Deserialize(parts[order[i]]));
      EXPECT_EQ(Bytes(sim::Finish(net, reg, acc)), whole) << "split of " << cuts.size() - 1;
    } while (std::next_permutation(order.begin(), order.end()));
  }
}

TEST(McPartial, BytesRoundTrip) {
  const auto& net = Ws().network();
  const auto& reg = Ws().risk_register();
  const auto p = sim::RunMonteCarloBlocks(net, reg, Opts(3000), 1, 3);
  const std::string bytes = sim::Serialize(p);
  EXPECT_EQ(bytes.substr(0, 5), "LSMCP");
  EXPECT_EQ(sim::Deserialize(bytes), p);
  EXPECT_EQ(sim::Serialize(sim::Deserialize(bytes)), bytes);
}

void ExpectKind(const std::function<void()>& f, ErrorKind kind) {
  try {
    f();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
  }
}

TEST(McPartial, BadBytesAreInvalidData) {
  const auto& net = Ws().network();
  const auto& reg = Ws().risk_register();
  const std::string bytes = sim::Serialize(sim::RunMonteCarloBlocks(net, reg, Opts(1500), 0, 1));
  ExpectKind([&] { sim::Deserialize(""); }, ErrorKind::InvalidData);
  ExpectKind([&] { sim::Deserialize(bytes.substr(0, bytes.size() - 1)); }, ErrorKind::InvalidData);
  ExpectKind([&] { sim::Deserialize(bytes + "x"); }, ErrorKind::InvalidData);
  std::string wrong_magic = bytes;
  wrong_magic[0] = 'X';
  ExpectKind([&] { sim::Deserialize(wrong_magic); }, ErrorKind::InvalidData);
  std::string wrong_size = bytes;
  wrong_size[8 + 8 + 8 + 4] = static_cast<char>(wrong_size[8 + 8 + 8 + 4] + 1);  // minerals + 1
  ExpectKind([&] { sim::Deserialize(wrong_size); }, ErrorKind::InvalidData);
  std::string huge_events = bytes;  // events = 2^32 - 1: refused before anything is allocated
  for (int i = 0; i < 4; ++i) huge_events[8 + 8 + 8 + 12 + i] = '\xff';
  ExpectKind([&] { sim::Deserialize(huge_events); }, ErrorKind::InvalidData);
}

TEST(McPartial, OverlapsGapsAndOtherRunsAreRefused) {
  const auto& net = Ws().network();
  const auto& reg = Ws().risk_register();
  const auto opt = Opts(3 * sim::McBlockSize());
  const auto a = sim::RunMonteCarloBlocks(net, reg, opt, 0, 2);
  const auto b = sim::RunMonteCarloBlocks(net, reg, opt, 1, 3);
  const auto c = sim::RunMonteCarloBlocks(net, reg, opt, 2, 3);
  ExpectKind([&] { sim::Merge(a, b); }, ErrorKind::InvalidRequest);
  ExpectKind([&] { sim::Finish(net, reg, a); }, ErrorKind::InvalidRequest);
  auto other = opt;
  other.seed = 12;
  ExpectKind([&] { sim::Merge(a, sim::RunMonteCarloBlocks(net, reg, other, 2, 3)); }, ErrorKind::InvalidRequest);
  ExpectKind([&] { sim::RunMonteCarloBlocks(net, reg, opt, 2, 4); }, ErrorKind::InvalidRequest);
  EXPECT_NO_THROW(sim::Finish(net, reg, sim::Merge(c, a)));
}

// --- Façade and serialisers

TEST(SimulateFacade, DefaultScenariosShareOneCsvHeader) {
  facade::SimulateRequest req;
  auto res = facade::Simulate(Ws(), req);
  ASSERT_EQ(res.scenarios.size(), 2u);
  EXPECT_TRUE(res.default_scenarios);
  EXPECT_EQ(res.scenarios[0].year, Ws().baseline_year());
  const auto csv = facade::ToCsv(res);
  ASSERT_EQ(csv.columns.front(), "scenario");
  std::size_t first = 0, second = 0;
  for (const auto& row : csv.rows) {
    EXPECT_NE(row[0], "scenario");  // no second header among the rows
    first += row[0] == res.scenarios[0].scenario.id;
    second += row[0] == res.scenarios[1].scenario.id;
  }
  EXPECT_EQ(first, res.scenarios[0].rows.size());
  EXPECT_EQ(second, res.scenarios[1].rows.size());
  EXPECT_TRUE(facade::ToJson(res).is_array());
}

TEST(SimulateFacade, ShortfallPctIsNullWhenDemandIsZero) {
  facade::SimulateRequest req;
  auto res = facade::Simulate(Ws(), req);
  const auto json = facade::ToJson(res);
  const auto csv = facade::ToCsv(res);
  const std::size_t pct_col = std::find(csv.columns.begin(), csv.columns.end(), "shortfall_pct") - csv.columns.begin();
  std::size_t zero = 0, csv_row = 0;
  for (std::size_t s = 0; s < res.scenarios.size(); ++s) {
    for (std::size_t i = 0; i < res.scenarios[s].rows.size(); ++i, ++csv_row) {
      const auto& row = res.scenarios[s].rows[i];
      const auto& jrow = json[s]["rows"][i];
      if (row.flows.demand > 0 && row.demand_known) {
        ASSERT_TRUE(row.shortfall_pct.has_value());
        EXPECT_DOUBLE_EQ(*row.shortfall_pct, 100 * row.flows.shortfall / row.flows.demand);
        EXPECT_EQ(jrow["shortfall_pct"].get<double>(), *row.shortfall_pct);
      } else {
        ++zero;
        EXPECT_FALSE(row.shortfall_pct.has_value());
        EXPECT_TRUE(jrow["shortfall_pct"].is_null());
        EXPECT_EQ(csv.rows[csv_row][pct_col], "NA");
      }
    }
  }
  EXPECT_GT(zero, 0u);  // the default scenarios have sectors without demand
}

TEST(SimulateFacade, ResultsCarryMethodAndProvenance) {
  facade::SimulateRequest req;
  req.scenario_files = {kRoot / "scenarios/drc-cobalt-outage.json"};
  const auto j = facade::ToJson(facade::Simulate(Ws(), req));
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["method"]["id"], sim::kScenarioMethod);
  EXPECT_FALSE(j["provenance"]["sources"].empty());
  EXPECT_FALSE(j["sources"].empty());
  EXPECT_EQ(j["sources"][0]["id"], j["provenance"]["sources"][0]);

  facade::SimulateRequest mc;
  mc.monte_carlo = true;
  mc.runs = 500;
  const auto m = facade::ToJson(facade::Simulate(Ws(), mc));
  EXPECT_EQ(m["method"]["id"], sim::kMonteCarloMethod);
  EXPECT_FALSE(m["provenance"]["sources"].empty());
  EXPECT_EQ(m["year"], Ws().baseline_year());
}

TEST(SimulateFacade, ErrorsHaveTheirKinds) {
  facade::SimulateRequest bad_rule;
  bad_rule.sector_rule = "alphabetical";
  ExpectKind([&] { facade::Simulate(Ws(), bad_rule); }, ErrorKind::InvalidRequest);
  facade::SimulateRequest both;
  both.monte_carlo = true;
  both.scenario_files = {kRoot / "scenarios/drc-cobalt-outage.json"};
  ExpectKind([&] { facade::Simulate(Ws(), both); }, ErrorKind::InvalidRequest);
  facade::SimulateRequest missing;
  missing.scenario_files = {kRoot / "scenarios/no-such-scenario.json"};
  ExpectKind([&] { facade::Simulate(Ws(), missing); }, ErrorKind::NotFound);
}

// The default run names, per mineral and consumer, what its baseline flows came from, and the
// market rule; the United States and Japan differ in rare earths, and the pooled rules are
// selectable.
TEST(SimulateFacade, RowsNameTheirBaselineSourceAndTheMarketRule) {
  facade::SimulateRequest req;
  auto res = facade::Simulate(Ws(), req);
  const auto json = facade::ToJson(res);
  const auto csv = facade::ToCsv(res);
  const std::size_t col = std::find(csv.columns.begin(), csv.columns.end(), "baseline_source") - csv.columns.begin();
  ASSERT_LT(col, csv.columns.size());
  const auto& ree = res.scenarios[0];
  EXPECT_EQ(json[0]["market"]["rule"], "market");
  const sim::ScenarioRow *us = nullptr, *jp = nullptr;
  for (std::size_t i = 0; i < ree.rows.size(); ++i) {
    const auto& row = ree.rows[i];
    EXPECT_EQ(json[0]["rows"][i]["baseline_source"], row.baseline_source);
    EXPECT_EQ(csv.rows[i][col], row.baseline_source);
    if (row.mineral == "rare_earths" && row.sector == "total" && row.consumer == "USA") us = &row;
    if (row.mineral == "rare_earths" && row.sector == "total" && row.consumer == "JPN") jp = &row;
  }
  ASSERT_TRUE(us && jp);
  EXPECT_EQ(us->baseline_source.rfind("import sources: compounds and metals", 0), 0u) << us->baseline_source;
  EXPECT_EQ(jp->baseline_source.rfind("import sources: all rare-earth imports", 0), 0u) << jp->baseline_source;
  ASSERT_TRUE(us->shortfall_pct && jp->shortfall_pct);

  // Under the pooled rules every flow stays where the import sources put it: the two differ.
  facade::SimulateRequest pooled;
  pooled.market = "pooled-rules";
  const auto pres = facade::Simulate(Ws(), pooled);
  const auto pj = facade::ToJson(pres);
  EXPECT_EQ(pj[0]["market"]["rule"], "pooled-rules");
  double us_pct = -1, jp_pct = -1;
  for (const auto& row : pres.scenarios[0].rows) {
    if (row.mineral != "rare_earths" || row.sector != "total" || !row.shortfall_pct) continue;
    if (row.consumer == "USA") us_pct = *row.shortfall_pct;
    if (row.consumer == "JPN") jp_pct = *row.shortfall_pct;
  }
  ASSERT_GE(us_pct, 0);
  ASSERT_GE(jp_pct, 0);
  EXPECT_GT(std::abs(us_pct - jp_pct), 1.0);
  facade::SimulateRequest bad;
  bad.market = "auction";
  ExpectKind([&] { facade::Simulate(Ws(), bad); }, ErrorKind::InvalidRequest);
}

// --- Flows by stage (GET /v1/flows, simulate --flows)

// The shipped scenario files, each with the minerals its shocks name.
std::vector<std::pair<std::filesystem::path, std::vector<std::string>>> ShippedScenarios() {
  std::vector<std::pair<std::filesystem::path, std::vector<std::string>>> out;
  for (const auto& e : std::filesystem::directory_iterator(kRoot / "scenarios")) {
    if (e.path().extension() != ".json" || e.path().filename() == "register.json") continue;
    const auto sc = sim::LoadScenario(e.path());
    std::vector<std::string> minerals;
    for (const auto& s : sc.shocks) {
      for (const auto& m : s.minerals) {
        if (std::find(minerals.begin(), minerals.end(), m) == minerals.end()) minerals.push_back(m);
      }
    }
    // A shock naming no mineral (a chokepoint) touches every mineral through it.
    bool all = std::any_of(sc.shocks.begin(), sc.shocks.end(), [](const sim::Shock& s) { return s.minerals.empty(); });
    if (all) {
      minerals.clear();
      for (const auto& mn : Ws().network().minerals) minerals.push_back(mn.id);
    }
    out.emplace_back(e.path(), minerals);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Mass balance on every shipped scenario and every mineral it touches: per consumer, the refined
// links after + stock drawn + shortfall = demand under the scenario, and the links before = the
// baseline demand; the figures equal the scenario run's rows (annual basis over the horizon).
TEST(FlowsFacade, MassBalanceOnEveryShippedScenario) {
  const auto shipped = ShippedScenarios();
  ASSERT_GE(shipped.size(), 5u);
  std::size_t checked = 0;
  for (const auto& [file, minerals] : shipped) {
    facade::SimulateRequest sreq;
    sreq.scenario_files = {file};
    const auto run = facade::Simulate(Ws(), sreq).scenarios.at(0);
    const double years = run.scenario.horizon_months / 12.0;
    for (const auto& m : minerals) {
      if (Ws().network().FindMineralIndex(m) < 0) continue;  // not simulated: a note in the run
      facade::FlowsRequest req;
      req.mineral = m;
      req.scenario_file = file;
      const auto fr = facade::SimulateFlows(Ws(), req);
      SCOPED_TRACE(file.filename().string() + " " + m);
      EXPECT_EQ(fr.scenario_id, run.scenario.id);
      std::map<std::string, double> into_before, into_after;
      for (const auto& l : fr.before) {
        EXPECT_GT(l.tonnes, 0);
        EXPECT_TRUE(std::isfinite(l.tonnes));
        if (l.target.rfind("consumer:", 0) == 0) into_before[l.target] += l.tonnes;
      }
      for (const auto& l : fr.after) {
        EXPECT_GT(l.tonnes, 0);
        EXPECT_TRUE(std::isfinite(l.tonnes));
        if (l.target.rfind("consumer:", 0) == 0) into_after[l.target] += l.tonnes;
      }
      bool any_change = false;
      for (const auto& n : fr.nodes) {
        if (n.stage != "consumer" || !n.demand_t) continue;
        const double tol = 1e-6 * std::max(1.0, *n.demand_after_t);
        EXPECT_NEAR(into_after[n.id] + *n.stock_drawn_t + *n.shortfall_t, *n.demand_after_t, tol) << n.id;
        EXPECT_NEAR(into_before[n.id], *n.demand_t, tol) << n.id;
        EXPECT_NEAR(*n.delivered_after_t, into_after[n.id], tol) << n.id;
        any_change |= std::abs(into_after[n.id] - into_before[n.id]) > tol;
        // The same figures as the scenario run's total row of this consumer.
        const auto row = std::find_if(run.rows.begin(), run.rows.end(), [&](const sim::ScenarioRow& r) {
          return r.mineral == m && r.sector == "total" && "consumer:" + r.consumer == n.id;
        });
        ASSERT_NE(row, run.rows.end());
        EXPECT_NEAR(*n.shortfall_t, row->flows.shortfall / years, tol) << n.id;
        EXPECT_NEAR(*n.stock_drawn_t, row->flows.stock_drawn / years, tol) << n.id;
        EXPECT_NEAR(*n.delivered_after_t, row->flows.delivered / years, tol) << n.id;
        ++checked;
      }
      // Every scenario on this mineral changes some consumer's deliveries, the refinery it buys
      // from, or draws stock (a control aimed at one buyer may only move its purchases).
      std::map<std::pair<std::string, std::string>, double> links;
      double largest = 1;
      for (const auto& l : fr.before) {
        links[{l.source, l.target}] -= l.tonnes;
        largest = std::max(largest, l.tonnes);
      }
      for (const auto& l : fr.after) links[{l.source, l.target}] += l.tonnes;
      for (const auto& [key, d] : links) any_change |= std::abs(d) > 1e-6 * largest;
      double drawn = 0, short_t = 0;
      for (const auto& n : fr.nodes) {
        drawn += n.stock_drawn_t.value_or(0);
        short_t += n.shortfall_t.value_or(0);
      }
      EXPECT_TRUE(any_change || drawn > 0 || short_t > 0);
    }
  }
  EXPECT_GT(checked, 20u);
}

// The ore stage balances too: ore arriving at refiners never exceeds what the mines produce, and
// before the shock the ore links are the baseline's mine output.
TEST(FlowsFacade, OreLinksStayWithinMineOutput) {
  facade::FlowsRequest req;
  req.mineral = "cobalt";
  req.scenario_file = kRoot / "scenarios/drc-cobalt-outage.json";
  const auto fr = facade::SimulateFlows(Ws(), req);
  const auto& mn = *Ws().network().Find("cobalt");
  ASSERT_TRUE(mn.has_ore_stage);
  double mined = 0, before = 0, after = 0, from_cod_before = 0, from_cod_after = 0;
  for (double p : mn.mine_output) mined += p;
  for (const auto& l : fr.before) {
    if (l.source.rfind("mining:", 0) != 0) continue;
    before += l.tonnes;
    if (l.source == "mining:COD") from_cod_before += l.tonnes;
  }
  for (const auto& l : fr.after) {
    if (l.source.rfind("mining:", 0) != 0) continue;
    after += l.tonnes;
    if (l.source == "mining:COD") from_cod_after += l.tonnes;
  }
  EXPECT_NEAR(before, mined, 1e-6 * mined);
  EXPECT_LE(after, before * (1 + 1e-9));
  EXPECT_GT(from_cod_before, 0);
  EXPECT_LT(from_cod_after, from_cod_before);  // the outage cuts the Congo's ore
}

TEST(FlowsFacade, JsonHasTheSankeyShape) {
  facade::FlowsRequest req;
  req.mineral = "rare_earths";
  const auto fr = facade::SimulateFlows(Ws(), req);
  EXPECT_EQ(fr.scenario_id, "cn-2025-10-ree-controls");  // the default scenario on rare earths
  const auto j = sim::ToJson(fr);
  for (const char* key : {"mineral", "unit", "year", "scenario", "basis", "nodes", "before", "after", "sources",
                          "notes", "method", "provenance"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["mineral"], "rare_earths");
  EXPECT_EQ(j["year"], Ws().baseline_year());
  EXPECT_EQ(j["method"]["id"], sim::kFlowsMethod);
  std::set<std::string> ids;
  bool row_null = false, us = false;
  for (const auto& n : j["nodes"]) {
    ids.insert(n["id"].get<std::string>());
    // A node that is not a country is the rest of the world or a bloc buyer (the EU as EUU).
    const std::string code = n["id"].get<std::string>().substr(n["stage"].get<std::string>().size() + 1);
    EXPECT_EQ(n["id"],
              n["stage"].get<std::string>() + ":" + (n["country"].is_null() ? code : n["country"].get<std::string>()));
    if (n["country"].is_null()) EXPECT_TRUE(code == "ROW" || (code == "EUU" && n["name"] == "European Union")) << code;
    if (n["id"] == "consumer:ROW") row_null = n["country"].is_null();
    if (n["id"] == "consumer:USA") {
      us = true;
      EXPECT_EQ(n["name"], "United States");
      EXPECT_GT(n["demand_t"].get<double>(), 0);
      EXPECT_GT(n["shortfall_t"].get<double>() + n["stock_drawn_t"].get<double>(), 0);
      EXPECT_EQ(n["flow_basis"].get<std::string>().rfind("import sources:", 0), 0u);
    }
    if (n["stage"] == "consumer" && n["demand_t"].is_null()) EXPECT_TRUE(n["shortfall_t"].is_null());
  }
  EXPECT_TRUE(row_null);
  EXPECT_TRUE(us);
  for (const char* side : {"before", "after"}) {
    ASSERT_FALSE(j[side].empty()) << side;
    for (const auto& l : j[side]) {
      EXPECT_TRUE(ids.count(l["source"].get<std::string>())) << l;
      EXPECT_TRUE(ids.count(l["target"].get<std::string>())) << l;
      EXPECT_GT(l["tonnes"].get<double>(), 0);
    }
  }
  ASSERT_FALSE(j["sources"].empty());
  EXPECT_TRUE(j["sources"][0].contains("text"));
  // CSV: one row per link of the union and per consumer.
  const auto csv = sim::ToCsv(fr);
  std::size_t consumers = 0;
  for (const auto& r : csv.rows) consumers += r[3] == "consumer";
  EXPECT_EQ(consumers, Ws().network().K());
  EXPECT_GE(csv.rows.size() - consumers, std::max(fr.before.size(), fr.after.size()));
}

// A mineral no scenario touches gives the baseline on both sides; errors have their kinds.
TEST(FlowsFacade, UntouchedMineralAndErrors) {
  facade::FlowsRequest req;
  req.mineral = "cobalt";
  req.scenario_file = kRoot / "scenarios/cn-2025-10-ree-controls.json";
  const auto fr = facade::SimulateFlows(Ws(), req);
  ASSERT_EQ(fr.before.size(), fr.after.size());
  for (std::size_t i = 0; i < fr.before.size(); ++i) {
    EXPECT_EQ(fr.before[i].source, fr.after[i].source);
    EXPECT_DOUBLE_EQ(fr.before[i].tonnes, fr.after[i].tonnes);
  }
  facade::FlowsRequest unknown;
  unknown.mineral = "unobtainium";
  ExpectKind([&] { facade::SimulateFlows(Ws(), unknown); }, ErrorKind::NotFound);
  facade::FlowsRequest none;
  ExpectKind([&] { facade::SimulateFlows(Ws(), none); }, ErrorKind::InvalidRequest);
  facade::FlowsRequest missing;
  missing.mineral = "cobalt";
  missing.scenario_file = kRoot / "scenarios/no-such-scenario.json";
  ExpectKind([&] { facade::SimulateFlows(Ws(), missing); }, ErrorKind::NotFound);
  facade::FlowsRequest bad;
  bad.mineral = "cobalt";
  bad.scenario_text.emplace("body", "{\"format\": ");
  ExpectKind([&] { facade::SimulateFlows(Ws(), bad); }, ErrorKind::InvalidData);
}

// --- Price and demand response (sim/price.hpp)

// Hand-computed: p = (1 - s)^(-1 / (|e_d| + e_s)), destroyed = 1 - p^e_d, added = (1 - s)(p^e_s - 1).
TEST(PriceResponse, HandComputedCases) {
  // s = 0.2, e_d = -0.3, e_s = 0.1: p = 0.8^-2.5 = 1 / (0.64 sqrt(0.8)) = 1.746928.
  auto c = sim::ClearPrice(0.2, -0.3, 0.1, 10);
  EXPECT_NEAR(c.multiple, 1.746928, 1e-6);
  EXPECT_NEAR(c.demand_destroyed, 1 - std::pow(0.8, 0.75), 1e-12);  // 0.154103
  EXPECT_NEAR(c.demand_destroyed, 0.154103, 1e-6);
  EXPECT_NEAR(c.supply_added, 0.045897, 1e-6);
  EXPECT_NEAR(c.demand_destroyed + c.supply_added, 0.2, 1e-12);  // the gap is closed
  EXPECT_FALSE(c.capped);
  // The shipped elasticities of a main product (-0.1, 0.1) and a 10% gap: p = 0.9^-5 = 1.693509.
  c = sim::ClearPrice(0.1, -0.1, 0.1, 10);
  EXPECT_NEAR(c.multiple, 1.693509, 1e-6);
  EXPECT_NEAR(c.demand_destroyed, 1 - std::sqrt(0.9), 1e-12);
  // Past the bound: the multiple is the bound and part of the gap stays unserved.
  c = sim::ClearPrice(0.5, -0.1, 0.05, 10);
  EXPECT_TRUE(c.capped);
  EXPECT_DOUBLE_EQ(c.multiple, 10);
  EXPECT_NEAR(c.demand_destroyed, 1 - std::pow(10, -0.1), 1e-12);  // 0.205672
  EXPECT_LT(c.demand_destroyed + c.supply_added, 0.5);
  c = sim::ClearPrice(1, -0.1, 0.1, 10);
  EXPECT_TRUE(c.capped);
  EXPECT_EQ(c.supply_added, 0);
}

TEST(PriceResponse, NoShortfallIsThePriceOfTheBaseline) {
  for (double s : {0.0, -0.01}) {
    const auto c = sim::ClearPrice(s, -0.1, 0.1, 10);
    EXPECT_EQ(c.multiple, 1);
    EXPECT_EQ(c.demand_destroyed, 0);
    EXPECT_EQ(c.supply_added, 0);
    EXPECT_FALSE(c.capped);
  }
}

TEST(PriceResponse, MonotoneInTheShortfallAndBounded) {
  for (double ed : {-0.05, -0.1, -0.5, -2.0}) {
    for (double es : {0.0, 0.05, 0.5}) {
      double last_p = 1, last_d = 0;
      for (int i = 1; i <= 100; ++i) {
        const auto c = sim::ClearPrice(i / 100.0, ed, es, 10);
        EXPECT_GE(c.multiple, last_p) << ed << " " << es << " " << i;
        EXPECT_GE(c.demand_destroyed, last_d);
        EXPECT_LE(c.multiple, 10);
        EXPECT_TRUE(std::isfinite(c.multiple) && std::isfinite(c.demand_destroyed));
        EXPECT_LE(c.demand_destroyed, i / 100.0 + 1e-12);  // never more than the gap
        last_p = c.multiple;
        last_d = c.demand_destroyed;
      }
    }
  }
}

// The scenario result carries both readings: per mineral in "prices" and per consumer in its
// total row, in JSON and CSV, with the values of the formula and the elasticities' source.
TEST(PriceResponse, ScenarioJsonAndCsvCarryBothReadings) {
  facade::SimulateRequest req;
  req.scenario_files = {kRoot / "scenarios/cn-2025-10-ree-controls.json"};
  const auto res = facade::Simulate(Ws(), req);
  const auto& r = res.scenarios.at(0);
  const auto j = facade::ToJson(res);
  ASSERT_EQ(j["prices"].size(), 1u);
  const auto& p = j["prices"][0];
  EXPECT_EQ(p["mineral"], "rare_earths");
  double demand = 0, shortfall = 0;
  for (const auto& row : r.rows) {
    if (row.sector != "total") continue;
    demand += row.flows.demand;
    shortfall += row.flows.shortfall;
  }
  ASSERT_GT(shortfall, 0);
  EXPECT_NEAR(p["demand_t"].get<double>(), demand, 1e-6 * demand);
  EXPECT_NEAR(p["shortfall_t"].get<double>(), shortfall, 1e-6 * demand);
  const double ed = p["demand_elasticity"], es = p["supply_elasticity"];
  EXPECT_EQ(ed, -0.1);
  EXPECT_EQ(es, 0.1);
  const double expect = std::pow(1 - shortfall / demand, -1 / (-ed + es));
  EXPECT_NEAR(p["price_multiple"].get<double>(), expect, 1e-9);
  EXPECT_GT(p["price_multiple"].get<double>(), 1);
  EXPECT_NEAR(p["demand_destroyed_t"].get<double>(), demand * (1 - std::pow(expect, ed)), 1e-6 * demand);
  EXPECT_NEAR(p["demand_destroyed_t"].get<double>() + p["supply_added_t"].get<double>(), shortfall, 1e-6 * demand);
  EXPECT_FALSE(p["capped"].get<bool>());
  bool cited = false;
  for (const auto& s : j["sources"]) cited |= s["id"] == "assume_short_run_elasticities";
  EXPECT_TRUE(cited);
  // Per consumer (total rows): the consumer's own gap; China, not short, keeps the baseline price.
  const auto csv = facade::ToCsv(res);
  const auto col = [&](const char* name) {
    return std::size_t(std::find(csv.columns.begin(), csv.columns.end(), name) - csv.columns.begin());
  };
  ASSERT_LT(col("price_multiple"), csv.columns.size());
  ASSERT_LT(col("demand_destroyed_t"), csv.columns.size());
  bool usa = false, chn = false;
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    const auto& row = r.rows[i];
    const auto& jr = j["rows"][i];
    if (row.sector != "total" || !row.demand_known || row.flows.demand <= 0) {
      EXPECT_TRUE(jr["price_multiple"].is_null());
      EXPECT_EQ(csv.rows[i][col("price_multiple")], "NA");
      continue;
    }
    const double s = row.flows.shortfall / row.flows.demand;
    const auto c = sim::ClearPrice(s, ed, es, 10);
    EXPECT_DOUBLE_EQ(jr["price_multiple"].get<double>(), c.multiple) << row.consumer;
    EXPECT_NEAR(jr["demand_destroyed_t"].get<double>(), c.demand_destroyed * row.flows.demand, 1e-9);
    EXPECT_NE(csv.rows[i][col("price_multiple")], "NA");
    if (row.consumer == "USA") usa = jr["price_multiple"].get<double>() > 1;
    if (row.consumer == "CHN") chn = jr["price_multiple"].get<double>() == 1 && jr["demand_destroyed_t"] == 0;
  }
  EXPECT_TRUE(usa);
  EXPECT_TRUE(chn);
}

// Monte Carlo: P50 and P95 multiples per total row, mapped from the shortfall quantiles.
TEST(PriceResponse, MonteCarloRowsCarryP50AndP95) {
  facade::SimulateRequest mc;
  mc.monte_carlo = true;
  mc.runs = 2000;
  const auto res = facade::Simulate(Ws(), mc);
  std::size_t with = 0, above = 0;
  for (const auto& r : res.monte_carlo->rows) {
    if (r.sector != "total") {
      EXPECT_FALSE(r.price_multiple_p95);
      continue;
    }
    if (!r.demand_known) continue;
    ASSERT_TRUE(r.price_multiple_p50 && r.price_multiple_p95) << r.mineral << " " << r.consumer;
    EXPECT_GE(*r.price_multiple_p95, *r.price_multiple_p50);
    EXPECT_GE(*r.price_multiple_p50, 1);
    const auto e = sim::FindElasticity(Ws().network(), r.mineral);
    ASSERT_NE(e, nullptr);
    EXPECT_DOUBLE_EQ(*r.price_multiple_p95,
                     sim::ClearPrice(r.shortfall_pct.p95 / 100, e->demand, e->supply, 10).multiple);
    ++with;
    above += *r.price_multiple_p95 > 1;
  }
  EXPECT_GT(with, 0u);
  EXPECT_GT(above, 0u);
  const auto j = facade::ToJson(res);
  EXPECT_TRUE(j["rows"][0].contains("price_multiple_p95"));
}

TEST(OutlookFacade, SourcesCarryCitationsAndChartOnRequest) {
  facade::OutlookRunRequest req;
  req.outlook.mineral = "lithium";
  req.outlook.runs = 50;
  req.chart = true;
  auto r = facade::RunOutlook(Ws(), req);
  ASSERT_EQ(r.result.sources.size(), r.result.source_citations.size());
  for (const auto& c : r.result.source_citations) EXPECT_FALSE(c.empty());
  EXPECT_NE(r.chart_svg.find("<svg"), std::string::npos);
  facade::OutlookRunRequest unknown;
  unknown.outlook.mineral = "unobtainium";
  ExpectKind([&] { facade::RunOutlook(Ws(), unknown); }, ErrorKind::InvalidRequest);
}

}  // namespace
}  // namespace lodestone
