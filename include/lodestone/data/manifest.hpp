// dataset.json: the dataset's name, version, date, sources (with citation, licence, url and,
// for assumptions, the rule) and each table's row count (which detects truncated files).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lodestone/model/dataset.hpp"
#include "lodestone/model/diagnostics.hpp"

namespace lodestone::data {

std::optional<model::Manifest> ParseManifest(std::string_view text, const std::string& file, model::Diagnostics& diags);
std::string FormatManifest(const model::Manifest& m);

}  // namespace lodestone::data
