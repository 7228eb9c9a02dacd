// Exact portfolio: the mixed-integer program of docs/methods/portfolio.md solved by COIN-OR CBC
// (CbcModel over OsiClpSolverInterface, driven by CbcMain0/CbcMain1 so that CBC's default
// preprocessing, cuts and heuristics apply), quiet, single-threaded, with a time limit. CBC stays
// inside this file: the public header does not see it.
//
// Columns: x_p (binary, project chosen), v_p (continuous, US money above the project's minimum
// us_lo, only where the split is free), z_c (continuous, shortfall of cell c = (s, m), only for
// cells with b > 0 that some project relieves; the others are constant).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "CbcModel.hpp"
#include "CbcSolver.hpp"
#include "CoinPackedMatrix.hpp"
#include "OsiClpSolverInterface.hpp"
#include "portfolio_model.hpp"

namespace lodestone::invest::detail {

namespace {

constexpr double kInf = 1e30;  // COIN's infinity for row and column bounds
constexpr double kSplitTol = 1e-9;

struct Lp {
  std::vector<int> rows, cols;
  std::vector<double> values;
  std::vector<double> row_lo, row_hi;
  std::vector<double> col_lo, col_hi, obj;

  int AddCol(double lo, double hi, double c) {
    col_lo.push_back(lo);
    col_hi.push_back(hi);
    obj.push_back(c);
    return static_cast<int>(col_lo.size()) - 1;
  }
  int AddRow(double lo, double hi) {
    row_lo.push_back(lo);
    row_hi.push_back(hi);
    return static_cast<int>(row_lo.size()) - 1;
  }
  void Set(int r, int c, double v) {
    if (v == 0) return;
    rows.push_back(r);
    cols.push_back(c);
    values.push_back(v);
  }
};

}  // namespace

MethodOutput SolveMilp(const Model& m, const PortfolioOptions& options, const std::vector<std::size_t>* start) {
  MethodOutput out;
  const std::size_t n = m.items.size();
  if (n == 0) {
    out.outcome = Outcome::Optimal;
    out.bound = m.objective_before;
    return out;
  }
  Lp lp;
  std::vector<int> x(n), v(n, -1);
  for (std::size_t i = 0; i < n; ++i) x[i] = lp.AddCol(0, 1, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const Item& it = m.items[i];
    if (it.us_hi - it.us_lo > kSplitTol) v[i] = lp.AddCol(0, it.us_hi - it.us_lo, 0);
  }
  // Shortfall per touched cell: z_c + sum_p min(r, b) x_p >= b_c, 0 <= z_c <= b_c.
  double constant = m.objective_before;
  std::vector<int> cover(m.scenarios * m.minerals, -1);
  for (std::size_t i = 0; i < n; ++i) {
    const Item& it = m.items[i];
    for (std::size_t e = 0; e < it.cells.size(); ++e) {
      const std::uint32_t c = it.cells[e];
      if (cover[c] < 0) {
        const double b = m.baseline[c];
        const double w = m.coef[c % m.minerals];
        const int z = lp.AddCol(0, b, w);
        cover[c] = lp.AddRow(b, kInf);
        lp.Set(cover[c], z, 1.0);
        constant -= w * b;
      }
      lp.Set(cover[c], x[i], it.relief[e]);
    }
  }
  // Free split: v_p <= (us_hi - us_lo) x_p.
  for (std::size_t i = 0; i < n; ++i) {
    if (v[i] < 0) continue;
    const int r = lp.AddRow(-kInf, 0);
    lp.Set(r, v[i], 1.0);
    lp.Set(r, x[i], -(m.items[i].us_hi - m.items[i].us_lo));
  }
  // Budgets per tranche: US = sum us_lo x + v, Japan = sum (d - us_lo) x - v.
  for (int t = 0; t < kTranches; ++t) {
    bool any = false;
    for (const Item& it : m.items) any |= it.tranche == t;
    if (!any) continue;
    const int us = lp.AddRow(-kInf, m.us_budget[t]);
    const int jp = lp.AddRow(-kInf, m.jp_budget[t]);
    for (std::size_t i = 0; i < n; ++i) {
      const Item& it = m.items[i];
      if (it.tranche != t) continue;
      lp.Set(us, x[i], it.us_lo);
      lp.Set(jp, x[i], it.need - it.us_lo);
      if (v[i] >= 0) {
        lp.Set(us, v[i], 1.0);
        lp.Set(jp, v[i], -1.0);
      }
    }
  }
  // Minimum private share: sum (private - f capex) x >= 0.
  if (std::any_of(m.items.begin(), m.items.end(), [](const Item& it) { return it.private_slack < 0; })) {
    const int r = lp.AddRow(0, kInf);
    for (std::size_t i = 0; i < n; ++i) lp.Set(r, x[i], m.items[i].private_slack);
  }
  // Diversification: public money per country <= cap (rows only where the cap can bind).
  if (m.country_cap) {
    std::vector<double> total(m.countries.size(), 0.0);
    for (const Item& it : m.items) total[it.country] += it.need;
    for (std::size_t k = 0; k < m.countries.size(); ++k) {
      if (total[k] <= *m.country_cap + kMoneyTol) continue;
      const int r = lp.AddRow(-kInf, *m.country_cap);
      for (std::size_t i = 0; i < n; ++i) {
        if (m.items[i].country == k) lp.Set(r, x[i], m.items[i].need);
      }
    }
  }

  const int ncols = static_cast<int>(lp.col_lo.size());
  const int nrows = static_cast<int>(lp.row_lo.size());
  CoinPackedMatrix matrix(false, lp.rows.data(), lp.cols.data(), lp.values.data(),
                          static_cast<CoinBigIndex>(lp.values.size()));
  matrix.setDimensions(nrows, ncols);

  OsiClpSolverInterface solver;
  solver.messageHandler()->setLogLevel(0);
  solver.loadProblem(matrix, lp.col_lo.data(), lp.col_hi.data(), lp.obj.data(), lp.row_lo.data(), lp.row_hi.data());
  for (std::size_t i = 0; i < n; ++i) solver.setInteger(x[i]);

  CbcModel model(solver);
  model.setLogLevel(0);
  model.messageHandler()->setLogLevel(0);
  CbcMain0(model);
  model.setLogLevel(0);
  if (start) {
    // CBC completes the continuous columns of a start from the binaries.
    std::vector<std::pair<std::string, double>> mip_start;
    std::vector<char> on(n, 0);
    for (std::size_t i : *start) on[i] = 1;
    // Columns keep COIN's default names: explicit names (OsiNameDiscipline 2) crash CbcMain1's
    // presolve in CBC 2.10.8.
    for (std::size_t i = 0; i < n; ++i) mip_start.emplace_back(solver.dfltRowColName('c', x[i]), on[i] ? 1.0 : 0.0);
    model.setMIPStart(mip_start);
  }
  const std::string seconds = fmt::format("{}", std::max(options.time_limit_seconds, 0.01));
  const char* argv[] = {"lodestone-portfolio", "-log",  "0",      "-sec", seconds.c_str(), "-ratioGap", "1e-9",
                        "-allowableGap",       "1e-12", "-solve", "-quit"};
  CbcMain1(static_cast<int>(std::size(argv)), argv, model);

  const double* solution = model.bestSolution();
  std::vector<std::size_t> chosen;
  if (solution) {
    for (std::size_t i = 0; i < n; ++i) {
      if (solution[x[i]] > 0.5) chosen.push_back(i);
    }
  }
  Usage usage(m);
  for (std::size_t i : chosen) usage.Add(m.items[i]);
  const bool usable = solution && Feasible(m, usage);
  if (!usable) {
    // No incumbent, or one that breaks a constraint after rounding x beyond our one-dollar
    // tolerance: keep the start (always feasible) and say the result is not proven.
    if (start) {
      out.items = *start;
    }
    out.outcome = Outcome::FeasibleWithGap;
  } else {
    out.items = chosen;
    out.outcome = model.isProvenOptimal() ? Outcome::Optimal : Outcome::FeasibleWithGap;
  }
  if (out.outcome == Outcome::Optimal) {
    // Proven within the relative gap tolerance: the portfolio's own value is the bound.
    out.bound = Objective(m, out.items);
  } else {
    // The objective is a sum of nonnegative shortfalls, so 0 is always a valid bound.
    const double bound = model.getBestPossibleObjValue();
    out.bound = std::isfinite(bound) && std::abs(bound) < kInf / 10 ? std::max(0.0, constant + bound) : 0.0;
  }
  return out;
}

}  // namespace lodestone::invest::detail
