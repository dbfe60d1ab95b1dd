// Working memory reused from call to call: grown when a call needs more, never shrunk and never
// zeroed (every user writes what it reads). Held thread_local by the kernels, so that a prefill
// chunk's tens of MB of activations and scores cost no allocation, memset or page faults after
// the first chunk.
#pragma once
#include <cstddef>
#include <memory>

namespace rgeval {

template <typename E>
struct Scratch {
  std::unique_ptr<E[]> p;
  size_t cap = 0;
  E* get(size_t n) {
    if (n > cap) p.reset(new E[n]), cap = n;
    return p.get();
  }
};

}  // namespace rgeval
