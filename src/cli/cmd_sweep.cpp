// `lodestone sweep`: a register Monte Carlo, a candidate list against the register's sample, or a
// parameter grid, in one process (facade::Sweep). `lodestone-mpi` runs the same sweeps over MPI
// ranks and prints the same bytes.
#include <iostream>

#include "../mpi/sweep_args.hpp"
#include "commands.hpp"

namespace lodestone::cli {

void AddSweepCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("sweep",
                                 "Large runs in one process: the register's Monte Carlo, every project against its "
                                 "sample, or a grid of simulator parameters x scenarios");
  cmd->footer(
      "The same sweep over MPI ranks: mpirun -n N lodestone-mpi WORKLOAD ... (the same bytes).\nGrid files and "
      "scaling: docs/scale-out.md.");
  static SweepArgs a;
  AddSweepOptions(cmd, a);
  cmd->callback([&exit_code] {
    exit_code = RunGuarded([] {
      app::Workspace ws(ResolvePaths(a.ws));
      auto rq = MakeSweepRequest(a);
      rq.progress = TerminalProgress(rq.workload == facade::SweepWorkload::Register ? "scenarios" : "items");
      PrintSweep(std::cout, facade::Sweep(ws, rq), a.format);
      return 0;
    });
  });
}

}  // namespace lodestone::cli
