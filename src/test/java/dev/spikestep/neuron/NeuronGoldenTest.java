package dev.spikestep.neuron;

import static org.junit.jupiter.api.Assertions.assertAll;

import dev.spikestep.testutil.Compare;
import dev.spikestep.testutil.Fixture;
import dev.spikestep.testutil.NeuronFixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conformance of {@link NeuronKernels} with the PyTorch golden traces of {@code src/test/python/golden.py}
 * (SPEC sections 2-4): every neuron model, integrator, reset and dt, including the izh euler dt=5
 * divergence (inf, then NaN) which must be reproduced, not hidden.
 */
class NeuronGoldenTest {
    private static final float STATE_ATOL = 1e-5f;
    private static final float STATE_RTOL = 1e-5f;
    private static final float GRAD_ATOL = 1e-5f;
    private static final float GRAD_RTOL = 1e-4f;

    static Stream<String> neuronFixtures() {
        return NeuronFixtures.names();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("neuronFixtures")
    void matchesTorch(String name) {
        Fixture f = Fixture.load(name);
        NeuronSpec spec = NeuronFixtures.spec(f);
        boolean izh = spec instanceof IzhSpec;
        int T = f.shape("x")[0];
        int M = f.shape("x")[1];
        float[] x = f.floats("x");                 // [T, M]

        float[] h = new float[T * M];
        byte[] spike = new byte[T * M];
        float[] v = new float[T * M];
        float[] w = izh ? new float[T * M] : null;
        NeuronKernels.forward(spec, x, T, M, h, spike, v, w);

        float[] gradX = new float[T * M];
        NeuronKernels.backward(spec, f.floats("g"), x, h, spike, w, T, M, gradX);

        // The training path (no v/w traces; the Vector API form when enabled, on whole vectors of
        // neurons) must give the same h and spikes: run 9 copies of the neurons side by side so that
        // most of them land in vector lanes, then check every copy.
        int copies = 9;
        int wide = copies * M;
        float[] xWide = new float[T * wide];
        for (int t = 0; t < T; t++) {
            for (int c = 0; c < copies; c++) {
                System.arraycopy(x, t * M, xWide, t * wide + c * M, M);
            }
        }
        float[] hWide = new float[T * wide];
        byte[] spikeWide = new byte[T * wide];
        // rk2, rk4 and sub-steps of izh keep w for the backward, as CpuNetwork does
        float[] wWide = NeuronKernels.needsState(spec) ? new float[T * wide] : null;
        NeuronKernels.forward(spec, xWide, T, wide, hWide, spikeWide, null, wWide);
        float[] gWide = new float[T * wide];
        for (int t = 0; t < T; t++) {
            for (int c = 0; c < copies; c++) {
                System.arraycopy(f.floats("g"), t * M, gWide, t * wide + c * M, M);
            }
        }
        float[] gradWide = new float[T * wide];
        NeuronKernels.backward(spec, gWide, xWide, hWide, spikeWide, wWide, T, wide, gradWide);
        float[] hTrain = new float[T * M];
        byte[] spikeTrain = new byte[T * M];
        float[] gradTrain = new float[T * M];

        List<Executable> checks = new ArrayList<>();
        checks.add(() -> Compare.spikesEqual(name + " spike", f.ints("spike"), spike));
        checks.add(() -> Compare.close(name + " h", f.floats("h"), h, STATE_ATOL, STATE_RTOL));
        checks.add(() -> Compare.close(name + " v", f.floats("v"), v, STATE_ATOL, STATE_RTOL));
        if (izh) {
            checks.add(() -> Compare.close(name + " w", f.floats("w"), w, STATE_ATOL, STATE_RTOL));
        }
        checks.add(() -> Compare.close(name + " grad_x", f.floats("grad_x"), gradX, GRAD_ATOL, GRAD_RTOL));
        for (int c = 0; c < copies; c++) {
            for (int t = 0; t < T; t++) {
                System.arraycopy(hWide, t * wide + c * M, hTrain, t * M, M);
                System.arraycopy(spikeWide, t * wide + c * M, spikeTrain, t * M, M);
                System.arraycopy(gradWide, t * wide + c * M, gradTrain, t * M, M);
            }
            String copy = name + " copy " + c + " (training path)";
            float[] hc = hTrain.clone();
            byte[] sc = spikeTrain.clone();
            float[] gc = gradTrain.clone();
            checks.add(() -> Compare.spikesEqual(copy + " spike", f.ints("spike"), sc));
            checks.add(() -> Compare.close(copy + " h", h, hc, 0f, 0f));
            checks.add(() -> Compare.close(copy + " grad_x", f.floats("grad_x"), gc, GRAD_ATOL, GRAD_RTOL));
        }
        assertAll(name, checks.stream());
    }
}
