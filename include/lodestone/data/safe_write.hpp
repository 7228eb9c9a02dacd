// Writing files and dataset folders without following links planted by someone else, without
// leaving a half-written file under the real name, and recovering what a killed writer left.
#pragma once

#include <filesystem>
#include <string_view>

namespace lodestone::data {

// Writes `content` to `target` through a new temporary file in the same folder (created with
// O_EXCL | O_NOFOLLOW, so never through a link), fsyncs it, renames it over `target` and fsyncs
// the folder. Refuses (InvalidRequest) when `target` is a symbolic link or exists and is not a
// regular file. Throws Storage on I/O failure, leaving `target` as it was.
void WriteFileAtomic(const std::filesystem::path& target, std::string_view content);

// fsync of a folder's entries (best effort where the file system cannot open folders).
void SyncDir(const std::filesystem::path& dir);
// fsync of every regular file in `dir`, then of `dir` itself: a staged dataset is on disk before it
// is renamed into place. Throws Storage when a file cannot be synced.
void SyncFolderAndFiles(const std::filesystem::path& dir);

// Refuses (InvalidRequest) a dataset output folder that is a symbolic link (replacing it would
// leave the linked dataset behind, silently diverging), that exists and is not a folder, or whose
// name is "." or ".." (no sibling staging folder can be renamed over it).
void CheckDatasetTarget(const std::filesystem::path& dir);

// Holds an exclusive lock (flock on the dataset's parent folder) while a dataset folder is
// rewritten, so that concurrent writers take turns and one never deletes another's staging.
class DatasetLock {
 public:
  explicit DatasetLock(const std::filesystem::path& dir);
  ~DatasetLock();
  DatasetLock(const DatasetLock&) = delete;
  DatasetLock& operator=(const DatasetLock&) = delete;

 private:
  int fd_ = -1;
};

// Under a DatasetLock: finishes or undoes what a killed writer left beside `dir`. A dataset is
// replaced by two renames (dir -> .NAME.old-X, .NAME.new-Y -> dir); when `dir` is missing and an
// old copy exists, the old copy is put back (the last complete dataset); leftover old copies and
// staging folders (.NAME.new-*) are removed. Returns how many leftovers were removed or restored.
std::size_t RecoverDatasetDir(const std::filesystem::path& dir);

}  // namespace lodestone::data
