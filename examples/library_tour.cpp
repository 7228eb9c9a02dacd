// Calling Lodestone from C++: one Workspace, one façade call per question, the library's
// serialisers for output. Built with the project and run by the test suite on the shipped data:
//
//   build/release/examples/library_tour [ROOT]      (ROOT: a source tree or installed share dir)
//
// It prints the risk rows of lithium for the US and Japan, China's October 2025 rare-earth
// controls as simulated, and a small Monte Carlo of the risk register computed in two halves
// whose partial results travel as bytes, as another process would send them.
#include <iostream>
#include <nlohmann/json.hpp>

#include "lodestone/app/workspace.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/risk/assess.hpp"
#include "lodestone/risk/serialize.hpp"
#include "lodestone/sim/scenario.hpp"
#include "lodestone/sim/serialize.hpp"
#include "lodestone/sim/simulate.hpp"
#include "lodestone/sim_facade/simulate.hpp"

int main(int argc, char** argv) {
  using namespace lodestone;
  try {
    // Loaded once, shared by every call (and by threads).
    app::Workspace ws(app::WorkspacePaths::UnderRoot(argc > 1 ? argv[1] : "."));

    // 1. Risk by the published methods.
    risk::AssessRequest rq;
    rq.minerals = {"lithium"};
    rq.consumer = {"USA", "JPN"};
    const risk::AssessResult risk = risk::Assess(ws.dataset(), rq);
    std::cout << "risk rows for lithium: " << risk.rows.size() << "\n";
    for (const auto& row : risk.rows) {
      if (row.value)
        std::cout << "  " << row.stage << " " << row.method << " " << row.metric << ": " << row.display << "\n";
    }

    // 2. One scenario through the front-end façade (what `lodestone simulate` runs by default).
    facade::SimulateRequest sq;
    sq.scenario_files = {ws.paths().scenarios / "cn-2025-10-ree-controls.json"};
    const facade::SimulateResult sim = facade::Simulate(ws, sq);
    for (const auto& row : sim.scenarios.front().rows) {
      if (row.sector == "total" && (row.consumer == "USA" || row.consumer == "JPN")) {
        std::cout << row.consumer << " " << row.mineral << " shortfall " << row.flows.shortfall << " " << row.unit
                  << "\n";
      }
    }

    // 3. Monte Carlo in two halves merged from bytes: the same result as one run.
    sim::McOptions mo;
    mo.runs = 4000;
    mo.seed = 7;
    const auto& net = ws.network();
    const auto& reg = ws.risk_register();
    const std::uint64_t blocks = sim::McBlockCount(mo.runs);
    const std::string a = sim::Serialize(sim::RunMonteCarloBlocks(net, reg, mo, 0, blocks / 2));
    const std::string b = sim::Serialize(sim::RunMonteCarloBlocks(net, reg, mo, blocks / 2, blocks));
    const sim::McResult merged = sim::Finish(net, reg, sim::Merge(sim::Deserialize(a), sim::Deserialize(b)));
    const sim::McResult whole = sim::RunMonteCarlo(net, reg, mo);
    const bool same = sim::ToJson(merged).dump() == sim::ToJson(whole).dump();
    std::cout << "Monte Carlo in two halves (" << a.size() + b.size()
              << " bytes sent) equals one run: " << (same ? "yes" : "NO") << "\n";
    return same ? 0 : 1;
  } catch (const Error& e) {
    std::cerr << e.Describe() << "\n";
    return ExitCode(e.kind());
  }
}
