// lodestone-mpi: the sweeps of `lodestone sweep` spread over MPI ranks, with the same bytes.
//   mpirun -n N lodestone-mpi WORKLOAD [options]   (options as `lodestone sweep`)
// Rank 0 validates the request (PlanSweep) and broadcasts the outcome before any work is spread:
// on bad input every rank exits with the error's code and rank 0 prints the message. Each rank
// then plans the same sweep from the same files, runs a contiguous range of items (rank r:
// [r*N/P, (r+1)*N/P); none when N < P), and the parts are merged up a binomial tree of
// point-to-point messages (rank r receives from r + 2^k): merging is exact and order-free, so
// rank 0 finishes with the bytes of the one-process run. What is sent, and what happens when a
// rank dies: docs/scale-out.md.
#include <fmt/format.h>
#include <mpi.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "lodestone/model/error.hpp"
#include "sweep_args.hpp"

namespace {

using lodestone::Error;
using lodestone::ErrorKind;
namespace facade = lodestone::facade;
namespace cli = lodestone::cli;

constexpr int kTagSize = 1, kTagBytes = 2;
constexpr std::uint64_t kChunk = 1ull << 30;  // MPI counts are int: large parts go in chunks

struct Outcome {
  int code = 0;
  std::string message;  // as the CLI prints it, newline included
};

// Runs `body`; an error becomes its exit code and message, as RunGuarded prints them.
template <typename F>
Outcome Guard(F&& body) {
  try {
    body();
    return {};
  } catch (const Error& e) {
    std::string msg = e.kind() == ErrorKind::InvalidData ? e.diagnostics().Format() : e.Describe() + "\n";
    return {lodestone::ExitCode(e.kind()), msg};
  } catch (const std::exception& e) {
    return {lodestone::ExitCode(ErrorKind::Internal), fmt::format("internal error: {}\n", e.what())};
  }
}

void SendBytes(const std::string& s, int to) {
  std::uint64_t n = s.size();
  MPI_Send(&n, 1, MPI_UINT64_T, to, kTagSize, MPI_COMM_WORLD);
  for (std::uint64_t off = 0; off < n; off += kChunk) {
    const int len = static_cast<int>(std::min(kChunk, n - off));
    MPI_Send(s.data() + off, len, MPI_BYTE, to, kTagBytes, MPI_COMM_WORLD);
  }
}

std::string RecvBytes(int from) {
  std::uint64_t n = 0;
  MPI_Recv(&n, 1, MPI_UINT64_T, from, kTagSize, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::string s(n, '\0');
  for (std::uint64_t off = 0; off < n; off += kChunk) {
    const int len = static_cast<int>(std::min(kChunk, n - off));
    MPI_Recv(s.data() + off, len, MPI_BYTE, from, kTagBytes, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  return s;
}

// Rank 0's outcome to every rank.
Outcome Broadcast(Outcome o, int rank) {
  MPI_Bcast(&o.code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::uint64_t n = o.message.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  if (rank != 0) o.message.assign(n, '\0');
  if (n > 0)
    MPI_Bcast(o.message.data(), static_cast<int>(std::min<std::uint64_t>(n, INT_MAX)), MPI_CHAR, 0, MPI_COMM_WORLD);
  return o;
}

// The largest exit code of any rank (0 when every rank succeeded); a failed rank prints its own
// message, prefixed with its rank when it is not rank 0.
int AgreeOnFailure(const Outcome& o, int rank) {
  if (o.code != 0) std::cerr << (rank == 0 ? std::string() : fmt::format("rank {}: ", rank)) << o.message << std::flush;
  int worst = 0;
  MPI_Allreduce(&o.code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return worst;
}

int Finish(int code) {
  MPI_Finalize();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  CLI::App app{
      "lodestone-mpi: Lodestone's sweeps over MPI ranks (run under mpirun); the same options and the same "
      "bytes as `lodestone sweep`.\nWorkloads: register, projects, grid. Details: docs/scale-out.md."};
  cli::SweepArgs a;
  cli::AddSweepOptions(&app, a);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parsed the same command line; rank 0 alone prints help or the usage error.
    const int code = rank == 0 ? app.exit(e) : e.get_exit_code();
    return Finish(code == 0 ? 0 : 2);
  }

  // 1. Rank 0 validates everything before any work is spread.
  std::unique_ptr<lodestone::app::Workspace> ws;
  std::optional<facade::SweepPlan> plan;
  auto plan_here = [&] {
    ws = std::make_unique<lodestone::app::Workspace>(cli::ResolvePaths(a.ws));
    plan = facade::PlanSweep(*ws, cli::MakeSweepRequest(a));
  };
  Outcome first;
  if (rank == 0) first = Guard(plan_here);
  first = Broadcast(first, rank);
  if (first.code != 0) {
    if (rank == 0) std::cerr << first.message << std::flush;
    return Finish(first.code);
  }
  // 2. Every other rank plans the same sweep from the same files (they must be readable there).
  Outcome planned;
  if (rank != 0) planned = Guard(plan_here);
  if (int code = AgreeOnFailure(planned, rank); code != 0) return Finish(code);

  // 3. This rank's contiguous range of items.
  const std::uint64_t n = plan->items;
  const auto r = static_cast<std::uint64_t>(rank), p = static_cast<std::uint64_t>(ranks);
  const std::uint64_t lo = n * r / p, hi = n * (r + 1) / p;
  const auto t0 = std::chrono::steady_clock::now();
  if (rank == 0) {
    std::cerr << fmt::format("lodestone-mpi: {} {} items over {} ranks; rank 0 runs [{}, {})\n",
                             Name(plan->request.workload), n, ranks, lo, hi);
    // Progress of rank 0's own range, by tenths (the ranks run ranges of equal size).
    plan->request.progress = [last = -1](std::uint64_t done, std::uint64_t total) mutable {
      const int tenth = total ? static_cast<int>(10 * done / total) : 10;
      if (tenth == last) return;
      last = tenth;
      std::cerr << fmt::format("lodestone-mpi: rank 0 {}% of its range\n", 10 * tenth) << std::flush;
    };
  }
  std::string part;
  Outcome ran;
  if (lo < hi) ran = Guard([&] { part = facade::RunSweepItems(*ws, *plan, lo, hi); });
  if (int code = AgreeOnFailure(ran, rank); code != 0) return Finish(code);
  const double compute_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // 4. Binomial-tree reduction: at step k, rank r (a multiple of 2^(k+1)) receives from r + 2^k.
  std::uint64_t received = 0;
  for (int step = 1; step < ranks; step *= 2) {
    if (rank % (2 * step) == 0) {
      if (rank + step < ranks) {
        const std::string other = RecvBytes(rank + step);
        received += other.size();
        Outcome merged = Guard([&] { part = facade::MergeSweepParts(*plan, part, other); });
        if (merged.code != 0) {
          // Parts of the same plan always merge; a failure here is a bug: stop the whole job.
          std::cerr << fmt::format("rank {}: ", rank) << merged.message << std::flush;
          MPI_Abort(MPI_COMM_WORLD, merged.code);
        }
      }
    } else {
      SendBytes(part, rank - step);
      break;
    }
  }

  // 5. Rank 0 finishes and prints.
  int code = 0;
  if (rank == 0) {
    std::cerr << fmt::format(
                     "lodestone-mpi: rank 0 computed in {:.2f} s; received {} bytes in the reduction; total {:.2f} s\n",
                     compute_s, received, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())
              << std::flush;
    Outcome done = Guard([&] { cli::PrintSweep(std::cout, facade::FinishSweep(*ws, *plan, part), a.format); });
    std::cout << std::flush;
    if (done.code != 0) std::cerr << done.message << std::flush;
    code = done.code;
  }
  MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return Finish(code);
}
