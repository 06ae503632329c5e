package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One split of a labelled image dataset, held in memory as the raw uint8 bytes of its IDX files:
 * {@code images} is {@code [size, rows*cols]} row-major, {@code labels} is {@code [size]}. Bytes
 * rather than floats keep MNIST-sized data at a quarter of the memory and leave the scaling to the
 * encoder that consumes it. The arrays are shared, not copied: treat them as read-only.
 */
public record Dataset(String name, int rows, int cols, int numClasses, byte[] images, byte[] labels) {
    public Dataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (rows <= 0 || cols <= 0) {
            throw new SpikestepException(
                    "dataset " + name + ": image size must be positive, got " + rows + "x" + cols);
        }
        if (numClasses < 1 || numClasses > 256) {
            throw new SpikestepException(
                    "dataset " + name + ": numClasses must be 1..256 (uint8 labels), got " + numClasses);
        }
        if (labels.length == 0) {
            throw new SpikestepException("dataset " + name + " has no samples");
        }
        if ((long) labels.length * rows * cols != images.length) {
            throw new SpikestepException("dataset " + name + ": " + labels.length + " labels need "
                    + (long) labels.length * rows * cols + " pixel bytes (" + rows + "x" + cols
                    + " each), got " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            int label = Byte.toUnsignedInt(labels[i]);
            if (label >= numClasses) {
                throw new SpikestepException("dataset " + name + ": label " + label + " of sample " + i
                        + " is outside 0.." + (numClasses - 1));
            }
        }
    }

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    /** Pixels per image, {@code rows * cols}. */
    public int pixels() {
        return rows * cols;
    }

    /** Class of sample {@code i}, in {@code 0 .. numClasses-1}. */
    public int label(int i) {
        return Byte.toUnsignedInt(labels[i]);
    }

    /**
     * The first {@code n} samples, for quick runs; this dataset itself when it has no more than
     * {@code n}.
     */
    public Dataset head(int n) {
        if (n <= 0) {
            throw new SpikestepException(
                    "cannot take the first " + n + " samples of " + name + ": the count must be positive");
        }
        if (n >= size()) {
            return this;
        }
        return new Dataset(name, rows, cols, numClasses,
                Arrays.copyOf(images, n * pixels()), Arrays.copyOf(labels, n));
    }
}
