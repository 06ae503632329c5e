// host_emu.h: just enough of CUDA to compile the kernels of this directory with g++ and run them
// on the CPU, so that CI (no GPU) tests the very kernel source against the Java backend.
//
// A launch runs the grid block by block. Kernels that never synchronise run each block's threads
// as a plain loop; kernels that call __syncthreads (launched with sync = true) run the threads of a
// block as std::threads meeting at a std::barrier, one block at a time, so __shared__ (static here)
// is per block. threadIdx/blockIdx are thread-locals the launch sets; atomicAdd is a real atomic.
// Floating point: compile with -ffp-contract=off, the host twin of nvcc -fmad=false.
#pragma once
#include <barrier>
#include <cmath>
#include <cstdint>
#include <thread>
#include <vector>

struct dim3 {
    unsigned int x, y, z;
    dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace emu {
inline thread_local dim3 thread_idx, block_idx;
inline dim3 block_dim, grid_dim;
inline std::barrier<>* block_barrier = nullptr;

// Runs kernel(args...) over the grid; see the header comment for the two thread models.
template <class F>
void launch(dim3 grid, dim3 block, bool sync, F kernel) {
    grid_dim = grid;
    block_dim = block;
    unsigned int threads = block.x * block.y * block.z;
    unsigned long long blocks = (unsigned long long)grid.x * grid.y * grid.z;
    // Thread k of every block, the blocks in order; with sync, all threads meet after each block so
    // that the next block's __shared__ writes never race with this block's reads.
    auto thread = [&](unsigned int k) {
        thread_idx = dim3(k % block.x, (k / block.x) % block.y, k / (block.x * block.y));
        for (unsigned long long n = 0; n < blocks; n++) {
            block_idx = dim3(n % grid.x, (n / grid.x) % grid.y, n / ((unsigned long long)grid.x * grid.y));
            kernel();
            if (sync) block_barrier->arrive_and_wait();
        }
    };
    if (!sync) {
        // Without __syncthreads the threads of a block are independent: a plain loop, block by block.
        for (unsigned long long n = 0; n < blocks; n++) {
            block_idx = dim3(n % grid.x, (n / grid.x) % grid.y, n / ((unsigned long long)grid.x * grid.y));
            for (unsigned int k = 0; k < threads; k++) {
                thread_idx = dim3(k % block.x, (k / block.x) % block.y, k / (block.x * block.y));
                kernel();
            }
        }
        return;
    }
    std::barrier<> bar((std::ptrdiff_t)threads);
    block_barrier = &bar;
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned int k = 0; k < threads; k++) pool.emplace_back(thread, k);
    for (auto& t : pool) t.join();
    block_barrier = nullptr;
}
}  // namespace emu

#define threadIdx (emu::thread_idx)
#define blockIdx (emu::block_idx)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static

inline void __syncthreads() { emu::block_barrier->arrive_and_wait(); }

inline unsigned int __umulhi(unsigned int a, unsigned int b) {
    return (unsigned int)(((unsigned long long)a * b) >> 32);
}

// Position of the lowest set bit, 1-based, 0 for 0 (CUDA's __ffsll).
inline int __ffsll(long long x) { return __builtin_ffsll(x); }

inline int atomicAdd(int* p, int v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

using std::exp;
using std::isfinite;
using std::isnan;
using std::log;
using std::signbit;
inline float sqrtf(float x) { return std::sqrt(x); }
inline float fmaxf(float a, float b) { return std::fmax(a, b); }
