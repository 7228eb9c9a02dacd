// Importer of the latest published processing and refining shares (sources/curated/refining_shares.csv
// -> shares.csv, scope global, period = the year of the figures): one distribution per mineral,
// stage and year, the countries the publisher names plus "other countries" for the rest.
#include "curated_common.hpp"

namespace lodestone::data {

using namespace curated;

namespace {

constexpr std::string_view kSharesTable = "shares.csv";
constexpr std::string_view kGlobalScope = "global";
constexpr std::string_view kResidualCountry = "XOT";
constexpr std::string_view kResidualSourceId = "assume_refining_residual";
constexpr std::int64_t kWhole = 1000;    // shares are held in tenths of a percent
constexpr std::int64_t kSlack = 20;      // the loader's tolerance of 0.02, in tenths of a percent
constexpr std::size_t kMaxDecimals = 1;  // "92.5" is the finest figure the sources print

enum class Bound { None, AtLeast, AtMost };

struct Share {
  std::int64_t tenths = 0;  // of a percent
  Bound bound = Bound::None;
};

// "92", "37.5", ">90", "<5" (percent) -> tenths of a percent; nullopt for anything else.
std::optional<Share> ParseShare(std::string_view text) {
  Share s;
  if (!text.empty() && (text.front() == '>' || text.front() == '<')) {
    s.bound = text.front() == '>' ? Bound::AtLeast : Bound::AtMost;
    text.remove_prefix(1);
  }
  std::int64_t whole = 0, frac = 0;
  std::size_t decimals = 0;
  bool point = false, digits = false;
  for (char c : text) {
    if (c == '.' && !point) {
      point = true;
    } else if (IsDigit(c)) {
      digits = true;
      if (point) {
        if (++decimals > kMaxDecimals) return std::nullopt;
        frac = c - '0';
      } else {
        whole = whole * 10 + (c - '0');
        if (whole > 100) return std::nullopt;
      }
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  s.tenths = whole * 10 + frac;
  if (s.tenths > kWhole) return std::nullopt;
  if (s.bound == Bound::AtMost && s.tenths == 0) return std::nullopt;  // "<0": no share is below zero
  return s;
}

// Tenths of a percent as a fraction cell: 920 -> "0.92", 5 -> "0.005", 1000 -> "1".
std::string Cell(const Share& s) {
  const std::string_view prefix = s.bound == Bound::AtLeast ? ">" : s.bound == Bound::AtMost ? "<" : "";
  if (s.tenths == kWhole) return std::string(prefix) + "1";
  std::string frac = fmt::format("{:03d}", s.tenths);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return std::string(prefix) + (frac.empty() ? "0" : "0." + frac);
}

}  // namespace

ImportResult ImportRefiningShares(const fs::path& file, const Reference& ref) {
  auto c = Open("refining-shares", file,
                {"mineral", "stage", "country", "year", "share_pct", "source", "url", "licence", "evidence", "note"},
                ref, kSharesTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  if (!c.map || !c.table) return result;
  // Listed even when no residual is needed, so that re-importing replaces earlier residual rows.
  detail::AddSource(result, ref.SourceRecord(kResidualSourceId));
  const auto& t = *c.table;
  const auto countries = CountryCodes(ref);
  SourceBook book("rs");
  std::set<std::string> cited;

  struct Entry {
    std::string country;
    Share share;
    std::string source_id;
    std::size_t line;
  };
  // (mineral, stage, year) -> the named countries, in file order.
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<Entry>> dists;
  std::size_t low = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    bool ok = true;
    auto error = [&](std::string_view column, std::string message) {
      diags.Error(t.file, line, t.Column(column), std::move(message));
      ok = false;
    };
    auto cell = [&](std::string_view column) -> const std::string& { return t.Cell(r, column); };
    for (const auto& [name, index] : t.col) {
      if (model::HasControlChar(t.rows[r][index])) error(name, fmt::format("control character in column '{}'", name));
    }

    const auto& mineral = cell("mineral");
    if (!ref.MineralUnit(mineral))
      error("mineral", fmt::format("mineral '{}' is not an id of minerals.csv", Clip(mineral)));
    const auto& stage = cell("stage");
    if (!IsIdentifier(stage)) error("stage", fmt::format("stage '{}' is not an identifier", Clip(stage)));
    const auto& country = cell("country");
    if (!countries.count(country) && country != kResidualCountry) {
      error("country", fmt::format("country '{}' is not an ISO3 code of countries.csv", Clip(country)));
    }
    double year = 0;
    if (!model::ParseDouble(cell("year"), year) || year != std::floor(year) || year < kMinYear || year > kMaxYear) {
      error("year",
            fmt::format("year '{}' must be a whole year between {} and {}", Clip(cell("year")), kMinYear, kMaxYear));
    }
    auto share = ParseShare(cell("share_pct"));
    if (!share) {
      error("share_pct", fmt::format("share '{}' is not a percentage: expected 0 to 100 with at most one decimal, "
                                     "optionally a bound ('>90', '<5')",
                                     Clip(cell("share_pct"))));
    }
    auto grade = CheckEvidenceAndSource(t, r, line, diags, ok);
    if (!ok) continue;
    if (SkipLowEvidence(*grade, t, line, "row", cell("evidence"), diags)) {
      ++low;
      continue;
    }
    const auto id = book.Cite(cell("source"), cell("url"), cell("licence"), *grade);
    auto& dist = dists[{mineral, stage, model::FormatNumber(year)}];
    auto same = std::find_if(dist.begin(), dist.end(), [&](const Entry& e) { return e.country == country; });
    if (same != dist.end()) {
      error("country", fmt::format("second share of {} for {} {} {}: first given at line {}", country, mineral, stage,
                                   model::FormatNumber(year), same->line));
      continue;
    }
    dist.push_back({country, *share, id, line});
  }

  auto& out = result.tables[std::string(kSharesTable)].rows;
  std::size_t residuals = 0, rows = 0;
  for (const auto& [key, entries] : dists) {
    const auto& [mineral, stage, period] = key;
    // What the named countries hold at least: figures and lower bounds ("<x" counts as 0).
    std::int64_t listed = 0;
    bool any_bound = false, has_residual = false;
    for (const auto& e : entries) {
      if (e.share.bound != Bound::AtMost) listed += e.share.tenths;
      any_bound = any_bound || e.share.bound != Bound::None;
      has_residual = has_residual || e.country == kResidualCountry;
    }
    if (listed > kWhole + kSlack) {
      diags.Error(t.file, entries.front().line, t.Column("share_pct"),
                  fmt::format("shares of {} {} {} sum to {}%, more than 100", mineral, stage, period,
                              model::FormatNumber(static_cast<double>(listed) / 10)));
      continue;
    }
    for (const auto& e : entries) {
      out.push_back({mineral, stage, std::string(kGlobalScope), e.country, period, Cell(e.share), "", e.source_id});
      cited.insert(e.source_id);
      ++rows;
    }
    if (listed >= kWhole || has_residual) continue;
    // The rest goes to "other countries": a figure when every named share is one, else a bound.
    Share rest{kWhole - listed, any_bound ? Bound::AtMost : Bound::None};
    out.push_back({mineral, stage, std::string(kGlobalScope), std::string(kResidualCountry), period, Cell(rest), "",
                   std::string(kResidualSourceId)});
    ++residuals;
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"rows imported", rows},
                  {"rows skipped: low evidence (not shipped as fact)", low},
                  {"distributions", dists.size()},
                  {"residual rows added (XOT)", residuals}};
  return result;
}

}  // namespace lodestone::data
