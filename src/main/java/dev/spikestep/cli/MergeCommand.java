package dev.spikestep.cli;

import dev.spikestep.sweep.Merge;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Join the output directories of a sweep's shards into one.",
        description = {
            "Reads runs.jsonl and epochs.jsonl of each DIR and writes OUT/runs.jsonl, epochs.jsonl, "
                + "results.csv and sweep.json: finished runs only, one row per run id, each with the epochs "
                + "of its finished attempt, in grid order. Prints which grid points are still missing. "
                + "Merging again after more shards finished is safe (OUT is rewritten).", ""},
        footer = {"", "Example:", "  spikestep merge results/dt/shard-* --out results/dt/merged"})
public final class MergeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Sweep output directories (shards).")
    List<Path> inputs;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where the merged sweep is written.")
    Path out;

    @Override
    public Integer call() {
        Merge.merge(inputs, out, System.out);
        return 0;
    }
}
