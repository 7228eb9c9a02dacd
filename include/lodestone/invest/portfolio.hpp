// Portfolio of projects of interest: which candidate projects the partners finance, and who pays
// what, so that the expected weighted shortfall over a fixed scenario sample is smallest under
// the US and Japan public budgets, the decision deadline, the minimum private share, per-project
// public caps, country diversification and ESG thresholds. Three methods share one model: an
// exact MILP (COIN-OR CBC), an exhaustive search for small candidate sets (the tests' oracle), and
// a lazy-greedy + local-search method for thousands of candidates and scenarios.
//
// The input is plain data (the project registry and the disruption simulator produce it); the
// solver is not visible here. Method and formulas: docs/methods/portfolio.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone::invest {

// One nonzero of a candidate's relief: in scenario `scenario` the project removes `tonnes` of the
// partners' shortfall of its mineral (if it were the only project chosen).
struct ReliefEntry {
  std::uint32_t scenario = 0;
  double tonnes = 0;
};

struct Candidate {
  std::string id;
  std::size_t mineral = 0;  // index into PortfolioProblem::minerals
  std::string country;      // ISO 3166-1 alpha-3 of the project's site
  double capex_musd = 0;    // total capital cost, million USD
  double private_musd = 0;  // private money committed; public need = capex - private
  // Fixed public shares agreed beforehand. When one is given the other is the rest of the public
  // need; when neither is, the optimiser splits the need between the two funders.
  std::optional<double> us_fixed_musd;
  std::optional<double> jp_fixed_musd;
  // A funder's own limit on its money in this project (only with a free split).
  std::optional<double> us_max_musd;
  std::optional<double> jp_max_musd;
  // Per-project cap on public money, absolute or as a share of capex (the tighter of these and the
  // problem-wide caps applies).
  std::optional<double> public_cap_musd;
  std::optional<double> public_cap_share;
  std::string closing_date;         // financing close, YYYY-MM-DD
  std::optional<double> esg_score;  // 0..1; missing when not assessed
  std::vector<ReliefEntry> relief;  // sorted by scenario, each scenario at most once
};

struct PortfolioProblem {
  std::vector<std::string> minerals;         // mineral ids, e.g. "gallium"
  std::vector<double> weights;               // w_m per mineral (e.g. 1 / baseline partner demand)
  std::size_t scenario_count = 0;            // S; scenarios are equally likely
  std::vector<double> baseline_shortfall_t;  // b[s][m] at s * minerals.size() + m, tonnes, >= 0
  std::vector<Candidate> candidates;

  // Tranche 1: projects closing financing on or before the decision deadline.
  double us_budget_musd = 0;
  double jp_budget_musd = 0;
  std::string decision_deadline = "2026-04-28";  // six months after the 2025-10-28 framework
  // Later tranche: projects closing after the deadline; closed (those projects are not
  // eligible) while both budgets are 0.
  double later_us_budget_musd = 0;
  double later_jp_budget_musd = 0;

  double min_private_share = 0;  // sum private >= share * sum capex over the chosen projects
  std::optional<double> max_public_per_project_musd;
  std::optional<double> max_public_share_of_capex;
  // Public money in any one country <= this share of the total public budget (both tranches).
  std::optional<double> max_country_public_share;
  // Projects scoring below the threshold are excluded; unscored ones too unless allowed.
  std::optional<double> esg_threshold;
  bool allow_unknown_esg = false;
};

enum class Method { Auto, Milp, Exhaustive, Heuristic };

struct PortfolioOptions {
  Method method = Method::Auto;
  double time_limit_seconds = 60;      // for the MILP (CBC stops with the best portfolio found)
  bool marginal_budget_values = true;  // re-solve with more US and more Japan budget
  std::size_t exhaustive_max_candidates = 20;
  std::size_t local_search_passes = 50;  // upper bound; the search stops when nothing improves
  // Heuristic: unchosen projects (largest relief first) tried per pass by the insert-and-repair move.
  std::size_t insert_candidates = 50;
  // Auto uses the MILP up to this many shortfall variables z[s][m], the heuristic beyond.
  std::size_t auto_milp_max_cells = 200000;
};

enum class Outcome {
  NotSolved,        // not solved yet (a call that fails throws instead)
  Optimal,          // proven optimal (MILP, exhaustive)
  FeasibleWithGap,  // a feasible portfolio with a stated gap (MILP time limit) or none proven (heuristic)
  Infeasible,       // no portfolio satisfies the constraints (cannot happen while the empty one does)
};

struct ChosenProject {
  std::size_t candidate = 0;  // index into PortfolioProblem::candidates
  std::string id;
  std::string mineral;
  std::string country;
  int tranche = 1;  // 1 = before the deadline, 2 = later tranche
  double capex_musd = 0;
  double us_public_musd = 0;
  double jp_public_musd = 0;
  double private_musd = 0;
  // Reduction of the expected weighted shortfall if this project were dropped from the portfolio.
  double marginal_relief = 0;
};

struct MineralShortfall {
  std::string mineral;
  double weight = 0;
  double expected_before_t = 0;  // (1/S) sum_s b[s][m]
  double expected_after_t = 0;   // (1/S) sum_s max(0, b[s][m] - portfolio relief)
};

struct ConstraintUse {
  std::string name;  // e.g. "US public budget, tranche 1", "public money in CHL"
  double used = 0;
  double limit = 0;
  bool tight = false;  // used within 1e-6 (relative) of the limit
};

struct MarginalBudgetValue {
  std::string budget;  // "US public budget, tranche 1" / "Japan public budget, tranche 1"
  double base_musd = 0;
  double delta_musd = 0;       // max(1% of the budget, 10 M USD)
  double objective_after = 0;  // expected weighted shortfall with the larger budget
  double value_per_musd = 0;   // (objective - objective_after) / delta, >= 0
};

struct ExcludedCandidate {
  std::size_t candidate = 0;
  std::string id;
  std::string reason;
};

struct PortfolioResult {
  Outcome outcome = Outcome::NotSolved;
  Method method = Method::Auto;       // the method that produced the portfolio
  std::vector<ChosenProject> chosen;  // ordered by candidate id

  double objective_before = 0;  // expected weighted shortfall without any project
  double objective_after = 0;   // with the chosen portfolio
  // MILP: CBC's proven lower bound on objective_after and the gap in relief terms,
  // (bound_relief - relief) / bound_relief with relief = before - after; 0 when optimal.
  std::optional<double> bound;
  std::optional<double> gap;
  std::vector<MineralShortfall> minerals;

  double us_public_musd = 0;
  double jp_public_musd = 0;
  double private_musd = 0;
  double capex_musd = 0;
  std::vector<ConstraintUse> constraints;
  std::vector<MarginalBudgetValue> marginal_values;
  std::vector<ExcludedCandidate> excluded;  // filtered out before optimisation, with the rule
  std::vector<std::string> explanations;    // why the portfolio is empty or limited
  std::vector<std::string> assumptions;
  double solve_seconds = 0;
  std::size_t eligible_candidates = 0;
};

// Chooses the portfolio. Throws lodestone::Error: InvalidRequest with every problem of the input
// listed (one diagnostic each), or when the exhaustive method is asked for more candidates than
// its limit; Internal when a method fails or returns a portfolio that breaks a constraint.
PortfolioResult Optimise(const PortfolioProblem& problem, const PortfolioOptions& options = {});

// Expected weighted shortfall of an arbitrary selection (indices into candidates), ignoring the
// constraints: the objective the optimiser minimises.
double ExpectedWeightedShortfall(const PortfolioProblem& problem, const std::vector<std::size_t>& selection);

// Problems with the input, one message per problem; empty when the problem is well formed.
std::vector<std::string> ValidateProblem(const PortfolioProblem& problem);

std::string_view MethodName(Method m);
std::string_view OutcomeName(Outcome o);
// "auto" | "milp" | "exhaustive" | "heuristic"; nullopt otherwise.
std::optional<Method> ParseMethod(std::string_view text);

}  // namespace lodestone::invest
