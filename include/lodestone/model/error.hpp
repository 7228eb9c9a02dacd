// The one error type of the library. Every failure a caller can cause or meet carries a kind,
// and each kind maps to one CLI exit code and one HTTP status (docs/errors.md). Problems in
// input files carry their diagnostics (file, line, column, message), all of them at once.
//
// Policy:
//   - a caller's request is wrong (bad option value, unknown id in a request)  -> InvalidRequest
//   - a file or table does not validate (with file:line:column diagnostics)    -> InvalidData
//   - a named thing does not exist (project id, file, database)                -> NotFound
//   - a write lost a race or would break a uniqueness/version rule             -> Conflict
//   - the store failed (I/O, locked, corrupt)                                  -> Storage
//   - a bug: an invariant of ours broke (LODESTONE_ASSERT)                      -> Internal
// Library code throws lodestone::Error only; anything else escaping the library is a bug and
// front ends report it as Internal.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "lodestone/model/diagnostics.hpp"

namespace lodestone {

enum class ErrorKind { InvalidRequest, InvalidData, NotFound, Conflict, Storage, Internal };

// "invalid_request", "invalid_data", "not_found", "conflict", "storage", "internal": the stable
// code a server puts in its JSON error body.
std::string_view ErrorCode(ErrorKind kind);
// Process exit code of the CLI for an error of this kind (docs/errors.md).
int ExitCode(ErrorKind kind);
// HTTP status a server returns for an error of this kind (docs/errors.md).
int HttpStatus(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message);
  // InvalidData (or another kind) with every problem found; what() is the first one.
  Error(ErrorKind kind, model::Diagnostics diagnostics);

  static Error InvalidRequest(std::string message) { return {ErrorKind::InvalidRequest, std::move(message)}; }
  static Error NotFound(std::string message) { return {ErrorKind::NotFound, std::move(message)}; }
  static Error Conflict(std::string message) { return {ErrorKind::Conflict, std::move(message)}; }
  static Error Storage(std::string message) { return {ErrorKind::Storage, std::move(message)}; }
  static Error Internal(std::string message) { return {ErrorKind::Internal, std::move(message)}; }
  static Error InvalidData(model::Diagnostics diagnostics) { return {ErrorKind::InvalidData, std::move(diagnostics)}; }
  // One problem at a place in a file (line and column 0 when not about one line or field).
  static Error InvalidData(std::string_view file, std::size_t line, std::size_t column, std::string message);

  ErrorKind kind() const { return kind_; }
  std::string_view code() const { return ErrorCode(kind_); }
  // Every problem, with file, line and column where known; one item for errors built from a
  // message.
  const model::Diagnostics& diagnostics() const { return diagnostics_; }
  // The message a person reads: every diagnostic, one a line, without the summary line.
  std::string Describe() const;

 private:
  ErrorKind kind_;
  model::Diagnostics diagnostics_;
};

namespace detail {
[[noreturn]] void AssertFailed(const char* expr, const char* file, int line, std::string_view message);
}

}  // namespace lodestone

// A programmer error: an invariant of ours that input cannot break. Throws an Internal error
// naming the source line, in every build type (checks here are cheap; none sits in a hot loop).
#define LODESTONE_ASSERT(cond, message)                                                   \
  do {                                                                                    \
    if (!(cond)) ::lodestone::detail::AssertFailed(#cond, __FILE__, __LINE__, (message)); \
  } while (0)
