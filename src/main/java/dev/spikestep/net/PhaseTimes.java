package dev.spikestep.net;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Wall time spent in each phase of a training step, accumulated over calls. A few clock reads per
 * batch cost nothing next to the phases themselves; the bench command reports these.
 */
public final class PhaseTimes {
    /** The phases of a training step, in execution order. */
    public enum Phase {
        ENCODE("encode"), FC1("fc1"), NEURON_FORWARD("neuron forward"), FC_OUT("fc_out"),
        READOUT_LOSS("readout/loss"), NEURON_BACKWARD("neuron backward"), WEIGHT_GRADS("weight gradients"),
        OPTIMIZER("optimizer");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final long[] nanos = new long[Phase.values().length];
    private final long[] calls = new long[Phase.values().length];

    /** Adds the time since {@code startNanos} to {@code phase}; returns the current time for chaining. */
    public long lap(Phase phase, long startNanos) {
        long now = System.nanoTime();
        nanos[phase.ordinal()] += now - startNanos;
        calls[phase.ordinal()]++;
        return now;
    }

    /** Adds a duration measured elsewhere (the CUDA path's event intervals) to {@code phase}. */
    public void add(Phase phase, long durationNanos) {
        nanos[phase.ordinal()] += durationNanos;
        calls[phase.ordinal()]++;
    }

    /** Nanoseconds per phase so far, in {@link Phase} order: the difference of two snapshots is one step. */
    public long[] snapshot() {
        return nanos.clone();
    }

    public long nanos(Phase phase) {
        return nanos[phase.ordinal()];
    }

    public long calls(Phase phase) {
        return calls[phase.ordinal()];
    }

    public void reset() {
        java.util.Arrays.fill(nanos, 0);
        java.util.Arrays.fill(calls, 0);
    }

    /** Seconds per phase, in execution order. */
    public Map<String, Double> seconds() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            m.put(p.label(), nanos[p.ordinal()] / 1e9);
        }
        return m;
    }
}
