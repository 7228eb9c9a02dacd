// Evaluation of projects of interest with the disruption simulator over one fixed scenario sample,
// the optimiser's problem built from those evaluations, and the re-check of a chosen portfolio with
// all its projects added at once. Parallel over projects (oneTBB); each project's figures are
// computed by one task in a fixed order and stored in its own slot, so the output does not depend
// on the thread count. Method: docs/methods/evaluation.md.
#include "lodestone/invest/evaluate.hpp"

#include <fmt/format.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <stdexcept>

#include "lodestone/data/named_table.hpp"
#include "lodestone/model/date.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/stats.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/value.hpp"
#include "lodestone/sim/kernel.hpp"

namespace lodestone::invest {

namespace {

constexpr double kReliefTolerance = 1e-9;  // relative: smaller differences are rounding, not relief
constexpr double kTailShare = 0.95;
constexpr double kMoneyTolerance = 1e-6;  // M USD: one dollar
constexpr const char* kUnknownClosing = "9999-12-31";

bool Usable(const model::Value& v) {
  return v.status == model::ValueStatus::Known || v.status == model::ValueStatus::AtLeast;
}

// The register's shocks compiled against one network, indexed by event, for one mineral.
struct MineralShocks {
  sim::CompiledShocks cs;
  std::vector<std::vector<int>> templates_of_event;  // only templates of the mineral
};

MineralShocks Compile(const sim::Network& net, const sim::Register& reg, int mineral) {
  std::vector<sim::Shock> shocks;
  shocks.reserve(reg.events.size());
  for (const auto& ev : reg.events) shocks.push_back(ev.shock);
  MineralShocks out;
  out.cs = sim::CompileShocks(net, shocks);
  out.templates_of_event.resize(reg.events.size());
  for (std::size_t t = 0; t < out.cs.templates.size(); ++t) {
    if (out.cs.templates[t].mineral != mineral) continue;
    out.templates_of_event[out.cs.shock_of_template[t]].push_back(static_cast<int>(t));
  }
  return out;
}

// The scenarios of the sample in which some event has a shock on the mineral.
std::vector<std::uint32_t> TouchedScenarios(const std::vector<std::vector<sim::DrawnEvent>>& draws,
                                            const MineralShocks& ms) {
  std::vector<std::uint32_t> out;
  for (std::size_t s = 0; s < draws.size(); ++s) {
    for (const auto& d : draws[s]) {
      if (!ms.templates_of_event[d.event].empty()) {
        out.push_back(static_cast<std::uint32_t>(s));
        break;
      }
    }
  }
  return out;
}

struct Scratch {
  sim::EvalScratch ws;
  sim::MineralOutcome out;
  std::vector<sim::ActiveShock> active;
};

// Partners' total shortfall (after stockpiles) of one mineral in one drawn scenario. Shocks are
// listed in draw order, then template order, as sim::RunMonteCarlo lists them.
double PartnerShortfall(const sim::Network& net, const MineralShocks& ms, const std::vector<sim::DrawnEvent>& drawn,
                        int mineral, const std::vector<int>& partners, double horizon, const sim::EvalOptions& eval,
                        Scratch& sc) {
  sc.active.clear();
  for (const auto& d : drawn) {
    for (int t : ms.templates_of_event[d.event]) {
      sc.active.push_back({&ms.cs.templates[t], d.fraction, d.factor, d.start, d.start + d.months});
    }
  }
  sim::EvaluateMineral(net, mineral, sc.active.data(), sc.active.size(), horizon, eval, sc.ws, sc.out);
  double total = 0;
  for (int k : partners) total += sc.out.by_consumer[k][sim::kSectors].shortfall;
  return std::max(0.0, total);
}

StageConcentration Concentrate(const sim::Network& net, const sim::MineralNetwork& mn, const sim::SupplyAddition& a) {
  StageConcentration c;
  const bool refined = a.refined || !mn.has_ore_stage;
  c.stage = refined ? "refining" : "mining";
  const auto& nodes = refined ? mn.refiners : mn.miners;
  const auto& output = refined ? mn.refined_output : mn.mine_output;
  const auto xot = net.dataset.FindCountry("XOT");
  const int residual = xot ? static_cast<int>(xot->index()) : -2;
  const auto added = net.dataset.FindCountry(a.country);
  const int site = added ? static_cast<int>(added->index()) : -3;
  auto top = [&](double extra, std::string& who, double& world) {
    world = std::accumulate(output.begin(), output.end(), 0.0) + extra;
    double best = -1;
    bool site_seen = false;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      double q = output[n] + (nodes[n] == site ? extra : 0.0);
      site_seen |= nodes[n] == site;
      if (nodes[n] == residual) continue;
      if (q > best) {
        best = q;
        who = net.dataset.Country(model::CountryId{static_cast<std::uint16_t>(nodes[n])}).iso3;
      }
    }
    if (!site_seen && extra > best && site != residual) {
      best = extra;
      who = a.country;
    }
    return world > 0 && best > 0 ? best / world : 0.0;
  };
  c.top_share_before = top(0.0, c.top_before, c.world_before_t);
  c.top_share_after = top(a.tonnes_per_year, c.top_after, c.world_after_t);
  c.crma_met_before = c.top_share_before <= kCrmaBenchmark;
  c.crma_met_after = c.top_share_after <= kCrmaBenchmark;
  return c;
}

template <typename F>
void ParallelFor(int threads, std::size_t n, F&& body) {
  const int t = threads > 0 ? threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(t);
  arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, 1), [&](const tbb::blocked_range<std::size_t>& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
    });
  });
}

std::vector<int> PartnerIndexes(const sim::Network& net, const std::vector<std::string>& partners) {
  std::vector<int> out;
  std::vector<std::string> codes;
  for (const auto& c : net.consumers) codes.push_back(c.code);
  for (const auto& p : partners) {
    int k = net.FindConsumer(p);
    if (k < 0) {
      throw Error::InvalidRequest(
          fmt::format("partner '{}' is not a consumer of the network: expected one of {}", p, fmt::join(codes, ", ")));
    }
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  }
  if (out.empty()) throw Error::InvalidRequest("no partner consumer given (e.g. USA,JPN)");
  return out;
}

// The evaluation's per-scenario draws and each evaluated mineral's baseline, shared by the
// evaluation and the re-check.
struct Sample {
  std::vector<std::vector<sim::DrawnEvent>> draws;
  std::vector<int> partners;
};

// Adds `share` for `code` to the list, merged by buyer; a code that is not a consumer of the
// network is counted with the consumer that buys for it: a bloc for its member states (DEU ->
// EUU), else ROW, where its demand is.
void AddShare(std::vector<sim::OfftakeShare>& out, const sim::Network& net, std::string_view code, double share) {
  const std::string buyer = net.consumers[static_cast<std::size_t>(net.BuyerFor(code))].code;
  for (auto& o : out) {
    if (o.buyer == buyer) {
      o.share += share;
      return;
    }
  }
  out.push_back({buyer, share});
}

std::string DescribeShares(const std::vector<sim::OfftakeShare>& shares) {
  std::vector<std::string> parts;
  for (const auto& o : shares) parts.push_back(fmt::format("{} {:.4g}", o.buyer, o.share));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace

OfftakeChoice DefaultOfftake(const Project& p, const sim::Network& net, std::optional<double> proposed_us_share) {
  OfftakeChoice out;
  const ConfidentialTerms& c = p.confidential;
  if (c.withheld) {
    out.basis = fmt::format("the offtake terms of {} are withheld from this caller; ", c.owner);
  } else if (!c.offtake.empty()) {
    // Validated on entry ("JPN:0.6;USA:0.2", shares in (0, 1], sum <= 1); checked again here.
    double sum = 0;
    bool ok = true;
    for (const auto& part : model::SplitList(c.offtake, ";")) {
      const auto colon = part.find(':');
      double share = 0;
      if (colon == std::string::npos ||
          !model::ParseDouble(model::Trim(std::string_view(part).substr(colon + 1)), share) || !(share > 0) ||
          share > 1) {
        ok = false;
        break;
      }
      AddShare(out.shares, net, model::Trim(std::string_view(part).substr(0, colon)), share);
      sum += share;
    }
    if (ok && sum <= 1 + 1e-9) {
      out.basis = fmt::format("confidential offtake terms of {}: {}", c.owner, DescribeShares(out.shares));
      return out;
    }
    out.shares.clear();
    out.basis = fmt::format("offtake terms '{}' do not read as CODE:SHARE;...; ", c.offtake);
  }
  // The framework: US and Japan public money backs a project with offtakes to the two partners.
  bool us_named = false, jp_named = false;
  for (const auto& l : p.capital_stack) {
    us_named |= l.funder == Funder::UsPublic;
    jp_named |= l.funder == Funder::JapanPublic;
  }
  if (us_named || jp_named) {
    const StackMoney money = SumCapitalStack(p.capital_stack);
    double us = us_named ? money.us_public : 0, jp = jp_named ? money.jp_public : 0;
    std::string how = "pro rata to their known public money in the capital stack";
    if (!(us + jp > 0)) {
      // Named, but no amount known: the partners named share equally.
      us = us_named ? 1 : 0;
      jp = jp_named ? 1 : 0;
      how = "in equal shares among the partners named (no public amount known)";
    }
    if (us > 0) AddShare(out.shares, net, "USA", us / (us + jp));
    if (jp > 0) AddShare(out.shares, net, "JPN", jp / (us + jp));
    out.basis +=
        fmt::format("framework rule: US/Japan public money in the capital stack, all output to the partners {} ({})",
                    how, DescribeShares(out.shares));
    return out;
  }
  if (proposed_us_share) {
    const double us = std::clamp(*proposed_us_share, 0.0, 1.0);
    if (us > 0) AddShare(out.shares, net, "USA", us);
    if (us < 1) AddShare(out.shares, net, "JPN", 1 - us);
    out.basis += fmt::format(
        "framework rule: proposed for US/Japan public money, all output to the partners in the split of their "
        "budgets ({})",
        DescribeShares(out.shares));
    return out;
  }
  out.basis += "none: no offtake terms and no US or Japan public money (all output uncommitted)";
  return out;
}

std::optional<double> MonthsBetween(std::string_view from, std::string_view to) {
  auto a = model::Date::Parse(from), b = model::Date::Parse(to);
  if (!a || !b) return std::nullopt;
  return model::MonthsBetween(*a, *b);
}

StackMoney SumCapitalStack(const std::vector<CapitalLine>& stack) {
  StackMoney m;
  std::int64_t latest = std::numeric_limits<std::int64_t>::min();
  for (const auto& l : stack) {
    if (auto d = model::Date::Parse(l.closing_date)) {
      const auto days = d->Last().DayNumber();
      if (days > latest) {
        latest = days;
        m.latest_closing = d->Last().Iso();
      }
    }
    if (l.instrument == Instrument::Guarantee || l.instrument == Instrument::Offtake) {
      ++m.commitments_not_counted;
      continue;
    }
    if (!Usable(l.amount_musd)) {
      ++m.amounts_not_available;
      continue;
    }
    const double x = l.amount_musd.number;
    switch (l.funder) {
      case Funder::UsPublic:
        m.us_public += x;
        m.us_named = true;
        break;
      case Funder::JapanPublic:
        m.jp_public += x;
        m.jp_named = true;
        break;
      case Funder::OtherPublic: m.other_public += x; break;
      case Funder::Private: m.private_money += x; break;
    }
  }
  return m;
}

const ProjectEvaluation* Evaluation::Find(std::string_view id) const {
  for (const auto& p : projects) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

int Evaluation::MineralIndex(std::string_view mineral) const {
  for (std::size_t m = 0; m < minerals.size(); ++m) {
    if (minerals[m] == mineral) return static_cast<int>(m);
  }
  return -1;
}

Evaluation EvaluateProjects(const EvaluationRequest& rq) {
  LODESTONE_ASSERT(rq.network && rq.reg, "EvaluateProjects: network and register are required");
  const sim::Network& net = *rq.network;
  const sim::Register& reg = *rq.reg;
  if (!model::Date::ParseDay(rq.as_of)) {
    throw Error::InvalidRequest(fmt::format("as-of date '{}': expected YYYY-MM-DD", rq.as_of));
  }
  if (rq.runs == 0 || rq.runs > std::numeric_limits<std::uint32_t>::max()) {
    throw Error::InvalidRequest(fmt::format("runs {}: expected 1 to 4294967295 scenarios", rq.runs));
  }
  Evaluation ev;
  ev.runs = rq.runs;
  ev.seed = rq.seed;
  ev.horizon_months = reg.horizon_months;
  ev.as_of = rq.as_of;
  ev.partners = rq.partners;
  const std::vector<int> partners = PartnerIndexes(net, rq.partners);
  const double years = reg.horizon_months / 12.0;
  const std::size_t N = rq.runs;

  // 1. Each project: its addition, or why it cannot be evaluated.
  ev.projects.resize(rq.projects.size());
  std::vector<int> mineral_of(rq.projects.size(), -1);  // network mineral index
  for (std::size_t i = 0; i < rq.projects.size(); ++i) {
    const Project& p = rq.projects[i];
    ProjectEvaluation& pe = ev.projects[i];
    pe.id = p.id;
    pe.name = p.name;
    pe.mineral = p.mineral;
    pe.country = p.country;
    pe.stage = p.stage;
    pe.status = p.status;
    pe.development_stage = p.development_stage;
    pe.capex_musd = p.capex_musd;
    if (p.esg_score.IsKnown()) {
      pe.esg_score = p.esg_score.number;
      pe.esg_basis = "assessed in the project record";
    }
    pe.first_output = p.first_output;
    pe.money = SumCapitalStack(p.capital_stack);
    if (!p.first_output.empty()) pe.months_to_first_output = MonthsBetween(rq.as_of, p.first_output);
    if (p.development_stage == DevelopmentStage::Operating) {
      pe.baseline = true;
      pe.reason = fmt::format(
          "operating: its output is already part of the {} production the network starts from, and adding it again "
          "would count it twice",
          net.year);
      continue;
    }
    // Feed chains: the same mineral flows through both plants and is counted once.
    bool chained = false;
    auto find_project = [&](const std::string& id) -> const Project* {
      for (const auto* list : {&rq.projects, &rq.chain_context}) {
        for (const auto& x : *list) {
          if (x.id == id) return &x;
        }
      }
      return nullptr;
    };
    for (const auto& f : rq.feeds) {
      const Project* up = find_project(f.upstream);
      const Project* down = find_project(f.downstream);
      if (!up || !down) continue;
      if (f.downstream == p.id && up->development_stage == DevelopmentStage::Operating) {
        pe.reason = fmt::format(
            "fed by {} (operating): its feed is already in the {} baseline, so it adds no new {} supply ({})",
            f.upstream, net.year, p.mineral, f.note);
        chained = true;
        break;
      }
      if (f.upstream == p.id && down->development_stage != DevelopmentStage::Operating) {
        pe.reason =
            fmt::format("feeds {}: the flow is counted once, at the downstream project ({})", f.downstream, f.note);
        chained = true;
        break;
      }
    }
    if (chained) continue;
    const int m = net.FindMineralIndex(p.mineral);
    if (m < 0) {
      std::string why;
      for (const auto& s : net.skipped) {
        if (s.rfind(p.mineral + ":", 0) == 0) why = s.substr(p.mineral.size() + 1);
      }
      pe.reason = fmt::format("mineral '{}' is not covered by the simulator{}", p.mineral,
                              why.empty() ? std::string(" (no network for it)") : fmt::format(" ({})", why));
      continue;
    }
    pe.unit = net.minerals[m].unit;
    if (!Usable(p.capacity_t)) {
      pe.reason = fmt::format("capacity {}: the added supply cannot be sized", model::DescribeValue(p.capacity_t));
      continue;
    }
    if (!net.dataset.FindCountry(p.country)) {
      pe.reason = fmt::format("country '{}' is not in the dataset", p.country);
      continue;
    }
    pe.addition = {p.mineral, p.country, p.stage != Stage::Mining, p.capacity_t.number};
    if (rq.offtake) {
      OfftakeChoice o = DefaultOfftake(p, net, rq.proposed_us_share);
      pe.offtake_basis = std::move(o.basis);
      if (!o.shares.empty() && !pe.addition.refined && net.minerals[m].has_ore_stage) {
        pe.offtake_basis +=
            "; not applied: ore at a mine reaches buyers only through refineries, as uncommitted supply";
      } else {
        pe.addition.offtake = std::move(o.shares);
      }
    } else {
      pe.offtake_basis = "offtakes not applied: all output uncommitted";
    }
    pe.notes.push_back("offtake: " + pe.offtake_basis);
    if (p.capacity_t.status == model::ValueStatus::AtLeast) {
      pe.notes.push_back(fmt::format("capacity is a lower bound ({}): the figure itself is used",
                                     model::FormatValueCell(p.capacity_t)));
    }
    if (p.development_stage == DevelopmentStage::Commissioning) {
      pe.notes.push_back(
          fmt::format("{}: part of its capacity may already be in the {} baseline, so the relief is an "
                      "upper bound",
                      Name(p.development_stage), net.year));
    }
    if (p.status != Status::Active) pe.notes.push_back(fmt::format("status {}", Name(p.status)));
    if (!net.minerals[m].has_ore_stage && !pe.addition.refined) {
      pe.notes.push_back(
          "the network has no separate mine stage for this mineral: the capacity is added as refined "
          "supply");
    }
    pe.evaluable = true;
    mineral_of[i] = m;
  }

  // 2. The minerals to evaluate, their baseline partner demand and shortfall per scenario.
  std::vector<int> net_minerals;
  for (std::size_t m = 0; m < net.minerals.size(); ++m) {
    if (std::find(mineral_of.begin(), mineral_of.end(), static_cast<int>(m)) != mineral_of.end()) {
      net_minerals.push_back(static_cast<int>(m));
    }
  }
  const std::size_t M = net_minerals.size();
  Sample sample{sim::DrawScenarios(reg, N, rq.seed), partners};
  std::vector<MineralShocks> base_shocks(M);
  std::vector<std::vector<std::uint32_t>> touched(M);
  for (std::size_t mi = 0; mi < M; ++mi) {
    const sim::MineralNetwork& mn = net.minerals[net_minerals[mi]];
    ev.minerals.push_back(mn.id);
    ev.units.push_back(mn.unit);
    double demand = 0;
    std::vector<std::string> unknown;
    for (int k : partners) {
      demand += mn.demand[k] * years;
      if (!mn.demand_known[k]) unknown.push_back(net.consumers[k].code);
    }
    ev.partner_demand_t.push_back(demand);
    ev.mineral_notes.push_back(
        unknown.empty() ? std::string()
                        : fmt::format("{} demand for {} is not known (counted in ROW): partner figures leave it out",
                                      fmt::join(unknown, ", "), mn.id));
    base_shocks[mi] = Compile(net, reg, net_minerals[mi]);
    touched[mi] = TouchedScenarios(sample.draws, base_shocks[mi]);
  }
  ev.baseline_shortfall_t.assign(N * M, 0.0);
  {
    std::vector<std::pair<std::size_t, std::size_t>> work;  // (mineral, first touched position)
    constexpr std::size_t kChunk = 256;
    for (std::size_t mi = 0; mi < M; ++mi) {
      for (std::size_t f = 0; f < touched[mi].size(); f += kChunk) work.emplace_back(mi, f);
    }
    ParallelFor(rq.threads, work.size(), [&](std::size_t w) {
      thread_local Scratch sc;
      const auto [mi, first] = work[w];
      const auto& list = touched[mi];
      for (std::size_t x = first; x < std::min(list.size(), first + kChunk); ++x) {
        const std::uint32_t s = list[x];
        ev.baseline_shortfall_t[s * M + mi] = PartnerShortfall(net, base_shocks[mi], sample.draws[s], net_minerals[mi],
                                                               partners, reg.horizon_months, rq.eval, sc);
      }
    });
    for (const auto& t : touched) ev.mineral_evaluations += t.size();
  }

  // 3. Each project on its own network: only scenarios where its mineral is touched and the
  // partners are short (added supply cannot create a shortfall, so elsewhere the relief is 0).
  std::atomic<std::size_t> done{0};
  std::atomic<std::uint64_t> evaluations{0};
  std::mutex progress_mutex;
  std::vector<std::string> failures(rq.projects.size());
  ParallelFor(rq.threads, rq.projects.size(), [&](std::size_t i) {
    ProjectEvaluation& pe = ev.projects[i];
    if (pe.evaluable) {
      thread_local Scratch sc;
      const std::size_t mi = static_cast<std::size_t>(
          std::find(net_minerals.begin(), net_minerals.end(), mineral_of[i]) - net_minerals.begin());
      const int m = mineral_of[i];
      sim::Network more;
      try {
        more = sim::WithAdditions(net, {pe.addition});
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::Internal) throw;
        pe.evaluable = false;
        pe.reason = e.what();
      }
      if (pe.evaluable) {
        const MineralShocks shocks = Compile(more, reg, m);
        std::vector<double> before(N, 0.0), after(N, 0.0);
        std::uint64_t evaluated = 0;
        for (std::uint32_t s : touched[mi]) {
          const double b = ev.baseline_shortfall_t[s * M + mi];
          before[s] = b;
          if (b <= 0) continue;
          const double a =
              PartnerShortfall(more, shocks, sample.draws[s], m, partners, reg.horizon_months, rq.eval, sc);
          ++evaluated;
          double relief = b - a;
          const double tol = kReliefTolerance * std::max(1.0, b);
          if (relief < -tol) {
            failures[i] = fmt::format(
                "project '{}', scenario {}: added supply raised the partners' shortfall of {} "
                "from {} to {} (the simulator must never do this)",
                pe.id, s, pe.mineral, b, a);
            relief = 0;
          }
          if (relief <= tol) relief = 0;
          after[s] = b - relief;
          if (relief > 0) pe.relief.push_back({s, relief});
        }
        pe.scenarios_touched = touched[mi].size();
        pe.scenarios_evaluated = evaluated;
        evaluations += evaluated;
        const double n = static_cast<double>(N);
        pe.partner_demand_t = ev.partner_demand_t[mi];
        pe.expected_before_t = std::accumulate(before.begin(), before.end(), 0.0) / n;
        double relief_sum = 0;
        for (const auto& r : pe.relief) relief_sum += r.tonnes;
        pe.expected_relief_t = relief_sum / n;
        pe.expected_after_t = pe.expected_before_t - pe.expected_relief_t;
        pe.cvar95_before_t = model::CVaR(before, kTailShare);
        pe.cvar95_after_t = model::CVaR(after, kTailShare);
        pe.concentration = Concentrate(net, net.minerals[m], pe.addition);
        if (!ev.mineral_notes[mi].empty()) pe.notes.push_back(ev.mineral_notes[mi]);
      }
    }
    std::size_t now = ++done;
    if (rq.progress && progress_mutex.try_lock()) {
      rq.progress(now, rq.projects.size());
      progress_mutex.unlock();
    }
  });
  if (rq.progress) rq.progress(rq.projects.size(), rq.projects.size());
  for (const auto& f : failures) {
    if (!f.empty()) throw Error::Internal(f);
  }
  ev.mineral_evaluations += evaluations.load();

  // 4. Money per tonne and private money per public dollar.
  for (std::size_t i = 0; i < rq.projects.size(); ++i) {
    const Project& p = rq.projects[i];
    ProjectEvaluation& pe = ev.projects[i];
    const StackMoney& mon = pe.money;
    if (pe.baseline) {  // operating: no public need to size
      pe.public_basis = "none: operating, baseline supply (no public money is offered)";
      continue;
    }
    if (p.capex_musd.status == model::ValueStatus::Known) {  // the public need the optimiser uses
      pe.public_musd = std::max(0.0, p.capex_musd.number - mon.private_money);
      pe.public_basis = "capex - private money in the capital stack";
    } else if (mon.Public() > 0) {
      pe.public_musd = mon.Public();
      pe.public_basis =
          fmt::format("public amounts named in the capital stack (capex {})", model::DescribeValue(p.capex_musd));
    } else {
      pe.public_basis = fmt::format("not available: capex {} and no public amount in the capital stack",
                                    model::DescribeValue(p.capex_musd));
    }
    if (pe.public_musd && pe.evaluable) {
      const double per_year = pe.expected_relief_t / years;
      if (per_year > 0) pe.public_usd_per_relief_t_per_year = *pe.public_musd * 1e6 / per_year;
      if (pe.addition.tonnes_per_year > 0)
        pe.public_usd_per_capacity_t = *pe.public_musd * 1e6 / pe.addition.tonnes_per_year;
    }
    if (mon.Public() > 0) pe.private_per_public = mon.private_money / mon.Public();
  }

  ev.assumptions = {
      fmt::format("one fixed sample: sim::DrawScenarios(register '{}', {} runs, seed {}); every project sees the "
                  "same scenarios",
                  reg.id, N, rq.seed),
      fmt::format("partner shortfall = the total shortfall after stockpiles of {} over {} months",
                  fmt::join(rq.partners, "+"), reg.horizon_months),
      "a project's capacity is added to the baseline network as new supply at its country (refined supply for every "
      "stage after mining, ore for mining), not committed to any baseline flow: reallocation offers it to short "
      "consumers",
      "capacity is the nameplate figure at full output: no ramp-up within the horizon",
      "a scenario where the partners are not short is not re-evaluated: added supply cannot create a shortfall",
      "public money = capex - private money (grants, loans, equity; guarantees and offtakes are commitments, not "
      "capital); without capex, the public amounts the capital stack names",
      fmt::format("time to first output counted from {}; YYYY-MM = the first day of the month, YYYY = 1 January",
                  rq.as_of),
      "concentration: country shares of the stage's 2025 output in the network; the residual 'other countries' is "
      "never the top supplier; CRMA benchmark met when no single country has more than 65%"};
  return ev;
}

std::vector<FeedLink> LoadFeedLinks(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    throw Error::NotFound(fmt::format("{}: the feed-chain table does not exist", file.string()));
  }
  model::Diagnostics diags;
  const auto t = data::ReadNamedTable(file, {"upstream", "downstream", "note", "source"}, diags);
  std::vector<FeedLink> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    FeedLink f{t.Cell(r, "upstream"), t.Cell(r, "downstream"), t.Cell(r, "note"), t.Cell(r, "source")};
    for (const char* col : {"upstream", "downstream", "source"}) {
      if (t.Cell(r, col).empty()) diags.Error(t.file, t.lines[r], t.Col(col), fmt::format("{}: empty", col));
    }
    if (!f.upstream.empty() && f.upstream == f.downstream) {
      diags.Error(t.file, t.lines[r], t.Col("downstream"), "downstream: a project cannot feed itself");
    }
    out.push_back(std::move(f));
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return out;
}

BuiltPortfolio BuildPortfolioProblem(const Evaluation& ev, const PortfolioBuildOptions& o) {
  BuiltPortfolio out;
  PortfolioProblem& pp = out.problem;
  pp.us_budget_musd = o.us_budget_musd;
  pp.jp_budget_musd = o.jp_budget_musd;
  pp.later_us_budget_musd = o.later_us_budget_musd;
  pp.later_jp_budget_musd = o.later_jp_budget_musd;
  pp.decision_deadline = o.decision_deadline;
  pp.min_private_share = o.min_private_share;
  pp.max_country_public_share = o.max_country_public_share;
  pp.esg_threshold = o.esg_threshold;
  pp.allow_unknown_esg = o.allow_unknown_esg;
  pp.scenario_count = ev.runs;
  const bool later_open = o.later_us_budget_musd > 0 || o.later_jp_budget_musd > 0;
  auto deadline = model::Date::ParseDay(o.decision_deadline);
  if (!deadline) {
    throw Error::InvalidRequest(fmt::format("deadline '{}': expected YYYY-MM-DD", o.decision_deadline));
  }
  const auto deadline_days = deadline->DayNumber();

  std::vector<int> problem_mineral(ev.minerals.size(), -1);
  for (std::size_t i = 0; i < ev.projects.size(); ++i) {
    const ProjectEvaluation& pe = ev.projects[i];
    auto exclude = [&](std::string reason) { out.excluded.push_back({i, pe.id, std::move(reason)}); };
    if (pe.baseline) {
      exclude("baseline supply, not new supply: " + pe.reason +
              "; public money is offered only to projects that add supply");
      continue;
    }
    if (!pe.evaluable) {
      exclude("not evaluable: " + pe.reason);
      continue;
    }
    const int em = ev.MineralIndex(pe.mineral);
    if (ev.partner_demand_t[em] <= 0) {
      exclude(fmt::format("no known partner demand of {}: its shortfall cannot be weighted", pe.mineral));
      continue;
    }
    if (pe.status == Status::Cancelled) {
      exclude("cancelled");
      continue;
    }
    if (pe.capex_musd.status != model::ValueStatus::Known) {
      exclude(fmt::format("capex {}: the public need cannot be sized", model::DescribeValue(pe.capex_musd)));
      continue;
    }
    const double capex = pe.capex_musd.number;
    CandidateFinancing fin;
    fin.id = pe.id;
    // Closing date: the latest dated capital-stack line, else the first output when it is on or
    // before the deadline (a project producing by then has closed its financing), else unknown.
    std::string closing;
    if (!pe.money.latest_closing.empty()) {
      closing = pe.money.latest_closing;
      fin.closing_basis = "latest closing date in the capital stack";
    } else if (auto first = model::Date::Parse(pe.first_output)) {
      if (first->DayNumber() <= deadline_days) {
        closing = first->First().Iso();
        fin.closing_basis = "first output on or before the deadline (no dated capital-stack line)";
      }
    }
    if (closing.empty()) {
      if (!later_open) {
        exclude(
            fmt::format("closing date not known (no dated capital-stack line and no first output by {}): treated "
                        "as not closing by the deadline, and no later tranche is open",
                        o.decision_deadline));
        continue;
      }
      closing = kUnknownClosing;
      fin.closing_basis = "not known: treated as closing after the deadline (later tranche)";
    }

    Candidate c;
    c.id = pe.id;
    c.country = pe.country;
    // Other governments' committed money is neither the partners' budget nor private: it
    // reduces what is left to finance.
    const double partner_capex = std::max(0.0, capex - pe.money.other_public);
    if (pe.money.other_public > 0) {
      fin.notes.push_back(fmt::format("other public money {:.6g} M USD deducted from capex {:.6g} M USD",
                                      pe.money.other_public, capex));
    }
    c.capex_musd = partner_capex;
    c.private_musd = std::min(pe.money.private_money, partner_capex);
    if (pe.money.private_money > partner_capex) {
      fin.notes.push_back(
          fmt::format("private money {:.6g} M USD capped at the capex left to finance", pe.money.private_money));
    }
    const double need = c.capex_musd - c.private_musd;
    if (need <= kMoneyTolerance) {
      exclude(
          fmt::format("fully financed without US or Japan public money (capex {:.6g} M USD: private {:.6g}, other "
                      "public {:.6g}): not a choice for the partners' budgets",
                      capex, pe.money.private_money, pe.money.other_public));
      continue;
    }
    if (problem_mineral[em] < 0) {
      problem_mineral[em] = static_cast<int>(pp.minerals.size());
      pp.minerals.push_back(pe.mineral);
      pp.weights.push_back(1.0 / ev.partner_demand_t[em]);
    }
    c.mineral = static_cast<std::size_t>(problem_mineral[em]);
    const double us = pe.money.us_public, jp = pe.money.jp_public;
    if (pe.money.us_named && pe.money.jp_named) {
      if (us + jp > 0 && std::abs(us + jp - need) > 1e-6 * std::max(1.0, need)) {
        fin.notes.push_back(
            fmt::format("named US {:.6g} + Japan {:.6g} M USD scaled to the public need {:.6g} M USD", us, jp, need));
      }
      c.us_fixed_musd = us + jp > 0 ? need * us / (us + jp) : need / 2;
      c.jp_fixed_musd = need - *c.us_fixed_musd;
    } else if (pe.money.us_named) {
      c.us_fixed_musd = std::min(us, need);
      if (us > need) fin.notes.push_back(fmt::format("named US {:.6g} M USD capped at the public need", us));
    } else if (pe.money.jp_named) {
      c.jp_fixed_musd = std::min(jp, need);
      if (jp > need) fin.notes.push_back(fmt::format("named Japan {:.6g} M USD capped at the public need", jp));
    }
    c.closing_date = closing;
    c.esg_score = pe.esg_score;
    c.relief = pe.relief;
    out.project_of_candidate.push_back(i);
    out.financing.push_back(std::move(fin));
    pp.candidates.push_back(std::move(c));
  }

  const std::size_t PM = pp.minerals.size();
  pp.baseline_shortfall_t.assign(ev.runs * PM, 0.0);
  const std::size_t EM = ev.minerals.size();
  for (std::size_t em = 0; em < EM; ++em) {
    if (problem_mineral[em] < 0) continue;
    const std::size_t m = static_cast<std::size_t>(problem_mineral[em]);
    for (std::size_t s = 0; s < ev.runs; ++s)
      pp.baseline_shortfall_t[s * PM + m] = ev.baseline_shortfall_t[s * EM + em];
  }
  out.assumptions = {
      "shortfall is counted as a fraction of partner demand: w_m = 1 / (partner demand of m over the horizon)",
      "private money = grant, loan and equity lines with funder private; offtakes and guarantees are not capital "
      "put into the project and do not count",
      "other governments' money (funder other_public) is deducted from the capex left to finance; a project with "
      "nothing left for US or Japan public money is not a candidate (it needs no decision of the partners)",
      "US and Japan public amounts named in the capital stack are fixed shares of the public need (capex - private); "
      "otherwise the optimiser splits the need",
      "closing date = the latest dated capital-stack line (a month or a year: its last day), else the first output "
      "when it falls on or before the deadline; unknown = not closing by the deadline (later tranche)"};
  return out;
}

Recheck RecheckPortfolio(const EvaluationRequest& rq, const Evaluation& ev, const BuiltPortfolio& built,
                         const PortfolioResult& result) {
  Recheck rc;
  const sim::Network& net = *rq.network;
  const sim::Register& reg = *rq.reg;
  const PortfolioProblem& pp = built.problem;
  const std::size_t PM = pp.minerals.size();
  const std::vector<int> partners = PartnerIndexes(net, ev.partners);
  std::vector<sim::SupplyAddition> additions;
  for (const auto& c : result.chosen)
    additions.push_back(ev.projects[built.project_of_candidate[c.candidate]].addition);
  const sim::Network more = additions.empty() ? net : sim::WithAdditions(net, additions);
  const auto draws = sim::DrawScenarios(reg, ev.runs, ev.seed);
  const double n = static_cast<double>(ev.runs);
  rc.minerals.resize(PM);
  for (std::size_t m = 0; m < PM; ++m) {
    RecheckMineral& r = rc.minerals[m];
    r.mineral = pp.minerals[m];
    r.weight = pp.weights[m];
    const int em = ev.MineralIndex(r.mineral);
    r.unit = ev.units[em];
    double before = 0;
    for (std::size_t s = 0; s < ev.runs; ++s) before += pp.baseline_shortfall_t[s * PM + m];
    r.expected_before_t = before / n;
    r.additive_after_t = r.expected_before_t;
    for (const auto& ms : result.minerals) {
      if (ms.mineral == r.mineral) r.additive_after_t = ms.expected_after_t;
    }
    bool changed = false;
    for (const auto& a : additions) changed |= a.mineral == r.mineral;
    if (!changed) {
      r.simulated_after_t = r.expected_before_t;
      continue;
    }
    const int nm = more.FindMineralIndex(r.mineral);
    const MineralShocks shocks = Compile(more, reg, nm);
    const auto touched = TouchedScenarios(draws, shocks);
    std::vector<double> after(touched.size(), 0.0);
    ParallelFor(rq.threads, touched.size(), [&](std::size_t x) {
      thread_local Scratch sc;
      const std::uint32_t s = touched[x];
      if (pp.baseline_shortfall_t[s * PM + m] <= 0) return;
      after[x] = PartnerShortfall(more, shocks, draws[s], nm, partners, reg.horizon_months, rq.eval, sc);
    });
    double sum = 0;
    for (double a : after) sum += a;  // fixed order: the same bits for any thread count
    r.simulated_after_t = sum / n;
  }
  for (const auto& r : rc.minerals) {
    rc.objective_before += r.weight * r.expected_before_t;
    rc.objective_additive += r.weight * r.additive_after_t;
    rc.objective_simulated += r.weight * r.simulated_after_t;
  }
  return rc;
}

}  // namespace lodestone::invest
