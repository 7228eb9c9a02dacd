// PENDING: importer under construction.
#include "import_common.hpp"
namespace lodestone::data {
ImportResult ImportMspMembership(const std::filesystem::path& file, const Reference&) { throw model::InputError(file.string(), 0, 0, "pending"); }
ImportResult ImportUsAgreements(const std::filesystem::path& file, const Reference&) { throw model::InputError(file.string(), 0, 0, "pending"); }
ImportResult ImportProcessingHeadlines(const std::filesystem::path& file, const Reference&) { throw model::InputError(file.string(), 0, 0, "pending"); }
}
