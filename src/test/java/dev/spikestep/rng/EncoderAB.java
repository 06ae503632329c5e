package dev.spikestep.rng;

import dev.spikestep.data.IdxImages;
import dev.spikestep.data.IdxReader;
import dev.spikestep.simd.VectorSupport;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A/B of the CPU Poisson encoder in one JVM, one thread, on the real digits at the training shape
 * (T 50, B 128, encoder exact, dt 5): the plain form ({@link PoissonEncoderReference}, the code before
 * the fast path), the scalar form of {@link PoissonEncoder#encodeSteps} and, where the Vector API is
 * enabled, its Vector API form ({@link VectorEncoder}, whatever the lane count), alternated batch by batch. Prints medians as ms per batch and ns per
 * Philox call (live 4-pixel groups x T x B) and checks that all give the same bits. In the rng
 * package (not jmh/) to reach the scalar form, which production picks only without the Vector API.
 *
 * <pre>make build; mvn -q test-compile
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *     dev.spikestep.rng.EncoderAB data/mnist-sample [repeats]</pre>
 */
public final class EncoderAB {
    private static final int T = 50;
    private static final int B = 128;

    private EncoderAB() {
    }

    public static void main(String[] args) {
        IdxImages images = IdxReader.readImages(Path.of(args[0], "train-images-idx3-ubyte"));
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int nIn = images.rows() * images.cols();
        int words = PoissonEncoder.words(nIn);
        PoissonEncoder enc = new PoissonEncoder(PoissonEncoder.Method.EXACT, 5.0);
        PoissonEncoderReference ref = new PoissonEncoderReference(enc, nIn);
        PoissonEncoder.Prepared prep = new PoissonEncoder.Prepared(nIn);
        String[] names = {"reference", "scalar", "vector"};
        int forms = VectorSupport.ENABLED ? 3 : 2;
        long[][] bits = new long[forms][T * B * words];
        double[][] ms = new double[forms][repeats];
        long calls = 0;
        int nBatches = images.count() / B;
        for (int rep = -15; rep < repeats; rep++) {
            int first = Math.floorMod(rep, nBatches) * B;
            long seed = 1000 + rep;
            for (int f = 0; f < forms; f++) {
                long[] out = bits[f];
                long t0 = System.nanoTime();
                if (f == 0) {
                    calls = 0;
                }
                for (int s = 0; s < B; s++) {
                    if (f == 0) {
                        ref.prepare(images.data(), (first + s) * nIn, nIn);
                        calls += (long) ref.liveGroups() * T;
                        for (int t = 0; t < T; t++) {
                            ref.encodeStep(seed, first + s, t, out, (t * B + s) * words);
                        }
                    } else {
                        enc.prepare(images.data(), (first + s) * nIn, nIn, prep);
                        if (f == 1) {
                            PoissonEncoder.encodeStepsScalar(seed, first + s, 0, T, prep, out, s * words, B * words);
                        } else {
                            VectorEncoder.encodeSteps((int) seed, (int) (seed >>> 32), first + s, 0, T, prep, out,
                                    s * words, B * words);
                        }
                    }
                }
                long t1 = System.nanoTime();
                if (rep >= 0) {
                    ms[f][rep] = (t1 - t0) * 1e-6;
                }
                if (f > 0 && !Arrays.equals(bits[0], out)) {
                    throw new AssertionError(names[f] + " differs from the reference at repeat " + rep);
                }
            }
        }
        System.out.printf("java %s %s, %s, encodeSteps takes the %s form; T %d, B %d, one thread, %d repeats, %d Philox calls per batch%n",
                System.getProperty("java.version"),
                String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()),
                VectorSupport.describe(), PoissonEncoder.VECTOR ? "vector" : "scalar", T, B, repeats, calls);
        double base = median(ms[0]);
        for (int f = 0; f < forms; f++) {
            double m = median(ms[f]);
            System.out.printf("%-10s %7.3f ms/batch  %6.2f ns/call  %5.2fx%n", names[f], m, m * 1e6 / calls, base / m);
        }
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
