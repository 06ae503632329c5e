package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataEx;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * The PTX of {@code kernels/*.cu}, loaded from the classpath resources {@code /kernels/NAME.ptx}
 * (written by {@code make kernels}) into the current context. Each kernel is found in the module
 * whose PTX declares it ({@code .entry NAME}), so a new kernel needs no table here; functions are
 * looked up once and cached by name.
 */
public final class CudaModule implements AutoCloseable {
    /** Every kernel family, one PTX each. */
    public static final String[] FILES = {"encoder", "neuron", "readout", "loss", "stats", "adam", "linear", "rstdp"};
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+([A-Za-z_$][\\w$]*)");

    private final Map<String, CUfunction> functions = new HashMap<>();
    /** Kernel name to the module that declares it. */
    private final Map<String, CUmodule> modules = new HashMap<>();

    /** The modules loaded, each once, to unload. */
    private final List<CUmodule> loaded = new ArrayList<>();

    /** Loads every PTX into the current context; one that fails unloads those loaded before it. */
    public CudaModule() {
        try {
            for (String f : FILES) {
                CUmodule m = new CUmodule();
                byte[] ptx = ptx(f);
                byte[] z = java.util.Arrays.copyOf(ptx, ptx.length + 1); // NUL-terminated image
                cuModuleLoadDataEx(m, Pointer.to(z), 0, new int[0], Pointer.to(new int[0]));
                loaded.add(m);
                for (String kernel : entries(ptx)) {
                    CUmodule before = modules.putIfAbsent(kernel, m);
                    if (before != null) {
                        throw new SpikestepException("kernel " + kernel + " is declared twice in the PTX (" + f
                                + ".ptx and another); rebuild kernels with your nvcc: make kernels");
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            CudaDevice.closeAll(e, this::close);
            throw e;
        }
    }

    /**
     * Unloads the modules from the current context (the one they were loaded into). A device's primary
     * context outlives its networks while another holds it (--parallel on one GPU), so modules not unloaded
     * would pile up there, one set per network.
     */
    @Override
    public void close() {
        RuntimeException first = null;
        for (CUmodule m : loaded) {
            try {
                cuModuleUnload(m);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        loaded.clear();
        modules.clear();
        functions.clear();
        if (first != null) {
            throw first;
        }
    }

    /** The kernels a PTX declares: its {@code .entry} names, in order. */
    static List<String> entries(byte[] ptx) {
        Matcher m = ENTRY.matcher(new String(ptx, StandardCharsets.US_ASCII));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The extern "C" kernel {@code name}, from the module that declares it. */
    public CUfunction function(String name) {
        CUfunction fn = functions.get(name);
        if (fn == null) {
            CUmodule m = modules.get(name);
            if (m == null) {
                throw new SpikestepException("no kernel " + name + " in the PTX built into this jar; rebuild kernels "
                        + "with your nvcc: make kernels && make build");
            }
            fn = new CUfunction();
            cuModuleGetFunction(fn, m, name);
            functions.put(name, fn);
        }
        return fn;
    }

    /** The bytes of /kernels/NAME.ptx, or a SpikestepException saying how to build them. */
    public static byte[] ptx(String name) {
        try (InputStream in = CudaModule.class.getResourceAsStream("/kernels/" + name + ".ptx")) {
            if (in == null) {
                throw new SpikestepException("the CUDA kernels are not built into this jar (/kernels/" + name
                        + ".ptx missing): build them with your nvcc: make kernels && make build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new SpikestepException("cannot read /kernels/" + name + ".ptx: " + e.getMessage());
        }
    }

    /**
     * The CUDA version (e.g. 13000) a driver needs for this PTX, from its {@code .version} line: PTX ISA
     * 9.x comes from nvcc 13 and needs a CUDA 13 driver (>= 580), ISA 8.x needs CUDA 12, and so on.
     */
    public static int requiredDriverVersion(byte[] ptx) {
        String text = new String(ptx, 0, Math.min(ptx.length, 4096), StandardCharsets.US_ASCII);
        Matcher m = Pattern.compile("\\.version\\s+(\\d+)\\.(\\d+)").matcher(text);
        if (!m.find()) {
            return 0;
        }
        int isaMajor = Integer.parseInt(m.group(1));
        return isaMajor >= 7 ? (isaMajor + 4) * 1000 : 0;
    }
}
