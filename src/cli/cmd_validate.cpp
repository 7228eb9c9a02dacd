// `lodestone validate episodes`: the back-tests of the simulator against observed episodes
// (facade::RunBackTests), as a table for people, JSON for programs or the Markdown table of
// docs/validation.md.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/sim_facade/backtest.hpp"

namespace lodestone::cli {

namespace {

struct ValidateArgs {
  WorkspaceArgs ws;
  std::string dir;
  std::string format = "table";
};

std::string Num(const std::optional<double>& x) { return x ? fmt::format("{:.1f}", *x) : std::string("NA"); }

void PrintBackTests(const facade::BackTestsResult& r) {
  TextTable t;
  t.columns = {"episode", "figure", "period", "observed %", "model %", "error pp", "role"};
  t.right = {false, false, false, true, true, true, false};
  for (const auto& ep : r.episodes) {
    for (const auto& f : ep.figures) {
      t.rows.push_back({ep.id, f.id, f.period, Num(f.observed), Num(f.model), Num(f.error), f.role});
    }
  }
  PrintTable(std::cout, t);
  std::cout << "\nError = model - observed, in percentage points.\n";
  for (const auto& ep : r.episodes) {
    std::cout << fmt::format("  {}: scenario {}, baseline {}, {}; mean absolute error (validation) {}\n", ep.id,
                             ep.scenario_id, ep.baseline_year, ep.market, Num(ep.mean_abs_error));
  }
}

}  // namespace

void AddValidateCommands(CLI::App& app, int& exit_code) {
  auto* validate = app.add_subcommand("validate", "Checks of the model against what happened");
  validate->require_subcommand(1);
  auto* cmd = validate->add_subcommand(
      "episodes", "Back-tests: re-run past export controls and compare the model with the observed trade figures");
  cmd->footer("Episode files and the calibration rule: docs/validation.md.");
  static ValidateArgs a;
  AddWorkspaceOptions(cmd, a.ws);
  cmd->add_option("--dir", a.dir, "Directory of episode files; default: tests/validation/episodes of the source tree");
  cmd->add_option("--format", a.format,
                  "Output: table (for people), json or markdown (the table of docs/validation.md)")
      ->check(CLI::IsMember({"table", "json", "markdown"}));
  cmd->callback([&exit_code] {
    exit_code = RunGuarded([] {
      app::Workspace ws(ResolvePaths(a.ws));
      std::filesystem::path dir = a.dir.empty()
                                      ? std::filesystem::path(LODESTONE_ROOT_DIR) / "tests/validation/episodes"
                                      : std::filesystem::path(a.dir);
      auto r = facade::RunBackTests(ws, dir);
      if (a.format == "json") {
        std::cout << facade::ToJson(r).dump(2) << "\n";
      } else if (a.format == "markdown") {
        std::cout << facade::ToMarkdown(r);
      } else {
        PrintBackTests(r);
      }
      return 0;
    });
  });
}

}  // namespace lodestone::cli
