// Readers of the EU CRM method's published tables (see eu_crm_tables.hpp), over data::NamedTable.
#include "lodestone/data/eu_crm_tables.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <map>

#include "lodestone/data/named_table.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

namespace {

constexpr double kPercent = 100.0;

// Cells the EU tables use for "not published".
bool IsMissingCell(std::string_view text) {
  const auto lower = model::ToLower(model::Trim(text));
  return lower.empty() || lower == "n/a" || lower == "na" || lower == "n.a." || lower == "n.a";
}

// The header names of a NamedTable by lower-case trimmed name: the EU's tables vary the case.
class Columns {
 public:
  explicit Columns(const NamedTable& t) {
    for (const auto& [name, index] : t.columns) by_lower_.emplace(model::ToLower(model::Trim(name)), name);
  }
  // The table's name of the first of `names` present.
  std::optional<std::string> Find(std::initializer_list<std::string_view> names) const {
    for (auto n : names) {
      if (auto it = by_lower_.find(model::ToLower(n)); it != by_lower_.end()) return it->second;
    }
    return std::nullopt;
  }

 private:
  std::map<std::string, std::string> by_lower_;
};

// A number cell of row `r` within lo..hi (a '%' sign allowed for percentages), or missing; a
// problem goes to `diags` with the cell's place and makes `ok` false.
void NumberCell(const NamedTable& t, std::size_t r, const std::string& col, std::string_view name, bool percent,
                double lo, double hi, std::optional<double>& out, bool& ok, model::Diagnostics& diags) {
  const auto& raw = t.Cell(r, col);
  if (IsMissingCell(raw)) return;
  auto text = model::Trim(raw);
  if (percent && !text.empty() && text.back() == '%') text = model::Trim(text.substr(0, text.size() - 1));
  double x = 0;
  if (!model::ParseDouble(text, x) || !std::isfinite(x)) {
    diags.Error(t.file, t.lines[r], t.Col(col),
                fmt::format("{} '{}' is not a number (or N/A)", name, model::Trim(raw)));
    ok = false;
    return;
  }
  if (x < lo || x > hi) {
    diags.Error(t.file, t.lines[r], t.Col(col), fmt::format("{} {} is outside {}..{}", name, model::Trim(raw), lo, hi));
    ok = false;
    return;
  }
  out = x;
}

NamedTable ReadExisting(const std::filesystem::path& path, model::Diagnostics& diags) {
  if (!std::filesystem::exists(path)) throw Error::NotFound(fmt::format("{}: file not found", path.string()));
  return ReadNamedTable(path, {}, diags);
}

}  // namespace

EuSrInputTable ReadEuSrInputTable(const std::filesystem::path& path,
                                  const std::function<bool(std::string_view)>& supply_data_used_ok) {
  EuSrInputTable result;
  model::Diagnostics diags;
  const auto t = ReadExisting(path, diags);
  result.file = t.file;
  const std::string& label = result.file;
  if (diags.HasErrors()) throw Error::InvalidData(diags);
  const Columns columns(t);

  struct Column {
    std::initializer_list<std::string_view> names;  // accepted spellings, the first is the canonical one
    std::string name;                               // the table's
  };
  Column material{{"material"}, {}}, stage{{"stage"}, {}}, variant{{"supply_data_used"}, {}},
      hhi_gs{{"HHI_WGI_t_GS"}, {}},
      hhi_sourcing{{"HHI_WGI_t_EU28", "HHI_WGI_t_EU27", "HHI_WGI_t_EU", "HHI_WGI_t_sourcing"}, {}}, ir{{"IR_pct"}, {}},
      eol{{"EOL_RIR_pct"}, {}}, si{{"SI_SR"}, {}};
  for (Column* c : {&material, &stage, &variant, &hhi_gs, &hhi_sourcing, &ir, &eol, &si}) {
    if (auto found = columns.Find(c->names)) {
      c->name = *found;
      continue;
    }
    std::string names;
    for (auto n : c->names) names += (names.empty() ? "'" : "' or '") + std::string(n);
    diags.Error(label, 1, 0, fmt::format("missing column {}'", names));
  }
  if (diags.HasErrors()) throw Error::InvalidData(diags);
  const auto published = columns.Find({"SR_published"});

  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    auto cell = [&](const std::string& col) { return model::Trim(t.Cell(r, col)); };
    EuSrInputRow row;
    row.line = line;
    bool ok = true;
    row.material = std::string(cell(material.name));
    row.stage = std::string(cell(stage.name));
    row.supply_data_used = std::string(cell(variant.name));
    if (row.material.empty()) {
      diags.Error(label, line, t.Col(material.name), "empty material");
      ok = false;
    }
    if (!supply_data_used_ok(row.supply_data_used)) {
      diags.Error(
          label, line, t.Col(variant.name),
          fmt::format("supply_data_used '{}' must be 'GS + EUS', 'GS only' or 'EUS only'", row.supply_data_used));
      ok = false;
    }
    auto number = [&](const std::string& col, std::string_view name, bool percent, double lo, double hi,
                      std::optional<double>& out) { NumberCell(t, r, col, name, percent, lo, hi, out, ok, diags); };
    constexpr double kNoBound = std::numeric_limits<double>::max();
    number(hhi_gs.name, "HHI_WGI_t_GS", false, 0.0, kNoBound, row.hhi_gs);
    number(hhi_sourcing.name, "sourcing HHI_WGI_t", false, 0.0, kNoBound, row.hhi_sourcing);
    // Negative IR (a net exporter) is valid input: the method counts it as 0.
    number(ir.name, "IR_pct", true, -kNoBound, kPercent, row.ir_pct);
    number(eol.name, "EOL_RIR_pct", true, 0.0, kPercent, row.eol_rir_pct);
    number(si.name, "SI_SR", false, 0.0, 1.0, row.si_sr);
    if (published) number(*published, "SR_published", false, 0.0, kNoBound, row.sr_published);
    if (ok) result.rows.push_back(std::move(row));
  }
  if (diags.HasErrors()) throw Error::InvalidData(diags);
  result.warnings.Append(diags);
  return result;
}

std::optional<Annex7Stage> ParseAnnex7Stage(std::string_view text) {
  const auto s = model::ToLower(model::Trim(text));
  if (s == "e" || s == "extraction") return Annex7Stage::Extraction;
  if (s == "p" || s == "processing") return Annex7Stage::Processing;
  return std::nullopt;
}

std::string_view Annex7StageName(Annex7Stage stage) {
  return stage == Annex7Stage::Extraction ? "Extraction" : "Processing";
}

std::vector<EuSrParamsRow> ReadEuSrParams(const std::filesystem::path& path,
                                          const std::function<bool(std::string_view)>& supply_data_used_ok,
                                          model::Diagnostics& diags) {
  std::vector<EuSrParamsRow> out;
  model::Diagnostics local;
  const auto t = ReadExisting(path, local);
  if (local.HasErrors()) {
    diags.Append(local);
    return out;
  }
  const Columns columns(t);
  std::map<std::string, std::string> name;  // canonical -> the table's
  bool columns_ok = true;
  for (std::string_view c : {"material", "stage", "ir_pct", "eol_rir_pct", "si_sr", "supply_data_used"}) {
    if (auto found = columns.Find({c})) {
      name.emplace(std::string(c), *found);
    } else {
      local.Error(t.file, 1, 0, fmt::format("missing column '{}'", c));
      columns_ok = false;
    }
  }
  if (!columns_ok) {
    diags.Append(local);
    return out;
  }
  std::map<std::pair<std::string, Annex7Stage>, std::size_t> seen;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    auto col = [&](const char* c) -> const std::string& { return name.at(c); };
    EuSrParamsRow p;
    p.line = line;
    bool ok = true;
    p.material = std::string(model::Trim(t.Cell(r, col("material"))));
    p.material_key = NormaliseName(p.material);
    if (p.material_key.empty()) {
      local.Error(t.file, line, t.Col(col("material")), "empty material");
      ok = false;
    }
    const auto stage_text = model::Trim(t.Cell(r, col("stage")));
    if (auto s = ParseAnnex7Stage(stage_text)) {
      p.stage = *s;
    } else {
      local.Error(t.file, line, t.Col(col("stage")),
                  fmt::format("stage '{}' must be E, P, Extraction or Processing", stage_text));
      ok = false;
    }
    p.supply_data_used = std::string(model::Trim(t.Cell(r, col("supply_data_used"))));
    if (!supply_data_used_ok(p.supply_data_used)) {
      local.Error(t.file, line, t.Col(col("supply_data_used")),
                  fmt::format("supply_data_used '{}' must be 'GS + EUS', 'GS only' or 'EUS only'", p.supply_data_used));
      ok = false;
    }
    NumberCell(t, r, col("ir_pct"), "ir_pct", true, -std::numeric_limits<double>::max(), kPercent, p.ir_pct, ok, local);
    NumberCell(t, r, col("eol_rir_pct"), "eol_rir_pct", true, 0.0, kPercent, p.eol_rir_pct, ok, local);
    NumberCell(t, r, col("si_sr"), "si_sr", false, 0.0, 1.0, p.si_sr, ok, local);
    if (!ok) continue;
    auto [it, inserted] = seen.emplace(std::make_pair(p.material_key, p.stage), line);
    if (!inserted) {
      local.Error(
          t.file, line, 0,
          fmt::format("{} {} is given twice (first on line {})", p.material, Annex7StageName(p.stage), it->second));
      continue;
    }
    out.push_back(std::move(p));
  }
  diags.Append(local);
  return out;
}

}  // namespace lodestone::data
