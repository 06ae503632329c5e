package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import java.util.List;

/**
 * Slice {@code k} of {@code n} of a grid: the points whose index {@code i} has {@code i % n == k}.
 * Round-robin, so that every shard gets a similar mix of cheap and expensive points.
 */
public record Shard(int k, int n) {
    public static final Shard ALL = new Shard(0, 1);

    public Shard {
        if (n < 1 || k < 0 || k >= n) {
            throw new SpikestepException("--shard " + k + "/" + n + ": expected K/N with N >= 1 and 0 <= K < N");
        }
    }

    /** Parses {@code K/N}, as Slurm's 0-based {@code $SLURM_ARRAY_TASK_ID/N}. */
    public static Shard parse(String s) {
        String[] kn = s.trim().split("/", -1);
        try {
            if (kn.length == 2) {
                return new Shard(Integer.parseInt(kn[0].trim()), Integer.parseInt(kn[1].trim()));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new SpikestepException("--shard '" + s + "': expected K/N, for example 0/4 (K = 0..N-1)");
    }

    public List<RunPoint> select(List<RunPoint> grid) {
        return grid.stream().filter(p -> p.index() % n == k).toList();
    }

    @Override
    public String toString() {
        return k + "/" + n;
    }
}
