package dev.spikestep.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ParallelTest {
    /** Runs one call and returns how often each index was visited. */
    private static AtomicIntegerArray visits(Parallel par, int n, int minGrain) {
        AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(n, 1));
        par.forRange(n, minGrain, (from, to) -> {
            assertTrue(0 <= from && from < to && to <= n, "[" + from + ", " + to + ") in [0, " + n + ")");
            for (int i = from; i < to; i++) {
                seen.incrementAndGet(i);
            }
        });
        return seen;
    }

    @Test
    void everyIndexRunsExactlyOnceForEveryThreadCountSizeAndGrain() {
        for (int threads = 1; threads <= 4; threads++) {
            try (Parallel par = new Parallel(threads)) {
                for (int n : new int[] {1, 2, 7, 64, 255, 256, 257, 1000, 32768}) {
                    for (int grain : new int[] {1, 16, 256, 4096}) {
                        for (int round = 0; round < 3; round++) { // calls back to back reuse the awake workers
                            AtomicIntegerArray seen = visits(par, n, grain);
                            for (int i = 0; i < n; i++) {
                                assertEquals(1, seen.get(i), threads + " threads, n " + n + ", grain " + grain + ": index " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theWorkIsSharedWhenThereIsEnoughOfIt() throws Exception {
        try (Parallel par = new Parallel(2)) {
            Set<Thread> ran = ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 200 && ran.size() < 2; round++) {
                par.forRange(64, 1, (from, to) -> {
                    ran.add(Thread.currentThread());
                    long until = System.nanoTime() + 200_000; // long enough for the worker to take a chunk
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                });
            }
            assertEquals(2, ran.size(), "the caller and the worker both ran chunks");
        }
    }

    @Test
    void aFailureInAChunkReachesTheCallerAndThePoolStaysUsable() {
        try (Parallel par = new Parallel(3)) {
            IllegalArgumentException boom = new IllegalArgumentException("chunk failed");
            IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                    () -> par.forRange(1000, 1, (from, to) -> {
                        if (from <= 500 && 500 < to) {
                            throw boom;
                        }
                    }));
            assertSame(boom, thrown);
            AtomicIntegerArray seen = visits(par, 1000, 1);
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, seen.get(i), "after the failure, index " + i);
            }
        }
    }

    @Test
    void aCallFromInsideABodyRunsInPlace() {
        try (Parallel par = new Parallel(2)) {
            AtomicIntegerArray seen = new AtomicIntegerArray(100 * 10);
            par.forRange(100, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int row = i;
                    par.forRange(10, 1, (c0, c1) -> {
                        for (int c = c0; c < c1; c++) {
                            seen.incrementAndGet(row * 10 + c);
                        }
                    });
                }
            });
            for (int i = 0; i < 1000; i++) {
                assertEquals(1, seen.get(i), "nested index " + i);
            }
        }
    }

    @Test
    void callersOnSeveralThreadsTakeTurns() throws Exception {
        try (Parallel par = new Parallel(2)) {
            Throwable[] failed = new Throwable[1];
            Runnable caller = () -> {
                try {
                    for (int round = 0; round < 300; round++) {
                        int n = 50 + round;
                        AtomicIntegerArray seen = visits(par, n, 1);
                        for (int i = 0; i < n; i++) {
                            assertEquals(1, seen.get(i), "round " + round + ", index " + i);
                        }
                    }
                } catch (Throwable t) {
                    failed[0] = t;
                }
            };
            Thread other = new Thread(caller);
            other.start();
            caller.run();
            other.join();
            if (failed[0] != null) {
                throw new AssertionError(failed[0]);
            }
        }
    }

    @Test
    void closeEndsTheWorkersAndACallAfterItIsAnError() throws Exception {
        Parallel par = new Parallel(3);
        visits(par, 100, 1);
        par.close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (par.anyWorkerAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertFalse(par.anyWorkerAlive(), "the workers ended");
        assertThrows(IllegalStateException.class, () -> par.forRange(100, 1, (from, to) -> { }));
    }
}
