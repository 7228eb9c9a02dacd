// Building each mineral's baseline network from the dataset and data/sim/. The rules are in
// docs/simulation.md ("Baseline"); every rule that is an assumption is written into the
// network's `basis` so that results can say how they were obtained.
#include "lodestone/sim/network.hpp"
#include "lodestone/model/error.hpp"

#include "lodestone/data/named_table.hpp"
#include "lodestone/data/refining.hpp"
#include "lodestone/model/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>

namespace lodestone::sim {

namespace {

constexpr double kDefaultHeadroom = 0.10;
constexpr double kLoose = 1e-6;

bool Usable(const model::Value& v) {
  return v.status == model::ValueStatus::Known || v.status == model::ValueStatus::AtLeast ||
         v.status == model::ValueStatus::AtMost;
}

// Country -> quantity for one mineral, stage and year of production.csv or capacity.csv; the
// world row (WLD) apart.
struct StageRows {
  std::map<int, double> by_country;
  double world = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> withheld;  // countries whose figure is W / NA
  std::vector<std::string> sources;
};

StageRows Collect(const model::Dataset& ds, const model::QuantityTable& t, model::MineralId m, const std::string& stage,
                  int year) {
  StageRows out;
  auto sid = ds.FindStage(stage);
  if (!sid) return out;
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (t.mineral[r] != m || t.stage[r] != *sid || t.year[r] != year) continue;
    const auto& c = ds.Country(t.country[r]);
    const std::string& src = ds.SourceOf(t.source[r]).id;
    if (std::find(out.sources.begin(), out.sources.end(), src) == out.sources.end()) out.sources.push_back(src);
    if (c.kind == model::CountryKind::Aggregate) {
      if (Usable(t.quantity[r])) out.world = t.quantity[r].number;
      continue;
    }
    if (!Usable(t.quantity[r])) {
      out.withheld.push_back(c.iso3);
      continue;
    }
    if (t.quantity[r].number > 0) out.by_country[static_cast<int>(t.country[r].index())] += t.quantity[r].number;
  }
  return out;
}

// The latest year <= `year` with usable rows for (mineral, stage).
int LatestYear(const model::Dataset& ds, model::MineralId m, const std::string& stage, int year) {
  auto sid = ds.FindStage(stage);
  if (!sid) return 0;
  const auto& t = ds->production;
  int best = 0;
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (t.mineral[r] == m && t.stage[r] == *sid && t.year[r] <= year && t.year[r] > best && Usable(t.quantity[r]) &&
        ds.Country(t.country[r]).kind != model::CountryKind::Aggregate) {
      best = t.year[r];
    }
  }
  return best;
}

// Domestic first, then a pooled market pro rata to the remaining need: rows supply `supply`,
// columns need `need` (sums equal); home[r] is the column of row r's own country or -1.
std::vector<double> DomesticThenPooled(const std::vector<double>& supply, const std::vector<double>& need,
                                       const std::vector<int>& home) {
  const std::size_t R = supply.size(), C = need.size();
  std::vector<double> flow(R * C, 0.0), left = supply, want = need;
  for (std::size_t r = 0; r < R; ++r) {
    if (home[r] < 0) continue;
    double d = std::min(left[r], want[home[r]]);
    flow[r * C + home[r]] += d;
    left[r] -= d;
    want[home[r]] -= d;
  }
  double total_want = std::accumulate(want.begin(), want.end(), 0.0);
  if (total_want <= 0) return flow;
  for (std::size_t r = 0; r < R; ++r) {
    if (left[r] <= 0) continue;
    for (std::size_t c = 0; c < C; ++c) flow[r * C + c] += left[r] * (want[c] / total_want);
  }
  return flow;
}

// One consumer's import sources for one mineral: the chosen material and period of the
// dataset's import_sources.csv (choice in data/sim/import_basis.csv).
struct ImportChoice {
  std::string consumer, mineral, material, period;
  std::size_t line = 0;
};

std::vector<ImportChoice> ReadImportBasis(const std::filesystem::path& dir, const model::Dataset& ds,
                                          model::Diagnostics& diags) {
  std::vector<ImportChoice> out;
  const auto path = dir / "import_basis.csv";
  if (!std::filesystem::exists(path)) return out;
  data::NamedTable t = data::ReadNamedTable(path, {"consumer", "mineral", "material", "period", "note"}, diags);
  const auto& is = ds->import_sources;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    ImportChoice c{t.Cell(r, "consumer"), t.Cell(r, "mineral"), t.Cell(r, "material"), t.Cell(r, "period"), t.lines[r]};
    auto cc = ds.FindCountry(c.consumer);
    auto mm = ds.FindMineral(c.mineral);
    bool found = false;
    for (std::size_t i = 0; cc && mm && i < is.size() && !found; ++i) {
      found = is.consumer[i] == *cc && is.mineral[i] == *mm && is.material[i] == c.material && is.period[i] == c.period;
    }
    if (!found) {
      diags.Error(t.file, t.lines[r], t.Col("material"),
                  fmt::format("no rows of import_sources.csv for consumer '{}', mineral '{}', material '{}', period "
                              "'{}' in the dataset",
                              c.consumer, c.mineral, c.material, c.period));
      continue;
    }
    for (const auto& o : out) {
      if (o.consumer == c.consumer && o.mineral == c.mineral) {
        diags.Error(t.file, t.lines[r], t.Col("consumer"),
                    fmt::format("a second choice for consumer '{}', mineral '{}' (first at line {})", c.consumer,
                                c.mineral, o.line));
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Import shares of one consumer by supplying country (fractions as published; bounds taken at
// their figure) and the sources they cite.
struct ImportShares {
  std::vector<std::pair<int, double>> by_country;
  std::vector<std::string> sources;
};

ImportShares SharesOf(const model::Dataset& ds, const ImportChoice& c) {
  ImportShares out;
  const auto& is = ds->import_sources;
  auto cc = ds.FindCountry(c.consumer);
  auto mm = ds.FindMineral(c.mineral);
  for (std::size_t i = 0; i < is.size(); ++i) {
    if (is.consumer[i] != *cc || is.mineral[i] != *mm || is.material[i] != c.material || is.period[i] != c.period) {
      continue;
    }
    if (!Usable(is.share[i]) || is.share[i].number <= 0) continue;
    out.by_country.emplace_back(static_cast<int>(is.country[i].index()), is.share[i].number);
    const std::string& src = ds.SourceOf(is.source[i]).id;
    if (std::find(out.sources.begin(), out.sources.end(), src) == out.sources.end()) out.sources.push_back(src);
  }
  return out;
}

// A consumer's bilateral imports of one mineral from the dataset's trade.csv: the latest year up
// to the network's year with rows of a stage the consumer buys (refined: refining or metal; the
// mine stage too when the network has one stage), as shares by exporter. Shares are of tonnes of
// content when every row of that year has them, else of value (the extract's ranking basis).
struct TradeShares {
  ImportShares shares;
  int year = 0;
  std::string basis;  // words for flow_basis
};

class TradeIndex {
 public:
  TradeIndex(const model::Dataset& ds, model::MineralId m, int year, bool one_stage,
             const std::vector<std::string>& stage_names)
      : ds_(ds) {
    const auto& t = ds->trade;
    std::vector<model::StageId> stages;
    for (const auto& s : stage_names) {
      if (auto id = ds.FindStage(s)) stages.push_back(*id);
    }
    if (one_stage) {
      if (auto id = ds.FindStage("mining")) stages.push_back(*id);
    }
    for (std::size_t r = 0; r < t.size(); ++r) {
      if (t.mineral[r] != m || t.year[r] > year) continue;
      if (std::find(stages.begin(), stages.end(), t.stage[r]) == stages.end()) continue;
      auto& latest = latest_[static_cast<int>(t.importer[r].index())];
      if (t.year[r] > latest.first) latest = {t.year[r], {}};
      if (t.year[r] == latest.first) latest.second.push_back(r);
    }
    // Products that carry flows of several minerals (a group code such as HS 8112.92).
    std::map<std::uint32_t, std::vector<model::MineralId>> by_product;
    for (std::size_t r = 0; r < t.size(); ++r) {
      auto& v = by_product[t.product[r]];
      if (std::find(v.begin(), v.end(), t.mineral[r]) == v.end()) v.push_back(t.mineral[r]);
    }
    for (const auto& [p, v] : by_product) {
      if (v.size() > 1) shared_.insert(p);
    }
  }

  // Imports of a consumer that buys for `members` (one country, or a bloc's members): the rows of
  // the latest year any member has, from exporters outside the members (trade between members is
  // not an import of the bloc).
  std::optional<TradeShares> Of(const std::vector<int>& members) const {
    int year = 0;
    for (int c : members) {
      auto it = latest_.find(c);
      if (it != latest_.end() && !it->second.second.empty()) year = std::max(year, it->second.first);
    }
    if (year == 0) return std::nullopt;
    const auto& t = ds_->trade;
    std::vector<std::size_t> rows;
    std::size_t internal = 0, importers = 0;
    for (int c : members) {
      auto it = latest_.find(c);
      if (it == latest_.end() || it->second.first != year) continue;
      ++importers;
      for (auto r : it->second.second) {
        const int exporter = static_cast<int>(t.exporter[r].index());
        if (std::find(members.begin(), members.end(), exporter) != members.end()) {
          ++internal;
        } else {
          rows.push_back(r);
        }
      }
    }
    if (rows.empty()) return std::nullopt;
    bool by_tonnes = true;
    for (auto r : rows) by_tonnes = by_tonnes && t.quantity[r].status == model::ValueStatus::Known;
    std::map<int, double> by_exporter;
    std::vector<std::uint32_t> products;
    std::vector<std::string> sources;
    double total = 0;
    for (auto r : rows) {
      const auto& v = by_tonnes ? t.quantity[r] : t.value_usd[r];
      if (v.status != model::ValueStatus::Known || v.number <= 0) continue;
      by_exporter[static_cast<int>(t.exporter[r].index())] += v.number;
      total += v.number;
      if (std::find(products.begin(), products.end(), t.product[r]) == products.end()) products.push_back(t.product[r]);
      const auto& rec = ds_.SourceOf(t.source[r]);
      if (std::find(sources.begin(), sources.end(), rec.id) == sources.end()) sources.push_back(rec.id);
      if (!rec.rule.empty()) caveats_[rec.id] = rec.rule;
    }
    if (total <= 0) return std::nullopt;
    TradeShares out;
    out.year = year;
    out.shares.sources = sources;
    for (const auto& [c, q] : by_exporter) out.shares.by_country.emplace_back(c, q / total);
    std::sort(products.begin(), products.end());
    std::vector<std::string> codes;
    bool group = false;
    for (auto p : products) {
      codes.push_back(fmt::format("{:06d}", p));
      group = group || shared_.count(p) > 0;
    }
    out.basis = fmt::format(
        "bilateral trade: HS {} imports {}, {} partner(s), shares by {} ({}; each country's top 6 partners only, so "
        "shares are of the listed flows; a trade hub may be a trans-shipper){}; domestic refineries first, partners "
        "that do not refine here served by refineries not named",
        fmt::join(codes, "/"), out.year, by_exporter.size(), by_tonnes ? "tonnes of content" : "value",
        fmt::join(sources, ", "),
        group ? "; the product code is a group of several minerals, so the flows are the group's, not this mineral's "
                "alone"
              : "");
    if (members.size() > 1) {
      out.basis += fmt::format(
          "; one buyer for {} member states: {} of them report imports in {}, rows between members ({}) are not "
          "imports of the buyer and are left out, so each member's top 6 partners, less its partners inside the "
          "bloc, are the extra-bloc flows seen (extra-bloc partners below a member's top 6 are missed, and goods "
          "entering through a member hub count as that hub's)",
          members.size(), importers, year, internal);
    }
    return out;
  }

 private:
  const model::Dataset& ds_;
  std::map<int, std::pair<int, std::vector<std::size_t>>> latest_;  // importer -> (year, rows)
  std::set<std::uint32_t> shared_;
  mutable std::map<std::string, std::string> caveats_;  // source id -> its caveats, for the sources used

 public:
  const std::map<std::string, std::string>& caveats() const { return caveats_; }
};

// Refined flows: each refinery first serves its own country; then consumers with import sources,
// in consumer order, take each named supplier's share of their imports from that refinery (up to
// its output left); the shares of countries that are not refiners here, and the "other
// countries" share, come from the refineries the list does not name, pro rata to their output
// left; whatever is still unassigned is shared as a pooled market pro rata to remaining need.
std::vector<double> SourcedThenPooled(const std::vector<double>& supply, const std::vector<double>& need,
                                      const std::vector<int>& home, const std::vector<int>& refiner_country,
                                      const std::vector<ImportShares>& sourced, int other_code) {
  const std::size_t R = supply.size(), C = need.size();
  std::vector<double> flow(R * C, 0.0), left = supply, want = need;
  for (std::size_t r = 0; r < R; ++r) {
    if (home[r] < 0) continue;
    double d = std::min(left[r], want[home[r]]);
    flow[r * C + home[r]] += d;
    left[r] -= d;
    want[home[r]] -= d;
  }
  for (std::size_t c = 0; c < C; ++c) {
    const auto& sh = sourced[c].by_country;
    if (sh.empty() || want[c] <= 0) continue;
    double total = 0;
    for (const auto& [country, s] : sh) total += s;
    const double imports = want[c];
    std::vector<std::uint8_t> named(R, 0);
    double unnamed_share = 0;
    for (const auto& [country, s] : sh) {
      int r = -1;
      for (std::size_t x = 0; x < R; ++x) {
        if (refiner_country[x] == country && country != other_code) r = static_cast<int>(x);
      }
      if (r < 0 || home[r] == static_cast<int>(c)) {
        unnamed_share += s / total;
        continue;
      }
      named[r] = 1;
      double d = std::min(left[r], imports * s / total);
      flow[r * C + c] += d;
      left[r] -= d;
      want[c] -= d;
    }
    double pool = 0;
    for (std::size_t r = 0; r < R; ++r) {
      if (!named[r] && home[r] != static_cast<int>(c)) pool += left[r];
    }
    const double ask = std::min(imports * unnamed_share, std::min(pool, want[c]));
    if (ask <= 0 || pool <= 0) continue;
    for (std::size_t r = 0; r < R; ++r) {
      if (named[r] || home[r] == static_cast<int>(c) || left[r] <= 0) continue;
      double d = ask * (left[r] / pool);
      flow[r * C + c] += d;
      left[r] -= d;
      want[c] -= d;
    }
  }
  double total_want = 0;
  for (std::size_t c = 0; c < C; ++c) total_want += std::max(0.0, want[c]);
  if (total_want <= 0) return flow;
  for (std::size_t r = 0; r < R; ++r) {
    if (left[r] <= 0) continue;
    for (std::size_t c = 0; c < C; ++c) {
      if (want[c] > 0) flow[r * C + c] += left[r] * (want[c] / total_want);
    }
  }
  return flow;
}

// The consumer whose fill limits a component maker in `country`: the feed network's consumer of
// that country where its demand is known, else the rest of the world (the last consumer).
int FeedConsumerOf(const Network& net, int feed, int country) {
  const std::size_t K = net.consumers.size();
  int found = static_cast<int>(K) - 1;
  if (feed < 0) return found;
  for (std::size_t k = 0; k + 1 < K; ++k) {
    if (net.consumers[k].country == country && net.minerals[feed].demand_known[k]) found = static_cast<int>(k);
  }
  return found;
}

}  // namespace

bool Consumer::Includes(int c) const { return std::find(members.begin(), members.end(), c) != members.end(); }

const char* MarketRuleName(MarketRule r) { return r == MarketRule::Market ? "market" : "pooled-rules"; }

bool ParseMarketRule(std::string_view text, MarketRule& out) {
  if (text == "market") {
    out = MarketRule::Market;
  } else if (text == "pooled-rules") {
    out = MarketRule::PooledRules;
  } else {
    return false;
  }
  return true;
}

const MineralNetwork* Network::Find(std::string_view mineral) const {
  int i = FindMineralIndex(mineral);
  return i < 0 ? nullptr : &minerals[i];
}

int Network::FindMineralIndex(std::string_view mineral) const {
  for (std::size_t i = 0; i < minerals.size(); ++i) {
    if (minerals[i].id == mineral) return static_cast<int>(i);
  }
  return -1;
}

int Network::FindConsumer(std::string_view code) const {
  for (std::size_t k = 0; k < consumers.size(); ++k) {
    if (consumers[k].code == code) return static_cast<int>(k);
  }
  return -1;
}

int Network::BuyerFor(std::string_view code) const {
  const int k = FindConsumer(code);
  if (k >= 0) return k;
  if (auto c = dataset.FindCountry(code)) {
    const int index = static_cast<int>(c->index());
    for (std::size_t j = 0; j < consumers.size(); ++j) {
      if (consumers[j].Includes(index)) return static_cast<int>(j);
    }
  }
  return static_cast<int>(consumers.size()) - 1;
}

int Network::FindChokepoint(std::string_view id) const {
  for (std::size_t c = 0; c < chokepoints.size(); ++c) {
    if (chokepoints[c].id == id) return static_cast<int>(c);
  }
  return -1;
}

Network WithAdditions(const Network& base, const std::vector<SupplyAddition>& additions) {
  Network net = base;
  const std::size_t K = net.K();
  for (const auto& a : additions) {
    int m = net.FindMineralIndex(a.mineral);
    if (m < 0) throw Error::InvalidRequest(fmt::format("mineral '{}' is not simulated", a.mineral));
    auto cid = net.dataset.FindCountry(a.country);
    if (!cid) throw Error::InvalidRequest(fmt::format("unknown country '{}'", a.country));
    const int c = static_cast<int>(cid->index());
    MineralNetwork& mn = net.minerals[m];
    const bool refined = a.refined || !mn.has_ore_stage;
    // The offtake is checked before the network changes: buyers by consumer code, shares in (0, 1].
    std::vector<std::pair<std::size_t, double>> promised;
    double promised_share = 0;
    for (const auto& o : a.offtake) {
      const int k = net.FindConsumer(o.buyer);
      if (k < 0) {
        throw Error::InvalidRequest(
            fmt::format("offtake of new {} supply in {}: buyer '{}' is not a consumer of the network", a.mineral,
                        a.country, o.buyer));
      }
      if (!(o.share > 0 && o.share <= 1)) {
        throw Error::InvalidRequest(fmt::format("offtake of new {} supply in {}: share {} of buyer {} is not in (0, 1]",
                                                a.mineral, a.country, o.share, o.buyer));
      }
      promised.emplace_back(static_cast<std::size_t>(k), o.share);
      promised_share += o.share;
    }
    if (promised_share > 1 + 1e-9) {
      throw Error::InvalidRequest(fmt::format("offtake of new {} supply in {}: shares sum to {}, more than all of it",
                                              a.mineral, a.country, promised_share));
    }
    if (!promised.empty() && !refined) {
      throw Error::InvalidRequest(
          fmt::format("offtake of new {} ore in {}: only refined supply carries an offtake (ore reaches buyers "
                      "through refineries, as uncommitted supply)",
                      a.mineral, a.country));
    }
    auto& nodes = refined ? mn.refiners : mn.miners;
    int node = -1;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      if (nodes[n] == c) node = static_cast<int>(n);
    }
    const std::size_t I = mn.I(), J = mn.J();
    if (node < 0 && refined) {
      // A new refinery: no baseline flows, its capacity is the project's.
      std::vector<double> ore(I * (J + 1), 0.0), fin((J + 1) * K, 0.0);
      for (std::size_t i = 0; i < I && mn.has_ore_stage; ++i) {
        for (std::size_t j = 0; j < J; ++j) ore[i * (J + 1) + j] = mn.ore_flow[i * J + j];
      }
      for (std::size_t x = 0; x < J * K; ++x) fin[x] = mn.refined_flow[x];
      if (mn.has_ore_stage) mn.ore_flow = std::move(ore);
      mn.refined_flow = std::move(fin);
      for (auto& r : mn.ore_route) {
        if (r.empty()) continue;
        std::vector<float> n(I * (J + 1), 0.0f);
        for (std::size_t i = 0; i < I; ++i) {
          for (std::size_t j = 0; j < J; ++j) n[i * (J + 1) + j] = r[i * J + j];
        }
        r = std::move(n);
      }
      for (auto& r : mn.refined_route) {
        if (!r.empty()) r.resize((J + 1) * K, 0.0f);
      }
      mn.refiners.push_back(c);
      mn.refined_output.push_back(0.0);
      mn.refinery_capacity.push_back(0.0);
      int home = -1;
      for (std::size_t k = 0; k + 1 < K; ++k) {
        if (net.consumers[k].Includes(c)) home = static_cast<int>(k);
      }
      mn.refiner_home_consumer.push_back(home);
      // A new maker of a component draws its feed as its country's consumer of the feed chain, by
      // the rule of the baseline makers (BuildNetwork): else the rest of the world.
      for (auto& f : mn.feeds) f.consumer.push_back(FeedConsumerOf(net, f.mineral, c));
      for (std::size_t i = 0; i < I; ++i) {
        if (!mn.miner_home_refiner.empty() && mn.miners[i] == c) mn.miner_home_refiner[i] = static_cast<int>(J);
      }
      if (!mn.extra_refined.empty()) mn.extra_refined.push_back(0.0);
      if (!mn.extra_offtake.empty()) mn.extra_offtake.resize((J + 1) * K, 0.0);  // a row for the new node
      node = static_cast<int>(J);
    } else if (node < 0) {
      // A new mine: no baseline flows; its ore finds refineries with spare capacity.
      std::vector<double> ore((I + 1) * J, 0.0);
      std::copy(mn.ore_flow.begin(), mn.ore_flow.end(), ore.begin());
      mn.ore_flow = std::move(ore);
      for (auto& r : mn.ore_route) {
        if (!r.empty()) r.resize((I + 1) * J, 0.0f);
      }
      mn.miners.push_back(c);
      mn.mine_output.push_back(0.0);
      int home = -1;
      for (std::size_t j = 0; j < J; ++j) {
        if (mn.refiners[j] == c) home = static_cast<int>(j);
      }
      mn.miner_home_refiner.push_back(home);
      if (!mn.extra_ore.empty()) mn.extra_ore.push_back(0.0);
      node = static_cast<int>(I);
    }
    if (refined) {
      mn.extra_refined.resize(mn.J(), 0.0);
      // The project brings its own feed (contracted concentrate, scrap): its output is extra
      // refined supply, not spare capacity for other ore.
      mn.extra_refined[node] += a.tonnes_per_year;
      if (!promised.empty()) {
        mn.extra_offtake.resize(mn.J() * K, 0.0);
        for (const auto& [k, share] : promised)
          mn.extra_offtake[static_cast<std::size_t>(node) * K + k] += share * a.tonnes_per_year;
      }
    } else {
      mn.extra_ore.resize(mn.I(), 0.0);
      mn.extra_ore[node] += a.tonnes_per_year;
    }
  }
  return net;
}

Network BuildNetwork(const model::Dataset& ds, const SimInputs& in, int year) {
  Network net;
  net.dataset = ds;
  net.year = year;
  net.chokepoints = in.chokepoints;
  net.sources = in.sources;
  net.refinery_headroom = in.Parameter("refinery_headroom", kDefaultHeadroom);
  model::Diagnostics diags;
  const std::string demand_file = (in.dir / "demand.csv").string();

  // Consumers: every country or bloc named in demand.csv, in code order, then the rest of the
  // world. A bloc (blocs.csv) buys for all its members; a member cannot also be a consumer.
  std::vector<std::string> codes;
  for (const auto& d : in.demand) {
    if (d.consumer != "WLD" && std::find(codes.begin(), codes.end(), d.consumer) == codes.end()) {
      codes.push_back(d.consumer);
    }
  }
  std::sort(codes.begin(), codes.end());
  std::vector<std::string> bloc_codes;
  for (const auto& b : in.blocs) {
    if (std::find(bloc_codes.begin(), bloc_codes.end(), b.bloc) == bloc_codes.end()) bloc_codes.push_back(b.bloc);
  }
  for (const auto& c : codes) {
    Consumer con;
    con.code = c;
    if (in.IsBloc(c)) {
      const auto at = std::find(bloc_codes.begin(), bloc_codes.end(), c) - bloc_codes.begin();
      con.country = kFirstBloc - static_cast<int>(at);
      for (const auto& b : in.blocs) {
        if (b.bloc != c) continue;
        con.name = b.name;
        con.members.push_back(static_cast<int>(ds.FindCountry(b.member)->index()));
        if (std::find(codes.begin(), codes.end(), b.member) != codes.end()) {
          diags.Error(demand_file, 0, 0,
                      fmt::format("{} has its own demand rows and is also a member of the bloc {} (blocs.csv): a "
                                  "country buys either alone or in its bloc",
                                  b.member, c));
        }
      }
    } else {
      con.country = static_cast<int>(ds.FindCountry(c)->index());
      con.name = ds.Country(*ds.FindCountry(c)).name;
      con.members = {con.country};
    }
    net.consumers.push_back(std::move(con));
  }
  net.consumers.push_back({"ROW", kRestOfWorld, "Rest of the world", {}});
  const std::size_t K = net.consumers.size();
  const std::vector<ImportChoice> import_basis = ReadImportBasis(in.dir, ds, diags);
  const int other_code = ds.FindCountry("XOT") ? static_cast<int>(ds.FindCountry("XOT")->index()) : -2;
  net.market.contract_share_initial = in.Parameter("market_contract_share_initial", 1);
  net.market.contract_share_later = in.Parameter("market_contract_share_later", 1);
  net.market.contract_hold_months = in.Parameter("market_contract_hold_months", 0);
  net.market.leakage = in.Parameter("market_leakage", 0);
  net.elasticities = in.elasticities;
  net.price_multiple_max = in.Parameter("price_multiple_max", net.price_multiple_max);
  const bool use_trade = in.Parameter("baseline_bilateral_trade", 1) != 0;

  // One network: a dataset mineral's (chain null), or a chain's of data/sim/chains.csv built on its
  // parent mineral `m`.
  auto build = [&](model::MineralId m, const ChainRow* chain) {
    const auto& info = ds.Mineral(m);
    const std::string id = chain ? chain->id : info.id;
    const bool component = chain && chain->kind == ChainRow::Kind::Component;
    MineralNetwork mn;
    mn.mineral = m;
    mn.id = id;
    mn.unit = chain ? chain->unit : info.unit.text;
    if (chain) mn.parent = info.id;
    auto add_source = [&](const std::string& s) {
      if (std::find(mn.sources.begin(), mn.sources.end(), s) == mn.sources.end()) mn.sources.push_back(s);
    };

    // A component has no mine or refinery rows of its own; a split takes its content share of the
    // parent's.
    int mine_year = component ? 0 : LatestYear(ds, m, "mining", year);
    int ref_year = component ? 0 : LatestYear(ds, m, "refining", year);
    StageRows mine = mine_year ? Collect(ds, ds->production, m, "mining", mine_year) : StageRows{};
    StageRows ref = ref_year ? Collect(ds, ds->production, m, "refining", ref_year) : StageRows{};
    if (chain && !component) {
      for (StageRows* rows : {&mine, &ref}) {
        for (auto& [c, q] : rows->by_country) q *= chain->content_share;
        rows->world *= chain->content_share;
      }
      add_source(chain->source);
      mn.basis.push_back(
          fmt::format("a part of {} by content: {:.4g} of its mine and refinery output in every country "
                      "(data/sim/chains.csv, source {})",
                      info.id, chain->content_share, chain->source));
    }
    for (const auto& s : mine.sources) add_source(s);
    for (const auto& s : ref.sources) add_source(s);
    double mine_sum = 0;
    for (auto& [c, q] : mine.by_country) mine_sum += q;
    if (mine_year && std::isfinite(mine.world) && mine.world > mine_sum * (1 + kLoose)) {
      int xot = static_cast<int>(ds.FindCountry("XOT")->index());
      mine.by_country[xot] += mine.world - mine_sum;
      mn.basis.push_back(
          fmt::format("mine output: the world total {} exceeds the listed countries' sum; the "
                      "difference is counted as other countries (XOT)",
                      model::FormatNumber(mine.world)));
      mine_sum = mine.world;
    }
    if (mine_year) {
      mn.basis.push_back(fmt::format("mine output by country: production {}", mine_year));
      if (!mine.withheld.empty()) {
        mn.basis.push_back(
            fmt::format("mine output withheld or not available for {}: not counted", fmt::join(mine.withheld, ", ")));
      }
    }
    double ref_sum = 0;
    for (auto& [c, q] : ref.by_country) ref_sum += q;

    // World demand: demand.csv's WLD row, else refined output in tonnes, else mine output.
    double world = std::numeric_limits<double>::quiet_NaN();
    for (const auto& d : in.demand) {
      if (d.mineral == id && d.consumer == "WLD" && Usable(d.quantity)) {
        world = d.quantity.number;
        add_source(d.source);
        mn.basis.push_back(fmt::format("world demand {} {} from demand.csv (source {})", model::FormatNumber(world),
                                       mn.unit, d.source));
      }
    }

    if (component && !std::isfinite(world)) {
      // The baseline is balanced along the chain: the feed's world demand makes the component's.
      // With several feeds, no one feed's demand is the component's: demand.csv must give it.
      if (chain->feeds.size() > 1) {
        diags.Error(demand_file, 0, 0,
                    fmt::format("{} has {} feeds: expected its world demand as a WLD row of demand.csv", id,
                                chain->feeds.size()));
      } else if (const MineralNetwork* feed = net.Find(chain->feeds.front())) {
        const double intensity = chain->intensities.front();
        world = std::accumulate(feed->demand.begin(), feed->demand.end(), 0.0) / intensity;
        mn.basis.push_back(
            fmt::format("world demand {:.0f} {}: the feed {}'s world demand {:.0f} {} over the "
                        "intensity {} (source {})",
                        world, mn.unit, feed->id, world * intensity, feed->unit, intensity, chain->source));
      }
    }
    if (component) add_source(chain->source);
    std::map<int, double> refined;  // country -> annual refined output
    bool one_stage = false;
    if (ref_sum > 0) {
      refined = ref.by_country;
      if (std::isfinite(ref.world) && ref.world > ref_sum * (1 + kLoose)) {
        refined[static_cast<int>(ds.FindCountry("XOT")->index())] += ref.world - ref_sum;
        ref_sum = ref.world;
      }
      mn.basis.push_back(fmt::format("refined output by country: refinery production {}", ref_year));
      if (!std::isfinite(world)) world = ref_sum;
    } else {
      if (!std::isfinite(world) && mine_sum > 0) world = mine_sum;
      std::vector<data::RefiningOverride> overrides;
      for (const auto& r : chain ? in.chain_shares : in.refining) {
        if (r.mineral == id) overrides.push_back({r.country, r.share, r.source});
      }
      const auto split =
          data::GlobalRefiningSplit(ds, m, overrides, chain ? "data/sim/chain_shares.csv" : "data/sim/refining.csv");
      for (const auto& s : split.sources) add_source(s);
      // The notes describe the parent's dataset shares; a chain whose rows give the whole split
      // (anode makers instead of graphite refiners) replaces those shares, so they do not apply.
      // (chain_shares.csv rows sum to 1, checked when read).
      const bool replaced = chain && !overrides.empty();
      if (!replaced) {
        for (const auto& n : split.notes) mn.basis.push_back(n);
      }
      const auto& shares = split.share;
      const std::string& how = split.how;
      if (!shares.empty() && std::isfinite(world)) {
        for (const auto& [c, s] : shares) refined[static_cast<int>(c.index())] = s * world;
        mn.basis.push_back(
            fmt::format("refined output by country: {} applied to world demand {} {} (shares, not "
                        "tonnes; refined content assumed equal to world demand)",
                        how, model::FormatNumber(std::round(world * 1000) / 1000), mn.unit));
      } else if (mine_sum > 0) {
        refined = mine.by_country;
        if (std::isfinite(world) && std::fabs(world - mine_sum) > kLoose * world) {
          for (auto& [c, q] : refined) q *= world / mine_sum;
        }
        one_stage = true;
        mn.basis.push_back("no refining data: each mining country refines its own output (one stage)");
      }
    }
    if (refined.empty() || !std::isfinite(world) || world <= 0) {
      net.skipped.push_back(fmt::format("{}: no usable production or world demand for {}", id, year));
      return;
    }
    mn.year = mine_year ? mine_year : ref_year;

    for (auto& [c, q] : refined) {
      mn.refiners.push_back(c);
      mn.refined_output.push_back(q);
    }
    const std::size_t J = mn.refiners.size();
    double q_sum = std::accumulate(mn.refined_output.begin(), mn.refined_output.end(), 0.0);
    mn.has_ore_stage = mine_sum > 0 && !one_stage;
    if (mine_sum > 0) {
      for (auto& [c, q] : mine.by_country) {
        mn.miners.push_back(c);
        mn.mine_output.push_back(q);
      }
    }
    const std::size_t I = mn.miners.size();
    mn.yield = mn.has_ore_stage ? q_sum / mine_sum : 1.0;
    if (mn.has_ore_stage && std::fabs(mn.yield - 1) > 1e-9) {
      mn.basis.push_back(
          fmt::format("refined output is {:.4f} of mine output in content terms (losses, stocks "
                      "and secondary feed); ore needs scale by that ratio",
                      mn.yield));
    }

    // Capacity: the dataset's refinery capacity where given, else output plus the headroom.
    StageRows caps;
    auto cap_stage = ds.FindStage("refining");
    if (chain) cap_stage.reset();  // the parent's refinery capacity is not the chain's
    if (auto sid = cap_stage) {
      const auto& t = ds->capacity;
      for (std::size_t r = 0; r < t.size(); ++r) {
        if (t.mineral[r] == m && t.stage[r] == *sid && t.year[r] <= year && Usable(t.quantity[r])) {
          caps.by_country[static_cast<int>(t.country[r].index())] = t.quantity[r].number;
          add_source(ds.SourceOf(t.source[r]).id);
        }
      }
    }
    for (std::size_t j = 0; j < J; ++j) {
      auto it = caps.by_country.find(mn.refiners[j]);
      double c = mn.refined_output[j] * (1 + net.refinery_headroom);
      if (it != caps.by_country.end()) c = std::max(mn.refined_output[j], it->second);
      mn.refinery_capacity.push_back(c);
    }
    mn.basis.push_back(
        fmt::format("refinery capacity: dataset capacity where published, else output + {:.0f}% "
                    "(parameter refinery_headroom)",
                    100 * net.refinery_headroom));

    // Consumers' demand.
    mn.demand.assign(K, 0.0);
    mn.demand_known.assign(K, false);
    double listed = 0;
    std::size_t last_line = 0;
    std::vector<double> rest_share(K, 0.0);  // share_of_rest rows, resolved once the others are known
    for (std::size_t k = 0; k + 1 < K; ++k) {
      for (const auto& d : in.demand) {
        if (d.mineral != id || d.consumer != net.consumers[k].code || d.year != year) continue;
        last_line = d.line;
        if (d.share_of_rest.status == model::ValueStatus::Known) {
          rest_share[k] = d.share_of_rest.number;
          mn.demand_known[k] = true;
        } else if (d.share_of_world.status == model::ValueStatus::Known) {
          mn.demand[k] = d.share_of_world.number * world;
          mn.demand_known[k] = true;
        } else if (Usable(d.quantity)) {
          mn.demand[k] = d.quantity.number;
          mn.demand_known[k] = true;
        }
        if (mn.demand_known[k]) add_source(d.source);
      }
      if (!mn.demand_known[k]) {
        mn.basis.push_back(fmt::format("{} demand not known: counted in the rest of the world", net.consumers[k].code));
      }
      listed += mn.demand[k];
    }
    // Consumers given as a share of the rest take it of world demand less the consumers above.
    const double rest_total = std::accumulate(rest_share.begin(), rest_share.end(), 0.0);
    if (rest_total > 1 + kLoose) {
      diags.Error(demand_file, last_line, 0,
                  fmt::format("{}: shares of the rest sum to {:.4f}, more than 1", info.id, rest_total));
      return;
    }
    if (rest_total > 0) {
      const double rest = std::max(0.0, world - listed);
      for (std::size_t k = 0; k + 1 < K; ++k) {
        if (rest_share[k] <= 0) continue;
        mn.demand[k] = rest_share[k] * rest;
        listed += mn.demand[k];
      }
      mn.basis.push_back(fmt::format(
          "demand given as a share of the rest: of world demand less the consumers with a quantity or a share of "
          "world ({} {})",
          model::FormatNumber(rest), mn.unit));
    }
    if (listed > world * (1 + kLoose)) {
      diags.Error(demand_file, last_line, 0,
                  fmt::format("{}: listed consumers' demand {} exceeds world demand {} {}", id,
                              model::FormatNumber(listed), model::FormatNumber(world), mn.unit));
      return;
    }
    mn.demand[K - 1] = std::max(0.0, world - listed);
    mn.demand_known[K - 1] = true;
    mn.basis.push_back(
        "world demand equals refined supply in the baseline (a balanced market); the rest of the "
        "world takes what listed consumers do not");

    // Sector split: the consumer's own split where given, else the world split.
    mn.sector_share.assign(K, {});
    for (std::size_t k = 0; k < K; ++k) {
      std::array<double, kSectors> own{}, wld{};
      bool has_own = false, has_wld = false;
      for (const auto& s : in.sectors) {
        if (s.mineral != id) continue;
        if (s.region == net.consumers[k].code) {
          own[static_cast<int>(s.sector)] += s.share;
          has_own = true;
        } else if (s.region == "world") {
          wld[static_cast<int>(s.sector)] += s.share;
          has_wld = true;
        }
      }
      auto& sh = mn.sector_share[k];
      sh = has_own ? own : wld;
      if (!has_own && !has_wld) sh[static_cast<int>(Sector::Other)] = 1;
      double sum = std::accumulate(sh.begin(), sh.end(), 0.0);
      for (auto& x : sh) x /= sum;
      if (k == 0 && !has_own && !has_wld) mn.basis.push_back("no sector split known: all demand counted as other");
    }
    for (const auto& s : in.sectors) {
      if (s.mineral == id) add_source(s.source);
    }

    // Stockpiles: days of cover of the consumer's baseline demand.
    mn.stock.assign(K, 0.0);
    mn.stock_days.assign(K, std::numeric_limits<double>::quiet_NaN());
    for (const auto& s : in.stockpiles) {
      if (s.mineral != id) continue;
      int k = net.FindConsumer(s.consumer);
      if (k < 0) continue;
      add_source(s.source);
      if (s.days.status == model::ValueStatus::Known) {
        mn.stock_days[k] = s.days.number;
        mn.stock[k] = s.days.number / net.stock_year_days * mn.demand[k];
      }
    }

    // Baseline flows: domestic first, then a pooled world market.
    std::vector<int> refiner_consumer(J, -1);
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t k = 0; k + 1 < K; ++k) {
        if (net.consumers[k].Includes(mn.refiners[j])) refiner_consumer[j] = static_cast<int>(k);
      }
    }
    mn.refiner_home_consumer = refiner_consumer;
    std::vector<ImportShares> sourced(K);
    mn.flow_basis.assign(K, "pooled: domestic refineries first, then a world pool pro rata to remaining need");
    // In order of preference: bilateral trade (trade.csv), the consumer's import sources
    // (import_basis.csv), the pooled rule.
    std::map<std::string, std::string> trade_caveats;
    if (use_trade) {
      std::vector<std::string> trade_stages = {"refining", "metal"};
      if (component) trade_stages = {chain->trade_stage};
      const TradeIndex trade(ds, m, year, !component && !(mine_sum > 0 && !one_stage), trade_stages);
      for (std::size_t k = 0; k + 1 < K; ++k) {
        if (!mn.demand_known[k]) continue;
        auto ts = trade.Of(net.consumers[k].members);
        if (!ts) continue;
        sourced[k] = std::move(ts->shares);
        mn.flow_basis[k] = std::move(ts->basis);
        for (const auto& s : sourced[k].sources) add_source(s);
      }
      trade_caveats = trade.caveats();
    }
    for (const auto& choice : import_basis) {
      if (choice.mineral != (component ? std::string() : info.id)) continue;
      int k = net.FindConsumer(choice.consumer);
      if (k < 0 || !mn.demand_known[k] || !sourced[k].by_country.empty()) continue;
      sourced[k] = SharesOf(ds, choice);
      if (sourced[k].by_country.empty()) continue;
      for (const auto& s : sourced[k].sources) add_source(s);
      mn.flow_basis[k] = fmt::format(
          "import sources: {}, {} ({}); domestic refineries first, unlisted shares from refineries "
          "not named",
          choice.material, choice.period, fmt::join(sourced[k].sources, ", "));
    }
    mn.refined_flow =
        SourcedThenPooled(mn.refined_output, mn.demand, refiner_consumer, mn.refiners, sourced, other_code);
    if (mn.has_ore_stage) {
      std::vector<double> feed(J);
      for (std::size_t j = 0; j < J; ++j) feed[j] = mn.refined_output[j] / mn.yield;
      std::vector<int> miner_refiner(I, -1);
      for (std::size_t i = 0; i < I; ++i) {
        for (std::size_t j = 0; j < J; ++j) {
          if (mn.refiners[j] == mn.miners[i]) miner_refiner[i] = static_cast<int>(j);
        }
      }
      mn.miner_home_refiner = miner_refiner;
      mn.ore_flow = DomesticThenPooled(mn.mine_output, feed, miner_refiner);
    }
    mn.basis.push_back(
        "mine-to-refinery flows are domestic first, then a pooled market pro rata to remaining need (no bilateral "
        "ore trade used); each consumer's refined flows follow, in order of preference, its bilateral imports in "
        "the dataset's trade.csv (latest year), its import sources chosen in data/sim/import_basis.csv, else the "
        "pooled rule");
    for (const auto& [source_id, rule] : trade_caveats) {
      mn.basis.push_back(fmt::format("bilateral trade caveats ({}): {}", source_id, rule));
    }
    for (std::size_t k = 0; k < K; ++k) {
      mn.basis.push_back(fmt::format("{} refined flows: {}", net.consumers[k].code, mn.flow_basis[k]));
    }

    // Route shares through each chokepoint.
    auto lookup = [&](const RouteRow* exact, const RouteRow* by_exp, const RouteRow* by_imp) {
      if (exact) return exact->share;
      if (by_exp) return by_exp->share;
      if (by_imp) return by_imp->share;
      return 0.0;
    };
    // Importer `t` is an ISO3 code, a bloc code (routes.csv rows name the bloc) or "*" (ROW).
    auto share_to = [&](const std::string& cp, int from, const std::string& t) -> double {
      const std::string& f = ds.Country(model::CountryId{static_cast<std::uint16_t>(from)}).iso3;
      const RouteRow *exact = nullptr, *by_exp = nullptr, *by_imp = nullptr;
      for (const auto& r : in.routes) {
        if (r.chokepoint != cp) continue;
        if (r.exporter == f && r.importer == t)
          exact = &r;
        else if (r.exporter == f && r.importer == "*")
          by_exp = &r;
        else if (r.exporter == "*" && r.importer == t)
          by_imp = &r;
      }
      return lookup(exact, by_exp, by_imp);
    };
    auto share_of = [&](const std::string& cp, int from, int to) -> double {
      if (from == to) return 0.0;
      return share_to(cp, from, ds.Country(model::CountryId{static_cast<std::uint16_t>(to)}).iso3);
    };
    auto share_into = [&](const std::string& cp, int from, const Consumer& to) -> double {
      if (to.Includes(from)) return 0.0;  // a member's refinery serving its own bloc: no sea leg modelled
      return share_to(cp, from, to.country == kRestOfWorld ? std::string("*") : to.code);
    };
    mn.ore_route.resize(net.chokepoints.size());
    mn.refined_route.resize(net.chokepoints.size());
    for (std::size_t c = 0; c < net.chokepoints.size(); ++c) {
      const std::string& cp = net.chokepoints[c].id;
      std::vector<float> ore(I * J, 0.0f), fin(J * K, 0.0f);
      bool any = false;
      for (std::size_t i = 0; i < I && mn.has_ore_stage; ++i) {
        for (std::size_t j = 0; j < J; ++j) {
          if (mn.ore_flow[i * J + j] <= 0) continue;
          ore[i * J + j] = static_cast<float>(share_of(cp, mn.miners[i], mn.refiners[j]));
          any |= ore[i * J + j] > 0;
        }
      }
      bool any_fin = false;
      for (std::size_t j = 0; j < J; ++j) {
        for (std::size_t k = 0; k < K; ++k) {
          if (mn.refined_flow[j * K + k] <= 0 && net.consumers[k].country != kRestOfWorld) continue;
          fin[j * K + k] = static_cast<float>(share_into(cp, mn.refiners[j], net.consumers[k]));
          any_fin |= fin[j * K + k] > 0;
        }
      }
      if (any) mn.ore_route[c] = std::move(ore);
      if (any_fin) mn.refined_route[c] = std::move(fin);
      if (any || any_fin) {
        for (const auto& r : in.routes) {
          if (r.chokepoint == cp) add_source(r.source);
        }
        add_source(net.chokepoints[c].source);
      }
    }
    if (component) {
      // Each producer's output is limited by the feed its country receives: the feed network's
      // consumer of that country, else the rest of the world.
      mn.component = true;
      std::vector<std::string> feed_ids;
      for (std::size_t x = 0; x < chain->feeds.size(); ++x) {
        MineralNetwork::Feed feed;
        feed.mineral = net.FindMineralIndex(chain->feeds[x]);
        feed.intensity = chain->intensities[x];
        feed.consumer.assign(J, static_cast<int>(K) - 1);
        for (std::size_t j = 0; j < J; ++j) {
          feed.consumer[j] = FeedConsumerOf(net, feed.mineral, mn.refiners[j]);
          if (feed.mineral < 0) continue;
          const auto& fd = net.minerals[feed.mineral];
          const int k = feed.consumer[j];
          mn.basis.push_back(fmt::format(
              "{} output {:.0f} {} needs {:.0f} {} of {} at the intensity {}; its feed is {}'s demand of {}, {:.0f} {}",
              ds.Country(model::CountryId{static_cast<std::uint16_t>(mn.refiners[j])}).iso3, mn.refined_output[j],
              mn.unit, mn.refined_output[j] * feed.intensity, fd.unit, fd.id, feed.intensity, net.consumers[k].code,
              fd.id, fd.demand[k], fd.unit));
        }
        // A feed that is not simulated (no baseline) limits nothing; it is named in the basis.
        feed_ids.push_back(feed.mineral >= 0 ? net.minerals[feed.mineral].id
                                             : chain->feeds[x] + " (not simulated: no limit)");
        if (feed.mineral >= 0) mn.feeds.push_back(std::move(feed));
      }
      if (feed_ids.size() == 1) {
        mn.basis.push_back(fmt::format(
            "component of {}: in each period a producer's output falls by the share of its feed demand not met "
            "(delivered or drawn from stock) in the feed's run of the same scenario",
            feed_ids.front()));
      } else {
        mn.basis.push_back(fmt::format(
            "component of {}: a fixed recipe; in each period a producer's output falls by the largest share of its "
            "feeds' demand not met (delivered or drawn from stock) in the feeds' runs of the same scenario",
            fmt::join(feed_ids, ", ")));
      }
    }
    net.minerals.push_back(std::move(mn));
  };
  for (std::size_t mi = 0; mi < ds->minerals.size(); ++mi)
    build(model::MineralId{static_cast<std::uint16_t>(mi)}, nullptr);
  for (const auto& c : in.chains) build(*ds.FindMineral(c.parent), &c);
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return net;
}

}  // namespace lodestone::sim
