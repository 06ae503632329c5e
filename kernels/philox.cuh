// philox.cuh: Philox4x32-10 (Random123 / cuRAND), the device twin of rng/Philox.java.
// A pure function of (counter, key): any random number is recomputed where it is needed, so the
// encoder needs no generator state and gives the same spikes on every backend and batch size.
#pragma once

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

// Ten rounds on counter c[0..3] with key (k0, k1); the result replaces c.
__device__ __forceinline__ void philox4x32_10(unsigned int c[4], unsigned int k0, unsigned int k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        unsigned int hi0 = __umulhi(PHILOX_M0, c[0]);
        unsigned int lo0 = PHILOX_M0 * c[0];
        unsigned int hi1 = __umulhi(PHILOX_M1, c[2]);
        unsigned int lo1 = PHILOX_M1 * c[2];
        unsigned int n0 = hi1 ^ c[1] ^ k0;
        unsigned int n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
    }
}

// The float in [0, 1) made of the top 24 bits of a word: exact in float32, as Philox.toUniform.
__device__ __forceinline__ float philox_uniform(unsigned int word) {
    return (float)(word >> 8) * 5.9604644775390625e-08f; // 2^-24
}
