package dev.spikestep.cuda;

/**
 * One kernel launch, its arguments fixed once (jcuda-samples' "arguments packed in one place"): a
 * {@link DeviceBuffer}, {@code null} for a NULL pointer, or a one-element {@code int[]},
 * {@code long[]} or {@code float[]} holder for a scalar. Holders are read at every launch, so a
 * caller changes a scalar (the batch size) by writing its holder, and the device builds the
 * parameter pointers only once per {@code Launch}.
 */
public final class Launch {
    final String kernel;
    final Object[] args;
    final int[] grid = {1, 1, 1};
    final int[] block = {1, 1, 1};

    public Launch(String kernel, Object... args) {
        for (Object a : args) {
            boolean ok = a == null || a instanceof DeviceBuffer || (a instanceof int[] i && i.length == 1)
                    || (a instanceof long[] l && l.length == 1) || (a instanceof float[] f && f.length == 1);
            if (!ok) {
                throw new IllegalArgumentException(kernel + ": unsupported argument " + a);
            }
        }
        this.kernel = kernel;
        this.args = args;
    }

    public String kernel() {
        return kernel;
    }

    /** A one-element scalar holder. */
    public static int[] i32(int v) {
        return new int[] {v};
    }

    public static long[] i64(long v) {
        return new long[] {v};
    }

    public static float[] f32(float v) {
        return new float[] {v};
    }

    public Launch grid(int x, int y) {
        grid[0] = x;
        grid[1] = y;
        return this;
    }

    public Launch block(int x, int y) {
        block[0] = x;
        block[1] = y;
        return this;
    }

    /** A 1-D grid of {@code blockSize}-thread blocks covering {@code n} threads (at least one block). */
    public Launch cover(long n, int blockSize) {
        long blocks = Math.max(1, (n + blockSize - 1) / blockSize);
        return grid((int) blocks, grid[1]).block(blockSize, 1);
    }
}
