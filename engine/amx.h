// Intel AMX (tile matrix multiply) where the CPU and the kernel offer it. Linux makes a process
// ask for the tile register state before its first tile instruction; oneDNN asks for itself, the
// hand-written kernels ask here.
#pragma once
#include <cstdint>

namespace rgeval {

// True when this process may run AMX-BF16 instructions (asks the kernel once). The environment
// variable RGEVAL_NO_AMX=1 turns the hand-written AMX kernels off, to measure the others.
bool amx_bf16_usable();

// The 64-byte operand of LDTILECFG (palette 1): rows and bytes per row of each tile register.
struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};
static_assert(sizeof(TileConfig) == 64);

}  // namespace rgeval
