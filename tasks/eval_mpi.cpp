#include "tasks/eval_mpi.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "engine/error.h"

namespace rgeval::tasks {

namespace {

constexpr int kTag = 907;  // messages to rank 0
constexpr auto kPoll = std::chrono::milliseconds(2);

}  // namespace

bool mpi_launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

MpiEvalCluster::MpiEvalCluster() {
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    fail("MPI", "MPI_Init_thread failed");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiEvalCluster::~MpiEvalCluster() {
  for (auto& s : sending_) MPI_Wait(&s.second, MPI_STATUS_IGNORE);
  MPI_Finalize();
}

void MpiEvalCluster::broadcast(std::string& bytes) {
  uint64_t n = bytes.size();
  MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  if (n > uint64_t(INT32_MAX))
    fail("MPI", "broadcast of " + std::to_string(n) + " bytes is too large");
  bytes.resize(size_t(n));
  MPI_Bcast(bytes.data(), int(n), MPI_BYTE, 0, MPI_COMM_WORLD);
}

void MpiEvalCluster::reap() {
  while (!sending_.empty()) {
    int done = 0;
    MPI_Test(&sending_.front().second, &done, MPI_STATUS_IGNORE);
    if (!done) break;
    sending_.pop_front();
  }
}

void MpiEvalCluster::send_to_root(std::string bytes) {
  if (bytes.size() > size_t(INT32_MAX)) fail("MPI", "message too large");
  sending_.emplace_back(std::move(bytes), MPI_REQUEST_NULL);
  auto& s = sending_.back();
  MPI_Isend(s.first.data(), int(s.first.size()), MPI_BYTE, 0, kTag, MPI_COMM_WORLD, &s.second);
  reap();
}

void MpiEvalCluster::flush() {
  for (reap(); !sending_.empty(); reap()) std::this_thread::sleep_for(kPoll);
}

void MpiEvalCluster::receive(const std::function<void(int, const std::string&)>& on_message,
                             bool wait) {
  for (bool got = false;;) {
    int ready = 0;
    MPI_Status st;
    MPI_Iprobe(MPI_ANY_SOURCE, kTag, MPI_COMM_WORLD, &ready, &st);
    if (!ready) {
      if (!wait || got) return;
      std::this_thread::sleep_for(kPoll);
      continue;
    }
    int n = 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    std::string bytes(size_t(n), '\0');
    MPI_Recv(bytes.data(), n, MPI_BYTE, st.MPI_SOURCE, kTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    got = true;
    on_message(st.MPI_SOURCE, bytes);
  }
}

void MpiEvalCluster::abort(const std::string& message) {
  std::cerr << "rgeval: rank " << rank_ << " of " << size_ << ": " << message << std::endl;
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);
}

}  // namespace rgeval::tasks
