// risk::Assess: runs the methods over a dataset for a consumer and collects sourced rows.
#include "lodestone/risk/assess.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "lodestone/data/named_table.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/risk/eu_crm.hpp"
#include "lodestone/risk/geopolrisk.hpp"
#include "lodestone/risk/reliance.hpp"

namespace lodestone::risk {

using model::CountryId;

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::Concentration: return "concentration";
    case Method::EuCrm: return "eu-crm";
    case Method::GeoPolRisk: return "geopolrisk";
    case Method::ImportReliance: return "import-reliance";
  }
  return "";
}

std::optional<std::set<Method>> ParseMethods(std::string_view text) {
  std::set<Method> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto p = text.find(',', start);
    auto part = text.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start);
    if (part == "all") {
      out = {Method::Concentration, Method::EuCrm, Method::GeoPolRisk, Method::ImportReliance};
    } else if (part == "concentration") {
      out.insert(Method::Concentration);
    } else if (part == "eu-crm") {
      out.insert(Method::EuCrm);
    } else if (part == "geopolrisk") {
      out.insert(Method::GeoPolRisk);
    } else if (part == "import-reliance" || part == "reliance") {
      out.insert(Method::ImportReliance);
    } else {
      return std::nullopt;
    }
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

std::set<Method> ParseMethodsOrThrow(std::string_view text) {
  auto parsed = ParseMethods(text);
  if (!parsed) {
    throw Error::InvalidRequest(fmt::format(
        "--method '{}': expected eu-crm, geopolrisk, concentration, import-reliance or all (comma-separated)", text));
  }
  return *parsed;
}

namespace {

std::string Pct(double f) { return fmt::format("{:.1f}%", f * 100.0); }

void AddSource(AssessRow& r, const model::Dataset& ds, model::SourceId s) {
  const auto& id = ds.SourceOf(s).id;
  if (std::find(r.sources.begin(), r.sources.end(), id) == r.sources.end()) r.sources.push_back(id);
  if (ds.SourceOf(s).kind == model::SourceKind::Assumption) {
    const auto& rule = ds.SourceOf(s).rule;
    if (std::find(r.assumptions.begin(), r.assumptions.end(), rule) == r.assumptions.end()) {
      r.assumptions.push_back(rule);
    }
  }
}

struct StageShares {
  std::string stage;
  model::StageId stage_id;
  int year = 0;              // the production figures' year (0 for published shares)
  bool from_shares = false;  // published country shares, no production figures
  std::string basis;
  std::vector<CountryShare> shares;
  std::vector<model::Value> t;  // trade factor per share (EU), unknown when not published
  std::vector<model::SourceId> sources;
  std::vector<std::string> assumptions;
};

// The shares each stage's metrics rest on: the latest production figures where they exist,
// else the published global shares.
std::vector<StageShares> CollectStages(const model::Dataset& ds, model::MineralId mineral) {
  std::vector<StageShares> out;
  for (const auto& pic : data::SupplyPictures(ds, mineral)) {
    if (pic.listed_total <= 0 && !pic.from_shares) continue;
    StageShares s;
    s.stage = ds.Stage(pic.stage);
    s.stage_id = pic.stage;
    s.year = pic.year;
    s.from_shares = pic.from_shares;
    s.basis = pic.from_shares ? fmt::format("country shares of world supply, {}", pic.period)
                              : fmt::format("production {} ({})", pic.year, pic.share_basis);
    std::size_t withheld = 0;
    for (const auto& e : pic.entries) {
      if (e.share) {
        s.shares.push_back({e.country, *e.share});
      } else if (!e.share_value.HasNumber()) {
        ++withheld;
      }
      if (std::find(s.sources.begin(), s.sources.end(), e.source) == s.sources.end()) s.sources.push_back(e.source);
    }
    if (pic.world_source && std::find(s.sources.begin(), s.sources.end(), *pic.world_source) == s.sources.end()) {
      s.sources.push_back(*pic.world_source);
    }
    if (withheld > 0) {
      s.assumptions.push_back(
          fmt::format("{} producer(s) with withheld or unknown output left out of the shares", withheld));
    }
    if (pic.from_shares) {
      // The trade factor t of each country, where the share table gives it.
      const auto& sh = ds->shares;
      for (const auto& cs : s.shares) {
        model::Value t = model::Value::Missing(model::ValueStatus::Unknown);
        for (std::size_t i = 0; i < sh.size(); ++i) {
          if (sh.mineral[i] == mineral && sh.stage[i] == pic.stage && sh.country[i] == cs.country &&
              sh.scope[i] == "global" && sh.period[i] == pic.period) {
            t = sh.t_factor[i];
            break;
          }
        }
        s.t.push_back(t);
      }
    } else {
      s.t.assign(s.shares.size(), model::Value::Missing(model::ValueStatus::Unknown));
    }
    out.push_back(std::move(s));
  }
  return out;
}

bool Contains(const std::vector<CountryId>& v, CountryId c) { return std::find(v.begin(), v.end(), c) != v.end(); }

void AddUnique(std::vector<model::SourceId>& v, model::SourceId s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// GeoPolRisk of the consumer (one country or several buying together) for one mineral and stage
// from the dataset, all figures of the production picture's year: HHI from the stage's production
// by country, WTA and price from the bilateral imports into the consumer (trade.csv), g from the
// exporters' WGI political stability (governance.csv). Missing inputs are treated as the method
// does (docs/methods/geopolrisk.md) and said; without imports or production the row is
// insufficient data naming what is missing.
struct DatasetGeoPolRisk {
  std::optional<GeoPolRiskFigures> figures;  // none: the row is insufficient data
  std::string missing;                       // what is missing, when no figures
  std::vector<std::string> notes;            // imputations and exclusions
  std::vector<model::SourceId> sources;      // trade and governance rows used
};

DatasetGeoPolRisk GeoPolRiskFromDataset(const model::Dataset& ds, model::MineralId mineral, const StageShares& st,
                                        const std::vector<CountryId>& consumer, const std::string& consumer_label) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  constexpr double kUsdPerThousand = 1000.0;
  DatasetGeoPolRisk out;
  const auto& mineral_id = ds.Mineral(mineral).id;
  if (st.from_shares) {
    out.missing = "GeoPolRisk needs production figures by country; this stage has published shares only";
    return out;
  }
  // g of each exporter in the year: WGI political stability normalised to 0..1.
  const auto& gov = ds->governance;
  auto g_of = [&](CountryId exporter) {
    for (std::size_t i = 0; i < gov.size(); ++i) {
      if (gov.country[i] == exporter && gov.year[i] == st.year && gov.pv[i].IsKnown()) {
        AddUnique(out.sources, gov.source[i]);
        return NormalisedPoliticalStability(gov.pv[i].number);
      }
    }
    return kNaN;
  };
  const auto& tr = ds->trade;
  GprImportSums imports;
  std::set<int> consumer_years;
  bool any_trade = false;
  for (std::size_t i = 0; i < tr.size(); ++i) {
    if (tr.mineral[i] != mineral || tr.stage[i] != st.stage_id) continue;
    any_trade = true;
    if (!Contains(consumer, tr.importer[i])) continue;
    consumer_years.insert(tr.year[i]);
    if (tr.year[i] != st.year) continue;
    const double q = tr.quantity[i].IsKnown() ? tr.quantity[i].number : kNaN;
    const double v = tr.value_usd[i].IsKnown() ? tr.value_usd[i].number / kUsdPerThousand : kNaN;
    const bool inside = Contains(consumer, tr.exporter[i]);
    imports.Add(GprImport{q, v, inside ? 0.0 : g_of(tr.exporter[i]), inside});
    AddUnique(out.sources, tr.source[i]);
  }
  if (imports.rows == 0) {
    if (!any_trade) {
      out.missing = fmt::format("GeoPolRisk needs bilateral imports; the dataset has no trade rows for {} ({})",
                                mineral_id, st.stage);
    } else if (consumer_years.empty()) {
      out.missing = fmt::format("GeoPolRisk needs bilateral imports; the dataset has no imports of {} ({}) into {}",
                                mineral_id, st.stage, consumer_label);
    } else {
      std::string years;
      for (int y : consumer_years) years += (years.empty() ? "" : ", ") + std::to_string(y);
      out.missing = fmt::format(
          "GeoPolRisk needs bilateral imports of the production year {}; imports of {} ({}) into {} are for {}",
          st.year, mineral_id, st.stage, consumer_label, years);
    }
    return out;
  }
  // HHI over the countries' production of the stage; "other countries" is many producers, and
  // world totals are not producers: both stay out.
  const auto& pt = ds->production;
  GprProductionSums production;
  double domestic = 0;
  bool domestic_missing = false;
  std::size_t residual = 0;
  for (std::size_t i = 0; i < pt.size(); ++i) {
    if (pt.mineral[i] != mineral || pt.stage[i] != st.stage_id || pt.year[i] != st.year) continue;
    const auto kind = ds.Country(pt.country[i]).kind;
    if (kind == model::CountryKind::Residual) ++residual;
    if (kind != model::CountryKind::Country) continue;
    const double q = pt.quantity[i].IsKnown() ? pt.quantity[i].number : kNaN;
    production.Add(q);
    if (Contains(consumer, pt.country[i])) {
      if (std::isnan(q)) {
        domestic_missing = true;
      } else {
        domestic += q;
      }
    }
  }
  auto f = CombineGeoPolRisk(production, imports, domestic);
  f.domestic_production_missing = domestic_missing;
  if (!f.score) {
    out.missing = DescribeGeoPolRiskGaps(f);
    return out;
  }
  if (auto gaps = DescribeGeoPolRiskGaps(f); !gaps.empty()) out.notes.push_back(gaps);
  if (residual > 0) out.notes.push_back("\"other countries\" left out of the GeoPolRisk HHI (not one producer)");
  out.figures = f;
  return out;
}

}  // namespace

namespace {

// The latest net import reliance of one country for a mineral (published or derived): the latest year, the
// first material of that year in file order. Net exporter counts as 0 (the method's rule); a
// bound is used at its value and said.
struct RelianceFigure {
  std::optional<double> ir;
  std::string basis;
  std::optional<model::SourceId> source;  // cited by the SR row (a derived figure brings its rule)
};
RelianceFigure LatestReliance(const model::Dataset& ds, model::MineralId mineral, CountryId country) {
  const auto& ir = ds->import_reliance;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < ir.size(); ++i) {
    if (ir.mineral[i] != mineral || ir.consumer[i] != country) continue;
    if (!best || ir.year[i] > ir.year[*best]) best = i;
  }
  RelianceFigure out;
  if (!best) return out;
  out.source = ir.source[*best];
  const auto& v = ir.reliance[*best];
  const std::string what =
      fmt::format("{} net import reliance ({}, {})", ds.Country(country).iso3, ir.material[*best], ir.year[*best]);
  if (v.status == model::ValueStatus::NetExporter) {
    out.ir = 0.0;
    out.basis = what + ": net exporter, counts as 0";
  } else if (v.HasNumber()) {
    out.ir = std::clamp(v.number, 0.0, 1.0);
    out.basis = fmt::format(
        "{} {}{}", what, Pct(v.number),
        v.IsKnown() ? "" : (v.status == model::ValueStatus::AtLeast ? " (a lower bound)" : " (an upper bound)"));
  }
  return out;
}

// HHI_WGI,t of a body's published import sources of the mineral (the latest period of the first
// material; suppliers outside the body with WGI estimates, t = 1). None when it has none.
struct SourcingFigure {
  std::optional<double> hhi;
  std::string basis;
};
SourcingFigure BodySourcing(const model::Dataset& ds, model::MineralId mineral, const std::vector<CountryId>& body,
                            const AssessRequest& req, const WgiTable& wgi) {
  RelianceRequest rr;
  rr.consumer = body;
  rr.as_of = req.as_of;
  SourcingFigure out;
  for (const auto& row : ImportReliance(ds, mineral, rr)) {
    if (row.pooled) continue;
    std::vector<HhiWgiTTerm> terms;
    for (const auto& sup : row.suppliers) {
      const auto& c = ds.Country(sup.country);
      if (c.kind != model::CountryKind::Country || Contains(body, sup.country)) continue;
      auto it = wgi.by_country.find(c.iso3);
      if (it == wgi.by_country.end()) continue;
      terms.push_back({sup.share, ScaledWgi(it->second.mean), kEuDefaultTradeFactor});
    }
    if (terms.empty()) continue;
    out.hhi = HhiWgiT(terms);
    out.basis = row.basis;
    return out;
  }
  return out;
}

AssessRow EuSupplyRiskRow(const model::Dataset& ds, const AssessRequest& req, model::MineralId mineral,
                          const std::string& mineral_id, std::optional<double> hhi_gs,
                          const std::vector<CountryId>& body, const std::string& body_name, const WgiTable& wgi,
                          AssessRow r) {
  const EuMaterialParameters* par = nullptr;
  for (const auto& p : *req.eu_parameters) {
    if (p.mineral == mineral_id) par = &p;
  }
  r.value.reset();
  r.display.clear();
  if (!par) {
    r.status = fmt::format(
        "insufficient data: no EU CRM material parameters (EOL-RIR, SI_SR) for {} in "
        "data/reference/eu_crm_material_parameters.csv",
        mineral_id);
    return r;
  }
  if (!hhi_gs) {
    r.status = "insufficient data: no HHI_WGI,t of global supply for this stage";
    return r;
  }
  RelianceFigure ir;
  if (body.size() == 1) {
    ir = LatestReliance(ds, mineral, body.front());
  }
  if (!ir.ir) {
    r.status =
        body.size() == 1
            ? fmt::format("insufficient data: no published net import reliance of {} for {}", body_name, mineral_id)
            : fmt::format(
                  "insufficient data: the import reliance of {} together needs each one's consumption "
                  "and net imports, which the dataset does not hold",
                  body_name);
    return r;
  }
  const auto src = BodySourcing(ds, mineral, body, req, wgi);
  SupplyRiskInputs in;
  in.hhi_gs = hhi_gs;
  in.hhi_sourcing = src.hhi;
  in.import_reliance = ir.ir;
  in.eol_rir = par->eol_rir;
  in.si_sr = par->si_sr;
  in.supply_data_used = src.hhi ? SupplyDataUsed::GsAndEus : SupplyDataUsed::GsOnly;
  const auto sr = SupplyRisk(in);
  if (!sr.sr) {
    r.status = sr.insufficient;
    return r;
  }
  r.value = sr.sr;
  r.display =
      fmt::format("{:.1f} ({}; IR {}, HHI_GS {:.2f}, HHI_sourcing {}, EOL-RIR {}, SI_SR {:.2f})", *sr.sr,
                  SupplyDataUsedName(in.supply_data_used), Pct(*ir.ir), *hhi_gs,
                  src.hhi ? fmt::format("{:.2f}", *src.hhi) : std::string("not used"), Pct(par->eol_rir), par->si_sr);
  if (ir.source) AddSource(r, ds, *ir.source);
  r.basis = fmt::format("assessing body {}: {}; sourcing {}", body_name, ir.basis,
                        src.hhi ? src.basis : std::string("none published (GS only variant)"));
  r.assumptions.push_back(fmt::format(
      "EU CRM supply risk with {} as the assessing body; EOL-RIR and SI_SR of {} from the EU {} study ({}), the "
      "latest material parameters the project holds",
      body_name, par->study_material, par->study_year, par->source));
  if (!src.hhi) {
    r.assumptions.push_back(fmt::format(
        "no published import sources of {} for {}: the method's 'GS only' variant is used", body_name, mineral_id));
  }
  return r;
}

}  // namespace

std::vector<EuMaterialParameters> LoadEuMaterialParameters(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    throw Error::NotFound(fmt::format("{}: the EU CRM material parameter table does not exist", file.string()));
  }
  model::Diagnostics diags;
  const auto t =
      data::ReadNamedTable(file, {"mineral", "study_material", "eol_rir", "si_sr", "study_year", "source"}, diags);
  std::vector<EuMaterialParameters> out;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    EuMaterialParameters p;
    p.mineral = t.Cell(r, "mineral");
    p.study_material = t.Cell(r, "study_material");
    p.source = t.Cell(r, "source");
    if (p.mineral.empty()) diags.Error(t.file, t.lines[r], t.Col("mineral"), "mineral: empty; expected a mineral id");
    if (p.source.empty()) diags.Error(t.file, t.lines[r], t.Col("source"), "source: empty; expected the study");
    data::ParseNumberCell(t, r, "eol_rir", 0.0, 1.0, p.eol_rir, diags);
    data::ParseNumberCell(t, r, "si_sr", 0.0, 1.0, p.si_sr, diags);
    data::ParseYearCell(t, r, "study_year", p.study_year, diags);
    out.push_back(std::move(p));
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return out;
}

AssessResult Assess(const model::Dataset& ds, const AssessRequest& req) {
  AssessResult result;
  result.partners = req.partners;
  result.as_of = req.as_of;
  std::vector<CountryId> consumer;
  for (const auto& c : req.consumer) {
    auto id = ds.FindCountry(c);
    if (!id) throw Error::InvalidRequest(fmt::format("unknown consumer country '{}' (ISO alpha-3 expected)", c));
    consumer.push_back(*id);
    result.consumer += (result.consumer.empty() ? "" : "+") + c;
  }
  std::optional<model::GroupId> partners;
  if (!req.partners.empty()) {
    partners = ds.FindGroup(req.partners);
    if (!partners) throw Error::InvalidRequest(fmt::format("unknown partner group '{}'", req.partners));
  }
  std::vector<model::MineralId> minerals;
  if (req.minerals.empty()) {
    for (std::size_t i = 0; i < ds->minerals.size(); ++i)
      minerals.push_back(model::MineralId{static_cast<std::uint16_t>(i)});
  } else {
    for (const auto& m : req.minerals) {
      auto id = ds.FindMineral(m);
      if (!id) throw Error::InvalidRequest(fmt::format("unknown mineral '{}'", m));
      minerals.push_back(*id);
    }
  }
  const WgiTable wgi = WgiFromDataset(ds, req.wgi_year);
  std::optional<model::SourceId> wgi_source;
  for (std::size_t i = 0; i < ds->governance.size(); ++i) {
    if (ds->governance.year[i] == req.wgi_year) {
      wgi_source = ds->governance.source[i];
      break;
    }
  }

  for (auto mineral : minerals) {
    const auto& mid = ds.Mineral(mineral).id;
    auto stages = CollectStages(ds, mineral);
    if (stages.empty() && !req.minerals.empty()) {
      AssessRow r;
      r.mineral = mid;
      r.method = "all";
      r.metric = "supply";
      r.status = "insufficient data: no production or share figures";
      result.rows.push_back(std::move(r));
    }
    for (const auto& st : stages) {
      auto base = [&](Method m, std::string metric) {
        AssessRow r;
        r.mineral = mid;
        r.stage = st.stage;
        r.method = std::string(MethodName(m));
        r.metric = std::move(metric);
        r.basis = st.basis;
        for (auto s : st.sources) AddSource(r, ds, s);
        r.assumptions.insert(r.assumptions.end(), st.assumptions.begin(), st.assumptions.end());
        return r;
      };
      if (req.methods.count(Method::Concentration)) {
        auto c = ComputeConcentration(st.shares, ds, req.concentration);
        if (c.top1) {
          auto r = base(Method::Concentration, "top1_share");
          r.value = c.top1->share;
          r.display = fmt::format("{} {}", ds.Country(c.top1->country).name, Pct(c.top1->share));
          result.rows.push_back(r);
          r = base(Method::Concentration, "top3_share");
          r.value = c.top3_share;
          r.display = Pct(c.top3_share);
          result.rows.push_back(r);
          r = base(Method::Concentration, "hhi");
          r.value = c.hhi;
          r.display = fmt::format("{:.0f} of 10,000", c.hhi_10000());
          result.rows.push_back(r);
          r = base(Method::Concentration, "dominant_supplier");
          r.value = c.dominant ? 1.0 : 0.0;
          r.display = c.dominant ? fmt::format("yes: {} above {}", ds.Country(c.top1->country).name,
                                               Pct(req.concentration.dominant_threshold))
                                 : "no";
          result.rows.push_back(r);
          auto b = SingleCountryBenchmark(c, consumer, req.concentration);
          r = base(Method::Concentration, "crma_single_country_benchmark");
          if (b.applicable) {
            r.value = b.largest_third_country->share;
            r.display = fmt::format("{}: {} {} {}", b.exceeded ? "exceeded" : "met",
                                    ds.Country(b.largest_third_country->country).name,
                                    Pct(b.largest_third_country->share), b.exceeded ? "> 65%" : "<= 65%");
          } else {
            r.status = "insufficient data: no third-country supplier";
          }
          result.rows.push_back(r);
        } else {
          auto r = base(Method::Concentration, "hhi");
          r.status = "insufficient data: no known country shares";
          result.rows.push_back(r);
        }
      }
      if (req.methods.count(Method::EuCrm)) {
        // HHI_WGI,t of global supply. SR also needs IR, EOL-RIR and SI_SR, which this dataset
        // does not hold: the row says so instead of guessing them.
        std::vector<HhiWgiTTerm> terms;
        std::vector<std::string> no_wgi;
        bool default_t = false;
        for (std::size_t i = 0; i < st.shares.size(); ++i) {
          // As the EU sums over listed countries: "other countries" is not one supplier.
          if (ds.Country(st.shares[i].country).kind != model::CountryKind::Country) continue;
          const auto& iso = ds.Country(st.shares[i].country).iso3;
          auto it = wgi.by_country.find(iso);
          if (it == wgi.by_country.end()) {
            no_wgi.push_back(iso);
            continue;
          }
          double t = st.t[i].IsKnown() ? st.t[i].number : kEuDefaultTradeFactor;
          default_t = default_t || !st.t[i].IsKnown();
          terms.push_back({st.shares[i].share, ScaledWgi(it->second.mean), t});
        }
        auto r = base(Method::EuCrm, "hhi_wgi_t_global");
        if (terms.empty()) {
          r.status = "insufficient data: no country share with WGI estimates";
        } else {
          r.value = HhiWgiT(terms);
          r.display = fmt::format("{:.2f}", *r.value);
          if (!no_wgi.empty()) {
            std::string list;
            for (const auto& c : no_wgi) list += (list.empty() ? "" : ", ") + c;
            r.assumptions.push_back(fmt::format("no WGI estimate for {}: left out of HHI_WGI,t", list));
          }
          if (default_t) r.assumptions.push_back("trade factor t = 1.0 where not published (EU default)");
        }
        if (wgi_source) AddSource(r, ds, *wgi_source);
        result.rows.push_back(r);
        auto sr = base(Method::EuCrm, "supply_risk");
        if (!req.eu_parameters) {
          sr.status =
              "insufficient data: SR needs import reliance of the assessing body, EOL-RIR and SI_SR; no EU CRM "
              "material parameters were given";
          result.rows.push_back(sr);
        } else {
          const std::optional<double> hhi_gs = r.value;
          result.rows.push_back(EuSupplyRiskRow(ds, req, mineral, mid, hhi_gs, consumer, result.consumer, wgi, sr));
          if (consumer.size() > 1) {
            for (auto c : consumer) {
              auto one = sr;
              one.metric = "supply_risk_" + ds.Country(c).iso3;
              result.rows.push_back(EuSupplyRiskRow(ds, req, mineral, mid, hhi_gs, {c}, ds.Country(c).iso3, wgi, one));
            }
          }
        }
      }
      if (req.esg) {
        // The ethical-sourcing screen, weighted by each named country's share of the stage
        // ("other countries" is not one country and is left out; the covered share is said).
        auto r = base(Method::Concentration, "esg_screen");
        r.method = "esg-screen";
        double covered = 0, weighted = 0;
        std::string top_text;
        for (const auto& cs : st.shares) {
          const auto& c = ds.Country(cs.country);
          if (c.kind != model::CountryKind::Country) continue;
          const auto sc = ScoreCountryMineral(ds, *req.esg, c.iso3, mid, req.wgi_year);
          if (!sc.score) continue;
          covered += cs.share;
          weighted += cs.share * *sc.score;
          if (top_text.empty()) top_text = fmt::format("{} {}", c.name, DescribeEsg(sc));
        }
        if (covered <= 0) {
          r.status = "insufficient data: no producing country with a screen score";
        } else {
          r.value = weighted / covered;
          r.display = fmt::format("{:.2f} over {} of supply; top producer {}", *r.value, Pct(covered), top_text);
        }
        r.assumptions.push_back(
            "ESG screen (docs/methods/esg.md): mean of WGI control of corruption and rule of law, EITI status, US DoL "
            "child/forced labour list; weighted by supply share");
        result.rows.push_back(std::move(r));
      }
      if (req.methods.count(Method::GeoPolRisk)) {
        auto r = base(Method::GeoPolRisk, "score");
        auto gpr = GeoPolRiskFromDataset(ds, mineral, st, consumer, result.consumer);
        if (!gpr.figures) {
          r.status = "insufficient data: " + gpr.missing;
          r.sources.clear();
          result.rows.push_back(r);
        } else {
          const auto& f = *gpr.figures;
          r.basis = fmt::format("production {} and bilateral imports {} into {}", st.year, st.year, result.consumer);
          for (auto s : gpr.sources) AddSource(r, ds, s);
          r.assumptions.insert(r.assumptions.end(), gpr.notes.begin(), gpr.notes.end());
          r.value = f.score;
          r.display = fmt::format("{:.4g} (HHI {:.3f} x WTA {:.3f})", *f.score, *f.hhi, *f.wta);
          result.rows.push_back(r);
          auto cf = r;
          cf.metric = "cf";
          if (f.cf) {
            cf.value = f.cf;
            cf.display = fmt::format("{:.4g} eq. kg Cu/kg", *f.cf);
          } else {
            cf.value.reset();
            cf.display.clear();
            cf.status = "insufficient data: " + DescribeGeoPolRiskGaps(f);
          }
          result.rows.push_back(std::move(cf));
        }
      }
    }
    if (req.methods.count(Method::ImportReliance)) {
      RelianceRequest rr;
      rr.consumer = consumer;
      rr.partners = partners;
      rr.as_of = req.as_of;
      for (const auto& row : ImportReliance(ds, mineral, rr)) {
        AssessRow r;
        r.mineral = mid;
        r.stage = row.stage;
        r.method = std::string(MethodName(Method::ImportReliance));
        r.basis = row.basis;
        for (auto s : row.sources) AddSource(r, ds, s);
        if (row.pooled) {
          r.assumptions.push_back(
              "pooled world market: without bilateral data the consumer is assumed to buy from each supplier in "
              "proportion to world supply");
        }
        auto emit = [&](std::string metric, double v, std::string display) {
          AssessRow x = r;
          x.metric = std::move(metric);
          x.value = v;
          x.display = std::move(display);
          result.rows.push_back(std::move(x));
        };
        emit("within_consumer_share", row.domestic_share, Pct(row.domestic_share));
        if (!row.pooled && req.methods.count(Method::EuCrm)) {
          // The EU method's "sourcing" side for this consumer: HHI_WGI,t of its import sources
          // (suppliers outside the consumer, t = 1; "other countries" and countries without WGI
          // left out and said).
          std::vector<HhiWgiTTerm> terms;
          std::vector<std::string> no_wgi;
          for (const auto& s : row.suppliers) {
            const auto& c = ds.Country(s.country);
            if (c.kind != model::CountryKind::Country ||
                std::find(consumer.begin(), consumer.end(), s.country) != consumer.end()) {
              continue;
            }
            auto it = wgi.by_country.find(c.iso3);
            if (it == wgi.by_country.end()) {
              no_wgi.push_back(c.iso3);
              continue;
            }
            terms.push_back({s.share, ScaledWgi(it->second.mean), kEuDefaultTradeFactor});
          }
          AssessRow x = r;
          x.method = std::string(MethodName(Method::EuCrm));
          x.metric = "hhi_wgi_t_sourcing";
          if (wgi_source) AddSource(x, ds, *wgi_source);
          x.assumptions.push_back("trade factor t = 1.0 for import sources (EU default)");
          if (!no_wgi.empty()) {
            std::string list;
            for (const auto& c : no_wgi) list += (list.empty() ? "" : ", ") + c;
            x.assumptions.push_back(fmt::format("no WGI estimate for {}: left out of HHI_WGI,t", list));
          }
          if (terms.empty()) {
            x.status = "insufficient data: no named supplier with WGI estimates";
          } else {
            x.value = HhiWgiT(terms);
            x.display = fmt::format("{:.2f}", *x.value);
          }
          result.rows.push_back(std::move(x));
        }
        emit("partner_share", row.partner_share,
             fmt::format("{} from {} partners", Pct(row.partner_share), req.partners));
        std::string measures;
        for (const auto& m : row.restrictions) measures += (measures.empty() ? "" : ", ") + m;
        emit("restricted_share", row.restricted_share,
             row.restrictions.empty() ? Pct(row.restricted_share)
                                      : fmt::format("{} ({})", Pct(row.restricted_share), measures));
        if (!row.suppliers.empty()) {
          const auto& top = row.suppliers.front();
          emit("top_supplier_share", top.share, fmt::format("{} {}", ds.Country(top.country).name, Pct(top.share)));
        }
      }
      // Net import reliance: as published (USGS, for the United States) or derived by a stated rule
      // (Japan's mine stage); each row cites its source, a derived one its rule.
      const auto& ir = ds->import_reliance;
      for (std::size_t i = 0; i < ir.size(); ++i) {
        if (ir.mineral[i] != mineral || std::find(consumer.begin(), consumer.end(), ir.consumer[i]) == consumer.end()) {
          continue;
        }
        bool latest = true;
        for (std::size_t j = 0; j < ir.size(); ++j) {
          if (ir.mineral[j] == mineral && ir.consumer[j] == ir.consumer[i] && ir.material[j] == ir.material[i] &&
              ir.year[j] > ir.year[i]) {
            latest = false;
          }
        }
        if (!latest) continue;
        AssessRow r;
        r.mineral = mid;
        r.stage = "imports: " + ir.material[i];
        r.method = std::string(MethodName(Method::ImportReliance));
        r.metric = fmt::format("net_import_reliance_{}", ds.Country(ir.consumer[i]).iso3);
        r.basis = fmt::format("{} net import reliance {}", ds.Country(ir.consumer[i]).iso3, ir.year[i]);
        AddSource(r, ds, ir.source[i]);
        const auto& v = ir.reliance[i];
        if (v.IsKnown()) {
          r.value = v.number;
          r.display = Pct(v.number);
        } else if (v.HasNumber()) {
          r.display = (v.status == model::ValueStatus::AtLeast ? ">" : "<") + Pct(v.number);
        } else if (v.status == model::ValueStatus::NetExporter) {
          r.value = 0.0;
          r.display = "net exporter";
        } else {
          r.status = fmt::format("insufficient data: {}", model::StatusName(v.status));
        }
        result.rows.push_back(std::move(r));
      }
    }
  }
  return result;
}

std::vector<MineralVerdict> Verdicts(const AssessResult& result) {
  std::vector<MineralVerdict> out;
  auto find = [&](const std::string& mineral, const std::string& stage, const std::string& method,
                  const std::string& metric) -> const AssessRow* {
    for (const auto& r : result.rows) {
      if (r.mineral == mineral && r.stage == stage && r.method == method && r.metric == metric) return &r;
    }
    return nullptr;
  };
  for (const auto& r : result.rows) {
    if (std::none_of(out.begin(), out.end(), [&](const MineralVerdict& v) { return v.mineral == r.mineral; })) {
      out.push_back({});
      out.back().mineral = r.mineral;
    }
  }
  for (auto& v : out) {
    // The bottleneck: the stage whose largest supplier has the largest share.
    const AssessRow* top = nullptr;
    for (const auto& r : result.rows) {
      if (r.mineral != v.mineral || r.method != "concentration" || r.metric != "top1_share" || !r.value) continue;
      if (!top || *r.value > *top->value) top = &r;
    }
    if (!top) {
      v.line = fmt::format("{}: no country shares in the dataset, so no verdict", v.mineral);
      continue;
    }
    v.stage = top->stage;
    v.basis = top->basis;
    v.top_share = top->value;
    v.top_supplier = top->display.substr(0, top->display.rfind(' '));
    v.above_benchmark = *top->value > 0.65;
    if (auto* r = find(v.mineral, v.stage, "eu-crm", "hhi_wgi_t_global")) {
      v.eu_concentration = r->value ? fmt::format("EU-method concentration HHI_WGI,t {:.2f} (of 0-10)", *r->value)
                                    : "EU-method concentration not computed (" + r->status + ")";
    }
    {
      // EU supply risk of the stage with each assessing body (the consumer, and each of its
      // countries alone); a body without SR says so, with the first reason.
      std::string known, missing, why;
      for (const auto& r : result.rows) {
        if (r.mineral != v.mineral || r.stage != v.stage || r.method != "eu-crm" ||
            r.metric.rfind("supply_risk", 0) != 0) {
          continue;
        }
        const std::string body = r.metric == "supply_risk" ? result.consumer : r.metric.substr(12);
        if (r.value) {
          known += fmt::format("{}{} {:.1f}", known.empty() ? "" : ", ", body, *r.value);
        } else {
          missing += (missing.empty() ? "" : ", ") + body;
          if (why.empty()) why = r.status.substr(std::min(r.status.size(), r.status.find(':') + 2));
        }
      }
      if (!known.empty()) v.eu_supply_risk = "EU supply risk (assessing body) " + known;
      if (!missing.empty()) {
        v.eu_supply_risk +=
            fmt::format("{}EU supply risk not computed for {} ({})", known.empty() ? "" : "; ", missing, why);
      }
    }
    if (auto* r = find(v.mineral, v.stage, "geopolrisk", "score")) {
      if (r->value) {
        v.geopolrisk = fmt::format("GeoPolRisk {:.3g}", *r->value);
      } else {
        const bool no_trade = r->status.find("bilateral imports") != std::string::npos;
        v.geopolrisk = no_trade ? "GeoPolRisk not computed: no bilateral trade in the dataset"
                                : "GeoPolRisk not computed: " + r->status.substr(r->status.find(':') + 2);
      }
    }
    if (auto* r = find(v.mineral, v.stage, "esg-screen", "esg_screen")) {
      v.esg =
          r->value ? fmt::format("ESG screen {:.2f} (supply-weighted)", *r->value) : "ESG screen: no scored producer";
    }
    // The consumer's sourcing: rows of the bottleneck stage, else of any stage.
    const AssessRow* partner = find(v.mineral, v.stage, "import-reliance", "partner_share");
    const AssessRow* restricted = find(v.mineral, v.stage, "import-reliance", "restricted_share");
    for (const auto& r : result.rows) {
      if (r.mineral != v.mineral || r.method != "import-reliance") continue;
      if (!partner && r.metric == "partner_share") partner = &r;
      if (!restricted && r.metric == "restricted_share") restricted = &r;
    }
    if (partner) v.partner_share = partner->value;
    if (restricted) {
      v.restricted_share = restricted->value;
      auto open = restricted->display.find('(');
      if (open != std::string::npos) v.restrictions = restricted->display.substr(open);
    }
    std::string line = fmt::format(
        "{}: {} is the bottleneck; {} supplies {} ({}), {} the EU's 65% single-country "
        "benchmark",
        v.mineral, v.stage, v.top_supplier, Pct(*v.top_share), v.basis, *v.above_benchmark ? "above" : "within");
    for (const auto* part : {&v.eu_concentration, &v.eu_supply_risk, &v.geopolrisk, &v.esg}) {
      if (!part->empty()) line += "; " + *part;
    }
    if (v.partner_share) {
      line += fmt::format("; {} buys {} from {} partners", result.consumer, Pct(*v.partner_share), result.partners);
    }
    if (v.restricted_share) {
      line += fmt::format(" and {} from suppliers under export restrictions{}", Pct(*v.restricted_share),
                          v.restrictions.empty() ? "" : " " + v.restrictions);
    }
    v.line = line;
  }
  return out;
}

}  // namespace lodestone::risk
