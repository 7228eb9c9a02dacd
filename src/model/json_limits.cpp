#include "lodestone/model/json_limits.hpp"

#include <fmt/format.h>

#include "lodestone/model/error.hpp"

namespace lodestone::model {

void CheckJsonLimits(std::string_view text, const std::string& file, std::size_t max_bytes, std::size_t max_depth,
                     std::string_view what) {
  if (text.size() > max_bytes) {
    throw Error::InvalidData(
        file, 0, 0, fmt::format("{} bytes is larger than the limit of {} bytes for {}", text.size(), max_bytes, what));
  }
  std::size_t line = 1, col = 1, depth = 0;
  bool in_string = false, escaped = false;
  for (char ch : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
    } else if (ch == '"') {
      in_string = true;
    } else if (ch == '{' || ch == '[') {
      if (++depth > max_depth) {
        throw Error::InvalidData(file, line, col,
                                 fmt::format("values nested more than {} levels deep (the limit)", max_depth));
      }
    } else if ((ch == '}' || ch == ']') && depth > 0) {
      --depth;
    }
    if (ch == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) {
      ++col;
    }
  }
}

std::pair<std::size_t, std::size_t> LineColumnAt(std::string_view text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}

}  // namespace lodestone::model
