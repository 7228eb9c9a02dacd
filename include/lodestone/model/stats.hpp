// One definition of the tail statistics every module reports (Monte Carlo shortfalls, project
// evaluation): CVaR at level a is the mean of the worst ceil((1 - a) n) outcomes, counted as
// n - floor(a n) so that the tail is never empty for n >= 1.
#pragma once

#include <cstdint>
#include <vector>

namespace lodestone::model {

// Number of outcomes in the upper tail at `level` (0.95 for CVaR95) out of n.
std::uint64_t TailCount(std::uint64_t n, double level);
// Mean of the TailCount(n, level) largest values of `x` (reorders x); 0 for an empty sample.
double CVaR(std::vector<double>& x, double level);
// The p-quantile (0..1) of a sorted sample by linear interpolation between order statistics.
double Quantile(const std::vector<double>& sorted, double p);

}  // namespace lodestone::model
