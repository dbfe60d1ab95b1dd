#include "engine/model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/attention.h"
#include "engine/compute.h"
#include "engine/error.h"
#include "engine/scratch.h"

namespace rgeval {

namespace {

TensorView slice(const TensorView& t, int64_t index, std::vector<int64_t> shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  const size_t bytes = size_t(n) * dtype_size(t.dtype);
  return TensorView{t.dtype, std::move(shape), t.data + size_t(index) * bytes, bytes};
}

// Row index of each segment's first row.
template <typename Segs>
std::vector<int> first_rows(const Segs& segs) {
  std::vector<int> first;
  int r = 0;
  for (const auto& s : segs) first.push_back(r), r += s.count;
  return first;
}

// Runs f(i) for every segment: one segment parallelizes inside; a batch of short segments
// (decode) across segments (the per-segment kernels' own parallel regions then run serially, as
// nested regions). Segments long enough for attention's oneDNN products go one after another:
// oneDNN primitives must run on the thread that created them.
//
// No parallel region at all in the second case (not even an inactive one): a kernel's own region
// nested in an inactive one gets a second team of threads, whose worker then spins beside the
// first team's on the same cores (measured: a tenth of a 2-thread decode step).
template <typename Seg, typename F>
void for_segments(std::span<const Seg> segs, const F& f) {
  bool short_only = segs.size() > 1;
  for (const auto& s : segs) short_only = short_only && s.count < kAttendMatmulRows;
  if (!short_only) {
    for (size_t i = 0; i < segs.size(); ++i) f(i);
    return;
  }
#pragma omp parallel for schedule(dynamic)
  for (size_t i = 0; i < segs.size(); ++i) f(i);
}

void add_into(float* x, const float* y, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
  for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

}  // namespace

Model::Model(const Checkpoint& ck, const EngineOptions& opts) : cfg_(ck.config), opts_(opts) {
  if (opts.threads > 0) set_threads(opts.threads);
  dt_ = resolve_compute_dtype(opts.dtype, ck.get("model.embed_tokens.weight").dtype);
  if (opts_.prefill_chunk <= 0) opts_.prefill_chunk = 512;
  auto vec = [&](const std::string& name) { return to_f32(ck.fetch(name).view); };
  auto lin = [&](const std::string& w, const std::string& b) {
    const auto fw = ck.fetch(w);
    Linear l;
    if (b.empty()) {
      l = Linear(fw.view, nullptr, dt_);
    } else {
      const auto fb = ck.fetch(b);
      l = Linear(fw.view, &fb.view, dt_);
    }
    ck.release(w);
    weight_bytes_ += int64_t(l.weight_bytes());
    return l;
  };
  const bool bias = cfg_.has_biases();
  auto B = [&](const std::string& name) { return bias ? name : std::string(); };

  embed_ = lin("model.embed_tokens.weight", "");
  final_norm_ = vec(cfg_.arch == Arch::Gemma ? "model.norm.weight" : "model.final_norm.weight");
  rope_ = Rope(cfg_.rope_dims(), cfg_.rope_theta);
  for (int i = 0; i < cfg_.num_layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    Block b;
    b.type = cfg_.blocks[size_t(i)];
    if (cfg_.arch == Arch::Gemma) {
      b.temporal_norm = vec(p + "input_layernorm.weight");
      b.mlp_norm = vec(p + "post_attention_layernorm.weight");
      b.q = lin(p + "self_attn.q_proj.weight", "");
      b.k = lin(p + "self_attn.k_proj.weight", "");
      b.v = lin(p + "self_attn.v_proj.weight", "");
      b.o = lin(p + "self_attn.o_proj.weight", "");
      b.gate = lin(p + "mlp.gate_proj.weight", "");
      b.up = lin(p + "mlp.up_proj.weight", "");
      b.down = lin(p + "mlp.down_proj.weight", "");
      blocks_.push_back(std::move(b));
      continue;
    }
    const std::string tb = p + "temporal_block.", mb = p + "mlp_block.";
    b.temporal_norm = vec(p + "temporal_pre_norm.weight");
    b.mlp_norm = vec(p + "channel_pre_norm.weight");
    if (b.type == BlockType::Attention) {
      b.q = lin(tb + "q_proj.weight", "");
      b.k = lin(tb + "k_proj.weight", "");
      b.v = lin(tb + "v_proj.weight", "");
      b.o = lin(tb + "o_proj.weight", tb + "o_proj.bias");
    } else {
      b.lin_x = lin(tb + "linear_x.weight", tb + "linear_x.bias");
      b.lin_y = lin(tb + "linear_y.weight", tb + "linear_y.bias");
      b.lin_out = lin(tb + "linear_out.weight", tb + "linear_out.bias");
      const int L = cfg_.lru_width, W = cfg_.conv_width, nh = cfg_.num_heads, bw = L / nh;
      const auto cw = vec(tb + "conv_1d.weight");  // [L, 1, W]
      b.conv.width = W;
      b.conv.channels = L;
      b.conv.w.resize(size_t(W) * L);
      for (int c = 0; c < L; ++c)
        for (int k = 0; k < W; ++k) b.conv.w[size_t(k) * L + c] = cw[size_t(c) * W + k];
      b.conv.b = vec(tb + "conv_1d.bias");
      b.lru.width = L;
      for (float a : vec(tb + "rg_lru.recurrent_param"))
        b.lru.softplus_a.push_back(float(std::log1p(std::exp(double(a)))));
      for (const char* g : {"input_gate", "recurrent_gate"}) {
        const auto w = ck.fetch(tb + "rg_lru." + g + "_weight");
        const auto bb = ck.fetch(tb + "rg_lru." + g + "_bias");
        auto& out = std::string(g) == "input_gate" ? b.gate_x : b.gate_a;
        for (int h = 0; h < nh; ++h) {
          const TensorView wh = slice(w.view, h, {bw, bw}), bh = slice(bb.view, h, {bw});
          out.emplace_back(wh, &bh, dt_, /*w_in_out=*/true);
          weight_bytes_ += int64_t(out.back().weight_bytes());
        }
      }
    }
    b.gate = lin(mb + "gate_proj.weight", B(mb + "gate_proj.bias"));
    b.up = lin(mb + "up_proj.weight", B(mb + "up_proj.bias"));
    b.down = lin(mb + "down_proj.weight", B(mb + "down_proj.bias"));
    blocks_.push_back(std::move(b));
  }
}

void Model::forward(State& s, std::span<const int> tokens, size_t first_logit,
                    float* logits) const {
  const size_t chunk = size_t(opts_.prefill_chunk);
  for (size_t done = 0; done < tokens.size();) {
    const size_t n = std::min(chunk, tokens.size() - done);
    const size_t fl = first_logit > done ? std::min(first_logit - done, n) : 0;
    const Segment seg{&s, tokens.data() + done, int(n), int(fl)};
    run({&seg, 1}, logits);
    if (logits) logits += (n - fl) * size_t(cfg_.vocab_size);
    done += n;
  }
}

void Model::decode(std::span<State* const> states, std::span<const int> tokens,
                   float* logits) const {
  if (states.size() != tokens.size()) throw Error("decode: one token per sequence expected");
  std::vector<Segment> segs;
  for (size_t i = 0; i < states.size(); ++i) segs.push_back({states[i], &tokens[i], 1, 0});
  run(segs, logits);
}

void Model::forward_batch(std::span<State* const> states,
                          std::span<const std::span<const int>> tokens, float* logits) const {
  if (states.size() != tokens.size())
    throw Error("forward_batch: one token list per sequence expected");
  const size_t chunk = size_t(opts_.prefill_chunk);
  std::vector<Segment> segs;
  size_t rows = 0;
  auto flush = [&] {
    run(segs, logits);
    if (logits) logits += rows * size_t(cfg_.vocab_size);
    segs.clear();
    rows = 0;
  };
  for (size_t i = 0; i < states.size(); ++i) {
    const auto& t = tokens[i];
    if (t.size() > chunk) {  // a long one on its own, chunk by chunk
      if (!segs.empty()) flush();
      forward(*states[i], t, 0, logits);
      if (logits) logits += t.size() * size_t(cfg_.vocab_size);
      continue;
    }
    if (rows + t.size() > chunk && !segs.empty()) flush();
    if (t.empty()) continue;
    segs.push_back({states[i], t.data(), int(t.size()), 0});
    rows += t.size();
  }
  if (!segs.empty()) flush();
}

void Model::run(std::span<const Segment> segs, float* logits) const {
  const int H = cfg_.hidden, V = cfg_.vocab_size;
  int rows = 0;
  for (const auto& s : segs) rows += s.count;
  if (rows == 0) return;
  thread_local Scratch<float> sx, sh, st, sg, su;
  const size_t xn = size_t(rows) * H;
  float *x = sx.get(xn), *h = sh.get(xn), *t = st.get(xn);
  {
    int r = 0;
    for (const auto& s : segs)
      for (int i = 0; i < s.count; ++i, ++r) {
        const int tok = s.tokens[i];
        if (tok < 0 || tok >= V)
          throw Error(cfg_.name + ": token id " + std::to_string(tok) +
                      " outside the vocabulary (" + std::to_string(V) + ")");
        float* xr = x + size_t(r) * H;
        embed_.row(tok, xr);
        for (int j = 0; j < H; ++j) xr[j] *= cfg_.embed_scale;
      }
  }
  const int M = cfg_.mlp_width;
  const size_t gn = size_t(rows) * M;
  float *g = sg.get(gn), *u = su.get(gn);
  for (size_t l = 0; l < blocks_.size(); ++l) {
    const Block& b = blocks_[l];
    rms_norm(x, b.temporal_norm.data(), h, rows, H, cfg_.rms_eps);
    if (b.type == BlockType::Attention)
      attention_block(b, l, segs, h, t, rows);
    else
      recurrent_block(b, l, segs, h, t, rows);
    add_into(x, t, int64_t(xn));
    rms_norm(x, b.mlp_norm.data(), h, rows, H, cfg_.rms_eps);
    b.gate.forward(h, g, rows);
    b.up.forward(h, u, rows);
    gelu_mul(g, u, int64_t(gn));
    b.down.forward(g, t, rows);
    add_into(x, t, int64_t(xn));
  }
  for (const auto& s : segs) s.state->pos += s.count;
  if (!logits) return;
  // Final norm and tied unembedding for the rows that want logits.
  std::vector<float> sel;
  int r = 0;
  for (const auto& s : segs) {
    for (int i = s.first_logit; i < s.count; ++i)
      sel.insert(sel.end(), x + int64_t(r + i) * H, x + int64_t(r + i + 1) * H);
    r += s.count;
  }
  const int n = int(sel.size() / size_t(H));
  if (n == 0) return;
  rms_norm(sel.data(), final_norm_.data(), sel.data(), n, H, cfg_.rms_eps);
  embed_.forward(sel.data(), logits, n);
  if (cfg_.soft_cap > 0) soft_cap(logits, int64_t(n) * V, cfg_.soft_cap);
}

void Model::attention_block(const Block& b, size_t layer, std::span<const Segment> segs,
                            const float* h, float* out, int rows) const {
  const int nh = cfg_.num_heads, kvh = cfg_.num_kv_heads, hd = cfg_.head_dim;
  thread_local Scratch<float> sq, sk, sv, sa;
  float *q = sq.get(size_t(rows) * nh * hd), *k = sk.get(size_t(rows) * kvh * hd),
        *v = sv.get(size_t(rows) * kvh * hd), *att = sa.get(size_t(rows) * nh * hd);
  b.q.forward(h, q, rows);
  b.k.forward(h, k, rows);
  b.v.forward(h, v, rows);
  const AttnShape shape{nh, kvh, hd, cfg_.arch == Arch::Griffin ? cfg_.window : 0};
  const auto first = first_rows(segs);
  auto one = [&](size_t i) {
    const Segment& s = segs[i];
    const size_t r0 = size_t(first[i]);
    for (int t = 0; t < s.count; ++t) {
      const int64_t pos = s.state->pos + t;
      rope_.apply(q + (r0 + size_t(t)) * nh * hd, nh, hd, pos);
      rope_.apply(k + (r0 + size_t(t)) * kvh * hd, kvh, hd, pos);
    }
    LayerState& ls = s.state->layers[layer];
    attend(shape, ls, dt_, s.state->pos, s.count, q + r0 * nh * hd, k + r0 * kvh * hd,
           v + r0 * kvh * hd, att + r0 * nh * hd);
    cache_append(shape, ls, dt_, s.state->pos, s.count, k + r0 * kvh * hd, v + r0 * kvh * hd);
  };
  for_segments(segs, one);
  b.o.forward(att, out, rows);
}

void Model::recurrent_block(const Block& b, size_t layer, std::span<const Segment> segs,
                            const float* h, float* out, int rows) const {
  const int L = cfg_.lru_width, nh = cfg_.num_heads, bw = L / nh;
  const size_t n = size_t(rows) * L;
  thread_local Scratch<float> sy, sux, scu, sgx, sga;
  float *y = sy.get(n), *ux = sux.get(n), *cu = scu.get(n), *gx = sgx.get(n), *ga = sga.get(n);
  b.lin_y.forward(h, y, rows);
  b.lin_x.forward(h, ux, rows);
  const auto first = first_rows(segs);
  for_segments(segs, [&](size_t i) {
    const size_t o = size_t(first[i]) * L;
    conv1d(b.conv, segs[i].state->layers[layer].conv.data(), dt_, ux + o, cu + o, segs[i].count);
  });
  // The block-diagonal gates: 2 x heads small products. Few rows (decode): the products run in
  // parallel with each other on the hand-written kernel (oneDNN primitives must not run on a
  // thread other than their creator's); many rows (prefill): one after another, each parallel
  // inside.
  const bool few = int64_t(rows) * bw <= 65536 && b.gate_x[0].gemv_max_rows() > 0;
  auto gate = [&](int task) {
    const int head = task / 2, which = task % 2;
    std::vector<float> tmp(size_t(rows) * bw), tmpo(tmp.size());
    for (int r = 0; r < rows; ++r)
      std::memcpy(tmp.data() + size_t(r) * bw, cu + size_t(r) * L + head * bw, size_t(bw) * 4);
    (which ? b.gate_a : b.gate_x)[size_t(head)].forward(tmp.data(), tmpo.data(), rows,
                                                        few ? MatmulPath::Gemv : MatmulPath::Auto);
    float* dst = which ? ga : gx;
#pragma omp parallel for schedule(static) if (!few)
    for (int r = 0; r < rows; ++r)
#pragma omp simd
      for (int j = 0; j < bw; ++j)
        dst[size_t(r) * L + head * bw + j] = vsigmoid(tmpo[size_t(r) * bw + j]);
  };
  if (few) {  // (no region around the sequential case: see for_segments)
#pragma omp parallel for schedule(dynamic)
    for (int task = 0; task < 2 * nh; ++task) gate(task);
  } else {
    for (int task = 0; task < 2 * nh; ++task) gate(task);
  }
  for_segments(segs, [&](size_t i) {
    const size_t o = size_t(first[i]) * L;
    rg_lru(b.lru, segs[i].state->layers[layer].lru.data(), segs[i].state->pos, cu + o, gx + o,
           ga + o, ux + o, segs[i].count);
  });
#pragma omp parallel for simd schedule(static) if (n > 65536)
  for (size_t i = 0; i < n; ++i) ux[i] *= gelu_tanh(y[i]);
  b.lin_out.forward(ux, out, rows);
}

}  // namespace rgeval
