#include "lodestone/model/stats.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace lodestone::model {

std::uint64_t TailCount(std::uint64_t n, double level) {
  return n - static_cast<std::uint64_t>(std::floor(level * static_cast<double>(n)));
}

double CVaR(std::vector<double>& x, double level) {
  const std::uint64_t tail = TailCount(x.size(), level);
  if (tail == 0) return 0;
  const auto mid = x.begin() + static_cast<std::ptrdiff_t>(tail);
  std::partial_sort(x.begin(), mid, x.end(), std::greater<>());
  double s = 0;
  for (auto it = x.begin(); it != mid; ++it) s += *it;
  return s / static_cast<double>(tail);
}

double Quantile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double pos = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace lodestone::model
