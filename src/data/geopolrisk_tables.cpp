// Reader of geopolrisk-py's validation files into plain tables (see geopolrisk_tables.hpp).
#include "lodestone/data/geopolrisk_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "lodestone/data/csv.hpp"
#include "lodestone/data/encoding.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/value.hpp"

namespace lodestone::data {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Production units that geopolrisk-py converts: kilograms to tonnes. Tonnes pass unchanged.
constexpr double kTonnesPerKg = 1e-3;
// Plausible calendar years for column headers and the Year column.
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2100;
// Numeric country codes (BACI, ISO 3166-1) are three digits; allow room for custom regions.
constexpr int kMaxCountryCode = 999'999;

}  // namespace

bool IsAlpha3(std::string_view s) {
  return s.size() == 3 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

// Reference alpha-3 -> BACI numeric code: BACI uses ISO 3166-1 numeric codes except where the
// reference lists a "baci:" alias (France 251, India 699, USA 842 ...).
std::optional<int> BaciCodeFromReference(const Reference& ref, const std::string& iso3) {
  constexpr int kMaxBaci = 999;
  if (!ref.HasCountry(iso3)) return std::nullopt;
  for (int n = 1; n <= kMaxBaci; ++n) {
    if (auto c = ref.CountryByCode("baci", std::to_string(n)); c && *c == iso3) return n;
  }
  for (int n = 1; n <= kMaxBaci; ++n) {
    if (auto c = ref.CountryByIsoNum(n); c && *c == iso3 && !ref.CountryByCode("baci", std::to_string(n))) return n;
  }
  return std::nullopt;
}

namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::optional<std::uint32_t> GeoPolRiskTables::CountryIndex(int code) const {
  for (std::size_t i = 0; i < countries.size(); ++i) {
    if (countries[i] == code) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

std::optional<std::uint32_t> GeoPolRiskTables::MaterialIndex(std::string_view name) const {
  const auto wanted = model::Trim(name);
  for (std::size_t i = 0; i < materials.size(); ++i) {
    if (EqualsIgnoreCase(materials[i], wanted)) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

namespace {

enum class Cell { Number, Missing, Bad };

// Numeric cell: a finite decimal number, or missing ("", "NA", "nan", "..", as pandas and the
// World Bank write gaps).
Cell ParseCell(std::string_view raw, double& out) {
  const auto text = model::Trim(raw);
  if (text.empty() || EqualsIgnoreCase(text, "NA") || EqualsIgnoreCase(text, "nan") || text == "..") {
    out = kNaN;
    return Cell::Missing;
  }
  if (!model::ParseDouble(text, out) || !std::isfinite(out)) return Cell::Bad;
  return Cell::Number;
}

// "842" or "842.0" (pandas writes integer columns with gaps as floats).
std::optional<int> ParseIntegral(std::string_view raw, int lo, int hi) {
  double x = 0;
  if (ParseCell(raw, x) != Cell::Number || x != std::floor(x) || x < lo || x > hi) return std::nullopt;
  return static_cast<int>(x);
}

struct Header {
  std::vector<std::string> names;
  std::optional<std::size_t> Find(std::initializer_list<std::string_view> candidates) const {
    for (auto want : candidates) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (EqualsIgnoreCase(names[i], want)) return i;
      }
    }
    return std::nullopt;
  }
  std::string List() const {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  }
};

// A CSV file read row by row with its header, reporting shape problems.
class TableReader {
 public:
  TableReader(const std::filesystem::path& path, model::Diagnostics& diags)
      : file_(path.string()), diags_(diags), reader_(data::ReadTextAsUtf8(path, diags), path.string(), &diags) {
    if (!reader_.Next(fields_) || (fields_.size() == 1 && model::Trim(fields_[0]).empty())) {
      diags_.Error(file_, 1, 0, "empty file: expected a header row");
      ok_ = false;
      return;
    }
    for (auto f : fields_) header_.names.emplace_back(model::Trim(f));
  }

  bool ok() const { return ok_; }
  const Header& header() const { return header_; }
  const std::string& file() const { return file_; }
  std::size_t line() const { return reader_.line(); }

  std::optional<std::size_t> Require(std::initializer_list<std::string_view> candidates) {
    auto col = header_.Find(candidates);
    if (!col) {
      diags_.Error(file_, 1, 0,
                   fmt::format("missing column '{}' (columns are: {})", *candidates.begin(), header_.List()));
      ok_ = false;
    }
    return col;
  }

  // Next data row with as many fields as the header; malformed and blank rows are skipped.
  bool Next() {
    while (reader_.Next(fields_)) {
      if (reader_.record_malformed()) continue;  // already reported
      if (fields_.size() == 1 && model::Trim(fields_[0]).empty()) continue;
      if (fields_.size() != header_.names.size()) {
        diags_.Error(file_, reader_.line(), 0,
                     fmt::format("row has {} fields, the header has {}", fields_.size(), header_.names.size()));
        continue;
      }
      return true;
    }
    return false;
  }
  std::string_view operator[](std::size_t col) const { return fields_[col]; }

  void Error(std::size_t col, std::string message) { diags_.Error(file_, reader_.line(), col + 1, std::move(message)); }
  void Warning(std::size_t col, std::string message) {
    diags_.Warning(file_, reader_.line(), col + 1, std::move(message));
  }

 private:
  std::string file_;
  model::Diagnostics& diags_;
  data::CsvReader reader_;
  std::vector<std::string_view> fields_;
  Header header_;
  bool ok_ = true;
};

// Year columns of a wide table ("2018", "2019" ...).
std::vector<std::pair<std::size_t, int>> YearColumns(const Header& h) {
  std::vector<std::pair<std::size_t, int>> out;
  for (std::size_t i = 0; i < h.names.size(); ++i) {
    const auto& n = h.names[i];
    if (n.size() != 4 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    const int year = std::stoi(n);
    if (year >= kMinYear && year <= kMaxYear) out.emplace_back(i, year);
  }
  return out;
}

std::uint64_t CodeYearKey(int code, int year) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(code)) << 32) | static_cast<std::uint32_t>(year);
}

// Country codes and materials met while reading, interned into the tables.
class Book {
 public:
  Book(GeoPolRiskTables& t, const Reference* ref) : t_(t), ref_(ref) {}

  std::uint32_t Intern(int code) {
    auto [it, added] = index_.try_emplace(code, static_cast<std::uint32_t>(t_.countries.size()));
    if (added) {
      t_.countries.push_back(code);
      auto a = alpha_of_.find(code);
      t_.country_iso3.push_back(a == alpha_of_.end() ? std::string() : a->second);
    }
    return it->second;
  }

  // An alpha-3 <-> numeric pair from a file. Returns the code already known for the alpha-3 when
  // it differs (the first pair wins).
  std::optional<int> NoteAlpha(std::string_view alpha, int code) {
    auto key = Upper(alpha);
    auto [it, added] = code_of_.try_emplace(key, code);
    alpha_of_.try_emplace(code, key);
    if (auto i = index_.find(code); i != index_.end() && t_.country_iso3[i->second].empty()) {
      t_.country_iso3[i->second] = key;
    }
    if (!added && it->second != code) return it->second;
    return std::nullopt;
  }

  std::optional<int> CodeOfAlpha(std::string_view alpha) {
    auto key = Upper(alpha);
    if (auto it = code_of_.find(key); it != code_of_.end()) return it->second;
    if (ref_) {
      if (auto code = BaciCodeFromReference(*ref_, key)) {
        code_of_.emplace(key, *code);
        alpha_of_.try_emplace(*code, key);
        return code;
      }
    }
    return std::nullopt;
  }

  // A country cell: numeric code or ISO alpha-3.
  std::optional<int> CodeOfCell(std::string_view raw) {
    const auto text = model::Trim(raw);
    if (auto code = ParseIntegral(text, 0, kMaxCountryCode)) return code;
    if (IsAlpha3(text)) return CodeOfAlpha(text);
    return std::nullopt;
  }

  std::uint32_t Material(std::string_view name) {
    // Rows come grouped by material: the last name read answers most lookups without a key.
    if (last_material_ && name == last_name_) return *last_material_;
    const auto key = model::ToLower(model::Trim(name));
    auto [it, added] = material_.try_emplace(key, static_cast<std::uint32_t>(t_.materials.size()));
    if (added) {
      t_.materials.emplace_back(model::Trim(name));
      hs_.emplace_back();
    }
    last_name_.assign(name);
    last_material_ = it->second;
    return it->second;
  }
  void AddHs(std::uint32_t material, std::string_view code) {
    auto& set = hs_[material];
    if (set.find(code) == set.end()) set.emplace(code);
  }

  void Finish() {
    t_.material_hs.clear();
    for (const auto& set : hs_) {
      std::string s;
      for (const auto& c : set) s += (s.empty() ? "" : ";") + c;
      t_.material_hs.push_back(std::move(s));
    }
  }

 private:
  GeoPolRiskTables& t_;
  const Reference* ref_;
  std::unordered_map<int, std::uint32_t> index_;
  std::map<std::string, int, std::less<>> code_of_;
  std::unordered_map<int, std::string> alpha_of_;
  std::map<std::string, std::uint32_t, std::less<>> material_;
  std::vector<std::set<std::string, std::less<>>> hs_;
  std::string last_name_;
  std::optional<std::uint32_t> last_material_;
};

// wgi_pv_normalized.csv: Country/Territory, Code, country_code, one column per year with g.
std::unordered_map<std::uint64_t, double> ReadWgi(const std::filesystem::path& path, Book& book,
                                                  model::Diagnostics& diags) {
  std::unordered_map<std::uint64_t, double> g_by_code_year;
  TableReader in(path, diags);
  if (!in.ok()) return g_by_code_year;
  const auto c_code = in.Require({"country_code"});
  const auto c_alpha = in.header().Find({"Code"});
  const auto years = YearColumns(in.header());
  if (years.empty()) diags.Error(in.file(), 1, 0, "no year columns (expected e.g. 2022) in the WGI file");
  if (!in.ok()) return g_by_code_year;
  std::map<int, std::size_t> first_line;
  while (in.Next()) {
    // A row without a numeric code cannot be joined to trade rows (geopolrisk-py joins on it).
    if (model::Trim(in[*c_code]).empty()) continue;
    auto code = ParseIntegral(in[*c_code], 0, kMaxCountryCode);
    if (!code) {
      in.Error(*c_code, fmt::format("country_code '{}' is not a numeric country code", model::Trim(in[*c_code])));
      continue;
    }
    if (auto [it, added] = first_line.try_emplace(*code, in.line()); !added) {
      in.Warning(*c_code, fmt::format("second row for country code {} (first at line {}): the first is used", *code,
                                      it->second));
      continue;
    }
    if (c_alpha && IsAlpha3(model::Trim(in[*c_alpha]))) {
      if (auto other = book.NoteAlpha(model::Trim(in[*c_alpha]), *code)) {
        in.Warning(*c_alpha, fmt::format("code {} is also given for country code {}: the first is used",
                                         model::Trim(in[*c_alpha]), *other));
      }
    }
    book.Intern(*code);  // so that the importer can be named by its alpha-3 code
    for (auto [col, year] : years) {
      double g = 0;
      switch (ParseCell(in[col], g)) {
        case Cell::Missing: break;
        case Cell::Bad: in.Error(col, fmt::format("'{}' is not a number", model::Trim(in[col]))); break;
        case Cell::Number:
          if (g < 0 || g > 1) {
            in.Error(col, fmt::format("g {} is outside 0..1: the file holds the normalised score (2.5 - PV) / 5",
                                      model::Trim(in[col])));
          } else {
            g_by_code_year.emplace(CodeYearKey(*code, year), g);
          }
          break;
      }
    }
  }
  return g_by_code_year;
}

bool IsTotalRow(std::string_view code, std::string_view country) {
  return EqualsIgnoreCase(model::Trim(code), "DELETE") || EqualsIgnoreCase(model::Trim(country), "Total") ||
         EqualsIgnoreCase(model::Trim(country), "World");
}

// World Mining Data sheet as CSV: rawMaterial, Country, Country_Code, Country_ISO, one column
// per year, unit, data_source.
void ReadProduction(const std::filesystem::path& path, Book& book, GeoPolRiskTables& t, model::Diagnostics& diags) {
  TableReader in(path, diags);
  if (!in.ok()) return;
  const auto c_material = in.Require({"rawMaterial", "Raw Material"});
  const auto c_code = in.Require({"Country_Code"});
  const auto c_iso = in.header().Find({"Country_ISO"});
  const auto c_country = in.header().Find({"Country"});
  const auto c_unit = in.header().Find({"unit"});
  const auto years = YearColumns(in.header());
  if (years.empty()) diags.Error(in.file(), 1, 0, "no year columns (expected e.g. 2022) in the production file");
  if (!in.ok()) return;
  for (auto [col, year] : years) t.production_years.push_back(year);

  struct MaterialUnit {
    std::string unit;
    double factor = 1;
  };
  std::map<std::uint32_t, MaterialUnit> units;
  std::map<std::pair<std::uint32_t, int>, std::size_t> first_line;
  while (in.Next()) {
    const auto material_name = model::Trim(in[*c_material]);
    if (material_name.empty()) {
      in.Error(*c_material, "empty raw material name");
      continue;
    }
    if (IsTotalRow(in[*c_code], c_country ? in[*c_country] : std::string_view())) continue;
    std::optional<int> code = book.CodeOfCell(in[*c_code]);
    if (!code && model::Trim(in[*c_code]).empty() && c_iso) code = book.CodeOfCell(in[*c_iso]);
    if (!code) {
      in.Error(*c_code, fmt::format("country code '{}' is neither numeric nor a known ISO alpha-3 code",
                                    model::Trim(in[*c_code])));
      continue;
    }
    if (c_iso && IsAlpha3(model::Trim(in[*c_iso]))) book.NoteAlpha(model::Trim(in[*c_iso]), *code);
    const auto material = book.Material(material_name);
    if (auto [it, added] = first_line.try_emplace({material, *code}, in.line()); !added) {
      in.Error(*c_code,
               fmt::format("second row for country {} of {} (first at line {})", *code, material_name, it->second));
      continue;
    }
    // geopolrisk-py reads the unit of a material's first row: kg -> tonnes; metric tonnes as is;
    // other units (e.g. "Mio m3" for natural gas) pass unconverted.
    const std::string unit = c_unit ? std::string(model::Trim(in[*c_unit])) : std::string("metr. t");
    auto [u, first] = units.try_emplace(material, MaterialUnit{unit, 1.0});
    if (first) {
      const auto lu = model::ToLower(unit);
      if (lu == "kg") {
        u->second.factor = kTonnesPerKg;
      } else if (!(lu.empty() || lu == "metr. t" || lu == "t" || lu == "tonnes" || lu == "metric tons")) {
        in.Warning(*c_unit, fmt::format("{} is given in '{}': not converted to tonnes (as geopolrisk-py), so "
                                        "domestic production and imports (t) are added as they are",
                                        material_name, unit));
      }
    } else if (!EqualsIgnoreCase(u->second.unit, unit)) {
      in.Warning(*c_unit, fmt::format("unit '{}' differs from '{}' of the material's first row, which is used", unit,
                                      u->second.unit));
    }
    const auto country = book.Intern(*code);
    for (auto [col, year] : years) {
      double q = 0;
      switch (ParseCell(in[col], q)) {
        case Cell::Bad: in.Error(col, fmt::format("production '{}' is not a number", model::Trim(in[col]))); continue;
        case Cell::Number:
          if (q < 0) {
            in.Error(col, fmt::format("negative production {}", model::Trim(in[col])));
            continue;
          }
          q *= u->second.factor;
          break;
        case Cell::Missing: break;
      }
      t.production.push_back(GprProductionRow{material, country, year, q});
    }
  }
}

// BACI imports with g: Year, Exporting Country, Importing Country, rawMaterial, Resource HSCODE,
// Trade Value (1000 USD), Quantity (mTonnes), WGI (the package's database names also accepted).
void ReadTrade(const std::filesystem::path& path, const std::unordered_map<std::uint64_t, double>& g_table, Book& book,
               GeoPolRiskTables& t, model::Diagnostics& diags) {
  TableReader in(path, diags);
  if (!in.ok()) return;
  const auto c_year = in.Require({"Year", "period"});
  const auto c_exporter = in.Require({"Exporting Country", "partnerCode"});
  const auto c_importer = in.Require({"Importing Country", "reporterCode"});
  const auto c_material = in.Require({"rawMaterial", "Raw Material"});
  const auto c_value = in.Require({"Trade Value (1000 USD)", "cifvalue"});
  const auto c_quantity = in.Require({"Quantity (mTonnes)", "qty"});
  const auto c_hs = in.header().Find({"Resource HSCODE", "cmdCode", "HS CODE"});
  const auto c_g = in.header().Find({"WGI", "partnerWGI"});
  if (!in.ok()) return;
  std::vector<std::string_view> hs;  // views into the current row
  while (in.Next()) {
    bool ok = true;
    const auto year = ParseIntegral(in[*c_year], kMinYear, kMaxYear);
    if (!year) {
      in.Error(*c_year, fmt::format("year '{}' is not a year", model::Trim(in[*c_year])));
      ok = false;
    }
    auto country = [&](std::size_t col, const char* what) -> std::optional<int> {
      auto code = book.CodeOfCell(in[col]);
      if (!code) {
        in.Error(col, fmt::format("{} '{}' is neither a numeric country code nor a known ISO alpha-3 code", what,
                                  model::Trim(in[col])));
        ok = false;
      }
      return code;
    };
    const auto exporter = country(*c_exporter, "exporter");
    const auto importer = country(*c_importer, "importer");
    const auto material_name = model::Trim(in[*c_material]);
    if (material_name.empty()) {
      in.Error(*c_material, "empty raw material name");
      ok = false;
    }
    auto figure = [&](std::size_t col, const char* what) {
      double x = 0;
      switch (ParseCell(in[col], x)) {
        case Cell::Bad:
          in.Error(col, fmt::format("{} '{}' is not a number", what, model::Trim(in[col])));
          ok = false;
          break;
        case Cell::Number:
          if (x < 0) {
            in.Error(col, fmt::format("negative {} {}", what, model::Trim(in[col])));
            ok = false;
          }
          break;
        case Cell::Missing: break;
      }
      return x;
    };
    const double value = figure(*c_value, "trade value");
    const double quantity = figure(*c_quantity, "quantity");
    double g = kNaN;
    if (c_g) {
      switch (ParseCell(in[*c_g], g)) {
        case Cell::Bad:
          in.Error(*c_g, fmt::format("WGI '{}' is not a number", model::Trim(in[*c_g])));
          ok = false;
          break;
        case Cell::Number:
          if (g < 0 || g > 1) {
            in.Error(*c_g, fmt::format("WGI {} is outside 0..1: the column holds the normalised score (2.5 - PV) / 5",
                                       model::Trim(in[*c_g])));
            ok = false;
          }
          break;
        case Cell::Missing: break;
      }
    }
    hs.clear();
    if (c_hs) {
      std::string_view list = in[*c_hs];
      std::size_t from = 0;
      while (from <= list.size()) {
        auto semi = list.find(';', from);
        auto part =
            model::Trim(list.substr(from, semi == std::string_view::npos ? std::string_view::npos : semi - from));
        if (!part.empty()) {
          if (!std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) || part.size() < 2 ||
              part.size() > 10) {
            in.Error(*c_hs, fmt::format("HS code '{}' is not a number of 2 to 10 digits (lists: 250410;250490)", part));
            ok = false;
          } else {
            hs.emplace_back(part);
          }
        }
        if (semi == std::string_view::npos) break;
        from = semi + 1;
      }
    }
    if (!ok) continue;
    if (std::isnan(g)) {
      // geopolrisk-py's partnerWGI is the WGI table's g for the exporter and year.
      if (auto it = g_table.find(CodeYearKey(*exporter, *year)); it != g_table.end()) g = it->second;
    }
    const auto material = book.Material(material_name);
    for (auto code : hs) book.AddHs(material, code);
    t.trade.push_back(GprTradeRow{material, book.Intern(*exporter), book.Intern(*importer), *year, quantity, value, g});
  }
}

}  // namespace

GeoPolRiskReadResult ReadGeoPolRiskTables(const std::filesystem::path& production, const std::filesystem::path& trade,
                                          const std::filesystem::path& wgi_pv, const GeoPolRiskFileOptions& options) {
  GeoPolRiskReadResult result;
  model::Diagnostics diags;
  Book book(result.tables, options.reference);
  // WGI and production first: they map alpha-3 codes to numeric ones for the trade file.
  const auto g_table = ReadWgi(wgi_pv, book, diags);
  ReadProduction(production, book, result.tables, diags);
  ReadTrade(trade, g_table, book, result.tables, diags);
  book.Finish();
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  result.warnings = std::move(diags);
  return result;
}

std::optional<int> ParseGprCode(std::string_view text, int lo, int hi) { return ParseIntegral(text, lo, hi); }

}  // namespace lodestone::data
