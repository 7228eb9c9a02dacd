// The portfolio problem compiled for the solvers: eligible candidates only, dense ids, relief
// restricted to the (scenario, mineral) cells with a baseline shortfall and capped by it, and the
// exact feasibility test of a selection (budgets per tranche with the public split, country caps,
// minimum private share). Shared by the MILP, the exhaustive search and the heuristic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/invest/portfolio.hpp"

namespace lodestone::invest::detail {

// Money is in million USD; 1e-6 is one dollar.
constexpr double kMoneyTol = 1e-6;
constexpr int kTranches = 2;

struct Item {
  std::size_t candidate = 0;
  std::size_t mineral = 0;
  int tranche = 0;          // 0 = tranche 1, 1 = later tranche
  std::size_t country = 0;  // index into Model::countries
  double capex = 0;
  double priv = 0;
  double need = 0;   // public need d = capex - private
  double us_lo = 0;  // US money must lie in [us_lo, us_hi]; Japan pays need - US
  double us_hi = 0;
  double private_slack = 0;          // private - f * capex: the minimum private share is sum >= 0
  double coef = 0;                   // w_m / S: objective weight of one tonne in one scenario
  std::vector<std::uint32_t> cells;  // s * M + m, ascending, only cells with b > 0
  std::vector<double> relief;        // min(r, b) per cell
  double standalone_gain = 0;        // objective reduction if chosen alone (an upper bound on any gain)
};

struct Model {
  std::size_t minerals = 0;
  std::size_t scenarios = 0;
  const double* baseline = nullptr;  // b, S * M
  std::vector<double> coef;          // w_m / S per mineral
  std::vector<Item> items;           // eligible candidates, ordered by candidate id
  double us_budget[kTranches] = {0, 0};
  double jp_budget[kTranches] = {0, 0};
  double min_private_share = 0;
  std::optional<double> country_cap;  // M USD of public money per country
  std::vector<std::string> countries;
  double objective_before = 0;
};

// Running totals of a selection, enough to decide feasibility in O(countries touched).
struct Usage {
  double lo[kTranches] = {0, 0};
  double hi[kTranches] = {0, 0};
  double need[kTranches] = {0, 0};
  std::vector<double> country_need;
  double private_slack = 0;
  std::size_t count = 0;

  explicit Usage(const Model& m) : country_need(m.countries.size(), 0.0) {}
  void Add(const Item& it);
  void Remove(const Item& it);
};

// A tranche's public money can be split exactly when there are US amounts u_p in [lo_p, hi_p]
// with sum u <= B_us and sum (d - u) <= B_jp: sum lo <= B_us, sum d - sum hi <= B_jp and
// sum d <= B_us + B_jp (the min cuts of the two-funder transportation network).
bool TrancheFeasible(const Model& m, const Usage& u, int t);
bool Feasible(const Model& m, const Usage& u);
// Feasibility of u + add - remove without modifying u (either may be null).
bool FeasibleAfter(const Model& m, Usage& u, const Item* add, const Item* remove);

// Exact objective of a selection of items (indices into Model::items).
double Objective(const Model& m, const std::vector<std::size_t>& items);

// What a method returns: items chosen (indices into Model::items), outcome, bound.
struct MethodOutput {
  std::vector<std::size_t> items;
  Outcome outcome = Outcome::NotSolved;
  std::optional<double> bound;  // lower bound on the objective (MILP)
  std::string error;            // non-empty when the method could not run
};

MethodOutput SolveExhaustive(const Model& m, const PortfolioOptions& options);
MethodOutput SolveHeuristic(const Model& m, const PortfolioOptions& options);
// Local search from a given feasible selection only (one start): used for the re-solves of the
// marginal value of budget, whose base portfolio stays feasible.
MethodOutput SolveHeuristicFrom(const Model& m, const PortfolioOptions& options, const std::vector<std::size_t>& start);
MethodOutput SolveMilp(const Model& m, const PortfolioOptions& options, const std::vector<std::size_t>* start);

}  // namespace lodestone::invest::detail
