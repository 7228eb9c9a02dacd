// Safe file and dataset-folder writes (see safe_write.hpp).
#include "lodestone/data/safe_write.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lodestone/model/error.hpp"

namespace lodestone::data {

namespace fs = std::filesystem;

void SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: some file systems do not open folders
  ::fsync(fd);
  ::close(fd);
}

void SyncFolderAndFiles(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    const int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
      throw Error::Storage(fmt::format("{}: cannot open to sync: {}", e.path().string(), std::strerror(errno)));
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) throw Error::Storage(fmt::format("{}: sync failed: {}", e.path().string(), std::strerror(errno)));
  }
  SyncDir(dir);
}

namespace {

std::string Errno() { return std::strerror(errno); }

fs::path ParentOf(const fs::path& p) { return p.has_parent_path() ? p.parent_path() : fs::path("."); }

bool IsLink(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace

void WriteFileAtomic(const fs::path& target, std::string_view content) {
  struct stat st {};
  if (::lstat(target.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      throw Error::InvalidRequest(fmt::format("{}: is a symbolic link: refusing to write through it", target.string()));
    }
    if (!S_ISREG(st.st_mode)) {
      throw Error::InvalidRequest(
          fmt::format("{}: exists and is not a regular file: refusing to replace it", target.string()));
    }
  }
  const fs::path dir = ParentOf(target);
  std::random_device rd;
  fs::path tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    tmp = dir / fmt::format(".{}.tmp-{:08x}", target.filename().string(), rd());
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) throw Error::Storage(fmt::format("{}: cannot create a temporary file: {}", target.string(), Errno()));
  bool ok = true;
  std::size_t done = 0;
  while (ok && done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else
      done += static_cast<std::size_t>(n);
  }
  std::string why = ok ? "" : Errno();
  if (ok && ::fsync(fd) != 0) {
    ok = false;
    why = Errno();
  }
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), target.c_str()) != 0) {
    ok = false;
    why = Errno();
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    throw Error::Storage(fmt::format("{}: write failed: {}", target.string(), why));
  }
  SyncDir(dir);
}

void CheckDatasetTarget(const fs::path& dir) {
  const auto name = dir.filename().string();
  if (name.empty() || name == "." || name == "..") {
    throw Error::InvalidRequest(fmt::format(
        "--out '{}': give the dataset folder by name (for example ./my-dataset), not '.' or '..'", dir.string()));
  }
  if (IsLink(dir)) {
    throw Error::InvalidRequest(fmt::format(
        "--out '{}' is a symbolic link: refusing to replace it (the linked dataset would silently stay behind); "
        "give the real folder, {}",
        dir.string(), fs::weakly_canonical(dir).string()));
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw Error::InvalidRequest(
        fmt::format("--out '{}' is a file, not a folder: a dataset is written as a folder", dir.string()));
  }
}

DatasetLock::DatasetLock(const fs::path& dir) {
  // The lock is taken on the parent folder itself (flock works on a folder's descriptor), so no
  // lock file is left behind; writers of datasets in one folder take turns.
  const fs::path parent = ParentOf(dir);
  std::error_code ec;
  fs::create_directories(parent, ec);  // a missing parent is created by the write anyway
  fd_ = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) throw Error::Storage(fmt::format("{}: cannot open the folder to lock it: {}", parent.string(), Errno()));
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(fd_);
      throw Error::Storage(fmt::format("{}: cannot lock: {}", parent.string(), Errno()));
    }
  }
}

DatasetLock::~DatasetLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

std::size_t RecoverDatasetDir(const fs::path& dir) {
  const fs::path parent = ParentOf(dir);
  const std::string name = dir.filename().string();
  const std::string old_prefix = "." + name + ".old-", new_prefix = "." + name + ".new-";
  std::vector<fs::path> olds, news;
  std::error_code ec;
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string f = it->path().filename().string();
    if (f.rfind(old_prefix, 0) == 0) olds.push_back(it->path());
    if (f.rfind(new_prefix, 0) == 0) news.push_back(it->path());
  }
  std::size_t fixed = 0;
  if (!fs::exists(dir, ec) && !IsLink(dir) && olds.size() == 1) {
    // Killed between the two renames: the old dataset is complete, the new one may not be.
    fs::rename(olds.front(), dir, ec);
    if (!ec) {
      olds.clear();
      ++fixed;
      SyncDir(parent);
    }
  }
  for (const auto& p : olds) fixed += fs::remove_all(p, ec) > 0 ? 1 : 0;
  for (const auto& p : news) fixed += fs::remove_all(p, ec) > 0 ? 1 : 0;
  return fixed;
}

}  // namespace lodestone::data
