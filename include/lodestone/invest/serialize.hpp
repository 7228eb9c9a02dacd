// Library serialisers of the projects-of-interest results: JSON (app::Json, conventions in
// lodestone/app/json.hpp) and CSV rows (model::CsvRows). Front ends print them as they are.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "lodestone/app/json.hpp"
#include "lodestone/invest/plan.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/model/csv_rows.hpp"

namespace lodestone::invest {

// `portfolio optimise`: the whole plan; CSV: one row per chosen project.
app::Json ToJson(const PortfolioPlan& plan);
model::CsvRows ToCsv(const PortfolioPlan& plan);

// `projects evaluate ID`: the project's figures and the sample's provenance; CSV: one row.
app::Json ToJson(const ProjectEvaluationReport& report);
model::CsvRows ToCsv(const ProjectEvaluationReport& report);
// One evaluation's figures (the object ToJson(report) starts with); `*_pct` are shares of the
// partner demand in percent, null when that demand is 0.
app::Json ToJson(const ProjectEvaluation& evaluation, double horizon_months);

// `projects show` / `projects list`: every column of projects.csv (missing figures as their cell
// text: "NA", ">50", never 0) and the capital stack. CSV: the projects.csv import format.
app::Json ToJson(const Project& project);
app::Json ToJson(const std::vector<Project>& projects);
model::CsvRows ToCsv(const std::vector<Project>& projects);

// `projects history`: the audit log of one project, oldest first (missing values null in JSON,
// "-" in CSV).
app::Json ToJson(const std::vector<AuditEntry>& history);
model::CsvRows ToCsv(const std::vector<AuditEntry>& history);

// `projects import`: what one import did.
struct ImportReport {
  std::string database;  // ProjectStore::Location
  std::size_t projects = 0;
  ImportSummary summary;
};
app::Json ToJson(const ImportReport& report);

}  // namespace lodestone::invest
