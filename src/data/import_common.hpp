// Helpers shared by the importers (private to src/data).
#pragma once

#include <string>
#include <string_view>

#include "lodestone/data/importers.hpp"

namespace lodestone::data::detail {

// Trims ASCII spaces, tabs and no-break spaces (U+00A0 in UTF-8) at both ends.
std::string_view Trim(std::string_view s);

// Adds `src` to result.sources unless a source with its id is already there.
void AddSource(ImportResult& result, const model::Source& src);

}  // namespace lodestone::data::detail
