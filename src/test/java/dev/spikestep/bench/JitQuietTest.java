package dev.spikestep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class JitQuietTest {
    @Test
    void aWarmUpOfNoneMakesNoCallAndAnyOtherAtLeastTheCountAsked() {
        AtomicInteger calls = new AtomicInteger();
        assertEquals(0, JitQuiet.warmUp(calls::incrementAndGet, 0));
        assertEquals(0, calls.get());
        int made = JitQuiet.warmUp(calls::incrementAndGet, 5);
        assertTrue(made >= 5, "at least the count: " + made);
        assertEquals(made, calls.get(), "the calls it says it made");
    }

    /** Quiet is decided per whole window, on the background CPU's share of one core in it. */
    @Test
    void quietNeedsAWholeWindowBelowTheShareAndTheLongestWaitEndsIt() {
        long[] now = {1_000};
        long[] cpu = {5_000};
        long w = JitQuiet.WINDOW_NANOS;
        long limit = (long) (JitQuiet.QUIET_SHARE * w);
        JitQuiet q = new JitQuiet(10 * w, () -> now[0], () -> cpu[0]);
        now[0] += w - 1;
        assertFalse(q.quiet(), "not a whole window yet, even with no background CPU");
        now[0] += 1;
        cpu[0] += limit + 1;
        assertFalse(q.quiet(), "just above the share over the window");
        now[0] += w;
        cpu[0] += limit - 1;
        assertTrue(q.quiet(), "just below the share over the next window");
        now[0] += 2 * w;
        cpu[0] += 2 * limit + 2;
        assertFalse(q.quiet(), "the share is of the window's actual length: above it over 2 windows");
        now[0] = 1_000 + 10 * w;
        cpu[0] += 100 * w;
        assertTrue(q.quiet(), "the longest wait has passed, however busy");

        long[] unknown = {-1};
        assertTrue(new JitQuiet(10 * w, () -> now[0], () -> unknown[0]).quiet(), "no CPU times: quiet at once");
    }

    /**
     * The GC's threads are not Java threads: while this thread keeps them busy the JVM is not
     * quiet, and once it idles it is (within 10 s; the longest wait set far above that).
     */
    @Test
    void theGcsThreadsAtWorkAreNotQuietAndAnIdleJvmBecomesQuiet() throws InterruptedException {
        Assumptions.assumeTrue(JitQuiet.backgroundCpuNanos() >= 0, "no process or thread CPU times here");
        JitQuiet busy = new JitQuiet(60_000_000_000L); // the tests run with -Dspikestep.warmup.wait=0
        assertFalse(busy.quiet(), "no window has passed yet");
        long until = System.nanoTime() + 3 * JitQuiet.WINDOW_NANOS;
        boolean quietWhileCollecting = false;
        while (System.nanoTime() < until) {
            System.gc();
            quietWhileCollecting |= busy.quiet();
        }
        assertFalse(quietWhileCollecting, "full GCs, back to back, count as background work");
        JitQuiet idle = new JitQuiet(60_000_000_000L);
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean quiet = false;
        while (!quiet && System.nanoTime() < deadline) {
            Thread.sleep(50);
            quiet = idle.quiet();
        }
        assertTrue(quiet, "an idle JVM is quiet within 10 s");
    }
}
