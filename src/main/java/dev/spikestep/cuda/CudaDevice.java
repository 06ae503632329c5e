package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.spikestep.net.PhaseTimes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import jcuda.Pointer;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * A {@link Device} on a GPU through JCuda: one stream per run, kernels from {@link CudaModule},
 * parameter pointers built once per {@link Launch} and reused, page-locked host buffers for the
 * per-batch copies, and cuBLAS SGEMM for the products when libcublas loads (else the tiled kernel
 * of {@code kernels/linear.cu}; which one is used is said in {@link #describe}).
 */
public final class CudaDevice implements Device {
    private final CudaContext ctx;
    private final CudaModule module;
    private final CUstream stream = new CUstream();
    private final Map<Launch, Pointer> params = new IdentityHashMap<>();
    private final List<Pointer> pinned = new ArrayList<>();
    private final List<CUdeviceptr> allocations = new ArrayList<>();
    private final cublasHandle cublas;
    private final String cublasNote;
    private final Pointer one = Pointer.to(new float[] {1f});
    private final Pointer zero = Pointer.to(new float[] {0f});
    private EventTimer events;
    private boolean phaseTiming;
    private Buffer flush;
    private int flushValue;
    private final ByteBuffer[] staging = new ByteBuffer[2];
    private final long[] stagedAt = new long[2]; // the wait count (syncs) when a copy from the slot was last queued
    private int slot;
    private long syncs; // how many times the host has waited for the stream

    static final class Buffer implements DeviceBuffer {
        final CUdeviceptr ptr;
        final long bytes;

        Buffer(CUdeviceptr ptr, long bytes) {
            this.ptr = ptr;
            this.bytes = bytes;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public DeviceBuffer slice(long offset, long n) {
            if (offset < 0 || offset + n > bytes) {
                throw new IndexOutOfBoundsException("slice " + offset + "+" + n + " of " + bytes);
            }
            return new Buffer(ptr.withByteOffset(offset), n);
        }
    }

    /**
     * Owns {@code module} (and releases {@code ctx} on close). A constructor that fails closes what it made
     * (the stream, the module); the caller still holds {@code ctx} and releases it ({@link CudaBackend#orClose}).
     */
    public CudaDevice(CudaContext ctx, CudaModule module, boolean useCublas) {
        this.ctx = ctx;
        this.module = module;
        ctx.makeCurrent();
        try {
            cuStreamCreate(stream, 0);
        } catch (RuntimeException | Error e) {
            closeAll(e, module::close);
            throw e;
        }
        cublasHandle h = null;
        String note;
        if (useCublas) {
            boolean created = false;
            try {
                JCublas2.setExceptionsEnabled(true);
                h = new cublasHandle();
                JCublas2.cublasCreate(h);
                created = true;
                JCublas2.cublasSetStream(h, new cudaStream_t(stream));
                note = "cuBLAS SGEMM";
            } catch (Throwable t) {
                if (created) { // a handle that cannot take the stream is no use, but it holds device memory
                    try {
                        JCublas2.cublasDestroy(h);
                    } catch (Throwable ignored) {
                        // the tiled kernel serves; the handle goes with the context
                    }
                }
                h = null;
                // JCuda puts the nested stack traces of every load attempt in the message: its first line says it
                note = "tiled GEMM kernel (cuBLAS did not load: " + CudaBackend.brief(t) + ")";
            }
        } else {
            note = "tiled GEMM kernel (cuBLAS not requested)";
        }
        cublas = h;
        cublasNote = note;
    }

    /** The GPU this device's context is on (CUDA's ordinal). */
    public int ordinal() {
        return ctx.ordinal();
    }

    private static Buffer b(DeviceBuffer d) {
        return (Buffer) d;
    }

    @Override
    public DeviceBuffer alloc(long bytes) {
        ctx.makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, Math.max(bytes, 1));
        allocations.add(p);
        Buffer buf = new Buffer(p, bytes);
        zero(buf);
        return buf;
    }

    @Override
    public void free(DeviceBuffer buffer) {
        ctx.makeCurrent();
        sync();
        CUdeviceptr p = b(buffer).ptr;
        allocations.remove(p);
        cuMemFree(p);
    }

    @Override
    public ByteBuffer hostBuffer(int bytes) {
        ctx.makeCurrent();
        Pointer p = new Pointer();
        cuMemAllocHost(p, Math.max(bytes, 1));
        pinned.add(p);
        return p.getByteBuffer(0, Math.max(bytes, 1)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void upload(DeviceBuffer dst, ByteBuffer src, int bytes) {
        ctx.makeCurrent();
        cuMemcpyHtoDAsync(b(dst).ptr, Pointer.to(src), bytes, stream);
    }

    /*
     * Copies from Java arrays of up to STAGED bytes (the per-step ones: Adam's constants, R-STDP's labels) go
     * through a page-locked slot and cuMemcpyHtoDAsync on this stream, as the per-batch staging buffers do. A
     * synchronous cuMemcpyHtoD runs on the legacy NULL stream, which waits for every blocking stream of the
     * context: with several sweep workers on one GPU (one primary context) each copy would wait for all their
     * queued work. Larger copies (weights, images: set-up) stay synchronous, after waiting for the stream so
     * that no kernel still reads the target.
     */
    static final int STAGED = 64 << 10;

    @Override
    public void upload(DeviceBuffer dst, float[] src, int n) {
        copyIn(dst, 4L * n, s -> s.asFloatBuffer().put(src, 0, n), Pointer.to(src));
    }

    @Override
    public void upload(DeviceBuffer dst, byte[] src, int n) {
        copyIn(dst, n, s -> s.put(src, 0, n), Pointer.to(src));
    }

    @Override
    public void upload(DeviceBuffer dst, int[] src, int n) {
        copyIn(dst, 4L * n, s -> s.asIntBuffer().put(src, 0, n), Pointer.to(src));
    }

    /** A copy of {@code bytes} from a Java array: {@code fill} writes them into a staging slot, or {@code src} is copied. */
    private void copyIn(DeviceBuffer dst, long bytes, Consumer<ByteBuffer> fill, Pointer src) {
        ctx.makeCurrent();
        if (bytes <= STAGED) {
            ByteBuffer s = stagingSlot();
            fill.accept(s);
            s.rewind(); // the copy starts at the slot's start whichever way Pointer.to reads a buffer's position
            upload(dst, s, (int) bytes);
            stagedAt[slot] = syncs;
        } else {
            sync();
            cuMemcpyHtoD(b(dst).ptr, src, bytes);
        }
    }

    /**
     * The next of the two staging slots, safe to rewrite: the stream reads a slot when it reaches the copy, so a
     * slot whose last copy was queued after the stream last waited is waited for first. Two slots, used in turn,
     * make that wait rare: a training step (Adam's constants) or an R-STDP batch (the labels of run and of
     * update) queues at most two array copies between two reads of its batch summary, which wait for the
     * stream, so a slot's last copy is behind such a wait when the slot comes round again.
     */
    private ByteBuffer stagingSlot() {
        slot ^= 1;
        if (staging[slot] == null) {
            staging[slot] = hostBuffer(STAGED);
            stagedAt[slot] = -1;
        }
        if (stagedAt[slot] == syncs) {
            sync();
        }
        staging[slot].clear();
        return staging[slot];
    }

    /** Waits for this stream (only: never the NULL stream, which would wait for the other streams of the context). */
    private void sync() {
        cuStreamSynchronize(stream);
        syncs++;
    }

    @Override
    public void download(DeviceBuffer src, ByteBuffer dst, int bytes) {
        ctx.makeCurrent();
        cuMemcpyDtoHAsync(Pointer.to(dst), b(src).ptr, bytes, stream);
        sync();
    }

    @Override
    public void download(DeviceBuffer src, float[] dst, int n) {
        ctx.makeCurrent();
        sync();
        cuMemcpyDtoH(Pointer.to(dst), b(src).ptr, 4L * n);
    }

    @Override
    public void zero(DeviceBuffer dst) {
        ctx.makeCurrent();
        cuMemsetD8Async(b(dst).ptr, (byte) 0, dst.bytes(), stream);
    }

    @Override
    public void launch(Launch l) {
        ctx.makeCurrent();
        Pointer p = params.computeIfAbsent(l, CudaDevice::kernelParams);
        cuLaunchKernel(module.function(l.kernel), l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1], l.block[2],
                0, stream, p, null);
    }

    /** cuLaunchKernel's kernelParams: a pointer to each argument; scalar holders are read at each launch. */
    private static Pointer kernelParams(Launch l) {
        Pointer[] a = new Pointer[l.args.length];
        for (int i = 0; i < a.length; i++) {
            Object o = l.args[i];
            if (o == null) {
                a[i] = Pointer.to(new CUdeviceptr()); // a NULL device pointer
            } else if (o instanceof Buffer buf) {
                a[i] = Pointer.to(buf.ptr);
            } else if (o instanceof int[] v) {
                a[i] = Pointer.to(v);
            } else if (o instanceof long[] v) {
                a[i] = Pointer.to(v);
            } else {
                a[i] = Pointer.to((float[]) o);
            }
        }
        return Pointer.to(a);
    }

    /** Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: cuBLAS gets B first. */
    @Override
    public void gemm(Gemm g) {
        if (cublas == null) {
            launch(g.tiled);
            return;
        }
        ctx.makeCurrent();
        int opA = g.transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = g.transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        JCublas2.cublasSgemm(cublas, opB, opA, g.n(), g.m(), g.k(), one, b(g.b).ptr, g.ldb, b(g.a).ptr, g.lda,
                zero, b(g.c).ptr, g.ldc);
    }

    /** The CUDA-event timer on this device's stream (created on first use, destroyed by close). */
    EventTimer events() {
        if (events == null) {
            events = new EventTimer(ctx, stream);
        }
        return events;
    }

    /** While on, every {@link #mark} records an event on the stream for {@link EventTimer#end}. */
    void phaseTiming(boolean on) {
        phaseTiming = on;
    }

    @Override
    public void mark(PhaseTimes.Phase phase) {
        if (phaseTiming) {
            events().mark(phase);
        }
    }

    /**
     * Overwrites a buffer of twice the L2 size (CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE) on the stream, so
     * that the next kernel reads its inputs from DRAM, not from what the last repeat left in L2.
     */
    void flushL2() {
        ctx.makeCurrent();
        if (flush == null) {
            long l2;
            try {
                l2 = CudaContext.attribute(ctx.ordinal(), CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
            } catch (RuntimeException e) {
                l2 = 128L << 20; // more than any L2 so far (H100 and H200: 50 MB)
            }
            flush = (Buffer) alloc(Math.max(2 * l2, 1L << 20));
        }
        cuMemsetD8Async(flush.ptr, (byte) ++flushValue, flush.bytes, stream);
    }

    /** Waits for the stream (benchmarks time whole batches this way, after warm-up). */
    public void synchronize() {
        ctx.makeCurrent();
        sync();
    }

    public boolean usesCublas() {
        return cublas != null;
    }

    @Override
    public String describe() {
        return "cuda gpu " + ctx.ordinal() + ": " + CudaContext.describeDevice(ctx.ordinal()) + ", " + cublasNote;
    }

    /**
     * Frees everything, each step whatever the steps before it threw (after a sticky error such as an illegal
     * address the first synchronize throws, and every step after it may), and releases the context last in any
     * case: a context still retained is never destroyed, and a broken one would fail every later run on its GPU.
     * The first failure is thrown at the end, the others added to it as suppressed.
     */
    @Override
    public void close() {
        RuntimeException first = null;
        try {
            first = attempt(first, ctx::makeCurrent);
            first = attempt(first, () -> cuStreamSynchronize(stream));
            if (events != null) {
                first = attempt(first, events::close);
            }
            if (cublas != null) {
                first = attempt(first, () -> JCublas2.cublasDestroy(cublas));
            }
            for (CUdeviceptr p : allocations) {
                first = attempt(first, () -> cuMemFree(p));
            }
            allocations.clear();
            for (Pointer p : pinned) {
                first = attempt(first, () -> cuMemFreeHost(p));
            }
            pinned.clear();
            first = attempt(first, () -> cuStreamDestroy(stream));
            first = attempt(first, module::close);
        } finally {
            first = attempt(first, ctx::close);
        }
        if (first != null) {
            throw first;
        }
    }

    /** Runs {@code step}; a failure becomes {@code first} when there is none yet, else is added to it. */
    private static RuntimeException attempt(RuntimeException first, Runnable step) {
        try {
            step.run();
            return first;
        } catch (RuntimeException e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
            return first;
        }
    }

    /** Runs {@code cleanup} after {@code failure}, whose report it must not replace: its own failure is added to it. */
    static void closeAll(Throwable failure, Runnable cleanup) {
        try {
            cleanup.run();
        } catch (Throwable t) {
            failure.addSuppressed(t);
        }
    }
}
