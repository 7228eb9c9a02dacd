// The per-mineral dossier in HTML (inline CSS and SVG; sources as plain text, never as links
// that load anything) and Markdown, composed from the supply picture, risk::Assess, the outlook
// and the caller's scenario headlines and project registry.
#include "lodestone/report/dossier.hpp"
#include "lodestone/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
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
    "ul.sources li{font-size:0.85em;margin-bottom:4px}ul.key{font-size:1.05em}ul.key li{margin-bottom:8px}"
    "section.key{border:1px solid #c9d6e3;background:#f5f8fb;padding:4px 16px 8px;margin-top:16px}"
    "figure{margin:16px 0}figcaption{color:#444;font-size:0.85em}svg{max-width:100%;height:auto}"
    "dl.glossary dt{font-weight:bold;margin-top:8px}dl.glossary dd{margin-left:16px;font-size:0.9em}"
    "h2.part{font-size:1.4em;border-bottom:2px solid #1f4e79}"
    "@media print{@page{size:A4;margin:18mm 14mm 16mm 14mm;@bottom-right{content:counter(page) \" / \" "
    "counter(pages);font-size:9pt;color:#555}}"
    "body{max-width:none;margin:0;padding:0;font-size:10.5pt}section.charts,section.annex{break-before:page}"
    "figure,tr,dt,dd,li{break-inside:avoid}h2,h3{break-after:avoid}thead{display:table-header-group}"
    "table{font-size:8.5pt;width:100%}td,th{overflow-wrap:anywhere}svg{max-width:100%}}";

// One table written to both outputs.
struct Table {
  Table(std::vector<std::string> h, std::vector<bool> n, std::vector<std::vector<std::string>> r)
      : head(std::move(h)), numeric(std::move(n)), rows(std::move(r)) {}
  std::vector<std::string> head;
  std::vector<bool> numeric;
  std::vector<std::vector<std::string>> rows;
  // Optional: the cell of column `link_col` of row i links to the in-page anchor links[i].
  int link_col = -1;
  std::vector<std::string> links;
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
  // Raw markup (already escaped by the caller) for each output.
  void Raw(const std::string& h, const std::string& m) {
    html += h;
    md += m;
  }
  void Tab(const Table& t) {
    html += "<table>\n<tr>";
    for (const auto& h : t.head) html += "<th>" + Esc(h) + "</th>";
    html += "</tr>\n";
    for (const auto& row : t.rows) {
      html += "<tr>";
      for (std::size_t i = 0; i < row.size(); ++i) {
        bool num = i < t.numeric.size() && t.numeric[i];
        const std::size_t r = static_cast<std::size_t>(&row - t.rows.data());
        const bool link = static_cast<int>(i) == t.link_col && r < t.links.size() && !t.links[r].empty();
        html += (num ? "<td class=\"num\">" : "<td>") +
                (link ? "<a href=\"#" + t.links[r] + "\">" + Esc(row[i]) + "</a>" : Esc(row[i])) + "</td>";
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
      const std::size_t r = static_cast<std::size_t>(&row - t.rows.data());
      for (std::size_t i = 0; i < row.size(); ++i) {
        const bool link = static_cast<int>(i) == t.link_col && r < t.links.size() && !t.links[r].empty();
        md += " " + (link ? "[" + MdCell(row[i]) + "](#" + t.links[r] + ")" : MdCell(row[i])) + " |";
      }
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

// Text from a result for a reader: no command hints ("(use `lodestone ...`)") and no backticks.
std::string Plain(std::string s) {
  for (;;) {
    auto p = s.find("(use `");
    if (p == std::string::npos) break;
    auto e = s.find(')', p);
    const std::size_t from = p > 0 && s[p - 1] == ' ' ? p - 1 : p;
    const std::size_t to = e == std::string::npos ? s.size() : e + 1;
    s.erase(from, to - from);
  }
  s.erase(std::remove(s.begin(), s.end(), '`'), s.end());
  return s;
}

// A risk row's value, or "not available: why" in words.
std::string ValueText(const risk::AssessRow& r) {
  if (r.status == "ok") return Plain(r.display);
  std::string why = r.status;
  const std::string prefix = "insufficient data";
  if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
  while (!why.empty() && (why.front() == ':' || why.front() == ' ')) why.erase(why.begin());
  return why.empty() ? "not available" : "not available: " + Plain(why);
}

std::string GlossaryAnchor(const std::string& metric) {
  std::string id = metric.rfind("net_import_reliance", 0) == 0 ? "net_import_reliance" : metric;
  std::replace(id.begin(), id.end(), '_', '-');
  return "g-" + id;
}

// A source's short name: its citation up to the first comma or parenthesis.
std::string ShortSource(const model::Dataset& ds, const outlook::OutlookData* od, const std::string& id) {
  const model::Source* src = nullptr;
  for (const auto& s : ds->manifest.sources) {
    if (s.id == id) src = &s;
  }
  if (!src && od) src = od->FindSource(id);
  if (!src || src->citation.empty()) return id;
  std::string c = src->citation;
  auto cut = c.find_first_of(",(");
  if (cut != std::string::npos && cut > 3) c = c.substr(0, cut);
  while (!c.empty() && (c.back() == ' ' || c.back() == '.')) c.pop_back();
  if (c.size() > 70) c = c.substr(0, 67) + "...";
  return c;
}

// A chart as a figure with its caption (the alt text of the inline SVG is its title); in the
// Markdown, the chart's SVG file when it is written, else a note that it is in the HTML only.
void Figure(Writer& w, const std::string& inline_svg, const std::string& file, const std::string& title,
            const std::string& caption) {
  w.html += "<figure>\n" + inline_svg + "<figcaption>" + Esc(caption) + "</figcaption>\n</figure>\n";
  if (!file.empty()) {
    w.md += fmt::format("![{}]({})\n\n*{}*\n\n", MdText(title), file, MdText(caption));
  } else {
    w.md += fmt::format("*Chart: {} (drawn in the HTML dossier only). {}*\n\n", MdText(title), MdText(caption));
  }
}

std::string PartnerName(const model::Dataset& ds, const std::string& code) {
  if (code == "USA") return "the United States";
  auto cid = ds.FindCountry(code);
  return cid ? ds.Country(*cid).name : code;
}

std::string CountryName(const model::Dataset& ds, const std::string& code) {
  auto cid = ds.FindCountry(code);
  return cid ? ds.Country(*cid).name : code;
}

// A sector id of the simulator in words ("ev_batteries" -> "EV batteries").
std::string SectorName(const std::string& sector) {
  if (sector == "ev_batteries") return "EV batteries";
  if (sector == "semiconductors_electronics") return "semiconductors and electronics";
  std::string s = sector;
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

// Tonnes with a decimal or two below 10 t, so that small figures (germanium, gallium) do not read as 0.
std::string Tonnes(double t, const std::string& unit) {
  const double a = std::abs(t);
  return Thousands(t, a == 0 || a >= 10 ? 0 : (a >= 1 ? 1 : 2)) + " " + unit;
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

void RiskSection(Writer& w, const risk::AssessResult& result, const DossierRequest& req,
                 std::vector<std::string>& sources, std::vector<std::string>& assumptions,
                 std::vector<std::string>& metrics) {
  w.H2("Concentration and risk scores");
  w.P(fmt::format("Consumer {}; partners MSP; export restrictions in force on {}. Each measure is explained in the "
                  "glossary; the method pages are in docs/methods/.",
                  result.consumer, req.as_of),
      "note");
  if (result.rows.empty()) {
    w.P("No risk figure: not available for any method (the dataset lacks the figures they need).");
    return;
  }
  // The verdict in words first (risk::Verdicts), then every figure behind it.
  for (const auto& v : risk::Verdicts(result)) w.P("In short: " + Plain(v.line));
  Table t{{"stage", "method", "measure", "metric id", "value", "basis", "sources"}, {}, {}};
  t.link_col = 2;
  for (const auto& r : result.rows) {
    std::string ids;
    for (const auto& s : r.sources) {
      ids += (ids.empty() ? "" : ", ") + s;
      AddUnique(sources, s);
    }
    for (const auto& a : r.assumptions) AddUnique(assumptions, a);
    t.rows.push_back({r.stage, r.method, MetricName(r.metric), r.metric, ValueText(r), r.basis, ids});
    t.links.push_back(GlossaryAnchor(r.metric));
    AddUnique(metrics, r.metric);
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
void RefiningOutlook(Writer& w, Writer& charts, Dossier& d, const model::Dataset& ds, const outlook::OutlookData& od,
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
  chart.title = fmt::format("{}: demand and supply to {}, {} scenario", ds.Mineral(*ds.FindMineral(req.mineral)).name,
                            r.years.empty() ? 0 : r.years.back().year, r.scenario);
  d.svg_refining = RenderSvg(chart, true);
  d.svg_refining_file = req.mineral + "_outlook_refining.svg";
  Figure(
      charts, RenderSvg(chart, false), d.svg_refining_file, chart.title + " (refining stage)",
      fmt::format("{} Refined supply against the same demand; the world gap opens {} (P50); the secure gap for {} "
                  "opens {} (P50).",
                  chart.title + " (refining stage).", Year(r.first_gap_p50), r.consumer, Year(r.first_secure_gap_p50)));
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

void OutlookSection(Writer& w, Writer& charts, Dossier& d, const model::Dataset& ds, const outlook::OutlookData* od,
                    const std::vector<outlook::PipelineProject>& registry, const DossierRequest& req,
                    std::vector<std::string>& sources, std::vector<std::string>& assumptions,
                    std::optional<outlook::OutlookResult>& charted_out) {
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
  chart.title = fmt::format("{}: demand and supply to {}, {} scenario", ds.Mineral(*ds.FindMineral(req.mineral)).name,
                            r.years.empty() ? 0 : r.years.back().year, r.scenario);
  d.svg = RenderSvg(chart, true);
  d.svg_file = req.mineral + "_outlook.svg";
  charts.H3("Outlook: demand and supply to 2050");
  Figure(charts, RenderSvg(chart, false), d.svg_file, chart.title,
         fmt::format("{}. World demand and expected supply with their P5-P95 bands, and the partners' ({}) demand "
                     "against secure supply from allied countries; the world gap opens {} (P50).",
                     chart.title, r.consumer, Year(r.first_gap_p50)));
  d.headline =
      fmt::format("{}: gap opens {} (P50), {} (P95)", r.scenario, Year(r.first_gap_p50), Year(r.first_gap_p95));

  Table yt = FiveYearTable(r);
  w.H3(fmt::format("{} scenario, every five years ({})", r.scenario, r.unit));
  w.Tab(yt);
  if (!r.notes.empty()) w.List(r.notes, "note");
  if (r.stage == "mining") RefiningOutlook(w, charts, d, ds, *od, registry, req, r.scenario, sources, assumptions);
  charted_out = std::move(chart_result);
}

void HeadlineSection(Writer& w, const std::vector<ScenarioHeadline>& headlines, const std::string& mineral,
                     std::vector<std::string>& sources) {
  w.H2("Disruption scenarios: headline results");
  Table t{{"scenario", "title", "consumer", "demand", "shortfall", "shortfall %", "source"},
          {false, false, false, true, true, true, false},
          {}};
  for (const auto& h : headlines) {
    if (h.mineral != mineral || h.sector != "total") continue;
    t.rows.push_back({h.scenario_id, h.title, h.consumer, Thousands(h.demand_t), Thousands(h.shortfall_t),
                      Pct(h.shortfall_pct), h.source});
    AddUnique(sources, h.source);
  }
  if (t.rows.empty()) {
    w.P("No scenario results supplied.");
    return;
  }
  w.Tab(t);
  Table sec{{"scenario", "consumer", "sector", "demand", "delivered", "stocks drawn", "shortfall", "shortfall %"},
            {false, false, false, true, true, true, true, true},
            {}};
  for (const auto& h : headlines) {
    if (h.mineral != mineral || h.sector == "total") continue;
    sec.rows.push_back({h.scenario_id, h.consumer, h.sector, Thousands(h.demand_t), Thousands(h.delivered_t),
                        Thousands(h.stock_drawn_t), Thousands(h.shortfall_t), Pct(h.shortfall_pct)});
  }
  if (!sec.rows.empty()) {
    w.H3("By sector of demand");
    w.Tab(sec);
  }
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

// --- The briefing part: key messages, charts, measures in words, glossary.

// The largest country of a supply picture with its share (nullopt when no share is known).
struct Dominant {
  std::string country, stage, when, source;
  double share = 0;
};

std::optional<Dominant> DominantOf(const model::Dataset& ds, const outlook::OutlookData* od,
                                   const data::SupplyPicture& pic) {
  for (const auto& e : pic.entries) {
    const auto& c = ds.Country(e.country);
    if (c.kind != model::CountryKind::Country) continue;
    std::optional<double> share = e.share;
    if (!share && e.share_value.IsKnown()) share = e.share_value.number;
    if (!share) continue;
    return Dominant{c.name, ds.Stage(pic.stage), pic.from_shares ? pic.period : std::to_string(pic.year),
                    ShortSource(ds, od, ds.SourceOf(e.source).id), *share};
  }
  return std::nullopt;
}

std::string Join(const std::vector<std::string>& parts, const std::string& last = " and ") {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += i + 1 == parts.size() ? last : "; ";
    out += parts[i];
  }
  return out;
}

std::vector<std::string> KeyMessages(const model::Dataset& ds, const outlook::OutlookData* od,
                                     const model::MineralInfo& info, const std::vector<data::SupplyPicture>& pictures,
                                     const std::vector<ScenarioHeadline>& headlines,
                                     const std::optional<outlook::OutlookResult>& outlook, const DossierRequest& req) {
  std::vector<std::string> out;
  const std::string& name = info.name;
  // 1. Who dominates each stage.
  std::vector<std::string> parts;
  std::vector<Dominant> dominants;
  std::set<std::string> stages_known;
  for (const auto& pic : pictures) {
    if (auto d = DominantOf(ds, od, pic)) stages_known.insert(d->stage);
  }
  std::size_t stages_shown = 0;
  for (const auto& pic : pictures) {
    auto d = DominantOf(ds, od, pic);
    if (!d) {
      // A stage with another picture that has shares is described by that one.
      if (stages_known.count(ds.Stage(pic.stage))) continue;
      ++stages_shown;
      parts.push_back(fmt::format("world {}: not available (no country share is known)", ds.Stage(pic.stage)));
      continue;
    }
    ++stages_shown;
    dominants.push_back(*d);
    parts.push_back(
        fmt::format("{} supplies {} of world {} ({}, {})", d->country, Pct(d->share), d->stage, d->when, d->source));
  }
  const bool one_country = dominants.size() > 1 && dominants.size() == stages_shown &&
                           std::all_of(dominants.begin(), dominants.end(),
                                       [&](const Dominant& x) { return x.country == dominants.front().country; });
  if (parts.empty()) {
    out.push_back(
        fmt::format("Who dominates supply: not available: the dataset holds no production figures or "
                    "country shares for {}.",
                    name));
  } else if (one_country) {
    std::vector<std::string> stages;
    for (const auto& x : dominants)
      stages.push_back(fmt::format("{} of world {} ({}, {})", Pct(x.share), x.stage, x.when, x.source));
    const bool majority =
        std::all_of(dominants.begin(), dominants.end(), [](const Dominant& x) { return x.share > 0.5; });
    out.push_back(fmt::format("{} {} every stage: {}.", dominants.front().country,
                              majority ? "dominates" : "is the largest supplier at", Join(stages)));
  } else {
    out.push_back(Join(parts) + ".");
  }
  // 2. China's October 2025 controls, partner by partner; scenarios with the same result for this
  // mineral are named together.
  parts.clear();
  std::string unit = info.unit.text;
  auto unit_of = [&](const ScenarioHeadline& h) { return h.unit.empty() ? unit : h.unit; };
  std::vector<std::pair<std::vector<std::string>, std::string>> by_scenario;  // ids, clause
  std::vector<std::string> order;
  for (const auto& h : headlines) {
    if (h.mineral == req.mineral && h.sector == "total" && h.october_controls) AddUnique(order, h.scenario_id);
  }
  for (const auto& id : order) {
    std::vector<std::string> partners;
    for (const auto& c : req.consumer) {
      for (const auto& h : headlines) {
        if (h.scenario_id != id || h.mineral != req.mineral || h.sector != "total" || h.consumer != c) continue;
        std::string softened = h.stock_drawn_t > 0 ? "stocks cover " + Tonnes(h.stock_drawn_t, unit_of(h)) + " and "
                                                   : std::string("no stock is drawn and ");
        if (h.shortfall_t > 0) {
          partners.push_back(fmt::format(
              "{} is short of {} of its demand ({}): {}other suppliers deliver {}", PartnerName(ds, h.consumer),
              Pct(h.shortfall_pct), Tonnes(h.shortfall_t, unit_of(h)), softened, Tonnes(h.delivered_t, unit_of(h))));
        } else {
          partners.push_back(fmt::format("{} is not short of its demand ({}): {}other suppliers deliver {}",
                                         PartnerName(ds, h.consumer), Tonnes(h.demand_t, unit_of(h)), softened,
                                         Tonnes(h.delivered_t, unit_of(h))));
        }
      }
    }
    std::string clause = Join(partners, "; ");
    auto same = std::find_if(by_scenario.begin(), by_scenario.end(), [&](const auto& x) { return x.second == clause; });
    if (same != by_scenario.end()) {
      same->first.push_back(id);
    } else {
      by_scenario.push_back({{id}, clause});
    }
  }
  for (const auto& [ids, clause] : by_scenario) {
    parts.push_back(fmt::format("{} {}: {}", ids.size() > 1 ? "in scenarios" : "in scenario", Join(ids), clause));
  }
  if (parts.empty()) {
    const bool simulated = std::any_of(headlines.begin(), headlines.end(),
                                       [&](const ScenarioHeadline& h) { return h.mineral == req.mineral; });
    out.push_back(simulated ? fmt::format("China's October 2025 export controls: not modelled for {}: the default "
                                          "scenarios of the controls do not shock this mineral.",
                                          name)
                            : fmt::format("China's October 2025 export controls: not available for {}: the partners' "
                                          "demand for this mineral is not known in the simulator.",
                                          name));
  } else {
    out.push_back("Under China's October 2025 export controls, over 12 months, " + Join(parts, "; ") + ".");
  }
  // 3. How often the risk register leaves each partner short.
  parts.clear();
  std::uint64_t runs = 0, seed = 0;
  for (const auto& c : req.consumer) {
    for (const auto& h : headlines) {
      if (h.mineral != req.mineral || h.sector != "total" || !h.monte_carlo || h.consumer != c) continue;
      runs = h.runs;
      seed = h.seed;
      parts.push_back(fmt::format("{} is short in {} of the years drawn, with a P95 shortfall of {} of demand ({})",
                                  PartnerName(ds, h.consumer), Pct(h.p_shortfall), Pct(h.p95_shortfall_pct),
                                  Tonnes(h.p95_shortfall_t, h.unit.empty() ? unit : h.unit)));
    }
  }
  if (parts.empty()) {
    out.push_back(
        fmt::format("How often the risk register leaves the partners short: not available for {}: no "
                    "Monte Carlo result for this mineral and the partners.",
                    name));
  } else {
    out.push_back(fmt::format("Across {} scenarios drawn from the risk register (seed {}): ",
                              Thousands(static_cast<double>(runs)), seed) +
                  Join(parts) + ".");
  }
  // 4. Which projects close how much of the gap, at what cost.
  const auto& f = req.findings;
  if (!f.supplied) {
    out.push_back(
        "Projects: not available: no project source was found (no project database and no project sample), so no "
        "project was evaluated.");
  } else {
    std::vector<const ProjectFinding*> mine;
    const ProjectFinding* any = nullptr;
    std::size_t listed = 0;
    for (const auto& p : f.projects) {
      if (p.mineral != req.mineral) continue;
      ++listed;
      if (p.evaluable && !p.baseline && p.expected_relief_t > 0) mine.push_back(&p);
      if (p.evaluable) any = &p;
    }
    std::stable_sort(mine.begin(), mine.end(), [](const ProjectFinding* a, const ProjectFinding* b) {
      return a->expected_relief_t > b->expected_relief_t;
    });
    if (mine.empty()) {
      out.push_back(fmt::format(
          "Projects: not available for {}: {}.", name,
          any ? fmt::format("no evaluated project of this mineral reduces the partners' expected shortfall ({} "
                            "t over {} months before any project)",
                            Thousands(any->expected_before_t), f.horizon_months)
          : listed == 0 ? std::string("no project of this mineral in the project source")
                        : fmt::format("none of the {} projects of this mineral can be evaluated as new supply "
                                      "(operating, capacity not known or mineral not simulated; reasons in the annex)",
                                      listed)));
    } else {
      parts.clear();
      for (std::size_t i = 0; i < mine.size() && i < 3; ++i) {
        const auto& p = *mine[i];
        const double pct = p.expected_before_t > 0 ? p.expected_relief_t / p.expected_before_t : 0;
        std::string cost = p.public_musd ? fmt::format("public money {} M USD", Thousands(*p.public_musd, 1))
                                         : std::string("public money not available (no capital cost known)");
        auto cid = ds.FindCountry(p.country);
        parts.push_back(fmt::format("{} ({}) removes {} ({} of it), {}", p.name,
                                    cid ? ds.Country(*cid).name : p.country, Tonnes(p.expected_relief_t, p.unit),
                                    Pct(pct), cost));
      }
      out.push_back(fmt::format("The partners' expected shortfall is {} over {} months under the risk register "
                                "({} scenarios, seed {}); on its own, ",
                                Tonnes(mine.front()->expected_before_t, mine.front()->unit), f.horizon_months,
                                Thousands(static_cast<double>(f.runs)), f.seed) +
                    Join(parts) + ".");
    }
  }
  // 5. The outlook: the year a gap opens, or none, and why.
  if (!outlook) {
    out.push_back(fmt::format("Outlook: not available: {}.", od ? "no demand scenario for this mineral in the outlook "
                                                                  "data"
                                                                : "no outlook data were read"));
  } else {
    const auto& r = *outlook;
    const auto& y0 = r.years.front();
    const auto& y1 = r.years.back();
    std::string why = fmt::format(
        "from {} to {}, world demand goes from {} to {} a year while expected supply goes from {} to {} a year",
        y0.year, y1.year, Tonnes(y0.demand_t, r.unit), Tonnes(y1.demand_t, r.unit), Tonnes(y0.supply_t, r.unit),
        Tonnes(y1.supply_t, r.unit));
    if (r.first_gap_p50) {
      out.push_back(
          fmt::format("Outlook ({} scenario, {} stage): a world supply gap opens in {} on the median path "
                      "(P95: {}): {}.",
                      r.scenario, r.stage, *r.first_gap_p50, Year(r.first_gap_p95), why));
    } else {
      out.push_back(
          fmt::format("Outlook ({} scenario, {} stage): no world supply gap opens by {} on the median path "
                      "(P95: {}): {}.",
                      r.scenario, r.stage, y1.year, Year(r.first_gap_p95), why));
    }
  }
  return out;
}

void SupplyChart(Writer& w, Dossier& d, const model::Dataset& ds, const outlook::OutlookData* od,
                 const std::vector<data::SupplyPicture>& pictures, const std::string& mineral_name) {
  w.H3("Shares of world supply by stage");
  if (pictures.empty()) {
    w.P("Chart not available: the dataset holds no production figures or country shares for this mineral.", "note");
    return;
  }
  BarChart c;
  c.title = mineral_name + ": shares of world supply by stage";
  c.unit = "share of world supply at the stage, %";
  c.max_value = 100;
  std::vector<std::string> srcs;
  for (const auto& pic : pictures) {
    std::string group =
        fmt::format("{} ({})", ds.Stage(pic.stage), pic.from_shares ? pic.period : std::to_string(pic.year));
    double others = 0;
    bool others_known = true;
    std::size_t n = 0;
    for (const auto& e : pic.entries) {
      std::optional<double> share = e.share;
      if (!share && e.share_value.IsKnown()) share = e.share_value.number;
      AddUnique(srcs, ShortSource(ds, od, ds.SourceOf(e.source).id));
      const auto& country = ds.Country(e.country);
      if (n < 6 && country.kind == model::CountryKind::Country) {
        ++n;
        c.rows.push_back({group, country.name, share ? std::optional<double>(*share * 100) : std::nullopt, "#1f4e79",
                          share ? Pct(*share) : "not available"});
      } else {
        if (share) {
          others += *share;
        } else {
          others_known = false;
        }
      }
    }
    if (others > 0 || !others_known)
      c.rows.push_back({group, "all others", others * 100, "#8a9bb0",
                        Pct(others) + (others_known ? "" : " (some shares not known)")});
  }
  c.source_note = "Source: " + Join(srcs, "; ") + " (full citations and licences in the annex). Lodestone dataset.";
  d.bar_charts.emplace_back(d.mineral + "_shares.svg", RenderBarChart(c, true));
  Figure(w, RenderBarChart(c, false), d.bar_charts.back().first, c.title,
         c.title + ": the largest countries at each stage and the rest grouped, in % of world supply.");
}

void ScenarioChart(Writer& w, Dossier& d, const model::Dataset& ds, const std::vector<ScenarioHeadline>& headlines,
                   const std::string& mineral, const std::string& mineral_name) {
  w.H3("Disruption scenarios: shortfall by partner and sector");
  BarChart c;
  c.title = mineral_name + ": shortfall by scenario, partner and sector";
  c.unit = "shortfall over 12 months, % of demand";
  std::vector<std::string> srcs;
  for (const auto& h : headlines) {
    if (h.mineral != mineral || h.monte_carlo) continue;
    if (h.sector != "total" && !h.october_controls) continue;  // sectors for the October controls only
    std::string group = h.scenario_id + (h.october_controls ? " (October 2025 controls)" : "");
    std::string label =
        CountryName(ds, h.consumer) + ": " + (h.sector == "total" ? "all demand" : SectorName(h.sector));
    c.rows.push_back({group, label, h.shortfall_pct * 100, h.sector == "total" ? "#b22222" : "#d98080",
                      fmt::format("{} ({} {})", Pct(h.shortfall_pct), Thousands(h.shortfall_t), h.unit)});
    AddUnique(srcs, "scenario " + h.scenario_id);
  }
  for (const auto& h : headlines) {
    if (h.mineral != mineral || !h.monte_carlo || h.sector != "total") continue;
    std::string group = fmt::format("risk register, {} scenarios, seed {}: P95 shortfall",
                                    Thousands(static_cast<double>(h.runs)), h.seed);
    c.rows.push_back({group, CountryName(ds, h.consumer), h.p95_shortfall_pct * 100, "#7a4f9a",
                      fmt::format("{} ({} {}); short in {} of years", Pct(h.p95_shortfall_pct),
                                  Thousands(h.p95_shortfall_t), h.unit, Pct(h.p_shortfall))});
    AddUnique(srcs, "risk register " + h.scenario_id);
  }
  if (c.rows.empty()) {
    w.P("Chart not available: no scenario result for this mineral and the partners (no scenario shocks it, or the "
        "partners' demand is not known in the simulator).",
        "note");
    return;
  }
  c.source_note = "Source: Lodestone disruption simulator on the baseline network; " + Join(srcs, "; ") +
                  " (shocks and their sources in the annex).";
  d.bar_charts.emplace_back(d.mineral + "_scenarios.svg", RenderBarChart(c, true));
  Figure(w, RenderBarChart(c, false), d.bar_charts.back().first, c.title,
         c.title +
             ": the share of each partner's demand left unmet over 12 months, after stocks and other "
             "suppliers.");
}

// The flows by stage before and after the default scenario, as two charts on one scale.
void FlowsChart(Writer& w, Dossier& d, const model::Dataset& ds, const DossierRequest& req,
                const std::string& mineral_name) {
  w.H3("Flows by stage: mines, refineries, consumers");
  if (!req.flows) {
    w.P("Chart not available: " + req.flows_unavailable + ".", "note");
    return;
  }
  const auto& f = *req.flows;
  // Aggregates of the published tables ("other countries") are grouped with the rest.
  auto single = [&](const std::string& code) {
    auto cid = ds.FindCountry(code);
    return cid && ds.Country(*cid).kind == model::CountryKind::Country;
  };
  FlowChart before = FlowChartOf(f, false, single), after = FlowChartOf(f, true, single);
  const double top = std::max(FlowChartColumnMax(before), FlowChartColumnMax(after));
  if (!(top > 0)) {
    w.P("Chart not available: the simulator holds no flows for this mineral.", "note");
    return;
  }
  const double scale = kFlowChartPlotHeight / top;
  // The published sources by id; the assumptions counted (all are listed by the simulator's output).
  std::vector<std::string> srcs;
  std::size_t assumed = 0;
  for (const auto& s : f.sources) {
    if (s.kind == "assumption") {
      ++assumed;
    } else {
      AddUnique(srcs, s.id);
    }
  }
  const std::string note = fmt::format(
      "Source: Lodestone disruption simulator, baseline network {}; scenario {}; {}. Published sources: {}; and {} "
      "labelled assumptions (the simulator's flows output lists them all).",
      f.year, f.scenario_id, f.basis, srcs.empty() ? std::string("none") : Join(srcs, ", "), assumed);
  const std::string scen = f.scenario_id + (f.scenario_title.empty() ? "" : " (" + f.scenario_title + ")");
  for (auto* c : {&before, &after}) {
    const bool is_after = c == &after;
    c->title = fmt::format("{}: flows by stage {} {}", mineral_name, is_after ? "under" : "before", f.scenario_id);
    c->subtitle = fmt::format("{} per year, averaged over {:g} months; the six largest countries per column", f.unit,
                              f.horizon_months);
    c->source_note = note;
    c->px_per_t = scale;
    d.bar_charts.emplace_back(d.mineral + (is_after ? "_flows_after.svg" : "_flows_before.svg"),
                              RenderFlowChart(*c, true));
    Figure(w, RenderFlowChart(*c, false), d.bar_charts.back().first, c->title,
           c->title + (is_after ? ": the flows the simulator delivers under " + scen +
                                      "; stocks drawn and shortfalls are not bands (see the scenario chart)."
                                : ": the baseline flows from mines to refineries (ore content) and to consumers "
                                  "(refined content), band width proportional to tonnes."));
  }
}

// The global-stage measures in words, each linked to its glossary entry.
void RiskInWords(Writer& w, const risk::AssessResult& result, std::vector<std::string>& metrics) {
  w.H2("Concentration and risk, in words");
  Table t{{"stage", "measure", "value", "basis"}, {}, {}};
  t.link_col = 1;
  for (const auto& r : result.rows) {
    if (r.stage.rfind("imports", 0) == 0) continue;
    t.rows.push_back({r.stage, MetricName(r.metric), ValueText(r), r.basis});
    t.links.push_back(GlossaryAnchor(r.metric));
    AddUnique(metrics, r.metric);
  }
  if (t.rows.empty()) {
    w.P("Not available: the dataset lacks the supply figures the measures need.");
    return;
  }
  w.P("World supply at each stage, and the partners' supply on a pooled world market; the measures of their "
      "published import sources are in the annex. Each measure links to "
      "the glossary.",
      "note");
  w.Tab(t);
}

void Glossary(Writer& w, const std::vector<std::string>& metrics) {
  w.H2("Glossary");
  std::set<std::string> done;
  w.html += "<dl class=\"glossary\">\n";
  for (const auto& m : metrics) {
    const std::string anchor = GlossaryAnchor(m);
    if (!done.insert(anchor).second) continue;
    std::string name = MetricName(m);
    if (m.rfind("net_import_reliance", 0) == 0) name = "Net import reliance";
    w.html += "<dt id=\"" + anchor + "\">" + Esc(name) + "</dt>\n<dd>" + Esc(MetricGlossary(m)) + "</dd>\n";
    w.md += "<a id=\"" + anchor + "\"></a>**" + MdText(name) + "**: " + MdText(MetricGlossary(m)) + "\n\n";
  }
  w.html += "</dl>\n";
}

void EvaluationAnnex(Writer& w, const DossierRequest& req) {
  const auto& f = req.findings;
  if (!f.supplied) return;
  w.H3("Projects evaluated against the risk register");
  bool found = false;
  for (const auto& p : f.projects) found |= p.mineral == req.mineral;
  if (!found) {
    w.P("No project of this mineral in the project source.", "note");
    return;
  }
  w.P(fmt::format("Partners' expected shortfall over {} months, {} scenarios of register {} (seed {}), without and "
                  "with each project alone; public money = capital cost - private money. Projects: {}.",
                  f.horizon_months, f.runs, f.register_id, f.seed, f.project_source),
      "note");
  Table t{{"project", "country", "stage", "expected shortfall removed", "share of the expected shortfall",
           "capital cost, M USD", "public money, M USD", "note"},
          {false, false, false, true, true, true, true, false},
          {}};
  for (const auto& p : f.projects) {
    if (p.mineral != req.mineral) continue;
    const bool counted = p.evaluable && !p.baseline;
    t.rows.push_back(
        {p.name + " (" + p.id + ")", p.country, p.stage,
         counted ? Tonnes(p.expected_relief_t, p.unit) : "not available",
         counted && p.expected_before_t > 0 ? Pct(p.expected_relief_t / p.expected_before_t) : "not available",
         p.capex_musd ? Thousands(*p.capex_musd, 1) : "not available",
         p.public_musd ? Thousands(*p.public_musd, 1) : "not available",
         p.baseline ? "operating: already in the baseline supply" : (p.evaluable ? "" : p.reason)});
  }
  w.Tab(t);
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
  std::vector<std::string> sources, assumptions, metrics;
  const auto& m = ds->manifest;
  std::string consumer;
  for (const auto& c : req.consumer) consumer += (consumer.empty() ? "" : "+") + c;

  // The results everything below is written from.
  const auto pictures = data::SupplyPictures(ds, *mid);
  risk::AssessRequest ar;
  ar.minerals = {req.mineral};
  ar.consumer = req.consumer;
  ar.as_of = req.as_of;
  const auto assessed = risk::Assess(ds, ar);

  // The annex first (it runs the outlook the charts and key messages use), then the briefing.
  Writer annex, charts;
  std::optional<outlook::OutlookResult> charted;
  annex.Raw("<section class=\"annex\">\n<h2 class=\"part\">Annex: full tables and sources</h2>\n",
            "\n## Annex: full tables and sources\n\n");
  SupplySection(annex, ds, *mid, sources);
  RiskSection(annex, assessed, req, sources, assumptions, metrics);
  charts.Raw("<section class=\"charts\">\n", "");
  charts.H2("Charts");
  SupplyChart(charts, d, ds, od, pictures, info.name);
  ScenarioChart(charts, d, ds, headlines, req.mineral, info.name);
  FlowsChart(charts, d, ds, req, info.name);
  OutlookSection(annex, charts, d, ds, od, registry, req, sources, assumptions, charted);
  if (!charted) {
    charts.H3("Outlook: demand and supply to 2050");
    charts.P(od ? "Chart not available: no demand scenario for this mineral in the outlook data."
                : "Chart not available: no outlook data were read.",
             "note");
  }
  charts.Raw("</section>\n", "");
  HeadlineSection(annex, headlines, req.mineral, sources);
  ProjectSection(annex, ds, registry, req, info.unit.text);
  EvaluationAnnex(annex, req);
  SourceSection(annex, ds, od, sources, assumptions);
  annex.Raw("</section>\n", "");

  Writer w;
  std::string meta = fmt::format(
      "Partners {}; dataset {} version {} ({}); export restrictions as of {}; canonical "
      "unit {}.",
      consumer, m.name, m.version, m.date, req.as_of, info.unit.text);
  // The printed page's running header: the mineral and the dataset's date (CSS string, escaped).
  std::string running;
  for (char c : d.title + " - " + m.date) {
    if (c == '"' || c == '\\') {
      running += '\\';
      running += c;
    } else if (c == '<') {
      running += "\\3c ";
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      running += c;
    }
  }
  w.html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + Esc(d.title) +
            "</title>\n<style>" + kCss + "@media print{@page{@top-left{content:\"" + running +
            "\";font-size:9pt;color:#555}}}</style>\n</head>\n<body>\n<h1>" + Esc(d.title) + "</h1>\n";
  w.md += "# " + MdText(d.title) + "\n\n";
  w.P(meta, "meta");
  d.key_messages = KeyMessages(ds, od, info, pictures, headlines, charted, req);
  w.html += "<section class=\"key\">\n";
  w.H2("Key messages");
  w.List(d.key_messages, "key");
  w.html += "</section>\n";
  w.html += charts.html;
  w.md += charts.md;
  RiskInWords(w, assessed, metrics);
  Glossary(w, metrics);
  w.P("Every figure carries its source in its row; the full tables, the sources with their licences and dates, and "
      "the assumptions are in the annex.",
      "meta");
  w.html += annex.html;
  w.md += annex.md;
  w.html += "</body>\n</html>\n";
  d.html = std::move(w.html);
  d.markdown = std::move(w.md);
  if (d.headline.empty()) d.headline = od ? "no outlook" : "no outlook data";
  return d;
}

namespace {

struct MetricInfo {
  const char* id;
  const char* name;
  const char* text;
  const char* page;
};

constexpr const char* kConc = "docs/methods/concentration_and_reliance.md";
constexpr const char* kEu = "docs/methods/eu_crm.md";

const MetricInfo kMetrics[] = {
    {"top1_share", "Share of the largest supplier",
     "The largest single country's share of world output at the stage. Scale 0-100%.", kConc},
    {"top3_share", "Share of the three largest suppliers",
     "The three largest countries' combined share of world output at the stage. Scale 0-100%.", kConc},
    {"hhi", "Concentration (HHI)",
     "Herfindahl-Hirschman index: the sum of the squared percentage shares of all suppliers. Scale 0-10,000; above "
     "2,500 is commonly read as highly concentrated.",
     kConc},
    {"dominant_supplier", "One country supplies more than half",
     "Whether a single country holds more than 50% of world output at the stage. Yes or no.", kConc},
    {"crma_single_country_benchmark", "Above the EU's 65% single-country benchmark",
     "Whether the largest country supplies more than 65% of the stage: the EU Critical Raw Materials Act benchmark "
     "that no more than 65% of a strategic raw material at any stage should come from a single third country. Yes "
     "or no.",
     kEu},
    {"hhi_wgi_t_global", "Concentration (HHI), weighted by governance",
     "The EU criticality method's concentration of global supply: each country's squared share weighted by its "
     "governance (World Governance Indicators, rescaled) and a trade factor. Scale 0-10; higher means supply "
     "concentrated in weakly governed countries.",
     kEu},
    {"hhi_wgi_t_sourcing", "Concentration of import sources (HHI), weighted by governance",
     "The same governance-weighted index over the consumer's import sources instead of world supply. Scale 0-10.", kEu},
    {"supply_risk", "EU supply risk",
     "The EU criticality assessment's supply risk: governance-weighted concentration of global supply and of "
     "sourcing, adjusted for import reliance, end-of-life recycling and substitution. Scale from 0; 1.0 is the EU's "
     "criticality threshold.",
     kEu},
    {"score", "Geopolitical supply risk (GeoPolRisk)",
     "The GeoPolRisk method's score: the concentration of world production times the share of the importer's supply "
     "from politically unstable partners. Scale from 0; higher is riskier.",
     "docs/methods/geopolrisk.md"},
    {"within_consumer_share", "Share supplied from within the partners",
     "The share of the partners' supply (imports basis) that comes from the partners themselves. Scale 0-100%.", kConc},
    {"partner_share", "Share of imports from partner countries",
     "The share of the consumer's imports that comes from Minerals Security Partnership countries. Scale 0-100%.",
     kConc},
    {"restricted_share", "Share of imports under export restrictions",
     "The share of the consumer's imports from countries with an export restriction in force on the mineral at the "
     "report date (the measures are named). Scale 0-100%.",
     kConc},
    {"top_supplier_share", "Share of the largest import source",
     "The share of the consumer's imports from its largest source country. Scale 0-100%.", kConc},
    {"net_import_reliance", "Net import reliance",
     "Net imports as a share of apparent consumption (production plus imports minus exports, adjusted for stock "
     "changes): for the US as USGS publishes it; for Japan derived (100% at the mine stage where Japan mines none "
     "of the mineral, rule assume_jpn_no_mine_output), so a Japanese figure is the ore stage, not refined metal. "
     "Scale 0-100%.",
     kConc},
};

const MetricInfo* FindMetric(const std::string& metric) {
  for (const auto& mi : kMetrics) {
    if (metric == mi.id) return &mi;
  }
  if (metric.rfind("net_import_reliance", 0) == 0) return &kMetrics[std::size(kMetrics) - 1];
  return nullptr;
}

}  // namespace

std::string MetricName(const std::string& metric) {
  const auto* mi = FindMetric(metric);
  if (!mi) return metric;
  if (metric.rfind("net_import_reliance_", 0) == 0) return "Net import reliance of " + metric.substr(20);
  return mi->name;
}

std::string MetricGlossary(const std::string& metric) {
  const auto* mi = FindMetric(metric);
  if (!mi) return "No description: a measure this dossier does not know.";
  return fmt::format("{} Method: {}.", mi->text, mi->page);
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
  for (const auto& [file, svg] : d.bar_charts) write(dir / file, svg);
}

}  // namespace lodestone::report
