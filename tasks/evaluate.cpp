#include "tasks/evaluate.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/builtin.h"
#include "engine/error.h"
#include "engine/version.h"
#include "store/results_db.h"
#include "store/sha256.h"
#include "tasks/bbq.h"
#include "tasks/encode_pair.h"
#include "tasks/eval_cluster.h"
#include "tasks/mmlu.h"
#include "tasks/registry.h"
#include "tasks/stored_metrics.h"

namespace rgeval::tasks {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

namespace {

using Clock = std::chrono::steady_clock;

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const int ms = int(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

std::string hex_float(float x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%a", double(x));
  return buf;
}

// The bytes a safetensors file starts with: 8-byte header length + the JSON header.
std::string safetensors_header(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open");
  unsigned char len[8] = {};
  f.read(reinterpret_cast<char*>(len), 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = n << 8 | len[i];
  if (!f || n > (uint64_t(1) << 30)) fail(path, "not a safetensors file");
  std::string h(size_t(n), '\0');
  f.read(h.data(), std::streamsize(n));
  if (!f) fail(path, "truncated safetensors header");
  return std::string(reinterpret_cast<char*>(len), 8) + h;
}

struct Pending {
  const Doc* doc;
  double weight;  // approximate characters the model has to run (for the ETA)
};

struct Progress {
  const EvalOptions& o;
  Clock::time_point start = Clock::now();
  size_t total = 0, done = 0, computed = 0;
  double weight_total = 0, weight_done = 0;
  int64_t unit_tokens = 0;  // tokens forwarded by finished units
  double unit_seconds = 0;  // time at the end of the last finished unit

  void report(bool final) {
    if (!o.on_progress) return;
    EvalProgress p;
    p.docs_done = done;
    p.docs_total = total;
    p.docs_computed = computed;
    p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    p.docs_per_s = p.seconds > 0 ? double(computed) / p.seconds : 0;
    p.tokens_per_s = unit_seconds > 0 ? double(unit_tokens) / unit_seconds : 0;
    if (weight_done > 0 && p.seconds > 0)
      p.eta_seconds = (weight_total - weight_done) * p.seconds / weight_done;
    if (final) p.eta_seconds = 0;
    p.final = final;
    o.on_progress(p);
  }
};

}  // namespace

ModelIdentity model_identity(const std::string& model_spec, const Checkpoint& ck, const Model& m) {
  ModelIdentity id;
  id.model = model_spec;
  const ModelConfig& c = ck.config;
  std::string blocks;
  for (BlockType b : c.blocks) blocks += b == BlockType::Recurrent ? 'R' : 'A';
  ordered_json cj;
  cj["arch"] = std::string(arch_name(c.arch));
  cj["vocab_size"] = c.vocab_size;
  cj["hidden"] = c.hidden;
  cj["num_layers"] = c.num_layers;
  cj["num_heads"] = c.num_heads;
  cj["num_kv_heads"] = c.num_kv_heads;
  cj["head_dim"] = c.head_dim;
  cj["mlp_width"] = c.mlp_width;
  cj["lru_width"] = c.lru_width;
  cj["conv_width"] = c.conv_width;
  cj["window"] = c.window;
  cj["blocks"] = blocks;
  cj["rms_eps"] = hex_float(c.rms_eps);
  cj["rope_theta"] = hex_float(c.rope_theta);
  cj["partial_rotary"] = hex_float(c.partial_rotary);
  cj["soft_cap"] = hex_float(c.soft_cap);
  cj["embed_scale"] = hex_float(c.embed_scale);
  cj["bos_id"] = c.bos_id;
  cj["eos_id"] = c.eos_id;
  cj["pad_id"] = c.pad_id;
  cj["max_positions"] = c.max_positions;
  cj["weight_dtype"] = std::string(dtype_name(c.weight_dtype));
  id.config_sha256 = store::sha256_hex(cj.dump());

  store::Sha256 w;
  if (is_builtin(model_spec) || ck.files.empty()) {
    w.update(ck.source.empty() ? model_spec : ck.source);
    w.update(id.config_sha256);
  } else {
    std::vector<std::string> files = ck.files;
    std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
      return fs::path(a).filename() < fs::path(b).filename();
    });
    for (const std::string& f : files) {
      const std::string name = fs::path(f).filename().string();
      const std::string size = std::to_string(fs::file_size(f));
      const std::string header = safetensors_header(f);
      for (const std::string* part : {&name, &size, &header}) {
        w.update(std::to_string(part->size()) + ":");
        w.update(*part);
      }
    }
  }
  id.weights_fingerprint = w.hex();
  id.tokenizer_sha256 = !ck.tokenizer_path.empty() && fs::exists(ck.tokenizer_path)
                            ? store::sha256_file(ck.tokenizer_path)
                            : store::sha256_hex(builtin_tokenizer_proto());
  const auto emb = ck.tensors.find("model.embed_tokens.weight");
  id.weights_dtype =
      std::string(dtype_name(emb != ck.tensors.end() ? emb->second.dtype : c.weight_dtype));
  id.compute_dtype = std::string(dtype_name(m.compute_dtype()));
  return id;
}

ordered_json model_identity_json(const ModelIdentity& id) {
  return {{"model_config_sha256", id.config_sha256},
          {"weights_fingerprint", id.weights_fingerprint},
          {"tokenizer_sha256", id.tokenizer_sha256},
          {"weights_dtype", id.weights_dtype},
          {"compute_dtype", id.compute_dtype}};
}

// Keep in step with the loaders (docs/tasks.md, "Adding a task").
std::vector<std::string> task_data_files(const std::string& task, const std::string& data_dir,
                                         int num_fewshot) {
  std::vector<std::string> rel;
  if (task == "mmlu" || task.rfind("mmlu_", 0) == 0) {
    rel.push_back("mmlu/subjects.tsv");
    const std::string only = task == "mmlu" ? "" : task.substr(5);
    for (const MmluSubject& s : mmlu_subjects(data_dir)) {
      if (!only.empty() && s.name != only) continue;
      const std::string test = "mmlu/data/test/" + s.name + "_test.csv";
      if (!fs::is_regular_file(fs::path(data_dir) / test))
        continue;  // subject skipped by the loader
      rel.push_back(test);
      if (num_fewshot > 0) rel.push_back("mmlu/data/dev/" + s.name + "_dev.csv");
    }
  } else if (task == "hellaswag") {
    rel = {"hellaswag/hellaswag_val.jsonl", "hellaswag/hellaswag_val.doc_ids.txt"};
  } else if (task == "piqa") {
    rel = {"piqa/valid.jsonl", "piqa/valid-labels.lst"};
  } else if (task == "arc_easy") {
    rel = {"arc/ARC-Easy-Test.jsonl"};
  } else if (task == "arc_challenge") {
    rel = {"arc/ARC-Challenge-Test.jsonl"};
  } else if (task == "openbookqa") {
    rel = {"openbookqa/test.jsonl"};
  } else if (task == "boolq") {
    rel = {"boolq/dev.jsonl"};
  } else if (task == "social_iqa") {
    rel = {"siqa/dev.jsonl", "siqa/dev-labels.lst"};
  } else if (task == "crows_pairs") {
    rel = {"crows_pairs/crows_pairs_anonymized.csv"};
  } else if (task == "bbq") {
    rel = bbq_data_files();
  } else if (task == "truthfulqa_mc1" || task == "truthfulqa_mc2") {
    rel = {"truthfulqa/TruthfulQA.csv"};
  } else if (task == "winogender" || task.rfind("winogender_", 0) == 0) {
    rel = {"winogender/all_sentences.tsv"};
  } else {
    fail("--tasks", "no list of data files for task '" + task + "' (add it to task_data_files)");
  }
  std::vector<std::string> present;
  for (const std::string& r : rel)
    if (fs::is_regular_file(fs::path(data_dir) / r)) present.push_back(r);
  return present;
}

std::string format_duration(double seconds) {
  char buf[32];
  const long t = std::lround(std::max(0.0, seconds));
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, t / 60 % 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

std::string format_progress(const EvalProgress& p) {
  char buf[200];
  const double pct = p.docs_total ? 100.0 * double(p.docs_done) / double(p.docs_total) : 100.0;
  int n = std::snprintf(buf, sizeof buf, "rgeval: eval %zu/%zu docs (%.1f%%), %.2f docs/s",
                        p.docs_done, p.docs_total, pct, p.docs_per_s);
  std::string s(buf, size_t(n));
  if (p.tokens_per_s > 0) {
    n = std::snprintf(buf, sizeof buf, ", %.0f tok/s", p.tokens_per_s);
    s.append(buf, size_t(n));
  }
  if (p.final)
    s += ", done in " + format_duration(p.seconds);
  else if (p.eta_seconds >= 0)
    s += ", ETA " + format_duration(p.eta_seconds);
  return s;
}

EvalResult evaluate(const Model& model, const Tokenizer& tok, const ModelIdentity& id,
                    const EvalOptions& o) {
  if (o.tasks.empty()) fail("--tasks", "no task given");
  // 1. Documents of every task (bad data stops here, before any work).
  std::vector<std::string> tasks;
  for (const std::string& t : o.tasks)
    if (std::find(tasks.begin(), tasks.end(), t) == tasks.end()) tasks.push_back(t);
  std::vector<TaskSpec> specs;
  std::vector<Doc> docs;
  std::set<std::pair<std::string, int>> seen;
  ordered_json fewshot = ordered_json::object();
  std::map<std::string, std::string> data_files;  // relative path -> sha256
  std::map<std::string, bool> leaf_acc_norm;
  std::map<std::string, TaskMetricFn> leaf_metrics;  // tasks with their own metrics
  for (const std::string& t : tasks) {
    specs.push_back(find_task(t));
    const int k = o.num_fewshot < 0 ? specs.back().default_num_fewshot : o.num_fewshot;
    fewshot[t] = k;
    for (Doc& d : specs.back().load(o.data_dir, k, o.limit)) {
      leaf_acc_norm[d.task] = specs.back().acc_norm;
      if (specs.back().metrics) leaf_metrics[d.task] = specs.back().metrics;
      if (seen.emplace(d.task, d.doc_id).second) docs.push_back(std::move(d));
    }
    for (const std::string& rel : task_data_files(t, o.data_dir, k))
      if (!data_files.count(rel))
        data_files[rel] = store::sha256_file((fs::path(o.data_dir) / rel).string());
  }

  // 2. The run.
  ordered_json files_json = ordered_json::object();
  for (const auto& [rel, h] : data_files) files_json[rel] = h;
  std::vector<std::string> sorted_tasks = tasks;
  std::sort(sorted_tasks.begin(), sorted_tasks.end());
  ordered_json sorted_fewshot = ordered_json::object();
  for (const std::string& t : sorted_tasks) sorted_fewshot[t] = fewshot[t];
  ordered_json ident;
  ident["format"] = "rgeval-run/1";
  ident["model_config_sha256"] = id.config_sha256;
  ident["weights_fingerprint"] = id.weights_fingerprint;
  ident["tokenizer_sha256"] = id.tokenizer_sha256;
  ident["compute_dtype"] = id.compute_dtype;
  ident["tasks"] = sorted_tasks;
  ident["num_fewshot"] = sorted_fewshot;
  ident["data_files"] = files_json;
  ident["naive"] = o.naive;
  store::RunInfo ri;
  ri.identity = ident.dump();
  ri.run_key = store::sha256_hex(ri.identity);
  ri.model = id;
  ri.tasks = ordered_json(tasks).dump();
  ri.num_fewshot = o.num_fewshot;
  ri.naive = o.naive;
  ri.data_files = files_json.dump();
  ri.rgeval_version = rgeval::version();
  ri.rgeval_commit = rgeval::commit();
  ri.command_line = o.command_line;
  ri.started_at = utc_now();

  // Ranks > 0 of a cluster never open the database: they use a scratch one in memory and send
  // what they score to rank 0 (docs/mpi.md).
  const bool remote = o.cluster && o.cluster->rank() != 0;
  store::Db db(remote ? ":memory:" : o.db_path);
  store::init_schema(db);
  EvalResult res;
  res.run_key = ri.run_key;
  res.run_id = store::find_or_create_run(db, ri);
  store::AttemptInfo ai;
  ai.run_id = res.run_id;
  ai.started_at = ri.started_at;
  ai.command_line = o.command_line;
  ai.rgeval_version = rgeval::version();
  ai.rgeval_commit = rgeval::commit();
  ai.threads = o.threads;
  ai.limit = o.limit;
  res.attempt_id = store::begin_attempt(db, ai);

  // 3. What is left to compute, in units of one leaf task.
  auto stored = store::stored_document_keys(db, res.run_id);
  if (o.cluster) share_stored_documents(*o.cluster, res.run_key, docs, stored);
  std::vector<std::vector<Pending>> units;
  Progress prog{o};
  prog.total = docs.size();
  const size_t unit_docs = std::max<size_t>(1, o.unit_docs);
  for (const Doc& d : docs) {
    if (stored.count({d.task, d.doc_id})) {
      ++prog.done;
      continue;
    }
    if (units.empty() || units.back().size() >= unit_docs ||
        units.back().back().doc->task != d.task)
      units.emplace_back();
    double w = 0;  // what prefix sharing leaves to run, roughly
    const std::string* prev = units.back().empty() ? nullptr : &units.back().back().doc->context;
    size_t shared = 0;
    if (prev && !o.naive) {
      const size_t n = std::min(prev->size(), d.context.size());
      while (shared < n && (*prev)[shared] == d.context[shared]) ++shared;
    }
    for (const std::string& c : d.choices)
      w += double(c.size()) + (o.naive ? double(d.context.size()) : 0.0);
    if (!o.naive) w += double(d.context.size() - shared);
    units.back().push_back({&d, w});
    prog.weight_total += w;
  }
  res.docs_total = docs.size();
  res.docs_reused = prog.done;

  // 3b. Several ranks: each keeps its shard of the units (every rank computes the same plan).
  ShardPlan plan;
  std::map<std::pair<std::string, int>, double> weight_of;  // what rank 0 expects from the others
  if (o.cluster) {
    std::vector<std::vector<const Doc*>> all(units.size());
    for (size_t u = 0; u < units.size(); ++u)
      for (const Pending& p : units[u]) {
        all[u].push_back(p.doc);
        weight_of[{p.doc->task, p.doc->doc_id}] = p.weight;
      }
    plan = plan_units(all, tok, o.naive, o.cluster->size());
    std::vector<std::vector<Pending>> mine;
    for (const ShardPiece& p : plan.pieces)
      if (p.rank == o.cluster->rank())
        mine.emplace_back(units[p.unit].begin() + long(p.begin),
                          units[p.unit].begin() + long(p.end));
    units = std::move(mine);
    if (!remote && o.cluster->on_plan) o.cluster->on_plan(plan);
  }
  std::vector<RankStats> ranks(o.cluster ? size_t(o.cluster->size()) : 1);
  RankStats& mine = ranks[o.cluster ? size_t(o.cluster->rank()) : 0];
  int ranks_done = 0;
  const auto on_message = [&](int from, const std::string& bytes) {  // rank 0: the others' work
    RankMessage m = decode_rank_message(bytes, from);
    if (m.kind == RankMessage::Kind::Document) {
      const auto w = weight_of.find({m.doc.task, m.doc.doc_id});
      if (w == weight_of.end())
        fail("rank " + std::to_string(from),
             "sent " + m.doc.task + " " + std::to_string(m.doc.doc_id) + ", not to be computed");
      m.doc.attempt_id = res.attempt_id;
      store::store_document(db, res.run_id, m.doc, m.tokens_naive);
      ++prog.done;
      ++prog.computed;
      prog.weight_done += w->second;
      prog.report(false);
    } else if (m.kind == RankMessage::Kind::Unit) {
      store::add_attempt_tokens(db, res.attempt_id, m.tokens_forwarded);
      res.invocation.tokens_forwarded += m.tokens_forwarded;
      res.invocation.tokens_naive += m.tokens_naive;
      prog.unit_tokens += m.tokens_forwarded;
      prog.unit_seconds = std::chrono::duration<double>(Clock::now() - prog.start).count();
    } else {
      ranks[size_t(from)] = m.done;
      ++ranks_done;
    }
  };

  // 4. Score, storing each document when all its choices are done.
  const std::function<void()> kill = [] { std::raise(SIGKILL); };
  ScoreOptions so;
  so.share_prefixes = !o.naive;
  prog.start = Clock::now();
  prog.report(false);
  for (const auto& unit : units) {
    std::vector<ScoreRequest> reqs;
    std::vector<std::pair<size_t, int>> owner;  // request -> (doc in unit, choice)
    std::vector<store::DocumentRow> rows(unit.size());
    std::vector<std::vector<double>> ll(unit.size());
    std::vector<size_t> left(unit.size());
    std::vector<int64_t> naive(unit.size(), 0);
    for (size_t j = 0; j < unit.size(); ++j) {
      const Doc& d = *unit[j].doc;
      rows[j].task = d.task;
      rows[j].doc_id = d.doc_id;
      rows[j].gold = d.gold;
      rows[j].attempt_id = res.attempt_id;
      left[j] = d.choices.size();
      ll[j].assign(d.choices.size(), 0.0);
      if (d.choices.empty()) fail(d.task + " doc " + std::to_string(d.doc_id), "no choices");
      for (size_t c = 0; c < d.choices.size(); ++c) {
        EncodedPair e;
        try {
          e = encode_pair(tok, d.context, d.choices[c]);
        } catch (const Error& err) {
          fail(d.task + " doc " + std::to_string(d.doc_id) + " choice " + std::to_string(c),
               err.what());
        }
        store::RequestRow r;
        r.choice_index = int(c);
        r.n_context_tokens = int(e.context_ids.size());
        r.continuation_ids = e.continuation_ids;
        r.fallback = e.fallback;
        rows[j].requests.push_back(r);
        naive[j] += int64_t(e.context_ids.size() + e.continuation_ids.size()) - 1;
        reqs.push_back({std::move(e.context_ids), std::move(e.continuation_ids)});
        owner.emplace_back(j, int(c));
      }
    }
    so.on_result = [&](size_t i, const ScoreResult& r) {
      const auto [j, c] = owner[i];
      store::RequestRow& row = rows[j].requests[size_t(c)];
      row.sum_logprob = r.sum_logprob;
      row.is_greedy = r.is_greedy;
      ll[j][size_t(c)] = r.sum_logprob;
      if (--left[j]) return;
      const DocPrediction p = predict(*unit[j].doc, ll[j]);
      rows[j].pred_acc = p.pred_acc;
      rows[j].pred_acc_norm = p.pred_acc_norm;
      rows[j].computed_at = utc_now();
      const bool kill_now =
          o.test_kill_after_docs >= 0 && mine.docs == o.test_kill_after_docs;  // its own docs
      if (remote) {
        if (kill_now) kill();
        RankMessage m;
        m.doc = rows[j];
        m.tokens_naive = naive[j];
        o.cluster->send_to_root(encode_rank_message(m));
      } else {
        store::store_document(db, res.run_id, rows[j], naive[j],
                              kill_now ? kill : std::function<void()>());
      }
      ++mine.docs;
      ++prog.done;
      ++prog.computed;
      prog.weight_done += unit[j].weight;
      prog.report(false);
      if (o.cluster && !remote) o.cluster->receive(on_message, false);
    };
    ScoreStats st;
    score(model, reqs, so, &st);
    mine.tokens_forwarded += st.tokens_forwarded;
    mine.tokens_naive += st.tokens_naive;
    if (remote) {
      RankMessage m;
      m.kind = RankMessage::Kind::Unit;
      m.tokens_naive = st.tokens_naive;
      m.tokens_forwarded = st.tokens_forwarded;
      o.cluster->send_to_root(encode_rank_message(m));
    } else {
      store::add_attempt_tokens(db, res.attempt_id, st.tokens_forwarded);
    }
    res.invocation.tokens_forwarded += st.tokens_forwarded;
    res.invocation.tokens_naive += st.tokens_naive;
    prog.unit_tokens += st.tokens_forwarded;
    prog.unit_seconds = std::chrono::duration<double>(Clock::now() - prog.start).count();
  }
  mine.seconds = std::chrono::duration<double>(Clock::now() - prog.start).count();
  if (remote) {  // rank 0 stores and reports
    RankMessage m;
    m.kind = RankMessage::Kind::Done;
    m.done = mine;
    o.cluster->send_to_root(encode_rank_message(m));
    o.cluster->flush();
    res.docs_computed = prog.computed;
    return res;
  }
  while (o.cluster && ranks_done < o.cluster->size() - 1) o.cluster->receive(on_message, true);
  res.docs_computed = prog.computed;
  const double seconds = std::chrono::duration<double>(Clock::now() - prog.start).count();
  store::finish_attempt(db, res.attempt_id, utc_now(), seconds);
  prog.report(true);

  // 5. Metrics from the database.
  const StoredDocuments stored_rows = stored_documents(db, res.run_id);
  StoredMetrics sm = stored_metrics(docs, stored_rows, leaf_metrics, specs, o.data_dir, o.db_path);
  res.tasks = std::move(sm.tasks);
  res.groups = std::move(sm.groups);
  const std::vector<DocPrediction>& preds = sm.preds;
  const std::vector<const store::DocumentRow*>& doc_rows = sm.rows;
  const store::RunStats rs = store::run_stats(db, res.run_id);
  res.run.tokens_forwarded = rs.tokens_forwarded;
  res.run.tokens_naive = rs.tokens_naive;

  // 6. Results JSON.
  ordered_json& j = res.json;
  put_results_json(j, res.tasks, leaf_acc_norm, res.groups, sm.group_acc_norm);
  ordered_json& c = j["config"];
  c["model"] = id.model;
  c.update(model_identity_json(id));
  c["tasks"] = tasks;
  c["num_fewshot"] = fewshot;
  c["limit"] = o.limit < 0 ? ordered_json(nullptr) : ordered_json(o.limit);
  c["naive"] = o.naive;
  c["data_dir"] = o.data_dir;
  c["data_files"] = files_json;
  c["rgeval_version"] = rgeval::version();
  c["rgeval_commit"] = rgeval::commit();
  c["command_line"] = o.command_line;
  c["date"] = ri.started_at;
  c["db"] = o.db_path;
  c["run_key"] = res.run_key;
  auto ratio = [](int64_t naive, int64_t fwd) {
    return fwd > 0 ? ordered_json(double(naive) / double(fwd)) : ordered_json(nullptr);
  };
  ordered_json& e = j["efficiency"];
  e["tokens_forwarded"] = res.run.tokens_forwarded;
  e["tokens_naive"] = res.run.tokens_naive;
  e["ratio"] = ratio(res.run.tokens_naive, res.run.tokens_forwarded);
  e["docs_total"] = res.docs_total;
  e["docs_reused"] = res.docs_reused;
  e["docs_computed"] = res.docs_computed;
  ordered_json inv;
  inv["tokens_forwarded"] = res.invocation.tokens_forwarded;
  inv["tokens_naive"] = res.invocation.tokens_naive;
  inv["ratio"] = ratio(res.invocation.tokens_naive, res.invocation.tokens_forwarded);
  inv["seconds"] = seconds;
  inv["docs_per_s"] = seconds > 0 ? double(res.docs_computed) / seconds : 0.0;
  inv["tokens_per_s"] = seconds > 0 ? double(res.invocation.tokens_forwarded) / seconds : 0.0;
  e["this_invocation"] = inv;
  if (o.cluster) j["mpi"] = cluster_json(plan, ranks);

  // 7. Samples.
  if (!o.log_samples.empty()) {
    std::ofstream f(o.log_samples, std::ios::binary);
    if (!f) fail(o.log_samples, "cannot write");
    for (size_t i = 0; i < docs.size(); ++i) {
      const Doc& d = docs[i];
      const store::DocumentRow& r = *doc_rows[i];
      ordered_json s;
      s["task"] = d.task;
      s["doc_id"] = d.doc_id;
      ordered_json args = ordered_json::array(), resps = ordered_json::array(),
                   nctx = ordered_json::array(), conts = ordered_json::array();
      for (size_t k = 0; k < d.choices.size(); ++k) {
        args.push_back({d.context, d.choices[k]});
        const store::RequestRow& q = r.requests[k];
        resps.push_back({q.sum_logprob, q.is_greedy});
        nctx.push_back(q.n_context_tokens);
        conts.push_back(q.continuation_ids);
      }
      s["arguments"] = args;
      s["choice_texts"] = d.choice_texts;
      s["gold"] = d.gold;
      s["resps"] = resps;
      s["n_context_tokens"] = nctx;
      s["continuation_ids"] = conts;
      s["pred_acc"] = preds[i].pred_acc;
      s["pred_acc_norm"] = preds[i].pred_acc_norm;
      if (!leaf_metrics.count(d.task))
        s["acc"] = preds[i].acc() ? 1.0 : 0.0;  // else: the task's own metrics
      if (leaf_acc_norm[d.task]) s["acc_norm"] = preds[i].acc_norm() ? 1.0 : 0.0;
      f << s.dump() << '\n';
    }
    if (!f.flush()) fail(o.log_samples, "write error");
  }
  return res;
}

std::string format_table(const EvalResult& r) {
  std::ostringstream out;
  char buf[200];
  auto num = [](double v) {
    char b[16];
    if (std::isnan(v)) return std::string("     -");
    std::snprintf(b, sizeof b, "%6.4f", v);
    return std::string(b);
  };
  std::snprintf(buf, sizeof buf, "%-44s %6s  %6s  %6s  %8s  %6s\n", "task", "n", "acc", "se",
                "acc_norm", "se");
  out << buf;
  const auto& results = r.json.at("results");
  for (const TaskMetrics& t : r.tasks) {
    if (!t.named.empty()) continue;  // below
    const bool norm = results.at(t.task).contains("acc_norm");
    std::snprintf(buf, sizeof buf, "%-44s %6zu  %s  %s  %8s  %6s\n", t.task.c_str(), t.n,
                  num(t.acc.mean).c_str(), num(t.acc.se).c_str(),
                  norm ? num(t.acc_norm.mean).c_str() : "", norm ? num(t.acc_norm.se).c_str() : "");
    out << buf;
  }
  for (const GroupMetrics& g : r.groups) {
    const std::string name = g.name + " (group of " + std::to_string(g.n_tasks) + ")";
    std::snprintf(buf, sizeof buf, "%-44s %6zu  %s  %s\n", name.c_str(), g.n,
                  num(g.acc.mean).c_str(), num(g.acc.se).c_str());
    out << buf;
  }
  for (const TaskMetrics& t : r.tasks)
    for (const NamedMetric& m : t.named) {
      std::snprintf(buf, sizeof buf, "%-44s %6zu  %s  %s\n", (t.task + " " + m.name).c_str(),
                    m.value.n, num(m.value.mean).c_str(), num(m.value.se).c_str());
      out << buf;
    }
  const auto& e = r.json.at("efficiency");
  std::snprintf(buf, sizeof buf,
                "tokens forwarded %lld, one forward per request %lld (ratio %.2fx)\n",
                (long long)r.run.tokens_forwarded, (long long)r.run.tokens_naive,
                e.at("ratio").is_null() ? 0.0 : e.at("ratio").get<double>());
  out << buf;
  return out.str();
}

}  // namespace rgeval::tasks
