// Bytes of a Monte Carlo partial (layout in simulate.hpp): little-endian whatever the host, so a
// partial computed on one machine merges on another.
#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "lodestone/model/error.hpp"
#include "lodestone/sim/simulate.hpp"

namespace lodestone::sim {

namespace {

constexpr char kMagic[8] = {'L', 'S', 'M', 'C', 'P', '\0', '\x01', '\0'};

class Writer {
 public:
  void U64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void U32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void I64(std::int64_t v) { U64(static_cast<std::uint64_t>(v)); }
  void F64(double v) { U64(std::bit_cast<std::uint64_t>(v)); }
  void Raw(const char* p, std::size_t n) { out_.append(p, n); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint64_t U64() {
    Need(8);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
  }
  std::uint32_t U32() {
    Need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  std::int64_t I64() { return static_cast<std::int64_t>(U64()); }
  double F64() { return std::bit_cast<double>(U64()); }
  std::string_view Raw(std::size_t n) {
    Need(n);
    auto v = in_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  // A length that must equal `expected` (the size the header implies), of elements of `size`
  // bytes that the rest of the input must hold (checked before anything is allocated).
  void Length(std::uint64_t expected, std::uint64_t size, const char* what) {
    std::uint64_t n = U64();
    if (n != expected) Fail(fmt::format("{} has {} elements, expected {}", what, n, expected));
    if (n > left() / size) Fail("truncated");
  }
  std::size_t left() const { return in_.size() - pos_; }
  [[noreturn]] void Fail(const std::string& why) const {
    throw Error::InvalidData("", 0, 0, fmt::format("not a Monte Carlo partial (at byte {}): {}", pos_, why));
  }

 private:
  void Need(std::size_t n) const {
    if (left() < n) Fail("truncated");
  }
  std::string_view in_;
  std::size_t pos_ = 0;
};

void PutWide(Writer& w, const std::vector<Wide>& v) {
  w.U64(v.size());
  for (const auto& x : v) {
    w.U64(x.lo);
    w.I64(x.hi);
  }
}
void PutU64(Writer& w, const std::vector<std::uint64_t>& v) {
  w.U64(v.size());
  for (auto x : v) w.U64(x);
}
void PutF64(Writer& w, const std::vector<double>& v) {
  w.U64(v.size());
  for (auto x : v) w.F64(x);
}

void GetWide(Reader& r, std::vector<Wide>& v, std::uint64_t n, const char* what) {
  r.Length(n, 16, what);
  v.resize(n);
  for (auto& x : v) {
    x.lo = r.U64();
    x.hi = r.I64();
  }
}
void GetU64(Reader& r, std::vector<std::uint64_t>& v, std::uint64_t n, const char* what) {
  r.Length(n, 8, what);
  v.resize(n);
  for (auto& x : v) x = r.U64();
}
void GetF64(Reader& r, std::vector<double>& v, std::uint64_t n, const char* what) {
  r.Length(n, 8, what);
  v.resize(n);
  for (auto& x : v) x = r.F64();
}

}  // namespace

std::string Serialize(const McPartial& p) {
  Writer w;
  w.Raw(kMagic, sizeof kMagic);
  w.U64(p.runs);
  w.U64(p.seed);
  w.U32(p.sector_rule);
  w.U32(p.minerals);
  w.U32(p.consumers);
  w.U32(p.events);
  w.U64(p.blocks.size());
  for (const auto& [first, last] : p.blocks) {
    w.U64(first);
    w.U64(last);
  }
  w.U64(p.evaluations);
  PutWide(w, p.demand);
  PutWide(w, p.stock);
  PutWide(w, p.shortfall);
  PutU64(w, p.nonzero);
  PutF64(w, p.max_t);
  w.U64(p.hist.size());
  for (const auto& b : p.hist) {
    w.I64(b.sum);
    w.U64(b.count);
  }
  PutU64(w, p.touched);
  PutWide(w, p.mirror_demand);
  PutWide(w, p.mirror_stock);
  PutWide(w, p.mirror_short);
  PutU64(w, p.mirror_nonzero);
  PutF64(w, p.mirror_max);
  PutU64(w, p.event_count);
  return w.Take();
}

McPartial Deserialize(std::string_view bytes) {
  Reader r(bytes);
  if (r.Raw(sizeof kMagic) != std::string_view(kMagic, sizeof kMagic)) r.Fail("wrong magic or format version");
  McPartial p;
  p.runs = r.U64();
  p.seed = r.U64();
  p.sector_rule = r.U32();
  p.minerals = r.U32();
  p.consumers = r.U32();
  p.events = r.U32();
  if (p.sector_rule > static_cast<std::uint32_t>(SectorRule::DefenceFirst)) r.Fail("unknown sector rule");
  const std::uint64_t nranges = r.U64();
  if (nranges > r.left() / 16) r.Fail("truncated");
  std::uint64_t prev_end = 0;
  for (std::uint64_t i = 0; i < nranges; ++i) {
    std::uint64_t first = r.U64(), last = r.U64();
    if (first >= last || (i > 0 && first <= prev_end)) r.Fail("block ranges not sorted, disjoint and non-empty");
    prev_end = last;
    p.blocks.emplace_back(first, last);
  }
  if (nranges > 0 && prev_end > McBlockCount(p.runs)) r.Fail("blocks past the end of the run");
  p.evaluations = r.U64();
  // Sizes implied by the header; every array must have exactly these (and fit in what is left).
  if (p.minerals > (1u << 16) || p.consumers > (1u << 16)) r.Fail("implausible numbers of minerals or consumers");
  const std::uint64_t mk = std::uint64_t{p.minerals} * p.consumers;
  const std::uint64_t cells = mk * (kSectors + 1);
  const std::uint64_t hist = mk * (kSectors + 2) * kMcHistSize;
  GetWide(r, p.demand, cells, "demand");
  GetWide(r, p.stock, cells, "stock");
  GetWide(r, p.shortfall, cells, "shortfall");
  GetU64(r, p.nonzero, cells, "nonzero");
  GetF64(r, p.max_t, cells, "max_t");
  r.Length(hist, 16, "hist");
  p.hist.resize(hist);
  for (auto& b : p.hist) {
    b.sum = r.I64();
    b.count = r.U64();
  }
  GetU64(r, p.touched, p.minerals, "touched");
  GetWide(r, p.mirror_demand, mk, "mirror_demand");
  GetWide(r, p.mirror_stock, mk, "mirror_stock");
  GetWide(r, p.mirror_short, mk, "mirror_short");
  GetU64(r, p.mirror_nonzero, mk, "mirror_nonzero");
  GetF64(r, p.mirror_max, mk, "mirror_max");
  GetU64(r, p.event_count, p.events, "event_count");
  if (r.left() != 0) r.Fail(fmt::format("{} bytes after the end", r.left()));
  return p;
}

}  // namespace lodestone::sim
