// outlook::Run: yearly demand against supply (existing output with reserve depletion, the
// project pipeline weighted by stage, secondary supply), for the world and for the partners'
// secure supply, with P5/P50/P95 bands from seeded Monte Carlo runs.
#include "lodestone/outlook/outlook.hpp"
#include "lodestone/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "lodestone/data/refining.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "random.hpp"

namespace lodestone::outlook {

namespace {

constexpr double kP5 = 0.05, kP50 = 0.50, kP95 = 0.95;

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// One producer of the supply stage: a country with base-year output and/or projects, or the
// unattributed remainder of the world total.
struct Producer {
  std::string iso3;
  double base_t = 0;
  double reserves_t = std::numeric_limits<double>::infinity();  // cumulative cap from the year after the base
  bool allied = false;
};

struct Project {
  std::size_t producer = 0;
  double capacity_t = 0;
  double probability = 0;
  int start = 0;  // first year of output on the expected timing
};

struct SupplyYear {
  double existing = 0, projects = 0, secure_primary = 0;
};

// Refining output by country as fractions of world refined output, for a mineral whose dataset
// has no refinery tonnes: the latest period's global refining shares of shares.csv, merged with
// the refining splits (a whole split where the dataset has none; else overrides of the named
// countries, the dataset's others scaled to the rest), normalised to one.
struct RefiningShares {
  std::map<std::string, double> share;  // ISO3 -> fraction, summing to 1
  std::string how;                      // in words, for the notes
  std::vector<std::string> sources;
  std::vector<std::string> notes;
};

std::optional<RefiningShares> RefiningSharesFor(const model::Dataset& ds, const OutlookData& data, model::MineralId mid,
                                                const std::string& mineral) {
  std::vector<data::RefiningOverride> overrides;
  for (const auto& s : data.refining_splits) {
    if (s.mineral == mineral) overrides.push_back({s.country, s.share, s.source});
  }
  auto split = data::GlobalRefiningSplit(ds, mid, overrides, data.refining_file.filename().string());
  if (split.share.empty()) return std::nullopt;
  RefiningShares out;
  for (const auto& [c, x] : split.share) out.share[ds.Country(c).iso3] = x;
  out.how = std::move(split.how);
  out.sources = std::move(split.sources);
  out.notes = std::move(split.notes);
  return out;
}

const std::vector<std::string> kRefiningStages = {"refining", "separation", "magnets", "cathode", "anode"};

// Primary supply per year for given project starts (0 = never) and weights, existing output
// growing by `growth` (a factor on base-year output per year: 1 without a base case), with reserves
// capping each country's cumulative extraction after the base year (existing and new output scaled
// down together when the cap binds).
void PrimarySupply(const std::vector<Producer>& producers, const std::vector<Project>& projects,
                   const std::vector<int>& start, const std::vector<double>& weight, const std::vector<double>& growth,
                   const std::vector<int>& years, int ramp_years, std::vector<SupplyYear>& out,
                   std::vector<double>& remaining, std::vector<double>& project_t) {
  out.assign(years.size(), {});
  remaining.resize(producers.size());
  for (std::size_t c = 0; c < producers.size(); ++c) remaining[c] = producers[c].reserves_t;
  project_t.resize(producers.size());
  for (std::size_t yi = 0; yi < years.size(); ++yi) {
    const int y = years[yi];
    std::fill(project_t.begin(), project_t.end(), 0.0);
    for (std::size_t p = 0; p < projects.size(); ++p) {
      if (start[p] == 0 || y < start[p]) continue;
      double ramp = std::min(1.0, static_cast<double>(y - start[p] + 1) / ramp_years);
      project_t[projects[p].producer] += projects[p].capacity_t * ramp * weight[p];
    }
    for (std::size_t c = 0; c < producers.size(); ++c) {
      const double base = producers[c].base_t * growth[yi];
      double want = base + project_t[c];
      double factor = 1.0;
      if (yi > 0 && want > 0 && std::isfinite(remaining[c])) {
        double take = std::min(want, std::max(0.0, remaining[c]));
        remaining[c] -= take;
        factor = take / want;
      }
      out[yi].existing += base * factor;
      out[yi].projects += project_t[c] * factor;
      if (producers[c].allied) out[yi].secure_primary += want * factor;
    }
  }
}

// Why the world gap opens in `year` (the first P50 gap year), from the expected path: what moved
// demand and supply since the year before (or the base year).
std::string GapReason(const OutlookResult& r, int year, int base_year, int base_case_last, double gap_opens_share,
                      const std::vector<double>& uncapped_existing) {
  const auto i = static_cast<std::size_t>(year - base_year);
  const auto& y = r.years[i];
  const auto& b = r.years.front();
  const auto& prev = r.years[i > 0 ? i - 1 : 0];
  const std::string u = r.unit;
  auto pct = [](double now, double then) { return then > 0 ? fmt::format("{:+.0f}%", 100 * (now / then - 1)) : "n/a"; };
  const double primary = y.existing_t + y.projects_t, primary_base = b.existing_t + b.projects_t;
  std::string head =
      fmt::format("in {} demand is {} {} ({} on {}) against supply {} {} (primary {} on {}, secondary {} {})", year,
                  model::FormatNumber(std::round(y.demand_t)), u, pct(y.demand_t, b.demand_t), base_year,
                  model::FormatNumber(std::round(y.supply_t)), u, pct(primary, primary_base), base_year,
                  model::FormatNumber(std::round(y.secondary_t)), u);
  if (y.existing_t < uncapped_existing[i] * (1 - 1e-9)) {
    return head + fmt::format(
                      ": reserves depletion: producers whose reserves run out cut existing output to {} {}, "
                      "{} {} below its path",
                      model::FormatNumber(std::round(y.existing_t)), u,
                      model::FormatNumber(std::round(uncapped_existing[i] - y.existing_t)), u);
  }
  if (y.gap_t <= gap_opens_share * y.demand_t) {
    return head +
           ": the expected path is still covered, but in at least half of the runs supply falls short of it "
           "(the base-case growth is realised in part, or projects fail or slip) or demand grows faster than its "
           "path";
  }
  if (i > 0 && uncapped_existing[i] < uncapped_existing[i - 1] * (1 - 1e-9)) {
    return head + fmt::format(
                      ": the base-case supply path falls ({} {} in {} to {} {}): existing mines' output "
                      "declines faster than announced projects add",
                      model::FormatNumber(std::round(uncapped_existing[i - 1])), u, prev.year,
                      model::FormatNumber(std::round(uncapped_existing[i])), u);
  }
  if (base_case_last != 0 && year > base_case_last) {
    return head + fmt::format(
                      ": demand keeps growing after the base case's last published year ({}), while "
                      "base-case supply is held flat and later projects do not keep up",
                      base_case_last);
  }
  if (base_case_last != 0) {
    return head + ": demand growth above the base-case supply path (existing and announced projects)";
  }
  return head +
         ": demand growth above supply; without a published base case existing output is held flat and "
         "only the registry's projects add to it";
}

}  // namespace

bool CountsAtStage(const std::string& project_stage, const std::string& supply_stage) {
  if (supply_stage == "refining") {
    return std::find(kRefiningStages.begin(), kRefiningStages.end(), project_stage) != kRefiningStages.end();
  }
  return project_stage == supply_stage;
}

bool HasSupplyStage(const model::Dataset& ds, const OutlookData& data, const std::string& mineral,
                    const std::string& stage) {
  auto mid = ds.FindMineral(mineral);
  if (!mid) return false;
  const int year = data.parameters.base_year;
  if (WorldPrimaryProduction(ds, *mid, year, stage)) return true;
  return stage == "refining" && WorldPrimaryProduction(ds, *mid, year, "mining") &&
         RefiningSharesFor(ds, data, *mid, mineral);
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  double pos = p * static_cast<double>(sorted.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(pos));
  std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  double f = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * f;
}

OutlookResult Run(const model::Dataset& ds, const OutlookData& data, const std::vector<PipelineProject>& pipeline,
                  const OutlookRequest& request) {
  auto mid = ds.FindMineral(request.mineral);
  if (!mid) throw Error::InvalidRequest(fmt::format("unknown mineral '{}'", request.mineral));
  if (request.runs < 1 || request.runs > 1000000) {
    throw Error::InvalidRequest(fmt::format("runs {}: expected 1 to 1000000", request.runs));
  }
  const auto& par = data.parameters;
  OutlookResult res;
  res.mineral = request.mineral;
  res.scenario = request.scenario;
  if (res.scenario.empty()) {
    auto available = data.ScenariosFor(request.mineral);
    if (available.empty()) {
      throw Error::InvalidData((data.dir / "demand.csv").string(), 0, 0,
                               fmt::format("no demand scenario for {}", request.mineral));
    }
    res.scenario = available.front();
  }
  for (const auto& c : request.consumer) {
    if (!ds.FindCountry(c)) throw Error::InvalidRequest(fmt::format("unknown consumer country '{}'", c));
  }
  res.consumer = Join(request.consumer, "+");
  res.runs = request.runs;
  res.seed = request.seed;
  DemandPaths demand = BuildDemand(ds, data, res.scenario, request.mineral, request.consumer);
  res.scenario_title = data.FindScenario(res.scenario)->title;
  res.unit = demand.unit;
  res.sources = demand.sources;
  res.notes = demand.notes;

  // Supply stage and base-year output by country. Refining without refinery tonnes: the refining
  // shares applied to world mine production (content terms).
  auto world = WorldPrimaryProduction(ds, *mid, par.base_year, request.stage);
  std::optional<RefiningShares> refining_shares;
  if (!world && request.stage == "refining") {
    auto mine = WorldPrimaryProduction(ds, *mid, par.base_year, "mining");
    if (mine) refining_shares = RefiningSharesFor(ds, data, *mid, request.mineral);
    if (refining_shares) {
      world = *mine;
      world->stage = "refining";
    }
  }
  if (!request.stage.empty() && request.stage != "mining" && request.stage != "refining") {
    throw Error::InvalidRequest(fmt::format("stage '{}': expected mining or refining", request.stage));
  }
  if (!world) {
    throw Error::InvalidData(
        "", 0, 0,
        fmt::format(
            "the dataset has no {} production of {} in {}{}",
            request.stage.empty() ? "mining or refining" : request.stage, request.mineral, par.base_year,
            request.stage == "refining" ? " and no refining shares with world mine production to apply them to" : ""));
  }
  res.stage = world->stage;
  AddUnique(res.sources, ds.SourceOf(world->source).id);

  std::set<model::CountryId> allied;
  for (const auto& g : request.allied_groups) {
    auto gid = ds.FindGroup(g);
    if (!gid) throw Error::InvalidRequest(fmt::format("unknown group '{}' (not in groups.csv)", g));
    for (auto c : ds.GroupMembers(*gid)) allied.insert(c);
  }

  std::vector<Producer> producers;
  std::map<std::string, std::size_t> producer_index;
  auto producer_of = [&](const std::string& iso3) -> std::size_t {
    auto it = producer_index.find(iso3);
    if (it != producer_index.end()) return it->second;
    Producer p;
    p.iso3 = iso3;
    if (auto cid = ds.FindCountry(iso3)) p.allied = allied.count(*cid) > 0;
    producers.push_back(p);
    producer_index[iso3] = producers.size() - 1;
    return producers.size() - 1;
  };
  const auto& prod = ds->production;
  double listed = 0;
  if (refining_shares) {
    for (const auto& [iso3, share] : refining_shares->share) producers[producer_of(iso3)].base_t += share * world->t;
    listed = world->t;
    for (const auto& s : refining_shares->sources) AddUnique(res.sources, s);
    for (const auto& n : refining_shares->notes) res.notes.push_back(n);
    std::string rule = fmt::format(
        "Refining output by country in {} = {} x world mine production {} {} ({}): the dataset has no refinery "
        "tonnes of {}, so refined content is assumed equal to mine content (no losses, stock changes or secondary "
        "feed at the refining stage); shares, not tonnes.",
        par.base_year, refining_shares->how, model::FormatNumber(world->t), res.unit,
        world->from_world_total ? "published world total" : "sum of the listed countries", request.mineral);
    res.notes.push_back(rule);
    res.assumptions.push_back(rule);
  }
  const auto stage_id = ds.FindStage(res.stage);
  for (std::size_t i = 0; i < prod.size() && !refining_shares; ++i) {
    if (prod.mineral[i] != *mid || prod.stage[i] != *stage_id || prod.year[i] != par.base_year) continue;
    const auto& c = ds.Country(prod.country[i]);
    if (c.kind == model::CountryKind::Aggregate) continue;
    if (!prod.quantity[i].IsKnown()) {
      res.notes.push_back(fmt::format("{} {} output {} is {}: not counted in supply or secure supply", c.iso3,
                                      res.stage, par.base_year, model::DescribeValue(prod.quantity[i])));
      continue;
    }
    if (prod.quantity[i].number <= 0) continue;
    producers[producer_of(c.iso3)].base_t += prod.quantity[i].number;
    listed += prod.quantity[i].number;
  }
  if (std::abs(world->t - listed) > 1e-9 * world->t) {
    // The published world total and the listed countries differ (unlisted producers, rounding):
    // the difference is an unattributed producer, not allied, without a reserves cap.
    std::size_t r = producer_of("(unattributed)");
    producers[r].base_t = world->t - listed;
    producers[r].allied = false;
    res.notes.push_back(
        fmt::format("world {} output {} ({}) differs from the listed countries ({}) by {}: counted as "
                    "unattributed, not secure",
                    res.stage, par.base_year, model::FormatNumber(world->t), model::FormatNumber(listed),
                    model::FormatNumber(world->t - listed)));
  }

  // Reserves cap cumulative extraction (mining only).
  if (res.stage == "mining") {
    const auto& rv = ds->reserves;
    std::map<std::string, int> reserve_year;
    for (std::size_t i = 0; i < rv.size(); ++i) {
      if (rv.mineral[i] != *mid) continue;
      const auto& c = ds.Country(rv.country[i]);
      if (c.kind != model::CountryKind::Country) continue;
      auto it = producer_index.find(c.iso3);
      if (it == producer_index.end()) continue;
      if (!(rv.quantity[i].IsKnown() || rv.quantity[i].status == model::ValueStatus::AtMost)) continue;
      if (reserve_year.count(c.iso3) && reserve_year[c.iso3] > rv.year[i]) continue;
      reserve_year[c.iso3] = rv.year[i];
      producers[it->second].reserves_t = rv.quantity[i].number;
      AddUnique(res.sources, ds.SourceOf(rv.source[i]).id);
    }
    res.assumptions.push_back(
        "Depletion: a country's cumulative extraction after the base year (existing and new mines together) is capped "
        "by its reserves as published (a known figure or an upper bound; '>x' bounds and missing reserves do not "
        "cap); when the cap binds, existing and new output are scaled down together.");
  }

  // Base-case supply path (mining only): base-year output grows to the published base-case supply
  // (coverage x primary requirement of the reference scenario) in each published year, log-linear
  // in between, flat after the last published year.
  const auto& years = demand.years;
  const std::size_t ny = years.size();
  std::vector<double> growth(ny, 1.0);
  int base_case_last = 0;
  const auto points = res.stage == "mining" ? data.BaseCaseFor(request.mineral) : std::vector<BaseCasePoint>{};
  if (!points.empty()) {
    const std::string& ref = points.front().reference_scenario;
    std::optional<DemandPaths> other;
    if (ref != res.scenario) other = BuildDemand(ds, data, ref, request.mineral, {});
    const DemandPaths& refd = other ? *other : demand;
    // Coverage of the reference scenario's primary requirement: base-year output's coverage, then
    // the published points, linear in between.
    auto requirement = [&](int y) {
      const auto i = static_cast<std::size_t>(y - par.base_year);
      return refd.world[i] * (1 - refd.secondary_share[i]);
    };
    std::vector<AnchorPoint> coverage = {{par.base_year, world->t / requirement(par.base_year)}};
    for (const auto& b : points) {
      const auto i = static_cast<std::size_t>(b.year - par.base_year);
      BaseCaseCheck c;
      c.year = b.year;
      c.reference_scenario = ref;
      c.source = b.source;
      c.coverage = b.coverage;
      c.published_primary_gap = 1 - b.coverage;
      c.base_case_supply_t = b.coverage * refd.world[i] * (1 - refd.secondary_share[i]);
      c.tolerance = par.base_case_tolerance;
      c.one_sided = b.rule == "assume_covered_reads_balanced";
      c.comparable = ref == res.scenario;
      coverage.push_back({b.year, b.coverage});
      res.base_case.push_back(c);
      AddUnique(res.sources, b.source);
      AddUnique(res.sources, b.rule);
    }
    for (const char* id : {"assume_base_case_reference", "assume_base_case_path", "assume_projects_inside_base_case",
                           "assume_base_case_growth_sigma"}) {
      if (data.FindSource(id)) AddUnique(res.sources, id);
    }
    base_case_last = points.back().year;
    for (std::size_t i = 0; i < ny; ++i) {
      const int y = std::min(years[i], base_case_last);
      growth[i] = InterpolateLinear(coverage, y) * requirement(y) / world->t;
    }
    res.notes.push_back(fmt::format(
        "Existing output follows the published base case (existing and announced projects): {} {} in {} to {} "
        "{} in {} (coverage {} of the primary requirement in scenario {}, the coverage linear in between), flat "
        "after; registry projects expected to start by {} are inside it.",
        model::FormatNumber(world->t), res.unit, par.base_year,
        model::FormatNumber(std::round(res.base_case.back().base_case_supply_t)), res.unit, base_case_last,
        model::FormatNumber(points.back().coverage), ref, base_case_last));
  }

  // The pipeline: projects of this mineral and supply stage.
  std::vector<Project> projects;
  std::vector<const PipelineProject*> counted;
  for (const auto& p : pipeline) {
    if (p.mineral != request.mineral) continue;
    if (!CountsAtStage(p.stage, res.stage)) {
      res.excluded_projects.push_back(
          p.stage == "recycling" ? p.id + ": recycling projects are inside the secondary-supply share"
                                 : p.id + ": " + p.stage + " stage (the outlook compares " + res.stage + " supply)");
      continue;
    }
    if (p.status == "cancelled") {
      res.excluded_projects.push_back(p.id + ": cancelled");
      continue;
    }
    if (!p.capacity_t.IsKnown()) {
      res.excluded_projects.push_back(p.id + ": capacity not available");
      continue;
    }
    const StageOdds* odds = data.FindStage(p.development_stage);
    if (!odds)
      throw Error::InvalidData("", 0, 0, fmt::format("project {}: no odds for stage '{}'", p.id, p.development_stage));
    AddUnique(res.sources, odds->source);
    if (p.development_stage == "operating" && p.first_output_year != 0 && p.first_output_year <= par.base_year) {
      res.excluded_projects.push_back(p.id + ": operating since " + p.first_output + " (inside base-year output)");
      continue;
    }
    Project q;
    q.producer = producer_of(p.country);
    q.capacity_t = p.capacity_t.number;
    q.probability = odds->probability * (p.status == "paused" ? par.paused_factor : 1.0);
    int first = p.first_output_year;
    if (first == 0) {
      first = par.base_year + 1;
      res.notes.push_back(fmt::format("{}: first output not given; taken as {} before the stage delay", p.id, first));
    }
    q.start = std::max(first + static_cast<int>(std::lround(odds->delay_years)), par.base_year + 1);
    if (base_case_last != 0 && q.start <= base_case_last) {
      res.excluded_projects.push_back(
          fmt::format("{}: inside the base case's announced pipeline (expected start {} in or before {})", p.id,
                      q.start, base_case_last));
      continue;
    }
    projects.push_back(q);
    counted.push_back(&p);
  }

  std::vector<double> partner(ny, 0.0);
  for (const auto& r : demand.regions) {
    if (r.name == "rest_of_world") continue;
    for (std::size_t i = 0; i < ny; ++i) partner[i] += r.t[i];
  }

  // Expected path: demand on its scenario path, projects weighted by their probability.
  std::vector<SupplyYear> supply;
  std::vector<double> remaining, scratch;
  {
    std::vector<int> start;
    std::vector<double> weight;
    for (const auto& q : projects) {
      start.push_back(q.start);
      weight.push_back(q.probability);
    }
    PrimarySupply(producers, projects, start, weight, growth, years, par.ramp_years, supply, remaining, scratch);
  }

  // Monte Carlo: one demand-growth shock per run, each project succeeds or not and may slip.
  const auto runs = static_cast<std::size_t>(request.runs);
  std::vector<std::vector<double>> gap(ny), secure_gap(ny), demand_s(ny), supply_s(ny);
  for (std::size_t i = 0; i < ny; ++i) {
    gap[i].resize(runs);
    secure_gap[i].resize(runs);
    demand_s[i].resize(runs);
    supply_s[i].resize(runs);
  }
  std::vector<int> start(projects.size());
  std::vector<double> ones(projects.size(), 1.0);
  std::vector<SupplyYear> run_supply;
  std::vector<double> run_growth(ny, 1.0);
  for (std::size_t k = 0; k < runs; ++k) {
    internal::Rng rng(request.seed, k);
    double z = rng.Normal();
    for (std::size_t p = 0; p < projects.size(); ++p) {
      double u = rng.Uniform();
      double slip = std::floor(rng.Exponential(par.delay_jitter_mean_years));
      start[p] = u < projects[p].probability ? projects[p].start + static_cast<int>(slip) : 0;
    }
    // The base-case growth's own uncertainty, drawn last so that minerals without a base case keep
    // their streams.
    if (base_case_last != 0) {
      const double f = std::exp(par.base_case_growth_sigma * rng.Normal());
      for (std::size_t i = 0; i < ny; ++i) run_growth[i] = 1 + (growth[i] - 1) * f;
    }
    PrimarySupply(producers, projects, start, ones, run_growth, years, par.ramp_years, run_supply, remaining, scratch);
    for (std::size_t i = 0; i < ny; ++i) {
      double f = std::exp(par.demand_growth_sigma * z * (years[i] - par.base_year));
      double d = demand.world[i] * f;
      double pd = partner[i] * f;
      double r = demand.secondary_share[i];
      double s = run_supply[i].existing + run_supply[i].projects + r * d;
      demand_s[i][k] = d;
      supply_s[i][k] = s;
      gap[i][k] = d - s;
      secure_gap[i][k] = pd - (run_supply[i].secure_primary + r * pd);
    }
  }

  for (std::size_t i = 0; i < ny; ++i) {
    OutlookYear y;
    y.year = years[i];
    y.demand_t = demand.world[i];
    y.secondary_t = demand.secondary_share[i] * demand.world[i];
    y.existing_t = supply[i].existing;
    y.projects_t = supply[i].projects;
    y.supply_t = y.existing_t + y.projects_t + y.secondary_t;
    y.gap_t = y.demand_t - y.supply_t;
    y.gap_pct = y.demand_t > 0 ? y.gap_t / y.demand_t : 0;
    for (auto* v : {&gap[i], &secure_gap[i], &demand_s[i], &supply_s[i]}) std::sort(v->begin(), v->end());
    y.demand_p5 = Percentile(demand_s[i], kP5);
    y.demand_p95 = Percentile(demand_s[i], kP95);
    y.supply_p5 = Percentile(supply_s[i], kP5);
    y.supply_p95 = Percentile(supply_s[i], kP95);
    y.gap_p5 = Percentile(gap[i], kP5);
    y.gap_p50 = Percentile(gap[i], kP50);
    y.gap_p95 = Percentile(gap[i], kP95);
    y.partner_demand_t = partner[i];
    y.secure_supply_t = supply[i].secure_primary + demand.secondary_share[i] * partner[i];
    y.secure_gap_t = y.partner_demand_t - y.secure_supply_t;
    y.secure_gap_pct = y.partner_demand_t > 0 ? y.secure_gap_t / y.partner_demand_t : 0;
    y.secure_gap_p5 = Percentile(secure_gap[i], kP5);
    y.secure_gap_p50 = Percentile(secure_gap[i], kP50);
    y.secure_gap_p95 = Percentile(secure_gap[i], kP95);
    {
      double tol = par.gap_opens_share * y.demand_t;
      double ptol = par.gap_opens_share * y.partner_demand_t;
      if (!res.first_gap_p50 && y.gap_p50 > tol) res.first_gap_p50 = y.year;
      if (!res.first_gap_p95 && y.gap_p95 > tol) res.first_gap_p95 = y.year;
      if (!res.first_secure_gap_p50 && y.secure_gap_p50 > ptol) res.first_secure_gap_p50 = y.year;
      if (!res.first_secure_gap_p95 && y.secure_gap_p95 > ptol) res.first_secure_gap_p95 = y.year;
    }
    res.years.push_back(y);
  }

  for (auto& c : res.base_case) {
    const auto& y = res.years[static_cast<std::size_t>(c.year - par.base_year)];
    const double requirement = y.demand_t - y.secondary_t;
    c.primary_gap = requirement > 0 ? (requirement - y.existing_t - y.projects_t) / requirement : 0;
    const double off = c.primary_gap - c.published_primary_gap;
    c.agrees = c.comparable && (c.one_sided ? off <= c.tolerance : std::abs(off) <= c.tolerance);
  }
  if (res.first_gap_p50) {
    std::vector<double> uncapped(ny);
    for (std::size_t i = 0; i < ny; ++i) uncapped[i] = world->t * growth[i];
    res.first_gap_reason =
        GapReason(res, *res.first_gap_p50, par.base_year, base_case_last, par.gap_opens_share, uncapped);
    res.notes.insert(res.notes.begin(), "Why the world gap opens: " + res.first_gap_reason);
  }

  for (const auto& pr : producers) {
    if (pr.base_t > 0) res.base_output.push_back({pr.iso3, pr.base_t, pr.allied});
  }
  std::sort(res.base_output.begin(), res.base_output.end(),
            [](const BaseOutput& a, const BaseOutput& b) { return a.t != b.t ? a.t > b.t : a.country < b.country; });

  // Each counted project's expected output in the end year (its own, before any reserves cap).
  for (std::size_t p = 0; p < projects.size(); ++p) {
    const auto& q = projects[p];
    ProjectContribution c;
    c.id = counted[p]->id;
    c.name = counted[p]->name;
    c.country = counted[p]->country;
    c.stage = counted[p]->stage;
    c.development_stage = counted[p]->development_stage;
    c.allied = producers[q.producer].allied;
    c.capacity_t = q.capacity_t;
    c.probability = q.probability;
    c.expected_start = q.start;
    double ramp = std::min(1.0, static_cast<double>(par.end_year - q.start + 1) / par.ramp_years);
    c.expected_t_end = par.end_year >= q.start ? q.capacity_t * q.probability * ramp : 0.0;
    res.projects.push_back(c);
  }
  std::stable_sort(res.projects.begin(), res.projects.end(),
                   [](const auto& a, const auto& b) { return a.expected_t_end > b.expected_t_end; });

  for (const auto& id : res.sources) {
    if (const auto* s = data.FindSource(id); s && s->kind == model::SourceKind::Assumption) {
      res.assumptions.push_back(s->citation + ": " + s->rule);
    }
  }
  for (const auto& name : {"demand_growth_sigma", "delay_jitter_mean_years", "ramp_years", "paused_factor"}) {
    auto it = data.parameter_rules.find(name);
    if (it != data.parameter_rules.end()) res.assumptions.push_back(std::string(name) + ": " + it->second);
  }
  if (res.stage == "mining") {
    res.assumptions.push_back(
        "Existing supply: base-year output of every listed producer continues unchanged (nameplate capacity is not "
        "supply) until reserves bind. Secure supply: output of countries in " +
        Join(request.allied_groups, ", ") +
        ", plus secondary supply at the world's secondary share of the consumers' demand.");
  } else {
    res.assumptions.push_back(
        "Existing supply at the " + res.stage +
        " stage: base-year output of every producer stays flat to the end year (depletion applies to mining only; "
        "nameplate capacity is not supply). Secure supply: " +
        res.stage + " output of countries in " + Join(request.allied_groups, ", ") +
        " and their projects, plus secondary supply at the world's secondary share of the consumers' demand.");
    if (res.stage == "refining") {
      res.assumptions.push_back(
          "Refining-stage pipeline: projects of stage refining, separation, magnets, cathode and anode add refining "
          "supply (capacity in the mineral's content); mining projects count at the mining stage only; recycling "
          "projects are inside the secondary-supply share at every stage.");
    }
  }
  res.assumptions.push_back(
      "Projects: count from first output + stage delay (not before the year after the base year), ramp linearly to "
      "capacity; expected path weights capacity by the stage probability; operating projects whose first output is "
      "in or before the base year are inside base-year output.");
  // Each source's citation and licence: the dataset's manifest, else the outlook's sources.csv.
  for (const auto& id : res.sources) {
    std::string text;
    for (const auto& s : ds->manifest.sources) {
      if (s.id == id) {
        text = s.citation + " (" + s.licence + ")";
        break;
      }
    }
    if (text.empty()) {
      if (const auto* s = data.FindSource(id)) text = s->citation + " (" + s->licence + ")";
    }
    res.source_citations.push_back(std::move(text));
  }
  return res;
}

}  // namespace lodestone::outlook
