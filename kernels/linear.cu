// linear.cu: the dense products of the network when cuBLAS is not available, the CUDA twin of
// net/SpikeLinear.java (which exploits the 0/1 spikes on the CPU; on the GPU the spikes are float
// operands of one dense product over all T*B rows).
//
// Kernels
//   gemm_tiled_kernel   row-major C[M, N] = alpha * op(A)[M, K] op(B)[K, N] + beta * C,
//                       op = transpose when trans_a / trans_b is nonzero; lda, ldb, ldc are the row
//                       strides of A, B, C as stored. 16x16 tiles staged in shared memory, one
//                       output element per thread, block (16, 16), grid (ceil(N/16), ceil(M/16)).
// cuBLAS SGEMM computes the same products when libcublas loads (CudaDevice.gemm maps row-major to
// column-major); the sums differ only in order, within the tests' tolerances.

#define GEMM_TILE 16

extern "C" __global__ void gemm_tiled_kernel(int trans_a, int trans_b, int M, int N, int K, float alpha,
                                             const float* A, int lda, const float* B, int ldb, float beta,
                                             float* C, int ldc) {
    __shared__ float a_tile[GEMM_TILE][GEMM_TILE + 1]; // +1: no bank conflicts on the transposed read
    __shared__ float b_tile[GEMM_TILE][GEMM_TILE + 1];
    int tx = threadIdx.x, ty = threadIdx.y;
    int row = blockIdx.y * GEMM_TILE + ty; // of C
    int col = blockIdx.x * GEMM_TILE + tx;
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
