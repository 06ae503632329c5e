package dev.spikestep.net;

/**
 * Conversions between Spikestep's weight layout [in, out] (a spike selects one contiguous row) and
 * PyTorch's nn.Linear layout [out, in], used wherever weights cross that boundary.
 */
public final class Layouts {
    private Layouts() {
    }

    /** Writes the transpose of {@code src} [rows, cols] into {@code dst} [cols, rows]. */
    public static void transpose(float[] src, int rows, int cols, float[] dst) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[c * rows + r] = src[r * cols + c];
            }
        }
    }

    /** The transpose of {@code src} [rows, cols], as a new [cols, rows] array. */
    public static float[] transpose(float[] src, int rows, int cols) {
        float[] dst = new float[src.length];
        transpose(src, rows, cols, dst);
        return dst;
    }
}
