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
            for (String c : SweepResults.commits(m)) {
                builds.computeIfAbsent(c, k -> new ArrayList<>()).add(in);
            }
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
        if (builds.size() == 1) {
            m.put("commit", builds.keySet().iterator().next());
        } else {
            m.remove("commit"); // several builds: only commits names them
        }
        if (!builds.isEmpty()) { // none for inputs written before builds were recorded
            m.put("commits", String.join(",", builds.keySet()));
        }
        checkOut(out, manifest);
        SweepResults.writeAll(out, m, merged.runs(), merged.epochs());
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
            log.println(missing.isEmpty() ? "the grid is complete: " + n + " of " + n + " points"
                    : "missing " + missing.size() + " of " + n + " grid points (indices " + abbreviate(missing)
                    + "); resume their shards with 'spikestep sweep ... --shard K/N --resume' and merge again");
        }
        return merged;
    }

    /**
     * --out must be new, empty, or an earlier merge of the same sweep (merging again is harmless),
     * never another sweep's or shard's directory: its runs.jsonl and results.csv would be replaced
     * while its checkpoints and run logs stayed.
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
            empty = entries.findAny().isEmpty();
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
