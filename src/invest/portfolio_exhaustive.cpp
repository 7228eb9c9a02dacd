// Exhaustive search over every subset of the eligible candidates (at most ~20), the oracle the
// tests hold the MILP and the heuristic to. Subsets are visited in reflected Gray-code order, so
// each step adds or removes one project: the objective and the running totals are updated from
// that project's sparse relief alone, and feasibility is the exact test of detail::Feasible.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "portfolio_model.hpp"

namespace lodestone::invest::detail {

MethodOutput SolveExhaustive(const Model& m, const PortfolioOptions& /*options*/) {
  MethodOutput out;
  const std::size_t n = m.items.size();
  if (n >= 63) {
    out.error = "exhaustive search cannot enumerate more than 62 candidates";
    return out;
  }
  std::vector<double> relief(m.scenarios * m.minerals, 0.0);
  std::vector<char> in(n, 0);
  Usage usage(m);
  double objective = m.objective_before;
  double best = objective;  // the empty portfolio is always feasible
  std::uint64_t best_code = 0;
  std::uint64_t code = 0;
  const double tol = 1e-12 * std::max(1.0, m.objective_before);

  const std::uint64_t count = std::uint64_t{1} << n;
  for (std::uint64_t k = 1; k < count; ++k) {
    const auto bit = static_cast<std::size_t>(std::countr_zero(k));
    const Item& it = m.items[bit];
    const double sign = in[bit] ? -1.0 : 1.0;
    double delta = 0;
    for (std::size_t e = 0; e < it.cells.size(); ++e) {
      const std::uint32_t c = it.cells[e];
      const double b = m.baseline[c];
      const double before = std::min(b, relief[c]);
      relief[c] += sign * it.relief[e];
      delta += std::min(b, relief[c]) - before;
    }
    objective -= it.coef * delta;
    if (in[bit]) {
      usage.Remove(it);
    } else {
      usage.Add(it);
    }
    in[bit] = !in[bit];
    code ^= std::uint64_t{1} << bit;
    if (objective < best - tol && Feasible(m, usage)) {
      best = objective;
      best_code = code;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (best_code >> i & 1U) out.items.push_back(i);
  }
  out.outcome = Outcome::Optimal;
  return out;
}

}  // namespace lodestone::invest::detail
