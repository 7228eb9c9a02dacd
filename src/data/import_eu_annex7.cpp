// EU CRM 2023 Annex 7 importer: the study's country shares of global supply and of EU sourcing
// (Material, Stage, Country, Share, t) into shares.csv rows, materials mapped to minerals by
// data/reference/eu_crm_map.csv, with an "other countries" residual where the listed shares fall
// short of 100%. The file reader (ReadAnnex7File) is kept separate from the import so that the
// risk module can read Annex-7-format files directly. See docs/importers/eu_crm_annex7.md.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "import_common.hpp"
#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/eu_annex7.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

// --- implementation ----------------------------------------------------------------------------

namespace {

constexpr std::string_view kImporterName = "eu-crm-annex7";
constexpr std::string_view kSourceId = "eu_crm_2023_annex7";
constexpr std::string_view kResidualSourceId = "assume_eu_residual";
constexpr std::string_view kTable = "shares.csv";
constexpr std::string_view kMapFile = "eu_crm_map.csv";
// The study's Annex 7 shares are averages over 2016-2020 (the 2023 assessment's reference period).
constexpr std::string_view kPeriod = "2016-2020";
// "Other countries" in data/reference/countries.csv (kind residual).
constexpr std::string_view kResidualCountry = "XOT";
constexpr std::string_view kScopeGlobal = "global";
constexpr std::string_view kScopeEuSourcing = "sourcing:EU";
constexpr std::uint64_t kPercentWhole = 100;
// More decimals than this is not a percentage the study prints; it also keeps 100 x 10^decimals
// far inside 64 bits.
constexpr std::uint8_t kMaxPercentDecimals = 6;

std::uint64_t Pow10(std::uint8_t n) {
  std::uint64_t p = 1;
  for (std::uint8_t i = 0; i < n; ++i) p *= 10;
  return p;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Share cell: "<"? digits ("." digits)? "%". A bare number is read as a percentage with a
// warning: every Annex 7 share is one, and a fraction above 1 is impossible.
std::optional<Annex7Percent> ParseShare(std::string_view raw, const std::string& file, std::size_t line,
                                        std::size_t column, model::Diagnostics& diags) {
  auto text = detail::Trim(raw);
  auto fail = [&](std::string_view why) {
    diags.Error(file, line, column,
                fmt::format("share '{}' {}: expected a percentage such as '4%', '10.5%' or '<0.1%'", text, why));
    return std::nullopt;
  };
  if (text.empty()) return fail("is empty");
  Annex7Percent p;
  std::string_view s = text;
  if (s.front() == '<') {
    p.below = true;
    s.remove_prefix(1);
  }
  bool has_percent = !s.empty() && s.back() == '%';
  if (has_percent) s.remove_suffix(1);
  std::size_t digits_before = 0, digits_after = 0;
  bool dot = false;
  for (char c : s) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      if (dot) {
        ++digits_after;
      } else {
        ++digits_before;
      }
    } else {
      return fail("is not a number");
    }
  }
  if (digits_before == 0 || (dot && digits_after == 0)) return fail("is not a number");
  if (digits_after > kMaxPercentDecimals || digits_before > 3) return fail("has too many digits");
  for (char c : s) {
    if (c != '.') p.units = p.units * 10 + static_cast<std::uint64_t>(c - '0');
  }
  p.decimals = static_cast<std::uint8_t>(digits_after);
  if (p.units > kPercentWhole * Pow10(p.decimals)) return fail("is above 100%");
  if (!has_percent) {
    diags.Warning(file, line, column,
                  fmt::format("share '{}' has no '%' sign: read as {}% (Annex 7 prints every share as a percentage)",
                              text, text));
  }
  return p;
}

// "global" / "Global supply" / "sourcing" / "EU sourcing" / "sourcing:XX" -> dataset scope.
std::optional<std::string> ScopeFromCell(std::string_view raw) {
  auto text = detail::Trim(raw);
  auto lower = Lower(text);
  if (lower.rfind("sourcing:", 0) == 0 && text.size() > 9) return std::string(text);
  const bool global = lower.find("global") != std::string::npos;
  const bool sourcing = lower.find("sourcing") != std::string::npos;
  if (global == sourcing) return std::nullopt;
  return std::string(global ? kScopeGlobal : kScopeEuSourcing);
}

}  // namespace

model::Value Annex7Percent::Fraction() const {
  // Integer over a power of ten: one correctly rounded division, so the double is the one
  // nearest the printed decimal and prints back as it ("59.6%" -> 0.596).
  const double x = static_cast<double>(units) / static_cast<double>(Pow10(static_cast<std::uint8_t>(decimals + 2)));
  return below ? model::Value::Bound(x, model::ValueStatus::AtMost) : model::Value::Of(x);
}

std::string Annex7Percent::FractionText() const {
  // Shift the printed decimal point two places by hand: exact, and always in plain notation
  // ("0.0005", where the shortest round-trip form of the double would be "5e-04").
  const std::size_t scale = decimals + 2u;
  std::string digits = std::to_string(units);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  digits.insert(digits.size() - scale, 1, '.');
  while (digits.back() == '0') digits.pop_back();
  if (digits.back() == '.') digits.pop_back();
  return (below ? "<" : "") + digits;
}

std::optional<std::string> Annex7ScopeFromFileName(const std::filesystem::path& file) {
  return ScopeFromCell(file.filename().string());
}

std::string_view Annex7StageId(Annex7Stage stage) {
  // Annex 7's "processing" is the first transformation after extraction (refining, smelting,
  // separation): the dataset's "refining" stage.
  return stage == Annex7Stage::Extraction ? "mining" : "refining";
}

Annex7Table ReadAnnex7File(const std::filesystem::path& file, const Reference& ref, model::Diagnostics& diags,
                           const Annex7ReadOptions& options) {
  Annex7Table table;
  table.file = file.string();
  const std::string& label = table.file;
  CsvReader reader(ReadTextAsUtf8(file, diags), label, &diags);
  std::vector<std::string_view> fields;
  if (!reader.Next(fields)) {
    diags.Error(label, 1, 0, "empty file: expected the header Material,Stage,Country,Share,t");
    return table;
  }
  // Columns by name (case-insensitive), so their order does not matter.
  std::vector<std::string> names;
  for (auto f : fields) names.push_back(Lower(detail::Trim(f)));
  if (!CheckUniqueColumns(names, label, diags)) return table;
  std::map<std::string, std::size_t> header;
  for (std::size_t i = 0; i < names.size(); ++i) header.emplace(names[i], i);
  const std::size_t width = fields.size();
  auto col = [&](std::string_view name) -> std::optional<std::size_t> {
    auto it = header.find(std::string(name));
    if (it == header.end()) return std::nullopt;
    return it->second;
  };
  const auto c_material = col("material"), c_stage = col("stage"), c_country = col("country"), c_share = col("share"),
             c_t = col("t"), c_scope = col("scope");
  if (!c_material || !c_stage || !c_country || !c_share) {
    diags.Error(label, 1, 0, "header must name the columns Material, Stage, Country, Share (and t)");
    return table;
  }
  std::optional<std::string> file_scope = options.scope;
  if (!c_scope && !file_scope) {
    file_scope = Annex7ScopeFromFileName(file);
    if (!file_scope) {
      diags.Error(label, 0, 0,
                  "cannot tell the global-supply table from the EU-sourcing table: the file name must contain "
                  "'global' or 'sourcing' (not both), or the file must have a Scope column");
      return table;
    }
  }
  while (reader.Next(fields)) {
    const std::size_t line = reader.line();
    if (fields.size() == 1 && detail::Trim(fields[0]).empty()) continue;  // blank line
    if (reader.record_malformed()) continue;                              // already reported
    if (fields.size() != width) {
      diags.Error(label, line, 0, fmt::format("expected {} fields, found {}", width, fields.size()));
      continue;
    }
    Annex7Row row;
    row.line = line;
    bool ok = true;
    if (options.scope) {
      row.scope = *options.scope;
    } else if (c_scope) {
      auto scope = ScopeFromCell(fields[*c_scope]);
      if (!scope) {
        diags.Error(
            label, line, *c_scope + 1,
            fmt::format("scope '{}' must be 'global' or 'sourcing' (EU sourcing)", detail::Trim(fields[*c_scope])));
        ok = false;
      } else {
        row.scope = *scope;
      }
    } else {
      row.scope = *file_scope;
    }
    row.material = std::string(detail::Trim(fields[*c_material]));
    if (row.material.empty()) {
      diags.Error(label, line, *c_material + 1, "empty material");
      ok = false;
    }
    auto stage = detail::Trim(fields[*c_stage]);
    if (stage == "E" || stage == "e") {
      row.stage = Annex7Stage::Extraction;
    } else if (stage == "P" || stage == "p") {
      row.stage = Annex7Stage::Processing;
    } else {
      diags.Error(label, line, *c_stage + 1, fmt::format("stage '{}' must be E (extraction) or P (processing)", stage));
      ok = false;
    }
    row.country_text = std::string(detail::Trim(fields[*c_country]));
    if (auto iso3 = ref.CountryByName(row.country_text)) {
      row.country = *iso3;
    } else if (options.keep_unknown_countries) {
      diags.Warning(label, line, *c_country + 1,
                    fmt::format("unknown country '{}': kept without a country code; add this spelling to the "
                                "aliases of its country in data/reference/countries.csv",
                                row.country_text));
    } else {
      diags.Error(label, line, *c_country + 1,
                  fmt::format("unknown country '{}': add this spelling to the aliases of its country in "
                              "data/reference/countries.csv",
                              row.country_text));
      ok = false;
    }
    auto share = ParseShare(fields[*c_share], label, line, *c_share + 1, diags);
    if (share) {
      row.share = *share;
    } else {
      ok = false;
    }
    row.t = model::Value::Missing(model::ValueStatus::Unknown);
    if (c_t) {
      row.t_text = std::string(detail::Trim(fields[*c_t]));
      if (!row.t_text.empty()) {
        model::Value t;
        if (model::ParseValueCell(row.t_text, false, t) != model::ValueParse::Ok || !t.IsKnown()) {
          diags.Error(label, line, *c_t + 1,
                      fmt::format("trade factor t '{}' must be a non-negative number such as 1.0 or 0.8", row.t_text));
          ok = false;
        } else {
          row.t = t;
        }
      }
    }
    if (ok) table.rows.push_back(std::move(row));
  }
  return table;
}

namespace {

// Material (normalised) -> mineral id, from data/reference/eu_crm_map.csv.
std::map<std::string, std::string> ReadMaterialMap(const Reference& ref, model::Diagnostics& diags) {
  std::map<std::string, std::string> map;
  MappingFile m;
  std::size_t c_material = 0, c_mineral = 0;
  try {
    m = ReadMappingFile(ref.dir() / kMapFile);
    c_material = m.Col("material");
    c_mineral = m.Col("mineral");
  } catch (const Error& e) {
    diags.Append(e.diagnostics());
    return map;
  }
  std::map<std::string, std::size_t> first_line;
  for (std::size_t i = 0; i < m.rows.size(); ++i) {
    const auto& material = m.rows[i][c_material];
    const auto& mineral = m.rows[i][c_mineral];
    if (!ref.MineralUnit(mineral)) {
      diags.Error(m.file, m.lines[i], c_mineral + 1,
                  fmt::format("unknown mineral '{}' (not in minerals.csv)", mineral));
      continue;
    }
    auto key = NormaliseName(material);
    if (key.empty()) {
      diags.Error(m.file, m.lines[i], c_material + 1, "empty material");
      continue;
    }
    auto [it, inserted] = first_line.emplace(key, m.lines[i]);
    if (!inserted) {
      diags.Error(m.file, m.lines[i], c_material + 1,
                  fmt::format("material '{}' is mapped twice (first on line {})", material, it->second));
      continue;
    }
    map.emplace(key, mineral);
  }
  return map;
}

// One imported share before it becomes a row, with where it came from.
struct MappedShare {
  const Annex7Row* row;
  std::string file;
};

// (mineral, stage id, scope) -> the listed shares, by country.
using DistributionKey = std::tuple<std::string, std::string, std::string>;

}  // namespace

ImportResult ImportEuAnnex7(const std::vector<std::filesystem::path>& files, const Reference& ref) {
  ImportResult result;
  result.importer = std::string(kImporterName);
  // Both sources are listed even when no residual is needed, so that ApplyImport replaces the
  // residual rows of an earlier import too.
  detail::AddSource(result, ref.SourceRecord(kSourceId));
  detail::AddSource(result, ref.SourceRecord(kResidualSourceId));
  auto& diags = result.diagnostics;
  if (files.empty()) throw Error::InvalidRequest("no Annex 7 file given");
  const auto material_map = ReadMaterialMap(ref, diags);

  std::vector<Annex7Table> tables;
  tables.reserve(files.size());
  for (const auto& file : files) tables.push_back(ReadAnnex7File(file, ref, diags));

  std::size_t rows_read = 0, rows_unmapped = 0;
  std::set<std::string> unmapped_materials;
  std::map<DistributionKey, std::map<std::string, MappedShare>> distributions;
  for (const auto& table : tables) {
    std::set<std::string> unmapped_here;
    for (const auto& row : table.rows) {
      ++rows_read;
      auto it = material_map.find(NormaliseName(row.material));
      if (it == material_map.end()) {
        ++rows_unmapped;
        unmapped_here.insert(row.material);
        continue;
      }
      DistributionKey key{it->second, std::string(Annex7StageId(row.stage)), row.scope};
      auto [pos, inserted] = distributions[key].emplace(row.country, MappedShare{&row, table.file});
      if (!inserted) {
        const auto& first = pos->second;
        diags.Error(
            table.file, row.line, 0,
            fmt::format("second share of {} for {} {} ({}): first given at {}:{} as '{}'", row.country, it->second,
                        std::get<1>(key), row.scope, first.file, first.row->line, first.row->country_text));
      }
    }
    if (!unmapped_here.empty()) {
      std::string names;
      for (const auto& m : unmapped_here) names += (names.empty() ? "" : ", ") + m;
      diags.Warning(table.file, 0, 0,
                    fmt::format("{} material(s) not in {} were skipped: {}", unmapped_here.size(), kMapFile, names));
    }
    unmapped_materials.insert(unmapped_here.begin(), unmapped_here.end());
  }
  if (diags.HasErrors()) throw Error::InvalidData(diags);

  auto& out = result.tables[std::string(kTable)];
  std::size_t residuals = 0;
  // Ordered maps: rows come out sorted by mineral, stage, scope, country.
  for (const auto& [key, by_country] : distributions) {
    const auto& [mineral, stage, scope] = key;
    // Sum of the exact figures at the finest printed precision; "<x%" counts as 0.
    std::uint8_t decimals = 0;
    for (const auto& [country, s] : by_country) decimals = std::max(decimals, s.row->share.decimals);
    std::uint64_t listed = 0;
    for (const auto& [country, s] : by_country) {
      out.rows.push_back({mineral, stage, scope, country, std::string(kPeriod), s.row->share.FractionText(),
                          s.row->t_text, std::string(kSourceId)});
      if (!s.row->share.below)
        listed += s.row->share.units * Pow10(static_cast<std::uint8_t>(decimals - s.row->share.decimals));
    }
    const std::uint64_t whole = kPercentWhole * Pow10(decimals);
    // A published "Other countries" row already closes the distribution: nothing to assume.
    if (listed >= whole || by_country.count(std::string(kResidualCountry)) > 0) continue;
    const Annex7Percent remainder{whole - listed, decimals, false};
    out.rows.push_back({mineral, stage, scope, std::string(kResidualCountry), std::string(kPeriod),
                        remainder.FractionText(), "", std::string(kResidualSourceId)});
    ++residuals;
  }
  // The residual row of a distribution sorts among its countries: sort the whole table once.
  std::sort(out.rows.begin(), out.rows.end());

  result.stats = {
      {"rows read", rows_read},
      {"rows imported", out.rows.size() - residuals},
      {"rows skipped (material not mapped)", rows_unmapped},
      {"materials not mapped", unmapped_materials.size()},
      {"distributions", distributions.size()},
      {"residual rows added (XOT)", residuals},
  };
  return result;
}

}  // namespace lodestone::data
