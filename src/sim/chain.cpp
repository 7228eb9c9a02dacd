// Chains that feed one another (docs/simulation.md, "Chains and components"): a component chain's
// producers (magnet makers) can make only as much as their feed (magnet rare earths) lets them.
// The feed is run first under the same scenario; in each period between its cuts, each producer
// loses the share of its feed consumer's demand that was not met, as an outage of the component
// chain. The kernel itself is unchanged: the coupling is a set of derived outages.
#include <algorithm>
#include <cmath>
#include <memory>
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
  if (!derived || !mn.component || mn.feed < 0) return act;
  const std::vector<ActiveShock> feed = ActiveShocksOf(net, mn.feed, cs, shocks, horizon, opt, keep);
  AppendFeedOutages(net, m, feed.data(), feed.size(), horizon, opt, keep, act);
  return act;
}

void AppendFeedOutages(const Network& net, int m, const ActiveShock* feed_shocks, std::size_t count, double horizon,
                       const EvalOptions& opt, DerivedTemplates& keep, std::vector<ActiveShock>& act) {
  const MineralNetwork& mn = net.minerals[m];
  if (!mn.component || mn.feed < 0 || count == 0) return;
  const std::vector<ActiveShock> feed(feed_shocks, feed_shocks + count);

  // Cuts of the feed's run: every start and end, and the end of the contract hold, as the kernel
  // cuts it; within a period the feed's fill is constant.
  std::vector<double> bounds = {0.0, horizon};
  for (const auto& a : feed) {
    for (double x : {a.start, a.end}) {
      if (x > 0 && x < horizon) bounds.push_back(x);
    }
    const double change = a.start + net.market.contract_hold_months;
    if (net.market.rule == MarketRule::Market && net.market.contract_share_initial != net.market.contract_share_later &&
        change > 0 && change < horizon) {
      bounds.push_back(change);
    }
  }
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());

  // The feed's run is causal (stocks are drawn in time order), so its figures over a period are
  // the run to the period's end less the run to its start.
  const std::size_t K = net.K();
  std::vector<double> prev_demand(K, 0.0), prev_met(K, 0.0);
  EvalScratch ws;
  MineralOutcome out;
  auto block = std::make_unique<std::vector<ShockTemplate>>();
  std::vector<std::pair<std::size_t, ActiveShock>> pending;  // template index, shock
  for (std::size_t b = 1; b < bounds.size(); ++b) {
    EvaluateMineral(net, mn.feed, feed.data(), feed.size(), bounds[b], opt, ws, out);
    std::vector<double> lost(K, 0.0);
    for (std::size_t k = 0; k < K; ++k) {
      const Flows& t = out.by_consumer[k][kSectors];
      const double demand = t.demand - prev_demand[k], met = t.delivered + t.stock_drawn - prev_met[k];
      prev_demand[k] = t.demand;
      prev_met[k] = t.delivered + t.stock_drawn;
      if (demand > 0) lost[k] = std::clamp(1.0 - met / demand, 0.0, 1.0);
    }
    for (std::size_t j = 0; j < mn.J(); ++j) {
      const double f = lost[mn.feed_consumer[j]];
      if (f <= kNoLoss) continue;
      ShockTemplate t;
      t.kind = ShockKind::Outage;
      t.mineral = m;
      t.on_refiners = true;
      t.node = static_cast<int>(j);
      block->push_back(std::move(t));
      pending.push_back({block->size() - 1, {nullptr, f, 1.0, bounds[b - 1], bounds[b]}});
    }
  }
  for (auto& [i, a] : pending) {
    a.t = &(*block)[i];
    act.push_back(a);
  }
  keep.blocks.push_back(std::move(block));
}

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
  const std::string feed_id = mn.feed >= 0 ? net.minerals[mn.feed].id : std::string();
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
