// The store named by a URL, and the copy of a whole registry from one store to another.
#include <fmt/format.h>

#include "lodestone/model/error.hpp"
#include "lodestone/store/registry_store.hpp"
#include "lodestone/store/sqlite_project_store.hpp"
#ifdef LODESTONE_WITH_POSTGRES
#include "lodestone/store/postgres_project_store.hpp"
#endif

namespace lodestone::store {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::filesystem::path SqlitePath(std::string_view url) {
  std::string_view path = url;
  if (StartsWith(path, "sqlite:")) {
    path.remove_prefix(7);
    if (StartsWith(path, "//")) path.remove_prefix(2);  // sqlite:///abs/path as well as sqlite:PATH
    if (path.empty()) throw Error::InvalidRequest(fmt::format("'{}': no file after sqlite:", url));
  } else if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    throw Error::InvalidRequest(
        fmt::format("'{}': unknown database scheme '{}' (expected a file path, sqlite:PATH or postgresql://...)",
                    RedactUrl(url), url.substr(0, scheme)));
  }
  return std::filesystem::path(std::string(path));
}

bool IsPostgresUrl(std::string_view url) { return StartsWith(url, "postgresql://") || StartsWith(url, "postgres://"); }

bool PostgresSupported() {
#ifdef LODESTONE_WITH_POSTGRES
  return true;
#else
  return false;
#endif
}

std::string RedactUrl(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto authority = scheme + 3;
  const auto end = url.find_first_of("/?", authority);
  const auto at = url.rfind('@', end == std::string_view::npos ? url.size() : end);
  std::string out(url);
  if (at != std::string_view::npos && at > authority) {
    const auto colon = url.find(':', authority);
    if (colon != std::string_view::npos && colon < at)
      out = fmt::format("{}:***{}", url.substr(0, colon), url.substr(at));
  }
  // A password given as a query parameter (password=...) is hidden too.
  const auto query = out.find('?');
  if (query != std::string::npos) {
    for (auto p = out.find("password=", query); p != std::string::npos; p = out.find("password=", p + 1)) {
      if (out[p - 1] != '?' && out[p - 1] != '&') continue;
      const auto value = p + 9;
      const auto stop = out.find('&', value);
      out.replace(value, (stop == std::string::npos ? out.size() : stop) - value, "***");
    }
  }
  return out;
}

std::unique_ptr<RegistryStore> OpenProjectStore(std::string_view url) {
  if (url.empty()) throw Error::InvalidRequest("no database given: a file path, sqlite:PATH or postgresql://...");
  if (IsPostgresUrl(url)) {
#ifdef LODESTONE_WITH_POSTGRES
    return PostgresProjectStore::Open(url);
#else
    throw Error::InvalidRequest(
        fmt::format("{}: this lodestone was built without PostgreSQL (configure with libpqxx-dev installed and "
                    "-DLODESTONE_WITH_POSTGRES=ON)",
                    RedactUrl(url)));
#endif
  }
  return SqliteProjectStore::Open(SqlitePath(url));
}

CopyReport CopyRegistry(std::string_view from_url, std::string_view to_url, bool replace) {
  if (!IsPostgresUrl(from_url)) {
    // Opening a SQLite store creates its file: a mistyped source must not become an empty copy.
    const auto path = SqlitePath(from_url);
    if (!std::filesystem::exists(path)) throw Error::NotFound(fmt::format("database {} does not exist", path.string()));
    if (!IsPostgresUrl(to_url) && std::filesystem::exists(SqlitePath(to_url)) &&
        std::filesystem::equivalent(path, SqlitePath(to_url))) {
      throw Error::InvalidRequest(fmt::format("cannot copy {} onto itself", path.string()));
    }
  }
  auto from = OpenProjectStore(from_url);
  auto to = OpenProjectStore(to_url);
  if (IsPostgresUrl(from_url) && from->Location() == to->Location()) {
    throw Error::InvalidRequest(fmt::format("cannot copy {} onto itself", from->Location()));
  }
  const auto dump = from->Export();
  to->Restore(dump, replace);
  CopyReport r;
  r.from = from->Location();
  r.to = to->Location();
  r.projects = dump.projects.size();
  for (const auto& p : dump.projects) r.capital_lines += p.project.capital_stack.size();
  r.audit_rows = dump.audit.size();
  r.schema_version = to->SchemaVersion();
  return r;
}

}  // namespace lodestone::store
