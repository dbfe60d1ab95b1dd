// The MPI transport of a distributed `rgeval eval` (compiled only with -DRGEVAL_MPI=ON): an
// EvalCluster over MPI_COMM_WORLD. Design and use: docs/mpi.md.
#pragma once
#include <mpi.h>

#include <deque>
#include <string>
#include <utility>

#include "tasks/eval_cluster.h"

namespace rgeval::tasks {

// True when an MPI launcher started this process (mpirun/mpiexec, or srun with PMI/PMIx): only
// then does `rgeval eval` initialize MPI; started alone it runs as before.
bool mpi_launched();

// MPI is initialized (MPI_THREAD_FUNNELED: only the main thread calls MPI; the engine's OpenMP
// threads never do) for the lifetime of the object and finalized at its destruction. One per
// process. Messages to rank 0 are sent without blocking; waiting is done by polling with short
// sleeps, so a waiting rank leaves the cores to the ranks still scoring.
class MpiEvalCluster final : public EvalCluster {
 public:
  MpiEvalCluster();
  ~MpiEvalCluster() override;
  MpiEvalCluster(const MpiEvalCluster&) = delete;
  MpiEvalCluster& operator=(const MpiEvalCluster&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void broadcast(std::string& bytes) override;
  void send_to_root(std::string bytes) override;
  void flush() override;
  void receive(const std::function<void(int, const std::string&)>& on_message, bool wait) override;

  // Prints "rgeval: rank R of N: message" on stderr and ends every rank (exit code 1).
  [[noreturn]] void abort(const std::string& message);

 private:
  void reap();  // drops the sends that completed
  int rank_ = 0, size_ = 1;
  std::deque<std::pair<std::string, MPI_Request>> sending_;  // (stable addresses)
};

}  // namespace rgeval::tasks
