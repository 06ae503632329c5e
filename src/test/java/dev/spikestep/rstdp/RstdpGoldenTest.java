package dev.spikestep.rstdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.spikestep.net.Parallel;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.testutil.Compare;
import dev.spikestep.testutil.Fixture;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU R-STDP network against the PyTorch fixtures of {@code src/test/python/golden_rstdp.py}
 * (the notebook's forward_collect and rstdp_update_w_out on one batch): hidden and WTA output spike
 * counts exactly, at every time chunk size and thread count; pseudo-CE, no_spike_out and W_out
 * after the pm1 and onehot updates within float tolerance.
 */
class RstdpGoldenTest {
    static List<String> fixtures() throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = RstdpGoldenTest.class.getClassLoader().getResourceAsStream("golden/rstdp_index.txt")) {
            if (in == null) {
                throw new IOException("golden/rstdp_index.txt not on the test classpath "
                        + "(regenerate with /usr/bin/python3 src/test/python/golden_rstdp.py)");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.trim());
                }
            }
        }
        return names;
    }

    static Stream<String> names() throws IOException {
        List<String> n = fixtures();
        assertEquals(6, n.size(), "rstdp_index.txt lists the six fixtures");
        return n.stream();
    }

    private static RstdpNetwork network(Fixture f, int chunk, int threads) {
        assertEquals("false", f.meta("decay_input"));
        assertEquals(RstdpConfig.V_TH, f.metaFloat("v_th"));
        assertEquals(RstdpConfig.TAU, f.metaDouble("tau"));
        assertEquals(RstdpConfig.GAIN, f.metaFloat("gain"));
        assertEquals(RstdpConfig.W_CLIP, f.metaFloat("clip"));
        LifSpec lif = new LifSpec(Integrator.parse(f.meta("integrator")), Double.parseDouble(f.meta("dt")),
                RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET, false, false);
        RstdpNetwork net = new RstdpNetwork(f.metaInt("n_in"), f.metaInt("n_h"), f.metaInt("n_out"), f.metaInt("T"),
                f.metaInt("B"), chunk, lif, new Parallel(threads));
        net.setWeightsTorchLayout(f.floats("w_in"), f.floats("w_out"));
        return net;
    }

    private static void forward(RstdpNetwork net, Fixture f) {
        net.run(RstdpNetwork.dense(f.floats("x_seq"), f.metaInt("n_in")), f.metaInt("B"), f.ints("labels"),
                Float.parseFloat(f.meta("teach")));
    }

    @ParameterizedTest
    @MethodSource("names")
    void countsMatchExactlyAtEveryChunkSizeAndThreadCount(String name) {
        Fixture f = Fixture.load(name);
        int T = f.metaInt("T");
        int B = f.metaInt("B");
        for (int chunk : new int[] {1, 3, 7, T, 1000}) {
            for (int threads : new int[] {1, 2}) {
                try (RstdpNetwork net = network(f, chunk, threads)) {
                    forward(net, f);
                    String what = name + " chunk " + chunk + " threads " + threads;
                    Compare.spikesEqual(what + " h_count", f.ints("h_count"),
                            java.util.Arrays.copyOf(net.hiddenCounts(), B * f.metaInt("n_h")));
                    Compare.spikesEqual(what + " o_count", f.ints("o_count"),
                            java.util.Arrays.copyOf(net.outputCounts(), B * f.metaInt("n_out")));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void metricsAndUpdatedWeightsMatch(String name) {
        Fixture f = Fixture.load(name);
        int B = f.metaInt("B");
        int[] labels = f.ints("labels");
        float lr = f.metaFloat("lr");
        try (RstdpNetwork net = network(f, 5, 2)) {
            forward(net, f);
            RstdpRunner.Tally tally = new RstdpRunner.Tally(f.metaInt("T"), f.metaInt("n_h"), f.metaInt("n_out"));
            tally.add(net, labels, B, true);
            RstdpRunner.Stats s = tally.stats();
            Compare.close(name + " pseudo_ce", f.floats("pseudo_ce"), new float[] {(float) s.pseudoCe()}, 1e-5f, 1e-5f);
            Compare.close(name + " no_spike_out", f.floats("no_spike_out"), new float[] {(float) s.noSpikeOut()}, 1e-7f, 0f);

            net.update(Reward.PM1, labels, lr, RstdpConfig.W_CLIP);
            float[] pm1 = net.wOutTorchLayout();
            Compare.close(name + " W_out after pm1", f.floats("w_out_pm1"), pm1, 1e-6f, 1e-6f);
            assertFalse(java.util.Arrays.equals(pm1, f.floats("w_out")), "the pm1 update changes W_out");

            // onehot from the same counts and the original weights (the counts survive an update)
            net.setWeightsTorchLayout(f.floats("w_in"), f.floats("w_out"));
            net.update(Reward.ONEHOT, labels, lr, RstdpConfig.W_CLIP);
            Compare.close(name + " W_out after onehot", f.floats("w_out_onehot"), net.wOutTorchLayout(), 1e-6f, 1e-6f);
        }
    }
}
