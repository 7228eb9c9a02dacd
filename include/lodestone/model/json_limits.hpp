// Size and nesting limits of a JSON text, checked by one linear scan before it is parsed: every
// JSON input from outside (scenario and register files, HTTP request bodies) goes through it, so
// no parser recurses deeper than the limit and no input costs more than its size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace lodestone::model {

// Line and column (both from 1; columns count UTF-8 code points) of the byte at offset `byte` of
// `text`: where a parser's byte offset points, for messages.
std::pair<std::size_t, std::size_t> LineColumnAt(std::string_view text, std::size_t byte);

// Throws an InvalidData error (file, line and column of the first bracket past the limit) when
// `text` is longer than `max_bytes` or nests objects and arrays more than `max_depth` deep.
// Brackets inside strings do not count. `what` names the input in the size message ("a scenario
// or register", "a request body").
void CheckJsonLimits(std::string_view text, const std::string& file, std::size_t max_bytes, std::size_t max_depth,
                     std::string_view what);

}  // namespace lodestone::model
