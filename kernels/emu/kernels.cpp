// kernels.cpp: the kernels of kernels/*.cu compiled for the CPU through host_emu.h, as the table
// the emulated driver launches from (the table itself is generated from the sources by
// gen_kernel_table.py: build/emu/kernel_table.inc).
#include "../host_emu.h"

#include <type_traits>
#include <utility>

#include "emu.h"
#include "kernel_table.inc"

namespace spikestep_emu {
namespace {

// Calls f with its arguments read from the kernelParams-style array (params[i] points at argument i).
template <class... A, std::size_t... I>
void invoke(void (*f)(A...), void** params, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<A>*>(params[I])...);
}

// What a pointer parameter's address must be a multiple of: the size of the element it points to.
template <class A>
constexpr std::size_t alignment() {
    if constexpr (std::is_pointer_v<A> && !std::is_void_v<std::remove_pointer_t<A>>) return sizeof(*std::declval<A>());
    return 1;
}

template <class... A>
Kernel entry(const char* name, void (*f)(A...), std::vector<std::string> params, int registers) {
    return Kernel{name,
                  std::move(params),
                  {sizeof(A)...},
                  {std::is_pointer_v<A>...},
                  {alignment<A>()...},
                  registers,
                  [f](void** p) { invoke(f, p, std::index_sequence_for<A...>{}); }};
}

}  // namespace

const std::vector<Kernel>& kernels() {
    static const std::vector<Kernel> table = {SPIKESTEP_EMU_KERNELS};
    return table;
}

bool run(const Kernel& k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
         bool sync, void** params, const emu::Options& options) {
    return emu::launch(dim3(gx, gy, gz), dim3(bx, by, bz), sync, [&] { k.call(params); }, options);
}

}  // namespace spikestep_emu
