// Reading data/sim/: each file is read whole, every problem is collected with its file, line and
// column, and nothing is returned unless all files validate.
#include "lodestone/sim/inputs.hpp"
#include "lodestone/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "lodestone/data/named_table.hpp"
#include "lodestone/model/text.hpp"
#include "lodestone/model/units.hpp"

namespace lodestone::sim {

namespace fs = std::filesystem;

namespace {

constexpr std::array<const char*, kSectors> kSectorNames = {"semiconductors_electronics", "ev_batteries",
                                                            "renewable_energy", "defence", "other"};
constexpr double kSectorSumTolerance = 0.005;

using data::NamedTable;

NamedTable ReadTable(const fs::path& path, const std::vector<std::string>& required, model::Diagnostics& diags) {
  return data::ReadNamedTable(path, required, diags);
}

// One row of a table: cells by column name, problems reported at the cell.
class RowCtx {
 public:
  RowCtx(const NamedTable& t, std::size_t r, model::Diagnostics& d) : t_(t), r_(r), d_(d) {}
  const std::string& Get(const std::string& col) const { return t_.Cell(r_, col); }
  void Error(const std::string& col, std::string msg) const {
    d_.Error(t_.file, t_.lines[r_], t_.Col(col), std::move(msg));
  }
  std::size_t line() const { return t_.lines[r_]; }

 private:
  const NamedTable& t_;
  std::size_t r_;
  model::Diagnostics& d_;
};

bool ParseFraction(const RowCtx& row, const std::string& col, double& out) {
  const std::string& text = row.Get(col);
  model::Value v;
  if (model::ParseValueCell(text, false, v) != model::ValueParse::Ok || v.status != model::ValueStatus::Known) {
    row.Error(col, fmt::format("expected a number between 0 and 1, found '{}'", text));
    return false;
  }
  if (v.number < 0 || v.number > 1) {
    row.Error(col, fmt::format("expected a number between 0 and 1, found {}", text));
    return false;
  }
  out = v.number;
  return true;
}

}  // namespace

const char* SectorName(Sector s) { return kSectorNames[static_cast<int>(s)]; }

bool ParseSector(std::string_view text, Sector& out) {
  for (int i = 0; i < kSectors; ++i) {
    if (text == kSectorNames[i]) {
      out = static_cast<Sector>(i);
      return true;
    }
  }
  return false;
}

const SimSource* SimInputs::FindSource(std::string_view id) const {
  for (const auto& s : sources) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

bool SimInputs::IsBloc(std::string_view code) const {
  for (const auto& b : blocs) {
    if (b.bloc == code) return true;
  }
  return false;
}

const ChainRow* SimInputs::FindChain(std::string_view id) const {
  for (const auto& c : chains) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

double SimInputs::Parameter(std::string_view key, double fallback) const {
  for (const auto& p : parameters) {
    if (p.key == key) return p.value;
  }
  return fallback;
}

SimInputs LoadSimInputs(const fs::path& dir, const model::Dataset& ds) {
  SimInputs in;
  in.dir = dir;
  model::Diagnostics diags;
  if (!fs::is_directory(dir)) {
    throw Error::NotFound(dir.string() + ": " + "simulator inputs not found: expected a directory with demand.csv");
  }
  std::set<std::string> source_ids;
  {
    NamedTable t = ReadTable(dir / "sources.csv", {"id", "kind", "citation", "licence", "url", "rule"}, diags);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      SimSource s{row.Get("id"),      row.Get("kind"), row.Get("citation"),
                  row.Get("licence"), row.Get("url"),  row.Get("rule")};
      if (s.id.empty()) row.Error("id", "empty source id");
      if (s.kind != "published" && s.kind != "assumption") {
        row.Error("kind", fmt::format("expected 'published' or 'assumption', found '{}'", s.kind));
      }
      if (s.kind == "assumption" && s.rule.empty()) row.Error("rule", "an assumption must state its rule");
      if (!source_ids.insert(s.id).second) row.Error("id", fmt::format("duplicate source id '{}'", s.id));
      in.sources.push_back(std::move(s));
    }
  }
  auto check_source = [&](const RowCtx& row) {
    const std::string& id = row.Get("source");
    if (!source_ids.count(id)) row.Error("source", fmt::format("unknown source '{}': not in sources.csv", id));
    return id;
  };
  if (fs::exists(dir / "chains.csv")) {
    NamedTable t = ReadTable(
        dir / "chains.csv",
        {"id", "kind", "parent", "unit", "content_share", "feed", "intensity", "trade_stage", "source"}, diags);
    std::map<std::string, std::pair<double, std::size_t>> split_sums;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      ChainRow c;
      c.line = row.line();
      c.id = row.Get("id");
      if (c.id.empty() || ds.FindMineral(c.id)) {
        row.Error("id",
                  fmt::format("expected a new chain id (not empty, not a mineral of the dataset), found '{}'", c.id));
      }
      if (in.FindChain(c.id)) row.Error("id", fmt::format("duplicate chain '{}'", c.id));
      c.parent = row.Get("parent");
      auto parent = ds.FindMineral(c.parent);
      if (!parent) row.Error("parent", fmt::format("unknown mineral '{}'", c.parent));
      const std::string& kind = row.Get("kind");
      c.unit = row.Get("unit");
      if (kind == "split") {
        c.kind = ChainRow::Kind::Split;
        if (ParseFraction(row, "content_share", c.content_share) && c.content_share <= 0) {
          row.Error("content_share", "expected a share above 0");
        }
        if (parent) {
          const std::string& pu = ds.Mineral(*parent).unit.text;
          if (!c.unit.empty() && c.unit != pu) {
            row.Error("unit", fmt::format("a split keeps its parent's unit '{}', found '{}'", pu, c.unit));
          }
          c.unit = pu;
        }
        auto& acc = split_sums[c.parent];
        acc.first += c.content_share;
        acc.second = row.line();
        for (const char* col : {"feed", "intensity", "trade_stage"}) {
          if (!row.Get(col).empty()) row.Error(col, fmt::format("a split has no {}", col));
        }
      } else if (kind == "component") {
        c.kind = ChainRow::Kind::Component;
        if (c.unit.empty()) row.Error("unit", "a component states its unit (e.g. 't magnet')");
        c.feeds = model::SplitList(row.Get("feed"), ";");
        const std::vector<std::string> ints = model::SplitList(row.Get("intensity"), ";");
        if (c.feeds.empty()) row.Error("feed", "a component names its feed (a mineral or a chain listed above)");
        for (const auto& f : c.feeds) {
          if (!in.FindChain(f) && !ds.FindMineral(f)) {
            row.Error("feed", fmt::format("unknown feed '{}': expected a mineral or a chain listed above", f));
          }
          if (std::count(c.feeds.begin(), c.feeds.end(), f) > 1) {
            row.Error("feed", fmt::format("feed '{}' is listed twice", f));
            break;
          }
        }
        if (ints.size() != c.feeds.size()) {
          row.Error("intensity", fmt::format("expected {} intensities separated by ';' (one per feed), found '{}'",
                                             c.feeds.size(), row.Get("intensity")));
        }
        for (const auto& x : ints) {
          double v = 0;
          if (!model::ParseDouble(x, v) || !(v > 0 && v < 1e6)) {
            row.Error("intensity",
                      fmt::format("expected a number above 0 (feed units per unit of component), found '{}'", x));
          }
          c.intensities.push_back(v);
        }
        c.trade_stage = row.Get("trade_stage");
        if (!c.trade_stage.empty() && !ds.FindStage(c.trade_stage)) {
          row.Error("trade_stage", fmt::format("unknown stage '{}'", c.trade_stage));
        }
        if (!row.Get("content_share").empty()) row.Error("content_share", "a component has no content share");
      } else {
        row.Error("kind", fmt::format("expected split or component, found '{}'", kind));
      }
      c.source = check_source(row);
      in.chains.push_back(std::move(c));
    }
    for (const auto& [m, acc] : split_sums) {
      if (acc.first > 1.0 + kSectorSumTolerance) {
        diags.Error(t.file, acc.second, t.Col("content_share"),
                    fmt::format("content shares of the splits of {} sum to {:.4f}, expected at most 1", m, acc.first));
      }
    }
  }
  auto check_mineral = [&](const RowCtx& row) {
    const std::string& m = row.Get("mineral");
    if (!ds.FindMineral(m) && !in.FindChain(m)) row.Error("mineral", fmt::format("unknown mineral '{}'", m));
    return m;
  };
  // Blocs first: consumer and region columns may name them.
  if (fs::exists(dir / "blocs.csv")) {
    NamedTable t = ReadTable(dir / "blocs.csv", {"bloc", "name", "member", "source"}, diags);
    std::set<std::string> pairs;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      BlocRow b{row.Get("bloc"), row.Get("name"), row.Get("member"), check_source(row)};
      if (b.bloc.size() != 3 || ds.FindCountry(b.bloc) || ds.FindGroup(b.bloc)) {
        row.Error("bloc", fmt::format("bloc code '{}' must be three letters that are neither a country code nor a "
                                      "group id of the dataset",
                                      b.bloc));
      }
      auto m = ds.FindCountry(b.member);
      if (!m || ds.Country(*m).kind != model::CountryKind::Country) {
        row.Error("member", fmt::format("unknown member country '{}': expected an ISO3 code", b.member));
      }
      if (!pairs.insert(b.bloc + "|" + b.member).second) {
        row.Error("member", fmt::format("{} listed twice in bloc {}", b.member, b.bloc));
      }
      for (const auto& o : in.blocs) {
        if (o.bloc == b.bloc && o.name != b.name) row.Error("name", fmt::format("bloc {} has two names", b.bloc));
        if (o.bloc != b.bloc && o.member == b.member) {
          row.Error("member", fmt::format("{} is already a member of bloc {}", b.member, o.bloc));
        }
      }
      in.blocs.push_back(std::move(b));
    }
  }
  auto check_country = [&](const RowCtx& row, const std::string& col, bool allow_star, bool allow_wld) {
    const std::string& c = row.Get(col);
    if ((allow_star && c == "*") || (allow_wld && c == "WLD") || in.IsBloc(c)) return c;
    if (!ds.FindCountry(c) || c == "WLD") row.Error(col, fmt::format("unknown country code '{}'", c));
    return c;
  };

  {
    NamedTable t = ReadTable(dir / "demand.csv",
                             {"mineral", "consumer", "year", "quantity", "unit", "share_of_world", "source"}, diags);
    std::set<std::string> keys;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      DemandRow d;
      d.line = row.line();
      d.mineral = check_mineral(row);
      d.consumer = check_country(row, "consumer", false, true);
      d.source = check_source(row);
      int year = 0;
      if (std::sscanf(row.Get("year").c_str(), "%d", &year) != 1 || year < 1900 || year > 2100) {
        row.Error("year", fmt::format("expected a year, found '{}'", row.Get("year")));
      }
      d.year = year;
      const std::string& q = row.Get("quantity");
      const std::string& s = row.Get("share_of_world");
      const std::string& rest = row.Get("share_of_rest");
      if (int(!q.empty()) + int(!s.empty()) + int(!rest.empty()) != 1) {
        row.Error("quantity", "expected exactly one of quantity, share_of_world and share_of_rest");
      } else if (!rest.empty()) {
        if (ParseFraction(row, "share_of_rest", d.share_of_rest.number)) {
          d.share_of_rest.status = model::ValueStatus::Known;
        }
      } else if (!q.empty()) {
        if (model::ParseValueCell(q, false, d.quantity) != model::ValueParse::Ok) {
          row.Error("quantity", fmt::format("expected a number or NA, found '{}'", q));
        } else if (d.quantity.status == model::ValueStatus::Known || d.quantity.status == model::ValueStatus::AtLeast ||
                   d.quantity.status == model::ValueStatus::AtMost) {
          const ChainRow* chain = in.FindChain(d.mineral);
          auto mid = ds.FindMineral(chain ? chain->parent : d.mineral);
          auto unit = model::ParseUnit(row.Get("unit"));
          if (chain && chain->kind == ChainRow::Kind::Component) {
            // A component's quantities are in its own unit, taken as written.
            if (row.Get("unit") != chain->unit) {
              row.Error("unit", fmt::format("expected the unit of {}, '{}', found '{}'", chain->id, chain->unit,
                                            row.Get("unit")));
            }
          } else if (!unit) {
            row.Error("unit",
                      fmt::format("unknown unit '{}': expected e.g. 't Co', 'kt Cu', 'kg Ga'", row.Get("unit")));
          } else if (mid) {
            auto f = model::ConversionFactor(*unit, ds.Mineral(*mid).unit);
            if (!f) {
              row.Error("unit",
                        fmt::format("unit '{}' does not convert to {}", row.Get("unit"), ds.Mineral(*mid).unit.text));
            } else {
              d.quantity.number *= *f;
            }
          }
        }
      } else {
        if (ParseFraction(row, "share_of_world", d.share_of_world.number)) {
          d.share_of_world.status = model::ValueStatus::Known;
        }
      }
      if (!keys.insert(d.mineral + "|" + d.consumer + "|" + std::to_string(d.year)).second) {
        row.Error("consumer", fmt::format("duplicate row for {} {} {}", d.mineral, d.consumer, d.year));
      }
      in.demand.push_back(std::move(d));
    }
  }
  {
    NamedTable t = ReadTable(dir / "sectors.csv", {"mineral", "region", "sector", "share", "source"}, diags);
    std::map<std::string, std::pair<double, std::size_t>> sums;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      SectorRow s;
      s.mineral = check_mineral(row);
      s.region = row.Get("region") == "world" ? std::string("world") : check_country(row, "region", false, false);
      if (!ParseSector(row.Get("sector"), s.sector)) {
        row.Error("sector", fmt::format("unknown sector '{}': expected semiconductors_electronics, ev_batteries, "
                                        "renewable_energy, defence or other",
                                        row.Get("sector")));
      }
      ParseFraction(row, "share", s.share);
      s.source = check_source(row);
      auto& acc = sums[s.mineral + " in " + s.region];
      acc.first += s.share;
      acc.second = row.line();
      in.sectors.push_back(std::move(s));
    }
    for (const auto& [key, acc] : sums) {
      if (std::fabs(acc.first - 1.0) > kSectorSumTolerance) {
        diags.Error(t.file, acc.second, 0,
                    fmt::format("sector shares of {} sum to {:.4f}, expected 1 (within {})", key, acc.first,
                                kSectorSumTolerance));
      }
    }
  }
  {
    NamedTable t =
        ReadTable(dir / "stockpiles.csv", {"consumer", "mineral", "days_of_cover", "basis", "source"}, diags);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      StockpileRow s;
      s.consumer = check_country(row, "consumer", false, false);
      s.mineral = check_mineral(row);
      if (model::ParseValueCell(row.Get("days_of_cover"), false, s.days) != model::ValueParse::Ok) {
        row.Error("days_of_cover",
                  fmt::format("expected a number of days or NA, found '{}'", row.Get("days_of_cover")));
      }
      s.basis = row.Get("basis");
      if (s.basis != "target" && s.basis != "reported" && s.basis != "assumption") {
        row.Error("basis", fmt::format("expected target, reported or assumption, found '{}'", s.basis));
      }
      s.source = check_source(row);
      in.stockpiles.push_back(std::move(s));
    }
  }
  std::set<std::string> chokepoint_ids;
  {
    NamedTable t = ReadTable(dir / "chokepoints.csv", {"id", "name", "reroutable", "source"}, diags);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      ChokepointRow c{row.Get("id"), row.Get("name"), 0, ""};
      ParseFraction(row, "reroutable", c.reroutable);
      c.source = check_source(row);
      if (!chokepoint_ids.insert(c.id).second) row.Error("id", fmt::format("duplicate chokepoint '{}'", c.id));
      in.chokepoints.push_back(std::move(c));
    }
  }
  {
    NamedTable t = ReadTable(dir / "routes.csv", {"chokepoint", "exporter", "importer", "share", "source"}, diags);
    std::set<std::string> keys;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      RouteRow rr;
      rr.chokepoint = row.Get("chokepoint");
      if (!chokepoint_ids.count(rr.chokepoint)) {
        row.Error("chokepoint", fmt::format("unknown chokepoint '{}': not in chokepoints.csv", rr.chokepoint));
      }
      rr.exporter = check_country(row, "exporter", true, false);
      rr.importer = check_country(row, "importer", true, false);
      ParseFraction(row, "share", rr.share);
      rr.source = check_source(row);
      if (!keys.insert(rr.chokepoint + "|" + rr.exporter + "|" + rr.importer).second) {
        row.Error("importer", fmt::format("duplicate route {} {} -> {}", rr.chokepoint, rr.exporter, rr.importer));
      }
      in.routes.push_back(std::move(rr));
    }
  }
  // A split by country (refining.csv, chain_shares.csv): rows of mineral, country, share and
  // source, the mineral checked by `mineral_of`; gives each mineral's sum and its last line.
  auto read_split = [&](const fs::path& path, auto&& mineral_of, std::vector<RefiningRow>& out, std::string& file) {
    NamedTable t = ReadTable(path, {"mineral", "country", "share", "source"}, diags);
    file = t.file;
    std::map<std::string, std::pair<double, std::size_t>> sums;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      RefiningRow f;
      f.mineral = mineral_of(row);
      f.country = check_country(row, "country", false, false);
      ParseFraction(row, "share", f.share);
      f.source = check_source(row);
      auto& acc = sums[f.mineral];
      acc.first += f.share;
      acc.second = row.line();
      out.push_back(std::move(f));
    }
    return sums;
  };
  if (fs::exists(dir / "refining.csv")) {
    std::string file;
    const auto sums = read_split(dir / "refining.csv", check_mineral, in.refining, file);
    for (const auto& [m, acc] : sums) {
      // A mineral's rows either give the whole split (sum 1) or override some countries of the
      // dataset's split (sum below 1; the dataset's other countries share the rest).
      if (acc.first > 1.0 + kSectorSumTolerance) {
        diags.Error(file, acc.second, 0,
                    fmt::format("refining shares of {} sum to {:.4f}, expected at most 1", m, acc.first));
      }
    }
  }
  if (fs::exists(dir / "chain_shares.csv")) {
    // A chain's split by country (producers of a component, separation of a split): the whole
    // split, summing to 1; kept apart from refining.csv, which overrides the dataset's minerals.
    auto chain_of = [&](const RowCtx& row) {
      std::string id = row.Get("mineral");
      if (!in.FindChain(id)) row.Error("mineral", fmt::format("unknown chain '{}': not in chains.csv", id));
      return id;
    };
    std::string file;
    const auto sums = read_split(dir / "chain_shares.csv", chain_of, in.chain_shares, file);
    for (const auto& [m, acc] : sums) {
      if (std::fabs(acc.first - 1.0) > kSectorSumTolerance) {
        diags.Error(file, acc.second, 0, fmt::format("shares of {} sum to {:.4f}, expected 1", m, acc.first));
      }
    }
  }
  if (fs::exists(dir / "elasticities.csv")) {
    NamedTable t =
        ReadTable(dir / "elasticities.csv", {"mineral", "demand_elasticity", "supply_elasticity", "source"}, diags);
    std::set<std::string> seen;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      ElasticityRow e;
      e.mineral = check_mineral(row);
      if (!seen.insert(e.mineral).second) row.Error("mineral", fmt::format("duplicate mineral '{}'", e.mineral));
      if (!model::ParseDouble(row.Get("demand_elasticity"), e.demand) || !(e.demand < 0 && e.demand >= -5)) {
        row.Error("demand_elasticity",
                  fmt::format("expected a number below 0 and at least -5, found '{}'", row.Get("demand_elasticity")));
      }
      if (!model::ParseDouble(row.Get("supply_elasticity"), e.supply) || !(e.supply >= 0 && e.supply <= 5)) {
        row.Error("supply_elasticity",
                  fmt::format("expected a number from 0 to 5, found '{}'", row.Get("supply_elasticity")));
      }
      e.source = check_source(row);
      in.elasticities.push_back(std::move(e));
    }
  }
  if (fs::exists(dir / "parameters.csv")) {
    NamedTable t = ReadTable(dir / "parameters.csv", {"key", "value", "source"}, diags);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      RowCtx row(t, r, diags);
      ParameterRow p;
      p.key = row.Get("key");
      if (!model::ParseDouble(row.Get("value"), p.value) || !std::isfinite(p.value)) {
        row.Error("value", fmt::format("expected a number, found '{}'", row.Get("value")));
      } else if (auto problem = ParameterValueProblem(p.key, p.value, row.Get("value"))) {
        row.Error("value", *problem);
      }
      p.source = check_source(row);
      in.parameters.push_back(std::move(p));
    }
  }
  if (diags.HasErrors()) throw Error::InvalidData(std::move(diags));
  return in;
}

std::optional<std::string> ParameterValueProblem(const std::string& key, double value, const std::string& text) {
  if (!std::isfinite(value)) return fmt::format("expected a number, found '{}'", text);
  if (key == "refinery_headroom" && !(value >= 0 && value <= 10)) {
    return fmt::format("refinery_headroom {} out of range: expected 0 to 10 (spare capacity as a fraction of output)",
                       text);
  }
  if (key.rfind("market_", 0) == 0 && key != "market_contract_hold_months" && !(value >= 0 && value <= 1)) {
    return fmt::format("{} {} out of range: expected a share from 0 to 1", key, text);
  }
  if (key == "price_multiple_max" && !(value > 1 && value <= 1000)) {
    return fmt::format("price_multiple_max {} out of range: expected above 1 and at most 1000", text);
  }
  if (key == "baseline_bilateral_trade" && value != 0 && value != 1) {
    return fmt::format("baseline_bilateral_trade {} out of range: expected 0 (import sources, then pooled) or 1", text);
  }
  if (key == "market_contract_hold_months" && !(value >= 0 && value <= 120)) {
    return fmt::format("market_contract_hold_months {} out of range: expected 0 to 120 months", text);
  }
  return std::nullopt;
}

}  // namespace lodestone::sim
