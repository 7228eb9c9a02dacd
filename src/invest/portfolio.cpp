// Portfolio optimiser façade: validates the problem, filters the candidates by the rules that act
// on one project alone (ESG, deadline/tranche, public caps, funders' limits, no relief), compiles
// the dense model, runs the chosen method, then assembles the answer: who pays what, shortfall
// before and after, constraint use, why a portfolio is empty, and the marginal value of budget.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "lodestone/invest/portfolio.hpp"
#include "lodestone/model/date.hpp"
#include "lodestone/model/error.hpp"
#include "portfolio_model.hpp"

namespace lodestone::invest {

namespace detail {

void Usage::Add(const Item& it) {
  lo[it.tranche] += it.us_lo;
  hi[it.tranche] += it.us_hi;
  need[it.tranche] += it.need;
  country_need[it.country] += it.need;
  private_slack += it.private_slack;
  ++count;
}

void Usage::Remove(const Item& it) {
  lo[it.tranche] -= it.us_lo;
  hi[it.tranche] -= it.us_hi;
  need[it.tranche] -= it.need;
  country_need[it.country] -= it.need;
  private_slack -= it.private_slack;
  --count;
}

bool TrancheFeasible(const Model& m, const Usage& u, int t) {
  const double bu = m.us_budget[t];
  const double bj = m.jp_budget[t];
  return u.lo[t] <= bu + kMoneyTol && u.need[t] - u.hi[t] <= bj + kMoneyTol && u.need[t] <= bu + bj + kMoneyTol;
}

bool Feasible(const Model& m, const Usage& u) {
  for (int t = 0; t < kTranches; ++t) {
    if (!TrancheFeasible(m, u, t)) return false;
  }
  if (u.private_slack < -kMoneyTol) return false;
  if (m.country_cap) {
    for (double c : u.country_need) {
      if (c > *m.country_cap + kMoneyTol) return false;
    }
  }
  return true;
}

bool FeasibleAfter(const Model& m, Usage& u, const Item* add, const Item* remove) {
  // Only the touched tranches and countries can change; check those, then the private share.
  if (add) u.Add(*add);
  if (remove) u.Remove(*remove);
  bool ok = u.private_slack >= -kMoneyTol;
  for (const Item* it : {add, remove}) {
    if (!ok || !it) continue;
    ok = TrancheFeasible(m, u, it->tranche) &&
         (!m.country_cap || u.country_need[it->country] <= *m.country_cap + kMoneyTol);
  }
  if (add) u.Remove(*add);
  if (remove) u.Add(*remove);
  return ok;
}

double Objective(const Model& m, const std::vector<std::size_t>& items) {
  // Sum of relief per touched cell, then the objective's change on those cells only.
  std::map<std::uint32_t, double> relief;
  for (std::size_t i : items) {
    const Item& it = m.items[i];
    for (std::size_t k = 0; k < it.cells.size(); ++k) relief[it.cells[k]] += it.relief[k];
  }
  double obj = m.objective_before;
  for (const auto& [cell, r] : relief) {
    const double b = m.baseline[cell];
    obj -= m.coef[cell % m.minerals] * std::min(b, r);
  }
  return std::max(obj, 0.0);
}

}  // namespace detail

namespace {

using detail::Item;
using detail::kMoneyTol;
using detail::Model;
using detail::Usage;

constexpr double kMarginalShare = 0.01;    // +1% of the budget ...
constexpr double kMarginalMinMusd = 10.0;  // ... or +10 M USD, whichever is larger
constexpr std::size_t kAutoExhaustiveMax = 12;

std::string Money(double x) { return fmt::format("{:.6g} M USD", x); }
std::string Share(double x) { return fmt::format("{:.3g}", x); }

// YYYY-MM-DD -> yyyymmdd (ordered as the dates are), or nullopt.
std::optional<int> ParseDate(std::string_view s) {
  const auto d = model::Date::ParseDay(s);
  if (!d) return std::nullopt;
  return d->year * 10000 + d->month * 100 + d->day;
}

bool Finite(double x) { return std::isfinite(x); }

std::vector<std::string> Validate(const PortfolioProblem& p) {
  std::vector<std::string> errors;
  auto err = [&](std::string msg) { errors.push_back(std::move(msg)); };
  const std::size_t nm = p.minerals.size();
  if (nm == 0) err("minerals: at least one mineral is expected");
  if (p.weights.size() != nm)
    err(fmt::format("weights: {} values for {} minerals (expected one weight per mineral)", p.weights.size(), nm));
  for (std::size_t m = 0; m < p.weights.size(); ++m) {
    if (!Finite(p.weights[m]) || p.weights[m] < 0)
      err(fmt::format("weights[{}]: {} is not a finite number >= 0", m, p.weights[m]));
  }
  if (p.scenario_count == 0) err("scenario_count: at least one scenario is expected");
  if (p.scenario_count > std::numeric_limits<std::uint32_t>::max()) err("scenario_count: too many scenarios");
  if (p.baseline_shortfall_t.size() != p.scenario_count * nm) {
    err(fmt::format("baseline_shortfall_t: {} values, expected scenario_count x minerals = {}",
                    p.baseline_shortfall_t.size(), p.scenario_count * nm));
  } else {
    for (std::size_t k = 0; k < p.baseline_shortfall_t.size(); ++k) {
      const double b = p.baseline_shortfall_t[k];
      if (!Finite(b) || b < 0) {
        err(fmt::format("baseline_shortfall_t[scenario {}][{}]: {} is not a finite number >= 0", k / nm,
                        p.minerals[k % nm], b));
        break;
      }
    }
  }
  auto budget = [&](const char* name, double v) {
    if (!Finite(v) || v < 0) err(fmt::format("{}: {} is not a finite amount >= 0 (million USD)", name, v));
  };
  budget("us_budget_musd", p.us_budget_musd);
  budget("jp_budget_musd", p.jp_budget_musd);
  budget("later_us_budget_musd", p.later_us_budget_musd);
  budget("later_jp_budget_musd", p.later_jp_budget_musd);
  if (!ParseDate(p.decision_deadline))
    err(fmt::format("decision_deadline: '{}' is not a valid date (expected YYYY-MM-DD)", p.decision_deadline));
  auto share = [&](const char* name, double v) {
    if (!Finite(v) || v < 0 || v > 1) err(fmt::format("{}: {} is not a share in [0, 1]", name, v));
  };
  share("min_private_share", p.min_private_share);
  if (p.max_public_share_of_capex) share("max_public_share_of_capex", *p.max_public_share_of_capex);
  if (p.max_country_public_share) share("max_country_public_share", *p.max_country_public_share);
  if (p.esg_threshold) share("esg_threshold", *p.esg_threshold);
  if (p.max_public_per_project_musd) budget("max_public_per_project_musd", *p.max_public_per_project_musd);

  std::set<std::string> ids;
  for (std::size_t i = 0; i < p.candidates.size(); ++i) {
    const Candidate& c = p.candidates[i];
    const std::string where = fmt::format("candidates[{}] '{}'", i, c.id);
    auto cerr = [&](const std::string& msg) { err(fmt::format("{}: {}", where, msg)); };
    if (c.id.empty()) cerr("id: an identifier is expected");
    if (!c.id.empty() && !ids.insert(c.id).second) cerr("id: duplicate identifier");
    if (c.mineral >= nm) cerr(fmt::format("mineral: index {} but only {} minerals", c.mineral, nm));
    const bool iso = c.country.size() == 3 &&
                     std::all_of(c.country.begin(), c.country.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    if (!iso) cerr(fmt::format("country: '{}' is not an ISO 3166-1 alpha-3 code", c.country));
    if (!Finite(c.capex_musd) || c.capex_musd < 0)
      cerr(fmt::format("capex_musd: {} is not an amount >= 0", c.capex_musd));
    if (!Finite(c.private_musd) || c.private_musd < 0 || c.private_musd > c.capex_musd + kMoneyTol)
      cerr(fmt::format("private_musd: {} is not an amount in [0, capex {}]", c.private_musd, c.capex_musd));
    const double need = std::max(0.0, c.capex_musd - c.private_musd);
    for (auto [name, v] : {std::pair{"us_fixed_musd", c.us_fixed_musd}, std::pair{"jp_fixed_musd", c.jp_fixed_musd}}) {
      if (v && (!Finite(*v) || *v < -kMoneyTol || *v > need + kMoneyTol))
        cerr(fmt::format("{}: {} is not an amount in [0, public need {}]", name, *v, need));
    }
    if (c.us_fixed_musd && c.jp_fixed_musd && std::abs(*c.us_fixed_musd + *c.jp_fixed_musd - need) > kMoneyTol)
      cerr(fmt::format("us_fixed_musd + jp_fixed_musd = {} but the public need (capex - private) is {}",
                       *c.us_fixed_musd + *c.jp_fixed_musd, need));
    if ((c.us_fixed_musd || c.jp_fixed_musd) && (c.us_max_musd || c.jp_max_musd))
      cerr("us_max_musd/jp_max_musd apply to a free split only; give fixed amounts or limits, not both");
    for (auto [name, v] : {std::pair{"us_max_musd", c.us_max_musd}, std::pair{"jp_max_musd", c.jp_max_musd},
                           std::pair{"public_cap_musd", c.public_cap_musd}}) {
      if (v && (!Finite(*v) || *v < 0)) cerr(fmt::format("{}: {} is not an amount >= 0", name, *v));
    }
    if (c.public_cap_share && (!Finite(*c.public_cap_share) || *c.public_cap_share < 0 || *c.public_cap_share > 1))
      cerr(fmt::format("public_cap_share: {} is not a share in [0, 1]", *c.public_cap_share));
    if (!ParseDate(c.closing_date))
      cerr(fmt::format("closing_date: '{}' is not a valid date (expected YYYY-MM-DD)", c.closing_date));
    if (c.esg_score && (!Finite(*c.esg_score) || *c.esg_score < 0 || *c.esg_score > 1))
      cerr(fmt::format("esg_score: {} is not a score in [0, 1]", *c.esg_score));
    for (std::size_t k = 0; k < c.relief.size(); ++k) {
      const ReliefEntry& e = c.relief[k];
      if (e.scenario >= p.scenario_count) {
        cerr(fmt::format("relief[{}]: scenario {} but only {} scenarios", k, e.scenario, p.scenario_count));
        break;
      }
      if (k > 0 && e.scenario <= c.relief[k - 1].scenario) {
        cerr(fmt::format("relief[{}]: scenario {} after {} (expected strictly ascending scenarios)", k, e.scenario,
                         c.relief[k - 1].scenario));
        break;
      }
      if (!Finite(e.tonnes) || e.tonnes < 0) {
        cerr(fmt::format("relief[{}]: {} t is not a finite quantity >= 0", k, e.tonnes));
        break;
      }
    }
  }
  return errors;
}

// Rule categories, in the order they are applied; the first one that fails excludes a candidate.
enum class Rule { Esg, Deadline, PublicCap, FunderLimits, NoRelief };

struct Compiled {
  Model model;
  std::vector<ExcludedCandidate> excluded;
  std::vector<Rule> excluded_rule;
};

Compiled Compile(const PortfolioProblem& p) {
  Compiled out;
  Model& m = out.model;
  m.minerals = p.minerals.size();
  m.scenarios = p.scenario_count;
  m.baseline = p.baseline_shortfall_t.data();
  m.coef.resize(m.minerals);
  for (std::size_t j = 0; j < m.minerals; ++j) m.coef[j] = p.weights[j] / static_cast<double>(m.scenarios);
  for (std::size_t k = 0; k < p.baseline_shortfall_t.size(); ++k)
    m.objective_before += m.coef[k % m.minerals] * p.baseline_shortfall_t[k];
  const bool later_open = p.later_us_budget_musd + p.later_jp_budget_musd > 0;
  m.us_budget[0] = p.us_budget_musd;
  m.jp_budget[0] = p.jp_budget_musd;
  m.us_budget[1] = p.later_us_budget_musd;
  m.jp_budget[1] = p.later_jp_budget_musd;
  m.min_private_share = p.min_private_share;
  if (p.max_country_public_share) {
    m.country_cap = *p.max_country_public_share *
                    (p.us_budget_musd + p.jp_budget_musd + p.later_us_budget_musd + p.later_jp_budget_musd);
  }
  const int deadline = *ParseDate(p.decision_deadline);

  std::vector<std::size_t> order(p.candidates.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return p.candidates[a].id < p.candidates[b].id; });
  std::map<std::string, std::size_t> country_index;
  for (std::size_t ci : order) {
    const Candidate& c = p.candidates[ci];
    auto exclude = [&](Rule rule, std::string reason) {
      out.excluded.push_back({ci, c.id, std::move(reason)});
      out.excluded_rule.push_back(rule);
    };
    if (p.esg_threshold) {
      if (!c.esg_score && !p.allow_unknown_esg) {
        exclude(Rule::Esg, fmt::format("no ESG assessment (the threshold is {} and unknown scores are not allowed)",
                                       Share(*p.esg_threshold)));
        continue;
      }
      if (c.esg_score && *c.esg_score < *p.esg_threshold) {
        exclude(Rule::Esg,
                fmt::format("ESG score {} below the threshold {}", Share(*c.esg_score), Share(*p.esg_threshold)));
        continue;
      }
    }
    const int closing = *ParseDate(c.closing_date);
    const int tranche = closing <= deadline ? 0 : 1;
    if (tranche == 1 && !later_open) {
      exclude(Rule::Deadline, fmt::format("closes financing on {}, after the decision deadline {}, and no later "
                                          "tranche is open",
                                          c.closing_date, p.decision_deadline));
      continue;
    }
    const double need = std::max(0.0, c.capex_musd - c.private_musd);
    double cap = std::numeric_limits<double>::infinity();
    if (p.max_public_per_project_musd) cap = std::min(cap, *p.max_public_per_project_musd);
    if (p.max_public_share_of_capex) cap = std::min(cap, *p.max_public_share_of_capex * c.capex_musd);
    if (c.public_cap_musd) cap = std::min(cap, *c.public_cap_musd);
    if (c.public_cap_share) cap = std::min(cap, *c.public_cap_share * c.capex_musd);
    if (need > cap + kMoneyTol) {
      exclude(Rule::PublicCap,
              fmt::format("public need {} exceeds its per-project public cap {}", Money(need), Money(cap)));
      continue;
    }
    Item it;
    it.candidate = ci;
    it.mineral = c.mineral;
    it.tranche = tranche;
    it.capex = c.capex_musd;
    it.priv = c.private_musd;
    it.need = need;
    if (c.us_fixed_musd || c.jp_fixed_musd) {
      const double us = c.us_fixed_musd ? *c.us_fixed_musd : need - *c.jp_fixed_musd;
      it.us_lo = it.us_hi = std::clamp(us, 0.0, need);
    } else {
      const double inf = std::numeric_limits<double>::infinity();
      it.us_lo = std::max(0.0, need - c.jp_max_musd.value_or(inf));
      it.us_hi = std::min(need, c.us_max_musd.value_or(inf));
      if (it.us_lo > it.us_hi + kMoneyTol) {
        exclude(Rule::FunderLimits,
                fmt::format("its funders' limits (US {}, Japan {}) do not cover its public need {}",
                            Money(c.us_max_musd.value_or(need)), Money(c.jp_max_musd.value_or(need)), Money(need)));
        continue;
      }
      it.us_hi = std::max(it.us_hi, it.us_lo);
    }
    it.private_slack = c.private_musd - p.min_private_share * c.capex_musd;
    it.coef = m.coef[c.mineral];
    double sum = 0;
    for (const ReliefEntry& e : c.relief) {
      const std::size_t cell = static_cast<std::size_t>(e.scenario) * m.minerals + c.mineral;
      const double b = m.baseline[cell];
      if (b <= 0 || e.tonnes <= 0) continue;
      it.cells.push_back(static_cast<std::uint32_t>(cell));
      it.relief.push_back(std::min(e.tonnes, b));
      sum += it.relief.back();
    }
    it.standalone_gain = it.coef * sum;
    if (!(it.standalone_gain > 0)) {
      exclude(Rule::NoRelief, "relieves no weighted shortfall in any scenario");
      continue;
    }
    auto [pos, inserted] = country_index.emplace(c.country, m.countries.size());
    if (inserted) m.countries.push_back(c.country);
    it.country = pos->second;
    m.items.push_back(std::move(it));
  }
  return out;
}

// Drops chosen items that contribute nothing (ties in the objective), largest public need first,
// as long as the rest stays feasible: among equally good portfolios the cheaper one is reported.
void Prune(const Model& m, std::vector<std::size_t>& chosen) {
  std::vector<double> relief(m.scenarios * m.minerals, 0.0);
  Usage u(m);
  for (std::size_t i : chosen) {
    const Item& it = m.items[i];
    for (std::size_t k = 0; k < it.cells.size(); ++k) relief[it.cells[k]] += it.relief[k];
    u.Add(it);
  }
  std::vector<std::size_t> order = chosen;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return m.items[a].need > m.items[b].need; });
  const double tol = 1e-12 * std::max(1.0, m.objective_before);
  std::set<std::size_t> dropped;
  for (std::size_t i : order) {
    const Item& it = m.items[i];
    double loss = 0;
    for (std::size_t k = 0; k < it.cells.size(); ++k) {
      const double b = m.baseline[it.cells[k]];
      const double r = relief[it.cells[k]];
      loss += std::min(b, r) - std::min(b, r - it.relief[k]);
    }
    loss *= it.coef;
    if (loss > tol) continue;
    u.Remove(it);
    if (!detail::Feasible(m, u)) {
      u.Add(it);
      continue;
    }
    for (std::size_t k = 0; k < it.cells.size(); ++k) relief[it.cells[k]] -= it.relief[k];
    dropped.insert(i);
  }
  std::erase_if(chosen, [&](std::size_t i) { return dropped.count(i) > 0; });
}

// Deterministic report of a feasible split: in each tranche the US total is the budgets' ratio
// of the need, moved into the feasible interval, and every project takes the same fraction of its
// own US range.
void Split(const Model& m, const std::vector<std::size_t>& chosen, std::vector<double>& us) {
  Usage u(m);
  for (std::size_t i : chosen) u.Add(m.items[i]);
  double theta[detail::kTranches] = {0, 0};
  for (int t = 0; t < detail::kTranches; ++t) {
    const double bu = m.us_budget[t], bj = m.jp_budget[t];
    const double low = std::max(u.lo[t], u.need[t] - bj);
    const double high = std::min(u.hi[t], bu);
    const double target = bu + bj > 0 ? u.need[t] * bu / (bu + bj) : u.lo[t];
    const double total = std::clamp(std::min(std::max(target, low), high), u.lo[t], u.hi[t]);
    theta[t] = u.hi[t] > u.lo[t] ? (total - u.lo[t]) / (u.hi[t] - u.lo[t]) : 0.0;
  }
  us.clear();
  for (std::size_t i : chosen) {
    const Item& it = m.items[i];
    us.push_back(it.us_lo + theta[it.tranche] * (it.us_hi - it.us_lo));
  }
}

std::string RuleSummary(const Compiled& c, const PortfolioProblem& p) {
  std::map<Rule, std::size_t> count;
  for (Rule r : c.excluded_rule) ++count[r];
  if (count.size() == 1) {
    switch (count.begin()->first) {
      case Rule::Deadline:
        return fmt::format("no project closes financing on or before {} (and no later tranche is open)",
                           p.decision_deadline);
      case Rule::Esg: return "no project meets the ESG threshold";
      case Rule::PublicCap: return "every project's public need exceeds its per-project public cap";
      case Rule::FunderLimits: return "no project's public need is covered by its funders' limits";
      case Rule::NoRelief: return "no project relieves any weighted shortfall in the scenario sample";
    }
  }
  static constexpr const char* kNames[] = {"the ESG threshold", "the decision deadline", "the per-project public cap",
                                           "the funders' limits", "no relief"};
  std::string parts;
  for (const auto& [rule, n] : count) {
    if (!parts.empty()) parts += ", ";
    parts += fmt::format("{} by {}", n, kNames[static_cast<int>(rule)]);
  }
  return fmt::format("all {} candidates were excluded: {}", c.excluded.size(), parts);
}

// Why no project could enter: each constraint that rules out every eligible project on its own.
// (Budgets and country caps only tighten as projects are added, and a portfolio's private share
// is a capex-weighted mean of its projects' shares, so if no single project is feasible the empty
// portfolio is the only feasible one.)
std::vector<std::string> ExplainEmpty(const Model& m, const PortfolioProblem& p) {
  std::vector<std::string> out;
  bool any_single = false, any_budget = false, any_private = false, any_country = false;
  const Item* best_private = nullptr;
  const Item* cheapest = nullptr;
  for (const Item& it : m.items) {
    Usage u(m);
    u.Add(it);
    const bool budget_ok = detail::TrancheFeasible(m, u, it.tranche);
    const bool private_ok = u.private_slack >= -kMoneyTol;
    const bool country_ok = !m.country_cap || it.need <= *m.country_cap + kMoneyTol;
    any_budget |= budget_ok;
    any_private |= private_ok;
    any_country |= country_ok;
    any_single |= budget_ok && private_ok && country_ok;
    auto share = [](const Item& x) { return x.capex > 0 ? x.priv / x.capex : 1.0; };
    if (!best_private || share(it) > share(*best_private)) best_private = &it;
    if (!cheapest || it.need < cheapest->need) cheapest = &it;
  }
  if (any_single) return out;
  if (!any_private && best_private) {
    out.push_back(fmt::format("minimum private share {} cannot be met by any eligible project: best is {} (project {})",
                              Share(m.min_private_share), Share(best_private->priv / best_private->capex),
                              p.candidates[best_private->candidate].id));
  }
  if (!any_budget && cheapest) {
    const int t = cheapest->tranche;
    out.push_back(fmt::format(
        "no eligible project fits the public budgets: the smallest public need is {} (project {}) against US {} + "
        "Japan {} in tranche {}",
        Money(cheapest->need), p.candidates[cheapest->candidate].id, Money(m.us_budget[t]), Money(m.jp_budget[t]),
        t + 1));
  }
  if (!any_country && cheapest) {
    out.push_back(fmt::format(
        "no eligible project fits the country diversification cap {} ({} of the total public budget): the smallest "
        "public need is {} (project {})",
        Money(*m.country_cap), Share(*p.max_country_public_share), Money(cheapest->need),
        p.candidates[cheapest->candidate].id));
  }
  if (out.empty()) {
    out.push_back(
        "every eligible project breaks at least one of the budgets, the minimum private share or the "
        "country cap on its own");
  }
  return out;
}

std::size_t TouchedCells(const Model& m) {
  std::vector<char> touched(m.scenarios * m.minerals, 0);
  std::size_t n = 0;
  for (const Item& it : m.items) {
    for (std::uint32_t c : it.cells) {
      if (!touched[c]) {
        touched[c] = 1;
        ++n;
      }
    }
  }
  return n;
}

// `warm`: candidate indices of a portfolio known to be feasible (the base portfolio when the
// budget grows); the heuristic then searches from it and the MILP starts from it.
PortfolioResult Solve(const PortfolioProblem& p, const PortfolioOptions& options,
                      const std::vector<std::size_t>* warm = nullptr) {
  const auto start = std::chrono::steady_clock::now();
  if (auto errors = Validate(p); !errors.empty()) {
    model::Diagnostics d;
    for (const auto& e : errors) d.Error("", 0, 0, e);
    throw Error(ErrorKind::InvalidRequest, std::move(d));
  }
  Compiled compiled = Compile(p);
  const Model& m = compiled.model;

  PortfolioResult r;
  r.excluded = compiled.excluded;
  r.eligible_candidates = m.items.size();
  r.objective_before = m.objective_before;

  Method method = options.method;
  if (method == Method::Auto) {
    if (m.items.size() <= kAutoExhaustiveMax) {
      method = Method::Exhaustive;
    } else if (TouchedCells(m) <= options.auto_milp_max_cells) {
      method = Method::Milp;
    } else {
      method = Method::Heuristic;
    }
  }
  r.method = method;

  std::vector<std::size_t> warm_items;
  if (warm) {
    std::map<std::size_t, std::size_t> item_of;
    for (std::size_t i = 0; i < m.items.size(); ++i) item_of[m.items[i].candidate] = i;
    for (std::size_t c : *warm) {
      if (auto it = item_of.find(c); it != item_of.end()) warm_items.push_back(it->second);
    }
    Usage u(m);
    for (std::size_t i : warm_items) u.Add(m.items[i]);
    if (warm_items.size() != warm->size() || !detail::Feasible(m, u)) warm = nullptr;
  }

  detail::MethodOutput out;
  if (method == Method::Exhaustive) {
    if (m.items.size() > options.exhaustive_max_candidates) {
      throw Error::InvalidRequest(
          fmt::format("exhaustive search is limited to {} eligible candidates; this problem has {} (use the "
                      "MILP or the heuristic)",
                      options.exhaustive_max_candidates, m.items.size()));
    }
    out = detail::SolveExhaustive(m, options);
  } else if (method == Method::Heuristic) {
    out = warm ? detail::SolveHeuristicFrom(m, options, warm_items) : detail::SolveHeuristic(m, options);
  } else {
    // CBC's first incumbent: the warm portfolio, else the heuristic's.
    if (!warm) warm_items = detail::SolveHeuristic(m, options).items;
    out = detail::SolveMilp(m, options, &warm_items);
  }
  if (!out.error.empty()) throw Error::InvalidRequest(out.error);

  std::vector<std::size_t> chosen = out.items;
  std::sort(chosen.begin(), chosen.end());
  {
    Usage u(m);
    for (std::size_t i : chosen) u.Add(m.items[i]);
    if (!detail::Feasible(m, u)) {
      throw Error::Internal(
          fmt::format("the {} method returned a portfolio that breaks a constraint", MethodName(method)));
    }
  }
  Prune(m, chosen);
  r.outcome = out.outcome;
  r.objective_after = detail::Objective(m, chosen);

  if (out.bound) {
    const double bound = std::min(*out.bound, r.objective_after);
    r.bound = bound;
    const double bound_relief = m.objective_before - bound;
    const double relief = m.objective_before - r.objective_after;
    r.gap = bound_relief > 0 ? std::max(0.0, (bound_relief - relief) / bound_relief) : 0.0;
  } else if (r.outcome == Outcome::Optimal) {
    r.bound = r.objective_after;
    r.gap = 0.0;
  }

  // Who pays what.
  std::vector<double> us;
  Split(m, chosen, us);
  std::vector<double> relief(m.scenarios * m.minerals, 0.0);
  for (std::size_t i : chosen) {
    const Item& it = m.items[i];
    for (std::size_t k = 0; k < it.cells.size(); ++k) relief[it.cells[k]] += it.relief[k];
  }
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const Item& it = m.items[chosen[k]];
    const Candidate& c = p.candidates[it.candidate];
    ChosenProject cp;
    cp.candidate = it.candidate;
    cp.id = c.id;
    cp.mineral = p.minerals[c.mineral];
    cp.country = c.country;
    cp.tranche = it.tranche + 1;
    cp.capex_musd = it.capex;
    cp.us_public_musd = us[k];
    cp.jp_public_musd = std::max(0.0, it.need - us[k]);
    cp.private_musd = it.priv;
    double loss = 0;
    for (std::size_t e = 0; e < it.cells.size(); ++e) {
      const double b = m.baseline[it.cells[e]];
      const double rr = relief[it.cells[e]];
      loss += std::min(b, rr) - std::min(b, rr - it.relief[e]);
    }
    cp.marginal_relief = loss * it.coef;
    r.us_public_musd += cp.us_public_musd;
    r.jp_public_musd += cp.jp_public_musd;
    r.private_musd += cp.private_musd;
    r.capex_musd += cp.capex_musd;
    r.chosen.push_back(std::move(cp));
  }

  // Per-mineral expected shortfall, tonnes.
  const double inv_s = 1.0 / static_cast<double>(m.scenarios);
  for (std::size_t j = 0; j < m.minerals; ++j) {
    MineralShortfall ms;
    ms.mineral = p.minerals[j];
    ms.weight = p.weights[j];
    for (std::size_t s = 0; s < m.scenarios; ++s) {
      const std::size_t cell = s * m.minerals + j;
      const double b = m.baseline[cell];
      ms.expected_before_t += b;
      ms.expected_after_t += std::max(0.0, b - relief[cell]);
    }
    ms.expected_before_t *= inv_s;
    ms.expected_after_t *= inv_s;
    r.minerals.push_back(ms);
  }

  // Constraint use.
  auto tight = [](double used, double limit) { return used >= limit - 1e-6 * std::max(1.0, std::abs(limit)); };
  static constexpr const char* kTrancheName[] = {"tranche 1", "later tranche"};
  for (int t = 0; t < detail::kTranches; ++t) {
    if (t == 1 && m.us_budget[1] + m.jp_budget[1] <= 0) continue;
    double used_us = 0, used_jp = 0;
    for (const auto& cp : r.chosen) {
      if (cp.tranche == t + 1) {
        used_us += cp.us_public_musd;
        used_jp += cp.jp_public_musd;
      }
    }
    r.constraints.push_back({fmt::format("US public budget, {}", kTrancheName[t]), used_us, m.us_budget[t],
                             tight(used_us, m.us_budget[t])});
    r.constraints.push_back({fmt::format("Japan public budget, {}", kTrancheName[t]), used_jp, m.jp_budget[t],
                             tight(used_jp, m.jp_budget[t])});
  }
  if (m.min_private_share > 0) {
    const double share = r.capex_musd > 0 ? r.private_musd / r.capex_musd : 0.0;
    r.constraints.push_back({"minimum private share", share, m.min_private_share,
                             !r.chosen.empty() && share <= m.min_private_share + 1e-9});
  }
  if (m.country_cap) {
    std::map<std::string, double> per_country;
    for (const auto& cp : r.chosen) per_country[cp.country] += cp.us_public_musd + cp.jp_public_musd;
    for (const auto& [country, used] : per_country) {
      r.constraints.push_back(
          {fmt::format("public money in {}", country), used, *m.country_cap, tight(used, *m.country_cap)});
    }
  }

  // Why the portfolio is empty.
  if (r.chosen.empty()) {
    if (p.candidates.empty()) {
      r.explanations.push_back("no candidate projects were given");
    } else if (m.items.empty()) {
      r.explanations.push_back(RuleSummary(compiled, p));
    } else {
      r.explanations = ExplainEmpty(m, p);
    }
  }

  r.assumptions = {
      "relief is additive within a mineral and capped by the baseline shortfall: shortfall(s,m) = max(0, b[s][m] - "
      "sum of the chosen projects' relief r[p][s]); check the chosen portfolio with the full simulator",
      "scenarios are equally likely (1/S each)",
      "a project's tranche is fixed by its financing close: on or before the decision deadline -> tranche 1, after "
      "-> the later tranche",
      "a free public split is reported with each tranche's US total at the budgets' ratio of the need (moved into the "
      "feasible range) and every project taking the same fraction of its own US range",
      "projects that relieve no weighted shortfall are not considered"};
  r.solve_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace

std::vector<std::string> ValidateProblem(const PortfolioProblem& problem) { return Validate(problem); }

double ExpectedWeightedShortfall(const PortfolioProblem& p, const std::vector<std::size_t>& selection) {
  const std::size_t nm = p.minerals.size();
  std::vector<double> relief(p.baseline_shortfall_t.size(), 0.0);
  for (std::size_t i : selection) {
    const Candidate& c = p.candidates.at(i);
    for (const ReliefEntry& e : c.relief) relief.at(static_cast<std::size_t>(e.scenario) * nm + c.mineral) += e.tonnes;
  }
  double total = 0;
  for (std::size_t k = 0; k < relief.size(); ++k)
    total += p.weights[k % nm] * std::max(0.0, p.baseline_shortfall_t[k] - relief[k]);
  return total / static_cast<double>(p.scenario_count);
}

PortfolioResult Optimise(const PortfolioProblem& problem, const PortfolioOptions& options) {
  PortfolioResult r;
  try {
    r = Solve(problem, options);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error::Internal(fmt::format("portfolio optimisation failed: {}", e.what()));
  }
  if (!options.marginal_budget_values) return r;

  // Marginal value of tranche-1 budget: re-solve with more US (then more Japan) money, same method.
  PortfolioOptions again = options;
  again.method = r.method;
  again.marginal_budget_values = false;
  for (int funder = 0; funder < 2; ++funder) {
    PortfolioProblem bigger = problem;
    double& budget = funder == 0 ? bigger.us_budget_musd : bigger.jp_budget_musd;
    MarginalBudgetValue mv;
    mv.budget = funder == 0 ? "US public budget, tranche 1" : "Japan public budget, tranche 1";
    mv.base_musd = budget;
    mv.delta_musd = std::max(kMarginalShare * budget, kMarginalMinMusd);
    budget += mv.delta_musd;
    PortfolioResult rr;
    std::vector<std::size_t> base;
    for (const auto& c : r.chosen) base.push_back(c.candidate);
    try {
      rr = Solve(bigger, again, &base);
    } catch (const Error& e) {
      r.explanations.push_back(fmt::format("marginal value of the {} not computed: {}", mv.budget, e.Describe()));
      continue;
    } catch (const std::exception& e) {
      r.explanations.push_back(fmt::format("marginal value of the {} not computed: {}", mv.budget, e.what()));
      continue;
    }
    // The current portfolio stays feasible with more budget, so the value is never negative.
    mv.objective_after = std::min(rr.objective_after, r.objective_after);
    mv.value_per_musd = (r.objective_after - mv.objective_after) / mv.delta_musd;
    r.marginal_values.push_back(mv);
  }
  return r;
}

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::Auto: return "auto";
    case Method::Milp: return "milp";
    case Method::Exhaustive: return "exhaustive";
    case Method::Heuristic: return "heuristic";
  }
  return "unknown";
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::NotSolved: return "not solved";
    case Outcome::Optimal: return "optimal";
    case Outcome::FeasibleWithGap: return "feasible with gap";
    case Outcome::Infeasible: return "infeasible";
  }
  return "unknown";
}

std::optional<Method> ParseMethod(std::string_view text) {
  for (Method m : {Method::Auto, Method::Milp, Method::Exhaustive, Method::Heuristic}) {
    if (text == MethodName(m)) return m;
  }
  return std::nullopt;
}

}  // namespace lodestone::invest
