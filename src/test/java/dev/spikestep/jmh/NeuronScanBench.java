package dev.spikestep.jmh;

import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronKernels;
import dev.spikestep.neuron.NeuronSpec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The fused multi-step neuron scan, one thread, at the training shape (T 50, B 128, N 256): the score
 * is nanoseconds per neuron-step (one neuron advanced by one step).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class NeuronScanBench {
    static final int T = 50;
    static final int M = 128 * 256;

    @Param({"lif/euler", "lif/exp", "izh/euler", "izh/symplectic"})
    public String variant;

    @Param({"1.0"})
    public double dt;

    NeuronSpec spec;
    float[] x;
    float[] h;
    byte[] s;
    float[] g;
    float[] gx;

    @Setup
    public void setup() {
        String[] mi = variant.split("/");
        Integrator integ = Integrator.parse(mi[1]);
        spec = mi[0].equals("lif") ? LifSpec.notebook(integ, dt) : IzhSpec.notebook(integ, dt);
        SplittableRandom rnd = new SplittableRandom(1);
        x = new float[T * M];
        g = new float[T * M];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 1.5 + 0.8); // fc1 currents: a mix of quiet and spiking neurons
            g[i] = (float) rnd.nextGaussian();
        }
        h = new float[T * M];
        s = new byte[T * M];
        gx = new float[T * M];
        NeuronKernels.forward(spec, x, T, M, h, s, null, null);
    }

    @Benchmark
    @OperationsPerInvocation(T * M)
    public float forward() {
        NeuronKernels.forward(spec, x, T, M, h, s, null, null);
        return h[h.length - 1];
    }

    @Benchmark
    @OperationsPerInvocation(T * M)
    public float backward() {
        NeuronKernels.backward(spec, g, h, s, T, M, gx);
        return gx[0];
    }
}
