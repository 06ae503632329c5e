// host_emu.h: just enough of CUDA to compile the kernels of this directory with g++ and run them
// on the CPU, so that CI (no GPU) tests the very kernel source against the Java backend.
//
// A launch runs the grid block by block on the calling thread. Kernels that never synchronise run
// each block's threads as a plain loop; kernels that call __syncthreads (launched with sync = true)
// run the threads of a block as fibers (ucontext) on that one thread: each runs until its next
// __syncthreads, and when all have arrived the next round starts. Deterministic, and no OS thread
// per CUDA thread. One block at a time, so __shared__ (static here) is per block.
// threadIdx/blockIdx are thread-locals the launch sets; atomicAdd is a real atomic.
// Floating point: compile with -ffp-contract=off, the host twin of nvcc -fmad=false.
#pragma once
#include <atomic>
#include <bit>
#include <sys/mman.h>
#include <ucontext.h>

#include <functional>
#include <cmath>
#include <cstdint>
#include <vector>

struct dim3 {
    unsigned int x, y, z;
    dim3(unsigned int x_ = 1, unsigned int y_ = 1, unsigned int z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace emu {
inline thread_local dim3 thread_idx, block_idx;
inline dim3 block_dim, grid_dim;

// The fibers of a synchronising launch: a scheduler context and the running fiber's.
struct Fiber {
    ucontext_t ctx;
    bool done;
};
inline thread_local ucontext_t* scheduler = nullptr;
inline thread_local Fiber* running = nullptr;
inline thread_local const std::function<void()>* fiber_body = nullptr;
const std::size_t FIBER_STACK = 256 << 10;

inline void fiber_main() {
    Fiber* f = running;
    (*fiber_body)();
    f->done = true; // returning resumes the scheduler (uc_link)
}

// The stacks, kept between launches (one per thread of the largest block so far).
inline std::vector<char*>& fiber_stacks() {
    static thread_local std::vector<char*> stacks;
    return stacks;
}

// How a launch runs, set by the caller (the emulated driver, kernels/emu/): `reverse` runs the
// blocks of the grid and the threads of each block in reverse order (a kernel whose result depends
// on the order of its threads shows as a difference); `guard`, when set, runs each thread's share
// of the grid and returns false if it faulted (the driver turns an out-of-bounds access into an
// error instead of a crash), after which that thread stops.
struct Options {
    bool reverse = false;
    bool (*guard)(void (*body)(void*), void* ctx) = nullptr;
};

template <class F>
bool run_guarded(const Options& o, F& body) {
    if (!o.guard) {
        body();
        return true;
    }
    return o.guard([](void* c) { (*static_cast<F*>(c))(); }, &body);
}

inline dim3 index3(unsigned long long n, dim3 d) {
    return dim3((unsigned int)(n % d.x), (unsigned int)((n / d.x) % d.y),
                (unsigned int)(n / ((unsigned long long)d.x * d.y)));
}

// Runs kernel() over the grid; see the header comment for the two thread models. Returns false if
// a guarded thread faulted.
template <class F>
bool launch(dim3 grid, dim3 block, bool sync, F kernel, const Options& o = Options()) {
    grid_dim = grid;
    block_dim = block;
    unsigned int threads = block.x * block.y * block.z;
    unsigned long long blocks = (unsigned long long)grid.x * grid.y * grid.z;
    auto nth = [&](unsigned long long i, unsigned long long count) { return o.reverse ? count - 1 - i : i; };
    if (!sync) {
        // Without __syncthreads the threads of a block are independent: a plain loop, block by block.
        auto all = [&] {
            for (unsigned long long n = 0; n < blocks; n++) {
                block_idx = index3(nth(n, blocks), grid);
                for (unsigned int k = 0; k < threads; k++) {
                    thread_idx = index3(nth(k, threads), block);
                    kernel();
                }
            }
        };
        return run_guarded(o, all);
    }
    // Each block: every thread a fiber; rounds in thread order (reversed with o.reverse), a round
    // running each live fiber up to its next __syncthreads or its end.
    std::vector<Fiber> fibers(threads);
    auto& stacks = fiber_stacks();
    while (stacks.size() < threads) {
        void* st = mmap(nullptr, FIBER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (st == MAP_FAILED) return false;
        stacks.push_back((char*)st);
    }
    bool ok = true;
    std::function<void()> fiber_kernel = kernel;
    ucontext_t sched;
    for (unsigned long long n = 0; n < blocks; n++) {
        block_idx = index3(nth(n, blocks), grid);
        for (unsigned int k = 0; k < threads; k++) {
            Fiber& f = fibers[k];
            f.done = false;
            getcontext(&f.ctx);
            f.ctx.uc_stack.ss_sp = stacks[k];
            f.ctx.uc_stack.ss_size = FIBER_STACK;
            f.ctx.uc_link = &sched;
            makecontext(&f.ctx, fiber_main, 0);
        }
        for (bool live = true; live;) {
            live = false;
            for (unsigned int i = 0; i < threads; i++) {
                unsigned int k = (unsigned int)nth(i, threads);
                Fiber& f = fibers[k];
                if (f.done) continue;
                thread_idx = index3(k, block);
                scheduler = &sched;
                running = &f;
                fiber_body = &fiber_kernel;
                // Guarded on the scheduler's side: a fault in the fiber jumps back here and the
                // fiber is abandoned, as a faulting GPU thread ends.
                auto resume = [&] { swapcontext(&sched, &f.ctx); };
                if (!run_guarded(o, resume)) {
                    f.done = true;
                    ok = false;
                }
                live = live || !f.done;
            }
        }
    }
    scheduler = nullptr;
    running = nullptr;
    return ok;
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
#define __maxnreg__(n)
#define __shared__ static

// The fiber waits for the others: back to the scheduler, which resumes it in the next round.
inline void __syncthreads() { swapcontext(&emu::running->ctx, emu::scheduler); }

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
inline int __float_as_int(float x) { return std::bit_cast<int>(x); }
inline float __int_as_float(int x) { return std::bit_cast<float>(x); }
inline float fmaxf(float a, float b) { return std::fmax(a, b); }
