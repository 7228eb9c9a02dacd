// The per-mineral dossier in HTML (inline CSS and SVG; sources as plain text, never as links
// that load anything) and Markdown, composed from the supply picture, risk::Assess, the outlook
// and the caller's scenario headlines and project registry.
#include "lodestone/report/dossier.hpp"
#include "lodestone/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "lodestone/data/safe_write.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/outlook/outlook.hpp"
#include "lodestone/report/svg.hpp"
#include "lodestone/risk/assess.hpp"

namespace lodestone::report {

namespace {

constexpr std::size_t kTopEntries = 8;
constexpr const char* kCss =
    "body{font-family:sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#1a1a1a;line-height:1.45}"
    "h1{font-size:1.6em;margin-bottom:0.2em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:4px;"
    "margin-top:1.8em}table{border-collapse:collapse;margin:8px 0;font-size:0.9em}th,td{border:1px solid #ddd;"
    "padding:3px 8px;vertical-align:top}th{background:#f2f2f2;text-align:left}td.num{text-align:right;"
    "white-space:nowrap}.meta{color:#555;font-size:0.9em}.note{color:#555;font-size:0.85em}"
    "ul.sources li{font-size:0.85em;margin-bottom:4px}";

// One table written to both outputs.
struct Table {
  std::vector<std::string> head;
  std::vector<bool> numeric;
  std::vector<std::vector<std::string>> rows;
};

std::string Esc(const std::string& s) { return XmlEscape(s); }

// Data-derived text for Markdown: HTML specials as entities (a Markdown renderer passes raw HTML
// through) and Markdown's own specials backslash-escaped, so that text from a data file can
// neither inject markup nor links.
std::string MdText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else if (c == '\\' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']' || c == '#' || c == '!') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string MdCell(const std::string& text) {
  const std::string s = MdText(text);
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

struct Writer {
  std::string html, md;
  void H2(const std::string& title) {
    html += "<h2>" + Esc(title) + "</h2>\n";
    md += "\n## " + MdText(title) + "\n\n";
  }
  void H3(const std::string& title) {
    html += "<h3>" + Esc(title) + "</h3>\n";
    md += "\n### " + MdText(title) + "\n\n";
  }
  void P(const std::string& text, const char* cls = nullptr) {
    html += cls ? fmt::format("<p class=\"{}\">{}</p>\n", cls, Esc(text)) : "<p>" + Esc(text) + "</p>\n";
    md += MdText(text) + "\n\n";
  }
  void List(const std::vector<std::string>& items, const char* cls = nullptr) {
    html += cls ? fmt::format("<ul class=\"{}\">\n", cls) : std::string("<ul>\n");
    for (const auto& i : items) {
      html += "<li>" + Esc(i) + "</li>\n";
      md += "- " + MdText(i) + "\n";
    }
    html += "</ul>\n";
    md += "\n";
  }
  void Tab(const Table& t) {
    html += "<table>\n<tr>";
    for (const auto& h : t.head) html += "<th>" + Esc(h) + "</th>";
    html += "</tr>\n";
    for (const auto& row : t.rows) {
      html += "<tr>";
      for (std::size_t i = 0; i < row.size(); ++i) {
        bool num = i < t.numeric.size() && t.numeric[i];
        html += (num ? "<td class=\"num\">" : "<td>") + Esc(row[i]) + "</td>";
      }
      html += "</tr>\n";
    }
    html += "</table>\n";
    md += "|";
    for (const auto& h : t.head) md += " " + MdCell(h) + " |";
    md += "\n|";
    for (std::size_t i = 0; i < t.head.size(); ++i) md += (i < t.numeric.size() && t.numeric[i]) ? " ---: |" : " --- |";
    md += "\n";
    for (const auto& row : t.rows) {
      md += "|";
      for (const auto& c : row) md += " " + MdCell(c) + " |";
      md += "\n";
    }
    md += "\n";
  }
};

void AddUnique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string Pct(double f) { return fmt::format("{:.1f}%", f * 100); }

std::string Year(const std::optional<int>& y) { return y ? std::to_string(*y) : "none by 2050"; }

std::string Qty(const model::Value& v, const std::string& unit) {
  if (v.IsKnown()) return Thousands(v.number) + " " + unit;
  if (v.HasNumber()) return model::DescribeValue(v) + " " + unit;
  return model::DescribeValue(v);
}

void SupplySection(Writer& w, const model::Dataset& ds, model::MineralId mid, std::vector<std::string>& sources) {
  w.H2("Supply picture by stage");
  auto pictures = data::SupplyPictures(ds, mid);
  if (pictures.empty()) {
    w.P("The dataset holds no production figures or country shares for this mineral: insufficient data.");
    return;
  }
  for (const auto& pic : pictures) {
    std::string when = pic.from_shares ? pic.period : std::to_string(pic.year);
    std::string world = pic.world ? Qty(*pic.world, pic.unit) : "not published";
    w.H3(fmt::format("{}, {}", ds.Stage(pic.stage), when));
    if (pic.from_shares) {
      w.P("No production figures for this stage: published country shares of world supply.", "note");
    } else {
      w.P(fmt::format("World: {}{}. Shares of the {}.", world,
                      pic.world_source ? " [" + ds.SourceOf(*pic.world_source).id + "]" : "", pic.share_basis),
          "note");
      if (pic.world_source) AddUnique(sources, ds.SourceOf(*pic.world_source).id);
    }
    Table t{{"#", "country", "quantity", "share", "source"}, {false, false, true, true, false}, {}};
    std::size_t n = 0;
    double rest_share = 0;
    std::size_t rest = 0;
    for (const auto& e : pic.entries) {
      const auto& c = ds.Country(e.country);
      std::string src = ds.SourceOf(e.source).id;
      AddUnique(sources, src);
      if (n >= kTopEntries) {
        ++rest;
        rest_share += e.share.value_or(0);
        continue;
      }
      std::string share = "-";
      if (e.share) {
        share = Pct(*e.share);
      } else if (e.share_value.IsKnown()) {
        share = Pct(e.share_value.number);
      } else if (e.share_value.HasNumber()) {
        share = model::DescribeValue(e.share_value.Scaled(100)) + "%";
      }
      ++n;
      t.rows.push_back({c.kind == model::CountryKind::Country ? std::to_string(n) : "", c.name,
                        pic.from_shares ? "-" : Qty(e.quantity, pic.unit), share, src});
    }
    if (rest)
      t.rows.push_back({"", fmt::format("{} more entries", rest), "", rest_share > 0 ? Pct(rest_share) : "", ""});
    w.Tab(t);
    if (pic.missing) {
      w.P(fmt::format("{} entries have no known quantity (withheld or not available): they are shown as such, not as "
                      "zero.",
                      pic.missing),
          "note");
    }
  }
}

void RiskSection(Writer& w, const model::Dataset& ds, const DossierRequest& req, std::vector<std::string>& sources,
                 std::vector<std::string>& assumptions) {
  w.H2("Concentration and risk scores");
  risk::AssessRequest ar;
  ar.minerals = {req.mineral};
  ar.consumer = req.consumer;
  ar.as_of = req.as_of;
  auto result = risk::Assess(ds, ar);
  w.P(fmt::format("Consumer {}; partners MSP; export restrictions in force on {}. Methods in docs/methods/.",
                  result.consumer, req.as_of),
      "note");
  if (result.rows.empty()) {
    w.P("No risk figure: insufficient data for every method.");
    return;
  }
  // The verdict in words first (risk::Verdicts), then every figure behind it.
  for (const auto& v : risk::Verdicts(result)) w.P("In short: " + v.line);
  Table t{{"stage", "method", "metric", "value", "basis", "sources"}, {}, {}};
  for (const auto& r : result.rows) {
    std::string ids;
    for (const auto& s : r.sources) {
      ids += (ids.empty() ? "" : ", ") + s;
      AddUnique(sources, s);
    }
    for (const auto& a : r.assumptions) AddUnique(assumptions, a);
    t.rows.push_back({r.stage, r.method, r.metric, r.status == "ok" ? r.display : r.status, r.basis, ids});
  }
  w.Tab(t);
}

// The five-year table of an outlook result.
Table FiveYearTable(const outlook::OutlookResult& r) {
  Table yt{{"year", "demand", "supply", "gap", "gap %", "gap P5", "gap P95", r.consumer + " demand", "secure supply",
            "secure gap"},
           {false, true, true, true, true, true, true, true, true, true},
           {}};
  for (const auto& y : r.years) {
    if (y.year % 5 != 0) continue;
    yt.rows.push_back({std::to_string(y.year), Thousands(y.demand_t), Thousands(y.supply_t), Thousands(y.gap_t),
                       Pct(y.gap_pct), Thousands(y.gap_p5), Thousands(y.gap_p95), Thousands(y.partner_demand_t),
                       Thousands(y.secure_supply_t), Thousands(y.secure_gap_t)});
  }
  return yt;
}

// The same scenario at the refining stage, when the mineral has one: refining-stage projects
// (refining, separation, magnets, cathode, anode) count there, not in the mine-supply outlook.
void RefiningOutlook(Writer& w, Dossier& d, const model::Dataset& ds, const outlook::OutlookData& od,
                     const std::vector<outlook::PipelineProject>& registry, const DossierRequest& req,
                     const std::string& scenario, std::vector<std::string>& sources,
                     std::vector<std::string>& assumptions) {
  w.H3(fmt::format("Refining stage: {} scenario", scenario));
  if (!outlook::HasSupplyStage(ds, od, req.mineral, "refining")) {
    w.P(fmt::format("No refining-stage data for {} (no refinery tonnes and no refining shares): no refining-stage "
                    "outlook (missing, not zero).",
                    req.mineral),
        "note");
    return;
  }
  outlook::OutlookRequest orq;
  orq.mineral = req.mineral;
  orq.scenario = scenario;
  orq.consumer = req.consumer;
  orq.stage = "refining";
  orq.runs = req.runs;
  orq.seed = req.seed;
  auto r = outlook::Run(ds, od, registry, orq);
  for (const auto& s : r.sources) AddUnique(sources, s);
  for (const auto& a : r.assumptions) AddUnique(assumptions, a);
  w.P(fmt::format("Quantities in {} per year. The same demand against refined supply: base-year refined output held "
                  "flat (no depletion at this stage) + refining, separation, magnet, cathode and anode projects "
                  "weighted by stage + secondary supply. Secure supply: allied countries' refined output and their "
                  "refining projects. World gap opens {} (P50), {} (P95); secure gap for {} opens {} (P50), {} (P95).",
                  r.unit, Year(r.first_gap_p50), Year(r.first_gap_p95), r.consumer, Year(r.first_secure_gap_p50),
                  Year(r.first_secure_gap_p95)),
      "note");
  auto chart = OutlookChart(r);
  d.svg_refining = RenderSvg(chart, true);
  d.svg_refining_file = req.mineral + "_outlook_refining.svg";
  w.html += "<figure>\n" + RenderSvg(chart, false) + "</figure>\n";
  w.md += fmt::format("![{} (refining stage)]({})\n\n", MdText(chart.title), d.svg_refining_file);
  w.Tab(FiveYearTable(r));
  if (r.projects.empty()) {
    w.P("No refining-stage project of this mineral counts (none in the registry, or none with capacity).", "note");
  } else {
    Table pt{{"project", "stage", "country", "development", "probability", "expected from", "expected output 2050",
              "allied"},
             {false, false, false, false, true, true, true, false},
             {}};
    for (const auto& p : r.projects) {
      auto cid = ds.FindCountry(p.country);
      pt.rows.push_back({p.name + " (" + p.id + ")", p.stage, cid ? ds.Country(*cid).name : p.country,
                         p.development_stage, Pct(p.probability), std::to_string(p.expected_start),
                         Thousands(p.expected_t_end), p.allied ? "yes" : "no"});
    }
    w.Tab(pt);
  }
  if (!r.notes.empty()) w.List(r.notes, "note");
}

void OutlookSection(Writer& w, Dossier& d, const model::Dataset& ds, const outlook::OutlookData* od,
                    const std::vector<outlook::PipelineProject>& registry, const DossierRequest& req,
                    std::vector<std::string>& sources, std::vector<std::string>& assumptions) {
  w.H2("Demand outlook and supply gap to 2050");
  if (!od) {
    w.P("No outlook data supplied: no demand outlook.");
    return;
  }
  auto scenarios = od->ScenariosFor(req.mineral);
  if (scenarios.empty()) {
    w.P(fmt::format("No demand scenario for {} in data/outlook/demand.csv: no outlook (missing, not zero).",
                    req.mineral));
    d.headline = "no demand scenario";
    return;
  }
  std::string charted = req.scenario.empty() ? scenarios.front() : req.scenario;
  Table t{{"scenario", "demand 2030", "demand 2040", "demand 2050", "gap 2030", "gap 2040", "gap 2050",
           "first gap P50 / P95", "secure gap opens P50 / P95"},
          {false, true, true, true, true, true, true, false, false},
          {}};
  std::optional<outlook::OutlookResult> chart_result;
  for (const auto& sc : scenarios) {
    outlook::OutlookRequest orq;
    orq.mineral = req.mineral;
    orq.scenario = sc;
    orq.consumer = req.consumer;
    orq.runs = req.runs;
    orq.seed = req.seed;
    auto r = outlook::Run(ds, *od, registry, orq);
    auto at = [&](int year) -> const outlook::OutlookYear& {
      return r.years.at(static_cast<std::size_t>(year - r.years.front().year));
    };
    t.rows.push_back({sc, Thousands(at(2030).demand_t), Thousands(at(2040).demand_t), Thousands(at(2050).demand_t),
                      Pct(at(2030).gap_pct), Pct(at(2040).gap_pct), Pct(at(2050).gap_pct),
                      Year(r.first_gap_p50) + " / " + Year(r.first_gap_p95),
                      Year(r.first_secure_gap_p50) + " / " + Year(r.first_secure_gap_p95)});
    for (const auto& s : r.sources) AddUnique(sources, s);
    for (const auto& a : r.assumptions) AddUnique(assumptions, a);
    if (sc == charted) chart_result = std::move(r);
  }
  if (!chart_result) {
    throw Error::InvalidRequest(fmt::format("scenario '{}' has no demand path for {}", charted, req.mineral));
  }
  const auto& r = *chart_result;
  w.P(fmt::format("Quantities in {} per year; gap = demand - supply as a share of demand (negative: surplus). "
                  "Supply = base-year {} output after depletion + project pipeline weighted by stage + secondary "
                  "supply. Secure supply: output of allied countries (MSP, US agreements, US-Japan 2025) against {} "
                  "demand. {} Monte Carlo runs, seed {}.",
                  r.unit, r.stage, r.consumer, r.runs, r.seed),
      "note");
  w.Tab(t);
  auto chart = OutlookChart(r);
  d.svg = RenderSvg(chart, true);
  d.svg_file = req.mineral + "_outlook.svg";
  w.html += "<figure>\n" + RenderSvg(chart, false) + "</figure>\n";
  w.md += fmt::format("![{}]({})\n\n", MdText(chart.title), d.svg_file);
  d.headline =
      fmt::format("{}: gap opens {} (P50), {} (P95)", r.scenario, Year(r.first_gap_p50), Year(r.first_gap_p95));

  Table yt = FiveYearTable(r);
  w.H3(fmt::format("{} scenario, every five years ({})", r.scenario, r.unit));
  w.Tab(yt);
  if (!r.notes.empty()) w.List(r.notes, "note");
  if (r.stage == "mining") RefiningOutlook(w, d, ds, *od, registry, req, r.scenario, sources, assumptions);
}

void HeadlineSection(Writer& w, const std::vector<ScenarioHeadline>& headlines, const std::string& mineral,
                     std::vector<std::string>& sources) {
  w.H2("Disruption scenarios: headline results");
  Table t{{"scenario", "title", "consumer", "demand", "shortfall", "shortfall %", "source"},
          {false, false, false, true, true, true, false},
          {}};
  for (const auto& h : headlines) {
    if (h.mineral != mineral) continue;
    t.rows.push_back({h.scenario_id, h.title, h.consumer, Thousands(h.demand_t), Thousands(h.shortfall_t),
                      Pct(h.shortfall_pct), h.source});
    AddUnique(sources, h.source);
  }
  if (t.rows.empty()) {
    w.P("No scenario results supplied.");
    return;
  }
  w.Tab(t);
}

void ProjectSection(Writer& w, const model::Dataset& ds, const std::vector<outlook::PipelineProject>& registry,
                    const DossierRequest& req, const std::string& unit) {
  w.H2("Projects that matter most");
  if (!req.registry_supplied) {
    w.P("No project registry supplied (data/projects/projects.csv not found): no project listed.");
    return;
  }
  auto rows = ProjectsFor(registry, req.mineral);
  if (rows.empty()) {
    w.P("No project of this mineral in the registry.");
    return;
  }
  Table t{{"project", "stage", "country", "capacity per year", "first output", "development", "status", "source"},
          {false, false, false, true, false, false, false, false},
          {}};
  for (const auto& p : rows) {
    auto cid = ds.FindCountry(p.country);
    t.rows.push_back({p.name + " (" + p.id + ")", p.stage, cid ? ds.Country(*cid).name : p.country,
                      Qty(p.capacity_t, unit), p.first_output.empty() ? "not given" : p.first_output,
                      p.development_stage, p.status, p.source});
  }
  w.Tab(t);
}

void SourceSection(Writer& w, const model::Dataset& ds, const outlook::OutlookData* od,
                   const std::vector<std::string>& ids, const std::vector<std::string>& assumptions) {
  w.H2("Sources");
  std::vector<std::string> items;
  std::set<std::string> seen;
  for (const auto& id : ids) {
    if (!seen.insert(id).second) continue;
    const model::Source* src = nullptr;
    for (const auto& s : ds->manifest.sources) {
      if (s.id == id) src = &s;
    }
    if (!src && od) src = od->FindSource(id);
    if (!src) {
      items.push_back(fmt::format("[{}] (as given by the caller)", id));
      continue;
    }
    std::string text = fmt::format("[{}] {}. Licence: {}.", id, src->citation, src->licence);
    if (!src->url.empty()) text += " Address (text only): " + src->url;
    if (src->kind == model::SourceKind::Assumption) text += " Rule: " + src->rule;
    items.push_back(text);
  }
  w.List(items, "sources");
  if (!assumptions.empty()) {
    w.H2("Assumptions");
    w.List(assumptions, "note");
  }
}

}  // namespace

std::vector<ProjectRow> ProjectsFor(const std::vector<outlook::PipelineProject>& registry, const std::string& mineral,
                                    std::size_t limit) {
  std::vector<ProjectRow> out;
  for (const auto& p : registry) {
    if (p.mineral != mineral) continue;
    out.push_back(
        {p.id, p.name, p.stage, p.country, p.capacity_t, p.first_output, p.development_stage, p.status, p.source});
  }
  std::stable_sort(out.begin(), out.end(), [](const ProjectRow& a, const ProjectRow& b) {
    bool ka = a.capacity_t.IsKnown(), kb = b.capacity_t.IsKnown();
    if (ka != kb) return ka;
    return ka && a.capacity_t.number > b.capacity_t.number;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Dossier BuildDossier(const model::Dataset& ds, const outlook::OutlookData* od,
                     const std::vector<outlook::PipelineProject>& registry,
                     const std::vector<ScenarioHeadline>& headlines, const DossierRequest& req) {
  auto mid = ds.FindMineral(req.mineral);
  if (!mid) throw Error::InvalidRequest(fmt::format("unknown mineral '{}'", req.mineral));
  const auto& info = ds.Mineral(*mid);
  Dossier d;
  d.mineral = req.mineral;
  d.title = fmt::format("{}: supply security dossier", info.name);
  Writer w;
  std::vector<std::string> sources, assumptions;
  const auto& m = ds->manifest;
  std::string consumer;
  for (const auto& c : req.consumer) consumer += (consumer.empty() ? "" : "+") + c;
  std::string meta = fmt::format("Mineral id {}; canonical unit {}; consumer {}. Dataset {} version {} ({}).",
                                 req.mineral, info.unit.text, consumer, m.name, m.version, m.date);
  w.html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + Esc(d.title) +
            "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n<h1>" + Esc(d.title) + "</h1>\n";
  w.md += "# " + MdText(d.title) + "\n\n";
  w.P(meta, "meta");
  w.P("Every figure carries its source id in brackets or in its row; the sources, their licences and the "
      "assumptions are listed at the end.",
      "meta");

  SupplySection(w, ds, *mid, sources);
  RiskSection(w, ds, req, sources, assumptions);
  OutlookSection(w, d, ds, od, registry, req, sources, assumptions);
  HeadlineSection(w, headlines, req.mineral, sources);
  ProjectSection(w, ds, registry, req, info.unit.text);
  SourceSection(w, ds, od, sources, assumptions);
  w.html += "</body>\n</html>\n";
  d.html = std::move(w.html);
  d.markdown = std::move(w.md);
  if (d.headline.empty()) d.headline = od ? "no outlook" : "no outlook data";
  return d;
}

std::string RenderIndex(const model::Dataset& ds, const std::vector<Dossier>& dossiers) {
  const auto& m = ds->manifest;
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Lodestone "
      "dossiers</title>\n<style>" +
      std::string(kCss) + "</style>\n</head>\n<body>\n<h1>Lodestone dossiers</h1>\n";
  h += "<p class=\"meta\">" +
       Esc(fmt::format("Dataset {} version {} ({}); one dossier per mineral.", m.name, m.version, m.date)) +
       "</p>\n<table>\n<tr><th>mineral</th><th>dossier</th><th>outlook</th></tr>\n";
  for (const auto& d : dossiers) {
    h += fmt::format(
        "<tr><td>{}</td><td><a href=\"{}.html\">{}</a> (<a href=\"{}.md\">Markdown</a>)</td><td>{}</td></tr>\n",
        Esc(d.mineral), Esc(d.mineral), Esc(d.title), Esc(d.mineral), Esc(d.headline));
  }
  h += "</table>\n</body>\n</html>\n";
  return h;
}

void WriteDossier(const Dossier& d, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  // Never through a link planted in `dir`; each file whole or not at all.
  auto write = [&](const std::filesystem::path& p, const std::string& text) { data::WriteFileAtomic(p, text); };
  write(dir / (d.mineral + ".html"), d.html);
  write(dir / (d.mineral + ".md"), d.markdown);
  if (!d.svg.empty()) write(dir / d.svg_file, d.svg);
  if (!d.svg_refining.empty()) write(dir / d.svg_refining_file, d.svg_refining);
}

}  // namespace lodestone::report
