// Reading the shared project registry (data/projects/projects.csv) into plain pipeline rows.
#include "lodestone/outlook/pipeline.hpp"
#include "lodestone/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "lodestone/data/named_table.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::outlook {

namespace {

const std::vector<std::string> kStages = {"mining",  "refining", "separation", "magnets",
                                          "cathode", "anode",    "recycling"};
const std::vector<std::string> kDevelopment = {"announced",    "feasibility",   "financing",
                                               "construction", "commissioning", "operating"};
const std::vector<std::string> kStatus = {"active", "paused", "cancelled"};

bool OneOf(const std::string& s, const std::vector<std::string>& options) {
  return std::find(options.begin(), options.end(), s) != options.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? (i + 1 == v.size() ? " or " : ", ") : "") + v[i];
  return out;
}

bool IsProjectId(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// YYYY or YYYY-MM; returns the year or 0.
int ParseFirstOutput(const std::string& s) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    }
    return true;
  };
  if (s.size() == 4 && digits(0, 4)) return std::stoi(s);
  if (s.size() == 7 && digits(0, 4) && s[4] == '-' && digits(5, 2)) {
    int month = std::stoi(s.substr(5, 2));
    if (month >= 1 && month <= 12) return std::stoi(s.substr(0, 4));
  }
  return 0;
}

}  // namespace

std::vector<PipelineProject> LoadProjectRegistry(const std::filesystem::path& csv, const model::Dataset& ds) {
  model::Diagnostics diags;
  auto t = data::ReadNamedTable(csv,
                                {"id", "name", "mineral", "stage", "country", "capacity_t", "capacity_basis",
                                 "first_output", "development_stage", "status", "sponsors", "source", "assumptions"},
                                diags);
  std::vector<PipelineProject> out;
  std::set<std::string> ids;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    PipelineProject p;
    p.id = t.Cell(r, "id");
    p.name = t.Cell(r, "name");
    p.mineral = t.Cell(r, "mineral");
    p.stage = t.Cell(r, "stage");
    p.country = t.Cell(r, "country");
    p.capacity_basis = t.Cell(r, "capacity_basis");
    p.first_output = t.Cell(r, "first_output");
    p.development_stage = t.Cell(r, "development_stage");
    p.status = t.Cell(r, "status");
    p.sponsors = t.Cell(r, "sponsors");
    p.source = t.Cell(r, "source");
    p.assumptions = t.Cell(r, "assumptions");
    if (!IsProjectId(p.id)) diags.Error(t.file, line, t.Col("id"), fmt::format("id '{}': expected [a-z0-9_]+", p.id));
    if (!ids.insert(p.id).second) diags.Error(t.file, line, t.Col("id"), fmt::format("duplicate id '{}'", p.id));
    if (!ds.FindMineral(p.mineral)) {
      diags.Error(t.file, line, t.Col("mineral"), fmt::format("mineral '{}': not a Lodestone mineral id", p.mineral));
    }
    if (!OneOf(p.stage, kStages)) {
      diags.Error(t.file, line, t.Col("stage"), fmt::format("stage '{}': expected {}", p.stage, Join(kStages)));
    }
    auto country = ds.FindCountry(p.country);
    if (!country || ds.Country(*country).kind != model::CountryKind::Country) {
      diags.Error(t.file, line, t.Col("country"),
                  fmt::format("country '{}': expected an ISO3 country code", p.country));
    }
    if (!OneOf(p.development_stage, kDevelopment)) {
      diags.Error(t.file, line, t.Col("development_stage"),
                  fmt::format("development_stage '{}': expected {}", p.development_stage, Join(kDevelopment)));
    }
    if (!OneOf(p.status, kStatus)) {
      diags.Error(t.file, line, t.Col("status"), fmt::format("status '{}': expected {}", p.status, Join(kStatus)));
    }
    auto parsed = model::ParseValueCell(t.Cell(r, "capacity_t"), false, p.capacity_t);
    if (parsed != model::ValueParse::Ok ||
        !(p.capacity_t.IsKnown() || p.capacity_t.status == model::ValueStatus::NotAvailable)) {
      diags.Error(t.file, line, t.Col("capacity_t"),
                  fmt::format("capacity_t '{}': expected a number of tonnes per year or NA", t.Cell(r, "capacity_t")));
    }
    if (p.first_output == "NA") p.first_output.clear();  // not available: a state, handled by the outlook
    if (!p.first_output.empty()) {
      p.first_output_year = ParseFirstOutput(p.first_output);
      if (p.first_output_year == 0) {
        diags.Error(t.file, line, t.Col("first_output"),
                    fmt::format("first_output '{}': expected YYYY, YYYY-MM or NA", p.first_output));
      }
    }
    out.push_back(std::move(p));
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return out;
}

}  // namespace lodestone::outlook
