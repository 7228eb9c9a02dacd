// Monte Carlo over the risk register. Scenarios come in blocks of kBlock; block b draws from
// pcg32 stream b of the seed, so a scenario's draws do not depend on which thread runs it. Every
// statistic is accumulated in integers (fixed-point sums, histogram counts) or as a maximum, so
// merging per-thread accumulators gives the same bits in any order: results are identical for
// any thread count. Only minerals a scenario touches are evaluated; untouched (scenario,
// mineral) pairs are the baseline and are added in closed form at the end. The accumulators of a
// range of blocks are a public McPartial, so blocks can be computed apart (another process) and
// merged exactly.
#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <pcg_random.hpp>

#include "lodestone/model/error.hpp"
#include "lodestone/sim/kernel.hpp"
#include "lodestone/sim/price.hpp"

namespace lodestone::sim {

namespace {

constexpr std::uint64_t kBlock = 1024;
constexpr int kBins = 1000;           // histogram of shortfall as a fraction of demand: 0.1% bins
constexpr int kHistSize = kBins + 2;  // [0] exact zero, [1..kBins] (0, 100%], [kBins + 1] above 100%
static_assert(kHistSize == kMcHistSize);
constexpr double kFixedPoint = 1e6;      // sums in millionths of a tonne
constexpr double kFracFixedPoint = 1e9;  // fraction sums in billionths
constexpr int kCells = kSectors + 1;
// Histograms per (mineral, consumer): sectors 0..4 and [kHistDiv] hold only scenarios in which
// sectors' shortfall fractions differ from the consumer's (a sector-specific demand shock or the
// defence-first rule); [kSectors] holds every scenario's total. In the other scenarios every
// sector's fraction equals the total's, so a sector's histogram is total - total_div + its own.
constexpr int kHistCells = kSectors + 2;
constexpr int kHistDiv = kSectors + 1;
using Bin = McBin;  // fractions of demand in billionths, and their count

double Uniform(pcg32& rng) { return static_cast<double>(rng()) * 0x1p-32; }

// Draws one scenario: which events occur, and their severity and timing.
void DrawOne(const Register& reg, pcg32& rng, std::vector<DrawnEvent>& out) {
  out.clear();
  for (std::size_t e = 0; e < reg.events.size(); ++e) {
    const RegisterEvent& ev = reg.events[e];
    if (Uniform(rng) >= ev.probability) continue;
    DrawnEvent d;
    d.event = static_cast<int>(e);
    d.fraction = ev.fraction.Sample(Uniform(rng));
    d.months = ev.months.Sample(Uniform(rng));
    d.start = ev.start_month.Sample(Uniform(rng));
    d.factor = ev.factor.Sample(Uniform(rng));
    out.push_back(d);
  }
}

void InitPartial(McPartial& p, std::size_t minerals, std::size_t consumers, std::size_t nevents) {
  const std::size_t cells = minerals * consumers * kCells;
  p.minerals = static_cast<std::uint32_t>(minerals);
  p.consumers = static_cast<std::uint32_t>(consumers);
  p.events = static_cast<std::uint32_t>(nevents);
  p.demand.assign(cells, Wide{});
  p.stock.assign(cells, Wide{});
  p.shortfall.assign(cells, Wide{});
  p.nonzero.assign(cells, 0);
  p.max_t.assign(cells, 0.0);
  p.hist.assign(minerals * consumers * kHistCells * kHistSize, Bin{});
  p.touched.assign(minerals, 0);
  p.mirror_demand.assign(minerals * consumers, Wide{});
  p.mirror_stock.assign(minerals * consumers, Wide{});
  p.mirror_short.assign(minerals * consumers, Wide{});
  p.mirror_nonzero.assign(minerals * consumers, 0);
  p.mirror_max.assign(minerals * consumers, 0.0);
  p.event_count.assign(nevents, 0);
}

// Adds o's accumulators into p (same sizes); leaves identity and blocks alone.
void AddInto(McPartial& p, const McPartial& o) {
  for (std::size_t c = 0; c < p.demand.size(); ++c) {
    p.demand[c] = p.demand[c] + o.demand[c];
    p.stock[c] = p.stock[c] + o.stock[c];
    p.shortfall[c] = p.shortfall[c] + o.shortfall[c];
    p.nonzero[c] += o.nonzero[c];
    p.max_t[c] = std::max(p.max_t[c], o.max_t[c]);
  }
  for (std::size_t i = 0; i < p.hist.size(); ++i) {
    p.hist[i].sum += o.hist[i].sum;
    p.hist[i].count += o.hist[i].count;
  }
  for (std::size_t m = 0; m < p.touched.size(); ++m) p.touched[m] += o.touched[m];
  for (std::size_t c = 0; c < p.mirror_max.size(); ++c) {
    p.mirror_demand[c] = p.mirror_demand[c] + o.mirror_demand[c];
    p.mirror_stock[c] = p.mirror_stock[c] + o.mirror_stock[c];
    p.mirror_short[c] = p.mirror_short[c] + o.mirror_short[c];
    p.mirror_nonzero[c] += o.mirror_nonzero[c];
    p.mirror_max[c] = std::max(p.mirror_max[c], o.mirror_max[c]);
  }
  for (std::size_t e = 0; e < p.event_count.size(); ++e) p.event_count[e] += o.event_count[e];
  p.evaluations += o.evaluations;
}

// Non-negative amounts to the nearest fixed-point unit (faster than llround, same result here).
std::int64_t Fixed(double x, double scale) {
  double y = x * scale;
  return static_cast<std::int64_t>(y >= 0 ? y + 0.5 : y - 0.5);
}

// Order statistic of rank r (1-based) from the histogram; the mean of its bin.
double Quantile(const Bin* h, std::uint64_t zeros, std::uint64_t rank) {
  if (rank <= zeros) return 0.0;
  std::uint64_t cum = zeros;
  for (int b = 1; b < kHistSize; ++b) {
    cum += h[b].count;
    if (cum >= rank && h[b].count > 0) {
      return static_cast<double>(h[b].sum) / kFracFixedPoint / static_cast<double>(h[b].count);
    }
  }
  return 0.0;
}

// Mean of the largest `tail` values.
double TailMean(const Bin* h, std::uint64_t tail) {
  if (tail == 0) return 0.0;
  std::uint64_t left = tail;
  double acc = 0;
  for (int b = kHistSize - 1; b >= 1 && left > 0; --b) {
    if (h[b].count == 0) continue;
    std::uint64_t take = std::min<std::uint64_t>(left, h[b].count);
    acc +=
        static_cast<double>(h[b].sum) / kFracFixedPoint * (static_cast<double>(take) / static_cast<double>(h[b].count));
    left -= take;
  }
  return acc / static_cast<double>(tail);
}

}  // namespace

std::vector<std::vector<DrawnEvent>> DrawScenarios(const Register& reg, std::uint64_t runs, std::uint64_t seed) {
  std::vector<std::vector<DrawnEvent>> out(runs);
  for (std::uint64_t b = 0; b * kBlock < runs; ++b) {
    pcg32 rng(seed, b);
    for (std::uint64_t s = b * kBlock; s < std::min(runs, (b + 1) * kBlock); ++s) DrawOne(reg, rng, out[s]);
  }
  return out;
}

namespace {

// Baseline horizon demand per cell: the denominator of shortfall fractions.
std::vector<double> BaselineDemand(const Network& net, double horizon_months) {
  const std::size_t M = net.minerals.size(), K = net.K();
  const double years = horizon_months / 12.0;
  std::vector<double> base(M * K * kCells, 0.0);
  for (std::size_t m = 0; m < M; ++m) {
    for (std::size_t k = 0; k < K; ++k) {
      for (int s = 0; s < kCells; ++s) {
        double share = s == kSectors ? 1.0 : net.minerals[m].sector_share[k][s];
        base[(m * K + k) * kCells + s] = net.minerals[m].demand[k] * share * years;
      }
    }
  }
  return base;
}

// Sorted disjoint ranges of a and b together, adjacent ones joined; throws on overlap.
std::vector<std::pair<std::uint64_t, std::uint64_t>> UnionRanges(
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& a,
    const std::vector<std::pair<std::uint64_t, std::uint64_t>>& b) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> all(a);
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
  for (const auto& r : all) {
    if (!out.empty() && r.first < out.back().second) {
      throw Error::InvalidRequest(fmt::format("Monte Carlo partials overlap: blocks [{}, {}) are in both", r.first,
                                              std::min(r.second, out.back().second)));
    }
    if (!out.empty() && r.first == out.back().second) {
      out.back().second = r.second;
    } else {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

// Arithmetic on the two words goes through the compiler's 128-bit integer (a GCC/Clang extension):
// Wide is only how the value is stored and sent.
namespace {
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;
Int128 Load(Wide w) {
  return static_cast<Int128>((static_cast<UInt128>(static_cast<std::uint64_t>(w.hi)) << 64) | w.lo);
}
Wide Store(Int128 v) {
  const auto u = static_cast<UInt128>(v);
  return Wide{static_cast<std::int64_t>(static_cast<std::uint64_t>(u >> 64)), static_cast<std::uint64_t>(u)};
}
}  // namespace

Wide operator+(Wide a, Wide b) { return Store(Load(a) + Load(b)); }

namespace {
// The hot loop's `w += b`, inlined; adding 0 changes nothing, so it is skipped.
inline void AddFixed(Wide& w, std::int64_t b) {
  if (b != 0) w = Store(Load(w) + b);
}
}  // namespace

Wide& operator+=(Wide& a, std::int64_t b) { return a = Store(Load(a) + b); }

namespace {
// Histogram bins are far apart in memory (megabytes per thread) and each scenario adds to a few
// dozen of them: an addition waits in this short queue after its bin is asked for (prefetched),
// so that the loads overlap instead of stalling one after another. Integer sums: the order of the
// additions does not change a bit.
class BinQueue {
 public:
  void Add(Bin* bin, std::int64_t frac) {
    __builtin_prefetch(bin, 1);
    if (n_ == kSize)
      Apply(queue_[next_]);
    else
      ++n_;
    queue_[next_] = {bin, frac};
    next_ = (next_ + 1) % kSize;
  }
  void Flush() {
    for (std::size_t i = 0; i < n_; ++i) Apply(queue_[(next_ + kSize - n_ + i) % kSize]);
    n_ = 0;
  }

 private:
  struct Item {
    Bin* bin;
    std::int64_t frac;
  };
  static void Apply(const Item& x) {
    x.bin->count += 1;
    x.bin->sum += x.frac;
  }
  static constexpr std::size_t kSize = 16;
  Item queue_[kSize];
  std::size_t n_ = 0, next_ = 0;
};
}  // namespace

double ToDouble(Wide w) { return static_cast<double>(Load(w)); }

std::uint64_t McBlockSize() { return kBlock; }
std::uint64_t McBlockCount(std::uint64_t runs) { return (runs + kBlock - 1) / kBlock; }

McPartial RunMonteCarloBlocks(const Network& net, const Register& reg, const McOptions& opt, std::uint64_t first_block,
                              std::uint64_t last_block) {
  const std::uint64_t blocks = McBlockCount(opt.runs);
  if (first_block >= last_block || last_block > blocks) {
    throw Error::InvalidRequest(fmt::format("Monte Carlo blocks [{}, {}): expected a non-empty range within [0, {})",
                                            first_block, last_block, blocks));
  }
  const std::size_t M = net.minerals.size(), K = net.K();

  std::vector<Shock> shocks;
  for (const auto& ev : reg.events) shocks.push_back(ev.shock);
  CompiledShocks cs = CompileShocks(net, shocks);
  std::vector<std::vector<int>> templates_of_event(reg.events.size());
  for (std::size_t t = 0; t < cs.templates.size(); ++t)
    templates_of_event[cs.shock_of_template[t]].push_back(static_cast<int>(t));
  const std::vector<double> base = BaselineDemand(net, reg.horizon_months);
  std::vector<int> components;  // component chains with a feed, in network order
  for (std::size_t m = 0; m < M; ++m) {
    if (net.minerals[m].component && !net.minerals[m].feeds.empty()) components.push_back(static_cast<int>(m));
  }

  tbb::enumerable_thread_specific<McPartial> accs([&] {
    McPartial a;
    InitPartial(a, M, K, reg.events.size());
    return a;
  });
  std::atomic<std::uint64_t> done{0};
  std::mutex report_mutex, observe_mutex;
  const std::uint64_t scenarios = std::min(opt.runs, last_block * kBlock) - first_block * kBlock;  // in this range

  auto run_block = [&](std::uint64_t b) {
    McPartial& acc = accs.local();
    // Per-thread scratch, bound once per block (thread_local access has a cost per use).
    thread_local EvalScratch tl_ws;
    thread_local MineralOutcome tl_out;
    thread_local std::vector<DrawnEvent> tl_drawn;
    thread_local std::vector<std::vector<ActiveShock>> tl_per_mineral;
    thread_local std::vector<int> tl_touched;
    thread_local DerivedTemplates tl_keep;
    // Per feed mineral: its run for the components, reused as its own evaluation in the scenario.
    thread_local std::vector<FeedRun> tl_feed_runs;
    EvalScratch& ws = tl_ws;
    MineralOutcome& out = tl_out;
    std::vector<DrawnEvent>& drawn = tl_drawn;
    std::vector<std::vector<ActiveShock>>& per_mineral = tl_per_mineral;
    std::vector<int>& touched = tl_touched;
    per_mineral.resize(M);
    tl_feed_runs.resize(M);
    BinQueue bins;
    pcg32 rng(opt.seed, b);
    const std::uint64_t end = std::min(opt.runs, (b + 1) * kBlock);
    for (std::uint64_t sc = b * kBlock; sc < end; ++sc) {
      DrawOne(reg, rng, drawn);
      touched.clear();
      for (const auto& d : drawn) {
        ++acc.event_count[d.event];
        for (int t : templates_of_event[d.event]) {
          const ShockTemplate& tpl = cs.templates[t];
          auto& list = per_mineral[tpl.mineral];
          if (list.empty()) touched.push_back(tpl.mineral);
          list.push_back({&tpl, d.fraction, d.factor, d.start, d.start + d.months});
        }
      }
      // Component chains whose feed is touched lose output for want of feed (sim/kernel.hpp);
      // feeds come before their components in the network, so the feed's list is complete here.
      // A feed's run is its own evaluation too: the same shocks, so the same bits.
      tl_keep.Reset();
      for (auto& r : tl_feed_runs) r.ran = false;
      for (int m : components) {
        bool fed_shock = false;
        for (const auto& f : net.minerals[m].feeds) fed_shock |= !per_mineral[f.mineral].empty();
        if (!fed_shock) continue;
        if (per_mineral[m].empty()) touched.push_back(m);
        AppendFeedOutages(net, m, per_mineral, reg.horizon_months, opt.eval, tl_keep, per_mineral[m], tl_feed_runs);
        if (per_mineral[m].empty()) touched.pop_back();
      }
      std::sort(touched.begin(), touched.end());
      for (int m : touched) {
        auto& list = per_mineral[m];
        bool demand_shock = false, diverge = opt.eval.sector_rule != SectorRule::ProRata;
        for (const auto& a : list) {
          demand_shock |= a.t->kind == ShockKind::Demand;
          diverge |= a.t->kind == ShockKind::Demand && a.t->sector >= 0;
        }
        if (tl_feed_runs[m].ran) {
          std::swap(out, tl_feed_runs[m].out);
          tl_feed_runs[m].ran = false;
        } else {
          EvaluateMineral(net, m, list.data(), list.size(), reg.horizon_months, opt.eval, ws, out);
        }
        list.clear();
        ++acc.touched[m];
        ++acc.evaluations;
        if (opt.observe) {
          std::lock_guard<std::mutex> lock(observe_mutex);
          opt.observe(sc, m, out);
        }
        for (std::size_t k = 0; k < K; ++k) {
          const std::size_t mk = m * K + k;
          for (int s = kSectors; s >= 0; --s) {  // the total first
            const std::size_t cell = mk * kCells + s;
            const Flows& f = out.by_consumer[k][s];
            // Demand differs from the baseline only under a demand shock; delivered follows from
            // demand - stock - shortfall, so only what moved is summed.
            const std::int64_t dd = demand_shock ? Fixed(f.demand - base[cell], kFixedPoint) : 0;
            const std::int64_t st = f.stock_drawn != 0 ? Fixed(f.stock_drawn, kFixedPoint) : 0;
            const std::int64_t sh = f.shortfall != 0 ? Fixed(f.shortfall, kFixedPoint) : 0;
            AddFixed(acc.demand[cell], dd);
            AddFixed(acc.stock[cell], st);
            AddFixed(acc.shortfall[cell], sh);
            const bool short_here = f.shortfall > 0 && base[cell] > 0;
            if (s == kSectors && !diverge) {
              // Every sector is this total times its share: record once for all of them.
              AddFixed(acc.mirror_demand[mk], dd);
              AddFixed(acc.mirror_stock[mk], st);
              AddFixed(acc.mirror_short[mk], sh);
              if (short_here) {
                ++acc.mirror_nonzero[mk];
                acc.mirror_max[mk] = std::max(acc.mirror_max[mk], f.shortfall);
              }
            }
            if (short_here) {
              ++acc.nonzero[cell];
              acc.max_t[cell] = std::max(acc.max_t[cell], f.shortfall);
              double frac = f.shortfall / base[cell];
              int bin = frac > 1.0 ? kBins + 1 : std::clamp(static_cast<int>(std::ceil(frac * kBins)), 1, kBins);
              const std::int64_t fixed_frac = Fixed(frac, kFracFixedPoint);
              bins.Add(&acc.hist[((m * K + k) * kHistCells + s) * kHistSize + bin], fixed_frac);
              if (s == kSectors && diverge) {
                bins.Add(&acc.hist[((m * K + k) * kHistCells + kHistDiv) * kHistSize + bin], fixed_frac);
              }
            }
            if (s == kSectors && !diverge) break;  // sectors mirror the total
          }
        }
      }
    }
    bins.Flush();
    std::uint64_t now = done.fetch_add(end - b * kBlock) + (end - b * kBlock);
    if (opt.progress && report_mutex.try_lock()) {
      opt.progress(now, scenarios);
      report_mutex.unlock();
    }
  };

  int threads = opt.threads > 0 ? opt.threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::uint64_t>(first_block, last_block, 1),
                      [&](const tbb::blocked_range<std::uint64_t>& r) {
                        for (std::uint64_t b = r.begin(); b != r.end(); ++b) run_block(b);
                      });
  });
  if (opt.progress) opt.progress(scenarios, scenarios);

  McPartial total;
  total.runs = opt.runs;
  total.seed = opt.seed;
  total.sector_rule = static_cast<std::uint32_t>(opt.eval.sector_rule);
  InitPartial(total, M, K, reg.events.size());
  total.blocks = {{first_block, last_block}};
  for (const auto& a : accs) AddInto(total, a);  // integer sums and maxima: order does not matter
  return total;
}

McPartial Merge(const McPartial& a, const McPartial& b) {
  if (a.runs != b.runs || a.seed != b.seed || a.sector_rule != b.sector_rule || a.minerals != b.minerals ||
      a.consumers != b.consumers || a.events != b.events) {
    throw Error::InvalidRequest(
        fmt::format("Monte Carlo partials of different runs cannot be merged (runs {} / {}, seed {} / {})", a.runs,
                    b.runs, a.seed, b.seed));
  }
  McPartial out = a;
  out.blocks = UnionRanges(a.blocks, b.blocks);
  AddInto(out, b);
  return out;
}

McResult Finish(const Network& net, const Register& reg, const McPartial& total) {
  const std::size_t M = net.minerals.size(), K = net.K();
  if (total.minerals != M || total.consumers != K || total.events != reg.events.size()) {
    throw Error::InvalidRequest(fmt::format(
        "Monte Carlo partial of {} minerals, {} consumers and {} events; the network and register have {}, {} and {}",
        total.minerals, total.consumers, total.events, M, K, reg.events.size()));
  }
  const std::uint64_t blocks = McBlockCount(total.runs);
  if (total.blocks.size() != 1 || total.blocks[0].first != 0 || total.blocks[0].second != blocks) {
    std::uint64_t have = 0;
    for (const auto& r : total.blocks) have += r.second - r.first;
    throw Error::InvalidRequest(
        fmt::format("Monte Carlo partial covers {} of the run's {} blocks: merge every block first", have, blocks));
  }
  const std::uint64_t runs = total.runs;
  McResult res;
  res.reg = reg;
  res.year = net.year;
  res.runs = runs;
  res.seed = total.seed;
  res.horizon_months = reg.horizon_months;
  res.histogram_resolution_pct = 100.0 / kBins;
  const std::vector<double> base = BaselineDemand(net, reg.horizon_months);
  res.mineral_evaluations = total.evaluations;
  for (std::size_t e = 0; e < reg.events.size(); ++e) {
    res.event_rate.push_back(runs ? static_cast<double>(total.event_count[e]) / static_cast<double>(runs) : 0.0);
  }

  const double n = static_cast<double>(runs);
  std::vector<Bin> merged;
  for (std::size_t m = 0; m < M; ++m) {
    if (total.touched[m] == 0) continue;  // never shocked: the baseline, no row
    const MineralNetwork& mn = net.minerals[m];
    for (std::size_t k = 0; k < K; ++k) {
      for (int s = kSectors; s >= 0; --s) {
        const std::size_t cell = (m * K + k) * kCells + s;
        McRow row;
        row.mineral = mn.id;
        row.unit = mn.unit;
        row.consumer = net.consumers[k].code;
        row.sector = s == kSectors ? "total" : SectorName(static_cast<Sector>(s));
        const std::size_t mk = m * K + k;
        const bool sector = s < kSectors;
        const double share = sector ? mn.sector_share[k][s] : 0.0;
        auto with_mirror = [&](Wide own, Wide mirrored) {
          return ToDouble(own) + (sector ? share * ToDouble(mirrored) : 0.0);
        };
        row.demand_t = base[cell] + with_mirror(total.demand[cell], total.mirror_demand[mk]) / kFixedPoint / n;
        row.stock_drawn_t = with_mirror(total.stock[cell], total.mirror_stock[mk]) / kFixedPoint / n;
        row.shortfall_t.mean = with_mirror(total.shortfall[cell], total.mirror_short[mk]) / kFixedPoint / n;
        row.delivered_t = row.demand_t - row.stock_drawn_t - row.shortfall_t.mean;
        row.shortfall_t.max = std::max(total.max_t[cell], sector ? share * total.mirror_max[mk] : 0.0);
        const std::uint64_t nonzero = total.nonzero[cell] + (sector && base[cell] > 0 ? total.mirror_nonzero[mk] : 0);
        const Bin* all = &total.hist[((m * K + k) * kHistCells + kSectors) * kHistSize];
        const Bin* hc = all;
        if (s < kSectors) {
          const Bin* div = &total.hist[((m * K + k) * kHistCells + kHistDiv) * kHistSize];
          const Bin* own = &total.hist[((m * K + k) * kHistCells + s) * kHistSize];
          merged.resize(kHistSize);
          for (int b = 0; b < kHistSize; ++b) {
            merged[b].count = all[b].count - div[b].count + own[b].count;
            merged[b].sum = all[b].sum - div[b].sum + own[b].sum;
          }
          hc = merged.data();
        }
        const std::uint64_t zeros = runs - nonzero;
        const auto rank = [&](double q) { return static_cast<std::uint64_t>(std::ceil(q * n)); };
        const std::uint64_t tail = runs - static_cast<std::uint64_t>(std::floor(0.95 * n));
        row.shortfall_pct.p50 = 100 * Quantile(hc, zeros, std::max<std::uint64_t>(1, rank(0.5)));
        row.shortfall_pct.p95 = 100 * Quantile(hc, zeros, std::max<std::uint64_t>(1, rank(0.95)));
        row.shortfall_pct.cvar95 = 100 * TailMean(hc, tail);
        row.shortfall_pct.mean = base[cell] > 0 ? 100 * row.shortfall_t.mean / base[cell] : 0.0;
        row.shortfall_pct.max = base[cell] > 0 ? 100 * row.shortfall_t.max / base[cell] : 0.0;
        row.shortfall_t.p50 = row.shortfall_pct.p50 / 100 * base[cell];
        row.shortfall_t.p95 = row.shortfall_pct.p95 / 100 * base[cell];
        row.shortfall_t.cvar95 = row.shortfall_pct.cvar95 / 100 * base[cell];
        row.p_shortfall = static_cast<double>(nonzero) / n;
        row.stock_days = mn.stock_days[k];
        row.demand_known = mn.demand_known[k];
        double daily = mn.demand[k] * (s == kSectors ? 1.0 : mn.sector_share[k][s]) / net.stock_year_days;
        row.stock_days_used = daily > 0 ? row.stock_drawn_t / daily : 0.0;
        if (s == kSectors && runs > 0) {
          // 0.1% bins folded into bands of kMcHistogramBandPct: bin b holds (b-1, b] thousandths.
          constexpr int kPerBand = kBins * kMcHistogramBandPct / 100;
          constexpr int kBands = 100 / kMcHistogramBandPct;
          std::vector<std::uint64_t> count(kBands + 2, 0);
          count[0] = zeros;
          for (int b = 1; b <= kBins; ++b) count[1 + (b - 1) / kPerBand] += hc[b].count;
          count[kBands + 1] = hc[kBins + 1].count;
          row.histogram.reserve(count.size());
          for (auto c : count) row.histogram.push_back(static_cast<double>(c) / n);
        }
        res.rows.push_back(std::move(row));
      }
    }
  }
  AddPriceResponse(net, res);
  return res;
}

McResult RunMonteCarlo(const Network& net, const Register& reg, const McOptions& opt) {
  const std::uint64_t blocks = McBlockCount(opt.runs);
  if (blocks == 0) throw Error::InvalidRequest("Monte Carlo runs: expected at least 1");
  return Finish(net, reg, RunMonteCarloBlocks(net, reg, opt, 0, blocks));
}

}  // namespace lodestone::sim
