// stats.cu: spike statistics and non-finite counts of a batch (SPEC 7), reduced on the device; the
// Java twin is CpuNetwork.hiddenSpikeCount / nonFiniteCount.
//
// Kernels
//   spike_stats_kernel   grid-stride partial counts per thread, one atomicAdd each into
//                        counts[0] (spikes) and counts[1] (NaN or infinite h). Integer sums are
//                        order-independent, so no shared memory or __syncthreads is needed.
//                        Several runs pack by blockIdx.y = run: h_seq, spike_seq [runs, n], each
//                        run's counts at counts + run * STATS_COUNTS_PER_RUN (as loss.cu's block).

#define STATS_COUNTS_PER_RUN 4

extern "C" __global__ void spike_stats_kernel(const float* h_seq, const float* spike_seq, long long n,
                                              unsigned long long* counts) {
    int run = blockIdx.y;
    h_seq += (long long)run * n;
    spike_seq += (long long)run * n;
    counts += run * STATS_COUNTS_PER_RUN;
    unsigned long long spikes = 0, nonfinite = 0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (long long)gridDim.x * blockDim.x) {
        spikes += spike_seq[i] != 0.0f ? 1ull : 0ull;
        nonfinite += isfinite(h_seq[i]) ? 0ull : 1ull;
    }
    if (spikes) atomicAdd(&counts[0], spikes);
    if (nonfinite) atomicAdd(&counts[1], nonfinite);
}
