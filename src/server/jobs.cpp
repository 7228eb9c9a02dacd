#include "jobs.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "lodestone/model/error.hpp"
#include "lodestone/sim_facade/mc_run.hpp"

namespace lodestone::server {
namespace {

// Blocks computed between two looks at the cancel flag: 8 x McBlockSize() scenarios.
constexpr std::uint64_t kBlocksPerStep = 8;

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

std::string_view Name(JobState s) {
  switch (s) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Done: return "done";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
  }
  return "queued";
}

struct JobQueue::Job {
  JobStatus status;
  facade::SimulateRequest request;
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> runs_done{0};
  std::string result;  // JSON text when done
};

JobQueue::JobQueue(const app::Workspace& ws, std::size_t keep, std::size_t max_queued)
    : ws_(ws), keep_(keep), max_queued_(max_queued), worker_([this] { Work(); }) {}

JobQueue::~JobQueue() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    for (auto& [id, job] : jobs_) job->cancel = true;
  }
  wake_.notify_all();
  worker_.join();
}

JobStatus JobQueue::Submit(const facade::SimulateRequest& request, const std::string& owner) {
  // Checked now, so that a bad request is refused at once rather than failing as a job.
  facade::MonteCarloRun check(ws_, request);
  (void)check;
  std::lock_guard lock(mutex_);
  if (queue_.size() >= max_queued_) {
    throw Error::Conflict(fmt::format("{} jobs are already waiting: try again when one has finished", queue_.size()));
  }
  auto job = std::make_shared<Job>();
  job->status.id = fmt::format("mc-{}", next_++);
  job->status.owner = owner;
  job->status.runs = request.runs;
  job->status.created = NowUtc();
  job->request = request;
  job->request.progress = nullptr;
  jobs_[job->status.id] = job;
  queue_.push_back(job->status.id);
  wake_.notify_all();
  return job->status;
}

std::optional<JobStatus> JobQueue::Status(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  JobStatus s = it->second->status;
  s.runs_done = it->second->runs_done;
  return s;
}

std::vector<JobStatus> JobQueue::List() const {
  std::lock_guard lock(mutex_);
  std::vector<JobStatus> out;
  for (const auto& [id, job] : jobs_) {
    out.push_back(job->status);
    out.back().runs_done = job->runs_done;
  }
  return out;
}

JobStatus JobQueue::Cancel(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) throw Error::NotFound(fmt::format("no job '{}'", id));
  auto& job = *it->second;
  if (job.status.state == JobState::Queued) {
    job.status.state = JobState::Cancelled;
    job.status.finished = NowUtc();
    std::erase(queue_, id);
  } else if (job.status.state == JobState::Running) {
    job.cancel = true;  // the worker marks it cancelled at its next step
  }
  JobStatus s = job.status;
  s.runs_done = job.runs_done;
  return s;
}

std::optional<std::string> JobQueue::Result(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) throw Error::NotFound(fmt::format("no job '{}'", id));
  if (it->second->status.state != JobState::Done) return std::nullopt;
  return it->second->result;
}

void JobQueue::Remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) throw Error::NotFound(fmt::format("no job '{}'", id));
  const auto state = it->second->status.state;
  if (state == JobState::Queued || state == JobState::Running) {
    throw Error::Conflict(fmt::format("job '{}' is {}: cancel it first", id, Name(state)));
  }
  jobs_.erase(it);
}

void JobQueue::Trim() {
  // Oldest finished jobs beyond `keep_` go (ids increase with time).
  std::vector<std::pair<std::uint64_t, std::string>> finished;
  for (const auto& [id, job] : jobs_) {
    const auto s = job->status.state;
    if (s == JobState::Done || s == JobState::Failed || s == JobState::Cancelled) {
      finished.emplace_back(std::stoull(id.substr(3)), id);
    }
  }
  std::sort(finished.begin(), finished.end());
  for (std::size_t i = 0; i + keep_ < finished.size(); ++i) jobs_.erase(finished[i].second);
}

void JobQueue::Work() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      job = jobs_.at(queue_.front());
      queue_.pop_front();
      job->status.state = JobState::Running;
    }
    JobState end = JobState::Done;
    std::string result;
    std::optional<app::Json> error;
    try {
      facade::MonteCarloRun run(ws_, job->request);
      while (!run.finished()) {
        if (job->cancel) break;
        run.Step(kBlocksPerStep);
        job->runs_done = run.runs_done();
      }
      if (job->cancel) {
        end = JobState::Cancelled;
      } else {
        result = facade::ToJson(run.Result()).dump(2) + "\n";
      }
    } catch (const Error& e) {
      end = JobState::Failed;
      error = app::ErrorJson(e);
    } catch (const std::exception& e) {
      end = JobState::Failed;
      error = app::ErrorJson(Error::Internal(e.what()));
    }
    std::lock_guard lock(mutex_);
    job->status.state = end;
    job->status.finished = NowUtc();
    job->status.error = std::move(error);
    job->result = std::move(result);
    Trim();
  }
}

}  // namespace lodestone::server
