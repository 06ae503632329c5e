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
