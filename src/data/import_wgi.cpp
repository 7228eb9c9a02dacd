// PENDING: importer under construction.
#include "import_common.hpp"
namespace lodestone::data {
ImportResult ImportWgi(const std::filesystem::path& file, const Reference&) { throw model::InputError(file.string(), 0, 0, "pending"); }
}
