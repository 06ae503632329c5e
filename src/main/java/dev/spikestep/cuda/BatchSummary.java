package dev.spikestep.cuda;

import java.nio.ByteBuffer;

/**
 * The per-batch results a network's host side reads (losses and counts; R-STDP's output counts and
 * hidden totals), kept together in one device buffer so that they come back in one small copy into
 * a page-locked staging buffer, once per batch: {@link #stale} after launching new work,
 * {@link #host} copies only when stale. Shared by {@link KernelNetwork} and {@link RstdpKernelNetwork}.
 */
final class BatchSummary {
    private final Device dev;
    private final DeviceBuffer device;
    private final ByteBuffer host;
    private boolean fresh;

    BatchSummary(Device dev, long bytes) {
        this.dev = dev;
        device = dev.alloc(bytes);
        host = dev.hostBuffer((int) bytes);
    }

    /** The part {@code [offset, offset + bytes)} of the device buffer, for the kernels that write it. */
    DeviceBuffer slice(long offset, long bytes) {
        return device.slice(offset, bytes);
    }

    /** New work has been queued: the next {@link #host} copies again. */
    void stale() {
        fresh = false;
    }

    /** The host copy (little-endian, position 0), after one copy when the work has changed it (which waits for the work). */
    ByteBuffer host() {
        if (!fresh) {
            dev.download(device, host, (int) device.bytes());
            fresh = true;
        }
        host.clear();
        return host;
    }
}
