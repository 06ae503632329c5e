package dev.spikestep.simd;

import java.util.List;

/**
 * Whether the Vector API paths run: the JVM must have been started with
 * {@code --add-modules jdk.incubator.vector} (the Makefile, the tests and the documented command line
 * do this) and the system property {@code spikestep.vector} must not be {@code false}. The choice is
 * printed in every start-up table, never made silently.
 *
 * <p>It also says whether C2's per-compile trap limits were raised as {@code src/main/sh/jvm-options}
 * raises them: at the defaults a kernel compiled after other vector code can box its vectors
 * halfway through (README "JVM options").
 */
public final class VectorSupport {
    /** Fixed for the life of the JVM so that the JIT can drop the untaken branch. */
    public static final boolean ENABLED = detect();

    /** The {@code -XX:PerMethodTrapLimit} that {@code src/main/sh/jvm-options} sets, and the least this check accepts. */
    public static final long TRAP_LIMIT = 10_000;
    /** The {@code -XX:PerMethodRecompilationCutoff} that {@code src/main/sh/jvm-options} sets, likewise. */
    public static final long RECOMPILE_CUTOFF = 10_000;

    private static final boolean JIT_LIMITS_RAISED = jitLimitsRaised(jvmArguments());

    /** The {@code -XX:ObjectAlignmentInBytes} that {@code src/main/sh/jvm-options} sets: one cache line. */
    public static final int OBJECT_ALIGNMENT = 64;
    /**
     * Where a float[]'s elements start in the object, in bytes: HotSpot's array header with
     * compressed class pointers (mark word, class, length), on JDK 17 and 25 by default.
     */
    static final int FLOAT_ARRAY_BASE = 16;
    private static final int LINE_LEAD = lineLead(vmOption("ObjectAlignmentInBytes"),
            vmOption("UseCompressedClassPointers"), vmOption("UseCompactObjectHeaders"));

    private VectorSupport() {
    }

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty("spikestep.vector", "true"))) {
            return false;
        }
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** One line for start-up tables. */
    public static String describe() {
        if (ENABLED) {
            return "Vector API, " + VectorKernels.lanes() + " float lanes" + caveats();
        }
        if ("false".equalsIgnoreCase(System.getProperty("spikestep.vector", "true"))) {
            return "scalar (-Dspikestep.vector=false)";
        }
        return "scalar (start java with --add-modules jdk.incubator.vector for the Vector API)";
    }

    /**
     * Empty when the Vector API is off or the JVM runs as {@code src/main/sh/jvm-options} starts it
     * (C2's trap limits raised, rows on cache lines); else the words that start-up tables append to
     * the Vector API's line, so that a slow run says why it may be.
     */
    public static String caveats() {
        if (!ENABLED) {
            return "";
        }
        return (JIT_LIMITS_RAISED ? "" : "; C2 trap limits at the JVM's defaults, so kernels may box their vectors (README \"JVM options\")")
                + (LINE_LEAD != 0 ? "" : "; rows not on cache lines, so fc1 and its weight gradient run slower (README \"JVM options\")");
    }

    /**
     * Whether {@code args} (the JVM's options, in order: the last of a flag wins, as HotSpot reads them)
     * set {@code PerMethodTrapLimit} to at least {@link #TRAP_LIMIT} and {@code PerMethodRecompilationCutoff}
     * to at least {@link #RECOMPILE_CUTOFF} or to -1 (no cutoff).
     */
    static boolean jitLimitsRaised(List<String> args) {
        long trap = flag(args, "PerMethodTrapLimit");
        long cutoff = flag(args, "PerMethodRecompilationCutoff");
        return trap >= TRAP_LIMIT && (cutoff >= RECOMPILE_CUTOFF || cutoff == -1);
    }

    /**
     * The floats from a float[]'s index 0 to its first 64-byte boundary where the JVM places every
     * object on a cache line ({@link #OBJECT_ALIGNMENT}) with the default array header, else 0
     * (unknown). Hot scratch buffers start their rows there: a 64-byte vector load that straddles
     * two lines costs about twice one that does not (fc1's weight gradient 1.6x faster in a
     * harness, benchmarks/RESULTS.md). Only where data lies depends on it, never a result.
     */
    public static int lineLead() {
        return LINE_LEAD;
    }

    /** {@link #lineLead} from the JVM's flags (null where the JVM does not say, or has no such flag). */
    static int lineLead(String alignment, String compressedClassPointers, String compactHeaders) {
        if (alignment == null || !"true".equals(compressedClassPointers) || "true".equals(compactHeaders)) {
            return 0;
        }
        try {
            int a = Integer.parseInt(alignment);
            return a % OBJECT_ALIGNMENT == 0 ? (OBJECT_ALIGNMENT - FLOAT_ARRAY_BASE) / Float.BYTES : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A HotSpot flag's value as the JVM runs with it; null where it has no such flag or no java.management. */
    private static String vmOption(String name) {
        try {
            return java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name).getValue();
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** The value of the last {@code -XX:name=value} in args; {@code Long.MIN_VALUE} when absent or not a number. */
    private static long flag(List<String> args, String name) {
        String prefix = "-XX:" + name + "=";
        long value = Long.MIN_VALUE;
        for (String a : args) {
            if (a.startsWith(prefix)) {
                try {
                    value = Long.parseLong(a.substring(prefix.length()));
                } catch (NumberFormatException e) {
                    value = Long.MIN_VALUE; // HotSpot refuses to start on it; nothing to report here
                }
            }
        }
        return value;
    }

    /** The JVM's options; empty where java.management is absent (a jlinked runtime without it). */
    private static List<String> jvmArguments() {
        try {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        } catch (LinkageError | RuntimeException e) {
            return List.of();
        }
    }
}
