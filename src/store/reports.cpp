// The registry-wide operations' reports (db migrate, db copy) and their JSON.
#include <nlohmann/json.hpp>

#include "lodestone/store/registry_store.hpp"

namespace lodestone::store {

MigrateReport MigrateRegistry(std::string_view url) {
  auto store = OpenProjectStore(url);  // opening migrates
  return {store->Location(), store->Backend(), store->SchemaVersion(), store->Count()};
}

std::string ToJsonText(const CopyReport& r) {
  nlohmann::ordered_json j = {{"from", r.from},
                              {"to", r.to},
                              {"projects", r.projects},
                              {"capital_lines", r.capital_lines},
                              {"audit_rows", r.audit_rows},
                              {"schema_version", r.schema_version}};
  return j.dump(2) + "\n";
}

std::string ToJsonText(const MigrateReport& r) {
  nlohmann::ordered_json j = {
      {"database", r.database}, {"backend", r.backend}, {"schema_version", r.schema_version}, {"projects", r.projects}};
  return j.dump(2) + "\n";
}

}  // namespace lodestone::store
