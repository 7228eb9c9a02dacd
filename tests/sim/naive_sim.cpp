// See naive_sim.hpp.
#include "naive_sim.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <utility>

namespace lodestone::sim::naive {

namespace {

std::string Code(const Network& net, int country) {
  if (country < 0) return "ROW";
  return net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(country)}).iso3;
}

std::set<std::string> Members(const Network& net, const std::vector<std::string>& codes) {
  std::set<std::string> out;
  for (const auto& c : codes) {
    bool group = false;
    const auto& g = net.dataset->groups;
    for (std::size_t r = 0; r < g.size(); ++r) {
      if (net.dataset->group_ids.Name(g.group[r]) == c) {
        out.insert(net.dataset.Country(g.country[r]).iso3);
        group = true;
      }
    }
    if (!group) out.insert(c);
  }
  return out;
}

bool Targeted(const Network& net, const Shock& s, const std::string& to) {
  if (to == s.country) return false;
  auto members = Members(net, s.targets.codes);
  // A bloc buyer (EUU) is named by its code or through any of its member states; a control by a
  // member on its own bloc does not bind.
  for (const auto& c : net.consumers) {
    if (c.code != to || !IsBlocCountry(c.country)) continue;
    for (int m : c.members) {
      if (Code(net, m) == s.country) return false;
      if (members.count(Code(net, m))) members.insert(to);
    }
  }
  if (s.targets.kind == Targets::Kind::All) return true;
  if (s.targets.kind == Targets::Kind::AllBut) return to == "ROW" || !members.count(to);
  return to != "ROW" && members.count(to) > 0;
}

bool Touches(const Shock& s, const std::string& mineral) {
  if (s.kind == ShockKind::Chokepoint && s.minerals.empty()) return true;
  return std::find(s.minerals.begin(), s.minerals.end(), mineral) != s.minerals.end();
}

// Share of the from -> to flow through chokepoint `cp` (by the routes baked into the network).
double Route(const std::vector<std::vector<float>>& routes, int cp, std::size_t idx) {
  if (routes[cp].empty()) return 0.0;
  return routes[cp][idx];
}

// Pro-rata water-filling, as the rules describe it, written with maps.
void Fill(double avail, std::map<int, double>& need, const std::map<int, double>& eff, std::map<int, double>& got) {
  while (avail > 0) {
    double sum = 0;
    for (auto& [r, n] : need) sum += n;
    if (sum <= 0) return;
    std::vector<int> full;
    for (auto& [r, n] : need) {
      if (n > 0 && avail * (n / sum) * eff.at(r) >= n) full.push_back(r);
    }
    if (!full.empty()) {
      for (int r : full) {
        got[r] += need[r];
        avail -= need[r] / eff.at(r);
        need[r] = 0;
      }
      continue;
    }
    for (auto& [r, n] : need) {
      if (n <= 0) continue;
      double g = avail * (n / sum) * eff.at(r);
      got[r] += g;
      n -= g;
    }
    return;
  }
}

// Max-min fill on the fraction of demand met, by bisection on the level t: each consumer of
// `who` receives max(0, t d - x) (at most d - x) at a cost of that over its route factor.
// Returns what is left.
double LevelFillNaive(double avail, const std::vector<int>& who, const std::vector<double>& d,
                      const std::vector<double>& e, std::vector<double>& x) {
  if (avail <= 0 || who.empty()) return std::max(avail, 0.0);
  auto cost = [&](double t) {
    double c = 0;
    for (int k : who) c += std::max(0.0, std::min(d[k], t * d[k]) - x[k]) / e[k];
    return c;
  };
  if (cost(1.0) <= avail) {
    double used = cost(1.0);
    for (int k : who) x[k] = std::max(x[k], d[k]);
    return avail - used;
  }
  double lo = 0, hi = 1;
  for (int it = 0; it < 200; ++it) {
    double mid = 0.5 * (lo + hi);
    (cost(mid) <= avail ? lo : hi) = mid;
  }
  for (int k : who) x[k] = std::max(x[k], lo * d[k]);
  return 0.0;
}

}  // namespace

NaiveResult Evaluate(const Network& net, const std::vector<Shock>& shocks, double horizon, bool defence_first) {
  NaiveResult res;
  const std::size_t K = net.K();
  const bool market = net.market.rule == MarketRule::Market;
  const double leak = market ? net.market.leakage : 0.0;
  // Per mineral, per segment of its run: the share of each consumer's demand met (delivered or
  // drawn from stock), for the component chains it feeds.
  struct MetSegment {
    double lo = 0, hi = 0;
    std::vector<double> demand, delivered, drawn, short_before_stock;  // per consumer, over the segment
  };
  std::map<std::string, std::vector<MetSegment>> met_of;
  std::vector<std::unique_ptr<Shock>> derived;
  // A derived outage's contract hold runs from the start of its producer's run of losses.
  std::map<const Shock*, double> hold_from;
  auto hold_start = [&](const Shock* s) {
    auto it = hold_from.find(s);
    return it == hold_from.end() ? s->start_month : it->second;
  };
  for (const MineralNetwork& mn : net.minerals) {
    const std::size_t I = mn.I(), J = mn.J();
    std::vector<const Shock*> mine;
    for (const auto& s : shocks) {
      if (Touches(s, mn.id)) mine.push_back(&s);
    }
    // A component chain: each producer loses, in each period between its feeds' cuts, the largest
    // share of a feed consumer's demand not met over the period, as an outage of that period. A
    // feed's demand met by time t: its whole segments before t, and the segment holding t in
    // proportion to time, but for the stock, drawn at the rate of the shortfall until used up.
    if (mn.component && !mn.feeds.empty()) {
      std::set<double> cuts;
      for (const auto& f : mn.feeds) {
        for (const auto& seg : met_of[net.minerals[f.mineral].id]) {
          cuts.insert(seg.lo);
          cuts.insert(seg.hi);
        }
      }
      auto met_by = [&](const std::vector<MetSegment>& segs, std::size_t k, double t) {
        double demand = 0, met = 0;
        for (const auto& seg : segs) {
          if (seg.lo >= t) break;
          const double part = std::min(1.0, (t - seg.lo) / (seg.hi - seg.lo));
          demand += seg.demand[k] * part;
          met += seg.delivered[k] * part + std::min(seg.drawn[k], seg.short_before_stock[k] * part);
        }
        return std::pair<double, double>(demand, met);
      };
      const std::vector<double> c(cuts.begin(), cuts.end());
      std::vector<double> since(J, -1.0);  // per producer: start of its current run of losses
      for (std::size_t p = 0; p + 1 < c.size(); ++p) {
        for (std::size_t j = 0; j < J; ++j) {
          double lost = 0;
          for (const auto& f : mn.feeds) {
            const auto& segs = met_of[net.minerals[f.mineral].id];
            const auto [d0, m0] = met_by(segs, f.consumer[j], c[p]);
            const auto [d1, m1] = met_by(segs, f.consumer[j], c[p + 1]);
            if (d1 - d0 > 0) lost = std::max(lost, std::clamp(1.0 - (m1 - m0) / (d1 - d0), 0.0, 1.0));
          }
          if (lost <= 1e-12) {
            since[j] = -1;
            continue;
          }
          if (since[j] < 0) since[j] = c[p];
          auto d = std::make_unique<Shock>();
          d->kind = ShockKind::Outage;
          d->minerals = {mn.id};
          d->country = Code(net, mn.refiners[j]);
          d->stage = SimStage::Component;
          d->fraction = lost;
          d->start_month = c[p];
          d->months = c[p + 1] - c[p];
          hold_from[d.get()] = since[j];
          mine.push_back(d.get());
          derived.push_back(std::move(d));
        }
      }
    }
    std::set<double> bounds = {0.0, horizon};
    for (const Shock* s : mine) {
      for (double x : {s->start_month, s->start_month + s->months}) {
        if (x > 0 && x < horizon) bounds.insert(x);
      }
      const double change = hold_start(s) + net.market.contract_hold_months;
      if (market && net.market.contract_share_initial != net.market.contract_share_later && change > 0 &&
          change < horizon) {
        bounds.insert(change);
      }
    }
    std::vector<double> b(bounds.begin(), bounds.end());
    std::vector<double> stock = mn.stock;
    std::vector<std::array<NaiveFlows, kSectors>> acc(K);
    for (std::size_t seg = 0; seg + 1 < b.size(); ++seg) {
      double lo = b[seg], hi = b[seg + 1], years = (hi - lo) / 12.0;
      std::vector<const Shock*> on;
      for (const Shock* s : mine) {
        if (s->start_month <= lo && s->start_month + s->months >= hi) on.push_back(s);
      }
      std::vector<std::array<double, kSectors>> sd(K);
      for (std::size_t k = 0; k < K; ++k) {
        for (int s = 0; s < kSectors; ++s) sd[k][s] = mn.demand[k] * mn.sector_share[k][s];
      }
      std::vector<double> mine_keep(I, 1.0), ref_keep(J, 1.0);
      std::vector<double> ore_ctrl(I * J, 1.0), ore_route(I * J, 1.0), fin_ctrl(J * K, 1.0), fin_route(J * K, 1.0);
      std::vector<bool> ore_t(I * J, false), fin_t(J * K, false);
      for (const Shock* s : on) {
        bool on_ref = s->stage == SimStage::Refining || !mn.has_ore_stage;
        if (s->kind == ShockKind::Outage) {
          if (on_ref) {
            for (std::size_t j = 0; j < J; ++j) {
              if (Code(net, mn.refiners[j]) == s->country) ref_keep[j] *= 1 - s->fraction;
            }
          } else {
            for (std::size_t i = 0; i < I; ++i) {
              if (Code(net, mn.miners[i]) == s->country) mine_keep[i] *= 1 - s->fraction;
            }
          }
        } else if (s->kind == ShockKind::ExportControl && s->fraction > 0) {
          if (on_ref) {
            for (std::size_t j = 0; j < J; ++j) {
              if (Code(net, mn.refiners[j]) != s->country) continue;
              for (std::size_t k = 0; k < K; ++k) {
                std::string to = net.consumers[k].code;
                if (Targeted(net, *s, to)) {
                  fin_ctrl[j * K + k] *= 1 - s->fraction * (1 - leak);
                  fin_t[j * K + k] = true;
                }
              }
            }
          } else {
            for (std::size_t i = 0; i < I; ++i) {
              if (Code(net, mn.miners[i]) != s->country) continue;
              for (std::size_t j = 0; j < J; ++j) {
                if (Targeted(net, *s, Code(net, mn.refiners[j]))) {
                  ore_ctrl[i * J + j] *= 1 - s->fraction * (1 - leak);
                  ore_t[i * J + j] = true;
                }
              }
            }
          }
        } else if (s->kind == ShockKind::Chokepoint && s->fraction > 0) {
          int cp = net.FindChokepoint(s->chokepoint);
          double rr = s->reroutable >= 0 ? s->reroutable : net.chokepoints[cp].reroutable;
          double loss = s->fraction * (1 - rr);
          if (mn.has_ore_stage) {
            for (std::size_t x = 0; x < I * J; ++x) ore_route[x] *= 1 - Route(mn.ore_route, cp, x) * loss;
          }
          for (std::size_t x = 0; x < J * K; ++x) fin_route[x] *= 1 - Route(mn.refined_route, cp, x) * loss;
        } else if (s->kind == ShockKind::Demand) {
          for (std::size_t k = 0; k < K; ++k) {
            if (s->consumer != "*" && s->consumer != net.consumers[k].code) continue;
            for (int q = 0; q < kSectors; ++q) {
              if (s->sector == "*" || s->sector == SectorName(static_cast<Sector>(q))) sd[k][q] *= s->factor;
            }
          }
        }
      }
      std::vector<double> R(J), baseR(J), cap(J);
      if (mn.has_ore_stage) {
        std::vector<double> feed(J, 0.0), blocked(I, 0.0);
        for (std::size_t i = 0; i < I; ++i) {
          for (std::size_t j = 0; j < J; ++j) {
            double base = mn.ore_flow[i * J + j] * mine_keep[i];
            double f = base * ore_ctrl[i * J + j] * ore_route[i * J + j];
            feed[j] += f;
            blocked[i] += base - f;
          }
        }
        for (std::size_t j = 0; j < J; ++j) {
          cap[j] = mn.refinery_capacity[j] * ref_keep[j];
          R[j] = std::min(mn.yield * feed[j], cap[j]);
          baseR[j] = R[j];
        }
        for (std::size_t i = 0; i < I; ++i) {
          double avail = blocked[i];
          if (avail <= 0) continue;
          int home = mn.miner_home_refiner[i];
          if (home >= 0) {
            double take = std::min(avail, std::max(0.0, cap[home] - R[home]) / mn.yield);
            R[home] += take * mn.yield;
            avail -= take;
          }
          if (avail <= 0) continue;
          std::map<int, double> need, eff, got;
          for (std::size_t j = 0; j < J; ++j) {
            bool ok = static_cast<int>(j) != home && !ore_t[i * J + j] && ore_route[i * J + j] > 0;
            need[static_cast<int>(j)] = ok ? std::max(0.0, cap[j] - R[j]) / mn.yield : 0.0;
            eff[static_cast<int>(j)] = ore_route[i * J + j];
          }
          Fill(avail, need, eff, got);
          for (auto& [j, g] : got) R[j] += g * mn.yield;
        }
      } else {
        for (std::size_t j = 0; j < J; ++j) R[j] = baseR[j] = mn.refined_output[j] * ref_keep[j];
      }
      // Contract share of this segment (market rule): by months since the earliest active shock.
      double contract = 1;
      if (market && !on.empty()) {
        double first = hi;
        for (const Shock* s : on) first = std::min(first, hold_start(s));
        contract = lo - first < net.market.contract_hold_months ? net.market.contract_share_initial
                                                                : net.market.contract_share_later;
      }
      const bool clearing = market && contract < 1;
      std::vector<double> X(K, 0.0), freeq(J, 0.0), g(J * K, 0.0), spot(J, 0.0);
      for (std::size_t j = 0; j < J; ++j) {
        double s = mn.refined_output[j] > 0 ? baseR[j] / mn.refined_output[j] : 0.0;
        freeq[j] = R[j] - baseR[j];
        if (!mn.extra_refined.empty()) freeq[j] += mn.extra_refined[j] * ref_keep[j];
        for (std::size_t k = 0; k < K; ++k) {
          double base = mn.refined_flow[j * K + k] * s;
          double kept = base * fin_ctrl[j * K + k] * fin_route[j * K + k];
          freeq[j] += base - kept;
          if (clearing && !fin_t[j * K + k]) {
            spot[j] += (1 - contract) * kept;
            kept *= contract;
          }
          g[j * K + k] = kept;
          X[k] += kept;
        }
      }
      auto total = [&](std::size_t k) {
        double d = 0;
        for (int q = 0; q < kSectors; ++q) d += sd[k][q];
        return d;
      };
      for (std::size_t k = 0; k < K; ++k) {
        if (X[k] > total(k)) {
          double ex = X[k] - total(k);
          for (std::size_t j = 0; j < J; ++j) freeq[j] += ex * (g[j * K + k] / X[k]);
          X[k] = total(k);
        }
      }
      // Offtake: new supply promised to a buyer reaches it first (not across a control), up to its need.
      if (!mn.extra_offtake.empty()) {
        for (std::size_t j = 0; j < J; ++j) {
          for (std::size_t k = 0; k < K; ++k) {
            double promised = mn.extra_offtake[j * K + k] * ref_keep[j];
            double route = fin_route[j * K + k];
            if (promised <= 0 || fin_t[j * K + k] || route <= 0) continue;
            double room = std::max(0.0, total(k) - X[k]);
            double sent = std::min(promised, room / route);
            X[k] += sent * route;
            freeq[j] -= sent;
          }
        }
      }
      for (std::size_t j = 0; j < J; ++j) {
        double avail = freeq[j];
        if (avail <= 0) continue;
        int home = mn.refiner_home_consumer[j];
        if (home >= 0) {
          double take = std::min(avail, std::max(0.0, total(home) - X[home]));
          X[home] += take;
          avail -= take;
        }
        if (avail <= 0) continue;
        std::map<int, double> need, eff, got;
        for (std::size_t k = 0; k < K; ++k) {
          bool ok = static_cast<int>(k) != home && !fin_t[j * K + k] && fin_route[j * K + k] > 0;
          need[static_cast<int>(k)] = ok ? std::max(0.0, total(k) - X[k]) : 0.0;
          eff[static_cast<int>(k)] = fin_route[j * K + k];
        }
        double before = avail;
        double sent = 0;
        Fill(avail, need, eff, got);
        for (auto& [k, v] : got) {
          X[k] += v;
          sent += v / eff.at(k);
        }
        if (clearing) spot[j] += std::max(0.0, before - sent);
      }
      if (clearing) {
        std::vector<double> dem(K), e1(K, 1.0);
        for (std::size_t k = 0; k < K; ++k) dem[k] = total(k);
        double pool = 0;
        for (std::size_t j = 0; j < J; ++j) {
          if (spot[j] <= 0) continue;
          bool restricted = false;
          for (std::size_t k = 0; k < K; ++k) restricted = restricted || fin_t[j * K + k] || fin_route[j * K + k] < 1;
          if (!restricted) {
            pool += spot[j];
            continue;
          }
          std::vector<int> who;
          std::vector<double> e(K);
          for (std::size_t k = 0; k < K; ++k) {
            e[k] = fin_route[j * K + k];
            if (dem[k] > 0 && !fin_t[j * K + k] && e[k] > 0) who.push_back(static_cast<int>(k));
          }
          LevelFillNaive(spot[j], who, dem, e, X);
        }
        std::vector<int> all;
        for (std::size_t k = 0; k < K; ++k) {
          if (dem[k] > 0) all.push_back(static_cast<int>(k));
        }
        LevelFillNaive(pool, all, dem, e1, X);
      }
      MetSegment ms{lo,
                    hi,
                    std::vector<double>(K, 0.0),
                    std::vector<double>(K, 0.0),
                    std::vector<double>(K, 0.0),
                    std::vector<double>(K, 0.0)};
      for (std::size_t k = 0; k < K; ++k) {
        double dk = total(k), x = std::min(X[k], dk), sh = dk - x;
        if (sh <= 1e-12 * dk) {
          sh = 0;
          x = dk;
        }
        std::array<double, kSectors> pre{};
        if (sh > 0) {
          if (defence_first) {
            const int def = static_cast<int>(Sector::Defence);
            double to_def = std::min(sd[k][def], x), rest = x - to_def, other = dk - sd[k][def];
            for (int q = 0; q < kSectors; ++q) {
              double del = q == def ? to_def : (other > 0 ? rest * (sd[k][q] / other) : 0.0);
              pre[q] = std::max(0.0, sd[k][q] - del);
            }
          } else {
            for (int q = 0; q < kSectors; ++q) pre[q] = dk > 0 ? sh * (sd[k][q] / dk) : 0.0;
          }
        }
        double amount = sh * years, draw = std::min(stock[k], amount);
        stock[k] -= draw;
        ms.demand[k] = dk * years;
        ms.delivered[k] = x * years;
        ms.drawn[k] = draw;
        ms.short_before_stock[k] = amount;
        for (int q = 0; q < kSectors; ++q) {
          double amt = pre[q] * years, d = amount > 0 ? draw * (amt / amount) : 0.0;
          acc[k][q].demand += sd[k][q] * years;
          acc[k][q].delivered += (sd[k][q] - pre[q]) * years;
          acc[k][q].stock += d;
          acc[k][q].shortfall += amt - d;
        }
      }
      met_of[mn.id].push_back(std::move(ms));
    }
    for (std::size_t k = 0; k < K; ++k) {
      NaiveFlows t;
      for (int q = 0; q < kSectors; ++q) {
        res[mn.id][net.consumers[k].code][SectorName(static_cast<Sector>(q))] = acc[k][q];
        t.demand += acc[k][q].demand;
        t.delivered += acc[k][q].delivered;
        t.stock += acc[k][q].stock;
        t.shortfall += acc[k][q].shortfall;
      }
      res[mn.id][net.consumers[k].code]["total"] = t;
    }
  }
  return res;
}

}  // namespace lodestone::sim::naive
