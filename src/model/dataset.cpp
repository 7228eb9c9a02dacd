// Dataset: small queries over the immutable contents.
#include "lodestone/model/dataset.hpp"

namespace lodestone::model {

std::vector<CountryId> Dataset::GroupMembers(GroupId g) const {
  std::vector<CountryId> out;
  const auto& t = contents_->groups;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.group[i] == g) out.push_back(t.country[i]);
  }
  return out;
}

}  // namespace lodestone::model
