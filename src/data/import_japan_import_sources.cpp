// Importer of Japan's import sources (sources/curated, import_sources.csv): shares as printed,
// with the remainder assigned to other countries.
#include "curated_common.hpp"

namespace lodestone::data {

using namespace curated;

namespace {

constexpr std::string_view kImportSourcesTable = "import_sources.csv";
constexpr std::string_view kTotalPartner = "all";  // the total row of a Japanese distribution
constexpr std::string_view kResidualCountry = "XOT";
constexpr std::string_view kJpnResidualSourceId = "assume_jpn_import_residual";
constexpr std::uint8_t kMaxShareDecimals = 6;      // of a percentage; curated files print one
constexpr std::uint8_t kWordFractionDecimals = 1;  // "two thirds" -> 66.6%, the files' precision
constexpr std::uint64_t kPercentWhole = 100;
constexpr std::uint64_t kShareSlackPercent = 2;  // the loader's tolerance of 0.02, in percent

enum class Bound { None, AtLeast, AtMost };

// A percentage as printed, exactly: `units` of 10^-decimals percent.
struct Percent {
  std::uint64_t units = 0;
  std::uint8_t decimals = 0;
  Bound bound = Bound::None;
  bool approximate = false;  // "about 90": the number is kept, the qualifier dropped
  bool range = false;        // "60-70": stored as its lower end, a bound

  std::uint64_t At(std::uint8_t d) const {  // units at `d` >= decimals
    std::uint64_t v = units;
    for (std::uint8_t i = decimals; i < d; ++i) v *= 10;
    return v;
  }
};

std::uint64_t Pow10(std::uint8_t n) {
  std::uint64_t v = 1;
  for (std::uint8_t i = 0; i < n; ++i) v *= 10;
  return v;
}

// `units` of 10^-decimals percent as a fraction: (446, 1) -> "0.446", (1000, 1) -> "1".
std::string FractionText(std::uint64_t units, std::uint8_t decimals) {
  const std::uint8_t scale = static_cast<std::uint8_t>(decimals + 2);
  const std::uint64_t whole = Pow10(scale);
  std::string text = std::to_string(units / whole);
  std::string frac = std::to_string(units % whole);
  frac.insert(0, scale - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) text += "." + frac;
  return text;
}

std::string CellText(const Percent& p) {
  const std::string_view prefix = p.bound == Bound::AtLeast ? ">" : p.bound == Bound::AtMost ? "<" : "";
  return std::string(prefix) + FractionText(p.units, p.decimals);
}

// "44.6" -> (446, 1); nullopt for anything but digits with an optional decimal point.
std::optional<Percent> ParsePercentNumber(std::string_view s) {
  Percent p;
  bool point = false, digits = false;
  for (char c : s) {
    if (c == '.' && !point) {
      point = true;
    } else if (IsDigit(c)) {
      digits = true;
      if (point && ++p.decimals > kMaxShareDecimals) return std::nullopt;
      if (p.units > kPercentWhole * Pow10(kMaxShareDecimals)) return std::nullopt;  // far above 100
      p.units = p.units * 10 + static_cast<std::uint64_t>(c - '0');
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  return p;
}

// Fractions printed in words; bounds round outwards so that they stay true ("more than two
// thirds" -> ">66.6%"), plain figures to the nearest.
struct WordFraction {
  std::string_view words;
  std::uint64_t num, den;
};

constexpr std::array<WordFraction, 8> kWordFractions = {{
    {"half", 1, 2},
    {"one half", 1, 2},
    {"a third", 1, 3},
    {"one third", 1, 3},
    {"two thirds", 2, 3},
    {"a quarter", 1, 4},
    {"one quarter", 1, 4},
    {"three quarters", 3, 4},
}};

// A share as printed in a curated file (percent) -> Percent; error text otherwise.
//   44.6 | 44.6% | about 90 (approximate: 90) | more than 80, over 80, 80 or more (>80)
//   | less than 5, up to 5, 5 or less (<5) | 60-70 (>60, the range's lower end)
//   | more than two thirds (>66.6)
std::optional<Percent> ParseSharePercent(std::string_view text, std::string& error) {
  struct Words {
    std::string_view words;
    Bound bound;
    bool approximate;
  };
  static constexpr std::array<Words, 15> kPrefixes = {{
      {"about ", Bound::None, true},
      {"nearly ", Bound::None, true},
      {"almost ", Bound::None, true},
      {"around ", Bound::None, true},
      {"approximately ", Bound::None, true},
      {"~", Bound::None, true},
      {"more than ", Bound::AtLeast, false},
      {"over ", Bound::AtLeast, false},
      {"above ", Bound::AtLeast, false},
      {"at least ", Bound::AtLeast, false},
      {"less than ", Bound::AtMost, false},
      {"below ", Bound::AtMost, false},
      {"under ", Bound::AtMost, false},
      {"up to ", Bound::AtMost, false},
      {"at most ", Bound::AtMost, false},
  }};
  static constexpr std::array<Words, 2> kSuffixes = {{
      {" or more", Bound::AtLeast, false},
      {" or less", Bound::AtMost, false},
  }};
  auto fail = [&]() -> std::optional<Percent> {
    error = fmt::format(
        "share '{}' is not a percentage: expected a number, a bound ('more than 80', '90 or more'), "
        "an approximate figure ('about 90') or a range ('60-70')",
        Clip(text));
    return std::nullopt;
  };
  std::string s = model::ToLower(detail::Trim(text));
  Bound bound = Bound::None;
  bool approximate = false;
  auto set_bound = [&](Bound b) {
    if (bound != Bound::None && bound != b) return false;
    bound = b;
    return true;
  };
  for (const auto& w : kSuffixes) {
    if (s.size() > w.words.size() && s.compare(s.size() - w.words.size(), w.words.size(), w.words) == 0) {
      s.resize(s.size() - w.words.size());
      if (!set_bound(w.bound)) return fail();
    }
  }
  for (bool matched = true; matched;) {
    matched = false;
    for (const auto& w : kPrefixes) {
      if (s.rfind(w.words, 0) == 0) {
        s.erase(0, w.words.size());
        if (w.approximate) approximate = true;
        if (w.bound != Bound::None && !set_bound(w.bound)) return fail();
        matched = true;
      }
    }
  }
  s = std::string(detail::Trim(s));
  if (!s.empty() && s.back() == '%') s = std::string(detail::Trim(std::string_view(s).substr(0, s.size() - 1)));
  std::optional<Percent> p;
  bool range = false;
  for (const auto& f : kWordFractions) {
    if (s != f.words) continue;
    const std::uint64_t scaled = kPercentWhole * Pow10(kWordFractionDecimals) * f.num;
    Percent w;
    w.decimals = kWordFractionDecimals;
    w.units = bound == Bound::AtLeast  ? scaled / f.den
              : bound == Bound::AtMost ? (scaled + f.den - 1) / f.den
                                       : (scaled + f.den / 2) / f.den;
    p = w;
  }
  if (!p) {
    const auto dash = s.find('-');
    if (dash != std::string::npos && dash > 0) {
      auto lo = ParsePercentNumber(detail::Trim(std::string_view(s).substr(0, dash)));
      auto hi = ParsePercentNumber(detail::Trim(std::string_view(s).substr(dash + 1)));
      const std::uint8_t d = lo && hi ? std::max(lo->decimals, hi->decimals) : 0;
      if (!lo || !hi || lo->At(d) >= hi->At(d) || hi->At(d) > kPercentWhole * Pow10(d) || bound != Bound::None) {
        return fail();
      }
      // The grammar has no range: the lower end is kept as a bound ("at least 60%").
      p = lo;
      bound = Bound::AtLeast;
      range = true;
    } else {
      p = ParsePercentNumber(s);
    }
  }
  if (!p) return fail();
  if (p->units > kPercentWhole * Pow10(p->decimals)) {
    error = fmt::format("share '{}' is above 100 percent", Clip(text));
    return std::nullopt;
  }
  p->bound = bound;
  p->approximate = approximate;
  p->range = range;
  return p;
}

// Whether figure `f` is consistent with bound `b` ("more than 80" and 90).
bool Consistent(const Percent& b, const Percent& f) {
  const std::uint8_t d = std::max(b.decimals, f.decimals);
  return b.bound == Bound::AtLeast ? f.At(d) >= b.At(d) : f.At(d) <= b.At(d);
}

}  // namespace

ImportResult ImportJapanImportSources(const fs::path& file, const Reference& ref) {
  auto c = Open("japan-import-sources", file,
                {"mineral", "product", "partner", "share_pct", "period", "source", "source_date", "url", "evidence"},
                ref, kImportSourcesTable);
  auto& result = c.result;
  auto& diags = result.diagnostics;
  if (!c.map || !c.table) return result;
  // Listed even when no residual is needed, so that ApplyImport replaces the residual rows of an
  // earlier import too.
  detail::AddSource(result, ref.SourceRecord(kJpnResidualSourceId));
  const auto& t = *c.table;
  const auto countries = CountryCodes(ref);
  SourceBook book("jpnimp");
  std::set<std::string> cited;

  struct Entry {
    std::string country;
    Percent share;
    std::string source_id;
    std::size_t line;
  };
  struct Distribution {
    std::vector<Entry> entries;  // in file order
  };
  // (mineral, product, period) -> its listed shares; ordered, so the output is too.
  std::map<std::tuple<std::string, std::string, std::string>, Distribution> dists;
  std::map<std::string, std::size_t> skipped;  // reason -> rows
  std::size_t totals = 0, approximate = 0, worded_bounds = 0, ranges = 0, superseded = 0;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const std::size_t line = t.lines[r];
    bool ok = true;
    auto error = [&](std::string_view column, std::string message) {
      diags.Error(t.file, line, t.Column(column), std::move(message));
      ok = false;
    };
    auto cell = [&](std::string_view column) -> const std::string& { return t.Cell(r, column); };

    const auto& mtext = cell("mineral");
    std::string mineral;
    if (ref.MineralUnit(mtext)) {
      mineral = mtext;
    } else if (const auto* m = c.map->Find("mineral", mtext)) {
      if (!m->skip.empty()) {
        diags.Warning(t.file, line, t.Column("mineral"), fmt::format("row skipped ({}): {}", m->skip, m->note));
        ++skipped[m->skip];
        continue;
      }
      mineral = m->id;
    } else {
      error("mineral",
            fmt::format("mineral '{}' is neither an id of minerals.csv nor listed in {}", Clip(mtext), kMapFile));
    }
    if (cell("product").empty()) error("product", "empty product");
    if (cell("period").empty()) {
      error("period", "empty period (as printed, e.g. 2024 or 2024 H1)");
    } else if (!CheckDateCell(t, r, "period", diags)) {
      ok = false;
    }
    const auto& etext = cell("evidence");
    auto grade = NormaliseEvidence(etext);
    if (!grade) error("evidence", fmt::format("evidence '{}' must grade as primary, secondary or low", Clip(etext)));
    if (cell("source").empty()) error("source", "empty source: every row names its source");

    const auto& ptext = cell("partner");
    const auto& share_text = cell("share_pct");
    const bool total = model::ToLower(ptext) == kTotalPartner;
    if (!total && share_text.empty()) {
      // "change in import volume", "main sources, no shares": nothing to record as a share.
      if (ok) {
        diags.Warning(t.file, line, t.Column("share_pct"), fmt::format("row skipped: no share for '{}'", Clip(ptext)));
        ++skipped["no share"];
      }
      continue;
    }
    std::string country;
    if (!total) {
      // A country, or "other countries" as published (which closes the distribution).
      if (auto iso = ref.CountryByName(ptext); iso && (countries.count(*iso) || *iso == kResidualCountry)) {
        country = *iso;
      } else if (const auto* m = c.map->Find("entity", ptext); m && !m->skip.empty()) {
        if (ok) {
          diags.Warning(t.file, line, t.Column("partner"), fmt::format("row skipped ({}): {}", m->skip, m->note));
          ++skipped[m->skip];
        }
        continue;
      } else {
        error("partner", fmt::format("partner '{}' is neither a country of countries.csv nor listed in {}", Clip(ptext),
                                     kMapFile));
      }
    }
    std::string share_error;
    auto share = ParseSharePercent(share_text, share_error);
    if (!share) error("share_pct", share_error);
    if (!ok) continue;
    if (total) {
      // The total row states the base of the shares; it is not a supplier.
      if (share->bound != Bound::None || share->approximate || share->units != kPercentWhole * Pow10(share->decimals)) {
        error("share_pct", fmt::format("the total row (partner '{}') must say 100, not '{}'", ptext, Clip(share_text)));
      } else {
        ++totals;
      }
      continue;
    }
    if (SkipLowEvidence(*grade, t, line, "row", etext, diags)) {
      ++skipped["low evidence"];
      continue;
    }
    if (share->approximate || share->bound != Bound::None) {
      diags.Warning(t.file, line, t.Column("share_pct"),
                    fmt::format("share '{}' stored as '{}'", share_text, CellText(*share)));
    }
    const auto source_id = book.Cite(cell("source"), cell("url"), "", *grade, cell("source_date"));
    auto& dist = dists[{mineral, cell("product"), cell("period")}];
    Entry entry{country, *share, source_id, line};
    auto same =
        std::find_if(dist.entries.begin(), dist.entries.end(), [&](const Entry& e) { return e.country == country; });
    if (same == dist.entries.end()) {
      dist.entries.push_back(std::move(entry));
      continue;
    }
    // Two rows for one supplier: a figure supersedes a bound it satisfies ("more than 80" and
    // "90"); anything else is a conflict to resolve in the file.
    const bool old_bound = same->share.bound != Bound::None, new_bound = share->bound != Bound::None;
    if (old_bound && !new_bound && Consistent(same->share, *share)) {
      diags.Warning(t.file, same->line, t.Column("share_pct"),
                    fmt::format("bound superseded by the figure at line {}, which satisfies it", line));
      *same = std::move(entry);
      ++superseded;
    } else if (!old_bound && new_bound && Consistent(*share, same->share)) {
      diags.Warning(t.file, line, t.Column("share_pct"),
                    fmt::format("bound superseded by the figure at line {}, which satisfies it", same->line));
      ++superseded;
    } else {
      error("partner", fmt::format("second share of {} for {} {} ({}): first given at line {}", country, mineral,
                                   cell("product"), cell("period"), same->line));
    }
  }

  auto& out = result.tables[std::string(kImportSourcesTable)].rows;
  std::size_t residuals = 0;
  for (const auto& [key, dist] : dists) {
    const auto& [mineral, product, period] = key;
    std::uint8_t decimals = 0;
    for (const auto& e : dist.entries) decimals = std::max(decimals, e.share.decimals);
    // What the listed suppliers hold at least: figures and lower bounds ("<x" counts as 0).
    std::uint64_t listed = 0;
    bool any_bound = false, has_residual = false;
    for (const auto& e : dist.entries) {
      if (e.share.bound != Bound::AtMost) listed += e.share.At(decimals);
      any_bound = any_bound || e.share.bound != Bound::None;
      has_residual = has_residual || e.country == kResidualCountry;
    }
    const std::uint64_t whole = kPercentWhole * Pow10(decimals);
    if (listed > whole + kShareSlackPercent * Pow10(decimals)) {
      diags.Error(t.file, dist.entries.front().line, t.Column("share_pct"),
                  fmt::format("shares of {} {} ({}) sum to {}%, more than 100", mineral, product, period,
                              FractionText(listed * kPercentWhole, decimals)));
      continue;
    }
    for (const auto& e : dist.entries) {
      out.push_back({std::string(kJapan), mineral, product, period, e.country, CellText(e.share), e.source_id});
      cited.insert(e.source_id);
      if (e.share.range) {
        ++ranges;
      } else if (e.share.bound != Bound::None) {
        ++worded_bounds;
      } else if (e.share.approximate) {
        ++approximate;
      }
    }
    if (listed >= whole || has_residual) continue;
    // The rest of the distribution goes to "other countries": a figure when every listed share is
    // one, else only a bound (the assumption record states the rule).
    Percent rest;
    rest.units = whole - listed;
    rest.decimals = decimals;
    rest.bound = any_bound ? Bound::AtMost : Bound::None;
    out.push_back({std::string(kJapan), mineral, product, period, std::string(kResidualCountry), CellText(rest),
                   std::string(kJpnResidualSourceId)});
    ++residuals;
  }
  book.AddTo(result, cited);
  result.stats = {{"rows read", t.rows.size()},
                  {"rows imported", out.size() - residuals},
                  {"total rows (partner all, 100%)", totals},
                  {"rows skipped: no share", skipped["no share"]},
                  {"rows skipped: exporter_side", skipped["exporter_side"]},
                  {"rows skipped: several_countries", skipped["several_countries"]},
                  {"rows skipped: not_in_minerals", skipped["not_in_minerals"]},
                  {"rows skipped: several_minerals", skipped["several_minerals"]},
                  {"rows skipped: low evidence (not shipped as fact)", skipped["low evidence"]},
                  {"bounds superseded by a figure", superseded},
                  {"approximate figures (about 90)", approximate},
                  {"bounds from wording (more than, or more)", worded_bounds},
                  {"ranges stored as lower bound (60-70)", ranges},
                  {"distributions", dists.size()},
                  {"residual rows added (XOT)", residuals}};
  return result;
}

}  // namespace lodestone::data
