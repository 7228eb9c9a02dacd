// Sweeps cut into work items (see sweep.hpp). A register part is the simulator's own McPartial
// bytes (sim::Serialize); a projects or grid part is a JSON text holding each item's final JSON
// object and CSV rows, so that merging is a union of items by index and the finished document is
// the same whatever the split.
#include "lodestone/sim_facade/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "lodestone/invest/evaluate.hpp"
#include "lodestone/invest/serialize.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/json_limits.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/sim/inputs.hpp"
#include "lodestone/sim/network.hpp"
#include "lodestone/sim/scenario.hpp"

namespace lodestone::facade {

namespace fs = std::filesystem;
using Json = sim::Json;

namespace {

constexpr std::uint64_t kMaxRuns = 100000000;        // as `lodestone simulate --runs`
constexpr std::uint64_t kMaxCombinations = 1000000;  // a grid beyond this is a mistake, not a sweep
constexpr const char* kPartMagic = "lodestone.sweep.part";

void CheckRuns(std::uint64_t runs, std::string_view what) {
  if (runs < 1 || runs > kMaxRuns) {
    throw Error::InvalidRequest(fmt::format("{} {}: expected 1 to {}", what, runs, kMaxRuns));
  }
}

// The network of the request's year: the workspace's baseline or one built for this sweep.
const sim::Network& NetworkFor(const app::Workspace& ws, const SweepRequest& rq, std::optional<sim::Network>& other) {
  if (rq.year && *rq.year != ws.baseline_year()) {
    if (!other) other = sim::BuildNetwork(ws.dataset(), ws.sim_inputs(), *rq.year);
    return *other;
  }
  return ws.network();
}

int YearOf(const app::Workspace& ws, const SweepRequest& rq) { return rq.year ? *rq.year : ws.baseline_year(); }

sim::McOptions McOpts(const SweepPlan& plan) {
  sim::McOptions opt;
  opt.runs = plan.runs;
  opt.seed = plan.seed;
  opt.threads = plan.request.threads;
  opt.eval = SimEvalOptions(plan.request.sector_rule);
  return opt;
}

// --- Grid file

[[noreturn]] void GridError(const fs::path& file, std::string message) {
  throw Error::InvalidData(file.string(), 0, 0, std::move(message));
}

std::uint64_t GridUInt(const fs::path& file, const Json& j, std::string_view field) {
  if (!j.is_number_unsigned()) {
    GridError(file, fmt::format("{}: expected a whole number >= 0, found {}", field, j.dump()));
  }
  return j.get<std::uint64_t>();
}

// Reads and validates the grid file into the plan (parameters, scenarios, register size).
void LoadGrid(const app::Workspace& ws, const fs::path& file, SweepPlan& plan) {
  if (!fs::is_regular_file(file)) throw Error::NotFound(fmt::format("grid file {} not found", file.string()));
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Json j;
  model::CheckJsonLimits(text.str(), file.string(), sim::kMaxJsonBytes, sim::kMaxJsonDepth, "a grid file");
  try {
    j = Json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {  // syntax, or a number beyond a double
    GridError(file, fmt::format("not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) GridError(file, "expected a JSON object with \"parameters\" and \"scenarios\" or \"register\"");
  for (const auto& [key, value] : j.items()) {
    if (key != "parameters" && key != "scenarios" && key != "register") {
      GridError(file, fmt::format("unknown field \"{}\": expected parameters, scenarios or register", key));
    }
  }
  if (!j.contains("parameters") || !j["parameters"].is_object() || j["parameters"].empty()) {
    GridError(file, "parameters: expected an object of parameter names, each with a list of values");
  }
  const auto& known = ws.sim_inputs().parameters;
  plan.combinations = 1;
  for (const auto& [key, values] : j["parameters"].items()) {
    const bool in_table =
        std::any_of(known.begin(), known.end(), [&](const sim::ParameterRow& p) { return p.key == key; });
    if (!in_table) {
      std::vector<std::string> names;
      for (const auto& p : known) names.push_back(p.key);
      GridError(file, fmt::format("parameters.{}: not a parameter of the simulator's table {} (known: {})", key,
                                  (ws.paths().sim_data / "parameters.csv").string(), fmt::join(names, ", ")));
    }
    if (!values.is_array() || values.empty()) {
      GridError(file, fmt::format("parameters.{}: expected a non-empty list of numbers", key));
    }
    GridParameter p;
    p.key = key;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!values[i].is_number()) {
        GridError(file, fmt::format("parameters.{}[{}]: expected a number, found {}", key, i, values[i].dump()));
      }
      p.values.push_back(values[i].get<double>());
      if (auto problem = sim::ParameterValueProblem(key, p.values.back(), values[i].dump())) {
        GridError(file, fmt::format("parameters.{}[{}]: {}", key, i, *problem));
      }
    }
    plan.combinations *= p.values.size();
    if (plan.combinations > kMaxCombinations) {
      GridError(file, fmt::format("more than {} combinations of parameters", kMaxCombinations));
    }
    plan.parameters.push_back(std::move(p));
  }
  const bool has_scen = j.contains("scenarios"), has_reg = j.contains("register");
  if (has_scen == has_reg) {
    GridError(file, "expected either \"scenarios\" (a list of scenario files) or \"register\" (the Monte Carlo)");
  }
  if (has_scen) {
    const auto& s = j["scenarios"];
    if (!s.is_array() || s.empty()) GridError(file, "scenarios: expected a non-empty list of scenario files");
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (!s[i].is_string() || s[i].get<std::string>().empty()) {
        GridError(file, fmt::format("scenarios[{}]: expected a file name, found {}", i, s[i].dump()));
      }
      const fs::path name = s[i].get<std::string>();
      // Relative names: beside the grid file, else in the workspace's scenario directory.
      fs::path path = name;
      if (name.is_relative()) {
        path = file.parent_path() / name;
        if (!fs::is_regular_file(path)) path = ws.paths().scenarios / name;
      }
      if (!fs::is_regular_file(path)) {
        throw Error::NotFound(fmt::format("{}: scenarios[{}]: scenario file {} not found beside the grid file or in {}",
                                          file.string(), i, name.string(), ws.paths().scenarios.string()));
      }
      (void)sim::LoadScenario(path);  // validated now, before any work is spread
      plan.scenario_files.push_back(path);
      plan.scenario_names.push_back(name.string());
    }
  } else {
    const auto& r = j["register"];
    if (!r.is_object()) GridError(file, "register: expected an object with runs and seed (both optional)");
    for (const auto& [key, value] : r.items()) {
      if (key != "runs" && key != "seed") GridError(file, fmt::format("register.{}: expected runs or seed", key));
    }
    if (r.contains("runs")) {
      plan.runs = GridUInt(file, r["runs"], "register.runs");
      if (plan.runs < 1 || plan.runs > kMaxRuns) {
        GridError(file, fmt::format("register.runs {}: expected 1 to {}", plan.runs, kMaxRuns));
      }
    }
    if (r.contains("seed")) plan.seed = GridUInt(file, r["seed"], "register.seed");
    (void)ws.risk_register();
  }
}

// The values of combination c: the first parameter varies slowest.
std::vector<double> CombinationValues(const SweepPlan& plan, std::uint64_t c) {
  std::vector<double> v(plan.parameters.size());
  for (std::size_t i = plan.parameters.size(); i-- > 0;) {
    const auto n = plan.parameters[i].values.size();
    v[i] = plan.parameters[i].values[c % n];
    c /= n;
  }
  return v;
}

std::uint64_t ScenariosPerCombination(const SweepPlan& plan) {
  return plan.scenario_files.empty() ? 1 : plan.scenario_files.size();
}

// --- Parts of projects and grid sweeps: {magic, workload, items, assumptions, entries: [{index,
// json, rows}]}, entries sorted by index.

struct ListPart {
  std::vector<std::string> assumptions;
  std::map<std::uint64_t, std::pair<Json, std::vector<std::vector<std::string>>>> entries;
};

std::string WriteListPart(const SweepPlan& plan, const ListPart& p) {
  Json j;
  j["magic"] = kPartMagic;
  j["workload"] = std::string(Name(plan.request.workload));
  j["items"] = plan.items;
  j["assumptions"] = p.assumptions;
  Json entries = Json::array();
  for (const auto& [index, e] : p.entries)
    entries.push_back(Json{{"index", index}, {"json", e.first}, {"rows", e.second}});
  j["entries"] = std::move(entries);
  return j.dump();
}

ListPart ReadListPart(const SweepPlan& plan, std::string_view bytes) {
  ListPart p;
  if (bytes.empty()) return p;
  Json j;
  try {
    j = Json::parse(bytes);
  } catch (const nlohmann::json::exception& e) {
    throw Error::InvalidData("", 0, 0, fmt::format("sweep part: not valid JSON ({})", e.what()));
  }
  try {
    if (!j.is_object() || j.value("magic", "") != kPartMagic) {
      throw Error::InvalidData("", 0, 0, "sweep part: not a part of a sweep");
    }
    if (j.at("workload").get<std::string>() != Name(plan.request.workload) ||
        j.at("items").get<std::uint64_t>() != plan.items) {
      throw Error::InvalidRequest("sweep part: of another sweep (workload or number of items differ)");
    }
    p.assumptions = j.at("assumptions").get<std::vector<std::string>>();
    for (const auto& e : j.at("entries")) {
      const auto index = e.at("index").get<std::uint64_t>();
      if (index >= plan.items)
        throw Error::InvalidData("", 0, 0, fmt::format("sweep part: item {} out of range", index));
      p.entries[index] = {e.at("json"), e.at("rows").get<std::vector<std::vector<std::string>>>()};
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error::InvalidData("", 0, 0, fmt::format("sweep part: malformed ({})", e.what()));
  }
  return p;
}

// --- Items

ListPart RunProjects(const app::Workspace& ws, const SweepPlan& plan, std::uint64_t first, std::uint64_t last) {
  const auto& rq = plan.request;
  std::optional<sim::Network> other;
  invest::EvaluationRequest er;
  er.network = &NetworkFor(ws, rq, other);
  er.reg = &ws.risk_register();
  er.runs = plan.runs;
  er.seed = plan.seed;
  er.partners = rq.partners;
  er.as_of = rq.as_of;
  er.threads = rq.threads;
  er.eval = SimEvalOptions(rq.sector_rule);
  if (rq.progress) {
    er.progress = [&rq](std::size_t done, std::size_t total) { rq.progress(done, total); };
  }
  er.projects.assign(plan.projects.begin() + static_cast<std::ptrdiff_t>(first),
                     plan.projects.begin() + static_cast<std::ptrdiff_t>(last));
  er.chain_context = plan.projects;  // feed chains are judged against the whole project source
  const auto ev = invest::EvaluateWithScreens(ws, std::move(er));
  ListPart part;
  part.assumptions = ev.assumptions;
  for (std::size_t i = 0; i < ev.projects.size(); ++i) {
    invest::ProjectEvaluationReport report;
    report.project = ev.projects[i];
    const auto csv = invest::ToCsv(report);
    part.entries[first + i] = {invest::ToJson(ev.projects[i], ev.horizon_months), csv.rows};
  }
  return part;
}

Json ParametersJson(const SweepPlan& plan, const std::vector<double>& values) {
  Json j = Json::object();
  for (std::size_t i = 0; i < plan.parameters.size(); ++i) j[plan.parameters[i].key] = values[i];
  return j;
}

ListPart RunGrid(const app::Workspace& ws, const SweepPlan& plan, std::uint64_t first, std::uint64_t last) {
  const auto& rq = plan.request;
  const std::uint64_t per = ScenariosPerCombination(plan);
  const auto eval = SimEvalOptions(rq.sector_rule);
  ListPart part;
  std::optional<std::uint64_t> built_for;
  std::optional<sim::Network> net;
  for (std::uint64_t item = first; item < last; ++item) {
    const std::uint64_t c = item / per, s = item % per;
    const auto values = CombinationValues(plan, c);
    if (built_for != c) {
      // The simulator's inputs with this combination's parameter values, and their network.
      sim::SimInputs inputs = ws.sim_inputs();
      for (std::size_t i = 0; i < plan.parameters.size(); ++i) {
        for (auto& p : inputs.parameters) {
          if (p.key == plan.parameters[i].key) p.value = values[i];
        }
      }
      net = sim::BuildNetwork(ws.dataset(), inputs, YearOf(ws, rq));
      built_for = c;
    }
    Json entry;
    entry["combination"] = c;
    entry["parameters"] = ParametersJson(plan, values);
    model::CsvRows csv;
    if (plan.scenario_files.empty()) {
      entry["scenario"] = "register";
      const auto res = sim::RunMonteCarlo(*net, ws.risk_register(), McOpts(plan));
      entry["result"] = sim::ToJson(res);
      csv = sim::ToCsv(res);
    } else {
      entry["scenario"] = plan.scenario_names[s];
      const auto res = sim::Run(*net, sim::LoadScenario(plan.scenario_files[s]), eval);
      entry["result"] = sim::ToJson(res);
      csv = sim::ToCsv(res);
    }
    std::vector<std::vector<std::string>> rows;
    for (auto& r : csv.rows) {
      std::vector<std::string> row{std::to_string(c)};
      for (double v : values) row.push_back(model::FormatNumber(v));
      row.insert(row.end(), r.begin(), r.end());
      rows.push_back(std::move(row));
    }
    part.entries[item] = {std::move(entry), std::move(rows)};
    if (rq.progress) rq.progress(item + 1 - first, last - first);
  }
  return part;
}

}  // namespace

std::optional<SweepWorkload> ParseSweepWorkload(std::string_view text) {
  if (text == "register") return SweepWorkload::Register;
  if (text == "projects") return SweepWorkload::Projects;
  if (text == "grid") return SweepWorkload::Grid;
  return std::nullopt;
}

std::string_view Name(SweepWorkload w) {
  switch (w) {
    case SweepWorkload::Register: return "register";
    case SweepWorkload::Projects: return "projects";
    case SweepWorkload::Grid: return "grid";
  }
  return "register";
}

SweepPlan PlanSweep(const app::Workspace& ws, const SweepRequest& request) {
  SweepPlan plan;
  plan.request = request;
  plan.runs = request.runs;
  plan.seed = request.seed;
  (void)SimEvalOptions(request.sector_rule);
  CheckRuns(request.runs, "runs");
  std::optional<sim::Network> other;
  (void)NetworkFor(ws, request, other);  // the year's network builds, before any work is spread
  switch (request.workload) {
    case SweepWorkload::Register:
      (void)ws.risk_register();
      plan.items = sim::McBlockCount(plan.runs);
      break;
    case SweepWorkload::Projects: {
      (void)ws.risk_register();
      auto set = invest::LoadProjectSource(ws, request.projects);
      if (set.projects.empty()) throw Error::InvalidRequest("the project source holds no project");
      // Partners and the as-of date are checked by an evaluation of no project.
      invest::EvaluationRequest er;
      er.network = &NetworkFor(ws, request, other);
      er.reg = &ws.risk_register();
      er.runs = 1;
      er.partners = request.partners;
      er.as_of = request.as_of;
      (void)invest::EvaluateProjects(er);
      plan.projects = std::move(set.projects);
      plan.project_source = std::move(set.description);
      plan.items = plan.projects.size();
      break;
    }
    case SweepWorkload::Grid:
      if (request.grid_file.empty()) throw Error::InvalidRequest("a grid sweep needs a grid file");
      LoadGrid(ws, request.grid_file, plan);
      plan.items = plan.combinations * ScenariosPerCombination(plan);
      break;
  }
  return plan;
}

std::string RunSweepItems(const app::Workspace& ws, const SweepPlan& plan, std::uint64_t first, std::uint64_t last) {
  if (first >= last || last > plan.items) {
    throw Error::InvalidRequest(
        fmt::format("sweep items [{}, {}): expected a non-empty range within [0, {})", first, last, plan.items));
  }
  switch (plan.request.workload) {
    case SweepWorkload::Register: {
      std::optional<sim::Network> other;
      auto opt = McOpts(plan);
      opt.progress = plan.request.progress;
      return sim::Serialize(
          sim::RunMonteCarloBlocks(NetworkFor(ws, plan.request, other), ws.risk_register(), opt, first, last));
    }
    case SweepWorkload::Projects: return WriteListPart(plan, RunProjects(ws, plan, first, last));
    case SweepWorkload::Grid: return WriteListPart(plan, RunGrid(ws, plan, first, last));
  }
  throw Error::Internal("unknown sweep workload");
}

std::string MergeSweepParts(const SweepPlan& plan, std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  if (plan.request.workload == SweepWorkload::Register) {
    const auto pa = sim::Deserialize(a), pb = sim::Deserialize(b);
    if (pa.runs != plan.runs || pa.seed != plan.seed) {
      throw Error::InvalidRequest("sweep part: of another Monte Carlo run (runs or seed differ)");
    }
    return sim::Serialize(sim::Merge(pa, pb));
  }
  auto pa = ReadListPart(plan, a);
  auto pb = ReadListPart(plan, b);
  for (auto& [index, e] : pb.entries) {
    if (!pa.entries.emplace(index, std::move(e)).second) {
      throw Error::InvalidRequest(fmt::format("sweep parts overlap: item {} is in both", index));
    }
  }
  if (pa.assumptions.empty()) pa.assumptions = std::move(pb.assumptions);
  return WriteListPart(plan, pa);
}

SweepResult FinishSweep(const app::Workspace& ws, const SweepPlan& plan, std::string_view part) {
  SweepResult out;
  out.workload = plan.request.workload;
  const auto& rq = plan.request;
  if (rq.workload == SweepWorkload::Register) {
    if (part.empty()) throw Error::InvalidRequest("sweep part covers none of the run's blocks");
    std::optional<sim::Network> other;
    const auto partial = sim::Deserialize(part);
    if (partial.runs != plan.runs || partial.seed != plan.seed) {
      throw Error::InvalidRequest("sweep part: of another Monte Carlo run (runs or seed differ)");
    }
    out.simulate.monte_carlo = sim::Finish(NetworkFor(ws, rq, other), ws.risk_register(), partial);
    return out;
  }
  auto p = ReadListPart(plan, part);
  if (p.entries.size() != plan.items) {
    throw Error::InvalidRequest(fmt::format("sweep part covers {} of the sweep's {} items: merge every part first",
                                            p.entries.size(), plan.items));
  }
  for (auto& [index, e] : p.entries) {
    out.items.push_back(e.first.dump());
    out.item_rows.push_back(std::move(e.second));
  }
  Json head;
  if (rq.workload == SweepWorkload::Projects) {
    head["method"] = {{"id", kSweepProjectsMethod}, {"version", kSweepMethodVersion}};
    head["provenance"] = {{"project_source", plan.project_source},
                          {"register", ws.risk_register().id},
                          {"runs", plan.runs},
                          {"seed", plan.seed},
                          {"partners", rq.partners},
                          {"as_of", rq.as_of},
                          {"year", YearOf(ws, rq)},
                          {"sector_rule", rq.sector_rule},
                          {"assumptions", p.assumptions}};
    head["projects"] = plan.items;
    out.columns = invest::ToCsv(invest::ProjectEvaluationReport{}).columns;
  } else {
    head["method"] = {{"id", kSweepGridMethod}, {"version", kSweepMethodVersion}};
    Json params = Json::object();
    for (const auto& gp : plan.parameters) params[gp.key] = gp.values;
    Json grid;
    grid["file"] = rq.grid_file.string();
    grid["parameters"] = std::move(params);
    if (plan.scenario_files.empty()) {
      grid["register"] = {{"id", ws.risk_register().id}, {"runs", plan.runs}, {"seed", plan.seed}};
    } else {
      grid["scenarios"] = plan.scenario_names;
    }
    grid["combinations"] = plan.combinations;
    grid["year"] = YearOf(ws, rq);
    grid["sector_rule"] = rq.sector_rule;
    head["grid"] = std::move(grid);
    out.columns = {"combination"};
    for (const auto& gp : plan.parameters) out.columns.push_back(gp.key);
    // The simulator's CSV columns: those of any item's result (every item has the same kind).
    model::CsvRows sim_cols;
    if (plan.scenario_files.empty()) {
      sim_cols = sim::ToCsv(sim::McResult{});
    } else {
      sim_cols = sim::ToCsv(sim::ScenarioResult{});
    }
    out.columns.insert(out.columns.end(), sim_cols.columns.begin(), sim_cols.columns.end());
  }
  out.head = head.dump();
  return out;
}

SweepResult Sweep(const app::Workspace& ws, const SweepRequest& request) {
  const auto plan = PlanSweep(ws, request);
  return FinishSweep(ws, plan, RunSweepItems(ws, plan, 0, plan.items));
}

Json ToJson(const SweepResult& r) {
  if (r.workload == SweepWorkload::Register) return ToJson(r.simulate);
  Json j = Json::parse(r.head);
  Json items = Json::array();
  for (const auto& item : r.items) items.push_back(Json::parse(item));
  j["results"] = std::move(items);
  return j;
}

model::CsvRows ToCsv(const SweepResult& r) {
  if (r.workload == SweepWorkload::Register) return ToCsv(r.simulate);
  model::CsvRows out;
  out.columns = r.columns;
  for (const auto& rows : r.item_rows) out.rows.insert(out.rows.end(), rows.begin(), rows.end());
  return out;
}

}  // namespace lodestone::facade
