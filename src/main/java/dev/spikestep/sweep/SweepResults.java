package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.ResultsWriter;
import dev.spikestep.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The results of a sweep in one directory, read back. The files, all appended and fsync'd row by
 * row while the sweep runs:
 * <ul>
 *   <li>{@code runs.jsonl}: one line per finished run (run id, grid index, attempt, every
 *       parameter, final metrics); the record of what is done.</li>
 *   <li>{@code epochs.jsonl}: one line per finished epoch, tagged with run id and attempt. A run
 *       interrupted mid-way leaves epochs of an unfinished attempt; its rerun is the next attempt.</li>
 *   <li>{@code results.csv}: one row per finished run, rewritten in grid order at the end of a sweep.</li>
 *   <li>{@code sweep.json}: the sweep's name, experiment, grid size and shard.</li>
 * </ul>
 * Reading keeps only what is final: one row per run id (the first finished one) and, of the epoch
 * rows, only those of the attempt that finished. Rows come back sorted by grid index, so nothing
 * depends on the order in which parallel runs finished. A line that does not parse (the torn last
 * line of a killed process), or a row without the fields of a finished run of this grid, is skipped
 * and counted.
 */
public final class SweepResults {
    public static final String RUNS = "runs.jsonl";
    public static final String EPOCHS = "epochs.jsonl";
    public static final String RESULTS = "results.csv";
    public static final String MANIFEST = "sweep.json";
    /** Fields that measure time, not results: they differ between two otherwise identical runs. */
    public static final Set<String> TIMING = Set.of("seconds", "seconds_per_epoch", "finished_at", "attempt");

    static final Comparator<Map<String, Object>> GRID_ORDER = Comparator
            .<Map<String, Object>>comparingLong(r -> ((Number) r.get("index")).longValue())
            .thenComparing(r -> (String) r.get("run_id"))
            .thenComparingLong(r -> r.get("epoch") instanceof Number n ? n.longValue() : -1);

    private final List<Map<String, Object>> runs;
    private final List<Map<String, Object>> epochs;
    private final Map<String, Integer> lastAttempt;
    private final Map<String, Object> manifest;
    private final int skippedLines;

    private SweepResults(List<Map<String, Object>> runs, List<Map<String, Object>> epochs,
                         Map<String, Integer> lastAttempt, Map<String, Object> manifest, int skippedLines) {
        this.runs = runs;
        this.epochs = epochs;
        this.lastAttempt = lastAttempt;
        this.manifest = manifest;
        this.skippedLines = skippedLines;
    }

    /**
     * Checks a directory given to read results from (report, merge): a mistyped path is said to be
     * missing, not "a directory with no finished runs"; {@code prefix} starts the message.
     */
    public static void requireDirectory(String prefix, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new SpikestepException(prefix + dir + (Files.exists(dir) ? " is a file, not a sweep directory"
                    : ": no such directory"));
        }
    }

    /** Reads a sweep directory; missing files count as empty. */
    public static SweepResults load(Path dir) {
        int[] skipped = {0};
        List<Map<String, Object>> runRows = readJsonLines(dir.resolve(RUNS), skipped);
        List<Map<String, Object>> epochRows = readJsonLines(dir.resolve(EPOCHS), skipped);
        Map<String, Object> manifest = new LinkedHashMap<>();
        List<Map<String, Object>> m = readJsonLines(dir.resolve(MANIFEST), skipped);
        if (!m.isEmpty()) {
            manifest.putAll(m.get(m.size() - 1));
        }
        return of(runRows, epochRows, manifest, skipped[0]);
    }

    /** Keeps the final rows of the given ones (see the class comment). */
    static SweepResults of(List<Map<String, Object>> runRows, List<Map<String, Object>> epochRows,
                           Map<String, Object> manifest, int skipped) {
        Map<String, Integer> lastAttempt = new HashMap<>();
        Map<String, Map<String, Object>> finished = new LinkedHashMap<>();
        for (Map<String, Object> r : runRows) {
            if (!finishedRun(r, manifest)) {
                skipped++;
                continue;
            }
            String id = (String) r.get("run_id");
            finished.putIfAbsent(id, r);
            lastAttempt.merge(id, attempt(r), Math::max);
        }
        Set<String> seen = new HashSet<>();
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (Map<String, Object> e : epochRows) {
            if (!(e.get("run_id") instanceof String id) || !(e.get("index") instanceof Long)) {
                skipped++;
                continue;
            }
            lastAttempt.merge(id, attempt(e), Math::max);
            Map<String, Object> run = finished.get(id);
            // One row per (run, epoch): the finished attempt's, once even if files were joined twice.
            if (run != null && attempt(run) == attempt(e) && seen.add(id + "#" + e.get("epoch"))) {
                epochs.add(e);
            }
        }
        List<Map<String, Object>> runs = new ArrayList<>(finished.values());
        runs.sort(GRID_ORDER);
        epochs.sort(GRID_ORDER);
        return new SweepResults(runs, epochs, lastAttempt, manifest, skipped);
    }

    /**
     * Whether a runs.jsonl row is a finished run of this sweep: the fields every runner's row has
     * and the report reads, of their types (a row of another writer, or damaged, is not), and an
     * index inside the grid when {@code manifest} gives its size.
     */
    private static boolean finishedRun(Map<String, Object> r, Map<String, Object> manifest) {
        if (!(r.get("run_id") instanceof String) || !(r.get("index") instanceof Long index)
                || !(r.get("experiment") instanceof String) || !(r.get("dt") instanceof Number)
                || !(r.get("final_acc") instanceof Number)) {
            return false;
        }
        return !(manifest.get("grid_points") instanceof Number n) || (index >= 0 && index < n.longValue());
    }

    private static int attempt(Map<String, Object> row) {
        return row.get("attempt") instanceof Number n ? n.intValue() : 1;
    }

    /** Finished runs, one per run id, in grid order. */
    public List<Map<String, Object>> runs() {
        return runs;
    }

    /** Epoch rows of the finished runs' finished attempts, in grid order then epoch order. */
    public List<Map<String, Object>> epochs() {
        return epochs;
    }

    /** The highest attempt number seen per run id, finished or not (0 when never started). */
    public int lastAttempt(String runId) {
        return lastAttempt.getOrDefault(runId, 0);
    }

    public Map<String, Object> manifest() {
        return manifest;
    }

    /**
     * The builds (commits, as --version prints them) that wrote the sweep whose sweep.json is
     * {@code manifest}, in the order they first did; empty for one written before builds were recorded.
     */
    static List<String> commits(Map<String, Object> manifest) {
        Object all = manifest.get("commits") instanceof String c ? c : manifest.get("commit");
        return all instanceof String c && !c.isBlank() ? List.of(c.split(",")) : List.of();
    }

    /** Lines that could not be read (torn by a kill) or were no finished run's (a run id, index, dt or accuracy missing). */
    public int skippedLines() {
        return skippedLines;
    }

    public Set<String> finishedIds() {
        Set<String> ids = new LinkedHashSet<>();
        runs.forEach(r -> ids.add((String) r.get("run_id")));
        return ids;
    }

    /**
     * Why {@code dir} holds results but is no sweep's directory, or null: a sweep writes sweep.json
     * before its first run, so rows without it ({@code manifest} empty) are another command's
     * (spikestep train writes epochs.jsonl and results.csv too).
     */
    static String notASweep(Path dir, Map<String, Object> manifest) {
        String file = !manifest.isEmpty() ? null : nonEmpty(dir.resolve(RUNS)) ? RUNS
                : nonEmpty(dir.resolve(EPOCHS)) ? EPOCHS : Files.exists(dir.resolve(RESULTS)) ? RESULTS : null;
        return file == null ? null : dir + " holds " + file + " but no " + MANIFEST
                + ": it is not a sweep's directory (a spikestep train run's?)";
    }

    static boolean nonEmpty(Path f) {
        try {
            return Files.exists(f) && Files.size(f) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    static List<Map<String, Object>> readJsonLines(Path file, int[] skipped) {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!Files.exists(file)) {
            return rows;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    rows.add(dev.spikestep.io.Json.parseObject(line));
                } catch (IllegalArgumentException e) {
                    skipped[0]++;
                }
            }
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + file + ": " + SpikestepException.reason(e), e);
        }
        return rows;
    }

    /** The CSV header and row of a run: train's columns (see {@code train}) then run_id and index. */
    static List<String> csvHeader(List<Map<String, Object>> runs) {
        if (runs.isEmpty() || runs.stream().allMatch(r -> "train".equals(r.get("experiment")))) {
            List<String> h = new ArrayList<>(Trainer.CSV_HEADER);
            h.add("run_id");
            h.add("index");
            return h;
        }
        Set<String> keys = new LinkedHashSet<>();
        runs.forEach(r -> keys.addAll(r.keySet()));
        return new ArrayList<>(keys);
    }

    static List<Object> csvRow(List<String> header, Map<String, Object> run) {
        List<Object> row = new ArrayList<>();
        for (String k : header) {
            Object v = run.get(k);
            row.add(v == null ? "" : v);
        }
        return row;
    }

    /** Rewrites {@code results.csv} from {@code runs} (already in grid order), all at once. */
    static void writeResultsCsv(Path dir, List<Map<String, Object>> runs) {
        List<String> header = csvHeader(runs);
        StringBuilder sb = new StringBuilder(String.join(",", header)).append('\n');
        for (Map<String, Object> r : runs) {
            sb.append(ResultsWriter.csv(csvRow(header, r))).append('\n');
        }
        ResultsWriter.replace(dir.resolve(RESULTS), sb.toString());
    }

    /**
     * Rewrites a whole sweep directory's files (merge's output), each file all at once; sweep.json,
     * the mark of a merge, first, so that a merge killed on its way is still recognised as one by the next.
     */
    static void writeAll(Path dir, Map<String, Object> manifest, List<Map<String, Object>> runs,
                         List<Map<String, Object>> epochs) {
        StringBuilder r = new StringBuilder();
        runs.forEach(row -> r.append(ResultsWriter.json(row)).append('\n'));
        StringBuilder e = new StringBuilder();
        epochs.forEach(row -> e.append(ResultsWriter.json(row)).append('\n'));
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            throw new SpikestepException("cannot create " + dir + ": " + SpikestepException.reason(ex), ex);
        }
        // sweep.json first, marked unfinished: a merge killed from here on is this merge's to redo, and no
        // shard for a later merge or report; the mark goes once every file is in place
        Map<String, Object> unfinished = new LinkedHashMap<>(manifest);
        unfinished.put(UNFINISHED, true);
        ResultsWriter.replace(dir.resolve(MANIFEST), ResultsWriter.json(unfinished) + "\n");
        ResultsWriter.replace(dir.resolve(EPOCHS), e.toString());
        ResultsWriter.replace(dir.resolve(RUNS), r.toString());
        writeResultsCsv(dir, runs);
        ResultsWriter.replace(dir.resolve(MANIFEST), ResultsWriter.json(manifest) + "\n");
    }

    /** sweep.json's mark of a merge still writing (or killed while it wrote): see {@link #writeAll}. */
    static final String UNFINISHED = "merge_unfinished";

    /** A merge stopped before it wrote every file is refused as the input of {@code what} (merge, report). */
    static void requireFinishedMerge(String what, Path dir, Map<String, Object> manifest) {
        if (Boolean.TRUE.equals(manifest.get(UNFINISHED))) {
            throw new SpikestepException(what + dir + " holds a merge that was stopped before it wrote all its files; "
                    + "run that merge again (into the same --out) first");
        }
    }
}
