#include "bench/throughput.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>

#include "bench/common.h"
#include "engine/builtin.h"
#include "engine/checkpoint.h"
#include "engine/compute.h"
#include "engine/error.h"
#include "engine/model_spec.h"
#include "engine/state.h"
#include "engine/version.h"

namespace rgeval::bench {

namespace {

using json = nlohmann::json;

constexpr int kPrefillChunk = 512;  // EngineOptions::prefill_chunk default (primitive warm-up)

double loadavg() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  f >> l;
  return l;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return b;
}

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string mib(double bytes) { return fmt("%.1f MiB", bytes / 1048576.0); }

std::string human_bytes(double b) {
  if (b < 1024) return fmt("%.0f B", b);
  if (b < 1048576) return fmt("%.1f KiB", b / 1024);
  if (b < 1073741824) return fmt("%.1f MiB", b / 1048576);
  return fmt("%.2f GiB", b / 1073741824);
}

std::string duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const long t = std::lround(s);
  if (t < 60) return std::to_string(t) + "s";
  if (t < 3600) return std::to_string(t / 60) + "m" + fmt("%02.0f", double(t % 60)) + "s";
  return std::to_string(t / 3600) + "h" + fmt("%02.0f", double(t / 60 % 60)) + "m";
}

std::string short_name(const std::string& spec) {
  if (is_builtin(spec)) return spec.substr(8);
  std::string s = spec;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  const size_t slash = s.find_last_of('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

// Resets the peak resident set (VmHWM) of this process, so the next reading is a cell's own peak.
bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.flush();
  return bool(f);
}

json stats(const std::vector<double>& v) {
  if (v.empty()) return {{"median", nullptr}, {"min", nullptr}, {"max", nullptr}};
  std::vector<double> s = v;
  std::sort(s.begin(), s.end());
  const size_t n = s.size();
  const double med = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  return {{"median", med}, {"min", s.front()}, {"max", s.back()}};
}

void rewind(State& s, int64_t depth) {
  s.pos = depth;
  if (s.window > 0) return;  // the ring and the recurrent state keep their size
  for (auto& l : s.layers)
    if (l.conv.empty()) {
      l.k.resize(size_t(depth * s.kv_row_bytes));
      l.v.resize(size_t(depth * s.kv_row_bytes));
    }
}

std::vector<int> random_tokens(std::mt19937_64& rng, int vocab, size_t n) {
  std::vector<int> t(n);
  for (auto& x : t) x = int(rng() % uint64_t(vocab));
  return t;
}

struct Progress {
  const std::function<void(const std::string&)>& log;
  size_t total = 0, done = 0;
  double t0 = now_seconds();
  void step(const std::string& what) {
    ++done;
    if (!log) return;
    const double el = now_seconds() - t0;
    const double eta = done ? el / double(done) * double(total - std::min(done, total)) : NAN;
    std::string line = "[";  // appended piecewise: GCC 12 warns (-Wrestrict) on "[" + std::string
    line.append(std::to_string(done))
        .append("/")
        .append(std::to_string(total))
        .append("] ")
        .append(what);
    line.append("  (elapsed ")
        .append(duration(el))
        .append(", ETA ")
        .append(duration(eta))
        .append(")");
    log(line);
  }
  void note(const std::string& what) const {
    if (log) log(what);
  }
};

}  // namespace

int64_t mem_total_bytes() {
  std::ifstream f("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (f >> key >> kb) {
    std::getline(f, unit);
    if (key == "MemTotal:") return kb * 1024;
  }
  return 0;
}

int64_t state_bytes_read(const ModelConfig& c, DType cache_dtype, int64_t pos) {
  if (pos <= 0) return 0;
  const int64_t ds = int64_t(dtype_size(cache_dtype));
  const int64_t kv_row = 2 * int64_t(c.num_kv_heads) * c.head_dim * ds;
  const int64_t rows = c.arch == Arch::Griffin ? std::min<int64_t>(pos, c.window) : pos;
  int64_t total = 0;
  for (auto b : c.blocks)
    total += b == BlockType::Recurrent
                 ? int64_t(c.conv_width - 1) * c.lru_width * ds + int64_t(c.lru_width) * 4
                 : kv_row * rows;
  return total;
}

int64_t activation_fixed_bytes() { return int64_t(256) << 20; }

int64_t activation_bytes_per_seq(const ModelConfig& c) {
  // logits row + residual/normed/temporal rows + both GeGLU branches + q/k/v/attention output
  // rows + recurrent branches, fp32, with a factor 2 for temporaries.
  const int64_t floats = int64_t(c.vocab_size) +
                         2 * (4 * int64_t(c.hidden) + 2 * int64_t(c.mlp_width) +
                              4 * int64_t(c.num_heads) * c.head_dim + 3 * int64_t(c.lru_width));
  return floats * 4;
}

int64_t max_batch_within(int64_t budget, int64_t weight_bytes, int64_t state_bytes,
                         int64_t act_per_seq) {
  const int64_t room = budget - weight_bytes - activation_fixed_bytes();
  const int64_t per = std::max<int64_t>(1, state_bytes + act_per_seq);
  return room > 0 ? room / per : 0;
}

double roofline_tokens_per_s(double bw, int64_t weight_bytes, int batch, double state_read) {
  const double bytes = double(weight_bytes) / double(std::max(1, batch)) + state_read;
  return bytes > 0 ? bw / bytes : NAN;
}

DecodeBench::DecodeBench(const Model& m, int64_t depth, int batch, Fill fill, int64_t max_steps,
                         uint64_t seed)
    : m_(m), depth_(depth), max_steps_(max_steps), rng_(seed) {
  if (batch < 1 || depth < 0 || max_steps < 1)
    throw Error("DecodeBench: batch and max_steps >= 1, depth >= 0");
  const int V = m.vocab();
  states_.resize(size_t(batch));
  for (auto& s : states_) {
    s = m.new_state();
    s.reserve(depth + max_steps + 1);  // no reallocation inside the timed steps
  }
  logits_.resize(size_t(batch) * size_t(V));
  if (fill == Fill::Synthetic) {
    for (size_t i = 0; i < states_.size(); ++i) fill_synthetic(states_[i], depth, seed + i);
  } else {
    std::mt19937_64 rng(seed);
    if (depth > 0) m.prefill(states_[0], random_tokens(rng, V, size_t(depth)), logits_.data());
    for (size_t i = 1; i < states_.size(); ++i)
      states_[i] = states_[0];  // copy-assign keeps the reserve
  }
  state_bytes_ = states_[0].bytes();
  for (auto& s : states_) ptrs_.push_back(&s);
}

double DecodeBench::run(int warmup, int steps) {
  if (warmup < 0 || steps < 1 || warmup + steps > max_steps_)
    throw Error("DecodeBench::run: bad step counts");
  const size_t B = states_.size();
  for (auto& s : states_) rewind(s, depth_);
  std::mt19937_64 rng(rng_++);
  const std::vector<int> toks = random_tokens(rng, m_.vocab(), size_t(warmup + steps) * B);
  const std::span<const int> all(toks);
  for (int w = 0; w < warmup; ++w) m_.decode(ptrs_, all.subspan(size_t(w) * B, B), logits_.data());
  const double t0 = now_seconds();
  for (int i = warmup; i < warmup + steps; ++i)
    m_.decode(ptrs_, all.subspan(size_t(i) * B, B), logits_.data());
  return now_seconds() - t0;
}

std::vector<double> time_decode(const Model& m, int64_t depth, int batch, Fill fill, int warmup,
                                int steps, int reps, uint64_t seed, int64_t* state_bytes) {
  if (reps < 1) throw Error("time_decode: reps must be >= 1");
  DecodeBench b(m, depth, batch, fill, warmup + steps, seed);
  if (state_bytes) *state_bytes = b.state_bytes();
  std::vector<double> secs;
  for (int r = 0; r < reps; ++r) secs.push_back(b.run(warmup, steps));
  return secs;
}

std::vector<double> time_prefill(const Model& m, int64_t len, int reps, uint64_t seed) {
  if (len < 1 || reps < 1) throw Error("time_prefill: length and reps must be >= 1");
  const int V = m.vocab();
  std::mt19937_64 rng(seed);
  std::vector<float> logits(static_cast<size_t>(V));
  {  // primitive creation for the row counts the prompt will use
    State s = m.new_state();
    m.prefill(s, random_tokens(rng, V, size_t(std::min<int64_t>(len, kPrefillChunk))),
              logits.data());
    if (len > kPrefillChunk && len % kPrefillChunk) {
      State s2 = m.new_state();
      m.prefill(s2, random_tokens(rng, V, size_t(len % kPrefillChunk)), logits.data());
    }
  }
  std::vector<double> secs;
  for (int r = 0; r < reps; ++r) {
    State s = m.new_state();
    s.reserve(len);
    const auto toks = random_tokens(rng, V, size_t(len));
    const double t0 = now_seconds();
    m.prefill(s, toks, logits.data());
    secs.push_back(now_seconds() - t0);
  }
  return secs;
}

json run_throughput(const ThroughputOptions& o) {
  if (o.models.empty()) throw Error("throughput: no models given");
  if (o.reps < 1 || o.steps < 1 || o.warmup < 0)
    throw Error("throughput: reps and steps must be >= 1");
  for (auto d : o.depths)
    if (d < 1) throw Error("throughput: depths must be >= 1");
  for (auto b : o.batches)
    if (b < 1) throw Error("throughput: batches must be >= 1");
  for (auto p : o.prompt_lens)
    if (p < 1) throw Error("throughput: prompt lengths must be >= 1");
  for (const auto& spec : o.models) load_model_config(spec);  // fail early on a bad spec

  set_threads(o.threads);
  json R;
  R["schema"] = "rgeval.throughput/1";
  R["rgeval_version"] = rgeval::version();
  R["rgeval_commit"] = rgeval::commit();
  R["started_at"] = utc_now();
  R["command_line"] = o.command_line;
  const int64_t mem_total = mem_total_bytes();
  const int64_t budget = o.memory_budget > 0 ? o.memory_budget : mem_total;
  std::vector<int64_t> mb_depths = o.max_batch_depths;
  if (mb_depths.empty() && !o.depths.empty() && o.max_batch_cap > 0) {
    std::vector<int64_t> d = o.depths;
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    mb_depths = {d.front(), d[d.size() / 2], d.back()};
    mb_depths.erase(std::unique(mb_depths.begin(), mb_depths.end()), mb_depths.end());
  }
  const bool peak_reset = reset_peak_rss();

  json& M = R["machine"];
  M["cpu"] = cpu_model_name();
  M["cores"] = int(sysconf(_SC_NPROCESSORS_ONLN));
  M["dnnl_isa"] = dnnl_isa_name();
  M["threads"] = num_threads();
  M["cpu_has_bf16"] = cpu_has_bf16();
  M["mem_total_bytes"] = mem_total;
  M["loadavg_start"] = loadavg();
  M["rss_peak_scope"] = peak_reset ? "cell" : "process";

  R["options"] = {{"models", o.models},
                  {"depths", o.depths},
                  {"batches", o.batches},
                  {"prompt_lens", o.prompt_lens},
                  {"reps", o.reps},
                  {"steps", o.steps},
                  {"warmup", o.warmup},
                  {"settle_seconds", o.settle_seconds},
                  {"threads", o.threads},
                  {"dtype", o.dtype},
                  {"fill", o.fill},
                  {"memory_budget_bytes", budget},
                  {"max_batch_cap", o.max_batch_cap},
                  {"max_batch_depths", mb_depths},
                  {"bandwidth_bytes", o.bandwidth_bytes},
                  {"bandwidth_reps", o.bandwidth_reps},
                  {"seed", o.seed}};

  Progress prog{o.log};
  prog.total = o.models.size() *
               (o.depths.size() * o.batches.size() + o.prompt_lens.size() + mb_depths.size());
  // Read bandwidth: at the start and the end, and before every decode cell, so that each cell is
  // bracketed by two probes (the host's bandwidth moved by 15% within minutes here).
  std::vector<double> bw;
  auto probe = [&] {
    bw.push_back(measure_read_bandwidth(size_t(o.bandwidth_bytes), o.bandwidth_reps));
    return bw.size() - 1;
  };
  auto measure_bw = [&] {
    prog.note("read bandwidth: " + mib(double(o.bandwidth_bytes)) + " x " +
              std::to_string(o.bandwidth_reps));
    probe();
    prog.note("  " + fmt("%.2f", bw.back()) + " GB/s");
  };
  measure_bw();

  json rows = json::array(), skipped = json::array(), mem_models = json::array();
  for (const auto& spec : o.models) {
    prog.note(spec + ": loading");
    const double tl = now_seconds();
    const Checkpoint ck = load_model(spec);
    EngineOptions eo;
    eo.dtype = o.dtype;
    eo.threads = o.threads;
    const Model model(ck, eo);
    const ModelConfig& c = model.config();
    const DType dt = model.compute_dtype();
    const std::string dts = dt == DType::BF16 ? "bf16" : "f32";
    const int64_t weights = model.weight_bytes();
    const int64_t act = activation_bytes_per_seq(c);
    const Fill fill = o.fill == "synthetic" ? Fill::Synthetic
                      : o.fill == "prefill" ? Fill::Prefill
                      : is_builtin(spec)    ? Fill::Synthetic
                                            : Fill::Prefill;
    const std::string fills = fill == Fill::Synthetic ? "synthetic" : "prefill";
    prog.note(spec + ": loaded in " + fmt("%.1f", now_seconds() - tl) + " s, " +
              mib(double(weights)) + " packed weights, " + dts + ", fill " + fills);
    // Untimed warm-up: the first decode steps after loading ran slower, up to 13% (first cell of
    // a grid at 2K vs the same cell later) and on a busy VM 25% for the first grid cell, which
    // would read as a slope in tokens/s vs depth. Steps at depth 16 for at least
    // settle_seconds, then until two 4-step windows agree within 3% (at most 60 s).
    {
      const double t0 = now_seconds();
      DecodeBench warm(model, 16, 1, Fill::Synthetic, 4, o.seed);
      double prev = 0;
      int windows = 0;
      for (;;) {
        const double t = warm.run(0, 4);
        ++windows;
        const double el = now_seconds() - t0;
        if ((el >= o.settle_seconds && prev > 0 && std::abs(t - prev) <= 0.03 * prev) || el > 60)
          break;
        prev = t;
      }
      prog.note(spec + ": warmed up in " + fmt("%.1f", now_seconds() - t0) + " s (" +
                std::to_string(windows) + " windows of 4 steps)");
    }

    // Memory: exact and formula state bytes per depth, the largest batch within the budget.
    json mm;
    mm["model"] = spec;
    mm["arch"] = c.arch == Arch::Griffin ? "recurrent_gemma" : "gemma";
    mm["window"] = c.window;
    mm["dtype"] = dts;
    mm["weight_bytes"] = weights;
    mm["activation_bytes_fixed"] = activation_fixed_bytes();
    mm["activation_bytes_per_seq"] = act;
    mm["rss_after_load_bytes"] = current_rss_bytes();
    json st = json::array();
    for (int64_t d : o.depths) {
      const int64_t f = state_bytes(c, dt, d);
      json e = {{"depth", d}, {"state_bytes_formula", f}};
      if (f <= budget / 16) {  // cheap enough to materialize
        State s = model.new_state();
        fill_synthetic(s, d);
        e["state_bytes_exact"] = s.bytes();
        if (s.bytes() != f)
          prog.note(spec + ": state bytes at depth " + std::to_string(d) + " differ: " +
                    std::to_string(s.bytes()) + " (State::bytes) vs " + std::to_string(f));
      } else {
        e["state_bytes_exact"] = nullptr;
      }
      const int64_t mb = max_batch_within(budget, weights, f, act);
      e["max_batch"] = mb;
      e["max_batch_capped"] = std::min<int64_t>(mb, o.max_batch_cap);
      st.push_back(e);
    }
    mm["state"] = st;
    {
      int64_t maxlen = 1;
      for (auto d : o.depths) maxlen = std::max(maxlen, d);
      for (auto p : o.prompt_lens) maxlen = std::max(maxlen, p);
      std::vector<int64_t> lens;
      for (int64_t l = 1; l < maxlen; l *= 2) lens.push_back(l);
      lens.push_back(maxlen);
      json curve = json::array();
      for (auto l : lens) curve.push_back({{"length", l}, {"state_bytes", state_bytes(c, dt, l)}});
      mm["state_curve"] = curve;
    }
    mem_models.push_back(mm);

    auto make_row = [&](const std::string& test, int64_t depth, int batch, int64_t n_tokens,
                        const std::vector<double>& secs, int64_t sb) {
      std::vector<double> tps;
      for (double s : secs) tps.push_back(double(batch) * double(n_tokens) / s);
      json r;
      r["model"] = spec;
      r["test"] = test;
      r["depth"] = depth;
      r["batch"] = batch;
      r["n_tokens"] = n_tokens;
      r["reps"] = int(secs.size());
      r["tokens_per_s"] = stats(tps);
      r["state_bytes"] = sb;
      r["weight_bytes"] = weights;
      r["rss_peak_bytes"] = peak_rss_bytes();
      r["roofline_tokens_per_s"] = nullptr;
      r["roofline_fraction"] = nullptr;
      r["dtype"] = dts;
      r["threads"] = num_threads();
      r["seconds"] = secs;
      r["at_max_batch"] = false;
      return r;
    };
    auto skip = [&](const std::string& test, int64_t depth, int batch, int64_t need,
                    const std::string& why, bool at_max_batch = false) {
      skipped.push_back({{"model", spec},
                         {"test", test},
                         {"depth", depth},
                         {"batch", batch},
                         {"required_bytes", need},
                         {"budget_bytes", budget},
                         {"reason", why},
                         {"at_max_batch", at_max_batch}});
      prog.step(short_name(spec) + " " + test + " depth " + std::to_string(depth) + " batch " +
                std::to_string(batch) + ": skipped (" + why + ")");
    };
    auto need_bytes = [&](int64_t depth, int batch) {
      return weights + int64_t(batch) * state_bytes(c, dt, depth + o.warmup + o.steps) +
             activation_fixed_bytes() + int64_t(batch) * act;
    };
    auto run_tg = [&](int64_t depth, int batch) {
      const size_t probe_before = probe();
      reset_peak_rss();
      int64_t sb = 0;
      const auto secs =
          time_decode(model, depth, batch, fill, o.warmup, o.steps, o.reps, o.seed, &sb);
      json r = make_row("tg", depth, batch, o.steps, secs, sb);
      r["fill"] = fills;
      r["positions"] = {depth + o.warmup, depth + o.warmup + o.steps - 1};
      double read = 0;
      for (int i = 0; i < o.steps; ++i)
        read += double(state_bytes_read(c, dt, depth + o.warmup + i));
      r["state_bytes_read_per_seq"] = read / o.steps;
      r["bandwidth_probe"] = probe_before;  // resolved to GB/s once the next probe exists
      return r;
    };
    auto over_budget = [&](int64_t need) {
      return "needs " + mib(double(need)) +
             " (weights + batch x state at depth + activations) > budget " + mib(double(budget));
    };

    // Sampling throughput vs depth.
    for (int64_t depth : o.depths)
      for (int batch : o.batches) {
        const int64_t need = need_bytes(depth, batch);
        if (need > budget) {
          skip("tg", depth, batch, need, over_budget(need));
          continue;
        }
        json r = run_tg(depth, batch);
        prog.step(short_name(spec) + " tg depth " + std::to_string(depth) + " batch " +
                  std::to_string(batch) + ": " +
                  fmt("%.2f", r["tokens_per_s"]["median"].get<double>()) + " tokens/s");
        rows.push_back(std::move(r));
      }
    // Prefill throughput vs prompt length.
    for (int64_t len : o.prompt_lens) {
      const int64_t need = weights + state_bytes(c, dt, len) + activation_fixed_bytes() + act;
      if (need > budget) {
        skip("pp", 0, 1, need, over_budget(need));
        continue;
      }
      reset_peak_rss();
      const auto secs = time_prefill(model, len, o.reps, o.seed + 7);
      json r = make_row("pp", 0, 1, len, secs, state_bytes(c, dt, len));
      r["fill"] = nullptr;
      prog.step(short_name(spec) + " pp " + std::to_string(len) + ": " +
                fmt("%.2f", r["tokens_per_s"]["median"].get<double>()) + " tokens/s");
      rows.push_back(std::move(r));
    }
    // Tokens/s at the largest batch within the budget (capped).
    for (int64_t depth : mb_depths) {
      const int64_t mb =
          max_batch_within(budget, weights, state_bytes(c, dt, depth + o.warmup + o.steps), act);
      const int batch = int(std::min<int64_t>(mb, o.max_batch_cap));
      if (batch < 1) {
        skip("tg", depth, 1, need_bytes(depth, 1),
             "largest batch: not one sequence fits the budget", true);
        continue;
      }
      json r;
      bool reused = false;
      for (const auto& x : rows)
        if (x["model"] == spec && x["test"] == "tg" && x["depth"] == depth && x["batch"] == batch &&
            !x["at_max_batch"].get<bool>()) {
          r = x, reused = true;
          break;
        }
      if (!reused) r = run_tg(depth, batch);
      r["at_max_batch"] = true;
      r["max_batch"] = mb;
      r["batch_capped"] = mb > o.max_batch_cap;  // ran at the cap, not at max_batch
      prog.step(short_name(spec) + " tg at max batch, depth " + std::to_string(depth) + " batch " +
                std::to_string(batch) +
                (mb > batch ? " (of " + std::to_string(mb) + ")" : std::string()) + ": " +
                fmt("%.2f", r["tokens_per_s"]["median"].get<double>()) + " tokens/s" +
                (reused ? " (grid cell reused)" : ""));
      rows.push_back(std::move(r));
    }
  }
  measure_bw();

  const double best = *std::max_element(bw.begin(), bw.end());
  M["read_bandwidth_gbs"] = best;
  M["read_bandwidth_runs_gbs"] = bw;
  M["bandwidth_buffer_bytes"] = o.bandwidth_bytes;
  M["loadavg_end"] = loadavg();
  for (auto& r : rows) {
    if (r["test"] != "tg") continue;
    // The cell's roofline: the better of the probes just before and just after it.
    const size_t i = r["bandwidth_probe"].get<size_t>();
    r.erase("bandwidth_probe");
    const double before = bw[i], after = bw[std::min(i + 1, bw.size() - 1)];
    r["bandwidth_gbs_before"] = before;
    r["bandwidth_gbs_after"] = after;
    r["bandwidth_gbs"] = std::max(before, after);
    auto roofline = [&](double gbs) {
      return roofline_tokens_per_s(gbs * 1e9, r["weight_bytes"].get<int64_t>(),
                                   r["batch"].get<int>(),
                                   r["state_bytes_read_per_seq"].get<double>());
    };
    const double med = r["tokens_per_s"]["median"].get<double>();
    r["roofline_tokens_per_s"] = roofline(std::max(before, after));
    r["roofline_fraction"] = med / r["roofline_tokens_per_s"].get<double>();
    r["roofline_fraction_run_best"] = med / roofline(best);  // against the run's best probe
  }
  R["rows"] = rows;
  R["skipped"] = skipped;
  R["memory"] = {{"budget_bytes", budget},
                 {"budget_source", o.memory_budget > 0 ? "--memory-budget" : "MemTotal"},
                 {"max_batch_cap", o.max_batch_cap},
                 {"models", mem_models}};
  R["finished_at"] = utc_now();
  R["roofline"] =
      "tokens/s <= read bandwidth / (packed weight bytes / batch + state bytes read per sequence); "
      "state bytes read = cache rows attended (Gemma: depth; RecurrentGemma: min(depth, window)) "
      "+ conv and RG-LRU state, averaged over the timed steps";
  return R;
}

std::string format_throughput_table(const json& R) {
  std::ostringstream o;
  const json& M = R["machine"];
  o << "machine: " << M.value("cpu", std::string("?")) << ", oneDNN ISA "
    << M.value("dnnl_isa", std::string("?")) << ", " << M.value("threads", 0)
    << " threads, read bandwidth " << fmt("%.2f", M.value("read_bandwidth_gbs", 0.0))
    << " GB/s at best (each decode cell's roofline: the probes just before and after it), load "
       "average "
    << fmt("%.2f", M.value("loadavg_start", -1.0)) << " -> "
    << fmt("%.2f", M.value("loadavg_end", -1.0)) << "\n\n";
  o << "| model | test | depth | batch | fill | tokens/s | min | max | state/seq | GB/s | "
       "roofline tokens/s | % roofline |\n"
       "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : R["rows"]) {
    const bool tg = r["test"] == "tg";
    const std::string test = tg ? "tg" + std::to_string(r["n_tokens"].get<int64_t>())
                                : "pp" + std::to_string(r["n_tokens"].get<int64_t>());
    o << "| " << short_name(r["model"]) << " | " << test
      << (r.value("at_max_batch", false) ? " (max batch)" : "") << " | "
      << r["depth"].get<int64_t>() << " | " << r["batch"].get<int>() << " | "
      << (r["fill"].is_string() ? r["fill"].get<std::string>() : "-") << " | "
      << fmt("%.2f", r["tokens_per_s"]["median"].get<double>()) << " | "
      << fmt("%.2f", r["tokens_per_s"]["min"].get<double>()) << " | "
      << fmt("%.2f", r["tokens_per_s"]["max"].get<double>()) << " | "
      << human_bytes(r["state_bytes"].get<double>()) << " | "
      << (tg ? fmt("%.2f", r["bandwidth_gbs"].get<double>()) : "-") << " | "
      << (tg ? fmt("%.2f", r["roofline_tokens_per_s"].get<double>()) : "-") << " | "
      << (tg ? fmt("%.1f%%", 100 * r["roofline_fraction"].get<double>()) : "-") << " |\n";
  }
  if (!R["skipped"].empty()) {
    o << "\nskipped:\n";
    for (const auto& s : R["skipped"])
      o << "- " << short_name(s["model"]) << " " << s["test"].get<std::string>() << " depth "
        << s["depth"].get<int64_t>() << " batch " << s["batch"].get<int>() << ": "
        << s["reason"].get<std::string>() << "\n";
  }
  const json& mem = R["memory"];
  o << "\nmemory budget " << mib(mem["budget_bytes"].get<double>()) << " ("
    << mem["budget_source"].get<std::string>()
    << "); largest batch = (budget - weights - activation margin) / (state + activations per "
       "sequence)\n\n"
    << "| model | weights | depth | state/seq | max batch |\n|---|---:|---:|---:|---:|\n";
  for (const auto& m : mem["models"])
    for (const auto& s : m["state"])
      o << "| " << short_name(m["model"]) << " | " << mib(m["weight_bytes"].get<double>()) << " | "
        << s["depth"].get<int64_t>() << " | " << human_bytes(s["state_bytes_formula"].get<double>())
        << " | " << s["max_batch"].get<int64_t>() << " |\n";
  return o.str();
}

}  // namespace rgeval::bench
