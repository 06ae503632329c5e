package dev.spikestep.cuda;

import dev.spikestep.net.PhaseTimes;
import java.nio.ByteBuffer;

/**
 * What {@link KernelNetwork} needs from a device: memory, copies and kernel launches. Implemented
 * by {@link CudaDevice} (JCuda, on a GPU's driver or the emulated one of kernels/emu/); the tests
 * wrap it to log the launch sequence. Work is ordered (one stream); downloads wait for it.
 */
public interface Device extends AutoCloseable {
    /** Zero-filled device memory. */
    DeviceBuffer alloc(long bytes);

    /** Returns memory from {@link #alloc} (not a slice). */
    void free(DeviceBuffer buffer);

    /** A little-endian host staging buffer (page-locked on a GPU) for the small per-batch copies. */
    ByteBuffer hostBuffer(int bytes);

    void upload(DeviceBuffer dst, ByteBuffer src, int bytes);

    void upload(DeviceBuffer dst, float[] src, int n);

    void upload(DeviceBuffer dst, byte[] src, int n);

    void upload(DeviceBuffer dst, int[] src, int n);

    void download(DeviceBuffer src, ByteBuffer dst, int bytes);

    void download(DeviceBuffer src, float[] dst, int n);

    void zero(DeviceBuffer dst);

    void launch(Launch launch);

    /** Runs a product; this default uses the hand-written tiled kernel (CudaDevice uses cuBLAS when it loads). */
    default void gemm(Gemm g) {
        launch(g.tiled);
    }

    /**
     * Marks the end of a phase of a training step in the work queued so far (KernelNetwork calls it
     * after each phase). Nothing by default; CudaDevice records a CUDA event here while
     * a benchmark times phases (CudaDevice.phaseTiming), so the phases are timed on the GPU.
     */
    default void mark(PhaseTimes.Phase phase) {
    }

    /** For start-up tables: the device and which GEMM runs. */
    String describe();

    @Override
    void close();
}
