// emu_selftest.cu: kernels that exist only to prove the emulated CUDA driver's checks fire (the
// negative tests of src/test/java/dev/spikestep/cuda/EmulatedDriverTest.java). Built to PTX by
// `make kernels` like kernels/*.cu, and compiled into target/emu/libcuda.so.1 beside them; never
// part of the jar.

// dst[i] = src[i] for i < n: with n past the end of an allocation it reads a guard page.
extern "C" __global__ void emu_selftest_copy_kernel(const float* src, long long n, float* dst) {
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) dst[i] = src[i];
}

// Every thread writes its global index to out[0]: the last writer wins, so the result depends on
// the order the threads run in (a race, on purpose).
extern "C" __global__ void emu_selftest_race_kernel(int* out) {
    out[0] = (int)(blockIdx.x * blockDim.x + threadIdx.x);
}

// 64 accumulators live across the loop: ptxas needs far more than 64 registers per thread, so a
// block of 1024 threads exceeds the 65,536 registers of a block.
#define EMU_ACC 64
__device__ __forceinline__ void emu_selftest_accumulate(const float* x, int n, float* out) {
    float acc[EMU_ACC];
    int t = blockIdx.x * blockDim.x + threadIdx.x;
#pragma unroll
    for (int i = 0; i < EMU_ACC; i++) acc[i] = x[(t + i) % n];
    for (int k = 0; k < n; k++) {
        float a = x[k];
#pragma unroll
        for (int i = 0; i < EMU_ACC; i++) acc[i] = acc[i] * a + x[(k + i) % n];
    }
    float s = 0.0f;
#pragma unroll
    for (int i = 0; i < EMU_ACC; i++) s += acc[i] * (float)(i + 1);
    out[t] = s;
}

extern "C" __global__ void emu_selftest_registers_kernel(const float* x, int n, float* out) {
    emu_selftest_accumulate(x, n, out);
}

// The same capped at 85 registers, not a multiple of 8: a GPU allocates 88 per thread, so 768
// threads (24 warps x 32 x 88 = 67,584) exceed a block's registers although 85 x 768 would fit.
extern "C" __global__ void __maxnreg__(85) emu_selftest_registers85_kernel(const float* x, int n, float* out) {
    emu_selftest_accumulate(x, n, out);
}
