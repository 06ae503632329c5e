package dev.spikestep.rstdp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.io.Safetensors;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.testutil.SyntheticDigits;
import dev.spikestep.train.Checkpoints;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An R-STDP run killed anywhere (after an epoch, between a checkpoint and its row, in the final
 * test pass, between the finished mark and the results row) and resumed ends with the files of an
 * uninterrupted run: the same rows, bit for bit apart from the timings, and the same weights.
 */
class RstdpResumeTest {
    private static final int EPOCHS = 3;

    @TempDir
    Path dir;

    private DatasetLocator.Split split;
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();

    @BeforeEach
    void data() {
        split = new DatasetLocator.Split(SyntheticDigits.bands("train", 96, 3), SyntheticDigits.bands("test", 100, 4));
    }

    private RstdpConfig config(Path out) {
        return new RstdpConfig(Integrator.EXP, 0.5, 16, EPOCHS, 7, 0.05, Reward.PM1, 1.0, 0.95, 3, 1, 16, 32, 24, 8,
                "mnist-sample", dir.toString(), out.toString(), "cpu", 2);
    }

    private static Checkpoints checkpoints(RstdpConfig cfg) {
        return new Checkpoints(Path.of(cfg.outDir()).resolve("checkpoints").resolve(RstdpRunner.runId(cfg)), 1);
    }

    /** A run that is "killed" (an exception from the epoch listener) right after epoch {@code killAfter}'s row. */
    private RstdpRunner.Result run(RstdpConfig cfg, boolean resume, int killAfter) {
        PrintStream ps = new PrintStream(text, true, StandardCharsets.UTF_8);
        return new RstdpRunner(cfg, ps, new PrintStream(new ByteArrayOutputStream()), false)
                .checkpoints(checkpoints(cfg), resume)
                .onEpoch(row -> {
                    if (((Number) row.get("epoch")).intValue() == killAfter) {
                        throw new IllegalStateException("killed");
                    }
                })
                .run(split);
    }

    private static List<String> lines(Path f) throws Exception {
        return Files.readAllLines(f);
    }

    /** Rows without their timings: the results row without its last column, epoch rows without "seconds". */
    private static List<String> untimed(List<String> rows) {
        List<String> out = new ArrayList<>();
        for (String r : rows) {
            out.add(r.startsWith("{") ? r.replaceAll("\"seconds\":[^,}]*", "\"seconds\":_")
                    : r.substring(0, r.lastIndexOf(',')));
        }
        return out;
    }

    private static float[] lastWeights(RstdpConfig cfg, String name) {
        Checkpoints c = checkpoints(cfg);
        List<Integer> es = c.epochs();
        return Safetensors.read(c.weightsFile(es.get(es.size() - 1))).tensors().get(name).data();
    }

    private void assertSameAsStraight(RstdpConfig straight, RstdpConfig resumed) throws Exception {
        Path a = Path.of(straight.outDir());
        Path b = Path.of(resumed.outDir());
        assertEquals(untimed(lines(a.resolve(RstdpRunner.RESULTS_FILE))), untimed(lines(b.resolve(RstdpRunner.RESULTS_FILE))));
        assertEquals(untimed(lines(a.resolve(RstdpRunner.EPOCHS_FILE))), untimed(lines(b.resolve(RstdpRunner.EPOCHS_FILE))));
        assertArrayEquals(lastWeights(straight, "fc_in.weight"), lastWeights(resumed, "fc_in.weight"));
        assertArrayEquals(lastWeights(straight, "fc_out.weight"), lastWeights(resumed, "fc_out.weight"));
        assertEquals(checkpoints(straight).epochs(), checkpoints(resumed).epochs(), "the last and the best kept");
    }

    @Test
    void aRunKilledAfterAnEpochOrInItsFinalPassContinuesToTheSameFiles() throws Exception {
        RstdpConfig straight = config(dir.resolve("straight"));
        RstdpRunner.Result whole = run(straight, false, -1);
        assertEquals(2, lines(dir.resolve("straight").resolve(RstdpRunner.RESULTS_FILE)).size());

        for (int kill = 0; kill < EPOCHS; kill++) { // the last: killed in the final test pass
            RstdpConfig cfg = config(dir.resolve("kill" + kill));
            int k = kill;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(cfg, false, k));
            assertEquals("killed", e.getMessage());
            assertTrue(!Files.exists(Path.of(cfg.outDir()).resolve(RstdpRunner.RESULTS_FILE)), "no results row yet");
            text.reset();
            RstdpRunner.Result r = run(cfg, true, -1);
            String said = text.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains(kill < EPOCHS - 1 ? "epoch " + (kill + 1) + " of 3 next"
                    : "all 3 epochs trained, the final test pass next"), said);
            assertSameAsStraight(straight, cfg);
            assertEquals(whole.finalTest(), r.finalTest(), "kill after epoch " + kill);
            assertEquals(EPOCHS, r.epochs().size());
            for (int ep = 0; ep < EPOCHS; ep++) {
                assertEquals(whole.epochs().get(ep).train(), r.epochs().get(ep).train(), "epoch " + ep);
                assertEquals(whole.epochs().get(ep).test(), r.epochs().get(ep).test(), "epoch " + ep);
            }
        }
    }

    @Test
    void aKillBetweenACheckpointAndItsRowOrTheMarkAndTheResultsRowLosesNothing() throws Exception {
        RstdpConfig straight = config(dir.resolve("straight"));
        run(straight, false, -1);

        // The checkpoint of epoch 1 made it, its row did not.
        RstdpConfig cfg = config(dir.resolve("torn"));
        assertThrows(IllegalStateException.class, () -> run(cfg, false, 1));
        Path epochs = Path.of(cfg.outDir()).resolve(RstdpRunner.EPOCHS_FILE);
        List<String> rows = lines(epochs);
        Files.writeString(epochs, rows.get(0) + "\n" + rows.get(1).substring(0, 20)); // epoch 1's row torn
        run(cfg, true, -1);
        assertSameAsStraight(straight, cfg);

        // The finished mark made it, the results row did not: the resume writes it, once.
        Path results = Path.of(cfg.outDir()).resolve(RstdpRunner.RESULTS_FILE);
        List<String> csv = lines(results);
        Files.writeString(results, csv.get(0) + "\n");
        text.reset();
        RstdpRunner.Result again = run(cfg, true, -1);
        assertTrue(text.toString(StandardCharsets.UTF_8).contains("already finished (3 epochs"), text.toString());
        assertEquals(csv, lines(results));
        assertEquals(3, again.epochs().size());
        assertEquals(Double.parseDouble(csv.get(1).split(",")[RstdpRunner.CSV_HEADER.indexOf("final_acc")]),
                again.finalTest().accuracy(), "the final pass's figures come from the row");
        // and once more: nothing is added
        run(cfg, true, -1);
        assertEquals(csv, lines(results));
        assertSameAsStraight(straight, cfg);
    }

    @Test
    void checkpointsAreRefusedWithoutResumeAndWithoutTheirHistory() throws Exception {
        RstdpConfig cfg = config(dir.resolve("o"));
        assertThrows(IllegalStateException.class, () -> run(cfg, false, 0));
        Checkpoints c = checkpoints(cfg);
        SpikestepException e = assertThrows(SpikestepException.class, () -> run(cfg, false, -1));
        assertTrue(e.getMessage().contains("already holds checkpoints of this run (epochs [0]); add --resume to "
                + "continue it"), e.getMessage());
        // A checkpoint without the epochs before it (hand-edited, or written by an older Spikestep) is not continued.
        Safetensors.Contents saved = Safetensors.read(c.weightsFile(0));
        Map<String, String> meta = new java.util.LinkedHashMap<>(saved.metadata());
        meta.remove("history");
        Safetensors.write(c.weightsFile(0), saved.tensors(), meta);
        e = assertThrows(SpikestepException.class, () -> run(cfg, true, -1));
        assertTrue(e.getMessage().contains("epoch-000.safetensors holds no readable record of epochs 0..0"), e.getMessage());
    }
}
