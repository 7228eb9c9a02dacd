// Evaluation of projects of interest with the disruption simulator, and the bridge from those
// evaluations to the portfolio optimiser. Each project's capacity is added to the baseline network
// as new supply (sim::WithAdditions) and the partners' shortfall is recomputed over one fixed
// Monte Carlo sample of the risk register, so every project sees the same scenarios and its relief
// per scenario can be summed by the optimiser. Method and decisions: docs/methods/evaluation.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lodestone/invest/portfolio.hpp"
#include "lodestone/invest/project.hpp"
#include "lodestone/sim/network.hpp"
#include "lodestone/sim/scenario.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::invest {

inline constexpr const char* kDefaultAsOf = "2025-10-28";  // the US-Japan framework's date
inline constexpr double kCrmaBenchmark = 0.65;             // EU CRMA: at most 65% of a stage from one third country

// One project feeds another (data/projects/feeds.csv): the downstream plant processes the
// upstream one's output, so the two are one flow of the mineral, not two.
struct FeedLink {
  std::string upstream, downstream, note, source;
};
// Reads feeds.csv (columns upstream, downstream, note, source); throws lodestone::Error
// (InvalidData with file:line:column, NotFound for a missing file).
std::vector<FeedLink> LoadFeedLinks(const std::filesystem::path& file);

struct EvaluationRequest {
  const sim::Network* network = nullptr;  // baseline network (must outlive the call)
  const sim::Register* reg = nullptr;     // risk register the scenarios are drawn from
  std::uint64_t runs = 2000;
  std::uint64_t seed = 20251028;
  std::vector<std::string> partners = {"USA", "JPN"};  // consumer codes of the network
  std::vector<Project> projects;
  // Feed chains among the projects: a project fed by an operating one adds no new supply (its
  // feed is already in the baseline); a project feeding a new one is counted at the downstream.
  std::vector<FeedLink> feeds;
  // Other projects of the same source, not evaluated, that feed chains may name (an evaluation
  // of one project still knows whether its feed is operating).
  std::vector<Project> chain_context;
  std::string as_of = kDefaultAsOf;  // YYYY-MM-DD, for the time to first output
  int threads = 0;                   // 0 = all cores; the result does not depend on it
  // Offtake of each project's new supply (docs/methods/evaluation.md, "Offtake"): its confidential
  // offtake terms when the project carries them (not withheld from the caller), else for a project
  // of the framework (US or Japan public money) USA and JPN pro rata to that money, else none.
  // false: every project's supply is uncommitted (the rule before offtakes).
  bool offtake = true;
  // The US share of the public money proposed to every project (the portfolio's budgets): a project
  // whose capital stack names no US or Japan public money counts as proposed for it, split this
  // way. nullopt: only projects whose stack names such money are of the framework.
  std::optional<double> proposed_us_share;
  sim::EvalOptions eval;
  // Called now and then with (projects done, total); from any thread, never concurrently.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Country shares of the stage a project adds to (mine output, or refined output), before and
// after adding its capacity in its country.
struct StageConcentration {
  std::string stage;  // "mining" | "refining"
  double world_before_t = 0, world_after_t = 0;
  std::string top_before, top_after;  // ISO3 of the largest single country (the residual XOT is never one)
  double top_share_before = 0, top_share_after = 0;
  bool crma_met_before = false, crma_met_after = false;  // top share <= 65%
};

// Money in a project's capital stack, by who puts it in (million USD). Grants, loans and equity
// count; guarantees (contingent) and offtakes (purchase commitments) do not: they are listed apart.
struct StackMoney {
  double us_public = 0, jp_public = 0, other_public = 0, private_money = 0;
  bool us_named = false, jp_named = false;  // a known US / Japan public amount is in the stack
  std::size_t amounts_not_available = 0;    // counted lines whose amount is NA (not zero)
  std::size_t commitments_not_counted = 0;  // guarantee and offtake lines
  std::string latest_closing;               // YYYY-MM-DD (month or year given: its last day); empty = none
  double Public() const { return us_public + jp_public + other_public; }
};
StackMoney SumCapitalStack(const std::vector<CapitalLine>& stack);

struct ProjectEvaluation {
  std::string id, name, mineral, unit, country;
  Stage stage = Stage::Mining;
  Status status = Status::Active;
  DevelopmentStage development_stage = DevelopmentStage::Announced;
  model::Value capex_musd = model::Value::Missing(model::ValueStatus::NotAvailable);
  std::optional<double> esg_score;  // known scores only
  std::string esg_basis;            // where the score comes from (the record, or the screen's parts)
  std::string first_output;         // as in the project record
  bool evaluable = false;
  // An operating project is baseline supply: its output is already in the network's baseline
  // year, so it is not evaluated as new supply and is never a candidate for public money.
  bool baseline = false;
  std::string reason;            // why not evaluable
  sim::SupplyAddition addition;  // with its offtake (empty: all of it uncommitted)
  std::string offtake_basis;     // where the offtake comes from, in words
  std::vector<std::string> notes;

  // Partners' shortfall of the project's mineral over the horizon (after stockpiles), over the sample.
  double partner_demand_t = 0;  // baseline partner demand over the horizon
  double expected_before_t = 0, expected_after_t = 0;
  double cvar95_before_t = 0, cvar95_after_t = 0;  // mean of the worst ceil(5%) scenarios
  double expected_relief_t = 0;                    // before - after
  std::uint64_t scenarios_touched = 0;             // scenarios with a shock on the mineral
  std::uint64_t scenarios_evaluated = 0;           // of those, the ones where the partners are short
  std::vector<ReliefEntry> relief;                 // nonzero relief per scenario, ascending

  // Money (million USD). Public = capex - private when capex is known, else the public amounts the
  // capital stack names; nullopt when neither is known.
  StackMoney money;
  std::optional<double> public_musd;
  std::string public_basis;
  std::optional<double> public_usd_per_relief_t_per_year;  // USD per t/yr of expected relief
  std::optional<double> public_usd_per_capacity_t;         // USD per t/yr of capacity
  std::optional<double> private_per_public;                // private USD mobilised per public USD

  std::optional<double> months_to_first_output;  // from the as-of date; <= 0: already producing
  StageConcentration concentration;
};

struct Evaluation {
  std::uint64_t runs = 0, seed = 0;
  double horizon_months = 12;
  std::string as_of;
  std::vector<std::string> partners;
  // Minerals with at least one evaluable project, in network order, and their partner figures.
  std::vector<std::string> minerals;
  std::vector<std::string> units;
  std::vector<double> partner_demand_t;      // over the horizon
  std::vector<std::string> mineral_notes;    // e.g. a partner whose demand is not known
  std::vector<double> baseline_shortfall_t;  // b[s][m] at s * minerals.size() + m
  std::vector<ProjectEvaluation> projects;   // in request order
  std::vector<std::string> assumptions;
  std::uint64_t mineral_evaluations = 0;  // EvaluateMineral calls, baseline included

  const ProjectEvaluation* Find(std::string_view id) const;
  int MineralIndex(std::string_view mineral) const;  // -1 when absent
};

// The offtake a project's new supply carries under the rule of EvaluationRequest::offtake, with its
// basis in words; buyers not among the network's consumers are counted in ROW (their demand is).
struct OfftakeChoice {
  std::vector<sim::OfftakeShare> shares;
  std::string basis;
};
OfftakeChoice DefaultOfftake(const Project& project, const sim::Network& network,
                             std::optional<double> proposed_us_share = std::nullopt);

// Evaluates every project over DrawScenarios(reg, runs, seed). Throws lodestone::Error (InvalidRequest) for an
// unknown partner code or a malformed as-of date; a project that cannot be evaluated (capacity not
// available, mineral not simulated, unknown country) is reported with its reason, never as zero.
Evaluation EvaluateProjects(const EvaluationRequest& request);

// --- To the optimiser
// The ethical-sourcing screen's pass mark (docs/methods/esg.md), the default of every front end.
inline constexpr double kDefaultEsgThreshold = 0.5;

struct PortfolioBuildOptions {
  double us_budget_musd = 0, jp_budget_musd = 0;
  double later_us_budget_musd = 0, later_jp_budget_musd = 0;
  std::string decision_deadline = "2026-04-28";
  double min_private_share = 0;
  std::optional<double> max_country_public_share;
  // Projects scoring below are excluded (docs/methods/esg.md); 0 turns the rule off.
  std::optional<double> esg_threshold = kDefaultEsgThreshold;
  bool allow_unknown_esg = false;
};

struct CandidateFinancing {
  std::string id;
  std::string closing_basis;  // how the closing date was found
  std::vector<std::string> notes;
};

struct BuiltPortfolio {
  PortfolioProblem problem;
  std::vector<std::size_t> project_of_candidate;  // index into Evaluation::projects
  std::vector<CandidateFinancing> financing;      // per candidate
  std::vector<ExcludedCandidate> excluded;        // before the optimiser (candidate = project index)
  std::vector<std::string> assumptions;
};

// The optimiser's input from the evaluations: minerals with candidates, weights 1 / partner
// demand over the horizon, b[s][m], and one candidate per evaluable project with known capex.
BuiltPortfolio BuildPortfolioProblem(const Evaluation& evaluation, const PortfolioBuildOptions& options);

// --- Re-check of a chosen portfolio with the full simulator
struct RecheckMineral {
  std::string mineral, unit;
  double weight = 0;
  double expected_before_t = 0;
  double additive_after_t = 0;   // the optimiser's estimate (relief additive, capped)
  double simulated_after_t = 0;  // all chosen projects added together, same sample
};
struct Recheck {
  std::vector<RecheckMineral> minerals;
  double objective_before = 0, objective_additive = 0, objective_simulated = 0;  // weighted
};
// Adds every project of `result.chosen` to the network at once and recomputes the partners'
// shortfall of the problem's minerals over the same sample (same runs and seed as `evaluation`).
Recheck RecheckPortfolio(const EvaluationRequest& request, const Evaluation& evaluation, const BuiltPortfolio& built,
                         const PortfolioResult& result);

// Months between two dates (YYYY-MM-DD; YYYY-MM = the 1st; YYYY = 1 January), in days / 30.4375.
std::optional<double> MonthsBetween(std::string_view from, std::string_view to);

}  // namespace lodestone::invest
