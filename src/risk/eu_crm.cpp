// EU Critical Raw Materials supply-risk method (2017 guidelines): HHI_WGI,t, SR per stage with the
// three supply-data variants, the bottleneck stage, EI, criticality, and the two validation entry
// points (published table; Annex-7 country shares with WGI). See docs/methods/eu_crm.md.
#include "lodestone/risk/eu_crm.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <system_error>
#include <tuple>
#include <utility>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/eu_annex7.hpp"
#include "lodestone/data/eu_crm_tables.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/schema.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::risk {

namespace {

constexpr double kPercent = 100.0;
// Shares (end uses, country shares) are published rounded: a sum this far above 1 is still
// rounding, beyond it the figures contradict each other (the loader's tolerance too).
constexpr double kShareSumTolerance = 0.02;
// A country without WGI is counted anywhere on the scale; its central value is the midpoint.
constexpr double kScaledWgiMidpoint = kEuScaledWgiMax / 2.0;
constexpr std::size_t kWgiEstimateCount = 6;
constexpr std::string_view kInsufficient = "insufficient data";

std::string FormatPercentShare(double fraction) {
  // Shares as the EU prints them: one decimal, trailing ".0" dropped ("2%", "59.6%").
  auto s = fmt::format("{:.1f}", fraction * kPercent);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s + "%";
}

void CheckFinite(double x, std::string_view what) {
  if (!std::isfinite(x)) throw Error::InvalidRequest(fmt::format("{} is not a finite number", what));
}

}  // namespace

// --- building blocks -----------------------------------------------------------------------------

double ScaledWgi(double mean_of_six) {
  CheckFinite(mean_of_six, "WGI mean");
  return std::clamp((kEuWgiUpper - mean_of_six) * 2.0, 0.0, kEuScaledWgiMax);
}

double HhiWgiT(std::span<const HhiWgiTTerm> terms) {
  double sum = 0;
  for (const auto& term : terms) {
    CheckFinite(term.share, "share");
    CheckFinite(term.wgi_scaled, "WGI_scaled");
    CheckFinite(term.t, "trade factor t");
    if (term.share < 0 || term.wgi_scaled < 0 || term.t < 0) {
      throw Error::InvalidRequest("HHI_WGI,t terms must be non-negative (share, WGI_scaled, t)");
    }
    sum += term.share * term.share * term.wgi_scaled * term.t;
  }
  return sum;
}

std::optional<SupplyDataUsed> ParseSupplyDataUsed(std::string_view text) {
  // Letters only, lower case: "GS + EUS", "GS+EUS", "gs + eu" are one spelling.
  std::string key;
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)))
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (key == "gseus" || key == "gseu" || key == "gsandeus" || key == "gsandeu") return SupplyDataUsed::GsAndEus;
  if (key == "gsonly" || key == "gs") return SupplyDataUsed::GsOnly;
  if (key == "eusonly" || key == "euonly" || key == "eus" || key == "sourcingonly") return SupplyDataUsed::EusOnly;
  return std::nullopt;
}

std::string_view SupplyDataUsedName(SupplyDataUsed v) {
  switch (v) {
    case SupplyDataUsed::GsAndEus: return "GS + EUS";
    case SupplyDataUsed::GsOnly: return "GS only";
    case SupplyDataUsed::EusOnly: return "EUS only";
  }
  return "?";
}

SupplyRiskResult SupplyRisk(const SupplyRiskInputs& in) {
  // Out-of-range figures are errors of the caller (file readers report them with their place);
  // missing figures are a state of the data.
  auto check = [](const std::optional<double>& x, std::string_view what, double lo, double hi) {
    if (!x) return;
    CheckFinite(*x, what);
    if (*x < lo || *x > hi) throw Error::InvalidRequest(fmt::format("{} {} is outside {}..{}", what, *x, lo, hi));
  };
  constexpr double kUnbounded = std::numeric_limits<double>::max();
  check(in.hhi_gs, "HHI_WGI,t (global supply)", 0.0, kUnbounded);
  check(in.hhi_sourcing, "HHI_WGI,t (sourcing)", 0.0, kUnbounded);
  check(in.import_reliance, "import reliance", -kUnbounded, 1.0);
  check(in.eol_rir, "EOL-RIR", 0.0, 1.0);
  check(in.si_sr, "SI_SR", 0.0, 1.0);

  const bool needs_gs = in.supply_data_used != SupplyDataUsed::EusOnly;
  const bool needs_sourcing = in.supply_data_used != SupplyDataUsed::GsOnly;
  const bool needs_ir = in.supply_data_used == SupplyDataUsed::GsAndEus;
  std::vector<std::string_view> missing;
  if (needs_gs && !in.hhi_gs) missing.push_back("HHI_WGI,t of global supply");
  if (needs_sourcing && !in.hhi_sourcing) missing.push_back("HHI_WGI,t of sourcing");
  if (needs_ir && !in.import_reliance) missing.push_back("import reliance IR");
  if (!in.eol_rir) missing.push_back("EOL-RIR");
  if (!in.si_sr) missing.push_back("SI_SR");
  SupplyRiskResult r;
  if (!missing.empty()) {
    std::string names;
    for (auto m : missing) names += (names.empty() ? "" : ", ") + std::string(m);
    r.insufficient =
        fmt::format("{}: '{}' needs {}, not given", kInsufficient, SupplyDataUsedName(in.supply_data_used), names);
    return r;
  }
  double concentration = 0;
  switch (in.supply_data_used) {
    case SupplyDataUsed::GsAndEus: {
      // A net exporter (negative IR) weighs global supply at 0, as the method sets IR to 0.
      const double half_ir = std::max(*in.import_reliance, 0.0) / 2.0;
      concentration = *in.hhi_gs * half_ir + *in.hhi_sourcing * (1.0 - half_ir);
      break;
    }
    case SupplyDataUsed::GsOnly: concentration = *in.hhi_gs; break;
    case SupplyDataUsed::EusOnly: concentration = *in.hhi_sourcing; break;
  }
  r.sr = concentration * (1.0 - *in.eol_rir) * *in.si_sr;
  return r;
}

BottleneckResult Bottleneck(std::span<const StageSupplyRisk> stages) {
  BottleneckResult b;
  b.complete = !stages.empty();
  std::string missing;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto& s = stages[i];
    if (!s.result.sr) {
      b.complete = false;
      // Stage reasons start with "insufficient data: "; the note says that once.
      std::string_view why = s.result.insufficient;
      if (why.rfind(kInsufficient, 0) == 0) why.remove_prefix(std::min(why.size(), kInsufficient.size() + 2));
      missing += fmt::format("{}{}: {}", missing.empty() ? "" : "; ", s.stage, why);
      continue;
    }
    if (!b.sr || *s.result.sr > *b.sr) {  // strict: the first of equal stages stays
      b.sr = s.result.sr;
      b.stage = i;
    }
  }
  if (stages.empty()) {
    b.note = fmt::format("{}: no stage assessed", kInsufficient);
  } else if (!b.sr) {
    b.note = fmt::format("{}: no stage has an SR ({})", kInsufficient, missing);
  } else if (!b.complete) {
    b.note =
        fmt::format("SR is at least {:.2f} ({}); stages without an SR ({})", *b.sr, stages[*b.stage].stage, missing);
  }
  return b;
}

double EconomicImportance(std::span<const EndUse> uses, double largest_sector_value_added, double si_ei) {
  CheckFinite(largest_sector_value_added, "largest sector value added");
  CheckFinite(si_ei, "SI_EI");
  if (largest_sector_value_added <= 0) throw Error::InvalidRequest("largest sector value added must be positive");
  if (si_ei < 0 || si_ei > 1) throw Error::InvalidRequest(fmt::format("SI_EI {} is outside 0..1", si_ei));
  double shares = 0, weighted = 0;
  for (const auto& u : uses) {
    CheckFinite(u.share, "end-use share");
    CheckFinite(u.value_added, "sector value added");
    if (u.share < 0 || u.share > 1) {
      throw Error::InvalidRequest(fmt::format("end-use share {} of {} is outside 0..1", u.share, u.sector));
    }
    if (u.value_added < 0) throw Error::InvalidRequest(fmt::format("value added of {} is negative", u.sector));
    // Q_max is the largest sector: a sector above it means the two figures come from different tables.
    if (u.value_added > largest_sector_value_added) {
      throw Error::InvalidRequest(fmt::format("value added of {} ({}) exceeds the largest sector's ({})", u.sector,
                                              u.value_added, largest_sector_value_added));
    }
    shares += u.share;
    weighted += u.share * u.value_added;
  }
  if (shares > 1.0 + kShareSumTolerance) {
    throw Error::InvalidRequest(fmt::format("end-use shares sum to {:.3f}, above 1", shares));
  }
  return weighted / largest_sector_value_added * kEuEiScale * si_ei;
}

bool IsCritical(double sr, double ei) { return sr >= kEuCriticalSr && ei >= kEuCriticalEi; }

double RoundToOneDecimal(double x) { return std::round(x * 10.0) / 10.0; }

// --- grouping stages by material ---------------------------------------------------------------

namespace {

// Stages of each material in order of first appearance, with the bottleneck of each.
std::vector<MaterialBottleneck> GroupByMaterial(const std::vector<std::pair<std::string, StageSupplyRisk>>& rows) {
  std::vector<MaterialBottleneck> out;
  std::map<std::string, std::size_t> index;
  for (const auto& [material, stage] : rows) {
    auto key = data::NormaliseName(material);
    auto [it, inserted] = index.emplace(key, out.size());
    if (inserted) out.push_back({material, {}, {}});
    out[it->second].stages.push_back(stage);
  }
  for (auto& m : out) m.bottleneck = Bottleneck(m.stages);
  return out;
}

}  // namespace

// --- validation entry point a: the published table -----------------------------------------------

EuSrTableResult EuSrFromTable(const std::filesystem::path& path) {
  auto table =
      data::ReadEuSrInputTable(path, [](std::string_view text) { return ParseSupplyDataUsed(text).has_value(); });
  EuSrTableResult result;
  result.file = table.file;
  result.warnings = std::move(table.warnings);
  std::vector<std::pair<std::string, StageSupplyRisk>> stages;
  for (auto& in_row : table.rows) {
    EuSrTableRow row;
    row.line = in_row.line;
    row.material = std::move(in_row.material);
    row.stage = std::move(in_row.stage);
    row.supply_data_used = *ParseSupplyDataUsed(in_row.supply_data_used);
    row.sr_published = in_row.sr_published;
    SupplyRiskInputs in;
    in.supply_data_used = row.supply_data_used;
    in.hhi_gs = in_row.hhi_gs;
    in.hhi_sourcing = in_row.hhi_sourcing;
    in.si_sr = in_row.si_sr;
    if (in_row.ir_pct) in.import_reliance = *in_row.ir_pct / kPercent;
    if (in_row.eol_rir_pct) in.eol_rir = *in_row.eol_rir_pct / kPercent;
    row.sr = SupplyRisk(in);
    stages.push_back({row.material, {row.stage, row.sr}});
    result.rows.push_back(std::move(row));
  }
  result.materials = GroupByMaterial(stages);
  return result;
}

std::optional<PublishedAgreement> CompareWithPublished(const EuSrTableResult& result) {
  PublishedAgreement a;
  double sum = 0;
  for (const auto& r : result.rows) {
    if (!r.sr.sr || !r.sr_published) continue;
    const double d = std::abs(*r.sr.sr - *r.sr_published);
    ++a.compared;
    sum += d;
    if (a.compared == 1 || d > a.max_abs_diff) {
      a.max_abs_diff = d;
      a.worst = fmt::format("{} ({})", r.material, r.stage);
    }
  }
  if (a.compared == 0) return std::nullopt;
  a.mean_abs_diff = sum / static_cast<double>(a.compared);
  return a;
}

// --- WGI ---------------------------------------------------------------------------------------

namespace {

// Mean of the estimates that are known; nullopt when none is.
std::optional<WgiCountry> MeanOfEstimates(const std::array<model::Value, kWgiEstimateCount>& estimates) {
  WgiCountry c;
  c.estimates = 0;
  double sum = 0;
  for (const auto& v : estimates) {
    if (!v.IsKnown()) continue;
    sum += v.number;
    ++c.estimates;
  }
  if (c.estimates == 0) return std::nullopt;
  c.mean = sum / c.estimates;
  return c;
}

}  // namespace

WgiTable WgiFromDataset(const model::Dataset& ds, int year) {
  WgiTable table;
  table.year = year;
  const auto& g = ds->governance;
  std::set<std::string> citations;
  std::set<int> years;
  for (std::size_t i = 0; i < g.size(); ++i) {
    years.insert(g.year[i]);
    if (g.year[i] != year) continue;
    auto c = MeanOfEstimates({g.va[i], g.pv[i], g.ge[i], g.rq[i], g.rl[i], g.cc[i]});
    citations.insert(ds.SourceOf(g.source[i]).citation);
    if (c) table.by_country.emplace(ds.Country(g.country[i]).iso3, *c);
  }
  if (table.by_country.empty()) {
    std::string have;
    for (int y : years) have += (have.empty() ? "" : ", ") + std::to_string(y);
    throw Error::InvalidRequest(fmt::format("dataset {} has no WGI estimates for {} (governance years: {})",
                                            ds->manifest.name, year, have.empty() ? "none" : have));
  }
  std::string cited;
  for (const auto& c : citations) cited += (cited.empty() ? "" : "; ") + c;
  table.source = fmt::format("{}; year {} (dataset {} {})", cited, year, ds->manifest.name, ds->manifest.version);
  return table;
}

WgiTable WgiFromFile(const std::filesystem::path& file, const data::Reference& ref, std::optional<int> year) {
  auto imported = data::ImportWgi(file, ref);  // throws an InvalidData error with every problem
  const auto* schema = data::FindTable("governance.csv");
  auto it = imported.tables.find("governance.csv");
  if (schema == nullptr || it == imported.tables.end() || it->second.rows.empty()) {
    throw Error::InvalidData(file.string(), 0, 0, "no WGI estimates found in the file");
  }
  auto col = [&](std::string_view name) {
    auto pos = std::find(schema->columns.begin(), schema->columns.end(), name);
    return static_cast<std::size_t>(pos - schema->columns.begin());
  };
  const std::size_t c_country = col("country"), c_year = col("year");
  const std::array<std::size_t, kWgiEstimateCount> c_est = {col("va"), col("pv"), col("ge"),
                                                            col("rq"), col("rl"), col("cc")};
  std::set<int> years;
  for (const auto& row : it->second.rows) years.insert(std::stoi(row[c_year]));
  WgiTable table;
  table.year = year ? *year : *years.rbegin();
  if (!years.count(table.year)) {
    std::string have;
    for (int y : years) have += (have.empty() ? "" : ", ") + std::to_string(y);
    throw Error::InvalidRequest(
        fmt::format("{}: no WGI estimates for {} (years in the file: {})", file.string(), table.year, have));
  }
  for (const auto& row : it->second.rows) {
    if (std::stoi(row[c_year]) != table.year) continue;
    std::array<model::Value, kWgiEstimateCount> est;
    for (std::size_t k = 0; k < kWgiEstimateCount; ++k) {
      // The importer writes dataset cells: a number or NA.
      if (model::ParseValueCell(row[c_est[k]], true, est[k]) != model::ValueParse::Ok) {
        est[k] = model::Value::Missing(model::ValueStatus::NotAvailable);
      }
    }
    if (auto c = MeanOfEstimates(est)) table.by_country.emplace(row[c_country], *c);
  }
  const std::string citation =
      imported.sources.empty() ? std::string("World Bank WGI") : imported.sources.front().citation;
  table.source = fmt::format("{}; year {} (file {})", citation, table.year, file.string());
  table.warnings.Append(imported.diagnostics);
  return table;
}

// --- validation entry point b: Annex-7 shares --------------------------------------------------

namespace {

enum class ShareRole { Global, Sourcing };

// One country's share of one (material, stage) distribution.
struct ShareEntry {
  std::size_t line = 0;
  std::string material_key;  // data::NormaliseName of the material
  data::Annex7Stage stage = data::Annex7Stage::Extraction;
  std::string country;       // ISO alpha-3; empty when the reference does not know the name
  std::string country_text;  // as printed
  double share = 0;          // central: "<x" at x/2
  double share_low = 0, share_high = 0;
  bool below = false;       // printed "<x%"
  std::optional<double> t;  // empty when not given
};

using DistributionKey = std::pair<std::string, data::Annex7Stage>;

struct ShareFile {
  std::string file;
  std::map<DistributionKey, std::vector<ShareEntry>> distributions;
};

ShareFile ReadShareFile(const std::filesystem::path& file, ShareRole role, const data::Reference& ref,
                        model::Diagnostics& diags) {
  ShareFile out;
  out.file = file.string();
  // The caller says which table this is; an unknown country name is a warning and its share
  // still counts, with bounded governance (see EstimateHhi).
  data::Annex7ReadOptions options;
  options.scope = role == ShareRole::Global ? "global" : "sourcing";
  options.keep_unknown_countries = true;
  auto table = data::ReadAnnex7File(file, ref, diags, options);
  if (auto named = data::Annex7ScopeFromFileName(file); named && (*named == "global") != (role == ShareRole::Global)) {
    diags.Warning(out.file, 0, 0,
                  fmt::format("read as the {} table although its name says {}: are --shares and --sourcing swapped?",
                              role == ShareRole::Global ? "global-supply" : "sourcing", *named));
  }

  std::vector<ShareEntry> entries;
  for (const auto& row : table.rows) {
    ShareEntry e;
    e.line = row.line;
    e.material_key = data::NormaliseName(row.material);
    e.stage = row.stage;
    e.country = row.country;
    e.country_text = row.country_text;
    const auto fraction = row.share.Fraction();
    e.below = row.share.below;
    e.share_high = fraction.number;
    e.share_low = e.below ? 0.0 : fraction.number;
    e.share = e.below ? fraction.number / 2.0 : fraction.number;
    if (row.t.IsKnown()) e.t = row.t.number;
    entries.push_back(std::move(e));
  }
  // One share per country and distribution.
  std::map<std::tuple<std::string, data::Annex7Stage, std::string>, std::size_t> seen;
  for (auto& e : entries) {
    const auto who = e.country.empty() ? "name:" + data::NormaliseName(e.country_text) : e.country;
    auto [it, inserted] = seen.emplace(std::make_tuple(e.material_key, e.stage, who), e.line);
    if (!inserted) {
      diags.Error(out.file, e.line, 0,
                  fmt::format("second share of '{}' for this material and stage (first on line {})", e.country_text,
                              it->second));
      continue;
    }
    out.distributions[{e.material_key, e.stage}].push_back(std::move(e));
  }
  return out;
}

struct ParamsRow {
  std::size_t line = 0;
  std::string material;
  std::string material_key;
  data::Annex7Stage stage = data::Annex7Stage::Extraction;
  SupplyDataUsed supply_data_used = SupplyDataUsed::GsAndEus;
  std::optional<double> ir, eol, si;  // fractions
};

// The parameters file's rows (read by data::ReadEuSrParams) with the variant parsed and the
// percentages as fractions.
std::vector<ParamsRow> ReadParams(const std::filesystem::path& file, model::Diagnostics& diags) {
  std::vector<ParamsRow> out;
  const auto rows = data::ReadEuSrParams(
      file, [](std::string_view text) { return ParseSupplyDataUsed(text).has_value(); }, diags);
  for (const auto& r : rows) {
    ParamsRow p;
    p.line = r.line;
    p.material = r.material;
    p.material_key = r.material_key;
    p.stage = r.stage;
    p.supply_data_used = *ParseSupplyDataUsed(r.supply_data_used);
    if (r.ir_pct) p.ir = *r.ir_pct / kPercent;
    if (r.eol_rir_pct) p.eol = *r.eol_rir_pct / kPercent;
    p.si = r.si_sr;
    out.push_back(std::move(p));
  }
  return out;
}

// Codes of the reference that are not single countries: "other countries" (residual) and totals.
std::set<std::string> NonCountryCodes(const data::Reference& ref) {
  std::set<std::string> out;
  const auto* schema = data::FindTable("countries.csv");
  if (schema == nullptr) return out;
  const auto pos = [&](std::string_view name) {
    return static_cast<std::size_t>(std::find(schema->columns.begin(), schema->columns.end(), name) -
                                    schema->columns.begin());
  };
  const std::size_t c_iso = pos("iso3"), c_kind = pos("kind");
  for (const auto& row : ref.countries().rows) {
    if (c_kind < row.size() && c_iso < row.size() && row[c_kind] != "country") out.insert(row[c_iso]);
  }
  return out;
}

struct HhiContext {
  const WgiTable& wgi;
  const std::set<std::string>& non_countries;
  const EuSrSharesOptions& options;
  model::Diagnostics& warnings;
  std::set<std::string>& warned;            // countries already warned about
  std::map<std::string, int>& partial_wgi;  // countries whose WGI mean is over fewer than six estimates
};

// HHI_WGI,t of one distribution with its bounds; notes say what was assumed.
HhiEstimate EstimateHhi(const std::vector<ShareEntry>& entries, std::string_view what, const std::string& file,
                        HhiContext& ctx, std::vector<std::string>& notes) {
  HhiEstimate h;
  std::vector<HhiWgiTTerm> central, low, high;
  double not_counted = 0, listed = 0;
  std::size_t t_defaults = 0, bounds = 0;
  std::vector<std::string> non_country_names;
  for (const auto& e : entries) {
    listed += e.share;
    if (!e.country.empty() && ctx.non_countries.count(e.country)) {
      // "Other countries" is many countries: like the unlisted remainder, it is not one supplier.
      not_counted += e.share;
      non_country_names.push_back(fmt::format("{} {}", e.country_text, FormatPercentShare(e.share)));
      continue;
    }
    const double t = e.t.value_or(kEuDefaultTradeFactor);
    if (!e.t) ++t_defaults;
    if (e.below) ++bounds;
    const WgiCountry* w = nullptr;
    if (!e.country.empty()) {
      if (auto it = ctx.wgi.by_country.find(e.country); it != ctx.wgi.by_country.end()) w = &it->second;
    }
    if (w != nullptr) {
      const double scaled = ScaledWgi(w->mean);
      central.push_back({e.share, scaled, t});
      low.push_back({e.share_low, scaled, t});
      high.push_back({e.share_high, scaled, t});
      if (w->estimates < static_cast<int>(kWgiEstimateCount)) ctx.partial_wgi.emplace(e.country, w->estimates);
    } else {
      // No governance figure: anywhere on the scale. The central value takes the midpoint; the
      // bounds carry the doubt into the SR, which is withheld when the doubt is material.
      central.push_back({e.share, kScaledWgiMidpoint, t});
      low.push_back({e.share_low, 0.0, t});
      high.push_back({e.share_high, kEuScaledWgiMax, t});
      h.without_wgi.push_back(fmt::format("{} {}", e.country_text, FormatPercentShare(e.share)));
      const std::string who = e.country.empty() ? e.country_text : e.country;
      if (!e.country.empty() && ctx.warned.insert(who).second) {
        ctx.warnings.Warning(file, e.line, 0,
                             fmt::format("no WGI for {} ({}) in {}: counted with WGI_scaled 0..10 (5 in the central "
                                         "value)",
                                         e.country_text, e.country, ctx.wgi.year));
      }
    }
  }
  h.value = HhiWgiT(central);
  h.low = HhiWgiT(low);
  h.high = HhiWgiT(high);
  h.coverage = listed - not_counted;
  h.countries = central.size();
  if (listed > 1.0 + kShareSumTolerance) {
    ctx.warnings.Warning(file, 0, 0, fmt::format("{}: shares sum to {}", what, FormatPercentShare(listed)));
  }
  if (!non_country_names.empty()) {
    std::string names;
    for (const auto& n : non_country_names) names += (names.empty() ? "" : ", ") + n;
    notes.push_back(fmt::format("{}: {} not a single country, not counted", what, names));
  }
  if (h.coverage < ctx.options.min_coverage) {
    notes.push_back(
        fmt::format("{}: countries listed cover {} of supply; the rest is not counted (HHI may be "
                    "understated)",
                    what, FormatPercentShare(h.coverage)));
  }
  if (!h.without_wgi.empty()) {
    std::string names;
    for (const auto& n : h.without_wgi) names += (names.empty() ? "" : ", ") + n;
    notes.push_back(fmt::format("{}: no WGI for {} (WGI_scaled 0..10, 5 in the central value)", what, names));
  }
  if (bounds > 0) {
    notes.push_back(fmt::format("{}: {} share(s) printed as '<x%' counted at x/2 (bounds 0..x)", what, bounds));
  }
  if (t_defaults > 0) {
    notes.push_back(
        fmt::format("{}: t not given for {} country(ies): {} used", what, t_defaults, kEuDefaultTradeFactor));
  }
  return h;
}

}  // namespace

EuSrSharesResult EuSrFromShares(const std::filesystem::path& global_file, const std::filesystem::path& sourcing_file,
                                const std::filesystem::path& params_file, const WgiTable& wgi,
                                const data::Reference& ref, const EuSrSharesOptions& options) {
  EuSrSharesResult result;
  result.global_file = global_file.string();
  result.sourcing_file = sourcing_file.string();
  result.params_file = params_file.string();
  result.consumer = options.consumer;
  result.wgi_source = wgi.source;
  model::Diagnostics diags;
  auto global = ReadShareFile(global_file, ShareRole::Global, ref, diags);
  std::optional<ShareFile> sourcing;
  if (!sourcing_file.empty()) sourcing = ReadShareFile(sourcing_file, ShareRole::Sourcing, ref, diags);
  const auto params = ReadParams(params_file, diags);
  if (diags.HasErrors()) throw Error::InvalidData(diags);
  result.warnings.Append(diags);
  result.warnings.Append(wgi.warnings);

  const auto non_countries = NonCountryCodes(ref);
  std::set<std::string> warned;
  std::map<std::string, int> partial_wgi;
  HhiContext ctx{wgi, non_countries, options, result.warnings, warned, partial_wgi};
  std::vector<std::pair<std::string, StageSupplyRisk>> stages;
  for (const auto& p : params) {
    EuSrSharesRow row;
    row.material = p.material;
    row.stage = std::string(data::Annex7StageName(p.stage));
    row.supply_data_used = p.supply_data_used;
    const DistributionKey key{p.material_key, p.stage};
    const std::string label = fmt::format("{} {}", p.material, model::ToLower(row.stage));
    if (auto it = global.distributions.find(key); it != global.distributions.end()) {
      row.hhi_gs = EstimateHhi(it->second, "global supply", global.file, ctx, row.notes);
    } else if (p.supply_data_used != SupplyDataUsed::EusOnly) {
      row.notes.push_back(fmt::format("no global-supply shares for {} in {}", label, global.file));
    }
    const std::string sourcing_label = fmt::format("{} sourcing", options.consumer);
    if (sourcing) {
      if (auto it = sourcing->distributions.find(key); it != sourcing->distributions.end()) {
        row.hhi_sourcing = EstimateHhi(it->second, sourcing_label, sourcing->file, ctx, row.notes);
      } else if (p.supply_data_used != SupplyDataUsed::GsOnly) {
        row.notes.push_back(fmt::format("no {} shares for {} in {}", sourcing_label, label, sourcing->file));
      }
    } else if (p.supply_data_used != SupplyDataUsed::GsOnly) {
      row.notes.push_back("no sourcing file given");
    }
    auto inputs = [&](auto pick) {
      SupplyRiskInputs in;
      in.supply_data_used = p.supply_data_used;
      if (row.hhi_gs) in.hhi_gs = pick(*row.hhi_gs);
      if (row.hhi_sourcing) in.hhi_sourcing = pick(*row.hhi_sourcing);
      in.import_reliance = p.ir;
      in.eol_rir = p.eol;
      in.si_sr = p.si;
      return in;
    };
    row.sr = SupplyRisk(inputs([](const HhiEstimate& h) { return h.value; }));
    if (row.sr.sr) {
      // SR grows with each HHI (its weights are non-negative), so the HHI bounds bound the SR.
      row.sr_low = *SupplyRisk(inputs([](const HhiEstimate& h) { return h.low; })).sr;
      row.sr_high = *SupplyRisk(inputs([](const HhiEstimate& h) { return h.high; })).sr;
      if (row.sr_high - row.sr_low > options.max_unresolved_sr) {
        row.sr.insufficient = fmt::format(
            "{}: SR lies between {:.2f} and {:.2f} (countries without WGI or shares printed as '<x%' in the shares "
            "that count); the spread exceeds {}",
            kInsufficient, row.sr_low, row.sr_high, options.max_unresolved_sr);
        row.sr.sr.reset();
      }
    } else if (!row.notes.empty()) {
      std::string why;
      for (const auto& n : row.notes) {
        if (n.rfind("no ", 0) == 0) why += (why.empty() ? "" : "; ") + n;
      }
      if (!why.empty()) row.sr.insufficient += " (" + why + ")";
    }
    stages.push_back({row.material, {row.stage, row.sr}});
    result.rows.push_back(std::move(row));
  }
  if (!partial_wgi.empty()) {
    // One warning, not one per country: a WGI file without one indicator affects every country.
    std::string names;
    for (const auto& [iso3, n] : partial_wgi) names += fmt::format("{}{} ({})", names.empty() ? "" : ", ", iso3, n);
    result.warnings.Warning("", 0, 0,
                            fmt::format("WGI {}: the mean is over fewer than the six estimates for {} of the countries "
                                        "used (estimates available): {}",
                                        wgi.year, partial_wgi.size(), names));
  }
  result.materials = GroupByMaterial(stages);
  return result;
}

}  // namespace lodestone::risk
