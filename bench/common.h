// Helpers shared by bench_kernels and bench_e2e: random weights, a read-bandwidth probe (the
// STREAM-like sum/xor over a big buffer), the bf16 matmul peak probe, resident-memory figures.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/dtype.h"
#include "engine/linear.h"
#include "engine/safetensors.h"

namespace rgeval::bench {

// Uniform in [-a, a), deterministic for (seed, index), filled in parallel.
void fill_uniform(float* p, size_t n, float a, uint64_t seed);
void fill_uniform_bf16(uint16_t* p, size_t n, float a, uint64_t seed);

// A [N, K] nn.Linear weight with entries uniform in ±sqrt(3/K), stored in `dt` (F32 or BF16)
// in `buf`; the view points into `buf`.
TensorView random_weight(int64_t N, int64_t K, DType dt, std::vector<std::byte>& buf,
                         uint64_t seed);
// A Linear (no bias) packed from such a weight; the plain copy is freed before returning.
std::unique_ptr<Linear> random_linear(int64_t N, int64_t K, DType dt, uint64_t seed);

// A 2 MiB-aligned buffer (transparent huge pages where the kernel allows them), first touched
// by the OpenMP threads that will read it.
class ReadBuffer {
 public:
  explicit ReadBuffer(size_t bytes);
  ~ReadBuffer();
  ReadBuffer(const ReadBuffer&) = delete;
  ReadBuffer& operator=(const ReadBuffer&) = delete;
  const std::byte* data() const { return p_; }
  size_t size() const { return n_; }

 private:
  std::byte* p_ = nullptr;
  size_t n_ = 0;
};

// XOR of every 64-bit word of the buffer, the threads of the OpenMP team splitting it in
// contiguous halves; AVX-512 loads where available. Reads each byte once.
uint64_t read_reduce(const std::byte* p, size_t n);
// Sum of the buffer read as bf16 values (products with 1.0 into 8 fp32 accumulators, as a
// decode step consumes its weights), split the same way. Measured slightly faster than the XOR on
// this machine's Xeon (docs/performance.md), so the roofline takes the better of the two.
float read_dot_bf16(const std::byte* p, size_t n);

// Best read bandwidth (GB/s, 1e9) over `reps` passes of each of the two readers over a buffer
// of `bytes`: the tightest bandwidth the machine showed, the denominator of every roofline.
double measure_read_bandwidth(size_t bytes, int reps);

struct MatmulPeak {
  double gflops = 0;  // best over shapes and reps
  int M = 0, K = 0, N = 0;
};
// Largest GFLOP/s of a few big products through Linear (oneDNN path) in `dt`.
MatmulPeak measure_matmul_peak(DType dt, int reps);

// Peak resident set of this process image, bytes: VmHWM of /proc/self/status (the high-water
// mark of this address space). getrusage's ru_maxrss is also given, but on Linux it survives
// execve, so a child started with posix_spawn (vfork) inherits its parent's peak.
int64_t peak_rss_bytes();
int64_t ru_maxrss_bytes();
int64_t current_rss_bytes();

double now_seconds();  // steady clock

}  // namespace rgeval::bench
