// Chains that feed one another (docs/simulation.md, "Chains and components"): a component chain's
// producers (magnet makers) can make only as much as their feed (magnet rare earths) lets them.
// The feed is run first under the same scenario; in each period between its cuts, each producer
// loses the share of its feed consumer's demand that was not met, as an outage of the component
// chain. The kernel itself is unchanged: the coupling is a set of derived outages.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
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
  run.ran = true;
}

// A feed consumer's demand and demand met (delivered or drawn from stock) from the start to `t`,
// which lies in segment `s` of the feed's run (bounds[s] < t <= bounds[s + 1]): the totals at the
// segment's end when t is that end, the same bits as a run ending there. Inside the segment the
// rates are constant, so demand and deliveries grow in proportion to time, and the stock is drawn
// at the rate of the shortfall before stock until what the segment draws is used up: what a run
// ending at t draws.
std::pair<double, double> MetUpTo(const FeedRun& run, std::size_t K, std::size_t s, std::size_t k, double t) {
  const std::vector<double>& b = run.ws.bounds;
  const Flows& end = run.cut_totals[s * K + k];
  if (t == b[s + 1]) return {end.demand, end.delivered + end.stock_drawn};
  const Flows start = s > 0 ? run.cut_totals[(s - 1) * K + k] : Flows{};
  const double part = (t - b[s]) / (b[s + 1] - b[s]);
  const double drawn = end.stock_drawn - start.stock_drawn, shortfall = end.shortfall - start.shortfall;
  return {start.demand + (end.demand - start.demand) * part, start.delivered + start.stock_drawn +
                                                                 (end.delivered - start.delivered) * part +
                                                                 std::min(drawn, (drawn + shortfall) * part)};
}

}  // namespace

bool AppendFeedOutages(const Network& net, int m, const std::vector<std::vector<ActiveShock>>& shocks_of,
                       double horizon, const EvalOptions& opt, DerivedTemplates& keep, std::vector<ActiveShock>& act,
                       std::vector<FeedRun>& runs) {
  const MineralNetwork& mn = net.minerals[m];
  if (!mn.component) return false;
  // The feeds under a shock are run (once per scenario: a run is reused by every component it
  // feeds); a feed without one is met in full and limits nothing.
  // Scratch kept per thread: this runs for every scenario of a Monte Carlo.
  thread_local std::vector<const MineralNetwork::Feed*> run_feeds;
  thread_local std::vector<double> cuts, prev_demand, prev_met, lost;
  thread_local std::vector<std::size_t> seg;
  thread_local std::vector<std::pair<std::size_t, ActiveShock>> pending;  // template index, shock
  run_feeds.clear();
  cuts.clear();
  for (const auto& f : mn.feeds) {
    if (shocks_of[f.mineral].empty()) continue;
    FeedRun& run = runs[f.mineral];
    if (!run.ran) RunFeed(net, f.mineral, shocks_of[f.mineral], horizon, opt, run);
    run_feeds.push_back(&f);
    cuts.insert(cuts.end(), run.ws.bounds.begin(), run.ws.bounds.end());
  }
  if (run_feeds.empty()) return false;
  // The periods are the feeds' cuts together. For each period, each feed consumer's demand not
  // met over it (from its totals at the period's end less those at its start), and a producer
  // loses the largest such share of any of its feeds.
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  const std::size_t K = net.K(), F = run_feeds.size();
  thread_local std::vector<double> loss_from;  // per producer: when its current run of losses began
  loss_from.assign(mn.J(), -1.0);
  seg.assign(F, 0);  // per run feed: its segment holding the period
  prev_demand.assign(F * K, 0.0);
  prev_met.assign(F * K, 0.0);
  lost.assign(F * K, 0.0);
  // Only the feed consumers of the producers are read: the others are not worked out.
  thread_local std::vector<std::uint8_t> read;
  read.assign(F * K, 0);
  for (std::size_t x = 0; x < F; ++x) {
    for (int k : run_feeds[x]->consumer) read[x * K + static_cast<std::size_t>(k)] = 1;
  }
  std::vector<ShockTemplate>& block = keep.Next();
  pending.clear();
  for (std::size_t u = 1; u < cuts.size(); ++u) {
    for (std::size_t x = 0; x < F; ++x) {
      const FeedRun& run = runs[run_feeds[x]->mineral];
      while (run.ws.bounds[seg[x] + 1] < cuts[u]) ++seg[x];
      for (std::size_t k = 0; k < K; ++k) {
        if (!read[x * K + k]) continue;
        const auto [demand_to, met_to] = MetUpTo(run, K, seg[x], k, cuts[u]);
        const double demand = demand_to - prev_demand[x * K + k], met = met_to - prev_met[x * K + k];
        prev_demand[x * K + k] = demand_to;
        prev_met[x * K + k] = met_to;
        lost[x * K + k] = demand > 0 ? std::clamp(1.0 - met / demand, 0.0, 1.0) : 0.0;
      }
    }
    for (std::size_t j = 0; j < mn.J(); ++j) {
      double f = 0;
      for (std::size_t x = 0; x < F; ++x) f = std::max(f, lost[x * K + run_feeds[x]->consumer[j]]);
      if (f <= kNoLoss) {
        loss_from[j] = -1;
        continue;
      }
      // The contract hold runs from the start of the producer's loss, not of each period.
      if (loss_from[j] < 0) loss_from[j] = cuts[u - 1];
      ShockTemplate t;
      t.kind = ShockKind::Outage;
      t.mineral = m;
      t.on_refiners = true;
      t.node = static_cast<int>(j);
      block.push_back(std::move(t));
      pending.push_back({block.size() - 1, {nullptr, f, 1.0, cuts[u - 1], cuts[u], loss_from[j]}});
    }
  }
  for (auto& [i, a] : pending) {
    a.t = &block[i];
    act.push_back(a);
  }
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
