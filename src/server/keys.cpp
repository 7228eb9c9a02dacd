#include "lodestone/server/keys.hpp"

#include <fmt/format.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lodestone/data/safe_write.hpp"
#include "lodestone/model/error.hpp"
#include "lodestone/model/text.hpp"

namespace lodestone::server {
namespace {

constexpr std::string_view kPrefix = "lsk_";
constexpr std::size_t kSecretBytes = 32;

void InitSodium() {
  if (sodium_init() < 0) throw Error::Internal("libsodium could not be initialised");
}

std::string Hex(const unsigned char* p, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();
  return out;
}

// BLAKE2b-256 of the secret keyed by "lodestone-api-key-<id>" (a BLAKE2b key has 16 to 64 bytes).
std::string HashSecret(std::string_view id, std::string_view secret) {
  const std::string key = "lodestone-api-key-" + std::string(id);
  std::array<unsigned char, crypto_generichash_BYTES> out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  std::string hex(out.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), out.data(), out.size());
  hex.pop_back();
  return hex;
}

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string_view Name(Role role) {
  switch (role) {
    case Role::Viewer: return "viewer";
    case Role::Analyst: return "analyst";
    case Role::Admin: return "admin";
  }
  return "viewer";
}

Role ParseRole(std::string_view text) {
  if (text == "viewer") return Role::Viewer;
  if (text == "analyst") return Role::Analyst;
  if (text == "admin") return Role::Admin;
  throw Error::InvalidRequest(fmt::format("role '{}': expected viewer, analyst or admin", text));
}

bool Allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

std::string KeysJson(const std::vector<ApiKey>& keys) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (const auto& k : keys) {
    a.push_back({{"id", k.id},
                 {"name", k.name},
                 {"role", std::string(Name(k.role))},
                 {"partner", k.partner},
                 {"created", k.created},
                 {"revoked", k.revoked ? nlohmann::ordered_json(*k.revoked) : nlohmann::ordered_json(nullptr)}});
  }
  return a.dump(2) + "\n";
}

KeyFile::KeyFile(std::filesystem::path path) : path_(std::move(path)) {
  InitSodium();
  std::lock_guard lock(mutex_);
  Load();
}

void KeyFile::Load() {
  keys_.clear();
  std::error_code ec;
  loaded_exists_ = std::filesystem::exists(path_, ec);
  if (!loaded_exists_) return;
  loaded_mtime_ = std::filesystem::last_write_time(path_, ec);
  loaded_size_ = std::filesystem::file_size(path_, ec);
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw Error::Storage(fmt::format("{}: cannot be read", path_.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string file = path_.string();
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::exception& e) {
    throw Error::InvalidData(file, 0, 0, fmt::format("not a key file: {}", e.what()));
  }
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    throw Error::InvalidData(file, 0, 0, "not a key file: expected an object with a \"keys\" array");
  }
  std::size_t i = 0;
  for (const auto& k : doc["keys"]) {
    auto field = [&](const char* name) -> std::string {
      if (!k.is_object() || !k.contains(name) || !k[name].is_string()) {
        throw Error::InvalidData(file, 0, 0, fmt::format("keys[{}].{}: expected a string", i, name));
      }
      return k[name].get<std::string>();
    };
    ApiKey key;
    key.id = field("id");
    key.name = field("name");
    try {
      key.role = ParseRole(field("role"));
    } catch (const Error& e) {
      throw Error::InvalidData(file, 0, 0, fmt::format("keys[{}].role: {}", i, e.what()));
    }
    key.partner = field("partner");
    key.created = field("created");
    key.hash = field("hash");
    if (k.contains("revoked") && !k["revoked"].is_null()) key.revoked = field("revoked");
    if (key.id.size() != 8 || !IsHex(key.id) || key.hash.size() != 64 || !IsHex(key.hash)) {
      throw Error::InvalidData(file, 0, 0, fmt::format("keys[{}]: malformed id or hash", i));
    }
    keys_.push_back(std::move(key));
    ++i;
  }
}

void KeyFile::Save() const {
  nlohmann::ordered_json doc;
  doc["format"] = "lodestone-api-keys/1";
  doc["keys"] = nlohmann::ordered_json::array();
  for (const auto& k : keys_) {
    nlohmann::ordered_json j;
    j["id"] = k.id;
    j["name"] = k.name;
    j["role"] = std::string(Name(k.role));
    j["partner"] = k.partner;
    j["created"] = k.created;
    j["revoked"] = k.revoked ? nlohmann::ordered_json(*k.revoked) : nlohmann::ordered_json(nullptr);
    j["hash"] = k.hash;
    doc["keys"].push_back(std::move(j));
  }
  // The file gives no access, but nobody else needs to read it.
  const mode_t old = ::umask(077);
  try {
    data::WriteFileAtomic(path_, doc.dump(2) + "\n");
  } catch (...) {
    ::umask(old);
    throw;
  }
  ::umask(old);
}

void KeyFile::ReloadIfChanged() {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path_, ec);
  if (exists == loaded_exists_) {
    if (!exists) return;
    const auto mtime = std::filesystem::last_write_time(path_, ec);
    const auto size = std::filesystem::file_size(path_, ec);
    if (!ec && mtime == loaded_mtime_ && size == loaded_size_) return;
  }
  Load();
}

std::vector<ApiKey> KeyFile::Keys() const {
  std::lock_guard lock(mutex_);
  return keys_;
}

std::size_t KeyFile::ActiveCount() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& k : keys_) n += k.revoked ? 0 : 1;
  return n;
}

NewKey KeyFile::Create(std::string_view name, Role role, std::string_view partner, std::string_view at) {
  if (name.empty() || name.size() > 64 || model::HasControlChar(name)) {
    throw Error::InvalidRequest("key name: expected 1 to 64 printable characters");
  }
  if (partner.size() > 16 || model::HasControlChar(partner)) {
    throw Error::InvalidRequest("partner: expected a consumer code such as USA or JPN");
  }
  std::lock_guard lock(mutex_);
  ReloadIfChanged();
  std::string id;
  do {
    std::array<unsigned char, 4> raw{};
    randombytes_buf(raw.data(), raw.size());
    id = Hex(raw.data(), raw.size());
  } while (std::any_of(keys_.begin(), keys_.end(), [&](const ApiKey& k) { return k.id == id; }));
  std::array<unsigned char, kSecretBytes> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string secret(sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(secret.data(), secret.size(), raw.data(), raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  secret.resize(std::strlen(secret.c_str()));
  sodium_memzero(raw.data(), raw.size());
  ApiKey key{id, std::string(name), role, std::string(partner), std::string(at), std::nullopt, HashSecret(id, secret)};
  keys_.push_back(key);
  try {
    Save();
  } catch (...) {
    keys_.pop_back();
    throw;
  }
  std::error_code ec;
  loaded_exists_ = true;
  loaded_mtime_ = std::filesystem::last_write_time(path_, ec);
  loaded_size_ = std::filesystem::file_size(path_, ec);
  return {key, std::string(kPrefix) + id + "_" + secret};
}

void KeyFile::Revoke(std::string_view id, std::string_view at) {
  std::lock_guard lock(mutex_);
  ReloadIfChanged();
  for (auto& k : keys_) {
    if (k.id != id) continue;
    if (k.revoked) throw Error::Conflict(fmt::format("key {} was already revoked on {}", id, *k.revoked));
    k.revoked = std::string(at);
    try {
      Save();
    } catch (...) {
      k.revoked.reset();
      throw;
    }
    std::error_code ec;
    loaded_mtime_ = std::filesystem::last_write_time(path_, ec);
    loaded_size_ = std::filesystem::file_size(path_, ec);
    return;
  }
  throw Error::NotFound(fmt::format("no key with id '{}' in {}", id, path_.string()));
}

std::optional<ApiKey> KeyFile::Verify(std::string_view token) {
  // lsk_ + 8 hex + _ + 43 base64url characters.
  if (token.size() != kPrefix.size() + 8 + 1 + 43 || token.substr(0, kPrefix.size()) != kPrefix ||
      token[kPrefix.size() + 8] != '_') {
    return std::nullopt;
  }
  const std::string_view id = token.substr(kPrefix.size(), 8);
  const std::string_view secret = token.substr(kPrefix.size() + 9);
  const std::string hash = HashSecret(id, secret);
  std::lock_guard lock(mutex_);
  ReloadIfChanged();
  for (const auto& k : keys_) {
    if (k.id != id || k.revoked) continue;
    if (sodium_memcmp(k.hash.data(), hash.data(), hash.size()) == 0) return k;
  }
  return std::nullopt;
}

}  // namespace lodestone::server
