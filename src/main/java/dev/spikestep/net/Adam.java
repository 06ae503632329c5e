package dev.spikestep.net;

/**
 * Adam as torch 1.13's {@code torch.optim.Adam} computes it (single-tensor path, no weight decay, no
 * amsgrad): the same bias corrections in double as Python computes them, the same element formulas
 * in float32. Not bit for bit: torch's fused element operations (addcdiv, lerp in later versions)
 * may round the last bit differently, within the golden tests' tolerance.
 */
public final class Adam {
    private final double lr;
    private final double beta1;
    private final double beta2;
    private final float eps;
    private int step;

    public Adam(double lr, double beta1, double beta2, double eps) {
        if (!(lr > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
            throw new dev.spikestep.SpikestepException("Adam needs lr > 0, betas in [0, 1), eps > 0");
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = (float) eps;
    }

    /** torch's defaults with the notebook's lr 1e-3. */
    public static Adam notebook() {
        return new Adam(1e-3, 0.9, 0.999, 1e-8);
    }

    /** Advances the step counter; call once per optimizer step, before {@link #update}. */
    public void nextStep() {
        step++;
    }

    public int step() {
        return step;
    }

    /** Continues from step {@code step} (a resumed run; the moments are restored by the network). */
    public void restoreStep(int step) {
        if (step < 0) {
            throw new IllegalArgumentException("Adam step must be >= 0, got " + step);
        }
        this.step = step;
    }

    /**
     * The float constants of the current step's element update, in the order the CUDA kernel
     * ({@code kernels/adam.cu}) takes them: step_size, bc2_sqrt, b1, b2, 1-b1, 1-b2, eps; derived
     * in double, and {@link #update} uses these same values.
     */
    public float[] kernelConstants() {
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        return new float[] {(float) (lr / bc1), (float) Math.sqrt(bc2), (float) beta1, (float) beta2,
            (float) (1 - beta1), (float) (1 - beta2), eps};
    }

    /** Updates {@code param[from, to)} in place; m and v are the moment buffers of the same shape. */
    public void update(float[] param, float[] grad, float[] m, float[] v, int from, int to) {
        float[] k = kernelConstants();
        float stepSize = k[0];
        float bc2Sqrt = k[1];
        float b1 = k[2];
        float b2 = k[3];
        float oneMinusB1 = k[4];
        float oneMinusB2 = k[5];
        for (int i = from; i < to; i++) {
            float g = grad[i];
            m[i] = m[i] * b1 + oneMinusB1 * g;
            v[i] = v[i] * b2 + oneMinusB2 * g * g;
            float denom = (float) Math.sqrt(v[i]) / bc2Sqrt + eps;
            param[i] = param[i] - stepSize * (m[i] / denom);
        }
    }
}
