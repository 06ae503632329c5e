package dev.spikestep.data;

/**
 * The content of an IDX image file: {@code count} images of {@code rows x cols} uint8 pixels,
 * row-major, one image after the other. Kept as one flat array because that is how both the file
 * and the compute backends lay the pixels out, so no copy is needed on either side.
 */
public record IdxImages(int count, int rows, int cols, byte[] data) {
    public IdxImages {
        if (count <= 0 || rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(
                    "IDX images need positive dimensions, got " + count + " x " + rows + "x" + cols);
        }
        if ((long) count * rows * cols != data.length) {
            throw new IllegalArgumentException("IDX images: " + count + " x " + rows + "x" + cols
                    + " needs " + (long) count * rows * cols + " bytes, got " + data.length);
        }
    }
}
