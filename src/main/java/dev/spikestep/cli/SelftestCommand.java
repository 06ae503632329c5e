package dev.spikestep.cli;

import dev.spikestep.SpikestepException;
import dev.spikestep.net.Adam;
import dev.spikestep.net.Backends;
import dev.spikestep.net.CpuNetwork;
import dev.spikestep.net.NetShape;
import dev.spikestep.net.Network;
import dev.spikestep.net.Parallel;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.rng.Streams;
import dev.spikestep.rstdp.Reward;
import dev.spikestep.rstdp.RstdpConfig;
import dev.spikestep.rstdp.RstdpEngine;
import dev.spikestep.rstdp.RstdpInput;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code spikestep selftest --backend cuda}: the backend against the CPU backend on the same random
 * images and weights (multiples of 1/256, so every product is exact and hidden spikes must agree
 * exactly), for every model/integrator and readout: encoder, forward, loss, gradients, Adam; then the
 * R-STDP engine (SPEC 6) against the CPU one: counts exactly, W_out after pm1 and onehot updates.
 * For machines without a JDK or JUnit (benchmarks/gpu-check.sh); the JUnit contract tests are the full check.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = "Compare the CUDA backend with the CPU backend on random inputs (exit 1 on any mismatch).")
public final class SelftestCommand implements Callable<Integer> {
    @Option(names = "--backend", paramLabel = "cuda|auto", defaultValue = "cuda", description = "Backend to check: cuda, or auto, which must then "
            + "find a GPU (default: ${DEFAULT-VALUE}).")
    String backend;

    @Mixin
    DeviceOption device;

    private int failures;
    private int checks;

    @Override
    public Integer call() {
        // The CPU against itself would pass every check and prove nothing: a pass must mean a GPU agreed.
        if (Backends.checkName(backend).equals(Backends.CPU)) {
            throw new SpikestepException("selftest compares the CUDA backend with the CPU backend: --backend cpu would "
                    + "compare the CPU with itself");
        }
        String why = Backends.cudaUnavailableReason();
        if (why != null) {
            throw new SpikestepException("--backend " + backend + (backend.equals(Backends.CUDA) ? " is not available: "
                    : " found no usable GPU: ") + why + " (selftest compares a GPU with the CPU backend, so it needs one)");
        }
        String b = Backends.CUDA;
        return device.run(b, () -> compareAll(b));
    }

    private Integer compareAll(String b) {
        List<NeuronSpec> neurons = List.of(LifSpec.notebook(Integrator.EXP, 5.0), LifSpec.notebook(Integrator.EULER, 1.0),
                new LifSpec(Integrator.ZOH, 1.0, 2.0, 0.6f, 0f, true, false), IzhSpec.notebook(Integrator.SYMPLECTIC, 1.0),
                IzhSpec.notebook(Integrator.EULER, 5.0));
        for (NeuronSpec n : neurons) {
            for (Readout r : Readout.values()) {
                run(b, n, r);
            }
        }
        for (LifSpec n : List.of(rstdpLif(Integrator.EULER, 0.1), rstdpLif(Integrator.EXP, 0.5))) {
            rstdp(b, n);
        }
        System.out.printf("selftest %s: %d checks, %d failed%n", b, checks, failures);
        return failures == 0 ? 0 : 1;
    }

    private void run(String b, NeuronSpec neuron, Readout readout) {
        int nIn = 784;
        int nH = 256;
        int nOut = 10;
        int T = 20;
        int B = 64;
        int n = 2 * B - 5;
        NetShape shape = new NetShape(nIn, nH, nOut, T, B);
        byte[] images = new byte[n * nIn];
        float[] u = Streams.uniforms(5, 0, 0, 3, images.length);
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) (u[i] < 0.5f ? 0 : (int) (u[i] * 255));
        }
        int[] order = Streams.permutation(5, 0, n);
        float[] w1 = dyadic(nH * nIn, 1, 0.05f);
        float[] wOut = dyadic(nOut * nH, 2, 0.1f);
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, neuron.dt());
        String what = neuron.model() + "/" + neuron.integrator().cliName() + " dt " + neuron.dt() + " " + readout.cliName();
        try (Network dev = Backends.create(b, shape, neuron, readout, Adam.notebook(), 1);
             Network cpu = new CpuNetwork(shape, neuron, readout, Adam.notebook(), new Parallel(Runtime.getRuntime().availableProcessors()), true)) {
            for (int first = 0; first < n; first += B) {
                int bs = Math.min(B, n - first);
                int[] lab = new int[bs];
                for (int k = 0; k < bs; k++) {
                    lab[k] = order[first + k] % nOut;
                }
                for (Network x : new Network[] {dev, cpu}) {
                    x.setWeightsTorchLayout(w1, wOut);
                    x.encode(enc, 99, images, order, first, bs);
                    x.forward();
                }
                int sites = T * bs * nH;
                byte[] sc = cpu.hiddenSpikes();
                byte[] sd = dev.hiddenSpikes();
                int diff = 0;
                for (int i = 0; i < sites; i++) {
                    diff += sc[i] != sd[i] ? 1 : 0;
                }
                check(what + " hidden spikes differ at " + diff + " of " + sites, diff == 0);
                check(what + " spike count", cpu.hiddenSpikeCount() == dev.hiddenSpikeCount());
                check(what + " non-finite count", cpu.nonFiniteCount() == dev.nonFiniteCount());
                check(what + " logits", close(cpu.logits(), dev.logits(), bs * nOut, 1e-5f, 1e-5f));
                float lc = cpu.backward(lab);
                float ld = dev.backward(lab);
                check(what + " loss " + lc + " vs " + ld, Math.abs(lc - ld) <= 1e-5f * Math.abs(lc) + 1e-6f);
                check(what + " grad w1", close(cpu.gradW1TorchLayout(), dev.gradW1TorchLayout(), nH * nIn, 1e-6f, 1e-3f));
                check(what + " grad w_out", close(cpu.gradWOutTorchLayout(), dev.gradWOutTorchLayout(), nOut * nH, 1e-6f, 1e-3f));
                check(what + " correct", cpu.correct(lab) == dev.correct(lab));
                cpu.adamStep();
                dev.adamStep();
                check(what + " w1 after Adam", close(cpu.w1TorchLayout(), dev.w1TorchLayout(), nH * nIn, 1e-6f, 1e-4f));
            }
        }
    }

    private static LifSpec rstdpLif(Integrator integrator, double dt) {
        return new LifSpec(integrator, dt, RstdpConfig.TAU, RstdpConfig.V_TH, RstdpConfig.V_RESET, false, false);
    }

    /**
     * R-STDP on the backend and on the CPU, in different time chunks: two training batches (teacher
     * current, a pm1 then an onehot update) and a partial evaluation batch. The device kernels sum in
     * the CPU's order, so the counts must agree exactly.
     */
    private void rstdp(String b, LifSpec neuron) {
        int nIn = 784;
        int nH = 256;
        int C = 10;
        int T = 60;
        int B = 32;
        int n = 2 * B + 7;
        byte[] images = new byte[n * nIn];
        float[] u = Streams.uniforms(6, 0, 0, 3, images.length);
        for (int i = 0; i < images.length; i++) {
            images[i] = (byte) (u[i] < 0.7f ? 0 : (int) (u[i] * 255));
        }
        int[] order = Streams.permutation(6, 0, n);
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.BERNOULLI, neuron.dt());
        String what = "rstdp lif/" + neuron.integrator().cliName() + " dt " + neuron.dt();
        try (RstdpEngine dev = RstdpEngine.create(b, nIn, nH, C, T, B, 25, neuron, 1);
             RstdpEngine cpu = RstdpEngine.create(Backends.CPU, nIn, nH, C, T, B, T, neuron,
                     Runtime.getRuntime().availableProcessors())) {
            dev.initWeights(3);
            cpu.initWeights(3);
            Reward[] rewards = {Reward.PM1, Reward.ONEHOT};
            for (int k = 0; k < 3; k++) {
                int first = k * B;
                int bs = Math.min(B, n - first);
                int[] lab = new int[bs];
                for (int j = 0; j < bs; j++) {
                    lab[j] = order[first + j] % C;
                }
                boolean train = k < 2;
                RstdpInput in = new RstdpInput.Poisson(enc, 40 + k, images, train ? order : null, first, nIn);
                dev.run(in, bs, train ? lab : null, train ? 1f : 0f);
                cpu.run(in, bs, train ? lab : null, train ? 1f : 0f);
                String step = what + (train ? " train batch " + k : " eval batch of " + bs);
                check(step + " h_count", java.util.Arrays.equals(cpu.hiddenCounts(), 0, bs * nH, dev.hiddenCounts(), 0,
                        bs * nH));
                check(step + " o_count", java.util.Arrays.equals(cpu.outputCounts(), 0, bs * C, dev.outputCounts(), 0,
                        bs * C));
                check(step + " hidden spike total " + cpu.hiddenSpikeTotal() + " vs " + dev.hiddenSpikeTotal(),
                        cpu.hiddenSpikeTotal() == dev.hiddenSpikeTotal());
                if (train) {
                    cpu.update(rewards[k], lab, 0.05f, RstdpConfig.W_CLIP);
                    dev.update(rewards[k], lab, 0.05f, RstdpConfig.W_CLIP);
                    check(step + " W_out after " + rewards[k].cliName(),
                            close(cpu.wOutTorchLayout(), dev.wOutTorchLayout(), C * nH, 1e-7f, 1e-6f));
                }
            }
        }
    }

    private void check(String what, boolean ok) {
        checks++;
        if (!ok) {
            failures++;
            System.out.println("FAIL " + what);
        }
    }

    private static boolean close(float[] e, float[] a, int n, float atol, float rtol) {
        for (int i = 0; i < n; i++) {
            boolean nan = Float.isNaN(e[i]) || Float.isNaN(a[i]);
            if (nan ? !(Float.isNaN(e[i]) && Float.isNaN(a[i])) : !(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) {
                return false;
            }
        }
        return true;
    }

    private static float[] dyadic(int n, int seed, float scale) {
        float[] u = Streams.uniforms(seed, 0, 0, 3, n);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = Math.round((2 * u[i] - 1) * scale * 256) / 256f;
        }
        return w;
    }
}
