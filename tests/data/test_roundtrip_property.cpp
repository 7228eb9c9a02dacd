// Property test: for generated valid datasets, load(save(dataset)) == dataset, bit for bit
// (every number, missing state, note with commas, quotes, line breaks and UTF-8).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "data/test_fixtures.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/raw_tables.hpp"

using namespace lodestone;
using model::Value;
using model::ValueStatus;

namespace {

// Text that exercises CSV quoting: commas, quotes, line breaks, non-ASCII.
rc::Gen<std::string> Note() {
  return rc::gen::container<std::string>(rc::gen::element('a', 'Z', ' ', ',', '"', '\n', '.', '9'));
}

std::string WithUtf8(std::string s, bool add) { return add ? s + "\xC3\xA9\xE2\x80\x94" : s; }

// "E" (net exporter) is a value only where the USGS import-reliance convention applies.
Value GenValue(bool allow_negative, bool share, bool net_exporter = false) {
  auto status =
      *rc::gen::element(ValueStatus::Known, ValueStatus::Known, ValueStatus::Known, ValueStatus::AtLeast,
                        ValueStatus::AtMost, ValueStatus::Withheld, ValueStatus::NotAvailable, ValueStatus::Unknown,
                        net_exporter ? ValueStatus::NetExporter : ValueStatus::Withheld);
  if (status != ValueStatus::Known && status != ValueStatus::AtLeast && status != ValueStatus::AtMost) {
    return Value::Missing(status);
  }
  double x;
  if (share) {
    x = *rc::gen::inRange(0, 1000001) / 1e6;
  } else {
    // Any magnitude: integers, fractions and very large or small numbers.
    auto mantissa = static_cast<double>(*rc::gen::inRange(0, 1 << 30));
    int exp = *rc::gen::inRange(-40, 40);
    x = mantissa * std::pow(10.0, exp) / 7.0;
    if (allow_negative && *rc::gen::arbitrary<bool>()) x = -std::fmod(x, 5.0);
    if (allow_negative) x = std::fmod(x, 5.0);
  }
  // "<0" says a figure is negative: only signed indicators may.
  if (status == ValueStatus::AtMost && x <= 0 && !allow_negative) status = ValueStatus::Known;
  return Value{x, status};
}

std::string Code3(int i) {
  return {static_cast<char>('A' + i / 676 % 26), static_cast<char>('A' + i / 26 % 26), static_cast<char>('A' + i % 26)};
}

model::Dataset GenerateDataset() {
  model::DatasetContents c;
  c.manifest.name = "generated";
  c.manifest.version = *rc::gen::element<std::string>("1", "2.0", "2026.1");
  c.manifest.date = "2026-11-27";
  c.manifest.description = WithUtf8(*Note(), true);
  const int n_sources = *rc::gen::inRange(1, 4);
  for (int i = 0; i < n_sources; ++i) {
    model::Source s;
    s.id = "src" + std::to_string(i);
    s.kind = i == 0 ? model::SourceKind::Published : model::SourceKind::Assumption;
    s.citation = WithUtf8(*Note(), i % 2 == 0);
    s.licence = "CC0";
    s.url = "https://example.org/" + std::to_string(i);
    if (s.kind == model::SourceKind::Assumption) s.rule = "rule " + *Note();
    c.source_ids.Intern(s.id);
    c.manifest.sources.push_back(s);
  }
  auto source = [&] { return model::SourceId{static_cast<std::uint16_t>(*rc::gen::inRange(0, n_sources))}; };

  const int n_countries = *rc::gen::inRange(2, 30);
  // Distinct codes without rejection sampling (small generated values repeat a lot).
  const int start = *rc::gen::inRange(0, 26 * 26 * 26);
  std::set<int> codes;
  for (int i = 0; i < n_countries; ++i) codes.insert((start + i * 677) % (26 * 26 * 26));
  int k = 0;
  for (int code : codes) {
    model::CountryInfo ci;
    ci.iso3 = Code3(code);
    ci.iso_num = *rc::gen::inRange(0, 1000);
    ci.name = "Country " + ci.iso3 + (k % 3 == 0 ? ", the" : "");
    ci.region = c.region_ids.Intern(k % 2 ? "Region \"x\"" : "");
    ci.kind = k == 0 ? model::CountryKind::Residual : model::CountryKind::Country;
    if (k % 4 == 1) ci.aliases = {"alias " + ci.iso3, "ns:" + std::to_string(code)};
    c.country_ids.Intern(ci.iso3);
    c.countries.push_back(ci);
    ++k;
  }
  auto country = [&] { return model::CountryId{static_cast<std::uint16_t>(*rc::gen::inRange(0, n_countries))}; };

  const std::vector<std::string> units = {"t Li", "kg Ga", "t", "kt Cu", "t REO", "Mt"};
  const int n_minerals = *rc::gen::inRange(1, 6);
  for (int i = 0; i < n_minerals; ++i) {
    model::MineralInfo mi;
    mi.id = "mineral_" + std::to_string(i);
    mi.name = "Mineral " + std::to_string(i);
    mi.unit = *model::ParseUnit(*rc::gen::elementOf(units));
    if (i % 2) mi.lists = {"US2025", "EU2023"};
    c.mineral_ids.Intern(mi.id);
    c.minerals.push_back(mi);
  }
  auto mineral = [&] { return model::MineralId{static_cast<std::uint16_t>(*rc::gen::inRange(0, n_minerals))}; };
  const std::vector<std::string> stage_names = {"mining", "refining", "magnets", "cathode_material"};
  auto stage = [&] { return c.stage_ids.Intern(*rc::gen::elementOf(stage_names)); };
  auto year = [] { return static_cast<std::int16_t>(*rc::gen::inRange(1900, 2156)); };

  // Tables in the loader's order, so stage ids are interned in the same order.
  for (auto* t : {&c.production, &c.capacity}) {
    std::set<std::tuple<int, int, int, int>> keys;
    const int n = *rc::gen::inRange(0, 40);
    for (int i = 0; i < n; ++i) {
      auto m = mineral();
      auto s = stage();
      auto co = country();
      auto y = year();
      if (!keys.insert({m.value, s.value, co.value, y}).second) continue;
      t->mineral.push_back(m);
      t->stage.push_back(s);
      t->country.push_back(co);
      t->year.push_back(y);
      t->quantity.push_back(GenValue(false, false));
      t->source.push_back(source());
      t->note.push_back(WithUtf8(*Note(), i % 5 == 0));
    }
  }
  {
    std::set<std::tuple<int, int, int>> keys;
    const int n = *rc::gen::inRange(0, 20);
    for (int i = 0; i < n; ++i) {
      auto m = mineral();
      auto co = country();
      auto y = year();
      if (!keys.insert({m.value, co.value, y}).second) continue;
      c.reserves.mineral.push_back(m);
      c.reserves.country.push_back(co);
      c.reserves.year.push_back(y);
      c.reserves.quantity.push_back(GenValue(false, false));
      c.reserves.source.push_back(source());
      c.reserves.note.push_back(*Note());
    }
  }
  if (*rc::gen::arbitrary<bool>()) {
    // One distribution summing to exactly 1: shares of whole thousandths.
    auto m = mineral();
    auto s = stage();
    std::vector<int> parts;
    int left = 1000;
    for (int i = 0; i < n_countries && left > 0; ++i) {
      int p = i + 1 == n_countries ? left : *rc::gen::inRange(0, left + 1);
      parts.push_back(p);
      left -= p;
    }
    if (left > 0) parts.back() += left;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      c.shares.mineral.push_back(m);
      c.shares.stage.push_back(s);
      c.shares.scope.push_back("global");
      c.shares.country.push_back(model::CountryId{static_cast<std::uint16_t>(i)});
      c.shares.period.push_back("2016-2020");
      c.shares.share.push_back(Value::Of(parts[i] / 1000.0));
      c.shares.t_factor.push_back(i % 2 ? Value::Of(1.1) : Value::Missing(ValueStatus::Unknown));
      c.shares.source.push_back(source());
    }
  }
  {
    std::set<std::tuple<int, int, int, int, int, int>> keys;
    const int n = *rc::gen::inRange(0, 40);
    for (int i = 0; i < n; ++i) {
      auto m = mineral();
      auto s = stage();
      auto product = static_cast<std::uint32_t>(*rc::gen::inRange(100000, 1000000));
      auto ex = country();
      auto im = country();
      auto y = year();
      if (!keys.insert({m.value, s.value, static_cast<int>(product), ex.value, im.value, y}).second) continue;
      c.trade.mineral.push_back(m);
      c.trade.stage.push_back(s);
      c.trade.product.push_back(product);
      c.trade.exporter.push_back(ex);
      c.trade.importer.push_back(im);
      c.trade.year.push_back(y);
      c.trade.quantity.push_back(GenValue(false, false));
      c.trade.value_usd.push_back(GenValue(false, false));
      c.trade.source.push_back(source());
    }
  }
  {
    std::set<std::pair<int, int>> keys;
    const int n = *rc::gen::inRange(0, 20);
    for (int i = 0; i < n; ++i) {
      auto co = country();
      auto y = year();
      if (!keys.insert({co.value, y}).second) continue;
      auto& g = c.governance;
      g.country.push_back(co);
      g.year.push_back(y);
      for (auto* col : {&g.va, &g.pv, &g.ge, &g.rq, &g.rl, &g.cc}) col->push_back(GenValue(true, false));
      g.source.push_back(source());
    }
  }
  {
    std::set<std::pair<int, int>> keys;
    const int n = *rc::gen::inRange(0, 10);
    for (int i = 0; i < n; ++i) {
      auto gid = c.group_ids.Intern(*rc::gen::element<std::string>("MSP", "US_JPN_2025", "EU27"));
      auto co = country();
      if (!keys.insert({gid.value, co.value}).second) continue;
      c.groups.group.push_back(gid);
      c.groups.country.push_back(co);
      c.groups.role.push_back(*Note());
      c.groups.since.push_back("2022-06");
      c.groups.source.push_back(source());
    }
  }
  if (*rc::gen::arbitrary<bool>()) {
    auto& t = c.import_sources;
    auto consumer = country();
    auto m = mineral();
    const std::vector<double> parts = {0.25, 0.5, 0.25};
    for (std::size_t i = 0; i < parts.size() && i < static_cast<std::size_t>(n_countries); ++i) {
      t.consumer.push_back(consumer);
      t.mineral.push_back(m);
      t.material.push_back("All forms, \"gross\"");
      t.period.push_back("2021-24");
      t.country.push_back(model::CountryId{static_cast<std::uint16_t>(i)});
      t.share.push_back(Value::Of(n_countries == 2 && i == 1 ? 0.75 : parts[i]));
      t.source.push_back(source());
    }
  }
  {
    const int n = *rc::gen::inRange(0, 5);
    std::set<std::tuple<int, int, int>> keys;
    for (int i = 0; i < n; ++i) {
      auto consumer = country();
      auto m = mineral();
      auto y = year();
      if (!keys.insert({consumer.value, m.value, y}).second) continue;
      auto& t = c.import_reliance;
      t.consumer.push_back(consumer);
      t.mineral.push_back(m);
      t.material.push_back("Net import reliance");
      t.year.push_back(y);
      t.reliance.push_back(GenValue(false, true, true));
      t.source.push_back(source());
    }
  }
  {
    const int n = *rc::gen::inRange(0, 5);
    std::set<std::tuple<int, int, int>> keys;
    for (int i = 0; i < n; ++i) {
      auto m = mineral();
      auto s = stage();
      auto y = year();
      if (!keys.insert({m.value, s.value, y}).second) continue;
      auto& t = c.headlines;
      t.mineral.push_back(m);
      t.stage.push_back(s);
      t.metric.push_back("share_of_refined_output");
      t.subject.push_back(*rc::gen::element<std::string>("China", "top-3 countries"));
      t.year.push_back(y);
      t.value.push_back(GenValue(false, false));
      t.unit.push_back("percent");
      t.scenario.push_back("historical");
      t.evidence.push_back(*rc::gen::element<std::string>("primary", "secondary", "low"));
      t.source.push_back(source());
      t.note.push_back(*Note());
    }
  }
  // The manifest lists every table (row counts as the writer will find them).
  c.manifest.table_rows = {{"countries.csv", c.countries.size()},
                           {"minerals.csv", c.minerals.size()},
                           {"production.csv", c.production.size()},
                           {"capacity.csv", c.capacity.size()},
                           {"reserves.csv", c.reserves.size()},
                           {"shares.csv", c.shares.size()},
                           {"trade.csv", c.trade.size()},
                           {"governance.csv", c.governance.size()},
                           {"groups.csv", c.groups.size()},
                           {"import_sources.csv", c.import_sources.size()},
                           {"import_reliance.csv", c.import_reliance.size()},
                           {"headlines.csv", c.headlines.size()}};
  return model::Dataset(std::move(c));
}

}  // namespace

RC_GTEST_PROP(RoundTrip, LoadOfSaveIsTheIdentity, ()) {
  auto ds = GenerateDataset();
  lodestone::testing::TempDir tmp;
  data::SaveDataset(ds, tmp / "ds");
  auto back = data::LoadDataset(tmp / "ds");
  if (!back.dataset) RC_FAIL(back.diagnostics.Format());
  RC_ASSERT((*back.dataset)->manifest == ds->manifest);
  RC_ASSERT((*back.dataset)->countries == ds->countries);
  RC_ASSERT((*back.dataset)->production == ds->production);
  RC_ASSERT((*back.dataset)->trade == ds->trade);
  RC_ASSERT(*back.dataset == ds);
}
