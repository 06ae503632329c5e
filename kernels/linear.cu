// linear.cu: the network's products, the CUDA twin of net/SpikeLinear.java.
//
// Kernels
//   spike_linear_forward_bits_kernel   fc1 forward from input spike bitmasks (encoder.cu's
//                       poisson_encode_bits_kernel, [R, W] u64, R = T*B rows): out[R, N] = sum of the
//                       weight rows w[i, :] of the active inputs i, ascending i (bits.cuh), as
//                       SpikeLinear.forwardBits. One thread per (row, output), grid-stride; consecutive
//                       threads take consecutive outputs of one row, so the row's mask is warp-uniform
//                       (N a multiple of 32) and the weight reads are coalesced.
//   spike_linear_weight_grad_bits_kernel   fc1 weight gradient gW[K, N] = bits^T grad_out: for input
//                       i and output j, grad_out[r, j] summed over the rows r where bit i is set,
//                       ascending r, from +0.0f, overwriting gW: SpikeLinear.weightGradBits' order per
//                       element. One thread per (i, j), grid-stride; a warp shares i, so the bit test
//                       is uniform (a broadcast load) and the grad_out reads are coalesced. Chosen over
//                       the dense product (which would need the input as floats, 32x the memory, and
//                       sums in cuBLAS's order) so that fc1 is the CPU backend's bit for bit.
//   gemm_tiled_kernel   row-major C[M, N] = alpha * op(A)[M, K] op(B)[K, N] + beta * C,
//                       op = transpose when trans_a / trans_b is nonzero; lda, ldb, ldc are the row
//                       strides of A, B, C as stored. 16x16 tiles staged in shared memory, one
//                       output element per thread, block (16, 16), grid (ceil(N/16), ceil(M/16)).
//                       fc_out and its two gradients (hidden spikes as float 0/1 operands) when
//                       cuBLAS is not available.
// Both bitmask kernels pack runs: blockIdx.y is the run, each operand a [runs, ...] block (fc1's
// weights [K, N] per run, K = n_in); one run when gridDim.y = 1.
// cuBLAS SGEMM computes the same dense products when libcublas loads (CudaDevice.gemm maps row-major
// to column-major); the sums differ only in order, within the tests' tolerances. With -fmad=false
// the two bitmask kernels never contract a multiply-add (they have none): fc1's output, hence the
// hidden spikes, equals the CPU's whatever the weights.
#include "bits.cuh"

extern "C" __global__ void spike_linear_forward_bits_kernel(const unsigned long long* bits, int W, int R,
                                                            const float* w, int N, int K, float* out) {
    long long n = (long long)R * N; // bits [R, W], w [K, N], out [R, N]
    int run = blockIdx.y;           // packed runs: [runs, ...] blocks of each
    bits += (long long)run * R * W;
    w += (long long)run * K * N;
    out += (long long)run * n;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < n;
         k += (long long)gridDim.x * blockDim.x) {
        out[k] = bits_row_sum(bits + (k / N) * W, W, w, N, (int)(k % N));
    }
}

extern "C" __global__ void spike_linear_weight_grad_bits_kernel(const unsigned long long* bits, int W, int R,
                                                                const float* grad_out, int N, int K, float* gW) {
    long long n = (long long)K * N; // bits [R, W], grad_out [R, N], gW [K, N]
    int run = blockIdx.y;           // packed runs: [runs, ...] blocks of each
    bits += (long long)run * R * W;
    grad_out += (long long)run * R * N;
    gW += (long long)run * n;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < n;
         k += (long long)gridDim.x * blockDim.x) {
        int j = (int)(k % N);
        int i = (int)(k / N);
        const unsigned long long* col = bits + (i >> 6); // word of input i in row 0; row r at r * W
        unsigned long long mask = 1ull << (i & 63);
        float acc = 0.0f;
        for (int r = 0; r < R; r++) {
            if (col[(long long)r * W] & mask) acc += grad_out[(long long)r * N + j];
        }
        gW[k] = acc;
    }
}

#define GEMM_TILE 16

extern "C" __global__ void gemm_tiled_kernel(int trans_a, int trans_b, int M, int N, int K, float alpha,
                                             const float* A, int lda, const float* B, int ldb, float beta,
                                             float* C, int ldc) {
    __shared__ float a_tile[GEMM_TILE][GEMM_TILE + 1]; // +1: no bank conflicts on the transposed read
    __shared__ float b_tile[GEMM_TILE][GEMM_TILE + 1];
    int tx = threadIdx.x, ty = threadIdx.y;
    int col = blockIdx.x * GEMM_TILE + tx;
    // Row tiles stride by gridDim.y: M = T*B reaches 2.7M rows, past gridDim.y's 65535 tiles. The
    // stride depends on the block only, so every thread of a block meets the same __syncthreads.
    for (long long by = blockIdx.y; by * GEMM_TILE < M; by += gridDim.y) {
    int row = (int)(by * GEMM_TILE) + ty; // of C
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += GEMM_TILE) {
        int ka = k0 + tx; // A element (row, ka)
        int kb = k0 + ty; // B element (kb, col)
        float a = 0.0f, b = 0.0f;
        if (row < M && ka < K) a = trans_a ? A[(long long)ka * lda + row] : A[(long long)row * lda + ka];
        if (kb < K && col < N) b = trans_b ? B[(long long)col * ldb + kb] : B[(long long)kb * ldb + col];
        a_tile[ty][tx] = a;
        b_tile[ty][tx] = b;
        __syncthreads();
        for (int k = 0; k < GEMM_TILE; k++) acc += a_tile[ty][k] * b_tile[k][tx];
        __syncthreads();
    }
    if (row < M && col < N) {
        float* c = C + (long long)row * ldc + col;
        // beta == 0 never reads C, so an uninitialised or NaN C cannot leak in (as cuBLAS).
        *c = beta == 0.0f ? alpha * acc : alpha * acc + beta * *c;
    }
    }
}
