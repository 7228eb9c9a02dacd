// Problems found in input, each with its place (file, line, column), collected so that every
// problem of a file is reported at once rather than only the first.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone::model {

enum class Severity { Error, Warning };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;        // path as given by the caller; empty when not about a file
  std::size_t line = 0;    // 1-based; 0 when the problem concerns the whole file
  std::size_t column = 0;  // 1-based field number within the line; 0 when not about one field
  std::string message;

  bool operator==(const Diagnostic&) const = default;
};

// "file:line:col: error: message" (parts omitted when zero or empty).
std::string FormatDiagnostic(const Diagnostic& d);

class Diagnostics {
 public:
  // Past this many problems, further ones are counted but not kept: a binary file must not
  // produce a million-line report.
  static constexpr std::size_t kMaxKept = 200;

  void Error(std::string_view file, std::size_t line, std::size_t column, std::string message);
  void Warning(std::string_view file, std::size_t line, std::size_t column, std::string message);
  void Append(const Diagnostics& other);

  bool HasErrors() const { return error_count_ > 0; }
  std::size_t ErrorCount() const { return error_count_; }
  std::size_t WarningCount() const { return warning_count_; }
  const std::vector<Diagnostic>& Items() const { return items_; }
  std::size_t Dropped() const { return dropped_; }
  // One diagnostic per line, then a summary line.
  std::string Format() const;

 private:
  void Add(Diagnostic d);
  std::vector<Diagnostic> items_;
  std::size_t error_count_ = 0;
  std::size_t warning_count_ = 0;
  std::size_t dropped_ = 0;
};

}  // namespace lodestone::model

// lodestone::Error, the error type that carries diagnostics.
#include "lodestone/model/error.hpp"  // IWYU pragma: export
