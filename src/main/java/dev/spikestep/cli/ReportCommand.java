package dev.spikestep.cli;

import dev.spikestep.sweep.Report;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Write a sweep's report: charts, an HTML page and summary tables.",
        description = {
            "Reads DIR/runs.jsonl (a sweep's or a merge's output) and writes, into --out: report.html "
                + "(self-contained, charts embedded), the charts as PNG and SVG (test accuracy, hidden spike "
                + "rate and silent fraction vs dt with the seed range, seconds per epoch; diverged runs marked), "
                + "summary.md (the notebook's accuracy-by-dt table and a summary) and summary.csv (per model, "
                + "integrator, dt, T, readout: n_seeds, accuracy mean/std/min/max, spike rate, diverged runs).", ""},
        footer = {"", "Example:", "  spikestep report results/quick"})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Sweep output directory.")
    Path dir;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the report goes (default: DIR/report).")
    Path out;

    @Override
    public Integer call() {
        // Charts are drawn off-screen; without this AWT looks for a display on a server.
        System.setProperty("java.awt.headless", "true");
        Report report = new Report(dir, out != null ? out : dir.resolve("report"));
        if (report.skippedLines() > 0) {
            System.err.println("note: " + report.skippedLines() + " line(s) of " + dir + "'s JSONL files could not be "
                    + "read (a write torn by a kill, or damage); a run they held is not in the report");
        }
        Path html = report.write();
        System.out.println("wrote " + html + " (charts as PNG and SVG, summary.md, summary.csv beside it)");
        return 0;
    }
}
