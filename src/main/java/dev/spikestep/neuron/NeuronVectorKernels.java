package dev.spikestep.neuron;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API forms of {@link NeuronKernels}' training path: several neurons per instruction, the
 * time loop outside, over a neuron range whose length is a multiple of {@link #lanes()} (the caller
 * runs the remainder with the scalar code; neurons are independent), and per neuron the same float operations in the same order as the scalar code,
 * so h and spikes are identical. The surrogate computes its sigmoid in double lanes with the Vector
 * API's exp, which may differ from the scalar path's {@code Math.exp} in the last bit of a double
 * (and so, very rarely, of the float). Loaded only when {@link dev.spikestep.simd.VectorSupport#ENABLED}.
 *
 * <p>The backward passes recompute each spike as {@code H(h - v_th)} from {@code h_seq}, the very
 * comparison the forward stored, instead of loading {@code spike_seq}: on JDK 17 the byte-to-float
 * conversion costs more than the compare, and the pass moves one byte less per neuron-step.
 */
final class NeuronVectorKernels {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * How the forward stores spikes as bytes. JDK 17 does not intrinsify the float-to-byte
     * conversion nor {@code VectorMask.toLong} (measured on AVX2: 5-8 ns per spike, against 1.3 ns
     * for the scalar compare and store): there it writes the bytes from the stored h in a scalar
     * loop; newer JDKs (measured on 25: 0.27 ns) take the mask's bits through a table to 8 bytes at
     * a time (whole bytes of lanes only, so not for 4-lane vectors).
     */
    private static final boolean MASK_BITS = Runtime.version().feature() >= 21 && F.length() % 8 == 0;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** LUT[m]: 8 bytes, byte j = bit j of m, little-endian. */
    private static final long[] SPIKE_BYTES = new long[256];

    static {
        for (int m = 0; m < 256; m++) {
            long v = 0;
            for (int j = 0; j < 8; j++) {
                v |= (long) (m >>> j & 1) << (8 * j);
            }
            SPIKE_BYTES[m] = v;
        }
    }

    private NeuronVectorKernels() {
    }

    static int lanes() {
        return F.length();
    }

    // ---------------------------------------------------------------- LIF

    /**
     * One time loop per charge form, each its own method calling its own small form method: C2 then
     * inlines the whole step into the loop whatever it compiled before, and compiling one form's
     * loop does not throw away another's. One loop calling a dispatch over every
     * form was inlined or not depending on which integrator ran first (a callee already compiled
     * into more than InlineSmallCode bytes is not inlined): lif/exp's forward took 8.1 ms per call
     * instead of 0.43 (T 50 x 32768, JDK 25), every vector boxed across the call.
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
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = eulerDecay(c, FloatVector.fromArray(F, v, k), x);
                for (int j = 1; j < K; j++) {
                    h = eulerDecay(c, h, x);
                }
                fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
            }
        }
    }

    private static void lifForwardEulerNoDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = eulerNoDecay(c, FloatVector.fromArray(F, v, k), x);
                for (int j = 1; j < K; j++) {
                    h = eulerNoDecay(c, h, x);
                }
                fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
            }
        }
    }

    private static void lifForwardExpDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = expDecay(c, FloatVector.fromArray(F, v, k), x);
                for (int j = 1; j < K; j++) {
                    h = expDecay(c, h, x);
                }
                fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
            }
        }
    }

    private static void lifForwardExpNoDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = expNoDecay(c, FloatVector.fromArray(F, v, k), x);
                for (int j = 1; j < K; j++) {
                    h = expNoDecay(c, h, x);
                }
                fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
            }
        }
    }

    private static void lifForwardZohNoDecay(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = zohNoDecay(c, FloatVector.fromArray(F, v, k), x);
                for (int j = 1; j < K; j++) {
                    h = zohNoDecay(c, h, x);
                }
                fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
            }
        }
    }

    private static void lifForwardRk2(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = rk2(c, FloatVector.fromArray(F, v, k), x);
                for (int j = 1; j < K; j++) {
                    h = rk2(c, h, x);
                }
                fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
            }
        }
    }

    private static void lifForwardRk4(NeuronKernels.LifConst c, float[] x_seq, int T, int M, int m0, int n, float[] v,
                                     float[] h_seq, byte[] spike_seq, float vTh, float vr, boolean soft) {
        int L = F.length();
        int K = c.substeps();
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += L, i += L) {
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector h = rk4(c, FloatVector.fromArray(F, v, k), x);
                for (int j = 1; j < K; j++) {
                    h = rk4(c, h, x);
                }
                fire(h, v, k, h_seq, spike_seq, i, vTh, vr, soft);
            }
        }
    }

    /** Fire and reset: h stored, its spikes stored, the reset potential written back to v. */
    private static void fire(FloatVector h, float[] v, int k, float[] h_seq, byte[] spike_seq, int i, float vTh, float vr,
                             boolean soft) {
        VectorMask<Float> fired = h.sub(vTh).compare(VectorOperators.GE, 0f);
        FloatVector s = FloatVector.zero(F).blend(1f, fired);
        FloatVector vn = soft ? h.sub(s.mul(vTh)) : s.neg().add(1f).mul(h).add(s.mul(vr));
        vn.intoArray(v, k);
        h.intoArray(h_seq, i);
        storeSpikes(fired, h_seq, vTh, spike_seq, i);
    }

    // {@link NeuronKernels.LifConst#charge} on vectors, operation for operation, one method per form.

    private static FloatVector eulerDecay(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        return v.add(x.sub(v.sub(c.vr())).mul(c.dt()).div(c.tau()));
    }

    private static FloatVector eulerNoDecay(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        return v.sub(v.sub(c.vr()).mul(c.dt()).div(c.tau())).add(x.mul(c.dt()));
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

    private static FloatVector rk2(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        FloatVector k1 = rhs(c, v, x);
        FloatVector k2 = rhs(c, v.add(k1.mul(c.dt())), x);
        return v.add(k1.add(k2).mul(c.dtHalf()));
    }

    private static FloatVector rk4(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        FloatVector k1 = rhs(c, v, x);
        FloatVector k2 = rhs(c, v.add(k1.mul(c.dtHalf())), x);
        FloatVector k3 = rhs(c, v.add(k2.mul(c.dtHalf())), x);
        FloatVector k4 = rhs(c, v.add(k3.mul(c.dt())), x);
        return v.add(k1.add(k2.mul(2f)).add(k3.mul(2f)).add(k4).mul(c.dtSixth()));
    }

    /** {@link NeuronKernels.LifConst#rhs} on vectors. */
    private static FloatVector rhs(NeuronKernels.LifConst c, FloatVector v, FloatVector x) {
        boolean decay = c.form() == NeuronKernels.LifConst.RK2_DECAY || c.form() == NeuronKernels.LifConst.RK4_DECAY;
        return decay ? x.sub(v.sub(c.vr())).div(c.tau()) : x.sub(v.sub(c.vr()).div(c.tau()));
    }

    static void lifBackward(LifSpec p, NeuronKernels.LifConst c, float[] grad_spike_seq, float[] h_seq,
                            byte[] spike_seq, int T, int M, int m0, int m1, float[] grad_x_seq) {
        float vTh = p.vTh();
        float alpha = NeuronKernels.SURROGATE_ALPHA;
        float vr = p.vReset();
        boolean soft = p.softReset();
        int n = m1 - m0;
        float[] gv = new float[n]; // dL/dv_t flowing back from step t+1
        for (int t = T - 1; t >= 0; t--) {
            int row = t * M;
            for (int k = 0; k < n; k += F.length()) {
                int i = row + m0 + k;
                FloatVector h = FloatVector.fromArray(F, h_seq, i);
                FloatVector s = spikes(h, vTh);
                FloatVector g = FloatVector.fromArray(F, gv, k);
                FloatVector dvdh = soft ? FloatVector.broadcast(F, 1f) : s.neg().add(1f);
                FloatVector dvds = soft ? FloatVector.broadcast(F, -vTh) : h.neg().add(vr);
                FloatVector gs = FloatVector.fromArray(F, grad_spike_seq, i);
                FloatVector term = gs.add(g.mul(dvds));
                // The surrogate (SURROGATE below), written out: a call to it was inlined or not
                // depending on what C2 had compiled before (izh backward 4 or 13 ms per step, JDK 17).
                // It multiplies term; where every lane of term is +-0 and h finite, the product is
                // that zero whatever the surrogate's value (finite and >= +0), so 1 gives the same
                // bits without the exp: after a sample's last gradient step nothing flows back.
                FloatVector sg;
                if (term.compare(VectorOperators.NE, 0f).or(h.sub(h).compare(VectorOperators.NE, 0f)).anyTrue()) {
                    FloatVector az = h.sub(vTh).mul(alpha);
                    FloatVector sigLo = DoubleVector.broadcast(D, 1.0).div(((DoubleVector) az.convertShape(VectorOperators.F2D, D, 0))
                            .neg().lanewise(VectorOperators.EXP).add(1.0)).convertShape(VectorOperators.D2F, F, 0).reinterpretAsFloats();
                    FloatVector sigHi = DoubleVector.broadcast(D, 1.0).div(((DoubleVector) az.convertShape(VectorOperators.F2D, D, 1))
                            .neg().lanewise(VectorOperators.EXP).add(1.0)).convertShape(VectorOperators.D2F, F, -1).reinterpretAsFloats();
                    FloatVector sig = sigLo.blend(sigHi, UPPER_HALF);
                    sg = sig.mul(alpha).mul(sig.neg().add(1f));
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
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += F.length(), i += F.length()) {
                FloatVector vo = FloatVector.fromArray(F, v, k);
                FloatVector wo = FloatVector.fromArray(F, w, k);
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                // a0 * (v - v_rest) * (v - v_c), as the scalar code groups it
                FloatVector quad = vo.sub(vRest).mul(a0).mul(vo.sub(vC));
                FloatVector h = vo.add(x.add(quad).sub(wo).mul(dt).div(tau));
                FloatVector w1 = wo.add(h.sub(vRest).mul(a).sub(wo).mul(dt).div(tauW));
                izhFire(p, h, w1, v, w, k, h_seq, spike_seq, i);
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
        for (int t = 0; t < T; t++) {
            for (int k = 0, i = t * M + m0; k < n; k += F.length(), i += F.length()) {
                FloatVector vo = FloatVector.fromArray(F, v, k);
                FloatVector wo = FloatVector.fromArray(F, w, k);
                FloatVector x = FloatVector.fromArray(F, x_seq, i);
                FloatVector quad = vo.sub(vRest).mul(a0).mul(vo.sub(vC));
                FloatVector w1 = wo.add(vo.sub(vRest).mul(a).sub(wo).mul(dt).div(tauW));
                FloatVector h = vo.add(x.add(quad).sub(w1).mul(dt).div(tau));
                izhFire(p, h, w1, v, w, k, h_seq, spike_seq, i);
            }
        }
    }

    /** Fire and reset for the Izhikevich neuron: v reset, w1 + b on a spike, h and its spikes stored. */
    private static void izhFire(IzhSpec p, FloatVector h, FloatVector w1, float[] v, float[] w, int k, float[] h_seq,
                                byte[] spike_seq, int i) {
        float vTh = p.vTh();
        VectorMask<Float> fired = h.sub(vTh).compare(VectorOperators.GE, 0f);
        FloatVector s = FloatVector.zero(F).blend(1f, fired);
        FloatVector vn = p.softReset() ? h.sub(s.mul(vTh)) : s.neg().add(1f).mul(h).add(s.mul(p.vReset()));
        vn.intoArray(v, k);
        w1.add(s.mul(p.b())).intoArray(w, k);
        h.intoArray(h_seq, i);
        storeSpikes(fired, h_seq, vTh, spike_seq, i);
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
        float[] gv = new float[n];
        float[] gw = new float[n];
        for (int t = T - 1; t >= 0; t--) {
            int row = t * M;
            for (int k = 0; k < n; k += F.length()) {
                int i = row + m0 + k;
                FloatVector h = FloatVector.fromArray(F, h_seq, i);
                FloatVector s = spikes(h, vTh);
                FloatVector vPrev;
                if (t == 0) {
                    vPrev = FloatVector.broadcast(F, p.vInit());
                } else {
                    FloatVector hp = FloatVector.fromArray(F, h_seq, i - M);
                    FloatVector sp = spikes(hp, vTh);
                    vPrev = soft ? hp.sub(sp.mul(vTh)) : sp.neg().add(1f).mul(hp).add(sp.mul(vr));
                }
                FloatVector g = FloatVector.fromArray(F, gv, k);
                FloatVector gwNext = FloatVector.fromArray(F, gw, k);
                FloatVector dvdh = soft ? FloatVector.broadcast(F, 1f) : s.neg().add(1f);
                FloatVector dvds = soft ? FloatVector.broadcast(F, -vTh) : h.neg().add(vr);
                FloatVector gs = FloatVector.fromArray(F, grad_spike_seq, i).add(g.mul(dvds)).add(gwNext.mul(b));
                FloatVector term = gs;
                // The surrogate (SURROGATE below), written out: a call to it was inlined or not
                // depending on what C2 had compiled before (izh backward 4 or 13 ms per step, JDK 17).
                // It multiplies term; where every lane of term is +-0 and h finite, the product is
                // that zero whatever the surrogate's value (finite and >= +0), so 1 gives the same
                // bits without the exp: after a sample's last gradient step nothing flows back.
                FloatVector sg;
                if (term.compare(VectorOperators.NE, 0f).or(h.sub(h).compare(VectorOperators.NE, 0f)).anyTrue()) {
                    FloatVector az = h.sub(vTh).mul(alpha);
                    FloatVector sigLo = DoubleVector.broadcast(D, 1.0).div(((DoubleVector) az.convertShape(VectorOperators.F2D, D, 0))
                            .neg().lanewise(VectorOperators.EXP).add(1.0)).convertShape(VectorOperators.D2F, F, 0).reinterpretAsFloats();
                    FloatVector sigHi = DoubleVector.broadcast(D, 1.0).div(((DoubleVector) az.convertShape(VectorOperators.F2D, D, 1))
                            .neg().lanewise(VectorOperators.EXP).add(1.0)).convertShape(VectorOperators.D2F, F, -1).reinterpretAsFloats();
                    FloatVector sig = sigLo.blend(sigHi, UPPER_HALF);
                    sg = sig.mul(alpha).mul(sig.neg().add(1f));
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

    // ---------------------------------------------------------------- helpers

    /** The spikes of potentials h as 0/1 floats: {@code H(h - v_th)}, the forward's own comparison. */
    private static FloatVector spikes(FloatVector h, float vTh) {
        return FloatVector.zero(F).blend(1f, h.sub(vTh).compare(VectorOperators.GE, 0f));
    }

    /** Writes the bytes of {@code fired} (lanes i..i+F.length()-1, already stored as h in h_seq) to spike_seq. */
    private static void storeSpikes(VectorMask<Float> fired, float[] h_seq, float vTh, byte[] spike_seq, int i) {
        if (MASK_BITS) {
            long bits = fired.toLong();
            for (int j = 0; j < F.length(); j += 8) {
                LONGS.set(spike_seq, i + j, SPIKE_BYTES[(int) (bits >>> j) & 0xff]);
            }
        } else {
            for (int j = 0; j < F.length(); j++) {
                spike_seq[i + j] = (byte) (h_seq[i + j] - vTh >= 0f ? 1 : 0);
            }
        }
    }

    /*
     * SURROGATE: alpha * sig * (1 - sig), sig = 1 / (1 + exp(-alpha z)), z = h - v_th, as
     * NeuronKernels#surrogateGrad: the sigmoid in double lanes (two halves of the float vector) and
     * rounded to float once, so it agrees with the scalar path and the CUDA kernel, not just to float
     * precision. The Izhikevich backward amplifies small differences over many steps, so this
     * matters there. Written out in each backward loop.
     */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, F.vectorShape());
    private static final VectorMask<Float> UPPER_HALF = F.indexInRange(-D.length(), D.length());
}
