// Chains that feed one another (docs/simulation.md, "Chains and components"): a component chain's
// producers (magnet makers) can make only as much as their feed (magnet rare earths) lets them.
// The feed is run first under the same scenario; in each period between its cuts, each producer
// loses the share of its feed consumer's demand that was not met, as an outage of the component
// chain. The kernel itself is unchanged: the coupling is a set of derived outages.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "lodestone/sim/kernel.hpp"

namespace lodestone::sim {

namespace {

constexpr double kNoLoss = 1e-12;  // a derived loss at or below this share of output is no outage

}  // namespace

std::vector<ActiveShock> ActiveShocksOf(const Network& net, int m, const CompiledShocks& cs,
                                        const std::vector<Shock>& shocks, double horizon, const EvalOptions& opt,
                                        DerivedTemplates& keep, bool own, bool derived) {
  std::vector<ActiveShock> act;
  if (own) {
    for (std::size_t i = 0; i < cs.templates.size(); ++i) {
      if (cs.templates[i].mineral != m) continue;
      const Shock& s = shocks[cs.shock_of_template[i]];
      act.push_back({&cs.templates[i], s.fraction, s.factor, s.start_month, s.start_month + s.months});
    }
  }
  const MineralNetwork& mn = net.minerals[m];
  if (!derived || !mn.component || mn.feeds.empty()) return act;
  std::vector<std::vector<ActiveShock>> shocks_of(net.minerals.size());
  for (const auto& f : mn.feeds) shocks_of[f.mineral] = ActiveShocksOf(net, f.mineral, cs, shocks, horizon, opt, keep);
  std::vector<FeedRun> runs(net.minerals.size());
  AppendFeedOutages(net, m, shocks_of, horizon, opt, keep, act, runs);
  return act;
}

namespace {

void RunFeed(const Network& net, int f, const std::vector<ActiveShock>& shocks, double horizon, const EvalOptions& opt,
             FeedRun& run) {
  // One run of the feed over the horizon, with its totals at the end of every segment: the run is
  // causal (stocks are drawn in time order), so the totals at a cut are those of a run ending
  // there, and the feed's figures over a period are the totals at its end less those at its start.
  run.cut_totals.clear();
  run.ws.cut_totals = &run.cut_totals;
  EvaluateMineral(net, f, shocks.data(), shocks.size(), horizon, opt, run.ws, run.out);
  run.ws.cut_totals = nullptr;
  // Per segment and consumer: the share of the feed's demand not met (delivered or drawn) in it.
  const std::size_t K = net.K(), S = run.ws.bounds.size() - 1;
  run.lost.assign(S * K, 0.0);
  for (std::size_t k = 0; k < K; ++k) {
    double prev_demand = 0, prev_met = 0;
    for (std::size_t b = 0; b < S; ++b) {
      const Flows& t = run.cut_totals[b * K + k];
      const double demand = t.demand - prev_demand, met = t.delivered + t.stock_drawn - prev_met;
      prev_demand = t.demand;
      prev_met = t.delivered + t.stock_drawn;
      if (demand > 0) run.lost[b * K + k] = std::clamp(1.0 - met / demand, 0.0, 1.0);
    }
  }
  run.ran = true;
}

}  // namespace

bool AppendFeedOutages(const Network& net, int m, const std::vector<std::vector<ActiveShock>>& shocks_of,
                       double horizon, const EvalOptions& opt, DerivedTemplates& keep, std::vector<ActiveShock>& act,
                       std::vector<FeedRun>& runs) {
  const MineralNetwork& mn = net.minerals[m];
  if (!mn.component) return false;
  // The feeds under a shock are run (once per scenario: a run is reused by every component it
  // feeds); a feed without one is met in full and limits nothing.
  std::vector<const MineralNetwork::Feed*> run_feeds;
  std::vector<double> cuts;
  for (const auto& f : mn.feeds) {
    if (shocks_of[f.mineral].empty()) continue;
    FeedRun& run = runs[f.mineral];
    if (!run.ran) RunFeed(net, f.mineral, shocks_of[f.mineral], horizon, opt, run);
    run_feeds.push_back(&f);
    cuts.insert(cuts.end(), run.ws.bounds.begin(), run.ws.bounds.end());
  }
  if (run_feeds.empty()) return false;
  // The periods are the feeds' segments cut by one another; within one, each feed's fill is
  // constant, and a producer loses the largest share of any of its feeds not met.
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  const std::size_t K = net.K();
  std::vector<std::size_t> seg(run_feeds.size(), 0);  // per run feed: its segment holding the period
  auto block = std::make_unique<std::vector<ShockTemplate>>();
  std::vector<std::pair<std::size_t, ActiveShock>> pending;  // template index, shock
  for (std::size_t u = 1; u < cuts.size(); ++u) {
    for (std::size_t x = 0; x < run_feeds.size(); ++x) {
      const std::vector<double>& b = runs[run_feeds[x]->mineral].ws.bounds;
      while (b[seg[x] + 1] < cuts[u]) ++seg[x];
    }
    for (std::size_t j = 0; j < mn.J(); ++j) {
      double f = 0;
      for (std::size_t x = 0; x < run_feeds.size(); ++x) {
        f = std::max(f, runs[run_feeds[x]->mineral].lost[seg[x] * K + run_feeds[x]->consumer[j]]);
      }
      if (f <= kNoLoss) continue;
      ShockTemplate t;
      t.kind = ShockKind::Outage;
      t.mineral = m;
      t.on_refiners = true;
      t.node = static_cast<int>(j);
      block->push_back(std::move(t));
      pending.push_back({block->size() - 1, {nullptr, f, 1.0, cuts[u - 1], cuts[u]}});
    }
  }
  for (auto& [i, a] : pending) {
    a.t = &(*block)[i];
    act.push_back(a);
  }
  keep.blocks.push_back(std::move(block));
  return true;
}

namespace {

std::string FeedIds(const Network& net, const MineralNetwork& mn) {
  std::string ids;
  for (const auto& f : mn.feeds) {
    if (!ids.empty()) ids += ';';
    ids += net.minerals[f.mineral].id;
  }
  return ids;
}

}  // namespace

}  // namespace lodestone::sim

namespace lodestone::sim {

void AddComponentCauses(const Network& net, int m, const CompiledShocks& cs, const Scenario& scenario,
                        const EvalOptions& opt, const MineralOutcome& out, ScenarioResult& res) {
  const MineralNetwork& mn = net.minerals[m];
  const double h = scenario.horizon_months;
  DerivedTemplates keep;
  const auto feed_only = ActiveShocksOf(net, m, cs, scenario.shocks, h, opt, keep, false, true);
  const auto own_only = ActiveShocksOf(net, m, cs, scenario.shocks, h, opt, keep, true, false);
  EvalScratch ws;
  MineralOutcome by_feed, by_own;
  EvaluateMineral(net, m, feed_only.data(), feed_only.size(), h, opt, ws, by_feed);
  EvaluateMineral(net, m, own_only.data(), own_only.size(), h, opt, ws, by_own);
  const std::string feed_id = FeedIds(net, mn);
  for (std::size_t k = 0; k < net.K(); ++k) {
    ComponentCause c;
    c.component = mn.id;
    c.feed = feed_id;
    c.unit = mn.unit;
    c.consumer = net.consumers[k].code;
    c.demand_known = mn.demand_known[k];
    c.demand_t = out.by_consumer[k][kSectors].demand;
    c.shortfall_t = out.by_consumer[k][kSectors].shortfall;
    c.feed_only_t = by_feed.by_consumer[k][kSectors].shortfall;
    c.component_only_t = by_own.by_consumer[k][kSectors].shortfall;
    res.components.push_back(std::move(c));
  }
  // Output lost per producer: the derived outages' fractions times baseline output over each period.
  for (std::size_t j = 0; j < mn.J(); ++j) {
    ProducerFeedLoss p;
    p.component = mn.id;
    p.feed = feed_id;
    p.unit = mn.unit;
    p.producer = net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(mn.refiners[j])}).iso3;
    p.output_t = mn.refined_output[j] * h / 12.0;
    for (const auto& a : feed_only) {
      if (a.t->node == static_cast<int>(j)) p.lost_t += mn.refined_output[j] * a.fraction * (a.end - a.start) / 12.0;
    }
    res.producer_feed_loss.push_back(std::move(p));
  }
}

}  // namespace lodestone::sim
