package dev.spikestep.cuda;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;

/**
 * The float parameter block of one run for the kernels of {@code kernels/neuron.cu} (slots as the
 * {@code LIF_*} / {@code IZH_*} defines there). Constants are derived in double and rounded once,
 * exactly as NeuronKernels does (its LifConst and izhBackward), so kernel and Java twin compute
 * with the same floats; NeuronKernelGoldenTest runs the kernels on every golden neuron variant.
 */
public final class NeuronParams {
    /** Floats per run; several runs' blocks side by side make a packed launch. */
    public static final int SIZE = 24;

    // LIF charge forms, as NeuronKernels.LifConst.
    static final int EULER_DECAY = 0;
    static final int EULER_NODECAY = 1;
    static final int EXP_DECAY = 2;
    static final int EXP_NODECAY = 3;
    static final int ZOH_NODECAY = 4;

    private NeuronParams() {
    }

    /** Kernel name prefix: {@code lif} or {@code izh}. */
    public static String kernelPrefix(NeuronSpec p) {
        return p instanceof LifSpec ? "lif" : "izh";
    }

    public static float[] of(NeuronSpec spec) {
        float[] q = new float[SIZE];
        if (spec instanceof LifSpec p) {
            double eD = Math.exp(-p.dt() / p.tau());
            float dt = (float) p.dt();
            float e = (float) eD;
            float ome = (float) (1.0 - eD);
            int form;
            float dhdv;
            float dhdx;
            switch (p.integrator()) {
                case EULER -> {
                    form = p.decayInput() ? EULER_DECAY : EULER_NODECAY;
                    dhdv = (float) (1 - p.dt() / p.tau());
                    dhdx = p.decayInput() ? (float) (p.dt() / p.tau()) : dt;
                }
                case EXP -> {
                    form = p.decayInput() ? EXP_DECAY : EXP_NODECAY;
                    dhdv = e;
                    dhdx = ome;
                }
                case ZOH -> {
                    form = p.decayInput() ? EXP_DECAY : ZOH_NODECAY;
                    dhdv = e;
                    dhdx = p.decayInput() ? ome : (float) (p.tau() * (1.0 - eD));
                }
                default -> throw new IllegalStateException("validated by LifSpec");
            }
            q[0] = form;
            q[1] = dt;
            q[2] = (float) p.tau();
            q[3] = p.vReset();
            q[4] = e;
            q[5] = ome;
            q[6] = dhdv;
            q[7] = dhdx;
            q[8] = p.vTh();
            q[9] = p.softReset() ? 1f : 0f;
            q[10] = p.vInit();
        } else {
            IzhSpec p = (IzhSpec) spec;
            q[0] = p.integrator() == Integrator.SYMPLECTIC ? 1f : 0f;
            q[1] = (float) p.dt();
            q[2] = (float) p.tau();
            q[3] = (float) p.tauW();
            q[4] = p.a0();
            q[5] = p.vC();
            q[6] = p.vRest();
            q[7] = p.a();
            q[8] = p.b();
            q[9] = p.vTh();
            q[10] = p.vReset();
            q[11] = p.softReset() ? 1f : 0f;
            q[12] = p.vInit();
            q[13] = p.wRest();
            q[14] = (float) (p.dt() / p.tau());
            q[15] = (float) (p.dt() * p.a() / p.tauW());
            q[16] = (float) (1 - p.dt() / p.tauW());
            q[17] = (float) (p.dt() * p.a0() / p.tau());
        }
        return q;
    }
}
