package dev.spikestep.jmh;

import dev.spikestep.net.SpikeLinear;
import dev.spikestep.rng.PoissonEncoder;
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
 * The sparse fc1 (784 -> 256) on Poisson spikes of MNIST-like images, one thread, T 50 x B 128 rows:
 * forward (sum of the active inputs' weight rows) and weight gradient (scatter into those rows). The
 * score is nanoseconds per neuron-step (one hidden neuron's input at one step of one sample).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SpikeLinearBench {
    static final int T = 50;
    static final int B = 128;
    static final int N_IN = 784;
    static final int N_H = 256;

    /** Encoder dt: 5 makes bright pixels spike almost every step (dense), 0.5 sparse. */
    @Param({"5.0", "0.5"})
    public double dt;

    long[] bits;
    int words;
    float[] w;
    float[] out;
    float[] grad;
    float[] gW;
    SpikeLinear.GradRows lists;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(2);
        // A blob in the middle of each 28x28 image, about as many lit pixels as an MNIST digit (~19%).
        byte[] images = new byte[B * N_IN];
        for (int b = 0; b < B; b++) {
            int cx = 10 + rnd.nextInt(8);
            int cy = 10 + rnd.nextInt(8);
            for (int p = 0; p < N_IN; p++) {
                int dx = p % 28 - cx;
                int dy = p / 28 - cy;
                if (dx * dx + dy * dy < 40) {
                    images[b * N_IN + p] = (byte) (128 + rnd.nextInt(128));
                }
            }
        }
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, dt);
        words = PoissonEncoder.words(N_IN);
        bits = new long[T * B * words];
        for (int t = 0; t < T; t++) {
            for (int b = 0; b < B; b++) {
                enc.encodeStep(7, b, t, images, b * N_IN, N_IN, bits, (t * B + b) * words);
            }
        }
        w = new float[N_IN * N_H];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextDouble() - 0.5) / 14f;
        }
        out = new float[T * B * N_H];
        grad = new float[T * B * N_H];
        for (int i = 0; i < grad.length; i++) {
            grad[i] = (float) rnd.nextGaussian() * 1e-3f;
        }
        gW = new float[N_IN * N_H];
        lists = new SpikeLinear.GradRows(T * B, N_IN);
    }

    @Benchmark
    @OperationsPerInvocation(T * B * N_H)
    public float forward() {
        SpikeLinear.forwardBits(bits, words, T, B, w, N_H, N_H, out, 0, B);
        return out[0];
    }

    @Benchmark
    @OperationsPerInvocation(T * B * N_H)
    public float weightGradient() {
        java.util.Arrays.fill(gW, 0f);
        lists.build(bits, words, T * B, grad, N_H, 0, SpikeLinear.GradRows.blocks(T * B));
        SpikeLinear.weightGradBits(lists, grad, N_H, gW, 0, N_H);
        return gW[0];
    }
}
