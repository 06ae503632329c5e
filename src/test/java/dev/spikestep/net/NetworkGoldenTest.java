package dev.spikestep.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.testutil.Compare;
import dev.spikestep.testutil.Fixture;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole SPEC section 5 network against PyTorch autograd (src/test/python/golden.py): the same
 * input spikes and weights give the same hidden spikes (exactly: the fixture's weights are multiples
 * of 1/1024, so every sum is exact in any order), logits, loss, weight gradients and two Adam steps.
 */
class NetworkGoldenTest {
    static Stream<String> fixtures() {
        List<String> all = Fixture.index();
        List<String> nets = all.stream().filter(n -> n.startsWith("net_")).toList();
        assertTrue(nets.size() >= 16, "network fixtures listed in the index: " + nets);
        return nets.stream();
    }

    static NeuronSpec spec(Fixture f) {
        Integrator integ = Integrator.parse(f.meta("integrator"));
        double dt = Double.parseDouble(f.meta("dt"));
        return f.meta("neuron").equals("lif") ? LifSpec.notebook(integ, dt) : IzhSpec.notebook(integ, dt);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void matchesPyTorch(String name) {
        Fixture f = Fixture.load(name);
        int T = Integer.parseInt(f.meta("T"));
        int B = Integer.parseInt(f.meta("B"));
        int nIn = Integer.parseInt(f.meta("n_in"));
        int nH = Integer.parseInt(f.meta("n_h"));
        int nOut = Integer.parseInt(f.meta("n_out"));
        int[] labels = f.ints("labels");
        for (int threads : new int[] {1, 2}) {
            try (Parallel par = new Parallel(threads)) {
                CpuNetwork net = new CpuNetwork(new NetShape(nIn, nH, nOut, T, B), spec(f),
                        Readout.parse(f.meta("readout")), Adam.notebook(), par);
                net.setWeightsTorchLayout(f.floats("w1"), f.floats("w_out"));
                net.setInputSpikes(f.floats("x_seq"), B);
                net.forward();
                String at = name + " (" + threads + " threads) ";
                Compare.spikesEqual(at + "hidden spikes", f.floats("hidden_spike"), slice(net.hiddenSpikes(), T * B * nH));
                Compare.close(at + "logits", f.floats("logits"), slice(net.logits(), B * nOut), 1e-6f, 1e-5f);
                float loss = net.backward(labels);
                assertEquals(f.floats("loss")[0], loss, 1e-5f * Math.abs(f.floats("loss")[0]) + 1e-6f, at + "loss");
                Compare.close(at + "grad w1", f.floats("grad_w1"), net.gradW1TorchLayout(), 1e-6f, 1e-4f);
                Compare.close(at + "grad w_out", f.floats("grad_w_out"), net.gradWOutTorchLayout(), 1e-6f, 1e-4f);
                // Two Adam steps on the same batch, as the fixture did.
                net.adamStep();
                net.forward();
                net.backward(labels);
                net.adamStep();
                Compare.close(at + "w1 after 2 Adam steps", f.floats("w1_adam2"), net.w1TorchLayout(), 1e-6f, 1e-5f);
                Compare.close(at + "w_out after 2 Adam steps", f.floats("w_out_adam2"), net.wOutTorchLayout(), 1e-6f, 1e-5f);
            }
        }
    }

    private static byte[] slice(byte[] a, int n) {
        return java.util.Arrays.copyOf(a, n);
    }

    private static float[] slice(float[] a, int n) {
        return java.util.Arrays.copyOf(a, n);
    }
}
