// Diagnostics: collection and formatting of input problems.
#include "lodestone/model/diagnostics.hpp"

#include <fmt/format.h>

namespace lodestone::model {

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out;
  if (!d.file.empty()) {
    out += d.file;
    if (d.line > 0) {
      out += fmt::format(":{}", d.line);
      if (d.column > 0) out += fmt::format(":{}", d.column);
    }
    out += ": ";
  }
  out += d.severity == Severity::Error ? "error: " : "warning: ";
  out += d.message;
  return out;
}

void Diagnostics::Add(Diagnostic d) {
  if (d.severity == Severity::Error) {
    ++error_count_;
  } else {
    ++warning_count_;
  }
  if (items_.size() >= kMaxKept) {
    ++dropped_;
    return;
  }
  items_.push_back(std::move(d));
}

void Diagnostics::Error(std::string_view file, std::size_t line, std::size_t column, std::string message) {
  Add({Severity::Error, std::string(file), line, column, std::move(message)});
}

void Diagnostics::Warning(std::string_view file, std::size_t line, std::size_t column, std::string message) {
  Add({Severity::Warning, std::string(file), line, column, std::move(message)});
}

void Diagnostics::Append(const Diagnostics& other) {
  error_count_ += other.error_count_;
  warning_count_ += other.warning_count_;
  for (const auto& d : other.items_) {
    if (items_.size() < kMaxKept) {
      items_.push_back(d);
    } else {
      ++dropped_;
    }
  }
  dropped_ += other.dropped_;
}

std::string Diagnostics::Format() const {
  std::string out;
  for (const auto& d : items_) {
    out += FormatDiagnostic(d);
    out += '\n';
  }
  if (dropped_ > 0) out += fmt::format("... and {} more problems not shown\n", dropped_);
  out += fmt::format("{} error(s), {} warning(s)\n", error_count_, warning_count_);
  return out;
}

}  // namespace lodestone::model
