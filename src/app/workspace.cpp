#include "lodestone/app/workspace.hpp"

#include <fmt/format.h>

#include <mutex>

#include "lodestone/data/loader.hpp"
#include "lodestone/data/reference.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/outlook/data.hpp"
#include "lodestone/sim/inputs.hpp"
#include "lodestone/sim/network.hpp"
#include "lodestone/sim/scenario.hpp"

namespace lodestone::app {

namespace fs = std::filesystem;

WorkspacePaths WorkspacePaths::UnderRoot(const fs::path& root) {
  WorkspacePaths p;
  p.dataset = root / "data" / "starter";
  p.reference = root / "data" / "reference";
  p.sim_data = root / "data" / "sim";
  p.outlook = root / "data" / "outlook";
  p.projects = root / "data" / "projects";
  p.scenarios = root / "scenarios";
  return p;
}

fs::path WorkspacePaths::RegisterFile() const {
  return risk_register.empty() ? scenarios / "register.json" : risk_register;
}

// One lazily loaded part: loaded under its own mutex, so that two threads asking at once load it
// once, and a failed load is tried again by the next caller.
template <class T>
class Lazy {
 public:
  template <class F>
  const T& Get(F&& load) const {
    std::lock_guard lock(mutex_);
    if (!value_) value_ = std::make_unique<T>(load());
    return *value_;
  }

 private:
  mutable std::mutex mutex_;
  mutable std::unique_ptr<T> value_;
};

struct Workspace::Impl {
  Lazy<model::Dataset> dataset;
  Lazy<data::Reference> reference;
  Lazy<sim::SimInputs> sim_inputs;
  Lazy<sim::Network> network;
  Lazy<sim::Register> reg;
  Lazy<outlook::OutlookData> outlook;
  Lazy<int> year;
};

Workspace::Workspace(WorkspacePaths paths) : paths_(std::move(paths)), impl_(std::make_unique<Impl>()) {}
Workspace::~Workspace() = default;

namespace {
void NeedDirectory(const fs::path& dir, std::string_view what) {
  if (dir.empty()) throw Error::InvalidRequest(fmt::format("no {} directory given", what));
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error::NotFound(fmt::format("{} directory {} does not exist", what, dir.string()));
}
}  // namespace

const model::Dataset& Workspace::dataset() const {
  return impl_->dataset.Get([&] {
    NeedDirectory(paths_.dataset, "dataset");
    return data::LoadDatasetOrThrow(paths_.dataset);
  });
}

const data::Reference& Workspace::reference() const {
  return impl_->reference.Get([&] {
    NeedDirectory(paths_.reference, "reference");
    return data::Reference::Load(paths_.reference);
  });
}

const sim::SimInputs& Workspace::sim_inputs() const {
  const auto& ds = dataset();
  return impl_->sim_inputs.Get([&] {
    NeedDirectory(paths_.sim_data, "simulator data");
    return sim::LoadSimInputs(paths_.sim_data, ds);
  });
}

const sim::Network& Workspace::network() const {
  const auto& ds = dataset();
  const auto& in = sim_inputs();
  const int year = baseline_year();
  return impl_->network.Get([&] { return sim::BuildNetwork(ds, in, year); });
}

const sim::Register& Workspace::risk_register() const {
  return impl_->reg.Get([&] {
    const fs::path file = paths_.RegisterFile();
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
      throw Error::NotFound(fmt::format("risk register {} does not exist", file.string()));
    return sim::LoadRegister(file);
  });
}

const outlook::OutlookData& Workspace::outlook_data() const {
  const auto& ds = dataset();
  return impl_->outlook.Get([&] {
    NeedDirectory(paths_.outlook, "outlook data");
    return outlook::LoadOutlookData(paths_.outlook, ds);
  });
}

int Workspace::baseline_year() const {
  const auto& ds = dataset();
  return impl_->year.Get([&] {
    auto y = LatestProductionYear(ds);
    if (!y) {
      throw Error::InvalidData(paths_.dataset.string(), 0, 0,
                               "no known mining figure: the baseline year cannot be taken from the data");
    }
    return *y;
  });
}

std::optional<int> LatestProductionYear(const model::Dataset& ds, std::string_view stage) {
  const auto st = ds.FindStage(stage);
  if (!st) return std::nullopt;
  const auto& p = ds->production;
  std::optional<int> best;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.stage[i] != *st || !p.quantity[i].HasNumber()) continue;
    if (!best || p.year[i] > *best) best = p.year[i];
  }
  return best;
}

}  // namespace lodestone::app
