// adam.cu: torch.optim.Adam's element update, the CUDA twin of net/Adam.java (update).
//
// Kernel
//   adam_runs_kernel   one thread per element, grid-stride, for R >= 1 runs (a single run is a pack
//                 of one): blockIdx.y is the run, param, grad, m, v are [runs, n] and each run's seven
//                 constants (its own learning rate and step) are consts[run * 7 ...] in adam_update's
//                 argument order. The bias corrections are computed in double on the host (Adam.java)
//                 and passed as floats; the element arithmetic is float32 in torch's order, sqrtf
//                 correctly rounded (no fast-math), so the CPU result is matched.

__device__ __forceinline__ void adam_update(float* param, const float* grad, float* m, float* v, long long n,
                                            float step_size, float bc2_sqrt, float b1, float b2, float one_minus_b1,
                                            float one_minus_b2, float eps) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        float g = grad[i];
        float mi = m[i] * b1 + one_minus_b1 * g;
        float vi = v[i] * b2 + one_minus_b2 * g * g;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi) / bc2_sqrt + eps;
        param[i] = param[i] - step_size * (mi / denom);
    }
}

extern "C" __global__ void adam_runs_kernel(float* param, const float* grad, float* m, float* v, long long n,
                                            const float* consts) {
    long long off = (long long)blockIdx.y * n;
    const float* c = consts + blockIdx.y * 7;
    adam_update(param + off, grad + off, m + off, v + off, n, c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
}
