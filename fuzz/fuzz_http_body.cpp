// libFuzzer harness for the server's request bodies: the input's first byte chooses an endpoint
// that takes a body (POST /v1/projects, PATCH /v1/projects/{id}, POST /v1/simulate,
// POST /v1/projects/{id}/evaluate), the rest is the body, handed to the endpoint's service as the
// HTTP layer would after its size limit (src/server/services.cpp; no socket). The services share
// one JSON body reader (size and depth limits, types, unknown fields), which POST /v1/portfolio
// uses too; the scenario body goes to the scenario parser. The project registry is a scratch
// SQLite file. Oracle: fuzz_common.hpp (a lodestone::Error other than Internal is a fine answer).
#include <cstddef>
#include <cstdint>
#include <string>

#include "../src/server/services.hpp"
#include "fuzz_common.hpp"
#include "lodestone/invest/project.hpp"
#include "lodestone/invest/registry.hpp"
#include "lodestone/store/sqlite_project_store.hpp"

namespace {

struct Target {
  const char* method;
  const char* pattern;
  const char* id;  // the {id} of the path, if any
};

constexpr Target kTargets[] = {
    {"POST", "/v1/projects", ""},
    {"PATCH", "/v1/projects/{id}", "alcoa_wagerup_gallium"},
    {"POST", "/v1/simulate", ""},
    // The body is read first; the unknown id then ends the request before any evaluation runs.
    {"POST", "/v1/projects/{id}/evaluate", "no_such_project"},
};

const lodestone::server::Endpoint& Find(const Target& t) {
  for (const auto& e : lodestone::server::Endpoints()) {
    if (e.method == t.method && e.pattern == t.pattern) return e;
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  using namespace lodestone;
  static fuzz::Scratch scratch({}, "http");
  static app::Workspace* ws = [] {
    const fs::path root = fuzz::SourceDir();
    auto store = store::SqliteProjectStore::Open(scratch / "registry.db");
    invest::Registry reg(*store, invest::ReferenceCodes::Load(root / "data/reference"));
    reg.Import(invest::LoadProjectsCsvOrThrow(root / "data/projects/projects.csv",
                                              root / "data/projects/capital_stack.csv", reg.codes()),
               "fuzz");
    auto paths = app::WorkspacePaths::UnderRoot(root);
    paths.database = scratch / "registry.db";
    auto* w = new app::Workspace(paths);
    (void)w->network();
    return w;
  }();
  static server::JobQueue jobs(*ws, 1, 1);
  static server::Context ctx{*ws, jobs, 1u << 20, {}};
  const auto& target = kTargets[fuzz::Select(data, size, std::size(kTargets))];
  const auto& ep = Find(target);
  server::Request r;
  r.method = target.method;
  r.path = target.pattern;
  if (*target.id) r.params.push_back(target.id);
  r.body.assign(reinterpret_cast<const char*>(data), size);
  server::Caller caller;
  caller.name = "fuzz";
  caller.role = server::Role::Admin;
  fuzz::Guard([&] { (void)ep.run(ctx, r, caller); });
  return 0;
}
