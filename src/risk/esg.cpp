// The ethical-sourcing screen (docs/methods/esg.md): parts from the WGI governance table of the
// dataset and the curated EITI, labour-list and site-assurance tables; the score is the mean of
// the known parts.
#include "lodestone/risk/esg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "lodestone/data/named_table.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::risk {

namespace {

const std::regex kIso3("[A-Z]{3}");
const std::regex kDate("[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?");

data::NamedTable Read(const std::filesystem::path& path, const std::vector<std::string>& required,
                      model::Diagnostics& diags) {
  if (!std::filesystem::exists(path)) {
    throw Error::NotFound(fmt::format("{}: the ESG indicator table does not exist", path.string()));
  }
  return data::ReadNamedTable(path, required, diags);
}

// A required one-line text cell; reports an empty one.
bool Text(const data::NamedTable& t, std::size_t r, const std::string& col, model::Diagnostics& diags) {
  if (!t.Cell(r, col).empty()) return true;
  diags.Error(t.file, t.lines[r], t.Col(col), fmt::format("{}: empty; expected a value", col));
  return false;
}

void Match(const data::NamedTable& t, std::size_t r, const std::string& col, const std::regex& re, const char* expected,
           model::Diagnostics& diags) {
  if (!std::regex_match(t.Cell(r, col), re)) {
    diags.Error(t.file, t.lines[r], t.Col(col), fmt::format("{}: '{}': expected {}", col, t.Cell(r, col), expected));
  }
}

double Unit(double wgi_estimate) { return std::clamp((wgi_estimate + 2.5) / 5.0, 0.0, 1.0); }

}  // namespace

EsgTables EsgTables::Load(const std::filesystem::path& dir) {
  EsgTables out;
  model::Diagnostics diags;
  {
    auto t = Read(dir / "eiti_status.csv", {"country", "status", "as_of", "source", "url"}, diags);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      Match(t, r, "country", kIso3, "an ISO 3166-1 alpha-3 code", diags);
      const auto& st = t.Cell(r, "status");
      if (st != "implementing" && st != "supporting") {
        diags.Error(t.file, t.lines[r], t.Col("status"),
                    fmt::format("status: '{}': expected implementing or supporting", st));
      }
      Match(t, r, "as_of", kDate, "YYYY, YYYY-MM or YYYY-MM-DD", diags);
      Text(t, r, "source", diags);
      out.eiti.push_back({t.Cell(r, "country"), st, t.Cell(r, "as_of"), t.Cell(r, "source"), t.Cell(r, "url")});
    }
  }
  {
    auto t =
        Read(dir / "labour_list.csv", {"mineral", "country", "listing", "good", "edition", "source", "url"}, diags);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      Text(t, r, "mineral", diags);
      Match(t, r, "country", kIso3, "an ISO 3166-1 alpha-3 code", diags);
      const auto& l = t.Cell(r, "listing");
      if (l != "child_labour" && l != "forced_labour") {
        diags.Error(t.file, t.lines[r], t.Col("listing"),
                    fmt::format("listing: '{}': expected child_labour or forced_labour", l));
      }
      Text(t, r, "good", diags);
      Match(t, r, "edition", kDate, "the list's edition, YYYY or YYYY-MM-DD", diags);
      Text(t, r, "source", diags);
      out.labour.push_back({t.Cell(r, "mineral"), t.Cell(r, "country"), l, t.Cell(r, "good"), t.Cell(r, "edition"),
                            t.Cell(r, "source"), t.Cell(r, "url")});
    }
  }
  {
    auto t = Read(dir / "site_assurance.csv", {"project", "scheme", "result", "date", "source", "url"}, diags);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      Text(t, r, "project", diags);
      Text(t, r, "scheme", diags);
      Text(t, r, "result", diags);
      Match(t, r, "date", kDate, "YYYY, YYYY-MM or YYYY-MM-DD", diags);
      Text(t, r, "source", diags);
      out.sites.push_back({t.Cell(r, "project"), t.Cell(r, "scheme"), t.Cell(r, "result"), t.Cell(r, "date"),
                           t.Cell(r, "source"), t.Cell(r, "url")});
    }
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return out;
}

EsgScore ScoreCountryMineral(const model::Dataset& ds, const EsgTables& tables, const std::string& country,
                             const std::string& mineral, int wgi_year) {
  EsgScore s;
  s.country = country;
  s.mineral = mineral;

  EsgPart gov{"governance", std::nullopt, "", ""};
  const auto cid = ds.FindCountry(country);
  const auto& g = ds->governance;
  for (std::size_t i = 0; cid && i < g.size(); ++i) {
    if (g.country[i] != *cid || g.year[i] != wgi_year) continue;
    if (g.cc[i].IsKnown() && g.rl[i].IsKnown()) {
      gov.value = (Unit(g.cc[i].number) + Unit(g.rl[i].number)) / 2.0;
      gov.basis = fmt::format("WGI {} control of corruption {:+.2f}, rule of law {:+.2f}", wgi_year, g.cc[i].number,
                              g.rl[i].number);
    } else {
      gov.basis = fmt::format("WGI {}: control of corruption or rule of law not estimated", wgi_year);
    }
    gov.source = ds.SourceOf(g.source[i]).id;
  }
  if (gov.basis.empty()) gov.basis = fmt::format("no WGI {} estimates for {}", wgi_year, country);
  s.parts.push_back(std::move(gov));

  EsgPart tr{"transparency", 0.0, fmt::format("{} is not an EITI implementing or supporting country", country), ""};
  for (const auto& e : tables.eiti) {
    if (e.country != country) continue;
    tr.value = e.status == "implementing" ? 1.0 : 0.5;
    tr.basis = fmt::format("EITI {} country (as of {})", e.status, e.as_of);
    tr.source = e.source;
    if (e.status == "implementing") break;  // implementing outranks supporting
  }
  if (tr.source.empty() && !tables.eiti.empty()) tr.source = tables.eiti.front().source;
  s.parts.push_back(std::move(tr));

  EsgPart lab{"labour", 1.0, "", ""};
  std::vector<std::string> listed;
  for (const auto& l : tables.labour) {
    if (l.country != country || l.mineral != mineral) continue;
    lab.value = 0.0;
    listed.push_back(
        fmt::format("{} ({}, {})", l.good, l.listing == "child_labour" ? "child labour" : "forced labour", l.edition));
    if (lab.source.find(l.source) == std::string::npos) lab.source += (lab.source.empty() ? "" : "; ") + l.source;
  }
  if (listed.empty()) {
    lab.basis = fmt::format("{} from {} not on the US DoL List of Goods Produced by Child Labor or Forced Labor",
                            mineral, country);
    lab.source = "US DoL ILAB List of Goods Produced by Child Labor or Forced Labor (2024)";
  } else {
    std::string joined;
    for (const auto& x : listed) joined += (joined.empty() ? "" : "; ") + x;
    lab.basis = "on the US DoL list: " + joined;
  }
  s.parts.push_back(std::move(lab));

  double sum = 0;
  int n = 0;
  for (const auto& p : s.parts) {
    if (p.value) {
      sum += *p.value;
      ++n;
    }
  }
  if (n > 0) s.score = sum / n;
  return s;
}

EsgScore ScoreProject(const model::Dataset& ds, const EsgTables& tables, const std::string& project_id,
                      const std::string& country, const std::string& mineral, int wgi_year) {
  EsgScore s = ScoreCountryMineral(ds, tables, country, mineral, wgi_year);
  s.project = project_id;
  EsgPart site{"site", std::nullopt, "no independent audit or certification of the site recorded", ""};
  for (const auto& a : tables.sites) {
    if (a.project != project_id) continue;
    site.value = 1.0;
    site.basis = fmt::format("{}: {} ({})", a.scheme, a.result, a.date);
    site.source = a.source;
  }
  s.parts.push_back(std::move(site));
  double sum = 0;
  int n = 0;
  for (const auto& p : s.parts) {
    if (p.value) {
      sum += *p.value;
      ++n;
    }
  }
  s.score = n > 0 ? std::optional<double>(sum / n) : std::nullopt;
  return s;
}

std::string DescribeEsg(const EsgScore& s) {
  std::string known, missing;
  for (const auto& p : s.parts) {
    if (p.value) {
      known += fmt::format("{}{} {:.2f}", known.empty() ? "" : ", ", p.name, *p.value);
    } else {
      missing += fmt::format("; {}: {}", p.name, p.basis);
    }
  }
  if (!s.score) return "not scored" + missing;
  return fmt::format("{:.2f} ({}{})", *s.score, known, missing);
}

}  // namespace lodestone::risk
