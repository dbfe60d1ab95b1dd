#include "bench/common.h"

#include <immintrin.h>
#include <omp.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

namespace rgeval::bench {

namespace {

inline uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

inline float uniform(uint64_t seed, size_t i, float a) {
  const double u = double(splitmix(seed ^ (uint64_t(i) * 0xd1b54a32d192ed03ull)) >> 11) * 0x1.0p-53;
  return float(a * (2.0 * u - 1.0));
}

}  // namespace

void fill_uniform(float* p, size_t n, float a, uint64_t seed) {
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; ++i) p[i] = uniform(seed, i, a);
}

void fill_uniform_bf16(uint16_t* p, size_t n, float a, uint64_t seed) {
#pragma omp parallel for schedule(static)
  for (size_t i = 0; i < n; ++i) p[i] = f32_to_bf16(uniform(seed, i, a));
}

TensorView random_weight(int64_t N, int64_t K, DType dt, std::vector<std::byte>& buf,
                         uint64_t seed) {
  const size_t n = size_t(N) * size_t(K);
  const float a = std::sqrt(3.f / float(K));
  TensorView v;
  v.dtype = dt == DType::BF16 ? DType::BF16 : DType::F32;
  v.shape = {N, K};
  v.nbytes = n * dtype_size(v.dtype);
  buf.resize(v.nbytes);
  if (v.dtype == DType::BF16)
    fill_uniform_bf16(reinterpret_cast<uint16_t*>(buf.data()), n, a, seed);
  else
    fill_uniform(reinterpret_cast<float*>(buf.data()), n, a, seed);
  v.data = buf.data();
  return v;
}

std::unique_ptr<Linear> random_linear(int64_t N, int64_t K, DType dt, uint64_t seed) {
  std::vector<std::byte> buf;
  const TensorView w = random_weight(N, K, dt, buf, seed);
  return std::make_unique<Linear>(w, nullptr, dt);
}

ReadBuffer::ReadBuffer(size_t bytes) : n_((bytes + 4095) & ~size_t(4095)) {
  constexpr size_t kAlign = size_t(2) << 20;
  const size_t alloc = (n_ + kAlign - 1) & ~(kAlign - 1);
  p_ = static_cast<std::byte*>(std::aligned_alloc(kAlign, alloc));
  if (!p_) throw std::bad_alloc();
  madvise(p_, alloc, MADV_HUGEPAGE);
  // First touch by the threads in the same static split read_reduce uses.
  std::byte* p = p_;
  const size_t n = n_;
#pragma omp parallel
  {
    const size_t nt = size_t(omp_get_num_threads()), t = size_t(omp_get_thread_num());
    const size_t chunk = (n / nt) & ~size_t(255), lo = t * chunk, hi = t + 1 == nt ? n : lo + chunk;
    for (size_t i = lo; i < hi; i += 8) {
      const uint64_t v = splitmix(i);
      std::memcpy(p + i, &v, 8);
    }
  }
}

ReadBuffer::~ReadBuffer() { std::free(p_); }

namespace {

// Splits [0, n) into the calling thread's contiguous share (512-byte multiples).
void thread_range(size_t n, size_t& lo, size_t& hi) {
  const size_t nt = size_t(omp_get_num_threads()), t = size_t(omp_get_thread_num());
  const size_t chunk = (n / nt) & ~size_t(511);
  lo = t * chunk;
  hi = t + 1 == nt ? n : lo + chunk;
}

}  // namespace

uint64_t read_reduce(const std::byte* p, size_t n) {
  uint64_t total = 0;
#pragma omp parallel reduction(^ : total)
  {
    size_t i, hi;
    thread_range(n, i, hi);
    uint64_t acc = 0;
#if defined(__AVX512F__)
    __m512i a[8];
    for (auto& v : a) v = _mm512_setzero_si512();
    for (; i + 512 <= hi; i += 512)
      for (int q = 0; q < 8; ++q) a[q] = _mm512_xor_si512(a[q], _mm512_loadu_si512(p + i + 64 * q));
    for (int q = 1; q < 8; ++q) a[0] = _mm512_xor_si512(a[0], a[q]);
    alignas(64) uint64_t lanes[8];
    _mm512_store_si512(lanes, a[0]);
    for (uint64_t l : lanes) acc ^= l;
#endif
    for (; i + 8 <= hi; i += 8) {
      uint64_t v;
      std::memcpy(&v, p + i, 8);
      acc ^= v;
    }
    total ^= acc;
  }
  return total;
}

float read_dot_bf16(const std::byte* p, size_t n) {
  float total = 0;
#pragma omp parallel reduction(+ : total)
  {
    size_t i, hi;
    thread_range(n, i, hi);
#if defined(__AVX512BF16__)
    // The consumer of a decode step's weights: bf16 pair products into 8 fp32 accumulators.
    const __m512bh ones = (__m512bh)_mm512_set1_epi16(0x3f80);
    __m512 a[8];
    for (auto& v : a) v = _mm512_setzero_ps();
    for (; i + 512 <= hi; i += 512)
      for (int q = 0; q < 8; ++q)
        a[q] = _mm512_dpbf16_ps(a[q], (__m512bh)_mm512_loadu_si512(p + i + 64 * q), ones);
    for (int q = 1; q < 8; ++q) a[0] = _mm512_add_ps(a[0], a[q]);
    alignas(64) float lanes[16];  // (not _mm512_reduce_add_ps: GCC 12 warns inside it)
    _mm512_store_ps(lanes, a[0]);
    for (float l : lanes) total += l;
#endif
    for (; i + 2 <= hi; i += 2) {
      uint16_t v;
      std::memcpy(&v, p + i, 2);
      total += bf16_to_f32(v);
    }
  }
  return total;
}

double measure_read_bandwidth(size_t bytes, int reps) {
  ReadBuffer buf(bytes);
  volatile uint64_t sink = read_reduce(buf.data(), buf.size());  // warm-up (page tables)
  volatile float fsink = read_dot_bf16(buf.data(), buf.size());
  double best = 0;
  for (int r = 0; r < std::max(1, reps); ++r) {
    double t0 = now_seconds();
    sink = sink ^ read_reduce(buf.data(), buf.size());
    best = std::max(best, double(buf.size()) / (now_seconds() - t0) / 1e9);
    t0 = now_seconds();
    fsink = fsink + read_dot_bf16(buf.data(), buf.size());
    best = std::max(best, double(buf.size()) / (now_seconds() - t0) / 1e9);
  }
  (void)sink;
  (void)fsink;
  return best;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

MatmulPeak measure_matmul_peak(DType dt, int reps) {
  // (M, K, N): a square-ish product and the big prefill shapes of the 2B models.
  const int shapes[][3] = {{2048, 4096, 4096}, {512, 2560, 7680}, {512, 2048, 16384}};
  MatmulPeak best;
  for (const auto& s : shapes) {
    const int M = s[0], K = s[1], N = s[2];
    const auto lin = random_linear(N, K, dt, 0xbe4c4 + uint64_t(N));
    std::vector<float> x(size_t(M) * K), y(size_t(M) * N);
    fill_uniform(x.data(), x.size(), 1.f, 7);
    lin->forward(x.data(), y.data(), M, MatmulPath::Dnnl);  // primitive creation, warm-up
    for (int r = 0; r < std::max(1, reps); ++r) {
      const double t0 = now_seconds();
      lin->forward(x.data(), y.data(), M, MatmulPath::Dnnl);
      const double g = 2.0 * M * K * N / (now_seconds() - t0) / 1e9;
      if (g > best.gflops) best = {g, M, K, N};
    }
  }
  return best;
}

namespace {

int64_t status_kb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(key);
  while (std::getline(f, line))
    if (line.compare(0, n, key) == 0) return std::atoll(line.c_str() + n) * 1024;
  return -1;
}

}  // namespace

int64_t peak_rss_bytes() {
  const int64_t hwm = status_kb("VmHWM:");
  return hwm >= 0 ? hwm : ru_maxrss_bytes();
}

int64_t ru_maxrss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return int64_t(ru.ru_maxrss) * 1024;  // Linux: kilobytes
}

int64_t current_rss_bytes() {
  const int64_t rss = status_kb("VmRSS:");
  return rss >= 0 ? rss : 0;
}

}  // namespace rgeval::bench
