package dev.spikestep.neuron;

import dev.spikestep.simd.VectorSupport;

/**
 * Multi-step neuron forward and surrogate backward (SPEC sections 2-4), the Java twin of
 * {@code kernels/neuron.cu}: same arguments, same order, same {@code [T, M]} layout with
 * {@code M = B * N} and index {@code t * M + m}.
 *
 * <p>Float arithmetic follows the SPEC formulas operation by operation, in float32, so that spikes
 * agree bit for bit with the PyTorch golden fixtures and with the CUDA kernels (built without FMA
 * contraction). Constants that PyTorch would compute in Python doubles ({@code exp(-dt/tau)},
 * {@code 1 - e}) are computed in double and rounded once.
 *
 * <p>With the Vector API enabled ({@link VectorSupport}) the training path runs
 * {@link NeuronVectorKernels}: the same float operations per neuron, the surrogate's included
 * ({@link #surrogateGrad} has no library call), so the same h, spikes and gradients bit for bit.
 *
 * <p>The reset is computed literally ({@code (1 - s) * h + s * v_reset}), never as a branch: when the
 * Izhikevich Euler step overflows, {@code h = inf} spikes and {@code 0 * inf} turns the state into NaN,
 * exactly the silent divergence the notebook observed at dt = 5.
 */
public final class NeuronKernels {
    /** Slope of the sigmoid surrogate (spikingjelly {@code surrogate.Sigmoid()}). */
    public static final float SURROGATE_ALPHA = 4f;

    private NeuronKernels() {
    }

    /** Runs all {@code M} neurons over {@code T} steps. {@code v_seq} and {@code w_seq} may be null. */
    public static void forward(NeuronSpec p, float[] x_seq, int T, int M, float[] h_seq, byte[] spike_seq,
                               float[] v_seq, float[] w_seq) {
        forwardRange(p, x_seq, T, M, 0, M, h_seq, spike_seq, v_seq, w_seq);
    }

    /** Surrogate BPTT for all {@code M} neurons: {@code grad_x_seq = dL/dx} given {@code dL/dspike}. */
    public static void backward(NeuronSpec p, float[] grad_spike_seq, float[] h_seq, byte[] spike_seq,
                                int T, int M, float[] grad_x_seq) {
        backwardRange(p, grad_spike_seq, h_seq, spike_seq, T, M, 0, M, grad_x_seq);
    }

    /** Forward for the neurons {@code [m0, m1)} only; threads split M into disjoint ranges. */
    public static void forwardRange(NeuronSpec p, float[] x_seq, int T, int M, int m0, int m1, float[] h_seq,
                                    byte[] spike_seq, float[] v_seq, float[] w_seq) {
        boolean stages = needsState(p);
        if (VectorSupport.ENABLED && v_seq == null
                && (stages ? w_seq != null && NeuronVectorKernels.hasStages((IzhSpec) p) : w_seq == null)) {
            // Training needs only h and spikes (and, for izh rk2/rk4, w for the backward): the
            // Vector API form does the same float operations on whole vectors of neurons; the
            // scalar code takes the remainder.
            int mid = m0 + (m1 - m0) / NeuronVectorKernels.block() * NeuronVectorKernels.block();
            if (p instanceof LifSpec lif) {
                NeuronVectorKernels.lifForward(lif, LifConst.of(lif), x_seq, T, M, m0, mid, h_seq, spike_seq);
            } else if (stages) {
                NeuronVectorKernels.izhForwardStages((IzhSpec) p, x_seq, T, M, m0, mid, h_seq, spike_seq, w_seq);
            } else {
                NeuronVectorKernels.izhForward((IzhSpec) p, x_seq, T, M, m0, mid, h_seq, spike_seq);
            }
            m0 = mid;
        }
        if (m0 == m1) {
            return;
        }
        if (p instanceof LifSpec lif) {
            lifForward(lif, x_seq, T, M, m0, m1, h_seq, spike_seq, v_seq, w_seq);
        } else {
            izhForward((IzhSpec) p, x_seq, T, M, m0, m1, h_seq, spike_seq, v_seq, w_seq);
        }
    }

    /**
     * Whether the backward of this spec needs the state before each step (w from {@code w_seq}, x
     * from {@code x_seq}): Izhikevich rk2, rk4 and K > 1, whose step's derivatives depend on w and x.
     * The forward must then be run with a {@code w_seq}, and the backward called with the overload
     * that takes {@code x_seq} and {@code w_seq}. LIF never does (its step is affine in v and x).
     */
    public static boolean needsState(NeuronSpec p) {
        return p instanceof IzhSpec izh && IzhStages.needed(izh);
    }

    /** {@link #backward} for every spec, {@link #needsState} ones included: x_seq and w_seq as the forward's. */
    public static void backward(NeuronSpec p, float[] grad_spike_seq, float[] x_seq, float[] h_seq, byte[] spike_seq,
                                float[] w_seq, int T, int M, float[] grad_x_seq) {
        backwardRange(p, grad_spike_seq, x_seq, h_seq, spike_seq, w_seq, T, M, 0, M, grad_x_seq);
    }

    /** {@link #backwardRange} for every spec; x_seq and w_seq are read only when {@link #needsState}. */
    public static void backwardRange(NeuronSpec p, float[] grad_spike_seq, float[] x_seq, float[] h_seq,
                                     byte[] spike_seq, float[] w_seq, int T, int M, int m0, int m1,
                                     float[] grad_x_seq) {
        if (needsState(p)) {
            if (VectorSupport.ENABLED && NeuronVectorKernels.hasStages((IzhSpec) p)) {
                int mid = m0 + (m1 - m0) / NeuronVectorKernels.block() * NeuronVectorKernels.block();
                NeuronVectorKernels.izhBackwardStages((IzhSpec) p, grad_spike_seq, x_seq, h_seq, w_seq, T, M, m0, mid,
                        grad_x_seq);
                m0 = mid;
            }
            izhBackwardStages((IzhSpec) p, grad_spike_seq, x_seq, h_seq, spike_seq, w_seq, T, M, m0, m1, grad_x_seq);
        } else {
            backwardRange(p, grad_spike_seq, h_seq, spike_seq, T, M, m0, m1, grad_x_seq);
        }
    }

    /** Backward for the neurons {@code [m0, m1)} only (specs without {@link #needsState}). */
    public static void backwardRange(NeuronSpec p, float[] grad_spike_seq, float[] h_seq, byte[] spike_seq,
                                     int T, int M, int m0, int m1, float[] grad_x_seq) {
        if (needsState(p)) {
            throw new IllegalArgumentException(p.model() + " " + p.integrator().cliName() + " with " + p.substeps()
                    + " sub-steps: the backward needs x_seq and w_seq (NeuronKernels.needsState)");
        }
        if (VectorSupport.ENABLED) {
            int mid = m0 + (m1 - m0) / NeuronVectorKernels.block() * NeuronVectorKernels.block();
            if (p instanceof LifSpec lif) {
                NeuronVectorKernels.lifBackward(lif, LifConst.of(lif), grad_spike_seq, h_seq, spike_seq, T, M, m0, mid,
                        grad_x_seq);
            } else {
                NeuronVectorKernels.izhBackward((IzhSpec) p, grad_spike_seq, h_seq, spike_seq, T, M, m0, mid, grad_x_seq);
            }
            m0 = mid;
        }
        if (m0 == m1) {
            return;
        }
        if (p instanceof LifSpec lif) {
            lifBackward(lif, grad_spike_seq, h_seq, spike_seq, T, M, m0, m1, grad_x_seq);
        } else {
            izhBackward((IzhSpec) p, grad_spike_seq, h_seq, spike_seq, T, M, m0, m1, grad_x_seq);
        }
    }

    /**
     * {@code 1/d} where dividing by {@code d} is multiplying by {@code 1/d} bit for bit, else 0: when
     * {@code d} and {@code 1/d} are both normal powers of two, {@code x / d} and {@code x * (1/d)} are
     * the same real number for every float x, so IEEE rounds them to the same float (overflow,
     * underflow, infinities, zeros and NaN included). The notebook's tau = tau_w = 2 are; the vector
     * kernels then multiply by 0.5 instead of dividing (a float division costs several cycles).
     */
    static float exactReciprocal(float d) {
        boolean pow2 = Float.isFinite(d) && d != 0f && (Float.floatToRawIntBits(d) & 0x007f_ffff) == 0
                && Math.abs(Math.getExponent(d)) <= -Float.MIN_EXPONENT;
        return pow2 ? 1f / d : 0f;
    }

    // The surrogate's exp, in float: e^u = 2^n e^r, n = round(u / ln 2) (adding and subtracting
    // 1.5 * 2^23 rounds to an integer), r = u - n ln 2 with ln 2 in two parts (Cody-Waite), e^r by
    // Cephes' expf polynomial on |r| <= ln(2)/2 (about 1 ulp), 2^n from y's low bits.
    static final float EXP_LOG2E = 1.44269504088896341f;
    static final float EXP_SHIFT = 12582912f;
    static final float EXP_LN2_HI = 0.693359375f;
    static final float EXP_LN2_LO = -2.12194440e-4f;
    static final float EXP_P0 = 1.9875691500e-4f;
    static final float EXP_P1 = 1.3981999507e-3f;
    static final float EXP_P2 = 8.3334519073e-3f;
    static final float EXP_P3 = 4.1665795894e-2f;
    static final float EXP_P4 = 1.6666665459e-1f;
    static final float EXP_P5 = 5.0000001201e-1f;
    /** {@code floatToRawIntBits(y) + EXP_BIAS = n + 127}, the exponent field of 2^n. */
    static final int EXP_BIAS = 127 - Float.floatToRawIntBits(EXP_SHIFT);
    /** Past |alpha z| = 88 the sigmoid is 0 or 1 to float precision (from 17 on) and 2^n leaves the float range. */
    static final float SURROGATE_CUT = 88f;

    /**
     * {@code dH/dz} of the sigmoid surrogate at {@code z = h - v_th}: {@code alpha sig (1 - sig)},
     * {@code sig = 1 / (1 + e^u)}, {@code u = -alpha z}, all in float and written out operation by
     * operation (no library exp), so that the vector kernels and {@code kernels/neuron.cu}'s
     * {@code surrogate_grad} compute the same bits. 0 where {@code |u| > 88} (below 3e-38 there);
     * NaN for a NaN z.
     */
    public static float surrogateGrad(float z) {
        float u = -(SURROGATE_ALPHA * z);
        if (u > SURROGATE_CUT || u < -SURROGATE_CUT) {
            return 0f;
        }
        float y = u * EXP_LOG2E + EXP_SHIFT;
        float n = y - EXP_SHIFT;
        float r = u - n * EXP_LN2_HI - n * EXP_LN2_LO;
        float p = EXP_P0;
        p = p * r + EXP_P1;
        p = p * r + EXP_P2;
        p = p * r + EXP_P3;
        p = p * r + EXP_P4;
        p = p * r + EXP_P5;
        float e = (p * (r * r) + r + 1f) * Float.intBitsToFloat((Float.floatToRawIntBits(y) + EXP_BIAS) << 23);
        float sig = 1f / (1f + e);
        return SURROGATE_ALPHA * sig * (1f - sig);
    }

    // ---------------------------------------------------------------- LIF

    /**
     * The charge step's float constants, derived once per launch; the CUDA launcher passes these
     * (cuda/NeuronParams writes them into the kernels' parameter block).
     */
    public record LifConst(int form, float dt, float tau, float vr, float e, float oneMinusE, float dhdv, float dhdx,
                    int substeps, float dtHalf, float dtSixth) {
        static final int EULER_DECAY = 0;
        static final int EULER_NODECAY = 1;
        static final int EXP_DECAY = 2;
        static final int EXP_NODECAY = 3;
        static final int ZOH_NODECAY = 4;
        static final int RK2_DECAY = 5;
        static final int RK2_NODECAY = 6;
        static final int RK4_DECAY = 7;
        static final int RK4_NODECAY = 8;

        /**
         * {@code dt} and {@code e} are those of one sub-step (dt/K); with K = 1 they are SPEC 2's.
         * {@code dhdv}, {@code dhdx} are the whole step's ({@link LifSpec#stepDerivatives}).
         */
        public static LifConst of(LifSpec p) {
            double hD = p.dt() / p.substeps();
            double eD = Math.exp(-hD / p.tau());
            float dt = (float) hD;
            float tau = (float) p.tau();
            float e = (float) eD;
            float ome = (float) (1.0 - eD);
            boolean decay = p.decayInput();
            int form = switch (p.integrator()) {
                case EULER -> decay ? EULER_DECAY : EULER_NODECAY;
                case EXP -> decay ? EXP_DECAY : EXP_NODECAY;
                case ZOH -> decay ? EXP_DECAY : ZOH_NODECAY;
                case RK2 -> decay ? RK2_DECAY : RK2_NODECAY;
                case RK4 -> decay ? RK4_DECAY : RK4_NODECAY;
                default -> throw new IllegalStateException("validated by LifSpec");
            };
            double[] d = p.stepDerivatives();
            return new LifConst(form, dt, tau, p.vReset(), e, ome, (float) d[0], (float) d[1], p.substeps(),
                    (float) (hD / 2), (float) (hD / 6));
        }

        /** Charge, written exactly as SPEC section 2 (and tools/golden.py) orders the operations. */
        float charge(float v, float x) {
            return switch (form) {
                case EULER_DECAY -> v + dt * (x - (v - vr)) / tau;
                case EULER_NODECAY -> v - dt * (v - vr) / tau + dt * x;
                case EXP_DECAY -> v * e + (vr + x) * oneMinusE;
                case EXP_NODECAY -> vr + (v - vr) * e + x * oneMinusE;
                case ZOH_NODECAY -> vr + (v - vr) * e + x * tau * oneMinusE;
                case RK2_DECAY, RK2_NODECAY -> {
                    float k1 = rhs(v, x);
                    float k2 = rhs(v + dt * k1, x);
                    yield v + dtHalf * (k1 + k2);
                }
                default -> {
                    float k1 = rhs(v, x);
                    float k2 = rhs(v + dtHalf * k1, x);
                    float k3 = rhs(v + dtHalf * k2, x);
                    float k4 = rhs(v + dt * k3, x);
                    yield v + dtSixth * (k1 + 2f * k2 + 2f * k3 + k4);
                }
            };
        }

        /** SPEC 9's right-hand side f(v) with x held; {@code -(v - vr)/tau + x} written as x minus. */
        float rhs(float v, float x) {
            return form == RK2_DECAY || form == RK4_DECAY ? (x - (v - vr)) / tau : x - (v - vr) / tau;
        }

        /** One whole step: K charges of length dt/K with x held (K = 1: {@link #charge} once). */
        float step(float v, float x) {
            float h = charge(v, x);
            for (int k = 1; k < substeps; k++) {
                h = charge(h, x);
            }
            return h;
        }
    }

    private static void lifForward(LifSpec p, float[] x_seq, int T, int M, int m0, int m1, float[] h_seq,
                                   byte[] spike_seq, float[] v_seq, float[] w_seq) {
        LifConst c = LifConst.of(p);
        float vTh = p.vTh();
        float vr = p.vReset();
        boolean soft = p.softReset();
        float[] v = new float[m1 - m0]; // state of each neuron, carried over t
        java.util.Arrays.fill(v, p.vInit());
        for (int t = 0; t < T; t++) {
            int row = t * M;
            for (int m = m0; m < m1; m++) {
                int i = row + m;
                float h = c.step(v[m - m0], x_seq[i]);
                float s = h - vTh >= 0f ? 1f : 0f;
                float vn = soft ? h - s * vTh : (1f - s) * h + s * vr;
                v[m - m0] = vn;
                h_seq[i] = h;
                spike_seq[i] = (byte) s;
                if (v_seq != null) {
                    v_seq[i] = vn;
                }
                if (w_seq != null) {
                    w_seq[i] = 0f;
                }
            }
        }
    }

    /**
     * LIF forward for the neurons {@code [m0, m1)} from explicit state, so that a long sequence can be
     * scanned in time chunks: {@code v[m]} holds neuron m's potential before step 0 and, on return,
     * after step {@code T-1} (so chunk after chunk gives exactly the spikes of one call over all
     * steps). {@code v} is indexed like the neurons, {@code [M]}; {@code h_seq} may be null. Same
     * charge, fire and reset as {@link #forwardRange}, which it leaves unchanged.
     */
    public static void lifForwardFrom(LifSpec p, float[] x_seq, int T, int M, int m0, int m1, float[] v,
                                      float[] h_seq, byte[] spike_seq) {
        LifConst c = LifConst.of(p);
        float vTh = p.vTh();
        float vr = p.vReset();
        boolean soft = p.softReset();
        for (int t = 0; t < T; t++) {
            int row = t * M;
            for (int m = m0; m < m1; m++) {
                int i = row + m;
                float h = c.step(v[m], x_seq[i]);
                float s = h - vTh >= 0f ? 1f : 0f;
                v[m] = soft ? h - s * vTh : (1f - s) * h + s * vr;
                if (h_seq != null) {
                    h_seq[i] = h;
                }
                spike_seq[i] = (byte) s;
            }
        }
    }

    private static void lifBackward(LifSpec p, float[] grad_spike_seq, float[] h_seq, byte[] spike_seq,
                                    int T, int M, int m0, int m1, float[] grad_x_seq) {
        LifConst c = LifConst.of(p);
        float vTh = p.vTh();
        float vr = p.vReset();
        boolean soft = p.softReset();
        float[] gv = new float[m1 - m0]; // dL/dv_t flowing back from step t+1
        for (int t = T - 1; t >= 0; t--) {
            int row = t * M;
            for (int m = m0; m < m1; m++) {
                int i = row + m;
                float h = h_seq[i];
                float s = spike_seq[i];
                float g = gv[m - m0];
                // Reset is not detached: the spike also carries gradient through v = reset(h, s).
                float dvdh = soft ? 1f : 1f - s;
                float dvds = soft ? -vTh : vr - h;
                float gh = g * dvdh + (grad_spike_seq[i] + g * dvds) * surrogateGrad(h - vTh);
                grad_x_seq[i] = gh * c.dhdx;
                gv[m - m0] = gh * c.dhdv;
            }
        }
    }

    // ---------------------------------------------------------------- Izhikevich

    private static void izhForward(IzhSpec p, float[] x_seq, int T, int M, int m0, int m1, float[] h_seq,
                                   byte[] spike_seq, float[] v_seq, float[] w_seq) {
        float dt = (float) p.dt();
        float tau = (float) p.tau();
        float tauW = (float) p.tauW();
        float a0 = p.a0();
        float vC = p.vC();
        float vRest = p.vRest();
        float a = p.a();
        float b = p.b();
        float vTh = p.vTh();
        float vr = p.vReset();
        boolean soft = p.softReset();
        boolean symplectic = p.integrator() == Integrator.SYMPLECTIC;
        int n = m1 - m0;
        float[] v = new float[n];
        float[] w = new float[n];
        java.util.Arrays.fill(v, p.vInit());
        java.util.Arrays.fill(w, p.wRest());
        // SPEC 9 (rk2, rk4, K > 1): the sub-steps of IzhStages; else the notebook's fused step
        IzhStages stages = IzhStages.needed(p) ? new IzhStages(p) : null;
        float[] s2 = new float[2]; // {v, w} of one neuron through the sub-steps
        for (int t = 0; t < T; t++) {
            int row = t * M;
            for (int m = m0; m < m1; m++) {
                int i = row + m;
                float vo = v[m - m0];
                float wo = w[m - m0];
                float x = x_seq[i];
                float h;
                float w1;
                if (stages != null) {
                    s2[0] = vo;
                    s2[1] = wo;
                    stages.step(s2, x);
                    h = s2[0];
                    w1 = s2[1];
                } else if (symplectic) {
                    w1 = wo + dt * (a * (vo - vRest) - wo) / tauW;
                    h = vo + dt * (x + a0 * (vo - vRest) * (vo - vC) - w1) / tau;
                } else {
                    h = vo + dt * (x + a0 * (vo - vRest) * (vo - vC) - wo) / tau;
                    w1 = wo + dt * (a * (h - vRest) - wo) / tauW;
                }
                float s = h - vTh >= 0f ? 1f : 0f;
                float vn = soft ? h - s * vTh : (1f - s) * h + s * vr;
                float wn = w1 + b * s;
                v[m - m0] = vn;
                w[m - m0] = wn;
                h_seq[i] = h;
                spike_seq[i] = (byte) s;
                if (v_seq != null) {
                    v_seq[i] = vn;
                }
                if (w_seq != null) {
                    w_seq[i] = wn;
                }
            }
        }
    }

    private static void izhBackward(IzhSpec p, float[] grad_spike_seq, float[] h_seq, byte[] spike_seq,
                                    int T, int M, int m0, int m1, float[] grad_x_seq) {
        float dt = (float) p.dt();
        float vC = p.vC();
        float vRest = p.vRest();
        float a0 = p.a0();
        float b = p.b();
        float vTh = p.vTh();
        float vr = p.vReset();
        boolean soft = p.softReset();
        boolean symplectic = p.integrator() == Integrator.SYMPLECTIC;
        // Partial derivatives of one step that do not depend on the state.
        float dvdx = (float) (p.dt() / p.tau());           // dv1/dx = dt/tau; dv1/dw = -dt/tau
        float dwdv = (float) (p.dt() * p.a() / p.tauW());  // dw1/dv (v old for symplectic, v1 for euler)
        float dwdw = (float) (1 - p.dt() / p.tauW());      // dw1/dw
        float quad = (float) (p.dt() * p.a0() / p.tau());  // dv1/dv = 1 + quad*((v - v_c) + (v - v_rest))
        int n = m1 - m0;
        float[] gv = new float[n]; // dL/dv_t and dL/dw_t flowing back from step t+1
        float[] gw = new float[n];
        for (int t = T - 1; t >= 0; t--) {
            int row = t * M;
            for (int m = m0; m < m1; m++) {
                int i = row + m;
                int k = m - m0;
                float h = h_seq[i];
                float s = spike_seq[i];
                // v before this step, recomputed from the stored h and spike of step t-1.
                float vPrev = vBefore(p, h_seq, spike_seq, t, i, M);
                float g = gv[k];
                float gwNext = gw[k];
                float dvdh = soft ? 1f : 1f - s;
                float dvds = soft ? -vTh : vr - h;
                float gs = grad_spike_seq[i] + g * dvds + gwNext * b;
                float gh = g * dvdh + gs * surrogateGrad(h - vTh);
                float dv1dv = 1f + quad * ((vPrev - vC) + (vPrev - vRest));
                float gPrevV;
                float gPrevW;
                if (symplectic) {
                    // w1 = adapt(v, w); v1 = charge(v, w1): v1 feeds back into w1's gradient.
                    float gw1 = gwNext - gh * dvdx;
                    gPrevV = gh * dv1dv + gw1 * dwdv;
                    gPrevW = gw1 * dwdw;
                } else {
                    // v1 = charge(v, w); w1 = adapt(v1, w): w1 adds to v1's gradient.
                    gh = gh + gwNext * dwdv;
                    gPrevV = gh * dv1dv;
                    gPrevW = gwNext * dwdw - gh * dvdx;
                }
                grad_x_seq[i] = gh * dvdx;
                gv[k] = gPrevV;
                gw[k] = gPrevW;
            }
        }
    }

    // ---------------------------------------------------------------- Izhikevich, SPEC 9 (rk2, rk4, K > 1)

    /** Izhikevich v before step t at index i = t*M + m: the reset of step t-1's stored h and spike. */
    private static float vBefore(IzhSpec p, float[] h_seq, byte[] spike_seq, int t, int i, int M) {
        if (t == 0) {
            return p.vInit();
        }
        float hp = h_seq[i - M];
        float sp = spike_seq[i - M];
        return p.softReset() ? hp - sp * p.vTh() : (1f - sp) * hp + sp * p.vReset();
    }

    private static void izhBackwardStages(IzhSpec p, float[] grad_spike_seq, float[] x_seq, float[] h_seq,
                                          byte[] spike_seq, float[] w_seq, int T, int M, int m0, int m1,
                                          float[] grad_x_seq) {
        IzhStages st = new IzhStages(p);
        float b = p.b();
        float vTh = p.vTh();
        float vr = p.vReset();
        boolean soft = p.softReset();
        int n = m1 - m0;
        float[] gv = new float[n]; // dL/dv_t and dL/dw_t flowing back from step t+1
        float[] gw = new float[n];
        float[] g = new float[3];
        for (int t = T - 1; t >= 0; t--) {
            int row = t * M;
            for (int m = m0; m < m1; m++) {
                int i = row + m;
                int k = m - m0;
                float h = h_seq[i];
                float s = spike_seq[i];
                // the state before this step: v from the stored h and spike of step t-1, w from w_seq
                float vPrev = vBefore(p, h_seq, spike_seq, t, i, M);
                float wPrev = t == 0 ? p.wRest() : w_seq[i - M];
                float dvdh = soft ? 1f : 1f - s;
                float dvds = soft ? -vTh : vr - h;
                float gs = grad_spike_seq[i] + gv[k] * dvds + gw[k] * b;
                float gh = gv[k] * dvdh + gs * surrogateGrad(h - vTh);
                st.backStep(vPrev, wPrev, x_seq[i], gh, gw[k], g);
                gv[k] = g[0];
                gw[k] = g[1];
                grad_x_seq[i] = g[2];
            }
        }
    }
}
