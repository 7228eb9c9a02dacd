// Propagating shocks through one mineral's network: shocked mine output and deliveries ->
// refinery output limited by feed and capacity -> refined deliveries -> reallocation of freed
// supply and spare capacity to short consumers who may receive it -> stockpile drawdown ->
// shortfall. The rule of every step is written in docs/simulation.md; this file is its only
// implementation in the library (tests keep an independent one as the oracle).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/sim/kernel.hpp"
#include "lodestone/sim/price.hpp"

namespace lodestone::sim {

namespace {

constexpr double kMonthsPerYear = 12.0;
constexpr double kRelativeZero = 1e-12;

// Pro-rata water-filling: distributes `avail` (units sent) over recipients with remaining
// `need` (units arriving) and efficiency `eff` (arriving per unit sent), pro rata to need. A
// recipient whose pro-rata share would overfill it is filled and leaves; the rest is shared again
// among the others. Adds arrivals to `arrive`; returns what is left to send.
double WaterFill(double avail, std::size_t n, double* need, const double* eff, double* arrive) {
  while (avail > 0) {
    double sum = 0;
    for (std::size_t r = 0; r < n; ++r) sum += need[r];
    if (sum <= 0) break;
    bool filled = false;
    const double round_avail = avail;
    for (std::size_t r = 0; r < n; ++r) {
      if (need[r] <= 0) continue;
      if (round_avail * (need[r] / sum) * eff[r] >= need[r]) {
        arrive[r] += need[r];
        avail -= need[r] / eff[r];
        need[r] = 0;
        filled = true;
      }
    }
    if (filled) continue;
    for (std::size_t r = 0; r < n; ++r) {
      if (need[r] <= 0) continue;
      double got = round_avail * (need[r] / sum) * eff[r];
      arrive[r] += got;
      need[r] -= got;
    }
    avail = 0;
  }
  return std::max(avail, 0.0);
}

// Max-min fill on the fraction of demand met: `avail` (units sent) raises the consumers of
// `idx` (demand `d`, delivered so far `x`, efficiency `e` = arriving per unit sent) to a common
// level t of demand met, the least served first: each receives max(0, t d - x), at most its
// demand (t <= 1). The level solves sum max(0, t d_k - x_k) / e_k = avail, piecewise linear in t,
// so it is found exactly by walking the consumers in order of their level before the fill.
// Returns what is left to send (non-zero only when every one reaches its demand). `lv` is
// scratch indexed like `d` (each consumer's level before the fill, divided once).
double LevelFill(double avail, std::size_t n, int* idx, const double* d, const double* e, double* x, double* lv) {
  if (avail <= 0 || n == 0) return std::max(avail, 0.0);
  for (std::size_t i = 0; i < n; ++i) lv[idx[i]] = x[idx[i]] / d[idx[i]];
  auto level = [&](int k) { return lv[k]; };
  // Units sent for v arriving at k; dividing by an efficiency of exactly 1 changes no bit.
  auto sent = [&](double v, int k) { return e[k] == 1 ? v : v / e[k]; };
  // Insertion sort by level, ties by index: n is the number of consumers (a handful).
  for (std::size_t a = 1; a < n; ++a) {
    int v = idx[a];
    std::size_t b = a;
    while (b > 0 && (level(idx[b - 1]) > level(v) || (level(idx[b - 1]) == level(v) && idx[b - 1] > v))) {
      idx[b] = idx[b - 1];
      --b;
    }
    idx[b] = v;
  }
  double sd = 0, sx = 0;  // sums of d/e and x/e over the consumers below the level
  double t = 1;
  std::size_t m = 0;
  for (; m < n; ++m) {
    const int k = idx[m];
    const double next = std::min(1.0, level(k));
    // Cost of raising the first m consumers to `next`.
    if (m > 0 && next * sd - sx >= avail) break;
    if (level(k) >= 1) break;
    sd += sent(d[k], k);
    sx += sent(x[k], k);
  }
  if (m == 0) return avail;
  double cost_full = sd - sx;
  if (cost_full <= avail) {
    t = 1;
  } else {
    t = (avail + sx) / sd;
  }
  double used = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const int k = idx[i];
    const double want = t >= 1 ? d[k] - x[k] : std::min(d[k] - x[k], std::max(0.0, t * d[k] - x[k]));
    if (want <= 0) continue;
    x[k] += want;
    used += sent(want, k);
  }
  return t >= 1 ? std::max(0.0, avail - used) : 0.0;
}

template <class T>
void Fill(std::vector<T>& v, std::size_t n, T x) {
  if (v.size() < n) v.resize(n);
  std::fill(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), x);
}

// Step 7 of the market rule: spot supply (the spot share of every flow and what reallocation
// left) clears by max-min fill on the fraction of demand met. Refiners with a restriction (a
// control or a closed route on one of their links) go first, each in code order over the
// consumers it may reach; the unrestricted refiners' spot supply is then one pool that every
// consumer may receive. Restricted supply first keeps it for the buyers who can take it, so the
// unrestricted pool reaches the targeted buyers.
template <class Blocked, class Eff>
void ClearSpot(const Network& net, const MineralNetwork& mn, bool fin_mod, EvalScratch& ws, Blocked blocked,
               Eff eff_of) {
  const std::size_t J = mn.J(), K = net.K();
  Fill(ws.lvl_eff, K, 1.0);
  Fill(ws.lvl_index, K, 0);
  Fill(ws.lvl_level, K, 0.0);
  const double* d = ws.demand_total.data();
  double* e = ws.lvl_eff.data();
  int* idx = ws.lvl_index.data();
  // A consumer whose level (share of demand met) is already 1 takes nothing: LevelFill would sort
  // it last and stop there, so it is left out (the same level test, the same bits).
  auto Unmet = [&](std::size_t k) { return !(ws.delivered[k] / d[k] >= 1); };
  // With links: what each fill adds to a consumer is attributed to the refiner(s) it came from.
  const bool links = ws.links != nullptr;
  if (links) Fill(ws.lvl_before, K, 0.0);
  double pool = 0;
  for (std::size_t j = 0; j < J; ++j) {
    if (ws.spot[j] <= 0) continue;
    bool restricted = false;
    for (std::size_t k = 0; k < K && fin_mod && ws.fin_row_mod[j]; ++k)
      restricted |= blocked(j * K + k) || eff_of(j * K + k) < 1;
    if (!restricted) {
      pool += ws.spot[j];
      continue;
    }
    std::size_t n = 0;
    for (std::size_t k = 0; k < K; ++k) {
      e[k] = eff_of(j * K + k);
      if (d[k] > 0 && !blocked(j * K + k) && e[k] > 0 && Unmet(k)) idx[n++] = static_cast<int>(k);
    }
    if (links)
      std::copy(ws.delivered.begin(), ws.delivered.begin() + static_cast<std::ptrdiff_t>(K), ws.lvl_before.begin());
    LevelFill(ws.spot[j], n, idx, d, e, ws.delivered.data(), ws.lvl_level.data());
    if (links) {
      for (std::size_t k = 0; k < K; ++k) ws.seg_fin[j * K + k] += ws.delivered[k] - ws.lvl_before[k];
    }
  }
  std::size_t n = 0;
  for (std::size_t k = 0; k < K; ++k) {
    e[k] = 1;
    if (pool > 0 && d[k] > 0 && Unmet(k)) idx[n++] = static_cast<int>(k);
  }
  if (links)
    std::copy(ws.delivered.begin(), ws.delivered.begin() + static_cast<std::ptrdiff_t>(K), ws.lvl_before.begin());
  LevelFill(pool, n, idx, d, e, ws.delivered.data(), ws.lvl_level.data());
  if (links && pool > 0) {
    // The pool is one market: each unrestricted refiner's share of it is its share of every fill.
    for (std::size_t j = 0; j < J; ++j) {
      if (ws.spot[j] <= 0) continue;
      bool restricted = false;
      for (std::size_t k = 0; k < K && fin_mod && ws.fin_row_mod[j]; ++k)
        restricted |= blocked(j * K + k) || eff_of(j * K + k) < 1;
      if (restricted) continue;
      const double share = ws.spot[j] / pool;
      for (std::size_t k = 0; k < K; ++k) ws.seg_fin[j * K + k] += share * (ws.delivered[k] - ws.lvl_before[k]);
    }
  }
}

// Rates (per year) of one segment with a constant set of active shocks: sector demand into
// ws.sector_demand, deliveries into ws.delivered.
// `contract` is the share of each baseline refined flow under contract in this segment (1 under
// the pooled rules); below 1, the spot share and what reallocation leaves clear again (step 7).
void SegmentRates(const Network& net, const MineralNetwork& mn, const ActiveShock* const* act, std::size_t na,
                  double contract, EvalScratch& ws, bool supply_kept) {
  const bool market = net.market.rule == MarketRule::Market;
  // A targeted control lets `leakage` of its blocked tonnes through (third countries).
  const double leak = market ? net.market.leakage : 0.0;
  const std::size_t I = mn.I(), J = mn.J(), K = net.K();
  // Which flow matrices this segment modifies: only those are initialised and read.
  bool ore_ctrl = false, ore_route = false, fin_ctrl = false, fin_route = false;
  for (std::size_t n = 0; n < na; ++n) {
    const ShockTemplate& t = *act[n]->t;
    if (t.kind == ShockKind::ExportControl && t.node >= 0 && act[n]->fraction > 0) {
      (t.on_refiners ? fin_ctrl : ore_ctrl) = true;
    }
    if (t.kind == ShockKind::Chokepoint && act[n]->fraction > 0) {
      ore_route |= mn.has_ore_stage && !mn.ore_route[t.chokepoint].empty();
      fin_route |= !mn.refined_route[t.chokepoint].empty();
    }
  }
  const bool extra_ore = !mn.extra_ore.empty() && mn.has_ore_stage;
  const bool ore_mod = ore_ctrl || ore_route || extra_ore;
  const bool fin_mod = fin_ctrl || fin_route;
  auto ore_keep = [&](std::size_t x) {
    return (ore_ctrl ? ws.keep_ore_ctrl[x] : 1.0) * (ore_route ? ws.keep_ore_route[x] : 1.0);
  };
  auto ore_eff = [&](std::size_t x) { return ore_route ? ws.keep_ore_route[x] : 1.0; };
  auto ore_blocked = [&](std::size_t x) { return ore_ctrl && ws.ore_targeted[x]; };
  auto fin_keep = [&](std::size_t x) {
    return (fin_ctrl ? ws.keep_fin_ctrl[x] : 1.0) * (fin_route ? ws.keep_fin_route[x] : 1.0);
  };
  auto fin_eff = [&](std::size_t x) { return fin_route ? ws.keep_fin_route[x] : 1.0; };
  auto fin_blocked = [&](std::size_t x) { return fin_ctrl && ws.fin_targeted[x]; };
  // Steps 1 to 4 and the shocked demand depend only on the active shocks, not on the contract
  // share: with `supply_kept` they are still in `ws` from the previous segment (same shocks).
  if (!supply_kept) {
    if (ws.sector_demand.size() < K) ws.sector_demand.resize(K);
    for (std::size_t k = 0; k < K; ++k) {
      for (int s = 0; s < kSectors; ++s) ws.sector_demand[k][s] = mn.demand[k] * mn.sector_share[k][s];
    }
    if (ws.links) {
      Fill(ws.seg_ore, I * J, 0.0);
      Fill(ws.seg_fin, J * K, 0.0);
    }
    Fill(ws.mine_keep, I, 1.0);      // mine output kept
    Fill(ws.refinery_keep, J, 1.0);  // refinery capacity kept
    if (ore_ctrl) {
      Fill(ws.keep_ore_ctrl, I * J, 1.0);
      Fill(ws.ore_targeted, I * J, std::uint8_t{0});
    }
    if (ore_route) Fill(ws.keep_ore_route, I * J, 1.0);
    if (fin_ctrl) {
      Fill(ws.keep_fin_ctrl, J * K, 1.0);
      Fill(ws.fin_targeted, J * K, std::uint8_t{0});
    }
    if (fin_route) Fill(ws.keep_fin_route, J * K, 1.0);
    // Refiners with a control or a closed route on one of their links: the other rows keep every
    // factor at 1 (no blocked tonnes, no restriction) and take the short path below.
    Fill(ws.fin_row_mod, J, std::uint8_t{0});
    for (std::size_t n = 0; n < na; ++n) {
      const ActiveShock& a = *act[n];
      const ShockTemplate& t = *a.t;
      switch (t.kind) {
        case ShockKind::Outage:
          if (t.node < 0) break;
          (t.on_refiners ? ws.refinery_keep : ws.mine_keep)[t.node] *= 1 - a.fraction;
          break;
        case ShockKind::ExportControl:
          if (t.node < 0 || a.fraction <= 0) break;
          if (t.on_refiners) {
            for (std::size_t k = 0; k < K; ++k) {
              if (!t.targeted[k]) continue;
              ws.keep_fin_ctrl[t.node * K + k] *= 1 - a.fraction * (1 - leak);
              ws.fin_targeted[t.node * K + k] = 1;
              ws.fin_row_mod[t.node] = 1;
            }
          } else {
            for (std::size_t j = 0; j < J; ++j) {
              if (!t.targeted[j]) continue;
              ws.keep_ore_ctrl[t.node * J + j] *= 1 - a.fraction * (1 - leak);
              ws.ore_targeted[t.node * J + j] = 1;
            }
          }
          break;
        case ShockKind::Chokepoint: {
          if (a.fraction <= 0) break;
          const double loss = a.fraction * (1 - t.reroutable);
          if (ore_route && !mn.ore_route[t.chokepoint].empty()) {
            const auto& r = mn.ore_route[t.chokepoint];
            for (std::size_t x = 0; x < I * J; ++x) ws.keep_ore_route[x] *= 1 - r[x] * loss;
          }
          if (fin_route && !mn.refined_route[t.chokepoint].empty()) {
            const auto& r = mn.refined_route[t.chokepoint];
            for (std::size_t x = 0; x < J * K; ++x) {
              ws.keep_fin_route[x] *= 1 - r[x] * loss;
              if (r[x] != 0) ws.fin_row_mod[x / K] = 1;
            }
          }
          break;
        }
        case ShockKind::Demand:
          for (std::size_t k = 0; k < K; ++k) {
            if (t.consumer >= 0 && static_cast<std::size_t>(t.consumer) != k) continue;
            for (int s = 0; s < kSectors; ++s) {
              if (t.sector < 0 || t.sector == s) ws.sector_demand[k][s] *= a.factor;
            }
          }
          break;
      }
    }

    // Refinery output before and after reallocation of blocked ore.
    // Sized, not cleared: every entry is written below.
    if (ws.refined.size() < J) ws.refined.resize(J);            // R: refined output
    if (ws.refined_base.size() < J) ws.refined_base.resize(J);  // output from the baseline flows (base R)
    if (mn.has_ore_stage) {
      Fill(ws.feed, J, 0.0);         // feed
      Fill(ws.blocked_ore, I, 0.0);  // ore blocked at its mine country
      if (ore_mod) {
        for (std::size_t i = 0; i < I; ++i) {
          const double* row = &mn.ore_flow[i * J];
          const double kept = ws.mine_keep[i];
          double blocked = 0;  // summed in a register, in the same order
          for (std::size_t j = 0; j < J; ++j) {
            double base = row[j] * kept;
            double f = base * ore_keep(i * J + j);
            ws.feed[j] += f;
            blocked += base - f;
            if (ws.links) ws.seg_ore[i * J + j] = f;
          }
          ws.blocked_ore[i] = blocked;
        }
      } else {
        // Only outages touch the ore stage: the baseline feed less the shocked mines' share.
        for (std::size_t j = 0; j < J; ++j) ws.feed[j] = mn.refined_output[j] / mn.yield;
        for (std::size_t i = 0; i < I; ++i) {
          if (ws.mine_keep[i] == 1.0) continue;
          const double* row = &mn.ore_flow[i * J];
          for (std::size_t j = 0; j < J; ++j) ws.feed[j] -= row[j] * (1 - ws.mine_keep[i]);
        }
        for (std::size_t j = 0; j < J; ++j) ws.feed[j] = std::max(0.0, ws.feed[j]);
        if (ws.links) {
          for (std::size_t x = 0; x < I * J; ++x) ws.seg_ore[x] = mn.ore_flow[x] * ws.mine_keep[x / J];
        }
      }
      if (extra_ore) {
        for (std::size_t i = 0; i < I; ++i) ws.blocked_ore[i] += mn.extra_ore[i];
      }
      std::vector<double>& cap = ws.capacity;
      if (cap.size() < J) cap.resize(J);
      for (std::size_t j = 0; j < J; ++j) {
        cap[j] = mn.refinery_capacity[j] * ws.refinery_keep[j];
        ws.refined[j] = std::min(mn.yield * ws.feed[j], cap[j]);
        ws.refined_base[j] = ws.refined[j];
      }
      if (ore_mod) {
        // Blocked ore stays at home first (the controlling country's own refineries), then goes to
        // refineries it may legally reach, pro rata to their spare capacity.
        Fill(ws.scratch, 3 * J, 0.0);
        double* need = ws.scratch.data();
        double* eff = need + J;
        double* got = eff + J;
        for (std::size_t i = 0; i < I; ++i) {
          double avail = ws.blocked_ore[i];
          if (avail <= 0) continue;
          int home = mn.miner_home_refiner.empty() ? -1 : mn.miner_home_refiner[i];
          if (home >= 0) {
            double take = std::min(avail, std::max(0.0, cap[home] - ws.refined[home]) / mn.yield);
            ws.refined[home] += take * mn.yield;
            avail -= take;
            if (ws.links) ws.seg_ore[i * J + home] += take;
          }
          if (avail <= 0) continue;
          for (std::size_t j = 0; j < J; ++j) {
            bool ok = static_cast<int>(j) != home && !ore_blocked(i * J + j) && ore_eff(i * J + j) > 0;
            need[j] = ok ? std::max(0.0, cap[j] - ws.refined[j]) / mn.yield : 0.0;
            eff[j] = ore_eff(i * J + j);
            got[j] = 0;
          }
          WaterFill(avail, J, need, eff, got);
          for (std::size_t j = 0; j < J; ++j) ws.refined[j] += got[j] * mn.yield;
          if (ws.links) {
            for (std::size_t j = 0; j < J; ++j) ws.seg_ore[i * J + j] += got[j];
          }
        }
      }
    } else {
      for (std::size_t j = 0; j < J; ++j) {
        ws.refined[j] = mn.refined_output[j] * ws.refinery_keep[j];
        ws.refined_base[j] = ws.refined[j];
      }
    }

    // Each consumer's shocked demand, summed once in sector order (the same bits everywhere).
    Fill(ws.demand_total, K, 0.0);
    for (std::size_t k = 0; k < K; ++k) {
      for (int s = 0; s < kSectors; ++s) ws.demand_total[k] += ws.sector_demand[k][s];
    }
  }  // !supply_kept
  const double* demand = ws.demand_total.data();

  // Refined deliveries along the baseline flows, scaled by each refinery's output.
  Fill(ws.delivered, K, 0.0);                           // X: delivered
  if (ws.gflow.size() < J * K) ws.gflow.resize(J * K);  // delivered along each baseline flow
  std::vector<double>& free = ws.feed;                  // refined supply not delivered (blocked, excess, extra)
  if (free.size() < J) free.resize(J);
  const bool clearing = market && contract < 1;
  if (clearing) Fill(ws.spot, J, 0.0);
  for (std::size_t j = 0; j < J; ++j) {
    double s = mn.refined_output[j] > 0 ? ws.refined_base[j] / mn.refined_output[j] : 0.0;
    // Free and spot supply of j are summed in registers (the same order as in memory).
    double free_j = ws.refined[j] - ws.refined_base[j];
    double spot_j = 0;
    if (!mn.extra_refined.empty()) free_j += mn.extra_refined[j] * ws.refinery_keep[j];
    const double* row = &mn.refined_flow[j * K];
    if (!fin_mod || !ws.fin_row_mod[j]) {
      // No factor on this row: every flow is delivered whole (nothing freed), less its spot share.
      for (std::size_t k = 0; k < K; ++k) {
        double g = row[k] * s;
        if (clearing) {
          spot_j += (1 - contract) * g;
          g *= contract;
        }
        ws.gflow[j * K + k] = g;
        ws.delivered[k] += g;
        if (ws.links) ws.seg_fin[j * K + k] = g;
      }
      free[j] = free_j;
      if (clearing) ws.spot[j] = spot_j;
      continue;
    }
    for (std::size_t k = 0; k < K; ++k) {
      double base = row[k] * s;
      double g = base * fin_keep(j * K + k);
      free_j += base - g;
      if (clearing && !fin_blocked(j * K + k)) {
        // The spot share is not committed to this buyer: it clears again in step 7. A licensed
        // flow to a targeted buyer stays on its route.
        spot_j += (1 - contract) * g;
        g *= contract;
      }
      ws.gflow[j * K + k] = g;
      ws.delivered[k] += g;
      if (ws.links) ws.seg_fin[j * K + k] = g;
    }
    free[j] = free_j;
    if (clearing) ws.spot[j] = spot_j;
  }
  // A consumer whose demand fell returns what it no longer takes, pro rata to its suppliers.
  for (std::size_t k = 0; k < K; ++k) {
    const double dk = demand[k];
    if (ws.delivered[k] > dk) {
      double excess = ws.delivered[k] - dk;
      for (std::size_t j = 0; j < J; ++j) {
        free[j] += excess * (ws.gflow[j * K + k] / ws.delivered[k]);
        if (ws.links) ws.seg_fin[j * K + k] -= excess * (ws.gflow[j * K + k] / ws.delivered[k]);
      }
      ws.delivered[k] = dk;
    }
  }
  // New supply under offtake goes to its named buyers first, up to what each still needs; a buyer
  // the refinery may not legally supply gets none of it, and what a buyer cannot take stays free.
  if (!mn.extra_offtake.empty()) {
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t k = 0; k < K; ++k) {
        const double promised = mn.extra_offtake[j * K + k] * ws.refinery_keep[j];
        const double e = fin_eff(j * K + k);
        if (promised <= 0 || fin_blocked(j * K + k) || e <= 0) continue;
        const double dk = demand[k];
        const double arrive = std::min(promised * e, std::max(0.0, dk - ws.delivered[k]));
        if (arrive <= 0) continue;
        ws.delivered[k] += arrive;
        free[j] -= std::min(promised, arrive / e);
        if (ws.links) ws.seg_fin[j * K + k] += arrive;
      }
    }
  }
  // Free refined supply goes to short consumers: the refinery's own country first, then those
  // it may legally supply, pro rata to their shortfall.
  Fill(ws.scratch, 3 * K, 0.0);
  double* need = ws.scratch.data();
  double* eff = need + K;
  double* got = eff + K;
  for (std::size_t j = 0; j < J; ++j) {
    double avail = free[j];
    if (avail <= 0) continue;
    int home = mn.refiner_home_consumer[j];
    if (home >= 0) {
      const double dk = demand[home];
      double take = std::min(avail, std::max(0.0, dk - ws.delivered[home]));
      ws.delivered[home] += take;
      avail -= take;
      if (ws.links) ws.seg_fin[j * K + home] += take;
    }
    if (avail <= 0) continue;
    bool any = false;
    for (std::size_t k = 0; k < K; ++k) {
      const double dk = demand[k];
      bool ok = static_cast<int>(k) != home && !fin_blocked(j * K + k) && fin_eff(j * K + k) > 0;
      need[k] = ok ? std::max(0.0, dk - ws.delivered[k]) : 0.0;
      eff[k] = fin_eff(j * K + k);
      got[k] = 0;
      any |= need[k] > 0;
    }
    if (!any) {
      if (clearing) ws.spot[j] += avail;
      continue;
    }
    double left = WaterFill(avail, K, need, eff, got);
    if (clearing) ws.spot[j] += left;
    for (std::size_t k = 0; k < K; ++k) ws.delivered[k] += got[k];
    if (ws.links) {
      for (std::size_t k = 0; k < K; ++k) ws.seg_fin[j * K + k] += got[k];
    }
  }
  if (clearing)
    ClearSpot(
        net, mn, fin_mod, ws, [&](std::size_t x) { return fin_blocked(x); }, [&](std::size_t x) { return fin_eff(x); });
}

// The baseline's links over `years`: ore flows as they are, refined flows into each consumer
// scaled to its demand (the baseline delivers every consumer its demand).
void AddBaselineLinks(const Network& net, const MineralNetwork& mn, double years, LinkFlows& links) {
  const std::size_t J = mn.J(), K = net.K();
  for (std::size_t x = 0; x < links.ore.size(); ++x) links.ore[x] += mn.ore_flow[x] * years;
  for (std::size_t k = 0; k < K; ++k) {
    double sum = 0;
    for (std::size_t j = 0; j < J; ++j) sum += mn.refined_flow[j * K + k];
    if (sum <= 0) continue;
    const double scale = mn.demand[k] / sum;
    for (std::size_t j = 0; j < J; ++j) links.refined[j * K + k] += mn.refined_flow[j * K + k] * scale * years;
  }
}

// Country indexes a control's target list names, plus the value of every bloc consumer
// (Consumer::country, e.g. EUU) that the list names or that has a member in it: a bloc buys as one,
// so a group with a member of the bloc (MSP has DEU, FRA ...) covers the whole bloc's demand
// (docs/scenarios.md, "Targets").
std::set<int> ResolveTargets(const Network& net, const Shock& s, model::Diagnostics& diags) {
  std::set<int> out;
  const auto& ds = net.dataset;
  for (const auto& code : s.targets.codes) {
    const int k = net.FindConsumer(code);
    if (k >= 0 && IsBlocCountry(net.consumers[k].country)) {
      out.insert(net.consumers[k].country);
    } else if (auto g = ds.FindGroup(code)) {
      const auto& t = ds->groups;
      for (std::size_t r = 0; r < t.size(); ++r) {
        if (t.group[r] == *g) out.insert(static_cast<int>(t.country[r].index()));
      }
    } else if (auto c = ds.FindCountry(code)) {
      out.insert(static_cast<int>(c->index()));
    } else {
      diags.Error(
          s.file, s.line, s.column,
          fmt::format("unknown target '{}': expected a group id (MSP, US_AGREEMENT ...), a bloc code (EUU) or an ISO3 "
                      "code",
                      code));
    }
  }
  for (const auto& c : net.consumers) {
    if (!IsBlocCountry(c.country)) continue;
    for (int m : c.members) {
      if (out.count(m)) out.insert(c.country);
    }
  }
  return out;
}

bool IsTarget(const Targets& t, const std::set<int>& set, int country) {
  switch (t.kind) {
    case Targets::Kind::All: return true;
    case Targets::Kind::AllBut: return country == kRestOfWorld || !set.count(country);
    case Targets::Kind::Only: return country != kRestOfWorld && set.count(country);
  }
  return true;
}

}  // namespace

CompiledShocks CompileShocks(const Network& net, const std::vector<Shock>& shocks) {
  CompiledShocks out;
  model::Diagnostics diags;
  const auto& ds = net.dataset;
  const std::size_t K = net.K();
  for (std::size_t si = 0; si < shocks.size(); ++si) {
    const Shock& s = shocks[si];
    auto err = [&](std::string msg) { diags.Error(s.file, s.line, s.column, std::move(msg)); };
    std::vector<int> minerals;
    for (const auto& m : s.minerals) {
      if (!ds.FindMineral(m) && net.FindMineralIndex(m) < 0) {
        err(fmt::format("unknown mineral '{}'", m));
        continue;
      }
      int idx = net.FindMineralIndex(m);
      if (idx >= 0) minerals.push_back(idx);
    }
    ShockTemplate base;
    base.kind = s.kind;
    int country = -1;
    std::set<int> targets;
    switch (s.kind) {
      case ShockKind::Outage:
      case ShockKind::ExportControl:
        if (auto c = ds.FindCountry(s.country)) {
          country = static_cast<int>(c->index());
        } else {
          err(fmt::format("unknown country '{}'", s.country));
        }
        if (s.kind == ShockKind::ExportControl) targets = ResolveTargets(net, s, diags);
        break;
      case ShockKind::Chokepoint:
        base.chokepoint = net.FindChokepoint(s.chokepoint);
        if (base.chokepoint < 0) {
          err(fmt::format("unknown chokepoint '{}': not in data/sim/chokepoints.csv", s.chokepoint));
          break;
        }
        base.reroutable = s.reroutable >= 0 ? s.reroutable : net.chokepoints[base.chokepoint].reroutable;
        if (s.minerals.empty()) {
          for (std::size_t m = 0; m < net.minerals.size(); ++m) {
            const auto& mn = net.minerals[m];
            if ((mn.has_ore_stage && !mn.ore_route[base.chokepoint].empty()) ||
                !mn.refined_route[base.chokepoint].empty()) {
              minerals.push_back(static_cast<int>(m));
            }
          }
        }
        break;
      case ShockKind::Demand:
        if (s.consumer != "*") {
          base.consumer = net.FindConsumer(s.consumer);
          if (base.consumer < 0) {
            std::vector<std::string> codes;
            for (const auto& c : net.consumers) codes.push_back(c.code);
            err(fmt::format("unknown consumer '{}': expected * or one of {}", s.consumer, fmt::join(codes, ", ")));
          }
        }
        if (s.sector != "*") {
          Sector sec;
          if (ParseSector(s.sector, sec)) {
            base.sector = static_cast<int>(sec);
          } else {
            err(fmt::format("unknown sector '{}'", s.sector));
          }
        }
        break;
    }
    for (int m : minerals) {
      const MineralNetwork& mn = net.minerals[m];
      ShockTemplate t = base;
      t.mineral = m;
      if ((s.kind == ShockKind::Outage || s.kind == ShockKind::ExportControl) &&
          mn.component != (s.stage == SimStage::Component)) {
        err(mn.component ? fmt::format("{} is a component chain: expected stage component", mn.id)
                         : fmt::format("stage component applies to component chains only, not to {}", mn.id));
        continue;
      }
      if ((s.kind == ShockKind::Outage || s.kind == ShockKind::ExportControl) && country >= 0) {
        t.on_refiners = s.stage != SimStage::Mining || !mn.has_ore_stage;
        const auto& nodes = t.on_refiners ? mn.refiners : mn.miners;
        for (std::size_t n = 0; n < nodes.size(); ++n) {
          if (nodes[n] == country) t.node = static_cast<int>(n);
        }
        if (s.kind == ShockKind::ExportControl) {
          if (t.on_refiners) {
            t.targeted.assign(K, 0);
            for (std::size_t k = 0; k < K; ++k) {
              int c = net.consumers[k].country;
              t.targeted[k] = !net.consumers[k].Includes(country) && IsTarget(s.targets, targets, c);
            }
          } else {
            t.targeted.assign(mn.J(), 0);
            for (std::size_t j = 0; j < mn.J(); ++j) {
              int c = mn.refiners[j];
              t.targeted[j] = c != country && IsTarget(s.targets, targets, c);
            }
          }
        }
      }
      out.templates.push_back(std::move(t));
      out.shock_of_template.push_back(static_cast<int>(si));
    }
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return out;
}

namespace {

// Ends one consumer's sums: rounding residue is not a shortfall, so it stays delivered (the
// balance stays exact); the total over sectors goes to index kSectors.
void CloseConsumer(std::array<Flows, kSectors + 1>& o) {
  Flows t;
  for (int s = 0; s < kSectors; ++s) {
    if (std::fabs(o[s].shortfall) <= kRelativeZero * o[s].demand) {
      o[s].delivered += o[s].shortfall;
      o[s].shortfall = 0;
    }
    t.demand += o[s].demand;
    t.delivered += o[s].delivered;
    t.stock_drawn += o[s].stock_drawn;
    t.shortfall += o[s].shortfall;
  }
  o[kSectors] = t;
}

// Appends each consumer's totals so far, as a run ending here would close them.
// (CloseConsumer's arithmetic on the values, without changing them.)
void AddCutTotals(const MineralOutcome& out, std::size_t K, std::vector<Flows>& totals) {
  for (std::size_t k = 0; k < K; ++k) {
    const auto& o = out.by_consumer[k];
    Flows t;
    for (int s = 0; s < kSectors; ++s) {
      double delivered = o[s].delivered, shortfall = o[s].shortfall;
      if (std::fabs(shortfall) <= kRelativeZero * o[s].demand) {
        delivered += shortfall;
        shortfall = 0;
      }
      t.demand += o[s].demand;
      t.delivered += delivered;
      t.stock_drawn += o[s].stock_drawn;
      t.shortfall += shortfall;
    }
    totals.push_back(t);
  }
}

}  // namespace

void EvaluateMineral(const Network& net, int mineral, const ActiveShock* shocks, std::size_t count, double horizon,
                     const EvalOptions& opt, EvalScratch& ws, MineralOutcome& out) {
  const MineralNetwork& mn = net.minerals[mineral];
  const std::size_t K = net.K();
  out.by_consumer.assign(K, {});
  // Segment bounds: every start and end inside the horizon.
  ws.bounds.clear();
  ws.bounds.push_back(0);
  ws.bounds.push_back(horizon);
  for (std::size_t n = 0; n < count; ++n) {
    for (double x : {shocks[n].start, shocks[n].end}) {
      if (x > 0 && x < horizon) ws.bounds.push_back(x);
    }
    // The contract share changes once contracts stop holding after a shock begins.
    const double change = shocks[n].HoldStart() + net.market.contract_hold_months;
    if (net.market.rule == MarketRule::Market && net.market.contract_share_initial != net.market.contract_share_later &&
        change > 0 && change < horizon) {
      ws.bounds.push_back(change);
    }
  }
  std::sort(ws.bounds.begin(), ws.bounds.end());
  ws.bounds.erase(std::unique(ws.bounds.begin(), ws.bounds.end()), ws.bounds.end());

  Fill(ws.stock_left, K, 0.0);
  for (std::size_t k = 0; k < K; ++k) ws.stock_left[k] = mn.stock[k];
  const std::size_t I = mn.I(), J = mn.J();
  if (ws.links) {
    ws.links->ore.assign(mn.has_ore_stage ? I * J : 0, 0.0);
    ws.links->refined.assign(J * K, 0.0);
  }
  const ActiveShock* active[64];
  std::vector<const ActiveShock*> many;
  // The previous segment's active shocks and contract share: a segment with the same shocks reuses
  // its supply (steps 1-4), and with the same share too, all its rates (the same bits).
  ws.prev_active.clear();
  bool have_prev = false;
  double prev_contract = 0;
  for (std::size_t b = 0; b + 1 < ws.bounds.size(); ++b) {
    const double lo = ws.bounds[b], hi = ws.bounds[b + 1], years = (hi - lo) / kMonthsPerYear;
    const ActiveShock* const* act = active;
    std::size_t na = 0;
    if (count <= 64) {
      for (std::size_t n = 0; n < count; ++n) {
        if (shocks[n].start <= lo && shocks[n].end >= hi) active[na++] = &shocks[n];
      }
    } else {
      many.clear();
      for (std::size_t n = 0; n < count; ++n) {
        if (shocks[n].start <= lo && shocks[n].end >= hi) many.push_back(&shocks[n]);
      }
      act = many.data();
      na = many.size();
    }
    if (na == 0) {
      // No shock in this segment: the baseline, where every consumer gets its demand.
      for (std::size_t k = 0; k < K; ++k) {
        auto& o = out.by_consumer[k];
        for (int s = 0; s < kSectors; ++s) {
          double d = mn.demand[k] * mn.sector_share[k][s] * years;
          o[s].demand += d;
          o[s].delivered += d;
        }
      }
      if (ws.links) AddBaselineLinks(net, mn, years, *ws.links);
      if (ws.cut_totals) AddCutTotals(out, K, *ws.cut_totals);
      continue;
    }
    double contract = 1;
    if (net.market.rule == MarketRule::Market) {
      double first = hi;
      for (std::size_t n = 0; n < na; ++n) first = std::min(first, act[n]->HoldStart());
      contract = lo - first < net.market.contract_hold_months ? net.market.contract_share_initial
                                                              : net.market.contract_share_later;
    }
    const bool same_shocks = have_prev && std::equal(act, act + na, ws.prev_active.begin(), ws.prev_active.end());
    if (!same_shocks || contract != prev_contract) SegmentRates(net, mn, act, na, contract, ws, same_shocks);
    if (!same_shocks) ws.prev_active.assign(act, act + na);
    have_prev = true;
    prev_contract = contract;
    if (ws.links) {
      for (std::size_t x = 0; x < ws.links->ore.size(); ++x) ws.links->ore[x] += ws.seg_ore[x] * years;
    }
    for (std::size_t k = 0; k < K; ++k) {
      const auto& sd = ws.sector_demand[k];
      double dk = 0;
      for (int s = 0; s < kSectors; ++s) dk += sd[s];
      double x = std::min(ws.delivered[k], dk);
      double short_rate = dk - x;
      if (short_rate <= kRelativeZero * dk) {
        short_rate = 0;
        x = dk;
      }
      // Shortfall rate by sector before stock: pro rata to demand, or defence served first.
      std::array<double, kSectors> pre{};
      if (short_rate > 0) {
        if (opt.sector_rule == SectorRule::DefenceFirst) {
          const int def = static_cast<int>(Sector::Defence);
          double to_def = std::min(sd[def], x);
          double rest = x - to_def, other_demand = dk - sd[def];
          for (int s = 0; s < kSectors; ++s) {
            double del = s == def ? to_def : (other_demand > 0 ? rest * (sd[s] / other_demand) : 0.0);
            pre[s] = std::max(0.0, sd[s] - del);
          }
        } else {
          // A sector without demand has no shortfall (0 / dk times the rate): its division is skipped.
          for (int s = 0; s < kSectors; ++s) pre[s] = dk > 0 && sd[s] != 0 ? short_rate * (sd[s] / dk) : 0.0;
        }
      }
      if (ws.links) {
        // Links into k carry what it received (x, at most its demand), pro rata to the rates.
        const double scale = ws.delivered[k] > 0 ? x / ws.delivered[k] : 0.0;
        for (std::size_t j = 0; j < J; ++j) ws.links->refined[j * K + k] += ws.seg_fin[j * K + k] * scale * years;
      }
      double amount = short_rate * years;
      double draw = std::min(ws.stock_left[k], amount);
      ws.stock_left[k] -= draw;
      auto& o = out.by_consumer[k];
      for (int s = 0; s < kSectors; ++s) {
        double amt = pre[s] * years;
        // Without a draw the share is 0 (0 times a finite ratio): the division is skipped.
        double ds = amount > 0 && draw != 0 ? draw * (amt / amount) : 0.0;
        o[s].demand += sd[s] * years;
        o[s].delivered += (sd[s] - pre[s]) * years;
        o[s].stock_drawn += ds;
        o[s].shortfall += amt - ds;
      }
    }
    if (ws.cut_totals) AddCutTotals(out, K, *ws.cut_totals);
  }
  for (std::size_t k = 0; k < K; ++k) CloseConsumer(out.by_consumer[k]);
}

namespace {

// The sources behind a scenario's result: each touched mineral's baseline sources, then each
// shock's, once each; looked up in the simulator's inputs, then the dataset's manifest.
std::vector<SourceRef> ResultSources(const Network& net, const std::vector<std::string>& minerals,
                                     const Scenario& scenario) {
  std::vector<std::string> ids;
  auto add = [&](const std::string& id) {
    if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  };
  for (const auto& m : minerals) {
    for (const auto& s : net.Find(m)->sources) add(s);
  }
  for (const auto& s : scenario.shocks) add(s.source);
  std::vector<SourceRef> out;
  for (const auto& id : ids) {
    auto own = std::find_if(net.sources.begin(), net.sources.end(), [&](const SimSource& x) { return x.id == id; });
    if (own != net.sources.end()) {
      out.push_back({own->id, own->kind, own->citation, own->licence, own->rule});
    } else if (auto sid = net.dataset->source_ids.Find(id)) {
      const auto& src = net.dataset.SourceOf(*sid);
      out.push_back({src.id, src.kind == model::SourceKind::Assumption ? "assumption" : "published", src.citation,
                     src.licence, src.rule});
    }
  }
  return out;
}

}  // namespace

ScenarioResult Run(const Network& net, const Scenario& scenario, const EvalOptions& opt) {
  ScenarioResult res;
  res.scenario = scenario;
  res.year = net.year;
  res.market = net.market;
  CompiledShocks cs = CompileShocks(net, scenario.shocks);
  std::vector<int> touched;
  for (const auto& t : cs.templates) {
    if (std::find(touched.begin(), touched.end(), t.mineral) == touched.end()) touched.push_back(t.mineral);
  }
  // A component chain with a touched feed is touched too (its producers lack feed).
  for (std::size_t m = 0; m < net.minerals.size(); ++m) {
    if (std::find(touched.begin(), touched.end(), static_cast<int>(m)) != touched.end()) continue;
    for (const auto& f : net.minerals[m].feeds) {
      if (std::find(touched.begin(), touched.end(), f.mineral) != touched.end()) {
        touched.push_back(static_cast<int>(m));
        break;
      }
    }
  }
  std::sort(touched.begin(), touched.end());
  for (std::size_t i = 0; i < cs.templates.size(); ++i) {
    const auto& t = cs.templates[i];
    const Shock& s = scenario.shocks[cs.shock_of_template[i]];
    if ((t.kind == ShockKind::Outage || t.kind == ShockKind::ExportControl) && t.node < 0) {
      res.notes.push_back(fmt::format("{} {}: {} has no {} of {} in the baseline; the shock changes nothing",
                                      ShockKindName(s.kind), s.source, s.country, t.on_refiners ? "refining" : "mining",
                                      net.minerals[t.mineral].id));
    }
  }
  for (const auto& m : scenario.shocks) {
    for (const auto& id : m.minerals) {
      if (net.FindMineralIndex(id) < 0) {
        res.notes.push_back(fmt::format("{}: not simulated ({})", id, [&] {
          for (const auto& s : net.skipped) {
            if (s.rfind(id + ":", 0) == 0) return s.substr(id.size() + 2);
          }
          return std::string("no baseline");
        }()));
      }
    }
  }
  EvalScratch ws;
  MineralOutcome out;
  std::vector<ActiveShock> act;
  for (int m : touched) {
    DerivedTemplates keep;
    act = ActiveShocksOf(net, m, cs, scenario.shocks, scenario.horizon_months, opt, keep);
    EvaluateMineral(net, m, act.data(), act.size(), scenario.horizon_months, opt, ws, out);
    const MineralNetwork& mn = net.minerals[m];
    if (mn.component) AddComponentCauses(net, m, cs, scenario, opt, out, res);
    res.minerals.push_back(mn.id);
    for (const auto& b : mn.basis) res.notes.push_back(fmt::format("{}: {}", mn.id, b));
    for (std::size_t k = 0; k < net.K(); ++k) {
      for (int s = kSectors; s >= 0; --s) {
        ScenarioRow row;
        row.mineral = mn.id;
        row.unit = mn.unit;
        row.consumer = net.consumers[k].code;
        row.sector = s == kSectors ? "total" : SectorName(static_cast<Sector>(s));
        row.flows = out.by_consumer[k][s];
        row.stock_days = mn.stock_days[k];
        row.demand_known = mn.demand_known[k];
        row.baseline_source = mn.flow_basis.empty() ? std::string() : mn.flow_basis[k];
        if (row.demand_known && row.flows.demand > 0) row.shortfall_pct = 100 * row.flows.shortfall / row.flows.demand;
        res.rows.push_back(std::move(row));
      }
    }
  }
  res.sources = ResultSources(net, res.minerals, scenario);
  AddPriceResponse(net, res);
  return res;
}

}  // namespace lodestone::sim

namespace lodestone::sim {

FlowsResult RunFlows(const Network& net, const Scenario& scenario, std::string_view mineral, const EvalOptions& opt) {
  const int m = net.FindMineralIndex(mineral);
  if (m < 0) {
    std::vector<std::string> ids;
    for (const auto& x : net.minerals) ids.push_back(x.id);
    throw Error::NotFound(
        fmt::format("mineral '{}' is not simulated: expected one of {}", mineral, fmt::join(ids, ", ")));
  }
  const MineralNetwork& mn = net.minerals[m];
  const std::size_t I = mn.I(), J = mn.J(), K = net.K();
  CompiledShocks cs = CompileShocks(net, scenario.shocks);
  Scenario touching = scenario;  // only the shocks on this mineral (or its feed), for the sources
  touching.shocks.clear();
  for (std::size_t i = 0; i < cs.templates.size(); ++i) {
    if (cs.templates[i].mineral != m && !mn.Feeds(cs.templates[i].mineral)) continue;
    touching.shocks.push_back(scenario.shocks[cs.shock_of_template[i]]);
  }
  DerivedTemplates keep;
  std::vector<ActiveShock> act = ActiveShocksOf(net, m, cs, scenario.shocks, scenario.horizon_months, opt, keep);
  const double horizon = scenario.horizon_months;
  const double years = horizon / kMonthsPerYear;
  EvalScratch ws;
  LinkFlows after, before;
  MineralOutcome out, base_out;
  ws.links = &before;
  EvaluateMineral(net, m, nullptr, 0, horizon, opt, ws, base_out);
  ws.links = &after;
  EvaluateMineral(net, m, act.data(), act.size(), horizon, opt, ws, out);

  FlowsResult res;
  res.mineral = mn.id;
  res.unit = mn.unit;
  res.year = net.year;
  res.scenario_id = scenario.id;
  res.scenario_title = scenario.title;
  res.horizon_months = horizon;
  res.market = net.market;
  res.basis = fmt::format(
      "annual rates averaged over the scenario horizon ({} months): tonnes over the horizon divided by its length "
      "in years; mining -> refining links carry ore content, refining -> consumer links refined content",
      horizon);
  const auto& countries = net.dataset->countries;
  auto node = [&](const char* stage, int country, const std::string& code) {
    FlowNode n;
    n.stage = stage;
    n.code = code;
    n.id = fmt::format("{}:{}", stage, code);
    n.is_country = country != kRestOfWorld;
    n.name = n.is_country ? countries.at(static_cast<std::size_t>(country)).name : "Rest of the world";
    return n;
  };
  auto iso = [&](int country) {
    return country == kRestOfWorld ? std::string("ROW") : countries.at(static_cast<std::size_t>(country)).iso3;
  };
  // Nodes that carry a link before or after, in stage order; every consumer.
  auto used_miner = [&](std::size_t i) {
    for (std::size_t j = 0; j < J; ++j) {
      if (before.ore[i * J + j] > 0 || after.ore[i * J + j] > 0) return true;
    }
    return false;
  };
  auto used_refiner = [&](std::size_t j) {
    for (std::size_t k = 0; k < K; ++k) {
      if (before.refined[j * K + k] > 0 || after.refined[j * K + k] > 0) return true;
    }
    for (std::size_t i = 0; i < before.ore.size() / std::max<std::size_t>(J, 1); ++i) {
      if (before.ore[i * J + j] > 0 || after.ore[i * J + j] > 0) return true;
    }
    return false;
  };
  if (mn.has_ore_stage) {
    for (std::size_t i = 0; i < I; ++i) {
      if (used_miner(i)) res.nodes.push_back(node("mining", mn.miners[i], iso(mn.miners[i])));
    }
  }
  for (std::size_t j = 0; j < J; ++j) {
    if (used_refiner(j)) res.nodes.push_back(node("refining", mn.refiners[j], iso(mn.refiners[j])));
  }
  for (std::size_t k = 0; k < K; ++k) {
    const Consumer& c = net.consumers[k];
    FlowNode n = node("consumer", IsBlocCountry(c.country) ? kRestOfWorld : c.country, c.code);
    if (IsBlocCountry(c.country)) n.name = c.name;  // a bloc: one buyer, not a single country
    n.flow_basis = mn.flow_basis.empty() ? std::string() : mn.flow_basis[k];
    if (mn.demand_known[k]) {
      double into_before = 0, into_after = 0;
      for (std::size_t j = 0; j < J; ++j) {
        into_before += before.refined[j * K + k];
        into_after += after.refined[j * K + k];
      }
      const Flows& f = out.by_consumer[k][kSectors];
      n.demand_t = base_out.by_consumer[k][kSectors].demand / years;
      n.demand_after_t = f.demand / years;
      n.delivered_before_t = into_before / years;
      n.delivered_after_t = into_after / years;
      n.stock_drawn_t = f.stock_drawn / years;
      n.shortfall_t = f.shortfall / years;
    }
    res.nodes.push_back(std::move(n));
  }
  auto links = [&](const LinkFlows& l, std::vector<FlowLink>& to) {
    for (std::size_t i = 0; i < I && !l.ore.empty(); ++i) {
      for (std::size_t j = 0; j < J; ++j) {
        const double t = l.ore[i * J + j] / years;
        if (t > 0 && std::isfinite(t)) {
          to.push_back(
              {fmt::format("mining:{}", iso(mn.miners[i])), fmt::format("refining:{}", iso(mn.refiners[j])), t});
        }
      }
    }
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t k = 0; k < K; ++k) {
        const double t = l.refined[j * K + k] / years;
        if (t > 0 && std::isfinite(t)) {
          to.push_back(
              {fmt::format("refining:{}", iso(mn.refiners[j])), fmt::format("consumer:{}", net.consumers[k].code), t});
        }
      }
    }
  };
  links(before, res.before);
  links(after, res.after);

  for (const auto& b : mn.basis) res.notes.push_back(fmt::format("{}: {}", mn.id, b));
  if (touching.shocks.empty()) {
    res.notes.push_back(fmt::format("the scenario does not touch {}: the flows after are the baseline's", mn.id));
  }
  res.notes.push_back(
      "after: ore shipped and refined deliveries as the simulator delivers them, including reallocated and spot "
      "tonnes; stock draws are not links (each consumer's stock_drawn_t), and a consumer's links after plus its "
      "stock drawn plus its shortfall make its demand under the scenario");
  if (mn.has_ore_stage) {
    res.notes.push_back(fmt::format(
        "ore links are in ore content; refined output is {:.4g} t per t of ore content (world refined / mined)",
        mn.yield));
  }
  for (std::size_t k = 0; k < K; ++k) {
    if (!mn.demand_known[k]) {
      res.notes.push_back(
          fmt::format("{}: demand not known, counted in the rest of the world (ROW)", net.consumers[k].code));
    }
  }
  std::vector<std::string> ids{mn.id};
  res.sources = ResultSources(net, ids, touching);
  return res;
}

}  // namespace lodestone::sim
