// Dataset description and per-mineral supply pictures.
#include "lodestone/data/summary.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "lodestone/data/loader.hpp"

namespace lodestone::data {

using model::CountryKind;
using model::Dataset;

DatasetInfo DescribeDataset(const Dataset& ds) {
  const auto& c = *ds;
  DatasetInfo info;
  info.name = c.manifest.name;
  info.version = c.manifest.version;
  info.date = c.manifest.date;
  info.description = c.manifest.description;
  for (const auto& [file, rows] : c.manifest.table_rows) info.tables.emplace_back(file, rows);
  info.countries = c.countries.size();

  std::vector<std::size_t> source_rows(c.manifest.sources.size(), 0);
  std::set<std::uint16_t> minerals, stages, countries;
  int ymin = 0, ymax = 0;
  auto year = [&](int y) {
    ymin = ymin == 0 ? y : std::min(ymin, y);
    ymax = std::max(ymax, y);
  };
  auto count = [&](const std::vector<model::SourceId>& src) {
    for (auto s : src) ++source_rows[s.index()];
  };
  for (const auto* t : {&c.production, &c.capacity}) {
    for (std::size_t i = 0; i < t->size(); ++i) {
      minerals.insert(t->mineral[i].value);
      stages.insert(t->stage[i].value);
      countries.insert(t->country[i].value);
      year(t->year[i]);
    }
    count(t->source);
  }
  for (std::size_t i = 0; i < c.reserves.size(); ++i) {
    minerals.insert(c.reserves.mineral[i].value);
    countries.insert(c.reserves.country[i].value);
    year(c.reserves.year[i]);
  }
  count(c.reserves.source);
  for (std::size_t i = 0; i < c.shares.size(); ++i) {
    minerals.insert(c.shares.mineral[i].value);
    stages.insert(c.shares.stage[i].value);
    countries.insert(c.shares.country[i].value);
  }
  count(c.shares.source);
  for (std::size_t i = 0; i < c.trade.size(); ++i) {
    minerals.insert(c.trade.mineral[i].value);
    stages.insert(c.trade.stage[i].value);
    countries.insert(c.trade.exporter[i].value);
    countries.insert(c.trade.importer[i].value);
    year(c.trade.year[i]);
  }
  count(c.trade.source);
  for (std::size_t i = 0; i < c.governance.size(); ++i) countries.insert(c.governance.country[i].value);
  count(c.governance.source);
  count(c.groups.source);
  count(c.import_sources.source);
  for (std::size_t i = 0; i < c.import_reliance.size(); ++i) year(c.import_reliance.year[i]);
  count(c.import_reliance.source);
  for (std::size_t i = 0; i < c.headlines.size(); ++i) minerals.insert(c.headlines.mineral[i].value);
  count(c.headlines.source);
  count(c.policies.source);

  // Freshness: per table, the latest year, period or date of its rows and who published those rows.
  // Periods ("2016-2020", "2024") and ISO dates compare as text in time order.
  std::map<std::string, std::map<std::string, std::set<std::string>>> latest;  // file -> when -> sources
  auto dated = [&](const char* file, const std::string& when, model::SourceId src) {
    // Only years, periods and dates: a cell in words ("between 2022-06 and 2023-06") is not ordered.
    if (when.empty() || when.front() < '0' || when.front() > '9') return;
    latest[file][when].insert(c.manifest.sources[src.index()].id);
  };
  auto yearly = [&](const char* file, const auto& t) {
    for (std::size_t i = 0; i < t.size(); ++i) dated(file, std::to_string(t.year[i]), t.source[i]);
  };
  yearly("production.csv", c.production);
  yearly("capacity.csv", c.capacity);
  yearly("reserves.csv", c.reserves);
  yearly("trade.csv", c.trade);
  yearly("governance.csv", c.governance);
  yearly("import_reliance.csv", c.import_reliance);
  // Headlines: published facts only, not a scenario's projection for 2030 or 2040.
  for (std::size_t i = 0; i < c.headlines.size(); ++i) {
    if (c.headlines.scenario[i] == "historical") {
      dated("headlines.csv", std::to_string(c.headlines.year[i]), c.headlines.source[i]);
    }
  }
  for (std::size_t i = 0; i < c.shares.size(); ++i) dated("shares.csv", c.shares.period[i], c.shares.source[i]);
  for (std::size_t i = 0; i < c.import_sources.size(); ++i) {
    dated("import_sources.csv", c.import_sources.period[i], c.import_sources.source[i]);
  }
  for (std::size_t i = 0; i < c.policies.size(); ++i) {
    dated("policies.csv", c.policies.effective[i].empty() ? c.policies.announced[i] : c.policies.effective[i],
          c.policies.source[i]);
  }
  for (std::size_t i = 0; i < c.groups.size(); ++i) dated("groups.csv", c.groups.since[i], c.groups.source[i]);
  for (const auto& [file, by_when] : latest) {
    const auto& [when, srcs] = *by_when.rbegin();
    info.freshness[file] = {when, {srcs.begin(), srcs.end()}};
  }

  for (auto m : minerals) info.minerals.push_back(c.minerals[m].id);
  std::sort(info.minerals.begin(), info.minerals.end());
  for (auto s : stages) info.stages.push_back(c.stage_ids.Name(model::StageId{s}));
  std::sort(info.stages.begin(), info.stages.end());
  for (auto id : countries) {
    if (c.countries[id].kind == CountryKind::Country) ++info.countries_with_data;
  }
  info.year_min = ymin;
  info.year_max = ymax;
  for (std::size_t i = 0; i < c.manifest.sources.size(); ++i) {
    info.sources.push_back({c.manifest.sources[i], source_rows[i]});
  }
  return info;
}

DatasetCheck CheckDataset(const std::filesystem::path& dir) {
  auto loaded = LoadDataset(dir);
  DatasetCheck check;
  check.dataset = dir.string();
  check.valid = loaded.dataset.has_value();
  check.diagnostics = std::move(loaded.diagnostics);
  if (loaded.dataset) {
    const auto& m = (*loaded.dataset)->manifest;
    check.name = m.name;
    check.version = m.version;
    check.date = m.date;
    check.tables = m.table_rows.size();
    for (const auto& [file, n] : m.table_rows) check.rows += n;
    check.sources = m.sources.size();
  }
  return check;
}

std::vector<SupplyPicture> SupplyPictures(const Dataset& ds, model::MineralId mineral, std::optional<int> year) {
  const auto& c = *ds;
  const auto& t = c.production;
  // Latest year per stage when no year is asked for.
  std::map<std::uint16_t, int> stage_year;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.mineral[i] != mineral) continue;
    if (year && t.year[i] != *year) continue;
    auto& y = stage_year[t.stage[i].value];
    y = std::max(y, static_cast<int>(t.year[i]));
  }
  std::vector<SupplyPicture> out;
  for (const auto& [stage, y] : stage_year) {
    SupplyPicture p;
    p.mineral = mineral;
    p.stage = model::StageId{stage};
    p.year = y;
    p.unit = c.minerals[mineral.index()].unit.text;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (t.mineral[i] != mineral || t.stage[i].value != stage || t.year[i] != y) continue;
      const auto kind = c.countries[t.country[i].index()].kind;
      if (kind == CountryKind::Aggregate) {
        p.world = t.quantity[i];
        p.world_source = t.source[i];
        p.world_note = t.note[i];
        continue;
      }
      p.entries.push_back({t.country[i], t.quantity[i], std::nullopt,
                           model::Value::Missing(model::ValueStatus::Unknown), t.source[i], t.note[i]});
      if (t.quantity[i].IsKnown()) {
        p.listed_total += t.quantity[i].number;
      } else {
        ++p.missing;
      }
    }
    double denom = p.listed_total;
    p.share_basis = "sum of listed countries";
    // Published world totals are rounded; when the listed countries add up to more (gallium 2025:
    // China 900 t of a rounded world 900 t, plus Japan and Russia), shares use the listed sum so
    // that they never exceed 1.
    if (p.world && p.world->IsKnown() && p.world->number >= p.listed_total && p.world->number > 0) {
      denom = p.world->number;
      p.share_basis = "published world total";
    } else if (p.world && p.world->IsKnown()) {
      p.share_basis = "sum of listed countries (above the rounded world total)";
    }
    for (auto& e : p.entries) {
      if (e.quantity.IsKnown() && denom > 0) {
        e.share = e.quantity.number / denom;
        e.share_value = model::Value::Of(*e.share);
      }
    }
    // Largest first; residual ("other countries") and missing figures last; ties by code.
    std::stable_sort(p.entries.begin(), p.entries.end(), [&](const SupplyEntry& a, const SupplyEntry& b) {
      auto rank = [&](const SupplyEntry& e) {
        if (!e.quantity.IsKnown()) return 2;
        return c.countries[e.country.index()].kind == CountryKind::Residual ? 1 : 0;
      };
      int ra = rank(a), rb = rank(b);
      if (ra != rb) return ra < rb;
      if (ra == 0 && a.quantity.number != b.quantity.number) return a.quantity.number > b.quantity.number;
      return c.countries[a.country.index()].iso3 < c.countries[b.country.index()].iso3;
    });
    out.push_back(std::move(p));
  }
  // Stages without any known production figure: the latest period of global shares.
  std::set<std::uint16_t> covered;
  for (const auto& p : out) {
    if (p.listed_total > 0) covered.insert(p.stage.value);
  }
  const auto& sh = c.shares;
  std::map<std::uint16_t, std::string> stage_period;
  for (std::size_t i = 0; i < sh.size(); ++i) {
    if (sh.mineral[i] != mineral || sh.scope[i] != "global" || covered.count(sh.stage[i].value)) continue;
    auto& period = stage_period[sh.stage[i].value];
    period = std::max(period, sh.period[i]);
  }
  for (const auto& [stage, period] : stage_period) {
    SupplyPicture p;
    p.mineral = mineral;
    p.stage = model::StageId{stage};
    p.unit = "share";
    p.from_shares = true;
    p.period = period;
    p.share_basis = "published country shares of world supply";
    for (std::size_t i = 0; i < sh.size(); ++i) {
      if (sh.mineral[i] != mineral || sh.stage[i].value != stage || sh.scope[i] != "global" || sh.period[i] != period) {
        continue;
      }
      SupplyEntry e{sh.country[i],       model::Value::Missing(model::ValueStatus::Unknown),
                    sh.share[i].Exact(), sh.share[i],
                    sh.source[i],        ""};
      p.entries.push_back(e);
    }
    std::stable_sort(p.entries.begin(), p.entries.end(), [&](const SupplyEntry& a, const SupplyEntry& b) {
      auto rank = [&](const SupplyEntry& e) {
        if (c.countries[e.country.index()].kind == CountryKind::Residual) return 2;
        return e.share ? 0 : 1;
      };
      int ra = rank(a), rb = rank(b);
      if (ra != rb) return ra < rb;
      if (ra == 0 && *a.share != *b.share) return *a.share > *b.share;
      return c.countries[a.country.index()].iso3 < c.countries[b.country.index()].iso3;
    });
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace lodestone::data
