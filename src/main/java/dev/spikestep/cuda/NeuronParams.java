package dev.spikestep.cuda;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;

/**
 * The float parameter block of one run for the kernels of {@code kernels/neuron.cu} (slots as the
 * {@code LIF_*} / {@code IZH_*} defines there). Constants are derived in double and rounded once,
 * exactly as NeuronKernels does (its LifConst and izhBackward), so kernel and Java twin compute
 * with the same floats; NeuronKernelGoldenTest runs the kernels on every golden neuron variant.
 */
public final class NeuronParams {
    /** Floats per run; several runs' blocks side by side make a packed launch. */
    public static final int SIZE = 32;

    private NeuronParams() {
    }

    /** Kernel name prefix: {@code lif} or {@code izh}. */
    public static String kernelPrefix(NeuronSpec p) {
        return p instanceof LifSpec ? "lif" : "izh";
    }

    public static float[] of(NeuronSpec spec) {
        float[] q = new float[SIZE];
        if (spec instanceof LifSpec p) {
            // the Java twin's own constants (sub-step dt and e, whole-step dh/dv and dh/dx)
            NeuronKernels.LifConst c = NeuronKernels.LifConst.of(p);
            q[0] = c.form();
            q[1] = c.dt();
            q[2] = c.tau();
            q[3] = c.vr();
            q[4] = c.e();
            q[5] = c.oneMinusE();
            q[6] = c.dhdv();
            q[7] = c.dhdx();
            q[8] = p.vTh();
            q[9] = p.softReset() ? 1f : 0f;
            q[10] = p.vInit();
            q[11] = c.substeps();
            q[12] = c.dtHalf();
            q[13] = c.dtSixth();
        } else {
            IzhSpec p = (IzhSpec) spec;
            double h = p.dt() / p.substeps(); // one sub-step (SPEC 9); = dt when K = 1
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
            // as IzhStages (and, for K = 1, NeuronKernels.izhBackward) derives them
            q[14] = (float) (h / p.tau());
            q[15] = (float) (h * p.a() / p.tauW());
            q[16] = (float) (1 - h / p.tauW());
            q[17] = (float) (h * p.a0() / p.tau());
            q[18] = switch (p.integrator()) {
                case EULER -> 0f;
                case SYMPLECTIC -> 1f;
                case RK2 -> 2f;
                default -> 3f;
            };
            q[19] = p.substeps();
            q[20] = (float) h;
            q[21] = (float) (h / 2);
            q[22] = (float) (h / 6);
            q[23] = (float) (1 / p.tau());
            q[24] = (float) (1 / p.tauW());
            q[25] = (float) (p.a() / p.tauW());
            q[26] = (float) (p.a0() / p.tau());
        }
        return q;
    }

    /**
     * The neuron forward's launch, the one the trainer and the bench make: x_seq in; h_seq and
     * spike_seq out, each [T, M]; v_seq ([T, M], the pre-reset potential) only where a test asks for
     * it (null otherwise); w_seq only where the backward reads it (Izhikevich rk2, rk4, K > 1), null
     * otherwise.
     */
    public static Launch forward(String kind, Object params, Object cur, Object T, Object M, Object h, Object spikes,
                                 Object v, Object w) {
        return new Launch(kind + "_forward_kernel", params, cur, T, M, h, spikes, v, w);
    }

    /**
     * The neuron backward's launch: with {@code stateful} (NeuronKernels.needsState of the neuron, or
     * of any run of a pack) the stage kernel, which also reads x_seq and w_seq and gives the notebook
     * integrators' gradients with the same float operations; else {@code kind}'s own kernel.
     * Arguments in the kernels' order: [T, M] each, gSpike in, gCur out.
     */
    public static Launch backward(boolean stateful, String kind, Object params, Object gSpike, Object cur, Object h,
                                  Object spikes, Object w, Object T, Object M, Object gCur) {
        return stateful
                ? new Launch("izh_backward_stages_kernel", params, gSpike, cur, h, spikes, w, T, M, gCur)
                : new Launch(kind + "_backward_kernel", params, gSpike, h, spikes, T, M, gCur);
    }
}
