// Text encodings at the edge: files are checked to be UTF-8 before parsing, and the few
// published files in other encodings (USGS: Windows-1252) are converted on import.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lodestone::data {

struct EncodingProblem {
  std::size_t line = 0;    // 1-based
  std::size_t column = 0;  // 1-based byte position within the line
  std::string message;
};

// First reason `text` is not clean UTF-8 text: invalid or overlong sequences, a UTF-16/32
// byte-order mark, a NUL byte (binary data). nullopt when clean.
std::optional<EncodingProblem> CheckUtf8(std::string_view text);

// Windows-1252 to UTF-8 (the five unassigned bytes 0x81 0x8D 0x8F 0x90 0x9D map to U+FFFD).
std::string Cp1252ToUtf8(std::string_view text);

// Whole file into memory; throws model::InputError when it cannot be read.
std::string ReadFileBytes(const std::filesystem::path& path);

}  // namespace lodestone::data
