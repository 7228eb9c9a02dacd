// Loading data/outlook/: scenarios, demand anchors, shares, secondary supply, stage odds and
// parameters, each row checked (ids, years, numbers, units, sources) before anything is used.
#include "lodestone/outlook/data.hpp"
#include "lodestone/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "lodestone/data/named_table.hpp"
#include "lodestone/model/units.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::outlook {

using data::ParseNumberCell;
using data::ParseYearCell;
using Table = data::NamedTable;
inline Table ReadTable(const std::filesystem::path& path, const std::vector<std::string>& required,
                       model::Diagnostics& diags) {
  return data::ReadNamedTable(path, required, diags);
}

namespace {

bool IsId(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

void LoadSources(OutlookData& d, model::Diagnostics& diags) {
  Table t = ReadTable(d.dir / "sources.csv", {"id", "kind", "citation", "url", "licence", "evidence", "rule"}, diags);
  std::set<std::string> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    model::Source s;
    s.id = t.Cell(r, "id");
    const std::string& kind = t.Cell(r, "kind");
    if (!IsId(s.id)) diags.Error(t.file, t.lines[r], t.Col("id"), fmt::format("id '{}': expected [a-z0-9_-]+", s.id));
    if (!seen.insert(s.id).second) diags.Error(t.file, t.lines[r], t.Col("id"), fmt::format("duplicate id '{}'", s.id));
    if (kind == "published") {
      s.kind = model::SourceKind::Published;
    } else if (kind == "assumption") {
      s.kind = model::SourceKind::Assumption;
    } else {
      diags.Error(t.file, t.lines[r], t.Col("kind"), fmt::format("kind '{}': expected published or assumption", kind));
    }
    s.citation = t.Cell(r, "citation");
    s.url = t.Cell(r, "url");
    s.licence = t.Cell(r, "licence");
    s.evidence = t.Cell(r, "evidence");
    s.rule = t.Cell(r, "rule");
    if (s.citation.empty() || s.licence.empty()) {
      diags.Error(t.file, t.lines[r], s.citation.empty() ? t.Col("citation") : t.Col("licence"),
                  "every source needs a citation and a licence");
    }
    if (s.kind == model::SourceKind::Assumption && s.rule.empty()) {
      diags.Error(t.file, t.lines[r], t.Col("rule"), "an assumption needs its rule in words");
    }
    d.sources.push_back(std::move(s));
  }
}

void CheckSource(const OutlookData& d, const Table& t, std::size_t r, model::Diagnostics& diags) {
  const std::string& id = t.Cell(r, "source");
  if (!d.FindSource(id)) {
    diags.Error(t.file, t.lines[r], t.Col("source"), fmt::format("source '{}': not in sources.csv", id));
  }
}

void LoadScenarios(OutlookData& d, model::Diagnostics& diags) {
  Table t = ReadTable(d.dir / "scenarios.csv", {"id", "title", "after_last_anchor", "description"}, diags);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    Scenario s;
    s.id = t.Cell(r, "id");
    s.title = t.Cell(r, "title");
    s.description = t.Cell(r, "description");
    const std::string& after = t.Cell(r, "after_last_anchor");
    if (!IsId(s.id)) diags.Error(t.file, t.lines[r], t.Col("id"), fmt::format("id '{}': expected [a-z0-9_-]+", s.id));
    if (d.FindScenario(s.id))
      diags.Error(t.file, t.lines[r], t.Col("id"), fmt::format("duplicate scenario '{}'", s.id));
    if (after == "trend") {
      s.trend_after_last = true;
    } else if (after != "flat") {
      diags.Error(t.file, t.lines[r], t.Col("after_last_anchor"),
                  fmt::format("after_last_anchor '{}': expected flat or trend", after));
    }
    d.scenarios.push_back(std::move(s));
  }
}

void LoadDemand(OutlookData& d, const model::Dataset& ds, model::Diagnostics& diags) {
  Table t = ReadTable(
      d.dir / "demand.csv",
      {"scenario", "mineral", "region", "sector", "year", "basis", "ref_year", "value", "unit", "source", "note"},
      diags);
  std::set<std::tuple<std::string, std::string, std::string, std::string, int>> keys;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    DemandAnchor a;
    a.line = t.lines[r];
    a.scenario = t.Cell(r, "scenario");
    a.mineral = t.Cell(r, "mineral");
    a.region = t.Cell(r, "region");
    a.sector = t.Cell(r, "sector");
    a.source = t.Cell(r, "source");
    a.note = t.Cell(r, "note");
    bool ok = true;
    if (a.scenario != "*" && !d.FindScenario(a.scenario)) {
      diags.Error(t.file, a.line, t.Col("scenario"), fmt::format("scenario '{}': not in scenarios.csv", a.scenario));
      ok = false;
    }
    auto mineral = ds.FindMineral(a.mineral);
    if (!mineral) {
      diags.Error(t.file, a.line, t.Col("mineral"),
                  fmt::format("mineral '{}': not a mineral of the dataset", a.mineral));
      ok = false;
    }
    if (a.region != "world" && !ds.FindCountry(a.region)) {
      diags.Error(t.file, a.line, t.Col("region"),
                  fmt::format("region '{}': expected world or an ISO3 code of countries.csv", a.region));
      ok = false;
    }
    if (!IsId(a.sector)) {
      diags.Error(t.file, a.line, t.Col("sector"), fmt::format("sector '{}': expected total or a sector id", a.sector));
      ok = false;
    }
    if (!ParseYearCell(t, r, "year", a.year, diags)) ok = false;
    CheckSource(d, t, r, diags);
    const std::string& basis = t.Cell(r, "basis");
    if (basis == "absolute") {
      a.basis = AnchorBasis::Absolute;
      double v = 0;
      if (ParseNumberCell(t, r, "value", 0, 1e15, v, diags) && mineral) {
        auto unit = model::ParseUnit(t.Cell(r, "unit"));
        auto factor = unit ? model::ConversionFactor(*unit, ds.Mineral(*mineral).unit) : std::nullopt;
        if (!factor) {
          diags.Error(t.file, a.line, t.Col("unit"),
                      fmt::format("unit '{}': expected a mass unit convertible to {}", t.Cell(r, "unit"),
                                  ds.Mineral(*mineral).unit.text));
          ok = false;
        } else {
          a.value = v * *factor;
        }
      } else {
        ok = false;
      }
    } else if (basis == "index") {
      a.basis = AnchorBasis::Index;
      if (!ParseNumberCell(t, r, "value", 1e-9, 1e6, a.value, diags)) ok = false;
      if (!ParseYearCell(t, r, "ref_year", a.ref_year, diags)) ok = false;
    } else if (basis == "dataset_production") {
      a.basis = AnchorBasis::DatasetProduction;
      if (!t.Cell(r, "value").empty()) {
        diags.Error(t.file, a.line, t.Col("value"), "dataset_production takes its value from the dataset: leave empty");
        ok = false;
      }
    } else if (basis == "share_of_world") {
      a.basis = AnchorBasis::ShareOfWorld;
      if (!ParseNumberCell(t, r, "value", 0, 1, a.value, diags)) ok = false;
      if (a.region == "world") {
        diags.Error(t.file, a.line, t.Col("region"), "share_of_world is for a consumer region, not world");
        ok = false;
      }
    } else {
      diags.Error(t.file, a.line, t.Col("basis"),
                  fmt::format("basis '{}': expected absolute, index, dataset_production or share_of_world", basis));
      ok = false;
    }
    if (a.basis != AnchorBasis::ShareOfWorld && a.region != "world") {
      diags.Error(t.file, a.line, t.Col("region"), "consumer regions are given as share_of_world");
      ok = false;
    }
    if (!keys.insert({a.scenario, a.mineral, a.region, a.sector, a.year}).second) {
      diags.Error(
          t.file, a.line, 0,
          fmt::format("duplicate anchor ({}, {}, {}, {}, {})", a.scenario, a.mineral, a.region, a.sector, a.year));
      ok = false;
    }
    if (ok) d.demand.push_back(std::move(a));
  }
}

void LoadRecycling(OutlookData& d, const model::Dataset& ds, model::Diagnostics& diags) {
  Table t = ReadTable(d.dir / "recycling.csv", {"scenario", "mineral", "year", "share", "source", "note"}, diags);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    RecyclingAnchor a;
    a.scenario = t.Cell(r, "scenario");
    a.mineral = t.Cell(r, "mineral");
    a.source = t.Cell(r, "source");
    a.note = t.Cell(r, "note");
    bool ok = true;
    if (a.scenario != "*" && !d.FindScenario(a.scenario)) {
      diags.Error(t.file, t.lines[r], t.Col("scenario"),
                  fmt::format("scenario '{}': not in scenarios.csv", a.scenario));
      ok = false;
    }
    if (!ds.FindMineral(a.mineral)) {
      diags.Error(t.file, t.lines[r], t.Col("mineral"),
                  fmt::format("mineral '{}': not a mineral of the dataset", a.mineral));
      ok = false;
    }
    if (!ParseYearCell(t, r, "year", a.year, diags)) ok = false;
    if (!ParseNumberCell(t, r, "share", 0, 0.99, a.share, diags)) ok = false;
    CheckSource(d, t, r, diags);
    if (ok) d.recycling.push_back(std::move(a));
  }
}

void LoadStages(OutlookData& d, model::Diagnostics& diags) {
  static const std::vector<std::string> kStages = {"announced",    "feasibility",   "financing",
                                                   "construction", "commissioning", "operating"};
  Table t = ReadTable(d.dir / "pipeline_stages.csv",
                      {"development_stage", "probability", "delay_years", "source", "rule"}, diags);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    StageOdds s;
    s.development_stage = t.Cell(r, "development_stage");
    s.source = t.Cell(r, "source");
    s.rule = t.Cell(r, "rule");
    if (std::find(kStages.begin(), kStages.end(), s.development_stage) == kStages.end()) {
      diags.Error(t.file, t.lines[r], t.Col("development_stage"),
                  fmt::format("development_stage '{}': expected announced, feasibility, financing, construction, "
                              "commissioning or operating",
                              s.development_stage));
    }
    ParseNumberCell(t, r, "probability", 0, 1, s.probability, diags);
    ParseNumberCell(t, r, "delay_years", 0, 30, s.delay_years, diags);
    CheckSource(d, t, r, diags);
    d.stages.push_back(std::move(s));
  }
  for (const auto& name : kStages) {
    if (!d.FindStage(name) && !t.rows.empty()) {
      diags.Error(t.file, 0, 0, fmt::format("development stage '{}' has no row", name));
    }
  }
}

void LoadParameters(OutlookData& d, model::Diagnostics& diags) {
  Table t = ReadTable(d.dir / "parameters.csv", {"parameter", "value", "unit", "source", "rule"}, diags);
  std::set<std::string> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::string& name = t.Cell(r, "parameter");
    double v = 0;
    CheckSource(d, t, r, diags);
    seen.insert(name);
    d.parameter_rules[name] = t.Cell(r, "rule");
    auto& p = d.parameters;
    if (name == "base_year" || name == "end_year") {
      int y = 0;
      if (ParseYearCell(t, r, "value", y, diags)) (name == "base_year" ? p.base_year : p.end_year) = y;
    } else if (name == "demand_growth_sigma") {
      if (ParseNumberCell(t, r, "value", 0, 1, v, diags)) p.demand_growth_sigma = v;
    } else if (name == "delay_jitter_mean_years") {
      if (ParseNumberCell(t, r, "value", 0, 20, v, diags)) p.delay_jitter_mean_years = v;
    } else if (name == "ramp_years") {
      if (ParseNumberCell(t, r, "value", 1, 20, v, diags)) p.ramp_years = static_cast<int>(v);
    } else if (name == "paused_factor") {
      if (ParseNumberCell(t, r, "value", 0, 1, v, diags)) p.paused_factor = v;
    } else if (name == "base_case_growth_sigma") {
      if (ParseNumberCell(t, r, "value", 0, 2, v, diags)) p.base_case_growth_sigma = v;
    } else if (name == "gap_opens_share") {
      if (ParseNumberCell(t, r, "value", 0, 0.5, v, diags)) p.gap_opens_share = v;
    } else if (name == "base_case_tolerance") {
      if (ParseNumberCell(t, r, "value", 0, 1, v, diags)) p.base_case_tolerance = v;
    } else {
      diags.Error(t.file, t.lines[r], t.Col("parameter"),
                  fmt::format("parameter '{}': expected base_year, end_year, demand_growth_sigma, "
                              "delay_jitter_mean_years, ramp_years, paused_factor, base_case_growth_sigma, "
                              "base_case_tolerance or gap_opens_share",
                              name));
    }
  }
  if (d.parameters.end_year <= d.parameters.base_year) {
    diags.Error(t.file, 0, 0, "end_year must be after base_year");
  }
}

// supply_base_case.csv: published base-case coverage of the primary supply requirement by
// mineral and year, each with the demand scenario it is read against.
void LoadBaseCase(OutlookData& d, const model::Dataset& ds, model::Diagnostics& diags) {
  Table t = ReadTable(d.dir / "supply_base_case.csv",
                      {"mineral", "year", "coverage", "reference_scenario", "source", "rule", "note"}, diags);
  std::set<std::pair<std::string, int>> keys;
  std::map<std::string, std::string> scenario_of;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    BaseCasePoint b;
    b.line = t.lines[r];
    b.mineral = t.Cell(r, "mineral");
    b.reference_scenario = t.Cell(r, "reference_scenario");
    b.source = t.Cell(r, "source");
    b.rule = t.Cell(r, "rule");
    b.note = t.Cell(r, "note");
    bool ok = true;
    if (!ds.FindMineral(b.mineral)) {
      diags.Error(t.file, b.line, t.Col("mineral"),
                  fmt::format("mineral '{}': not a mineral of the dataset", b.mineral));
      ok = false;
    }
    if (!ParseYearCell(t, r, "year", b.year, diags)) {
      ok = false;
    } else if (b.year <= d.parameters.base_year || b.year > d.parameters.end_year) {
      diags.Error(t.file, b.line, t.Col("year"),
                  fmt::format("year {}: expected after the base year {} and not after the end year {}", b.year,
                              d.parameters.base_year, d.parameters.end_year));
      ok = false;
    }
    if (!ParseNumberCell(t, r, "coverage", 0.01, 5, b.coverage, diags)) ok = false;
    const auto available = d.ScenariosFor(b.mineral);
    if (std::find(available.begin(), available.end(), b.reference_scenario) == available.end()) {
      diags.Error(t.file, b.line, t.Col("reference_scenario"),
                  fmt::format("reference_scenario '{}': not a demand scenario of {}", b.reference_scenario, b.mineral));
      ok = false;
    }
    CheckSource(d, t, r, diags);
    if (!b.rule.empty()) {
      const auto* s = d.FindSource(b.rule);
      if (!s || s->kind != model::SourceKind::Assumption) {
        diags.Error(t.file, b.line, t.Col("rule"), fmt::format("rule '{}': not an assumption in sources.csv", b.rule));
      }
    }
    if (ok && !keys.insert({b.mineral, b.year}).second) {
      diags.Error(t.file, b.line, t.Col("year"), fmt::format("duplicate row for {} {}", b.mineral, b.year));
      ok = false;
    }
    if (ok) {
      auto [it, inserted] = scenario_of.emplace(b.mineral, b.reference_scenario);
      if (!inserted && it->second != b.reference_scenario) {
        diags.Error(t.file, b.line, t.Col("reference_scenario"),
                    fmt::format("reference_scenario '{}': {} is read against '{}' on an earlier row",
                                b.reference_scenario, b.mineral, it->second));
        ok = false;
      }
    }
    if (ok) d.base_case.push_back(std::move(b));
  }
  std::stable_sort(d.base_case.begin(), d.base_case.end(), [](const BaseCasePoint& a, const BaseCasePoint& b) {
    return a.mineral != b.mineral ? a.mineral < b.mineral : a.year < b.year;
  });
}

}  // namespace

std::vector<BaseCasePoint> OutlookData::BaseCaseFor(const std::string& mineral) const {
  std::vector<BaseCasePoint> out;
  for (const auto& b : base_case) {
    if (b.mineral == mineral) out.push_back(b);
  }
  return out;
}

const model::Source* OutlookData::FindSource(const std::string& id) const {
  for (const auto& s : sources) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const Scenario* OutlookData::FindScenario(const std::string& id) const {
  for (const auto& s : scenarios) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const StageOdds* OutlookData::FindStage(const std::string& development_stage) const {
  for (const auto& s : stages) {
    if (s.development_stage == development_stage) return &s;
  }
  return nullptr;
}

std::vector<std::string> OutlookData::ScenariosFor(const std::string& mineral) const {
  std::vector<std::string> out;
  for (const auto& s : scenarios) {
    bool has = std::any_of(demand.begin(), demand.end(), [&](const DemandAnchor& a) {
      return a.scenario == s.id && a.mineral == mineral && a.region == "world";
    });
    if (has) out.push_back(s.id);
  }
  return out;
}

void LoadRefiningSplits(const std::filesystem::path& sim_dir, const model::Dataset& ds, OutlookData& d,
                        model::Diagnostics& diags) {
  Table src = ReadTable(sim_dir / "sources.csv", {"id", "kind", "citation", "licence", "url", "rule"}, diags);
  Table t = ReadTable(sim_dir / "refining.csv", {"mineral", "country", "share", "source", "note"}, diags);
  auto source_row = [&](const std::string& id) -> std::optional<std::size_t> {
    for (std::size_t r = 0; r < src.rows.size(); ++r) {
      if (src.Cell(r, "id") == id) return r;
    }
    return std::nullopt;
  };
  std::map<std::string, double> sums;
  std::set<std::pair<std::string, std::string>> keys;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    RefiningSplit s;
    s.mineral = t.Cell(r, "mineral");
    s.country = t.Cell(r, "country");
    s.source = t.Cell(r, "source");
    s.note = t.Cell(r, "note");
    bool ok = true;
    if (!ds.FindMineral(s.mineral)) {
      diags.Error(t.file, t.lines[r], t.Col("mineral"),
                  fmt::format("mineral '{}': not a Lodestone mineral id", s.mineral));
      ok = false;
    }
    if (!ds.FindCountry(s.country)) {
      diags.Error(t.file, t.lines[r], t.Col("country"), fmt::format("country '{}': not in countries.csv", s.country));
      ok = false;
    }
    if (!keys.insert({s.mineral, s.country}).second) {
      diags.Error(t.file, t.lines[r], t.Col("country"),
                  fmt::format("duplicate refining split for {} {}", s.mineral, s.country));
      ok = false;
    }
    if (!ParseNumberCell(t, r, "share", 0.0, 1.0, s.share, diags)) ok = false;
    auto row = source_row(s.source);
    if (!row) {
      diags.Error(t.file, t.lines[r], t.Col("source"),
                  fmt::format("source '{}': not in {}", s.source, (sim_dir / "sources.csv").string()));
      ok = false;
    } else if (!d.FindSource(s.source)) {
      model::Source m;
      m.id = s.source;
      const std::string& kind = src.Cell(*row, "kind");
      m.kind = kind == "assumption" ? model::SourceKind::Assumption : model::SourceKind::Published;
      m.citation = src.Cell(*row, "citation");
      m.licence = src.Cell(*row, "licence");
      m.url = src.Cell(*row, "url");
      m.rule = src.Cell(*row, "rule");
      if (m.citation.empty() || m.licence.empty() || (m.kind == model::SourceKind::Assumption && m.rule.empty())) {
        diags.Error(src.file, src.lines[*row], m.citation.empty() ? src.Col("citation") : src.Col("licence"),
                    "a source needs a citation and a licence, an assumption its rule in words");
        ok = false;
      } else {
        d.sources.push_back(std::move(m));
      }
    }
    if (!ok) continue;
    sums[s.mineral] += s.share;
    d.refining_splits.push_back(std::move(s));
  }
  for (const auto& [mineral, sum] : sums) {
    if (sum > 1.0 + 1e-6) {
      diags.Error(t.file, 0, 0, fmt::format("refining splits of {} sum to {}: expected at most 1", mineral, sum));
    }
  }
  d.refining_file = t.file;
}

OutlookData LoadOutlookData(const std::filesystem::path& dir, const model::Dataset& ds) {
  OutlookData d;
  d.dir = dir;
  model::Diagnostics diags;
  if (!std::filesystem::is_directory(dir)) {
    throw Error::NotFound(dir.string() + ": " + "outlook data directory not found");
  }
  LoadSources(d, diags);
  LoadScenarios(d, diags);
  LoadDemand(d, ds, diags);
  LoadRecycling(d, ds, diags);
  LoadStages(d, diags);
  LoadParameters(d, diags);
  LoadBaseCase(d, ds, diags);
  // The simulator's refining splits, when its data sits beside the outlook's (as shipped).
  const auto sim_dir = (dir / ".." / "sim").lexically_normal();
  if (std::filesystem::exists(sim_dir / "refining.csv")) LoadRefiningSplits(sim_dir, ds, d, diags);
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return d;
}

}  // namespace lodestone::outlook
