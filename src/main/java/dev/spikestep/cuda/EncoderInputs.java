package dev.spikestep.cuda;

import dev.spikestep.rng.PoissonEncoder;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The device side of {@code poisson_encode_bits_kernel} for R >= 1 runs, shared by
 * {@link KernelNetwork} and {@link RstdpKernelNetwork}: the images (one array for all runs), each
 * run's epoch order, probability table (it depends on dt) and seed. Each is uploaded only when the
 * caller passes another array, encoder or seed (the same array is taken to hold the same data, the
 * contract's "same array, same data"); the launch is rebuilt when images or orders move.
 */
final class EncoderInputs {
    private final Device dev;
    private final int runs;
    private final int nIn;
    private final DeviceBuffer prob;   // [R, 256]
    private final DeviceBuffer seeds;  // [R] u64
    private final ByteBuffer seedHost;
    private final long[] orderStride = new long[1];
    private final Object[] tail;       // first, B, t0, T holders; then nIn and the output bitmasks

    private DeviceBuffer images;
    private byte[] imagesHost;
    private DeviceBuffer order;        // [R, n] int, or none
    private int[][] orderHost;
    private PoissonEncoder[] encoderHost;
    private long[] seedOnDevice;
    private Launch launch;

    /**
     * @param first, B, t0, T the launch's holders of the batch's first position, batch size, first
     *     step and step count, which the caller sets before each launch
     * @param inBits the output bitmasks [R, T, B, words]
     */
    EncoderInputs(Device dev, int runs, int nIn, int[] first, int[] B, int[] t0, int[] T, DeviceBuffer inBits) {
        this.dev = dev;
        this.runs = runs;
        this.nIn = nIn;
        prob = dev.alloc(4L * runs * 256);
        seeds = dev.alloc(8L * runs);
        seedHost = dev.hostBuffer(8 * runs);
        tail = new Object[] {first, B, t0, T, Launch.i32(nIn), inBits};
    }

    /**
     * Run r encodes with {@code encoders[r]}, {@code seeds[r]} and {@code orders[r]} (each of the
     * dataset's length; null for all: dataset order). Returns the launch (grid.y = runs), to be
     * covered for the work and launched.
     */
    Launch prepare(PoissonEncoder[] encoders, long[] runSeeds, byte[] img, int[][] orders) {
        if (img != imagesHost) {
            if (img.length % nIn != 0) {
                throw new IllegalArgumentException("images: " + img.length + " bytes is not a multiple of " + nIn);
            }
            images = replace(images, img.length);
            dev.upload(images, img, img.length);
            imagesHost = img;
            launch = null;
        }
        if (!sameRefs(orders, orderHost)) {
            if (orders != null) {
                int n = orders[0].length;
                int[] all = new int[runs * n];
                for (int r = 0; r < runs; r++) {
                    if (orders[r].length != n) {
                        throw new IllegalArgumentException("orders of different lengths");
                    }
                    System.arraycopy(orders[r], 0, all, r * n, n);
                }
                order = replace(order, 4L * all.length);
                dev.upload(order, all, all.length);
                orderStride[0] = n;
            }
            orderHost = orders == null ? null : orders.clone();
            launch = null;
        }
        if (!sameRefs(encoders, encoderHost)) {
            float[] t = new float[runs * 256];
            for (int r = 0; r < runs; r++) {
                System.arraycopy(encoders[r].probabilities(), 0, t, r * 256, 256);
            }
            dev.upload(prob, t, t.length);
            encoderHost = encoders.clone();
        }
        if (seedOnDevice == null || !Arrays.equals(runSeeds, seedOnDevice)) {
            seedHost.clear();
            for (int r = 0; r < runs; r++) {
                seedHost.putLong(8 * r, runSeeds[r]);
            }
            dev.upload(seeds, seedHost, 8 * runs);
            seedOnDevice = runSeeds.clone();
        }
        if (launch == null) {
            launch = new Launch("poisson_encode_bits_kernel", prob, seeds, images, orders == null ? null : order,
                    orderStride, tail[0], tail[1], tail[2], tail[3], tail[4], tail[5]).grid(1, runs);
        }
        return launch;
    }

    private static boolean sameRefs(Object[] a, Object[] b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    /** Device memory for a host array of a new size; kept when the size is unchanged. */
    private DeviceBuffer replace(DeviceBuffer old, long bytes) {
        if (old != null && old.bytes() == bytes) {
            return old;
        }
        if (old != null) {
            dev.free(old);
        }
        return dev.alloc(bytes);
    }
}
