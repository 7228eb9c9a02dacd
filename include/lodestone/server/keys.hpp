// API keys of the server: who may call it, with which role, for which partner. Keys live in a
// JSON file (0600) beside the database; only a hash of each key's secret is stored, so the file
// does not let anyone call the server. A key is shown once, when it is created.
//
// A key reads "lsk_<id>_<secret>": <id> is 8 hex digits naming the record, <secret> 32 random
// bytes in base64url (libsodium's randombytes_buf). The record holds BLAKE2b-256 of the secret
// keyed by the id. A fast hash is right for a 256-bit random secret (no dictionary to try); a
// password hash such as Argon2id would cost tens of milliseconds on every request.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone::server {

// viewer: reads (GET); analyst: also runs models (simulate, outlook, evaluation, portfolio, jobs)
// and adds or edits projects; admin: also removes projects.
enum class Role { Viewer, Analyst, Admin };

std::string_view Name(Role role);
// Throws an InvalidRequest error naming the roles for anything else.
Role ParseRole(std::string_view text);
// Whether a key of role `have` may do what `need` may.
bool Allows(Role have, Role need);

struct ApiKey {
  std::string id;    // 8 hex digits
  std::string name;  // who holds it, for the audit log ("jp-meti-analyst")
  Role role = Role::Viewer;
  std::string partner;  // consumer code of the partner the key belongs to (USA, JPN), or empty
  std::string created;  // UTC, ISO 8601
  std::optional<std::string> revoked;
  std::string hash;  // hex BLAKE2b-256 of the secret, keyed by the id
};

struct NewKey {
  ApiKey key;
  std::string token;  // the whole key; shown once
};

// The keys as a JSON array (id, name, role, partner, created, revoked; never the hash).
std::string KeysJson(const std::vector<ApiKey>& keys);

class KeyFile {
 public:
  // The keys in `path`; a missing file has none. Throws InvalidData (file and field) for a file
  // that is not a key file.
  explicit KeyFile(std::filesystem::path path);

  const std::filesystem::path& path() const { return path_; }
  std::vector<ApiKey> Keys() const;
  std::size_t ActiveCount() const;

  // Adds a key and saves the file (atomically, mode 0600). `name` must be 1-64 printable
  // characters; `at` is the creation time.
  NewKey Create(std::string_view name, Role role, std::string_view partner, std::string_view at);
  // Marks a key revoked and saves; NotFound for an unknown id, Conflict when already revoked.
  void Revoke(std::string_view id, std::string_view at);

  // The active key this token is, or none (malformed, unknown, revoked or wrong secret). Reloads
  // the file first when it changed on disk since the last look, so a key revoked with
  // `lodestone keys revoke` stops working at once in a running server.
  std::optional<ApiKey> Verify(std::string_view token);

 private:
  void Load();
  void Save() const;
  void ReloadIfChanged();

  std::filesystem::path path_;
  mutable std::mutex mutex_;
  std::vector<ApiKey> keys_;
  std::filesystem::file_time_type loaded_mtime_{};
  std::uintmax_t loaded_size_ = 0;
  bool loaded_exists_ = false;
};

}  // namespace lodestone::server
