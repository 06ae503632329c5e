package dev.spikestep.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * Whether the JVM's background work (the JIT's compiler threads, the GC) has settled, so that a
 * warm-up can end at the timings it is for rather than at a count. A count alone is not enough on
 * 2 cores: C2 takes 1-3 s for the largest vector kernels (izh rk4's row) and keeps compiling the
 * step's smaller methods for 10-15 steps after the 20 the bench's warm-up used to run, and every
 * compile takes a core from the 2 threads being timed (izh rk4 steps 17-25 ms while it did,
 * 11-16 ms after).
 *
 * <p>It measures the process's CPU time outside its visible Java threads: compiler threads are
 * hidden from {@link ThreadMXBean#getAllThreadIds} and GC threads are not Java threads, so
 * process CPU minus the sum over the visible threads is their CPU. Finished compiles alone (the
 * compilation MXBean's total) would not tell a long compile still under way. Quiet: below
 * {@link #QUIET_SHARE} of one core over a window of {@link #WINDOW_NANOS}. Where the JVM does not
 * give process or thread CPU times, {@link #quiet} is true at once (the count alone, as before).
 * One instance per warming thread; not thread-safe.
 */
public final class JitQuiet {
    /** Background CPU below this share of one core over a window is quiet. */
    public static final double QUIET_SHARE = 0.05;
    /** The window the share is measured over. */
    public static final long WINDOW_NANOS = 250_000_000L;
    /**
     * The longest a warm-up waits for quiet after its count (a JVM that never settles, such as a
     * GC-bound one): 15 s, or {@code -Dspikestep.warmup.wait=SECONDS} (the unit tests run with 0,
     * the count alone: they check the numbers' form, not their speed).
     */
    public static long maxWaitNanos() {
        String v = System.getProperty("spikestep.warmup.wait", "15");
        double s;
        try {
            s = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        if (!(s >= 0 && s <= 86_400)) {
            throw new dev.spikestep.SpikestepException("-Dspikestep.warmup.wait must be a number of seconds in "
                    + "[0, 86400], got '" + v + "'");
        }
        return (long) (1e9 * s);
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;

    private final LongSupplier clock;
    private final LongSupplier backgroundCpu;
    private final long started;
    private final long maxWaitNanos;
    private long windowStart;
    private long windowBackground;

    /** Waits at most {@link #maxWaitNanos}. */
    public JitQuiet() {
        this(maxWaitNanos());
    }

    /** Waits at most {@code maxWaitNanos}. */
    JitQuiet(long maxWaitNanos) {
        this(maxWaitNanos, System::nanoTime, JitQuiet::backgroundCpuNanos);
    }

    /** With the clock and the background CPU reading given (the unit tests' fixed readings). */
    JitQuiet(long maxWaitNanos, LongSupplier clock, LongSupplier backgroundCpu) {
        this.maxWaitNanos = maxWaitNanos;
        this.clock = clock;
        this.backgroundCpu = backgroundCpu;
        started = clock.getAsLong();
        windowStart = started;
        windowBackground = backgroundCpu.getAsLong();
    }

    /**
     * The CPU time (ns) this process has spent outside its visible Java threads so far, or -1
     * where the JVM does not tell.
     */
    static long backgroundCpuNanos() {
        if (OS == null || !THREADS.isThreadCpuTimeSupported() || !THREADS.isThreadCpuTimeEnabled()) {
            return -1;
        }
        long process = OS.getProcessCpuTime();
        if (process < 0) {
            return -1;
        }
        long visible = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                visible += t;
            }
        }
        return Math.max(0, process - visible);
    }

    /**
     * True once a whole window since the last window's start had background CPU below
     * {@link #QUIET_SHARE} of a core, or once its longest wait has passed since this was made, or
     * at once where CPU times are unknown. Call it between calls of the work being warmed.
     */
    public boolean quiet() {
        long now = clock.getAsLong();
        if (windowBackground < 0 || now - started >= maxWaitNanos) {
            return true;
        }
        if (now - windowStart < WINDOW_NANOS) {
            return false;
        }
        long background = backgroundCpu.getAsLong();
        boolean quiet = background >= 0 && background - windowBackground < QUIET_SHARE * (now - windowStart);
        windowStart = now;
        windowBackground = background;
        return quiet || background < 0;
    }

    /**
     * Runs {@code call} {@code minCalls} times, then on until the JVM's background work is quiet
     * ({@link #quiet}); none at all where {@code minCalls} is 0 (a cold run, as asked). Returns
     * the number of calls made.
     */
    public static int warmUp(Runnable call, int minCalls) {
        if (minCalls <= 0) {
            return 0;
        }
        int calls = 0;
        for (; calls < minCalls; calls++) {
            call.run();
        }
        JitQuiet q = new JitQuiet();
        while (!q.quiet()) {
            call.run();
            calls++;
        }
        return calls;
    }
}
