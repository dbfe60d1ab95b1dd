#include "engine/amx.h"

#include <cstdlib>
#include <cstring>

#if defined(__linux__) && defined(__AMX_BF16__)
#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace rgeval {

bool amx_bf16_usable() {
  static const bool usable = [] {
    const char* off = std::getenv("RGEVAL_NO_AMX");
    if (off && std::strcmp(off, "0") != 0 && *off) return false;
#if defined(__linux__) && defined(__AMX_BF16__)
    constexpr long kXfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, kXfeatureXtiledata) == 0;
#else
    return false;
#endif
  }();
  return usable;
}

}  // namespace rgeval
