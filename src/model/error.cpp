#include "lodestone/model/error.hpp"

#include <fmt/format.h>

namespace lodestone {

std::string_view ErrorCode(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest: return "invalid_request";
    case ErrorKind::InvalidData: return "invalid_data";
    case ErrorKind::NotFound: return "not_found";
    case ErrorKind::Conflict: return "conflict";
    case ErrorKind::Storage: return "storage";
    case ErrorKind::Internal: return "internal";
  }
  return "internal";
}

int ExitCode(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest: return 2;
    case ErrorKind::InvalidData: return 3;
    case ErrorKind::NotFound: return 4;
    case ErrorKind::Conflict: return 5;
    case ErrorKind::Storage: return 6;
    case ErrorKind::Internal: return 70;
  }
  return 70;
}

int HttpStatus(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidRequest: return 400;
    case ErrorKind::InvalidData: return 422;
    case ErrorKind::NotFound: return 404;
    case ErrorKind::Conflict: return 409;
    case ErrorKind::Storage: return 503;
    case ErrorKind::Internal: return 500;
  }
  return 500;
}

namespace {
model::Diagnostics OneProblem(std::string_view file, std::size_t line, std::size_t column, std::string message) {
  model::Diagnostics d;
  d.Error(file, line, column, std::move(message));
  return d;
}
std::string FirstMessage(const model::Diagnostics& d) {
  return d.Items().empty() ? std::string("invalid input") : model::FormatDiagnostic(d.Items().front());
}
}  // namespace

Error::Error(ErrorKind kind, std::string message)
    : std::runtime_error(message), kind_(kind), diagnostics_(OneProblem("", 0, 0, std::move(message))) {}

Error::Error(ErrorKind kind, model::Diagnostics diagnostics)
    : std::runtime_error(FirstMessage(diagnostics)), kind_(kind), diagnostics_(std::move(diagnostics)) {}

Error Error::InvalidData(std::string_view file, std::size_t line, std::size_t column, std::string message) {
  return {ErrorKind::InvalidData, OneProblem(file, line, column, std::move(message))};
}

std::string Error::Describe() const {
  std::string out;
  for (const auto& d : diagnostics_.Items()) {
    if (!out.empty()) out += '\n';
    out += model::FormatDiagnostic(d);
  }
  if (diagnostics_.Dropped() > 0) out += fmt::format("\n... and {} more problems not shown", diagnostics_.Dropped());
  return out;
}

namespace detail {
void AssertFailed(const char* expr, const char* file, int line, std::string_view message) {
  throw Error(ErrorKind::Internal, fmt::format("internal error at {}:{}: {} ({})", file, line, message, expr));
}
}  // namespace detail

}  // namespace lodestone
