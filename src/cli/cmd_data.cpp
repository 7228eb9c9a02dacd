// `lodestone data check|import|info|build` and `lodestone supply`.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::cli {

using nlohmann::ordered_json;

void AddFormatOption(CLI::App* cmd, Format& format) {
  static const std::map<std::string, Format> kFormats = {
      {"table", Format::Table}, {"json", Format::Json}, {"csv", Format::Csv}};
  cmd->add_option("--format", format, "Output: table (for people), json or csv (for programs)")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");
}

namespace {

ordered_json DiagnosticsJson(const model::Diagnostics& d) {
  auto arr = ordered_json::array();
  for (const auto& x : d.Items()) {
    arr.push_back({{"severity", x.severity == model::Severity::Error ? "error" : "warning"},
                   {"file", x.file},
                   {"line", x.line},
                   {"column", x.column},
                   {"message", x.message}});
  }
  return arr;
}

std::string ValueText(const model::Value& v) {
  switch (v.status) {
    case model::ValueStatus::Known: return Grouped(v.number, v.number != 0 && std::abs(v.number) < 10 ? 2 : 0);
    case model::ValueStatus::AtLeast: return ">" + Grouped(v.number);
    case model::ValueStatus::AtMost: return "<" + Grouped(v.number);
    default: return std::string(model::StatusName(v.status));
  }
}

ordered_json ValueJson(const model::Value& v) {
  if (v.IsKnown()) return v.number;
  ordered_json o = {{"status", std::string(model::StatusName(v.status))}};
  if (v.HasNumber()) o["bound"] = v.number;
  return o;
}

int CheckCommand(const std::string& dir, Format format) {
  auto result = data::LoadDataset(dir);
  if (format == Format::Json) {
    ordered_json j = {{"dataset", dir},
                      {"valid", result.dataset.has_value()},
                      {"errors", result.diagnostics.ErrorCount()},
                      {"warnings", result.diagnostics.WarningCount()},
                      {"problems", DiagnosticsJson(result.diagnostics)}};
    std::cout << j.dump(2) << '\n';
  } else if (format == Format::Csv) {
    TextTable t{{"severity", "file", "line", "column", "message"}, {}, {}};
    for (const auto& d : result.diagnostics.Items()) {
      t.rows.push_back({d.severity == model::Severity::Error ? "error" : "warning", d.file, std::to_string(d.line),
                        std::to_string(d.column), d.message});
    }
    PrintCsv(std::cout, t);
  } else if (result.dataset) {
    const auto& ds = *result.dataset;
    std::size_t rows = 0;
    for (const auto& [file, n] : ds->manifest.table_rows) rows += n;
    std::cout << fmt::format("ok: {} {} ({}), {} tables, {} rows, {} sources\n", ds->manifest.name,
                             ds->manifest.version, ds->manifest.date, ds->manifest.table_rows.size(), rows,
                             ds->manifest.sources.size());
    if (result.diagnostics.WarningCount() > 0) std::cout << result.diagnostics.Format();
  } else {
    std::cerr << result.diagnostics.Format();
  }
  return result.dataset ? 0 : 1;
}

void PrintStats(const std::string& title, const std::vector<std::pair<std::string, std::size_t>>& stats,
                const model::Diagnostics& diags) {
  std::cout << title << '\n';
  for (const auto& [k, v] : stats) std::cout << fmt::format("  {:<40} {:>10}\n", k, Grouped(static_cast<double>(v)));
  if (diags.WarningCount() > 0) std::cout << diags.Format();
}

int InfoCommand(const std::string& dir, Format format) {
  auto ds = data::LoadDatasetOrThrow(dir);
  auto info = data::DescribeDataset(ds);
  if (format == Format::Json) {
    ordered_json j = {{"name", info.name},           {"version", info.version},
                      {"date", info.date},           {"description", info.description},
                      {"minerals", info.minerals},   {"stages", info.stages},
                      {"countries", info.countries}, {"countries_with_data", info.countries_with_data},
                      {"year_min", info.year_min},   {"year_max", info.year_max}};
    auto& tables = j["tables"] = ordered_json::object();
    for (const auto& [f, n] : info.tables) tables[f] = n;
    auto& sources = j["sources"] = ordered_json::array();
    for (const auto& s : info.sources) {
      sources.push_back({{"id", s.source.id},
                         {"kind", s.source.kind == model::SourceKind::Assumption ? "assumption" : "published"},
                         {"citation", s.source.citation},
                         {"licence", s.source.licence},
                         {"url", s.source.url},
                         {"rule", s.source.rule},
                         {"rows", s.rows}});
    }
    std::cout << j.dump(2) << '\n';
    return 0;
  }
  if (format == Format::Csv) {
    TextTable t{{"source", "kind", "rows", "licence", "citation", "url"}, {}, {}};
    for (const auto& s : info.sources) {
      t.rows.push_back({s.source.id, s.source.kind == model::SourceKind::Assumption ? "assumption" : "published",
                        std::to_string(s.rows), s.source.licence, s.source.citation, s.source.url});
    }
    PrintCsv(std::cout, t);
    return 0;
  }
  std::cout << fmt::format("{} {} ({})\n{}\n\n", info.name, info.version, info.date, info.description);
  std::string minerals, stages;
  for (const auto& m : info.minerals) minerals += (minerals.empty() ? "" : ", ") + m;
  for (const auto& s : info.stages) stages += (stages.empty() ? "" : ", ") + s;
  std::cout << fmt::format("minerals:  {}\nstages:    {}\ncountries: {} with data (of {} known)\nyears:     {}-{}\n\n",
                           minerals, stages, info.countries_with_data, info.countries, info.year_min, info.year_max);
  TextTable tables{{"table", "rows"}, {false, true}, {}};
  for (const auto& [f, n] : info.tables) tables.rows.push_back({f, Grouped(static_cast<double>(n))});
  PrintTable(std::cout, tables);
  std::cout << '\n';
  TextTable sources{{"source", "kind", "rows", "licence", "citation"}, {false, false, true, false, false}, {}};
  for (const auto& s : info.sources) {
    sources.rows.push_back({s.source.id, s.source.kind == model::SourceKind::Assumption ? "assumption" : "published",
                            Grouped(static_cast<double>(s.rows)), s.source.licence, s.source.citation});
  }
  PrintTable(std::cout, sources);
  return 0;
}

int SupplyCommand(const std::string& dir, const std::string& minerals_arg, std::optional<int> year, int top,
                  Format format) {
  auto ds = data::LoadDatasetOrThrow(dir);
  std::vector<model::MineralId> minerals;
  for (const auto& m : SplitList(minerals_arg)) {
    auto id = ds.FindMineral(m);
    if (!id) {
      std::string known;
      for (const auto& x : ds->minerals) known += (known.empty() ? "" : ", ") + x.id;
      throw model::InputError("", 0, 0, fmt::format("unknown mineral '{}': known minerals are {}", m, known));
    }
    minerals.push_back(*id);
  }
  ordered_json j = ordered_json::array();
  TextTable csv{{"mineral", "stage", "year", "country", "name", "quantity", "unit", "status", "share", "share_basis",
                 "source", "note"},
                {},
                {}};
  std::set<std::uint16_t> cited;
  for (auto m : minerals) {
    auto pictures = data::SupplyPictures(ds, m, year);
    const auto& mineral = ds.Mineral(m);
    if (pictures.empty() && format == Format::Table) {
      std::cout << fmt::format("{}: insufficient data (no production figures{})\n\n", mineral.name,
                               year ? fmt::format(" for {}", *year) : "");
    }
    for (const auto& p : pictures) {
      const auto& stage = ds.Stage(p.stage);
      if (format == Format::Json) {
        ordered_json pj = {{"mineral", mineral.id}, {"stage", stage}, {"year", p.year}, {"unit", p.unit}};
        pj["world_total"] = p.world ? ValueJson(*p.world) : ordered_json(nullptr);
        pj["world_source"] = p.world_source ? ordered_json(ds.SourceOf(*p.world_source).id) : ordered_json(nullptr);
        pj["share_basis"] = p.share_basis;
        auto& rows = pj["countries"] = ordered_json::array();
        for (const auto& e : p.entries) {
          rows.push_back({{"country", ds.Country(e.country).iso3},
                          {"name", ds.Country(e.country).name},
                          {"quantity", ValueJson(e.quantity)},
                          {"share", e.share ? ordered_json(*e.share) : ordered_json(nullptr)},
                          {"source", ds.SourceOf(e.source).id},
                          {"note", e.note}});
        }
        j.push_back(std::move(pj));
        continue;
      }
      if (format == Format::Csv) {
        for (const auto& e : p.entries) {
          csv.rows.push_back(
              {mineral.id, stage, std::to_string(p.year), ds.Country(e.country).iso3, ds.Country(e.country).name,
               e.quantity.HasNumber() ? model::FormatNumber(e.quantity.number) : "", p.unit,
               std::string(model::StatusName(e.quantity.status)), e.share ? model::FormatNumber(*e.share) : "",
               p.share_basis, ds.SourceOf(e.source).id, e.note});
        }
        continue;
      }
      std::string heading;
      if (p.from_shares) {
        heading = fmt::format("{} - {}, {} (no production figures: {})", mineral.name, stage, p.period, p.share_basis);
      } else {
        std::string world = !p.world               ? "no published world total"
                            : p.world->HasNumber() ? fmt::format("world {} {}", ValueText(*p.world), p.unit)
                                                   : fmt::format("world total {}", ValueText(*p.world));
        heading = fmt::format("{} - {}, {} ({}; shares of the {})", mineral.name, stage, p.year, world, p.share_basis);
      }
      std::cout << heading << '\n';
      if (p.entries.empty() || (p.listed_total == 0 && !p.from_shares && p.missing == p.entries.size())) {
        std::cout << "  insufficient data" << (p.world_note.empty() ? "" : ": " + p.world_note) << "\n\n";
        if (p.world_source) cited.insert(p.world_source->value);
        continue;
      }
      TextTable t{{"#", "country", "quantity", "share", "source", "note"}, {true, false, true, true, false, false}, {}};
      int rank = 0;
      double rest = 0, rest_share = 0;
      std::size_t rest_n = 0;
      for (const auto& e : p.entries) {
        const auto& c = ds.Country(e.country);
        bool residual = c.kind == model::CountryKind::Residual;
        bool ranked = !residual && e.share.has_value();
        if (ranked && rank >= top) {
          rest += e.quantity.IsKnown() ? e.quantity.number : 0;
          rest_share += *e.share;
          ++rest_n;
          continue;
        }
        std::string note = e.note.size() > 48 ? e.note.substr(0, 45) + "..." : e.note;
        std::string quantity = p.from_shares            ? "-"
                               : e.quantity.HasNumber() ? ValueText(e.quantity) + " " + p.unit
                                                        : ValueText(e.quantity);
        std::string share = e.share                                              ? Percent(*e.share)
                            : e.share_value.status == model::ValueStatus::AtMost ? "<" + Percent(e.share_value.number)
                                                                                 : "-";
        t.rows.push_back(
            {ranked ? std::to_string(++rank) : "", c.name, quantity, share, ds.SourceOf(e.source).id, note});
        cited.insert(e.source.value);
      }
      if (rest_n > 0) {
        t.rows.push_back({"", fmt::format("{} more countries", rest_n),
                          p.from_shares ? "-" : Grouped(rest) + " " + p.unit, Percent(rest_share), "", ""});
      }
      if (p.world_source) cited.insert(p.world_source->value);
      PrintTable(std::cout, t);
      std::cout << '\n';
    }
  }
  if (format == Format::Json) {
    std::cout << j.dump(2) << '\n';
  } else if (format == Format::Csv) {
    PrintCsv(std::cout, csv);
  } else if (!cited.empty()) {
    std::cout << "Sources:\n";
    for (auto s : cited) {
      const auto& src = ds.SourceOf(model::SourceId{s});
      std::cout << fmt::format("  [{}] {} ({}){}\n", src.id, src.citation, src.licence,
                               src.url.empty() ? "" : " " + src.url);
    }
  }
  return 0;
}

}  // namespace

void AddDataCommands(CLI::App& app, int& exit_code) {
  auto* data_cmd = app.add_subcommand("data", "Validate, import, build and describe datasets");
  data_cmd->require_subcommand(1);

  {
    auto* cmd = data_cmd->add_subcommand(
        "check", "Validate a dataset directory: exit 0, or list every problem with file, line and column");
    static std::string dir;
    static Format format = Format::Table;
    cmd->add_option("DIR", dir, "Dataset directory (with dataset.json)")->required();
    AddFormatOption(cmd, format);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return CheckCommand(dir, format); }); });
  }
  {
    auto* cmd = data_cmd->add_subcommand(
        "import", "Import published files into a dataset directory (all-or-nothing: a failed import changes nothing)");
    static std::string kind;
    static std::vector<std::string> files;
    static std::string out;
    static std::string ref;
    std::string kinds;
    for (const auto& k : data::ImporterNames()) kinds += (kinds.empty() ? "" : "|") + k;
    cmd->add_option("KIND", kind, "Importer: " + kinds)->required();
    cmd->add_option("FILE", files, "Files as published (several for eu-crm-annex7 and baci)")->required();
    cmd->add_option("--out", out, "Dataset directory to create or update")->required();
    cmd->add_option("--ref", ref,
                    "Reference directory (country names, mappings, sources); default: the shipped data/reference");
    cmd->callback([&exit_code] {
      exit_code = RunGuarded([] {
        auto reference = data::Reference::Load(ref.empty() ? DefaultReferenceDir() : ref);
        std::vector<std::filesystem::path> paths(files.begin(), files.end());
        auto result = data::RunImporter(kind, paths, reference);
        auto ds = data::ApplyImport(result, out, reference);
        PrintStats(fmt::format("imported {} into {}", kind, out), result.stats, result.diagnostics);
        return 0;
      });
    });
  }
  {
    auto* cmd =
        data_cmd->add_subcommand("info", "What a dataset holds: minerals, stages, countries, years, tables, sources");
    static std::string dir;
    static Format format = Format::Table;
    cmd->add_option("DIR", dir, "Dataset directory")->required();
    AddFormatOption(cmd, format);
    cmd->callback([&exit_code] { exit_code = RunGuarded([] { return InfoCommand(dir, format); }); });
  }
  {
    auto* cmd = data_cmd->add_subcommand(
        "build",
        "Build a dataset from a recipe of published files (sources/build.json builds the shipped data/starter)");
    static std::string recipe;
    static std::string out;
    static std::string ref;
    cmd->add_option("RECIPE", recipe, "Recipe JSON: name, version, date, description, steps [{importer, files}]")
        ->required();
    cmd->add_option("--out", out, "Dataset directory to write (replaced only by a valid dataset)")->required();
    cmd->add_option("--ref", ref, "Reference directory; default: the shipped data/reference");
    cmd->callback([&exit_code] {
      exit_code = RunGuarded([] {
        auto reference = data::Reference::Load(ref.empty() ? DefaultReferenceDir() : ref);
        auto report = data::BuildDataset(recipe, out, reference);
        for (const auto& step : report.steps) {
          std::string files;
          for (const auto& f : step.files) files += (files.empty() ? "" : " ") + f.filename().string();
          PrintStats(fmt::format("{} ({})", step.importer, files), step.stats, step.diagnostics);
        }
        std::size_t rows = 0;
        for (const auto& [f, n] : report.dataset->manifest.table_rows) rows += n;
        std::cout << fmt::format("wrote {}: {} tables, {} rows, {} sources\n", out,
                                 report.dataset->manifest.table_rows.size(), rows,
                                 report.dataset->manifest.sources.size());
        return 0;
      });
    });
  }
}

void AddSupplyCommand(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "supply", "The supply picture: each country's output of a mineral by stage, with its share and source");
  static std::string dir;
  static std::string minerals =
      "lithium,cobalt,nickel,graphite,rare_earths,gallium,germanium,manganese,tungsten,antimony,copper,platinum,"
      "palladium";
  static std::optional<int> year;
  static int top = 8;
  static Format format = Format::Table;
  cmd->add_option("--dataset", dir,
                  "Dataset directory; default: the shipped dataset ($LODESTONE_DATA or data/starter)");
  cmd->add_option("--mineral", minerals, "Comma-separated mineral ids")->capture_default_str();
  cmd->add_option("--year", year, "Year (default: the latest year with data, per stage)");
  cmd->add_option("--top", top, "Countries listed per stage in the table (the rest are summed)")->capture_default_str();
  AddFormatOption(cmd, format);
  cmd->callback([&exit_code] {
    exit_code =
        RunGuarded([] { return SupplyCommand(dir.empty() ? DefaultDataDir() : dir, minerals, year, top, format); });
  });
}

}  // namespace lodestone::cli
