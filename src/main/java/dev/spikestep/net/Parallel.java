package dev.spikestep.net;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Splits index ranges over a fixed pool of threads. Callers give each chunk disjoint outputs and a
 * fixed summation order, so results never depend on the thread count.
 */
public final class Parallel implements AutoCloseable {
    /** Work on a half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new dev.spikestep.SpikestepException("--threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} in chunks of about {@code n / (4 * threads)}, at least {@code minGrain}. */
    public void forRange(int n, int minGrain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (pool == null || n <= minGrain) {
            body.run(0, n);
            return;
        }
        int grain = Math.max(minGrain, (n + 4 * threads - 1) / (4 * threads));
        int chunks = (n + grain - 1) / grain;
        pool.submit(() -> IntStream.range(0, chunks).parallel()
                .forEach(c -> body.run(c * grain, Math.min(n, (c + 1) * grain)))).join();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
