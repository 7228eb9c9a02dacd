// The `lodestone` Python extension (native part, `lodestone._native`): each function parses its
// arguments, calls one library façade and returns the result as the same JSON the CLI prints
// (`--format json`), converted to Python objects. The Python package (python/lodestone/__init__.py)
// turns row lists into columns (NumPy arrays) for pandas. Library errors become the package's
// exception classes by kind, with their diagnostics (file, line, column, message).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lodestone/app/json.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/serialize.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/data/supply.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/invest/serialize.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/outlook/serialize.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/risk/geopolrisk.hpp"
#include "lodestone/risk/geopolrisk_sweep.hpp"
#include "lodestone/risk/serialize.hpp"
#include "lodestone/sim/inputs.hpp"
#include "lodestone/sim/network.hpp"
#include "lodestone/sim/serialize.hpp"
#include "lodestone/sim/simulate.hpp"
#include "lodestone/sim_facade/mc_run.hpp"
#include "lodestone/sim_facade/outlook.hpp"
#include "lodestone/sim_facade/risk.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;
using lodestone::app::Json;

namespace {

// JSON -> Python: objects keep their key order (dicts are ordered), integers stay int, doubles
// float; null is None.
py::object ToPython(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return py::none();
    case Json::value_t::boolean: return py::bool_(j.get<bool>());
    case Json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
    case Json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
    case Json::value_t::number_float: return py::float_(j.get<double>());
    case Json::value_t::string: return py::str(j.get_ref<const std::string&>());
    case Json::value_t::array: {
      py::list out(j.size());
      for (std::size_t i = 0; i < j.size(); ++i) out[i] = ToPython(j[i]);
      return std::move(out);
    }
    case Json::value_t::object: {
      py::dict out;
      for (const auto& [k, v] : j.items()) out[py::str(k)] = ToPython(v);
      return std::move(out);
    }
    default: return py::none();
  }
}

// The result as Python objects, or as the exact text `lodestone ... --format json` prints.
py::object Out(const Json& j, bool text) {
  if (text) return py::str(j.dump(2) + "\n");
  return ToPython(j);
}

std::vector<std::string> List(const std::optional<std::vector<std::string>>& v) {
  return v.value_or(std::vector<std::string>{});
}

// A Workspace with the paths a Python caller chose; the others under `root`.
struct PyWorkspace {
  std::unique_ptr<lodestone::app::Workspace> ws;
};

lodestone::app::WorkspacePaths MakePaths(
    const fs::path& root, const std::optional<fs::path>& dataset, const std::optional<fs::path>& reference,
    const std::optional<fs::path>& sim_data, const std::optional<fs::path>& outlook,
    const std::optional<fs::path>& projects, const std::optional<fs::path>& scenarios,
    const std::optional<fs::path>& risk_register, const std::optional<fs::path>& database) {
  auto p = lodestone::app::WorkspacePaths::UnderRoot(root);
  if (dataset) p.dataset = *dataset;
  if (reference) p.reference = *reference;
  if (sim_data) p.sim_data = *sim_data;
  if (outlook) p.outlook = *outlook;
  if (projects) p.projects = *projects;
  if (scenarios) p.scenarios = *scenarios;
  if (risk_register) p.risk_register = *risk_register;
  if (database) p.database = *database;
  return p;
}

// Blocks run between two checks for a pending signal (Ctrl-C): enough to keep every worker busy,
// few enough that an interrupt is seen within a fraction of a second.
std::uint64_t BlocksPerStep(int threads) {
  const int t = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return static_cast<std::uint64_t>(t) * 2;
}

// The Monte Carlo of `lodestone simulate --register`, run in steps of blocks
// (facade::MonteCarloRun) with the GIL released; between steps, on the calling thread and with the
// GIL held, a pending signal (KeyboardInterrupt) stops the run. Worker threads never touch Python.
// The finished run equals the one-shot run to the byte.
Json MonteCarlo(const lodestone::app::Workspace& ws, std::uint64_t runs, std::uint64_t seed, int threads,
                std::optional<int> year, const std::string& sector_rule) {
  lodestone::facade::SimulateRequest rq;
  rq.monte_carlo = true;
  rq.runs = runs;
  rq.seed = seed;
  rq.threads = threads;
  rq.year = year;
  rq.sector_rule = sector_rule;
  std::optional<lodestone::facade::MonteCarloRun> run;
  {
    py::gil_scoped_release release;  // the inputs load (the first time) without the GIL too
    run.emplace(ws, rq);
  }
  const std::uint64_t step = BlocksPerStep(threads);
  while (!run->finished()) {
    {
      py::gil_scoped_release release;
      run->Step(step);
    }
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
  py::gil_scoped_release release;
  return lodestone::facade::ToJson(run->Result());
}

// Runs `f` with the GIL released (pure library work, no Python objects touched).
template <class F>
auto Released(F&& f) {
  py::gil_scoped_release release;
  return f();
}

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "Lodestone's library: one call per question, results as the CLI's JSON.";

  // Exception classes by kind; the package re-exports them. Base: lodestone.Error.
  static py::exception<lodestone::Error> base(m, "Error");
  static py::object* kinds = new py::object(py::dict());  // kept for the process: translators run until exit
  const std::pair<lodestone::ErrorKind, const char*> names[] = {
      {lodestone::ErrorKind::InvalidRequest, "InvalidRequest"},
      {lodestone::ErrorKind::InvalidData, "InvalidData"},
      {lodestone::ErrorKind::NotFound, "NotFound"},
      {lodestone::ErrorKind::Conflict, "Conflict"},
      {lodestone::ErrorKind::Storage, "Storage"},
      {lodestone::ErrorKind::Internal, "Internal"}};
  for (const auto& [kind, name] : names) {
    py::object cls = py::reinterpret_steal<py::object>(
        PyErr_NewException((std::string("lodestone.") + name).c_str(), base.ptr(), nullptr));
    m.attr(name) = cls;
    (*kinds)[py::str(std::string(lodestone::ErrorCode(kind)))] = cls;
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const lodestone::Error& e) {
      py::object cls = (*kinds)[py::str(std::string(e.code()))];
      py::object exc = cls(py::str(e.Describe()));
      exc.attr("kind") = py::str(std::string(e.code()));
      exc.attr("diagnostics") = ToPython(lodestone::app::DiagnosticsJson(e.diagnostics()));
      PyErr_SetObject(cls.ptr(), exc.ptr());
    }
  });

  py::class_<PyWorkspace>(m, "Workspace")
      .def(py::init([](const fs::path& root, std::optional<fs::path> dataset, std::optional<fs::path> reference,
                       std::optional<fs::path> sim_data, std::optional<fs::path> outlook,
                       std::optional<fs::path> projects, std::optional<fs::path> scenarios,
                       std::optional<fs::path> risk_register, std::optional<fs::path> database) {
             return PyWorkspace{std::make_unique<lodestone::app::Workspace>(
                 MakePaths(root, dataset, reference, sim_data, outlook, projects, scenarios, risk_register, database))};
           }),
           py::arg("root"), py::kw_only(), py::arg("dataset") = py::none(), py::arg("reference") = py::none(),
           py::arg("sim_data") = py::none(), py::arg("outlook") = py::none(), py::arg("projects") = py::none(),
           py::arg("scenarios") = py::none(), py::arg("risk_register") = py::none(), py::arg("database") = py::none())
      .def_property_readonly("baseline_year",
                             [](const PyWorkspace& w) { return Released([&] { return w.ws->baseline_year(); }); })
      .def_property_readonly("dataset_dir", [](const PyWorkspace& w) { return w.ws->paths().dataset; })
      .def(
          "info",
          [](const PyWorkspace& w, bool text) {
            return Out(
                Released([&] { return lodestone::data::ToJson(lodestone::data::DescribeDataset(w.ws->dataset())); }),
                text);
          },
          py::kw_only(), py::arg("text") = false)
      .def(
          "supply",
          [](const PyWorkspace& w, std::vector<std::string> minerals, std::optional<int> year, int top, bool text) {
            lodestone::data::SupplyRequest rq;
            rq.minerals = std::move(minerals);
            rq.year = year;
            rq.top = top;
            return Out(Released([&] { return lodestone::data::ToJson(lodestone::data::Supply(w.ws->dataset(), rq)); }),
                       text);
          },
          py::arg("minerals"), py::kw_only(), py::arg("year") = py::none(), py::arg("top") = 8, py::arg("text") = false)
      .def(
          "risk",
          [](const PyWorkspace& w, std::optional<std::vector<std::string>> minerals, std::vector<std::string> consumer,
             std::string partners, std::string method, std::string as_of, bool text) {
            lodestone::risk::AssessRequest rq;
            rq.minerals = List(minerals);
            rq.consumer = std::move(consumer);
            rq.partners = std::move(partners);
            rq.as_of = std::move(as_of);
            rq.methods = lodestone::risk::ParseMethodsOrThrow(method);
            return Out(Released([&] { return lodestone::risk::ToJson(lodestone::facade::AssessRisk(*w.ws, rq)); }),
                       text);
          },
          py::arg("minerals") = py::none(), py::kw_only(), py::arg("consumer") = std::vector<std::string>{"USA", "JPN"},
          py::arg("partners") = "MSP", py::arg("method") = "all", py::arg("as_of") = "2026-11-27",
          py::arg("text") = false)
      .def(
          "simulate",
          [](const PyWorkspace& w, std::optional<std::vector<fs::path>> scenarios, std::optional<int> year,
             std::string sector_rule, bool text) {
            lodestone::facade::SimulateRequest rq;
            if (scenarios) rq.scenario_files = *scenarios;
            rq.year = year;
            rq.sector_rule = std::move(sector_rule);
            return Out(Released([&] { return lodestone::facade::ToJson(lodestone::facade::Simulate(*w.ws, rq)); }),
                       text);
          },
          py::arg("scenarios") = py::none(), py::kw_only(), py::arg("year") = py::none(),
          py::arg("sector_rule") = "pro-rata", py::arg("text") = false)
      .def(
          "monte_carlo",
          [](const PyWorkspace& w, std::uint64_t runs, std::uint64_t seed, int threads, std::optional<int> year,
             const std::string& sector_rule,
             bool text) { return Out(MonteCarlo(*w.ws, runs, seed, threads, year, sector_rule), text); },
          py::kw_only(), py::arg("runs") = 10000, py::arg("seed") = 20251028, py::arg("threads") = 0,
          py::arg("year") = py::none(), py::arg("sector_rule") = "pro-rata", py::arg("text") = false)
      .def(
          "outlook",
          [](const PyWorkspace& w, std::string mineral, std::string scenario, std::vector<std::string> consumer,
             std::string stage, int runs, std::uint64_t seed, std::optional<fs::path> projects, bool text) {
            lodestone::facade::OutlookRunRequest rq;
            rq.outlook.mineral = std::move(mineral);
            rq.outlook.scenario = std::move(scenario);
            rq.outlook.consumer = std::move(consumer);
            rq.outlook.stage = std::move(stage);
            rq.outlook.runs = runs;
            rq.outlook.seed = seed;
            if (projects) rq.projects = *projects;
            return Out(
                Released([&] { return lodestone::outlook::ToJson(lodestone::facade::RunOutlook(*w.ws, rq).result); }),
                text);
          },
          py::arg("mineral"), py::kw_only(), py::arg("scenario") = "",
          py::arg("consumer") = std::vector<std::string>{"USA", "JPN"}, py::arg("stage") = "", py::arg("runs") = 1000,
          py::arg("seed") = 20251028, py::arg("projects") = py::none(), py::arg("text") = false)
      .def(
          "evaluate_project",
          [](const PyWorkspace& w, std::string id, std::optional<fs::path> projects_csv,
             std::optional<fs::path> stack_csv, std::uint64_t runs, std::uint64_t seed,
             std::vector<std::string> partners, std::string as_of, int threads, bool text) {
            lodestone::invest::ProjectEvaluationRequest rq;
            rq.project_id = std::move(id);
            if (projects_csv) rq.source.projects_csv = *projects_csv;
            if (stack_csv) rq.source.stack_csv = *stack_csv;
            rq.source.database_explicit = !w.ws->paths().database.empty();
            rq.evaluation.runs = runs;
            rq.evaluation.seed = seed;
            rq.evaluation.partners = std::move(partners);
            rq.evaluation.as_of = std::move(as_of);
            rq.evaluation.threads = threads;
            return Out(
                Released([&] { return lodestone::invest::ToJson(lodestone::invest::EvaluateOneProject(*w.ws, rq)); }),
                text);
          },
          py::arg("id"), py::kw_only(), py::arg("projects_csv") = py::none(), py::arg("stack_csv") = py::none(),
          py::arg("runs") = 2000, py::arg("seed") = 20251028,
          py::arg("partners") = std::vector<std::string>{"USA", "JPN"},
          py::arg("as_of") = lodestone::invest::kDefaultAsOf, py::arg("threads") = 0, py::arg("text") = false)
      .def(
          "portfolio",
          [](const PyWorkspace& w, double us, double jp, double later_us, double later_jp, std::string deadline,
             std::string method, double min_private, std::optional<double> max_country_share,
             std::optional<double> esg_threshold, bool allow_unknown_esg, std::optional<fs::path> projects_csv,
             std::optional<fs::path> stack_csv, std::uint64_t runs, std::uint64_t seed,
             std::vector<std::string> partners, std::string as_of, int threads, bool text) {
            lodestone::invest::PortfolioPlanRequest rq;
            if (projects_csv) rq.source.projects_csv = *projects_csv;
            if (stack_csv) rq.source.stack_csv = *stack_csv;
            rq.source.database_explicit = !w.ws->paths().database.empty();
            rq.evaluation.runs = runs;
            rq.evaluation.seed = seed;
            rq.evaluation.partners = std::move(partners);
            rq.evaluation.as_of = std::move(as_of);
            rq.evaluation.threads = threads;
            auto& b = rq.budgets;
            b.us_budget_musd = us;
            b.jp_budget_musd = jp;
            b.later_us_budget_musd = later_us;
            b.later_jp_budget_musd = later_jp;
            b.decision_deadline = std::move(deadline);
            b.min_private_share = min_private;
            b.max_country_public_share = max_country_share;
            b.esg_threshold = esg_threshold;
            b.allow_unknown_esg = allow_unknown_esg;
            rq.method = std::move(method);
            return Out(Released([&] { return lodestone::invest::ToJson(lodestone::invest::PlanPortfolio(*w.ws, rq)); }),
                       text);
          },
          py::kw_only(), py::arg("us") = 0.0, py::arg("jp") = 0.0, py::arg("later_us") = 0.0, py::arg("later_jp") = 0.0,
          py::arg("deadline") = "2026-04-28", py::arg("method") = "auto", py::arg("min_private") = 0.0,
          py::arg("max_country_share") = py::none(), py::arg("esg_threshold") = lodestone::invest::kDefaultEsgThreshold,
          py::arg("allow_unknown_esg") = false, py::arg("projects_csv") = py::none(), py::arg("stack_csv") = py::none(),
          py::arg("runs") = 2000, py::arg("seed") = 20251028,
          py::arg("partners") = std::vector<std::string>{"USA", "JPN"},
          py::arg("as_of") = lodestone::invest::kDefaultAsOf, py::arg("threads") = 0, py::arg("text") = false);

  m.def(
      "geopolrisk",
      [](const fs::path& production, const fs::path& trade, const fs::path& wgi_pv, const std::string& importer,
         int year, std::optional<fs::path> reference, bool text) {
        return Out(Released([&] {
                     std::optional<lodestone::data::Reference> ref;
                     if (reference) ref = lodestone::data::Reference::Load(*reference);
                     lodestone::risk::GeoPolRiskFileOptions options;
                     options.reference = ref ? &*ref : nullptr;
                     return lodestone::risk::ToJson(
                         lodestone::risk::GeoPolRiskFromFiles(production, trade, wgi_pv, importer, year, options));
                   }),
                   text);
      },
      py::arg("production"), py::arg("trade"), py::arg("wgi_pv"), py::arg("importer"), py::arg("year"), py::kw_only(),
      py::arg("reference") = py::none(), py::arg("text") = false);

  // The sweep's CSV table (header, rows of formatted cells) and its counts; the package turns the
  // numeric columns into arrays.
  m.def(
      "geopolrisk_sweep",
      [](std::vector<fs::path> baci, const fs::path& country_codes, const fs::path& production, const fs::path& wgi,
         const fs::path& hs_codes, const fs::path& reference, std::vector<std::string> importers,
         std::vector<int> years, int threads) {
        auto [table, counts, warnings] = Released([&] {
          lodestone::risk::GeoPolRiskSweepFiles files{std::move(baci), country_codes, production, wgi, hs_codes};
          lodestone::risk::GeoPolRiskSweepOptions options{std::move(importers), std::move(years), threads};
          const auto ref = lodestone::data::Reference::Load(reference);
          const auto run = lodestone::risk::SweepGeoPolRiskFiles(files, ref, options);
          Json counts = {{"importers", run.request.importers.size()},
                         {"materials", run.request.materials.size()},
                         {"years", run.request.years.size()},
                         {"baci_lines", run.baci_rows},
                         {"trade_rows", run.trade_rows},
                         {"wgi_entries", run.wgi_entries}};
          return std::tuple{lodestone::risk::ToCsv(run), counts, lodestone::app::DiagnosticsJson(run.warnings)};
        });
        py::dict out;
        out["columns"] = table.columns;
        out["rows"] = table.rows;
        out["counts"] = ToPython(counts);
        out["warnings"] = ToPython(warnings);
        return out;
      },
      py::arg("baci"), py::arg("country_codes"), py::arg("production"), py::arg("wgi"), py::arg("hs_codes"),
      py::arg("reference"), py::arg("importers"), py::arg("years"), py::arg("threads"));

  m.def(
      "check_dataset",
      [](const fs::path& dir, bool text) {
        return Out(Released([&] { return lodestone::data::ToJson(lodestone::data::CheckDataset(dir)); }), text);
      },
      py::arg("dir"), py::kw_only(), py::arg("text") = false);
}
