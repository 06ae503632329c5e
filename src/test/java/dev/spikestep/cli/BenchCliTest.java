package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.testutil.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spikestep bench} as a user meets it: messages, exit codes, the files of a tiny run. */
class BenchCliTest extends ConsoleCapture {
    @TempDir
    Path dir;


    @BeforeEach
    void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static final String[] TINY = {"--T", "4", "--batch", "2", "--neurons", "64", "--repeats", "3", "--warmup", "1"};

    private int bench(String... args) {
        String[] all = new String[1 + TINY.length + args.length];
        all[0] = "bench";
        System.arraycopy(TINY, 0, all, 1, TINY.length);
        System.arraycopy(args, 0, all, 1 + TINY.length, args.length);
        return Main.execute(all);
    }

    @Test
    void badOptionsAreOneLineErrors() {
        refusedInOneLine("error: --model 'hh': unknown model; expected lif or izh", "--model", "hh", "--what", "kernels");
        refusedInOneLine("error: unknown --what everything", "--what", "everything");
        refusedInOneLine("error: --integrator exp does not apply to izh (izh: euler, symplectic, rk2, rk4)",
                "--model", "izh", "--integrator", "exp", "--what", "kernels");
        refusedInOneLine("error: --integrator 'rk5': unknown integrator", "--integrator", "rk5", "--what", "kernels");
        // the integrators listed are those of the --model asked for (lif has no symplectic)
        refusedInOneLine("error: --integrator 'rk5': unknown integrator; expected one of euler, exp, zoh, rk2, rk4",
                "--model", "lif", "--integrator", "rk5", "--what", "kernels");
        refusedInOneLine("error: --substeps must be an integer in [1, 64], got 0", "--substeps", "1,0", "--what", "kernels");
        // a bad neuron parameter is reported as such, not as an integrator that does not apply
        refusedInOneLine("error: --dt must be a finite number > 0, got -1.0", "--dt", "-1", "--what", "kernels");
        // arrays past the heap: said before any work, not an OutOfMemoryError halfway through
        int mark = err().length();
        assertEquals(2, Main.execute("bench", "--what", "kernels", "--T", "4", "--batch", "2", "--neurons", "100000000"));
        String heap = err().substring(mark);
        assertTrue(heap.startsWith("error: ") && heap.contains("of arrays and the JVM's heap is")
                && heap.matches("(?s).*MiB of arrays and the JVM's heap is \\d+ MiB: .*") // not "0.0 GB" of -Xmx40m
                && heap.contains("use a smaller --T, --batch or --neurons") && heap.indexOf('\n') == heap.length() - 1, heap);
        refusedInOneLine("error: --profile marks CUDA profiler ranges for nsys/ncu: it needs --backend cuda",
                "--profile", "--what", "kernels", "--out", dir.resolve("never").toString());
        assertFalse(Files.exists(dir.resolve("never")), "--out is not created for a refused run");
        // lists of nothing measure nothing: refused, not an empty run that replaces the last one's summary
        refusedInOneLine("error: --what lists nothing: use kernels, step or both", "--what", ",");
        refusedInOneLine("error: --model lists nothing: use lif, izh or both", "--model", ",", "--what", "kernels");
        String before = System.getProperty("spikestep.warmup.wait");
        try {
            for (String bad : new String[] {"abc", "-1", "NaN"}) {
                System.setProperty("spikestep.warmup.wait", bad);
                refusedInOneLine("error: -Dspikestep.warmup.wait must be a number of seconds in [0, 86400], got '" + bad
                        + "'", "--what", "kernels");
            }
        } finally {
            System.setProperty("spikestep.warmup.wait", before == null ? "0" : before);
        }
        refusedInOneLine("error: --dataset 'nope': unknown dataset", "--what", "step", "--dataset", "nope", "--data", dir.toString());
        // the kernels read no data: a --dataset or --data given for them is refused, not left unchecked
        refusedInOneLine("error: --dataset and --data are for --what step (its batches); --what kernels reads no data: "
                + "drop them", "--what", "kernels", "--dataset", "foo", "--data", dir.resolve("none").toString());
        refusedInOneLine("error: --data is for --what step (its batches); --what kernels reads no data: drop it",
                "--what", "kernels", "--data", dir.toString());
        // missing data is the one multi-line error: it lists where it looked and how to get the data
        mark = err().length();
        assertEquals(2, bench("--what", "step", "--data", dir.toString()));
        String e = err().substring(mark);
        assertTrue(e.startsWith("error: dataset 'mnist-sample' not found") && e.contains("spikestep data mnist-sample --data "
                + dir), e);
        assertFalse(e.contains("\tat "), "no stack trace: " + e);
    }

    /** {@code bench TINY args} exits 2 with exactly one line on stderr, containing {@code expected}. */
    private void refusedInOneLine(String expected, String... args) {
        int mark = err().length();
        assertEquals(2, bench(args), String.join(" ", args));
        String e = err().substring(mark);
        assertTrue(e.contains(expected) && e.startsWith("error: ") && e.indexOf('\n') == e.length() - 1,
                "one error line containing '" + expected + "' for " + String.join(" ", args) + ", got: " + e);
    }

    @Test
    void tinyKernelRunWritesTableRowsChartAndSummary() throws Exception {
        assertEquals(0, bench("--what", "kernels", "--integrator", "euler,exp", "--threads", "1", "--out", dir.toString()),
                err());
        String o = out();
        // lif: euler, exp; izh: euler only (exp is lif's).
        for (String name : List.of("lif/euler", "lif/exp", "izh/euler")) {
            assertTrue(o.contains(name + " "), o);
        }
        assertTrue(!o.contains("izh/symplectic"), o);
        // The machine's ceilings come first: 4 rows, then the kernels as a share of dram-rw.
        assertTrue(o.indexOf("dram-read") < o.indexOf("lif/euler"), o);
        List<String> csv = Files.readAllLines(dir.resolve("bench.csv"));
        assertEquals(1 + 4 + 3 * 2, csv.size());
        for (String c : List.of("dram-read", "dram-rw", "l2-read", "l1-add")) {
            assertTrue(csv.stream().anyMatch(l -> l.startsWith("ceiling,cpu,,,,,,,,"  + c + ",1,")), c + " " + csv);
        }
        assertTrue(csv.stream().skip(5).allMatch(l -> l.startsWith("kernel,cpu,")), csv.toString());
        List<String> json = Files.readAllLines(dir.resolve("bench.jsonl"));
        assertEquals(10, json.size());
        assertTrue(json.stream().skip(4).noneMatch(l -> l.contains("\"pct_of_peak\":null")), "every kernel has its % of dram-rw");
        assertTrue(Files.size(dir.resolve("kernels.png")) > 1000);
        String md = Files.readString(dir.resolve("summary.md"));
        assertTrue(md.contains("| lif/exp | forward |"), md);
        assertTrue(md.contains("| l1-add | "), md);
    }

    @Test
    void tinyStepRunReportsEveryPhaseAgainstItsCeiling() throws Exception {
        Path data = dir.resolve("data");
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "train", 16, 1);
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "t10k", 8, 2);
        assertEquals(0, bench("--what", "step", "--model", "lif", "--integrator", "exp", "--threads", "1", "--data",
                data.toString(), "--out", dir.toString()), err());
        String o = out();
        assertTrue(o.contains("roofline of the step"), o);
        for (String phase : List.of("encode", "fc1", "neuron forward", "fc_out", "readout/loss", "neuron backward",
                "weight gradients", "optimizer")) {
            assertTrue(o.lines().anyMatch(l -> l.startsWith("lif/exp") && l.contains(" " + phase + " ") && l.endsWith("%")),
                    phase + "\n" + o);
        }
        List<String> json = Files.readAllLines(dir.resolve("bench.jsonl"));
        assertEquals(4 + 1 + 8, json.size());
        assertTrue(json.stream().filter(l -> l.startsWith("{\"kind\":\"phase\"")).allMatch(l -> l.contains("\"pct_of_ceiling\":")
                && !l.contains("\"pct_of_ceiling\":null")), json.toString());
        assertTrue(Files.readString(dir.resolve("summary.md")).contains("## Roofline of the step"));
    }

    @Test
    void aStepWiderThanTrainsHiddenLayerIsRefused() throws Exception {
        Path data = dir.resolve("data");
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "train", 16, 1);
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "t10k", 8, 2);
        // the step is train's network: its hidden layer has train's bound, whatever the heap holds
        int mark = err().length();
        assertEquals(2, Main.execute("bench", "--what", "step", "--T", "4", "--batch", "2", "--neurons", "70000",
                "--repeats", "1", "--warmup", "0", "--data", data.toString()));
        assertEquals("error: --neurons must be within [1, 65536], got 70000 with --what step (its hidden layer, as "
                + "train's --hidden)\n", err().substring(mark));
    }

    @Test
    void aBadOutOrATooLargeBatchIsRefusedBeforeAnyMeasurement() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        assertEquals(2, bench("--what", "kernels", "--out", file.toString()));
        assertTrue(err().contains("error: --out " + file + " is a file, not a directory"), err());
        Path o = dir.resolve("o");
        Files.createDirectories(o.resolve("bench.jsonl"));
        assertEquals(2, bench("--what", "kernels", "--out", o.toString()));
        assertTrue(err().contains("error: " + o.resolve("bench.jsonl") + " is a directory, not a file"), err());
        assertTrue(!Files.exists(o.resolve("bench.csv")), "no half of the rows");
        Files.delete(o.resolve("bench.jsonl"));
        Files.writeString(o.resolve("bench.csv"), "kind,other\n");
        assertEquals(2, bench("--what", "kernels", "--out", o.toString()));
        assertTrue(err().contains("already exists with other columns (kind,other)"), err());
        Files.delete(o.resolve("bench.csv"));
        for (String name : new String[] {"summary.md", "kernels.png", "step-phases.svg"}) {
            Files.createDirectories(o.resolve(name).resolve("x"));
            assertEquals(2, bench("--what", "kernels", "--out", o.toString()));
            assertTrue(err().contains("error: " + o.resolve(name) + " is a directory, not a file"), err());
            assertTrue(!Files.exists(o.resolve("bench.csv")), "refused before any row");
            Files.delete(o.resolve(name).resolve("x"));
            Files.delete(o.resolve(name));
        }
        // one bench per --out: a second one (here: the lock held by this JVM) is refused before measuring
        try (dev.spikestep.io.OutLock held = dev.spikestep.io.OutLock.acquire(o, "bench")) {
            assertEquals(2, bench("--what", "kernels", "--out", o.toString()));
            assertTrue(err().contains("error: --out " + o + " is in use by another run (pid "), err());
            assertTrue(!Files.exists(o.resolve("bench.csv")), "refused before any row");
        }
        Path data = dir.resolve("data");
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "train", 16, 1);
        dev.spikestep.testutil.SyntheticDigits.writeBands(data.resolve("mnist-sample"), "t10k", 8, 2);
        assertEquals(2, Main.execute("bench", "--what", "kernels,step", "--T", "4", "--batch", "32", "--neurons", "64",
                "--data", data.toString()));
        assertTrue(err().contains("needs at least one batch of 32 samples, the dataset has 16"), err());
        assertTrue(!out().contains("ceilings of this machine") && !out().contains("fused neuron kernels"), out());
    }

    @Test
    void integratorFiltersEveryModelAndAnIntegratorNoModelHasIsAnError() throws Exception {
        assertEquals(0, bench("--what", "kernels", "--integrator", "exp", "--no-ceilings", "--threads", "1", "--substeps",
                "1,1", "--model", "lif,lif,izh", "--out", dir.toString()), err());
        assertTrue(out().contains("lif/exp ") && !out().contains("izh/"), "izh has no exp: left out, " + out());
        assertEquals(1 + 2, Files.readAllLines(dir.resolve("bench.csv")).size(), "lif/exp forward and backward, once each");
        assertEquals(2, bench("--what", "kernels", "--integrator", "exp,symplectic", "--model", "lif"));
        assertTrue(err().contains("error: --integrator symplectic does not apply to lif (lif: euler, exp, zoh, rk2, rk4)"),
                err());
        assertEquals(2, bench("--what", "kernels", "--integrator", ","));
        assertTrue(err().contains("error: --integrator ',' lists no integrator"), err());
    }

    @Test
    void noCeilingsSkipsThem() throws Exception {
        assertEquals(0, bench("--what", "kernels", "--model", "lif", "--integrator", "exp", "--threads", "1", "--no-ceilings",
                "--out", dir.toString()), err());
        assertTrue(!out().contains("dram-read"), out());
        assertEquals(1 + 2, Files.readAllLines(dir.resolve("bench.csv")).size());
    }

    @Test
    void aChartOfAPartThisRunDidNotMeasureIsNotLeftBesideItsSummary() throws Exception {
        Files.writeString(dir.resolve("step-phases.png"), "an earlier run's chart");
        Files.writeString(dir.resolve("step-phases.svg"), "<svg/>");
        // what a bench killed while drawing left (ChartFiles' temporary names) is cleared; other files are not
        Files.writeString(dir.resolve("kernels.4ebdb9ff78.tmp.png"), "torn");
        Files.writeString(dir.resolve("kernels.4ebdb9ff78.tmp.svg"), "");
        Files.writeString(dir.resolve("notes.tmp.png"), "the user's");
        assertEquals(0, bench("--what", "kernels", "--model", "lif", "--integrator", "exp", "--threads", "1",
                "--no-ceilings", "--out", dir.toString()), err());
        assertTrue(!Files.exists(dir.resolve("step-phases.png")) && !Files.exists(dir.resolve("step-phases.svg")));
        assertTrue(Files.size(dir.resolve("kernels.png")) > 1000);
        assertTrue(!Files.exists(dir.resolve("kernels.4ebdb9ff78.tmp.png"))
                && !Files.exists(dir.resolve("kernels.4ebdb9ff78.tmp.svg")) && Files.exists(dir.resolve("notes.tmp.png")));
    }
}
