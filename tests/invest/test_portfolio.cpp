// Tests: portfolio optimiser. The MILP (CBC) against the exhaustive oracle on seeded random
// instances; the heuristic's measured gap; a property test that every returned portfolio keeps
// every rule, checked by an independent checker written here from the problem's raw data; and
// hand-computed cases (empty budget, useless project, shared mineral capped by the baseline,
// infeasible private share, deadline, ESG, splits, diversification, marginal value of budget).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <map>
#include <pcg_random.hpp>
#include <string>
#include <vector>

#include "lodestone/invest/portfolio.hpp"
#include "lodestone/model/error.hpp"

using namespace lodestone;
using invest::Candidate;
using invest::Method;
using invest::Outcome;
using invest::PortfolioOptions;
using invest::PortfolioProblem;
using invest::PortfolioResult;

namespace {

// ---- seeded instance generator (pcg32; own uniform so numbers do not depend on the library)

struct Rng {
  pcg32 g;
  explicit Rng(std::uint64_t seed) : g(seed, 0xda3e39cb94b95bdbULL) {}
  double Real() { return static_cast<double>(g()) / 4294967296.0; }
  double Real(double lo, double hi) { return lo + (hi - lo) * Real(); }
  int Int(int lo, int hi) { return lo + static_cast<int>(g(static_cast<std::uint32_t>(hi - lo + 1))); }
  bool Chance(double p) { return Real() < p; }
};

struct GenOptions {
  int projects = 10;
  int scenarios = 20;
  int minerals = 3;
  bool private_rule = false;
  bool diversification = false;
  bool esg = false;
  bool later_tranche = false;
  bool fixed_shares = false;
  bool funder_limits = false;
  bool caps = false;
};

PortfolioProblem Generate(std::uint64_t seed, const GenOptions& o) {
  Rng rng(seed);
  PortfolioProblem p;
  static const char* kMinerals[] = {"gallium", "germanium", "graphite", "cobalt", "lithium", "dysprosium"};
  static const char* kCountries[] = {"AUS", "CAN", "USA", "JPN", "CHL", "PHL"};
  for (int m = 0; m < o.minerals; ++m) {
    p.minerals.push_back(kMinerals[m % 6]);
    p.weights.push_back(rng.Real(0.2, 2.0));
  }
  p.scenario_count = static_cast<std::size_t>(o.scenarios);
  for (int s = 0; s < o.scenarios; ++s) {
    for (int m = 0; m < o.minerals; ++m) p.baseline_shortfall_t.push_back(rng.Chance(0.7) ? rng.Real(1, 100) : 0.0);
  }
  double total_need = 0;
  for (int i = 0; i < o.projects; ++i) {
    Candidate c;
    c.id = "p" + std::to_string(100 + i);
    c.mineral = static_cast<std::size_t>(rng.Int(0, o.minerals - 1));
    c.country = kCountries[rng.Int(0, 5)];
    c.capex_musd = std::round(rng.Real(20, 400));
    c.private_musd = std::round(c.capex_musd * rng.Real(0.0, 0.7));
    const double need = c.capex_musd - c.private_musd;
    total_need += need;
    if (o.fixed_shares && rng.Chance(0.3)) c.us_fixed_musd = std::round(need * rng.Real(0, 1));
    if (o.funder_limits && !c.us_fixed_musd && rng.Chance(0.4)) {
      c.us_max_musd = std::round(need * rng.Real(0.3, 1.0));
      c.jp_max_musd = std::round(need * rng.Real(0.3, 1.0));
    }
    if (o.caps && rng.Chance(0.3)) c.public_cap_share = rng.Real(0.3, 0.9);
    const bool late = o.later_tranche ? rng.Chance(0.3) : rng.Chance(0.1);
    c.closing_date = late ? "2026-09-15" : (rng.Chance(0.5) ? "2026-04-28" : "2026-02-01");
    if (!rng.Chance(0.1)) c.esg_score = rng.Real(0.3, 1.0);
    for (int s = 0; s < o.scenarios; ++s) {
      if (rng.Chance(0.35)) c.relief.push_back({static_cast<std::uint32_t>(s), rng.Real(0, 60)});
    }
    p.candidates.push_back(std::move(c));
  }
  p.us_budget_musd = std::round(total_need * rng.Real(0.1, 0.3));
  p.jp_budget_musd = std::round(total_need * rng.Real(0.05, 0.25));
  if (o.later_tranche) {
    p.later_us_budget_musd = std::round(total_need * rng.Real(0.0, 0.15));
    p.later_jp_budget_musd = std::round(total_need * rng.Real(0.0, 0.15));
  }
  if (o.private_rule) p.min_private_share = rng.Real(0.1, 0.45);
  if (o.diversification) p.max_country_public_share = rng.Real(0.2, 0.6);
  if (o.esg) {
    p.esg_threshold = rng.Real(0.3, 0.6);
    p.allow_unknown_esg = rng.Chance(0.5);
  }
  if (o.caps) p.max_public_per_project_musd = rng.Real(150, 400);
  return p;
}

// ---- independent checks, from the problem's raw fields (not the optimiser's compiled model)

double Objective(const PortfolioProblem& p, const std::vector<std::size_t>& chosen) {
  const std::size_t nm = p.minerals.size();
  double total = 0;
  for (std::size_t s = 0; s < p.scenario_count; ++s) {
    for (std::size_t m = 0; m < nm; ++m) {
      double relief = 0;
      for (std::size_t i : chosen) {
        const Candidate& c = p.candidates[i];
        if (c.mineral != m) continue;
        for (const auto& e : c.relief) {
          if (e.scenario == s) relief += e.tonnes;
        }
      }
      total += p.weights[m] * std::max(0.0, p.baseline_shortfall_t[s * nm + m] - relief);
    }
  }
  return total / static_cast<double>(p.scenario_count);
}

std::vector<std::size_t> Indices(const PortfolioResult& r) {
  std::vector<std::size_t> out;
  for (const auto& c : r.chosen) out.push_back(c.candidate);
  return out;
}

// Every rule of the brief, for a returned portfolio. Empty when all hold.
std::vector<std::string> Violations(const PortfolioProblem& p, const PortfolioResult& r) {
  std::vector<std::string> v;
  constexpr double tol = 1e-6;
  const bool later_open = p.later_us_budget_musd + p.later_jp_budget_musd > 0;
  double us[2] = {0, 0}, jp[2] = {0, 0}, priv = 0, capex = 0;
  std::map<std::string, double> country;
  std::vector<char> seen(p.candidates.size(), 0);
  for (const auto& cp : r.chosen) {
    if (cp.candidate >= p.candidates.size()) {
      v.push_back("unknown candidate");
      continue;
    }
    if (seen[cp.candidate]++) v.push_back(cp.id + " chosen twice");
    const Candidate& c = p.candidates[cp.candidate];
    if (cp.id != c.id) v.push_back(cp.id + " id mismatch");
    const double need = c.capex_musd - c.private_musd;
    if (std::abs(cp.us_public_musd + cp.jp_public_musd - need) > tol) v.push_back(c.id + " public money != need");
    if (cp.us_public_musd < -tol || cp.jp_public_musd < -tol) v.push_back(c.id + " negative public money");
    if (std::abs(cp.private_musd - c.private_musd) > tol) v.push_back(c.id + " private money changed");
    if (c.us_fixed_musd && std::abs(cp.us_public_musd - *c.us_fixed_musd) > tol) v.push_back(c.id + " fixed US");
    if (c.jp_fixed_musd && std::abs(cp.jp_public_musd - *c.jp_fixed_musd) > tol) v.push_back(c.id + " fixed JP");
    if (c.us_max_musd && cp.us_public_musd > *c.us_max_musd + tol) v.push_back(c.id + " US limit");
    if (c.jp_max_musd && cp.jp_public_musd > *c.jp_max_musd + tol) v.push_back(c.id + " JP limit");
    const double pub = cp.us_public_musd + cp.jp_public_musd;
    if (p.max_public_per_project_musd && pub > *p.max_public_per_project_musd + tol) v.push_back(c.id + " cap");
    if (p.max_public_share_of_capex && pub > *p.max_public_share_of_capex * c.capex_musd + tol)
      v.push_back(c.id + " cap share");
    if (c.public_cap_musd && pub > *c.public_cap_musd + tol) v.push_back(c.id + " own cap");
    if (c.public_cap_share && pub > *c.public_cap_share * c.capex_musd + tol) v.push_back(c.id + " own cap share");
    if (p.esg_threshold) {
      if (!c.esg_score && !p.allow_unknown_esg) v.push_back(c.id + " unknown ESG");
      if (c.esg_score && *c.esg_score < *p.esg_threshold) v.push_back(c.id + " ESG below threshold");
    }
    // Dates in YYYY-MM-DD compare as strings.
    const bool late = c.closing_date > p.decision_deadline;
    if (late && !later_open) v.push_back(c.id + " closes after the deadline");
    if (cp.tranche != (late ? 2 : 1)) v.push_back(c.id + " wrong tranche");
    const int t = late ? 1 : 0;
    us[t] += cp.us_public_musd;
    jp[t] += cp.jp_public_musd;
    priv += c.private_musd;
    capex += c.capex_musd;
    country[c.country] += pub;
  }
  if (us[0] > p.us_budget_musd + tol) v.push_back("US budget");
  if (jp[0] > p.jp_budget_musd + tol) v.push_back("Japan budget");
  if (us[1] > p.later_us_budget_musd + tol) v.push_back("later US budget");
  if (jp[1] > p.later_jp_budget_musd + tol) v.push_back("later Japan budget");
  if (priv < p.min_private_share * capex - tol) v.push_back("minimum private share");
  if (p.max_country_public_share) {
    const double cap = *p.max_country_public_share *
                       (p.us_budget_musd + p.jp_budget_musd + p.later_us_budget_musd + p.later_jp_budget_musd);
    for (const auto& [k, x] : country) {
      if (x > cap + tol) v.push_back("country cap " + k);
    }
  }
  const double obj = Objective(p, Indices(r));
  if (std::abs(obj - r.objective_after) > 1e-9 * std::max(1.0, obj)) v.push_back("objective_after mismatch");
  return v;
}

PortfolioOptions With(Method m) {
  PortfolioOptions o;
  o.method = m;
  o.marginal_budget_values = false;
  return o;
}

double Relief(const PortfolioResult& r) { return r.objective_before - r.objective_after; }

// A tiny problem: minerals with weight 1, one scenario unless given.
PortfolioProblem Tiny(std::vector<double> baseline, std::size_t scenarios = 1) {
  PortfolioProblem p;
  const std::size_t nm = baseline.size() / scenarios;
  for (std::size_t m = 0; m < nm; ++m) {
    p.minerals.push_back("m" + std::to_string(m));
    p.weights.push_back(1.0);
  }
  p.scenario_count = scenarios;
  p.baseline_shortfall_t = std::move(baseline);
  return p;
}

Candidate Project(std::string id, std::size_t mineral, double capex, double priv,
                  std::vector<invest::ReliefEntry> relief) {
  Candidate c;
  c.id = std::move(id);
  c.mineral = mineral;
  c.country = "AUS";
  c.capex_musd = capex;
  c.private_musd = priv;
  c.closing_date = "2026-01-15";
  c.esg_score = 0.8;
  c.relief = std::move(relief);
  return c;
}

}  // namespace

// ---- the MILP against the oracle, and the heuristic's measured gap

TEST(PortfolioOracle, MilpMatchesExhaustiveAndHeuristicGapIsBounded) {
  constexpr int kInstances = 200;
  double gap_sum = 0, gap_max = 0;
  int heuristic_optimal = 0;
  for (int k = 0; k < kInstances; ++k) {
    GenOptions o;
    Rng shape(1000 + static_cast<std::uint64_t>(k));
    o.projects = shape.Int(4, 16);
    o.scenarios = shape.Int(5, 40);
    o.minerals = shape.Int(1, 4);
    o.private_rule = shape.Chance(0.5);
    o.diversification = shape.Chance(0.4);
    o.esg = shape.Chance(0.3);
    o.later_tranche = shape.Chance(0.3);
    o.fixed_shares = shape.Chance(0.3);
    o.funder_limits = shape.Chance(0.3);
    o.caps = shape.Chance(0.3);
    const PortfolioProblem p = Generate(static_cast<std::uint64_t>(k), o);
    const PortfolioResult ex = invest::Optimise(p, With(Method::Exhaustive));
    const PortfolioResult milp = invest::Optimise(p, With(Method::Milp));
    const PortfolioResult heur = invest::Optimise(p, With(Method::Heuristic));
    EXPECT_EQ(ex.outcome, Outcome::Optimal);
    EXPECT_EQ(milp.outcome, Outcome::Optimal) << "instance " << k;
    EXPECT_NEAR(milp.objective_after, ex.objective_after, 1e-6 * std::max(1.0, ex.objective_after)) << "instance " << k;
    EXPECT_TRUE(Violations(p, ex).empty()) << "instance " << k;
    EXPECT_TRUE(Violations(p, milp).empty()) << "instance " << k;
    EXPECT_TRUE(Violations(p, heur).empty()) << "instance " << k;
    EXPECT_LE(ex.objective_after, heur.objective_after + 1e-9 * std::max(1.0, ex.objective_after));
    const double best = Relief(ex);
    const double gap = best > 0 ? (best - Relief(heur)) / best : 0.0;
    gap_sum += gap;
    gap_max = std::max(gap_max, gap);
    if (gap < 1e-9) ++heuristic_optimal;
  }
  const double gap_mean = gap_sum / kInstances;
  std::cout << "heuristic relief gap over " << kInstances << " instances: mean " << gap_mean * 100 << "%, max "
            << gap_max * 100 << "%, optimal in " << heuristic_optimal << "\n";
  RecordProperty("heuristic_gap_mean", std::to_string(gap_mean));
  RecordProperty("heuristic_gap_max", std::to_string(gap_max));
  // Measured (seeds 0..199): mean 0.023%, max 2.37%, optimal in 197 of 200. The bounds leave
  // room for platform rounding, not for a weaker method.
  EXPECT_LT(gap_mean, 0.005);
  EXPECT_LT(gap_max, 0.05);
  EXPECT_GE(heuristic_optimal, 190);
}

// ---- property: no returned portfolio breaks a rule, whatever the method

RC_GTEST_PROP(PortfolioProperty, ReturnedPortfolioKeepsEveryRule, ()) {
  GenOptions o;
  o.projects = *rc::gen::inRange(0, 13);
  o.scenarios = *rc::gen::inRange(1, 25);
  o.minerals = *rc::gen::inRange(1, 5);
  o.private_rule = *rc::gen::arbitrary<bool>();
  o.diversification = *rc::gen::arbitrary<bool>();
  o.esg = *rc::gen::arbitrary<bool>();
  o.later_tranche = *rc::gen::arbitrary<bool>();
  o.fixed_shares = *rc::gen::arbitrary<bool>();
  o.funder_limits = *rc::gen::arbitrary<bool>();
  o.caps = *rc::gen::arbitrary<bool>();
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  PortfolioProblem p = Generate(seed, o);
  // An earlier deadline moves projects closing on 2026-02-01 and 2026-04-28 out of tranche 1.
  if (*rc::gen::arbitrary<bool>()) p.decision_deadline = "2026-01-31";
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic, Method::Auto}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    RC_LOG() << invest::MethodName(m) << "\n";  // Optimise throws on failure, failing the property
    const auto v = Violations(p, r);
    for (const auto& x : v) RC_LOG() << x << "\n";
    RC_ASSERT(v.empty());
  }
}

// ---- hand-computed cases

TEST(PortfolioHand, NoBudgetGivesEmptyPortfolioAndBaselineObjective) {
  // Two minerals, two scenarios: b = [[10, 4], [6, 0]], weights 1 -> E = (14 + 6) / 2 = 10.
  PortfolioProblem p = Tiny({10, 4, 6, 0}, 2);
  p.candidates.push_back(Project("a", 0, 100, 20, {{0, 5}, {1, 6}}));
  p.candidates.push_back(Project("b", 1, 50, 10, {{0, 4}}));
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    EXPECT_TRUE(r.chosen.empty());
    EXPECT_DOUBLE_EQ(r.objective_before, 10.0);
    EXPECT_DOUBLE_EQ(r.objective_after, 10.0);
    ASSERT_EQ(r.minerals.size(), 2u);
    EXPECT_DOUBLE_EQ(r.minerals[0].expected_before_t, 8.0);
    EXPECT_DOUBLE_EQ(r.minerals[0].expected_after_t, 8.0);
    EXPECT_DOUBLE_EQ(r.minerals[1].expected_before_t, 2.0);
    ASSERT_FALSE(r.explanations.empty());
    EXPECT_NE(r.explanations[0].find("no eligible project fits the public budgets"), std::string::npos)
        << r.explanations[0];
    EXPECT_NE(r.explanations[0].find("40 M USD (project b)"), std::string::npos) << r.explanations[0];
  }
}

TEST(PortfolioHand, OneProjectPerMineralWithBudgetForAll) {
  PortfolioProblem p = Tiny({10, 4, 6, 0}, 2);
  p.candidates.push_back(Project("a", 0, 100, 20, {{0, 5}, {1, 6}}));  // relieves 5 + 6 of 16 t
  p.candidates.push_back(Project("b", 1, 50, 10, {{0, 4}}));           // relieves all 4 t
  p.us_budget_musd = 60;
  p.jp_budget_musd = 60;
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    ASSERT_EQ(r.chosen.size(), 2u);
    EXPECT_NEAR(r.objective_after, (5.0 + 0.0) / 2, 1e-12);
    // Need 80 + 40 = 120 against 60 + 60: both budgets are used in full.
    EXPECT_NEAR(r.us_public_musd, 60, 1e-9);
    EXPECT_NEAR(r.jp_public_musd, 60, 1e-9);
    EXPECT_NEAR(r.private_musd, 30, 1e-9);
    EXPECT_NEAR(r.minerals[0].expected_after_t, 2.5, 1e-12);
    EXPECT_NEAR(r.minerals[1].expected_after_t, 0.0, 1e-12);
  }
}

TEST(PortfolioHand, ProjectThatRelievesNothingIsNeverChosen) {
  PortfolioProblem p = Tiny({10, 0}, 1);
  p.candidates.push_back(Project("useful", 0, 10, 5, {{0, 3}}));
  p.candidates.push_back(Project("idle", 1, 10, 9, {{0, 50}}));  // its mineral has no shortfall
  p.candidates.push_back(Project("empty", 0, 1, 0, {}));
  p.us_budget_musd = 1000;
  p.jp_budget_musd = 1000;
  p.min_private_share = 0.3;  // "idle" could pad the private share; it is not considered
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    for (const auto& c : r.chosen) EXPECT_NE(c.id, "idle");
    for (const auto& c : r.chosen) EXPECT_NE(c.id, "empty");
  }
  const PortfolioResult r = invest::Optimise(p, With(Method::Milp));
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].id, "useful");
  ASSERT_EQ(r.excluded.size(), 2u);
  EXPECT_EQ(r.excluded[0].id, "empty");
  EXPECT_EQ(r.excluded[0].reason, "relieves no weighted shortfall in any scenario");
  EXPECT_EQ(r.excluded[1].id, "idle");
}

TEST(PortfolioHand, TwoProjectsOnOneMineralAreCappedByTheBaseline) {
  // b = 10 t; a relieves 7, b relieves 6: together 10 (not 13). Weight 2 -> E before = 20.
  PortfolioProblem p = Tiny({10}, 1);
  p.weights = {2.0};
  p.candidates.push_back(Project("a", 0, 30, 0, {{0, 7}}));
  p.candidates.push_back(Project("b", 0, 20, 0, {{0, 6}}));
  p.us_budget_musd = 50;
  p.jp_budget_musd = 0;
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    ASSERT_EQ(r.chosen.size(), 2u);
    EXPECT_NEAR(r.objective_after, 0.0, 1e-12);
    // Dropping a leaves b's 6 t: a's marginal relief is 2 * (10 - 6) = 8; b's is 2 * 3 = 6.
    EXPECT_NEAR(r.chosen[0].marginal_relief, 8.0, 1e-12);
    EXPECT_NEAR(r.chosen[1].marginal_relief, 6.0, 1e-12);
    EXPECT_NEAR(r.us_public_musd, 50, 1e-9);
  }
  // With 30 M USD only one fits: a (relief 14) beats b (relief 12).
  p.us_budget_musd = 30;
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    ASSERT_EQ(r.chosen.size(), 1u);
    EXPECT_EQ(r.chosen[0].id, "a");
    EXPECT_NEAR(r.objective_after, 6.0, 1e-12);
  }
  EXPECT_NEAR(invest::ExpectedWeightedShortfall(p, {0, 1}), 0.0, 1e-12);
  EXPECT_NEAR(invest::ExpectedWeightedShortfall(p, {1}), 8.0, 1e-12);
}

TEST(PortfolioHand, InfeasibleMinimumPrivateShareNamesTheBindingConstraint) {
  PortfolioProblem p = Tiny({10}, 1);
  p.candidates.push_back(Project("x", 0, 100, 31, {{0, 5}}));
  p.candidates.push_back(Project("y", 0, 100, 10, {{0, 5}}));
  p.us_budget_musd = 500;
  p.jp_budget_musd = 500;
  p.min_private_share = 0.4;
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    EXPECT_EQ(r.outcome, m == Method::Heuristic ? Outcome::FeasibleWithGap : Outcome::Optimal);
    EXPECT_TRUE(r.chosen.empty());
    ASSERT_EQ(r.explanations.size(), 1u);
    EXPECT_EQ(r.explanations[0],
              "minimum private share 0.4 cannot be met by any eligible project: best is 0.31 (project x)");
  }
  // At 0.3, x alone qualifies, and x + y does not (41 / 200 < 0.3).
  p.min_private_share = 0.3;
  const PortfolioResult r = invest::Optimise(p, With(Method::Milp));
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].id, "x");
  ASSERT_FALSE(r.constraints.empty());
}

TEST(PortfolioHand, DeadlineAndLaterTranche) {
  PortfolioProblem p = Tiny({10}, 1);
  p.candidates.push_back(Project("late", 0, 10, 0, {{0, 5}}));
  p.candidates[0].closing_date = "2026-04-29";
  p.us_budget_musd = 100;
  p.jp_budget_musd = 100;
  PortfolioResult r = invest::Optimise(p, With(Method::Milp));
  EXPECT_TRUE(r.chosen.empty());
  ASSERT_EQ(r.explanations.size(), 1u);
  EXPECT_EQ(r.explanations[0], "no project closes financing on or before 2026-04-28 (and no later tranche is open)");
  // A later tranche with its own budget funds it; tranche 1 money does not.
  p.later_jp_budget_musd = 10;
  r = invest::Optimise(p, With(Method::Exhaustive));
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].tranche, 2);
  EXPECT_NEAR(r.chosen[0].jp_public_musd, 10, 1e-9);
  EXPECT_NEAR(r.chosen[0].us_public_musd, 0, 1e-9);
  p.later_jp_budget_musd = 9;
  r = invest::Optimise(p, With(Method::Milp));
  EXPECT_TRUE(r.chosen.empty());
  // The deadline itself is inclusive.
  p.candidates[0].closing_date = "2026-04-28";
  r = invest::Optimise(p, With(Method::Heuristic));
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].tranche, 1);
}

TEST(PortfolioHand, EsgThresholdAndUnknownScores) {
  PortfolioProblem p = Tiny({10}, 1);
  p.candidates.push_back(Project("low", 0, 10, 0, {{0, 5}}));
  p.candidates.push_back(Project("unknown", 0, 10, 0, {{0, 4}}));
  p.candidates[0].esg_score = 0.49;
  p.candidates[1].esg_score.reset();
  p.us_budget_musd = 100;
  p.esg_threshold = 0.5;
  PortfolioResult r = invest::Optimise(p, With(Method::Milp));
  EXPECT_TRUE(r.chosen.empty());
  ASSERT_EQ(r.excluded.size(), 2u);
  EXPECT_EQ(r.excluded[0].reason, "ESG score 0.49 below the threshold 0.5");
  EXPECT_EQ(r.explanations[0], "no project meets the ESG threshold");
  p.allow_unknown_esg = true;
  r = invest::Optimise(p, With(Method::Milp));
  ASSERT_EQ(r.chosen.size(), 1u);
  EXPECT_EQ(r.chosen[0].id, "unknown");
}

TEST(PortfolioHand, PublicSplitFollowsFixedSharesAndFunderLimits) {
  PortfolioProblem p = Tiny({100}, 1);
  p.candidates.push_back(Project("fixed", 0, 100, 40, {{0, 10}}));
  p.candidates[0].us_fixed_musd = 45;  // Japan pays the other 15
  p.candidates.push_back(Project("limited", 0, 50, 0, {{0, 10}}));
  p.candidates[1].us_max_musd = 10;  // Japan must pay at least 40
  p.us_budget_musd = 100;
  p.jp_budget_musd = 55;
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    ASSERT_EQ(r.chosen.size(), 2u);
    EXPECT_NEAR(r.chosen[0].us_public_musd, 45, 1e-9);
    EXPECT_NEAR(r.chosen[0].jp_public_musd, 15, 1e-9);
    EXPECT_NEAR(r.chosen[1].jp_public_musd, 40, 1e-9);  // 15 + 40 = the whole Japan budget
    EXPECT_NEAR(r.chosen[1].us_public_musd, 10, 1e-9);
  }
  p.jp_budget_musd = 54;  // one million short: only one project fits
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    EXPECT_EQ(invest::Optimise(p, With(m)).chosen.size(), 1u);
  }
}

TEST(PortfolioHand, DiversificationCapsPublicMoneyPerCountry) {
  PortfolioProblem p = Tiny({100}, 1);
  p.candidates.push_back(Project("au1", 0, 40, 0, {{0, 30}}));
  p.candidates.push_back(Project("au2", 0, 40, 0, {{0, 29}}));
  p.candidates.push_back(Project("ca1", 0, 40, 0, {{0, 10}}));
  p.candidates[2].country = "CAN";
  p.us_budget_musd = 100;
  p.jp_budget_musd = 0;
  p.max_country_public_share = 0.5;  // 50 M USD per country: one Australian project only
  for (Method m : {Method::Exhaustive, Method::Milp, Method::Heuristic}) {
    const PortfolioResult r = invest::Optimise(p, With(m));
    ASSERT_EQ(r.chosen.size(), 2u);
    EXPECT_EQ(r.chosen[0].id, "au1");
    EXPECT_EQ(r.chosen[1].id, "ca1");
    EXPECT_NEAR(r.objective_after, 60.0, 1e-12);
  }
}

TEST(PortfolioHand, MarginalValueOfBudget) {
  // b = 100; a (need 50) relieves 30, b (need 10) relieves 5. US 50, Japan 0: a alone, E = 70.
  // +10 M USD US (1% of 50 is less than 10): a + b, E = 65 -> value 0.5 per M USD.
  PortfolioProblem p = Tiny({100}, 1);
  p.candidates.push_back(Project("a", 0, 50, 0, {{0, 30}}));
  p.candidates.push_back(Project("b", 0, 10, 0, {{0, 5}}));
  p.us_budget_musd = 50;
  PortfolioOptions o;
  o.method = Method::Milp;
  const PortfolioResult r = invest::Optimise(p, o);
  ASSERT_EQ(r.marginal_values.size(), 2u);
  EXPECT_EQ(r.marginal_values[0].budget, "US public budget, tranche 1");
  EXPECT_DOUBLE_EQ(r.marginal_values[0].delta_musd, 10.0);
  EXPECT_NEAR(r.marginal_values[0].objective_after, 65.0, 1e-9);
  EXPECT_NEAR(r.marginal_values[0].value_per_musd, 0.5, 1e-9);
  EXPECT_NEAR(r.marginal_values[1].value_per_musd, 0.5, 1e-9);  // Japan's 10 M USD funds b as well
  // 1% of a 5,000 M USD budget is 50 M USD.
  p.us_budget_musd = 5000;
  const PortfolioResult big = invest::Optimise(p, o);
  EXPECT_DOUBLE_EQ(big.marginal_values[0].delta_musd, 50.0);
  EXPECT_DOUBLE_EQ(big.marginal_values[0].value_per_musd, 0.0);
}

TEST(PortfolioHand, MilpReportsBoundAndZeroGapWhenOptimal) {
  const PortfolioProblem p = Generate(7, GenOptions{});
  const PortfolioResult r = invest::Optimise(p, With(Method::Milp));
  ASSERT_EQ(r.outcome, Outcome::Optimal);
  ASSERT_TRUE(r.bound && r.gap);
  EXPECT_LE(*r.bound, r.objective_after + 1e-12);
  EXPECT_LT(*r.gap, 1e-6);
  EXPECT_EQ(r.method, Method::Milp);
}

TEST(PortfolioInput, BadInputIsAnErrorWithEveryProblemNeverACrash) {
  PortfolioProblem p = Tiny({10, -1}, 1);
  p.candidates.push_back(Project("a", 3, 10, 20, {{2, 1}, {0, 1}}));
  p.candidates.push_back(Project("a", 0, 10, 0, {}));
  p.candidates[1].closing_date = "2026-02-30";
  p.candidates[1].country = "Australia";
  p.decision_deadline = "28/04/2026";
  p.min_private_share = 1.5;
  std::string described;
  try {
    invest::Optimise(p);
    FAIL() << "bad input accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
    EXPECT_GE(e.diagnostics().ErrorCount(), 9u);
    described = e.Describe();
  }
  for (const char* expected :
       {"baseline_shortfall_t[scenario 0][m1]: -1 is not a finite number >= 0",
        "decision_deadline: '28/04/2026' is not a valid date (expected YYYY-MM-DD)",
        "min_private_share: 1.5 is not a share in [0, 1]", "candidates[0] 'a': mineral: index 3 but only 2 minerals",
        "candidates[0] 'a': private_musd: 20 is not an amount in [0, capex 10]",
        "candidates[0] 'a': relief[0]: scenario 2 but only 1 scenarios", "candidates[1] 'a': id: duplicate identifier",
        "candidates[1] 'a': country: 'Australia' is not an ISO 3166-1 alpha-3 code",
        "candidates[1] 'a': closing_date: '2026-02-30' is not a valid date (expected YYYY-MM-DD)"}) {
    EXPECT_NE(described.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << described;
  }
  // Exhaustive search refuses more candidates than its limit instead of running for ever.
  GenOptions big;
  big.projects = 30;
  PortfolioOptions o = With(Method::Exhaustive);
  o.exhaustive_max_candidates = 20;
  const PortfolioProblem many = Generate(3, big);
  PortfolioOptions heur = With(Method::Heuristic);
  heur.marginal_budget_values = false;
  if (invest::Optimise(many, heur).eligible_candidates > 20) {
    try {
      invest::Optimise(many, o);
      FAIL() << "exhaustive search ran past its limit";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidRequest);
      EXPECT_NE(std::string(e.what()).find("exhaustive search is limited to 20"), std::string::npos);
    }
  }
  EXPECT_EQ(invest::ParseMethod("milp"), Method::Milp);
  EXPECT_FALSE(invest::ParseMethod("simplex"));
}

TEST(PortfolioHand, NoCandidatesAtAll) {
  const PortfolioResult r = invest::Optimise(Tiny({3, 4}, 1));
  EXPECT_EQ(r.outcome, Outcome::Optimal);
  EXPECT_DOUBLE_EQ(r.objective_after, 7.0);
  EXPECT_EQ(r.explanations, std::vector<std::string>{"no candidate projects were given"});
}
