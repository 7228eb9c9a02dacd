// PENDING: importer under construction.
#include "import_common.hpp"
namespace lodestone::data {
ImportResult ImportEuAnnex7(const std::vector<std::filesystem::path>&, const Reference&) { throw model::InputError("", 0, 0, "pending"); }
}
