package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.testutil.Compare;
import dev.spikestep.testutil.Fixture;
import dev.spikestep.testutil.NeuronFixtures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernels of {@code kernels/neuron.cu} one by one against every single-neuron golden fixture
 * (all integrators x decay_input x reset x dt, the diverging izh euler dt 5 included), with the
 * tolerances of NeuronGoldenTest, and against their Java twin NeuronKernels bit for bit (h, v, w,
 * spikes, grad_x). The fixtures are packed as runs of one launch (blockIdx.y = run, each run its own
 * NeuronParams block): one forward and one backward launch per (backward kernel, T, M) group; SPEC 9's
 * izh stage backward (rk2, rk4, K > 1) also reads x and the forward's w. The backward reads the
 * forward kernel's own h and spikes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NeuronKernelGoldenTest {
    private static final float STATE_ATOL = 1e-5f;
    private static final float STATE_RTOL = 1e-5f;
    private static final float GRAD_ATOL = 1e-5f;
    private static final float GRAD_RTOL = 1e-4f;
    private static final int BLOCK = 256;

    /** What the kernels wrote for one fixture, each [T, M]. */
    private record Traces(float[] h, float[] spike, float[] v, float[] w, float[] gradX) {
    }

    private Map<String, Traces> traces;

    /** The device the kernels run on; skips (Assumptions) where it is not available. */
    protected abstract Device open();

    /** Runs the launches once for the class; each test that asks first skips visibly without a device. */
    private synchronized Map<String, Traces> traces() {
        if (traces == null) {
            traces = runKernels();
        }
        return traces;
    }

    private Map<String, Traces> runKernels() {
        Map<String, List<Fixture>> groups = new LinkedHashMap<>();
        for (String name : NeuronFixtures.names().toList()) {
            Fixture f = Fixture.load(name);
            int[] s = f.shape("x");
            NeuronSpec spec = NeuronFixtures.spec(f);
            // one launch pair per kernel pair and shape
            String key = NeuronParams.kernelPrefix(spec) + " " + NeuronKernels.needsState(spec) + " " + s[0] + " " + s[1];
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        }
        Map<String, Traces> out = new HashMap<>();
        try (Device dev = open()) {
            for (List<Fixture> g : groups.values()) {
                run(dev, g, out);
            }
        }
        return out;
    }

    /** One forward and one backward launch for fixtures of the same model and shape. */
    private static void run(Device dev, List<Fixture> group, Map<String, Traces> traces) {
        int R = group.size();
        int T = group.get(0).shape("x")[0];
        int M = group.get(0).shape("x")[1];
        int n = T * M;
        NeuronSpec first = NeuronFixtures.spec(group.get(0));
        String kind = NeuronParams.kernelPrefix(first);
        float[] params = new float[R * NeuronParams.SIZE];
        float[] x = new float[R * n];    // [R, T, M]
        float[] g = new float[R * n];
        for (int r = 0; r < R; r++) {
            Fixture f = group.get(r);
            System.arraycopy(NeuronParams.of(NeuronFixtures.spec(f)), 0, params, r * NeuronParams.SIZE, NeuronParams.SIZE);
            System.arraycopy(f.floats("x"), 0, x, r * n, n);
            System.arraycopy(f.floats("g"), 0, g, r * n, n);
        }
        DeviceBuffer p = dev.alloc(4L * params.length);
        DeviceBuffer xd = dev.alloc(4L * R * n);
        DeviceBuffer gd = dev.alloc(4L * R * n);
        DeviceBuffer h = dev.alloc(4L * R * n);
        DeviceBuffer spike = dev.alloc(4L * R * n);
        DeviceBuffer v = dev.alloc(4L * R * n);
        DeviceBuffer w = dev.alloc(4L * R * n);
        DeviceBuffer gx = dev.alloc(4L * R * n);
        dev.upload(p, params, params.length);
        dev.upload(xd, x, x.length);
        dev.upload(gd, g, g.length);
        int blocks = (M + BLOCK - 1) / BLOCK;
        int[] Ta = Launch.i32(T);
        int[] Ma = Launch.i32(M);
        // the launches the trainer makes (NeuronParams), v_seq and w_seq kept for the fixtures
        dev.launch(NeuronParams.forward(kind, p, xd, Ta, Ma, h, spike, v, w).grid(blocks, R).block(BLOCK, 1));
        // SPEC 9's izh stage backward also reads the input and the forward's w
        Launch back = NeuronParams.backward(NeuronKernels.needsState(first), kind, p, gd, xd, h, spike, w, Ta, Ma, gx);
        dev.launch(back.grid(blocks, R).block(BLOCK, 1));
        float[][] out = new float[5][R * n];
        DeviceBuffer[] src = {h, spike, v, w, gx};
        for (int k = 0; k < src.length; k++) {
            dev.download(src[k], out[k], R * n);
        }
        for (int r = 0; r < R; r++) {
            int o = r * n;
            traces.put(group.get(r).name(), new Traces(java.util.Arrays.copyOfRange(out[0], o, o + n),
                    java.util.Arrays.copyOfRange(out[1], o, o + n), java.util.Arrays.copyOfRange(out[2], o, o + n),
                    java.util.Arrays.copyOfRange(out[3], o, o + n), java.util.Arrays.copyOfRange(out[4], o, o + n)));
        }
    }

    Stream<String> fixtures() {
        List<String> names = NeuronFixtures.names().toList();
        assertTrue(names.size() >= 44, "neuron fixtures listed in the index: " + names.size());
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesTorchAndTheJavaTwin(String name) {
        Fixture f = Fixture.load(name);
        Traces k = traces().get(name);
        assertTrue(k != null, name + " was not run");
        NeuronSpec spec = NeuronFixtures.spec(f);
        boolean izh = spec instanceof IzhSpec;
        int T = f.shape("x")[0];
        int M = f.shape("x")[1];
        assertEquals(T * M, k.h().length, name + " trace length");

        // The Java twin with its v/w traces (the scalar path): the kernels must be it, bit for bit.
        float[] h = new float[T * M];
        byte[] spike = new byte[T * M];
        float[] v = new float[T * M];
        float[] w = izh ? new float[T * M] : null;
        NeuronKernels.forward(spec, f.floats("x"), T, M, h, spike, v, w);
        float[] gradX = new float[T * M];
        NeuronKernels.backward(spec, f.floats("g"), f.floats("x"), h, spike, w, T, M, gradX);

        List<Executable> checks = new ArrayList<>();
        checks.add(() -> Compare.spikesEqual(name + " spike", f.ints("spike"), k.spike()));
        checks.add(() -> Compare.close(name + " h", f.floats("h"), k.h(), STATE_ATOL, STATE_RTOL));
        checks.add(() -> Compare.close(name + " v", f.floats("v"), k.v(), STATE_ATOL, STATE_RTOL));
        if (izh) {
            checks.add(() -> Compare.close(name + " w", f.floats("w"), k.w(), STATE_ATOL, STATE_RTOL));
        } else {
            checks.add(() -> Compare.close(name + " w (lif writes 0)", new float[T * M], k.w(), 0f, 0f));
        }
        checks.add(() -> Compare.close(name + " grad_x", f.floats("grad_x"), k.gradX(), GRAD_ATOL, GRAD_RTOL));
        checks.add(() -> Compare.spikesEqual(name + " spike vs NeuronKernels", spike, k.spike()));
        // the surrogate is float arithmetic written out on both sides: the gradients agree exactly too
        checks.add(() -> Compare.close(name + " grad_x vs NeuronKernels", gradX, k.gradX(), 0f, 0f));
        checks.add(() -> Compare.close(name + " h vs NeuronKernels", h, k.h(), 0f, 0f));
        checks.add(() -> Compare.close(name + " v vs NeuronKernels", v, k.v(), 0f, 0f));
        if (izh) {
            checks.add(() -> Compare.close(name + " w vs NeuronKernels", w, k.w(), 0f, 0f));
        }
        assertAll(name, checks.stream());
    }
}
