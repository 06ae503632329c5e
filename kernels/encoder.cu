// encoder.cu: Poisson rate encoder (SPEC 1), the CUDA twin of rng/PoissonEncoder.java.
//
// Kernel
//   poisson_encode_bits_kernel   one thread per (run, row r = tt*B + b of a time chunk, 64-pixel
//                           word): 16 Philox calls, each giving the 4 uniforms of a group of 4
//                           pixels, written as 64-bit masks [Tc, B, W] (bit i&63 of word i>>6) at
//                           absolute steps t0 + tt: PoissonEncoder.encodeStep's own output format,
//                           32x smaller than float spikes. The training path (KernelNetwork: all T
//                           steps, t0 = 0, read by linear.cu's bitmask fc1 kernels) and R-STDP
//                           (rstdp.cu, time chunks) both use it.
// The mapping is the Java one, bit for bit: counter (p/4, t, pos, ENCODER=0), key (lo32(seed),
// hi32(seed)), u = (word >> 8) * 2^-24, spike iff u < prob[pixel]. The 256-entry prob table is
// computed in double on the host and passed in, so no device exp can change a spike.
//
// Packing several runs into one launch: blockIdx.y is the run; each run has its own table
// (prob + run*256), seed (seeds[run]), epoch order (order + run*order_stride; stride 0 shares one
// order) and output block (bits + run*Tc*B*W).
#include "philox.cuh"

extern "C" __global__ void poisson_encode_bits_kernel(const float* prob, const unsigned long long* seeds,
                                                      const unsigned char* images, const int* order,
                                                      long long order_stride, int first,
                                                      int B, int t0, int Tc, int n_in, unsigned long long* bits) {
    int W = (n_in + 63) / 64;
    long long total = (long long)Tc * B * W;
    int run = blockIdx.y;
    const float* p_run = prob + run * 256;
    unsigned long long seed = seeds[run];
    unsigned long long* bits_run = bits + (long long)run * total; // [Tc, B, W]
    const int* order_run = order == 0 ? 0 : order + run * order_stride;
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < total;
         k += (long long)gridDim.x * blockDim.x) {
        int wd = (int)(k % W);
        long long r = k / W; // row tt*B + b
        int b = (int)(r % B);
        int t = t0 + (int)(r / B); // the absolute step keys the random numbers: chunking changes nothing
        int pos = first + b;
        long long img = order_run == 0 ? pos : order_run[pos];
        const unsigned char* pix = images + img * n_in;
        unsigned long long word = 0;
        for (int g = wd * 16; g < wd * 16 + 16 && g * 4 < n_in; g++) {
            int base = g * 4;
            int lim = n_in - base < 4 ? n_in - base : 4;
            unsigned int c[4] = {(unsigned int)g, (unsigned int)t, (unsigned int)pos, 0u};
            philox4x32_10(c, (unsigned int)seed, (unsigned int)(seed >> 32));
            for (int j = 0; j < lim; j++) {
                if (philox_uniform(c[j]) < p_run[pix[base + j]]) word |= 1ull << ((base + j) & 63);
            }
        }
        bits_run[k] = word;
    }
}
