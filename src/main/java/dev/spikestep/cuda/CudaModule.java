package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataEx;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;

/**
 * The PTX of {@code kernels/*.cu}, loaded from the classpath resources {@code /kernels/NAME.ptx}
 * (written by {@code make kernels}); kernel functions are looked up once and cached by name.
 */
public final class CudaModule {
    /** Every kernel family, one PTX each. */
    public static final String[] FILES = {"encoder", "neuron", "readout", "loss", "stats", "adam", "linear", "rstdp"};

    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<String, CUmodule> modules = new HashMap<>();

    /** Loads every PTX into the current context. */
    public CudaModule() {
        for (String f : FILES) {
            CUmodule m = new CUmodule();
            byte[] ptx = ptx(f);
            byte[] z = java.util.Arrays.copyOf(ptx, ptx.length + 1); // NUL-terminated image
            cuModuleLoadDataEx(m, Pointer.to(z), 0, new int[0], Pointer.to(new int[0]));
            modules.put(f, m);
        }
    }

    /** The extern "C" kernel {@code name}, from whichever module defines it. */
    public CUfunction function(String name) {
        CUfunction fn = functions.get(name);
        if (fn == null) {
            String file = fileOf(name);
            fn = new CUfunction();
            cuModuleGetFunction(fn, modules.get(file), name);
            functions.put(name, fn);
        }
        return fn;
    }

    static String fileOf(String kernel) {
        if (kernel.startsWith("poisson_")) {
            return "encoder";
        } else if (kernel.startsWith("lif_") || kernel.startsWith("izh_")) {
            return "neuron";
        } else if (kernel.startsWith("readout_")) {
            return "readout";
        } else if (kernel.startsWith("cross_entropy") || kernel.startsWith("correct_")) {
            return "loss";
        } else if (kernel.startsWith("spike_stats")) {
            return "stats";
        } else if (kernel.startsWith("adam_")) {
            return "adam";
        } else if (kernel.startsWith("gemm_") || kernel.startsWith("spike_linear_")) {
            return "linear";
        } else if (kernel.startsWith("rstdp_")) {
            return "rstdp";
        }
        throw new IllegalArgumentException("no kernel family for " + kernel);
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
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.version\\s+(\\d+)\\.(\\d+)").matcher(text);
        if (!m.find()) {
            return 0;
        }
        int isaMajor = Integer.parseInt(m.group(1));
        return isaMajor >= 7 ? (isaMajor + 4) * 1000 : 0;
    }
}
