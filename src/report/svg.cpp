// SVG line charts: a plot area with 1-2-5 ticks, thousands separators and the unit scaled to
// t, kt or Mt of the mineral's basis; bands drawn under the lines; legend and source note below.
#include "lodestone/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace lodestone::report {

namespace {

constexpr double kMarginLeft = 96, kMarginRight = 24, kMarginTop = 64, kMarginBottom = 128;
constexpr std::size_t kNoteLineChars = 120;

std::string Coord(double v) { return fmt::format("{:.1f}", v); }

// Splits text into lines of at most `width` characters at spaces.
std::vector<std::string> Wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t sp = text.find(' ', pos);
    std::string word = text.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos);
    pos = sp == std::string::npos ? text.size() : sp + 1;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace

std::vector<double> NiceTicks(double lo, double hi, int target) {
  if (!(hi > lo)) hi = lo + 1;
  double raw = (hi - lo) / std::max(1, target);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  double first = std::floor(lo / step + 1e-9) * step;
  for (double t = first; t <= hi + step * (1 - 1e-9); t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    if (t >= hi - step * 1e-9) break;
  }
  return ticks;
}

std::string Thousands(double x, int decimals) {
  std::string s = fmt::format("{:.{}f}", std::abs(x), decimals);
  auto dot = s.find('.');
  std::string int_part = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot);
  std::string grouped;
  for (std::size_t i = 0; i < int_part.size(); ++i) {
    if (i && (int_part.size() - i) % 3 == 0) grouped += ',';
    grouped += int_part[i];
  }
  bool negative = x < 0 && (grouped + frac).find_first_not_of("0.,") != std::string::npos;
  return (negative ? "-" : "") + grouped + frac;
}

std::string XmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// The opening of a chart: the svg element, its title, a white background, the title and
// subtitle lines. The caller closes the element.
namespace {
std::string SvgOpening(int width, int height, const std::string& title, const std::string& subtitle,
                       const std::string& title_x, bool standalone) {
  std::string o;
  o += fmt::format(
      "<svg {}width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
      "font-family=\"sans-serif\">\n",
      standalone ? "xmlns=\"http://www.w3.org/2000/svg\" " : "", width, height, width, height, XmlEscape(title));
  o += fmt::format("<title>{}</title>\n", XmlEscape(title));
  o += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", width, height);
  o += fmt::format("<text class=\"title\" x=\"{}\" y=\"24\" font-size=\"16\" font-weight=\"bold\">{}</text>\n", title_x,
                   XmlEscape(title));
  if (!subtitle.empty()) {
    o += fmt::format("<text class=\"subtitle\" x=\"{}\" y=\"44\" font-size=\"12\" fill=\"#444444\">{}</text>\n",
                     title_x, XmlEscape(subtitle));
  }
  return o;
}
}  // namespace

std::string RenderSvg(const LineChart& c, bool standalone) {
  double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = 0, ymax = 0;
  auto scan_x = [&](const std::vector<double>& xs) {
    for (double x : xs) {
      xmin = std::min(xmin, x);
      xmax = std::max(xmax, x);
    }
  };
  auto scan_y = [&](const std::vector<double>& ys) {
    for (double y : ys) {
      if (!std::isfinite(y)) continue;
      ymin = std::min(ymin, y);
      ymax = std::max(ymax, y);
    }
  };
  for (const auto& s : c.series) {
    scan_x(s.x);
    scan_y(s.y);
  }
  for (const auto& b : c.bands) {
    scan_x(b.x);
    scan_y(b.lo);
    scan_y(b.hi);
  }
  if (!std::isfinite(xmin)) xmin = 0, xmax = 1;
  if (xmax <= xmin) xmax = xmin + 1;
  if (ymax <= ymin) ymax = ymin + 1;

  // Show t, kt or Mt of the unit's basis so that tick labels stay short.
  double div = 1;
  std::string unit = c.unit;
  double extent = std::max(std::abs(ymin), std::abs(ymax));
  if (!unit.empty() && unit[0] == 't' && (unit.size() == 1 || unit[1] == ' ')) {
    if (extent >= 1e9) {
      div = 1e6;
      unit = "M" + unit;
    } else if (extent >= 1e6) {
      div = 1e3;
      unit = "k" + unit;
    }
  }
  auto yt = NiceTicks(ymin / div, ymax / div, 6);
  double ylo = std::min(yt.front(), ymin / div), yhi = std::max(yt.back(), ymax / div);
  double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
  int decimals = ystep >= 1 ? 0 : std::min(3, static_cast<int>(std::ceil(-std::log10(ystep) - 1e-9)));
  auto xt = NiceTicks(xmin, xmax, 6);

  const double W = c.width, H = c.height;
  const double px0 = kMarginLeft, px1 = W - kMarginRight, py0 = kMarginTop, py1 = H - kMarginBottom;
  auto X = [&](double x) { return px0 + (x - xmin) / (xmax - xmin) * (px1 - px0); };
  auto Y = [&](double y) { return py1 - (y / div - ylo) / (yhi - ylo) * (py1 - py0); };

  // The legend and the source note may need more room than the nominal height.
  const auto note_lines = Wrap(c.source_note, kNoteLineChars);
  const std::size_t legend_rows = (c.bands.size() + c.series.size() + 2) / 3;
  const int height = std::max(c.height, static_cast<int>(py1 + 56 + static_cast<double>(legend_rows) * 16 + 6 +
                                                         static_cast<double>(note_lines.size()) * 13 + 4));
  std::string o = SvgOpening(c.width, height, c.title, c.subtitle, Coord(px0), standalone);
  // Grid and y axis.
  o += "<g class=\"axis-y\" font-size=\"11\" fill=\"#333333\">\n";
  for (double t : yt) {
    if (t < ylo - 1e-12 || t > yhi + 1e-12) continue;
    double y = Y(t * div);
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e0e0e0\"/>\n", Coord(px0), Coord(y),
                     Coord(px1), Coord(y));
    o += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", Coord(px0 - 6),
                     Coord(y + 4), Thousands(t, decimals));
  }
  o += fmt::format(
      "<text class=\"axis-label\" transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\" "
      "font-size=\"12\">{} per year</text>\n",
      Coord((py0 + py1) / 2), XmlEscape(unit));
  o += "</g>\n";
  o += "<g class=\"axis-x\" font-size=\"11\" fill=\"#333333\">\n";
  for (double t : xt) {
    if (t < xmin - 1e-9 || t > xmax + 1e-9) continue;
    double x = X(t);
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#333333\"/>\n", Coord(x), Coord(py1),
                     Coord(x), Coord(py1 + 5));
    o += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", Coord(x),
                     Coord(py1 + 18), fmt::format("{:.0f}", t));
  }
  o += fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n",
                   Coord((px0 + px1) / 2), Coord(py1 + 36), XmlEscape(c.x_label));
  o += "</g>\n";
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333333\"/>\n", Coord(px0), Coord(py0),
                   Coord(py1));
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333333\"/>\n", Coord(px0),
                   Coord(Y(std::max(ylo, 0.0) * div)), Coord(px1));
  // Bands under the lines.
  for (const auto& b : c.bands) {
    std::string pts;
    for (std::size_t i = 0; i < b.x.size(); ++i) pts += Coord(X(b.x[i])) + "," + Coord(Y(b.lo[i])) + " ";
    for (std::size_t i = b.x.size(); i-- > 0;) pts += Coord(X(b.x[i])) + "," + Coord(Y(b.hi[i])) + " ";
    if (!pts.empty()) pts.pop_back();
    o += fmt::format(
        "<polygon class=\"band\" data-name=\"{}\" points=\"{}\" fill=\"{}\" fill-opacity=\"{}\" "
        "stroke=\"none\"/>\n",
        XmlEscape(b.name), pts, b.colour, b.opacity);
  }
  for (const auto& s : c.series) {
    std::string pts;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
      pts += Coord(X(s.x[i])) + "," + Coord(Y(s.y[i])) + " ";
    if (!pts.empty()) pts.pop_back();
    o += fmt::format(
        "<polyline class=\"series\" data-name=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"2\"{}/>\n",
        XmlEscape(s.name), pts, s.colour, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
  }
  // Legend: bands then series, in rows of three.
  o += "<g class=\"legend\" font-size=\"11\">\n";
  std::size_t item = 0;
  auto slot = [&](double& x, double& y) {
    x = px0 + static_cast<double>(item % 3) * 250;
    y = py1 + 56 + static_cast<double>(item / 3) * 16;
    ++item;
  };
  for (const auto& b : c.bands) {
    double x = 0, y = 0;
    slot(x, y);
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"18\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>\n", Coord(x),
                     Coord(y - 9), b.colour, b.opacity * 2);
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", Coord(x + 24), Coord(y), XmlEscape(b.name));
  }
  for (const auto& s : c.series) {
    double x = 0, y = 0;
    slot(x, y);
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", Coord(x),
                     Coord(y - 4), Coord(x + 18), Coord(y - 4), s.colour, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", Coord(x + 24), Coord(y), XmlEscape(s.name));
  }
  o += "</g>\n";
  double note_y = py1 + 56 + static_cast<double>((item + 2) / 3) * 16 + 6;
  o += "<g class=\"source-note\" font-size=\"10\" fill=\"#555555\">\n";
  for (const auto& line : note_lines) {
    o += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", Coord(8), Coord(note_y), XmlEscape(line));
    note_y += 13;
  }
  o += "</g>\n</svg>\n";
  return o;
}

std::string RenderBarChart(const BarChart& c, bool standalone) {
  constexpr double kLabelWidth = 270, kRight = 230, kTop = 64, kRow = 20, kGroup = 22;
  double vmax = c.max_value.value_or(0);
  for (const auto& r : c.rows) {
    if (r.value && std::isfinite(*r.value)) vmax = std::max(vmax, *r.value);
  }
  if (!(vmax > 0)) vmax = 1;
  auto ticks = NiceTicks(0, vmax, 5);
  vmax = std::max(vmax, ticks.back());
  const double px0 = kLabelWidth, px1 = c.width - kRight;
  auto X = [&](double v) { return px0 + std::max(0.0, v) / vmax * (px1 - px0); };
  // Layout: a group heading takes one slot, each row one.
  std::vector<std::pair<double, const BarRow*>> placed;
  std::vector<std::pair<double, std::string>> headings;
  double y = kTop + 8;
  std::string group;
  bool first = true;
  for (const auto& r : c.rows) {
    if (first || r.group != group) {
      group = r.group;
      if (!group.empty()) {
        y += first ? 0 : 6;
        headings.emplace_back(y + 14, group);
        y += kGroup;
      }
      first = false;
    }
    placed.emplace_back(y, &r);
    y += kRow;
  }
  const double axis_y = y + 6;
  const auto note_lines = Wrap(c.source_note, kNoteLineChars);
  const int height = static_cast<int>(axis_y + 44 + static_cast<double>(note_lines.size()) * 13 + 8);
  std::string o = SvgOpening(c.width, height, c.title, c.subtitle, "8", standalone);
  o += "<g class=\"axis-x\" font-size=\"11\" fill=\"#333333\">\n";
  for (double t : ticks) {
    o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#e0e0e0\"/>\n", Coord(X(t)),
                     Coord(kTop), Coord(axis_y));
    o += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", Coord(X(t)),
                     Coord(axis_y + 14), Thousands(t, t == std::floor(t) ? 0 : 1));
  }
  o += fmt::format("<text class=\"axis-label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\">{}</text>\n",
                   Coord((px0 + px1) / 2), Coord(axis_y + 32), XmlEscape(c.unit));
  o += "</g>\n";
  for (const auto& [hy, text] : headings) {
    o += fmt::format("<text class=\"group\" x=\"8\" y=\"{}\" font-size=\"12\" font-weight=\"bold\">{}</text>\n",
                     Coord(hy), XmlEscape(text));
  }
  o += "<g class=\"bars\" font-size=\"11\">\n";
  for (const auto& [by, r] : placed) {
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", Coord(px0 - 6), Coord(by + 13),
                     XmlEscape(r->label));
    const bool known = r->value && std::isfinite(*r->value);
    std::string text = !r->value_text.empty() ? r->value_text : known ? Thousands(*r->value, 1) : "not available";
    if (known) {
      o += fmt::format(
          "<rect class=\"bar\" data-name=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"14\" "
          "fill=\"{}\"/>\n",
          XmlEscape(r->group.empty() ? r->label : r->group + ": " + r->label), fmt::format("{:.6g}", *r->value),
          Coord(px0), Coord(by + 2), Coord(X(*r->value) - px0), r->colour);
    }
    o += fmt::format("<text class=\"value\" x=\"{}\" y=\"{}\">{}</text>\n", Coord((known ? X(*r->value) : px0) + 4),
                     Coord(by + 13), XmlEscape(text));
  }
  o += "</g>\n";
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333333\"/>\n", Coord(px0), Coord(kTop),
                   Coord(axis_y));
  double note_y = axis_y + 52;
  o += "<g class=\"source-note\" font-size=\"10\" fill=\"#555555\">\n";
  for (const auto& line : note_lines) {
    o += fmt::format("<text x=\"8\" y=\"{}\">{}</text>\n", Coord(note_y), XmlEscape(line));
    note_y += 13;
  }
  o += "</g>\n</svg>\n";
  return o;
}

LineChart OutlookChart(const outlook::OutlookResult& r) {
  LineChart c;
  c.title = fmt::format("{}: demand and supply to {}, {} scenario", r.mineral,
                        r.years.empty() ? 0 : r.years.back().year, r.scenario);
  c.subtitle =
      fmt::format("{} ({} stage); bands: P5-P95 of {} runs, seed {}", r.scenario_title, r.stage, r.runs, r.seed);
  c.unit = r.unit;
  std::vector<double> x, d, s, dlo, dhi, slo, shi, pd, ss;
  for (const auto& y : r.years) {
    x.push_back(y.year);
    d.push_back(y.demand_t);
    s.push_back(y.supply_t);
    dlo.push_back(y.demand_p5);
    dhi.push_back(y.demand_p95);
    slo.push_back(y.supply_p5);
    shi.push_back(y.supply_p95);
    pd.push_back(y.partner_demand_t);
    ss.push_back(y.secure_supply_t);
  }
  c.bands.push_back({"World demand P5-P95", x, dlo, dhi, "#b22222", 0.15});
  c.bands.push_back({"World supply P5-P95", x, slo, shi, "#1f4e79", 0.18});
  c.series.push_back({"World demand (scenario path)", x, d, "#b22222", false});
  c.series.push_back({"World supply (expected)", x, s, "#1f4e79", false});
  c.series.push_back({r.consumer + " demand", x, pd, "#b22222", true});
  c.series.push_back({r.consumer + " secure supply (allied)", x, ss, "#2e7d32", true});
  std::string ids;
  for (const auto& id : r.sources) ids += (ids.empty() ? "" : ", ") + id;
  c.source_note = fmt::format(
      "Source: Lodestone outlook from {} (demand anchors, world production, reserves, stage odds; citations and "
      "licences in the dossier). Supply = base-year {} + pipeline weighted by stage + secondary supply. Bands: "
      "P5-P95 of {} Monte Carlo runs, seed {}.",
      ids, r.stage == "mining" ? "mine output after depletion" : r.stage + " output (held flat)", r.runs, r.seed);
  return c;
}

namespace {

// A node's tonnes in and out of a flows chart.
struct FlowThroughput {
  double in = 0, out = 0;
  double Size() const { return std::max(in, out); }
};

std::map<std::string, FlowThroughput> Throughputs(const FlowChart& c) {
  std::map<std::string, FlowThroughput> t;
  for (const auto& l : c.links) {
    t[l.source].out += std::max(0.0, l.tonnes);
    t[l.target].in += std::max(0.0, l.tonnes);
  }
  return t;
}

constexpr double kFlowGap = 10, kFlowBar = 14, kFlowTop = 84;

}  // namespace

double FlowChartColumnMax(const FlowChart& c) {
  const auto t = Throughputs(c);
  double col[3] = {0, 0, 0};
  for (const auto& n : c.nodes) {
    if (n.column < 0 || n.column > 2) continue;
    auto it = t.find(n.id);
    if (it != t.end()) col[n.column] += it->second.Size();
  }
  return std::max({col[0], col[1], col[2]});
}

std::string RenderFlowChart(const FlowChart& c, bool standalone) {
  const auto through = Throughputs(c);
  double scale = c.px_per_t;
  if (!(scale > 0)) {
    const double m = FlowChartColumnMax(c);
    scale = m > 0 ? kFlowChartPlotHeight / m : 0;
  }
  const double col_x[3] = {230, c.width / 2.0 - kFlowBar / 2, c.width - 250.0};
  // Node positions: stacked from the top of each column in the given order.
  struct Placed {
    const FlowChartNode* node;
    double x, y, h;
    double out_used = 0, in_used = 0;
  };
  std::map<std::string, Placed> placed;
  std::vector<std::string> order;  // node ids in drawing order
  double col_y[3] = {kFlowTop, kFlowTop, kFlowTop};
  for (const auto& n : c.nodes) {
    if (n.column < 0 || n.column > 2 || placed.count(n.id)) continue;
    auto it = through.find(n.id);
    const double h = (it == through.end() ? 0.0 : it->second.Size()) * scale;
    placed[n.id] = {&n, col_x[n.column], col_y[n.column], h};
    order.push_back(n.id);
    col_y[n.column] += std::max(h, 1.0) + kFlowGap;
  }
  const double bottom = std::max({col_y[0], col_y[1], col_y[2]});
  const auto note_lines = Wrap(c.source_note, kNoteLineChars);
  const int height = static_cast<int>(bottom + 30 + static_cast<double>(note_lines.size()) * 13 + 8);
  std::string o = SvgOpening(c.width, height, c.title, c.subtitle, "8", standalone);
  const char* headings[3] = {"mines", "refineries", "consumers"};
  o += "<g class=\"columns\" font-size=\"12\" font-weight=\"bold\">\n";
  for (int k = 0; k < 3; ++k) {
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", Coord(col_x[k] + kFlowBar / 2),
                     Coord(kFlowTop - 12), headings[k]);
    // A stage the simulator does not model for this mineral (refined output given, no mines).
    if (col_y[k] == kFlowTop) {
      o += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"normal\" fill=\"#555555\">not "
          "modelled</text>\n",
          Coord(col_x[k] + kFlowBar / 2), Coord(kFlowTop + 14));
    }
  }
  o += "</g>\n";
  o += fmt::format(
      "<text class=\"axis-label\" x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">bar height and band width: "
      "{}</text>\n",
      c.width - 8, Coord(kFlowTop - 28), XmlEscape(c.unit));
  // Links: leave each source in the order of their targets, enter each target in the order of
  // their sources, so that the bands do not cross inside a node.
  std::map<std::string, std::size_t> rank;
  for (std::size_t i = 0; i < order.size(); ++i) rank[order[i]] = i;
  std::vector<const FlowChartLink*> links;
  for (const auto& l : c.links) {
    if (rank.count(l.source) && rank.count(l.target) && l.tonnes > 0) links.push_back(&l);
  }
  auto by_target = links;
  std::stable_sort(by_target.begin(), by_target.end(), [&](const auto* a, const auto* b) {
    return std::pair(rank[a->source], rank[a->target]) < std::pair(rank[b->source], rank[b->target]);
  });
  std::map<const FlowChartLink*, double> y_out, y_in;
  for (const auto* l : by_target) {
    auto& s = placed[l->source];
    y_out[l] = s.y + s.out_used;
    s.out_used += l->tonnes * scale;
  }
  auto by_source = links;
  std::stable_sort(by_source.begin(), by_source.end(), [&](const auto* a, const auto* b) {
    return std::pair(rank[a->target], rank[a->source]) < std::pair(rank[b->target], rank[b->source]);
  });
  for (const auto* l : by_source) {
    auto& t = placed[l->target];
    y_in[l] = t.y + t.in_used;
    t.in_used += l->tonnes * scale;
  }
  o += "<g class=\"links\" fill=\"none\" stroke-opacity=\"0.35\">\n";
  for (const auto* l : by_target) {
    const auto& s = placed[l->source];
    const auto& t = placed[l->target];
    const double w = l->tonnes * scale;
    const double x0 = s.x + kFlowBar, x1 = t.x, xm = (x0 + x1) / 2;
    const double y0 = y_out[l] + w / 2, y1 = y_in[l] + w / 2;
    o += fmt::format(
        "<path class=\"link\" data-source=\"{}\" data-target=\"{}\" data-tonnes=\"{:.6g}\" d=\"M{} {} C{} {} {} {} {} "
        "{}\" stroke=\"{}\" stroke-width=\"{:.4f}\"><title>{} to {}: {} {}</title></path>\n",
        XmlEscape(l->source), XmlEscape(l->target), l->tonnes, Coord(x0), Coord(y0), Coord(xm), Coord(y0), Coord(xm),
        Coord(y1), Coord(x1), Coord(y1), s.node->colour, w, XmlEscape(s.node->label), XmlEscape(t.node->label),
        Thousands(l->tonnes, l->tonnes < 10 ? 2 : 0), XmlEscape(c.unit));
  }
  o += "</g>\n<g class=\"nodes\" font-size=\"11\">\n";
  for (const auto& id : order) {
    const auto& p = placed[id];
    auto it = through.find(id);
    const double v = it == through.end() ? 0.0 : it->second.Size();
    o += fmt::format(
        "<rect class=\"node\" data-id=\"{}\" data-tonnes=\"{:.6g}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
        "fill=\"{}\"/>\n",
        XmlEscape(id), v, Coord(p.x), Coord(p.y), Coord(kFlowBar), fmt::format("{:.2f}", std::max(p.h, 1.0)),
        p.node->colour);
    const bool left = p.node->column == 0;
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\">{} {}</text>\n",
                     Coord(left ? p.x - 6 : p.x + kFlowBar + 6), Coord(p.y + std::max(p.h, 1.0) / 2 + 4),
                     left ? "end" : "start", XmlEscape(p.node->label), Thousands(v, v < 10 ? 2 : 0));
  }
  o += "</g>\n";
  double note_y = bottom + 30;
  o += "<g class=\"source-note\" font-size=\"10\" fill=\"#555555\">\n";
  for (const auto& line : note_lines) {
    o += fmt::format("<text x=\"8\" y=\"{}\">{}</text>\n", Coord(note_y), XmlEscape(line));
    note_y += 13;
  }
  o += "</g>\n</svg>\n";
  return o;
}

FlowChart FlowChartOf(const sim::FlowsResult& flows, bool after,
                      const std::function<bool(const std::string&)>& is_country) {
  // In column order, so that the nodes are listed mines first.
  static const std::vector<std::pair<std::string, std::pair<int, std::string>>> kColumns = {
      {"mining", {0, "#8a6d3b"}}, {"refining", {1, "#1f4e79"}}, {"consumer", {2, "#2e7d32"}}};
  // Rank by the baseline tonnes, so that the before and after charts show the same nodes.
  FlowChart base;
  for (const auto& l : flows.before) base.links.push_back({l.source, l.target, l.tonnes});
  const auto through = Throughputs(base);
  std::map<std::string, std::string> group;  // node id -> id drawn
  FlowChart c;
  for (const auto& [stage, col] : kColumns) {
    std::vector<const sim::FlowNode*> nodes;
    for (const auto& n : flows.nodes) {
      if (n.stage == stage) nodes.push_back(&n);
    }
    auto size = [&](const sim::FlowNode* n) {
      auto it = through.find(n->id);
      return it == through.end() ? 0.0 : it->second.Size();
    };
    std::stable_sort(nodes.begin(), nodes.end(), [&](const auto* a, const auto* b) {
      const double sa = size(a), sb = size(b);
      return sa != sb ? sa > sb : a->id < b->id;
    });
    std::size_t kept = 0;
    bool other = false;
    const std::string other_id = stage + ":OTHER";
    for (const auto* n : nodes) {
      if (n->is_country && (!is_country || is_country(n->code)) && kept < 6 && size(n) > 0) {
        ++kept;
        group[n->id] = n->id;
        c.nodes.push_back({n->id, n->name, col.first, col.second});
      } else {
        group[n->id] = other_id;
        other = true;
      }
    }
    if (other) c.nodes.push_back({other_id, "other countries", col.first, "#8a9bb0"});
  }
  std::map<std::pair<std::string, std::string>, double> merged;
  for (const auto& l : after ? flows.after : flows.before) {
    auto s = group.find(l.source), t = group.find(l.target);
    if (s == group.end() || t == group.end()) continue;
    merged[{s->second, t->second}] += l.tonnes;
  }
  for (const auto& [key, tonnes] : merged) c.links.push_back({key.first, key.second, tonnes});
  c.unit = flows.unit + " per year";
  return c;
}

}  // namespace lodestone::report
