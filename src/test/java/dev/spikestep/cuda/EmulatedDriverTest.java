package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
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
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataEx;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The emulated driver's strictness, shown by breaking each rule on purpose through JCuda: every
 * check fires with a message (cuGetErrorString, via CudaContext.explain) that names the call, the
 * kernel, the argument and the allocation. The kernels are the self-test kernels of
 * src/test/cuda/emu_selftest.cu (PTX by make kernels/emu). Skipped on a real GPU.
 *
 * <p>They run on the second emulated device (make test exposes two, SPIKESTEP_EMU_DEVICES=2): a
 * fault leaves a context unusable until its last release, as on a GPU, and device 0 is what the
 * other tests use.
 */
class EmulatedDriverTest {
    static final Path SELFTEST_PTX = Path.of("build/ptx/test/emu_selftest.ptx");

    CudaContext ctx;
    CUstream stream;
    CUmodule module;

    @BeforeEach
    void open() throws Exception {
        CudaTests.assumeCuda("the emulated driver's checks");
        Assumptions.assumeTrue(CudaTests.emulated(), "a real GPU: the emulated driver's checks do not apply");
        Assumptions.assumeTrue(CudaContext.init() >= 2, "one emulated device: run with SPIKESTEP_EMU_DEVICES=2 (make test does)");
        ctx = CudaContext.open(1);
        stream = new CUstream();
        cuStreamCreate(stream, 0);
        module = load(Files.readString(SELFTEST_PTX));
    }

    @AfterEach
    void close() {
        if (ctx != null) {
            ctx.close(); // the last release of the primary context also resets a sticky error
        }
    }

    static CUmodule load(String ptx) {
        CUmodule m = new CUmodule();
        cuModuleLoadDataEx(m, Pointer.to((ptx + "\0").getBytes(StandardCharsets.US_ASCII)), 0, new int[0],
                Pointer.to(new int[0]));
        return m;
    }

    static CUdevice device(int ordinal) {
        CUdevice d = new CUdevice();
        jcuda.driver.JCudaDriver.cuDeviceGet(d, ordinal);
        return d;
    }

    CUfunction function(String name) {
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, module, name);
        return f;
    }

    static CUdeviceptr alloc(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, bytes);
        return p;
    }

    /** The copy kernel over n elements, one block of 32 threads per 32. */
    void copy(CUdeviceptr src, long n, CUdeviceptr dst) {
        Pointer params = Pointer.to(Pointer.to(src), Pointer.to(new long[] {n}), Pointer.to(dst));
        cuLaunchKernel(function("emu_selftest_copy_kernel"), (int) ((n + 31) / 32), 1, 1, 32, 1, 1, 0, stream, params, null);
    }

    /** Runs {@code call}, which must fail with {@code code}; returns the driver's message. */
    static String failure(String code, Executable call) {
        CudaException e = assertThrows(CudaException.class, call);
        assertEquals(code, e.getMessage());
        return CudaContext.explain(e);
    }

    static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "'" + p + "' missing from: " + text);
        }
    }

    @Test
    void theDeviceSaysItIsEmulatedAndHasAnH200sAttributes() {
        assertEquals("Spikestep emulated CUDA device (CPU, no GPU) (sm_90, 140.4 GiB)", CudaContext.describeDevice(0));
        assertEquals("Spikestep emulated CUDA device (CPU, no GPU) (sm_90, 140.4 GiB)", CudaContext.describeDevice(1));
        assertEquals(13000, CudaContext.driverVersion());
        assertEquals(132, CudaContext.attribute(0, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT));
        assertEquals(50 << 20, CudaContext.attribute(0, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE));
        assertEquals(6144, CudaContext.attribute(0, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH));
        assertEquals(3201000, CudaContext.attribute(0, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE));
        assertEquals(1024, CudaContext.attribute(0, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK));
        assertEquals(48 << 10, CudaContext.attribute(0, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK));
        String m = failure("CUDA_ERROR_INVALID_VALUE",
                () -> cuDeviceGetAttribute(new int[1], CUdevice_attribute.CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT, device(1)));
        assertContains(m, "cuDeviceGetAttribute", "not emulated");
    }

    @Test
    void queuedWorkRunsOnlyWhenTheHostSynchronises() {
        float[] data = {1, 2, 3, 4, 5, 6, 7, 8};
        CUdeviceptr src = alloc(32);
        CUdeviceptr dst = alloc(32);
        cuMemcpyHtoD(src, Pointer.to(data), 32);
        Pointer pinned = new Pointer();
        cuMemAllocHost(pinned, 32);
        FloatBuffer host = pinned.getByteBuffer(0, 32).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        copy(src, 8, dst);
        cuMemcpyDtoHAsync(pinned, dst, 32, stream);
        float[] early = new float[8];
        host.get(0, early);
        assertArrayEquals(new float[8], early, "read before synchronising: the copy has not run yet");
        cuStreamSynchronize(stream);
        float[] late = new float[8];
        host.get(0, late);
        assertArrayEquals(data, late);
        cuMemFreeHost(pinned);
    }

    @Test
    void aPinnedBufferRewrittenBeforeItsQueuedCopyRunsIsWhatTheCopyReads() {
        CUdeviceptr dst = alloc(16);
        Pointer pinned = new Pointer();
        cuMemAllocHost(pinned, 16);
        FloatBuffer host = pinned.getByteBuffer(0, 16).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        host.put(0, new float[] {1, 1, 1, 1});
        cuMemcpyHtoDAsync(dst, pinned, 16, stream);
        host.put(0, new float[] {2, 2, 2, 2}); // too early: the copy is still queued
        cuStreamSynchronize(stream);
        float[] got = new float[4];
        cuMemcpyDtoH(Pointer.to(got), dst, 16);
        assertArrayEquals(new float[] {2, 2, 2, 2}, got);
        cuMemFreeHost(pinned);
    }

    @Test
    void newDeviceMemoryIsNaNNotZero() {
        CUdeviceptr p = alloc(64);
        float[] got = new float[16];
        cuMemcpyDtoH(Pointer.to(got), p, 64);
        for (float f : got) {
            assertTrue(Float.isNaN(f), "fresh memory must not read as initialised: " + f);
        }
        cuMemsetD8Async(p, (byte) 0, 64, stream);
        cuStreamSynchronize(stream);
        cuMemcpyDtoH(Pointer.to(got), p, 64);
        assertArrayEquals(new float[16], got);
    }

    @Test
    void copiesAndMemsetsMustLieInsideOneLiveAllocation() {
        CUdeviceptr p = alloc(16);
        String m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuMemcpyHtoD(p, Pointer.to(new float[8]), 32));
        assertContains(m, "cuMemcpyHtoD", "destination", "runs 16 bytes past the end of allocation #", "16 bytes at");
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuMemcpyDtoH(Pointer.to(new float[4]), p.withByteOffset(8), 16));
        assertContains(m, "cuMemcpyDtoH", "source", "runs 8 bytes past the end of allocation #");
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuMemsetD8Async(p, (byte) 0, 17, stream));
        assertContains(m, "cuMemsetD8Async", "runs 1 bytes past the end");
        cuMemFree(p);
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuMemcpyHtoD(p, Pointer.to(new float[1]), 4));
        assertContains(m, "cuMemcpyHtoD", "freed by cuMemFree", "use after free");
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuMemFree(p));
        assertContains(m, "cuMemFree", "already freed");
    }

    @Test
    void aPointerArgumentOutsideEveryLiveAllocationIsRefusedAtLaunch() {
        CUdeviceptr src = alloc(16);
        CUdeviceptr dst = alloc(16);
        cuMemFree(src);
        String m = failure("CUDA_ERROR_INVALID_VALUE", () -> copy(src, 4, dst));
        assertContains(m, "cuLaunchKernel(emu_selftest_copy_kernel)", "argument 0 (src)", "use after free", "allocation #");
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> copy(dst.withByteOffset(20), 1, dst));
        assertContains(m, "argument 0 (src)", "4 bytes past the end of allocation #");
    }

    @Test
    void anOutOfBoundsAccessInAKernelFaultsAtOnceAndNamesTheArgument() {
        CUdeviceptr src = alloc(16); // 4 floats
        CUdeviceptr dst = alloc(64);
        copy(src, 16, dst); // reads 12 floats past src's end: the launch itself is legal
        String m = failure("CUDA_ERROR_ILLEGAL_ADDRESS", () -> cuStreamSynchronize(stream));
        assertContains(m, "cuStreamSynchronize", "cuLaunchKernel(emu_selftest_copy_kernel)", "illegal read",
                "bytes past the end of allocation #", "(16 bytes at", "argument 0 (src)");
        // As on a GPU the context is unusable afterwards, until it is released.
        m = failure("CUDA_ERROR_ILLEGAL_ADDRESS", () -> alloc(4));
        assertContains(m, "cuMemAlloc", "unusable after an earlier CUDA_ERROR_ILLEGAL_ADDRESS");
    }

    @Test
    void launchesBeyondTheDevicesLimitsAreRefused() {
        CUdeviceptr x = alloc(4096);
        CUdeviceptr out = alloc(4L * 2048);
        Pointer copyArgs = Pointer.to(Pointer.to(x), Pointer.to(new long[] {1}), Pointer.to(out));
        CUfunction copy = function("emu_selftest_copy_kernel");
        String m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuLaunchKernel(copy, 1, 1, 1, 2048, 1, 1, 0, stream, copyArgs, null));
        assertContains(m, "cuLaunchKernel(emu_selftest_copy_kernel)", "block (2048, 1, 1)", "at most 1024 threads");
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuLaunchKernel(copy, 1, 1, 1, 32, 32, 2, 0, stream, copyArgs, null));
        assertContains(m, "at most 1024 threads");
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuLaunchKernel(copy, 1, 70000, 1, 32, 1, 1, 0, stream, copyArgs, null));
        assertContains(m, "grid (1, 70000, 1)", "65535");
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuLaunchKernel(copy, 1, 1, 1, 32, 1, 1, 48 << 10 | 1, stream, copyArgs, null));
        assertContains(m, "0 bytes of static shared memory (PTX) + 49153 dynamic exceed the 49152 bytes");
        // The registers kernel needs 96 per thread (ptxas -v): 512 threads fit a block's 65,536, 1024 do not.
        CUfunction regs = function("emu_selftest_registers_kernel");
        Pointer regArgs = Pointer.to(Pointer.to(x), Pointer.to(new int[] {4}), Pointer.to(out));
        cuLaunchKernel(regs, 1, 1, 1, 512, 1, 1, 0, stream, regArgs, null);
        cuStreamSynchronize(stream);
        m = failure("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", () -> cuLaunchKernel(regs, 1, 1, 1, 1024, 1, 1, 0, stream, regArgs, null));
        assertContains(m, "cuLaunchKernel(emu_selftest_registers_kernel)", "96 registers per thread (ptxas -v, sm_90; 96 as "
                + "allocated per warp) x 32 warps of 32 threads = 98304 exceed the 65536 registers of a block");
        // 85 registers are allocated as 88, as on a GPU: 704 threads fit, 768 do not (though 85 x 768 = 65,280 would).
        CUfunction regs85 = function("emu_selftest_registers85_kernel");
        cuLaunchKernel(regs85, 1, 1, 1, 704, 1, 1, 0, stream, regArgs, null);
        cuStreamSynchronize(stream);
        m = failure("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", () -> cuLaunchKernel(regs85, 1, 1, 1, 768, 1, 1, 0, stream, regArgs, null));
        assertContains(m, "cuLaunchKernel(emu_selftest_registers85_kernel)", "85 registers per thread (ptxas -v, sm_90; 88 as "
                + "allocated per warp) x 24 warps of 32 threads = 67584 exceed");
    }

    @Test
    void aPointerArgumentNotAlignedToItsElementFailsAtTheNextSynchronisation() {
        CUdeviceptr src = alloc(64);
        CUdeviceptr dst = alloc(64);
        copy(src.withByteOffset(4), 4, dst); // aligned: a float* at 4 bytes in
        cuStreamSynchronize(stream);
        copy(src.withByteOffset(2), 4, dst); // the launch itself succeeds, as on a GPU
        String m = failure("CUDA_ERROR_MISALIGNED_ADDRESS", () -> cuStreamSynchronize(stream));
        assertContains(m, "cuStreamSynchronize", "cuLaunchKernel(emu_selftest_copy_kernel)", "argument 0 (src) = 0x",
                "is not a multiple of 4, the size of its element");
        m = failure("CUDA_ERROR_MISALIGNED_ADDRESS", () -> alloc(4));
        assertContains(m, "cuMemAlloc", "unusable after an earlier CUDA_ERROR_MISALIGNED_ADDRESS");
    }

    @Test
    void anSgemmWhileAnotherContextIsCurrentFails() {
        cublasHandle h = new cublasHandle();
        try {
            JCublas2.setExceptionsEnabled(true);
            JCublas2.cublasCreate(h);
        } catch (Throwable e) {
            Assumptions.abort("cuBLAS does not load: " + e);
        }
        JCublas2.cublasSetStream(h, new cudaStream_t(stream));
        CUdeviceptr a = alloc(16);
        Pointer one = Pointer.to(new float[] {1});
        Pointer zero = Pointer.to(new float[] {0});
        Executable gemm = () -> JCublas2.cublasSgemm(h, cublasOperation.CUBLAS_OP_N, cublasOperation.CUBLAS_OP_N, 2, 2, 2, one,
                a, 2, a, 2, zero, a, 2);
        CudaContext other = CudaContext.open(0);
        try {
            CudaException e = assertThrows(CudaException.class, gemm);
            assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", e.getMessage());
        } finally {
            other.close();
        }
        ctx.makeCurrent();
        assertDoesNotThrow(gemm);
        cuStreamSynchronize(stream);
        JCublas2.cublasDestroy(h);
    }

    @Test
    void theGemmKernelsStaticSharedMemoryComesFromItsPtx() {
        CudaModule kernels = new CudaModule();
        CUfunction gemm = kernels.function("gemm_tiled_kernel");
        CUdeviceptr a = alloc(4 * 256);
        int[] one = {1};
        Pointer args = Pointer.to(Pointer.to(new int[] {0}), Pointer.to(new int[] {0}), Pointer.to(one), Pointer.to(one),
                Pointer.to(one), Pointer.to(new float[] {1}), Pointer.to(a), Pointer.to(one), Pointer.to(a), Pointer.to(one),
                Pointer.to(new float[] {0}), Pointer.to(a), Pointer.to(one));
        String m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuLaunchKernel(gemm, 1, 1, 1, 16, 16, 1, 47 << 10, stream, args, null));
        assertContains(m, "cuLaunchKernel(gemm_tiled_kernel)", "2176 bytes of static shared memory (PTX) + 48128 dynamic");
    }

    @Test
    void ptxIsParsedAndMustMatchTheCompiledKernels() throws Exception {
        String m = failure("CUDA_ERROR_INVALID_PTX", () -> load("this is not PTX"));
        assertContains(m, "cuModuleLoadDataEx", "no .version directive");
        String ptx = Files.readString(SELFTEST_PTX);
        m = failure("CUDA_ERROR_NO_BINARY_FOR_GPU", () -> load(ptx.replaceFirst("\\.target\\s+sm_\\d+", ".target sm_100")));
        assertContains(m, "sm_100", "cannot run on the emulated sm_90");
        m = failure("CUDA_ERROR_NOT_FOUND", () -> function("emu_selftest_missing_kernel"));
        assertContains(m, "cuModuleGetFunction", "no .entry named 'emu_selftest_missing_kernel'", "emu_selftest_copy_kernel");
        // An entry the compiled kernels lack: PTX from other sources than the driver was built from.
        CUmodule renamed = load(ptx.replace("emu_selftest_race_kernel", "emu_selftest_renamed_kernel"));
        m = failure("CUDA_ERROR_NOT_FOUND", () -> cuModuleGetFunction(new CUfunction(), renamed, "emu_selftest_renamed_kernel"));
        assertContains(m, "no compiled kernel of that name", "make kernels emu");
        // Stale PTX: the copy kernel's n declared as 4 bytes, not the compiled long long's 8.
        String stale = ptx.replaceFirst("(\\.entry emu_selftest_copy_kernel\\([^)]*?)\\.u64(\\s+emu_selftest_copy_kernel_param_1)",
                "$1.u32$2");
        CUmodule staleModule = load(stale);
        CUfunction f = new CUfunction();
        cuModuleGetFunction(f, staleModule, "emu_selftest_copy_kernel");
        CUdeviceptr p = alloc(16);
        Pointer args = Pointer.to(Pointer.to(p), Pointer.to(new long[] {1}), Pointer.to(p));
        m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuLaunchKernel(f, 1, 1, 1, 32, 1, 1, 0, stream, args, null));
        assertContains(m, "cuLaunchKernel(emu_selftest_copy_kernel)", "parameter 1 (n) is 4 bytes in the PTX but 8 in the compiled kernel");
    }

    @Test
    void eachDeviceHasItsOwnMemory() {
        CUdeviceptr mine = alloc(16);
        CudaContext other = CudaContext.open(0);
        try {
            String m = failure("CUDA_ERROR_INVALID_VALUE", () -> cuMemcpyHtoD(mine, Pointer.to(new float[4]), 16));
            assertContains(m, "cuMemcpyHtoD", "memory of another device than the current context's (0)", "on device 1");
        } finally {
            other.close();
        }
        ctx.makeCurrent();
    }

    @Test
    void aDestroyedStreamIsNoLongerAHandle() {
        CUstream s = new CUstream();
        cuStreamCreate(s, 0);
        cuStreamDestroy(s);
        String m = failure("CUDA_ERROR_INVALID_HANDLE", () -> cuStreamSynchronize(s));
        assertContains(m, "cuStreamSynchronize", "not a live stream");
        cuCtxSynchronize();
    }

    @Test
    void malformedEmulatorVariablesAreNamedByCuInit() throws Exception {
        // A child JVM on the same driver: cuInit runs once per process, with the environment it started with.
        for (String[] env : new String[][] {{"SPIKESTEP_EMU_DEVICES", "2x", "must be an integer 1..64, not '2x'"},
                {"SPIKESTEP_EMU_DEVICES", "abc", "must be an integer 1..64, not 'abc'"},
                {"SPIKESTEP_EMU_ORDER", "-1", "SPIKESTEP_EMU_ORDER must be forward or reverse, not '-1'"},
                {"SPIKESTEP_EMU_DRIVER_VERSION", "12.4", "SPIKESTEP_EMU_DRIVER_VERSION must be a CUDA version 11000..13010 "
                        + "as cuDriverGetVersion gives it (1000 major + 10 minor, e.g. 12040), not '12.4'"},
                {"SPIKESTEP_EMU_DRIVER_VERSION", "12045", "not '12045'"}}) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.spikestep.cli.Main", "info").redirectErrorStream(true);
            pb.environment().put(env[0], env[1]);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertContains(out, "cuda driver: not usable (CUDA_ERROR_INVALID_VALUE: cuInit: ", env[2]);
        }
    }

    @Test
    void aDriverWithoutCublasFallsBackToTheTiledGemmInOneLine() throws Exception {
        Path emu = java.util.stream.Stream.of(String.valueOf(System.getenv("LD_LIBRARY_PATH")).split(":"))
                .filter(d -> !d.isEmpty()).map(Path::of).filter(d -> Files.exists(d.resolve("libcuda.so.1")))
                .findFirst().orElse(null);
        Assumptions.assumeTrue(emu != null, "the emulated driver is not on LD_LIBRARY_PATH");
        Path only = Files.createTempDirectory("emu-no-cublas");
        try {
            Files.createSymbolicLink(only.resolve("libcuda.so.1"), emu.resolve("libcuda.so.1").toAbsolutePath());
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "dev.spikestep.cli.Main", "info").redirectErrorStream(true);
            pb.environment().put("LD_LIBRARY_PATH", only.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertContains(out, "tiled GEMM kernel (cuBLAS did not load: ");
            assertTrue(!out.contains("\tat ") && out.lines().count() < 30, "one line, no stack trace:\n" + out);
        } finally {
            Files.deleteIfExists(only.resolve("libcuda.so.1"));
            Files.deleteIfExists(only);
        }
    }
}
