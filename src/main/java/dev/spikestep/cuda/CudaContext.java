package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA driver on this machine: initialisation, the device list, and a device's primary context
 * (cuDevicePrimaryCtxRetain: the context the CUDA runtime and cuBLAS also use), made current on every
 * thread that touches CUDA. Errors become exceptions once, here (JCudaDriver.setExceptionsEnabled).
 */
public final class CudaContext implements AutoCloseable {
    private final CUdevice device;
    private final CUcontext context;
    private final int ordinal;
    // Which context is current on each thread: one for all instances, since a thread may move
    // between devices (each device's primary context is its own).
    private static final ThreadLocal<CudaContext> CURRENT = new ThreadLocal<>();
    private boolean released;

    private CudaContext(int ordinal) {
        this.ordinal = ordinal;
        device = new CUdevice();
        cuDeviceGet(device, ordinal);
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        try {
            makeCurrent();
        } catch (RuntimeException | Error e) {
            CudaDevice.closeAll(e, this::close); // the retain is released, or the context would outlive this object
            throw e;
        }
    }

    /** Initialises the driver (loading JCuda's native library) and returns the number of devices. */
    public static int init() {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        int[] n = new int[1];
        cuDeviceGetCount(n);
        return n[0];
    }

    /** The driver's CUDA version, e.g. 13000 for 13.0 (cuDriverGetVersion). */
    public static int driverVersion() {
        int[] v = new int[1];
        cuDriverGetVersion(v);
        return v[0];
    }

    public static CudaContext open(int ordinal) {
        return new CudaContext(ordinal);
    }

    /** Makes the primary context current on the calling thread (a driver call only when it is not already). */
    public void makeCurrent() {
        if (CURRENT.get() != this) {
            cuCtxSetCurrent(context);
            CURRENT.set(this);
        }
    }

    public int ordinal() {
        return ordinal;
    }

    /** "NVIDIA H200 (sm_90, 139.8 GiB)". */
    public static String describeDevice(int ordinal) {
        CUdevice d = new CUdevice();
        cuDeviceGet(d, ordinal);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, d);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        int[] major = new int[1];
        int[] minor = new int[1];
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d);
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, d);
        return String.format(java.util.Locale.ROOT, "%s (sm_%d%d, %.1f GiB)", new String(name, 0, len, StandardCharsets.UTF_8),
                major[0], minor[0], mem[0] / (double) (1L << 30));
    }

    /** A device attribute (CUdevice_attribute), e.g. the memory clock for the peak bandwidth. */
    public static int attribute(int ordinal, int attribute) {
        CUdevice d = new CUdevice();
        cuDeviceGet(d, ordinal);
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attribute, d);
        return v[0];
    }

    /**
     * A CUDA error in words: JCuda's exception names only the code (CUDA_ERROR_ILLEGAL_ADDRESS); the
     * driver's cuGetErrorString adds what it knows (a GPU: a sentence; the emulated driver: the call,
     * kernel, argument and allocation at fault).
     */
    public static String explain(Throwable t) {
        String name = String.valueOf(t.getMessage()).trim();
        Integer code = null;
        for (java.lang.reflect.Field f : jcuda.driver.CUresult.class.getFields()) {
            if (f.getType() == int.class && f.getName().equals(name)) {
                try {
                    code = f.getInt(null);
                } catch (IllegalAccessException e) {
                    return name;
                }
            }
        }
        if (code == null) {
            return name;
        }
        String[] detail = new String[1];
        try {
            JCudaDriver.cuGetErrorString(code, detail);
        } catch (Throwable e) {
            return name;
        }
        return detail[0] == null || detail[0].equals(name) ? name : name + ": " + detail[0];
    }

    @Override
    public void close() {
        if (!released) {
            released = true;
            if (CURRENT.get() == this) {
                CURRENT.remove();
            }
            cuDevicePrimaryCtxRelease(device);
        }
    }
}
