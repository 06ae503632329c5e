package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.testutil.SyntheticDigits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped by Ctrl-C or SIGTERM says so, what is kept and how to go on. */
class InterruptNoticeTest {
    @TempDir
    Path dir;

    @Test
    void theNoticeNamesWhatIsKeptAndHowToContinueForEachCommand() {
        assertEquals("interrupted: every finished epoch is kept in res (epochs.jsonl, checkpoints/); run the same command "
                + "with --resume to continue from the last one", InterruptNotice.message(List.of("train", "--out", "res")));
        assertTrue(InterruptNotice.message(List.of("sweep", "c.yaml", "--out=s1")).contains("kept in s1 (runs.jsonl); run "
                + "the same command with --resume"));
        assertEquals("interrupted: the rows measured so far are in conv/converge.csv (none yet while the cost "
                + "measurements run first); a rerun starts the study afresh",
                InterruptNotice.message(List.of("converge", "--out", "conv")));
        assertTrue(InterruptNotice.message(List.of("--threads", "train")).contains("kept in the output directory"));
        assertEquals("interrupted: stopped before it finished", InterruptNotice.message(List.of("info")));
        assertEquals("interrupted: no trace was written to out.csv (a file already there is unchanged); run it again to "
                + "write it", InterruptNotice.message(List.of("trace", "--input", "in.csv", "--output", "out.csv")));
        assertEquals("interrupted: stopped before it finished; nothing was written (no --out)",
                InterruptNotice.message(List.of("bench")));
        assertTrue(InterruptNotice.message(List.of("bench", "--out", "b")).contains("any part measured to the end are in "
                + "b/bench.csv and bench.jsonl"));
        assertEquals("interrupted: every finished epoch is kept in r (rstdp_epochs.jsonl, checkpoints/); run the same "
                + "command with --resume to continue after the last one", InterruptNotice.message(List.of("rstdp", "--out", "r")));
        assertEquals("interrupted: the report in sw/report is not finished (its report.html says so) and the sweep's "
                + "files are unchanged; run the same command again to write it whole",
                InterruptNotice.message(List.of("report", "sw", "--out", "sw/report")));
        assertTrue(InterruptNotice.message(List.of("report", "sw")).contains("the report in sw/report is not finished"));
        assertEquals("interrupted: the merge in m is not finished and its inputs are unchanged; run the same command "
                + "again, which replaces it", InterruptNotice.message(List.of("merge", "s0", "s1", "--out", "m")));
        assertEquals("interrupted: an evaluation's row is appended to results/eval.jsonl only once its test pass is over "
                + "(earlier rows are kept); run it again to evaluate",
                InterruptNotice.message(List.of("eval", "--weights", "w.safetensors")));
    }

    /**
     * Runs {@code args} (train or rstdp into {@code out}), then again with {@code --resume}: each marks
     * itself finished once its results row is written, so a stop then is not told to resume.
     */
    private static void finishedRunIsNotOneToResume(List<String> args, Path out) {
        try {
            InterruptNotice.finished = false;
            assertTrue(InterruptNotice.notice(args).contains("run the same command with --resume"),
                    InterruptNotice.notice(args));
            assertEquals(0, Main.execute(args.toArray(String[]::new)));
            assertTrue(InterruptNotice.finished, "set once the results row is written");
            // a SIGTERM in the moments before the command returns
            assertEquals("interrupted as it ended: the run had finished and its results are in " + out + "; there is "
                    + "nothing to resume", InterruptNotice.notice(args));
            // and when a resume finds it finished
            InterruptNotice.finished = false;
            List<String> resume = new java.util.ArrayList<>(args);
            resume.add("--resume");
            assertEquals(0, Main.execute(resume.toArray(String[]::new)));
            assertTrue(InterruptNotice.finished, "set when the run was found finished");
        } finally {
            InterruptNotice.finished = false;
        }
    }

    @Test
    void aTrainingRunThatWroteItsResultsRowIsNotOneToResume() throws Exception {
        Path data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 64, 32);
        Path out = dir.resolve("done");
        finishedRunIsNotOneToResume(List.of("train", "--dataset", "mnist-sample", "--data", data.toString(), "--out",
                out.toString(), "--epochs", "1", "--hidden", "16", "--T", "4", "--batch", "32", "--threads", "1"), out);
        assertEquals(2, Files.readAllLines(out.resolve("results.csv")).size(), "one results row, the resume adds none");
    }

    @Test
    void anRstdpRunThatWroteItsResultsRowIsNotOneToResume() throws Exception {
        Path data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 64, 32);
        Path out = dir.resolve("rstdp-done");
        finishedRunIsNotOneToResume(List.of("rstdp", "--dataset", "mnist-sample", "--data", data.toString(), "--out",
                out.toString(), "--epochs", "1", "--hidden", "16", "--T", "4", "--batch", "16", "--test-batch", "16",
                "--max-train-batches", "1", "--max-test-batches", "1", "--threads", "1"), out);
    }

    @Test
    void aBenchStoppedInItsStepPartKeepsTheKernelRowsMeasuredBefore() throws Exception {
        Path data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 64, 32);
        Path out = dir.resolve("bench");
        Path log = dir.resolve("bench.log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "bench", "--what", "kernels,step", "--model", "lif", "--integrator", "exp", "--no-ceilings", "--T", "4",
                "--batch", "32", "--neurons", "64", "--warmup", "0", "--repeats", "200000", "--threads", "1",
                "--dataset", "mnist-sample", "--data", data.toString(), "--out", out.toString());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && child.isAlive()
                    && !Files.readString(log).contains("training step by phase")) {
                Thread.sleep(5);
            }
            assertTrue(child.isAlive(), "ended before it could be stopped: " + Files.readString(log));
            Thread.sleep(200); // inside the step part's 200000 timed steps
            child.destroy();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        String text = Files.readString(log);
        assertTrue(text.strip().lines().reduce((a, b) -> b).orElse("").startsWith("interrupted: the rows of any part "
                + "measured to the end are in " + out), "the notice is the last line: " + text);
        List<String> csv = Files.readAllLines(out.resolve("bench.csv"));
        assertEquals(3, csv.size(), "the header and lif/exp's forward and backward rows: " + csv);
        assertTrue(csv.get(1).startsWith("kernel,") && csv.get(2).startsWith("kernel,"), csv.toString());
        assertEquals(2, Files.readAllLines(out.resolve("bench.jsonl")).size());
        assertFalse(Files.exists(out.resolve("summary.md")), "written at the end only");
    }

    @Test
    void aTrainingProcessStoppedBySigtermPrintsTheNoticeAndANormalEndDoesNot() throws Exception {
        Path data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 320, 64);
        Path out = dir.resolve("out");
        Path log = dir.resolve("child.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--dataset", "mnist-sample", "--data", data.toString(), "--out", out.toString(), "--epochs", "1000",
                "--hidden", "48", "--T", "12", "--batch", "32", "--threads", "1"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && child.isAlive()
                    && !(Files.exists(out.resolve("epochs.jsonl")) && Files.size(out.resolve("epochs.jsonl")) > 0)) {
                Thread.sleep(5);
            }
            assertTrue(child.isAlive(), "ended before it could be stopped: " + Files.readString(log));
            child.destroy(); // SIGTERM on Unix: the shutdown hooks run, as on Ctrl-C
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertEquals(143, child.exitValue(), "stopped by SIGTERM");
        String text = Files.readString(log);
        assertTrue(text.contains("interrupted: every finished epoch is kept in " + out + " (epochs.jsonl, checkpoints/); "
                + "run the same command with --resume"), text);

        // A command that returns (here the command list, no arguments) exits through the same hooks, silently.
        Process ok = new ProcessBuilder(cmd.subList(0, 6).toArray(String[]::new)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(ok.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, ok.exitValue());
        assertFalse(Files.readString(log).contains("interrupted"), Files.readString(log));
    }

    @Test
    void aTraceStoppedBySigtermWhileWritingLeavesNeitherItsOutputNorAPartFile() throws Exception {
        StringBuilder x = new StringBuilder();
        java.util.Random r = new java.util.Random(1);
        for (int t = 0; t < 12000; t++) {
            for (int n = 0; n < 100; n++) {
                x.append(n == 0 ? "" : ",").append(r.nextInt(2000) / 1000.0);
            }
            x.append('\n');
        }
        Path in = Files.writeString(dir.resolve("big.csv"), x);
        Path out = dir.resolve("out.csv");
        Path log = dir.resolve("trace.log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "trace", "--neuron", "lif", "--integrator", "rk4", "--dt", "0.5", "--input", in.toString(),
                "--grad", in.toString(), "--output", out.toString());
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && child.isAlive() && parts().isEmpty()) {
                Thread.sleep(2);
            }
            assertTrue(child.isAlive() && !parts().isEmpty(), "ended before it could be stopped: " + Files.readString(log));
            child.destroy(); // SIGTERM while the part file is being written
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        String text = Files.readString(log);
        assertTrue(text.contains("interrupted: no trace was written to " + out), text);
        assertFalse(text.contains("error:"), "the abandoned write's failure is the stop's, not an error to read: " + text);
        assertEquals(List.of(), parts(), "the part file is deleted");
        assertFalse(Files.exists(out), text);
    }

    private List<Path> parts() throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
    }
}
