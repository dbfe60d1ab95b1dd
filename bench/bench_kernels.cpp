// Kernel micro-benchmarks of the engine at the shapes of the 2B models: the matrix products
// (oneDNN vs the hand-written small-M kernel), the RG-LRU scan and Conv1D, one attention decode
// step, plus the machine's read bandwidth and bf16 matmul peak. Rates are over wall time.
// Matmul weights are evicted from the caches before every product (cold, as in decoding a model
// much larger than the caches); the timing excludes the eviction.
//
//   bench_kernels                                  # everything (a few minutes)
//   bench_kernels --benchmark_filter='matmul/.*/M:1$'
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <memory>
#include <string>
#include <vector>

#include "bench/common.h"
#include "engine/attention.h"
#include "engine/compute.h"
#include "engine/linear.h"
#include "engine/recurrent.h"
#include "engine/state.h"

namespace {

using rgeval::DType;
using rgeval::Linear;
using rgeval::MatmulPath;
namespace rb = rgeval::bench;

using benchmark::Counter;

void set_rate(benchmark::State& st, const char* name, double per_iteration) {
  st.counters[name] = Counter(per_iteration * double(st.iterations()) * 1e-9, Counter::kIsRate);
}

const char* dt_name(DType d) { return d == DType::BF16 ? "bf16" : "f32"; }

// One packed weight at a time (consecutive benchmarks share it; the vocab products are 1.3 GB
// in bf16 and 2.6 GB in f32, so only one is kept).
Linear& cached_linear(int N, int K, DType dt) {
  static std::unique_ptr<Linear> lin;
  static int cN = 0, cK = 0;
  static DType cdt = DType::F32;
  if (!lin || cN != N || cK != K || cdt != dt) {
    lin.reset();
    lin = rb::random_linear(N, K, dt, 0x1234 + uint64_t(N) * 31 + uint64_t(K));
    cN = N, cK = K, cdt = dt;
  }
  return *lin;
}

struct MatShape {
  const char* name;
  int N, K;
};
// [N, K] of nn.Linear; "vocab" is the tied logits product.
const MatShape kShapes[] = {
    {"rg2b.mlp_up", 7680, 2560},     {"rg2b.mlp_down", 2560, 7680},
    {"rg2b.q_lru", 2560, 2560},      {"rg2b.kv", 256, 2560},
    {"rg2b.lru_gate", 256, 256},     {"rg2b.vocab", 256000, 2560},
    {"gemma2b.mlp_up", 16384, 2048}, {"gemma2b.mlp_down", 2048, 16384},
    {"gemma2b.q", 2048, 2048},       {"gemma2b.kv", 256, 2048},
    {"gemma2b.vocab", 256000, 2048},
};

// Evicts the packed weights from every cache level, so that each product reads them from
// memory as a decode step does (the model is far larger than the caches).
void flush_weights(const Linear& l) {
  for (const auto& slice : l.k_slices()) flush_weights(slice);
  if (!l.k_slices().empty()) return;
  const char* p = static_cast<const char*>(l.packed_data());
  for (size_t i = 0; i < l.weight_bytes(); i += 64) _mm_clflush(p + i);
  _mm_mfence();
}

// Weights bigger than this stream from memory anyway; smaller ones are flushed before each call.
constexpr size_t kFlushLimit = size_t(256) << 20;

void BM_matmul(benchmark::State& st, MatShape s, DType dt, MatmulPath path, int M) {
  Linear& l = cached_linear(s.N, s.K, dt);
  if (path == MatmulPath::Gemv && l.gemv_max_rows() == 0) {
    st.SkipWithError("hand-written kernel not supported for this layout/CPU");
    return;
  }
  std::vector<float> x(size_t(M) * s.K), y(size_t(M) * s.N);
  rb::fill_uniform(x.data(), x.size(), 1.f, 99);
  l.forward(x.data(), y.data(), M, path);  // primitive creation
  const bool flush = l.weight_bytes() < kFlushLimit;
  for (auto _ : st) {
    if (flush) {
      st.PauseTiming();
      flush_weights(l);
      st.ResumeTiming();
    }
    l.forward(x.data(), y.data(), M, path);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  set_rate(st, "GB/s", double(l.weight_bytes()));
  set_rate(st, "GFLOP/s", 2.0 * M * double(s.K) * s.N);
}

void BM_matmul_peak(benchmark::State& st, DType dt) {
  const int M = 2048, K = 4096, N = 4096;
  Linear& l = cached_linear(N, K, dt);
  std::vector<float> x(size_t(M) * K), y(size_t(M) * N);
  rb::fill_uniform(x.data(), x.size(), 1.f, 5);
  l.forward(x.data(), y.data(), M, MatmulPath::Dnnl);
  for (auto _ : st) {
    l.forward(x.data(), y.data(), M, MatmulPath::Dnnl);
    benchmark::ClobberMemory();
  }
  set_rate(st, "GB/s", double(l.weight_bytes()));
  set_rate(st, "GFLOP/s", 2.0 * M * double(K) * N);
}

void BM_read_bandwidth(benchmark::State& st) {
  const size_t bytes = size_t(st.range(0)) << 20;
  rb::ReadBuffer buf(bytes);
  benchmark::DoNotOptimize(rb::read_reduce(buf.data(), buf.size()));  // warm-up
  for (auto _ : st) benchmark::DoNotOptimize(rb::read_reduce(buf.data(), buf.size()));
  set_rate(st, "GB/s", double(buf.size()));
}

void BM_read_bandwidth_dot(benchmark::State& st) {
  const size_t bytes = size_t(st.range(0)) << 20;
  rb::ReadBuffer buf(bytes);
  benchmark::DoNotOptimize(rb::read_dot_bf16(buf.data(), buf.size()));  // warm-up
  for (auto _ : st) benchmark::DoNotOptimize(rb::read_dot_bf16(buf.data(), buf.size()));
  set_rate(st, "GB/s", double(buf.size()));
}

constexpr int kLru = 2560;

void BM_rg_lru(benchmark::State& st) {
  const int T = int(st.range(0));
  rgeval::RgLru r;
  r.width = kLru;
  r.softplus_a.assign(kLru, 0.01f);
  std::vector<float> h(kLru, 0.f), u(size_t(T) * kLru), gx(u.size()), ga(u.size()), y(u.size());
  rb::fill_uniform(u.data(), u.size(), 1.f, 1);
  rb::fill_uniform(gx.data(), gx.size(), 0.5f, 2);
  rb::fill_uniform(ga.data(), ga.size(), 0.5f, 3);
  for (auto _ : st) {
    rgeval::rg_lru(r, h.data(), 1, u.data(), gx.data(), ga.data(), y.data(), T);
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations()) * T);
  set_rate(st, "GB/s", 4.0 * 4 * T * kLru);  // u, gate_x, gate_a read, y written
}

void BM_conv1d(benchmark::State& st, DType dt) {
  const int T = int(st.range(0)), W = 4;
  rgeval::Conv1D c;
  c.width = W;
  c.channels = kLru;
  c.w.resize(size_t(W) * kLru);
  c.b.resize(kLru);
  rb::fill_uniform(c.w.data(), c.w.size(), 0.8f, 4);
  rb::fill_uniform(c.b.data(), c.b.size(), 0.1f, 5);
  std::vector<std::byte> state(size_t(W - 1) * kLru * rgeval::dtype_size(dt));
  std::vector<float> x(size_t(T) * kLru), y(x.size());
  rb::fill_uniform(x.data(), x.size(), 1.f, 6);
  for (auto _ : st) {
    rgeval::conv1d(c, state.data(), dt, x.data(), y.data(), T);
    benchmark::ClobberMemory();
  }
  st.SetItemsProcessed(int64_t(st.iterations()) * T);
  set_rate(st, "GB/s", 2.0 * 4 * T * kLru);
}

// One decode step (T = 1) of a sequence holding `kv_len` tokens (the cache rows it attends to:
// min(kv_len, window) for local attention). In a model every layer's cache is read once per step
// and the weights stream in between, so the rows come from memory, not cache: the benchmark
// rotates over enough caches (at least 1 GiB in all, beyond this VM's 480 MiB last-level cache)
// that each call finds its cache cold. `hot` keeps one cache, read again and again.
void BM_attend(benchmark::State& st, rgeval::AttnShape s, DType dt, int64_t kv_len, bool hot) {
  const int64_t kv_ld = int64_t(s.kv_heads) * s.head_dim;
  const size_t ds = rgeval::dtype_size(dt);
  const int64_t rows = s.window > 0 ? s.window : kv_len;
  const size_t bytes = size_t(rows * kv_ld) * ds;
  const size_t copies =
      hot ? 1 : std::max<size_t>(2, ((size_t(1) << 30) + 2 * bytes - 1) / (2 * bytes));
  std::vector<rgeval::LayerState> caches(copies);
  uint64_t seed = 1;
  for (auto& cache : caches) {
    cache.k.resize(bytes);
    cache.v.resize(bytes);
    for (auto* buf : {&cache.k, &cache.v}) {
      const size_t n = size_t(rows * kv_ld);
      if (dt == DType::BF16)
        rb::fill_uniform_bf16(reinterpret_cast<uint16_t*>(buf->data()), n, 1.f, seed++);
      else
        rb::fill_uniform(reinterpret_cast<float*>(buf->data()), n, 1.f, seed++);
    }
  }
  std::vector<float> q(size_t(s.heads) * s.head_dim), out(q.size());
  std::vector<float> k(static_cast<size_t>(kv_ld)), v(k.size());
  rb::fill_uniform(q.data(), q.size(), 1.f, 3);
  rb::fill_uniform(k.data(), k.size(), 1.f, 4);
  rb::fill_uniform(v.data(), v.size(), 1.f, 5);
  size_t i = 0;
  for (auto _ : st) {
    rgeval::attend(s, caches[i], dt, kv_len, 1, q.data(), k.data(), v.data(), out.data());
    i = (i + 1) % copies;
    benchmark::ClobberMemory();
  }
  const int64_t keys = s.window > 0 ? std::min<int64_t>(kv_len, s.window) : kv_len;
  set_rate(st, "KV_GB/s", 2.0 * double(keys * kv_ld) * double(ds));
}

void register_all() {
  const DType dts[] = {DType::BF16, DType::F32};
  const int Ms[] = {1, 8, 64, 512};
  for (const auto& s : kShapes) {
    const bool vocab = s.N == 256000;
    for (DType dt : dts)
      for (int M : Ms)
        for (MatmulPath path : {MatmulPath::Dnnl, MatmulPath::Gemv}) {
          if (path == MatmulPath::Gemv && M > 16) continue;
          if (vocab && dt == DType::F32 && M == 512) continue;  // 2.6 GB weights, 0.5 GB output
          const std::string name = std::string("matmul/") + s.name + "/" + dt_name(dt) + "/" +
                                   (path == MatmulPath::Gemv ? "gemv" : "dnnl") +
                                   "/M:" + std::to_string(M);
          auto* b = benchmark::RegisterBenchmark(name.c_str(), BM_matmul, s, dt, path, M);
          b->UseRealTime()->Unit(benchmark::kMillisecond);
          if (vocab && M >= 64)
            b->Iterations(2);
          else
            b->MinTime(0.2);
        }
  }
  for (int T : {1, 2048}) {
    benchmark::RegisterBenchmark("rg_lru/width:2560", BM_rg_lru)
        ->Arg(T)
        ->ArgName("T")
        ->UseRealTime()
        ->MinTime(0.2)
        ->Unit(benchmark::kMicrosecond);
    for (DType dt : dts)
      benchmark::RegisterBenchmark((std::string("conv1d/width:2560/") + dt_name(dt)).c_str(),
                                   BM_conv1d, dt)
          ->Arg(T)
          ->ArgName("T")
          ->UseRealTime()
          ->MinTime(0.2)
          ->Unit(benchmark::kMicrosecond);
  }
  const rgeval::AttnShape local{10, 1, 256, 2048}, global{8, 1, 256, 0}, mha{16, 16, 256, 0};
  for (const auto& [label, shape] :
       {std::pair{"attend_local/h10kv1d256w2048", local},
        std::pair{"attend_gemma/h8kv1d256", global}, std::pair{"attend_gemma7b/h16kv16d256", mha}})
    for (DType dt : dts)
      for (int64_t len : {512, 2048, 8192, 32768})
        for (bool hot : {false, true})
          benchmark::RegisterBenchmark((std::string(label) + "/" + dt_name(dt) +
                                        "/kv:" + std::to_string(len) + (hot ? "/hot" : ""))
                                           .c_str(),
                                       BM_attend, shape, dt, len, hot)
              ->UseRealTime()
              ->MinTime(0.2)
              ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("read_bandwidth/xor", BM_read_bandwidth)
      ->Arg(2048)
      ->ArgName("MiB")
      ->UseRealTime()
      ->Iterations(8)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("read_bandwidth/dot_bf16", BM_read_bandwidth_dot)
      ->Arg(2048)
      ->ArgName("MiB")
      ->UseRealTime()
      ->Iterations(8)
      ->Unit(benchmark::kMillisecond);
  for (DType dt : dts)
    benchmark::RegisterBenchmark(
        (std::string("matmul_peak/M:2048/K:4096/N:4096/") + dt_name(dt)).c_str(), BM_matmul_peak,
        dt)
        ->UseRealTime()
        ->MinTime(0.5)
        ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("cpu_model", rgeval::cpu_model_name());
  benchmark::AddCustomContext("dnnl_isa", rgeval::dnnl_isa_name());
  benchmark::AddCustomContext("omp_threads", std::to_string(rgeval::num_threads()));
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
