// `lodestone data check|import|info|build` and `lodestone supply`.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "lodestone/data/importers.hpp"
#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/data/serialize.hpp"
#include "lodestone/data/summary.hpp"
#include "lodestone/data/supply.hpp"
#include "lodestone/model/diagnostics.hpp"
#include "lodestone/model/error.hpp"

namespace lodestone::cli {

void AddFormatOption(CLI::App* cmd, Format& format) {
  static const std::map<std::string, Format> kFormats = {
      {"table", Format::Table}, {"json", Format::Json}, {"csv", Format::Csv}};
  cmd->add_option("--format", format, "Output: table (for people), json or csv (for programs)")
      ->transform(CLI::CheckedTransformer(kFormats, CLI::ignore_case))
      ->default_str("table");
}

namespace {

std::string ValueText(const model::Value& v) {
  switch (v.status) {
    case model::ValueStatus::Known: return Grouped(v.number, v.number != 0 && std::abs(v.number) < 10 ? 2 : 0);
    case model::ValueStatus::AtLeast: return ">" + Grouped(v.number);
    case model::ValueStatus::AtMost: return "<" + Grouped(v.number);
    default: return std::string(model::StatusName(v.status));
  }
}

int CheckCommand(const std::string& dir, Format format) {
  const auto check = data::CheckDataset(dir);
  if (format == Format::Json) {
    std::cout << data::ToJson(check).dump(2) << '\n';
  } else if (format == Format::Csv) {
    PrintCsvRows(std::cout, data::ToCsv(check));
  } else if (check.valid) {
    std::cout << fmt::format("ok: {} {} ({}), {} tables, {} rows, {} sources\n", check.name, check.version, check.date,
                             check.tables, check.rows, check.sources);
    if (check.diagnostics.WarningCount() > 0) std::cout << check.diagnostics.Format();
  } else {
    std::cerr << check.diagnostics.Format();
  }
  return check.valid ? 0 : ExitCode(ErrorKind::InvalidData);
}

void PrintStats(const std::string& title, const std::vector<std::pair<std::string, std::size_t>>& stats,
                const model::Diagnostics& diags) {
  std::cout << title << '\n';
  for (const auto& [k, v] : stats) std::cout << fmt::format("  {:<40} {:>10}\n", k, Grouped(static_cast<double>(v)));
  if (diags.WarningCount() > 0) std::cout << diags.Format();
}

std::string_view KindText(const model::Source& s) {
  return s.kind == model::SourceKind::Assumption ? "assumption" : "published";
}

int InfoCommand(const std::string& dir, Format format) {
  WorkspaceArgs args;
  args.dataset = dir;
  app::Workspace ws(ResolvePaths(args));
  const auto info = data::DescribeDataset(ws.dataset());
  if (format == Format::Json) {
    std::cout << data::ToJson(info).dump(2) << '\n';
    return 0;
  }
  if (format == Format::Csv) {
    PrintCsvRows(std::cout, data::ToCsv(info));
    return 0;
  }
  std::cout << fmt::format("{} {} ({})\n{}\n\n", info.name, info.version, info.date, info.description);
  std::string minerals, stages;
  for (const auto& m : info.minerals) minerals += (minerals.empty() ? "" : ", ") + m;
  for (const auto& s : info.stages) stages += (stages.empty() ? "" : ", ") + s;
  std::cout << fmt::format("minerals:  {}\nstages:    {}\ncountries: {} with data (of {} known)\nyears:     {}-{}\n\n",
                           minerals, stages, info.countries_with_data, info.countries, info.year_min, info.year_max);
  TextTable tables{{"table", "rows", "latest", "latest figures from"}, {false, true, false, false}, {}};
  for (const auto& [f, n] : info.tables) {
    std::string when = "-", from;
    if (auto it = info.freshness.find(f); it != info.freshness.end()) {
      when = it->second.latest;
      for (const auto& id : it->second.sources) from += (from.empty() ? "" : ", ") + id;
    }
    tables.rows.push_back({f, Grouped(static_cast<double>(n)), when, from});
  }
  PrintTable(std::cout, tables);
  std::cout << '\n';
  TextTable sources{{"source", "kind", "rows", "licence", "citation"}, {false, false, true, false, false}, {}};
  for (const auto& s : info.sources) {
    sources.rows.push_back({s.source.id, std::string(KindText(s.source)), Grouped(static_cast<double>(s.rows)),
                            s.source.licence, s.source.citation});
  }
  PrintTable(std::cout, sources);
  return 0;
}

// The remainder line's quantity: the total when every figure is known, else the known part
// marked as partial (a missing figure is not zero).
std::string RemainderQuantity(const data::SupplyStage& s, const data::SupplyRemainder& r) {
  if (s.from_shares) return "-";
  if (r.quantity) return Grouped(*r.quantity) + " " + s.unit;
  if (r.known_quantity > 0) return fmt::format(">= {} {} ({} not known)", Grouped(r.known_quantity), s.unit, r.missing);
  return "not known";
}

void PrintSupplyStage(const data::SupplyMineral& m, const data::SupplyStage& s) {
  std::string heading;
  if (s.from_shares) {
    heading = fmt::format("{} - {}, {} (no production figures: {})", m.name, s.stage, s.period, s.share_basis);
  } else {
    std::string world = !s.world               ? "no published world total"
                        : s.world->HasNumber() ? fmt::format("world {} {}", ValueText(*s.world), s.unit)
                                               : fmt::format("world total {}", ValueText(*s.world));
    heading = fmt::format("{} - {}, {} ({}; shares of the {})", m.name, s.stage, s.year, world, s.share_basis);
  }
  std::cout << heading << '\n';
  if (s.insufficient) {
    std::cout << "  insufficient data" << (s.world_note.empty() ? "" : ": " + s.world_note) << "\n\n";
    return;
  }
  TextTable t{{"#", "country", "quantity", "share", "source", "note"}, {true, false, true, true, false, false}, {}};
  for (const auto& c : s.countries) {
    if (c.in_remainder) continue;
    std::string note = c.note.size() > 48 ? c.note.substr(0, 45) + "..." : c.note;
    std::string quantity = s.from_shares            ? "-"
                           : c.quantity.HasNumber() ? ValueText(c.quantity) + " " + s.unit
                                                    : ValueText(c.quantity);
    std::string share = c.share                                               ? Percent(*c.share)
                        : c.share_value.status == model::ValueStatus::AtMost  ? "<" + Percent(c.share_value.number)
                        : c.share_value.status == model::ValueStatus::AtLeast ? ">" + Percent(c.share_value.number)
                                                                              : "-";
    t.rows.push_back({c.rank ? std::to_string(*c.rank) : "", c.name, quantity, share, c.source, note});
  }
  if (s.remainder) {
    t.rows.push_back({"", fmt::format("{} more countries", s.remainder->countries), RemainderQuantity(s, *s.remainder),
                      Percent(s.remainder->share), "", ""});
  }
  PrintTable(std::cout, t);
  std::cout << '\n';
}

int SupplyCommand(const std::string& dir, const std::string& minerals_arg, std::optional<int> year, int top,
                  Format format) {
  WorkspaceArgs args;
  args.dataset = dir;
  app::Workspace ws(ResolvePaths(args));
  data::SupplyRequest request;
  request.minerals = SplitList(minerals_arg);
  request.year = year;
  request.top = top;
  const auto result = data::Supply(ws.dataset(), request);
  if (format == Format::Json) {
    std::cout << data::ToJson(result).dump(2) << '\n';
    return 0;
  }
  if (format == Format::Csv) {
    PrintCsvRows(std::cout, data::ToCsv(result));
    return 0;
  }
  for (const auto& m : result.minerals) {
    if (m.stages.empty()) {
      std::cout << fmt::format("{}: insufficient data (no production figures{})\n\n", m.name,
                               year ? fmt::format(" for {}", *year) : "");
    }
    for (const auto& s : m.stages) PrintSupplyStage(m, s);
  }
  if (!result.cited.empty()) {
    std::cout << "Sources:\n";
    for (const auto& src : result.cited) {
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
    static bool force = false;
    std::string kinds;
    for (const auto& k : data::ImporterNames()) kinds += (kinds.empty() ? "" : "|") + k;
    cmd->add_option("KIND", kind, "Importer: " + kinds)->required();
    cmd->add_option("FILE", files, "Files as published (several for eu-crm-annex7 and baci)")->required();
    cmd->add_option("--out", out, "Dataset directory to create or update")->required();
    cmd->add_option("--ref", ref,
                    "Reference directory (country names, mappings, sources); default: the shipped data/reference");
    cmd->add_flag("--force", force,
                  "Apply an import that yields no rows or would remove more than half of its sources' rows "
                  "(refused otherwise, as a truncated file would do that)");
    cmd->callback([&exit_code] {
      exit_code = RunGuarded([] {
        auto reference = data::Reference::Load(ref.empty() ? DefaultReferenceDir() : ref);
        std::vector<std::filesystem::path> paths(files.begin(), files.end());
        auto result = data::RunImporter(kind, paths, reference);
        auto ds = data::ApplyImport(result, out, reference, data::ApplyImportOptions{force});
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
    auto* cmd = data_cmd->add_subcommand("build",
                                         "Build a dataset from a recipe of published files and curated tables "
                                         "(sources/build.json builds the shipped data/starter)");
    static std::string recipe;
    static std::string out;
    static std::string ref;
    static std::string published;
    cmd->add_option("RECIPE", recipe, "Recipe JSON: name, version, date, description, steps [{importer, files}]")
        ->required();
    cmd->add_option("--out", out, "Dataset directory to write (replaced only by a valid dataset)")->required();
    cmd->add_option("--ref", ref, "Reference directory; default: the shipped data/reference");
    cmd->add_option("--published", published,
                    "Where the raw published files (USGS, WGI, EU CRM, BACI) are kept, read in place for the "
                    "recipe's \"published:\" files; default: $LODESTONE_PUBLISHED, else ../shared/data beside the "
                    "source tree");
    cmd->callback([&exit_code] {
      exit_code = RunGuarded([] {
        auto reference = data::Reference::Load(ref.empty() ? DefaultReferenceDir() : ref);
        auto report = data::BuildDataset(recipe, out, reference, published.empty() ? DefaultPublishedDir() : published);
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
