package dev.spikestep.testutil;

import dev.spikestep.data.Dataset;
import dev.spikestep.data.IdxImages;
import dev.spikestep.data.IdxWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small, learnable stand-in for MNIST in tests: ten classes, each a bright horizontal band at its
 * own height (rows 2c+2 .. 2c+5 of 28x28), with speckle noise elsewhere. Seeded, so tests are exact.
 */
public final class SyntheticDigits {
    private SyntheticDigits() {
    }

    public static Dataset bands(String name, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] images = new byte[n * 784];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(10);
            labels[i] = (byte) c;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                boolean band = row >= 2 + 2 * c && row < 6 + 2 * c;
                int v = band ? 200 + rnd.nextInt(56) : (rnd.nextInt(10) == 0 ? rnd.nextInt(256) : 0);
                images[i * 784 + p] = (byte) v;
            }
        }
        return new Dataset(name, 28, 28, 10, images, labels);
    }

    /** A data directory {@code dataDir} holding {@code mnist-sample} as bands: {@code train} and {@code test} samples. */
    public static Path writeMnistSample(Path dataDir, int train, int test) {
        writeBands(dataDir.resolve("mnist-sample"), "train", train, 1);
        writeBands(dataDir.resolve("mnist-sample"), "t10k", test, 2);
        return dataDir;
    }

    /** Writes {@link #bands} as the IDX pair {@code prefix-images-idx3-ubyte}, {@code prefix-labels-idx1-ubyte} in {@code dir}. */
    public static void writeBands(Path dir, String prefix, int n, long seed) {
        Dataset d = bands(prefix, n, seed);
        IdxWriter.writeImages(dir.resolve(prefix + "-images-idx3-ubyte"), new IdxImages(n, 28, 28, d.images()), false);
        IdxWriter.writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte"), d.labels(), false);
    }
}
