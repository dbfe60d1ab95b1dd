// The temporal parts of RecurrentGemma's recurrent block: the causal depthwise Conv1D and the
// RG-LRU scan, over consecutive rows of one sequence, carrying the state across calls.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/dtype.h"

namespace rgeval {

struct Conv1D {
  int width = 0, channels = 0;
  std::vector<float> w;  // [width, channels]; w[width-1] multiplies the current input
  std::vector<float> b;  // [channels]
};

// x: [T, channels] in, y: [T, channels] out. `state`: the last width-1 inputs, oldest first,
// in `dt`; updated.
void conv1d(const Conv1D& c, std::byte* state, DType dt, const float* x, float* y, int T);

struct RgLru {
  int width = 0;
  std::vector<float> softplus_a;  // softplus(recurrent_param)
};

// u, gate_x, gate_a: [T, width] (gates already passed through the sigmoid); positions p0..;
// h: the fp32 state, updated; y: [T, width] out (the state after each row).
void rg_lru(const RgLru& r, float* h, int64_t p0, const float* u, const float* gate_x,
            const float* gate_a, float* y, int T);

}  // namespace rgeval
