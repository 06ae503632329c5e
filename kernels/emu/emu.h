// emu.h: what the emulated driver (cuda_emu.cpp) and its kernel table (kernels.cpp) share. The
// kernels are compiled in their own translation unit because host_emu.h defines threadIdx & co.
// as macros, which must not leak into the driver.
#pragma once
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace emu {
struct Options;
}

namespace spikestep_emu {

// One compiled kernel of kernels/*.cu: what cuLaunchKernel needs to call it and to check a launch
// against it (parameter sizes and which are pointers, from the C++ signature; names from the
// source, for messages; registers per thread from ptxas -v for the emulated sm_90; the size of
// each pointer's element, the alignment a GPU needs of it).
struct Kernel {
    std::string name;
    std::vector<std::string> params;
    std::vector<std::size_t> sizes;
    std::vector<bool> pointers;
    std::vector<std::size_t> alignments; // sizeof(*p) of a pointer parameter, 1 for the others
    int registers;
    std::function<void(void**)> call;
};

const std::vector<Kernel>& kernels();

// Runs the grid of `k` on the calling thread (threads of its own when `sync`); false if it faulted.
bool run(const Kernel& k, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
         bool sync, void** params, const emu::Options& options);

}  // namespace spikestep_emu

// What the emulated driver exports to the emulated cuBLAS (cublas_emu.cpp links libcuda.so.1).
namespace spikestep_emu {
std::recursive_mutex& lock();
int current_context(void** ctx, const char* call);                     // a CUresult
std::string device_range(void* ctx, const void* p, std::size_t bytes); // "" or why not
int enqueue_op(void* ctx, void* stream, const std::string& what, std::function<std::string()> run);
}  // namespace spikestep_emu
