// Long runs of the server (the risk register's Monte Carlo) as jobs: queued, run one at a time on
// a background thread in chunks of blocks (facade::MonteCarloRun), with progress, cancel and a
// result kept until the job is deleted or pushed out by newer ones.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "lodestone/app/json.hpp"
#include "lodestone/app/workspace.hpp"
#include "lodestone/sim_facade/simulate.hpp"

namespace lodestone::server {

enum class JobState { Queued, Running, Done, Failed, Cancelled };
std::string_view Name(JobState s);

struct JobStatus {
  std::string id;
  std::string owner;  // key name that created it
  JobState state = JobState::Queued;
  std::uint64_t runs = 0, runs_done = 0;
  std::string created, finished;
  std::optional<app::Json> error;  // the error body of a failed job
};

class JobQueue {
 public:
  // `keep`: finished jobs kept (the oldest finished go first); `max_queued`: jobs waiting at most.
  JobQueue(const app::Workspace& ws, std::size_t keep, std::size_t max_queued);
  ~JobQueue();

  // Checks the request (InvalidRequest) and queues it; Conflict when the queue is full.
  JobStatus Submit(const facade::SimulateRequest& request, const std::string& owner);
  std::optional<JobStatus> Status(const std::string& id) const;
  std::vector<JobStatus> List() const;
  // Cancels a queued or running job (it stops at the next chunk); NotFound for an unknown id.
  JobStatus Cancel(const std::string& id);
  // The result as JSON text, when done: nullopt otherwise.
  std::optional<std::string> Result(const std::string& id) const;
  // Removes a finished job; NotFound, or Conflict while it runs.
  void Remove(const std::string& id);

 private:
  struct Job;
  void Work();
  void Trim();

  const app::Workspace& ws_;
  std::size_t keep_, max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::string> queue_;
  std::uint64_t next_ = 1;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace lodestone::server
