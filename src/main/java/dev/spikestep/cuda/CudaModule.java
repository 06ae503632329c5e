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
     * Where /kernels/NAME.ptx is read from, for {@code info}: "built into the jar", or the folder ahead of the
     * jar on the classpath whose PTX overrides it (benchmarks/gpu-check.sh builds one with the GPU machine's
     * nvcc), so the line names the PTX that loads.
     */
    public static String ptxOrigin(String name) {
        java.net.URL url = CudaModule.class.getResource("/kernels/" + name + ".ptx");
        if (url == null) {
            ptx(name); // throws, saying how to build them
        }
        if ("file".equals(url.getProtocol())) {
            try {
                return "from " + java.nio.file.Path.of(url.toURI()).getParent().getParent();
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return "from " + url;
            }
        }
        return "jar".equals(url.getProtocol()) ? "built into the jar" : "from " + url;
    }

    /**
     * {@link #ptxOrigin} of every PTX file: the one origin when they share it, else each origin with its files
     * ("from DIR: encoder, neuron; built into the jar: rstdp"), so info shows a partly overridden set as such.
     */
    public static String ptxOrigins() {
        java.util.Map<String, java.util.List<String>> byOrigin = new java.util.LinkedHashMap<>();
        for (String f : FILES) {
            byOrigin.computeIfAbsent(ptxOrigin(f), o -> new java.util.ArrayList<>()).add(f);
        }
        if (byOrigin.size() == 1) {
            return byOrigin.keySet().iterator().next();
        }
        java.util.List<String> parts = new java.util.ArrayList<>();
        byOrigin.forEach((origin, files) -> parts.add(origin + ": " + String.join(", ", files)));
        return String.join("; ", parts);
    }

    /**
     * The CUDA release that brought each PTX ISA version (NVIDIA's PTX release history): ISA 7.0-7.8 came
     * with CUDA 11.0-11.8, 8.0-8.5 with 12.0-12.5, 8.6-8.8 with 12.7-12.9 (CUDA 12.6 brought none), 9.0-9.1
     * with 13.0-13.1. A driver loads the PTX of its own release and older, so this is what a driver needs.
     * Row: ISA major - 7; column: ISA minor; values as cuDriverGetVersion reports them (1000 major + 10 minor).
     */
    private static final int[][] CUDA_OF_ISA = {
        {11000, 11010, 11020, 11030, 11040, 11050, 11060, 11070, 11080},
        {12000, 12010, 12020, 12030, 12040, 12050, 12070, 12080, 12090},
        {13000, 13010},
    };

    /**
     * The PTX ISA version of a PTX's {@code .version} line, which is the nvcc release that wrote it, and the
     * CUDA driver that loads it.
     */
    public record PtxVersion(int major, int minor) {
        public PtxVersion {
            if (major < 1 || minor < 0) {
                throw new IllegalArgumentException("a PTX ISA version is MAJOR.MINOR with MAJOR >= 1, not " + major + "."
                        + minor);
            }
        }

        /**
         * The oldest CUDA (e.g. 12050 for 12.5) whose driver loads this PTX. For an ISA newer than the table
         * (a newer nvcc than this build knows) the newest CUDA known for its major, or the newest known at all:
         * a lower bound ({@link #known()} is false). 0 before ISA 7.0 (nvcc 10 and older), which every driver
         * JCuda 12 runs with loads.
         */
        public int driverVersion() {
            if (major < 7) {
                return 0;
            }
            int[] row = CUDA_OF_ISA[Math.min(major - 7, CUDA_OF_ISA.length - 1)];
            return major - 7 < CUDA_OF_ISA.length ? row[Math.min(minor, row.length - 1)] : row[row.length - 1];
        }

        /** Whether {@link #driverVersion()} is this ISA's release from the table rather than a lower bound. */
        public boolean known() {
            return major < 7 || major - 7 < CUDA_OF_ISA.length && minor < CUDA_OF_ISA[major - 7].length;
        }

        /** "CUDA >= 12.5", with "likely newer" for a lower bound: an ISA newer than any this build knows. */
        public String needs() {
            return "CUDA >= " + CudaBackend.version(driverVersion()) + (known() ? "" : ", likely newer: ISA " + this
                    + " is past this build's table");
        }

        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    /** The PTX ISA version of a PTX's {@code .version} line; null when it has none. */
    public static PtxVersion ptxVersion(byte[] ptx) {
        String text = new String(ptx, 0, Math.min(ptx.length, 4096), StandardCharsets.US_ASCII);
        Matcher m = Pattern.compile("\\.version\\s+(\\d+)\\.(\\d+)").matcher(text);
        return m.find() ? new PtxVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))) : null;
    }

    /**
     * The newest ISA among the PTX files ({@link #FILES}), null when none has a .version line: what the driver
     * must load. The files can come from two nvccs (gpu-check.sh's build of one .cu failed, so that module is the
     * jar's), and the check and its advice must name the one that needs the newest driver. A missing file throws,
     * saying how to build them.
     */
    public static PtxVersion newestPtxVersion() {
        PtxVersion newest = null;
        for (String f : FILES) {
            PtxVersion v = ptxVersion(ptx(f));
            if (v != null && (newest == null || v.major() > newest.major()
                    || v.major() == newest.major() && v.minor() > newest.minor())) {
                newest = v;
            }
        }
        return newest;
    }
}
