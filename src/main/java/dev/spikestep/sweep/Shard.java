package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Slice {@code k} of {@code n} of a grid: the points whose index {@code i} has {@code i % n == k}.
 * Round-robin, so that every shard gets a similar mix of cheap and expensive points. With
 * {@code --pack N > 1} whole packs are dealt instead ({@link #select(List, ExperimentRunner, int)}), so
 * that a shard's points form the packs a single run of the grid would make, not halves of several.
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

    /**
     * The shard's points with packs of up to {@code pack}: the grid's packs ({@link SweepRunner#packs},
     * the grouping of a single run), pack {@code j} in grid order to shard {@code j % n}; the points in
     * grid order. A point without partners is a pack of one. {@code pack} 1: {@link #select(List)}.
     */
    public List<RunPoint> select(List<RunPoint> grid, ExperimentRunner runner, int pack) {
        if (pack <= 1) {
            return select(grid);
        }
        List<List<RunPoint>> packs = units(grid, runner, pack);
        List<RunPoint> mine = new ArrayList<>();
        for (int j = k; j < packs.size(); j += n) {
            mine.addAll(packs.get(j));
        }
        mine.sort(Comparator.comparingInt(RunPoint::index));
        return List.copyOf(mine);
    }

    /** What shards are dealt: the grid's packs of up to {@code pack} (points alone with {@code pack} 1), in grid order. */
    public static List<List<RunPoint>> units(List<RunPoint> grid, ExperimentRunner runner, int pack) {
        return SweepRunner.packs(grid, runner, pack);
    }

    @Override
    public String toString() {
        return k + "/" + n;
    }
}
