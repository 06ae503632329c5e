package dev.spikestep.neuron;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of {@link NeuronKernels}' training path: several neurons per instruction, the
 * time loop outside, over a neuron range whose length is a multiple of {@link #block()} (the caller
 * runs the remainder with the scalar code; neurons are independent), and per neuron the same float operations in the same order as the scalar code,
 * so h, spikes and gradients are identical (the surrogate's exp too: see SURROGATE at the end).
 * Loaded only when {@link dev.spikestep.simd.VectorSupport#ENABLED}.
 *
 * <p>C2 stops inlining into a method once its graph passes NodeCountInliningCutoff (a develop
 * flag, 18,000 nodes), and each Vector API operation costs many: a call of ours left out in a
 * loop boxes every vector that crosses it (10-30 MB allocated per call of T 50 x 16384, several
 * times slower). So the larger steps (lif rk4, izh rk2 and rk4, their backwards) run as passes over
 * each row, each its own method whose loop fits, with scratch rows between them; a pass that
 * the caller does not inline costs nothing, as no vector crosses the call.
 *
 * <p>The backward passes recompute each spike as {@code H(h - v_th)} from {@code h_seq}, the very
 * comparison the forward stored, instead of loading {@code spike_seq}: on JDK 17 the byte-to-float
 * conversion costs more than the compare, and the pass moves one byte less per neuron-step.
 */
final class NeuronVectorKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * How the forward stores spikes as bytes: the fire mask as int lanes (the float mask cast to
     * ints of the same size), blended to 0/1 and narrowed to byte lanes, one vector store
     * (STORE SPIKES, below). JDK 17 intrinsifies these, though not a mask cast straight to bytes,
     * nor the float-to-byte conversion, nor {@code VectorMask.toLong}; it used to compare each lane's
     * stored h again in a scalar loop, which made its forwards 1.6-4.4x slower in cache (lif/exp
     * 0.34-0.37 against 0.08 ns per neuron-step, izh rk4 0.67 against 0.41; Zen 5, 2 threads).
     * Not for 4-lane vectors (no 32-bit byte vector): there the scalar loop stays.
     */
    private static final boolean MASK_TO_BYTES = F.length() >= 8;
    private static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, F.vectorShape());
    private static final VectorSpecies<Byte> SPIKE_LANES = MASK_TO_BYTES
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * F.length())) : null;
    private static final IntVector ONE_INT = IntVector.broadcast(INTS, 1);
    /**
     * Whether izh rk2 and rk4 run two vectors interleaved in one pass per row ({@link #izhRk4Row})
     * where 1/tau is exact. Faster at DRAM size on JDK 25 and on JDK 17 (rk4's forward 1.5-4x and
     * 1.3-4x; JDK 17's passes are the ones its C2 compiles erratically), though on JDK 17 rk4's
     * forward is up to 13% slower in cache. {@code -Dspikestep.interleave=false} keeps the passes: the
     * tests' AVX2 run does, so both paths meet the scalar code with tau a power of two.
     */
    static final boolean INTERLEAVE = Boolean.parseBoolean(System.getProperty("spikestep.interleave", "true"));

    /** Whether izh rk2/rk4 with these constants take the interleaved rows: {@link #INTERLEAVE}, and 1/tau, 1/tau_w exact. */
    private static boolean interleaved(IzhStages c) {
        return INTERLEAVE && c.exactInvTau != 0f && c.exactInvTauW != 0f;
    }

    private NeuronVectorKernels() {
    }

    /**
     * The neurons a vector form takes at a time: two vectors, as the compute-bound steps interleave
     * two ({@link #izhRk4Row}). Every form takes ranges of a multiple of it, so the callers need not
     * ask which.
     */
    static int block() {
        return 2 * F.length();
    }

    // ---------------------------------------------------------------- LIF

    /**
     * One time loop per charge form, each its own method calling its own small form method: C2 then
     * inlines the whole step into the loop whatever it compiled before, and compiling one form's
     * loop does not throw away another's. One loop calling a dispatch over every
     * form was inlined or not depending on which integrator ran first (a callee already compiled
     * into more than InlineSmallCode bytes is not inlined): lif/exp's forward took 8.1 ms per call
     * instead of 0.43 (T 50 x 32768, JDK 25), every vector boxed across the call.
     *
     * <p>SUBSTEPS: each form runs K == 1 in a loop of its own, with one call of the form per
     * neuron vector. The sub-step loop's second call site, never taken at K 1, was kept by C2 now
     * and then, and then not inlined where C1's code had made the form hot enough to be compiled on
     * its own ("already compiled into a medium method": the limit at a cold site is a quarter of
     * InlineSmallCode); its boxed result then merged with the first call's h, boxing every h. lif
     * rk4's forward ran 0.73-0.89 ns per neuron-step in cache instead of 0.17 in two of three
     * whole-bench runs. One loop of K calls for every K was slower at K 1 (0.31-0.38 in cache).
     */
    static void lifForward(LifSpec p, NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int m1,
                           float[] h_seq, byte[] spike_seq) {
        float vTh = p.vTh();
        float vr = p.vReset();
        boolean soft = p.softReset();
        int n = m1 - m0;
        float[] v = new float[n]; // state of each neuron, carried over t
        java.util.Arrays.fill(v, p.vInit());
        switch (c.form()) {
            case NeuronKernels.LifConst.EULER_DECAY -> lifForwardEulerDecay(
                    c, x_seq, T, M, m0, n, v, h_seq, spike_seq, vTh, vr, soft);
            case NeuronKernels.LifConst.EULER_NODECAY -> lifForwardEulerNoDecay(
                    c, x_seq, T, M, m0, n, v, h_seq, spike_seq, vTh, vr, soft);
            case NeuronKernels.LifConst.EXP_DECAY -> lifForwardExpDecay(
                    c, x_seq, T, M, m0, n, v, h_seq, spike_seq, vTh, vr, soft);
            case NeuronKernels.LifConst.EXP_NODECAY -> lifForwardExpNoDecay(
                    c, x_seq, T, M, m0, n, v, h_seq, spike_seq, vTh, vr, soft);
            case NeuronKernels.LifConst.ZOH_NODECAY -> lifForwardZohNoDecay(
                    c, x_seq, T, M, m0, n, v, h_seq, spike_seq, vTh, vr, soft);
            case NeuronKernels.LifConst.RK2_DECAY, NeuronKernels.LifConst.RK2_NODECAY -> lifForwardRk2(
                    c, x_seq, T, M, m0, n, v, h_seq, spike_seq, vTh, vr, soft);
            default -> lifForwardRk4(
                    c, x_seq, T, M, m0, n, v, h_seq, spike_seq, vTh, vr, soft);
        }
    }

    private static void lifForwardEulerDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        float invTau = NeuronKernels.exactReciprocal(c.tau());
        if (K == 1) {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = eulerDecay(c, invTau, FloatVector.fromArray(F, v, k), x);
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        } else {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = FloatVector.fromArray(F, v, k);
                    for (int j = 0; j < K; j++) {
                        h = eulerDecay(c, invTau, h, x);
                    }
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        }
    }

    private static void lifForwardEulerNoDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        float invTau = NeuronKernels.exactReciprocal(c.tau());
        if (K == 1) {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = eulerNoDecay(c, invTau, FloatVector.fromArray(F, v, k), x);
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        } else {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = FloatVector.fromArray(F, v, k);
                    for (int j = 0; j < K; j++) {
                        h = eulerNoDecay(c, invTau, h, x);
                    }
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        }
    }

    private static void lifForwardExpDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        if (K == 1) {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = expDecay(c, FloatVector.fromArray(F, v, k), x);
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        } else {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = FloatVector.fromArray(F, v, k);
                    for (int j = 0; j < K; j++) {
                        h = expDecay(c, h, x);
                    }
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        }
    }

    private static void lifForwardExpNoDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        if (K == 1) {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = expNoDecay(c, FloatVector.fromArray(F, v, k), x);
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        } else {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = FloatVector.fromArray(F, v, k);
                    for (int j = 0; j < K; j++) {
                        h = expNoDecay(c, h, x);
                    }
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        }
    }

    private static void lifForwardZohNoDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        if (K == 1) {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = zohNoDecay(c, FloatVector.fromArray(F, v, k), x);
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        } else {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = FloatVector.fromArray(F, v, k);
                    for (int j = 0; j < K; j++) {
                        h = zohNoDecay(c, h, x);
                    }
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        }
    }

    private static void lifForwardRk2(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        float invTau = NeuronKernels.exactReciprocal(c.tau());
        if (K == 1) {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = rk2(c, invTau, FloatVector.fromArray(F, v, k), x);
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        } else {
            for (int t = 0; t < T; t++) {
                for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                    FloatVector x = FloatVector.fromArray(F, x_seq, i);
                    FloatVector h = FloatVector.fromArray(F, v, k);
                    for (int j = 0; j < K; j++) {
                        h = rk2(c, invTau, h, x);
                    }
                    h.intoArray(h_seq, i);
                    fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
                }
            }
        }
    }

    /**
     * rk4 as two passes over each row, each its own method: the charge, then the fire. In one loop
     * C2 went past NodeCountInliningCutoff before the fire and boxed the vectors (2.5 MB allocated
     * per call of T 50 x 16384); the charge's method, compiled big, is not inlined here.
     */
    private static void lifForwardRk4(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                      float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        float invTau = NeuronKernels.exactReciprocal(c.tau());
        boolean decay = c.form() == NeuronKernels.LifConst.RK4_DECAY;
        for (int t = 0; t < T; t++) {
            lifRk4Charge(c, invTau, decay, x_seq, t * M + m0, n, v, h_seq);
            fireRow(h_seq, t * M + m0, n, v, spike_seq, vTh, vr, soft);
        }
    }

    /** rk4's K charges for one row: h into h_seq[i0 ..] (K == 1 its own loop: see SUBSTEPS). */
    private static void lifRk4Charge(NeuronKernels.LifConst c, float invTau, boolean decay, float[] x_seq, int i0, int n,
                                     float[] v, float[] h_seq) {
        int K = c.substeps();
        if (K == 1) {
            for (int k = 0, i = i0; k < n; k += F.length(), i += F.length()) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                rk4(c, invTau, decay, FloatVector.fromArray(F, v, k), x).intoArray(h_seq, i);
            }
        } else {
            for (int k = 0, i = i0; k < n; k += F.length(), i += F.length()) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = FloatVector.fromArray(F, v, k);
                for (int j = 0; j < K; j++) {
                    h = rk4(c, invTau, decay, h, x);
                }
                h.intoArray(h_seq, i);
            }
        }
    }

    /** Fire and reset for a row whose h is already in {@code h_seq[i0 ..]} (lifForwardRk4's second pass). */
    private static void fireRow(float[] h_seq, int i0, int n, float[] v, byte[] spike_seq, float vTh, float vr,
                                boolean soft) {
        for (int k = 0, i = i0; k < n; k += F.length(), i += F.length()) {
            fire(FloatVector.fromArray(F, h_seq, i), v, k, h_seq, spike_seq, i, vTh, vr, soft);
        }
    }

    /**
     * Fire and reset for an h the caller has already stored at {@code h_seq[i]} (STORE SPIKES may read
     * it back there; the row passes load it from there): its spikes stored, the reset potential
     * written back to v.
     */
    private static void fire(FloatVector h, float[] v, int k, float[] h_seq, byte[] spike_seq, int i, float vTh, float vr,
                             boolean soft) {
        VectorMask<Float> fired = h.sub(vTh).compare(VectorOperators.GE, 0f);
        FloatVector s = FloatVector.zero(F).blend(1f, fired);
        FloatVector vn = soft ? h.sub(s.mul(vTh)) : s.neg().add(1f).mul(h).add(s.mul(vr));
        vn.intoArray(v, k);
        if (MASK_TO_BYTES) { // STORE SPIKES, written out: see there
            ((ByteVector) IntVector.zero(INTS).blend(ONE_INT, fired.cast(INTS)).castShape(SPIKE_LANES, 0)).intoArray(spike_seq, i);
        } else {
            storeSpikesByCompare(h_seq, vTh, spike_seq, i);
        }
    }

    // {@link NeuronKernels.LifConst#charge} on vectors, operation for operation, one method per form.

    private static FloatVector eulerDecay(NeuronKernels.LifConst c, float invTau, FloatVector v, FloatVector x) {
        return v.add(divide(x.sub(v.sub(c.vr())).mul(c.dt()), c.tau(), invTau));
    }

    private static FloatVector eulerNoDecay(NeuronKernels.LifConst c, float invTau, FloatVector v, FloatVector x) {
        return v.sub(divide(v.sub(c.vr()).mul(c.dt()), c.tau(), invTau)).add(x.mul(c.dt()));
    }

    private static FloatVector expDecay(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        return v.mul(c.e()).add(x.add(c.vr()).mul(c.oneMinusE()));
    }

    private static FloatVector expNoDecay(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        return v.sub(c.vr()).mul(c.e()).add(c.vr()).add(x.mul(c.oneMinusE()));
    }

    private static FloatVector zohNoDecay(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        return v.sub(c.vr()).mul(c.e()).add(c.vr()).add(x.mul(c.tau()).mul(c.oneMinusE()));
    }

    private static FloatVector rk2(NeuronKernels.LifConst c, float invTau, FloatVector v, FloatVector x) {
        boolean decay = c.form() == NeuronKernels.LifConst.RK2_DECAY;
        FloatVector k1 = rhs(c, invTau, decay, v, x);
        FloatVector k2 = rhs(c, invTau, decay, v.add(k1.mul(c.dt())), x);
        return v.add(k1.add(k2).mul(c.dtHalf()));
    }

    private static FloatVector rk4(NeuronKernels.LifConst c, float invTau, boolean decay, FloatVector v, FloatVector x) {
        FloatVector k1 = rhs(c, invTau, decay, v, x);
        FloatVector k2 = rhs(c, invTau, decay, v.add(k1.mul(c.dtHalf())), x);
        FloatVector k3 = rhs(c, invTau, decay, v.add(k2.mul(c.dtHalf())), x);
        FloatVector k4 = rhs(c, invTau, decay, v.add(k3.mul(c.dt())), x);
        return v.add(k1.add(k2.mul(2f)).add(k3.mul(2f)).add(k4).mul(c.dtSixth()));
    }

    /** {@link NeuronKernels.LifConst#rhs} on vectors; decay: the form's (RK2_DECAY, RK4_DECAY). */
    private static FloatVector rhs(NeuronKernels.LifConst c, float invTau, boolean decay, FloatVector v, FloatVector x) {
        return decay ? divide(x.sub(v.sub(c.vr())), c.tau(), invTau) : x.sub(divide(v.sub(c.vr()), c.tau(), invTau));
    }

    static void lifBackward(LifSpec p, NeuronKernels.LifConst c, float[] grad_spike_seq, float[] h_seq,
                            byte[] spike_seq, int T, int M, int m0, int m1, float[] grad_x_seq) {
        float vTh = p.vTh();
        float alpha = NeuronKernels.SURROGATE_ALPHA;
        float vr = p.vReset();
        boolean soft = p.softReset();
        int n = m1 - m0;
        // FEWER OPERATIONS (below)
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector vrV = FloatVector.broadcast(F, vr);
        FloatVector negAlpha = FloatVector.broadcast(F, -alpha);
        float[] gv = new float[n]; // dL/dv_t flowing back from step t+1
        for (int t = T - 1; t >= 0; t--) {
            int row = t * M;
            for (int k = 0; k < n; k += F.length()) {
                int i = row + m0 + k;
                FloatVector h = FloatVector.fromArray(F, h_seq, i);
                FloatVector g = FloatVector.fromArray(F, gv, k);
                FloatVector dvdh = soft ? one : notFired(h, vTh); // 1 - s
                FloatVector dvds = soft ? FloatVector.broadcast(F, -vTh) : vrV.sub(h);
                FloatVector gs = FloatVector.fromArray(F, grad_spike_seq, i);
                FloatVector term = gs.add(g.mul(dvds));
                // The surrogate (SURROGATE below), written out: a call to it was inlined or not
                // depending on what C2 had compiled before (izh backward 4 or 13 ms per step, JDK 17).
                // It multiplies term; where every lane of term is +-0 and h finite, the product is
                // that zero whatever the surrogate's value (finite and >= +0), so 1 gives the same
                // bits without it: after a sample's last gradient step nothing flows back.
                FloatVector sg;
                if (term.compare(VectorOperators.NE, 0f).or(h.sub(h).compare(VectorOperators.NE, 0f)).anyTrue()) {
                    FloatVector u = h.sub(vTh).mul(negAlpha);
                    FloatVector y = u.mul(NeuronKernels.EXP_LOG2E).add(NeuronKernels.EXP_SHIFT);
                    FloatVector nf = y.sub(NeuronKernels.EXP_SHIFT);
                    FloatVector r = u.sub(nf.mul(NeuronKernels.EXP_LN2_HI)).sub(nf.mul(NeuronKernels.EXP_LN2_LO));
                    FloatVector poly = r.mul(NeuronKernels.EXP_P0).add(NeuronKernels.EXP_P1).mul(r).add(NeuronKernels.EXP_P2)
                            .mul(r).add(NeuronKernels.EXP_P3).mul(r).add(NeuronKernels.EXP_P4).mul(r).add(NeuronKernels.EXP_P5);
                    VectorMask<Float> cut = u.abs().compare(VectorOperators.GT, NeuronKernels.SURROGATE_CUT);
                    FloatVector pow2 = y.reinterpretAsInts().add(NeuronKernels.EXP_BIAS).lanewise(VectorOperators.LSHL, 23)
                            .reinterpretAsFloats().blend(1f, cut); // CUT LANES, below
                    FloatVector sig = FloatVector.broadcast(F, 1f).div(poly.mul(r.mul(r)).add(r).add(1f).mul(pow2).add(1f));
                    sg = sig.mul(alpha).mul(one.sub(sig)).blend(0f, cut);
                } else {
                    sg = FloatVector.broadcast(F, 1f);
                }
                FloatVector gh = g.mul(dvdh).add(term.mul(sg));
                gh.mul(c.dhdx()).intoArray(grad_x_seq, i);
                gh.mul(c.dhdv()).intoArray(gv, k);
            }
        }
    }

    // ---------------------------------------------------------------- Izhikevich

    static void izhForward(IzhSpec p, float[] x_seq, int T, int M, int m0, int m1, float[] h_seq, byte[] spike_seq) {
        int n = m1 - m0;
        float[] v = new float[n];
        float[] w = new float[n];
        java.util.Arrays.fill(v, p.vInit());
        java.util.Arrays.fill(w, p.wRest());
        // One method per integrator, as for LIF: compiling one does not throw away the other
        // (izh/symplectic's forward took 2.0 ms after izh/euler's, 0.71 ms alone).
        if (p.integrator() == Integrator.SYMPLECTIC) {
            izhForwardSymplectic(p, x_seq, T, M, m0, n, v, w, h_seq, spike_seq);
        } else {
            izhForwardEuler(p, x_seq, T, M, m0, n, v, w, h_seq, spike_seq);
        }
    }

    private static void izhForwardEuler(IzhSpec p, float[] x_seq, int T, int M, int m0, int n, float[] v, float[] w,
                                        float[] h_seq, byte[] spike_seq) {
        float dt = (float) p.dt();
        float tau = (float) p.tau();
        float tauW = (float) p.tauW();
        float a0 = p.a0();
        float vC = p.vC();
        float vRest = p.vRest();
        float a = p.a();
        float invTau = NeuronKernels.exactReciprocal(tau);
        float invTauW = NeuronKernels.exactReciprocal(tauW);
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += F.length(), i += F.length()) {
                FloatVector vo = FloatVector.fromArray(F, v, k);
                FloatVector wo = FloatVector.fromArray(F, w, k);
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                // a0 * (v - v_rest) * (v - v_c), as the scalar code groups it
                FloatVector quad = vo.sub(vRest).mul(a0).mul(vo.sub(vC));
                FloatVector h = vo.add(divide(x.add(quad).sub(wo).mul(dt), tau, invTau));
                FloatVector w1 = wo.add(divide(h.sub(vRest).mul(a).sub(wo).mul(dt), tauW, invTauW));
                h.intoArray(h_seq, i);
                izhFire(p, h, w1, v, w, k, h_seq, spike_seq, null, i);
            }
        }
    }

    private static void izhForwardSymplectic(IzhSpec p, float[] x_seq, int T, int M, int m0, int n, float[] v, float[] w,
                                             float[] h_seq, byte[] spike_seq) {
        float dt = (float) p.dt();
        float tau = (float) p.tau();
        float tauW = (float) p.tauW();
        float a0 = p.a0();
        float vC = p.vC();
        float vRest = p.vRest();
        float a = p.a();
        float invTau = NeuronKernels.exactReciprocal(tau);
        float invTauW = NeuronKernels.exactReciprocal(tauW);
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += F.length(), i += F.length()) {
                FloatVector vo = FloatVector.fromArray(F, v, k);
                FloatVector wo = FloatVector.fromArray(F, w, k);
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector quad = vo.sub(vRest).mul(a0).mul(vo.sub(vC));
                FloatVector w1 = wo.add(divide(vo.sub(vRest).mul(a).sub(wo).mul(dt), tauW, invTauW));
                FloatVector h = vo.add(divide(x.add(quad).sub(w1).mul(dt), tau, invTau));
                h.intoArray(h_seq, i);
                izhFire(p, h, w1, v, w, k, h_seq, spike_seq, null, i);
            }
        }
    }

    /** Whether {@link #izhForwardStages} and {@link #izhBackwardStages} take this spec: rk2 or rk4, one sub-step. */
    static boolean hasStages(IzhSpec p) {
        return p.substeps() == 1 && (p.integrator() == Integrator.RK2 || p.integrator() == Integrator.RK4);
    }

    /**
     * Izhikevich rk2 and rk4 ({@link #hasStages}): IzhStages' step on vectors, the same float
     * operations in the same order, and the state after each step in w_seq for the backward.
     */
    static void izhForwardStages(IzhSpec p, float[] x_seq, int T, int M, int m0, int m1, float[] h_seq,
                                 byte[] spike_seq, float[] w_seq) {
        IzhStages c = new IzhStages(p);
        int n = m1 - m0;
        float[] v = new float[n];
        float[] w = new float[n];
        java.util.Arrays.fill(v, p.vInit());
        java.util.Arrays.fill(w, p.wRest());
        if (p.integrator() == Integrator.RK2) {
            izhForwardRk2(p, c, x_seq, T, M, m0, n, v, w, h_seq, spike_seq, w_seq);
        } else {
            izhForwardRk4(p, c, x_seq, T, M, m0, n, v, w, h_seq, spike_seq, w_seq);
        }
    }

    private static void izhForwardRk2(IzhSpec p, IzhStages c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                      float[] w, float[] h_seq, byte[] spike_seq, float[] w_seq) {
        if (interleaved(c)) {
            for (int t = 0; t < T; t++) {
                izhRk2Row(p, c, x_seq, t * M + m0, n, v, w, h_seq, spike_seq, w_seq);
            }
            return;
        }
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += F.length(), i += F.length()) {
                FloatVector vo = FloatVector.fromArray(F, v, k);
                FloatVector wo = FloatVector.fromArray(F, w, k);
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector k1v = fv(c, vo, wo, x);
                FloatVector k1w = fw(c, vo, wo);
                FloatVector v2 = vo.add(k1v.mul(c.dt));
                FloatVector w2 = wo.add(k1w.mul(c.dt));
                vo.add(k1v.add(fv(c, v2, w2, x)).mul(c.dtHalf)).intoArray(h_seq, i);
                wo.add(k1w.add(fw(c, v2, w2)).mul(c.dtHalf)).intoArray(w, k);
            }
            izhFireRow(p, t * M + m0, n, v, w, h_seq, spike_seq, w_seq);
        }
    }

    /**
     * rk4. Where tau and tau_w have exact reciprocals (powers of two, the notebook's 2 and 2) one
     * pass per row does the whole step and the fire, two vectors at a time ({@link #izhRk4Row},
     * {@link #INTERLEAVE}). Otherwise every 1/tau is a division, and
     * {@link #divide}'s two sides for each took C2 past its inlining budget there
     * (NodeCountInliningCutoff: the vectors boxed, 7-11 ns per neuron-step against 0.8): those (and
     * {@code -Dspikestep.interleave=false}) run in four passes over each row, one vector at a time, as all did once
     * (with the four in one loop C2 boxed them too: 7.0 ms per call against 1.9 for rk2's). The first pass leaves the third stage's state and the partial sums
     * {@code k1 + 2 k2} in scratch rows, the second the fourth stage's state over it and
     * {@code + 2 k3}; the third finishes the step and the fourth fires.
     */
    private static void izhForwardRk4(IzhSpec p, IzhStages c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                      float[] w, float[] h_seq, byte[] spike_seq, float[] w_seq) {
        if (interleaved(c)) {
            for (int t = 0; t < T; t++) {
                izhRk4Row(p, c, x_seq, t * M + m0, n, v, w, h_seq, spike_seq, w_seq);
            }
            return;
        }
        float[] v3 = new float[n];
        float[] w3 = new float[n];
        float[] sumV = new float[n];
        float[] sumW = new float[n];
        for (int t = 0; t < T; t++) {
            izhRk4FirstStages(c, x_seq, t * M + m0, n, v, w, v3, w3, sumV, sumW);
            izhRk4ThirdStage(c, x_seq, t * M + m0, n, v, w, v3, w3, sumV, sumW);
            izhRk4FourthStage(c, x_seq, t * M + m0, n, v, w, v3, w3, sumV, sumW, h_seq);
            izhFireRow(p, t * M + m0, n, v, w, h_seq, spike_seq, w_seq);
        }
    }

    /**
     * rk4's step, fire and reset for one row (from x_seq[i0 ..]) where tau and tau_w have exact
     * reciprocals, two vectors of neurons (A, B) at a time with their operations interleaved. A
     * step is one chain of about 90 dependent operations: one vector after the other filled the
     * core's scheduler with one chain, and the step ran latency-bound (1.03-1.11 ns per
     * neuron-step on one thread, against 0.72-0.77 interleaved; four at a time, 0.76-0.82, ran out
     * of registers). The operands are vectors held outside the loop: as floats each inlines a
     * broadcast, and the loop went past C2's NodeCountInliningCutoff.
     */
    private static void izhRk4Row(IzhSpec p, IzhStages c, float[] x_seq, int i0, int n, float[] v, float[] w,
                                  float[] h_seq, byte[] spike_seq, float[] w_seq) {
        final int L = F.length();
        FloatVector vRest = FloatVector.broadcast(F, c.vRest);
        FloatVector vC = FloatVector.broadcast(F, c.vC);
        FloatVector a0 = FloatVector.broadcast(F, c.a0);
        FloatVector a = FloatVector.broadcast(F, c.a);
        FloatVector invTau = FloatVector.broadcast(F, c.exactInvTau);
        FloatVector invTauW = FloatVector.broadcast(F, c.exactInvTauW);
        FloatVector dt = FloatVector.broadcast(F, c.dt);
        FloatVector dtHalf = FloatVector.broadcast(F, c.dtHalf);
        FloatVector dtSixth = FloatVector.broadcast(F, c.dtSixth);
        FloatVector vTh = FloatVector.broadcast(F, p.vTh());
        FloatVector vReset = FloatVector.broadcast(F, p.vReset());
        FloatVector b = FloatVector.broadcast(F, p.b());
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        float vThF = p.vTh();
        IntVector zeroI = IntVector.zero(INTS);
        IntVector oneI = IntVector.broadcast(INTS, 1);
        boolean soft = p.softReset();
        for (int k = 0, i = i0; k < n; k += 2 * L, i += 2 * L) {
            // IzhStages.rk4Stages: k1 + 2 k2 + 2 k3 as k1 + (k2 + k2) + (k3 + k3), 1 - s as -s + 1: the same bits
            FloatVector voA = FloatVector.fromArray(F, v, k);
            FloatVector voB = FloatVector.fromArray(F, v, k + L);
            FloatVector woA = FloatVector.fromArray(F, w, k);
            FloatVector woB = FloatVector.fromArray(F, w, k + L);
            FloatVector xA = FloatVector.fromArray(F, x_seq, i);
            FloatVector xB = FloatVector.fromArray(F, x_seq, i + L);
            FloatVector dA = voA.sub(vRest);
            FloatVector dB = voB.sub(vRest);
            FloatVector k1vA = xA.add(dA.mul(a0).mul(voA.sub(vC))).sub(woA).mul(invTau);
            FloatVector k1vB = xB.add(dB.mul(a0).mul(voB.sub(vC))).sub(woB).mul(invTau);
            FloatVector k1wA = dA.mul(a).sub(woA).mul(invTauW);
            FloatVector k1wB = dB.mul(a).sub(woB).mul(invTauW);
            FloatVector v2A = voA.add(k1vA.mul(dtHalf));
            FloatVector v2B = voB.add(k1vB.mul(dtHalf));
            FloatVector w2A = woA.add(k1wA.mul(dtHalf));
            FloatVector w2B = woB.add(k1wB.mul(dtHalf));
            dA = v2A.sub(vRest);
            dB = v2B.sub(vRest);
            FloatVector k2vA = xA.add(dA.mul(a0).mul(v2A.sub(vC))).sub(w2A).mul(invTau);
            FloatVector k2vB = xB.add(dB.mul(a0).mul(v2B.sub(vC))).sub(w2B).mul(invTau);
            FloatVector k2wA = dA.mul(a).sub(w2A).mul(invTauW);
            FloatVector k2wB = dB.mul(a).sub(w2B).mul(invTauW);
            FloatVector v3A = voA.add(k2vA.mul(dtHalf));
            FloatVector v3B = voB.add(k2vB.mul(dtHalf));
            FloatVector w3A = woA.add(k2wA.mul(dtHalf));
            FloatVector w3B = woB.add(k2wB.mul(dtHalf));
            FloatVector sumVA = k1vA.add(k2vA.add(k2vA));
            FloatVector sumVB = k1vB.add(k2vB.add(k2vB));
            FloatVector sumWA = k1wA.add(k2wA.add(k2wA));
            FloatVector sumWB = k1wB.add(k2wB.add(k2wB));
            dA = v3A.sub(vRest);
            dB = v3B.sub(vRest);
            FloatVector k3vA = xA.add(dA.mul(a0).mul(v3A.sub(vC))).sub(w3A).mul(invTau);
            FloatVector k3vB = xB.add(dB.mul(a0).mul(v3B.sub(vC))).sub(w3B).mul(invTau);
            FloatVector k3wA = dA.mul(a).sub(w3A).mul(invTauW);
            FloatVector k3wB = dB.mul(a).sub(w3B).mul(invTauW);
            FloatVector v4A = voA.add(k3vA.mul(dt));
            FloatVector v4B = voB.add(k3vB.mul(dt));
            FloatVector w4A = woA.add(k3wA.mul(dt));
            FloatVector w4B = woB.add(k3wB.mul(dt));
            sumVA = sumVA.add(k3vA.add(k3vA));
            sumVB = sumVB.add(k3vB.add(k3vB));
            sumWA = sumWA.add(k3wA.add(k3wA));
            sumWB = sumWB.add(k3wB.add(k3wB));
            dA = v4A.sub(vRest);
            dB = v4B.sub(vRest);
            FloatVector hA = voA.add(sumVA.add(xA.add(dA.mul(a0).mul(v4A.sub(vC))).sub(w4A).mul(invTau)).mul(dtSixth));
            FloatVector hB = voB.add(sumVB.add(xB.add(dB.mul(a0).mul(v4B.sub(vC))).sub(w4B).mul(invTau)).mul(dtSixth));
            FloatVector w1A = woA.add(sumWA.add(dA.mul(a).sub(w4A).mul(invTauW)).mul(dtSixth));
            FloatVector w1B = woB.add(sumWB.add(dB.mul(a).sub(w4B).mul(invTauW)).mul(dtSixth));
            hA.intoArray(h_seq, i);
            hB.intoArray(h_seq, i + L);
            VectorMask<Float> firedA = hA.sub(vTh).compare(VectorOperators.GE, 0f);
            VectorMask<Float> firedB = hB.sub(vTh).compare(VectorOperators.GE, 0f);
            FloatVector sA = zero.blend(one, firedA);
            FloatVector sB = zero.blend(one, firedB);
            (soft ? hA.sub(sA.mul(vTh)) : one.sub(sA).mul(hA).add(sA.mul(vReset))).intoArray(v, k);
            (soft ? hB.sub(sB.mul(vTh)) : one.sub(sB).mul(hB).add(sB.mul(vReset))).intoArray(v, k + L);
            FloatVector wnA = w1A.add(sA.mul(b));
            FloatVector wnB = w1B.add(sB.mul(b));
            wnA.intoArray(w, k);
            wnB.intoArray(w, k + L);
            wnA.intoArray(w_seq, i);
            wnB.intoArray(w_seq, i + L);
            if (MASK_TO_BYTES) {
                // STORE SPIKES, written out
                ((ByteVector) zeroI.blend(oneI, firedA.cast(INTS)).castShape(SPIKE_LANES, 0)).intoArray(spike_seq, i);
                ((ByteVector) zeroI.blend(oneI, firedB.cast(INTS)).castShape(SPIKE_LANES, 0)).intoArray(spike_seq, i + L);
            }
        }
        if (!MASK_TO_BYTES) {
            for (int j = i0; j < i0 + n; j++) {
                spike_seq[j] = (byte) (h_seq[j] - vThF >= 0f ? 1 : 0);
            }
        }
    }

    /**
     * {@link #izhRk4Row} for rk2 (Heun's step, izhForwardRk2's operations in their order). The
     * constants and the fire are izhRk4Row's written again, not shared: a call that C2 does not
     * inline boxes every vector crossing it, and one loop for both steps is past its budget.
     */
    private static void izhRk2Row(IzhSpec p, IzhStages c, float[] x_seq, int i0, int n, float[] v, float[] w,
                                  float[] h_seq, byte[] spike_seq, float[] w_seq) {
        final int L = F.length();
        FloatVector vRest = FloatVector.broadcast(F, c.vRest);
        FloatVector vC = FloatVector.broadcast(F, c.vC);
        FloatVector a0 = FloatVector.broadcast(F, c.a0);
        FloatVector a = FloatVector.broadcast(F, c.a);
        FloatVector invTau = FloatVector.broadcast(F, c.exactInvTau);
        FloatVector invTauW = FloatVector.broadcast(F, c.exactInvTauW);
        FloatVector dt = FloatVector.broadcast(F, c.dt);
        FloatVector dtHalf = FloatVector.broadcast(F, c.dtHalf);
        FloatVector vTh = FloatVector.broadcast(F, p.vTh());
        FloatVector vReset = FloatVector.broadcast(F, p.vReset());
        FloatVector b = FloatVector.broadcast(F, p.b());
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        float vThF = p.vTh();
        IntVector zeroI = IntVector.zero(INTS);
        IntVector oneI = IntVector.broadcast(INTS, 1);
        boolean soft = p.softReset();
        for (int k = 0, i = i0; k < n; k += 2 * L, i += 2 * L) {
            // 1 - s as -s + 1: the same bits
            FloatVector voA = FloatVector.fromArray(F, v, k);
            FloatVector voB = FloatVector.fromArray(F, v, k + L);
            FloatVector woA = FloatVector.fromArray(F, w, k);
            FloatVector woB = FloatVector.fromArray(F, w, k + L);
            FloatVector xA = FloatVector.fromArray(F, x_seq, i);
            FloatVector xB = FloatVector.fromArray(F, x_seq, i + L);
            FloatVector dA = voA.sub(vRest);
            FloatVector dB = voB.sub(vRest);
            FloatVector k1vA = xA.add(dA.mul(a0).mul(voA.sub(vC))).sub(woA).mul(invTau);
            FloatVector k1vB = xB.add(dB.mul(a0).mul(voB.sub(vC))).sub(woB).mul(invTau);
            FloatVector k1wA = dA.mul(a).sub(woA).mul(invTauW);
            FloatVector k1wB = dB.mul(a).sub(woB).mul(invTauW);
            FloatVector v2A = voA.add(k1vA.mul(dt));
            FloatVector v2B = voB.add(k1vB.mul(dt));
            FloatVector w2A = woA.add(k1wA.mul(dt));
            FloatVector w2B = woB.add(k1wB.mul(dt));
            dA = v2A.sub(vRest);
            dB = v2B.sub(vRest);
            FloatVector hA = voA.add(k1vA.add(xA.add(dA.mul(a0).mul(v2A.sub(vC))).sub(w2A).mul(invTau)).mul(dtHalf));
            FloatVector hB = voB.add(k1vB.add(xB.add(dB.mul(a0).mul(v2B.sub(vC))).sub(w2B).mul(invTau)).mul(dtHalf));
            FloatVector w1A = woA.add(k1wA.add(dA.mul(a).sub(w2A).mul(invTauW)).mul(dtHalf));
            FloatVector w1B = woB.add(k1wB.add(dB.mul(a).sub(w2B).mul(invTauW)).mul(dtHalf));
            hA.intoArray(h_seq, i);
            hB.intoArray(h_seq, i + L);
            VectorMask<Float> firedA = hA.sub(vTh).compare(VectorOperators.GE, 0f);
            VectorMask<Float> firedB = hB.sub(vTh).compare(VectorOperators.GE, 0f);
            FloatVector sA = zero.blend(one, firedA);
            FloatVector sB = zero.blend(one, firedB);
            (soft ? hA.sub(sA.mul(vTh)) : one.sub(sA).mul(hA).add(sA.mul(vReset))).intoArray(v, k);
            (soft ? hB.sub(sB.mul(vTh)) : one.sub(sB).mul(hB).add(sB.mul(vReset))).intoArray(v, k + L);
            FloatVector wnA = w1A.add(sA.mul(b));
            FloatVector wnB = w1B.add(sB.mul(b));
            wnA.intoArray(w, k);
            wnB.intoArray(w, k + L);
            wnA.intoArray(w_seq, i);
            wnB.intoArray(w_seq, i + L);
            if (MASK_TO_BYTES) {
                // STORE SPIKES, written out
                ((ByteVector) zeroI.blend(oneI, firedA.cast(INTS)).castShape(SPIKE_LANES, 0)).intoArray(spike_seq, i);
                ((ByteVector) zeroI.blend(oneI, firedB.cast(INTS)).castShape(SPIKE_LANES, 0)).intoArray(spike_seq, i + L);
            }
        }
        if (!MASK_TO_BYTES) {
            for (int j = i0; j < i0 + n; j++) {
                spike_seq[j] = (byte) (h_seq[j] - vThF >= 0f ? 1 : 0);
            }
        }
    }

    /** rk4's k1 and k2 for one row (from x_seq[i0 ..]): y + dt/2 k2 into v3, w3; k1 + 2 k2 into sumV, sumW. */
    private static void izhRk4FirstStages(IzhStages c, float[] x_seq, int i0, int n, float[] v, float[] w, float[] v3,
                                          float[] w3, float[] sumV, float[] sumW) {
        for (int k = 0, i = i0; k < n; k += F.length(), i += F.length()) {
            FloatVector vo = FloatVector.fromArray(F, v, k);
            FloatVector wo = FloatVector.fromArray(F, w, k);
            FloatVector x = FloatVector.fromArray(F, x_seq, i);
            FloatVector k1v = fv(c, vo, wo, x);
            FloatVector k1w = fw(c, vo, wo);
            FloatVector v2 = vo.add(k1v.mul(c.dtHalf));
            FloatVector w2 = wo.add(k1w.mul(c.dtHalf));
            FloatVector k2v = fv(c, v2, w2, x);
            FloatVector k2w = fw(c, v2, w2);
            vo.add(k2v.mul(c.dtHalf)).intoArray(v3, k);
            wo.add(k2w.mul(c.dtHalf)).intoArray(w3, k);
            k1v.add(k2v.mul(2f)).intoArray(sumV, k);
            k1w.add(k2w.mul(2f)).intoArray(sumW, k);
        }
    }

    /** rk4's k3 for one row: y + dt k3 over v3, w3 (the fourth stage's state); + 2 k3 into sumV, sumW. */
    private static void izhRk4ThirdStage(IzhStages c, float[] x_seq, int i0, int n, float[] v, float[] w,
                                         float[] v3, float[] w3, float[] sumV, float[] sumW) {
        for (int k = 0, i = i0; k < n; k += F.length(), i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, x_seq, i);
            FloatVector v3k = FloatVector.fromArray(F, v3, k);
            FloatVector w3k = FloatVector.fromArray(F, w3, k);
            FloatVector k3v = fv(c, v3k, w3k, x);
            FloatVector k3w = fw(c, v3k, w3k);
            FloatVector.fromArray(F, v, k).add(k3v.mul(c.dt)).intoArray(v3, k);
            FloatVector.fromArray(F, w, k).add(k3w.mul(c.dt)).intoArray(w3, k);
            FloatVector.fromArray(F, sumV, k).add(k3v.mul(2f)).intoArray(sumV, k);
            FloatVector.fromArray(F, sumW, k).add(k3w.mul(2f)).intoArray(sumW, k);
        }
    }

    /** rk4's k4 for one row (its state in v4, w4): h = y + dt/6 (k1 + 2 k2 + 2 k3 + k4) into h_seq, w's into w (izhFireRow fires). */
    private static void izhRk4FourthStage(IzhStages c, float[] x_seq, int i0, int n, float[] v, float[] w,
                                          float[] v4, float[] w4, float[] sumV, float[] sumW, float[] h_seq) {
        for (int k = 0, i = i0; k < n; k += F.length(), i += F.length()) {
            FloatVector x = FloatVector.fromArray(F, x_seq, i);
            FloatVector v4k = FloatVector.fromArray(F, v4, k);
            FloatVector w4k = FloatVector.fromArray(F, w4, k);
            FloatVector.fromArray(F, v, k).add(FloatVector.fromArray(F, sumV, k).add(fv(c, v4k, w4k, x)).mul(c.dtSixth)).intoArray(h_seq, i);
            FloatVector.fromArray(F, w, k).add(FloatVector.fromArray(F, sumW, k).add(fw(c, v4k, w4k)).mul(c.dtSixth)).intoArray(w, k);
        }
    }

    /**
     * Fire and reset for a row whose h is in {@code h_seq[i0 ..]} and whose w before the spike's
     * {@code + b} is in w: the second pass of rk2 and rk4, whose stages are too large for C2 to
     * inline the fire after them (NodeCountInliningCutoff boxed their vectors: 10-20 MB allocated
     * per call of T 50 x 16384).
     */
    private static void izhFireRow(IzhSpec p, int i0, int n, float[] v, float[] w, float[] h_seq, byte[] spike_seq,
                                   float[] w_seq) {
        for (int k = 0, i = i0; k < n; k += F.length(), i += F.length()) {
            izhFire(p, FloatVector.fromArray(F, h_seq, i), FloatVector.fromArray(F, w, k), v, w, k, h_seq, spike_seq,
                    w_seq, i);
        }
    }

    /** IzhStages.fv: {@code (x + a0 * (v - v_rest) * (v - v_c) - w) / tau}. */
    private static FloatVector fv(IzhStages c, FloatVector v, FloatVector w, FloatVector x) {
        return divide(x.add(v.sub(c.vRest).mul(c.a0).mul(v.sub(c.vC))).sub(w), c.tau, c.exactInvTau);
    }

    /** IzhStages.fw: {@code (a * (v - v_rest) - w) / tau_w}. */
    private static FloatVector fw(IzhStages c, FloatVector v, FloatVector w) {
        return divide(v.sub(c.vRest).mul(c.a).sub(w), c.tauW, c.exactInvTauW);
    }

    /** Fire and reset for the Izhikevich neuron, h already at {@code h_seq[i]} (as {@link #fire}): v reset, w1 + b on a spike, spikes stored. */
    private static void izhFire(IzhSpec p, FloatVector h, FloatVector w1, float[] v, float[] w, int k, float[] h_seq,
                                byte[] spike_seq, float[] w_seq, int i) {
        float vTh = p.vTh();
        VectorMask<Float> fired = h.sub(vTh).compare(VectorOperators.GE, 0f);
        FloatVector s = FloatVector.zero(F).blend(1f, fired);
        FloatVector vn = p.softReset() ? h.sub(s.mul(vTh)) : s.neg().add(1f).mul(h).add(s.mul(p.vReset()));
        vn.intoArray(v, k);
        FloatVector wn = w1.add(s.mul(p.b()));
        wn.intoArray(w, k);
        if (w_seq != null) {
            wn.intoArray(w_seq, i);
        }
        if (MASK_TO_BYTES) { // STORE SPIKES, written out: see there
            ((ByteVector) IntVector.zero(INTS).blend(ONE_INT, fired.cast(INTS)).castShape(SPIKE_LANES, 0)).intoArray(spike_seq, i);
        } else {
            storeSpikesByCompare(h_seq, vTh, spike_seq, i);
        }
    }

    static void izhBackward(IzhSpec p, float[] grad_spike_seq, float[] h_seq, byte[] spike_seq, int T, int M,
                            int m0, int m1, float[] grad_x_seq) {
        float vC = p.vC();
        float vRest = p.vRest();
        float b = p.b();
        float vTh = p.vTh();
        float alpha = NeuronKernels.SURROGATE_ALPHA;
        float vr = p.vReset();
        boolean soft = p.softReset();
        boolean symplectic = p.integrator() == Integrator.SYMPLECTIC;
        float dvdx = (float) (p.dt() / p.tau());
        float dwdv = (float) (p.dt() * p.a() / p.tauW());
        float dwdw = (float) (1 - p.dt() / p.tauW());
        float quad = (float) (p.dt() * p.a0() / p.tau());
        int n = m1 - m0;
        // FEWER OPERATIONS (below)
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector vrV = FloatVector.broadcast(F, vr);
        FloatVector negAlpha = FloatVector.broadcast(F, -alpha);
        float[] gv = new float[n];
        float[] gw = new float[n];
        for (int t = T - 1; t >= 0; t--) {
            int row = t * M;
            for (int k = 0; k < n; k += F.length()) {
                int i = row + m0 + k;
                FloatVector h = FloatVector.fromArray(F, h_seq, i);
                FloatVector vPrev;
                if (t == 0) {
                    vPrev = FloatVector.broadcast(F, p.vInit());
                } else {
                    FloatVector hp = FloatVector.fromArray(F, h_seq, i - M);
                    FloatVector sp = spikes(hp, vTh);
                    vPrev = soft ? hp.sub(sp.mul(vTh)) : one.sub(sp).mul(hp).add(sp.mul(vr));
                }
                FloatVector g = FloatVector.fromArray(F, gv, k);
                FloatVector gwNext = FloatVector.fromArray(F, gw, k);
                FloatVector dvdh = soft ? one : notFired(h, vTh); // 1 - s
                FloatVector dvds = soft ? FloatVector.broadcast(F, -vTh) : vrV.sub(h);
                FloatVector gs = FloatVector.fromArray(F, grad_spike_seq, i).add(g.mul(dvds)).add(gwNext.mul(b));
                FloatVector term = gs;
                // The surrogate (SURROGATE below), written out: a call to it was inlined or not
                // depending on what C2 had compiled before (izh backward 4 or 13 ms per step, JDK 17).
                // It multiplies term; where every lane of term is +-0 and h finite, the product is
                // that zero whatever the surrogate's value (finite and >= +0), so 1 gives the same
                // bits without it: after a sample's last gradient step nothing flows back.
                FloatVector sg;
                if (term.compare(VectorOperators.NE, 0f).or(h.sub(h).compare(VectorOperators.NE, 0f)).anyTrue()) {
                    FloatVector u = h.sub(vTh).mul(negAlpha);
                    FloatVector y = u.mul(NeuronKernels.EXP_LOG2E).add(NeuronKernels.EXP_SHIFT);
                    FloatVector nf = y.sub(NeuronKernels.EXP_SHIFT);
                    FloatVector r = u.sub(nf.mul(NeuronKernels.EXP_LN2_HI)).sub(nf.mul(NeuronKernels.EXP_LN2_LO));
                    FloatVector poly = r.mul(NeuronKernels.EXP_P0).add(NeuronKernels.EXP_P1).mul(r).add(NeuronKernels.EXP_P2)
                            .mul(r).add(NeuronKernels.EXP_P3).mul(r).add(NeuronKernels.EXP_P4).mul(r).add(NeuronKernels.EXP_P5);
                    VectorMask<Float> cut = u.abs().compare(VectorOperators.GT, NeuronKernels.SURROGATE_CUT);
                    FloatVector pow2 = y.reinterpretAsInts().add(NeuronKernels.EXP_BIAS).lanewise(VectorOperators.LSHL, 23)
                            .reinterpretAsFloats().blend(1f, cut); // CUT LANES, below
                    FloatVector sig = FloatVector.broadcast(F, 1f).div(poly.mul(r.mul(r)).add(r).add(1f).mul(pow2).add(1f));
                    sg = sig.mul(alpha).mul(one.sub(sig)).blend(0f, cut);
                } else {
                    sg = FloatVector.broadcast(F, 1f);
                }
                FloatVector gh = g.mul(dvdh).add(term.mul(sg));
                FloatVector dv1dv = vPrev.sub(vC).add(vPrev.sub(vRest)).mul(quad).add(1f);
                FloatVector gPrevV;
                FloatVector gPrevW;
                if (symplectic) {
                    FloatVector gw1 = gwNext.sub(gh.mul(dvdx));
                    gPrevV = gh.mul(dv1dv).add(gw1.mul(dwdv));
                    gPrevW = gw1.mul(dwdw);
                } else {
                    gh = gh.add(gwNext.mul(dwdv));
                    gPrevV = gh.mul(dv1dv);
                    gPrevW = gwNext.mul(dwdw).sub(gh.mul(dvdx));
                }
                gh.mul(dvdx).intoArray(grad_x_seq, i);
                gPrevV.intoArray(gv, k);
                gPrevW.intoArray(gw, k);
            }
        }
    }

    /**
     * Backward of {@link #izhForwardStages}: NeuronKernels' izhBackwardStages with IzhStages.backStep
     * for one sub-step, on vectors, the same float operations in the same order (each stageBack
     * written out: {@code gy = (g_kv * a0/tau * ((v_s - v_c) + (v_s - v_rest)) + g_kw * a/tau_w,
     * -g_kv / tau - g_kw / tau_w)}, and {@code g_kv / tau} into dL/dx).
     */
    static void izhBackwardStages(IzhSpec p, float[] grad_spike_seq, float[] x_seq, float[] h_seq, float[] w_seq,
                                  int T, int M, int m0, int m1, float[] grad_x_seq) {
        IzhStages c = new IzhStages(p);
        boolean rk2 = p.integrator() == Integrator.RK2;
        if (rk2 && interleaved(c)) {
            izhBackwardRk2Interleaved(p, c, grad_spike_seq, x_seq, h_seq, w_seq, T, M, m0, m1, grad_x_seq);
            return;
        }
        int n = m1 - m0;
        float[] gv = new float[n];
        float[] gw = new float[n];
        float[] ghRow = new float[n]; // dL/dh of step t, before the stages take it back to step t-1
        float[] vPrevRow = new float[n]; // the state before step t
        float[] wPrevRow = new float[n];
        float[] v2Row = rk2 ? null : new float[n]; // rk4: the v of stages 2, 3 and 4 (izhRk4StagesV)
        float[] v3Row = rk2 ? null : new float[n];
        float[] w3Row = rk2 ? null : new float[n];
        float[] v4Row = rk2 ? null : new float[n];
        for (int t = T - 1; t >= 0; t--) {
            izhSurrogateStateRow(p, grad_spike_seq, h_seq, w_seq, t, M, m0, n, gv, gw, ghRow, vPrevRow, wPrevRow);
            // The stages, one method per integrator (the two in one loop were too large for C2:
            // rk4's backward 32 ms against 54 for the scalar code).
            if (rk2) {
                izhBackRk2(c, x_seq, vPrevRow, wPrevRow, ghRow, gv, gw, t, M, m0, n, grad_x_seq);
            } else {
                izhRk4StagesV(c, x_seq, vPrevRow, wPrevRow, t, M, m0, n, v2Row, v3Row, w3Row);
                izhRk4FourthV(c, x_seq, vPrevRow, t, M, m0, n, v3Row, w3Row, v4Row);
                izhBackRk4(c, vPrevRow, v2Row, v3Row, v4Row, ghRow, gv, gw, t, M, m0, n, grad_x_seq);
            }
        }
    }

    /**
     * izhBackwardStages' first pass over row t: dL/dh of the step into ghRow (the reset and the
     * surrogate, written out as in izhBackward and skipped where term is all zeros), and the state
     * before the step into vPrevRow, wPrevRow (reset(h) and w of step t-1), whose loads then run beside the
     * surrogate's arithmetic. The constants are vectors made before the loop: as float operands each
     * would inline a broadcast, and with them the pass ran past C2's node budget and boxed.
     */
    private static void izhSurrogateStateRow(IzhSpec p, float[] grad_spike_seq, float[] h_seq, float[] w_seq, int t, int M,
                                             int m0, int n, float[] gv, float[] gw, float[] ghRow, float[] vPrevRow,
                                             float[] wPrevRow) {
        if (t == 0) { // the state before the first step: the initial one
            java.util.Arrays.fill(vPrevRow, 0, n, p.vInit());
            java.util.Arrays.fill(wPrevRow, 0, n, p.wRest());
        }
        boolean soft = p.softReset();
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector bV = FloatVector.broadcast(F, p.b());
        FloatVector vThV = FloatVector.broadcast(F, p.vTh());
        FloatVector negVTh = FloatVector.broadcast(F, -p.vTh());
        FloatVector vrV = FloatVector.broadcast(F, p.vReset());
        // FEWER OPERATIONS (below)
        FloatVector alphaV = FloatVector.broadcast(F, NeuronKernels.SURROGATE_ALPHA);
        FloatVector negAlpha = FloatVector.broadcast(F, -NeuronKernels.SURROGATE_ALPHA);
        FloatVector log2e = FloatVector.broadcast(F, NeuronKernels.EXP_LOG2E);
        FloatVector shift = FloatVector.broadcast(F, NeuronKernels.EXP_SHIFT);
        FloatVector ln2Hi = FloatVector.broadcast(F, NeuronKernels.EXP_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, NeuronKernels.EXP_LN2_LO);
        FloatVector p0 = FloatVector.broadcast(F, NeuronKernels.EXP_P0);
        FloatVector p1 = FloatVector.broadcast(F, NeuronKernels.EXP_P1);
        FloatVector p2 = FloatVector.broadcast(F, NeuronKernels.EXP_P2);
        FloatVector p3 = FloatVector.broadcast(F, NeuronKernels.EXP_P3);
        FloatVector p4 = FloatVector.broadcast(F, NeuronKernels.EXP_P4);
        FloatVector p5 = FloatVector.broadcast(F, NeuronKernels.EXP_P5);
        FloatVector cutV = FloatVector.broadcast(F, NeuronKernels.SURROGATE_CUT);
        IntVector bias = IntVector.broadcast(INTS, NeuronKernels.EXP_BIAS);
        for (int k = 0, i = t * M + m0; k < n; k += F.length(), i += F.length()) {
            FloatVector h = FloatVector.fromArray(F, h_seq, i);
            FloatVector g = FloatVector.fromArray(F, gv, k);
            FloatVector gwNext = FloatVector.fromArray(F, gw, k);
            FloatVector dvdh = soft ? one : one.blend(zero, h.sub(vThV).compare(VectorOperators.GE, zero)); // 1 - s
            FloatVector dvds = soft ? negVTh : vrV.sub(h);
            FloatVector term = FloatVector.fromArray(F, grad_spike_seq, i).add(g.mul(dvds)).add(gwNext.mul(bV));
            FloatVector sg;
            if (term.compare(VectorOperators.NE, zero).or(h.sub(h).compare(VectorOperators.NE, zero)).anyTrue()) {
                FloatVector u = h.sub(vThV).mul(negAlpha);
                FloatVector y = u.mul(log2e).add(shift);
                FloatVector nf = y.sub(shift);
                FloatVector r = u.sub(nf.mul(ln2Hi)).sub(nf.mul(ln2Lo));
                FloatVector poly = r.mul(p0).add(p1).mul(r).add(p2).mul(r).add(p3).mul(r).add(p4).mul(r).add(p5);
                VectorMask<Float> cut = u.abs().compare(VectorOperators.GT, cutV);
                // CUT LANES, below
                FloatVector pow2 = y.reinterpretAsInts().add(bias).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()
                        .blend(one, cut);
                FloatVector sig = one.div(poly.mul(r.mul(r)).add(r).add(one).mul(pow2).add(one));
                sg = sig.mul(alphaV).mul(one.sub(sig)).blend(zero, cut);
            } else {
                sg = one;
            }
            g.mul(dvdh).add(term.mul(sg)).intoArray(ghRow, k);
            if (t > 0) {
                FloatVector hp = FloatVector.fromArray(F, h_seq, i - M);
                FloatVector sp = zero.blend(one, hp.sub(vThV).compare(VectorOperators.GE, zero));
                (soft ? hp.sub(sp.mul(vThV)) : one.sub(sp).mul(hp).add(sp.mul(vrV))).intoArray(vPrevRow, k);
                FloatVector.fromArray(F, w_seq, i - M).intoArray(wPrevRow, k);
            }
        }
    }

    /**
     * izh rk2's whole backward where tau and tau_w have exact reciprocals: per row the surrogate,
     * the state before the step and the adjoint of Heun's step (izhBackwardStages' three passes,
     * their operations in their order) in one pass, two vectors (A, B) at a time with their
     * operations interleaved and the constants held as vectors ({@link #izhRk4Row}). Three passes
     * each took their DRAM rows at the pace of their own arithmetic; one pass overlaps them.
     */
    private static void izhBackwardRk2Interleaved(IzhSpec p, IzhStages c, float[] grad_spike_seq, float[] x_seq,
                                                  float[] h_seq, float[] w_seq, int T, int M, int m0, int m1,
                                                  float[] grad_x_seq) {
        int n = m1 - m0;
        float[] gv = new float[n];
        float[] gw = new float[n];
        // A call per row, as izhRk4Row: C2 compiles the row's method whole a second into the
        // warm-up. With the time loop inside, entered once per chunk, it ran for many calls as C1's
        // code jumping into C2's on-stack-replacement loop (and allocated meanwhile).
        for (int t = T - 1; t >= 0; t--) {
            izhBackRk2RowInterleaved(p, c, grad_spike_seq, x_seq, h_seq, w_seq, t, M, m0, n, gv, gw, grad_x_seq);
        }
    }

    /** Row t of {@link #izhBackwardRk2Interleaved}: dL/d(v, w) of step t in gv, gw on entry, of step t-1 on return. */
    private static void izhBackRk2RowInterleaved(IzhSpec p, IzhStages c, float[] grad_spike_seq, float[] x_seq, float[] h_seq,
                                                 float[] w_seq, int t, int M, int m0, int n, float[] gv, float[] gw,
                                                 float[] grad_x_seq) {
        final int L = F.length();
        boolean soft = p.softReset();
        FloatVector bV = FloatVector.broadcast(F, p.b());
        FloatVector vThV = FloatVector.broadcast(F, p.vTh());
        FloatVector negVTh = FloatVector.broadcast(F, -p.vTh());
        FloatVector vrV = FloatVector.broadcast(F, p.vReset());
        FloatVector vInit = FloatVector.broadcast(F, p.vInit());
        FloatVector wInit = FloatVector.broadcast(F, p.wRest());
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector zero = FloatVector.zero(F);
        // the surrogate's: -(z alpha) as z (-alpha), 1 - sig as sig's -sig + 1, the same bits
        FloatVector alphaV = FloatVector.broadcast(F, NeuronKernels.SURROGATE_ALPHA);
        FloatVector negAlpha = FloatVector.broadcast(F, -NeuronKernels.SURROGATE_ALPHA);
        FloatVector log2e = FloatVector.broadcast(F, NeuronKernels.EXP_LOG2E);
        FloatVector shift = FloatVector.broadcast(F, NeuronKernels.EXP_SHIFT);
        FloatVector ln2Hi = FloatVector.broadcast(F, NeuronKernels.EXP_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, NeuronKernels.EXP_LN2_LO);
        FloatVector p0 = FloatVector.broadcast(F, NeuronKernels.EXP_P0);
        FloatVector p1 = FloatVector.broadcast(F, NeuronKernels.EXP_P1);
        FloatVector p2 = FloatVector.broadcast(F, NeuronKernels.EXP_P2);
        FloatVector p3 = FloatVector.broadcast(F, NeuronKernels.EXP_P3);
        FloatVector p4 = FloatVector.broadcast(F, NeuronKernels.EXP_P4);
        FloatVector p5 = FloatVector.broadcast(F, NeuronKernels.EXP_P5);
        FloatVector cut = FloatVector.broadcast(F, NeuronKernels.SURROGATE_CUT);
        IntVector bias = IntVector.broadcast(INTS, NeuronKernels.EXP_BIAS);
        // the step's and its adjoint's; -g * (1/tau) as g * -(1/tau), the same bits
        FloatVector vRest = FloatVector.broadcast(F, c.vRest);
        FloatVector vC = FloatVector.broadcast(F, c.vC);
        FloatVector a0 = FloatVector.broadcast(F, c.a0);
        FloatVector invTauX = FloatVector.broadcast(F, c.exactInvTau); // the forward's x / tau as x * (1/tau)
        FloatVector dt = FloatVector.broadcast(F, c.dt);
        FloatVector dtHalf = FloatVector.broadcast(F, c.dtHalf);
        FloatVector a0Tau = FloatVector.broadcast(F, c.a0Tau);
        FloatVector aTauW = FloatVector.broadcast(F, c.aTauW);
        FloatVector invTau = FloatVector.broadcast(F, c.invTau);
        FloatVector negInvTau = FloatVector.broadcast(F, -c.invTau);
        FloatVector invTauW = FloatVector.broadcast(F, c.invTauW);
        for (int k = 0, i = t * M + m0; k < n; k += 2 * L, i += 2 * L) {
            FloatVector hA = FloatVector.fromArray(F, h_seq, i);
            FloatVector hB = FloatVector.fromArray(F, h_seq, i + L);
            FloatVector gA = FloatVector.fromArray(F, gv, k);
            FloatVector gB = FloatVector.fromArray(F, gv, k + L);
            FloatVector gwNextA = FloatVector.fromArray(F, gw, k);
            FloatVector gwNextB = FloatVector.fromArray(F, gw, k + L);
            FloatVector dvdhA = soft ? one : one.blend(zero, hA.sub(vThV).compare(VectorOperators.GE, zero)); // 1 - s
            FloatVector dvdhB = soft ? one : one.blend(zero, hB.sub(vThV).compare(VectorOperators.GE, zero));
            FloatVector dvdsA = soft ? negVTh : vrV.sub(hA);
            FloatVector dvdsB = soft ? negVTh : vrV.sub(hB);
            FloatVector termA = FloatVector.fromArray(F, grad_spike_seq, i).add(gA.mul(dvdsA)).add(gwNextA.mul(bV));
            FloatVector termB = FloatVector.fromArray(F, grad_spike_seq, i + L).add(gB.mul(dvdsB)).add(gwNextB.mul(bV));
            // the surrogate, skipped where both vectors' terms are all zeros
            FloatVector sgA;
            FloatVector sgB;
            if (termA.compare(VectorOperators.NE, zero).or(hA.sub(hA).compare(VectorOperators.NE, zero))
                    .or(termB.compare(VectorOperators.NE, zero)).or(hB.sub(hB).compare(VectorOperators.NE, zero))
                    .anyTrue()) {
                FloatVector uA = hA.sub(vThV).mul(negAlpha);
                FloatVector uB = hB.sub(vThV).mul(negAlpha);
                FloatVector yA = uA.mul(log2e).add(shift);
                FloatVector yB = uB.mul(log2e).add(shift);
                FloatVector nfA = yA.sub(shift);
                FloatVector nfB = yB.sub(shift);
                FloatVector rA = uA.sub(nfA.mul(ln2Hi)).sub(nfA.mul(ln2Lo));
                FloatVector rB = uB.sub(nfB.mul(ln2Hi)).sub(nfB.mul(ln2Lo));
                FloatVector polyA = rA.mul(p0).add(p1).mul(rA).add(p2).mul(rA).add(p3).mul(rA).add(p4).mul(rA).add(p5);
                FloatVector polyB = rB.mul(p0).add(p1).mul(rB).add(p2).mul(rB).add(p3).mul(rB).add(p4).mul(rB).add(p5);
                VectorMask<Float> cutA = uA.abs().compare(VectorOperators.GT, cut);
                VectorMask<Float> cutB = uB.abs().compare(VectorOperators.GT, cut);
                // CUT LANES, below
                FloatVector pow2A = yA.reinterpretAsInts().add(bias).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()
                        .blend(one, cutA);
                FloatVector pow2B = yB.reinterpretAsInts().add(bias).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats()
                        .blend(one, cutB);
                FloatVector sigA = one.div(polyA.mul(rA.mul(rA)).add(rA).add(one).mul(pow2A).add(one));
                FloatVector sigB = one.div(polyB.mul(rB.mul(rB)).add(rB).add(one).mul(pow2B).add(one));
                sgA = sigA.mul(alphaV).mul(one.sub(sigA)).blend(zero, cutA);
                sgB = sigB.mul(alphaV).mul(one.sub(sigB)).blend(zero, cutB);
            } else {
                sgA = one;
                sgB = one;
            }
            FloatVector ghA = gA.mul(dvdhA).add(termA.mul(sgA));
            FloatVector ghB = gB.mul(dvdhB).add(termB.mul(sgB));
            // the state before the step (as izhSurrogateStateRow)
            FloatVector vPrevA = vInit;
            FloatVector vPrevB = vInit;
            FloatVector wPrevA = wInit;
            FloatVector wPrevB = wInit;
            if (t > 0) {
                FloatVector hpA = FloatVector.fromArray(F, h_seq, i - M);
                FloatVector hpB = FloatVector.fromArray(F, h_seq, i + L - M);
                FloatVector spA = zero.blend(one, hpA.sub(vThV).compare(VectorOperators.GE, zero));
                FloatVector spB = zero.blend(one, hpB.sub(vThV).compare(VectorOperators.GE, zero));
                vPrevA = soft ? hpA.sub(spA.mul(vThV)) : one.sub(spA).mul(hpA).add(spA.mul(vrV));
                vPrevB = soft ? hpB.sub(spB.mul(vThV)) : one.sub(spB).mul(hpB).add(spB.mul(vrV));
                wPrevA = FloatVector.fromArray(F, w_seq, i - M);
                wPrevB = FloatVector.fromArray(F, w_seq, i + L - M);
            }
            // Heun's step again and its adjoint (izhBackRk2)
            FloatVector xA = FloatVector.fromArray(F, x_seq, i);
            FloatVector xB = FloatVector.fromArray(F, x_seq, i + L);
            FloatVector v2A = vPrevA.add(xA.add(vPrevA.sub(vRest).mul(a0).mul(vPrevA.sub(vC))).sub(wPrevA).mul(invTauX).mul(dt));
            FloatVector v2B = vPrevB.add(xB.add(vPrevB.sub(vRest).mul(a0).mul(vPrevB.sub(vC))).sub(wPrevB).mul(invTauX).mul(dt));
            FloatVector g1vA = ghA.mul(dtHalf);
            FloatVector g1vB = ghB.mul(dtHalf);
            FloatVector g1wA = gwNextA.mul(dtHalf);
            FloatVector g1wB = gwNextB.mul(dtHalf);
            FloatVector gy0A = g1vA.mul(v2A.sub(vC).add(v2A.sub(vRest)).mul(a0Tau)).add(g1wA.mul(aTauW));
            FloatVector gy0B = g1vB.mul(v2B.sub(vC).add(v2B.sub(vRest)).mul(a0Tau)).add(g1wB.mul(aTauW));
            FloatVector gy1A = g1vA.mul(negInvTau).sub(g1wA.mul(invTauW));
            FloatVector gy1B = g1vB.mul(negInvTau).sub(g1wB.mul(invTauW));
            FloatVector gxA = zero.add(g1vA.mul(invTau));
            FloatVector gxB = zero.add(g1vB.mul(invTau));
            FloatVector syvA = ghA.add(gy0A);
            FloatVector syvB = ghB.add(gy0B);
            FloatVector sywA = gwNextA.add(gy1A);
            FloatVector sywB = gwNextB.add(gy1B);
            g1vA = g1vA.add(gy0A.mul(dt));
            g1vB = g1vB.add(gy0B.mul(dt));
            g1wA = g1wA.add(gy1A.mul(dt));
            g1wB = g1wB.add(gy1B.mul(dt));
            gy0A = g1vA.mul(vPrevA.sub(vC).add(vPrevA.sub(vRest)).mul(a0Tau)).add(g1wA.mul(aTauW));
            gy0B = g1vB.mul(vPrevB.sub(vC).add(vPrevB.sub(vRest)).mul(a0Tau)).add(g1wB.mul(aTauW));
            gy1A = g1vA.mul(negInvTau).sub(g1wA.mul(invTauW));
            gy1B = g1vB.mul(negInvTau).sub(g1wB.mul(invTauW));
            gxA = gxA.add(g1vA.mul(invTau));
            gxB = gxB.add(g1vB.mul(invTau));
            syvA.add(gy0A).intoArray(gv, k);
            syvB.add(gy0B).intoArray(gv, k + L);
            sywA.add(gy1A).intoArray(gw, k);
            sywB.add(gy1B).intoArray(gw, k + L);
            gxA.intoArray(grad_x_seq, i);
            gxB.intoArray(grad_x_seq, i + L);

        }
    }

    /**
     * IzhStages.backStep's rk2, one sub-step, for row t: the state before the step from vPrevRow,
     * wPrevRow, dL/dh from ghRow; dL/d(v, w) of step t-1 into gv, gw.
     */
    private static void izhBackRk2(IzhStages c, float[] x_seq, float[] vPrevRow, float[] wPrevRow, float[] ghRow,
                                   float[] gv, float[] gw, int t, int M, int m0, int n, float[] grad_x_seq) {
        for (int k = 0; k < n; k += F.length()) {
            int i = t * M + m0 + k;
            FloatVector vPrev = FloatVector.fromArray(F, vPrevRow, k);
            FloatVector wPrev = FloatVector.fromArray(F, wPrevRow, k);
            FloatVector gh = FloatVector.fromArray(F, ghRow, k);
            FloatVector gwNext = FloatVector.fromArray(F, gw, k);
            FloatVector x = FloatVector.fromArray(F, x_seq, i);
            FloatVector gx = FloatVector.zero(F);
            FloatVector syv;
            FloatVector syw;
            FloatVector gy0;
            FloatVector gy1;
            // y' = y + dt/2*(k1 + k2), k2 = f(y + dt*k1), k1 = f(y)
            FloatVector v2 = vPrev.add(fv(c, vPrev, wPrev, x).mul(c.dt));
            FloatVector g1v = gh.mul(c.dtHalf);
            FloatVector g1w = gwNext.mul(c.dtHalf);
            gy0 = g1v.mul(v2.sub(c.vC).add(v2.sub(c.vRest)).mul(c.a0Tau)).add(g1w.mul(c.aTauW));
            gy1 = g1v.neg().mul(c.invTau).sub(g1w.mul(c.invTauW));
            gx = gx.add(g1v.mul(c.invTau));
            syv = gh.add(gy0);
            syw = gwNext.add(gy1);
            g1v = g1v.add(gy0.mul(c.dt));
            g1w = g1w.add(gy1.mul(c.dt));
            gy0 = g1v.mul(vPrev.sub(c.vC).add(vPrev.sub(c.vRest)).mul(c.a0Tau)).add(g1w.mul(c.aTauW));
            gy1 = g1v.neg().mul(c.invTau).sub(g1w.mul(c.invTauW));
            gx = gx.add(g1v.mul(c.invTau));
            syv.add(gy0).intoArray(gv, k);
            syw.add(gy1).intoArray(gw, k);
            gx.intoArray(grad_x_seq, i);
        }
    }

    /**
     * rk4's stages 2 and 3 recomputed for row t from the state before it: v2Row, v3Row, w3Row (stage
     * i reads y + c_i*dt*k_(i-1), and only its v enters the adjoint; w3 is for izhRk4FourthV). A pass
     * of its own: with the adjoint in one method C2 stopped inlining at NodeCountInliningCutoff and
     * boxed the vectors (30 MB allocated per backward of T 50 x 16384).
     */
    private static void izhRk4StagesV(IzhStages c, float[] x_seq, float[] vPrevRow, float[] wPrevRow, int t, int M,
                                      int m0, int n, float[] v2Row, float[] v3Row, float[] w3Row) {
        for (int k = 0; k < n; k += F.length()) {
            int i = t * M + m0 + k;
            FloatVector vPrev = FloatVector.fromArray(F, vPrevRow, k);
            FloatVector wPrev = FloatVector.fromArray(F, wPrevRow, k);
            FloatVector x = FloatVector.fromArray(F, x_seq, i);
            FloatVector k1v = fv(c, vPrev, wPrev, x);
            FloatVector k1w = fw(c, vPrev, wPrev);
            FloatVector v2 = vPrev.add(k1v.mul(c.dtHalf));
            FloatVector w2 = wPrev.add(k1w.mul(c.dtHalf));
            FloatVector k2v = fv(c, v2, w2, x);
            FloatVector k2w = fw(c, v2, w2);
            v2.intoArray(v2Row, k);
            vPrev.add(k2v.mul(c.dtHalf)).intoArray(v3Row, k);
            wPrev.add(k2w.mul(c.dtHalf)).intoArray(w3Row, k);
        }
    }

    /** rk4's fourth stage's v for row t, y + dt k3 (k3 from v3Row, w3Row), into v4Row: after izhRk4StagesV, for the same reason. */
    private static void izhRk4FourthV(IzhStages c, float[] x_seq, float[] vPrevRow, int t, int M, int m0, int n,
                                      float[] v3Row, float[] w3Row, float[] v4Row) {
        for (int k = 0; k < n; k += F.length()) {
            FloatVector x = FloatVector.fromArray(F, x_seq, t * M + m0 + k);
            FloatVector v3 = FloatVector.fromArray(F, v3Row, k);
            FloatVector k3v = fv(c, v3, FloatVector.fromArray(F, w3Row, k), x);
            FloatVector.fromArray(F, vPrevRow, k).add(k3v.mul(c.dt)).intoArray(v4Row, k);
        }
    }

    /** As {@link #izhBackRk2} for rk4, the stages' v from {@link #izhRk4StagesV}. */
    private static void izhBackRk4(IzhStages c, float[] vPrevRow, float[] v2Row, float[] v3Row, float[] v4Row,
                                   float[] ghRow, float[] gv, float[] gw, int t, int M, int m0, int n,
                                   float[] grad_x_seq) {
        for (int k = 0; k < n; k += F.length()) {
            int i = t * M + m0 + k;
            FloatVector vPrev = FloatVector.fromArray(F, vPrevRow, k);
            FloatVector gh = FloatVector.fromArray(F, ghRow, k);
            FloatVector gwNext = FloatVector.fromArray(F, gw, k);
            FloatVector gx = FloatVector.zero(F);
            FloatVector syv;
            FloatVector syw;
            FloatVector gy0;
            FloatVector gy1;
            // y' = y + dt/6*(k1 + 2 k2 + 2 k3 + k4)
            FloatVector v2 = FloatVector.fromArray(F, v2Row, k);
            FloatVector v3 = FloatVector.fromArray(F, v3Row, k);
            FloatVector v4 = FloatVector.fromArray(F, v4Row, k);
            FloatVector g1v = gh.mul(c.dtSixth);
            FloatVector g1w = gwNext.mul(c.dtSixth);
            FloatVector g2v = g1v.mul(2f);
            FloatVector g2w = g1w.mul(2f);
            FloatVector g3v = g2v;
            FloatVector g3w = g2w;
            // k4 = f(y + dt*k3)
            gy0 = g1v.mul(v4.sub(c.vC).add(v4.sub(c.vRest)).mul(c.a0Tau)).add(g1w.mul(c.aTauW));
            gy1 = g1v.neg().mul(c.invTau).sub(g1w.mul(c.invTauW));
            gx = gx.add(g1v.mul(c.invTau));
            syv = gh.add(gy0);
            syw = gwNext.add(gy1);
            g3v = g3v.add(gy0.mul(c.dt));
            g3w = g3w.add(gy1.mul(c.dt));
            // k3 = f(y + dt/2*k2)
            gy0 = g3v.mul(v3.sub(c.vC).add(v3.sub(c.vRest)).mul(c.a0Tau)).add(g3w.mul(c.aTauW));
            gy1 = g3v.neg().mul(c.invTau).sub(g3w.mul(c.invTauW));
            gx = gx.add(g3v.mul(c.invTau));
            syv = syv.add(gy0);
            syw = syw.add(gy1);
            g2v = g2v.add(gy0.mul(c.dtHalf));
            g2w = g2w.add(gy1.mul(c.dtHalf));
            // k2 = f(y + dt/2*k1)
            gy0 = g2v.mul(v2.sub(c.vC).add(v2.sub(c.vRest)).mul(c.a0Tau)).add(g2w.mul(c.aTauW));
            gy1 = g2v.neg().mul(c.invTau).sub(g2w.mul(c.invTauW));
            gx = gx.add(g2v.mul(c.invTau));
            syv = syv.add(gy0);
            syw = syw.add(gy1);
            g1v = g1v.add(gy0.mul(c.dtHalf));
            g1w = g1w.add(gy1.mul(c.dtHalf));
            // k1 = f(y)
            gy0 = g1v.mul(vPrev.sub(c.vC).add(vPrev.sub(c.vRest)).mul(c.a0Tau)).add(g1w.mul(c.aTauW));
            gy1 = g1v.neg().mul(c.invTau).sub(g1w.mul(c.invTauW));
            gx = gx.add(g1v.mul(c.invTau));
            syv.add(gy0).intoArray(gv, k);
            syw.add(gy1).intoArray(gw, k);
            gx.intoArray(grad_x_seq, i);
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * {@code x / d}, as the scalar code divides; as {@code x * inv} when {@code inv} is
     * {@link NeuronKernels#exactReciprocal}'s nonzero 1/d, the same bits for a fraction of the
     * cost. The branch is loop-invariant, and a run takes only one side of it (C2 compiles the
     * other as a trap).
     */
    private static FloatVector divide(FloatVector x, float d, float inv) {
        return inv != 0f ? x.mul(inv) : x.div(d);
    }

    /**
     * {@code 1 - s} for the spikes s of potentials h ({@link #spikes}), the same bits in one blend:
     * 1 where h did not fire and +0 where it did, as {@code 1 - 1} rounds.
     */
    private static FloatVector notFired(FloatVector h, float vTh) {
        return FloatVector.broadcast(F, 1f).blend(0f, h.sub(vTh).compare(VectorOperators.GE, 0f));
    }

    /** The spikes of potentials h as 0/1 floats: {@code H(h - v_th)}, the forward's own comparison. */
    private static FloatVector spikes(FloatVector h, float vTh) {
        return FloatVector.zero(F).blend(1f, h.sub(vTh).compare(VectorOperators.GE, 0f));
    }

    /*
     * STORE SPIKES: a vector's spikes, its h already stored at h_seq[i]. With MASK_TO_BYTES the fire
     * mask as 0/1 int lanes narrowed to byte lanes, one store, written out at each fire: as a call
     * past C2's node budget it took the mask boxed (JDK 17, lif rk4's fire pass, inlined into its
     * caller when the rows come in chunks: 5.0 MB per call of T 50 x 32768). Else each lane's h
     * compared again (storeSpikesByCompare, the scalar code's comparison), which takes no mask.
     */

    /** STORE SPIKES without the mask: each lane's h compared again, as the scalar code compares it. */
    private static void storeSpikesByCompare(float[] h_seq, float vTh, byte[] spike_seq, int i) {
        for (int j = 0; j < F.length(); j++) {
            spike_seq[i + j] = (byte) (h_seq[i + j] - vTh >= 0f ? 1 : 0);
        }
    }

    /*
     * SURROGATE: NeuronKernels#surrogateGrad on vectors, operation for operation: alpha sig (1 - sig),
     * sig = 1 / (1 + e^u), u = -alpha z, e^u from its float polynomial and 2^n from y's bits (a lane
     * of |u| > 88 computes garbage there and is blended to 0, as the scalar code returns 0), so the
     * same bits as the scalar path and the CUDA kernel. Written out in each backward loop. In
     * float lanes it costs a third of the double-lane sigmoid it replaced (0.27 against 0.74 ns per
     * neuron on one thread, JDK 25, Zen 5), which was most of every backward.
     *
     * CUT LANES: a lane of |u| > 88 (a neuron 22 or more from v_th: lif rk2's diverging below it at
     * large dt, an Izhikevich neuron's overshoot above it when it fires) takes 2^n = 1 in place of
     * its garbage power of two. Its polynomial times that power could underflow to a subnormal,
     * which this core completes by a microcode assist: lif rk2's backward at dt 5 took 38.5 cycles
     * per vector against 27.7 for exp's (one thread, JDK 25, Zen 5), 28.7 with the blend. The lane's
     * result is blended to 0 all the same, so no bit of the kept lanes changes, and the blend is off
     * the chain (its mask is ready long before the product).
     *
     * FEWER OPERATIONS: the backwards take -(z alpha) as z (-alpha), 1 - sig and v_reset - h as such
     * (not -sig + 1, -h + v_reset) and 1 - s as one blend: IEEE negation is exact and a - b is
     * a + (-b), so the same bits (a NaN's sign aside; it stays a NaN). The loop is bound by its chain
     * of dependent operations filling the core's scheduler, so each operation less counts:
     * lif/exp's backward 28.1 against 30.6 cycles per vector (one thread, JDK 25, Zen 5).
     */
}
