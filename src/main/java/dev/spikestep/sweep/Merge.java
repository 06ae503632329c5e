package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Joins the output directories of a sweep's shards (or of any runs of the same sweep) into one:
 * finished runs only, one row per run id, each with the epochs of its finished attempt, all in
 * grid order. The output is a function of the inputs' contents, so merging again is harmless.
 */
public final class Merge {
    private Merge() {
    }

    /** Returns the merged results; prints what it joined and which grid points are still missing. */
    public static SweepResults merge(List<Path> inputs, Path out, PrintStream log) {
        if (inputs.isEmpty()) {
            throw new SpikestepException("merge needs at least one sweep directory");
        }
        List<Map<String, Object>> runs = new ArrayList<>();
        List<Map<String, Object>> epochs = new ArrayList<>();
        Map<String, Object> manifest = null;
        Map<String, List<Path>> builds = new LinkedHashMap<>(); // commit -> the inputs it wrote
        Map<Integer, List<Path>> dealings = new java.util.TreeMap<>(); // a shard's --pack when dealt (1: points) -> shards
        Map<Path, Map<String, Object>> manifests = new LinkedHashMap<>();
        int skipped = 0;
        for (Path in : inputs) {
            if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
                throw new SpikestepException("merge: --out " + out + " is also an input; write the merge to a new directory");
            }
            SweepResults.requireDirectory("merge: ", in);
            if (!Files.isRegularFile(in.resolve(SweepResults.RUNS)) && !Files.isRegularFile(in.resolve(SweepResults.MANIFEST))) {
                throw new SpikestepException("merge: " + in + " is not a sweep directory (it has no "
                        + SweepResults.RUNS + " nor " + SweepResults.MANIFEST + ")");
            }
            SweepResults r = SweepResults.load(in);
            Map<String, Object> m = r.manifest();
            SweepResults.requireFinishedMerge("merge: ", in, m);
            // Without its manifest nothing says which sweep a directory's runs belong to: refused, not trusted.
            if (!(m.get("name") instanceof String) || !(m.get("grid_points") instanceof Number)) {
                throw new SpikestepException("merge: " + in + " has no readable " + SweepResults.MANIFEST + " (with the "
                        + "sweep's name and grid size), so nothing says which sweep its runs belong to; merge only "
                        + "directories written by 'spikestep sweep'");
            }
            if (manifest == null) {
                manifest = m;
            } else if (!m.get("name").equals(manifest.get("name")) || !m.get("grid_points").equals(manifest.get("grid_points"))
                    || (m.get("grid_id") != null && manifest.get("grid_id") != null
                        && !m.get("grid_id").equals(manifest.get("grid_id")))) {
                // The same name and size can still be another grid (other dt values, say): the grid id tells.
                throw new SpikestepException("merge: " + in + " holds sweep '" + m.get("name") + "' (" + m.get("grid_points")
                        + " points, grid " + m.get("grid_id") + " from " + m.get("config") + "), but " + inputs.get(0)
                        + " holds '" + manifest.get("name") + "' (" + manifest.get("grid_points") + " points, grid "
                        + manifest.get("grid_id") + " from " + manifest.get("config") + "); merge the shards of one "
                        + "sweep at a time");
            }
            List<String> commits = SweepResults.commits(m);
            // a build from before builds were recorded is a build all the same: with new shards, several
            for (String c : commits.isEmpty() ? List.of(UNRECORDED) : commits) {
                builds.computeIfAbsent(c, k -> new ArrayList<>()).add(in);
            }
            if (Shard.parse(String.valueOf(m.getOrDefault("shard", Shard.ALL))).n() > 1) {
                dealings.computeIfAbsent(m.get("shard_pack") instanceof Number d ? d.intValue() : 1,
                        k -> new ArrayList<>()).add(in);
            }
            manifests.put(in, m);
            runs.addAll(r.runs());
            epochs.addAll(r.epochs());
            skipped += r.skippedLines();
        }
        SweepResults merged = SweepResults.of(runs, epochs, manifest, skipped);
        int duplicates = runs.size() - merged.runs().size();
        Map<String, Object> m = new LinkedHashMap<>(manifest);
        m.put("shard", Shard.ALL.toString());
        m.put("shard_points", m.get("grid_points"));
        m.put("merged_from", inputs.size());
        List<String> recorded = builds.keySet().stream().filter(c -> !c.equals(UNRECORDED)).toList();
        if (builds.size() == 1 && recorded.size() == 1) {
            m.put("commit", recorded.get(0));
        } else {
            m.remove("commit"); // several builds: only commits names them
        }
        if (recorded.isEmpty()) { // inputs written before builds were recorded only
            m.remove("commits");
        } else { // an unrecorded build among recorded ones stays named, so a later merge still warns
            m.put("commits", String.join(",", builds.keySet()));
        }
        checkOut(out, manifest);
        // held while it writes: the temporary files it removes are then no other merge's, in flight
        try (dev.spikestep.io.OutLock lock = dev.spikestep.io.OutLock.acquire(out, "merge")) {
            dev.spikestep.io.AtomicFiles.removeOrphans(out); // what a merge killed while writing left
            SweepResults.writeAll(out, m, merged.runs(), merged.epochs());
        }
        log.println("merged " + merged.runs().size() + " finished runs (" + merged.epochs().size() + " epochs) from "
                + inputs.size() + " director" + (inputs.size() == 1 ? "y" : "ies") + " into " + out
                + (duplicates > 0 ? "; " + duplicates + " run(s) found twice were kept once" : ""));
        if (builds.size() > 1) { // a fix build may be intended; the rows are merged all the same
            log.println("warning: the inputs were written by different builds: " + builds.entrySet().stream()
                    .map(e -> e.getKey() + " (" + e.getValue().stream().map(Path::toString)
                            .collect(java.util.stream.Collectors.joining(", ")) + ")")
                    .collect(java.util.stream.Collectors.joining("; ")) + "; their rows are merged as one sweep");
        }
        if (skipped > 0) {
            log.println("note: " + skipped + " line(s) of the inputs' JSONL files could not be read (a write torn by a "
                    + "kill, or damage); a run they held counts as missing");
        }
        if (m.get("grid_points") instanceof Number n) {
            Set<Long> missing = new TreeSet<>();
            for (long i = 0; i < n.longValue(); i++) {
                missing.add(i);
            }
            merged.runs().forEach(r -> missing.remove(((Number) r.get("index")).longValue()));
            boolean rerun = dealings.size() > 1 && !missing.isEmpty()
                    && dealtDifferently(dealings, manifests, missing, backendOf(merged.runs()), log);
            log.println(missing.isEmpty() ? "the grid is complete: " + n + " of " + n + " points"
                    : "missing " + missing.size() + " of " + n + " grid points (indices " + abbreviate(missing) + "); "
                    + (rerun ? "run the shards again as the warning above says" : "resume their shards with "
                    + "'spikestep sweep ... --shard K/N --resume' (the options they were started with)") + " and merge again");
        }
        return merged;
    }

    /** How merge names the build of an input whose sweep.json records none. */
    static final String UNRECORDED = "an earlier build (not recorded)";

    /**
     * Shards dealt their points in different ways (by points, or packs of different sizes) can leave
     * points to no shard, which no resume runs: says which ({@code missing} less those some shard was
     * dealt, where the config in sweep.json still gives the grid) and how to cover them. The shards
     * dealt as most were are kept; the others are rerun, dealt so, into new directories that replace
     * them in the merge (a point in two inputs would be kept once, from the first input). Where every
     * missing point is some shard's, that shard's resume runs it and no rerun is advised. Returns
     * whether a rerun was advised.
     */
    private static boolean dealtDifferently(Map<Integer, List<Path>> dealings, Map<Path, Map<String, Object>> manifests,
                                            Set<Long> missing, String backend, PrintStream log) {
        int keep = dealings.entrySet().stream().max(java.util.Map.Entry.<Integer, List<Path>>comparingByValue(
                java.util.Comparator.comparingInt(List::size)).thenComparing(java.util.Map.Entry.comparingByKey()))
                .orElseThrow().getKey();
        Set<Long> uncovered = new TreeSet<>(missing);
        String unknown = "";
        Map<String, Object> first = manifests.values().iterator().next();
        List<RunPoint> grid = null;
        ExperimentRunner runner = null;
        List<String> notGiven = new ArrayList<>();
        try {
            SweepConfig cfg = SweepConfig.load(Path.of(String.valueOf(first.get("config"))));
            grid = cfg.expand();
            if (!SweepRunner.gridId(grid).equals(first.get("grid_id"))) {
                throw new SpikestepException("the config now expands to another grid");
            }
            runner = ExperimentRunners.forExperiment(cfg.experiment());
            Set<Shard> given = new java.util.HashSet<>();
            for (Map.Entry<Integer, List<Path>> e : dealings.entrySet()) {
                for (Path d : e.getValue()) {
                    given.add(shardOf(manifests.get(d)));
                    shardOf(manifests.get(d)).select(grid, runner, e.getKey()).forEach(p -> uncovered.remove((long) p.index()));
                }
            }
            // Shards of the array not given to this merge hold points all the same: counted as dealt as most were
            Set<Integer> ns = new TreeSet<>();
            given.forEach(g -> ns.add(g.n()));
            for (int n : ns) {
                for (int k = 0; k < n; k++) {
                    Shard absent = new Shard(k, n);
                    if (!given.contains(absent)) {
                        notGiven.add(absent.toString());
                        absent.select(grid, runner, keep).forEach(p -> uncovered.remove((long) p.index()));
                    }
                }
            }
        } catch (SpikestepException e) {
            grid = null;
            String config = String.valueOf(first.get("config"));
            unknown = " (which of the missing points no shard holds is not known: " + config + " does not give the grid"
                    + (Path.of(config).isAbsolute() ? "" : ", a path relative to where the sweep ran: merge from there")
                    + ": " + e.getMessage() + ")";
        }
        String absent = notGiven.isEmpty() ? "" : " (shards " + String.join(", ", notGiven) + " were not given to merge: "
                + "counted as dealt " + dealing(keep) + ")";
        List<String> ways = new ArrayList<>();
        dealings.forEach((dealt, dirs) -> ways.add(dealing(dealt) + " (" + dirs.stream().map(Path::toString)
                .collect(java.util.stream.Collectors.joining(", ")) + ")"));
        if (unknown.isEmpty() && uncovered.isEmpty()) { // each missing point is some shard's: its resume runs it
            log.println("warning: the shards were dealt their points in different ways: " + String.join("; ", ways)
                    + absent + "; every missing point is held by a shard, which --resume finishes (or, for a shard not "
                    + "given, its run), but a sweep's shards must all be dealt alike, or points are left to no shard");
            return false;
        }
        // The rerun repeats what the rows say of the sweep's options; the others (--data, ...) are the user's.
        String options = (backend == null ? "" : " --backend " + backend);
        List<String> rerun = new ArrayList<>();
        for (Map.Entry<Integer, List<Path>> e : dealings.entrySet()) {
            if (e.getKey() == keep) {
                continue;
            }
            for (Path d : e.getValue()) {
                Shard shard = shardOf(manifests.get(d));
                if (grid == null || !shard.select(grid, runner, keep).isEmpty()) { // never a shard empty when dealt so
                    rerun.add("'spikestep sweep " + first.get("config") + " --shard " + shard + " --pack " + keep
                            + options + " --out NEW' in place of " + d);
                }
            }
        }
        log.println("warning: the shards were dealt their points in different ways: " + String.join("; ", ways) + absent
                + (unknown.isEmpty() ? ", so no shard holds points " + abbreviate(uncovered) + ", which no resume runs"
                : unknown)
                + "; run the shards dealt otherwise than " + dealing(keep) + " again with this build into new directories "
                + "(no --resume; with the sweep's other options, --data and the like), " + String.join(", ", rerun)
                + ", and merge them in place of the old ones (a point in two inputs is kept once, the first input's)");
        return true;
    }

    private static Shard shardOf(Map<String, Object> manifest) {
        return Shard.parse(String.valueOf(manifest.get("shard")));
    }

    /** The backend every row names, or null when they differ or none does. */
    private static String backendOf(List<Map<String, Object>> runs) {
        Set<Object> all = new java.util.HashSet<>();
        runs.forEach(r -> all.add(r.get("backend")));
        return all.size() == 1 && all.iterator().next() instanceof String b ? b : null;
    }

    private static String dealing(int dealt) {
        return dealt > 1 ? "as packs of up to " + dealt + " (--pack " + dealt + ")" : "by points";
    }

    /**
     * --out must be new, empty, or an earlier merge of the same sweep (merging again is harmless),
     * never another sweep's or shard's directory: its runs.jsonl and results.csv would be replaced
     * while its checkpoints and run logs stayed. The temporary files a killed merge left count as
     * nothing, and a merge killed after its first file is recognised by it (writeAll: sweep.json first).
     */
    private static void checkOut(Path out, Map<String, Object> manifest) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new SpikestepException("merge: --out " + out + " is a file, not a directory; choose a new directory");
        }
        if (!Files.isDirectory(out)) {
            return;
        }
        boolean empty;
        try (Stream<Path> entries = Files.list(out)) {
            empty = entries.allMatch(p -> dev.spikestep.io.AtomicFiles.targetOf(p.getFileName().toString()) != null
                    || p.getFileName().toString().equals(dev.spikestep.io.OutLock.FILE)); // a killed merge's lock
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + out + ": " + SpikestepException.reason(e), e);
        }
        if (empty) {
            return;
        }
        Map<String, Object> prev = Files.isRegularFile(out.resolve(SweepResults.MANIFEST))
                ? SweepResults.load(out).manifest() : Map.of();
        if (prev.containsKey("merged_from") && Objects.equals(prev.get("name"), manifest.get("name"))
                && Objects.equals(prev.get("grid_points"), manifest.get("grid_points"))
                && Objects.equals(prev.get("grid_id"), manifest.get("grid_id"))) {
            return;
        }
        // same name and size but another grid id: an edited config's merge, which this one would replace
        String holds = prev.containsKey("name") ? " (it holds " + (prev.containsKey("merged_from") ? "a merge of " : "")
                + "sweep '" + prev.get("name") + "'" + (Objects.equals(prev.get("name"), manifest.get("name"))
                && !Objects.equals(prev.get("grid_id"), manifest.get("grid_id"))
                ? " from another grid (" + prev.get("grid_id") + ", not " + manifest.get("grid_id") + ")" : "") + ")" : "";
        throw new SpikestepException("merge: --out " + out + " is not empty and not an earlier merge of sweep '"
                + manifest.get("name") + "'" + holds + "; merge into a new or empty directory");
    }

    private static String abbreviate(Set<Long> s) {
        List<String> parts = new ArrayList<>();
        for (Long v : s) {
            if (parts.size() == 20) {
                parts.add("...");
                break;
            }
            parts.add(v.toString());
        }
        return String.join(", ", parts);
    }
}
