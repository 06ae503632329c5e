package dev.spikestep.sweep;

import java.util.Map;
import java.util.TreeMap;

/**
 * One point of a sweep's grid: its position in the grid, its stable run id and its fully resolved
 * parameters (every key of the experiment's schema, defaults included, in schema order).
 *
 * <p>The run id is the first 12 hex digits of the SHA-256 of the experiment name and the sorted
 * {@code key=value} pairs, so it depends on what the run computes and nothing else: not on the
 * grid's order, the shard, the backend or the output directory.
 */
public record RunPoint(int index, String runId, String experiment, Map<String, Object> params) {
    public RunPoint {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
    }

    static String runId(String experiment, Map<String, Object> params) {
        StringBuilder sb = new StringBuilder("experiment=").append(experiment);
        for (Map.Entry<String, Object> e : new TreeMap<>(params).entrySet()) {
            sb.append(';').append(e.getKey()).append('=').append(e.getValue());
        }
        return dev.spikestep.io.Hashes.sha256Hex(sb.toString(), 12);
    }

    public String string(String key) {
        return (String) require(key);
    }

    public long integer(String key) {
        return (Long) require(key);
    }

    public int int32(String key) {
        long v = (Long) require(key);
        if (v != (int) v) {
            throw new dev.spikestep.BadValueException(key, "must be at most " + Integer.MAX_VALUE + ", got " + v);
        }
        return (int) v;
    }

    /** Time steps per sample ({@code T}, {@code eval_T}): past {@link NetShape#MAX_T} told so, not as past an int. */
    public int steps(String key) {
        long v = integer(key);
        dev.spikestep.net.NetShape.checkT(key, v);
        return (int) v;
    }

    public double number(String key) {
        return (Double) require(key);
    }

    public boolean bool(String key) {
        return (Boolean) require(key);
    }

    private Object require(String key) {
        Object v = params.get(key);
        if (v == null) {
            throw new IllegalArgumentException("run " + runId + " has no parameter " + key);
        }
        return v;
    }

    /** A short human label, for logs: {@code #3 lif/exp dt=0.5 seed=1}. */
    public String label() {
        StringBuilder sb = new StringBuilder("#").append(index).append(' ').append(runId);
        params.forEach((k, v) -> {
            if (k.equals("model") || k.equals("integrator") || k.equals("dt") || k.equals("seed")
                    || k.equals("readout") || k.equals("T")) {
                sb.append(' ').append(k).append('=').append(v);
            }
        });
        return sb.toString();
    }
}
