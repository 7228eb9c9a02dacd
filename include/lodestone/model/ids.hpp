// Dense integer ids for countries, minerals, stages, sources and groups, interned at load so
// that hot loops index arrays instead of hashing strings.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lodestone::model {

template <class Tag>
struct Id {
  std::uint16_t value = 0;
  constexpr auto operator<=>(const Id&) const = default;
  constexpr std::size_t index() const { return value; }
};

using CountryId = Id<struct CountryTag>;
using MineralId = Id<struct MineralTag>;
using StageId = Id<struct StageTag>;
using SourceId = Id<struct SourceTag>;
using GroupId = Id<struct GroupTag>;
using RegionId = Id<struct RegionTag>;

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Maps names to dense ids 0..n-1 in first-seen order.
template <class IdT>
class Interner {
 public:
  static constexpr std::size_t kMaxSize = 65535;

  std::optional<IdT> Find(std::string_view name) const {
    auto it = index_.find(name);
    if (it == index_.end()) return std::nullopt;
    return IdT{it->second};
  }
  // Returns the existing id or adds the name. Throws std::length_error past kMaxSize names.
  IdT Intern(std::string_view name) {
    if (auto id = Find(name)) return *id;
    if (names_.size() >= kMaxSize) throw std::length_error("too many distinct names to intern");
    auto v = static_cast<std::uint16_t>(names_.size());
    names_.emplace_back(name);
    index_.emplace(names_.back(), v);
    return IdT{v};
  }
  const std::string& Name(IdT id) const { return names_.at(id.value); }
  std::size_t size() const { return names_.size(); }
  const std::vector<std::string>& names() const { return names_; }
  bool operator==(const Interner& o) const { return names_ == o.names_; }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::uint16_t, StringHash, std::equal_to<>> index_;
};

}  // namespace lodestone::model
