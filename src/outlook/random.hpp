// Reproducible random numbers for the outlook's Monte Carlo: pcg32 with our own transforms to
// uniform and normal variates, because std:: distributions differ between standard libraries
// and the same seed must give the same bytes everywhere.
#pragma once

#include <pcg_random.hpp>

#include <cmath>
#include <cstdint>

namespace lodestone::outlook::internal {

class Rng {
 public:
  // One independent stream per run: the result does not depend on the order runs are done in.
  Rng(std::uint64_t seed, std::uint64_t stream) : gen_(seed, stream) {}

  // Uniform on the open interval (0, 1), 53 random bits.
  double Uniform() {
    std::uint64_t hi = gen_();
    std::uint64_t lo = gen_();
    std::uint64_t bits = ((hi << 32) | lo) >> 11;
    return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
  }

  // Standard normal by the Box-Muller transform (one variate per call; the pair's second half
  // is not kept, so each call consumes exactly two uniforms).
  double Normal() {
    double u1 = Uniform();
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
  }

  // Exponential with the given mean (inverse transform).
  double Exponential(double mean) { return -std::log(Uniform()) * mean; }

 private:
  static constexpr double kTwoPi = 6.283185307179586476925286766559;
  pcg32 gen_;
};

}  // namespace lodestone::outlook::internal
