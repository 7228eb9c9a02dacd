// Text encodings at the edge: files are checked to be UTF-8 before parsing, and the few
// published files in other encodings (USGS: Windows-1252) are converted on import.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "lodestone/model/diagnostics.hpp"

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

// Whole file into memory; throws lodestone::Error (InvalidData) when it cannot be read.
std::string ReadFileBytes(const std::filesystem::path& path);

// A published table as UTF-8 text. A file that is not UTF-8 but is neither UTF-16 nor binary is
// taken to be Windows-1252 (what Excel writes when a CSV is re-saved on Western Windows) and
// converted, with a warning in `diags`; UTF-16 or binary data throws lodestone::Error (InvalidData).
std::string ReadTextAsUtf8(const std::filesystem::path& path, model::Diagnostics& diags);

// A file's bytes, writable and owned: large files are mapped copy-on-write (no copy from the page
// cache, no zero-filling), small ones read into a string. Move-only.
class TextBuffer {
 public:
  TextBuffer() = default;
  explicit TextBuffer(std::string text) : owned_(std::move(text)) {}
  // Throws lodestone::Error (InvalidData) when the file cannot be opened or read.
  static TextBuffer FromFile(const std::filesystem::path& path);
  ~TextBuffer();
  TextBuffer(TextBuffer&& other) noexcept;
  TextBuffer& operator=(TextBuffer&& other) noexcept;
  TextBuffer(const TextBuffer&) = delete;
  TextBuffer& operator=(const TextBuffer&) = delete;

  char* data() { return map_ ? map_ : owned_.data(); }
  const char* data() const { return map_ ? map_ : owned_.data(); }
  std::size_t size() const { return map_ ? map_size_ : owned_.size(); }
  std::string_view view() const { return {data(), size()}; }

 private:
  void Release();
  std::string owned_;
  char* map_ = nullptr;
  std::size_t map_size_ = 0;
};

}  // namespace lodestone::data
