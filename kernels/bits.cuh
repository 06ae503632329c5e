// bits.cuh: the sum of the weight rows of a bitmask row's active inputs (SpikeLinear.forwardBits'
// order), shared by linear.cu (fc1 of the surrogate-gradient network) and rstdp.cu (R-STDP's fc_in).
#pragma once

// sum over the inputs i set in row[0..W) (bit i&63 of word i>>6), ascending i, of w[i, j];
// w is [n_in, N] row-major. acc starts at +0.0f and adds one weight at a time: with -fmad=false this
// is the Java loop's float sequence exactly, so the result does not depend on the weights' values.
__device__ __forceinline__ float bits_row_sum(const unsigned long long* row, int W, const float* w, int N, int j) {
    float acc = 0.0f;
    for (int wd = 0; wd < W; wd++) {
        unsigned long long m = row[wd];
        while (m) {
            int bit = __ffsll((long long)m) - 1;
            m &= m - 1;
            acc += w[(long long)((wd << 6) + bit) * N + j]; // consecutive j: coalesced
        }
    }
    return acc;
}
