// Scalable portfolio method for hundreds to thousands of candidates and thousands of scenarios:
// lazy greedy on marginal weighted relief per unit of public money, then local search (best
// 1-swap, drop-one-and-refill, add) until nothing improves. Two starts (relief per public dollar,
// and relief alone) are searched and the better portfolio kept.
//
// The objective is a sum over (scenario, mineral) cells of a concave function of the relief added
// to the cell, so a project's marginal gain only falls as others join (submodularity): a gain
// computed earlier, or the project's gain on its own, is an upper bound, which is what lets the
// greedy recompute only the projects that reach the top of its queue. The state is the relief
// per cell in one dense array; adding or removing a project touches only its sparse relief list.
// Every choice is deterministic: ties go to the lower index, i.e. the lower candidate id.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <set>
#include <vector>

#include "portfolio_model.hpp"

namespace lodestone::invest::detail {

namespace {

constexpr double kCostFloor = 1e-9;
// Lagrangian prices of private slack tried as extra starts, relative to gain per unit of slack.
constexpr double kPrivatePriceFactors[] = {0.3, 1.0,
                                           3.0};  // share of a tranche budget; projects with no public need go first

struct Entry {
  double key;
  std::size_t index;
};
// Max-heap order: larger key first, then lower index.
struct EntryLess {
  bool operator()(const Entry& a, const Entry& b) const {
    if (a.key != b.key) return a.key < b.key;
    return a.index > b.index;
  }
};

class Search {
 public:
  Search(const Model& m, std::vector<double> cost, double private_price)
      : m_(m),
        relief_(m.scenarios * m.minerals, 0.0),
        in_(m.items.size(), 0),
        banned_(m.items.size(), 0),
        usage_(m),
        cost_(std::move(cost)) {
    bonus_.resize(m.items.size());
    for (std::size_t i = 0; i < m.items.size(); ++i) bonus_[i] = private_price * m.items[i].private_slack;
    objective_ = m.objective_before;
    tol_ = 1e-12 * std::max(1.0, m.objective_before);
    by_standalone_.resize(m.items.size());
    std::iota(by_standalone_.begin(), by_standalone_.end(), 0);
    std::stable_sort(by_standalone_.begin(), by_standalone_.end(), [&](std::size_t a, std::size_t b) {
      return m.items[a].standalone_gain > m.items[b].standalone_gain;
    });
  }

  double objective() const { return objective_; }
  std::vector<std::size_t> Chosen() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < in_.size(); ++i) {
      if (in_[i]) out.push_back(i);
    }
    return out;
  }

  // Reduction of the objective if item i joined.
  double Gain(std::size_t i) const {
    const Item& it = m_.items[i];
    double g = 0;
    for (std::size_t e = 0; e < it.cells.size(); ++e) {
      const double residual = m_.baseline[it.cells[e]] - relief_[it.cells[e]];
      if (residual > 0) g += std::min(it.relief[e], residual);
    }
    return g * it.coef;
  }

  void Add(std::size_t i) {
    const Item& it = m_.items[i];
    double d = 0;
    for (std::size_t e = 0; e < it.cells.size(); ++e) {
      const std::uint32_t c = it.cells[e];
      const double b = m_.baseline[c];
      const double before = std::min(b, relief_[c]);
      relief_[c] += it.relief[e];
      d += std::min(b, relief_[c]) - before;
    }
    objective_ -= d * it.coef;
    usage_.Add(it);
    in_[i] = 1;
  }

  void Remove(std::size_t i) {
    const Item& it = m_.items[i];
    double d = 0;
    for (std::size_t e = 0; e < it.cells.size(); ++e) {
      const std::uint32_t c = it.cells[e];
      const double b = m_.baseline[c];
      const double before = std::min(b, relief_[c]);
      relief_[c] -= it.relief[e];
      d += before - std::min(b, relief_[c]);
    }
    objective_ += d * it.coef;
    usage_.Remove(it);
    in_[i] = 0;
  }

  // Lazy greedy from the current state: adds the best feasible project by key until none gains.
  // Returns the projects added.
  std::vector<std::size_t> Fill() {
    std::vector<std::size_t> added;
    std::priority_queue<Entry, std::vector<Entry>, EntryLess> queue;
    for (std::size_t i = 0; i < m_.items.size(); ++i) {
      if (in_[i] || banned_[i]) continue;
      queue.push({(m_.items[i].standalone_gain + bonus_[i]) / cost_[i], i});
    }
    // Projects refused only for the minimum private share may fit once a project with a high
    // private share joins; they wait here.
    std::vector<Entry> deferred;
    while (!queue.empty()) {
      const Entry top = queue.top();
      queue.pop();
      const std::size_t i = top.index;
      const Item& it = m_.items[i];
      // Budgets and country caps only tighten as projects join: a project that does not fit now
      // never will in this fill.
      if (!FitsMoney(it)) continue;
      const double g = Gain(i);
      if (g <= tol_ || g + bonus_[i] <= tol_) continue;
      const Entry fresh{(g + bonus_[i]) / cost_[i], i};
      if (!queue.empty() && EntryLess{}(fresh, queue.top())) {
        queue.push(fresh);
        continue;
      }
      if (usage_.private_slack + it.private_slack < -kMoneyTol) {
        deferred.push_back(fresh);
        continue;
      }
      Add(i);
      added.push_back(i);
      if (it.private_slack > 0) {
        for (const Entry& d : deferred) queue.push(d);
        deferred.clear();
      }
    }
    return added;
  }

  // Best single exchange for each chosen project in turn; true if any improved the objective.
  bool SwapPass() {
    bool improved = false;
    for (std::size_t i : Chosen()) {
      if (!in_[i]) continue;
      const double before = objective_;
      Remove(i);
      const double loss = objective_ - before;
      double best_gain = loss + tol_;
      std::size_t best = kNone;
      for (std::size_t j : by_standalone_) {
        if (m_.items[j].standalone_gain <= best_gain) break;
        if (in_[j] || j == i || banned_[j]) continue;
        if (!FeasibleAfter(m_, usage_, &m_.items[j], nullptr)) continue;
        const double g = Gain(j);
        if (g > best_gain) {
          best_gain = g;
          best = j;
        }
      }
      if (best != kNone) {
        Add(best);
        improved = true;
      } else {
        Add(i);
      }
    }
    return improved;
  }

  // Drop one chosen project and refill greedily without it; keep the change if it improves.
  bool DropRefillPass() {
    bool improved = false;
    for (std::size_t i : Chosen()) {
      if (!in_[i]) continue;
      const double before = objective_;
      Remove(i);
      banned_[i] = 1;
      const std::vector<std::size_t> added = Fill();
      banned_[i] = 0;
      if (objective_ < before - tol_ && Feasible(m_, usage_)) {
        improved = true;
        continue;
      }
      for (std::size_t j : added) Remove(j);
      Add(i);
    }
    return improved;
  }

  // Ejection move: force one unchosen project in (largest standalone gain first, up to `limit`),
  // make room by dropping the projects that lose least relief per unit of money freed, restore
  // the private share by adding the project with the most private slack that fits (or dropping
  // the consumer that loses least relief per unit of slack), then refill. Kept if it improves.
  // It lets a large project, or a pair "project below the share + private-heavy partner", enter
  // where single exchanges cannot.
  bool InsertPass(std::size_t limit) {
    bool improved = false;
    std::size_t tried = 0;
    for (std::size_t j : by_standalone_) {
      if (tried >= limit) break;
      if (in_[j]) continue;
      ++tried;
      const std::vector<std::size_t> saved = Chosen();
      const double before = objective_;
      Add(j);
      banned_[j] = 1;  // not dropped by the repair
      bool ok = RepairMoney(m_.items[j]) && RepairPrivate();
      banned_[j] = 0;
      if (ok) Fill();
      if (ok && objective_ < before - tol_ && Feasible(m_, usage_)) {
        improved = true;
        continue;
      }
      Restore(saved);
    }
    return improved;
  }

 private:
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

  // Relief lost if chosen item k left.
  double Loss(std::size_t k) const {
    const Item& it = m_.items[k];
    double d = 0;
    for (std::size_t e = 0; e < it.cells.size(); ++e) {
      const double b = m_.baseline[it.cells[e]];
      const double r = relief_[it.cells[e]];
      d += std::min(b, r) - std::min(b, r - it.relief[e]);
    }
    return d * it.coef;
  }

  bool MoneyFeasible(const Item& it) const {
    return TrancheFeasible(m_, usage_, it.tranche) &&
           (!m_.country_cap || usage_.country_need[it.country] <= *m_.country_cap + kMoneyTol);
  }

  // Drops projects sharing j's tranche or country until j's tranche and country fit.
  bool RepairMoney(const Item& j) {
    while (!MoneyFeasible(j)) {
      const bool country_over = m_.country_cap && usage_.country_need[j.country] > *m_.country_cap + kMoneyTol;
      std::size_t pick = kNone;
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < in_.size(); ++k) {
        if (!in_[k] || banned_[k]) continue;
        const Item& it = m_.items[k];
        const bool helps = country_over ? it.country == j.country : it.tranche == j.tranche;
        if (!helps || it.need <= 0) continue;
        const double ratio = Loss(k) / it.need;
        if (ratio < best) {
          best = ratio;
          pick = k;
        }
      }
      if (pick == kNone) return false;
      Remove(pick);
    }
    return true;
  }

  bool RepairPrivate() {
    while (usage_.private_slack < -kMoneyTol) {
      std::size_t supplier = kNone;
      for (std::size_t s : by_standalone_) {
        const Item& it = m_.items[s];
        if (in_[s] || banned_[s] || it.private_slack <= 0 || !FitsMoney(it)) continue;
        if (supplier == kNone || it.private_slack > m_.items[supplier].private_slack) supplier = s;
      }
      if (supplier != kNone) {
        Add(supplier);
        continue;
      }
      std::size_t pick = kNone;
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < in_.size(); ++k) {
        if (!in_[k] || banned_[k] || m_.items[k].private_slack >= 0) continue;
        const double ratio = Loss(k) / -m_.items[k].private_slack;
        if (ratio < best) {
          best = ratio;
          pick = k;
        }
      }
      if (pick == kNone) return false;
      Remove(pick);
    }
    return true;
  }

  void Restore(const std::vector<std::size_t>& saved) {
    std::vector<char> keep(in_.size(), 0);
    for (std::size_t k : saved) keep[k] = 1;
    for (std::size_t k = 0; k < in_.size(); ++k) {
      if (in_[k] && !keep[k]) Remove(k);
    }
    for (std::size_t k : saved) {
      if (!in_[k]) Add(k);
    }
  }

  bool FitsMoney(const Item& it) {
    usage_.Add(it);
    const bool ok = TrancheFeasible(m_, usage_, it.tranche) &&
                    (!m_.country_cap || usage_.country_need[it.country] <= *m_.country_cap + kMoneyTol);
    usage_.Remove(it);
    return ok;
  }

  const Model& m_;
  std::vector<double> relief_;
  std::vector<char> in_;
  std::vector<char> banned_;
  Usage usage_;
  std::vector<double> cost_;
  std::vector<double> bonus_;  // private-share price x the project's private slack
  double objective_ = 0;
  double tol_ = 0;
  std::vector<std::size_t> by_standalone_;
};

}  // namespace

// Costs of one project for the greedy's key (gain / cost), one vector per start. Each resource's
// use is a fraction of what is available: the tranche's public budget, the US and Japan floors of
// a fixed or limited split, the country cap, and the private-share slack that projects below the
// minimum share consume and projects above it supply.
std::vector<std::vector<double>> Costs(const Model& m) {
  const std::size_t n = m.items.size();
  double private_supply = 0;
  for (const Item& it : m.items) private_supply += std::max(0.0, it.private_slack);
  auto fraction = [](double use, double available) {
    if (use <= 0) return 0.0;
    return available > 0 ? use / available : 1.0;
  };
  std::vector<double> budget(n), sum(n), bottleneck(n), gain_only(n, 1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const Item& it = m.items[i];
    const int t = it.tranche;
    const double f[] = {
        fraction(it.need, m.us_budget[t] + m.jp_budget[t]), fraction(it.us_lo, m.us_budget[t]),
        fraction(it.need - it.us_hi, m.jp_budget[t]),       m.country_cap ? fraction(it.need, *m.country_cap) : 0.0,
        fraction(-it.private_slack, private_supply),
    };
    budget[i] = std::max(f[0], kCostFloor);
    sum[i] = std::max(f[0] + f[1] + f[2] + f[3] + f[4], kCostFloor);
    bottleneck[i] = std::max(*std::max_element(std::begin(f), std::end(f)), kCostFloor);
  }
  return {budget, sum, bottleneck, gain_only};
}

namespace {

void LocalSearch(Search& search, const PortfolioOptions& options) {
  for (std::size_t pass = 0; pass < options.local_search_passes; ++pass) {
    bool improved = search.SwapPass();
    improved |= search.DropRefillPass();
    improved |= search.InsertPass(options.insert_candidates);
    improved |= !search.Fill().empty();
    if (!improved) break;
  }
}

}  // namespace

MethodOutput SolveHeuristicFrom(const Model& m, const PortfolioOptions& options,
                                const std::vector<std::size_t>& start) {
  Search search(m, Costs(m)[0], 0.0);
  for (std::size_t i : start) search.Add(i);
  search.Fill();
  LocalSearch(search, options);
  MethodOutput out;
  out.items = search.Chosen();
  out.outcome = Outcome::FeasibleWithGap;
  return out;
}

MethodOutput SolveHeuristic(const Model& m, const PortfolioOptions& options) {
  // Prices of private slack for the starts: 0, and multiples of the ratio of the projects' mean
  // standalone gain to their mean absolute slack (only when some project is below the minimum
  // private share, i.e. the constraint can bind).
  std::vector<double> prices = {0.0};
  double gain_sum = 0, slack_sum = 0;
  bool consumers = false;
  for (const Item& it : m.items) {
    gain_sum += it.standalone_gain;
    slack_sum += std::abs(it.private_slack);
    consumers |= it.private_slack < 0;
  }
  if (consumers && slack_sum > 0) {
    for (double factor : kPrivatePriceFactors) prices.push_back(factor * gain_sum / slack_sum);
  }
  MethodOutput best;
  double best_objective = std::numeric_limits<double>::infinity();
  const std::vector<std::vector<double>> costs = Costs(m);
  std::set<std::vector<std::size_t>> starts;
  for (double price : prices) {
    for (const std::vector<double>& cost : costs) {
      Search search(m, cost, price);
      search.Fill();
      // The local search is deterministic: a start that repeats an earlier one ends where it did.
      if (!starts.insert(search.Chosen()).second) continue;
      LocalSearch(search, options);
      const std::vector<std::size_t> chosen = search.Chosen();
      // Exact objective (the running value carries rounding from many updates).
      const double objective = Objective(m, chosen);
      if (objective < best_objective - 1e-12 * std::max(1.0, m.objective_before)) {
        best_objective = objective;
        best.items = chosen;
      }
    }
  }
  best.outcome = Outcome::FeasibleWithGap;
  return best;
}

}  // namespace lodestone::invest::detail
