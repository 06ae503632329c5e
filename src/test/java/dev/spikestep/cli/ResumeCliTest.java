package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikestep.io.Json;
import dev.spikestep.io.Safetensors;
import dev.spikestep.testutil.ConsoleCapture;
import dev.spikestep.testutil.SyntheticDigits;
import dev.spikestep.train.Checkpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints, {@code --resume} and the output lock with real processes: a child JVM trains, is
 * SIGKILLed half-way, and the resumed run must end bit-identical to an uninterrupted one.
 */
class ResumeCliTest extends ConsoleCapture {
    @TempDir
    Path dir;
    Path data;

    @BeforeEach
    void writeData() {
        data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 320, 64);
    }

    /** A tiny run that still takes long enough per epoch (T 12, hidden 48) for a kill to land mid-run. */
    private List<String> args(Path out, int epochs) {
        return args(out, epochs, 12, 48);
    }

    private List<String> args(Path out, int epochs, int T, int hidden) {
        return args(out, epochs, T, hidden, "3e-3");
    }

    private List<String> args(Path out, int epochs, int T, int hidden, String lr) {
        return new ArrayList<>(List.of("train", "--dataset", "mnist-sample", "--data", data.toString(), "--out", out.toString(),
                "--epochs", Integer.toString(epochs), "--hidden", Integer.toString(hidden), "--T", Integer.toString(T),
                "--batch", "32", "--lr", lr, "--threads", "1", "--seed", "4"));
    }

    private int train(List<String> args) {
        return Main.execute(args.toArray(String[]::new));
    }

    private static Path runDir(Path out) throws Exception {
        Path run = runDirOrNull(out);
        if (run == null) {
            throw new AssertionError("no run directory in " + out.resolve("checkpoints"));
        }
        return run;
    }

    private static Path runDirOrNull(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
            return s.filter(Files::isDirectory).findFirst().orElse(null);
        }
    }

    /** The lines of a JSONL file without their timing field. */
    private static List<String> untimedRows(Path file) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            ObjectNode n = (ObjectNode) json.readTree(line);
            n.remove("seconds");
            out.add(n.toString());
        }
        return out;
    }

    /** results.csv without its last column (seconds). */
    private static List<String> untimedCsv(Path file) throws Exception {
        return Files.readAllLines(file).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    @Test
    void aRunKilledWithSigkillResumesBitIdenticalAndTheLockNamesItsHolder() throws Exception {
        int epochs = 6;
        Path ref = dir.resolve("ref");
        assertEquals(0, train(args(ref, epochs)), err());

        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path")));
        if (System.getProperty("spikestep.vector") != null) { // the child on the same kernels as this JVM
            cmd.add("-Dspikestep.vector=" + System.getProperty("spikestep.vector"));
        }
        cmd.add(Main.class.getName());
        cmd.addAll(args(killed, epochs));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            // Kill as soon as the checkpoint of epoch 1 exists: the moment between a checkpoint and its row.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Path ckpt = null;
            while (System.nanoTime() < deadline && child.isAlive()) {
                // checkpoints/ may exist a moment before its run directory does
                Path run = Files.isDirectory(killed.resolve("checkpoints")) ? runDirOrNull(killed) : null;
                if (run != null) {
                    ckpt = run.resolve("epoch-001.safetensors");
                    if (Files.exists(ckpt)) {
                        break;
                    }
                }
                Thread.sleep(2);
            }
            assertTrue(child.isAlive(), "the child ended before it could be killed: " + Files.readString(dir.resolve("child.log")));
            // While it runs, a second writer on the same OUT is refused at once, naming the holder.
            assertEquals(2, train(args(killed, epochs)));
            assertTrue(err().contains("is in use by another run (pid " + child.pid() + " on "), err());
            child.destroyForcibly(); // SIGKILL on Unix
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
        } finally {
            child.destroyForcibly();
        }
        assertFalse(Files.readString(killed.resolve("epochs.jsonl")).lines().count() >= epochs, "killed before the end");

        // The dead holder's lock is taken over; the run continues from its last complete checkpoint.
        List<String> resume = args(killed, epochs);
        resume.add("--resume");
        assertEquals(0, train(resume), err());
        assertTrue(out().contains("resuming run "), out());

        Path a = runDir(ref);
        Path b = runDir(killed);
        assertEquals(a.getFileName(), b.getFileName(), "same run id");
        String last = String.format("epoch-%03d.safetensors", epochs - 1);
        Safetensors.Contents x = Safetensors.read(a.resolve(last));
        Safetensors.Contents y = Safetensors.read(b.resolve(last));
        for (String t : List.of(Checkpoints.W1, Checkpoints.W_OUT)) {
            assertArrayEquals(x.tensors().get(t).data(), y.tensors().get(t).data(), t + " bit for bit");
        }
        assertEquals(untimedRows(ref.resolve("epochs.jsonl")), untimedRows(killed.resolve("epochs.jsonl")),
                "every epoch row once, in order, equal");
        assertEquals(untimedCsv(ref.resolve("results.csv")), untimedCsv(killed.resolve("results.csv")));

        // A finished run resumed is a no-op that says so; other options are refused, by name.
        assertEquals(0, train(resume), err());
        assertTrue(out().contains("already finished"), out());
        assertEquals(2, Files.readAllLines(killed.resolve("results.csv")).size(), "no second results row");
        List<String> other = args(killed, epochs, 12, 48, "1e-2");
        other.add("--resume");
        assertEquals(2, train(other));
        assertTrue(err().contains("--lr 0.01 (the checkpoint has 0.003)"), err());
        // A new run over existing checkpoints of the same configuration is refused instead of overwriting them.
        assertEquals(2, train(args(killed, epochs)));
        assertTrue(err().contains("add --resume to continue it"), err());
    }

    @Test
    void moreEpochsContinueAFinishedRunAndCheckpointsKeepTheLastAndTheBest() throws Exception {
        Path out = dir.resolve("o");
        List<String> a = args(out, 2, 6, 16);
        assertEquals(0, train(a), err());
        List<String> b = args(out, 4, 6, 16);
        b.add("--resume");
        Path orphan = runDir(out).resolve("epoch-002.safetensors.711c2fe2052f.part"); // as a kill mid-save leaves it
        Files.write(orphan, new byte[0]);
        assertEquals(0, train(b), err());
        Path run = runDir(out);
        assertFalse(Files.exists(orphan), "the resumed run removes what the killed save left");
        try (Stream<Path> s = Files.list(run)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.contains("epoch-003.safetensors") && names.contains("epoch-003.state.safetensors"), names.toString());
            assertEquals(1, names.stream().filter(n -> n.endsWith(".state.safetensors")).count(), "one optimizer state: " + names);
            // the last epoch and the best (highest test accuracy, the first on ties), exactly those
            List<String> epochs = Files.readAllLines(out.resolve("epochs.jsonl"));
            assertEquals(4, epochs.size(), "4 epoch rows");
            int best = 0;
            double bestAcc = Double.NEGATIVE_INFINITY;
            for (String line : epochs) {
                Map<String, Object> row = Json.parseObject(line);
                double acc = ((Number) row.get("test_acc")).doubleValue();
                if (acc > bestAcc) {
                    bestAcc = acc;
                    best = ((Number) row.get("epoch")).intValue();
                }
            }
            java.util.Set<String> expected = new java.util.TreeSet<>(List.of("epoch-003.safetensors",
                    String.format("epoch-%03d.safetensors", best)));
            assertEquals(List.copyOf(expected), names.stream().filter(n -> n.matches("epoch-\\d+\\.safetensors")).toList(),
                    "the last and the best (epoch " + best + "): " + names);
        }
        Safetensors.Contents c = Safetensors.read(run.resolve("epoch-003.safetensors"));
        assertEquals(List.of(16, 784), List.of(c.tensors().get("fc1.weight").shape()[0], c.tensors().get("fc1.weight").shape()[1]));
        assertEquals("spikestep-1", c.metadata().get("format"));
        assertEquals("3", c.metadata().get("epoch"));
        assertEquals("exp", c.metadata().get("integrator"));
        assertEquals("6", c.metadata().get("T"));
    }

    @Test
    void theSubStepCountIsInTheResultsAndEpochRowsNotOnlyInTheRunId() throws Exception {
        Path out = dir.resolve("k");
        List<String> one = args(out, 1, 6, 8);
        List<String> two = args(out, 1, 6, 8);
        two.addAll(List.of("--substeps", "2"));
        assertEquals(0, train(one), err());
        assertEquals(0, train(two), err());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        int k = List.of(csv.get(0).split(",")).indexOf("substeps");
        assertTrue(k >= 0, csv.get(0));
        assertEquals("1", csv.get(1).split(",")[k], csv.get(1));
        assertEquals("2", csv.get(2).split(",")[k], csv.get(2));
        List<String> epochs = Files.readAllLines(out.resolve("epochs.jsonl"));
        assertEquals(1, ((Number) Json.parseObject(epochs.get(0)).get("substeps")).intValue(), epochs.get(0));
        assertEquals(2, ((Number) Json.parseObject(epochs.get(1)).get("substeps")).intValue(), epochs.get(1));
    }

    @Test
    void resumeWithoutCheckpointsStartsANewRunAndUnwritableOutFailsBeforeTraining() throws Exception {
        List<String> r = args(dir.resolve("empty"), 1);
        r.add("--resume");
        assertEquals(0, train(r), err());
        assertTrue(err().contains("holds no checkpoints yet: starting a new run"), err());
        assertTrue(Files.exists(dir.resolve("empty").resolve("results.csv")));
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        assertEquals(2, train(args(file, 1)));
        assertTrue(err().contains("is a file, not a directory"), err());
        assertEquals(2, train(args(file.resolve("sub"), 1)));
        assertTrue(err().contains("cannot be written"), err());
        assertEquals(1, out().split("epoch \\|", -1).length - 1, "no training started but the first: " + out());
    }

    @Test
    void resumeRefusesCheckpointsWhoseOptimizerStateIsGoneRatherThanRestartingOverThem() throws Exception {
        Path out = dir.resolve("gone");
        List<String> r = args(out, 2, 4, 8);
        assertEquals(0, train(r), err());
        Path run = runDir(out);
        Path last = run.resolve("epoch-001.safetensors");
        byte[] before = Files.readAllBytes(last);
        Files.delete(run.resolve("epoch-001.state.safetensors"));
        r.set(r.indexOf("--epochs") + 1, "3");
        r.add("--resume");
        assertEquals(2, train(r));
        assertTrue(err().contains("holds checkpoints of this run (epochs [1]) but not the optimizer state saved beside "
                + "the last (epoch-NNN.state.safetensors), so it cannot be continued"), err());
        assertArrayEquals(before, Files.readAllBytes(last), "the checkpoint is left as it was");
    }

    @Test
    void aRunWhoseCheckpointsWereMovedAwayIsNotTrainedAgainIntoItsOwnRows() throws Exception {
        Path out = dir.resolve("moved");
        List<String> r = args(out, 1, 4, 8);
        assertEquals(0, train(r), err());
        Path run = runDir(out);
        Files.move(run, dir.resolve("elsewhere"));
        r.add("--resume");
        assertEquals(2, train(r));
        assertTrue(err().contains(out.resolve("epochs.jsonl") + " already holds epochs [0] of run " + run.getFileName()
                + ", whose checkpoints are gone from " + run + ": running it again here would write its rows twice"), err());
        assertEquals(1, Files.readAllLines(out.resolve("epochs.jsonl")).size());
        assertEquals(2, Files.readAllLines(out.resolve("results.csv")).size());
    }

    /**
     * Trains {@code epochs} epochs with {@code r}, rewrites the last state file's "history" with {@code edit} and
     * turns {@code r} into a resume for one more epoch; returns the state file.
     */
    private Path trainAndRewriteHistory(List<String> r, int epochs, UnaryOperator<String> edit) throws Exception {
        r.set(r.indexOf("--epochs") + 1, Integer.toString(epochs));
        assertEquals(0, train(r), err());
        Path out = Path.of(r.get(r.indexOf("--out") + 1));
        Path state = runDir(out).resolve(String.format("epoch-%03d.state.safetensors", epochs - 1));
        Safetensors.Contents c = Safetensors.read(state);
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.put("history", edit.apply(meta.get("history")));
        Safetensors.write(state, c.tensors(), meta);
        r.set(r.indexOf("--epochs") + 1, Integer.toString(epochs + 1));
        r.add("--resume");
        return state;
    }

    @Test
    void aStateFileWhoseHistoryDoesNotMatchItsEpochIsRefusedByName() throws Exception {
        List<String> r = args(dir.resolve("hist"), 1, 4, 8);
        Path state = trainAndRewriteHistory(r, 1, h -> "[]");
        assertEquals(2, train(r));
        assertTrue(err().contains("error: " + state + ": its epoch history does not hold epochs 0..0 (it has 0 entries)"),
                err());
        Safetensors.Contents c = Safetensors.read(state);
        Map<String, String> meta = new java.util.LinkedHashMap<>(c.metadata());
        meta.remove("adam_step");
        Safetensors.write(state, c.tensors(), meta);
        assertEquals(2, train(r));
        assertTrue(err().contains("error: " + state + ": the checkpoint's metadata has no 'adam_step'"), err());
    }

    /** The right number of entries is not enough: a history of epochs [0, 0] at epoch 1 lost epoch 1's record. */
    @Test
    void aStateFileWhoseHistoryHoldsTheWrongEpochsIsRefusedByName() throws Exception {
        List<String> r = args(dir.resolve("hist-order"), 2, 4, 8);
        Path state = trainAndRewriteHistory(r, 2, h -> {
            try {
                ArrayNode history = (ArrayNode) new ObjectMapper().readTree(h);
                assertEquals(2, history.size());
                history.set(1, history.get(0).deepCopy());
                return history.toString();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(2, train(r));
        assertTrue(err().contains("error: " + state + ": its epoch history does not hold epochs 0..1 (it has 2 entries)"),
                err());
    }

    @Test
    void resumeLooksOnlyAtTrainsCheckpointsForTheClosestRun() throws Exception {
        Path out = dir.resolve("mixed");
        // an R-STDP run and a damaged directory beside: neither is taken for a train run with other options
        assertEquals(0, Main.execute("rstdp", "--T", "4", "--epochs", "1", "--batch", "16", "--max-train-batches", "1",
                "--max-test-batches", "1", "--hidden", "8", "--dataset", "mnist-sample", "--data", data.toString(), "--out",
                out.toString(), "--threads", "1"), err());
        Path broken = out.resolve("checkpoints").resolve("lif-broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("epoch-000.safetensors"), "not a checkpoint");
        List<String> r = args(out, 1, 4, 8);
        r.add("--resume");
        assertEquals(0, train(r), err());
        assertTrue(err().contains("holds no checkpoints yet: starting a new run"), err());
    }

    @Test
    void aSilentHiddenLayerIsWarnedAboutWithoutStopping() {
        List<String> a = args(dir.resolve("silent"), 1, 4, 8);
        a.addAll(List.of("--dt", "0.05"));
        assertEquals(0, train(a), err());
        assertTrue(err().contains("warning: the hidden layer has not spiked once in the first 10 training batches"), err());
        assertTrue(err().contains("larger --dt or --T"), err());
    }

    @Test
    void nonFiniteStatesOfBlownUpWeightsBlameTheWeightsNotTheIntegrator() {
        // --lr 1e38 sends every weight to NaN/inf within the first epoch; the states are then non-finite at any dt
        List<String> a = args(dir.resolve("blown"), 2, 5, 8, "1e38");
        a.addAll(List.of("--v-th", "0.1"));
        assertEquals(0, train(a), err());
        assertTrue(out().contains("note: 6352 of the 6352 weights are NaN or infinite after the last epoch: the "
                + "training diverged (a lower --lr)"), out());
        assertTrue(out().contains("hidden states were NaN or infinite in the last evaluation: the weights are not finite"),
                out());
        assertFalse(out().contains("the integrator diverged"), out());
        // a finished run resumed reads its weights from the checkpoint: the same notes
        int mark = out().length();
        a.add("--resume");
        assertEquals(0, train(a), err());
        assertTrue(out().substring(mark).contains("note: 6352 of the 6352 weights are NaN or infinite"), out());
    }
}
