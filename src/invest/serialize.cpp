// JSON and CSV of the projects-of-interest results. Key names and order are the published format.
#include "lodestone/invest/serialize.hpp"

#include <nlohmann/json.hpp>

#include "lodestone/model/value.hpp"

namespace lodestone::invest {

namespace {

using app::Json;

Json Opt(const std::optional<double>& x) { return x ? Json(*x) : Json(nullptr); }
Json OptText(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }
std::string Num(double x) { return model::FormatNumber(x); }
std::string OptNum(const std::optional<double>& x) { return x ? model::FormatNumber(*x) : std::string("NA"); }

Json MethodJson(const char* id) { return Json{{"id", id}, {"version", kPlanMethodVersion}}; }

// A figure that may be missing: its number when known, else its cell text ("NA", ">50", "W").
Json FigureJson(const model::Value& v) {
  if (v.IsKnown()) return v.number;
  return model::FormatValueCell(v);
}

}  // namespace

Json ToJson(const ProjectEvaluation& p, double horizon) {
  Json j;
  j["id"] = p.id;
  j["name"] = p.name;
  j["mineral"] = p.mineral;
  j["unit"] = p.unit;
  j["stage"] = std::string(Name(p.stage));
  j["country"] = p.country;
  j["evaluable"] = p.evaluable;
  j["baseline_supply"] = p.baseline;
  j["esg_score"] = Opt(p.esg_score);
  j["esg_basis"] = p.esg_basis;
  if (!p.evaluable) {
    j["reason"] = p.reason;
    return j;
  }
  j["added_supply"] = {{"tonnes_per_year", p.addition.tonnes_per_year}, {"refined", p.addition.refined}};
  j["horizon_months"] = horizon;
  j["partner_demand_t"] = p.partner_demand_t;
  auto pct = [&](double x) { return Opt(PartnerDemandPct(p, x)); };
  j["partner_shortfall"] = {{"expected_before_t", p.expected_before_t},
                            {"expected_after_t", p.expected_after_t},
                            {"expected_before_pct", pct(p.expected_before_t)},
                            {"expected_after_pct", pct(p.expected_after_t)},
                            {"cvar95_before_t", p.cvar95_before_t},
                            {"cvar95_after_t", p.cvar95_after_t},
                            {"cvar95_before_pct", pct(p.cvar95_before_t)},
                            {"cvar95_after_pct", pct(p.cvar95_after_t)},
                            {"expected_relief_t", p.expected_relief_t}};
  j["scenarios_touched"] = p.scenarios_touched;
  j["scenarios_with_relief"] = p.relief.size();
  j["public_musd"] = Opt(p.public_musd);
  j["public_basis"] = p.public_basis;
  j["public_usd_per_t_per_year_of_relief"] = Opt(p.public_usd_per_relief_t_per_year);
  j["public_usd_per_t_per_year_of_capacity"] = Opt(p.public_usd_per_capacity_t);
  j["private_per_public_usd"] = Opt(p.private_per_public);
  j["capital_stack"] = {{"us_public_musd", p.money.us_public},
                        {"japan_public_musd", p.money.jp_public},
                        {"other_public_musd", p.money.other_public},
                        {"private_musd", p.money.private_money},
                        {"amounts_not_available", p.money.amounts_not_available},
                        {"guarantees_and_offtakes_not_counted", p.money.commitments_not_counted}};
  j["months_to_first_output"] = Opt(p.months_to_first_output);
  const auto& c = p.concentration;
  j["concentration"] = {{"stage", c.stage},
                        {"top_before", c.top_before},
                        {"top_share_before", c.top_share_before},
                        {"top_after", c.top_after},
                        {"top_share_after", c.top_share_after},
                        {"crma_65pct_met_before", c.crma_met_before},
                        {"crma_65pct_met_after", c.crma_met_after}};
  j["notes"] = p.notes;
  return j;
}

Json ToJson(const ProjectEvaluationReport& r) {
  Json j = ToJson(r.project, r.horizon_months);
  j["runs"] = r.runs;
  j["seed"] = r.seed;
  j["partners"] = r.partners;
  j["as_of"] = r.as_of;
  j["assumptions"] = r.assumptions;
  j["method_info"] = MethodJson(kEvaluationMethodId);
  j["provenance"] = {
      {"project_source", {{"kind", std::string(Name(r.source_kind))}, {"description", r.project_source}}},
      {"register", r.register_id},
      {"runs", r.runs},
      {"seed", r.seed},
      {"partners", r.partners},
      {"as_of", r.as_of}};
  return j;
}

model::CsvRows ToCsv(const ProjectEvaluationReport& r) {
  const auto& p = r.project;
  model::CsvRows out;
  out.columns = {"id",
                 "mineral",
                 "evaluable",
                 "reason",
                 "expected_before_t",
                 "expected_after_t",
                 "cvar95_before_t",
                 "cvar95_after_t",
                 "partner_demand_t",
                 "public_musd",
                 "public_usd_per_t_per_year_of_relief",
                 "private_per_public_usd",
                 "months_to_first_output",
                 "top_share_before",
                 "top_share_after"};
  out.rows.push_back({p.id, p.mineral, p.evaluable ? "true" : "false", p.reason, Num(p.expected_before_t),
                      Num(p.expected_after_t), Num(p.cvar95_before_t), Num(p.cvar95_after_t), Num(p.partner_demand_t),
                      OptNum(p.public_musd), OptNum(p.public_usd_per_relief_t_per_year), OptNum(p.private_per_public),
                      OptNum(p.months_to_first_output), Num(p.concentration.top_share_before),
                      Num(p.concentration.top_share_after)});
  return out;
}

Json ToJson(const PortfolioPlan& plan) {
  const auto& b = plan.budgets;
  Json j;
  j["runs"] = plan.runs;
  j["seed"] = plan.seed;
  j["register"] = plan.register_id;
  j["partners"] = plan.partners;
  j["projects"] = plan.projects;
  j["evaluable"] = plan.evaluable;
  j["candidates"] = plan.candidates;
  j["budgets"] = {{"deadline", b.decision_deadline},
                  {"us_musd", b.us_budget_musd},
                  {"japan_musd", b.jp_budget_musd},
                  {"later_us_musd", b.later_us_budget_musd},
                  {"later_japan_musd", b.later_jp_budget_musd},
                  {"min_private_share", b.min_private_share},
                  {"max_country_public_share", Opt(b.max_country_public_share)},
                  {"esg_threshold", Opt(b.esg_threshold)},
                  {"allow_unknown_esg", b.allow_unknown_esg}};
  j["method"] = std::string(MethodName(plan.method));
  j["outcome"] = std::string(OutcomeName(plan.outcome));
  j["gap"] = Opt(plan.gap);
  auto& chosen = j["chosen"] = Json::array();
  for (const auto& pc : plan.chosen) {
    const auto& c = pc.chosen;
    chosen.push_back({{"id", c.id},
                      {"mineral", c.mineral},
                      {"country", c.country},
                      {"tranche", c.tranche},
                      {"closing_date", pc.closing_date},
                      {"closing_basis", pc.closing_basis},
                      {"capex_musd", c.capex_musd},
                      {"us_public_musd", c.us_public_musd},
                      {"japan_public_musd", c.jp_public_musd},
                      {"private_musd", c.private_musd},
                      {"marginal_relief", c.marginal_relief},
                      {"notes", pc.notes}});
  }
  j["totals"] = {{"capex_musd", plan.capex_musd},
                 {"us_public_musd", plan.us_public_musd},
                 {"japan_public_musd", plan.jp_public_musd},
                 {"private_musd", plan.private_musd}};
  j["objective"] = {{"measure", kObjectiveMeasure},
                    {"before", plan.objective_before},
                    {"after_additive", plan.objective_after_additive},
                    {"after_simulated", plan.objective_after_simulated}};
  auto& mins = j["minerals"] = Json::array();
  for (const auto& m : plan.minerals) {
    mins.push_back({{"mineral", m.mineral},
                    {"unit", m.unit},
                    {"weight", m.weight},
                    {"expected_before_t", m.expected_before_t},
                    {"expected_after_additive_t", m.additive_after_t},
                    {"expected_after_simulated_t", m.simulated_after_t}});
  }
  auto& cons = j["constraints"] = Json::array();
  for (const auto& c : plan.constraints) {
    cons.push_back({{"name", c.name}, {"used", c.used}, {"limit", c.limit}, {"binding", c.tight}});
  }
  auto& mv = j["marginal_values"] = Json::array();
  for (const auto& m : plan.marginal_values) {
    mv.push_back({{"budget", m.budget},
                  {"base_musd", m.base_musd},
                  {"delta_musd", m.delta_musd},
                  {"objective_after", m.objective_after},
                  {"value_per_musd", m.value_per_musd},
                  {"value_per_million_usd", m.value_per_musd}});
  }
  auto& ex = j["excluded"] = Json::array();
  for (const auto& x : plan.excluded) ex.push_back({{"id", x.id}, {"reason", x.reason}});
  j["explanations"] = plan.explanations;
  j["assumptions"] = plan.assumptions;
  j["method_info"] = MethodJson(kPlanMethodId);
  j["provenance"] = {
      {"project_source", {{"kind", std::string(Name(plan.source_kind))}, {"description", plan.project_source}}},
      {"register", plan.register_id},
      {"runs", plan.runs},
      {"seed", plan.seed},
      {"partners", plan.partners},
      {"horizon_months", plan.horizon_months}};
  return j;
}

model::CsvRows ToCsv(const PortfolioPlan& plan) {
  model::CsvRows out;
  out.columns = {"id",         "mineral",        "country",           "tranche",      "closing_date",
                 "capex_musd", "us_public_musd", "japan_public_musd", "private_musd", "marginal_relief"};
  for (const auto& pc : plan.chosen) {
    const auto& c = pc.chosen;
    out.rows.push_back({c.id, c.mineral, c.country, std::to_string(c.tranche), pc.closing_date, Num(c.capex_musd),
                        Num(c.us_public_musd), Num(c.jp_public_musd), Num(c.private_musd), Num(c.marginal_relief)});
  }
  return out;
}

Json ToJson(const Project& p) {
  Json j;
  for (const auto& f : ProjectColumns()) {
    if (f == "capacity_t")
      j[f] = FigureJson(p.capacity_t);
    else if (f == "capex_musd")
      j[f] = FigureJson(p.capex_musd);
    else if (f == "opex_musd_per_year")
      j[f] = FigureJson(p.opex_musd_per_year);
    else if (f == "esg_score")
      j[f] = FigureJson(p.esg_score);
    else if (f == "sponsors")
      j[f] = p.sponsors;
    else if (f == "first_output")
      j[f] = p.first_output.empty() ? Json(nullptr) : Json(p.first_output);
    else
      j[f] = *GetField(p, f);
  }
  auto& stack = j["capital_stack"] = Json::array();
  for (const auto& l : p.capital_stack) {
    stack.push_back({{"instrument", Name(l.instrument)},
                     {"funder", Name(l.funder)},
                     {"amount_musd", FigureJson(l.amount_musd)},
                     {"closing_date", l.closing_date},
                     {"source", l.source},
                     {"note", l.note}});
  }
  // Confidential terms as the caller may see them (see Redact): the owner always; the values, or
  // null with "withheld": true for a viewer of another partner.
  const auto& c = p.confidential;
  auto text = [&](const std::string& s) { return c.withheld || s.empty() ? Json(nullptr) : Json(s); };
  j["confidential"] = {{"owner", c.owner.empty() ? Json(nullptr) : Json(c.owner)},
                       {"withheld", c.withheld},
                       {"financing",
                        {{"committed_musd", FigureJson(c.committed_musd)},
                         {"instrument", text(c.instrument)},
                         {"rate_pct", FigureJson(c.rate_pct)},
                         {"tenor_years", FigureJson(c.tenor_years)}}},
                       {"offtake", text(c.offtake)},
                       {"notes", text(c.notes)}};
  return j;
}

Json ToJson(const std::vector<Project>& projects) {
  Json arr = Json::array();
  for (const auto& p : projects) arr.push_back(ToJson(p));
  return arr;
}

model::CsvRows ToCsv(const std::vector<Project>& projects) {
  model::CsvRows out;
  out.columns = ProjectColumns();
  for (const auto& p : projects) {
    std::vector<std::string> row;
    for (const auto& c : ProjectColumns()) row.push_back(*GetField(p, c));
    out.rows.push_back(std::move(row));
  }
  return out;
}

Json ToJson(const std::vector<AuditEntry>& history) {
  Json arr = Json::array();
  for (const auto& e : history) {
    arr.push_back({{"id", e.id},
                   {"at", e.at},
                   {"actor", e.actor},
                   {"action", e.action},
                   {"project_id", e.project_id},
                   {"field", OptText(e.field)},
                   {"old_value", OptText(e.old_value)},
                   {"new_value", OptText(e.new_value)},
                   {"reason", e.reason}});
  }
  return arr;
}

model::CsvRows ToCsv(const std::vector<AuditEntry>& history) {
  model::CsvRows out;
  out.columns = {"at", "actor", "action", "field", "old", "new", "reason"};
  auto cell = [](const std::optional<std::string>& s) { return s ? *s : std::string("-"); };
  for (const auto& e : history) {
    out.rows.push_back({e.at, e.actor, e.action, e.field.value_or(""), cell(e.old_value), cell(e.new_value), e.reason});
  }
  return out;
}

Json ToJson(const ImportReport& r) {
  return Json{{"database", r.database},           {"projects", r.projects},
              {"inserted", r.summary.inserted},   {"updated", r.summary.updated},
              {"unchanged", r.summary.unchanged}, {"audit_rows", r.summary.fields_changed}};
}

}  // namespace lodestone::invest
