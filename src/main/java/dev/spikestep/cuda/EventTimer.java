package dev.spikestep.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import dev.spikestep.net.PhaseTimes;
import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;

/**
 * GPU-side timing with CUDA events on the device's stream (never the wall clock around a launch):
 * {@link #begin} records an origin, {@link #mark} an event at the end of each phase, {@link #end}
 * waits for the last one and turns consecutive events into phase durations. Events come from a pool
 * that grows to the number of marks of one step and is reused.
 */
final class EventTimer implements AutoCloseable {
    private final CudaContext ctx;
    private final CUstream stream;
    private final List<CUevent> pool = new ArrayList<>();
    private final List<PhaseTimes.Phase> phases = new ArrayList<>();
    private int used;

    EventTimer(CudaContext ctx, CUstream stream) {
        this.ctx = ctx;
        this.stream = stream;
    }

    private CUevent next() {
        if (used == pool.size()) {
            CUevent e = new CUevent();
            cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT);
            pool.add(e);
        }
        return pool.get(used++);
    }

    void begin() {
        ctx.makeCurrent();
        used = 0;
        phases.clear();
        cuEventRecord(next(), stream);
    }

    void mark(PhaseTimes.Phase phase) {
        cuEventRecord(next(), stream);
        phases.add(phase);
    }

    /** Waits for the last mark; adds every interval to its phase in {@code into}; returns seconds since begin. */
    double end(PhaseTimes into) {
        if (used < 2) {
            throw new IllegalStateException("no phase was marked since begin()");
        }
        cuEventSynchronize(pool.get(used - 1));
        float[] ms = new float[1];
        for (int i = 1; i < used; i++) {
            cuEventElapsedTime(ms, pool.get(i - 1), pool.get(i));
            into.add(phases.get(i - 1), Math.round(ms[0] * 1e6));
        }
        cuEventElapsedTime(ms, pool.get(0), pool.get(used - 1));
        return ms[0] / 1e3;
    }

    /** Seconds of GPU time the work queued by {@code work} takes (events before and after it). */
    double time(Runnable work) {
        ctx.makeCurrent();
        used = 0;
        phases.clear();
        CUevent start = next();
        CUevent stop = next();
        cuEventRecord(start, stream);
        work.run();
        cuEventRecord(stop, stream);
        cuEventSynchronize(stop);
        float[] ms = new float[1];
        cuEventElapsedTime(ms, start, stop);
        return ms[0] / 1e3;
    }

    @Override
    public void close() {
        ctx.makeCurrent();
        for (CUevent e : pool) {
            cuEventDestroy(e);
        }
        pool.clear();
    }
}
