package dev.spikestep.simd;

/**
 * Whether the Vector API paths run: the JVM must have been started with
 * {@code --add-modules jdk.incubator.vector} (the Makefile, the tests and the documented command line
 * do this) and the system property {@code spikestep.vector} must not be {@code false}. The choice is
 * printed in every start-up table, never made silently.
 */
public final class VectorSupport {
    /** Fixed for the life of the JVM so that the JIT can drop the untaken branch. */
    public static final boolean ENABLED = detect();

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
            return "Vector API, " + VectorKernels.lanes() + " float lanes";
        }
        if ("false".equalsIgnoreCase(System.getProperty("spikestep.vector", "true"))) {
            return "scalar (-Dspikestep.vector=false)";
        }
        return "scalar (start java with --add-modules jdk.incubator.vector for the Vector API)";
    }
}
