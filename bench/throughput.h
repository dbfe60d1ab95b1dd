// The throughput and memory suite behind `rgeval throughput` (docs/throughput.md): sampling
// tokens/s vs depth (batched decode steps on states already at that depth, like llama-bench's
// `tg @ depth`), prefill tokens/s vs prompt length, per-sequence state bytes, the largest batch
// within a memory budget and the tokens/s reached there, each decode figure set against the
// memory-bandwidth roofline measured in the same run.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/config.h"
#include "engine/model.h"

namespace rgeval::bench {

enum class Fill { Synthetic, Prefill };

struct ThroughputOptions {
  std::vector<std::string> models;
  std::vector<int64_t> depths{256, 1024, 2048, 4096, 8192, 16384, 32768};
  std::vector<int> batches{1, 4, 16, 64};
  std::vector<int64_t> prompt_lens{128, 512, 2048, 8192};
  int reps = 3;
  int steps = 16;  // timed decode steps per repetition
  int warmup = 2;  // untimed decode steps before each repetition
  // Untimed decode steps after each model's load, for at least this long and until the step time
  // settles (two 4-step windows within 3%; at most 60 s): see run_throughput.
  double settle_seconds = 10;
  int threads = 0;             // 0: all cores
  std::string dtype = "auto";  // auto | f32 | bf16
  int64_t memory_budget = 0;   // bytes; 0: MemTotal of /proc/meminfo
  // auto (synthetic for builtin:, prefill for directories) | synthetic | prefill
  std::string fill = "auto";
  int max_batch_cap = 256;                     // the max-batch runs use min(max batch, this)
  std::vector<int64_t> max_batch_depths;       // empty: first, middle and last of `depths`
  int64_t bandwidth_bytes = int64_t(1) << 30;  // read-bandwidth buffer
  int bandwidth_reps = 3;
  uint64_t seed = 1234;
  std::string command_line;                     // recorded in the result
  std::function<void(const std::string&)> log;  // progress lines (stderr in the CLI)
};

// Runs the whole suite; the result's schema is in docs/throughput.md.
nlohmann::json run_throughput(const ThroughputOptions& o);

// A markdown table of the rows (llama-bench style) and the memory summary.
std::string format_throughput_table(const nlohmann::json& result);

// Stores a result in SQLite (`db_path`, created when absent, the evaluation schema alongside):
// one throughput_runs row and one throughput_rows row per measured or skipped cell, in one
// transaction. Returns the run id.
int64_t store_throughput(const std::string& db_path, const nlohmann::json& result);

// ---- pieces (exposed for tests) -----------------------------------------------------------

int64_t mem_total_bytes();  // /proc/meminfo MemTotal, 0 when unknown

// Bytes of state one decode step reads for one sequence whose state holds `pos` tokens: the
// cache rows attended to (Gemma: pos; RecurrentGemma: min(pos, W)) and the conv + RG-LRU state.
int64_t state_bytes_read(const ModelConfig& c, DType cache_dtype, int64_t pos);

// Activation memory allowed for a decode batch: a fixed margin plus per-sequence buffers
// (logits row and the per-row activations of one step).
int64_t activation_fixed_bytes();
int64_t activation_bytes_per_seq(const ModelConfig& c);

// floor((budget - weights - fixed) / (state + activations per sequence)), at least 0.
int64_t max_batch_within(int64_t budget, int64_t weight_bytes, int64_t state_bytes,
                         int64_t act_per_seq);

// tokens/s <= bandwidth / (weight_bytes / batch + state_read_per_seq).
double roofline_tokens_per_s(double bandwidth_bytes_per_s, int64_t weight_bytes, int batch,
                             double state_read_per_seq);

// A batch of `batch` sequences at `depth`, ready to time decode steps. The states are filled once
// (synthetically, or by a real prefill of `depth` random tokens into one sequence, copied to the
// others), with cache rows reserved for `max_steps` more tokens.
class DecodeBench {
 public:
  DecodeBench(const Model& m, int64_t depth, int batch, Fill fill, int64_t max_steps,
              uint64_t seed);
  // State::bytes() of one sequence at `depth`.
  int64_t state_bytes() const { return state_bytes_; }
  // Rewinds every state to `depth` (position reset, growing caches truncated: the cost of a step
  // does not depend on the cached values), runs `warmup` untimed steps, then returns the seconds
  // of `steps` timed steps. warmup + steps <= max_steps.
  double run(int warmup, int steps);

 private:
  const Model& m_;
  int64_t depth_, max_steps_, state_bytes_ = 0;
  std::vector<State> states_;
  std::vector<State*> ptrs_;
  std::vector<float> logits_;
  uint64_t rng_;
};

// Seconds of `steps` decode steps at `depth`, one entry per repetition (DecodeBench::run).
// `state_bytes` receives State::bytes() at depth.
std::vector<double> time_decode(const Model& m, int64_t depth, int batch, Fill fill, int warmup,
                                int steps, int reps, uint64_t seed, int64_t* state_bytes = nullptr);

// Seconds of a prefill of `len` random tokens on a fresh state, one entry per repetition (after an
// untimed warm-up that creates the matrix-product primitives).
std::vector<double> time_prefill(const Model& m, int64_t len, int reps, uint64_t seed);

}  // namespace rgeval::bench
