// End-to-end throughput of whole models, set against what the machine can do, measured in the
// same run: batch-1 decode tokens/s vs the memory-bandwidth roofline (bytes read per token /
// read bandwidth), prefill tokens/s vs the bf16 (or f32) matmul peak, and peak resident memory
// vs the packed weight bytes.
//
//   bench_e2e --models builtin:recurrentgemma-2b,builtin:gemma-2b --dtype bf16 --threads 2
//             --prompt 2048 --decode 64 --reps 3 --json out.json
//
// Each model runs in a child process of its own (this binary re-executed with --worker-model)
// so that its peak RSS (VmHWM; ru_maxrss is in the JSON too) is its own. The table goes to
// stdout, progress to stderr.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/common.h"
#include "engine/builtin.h"
#include "engine/checkpoint.h"
#include "engine/compute.h"
#include "engine/error.h"
#include "engine/model.h"
#include "engine/ops.h"

extern char** environ;

namespace {

using json = nlohmann::json;
using rgeval::Arch;
using rgeval::BlockType;
using rgeval::DType;
using rgeval::ModelConfig;
namespace rb = rgeval::bench;

struct Options {
  std::vector<std::string> models{"builtin:recurrentgemma-2b", "builtin:gemma-2b"};
  std::string dtype = "bf16";
  int threads = 2;
  int prompt = 2048;      // prefill length (0: no prefill measurement)
  int decode = 64;        // timed decode steps per rep (0: no decode measurement)
  int warm_prompt = 16;   // the short prefill before decoding
  int reps = 3;
  int chunk = 512;        // EngineOptions::prefill_chunk
  double bw_gib = 2.0;    // read-bandwidth buffer
  int bw_reps = 5;
  bool machine = true;    // measure bandwidth and matmul peak
  bool isolate = true;    // one child process per model
  std::string json_path;
  std::string worker_model, worker_out;  // internal: child mode
};

// The 1-minute load average (other processes competing for the cores skew every figure).
double loadavg() {
  std::ifstream f("/proc/loadavg");
  double l = -1;
  f >> l;
  return l;
}

void progress(const std::string& s) { std::cerr << "[bench_e2e] " << s << std::endl; }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Parameters of the matrix products other than the (tied) embedding / logits product.
int64_t matmul_params(const ModelConfig& c) {
  const int64_t H = c.hidden, M = c.mlp_width, L = c.lru_width, nh = c.num_heads,
                kvh = c.num_kv_heads, hd = c.head_dim;
  const int64_t attn = H * nh * hd * 2 + H * kvh * hd * 2;  // q, o; k, v
  const int64_t rec = 3 * H * L + 2 * L * L / nh;           // linear_x/y/out; block-diagonal gates
  int64_t total = 0;
  for (BlockType b : c.blocks) total += 3 * H * M + (b == BlockType::Attention ? attn : rec);
  return total;
}

// Keys a query at position p attends to (itself included).
int64_t keys_at(const ModelConfig& c, int64_t p) {
  return c.arch == Arch::Griffin ? std::min<int64_t>(p, c.window) + 1 : p + 1;
}

// Attention FLOPs (QKᵀ and PV, 2 per multiply-add) of the query at position p, all layers.
double attention_flops_at(const ModelConfig& c, int64_t p) {
  return 4.0 * c.num_heads * c.head_dim * double(keys_at(c, p)) * c.count(BlockType::Attention);
}

// State bytes one decode step at position p reads: the cache rows attended to (keys and
// values) and the conv/RG-LRU state of the recurrent layers.
double state_bytes_read_at(const ModelConfig& c, DType cache_dt, int64_t p) {
  const double ds = double(rgeval::dtype_size(cache_dt));
  const double kv_row = double(c.num_kv_heads) * c.head_dim * ds;
  const double cached = double(keys_at(c, p) - 1);
  double total = 2 * cached * kv_row * c.count(BlockType::Attention);
  total += c.count(BlockType::Recurrent) * (double(c.conv_width - 1) * c.lru_width * ds + 4.0 * c.lru_width);
  return total;
}

// ---- one model (child process) ------------------------------------------------------------

json run_model(const Options& o, const std::string& spec) {
  json r;
  r["model"] = spec;
  r["loadavg_start"] = loadavg();
  progress(spec + ": loading");
  double t0 = rb::now_seconds();
  const rgeval::Checkpoint ck = rgeval::load_model(spec);
  rgeval::EngineOptions eo;
  eo.dtype = o.dtype;
  eo.threads = o.threads;
  eo.prefill_chunk = o.chunk;
  const rgeval::Model model(ck, eo);
  const ModelConfig& c = model.config();
  const DType dt = model.compute_dtype();
  r["load_seconds"] = rb::now_seconds() - t0;
  r["dtype"] = dt == DType::BF16 ? "bf16" : "f32";
  r["threads"] = rgeval::num_threads();
  r["weight_bytes"] = model.weight_bytes();
  r["checkpoint_bytes"] = ck.weight_bytes();
  r["embedding_params"] = int64_t(c.vocab_size) * c.hidden;
  r["matmul_params_non_embedding"] = matmul_params(c);
  r["peak_rss_after_load"] = rb::peak_rss_bytes();
  r["rss_after_load"] = rb::current_rss_bytes();
  progress(spec + ": loaded in " + std::to_string(r["load_seconds"].get<double>()) + " s, " +
           std::to_string(model.weight_bytes() / 1e9) + " GB packed weights (" +
           r["dtype"].get<std::string>() + ", " + std::to_string(rgeval::num_threads()) +
           " threads)");

  const int V = model.vocab();
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> tok(0, V - 1);
  auto random_tokens = [&](int n) {
    std::vector<int> t(static_cast<size_t>(n));
    for (auto& x : t) x = tok(rng);
    return t;
  };
  std::vector<float> logits(static_cast<size_t>(V));

  if (o.decode > 0) {
    std::vector<double> tps;
    for (int rep = 0; rep < o.reps; ++rep) {
      rgeval::State s = model.new_state();
      s.reserve(o.warm_prompt + o.decode + 2);
      const auto prompt = random_tokens(std::max(1, o.warm_prompt));
      model.prefill(s, prompt, logits.data());
      int next = rgeval::argmax(logits.data(), V);
      rgeval::State* sp = &s;
      model.decode({&sp, 1}, {&next, 1}, logits.data());  // one untimed step
      next = rgeval::argmax(logits.data(), V);
      const double t1 = rb::now_seconds();
      for (int i = 0; i < o.decode; ++i) {
        model.decode({&sp, 1}, {&next, 1}, logits.data());
        next = rgeval::argmax(logits.data(), V);
      }
      const double sec = rb::now_seconds() - t1;
      tps.push_back(o.decode / sec);
      progress(spec + ": decode rep " + std::to_string(rep + 1) + ": " + std::to_string(tps.back()) +
               " tok/s");
    }
    // Positions of the timed steps: warm_prompt + 1 .. warm_prompt + decode.
    double state_read = 0;
    const int64_t first = std::max(1, o.warm_prompt) + 1;
    for (int64_t p = first; p < first + o.decode; ++p) state_read += state_bytes_read_at(c, dt, p);
    state_read /= o.decode;
    json d;
    d["tokens"] = o.decode;
    d["context_start"] = first;
    d["tok_per_s"] = median(tps);
    d["tok_per_s_best"] = *std::max_element(tps.begin(), tps.end());
    d["tok_per_s_reps"] = tps;
    d["state_bytes_read_per_token"] = state_read;
    d["bytes_per_token"] = double(model.weight_bytes()) + state_read;
    r["decode"] = d;
  }

  if (o.prompt > 0) {
    // Primitive creation for the row counts the prompt will use, outside the timing.
    {
      rgeval::State s = model.new_state();
      const int rows = std::min(o.prompt, o.chunk);
      model.prefill(s, random_tokens(rows), logits.data());
      if (o.prompt > o.chunk && o.prompt % o.chunk) {
        rgeval::State s2 = model.new_state();
        model.prefill(s2, random_tokens(o.prompt % o.chunk), logits.data());
      }
    }
    std::vector<double> tps;
    for (int rep = 0; rep < o.reps; ++rep) {
      rgeval::State s = model.new_state();
      s.reserve(o.prompt);
      const auto prompt = random_tokens(o.prompt);
      const double t1 = rb::now_seconds();
      model.prefill(s, prompt, logits.data());
      const double sec = rb::now_seconds() - t1;
      tps.push_back(o.prompt / sec);
      progress(spec + ": prefill rep " + std::to_string(rep + 1) + ": " + std::to_string(tps.back()) +
               " tok/s");
    }
    double attn = 0;
    for (int64_t p = 0; p < o.prompt; ++p) attn += attention_flops_at(c, p);
    attn /= o.prompt;
    json p;
    p["tokens"] = o.prompt;
    p["tok_per_s"] = median(tps);
    p["tok_per_s_best"] = *std::max_element(tps.begin(), tps.end());
    p["tok_per_s_reps"] = tps;
    p["matmul_flops_per_token"] = 2.0 * double(matmul_params(c));
    p["attention_flops_per_token"] = attn;
    p["flops_per_token"] = 2.0 * double(matmul_params(c)) + attn;
    p["gflops"] = median(tps) * (2.0 * double(matmul_params(c)) + attn) / 1e9;
    r["prefill"] = p;
  }
  r["peak_rss_after_run"] = rb::peak_rss_bytes();
  r["ru_maxrss_after_run"] = rb::ru_maxrss_bytes();
  r["loadavg_end"] = loadavg();
  return r;
}

// Re-executes this binary for one model; returns its JSON (or {"model", "error"}).
json run_isolated(const Options& o, const std::string& spec) {
  char tmpl[] = "/tmp/bench_e2e_XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) throw rgeval::Error("bench_e2e: cannot create a temporary file");
  close(fd);
  const std::string out = tmpl;
  std::vector<std::string> args = {"bench_e2e",
                                   "--worker-model", spec,
                                   "--worker-out", out,
                                   "--dtype", o.dtype,
                                   "--threads", std::to_string(o.threads),
                                   "--prompt", std::to_string(o.prompt),
                                   "--decode", std::to_string(o.decode),
                                   "--warm-prompt", std::to_string(o.warm_prompt),
                                   "--reps", std::to_string(o.reps),
                                   "--chunk", std::to_string(o.chunk)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  json r;
  char self[4096];
  const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  const std::string exe = len > 0 ? std::string(self, size_t(len)) : "/proc/self/exe";
  if (posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    r = {{"model", spec}, {"error", "cannot start the worker process"}};
  } else {
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream f(out);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && f) {
      f >> r;
    } else {
      r = {{"model", spec}, {"error", "worker failed (status " + std::to_string(status) + ")"}};
    }
  }
  std::remove(out.c_str());
  return r;
}

// ---- report ---------------------------------------------------------------------------------

std::string fmt(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

std::string short_name(const std::string& spec) {
  return rgeval::is_builtin(spec) ? spec.substr(8) : spec;
}

void print_table(const json& J) {
  const json& m = J["machine"];
  std::cout << "\nmachine: " << m["cpu"].get<std::string>() << ", " << m["cores"].get<int>()
            << " cores, oneDNN ISA " << m["dnnl_isa"].get<std::string>() << ", threads "
            << m["threads"].get<int>() << ", 1-min load average " << fmt("%.2f", m["loadavg_start"])
            << " at start, " << fmt("%.2f", m["loadavg_end"]) << " at end\n";
  if (m.contains("read_bandwidth_gbs"))
    std::cout << "read bandwidth: " << fmt("%.2f", m["read_bandwidth_gbs"].get<double>())
              << " GB/s (best of " << m["bandwidth_reps"].get<int>() << " passes over "
              << fmt("%.1f", m["bandwidth_buffer_gib"].get<double>()) << " GiB, before and after the models)\n"
              << "matmul peak (" << m["matmul_peak_dtype"].get<std::string>()
              << ", oneDNN): " << fmt("%.1f", m["matmul_peak_gflops"].get<double>())
              << " GFLOP/s at M=" << m["matmul_peak_shape"][0] << " K=" << m["matmul_peak_shape"][1]
              << " N=" << m["matmul_peak_shape"][2] << "\n";
  std::cout << "\n| model | dtype | threads | test | t/s median (best) | bytes/token | roofline t/s | % roofline |\n"
               "|---|---|---:|---|---:|---:|---:|---:|\n";
  // t/s: median of the reps (best in parentheses); the ratios use the median.
  for (const auto& r : J["models"]) {
    if (r.contains("error") || !r.contains("decode")) continue;
    const auto& d = r["decode"];
    std::cout << "| " << short_name(r["model"]) << " | " << r["dtype"].get<std::string>() << " | "
              << r["threads"] << " | tg" << d["tokens"] << " | " << fmt("%.3f", d["tok_per_s"])
              << fmt(" (%.3f)", d["tok_per_s_best"])
              << " | " << fmt("%.3g", d["bytes_per_token"]) << " | "
              << (d.contains("roofline_tok_per_s") ? fmt("%.3f", d["roofline_tok_per_s"]) : "-") << " | "
              << (d.contains("ratio") ? fmt("%.1f%%", 100 * d["ratio"].get<double>()) : "-") << " |\n";
  }
  std::cout << "\n| model | dtype | threads | test | t/s median (best) | GFLOP/token | GFLOP/s | % matmul peak |\n"
               "|---|---|---:|---|---:|---:|---:|---:|\n";
  for (const auto& r : J["models"]) {
    if (r.contains("error") || !r.contains("prefill")) continue;
    const auto& p = r["prefill"];
    std::cout << "| " << short_name(r["model"]) << " | " << r["dtype"].get<std::string>() << " | "
              << r["threads"] << " | pp" << p["tokens"] << " | " << fmt("%.2f", p["tok_per_s"])
              << fmt(" (%.2f)", p["tok_per_s_best"])
              << " | " << fmt("%.3f", p["flops_per_token"].get<double>() / 1e9) << " | "
              << fmt("%.1f", p["gflops"]) << " | "
              << (p.contains("ratio") ? fmt("%.1f%%", 100 * p["ratio"].get<double>()) : "-") << " |\n";
  }
  std::cout << "\n| model | packed weights | checkpoint | load s | peak RSS after load | peak RSS after run | "
               "peak RSS / weights |\n|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : J["models"]) {
    if (r.contains("error")) {
      std::cout << "| " << short_name(r["model"]) << " | error: " << r["error"].get<std::string>()
                << " ||||||\n";
      continue;
    }
    const double w = r["weight_bytes"].get<double>();
    std::cout << "| " << short_name(r["model"]) << " | " << fmt("%.3f GB", w / 1e9) << " | "
              << fmt("%.3f GB", r["checkpoint_bytes"].get<double>() / 1e9) << " | "
              << fmt("%.1f", r["load_seconds"]) << " | "
              << fmt("%.3f GB", r["peak_rss_after_load"].get<double>() / 1e9) << " | "
              << fmt("%.3f GB", r["peak_rss_after_run"].get<double>() / 1e9) << " | "
              << fmt("%.3f", r["peak_rss_after_run"].get<double>() / w) << " |\n";
  }
  std::cout.flush();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"bench_e2e: end-to-end decode/prefill throughput vs bandwidth roofline and matmul peak"};
  app.add_option("--models", o.models, "model specs (directories or builtin:NAME), comma-separated")
      ->delimiter(',');
  app.add_option("--dtype", o.dtype, "compute dtype: auto, f32, bf16")->check(CLI::IsMember({"auto", "f32", "bf16"}));
  app.add_option("--threads", o.threads, "OpenMP threads (0 = all cores)")->check(CLI::NonNegativeNumber);
  app.add_option("--prompt", o.prompt, "prefill length to time (0 = skip)")->check(CLI::NonNegativeNumber);
  app.add_option("--decode", o.decode, "decode steps to time per rep (0 = skip)")->check(CLI::NonNegativeNumber);
  app.add_option("--warm-prompt", o.warm_prompt, "prompt length before decoding")->check(CLI::PositiveNumber);
  app.add_option("--reps", o.reps, "repetitions (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--chunk", o.chunk, "prefill chunk (rows per matrix product)")->check(CLI::PositiveNumber);
  app.add_option("--bw-gib", o.bw_gib, "read-bandwidth buffer, GiB")->check(CLI::Range(0.0625, 64.0));
  app.add_option("--bw-reps", o.bw_reps, "read-bandwidth passes")->check(CLI::PositiveNumber);
  app.add_flag("!--no-machine", o.machine, "skip the bandwidth and matmul-peak measurements");
  app.add_flag("!--no-isolate", o.isolate, "run the models in this process (peak RSS then accumulates)");
  app.add_option("--json", o.json_path, "write the results as JSON to this file");
  app.add_option("--worker-model", o.worker_model)->group("");
  app.add_option("--worker-out", o.worker_out)->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    rgeval::set_threads(o.threads);
    if (!o.worker_model.empty()) {  // child: one model, JSON to --worker-out
      const json r = run_model(o, o.worker_model);
      std::ofstream f(o.worker_out);
      f << r.dump();
      return f ? 0 : 1;
    }

    json J;
    const DType peak_dt = rgeval::resolve_compute_dtype(o.dtype, DType::BF16);
    json& m = J["machine"];
    m["cpu"] = rgeval::cpu_model_name();
    m["cores"] = int(sysconf(_SC_NPROCESSORS_ONLN));
    m["dnnl_isa"] = rgeval::dnnl_isa_name();
    m["threads"] = rgeval::num_threads();
    m["cpu_has_bf16"] = rgeval::cpu_has_bf16();
    m["loadavg_start"] = loadavg();
    std::vector<double> bw;
    auto measure_bw = [&] {
      progress("read bandwidth (" + fmt("%.1f", o.bw_gib) + " GiB x " + std::to_string(o.bw_reps) + ")");
      bw.push_back(rb::measure_read_bandwidth(size_t(o.bw_gib * double(1ull << 30)), o.bw_reps));
      progress("  " + fmt("%.2f", bw.back()) + " GB/s");
    };
    if (o.machine) {
      measure_bw();
      progress(std::string("matmul peak (") + (peak_dt == DType::BF16 ? "bf16" : "f32") + ", oneDNN)");
      const auto pk = rb::measure_matmul_peak(peak_dt, 3);
      progress("  " + fmt("%.1f", pk.gflops) + " GFLOP/s");
      m["matmul_peak_gflops"] = pk.gflops;
      m["matmul_peak_shape"] = {pk.M, pk.K, pk.N};
      m["matmul_peak_dtype"] = peak_dt == DType::BF16 ? "bf16" : "f32";
    }
    json models = json::array();
    for (const auto& spec : o.models) {
      json r;
      if (o.isolate) {
        r = run_isolated(o, spec);
      } else {
        try {
          r = run_model(o, spec);
        } catch (const std::exception& e) {
          r = {{"model", spec}, {"error", e.what()}};
        }
      }
      if (r.contains("error")) progress(spec + ": " + r["error"].get<std::string>());
      models.push_back(r);
    }
    if (o.machine) {
      measure_bw();
      const double best = *std::max_element(bw.begin(), bw.end());
      m["read_bandwidth_gbs"] = best;
      m["read_bandwidth_runs_gbs"] = bw;
      m["bandwidth_buffer_gib"] = o.bw_gib;
      m["bandwidth_reps"] = o.bw_reps;
      for (auto& r : models) {
        if (r.contains("decode")) {
          auto& d = r["decode"];
          d["roofline_tok_per_s"] = best / (d["bytes_per_token"].get<double>() / 1e9);
          d["ratio"] = d["tok_per_s"].get<double>() / d["roofline_tok_per_s"].get<double>();
        }
        if (r.contains("prefill")) {
          auto& p = r["prefill"];
          p["ratio"] = p["gflops"].get<double>() / m["matmul_peak_gflops"].get<double>();
        }
      }
    }
    m["loadavg_end"] = loadavg();
    J["models"] = models;
    J["options"] = {{"dtype", o.dtype}, {"threads", o.threads}, {"prompt", o.prompt},
                    {"decode", o.decode}, {"warm_prompt", o.warm_prompt}, {"reps", o.reps},
                    {"chunk", o.chunk}};
    J["counting"] =
        "decode bytes/token = packed weight bytes (every matrix incl. the tied logits product, once) "
        "+ KV rows attended + conv/RG-LRU state; prefill FLOPs/token = 2 x non-embedding matmul "
        "params + attention 4*heads*head_dim*keys per attention layer, averaged over the prompt "
        "(logits of the last row not counted)";
    print_table(J);
    if (!o.json_path.empty()) {
      std::ofstream f(o.json_path);
      f << J.dump(2) << "\n";
      if (!f) throw rgeval::Error(o.json_path + ": cannot write");
    }
    bool ok = true;
    for (const auto& r : models) ok = ok && !r.contains("error");
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "bench_e2e: " << e.what() << "\n";
    return 1;
  }
}
