package dev.spikestep.net;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Splits index ranges over a fixed set of threads: the caller and {@code threads - 1} workers of its
 * own. Callers give each chunk disjoint outputs and a fixed summation order, so results never
 * depend on the thread count.
 *
 * <p>A training step makes about a dozen calls of 0.1-5 ms each, so what a call costs besides the
 * work matters: a ForkJoinPool with a parallel stream took 20-30 us per call back to back and
 * about 75 us after 1 ms idle (its workers park, and waking one goes through the hypervisor).
 * Here the chunks are taken from a shared counter, and an idle worker spins for
 * {@link #SPIN_NANOS} before it parks, so the next call of a step usually finds it awake.
 */
public final class Parallel implements AutoCloseable {
    /** Work on a half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** How long an idle worker waits awake for the next call before it parks. */
    static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock calls = new ReentrantLock(); // one call at a time, whoever makes it
    /** One call, published whole to the workers. */
    private record Job(long epoch, RangeBody body, int n, int grain, int chunks) {
    }

    private volatile Job job = new Job(0, null, 0, 0, 0);
    // the call's epoch in the high 32 bits, its next chunk in the low: a worker still looking for
    // work of the previous call cannot take a chunk of this one
    private final AtomicLong ticket = new AtomicLong();
    private final AtomicInteger unfinished = new AtomicInteger();
    private volatile Throwable failure;
    private volatile boolean closed;

    /** The most threads a run takes: more than any machine's cores, fewer than the OS lets a process start. */
    public static final int MAX_THREADS = 1024;

    /** {@code --threads} as a user gives it: 0 = every core, else 1 to {@link #MAX_THREADS}. */
    public static int threadCount(int requested) {
        if (requested < 0 || requested > MAX_THREADS) {
            throw outOfRange(requested);
        }
        return requested == 0 ? Runtime.getRuntime().availableProcessors() : requested;
    }

    /**
     * A resolved thread count (what {@link #threadCount} gives), as the run records and this pool take
     * it: 1 to {@link #MAX_THREADS}.
     */
    public static int requireThreads(int threads) {
        if (threads > MAX_THREADS) {
            throw outOfRange(threads);
        }
        if (threads < 1) { // 0 is --threads' "all cores", resolved before a record or a pool sees it
            throw new dev.spikestep.SpikestepException("a resolved thread count must be 1 to " + MAX_THREADS + ", got "
                    + threads);
        }
        return threads;
    }

    private static dev.spikestep.SpikestepException outOfRange(int threads) {
        return new dev.spikestep.SpikestepException("--threads must be 0 (all cores) or 1 to " + MAX_THREADS + ", got "
                + threads);
    }

    public Parallel(int threads) {
        this.threads = requireThreads(threads);
        this.workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            Thread t = new Thread(this::work, "spikestep-worker-" + (w + 1));
            t.setDaemon(true); // a pool not closed does not keep the JVM alive
            workers[w] = t;
            t.start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} in chunks of about {@code n / (4 * threads)}, at least {@code minGrain}. */
    public void forRange(int n, int minGrain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        if (workers.length == 0 || n <= minGrain || calls.isHeldByCurrentThread() || isWorker()) {
            body.run(0, n); // one thread, one chunk, or a call from inside a body: no hand-off
            return;
        }
        if (closed) {
            throw new IllegalStateException("Parallel is closed");
        }
        calls.lock();
        try {
            int grain = Math.max(minGrain, (n + 4 * threads - 1) / (4 * threads));
            Job j = new Job(job.epoch() + 1, body, n, grain, (n + grain - 1) / grain);
            failure = null;
            unfinished.set(j.chunks());
            ticket.set(j.epoch() << 32);
            job = j;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            runChunks(j);
            while (unfinished.get() > 0) {
                Thread.onSpinWait();
            }
            Throwable f = failure;
            if (f instanceof RuntimeException e) {
                throw e;
            } else if (f instanceof Error e) {
                throw e;
            } else if (f != null) {
                throw new IllegalStateException(f);
            }
        } finally {
            calls.unlock();
        }
    }

    /** Takes chunks of {@code j} until none is left (or another call has begun). */
    private void runChunks(Job j) {
        while (true) {
            long v = ticket.get();
            int c = (int) v;
            if (v >>> 32 != j.epoch() || c >= j.chunks()) {
                return;
            }
            if (!ticket.compareAndSet(v, v + 1)) {
                continue;
            }
            try {
                if (failure == null) {
                    j.body().run(c * j.grain(), Math.min(j.n(), (c + 1) * j.grain()));
                }
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                }
            } finally {
                unfinished.decrementAndGet();
            }
        }
    }

    private boolean isWorker() {
        Thread me = Thread.currentThread();
        for (Thread w : workers) {
            if (w == me) {
                return true;
            }
        }
        return false;
    }

    private void work() {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Job j;
            while ((j = job).epoch() == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = j.epoch();
            runChunks(j);
        }
    }

    /** Whether a worker thread is still running (after {@link #close} they end). */
    boolean anyWorkerAlive() {
        for (Thread w : workers) {
            if (w.isAlive()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
