package dev.spikestep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.testutil.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code transfer} experiment: trained points crossed with evaluation settings, and its matrix. */
class TransferSweepTest {
    @TempDir
    Path dir;

    private static final String YAML = """
            name: tiny-transfer
            experiment: transfer
            base: {T: 8, epochs: 1, batch: 32, hidden: 16, dataset: mnist-sample, dt: 5.0}
            axes:
              model_integrator: [lif/exp, izh/symplectic]
              eval_integrator: [trained, euler, zoh]
              eval_dt: [0, 1.0]
            """;

    private SweepRunner.Summary sweep(Path config, Path out, Path data) {
        PrintStream ps = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new SweepRunner(SweepConfig.load(config), new TransferRunner(), new SweepRunner.Options(out, data, "cpu", 2,
                2, false, Shard.ALL, ps, ps, false)).run();
    }

    @Test
    void eachTrainingRunsOnceAndTheMatrixIsWritten() throws Exception {
        Path data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 128, 64);
        Path config = dir.resolve("t.yaml");
        Files.writeString(config, YAML);
        // izh has no zoh: those points are left out of the grid, lif keeps all three.
        assertEquals(6 + 4, SweepConfig.load(config).expand().size());
        Path out = dir.resolve("out");
        SweepRunner.Summary s = sweep(config, out, data);
        assertEquals(10, s.finished().size());
        try (Stream<Path> d = Files.list(out.resolve("checkpoints"))) {
            List<Path> trained = d.filter(p -> p.getFileName().toString().matches("(lif|izh)-.*-[0-9a-f]{8}")).toList();
            assertEquals(2, trained.size(), "one training per trained network: " + trained);
        }
        int asTrained = 0;
        int lifEuler = 0;
        for (Map<String, Object> r : s.finished()) {
            if (r.get("eval_integrator").equals("trained") && ((Number) r.get("eval_dt")).doubleValue() == 0) {
                assertEquals(((Number) r.get("trained_acc")).doubleValue(), ((Number) r.get("final_acc")).doubleValue(), 0.0,
                        "evaluated as trained, the training's own test pass: " + r);
                asTrained++;
            }
            if (r.get("eval_integrator").equals("euler") && r.get("model").equals("lif")) {
                assertEquals("euler", r.get("used_integrator"));
                lifEuler++;
            }
        }
        assertEquals(2, asTrained, "one as-trained row per trained network");
        assertEquals(2, lifEuler, "lif's euler cells: at the trained dt (eval_dt 0) and at dt 1");
        new Report(out, out.resolve("report")).write();
        List<String> csv = Files.readAllLines(out.resolve("report/transfer.csv"));
        assertEquals("trained,evaluated,n_runs,acc_mean,acc_min,acc_max,diverged_runs,trained_acc_mean", csv.get(0));
        assertEquals(1 + 10, csv.size(), String.join("\n", csv));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("lif/exp,euler dt 1,1,")), String.join("\n", csv));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("izh/symplectic,symplectic dt 5,1,")), String.join("\n", csv));
        assertTrue(Files.size(out.resolve("report/transfer.png")) > 1000);
        assertTrue(Files.readString(out.resolve("report/report.html")).contains("Transfer matrix"));
        // each point's epochs under its own run id (its training's id beside): kept, so the curves are drawn
        SweepResults res = SweepResults.load(out);
        assertEquals(10, res.epochs().size(), "one epoch per point");
        java.util.Set<Object> ids = new java.util.HashSet<>();
        s.finished().forEach(r -> ids.add(r.get("run_id")));
        for (Map<String, Object> e : res.epochs()) {
            assertTrue(ids.contains(e.get("run_id")) && e.get("train_run_id") != null, e.toString());
        }
        assertTrue(Files.size(out.resolve("report/curve_test_acc.png")) > 1000, "learning curves drawn");
        // the notebook's published accuracy is drawn only for what it ran: not a transfer cell, not K > 1
        Map<String, Object> nb = new java.util.HashMap<>(Map.of("T", 50L, "model", "lif", "integrator", "exp", "readout",
                "max", "dt", 5.0, "experiment", "train"));
        assertTrue(NotebookResults.accuracy(nb) != null);
        nb.put("substeps", 2L);
        assertTrue(NotebookResults.accuracy(nb) == null);
        nb.put("substeps", 1L);
        nb.put("experiment", "transfer");
        assertTrue(NotebookResults.accuracy(nb) == null);
    }

    @Test
    void evalSubstepsAreColumnsOfTheMatrix() throws Exception {
        Path data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 128, 64);
        Path config = dir.resolve("k.yaml");
        Files.writeString(config, """
                name: k
                experiment: transfer
                base: {T: 8, epochs: 1, batch: 32, hidden: 16, dataset: mnist-sample, dt: 5.0, model: lif}
                axes:
                  eval_substeps: [0, 2]
                """);
        Path out = dir.resolve("k");
        SweepRunner.Summary s = sweep(config, out, data);
        assertEquals(List.of(1L, 2L), s.finished().stream().map(r -> r.get("used_substeps")).toList());
        new Report(out, out.resolve("report")).write();
        List<String> csv = Files.readAllLines(out.resolve("report/transfer.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("as trained,substeps 1,1,") && csv.get(2).startsWith("as trained,substeps 2,1,"),
                String.join("\n", csv));
    }

    /** A refused evaluated neuron is the eval keys' doing, and named by them, not by the training's dt or tau. */
    @Test
    void anEvaluatedNeuronTheKernelsCannotRunIsRefusedByItsEvalKeys() throws Exception {
        Path data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 128, 64);
        Path config = dir.resolve("tiny-dt.yaml");
        Files.writeString(config, """
                name: tiny-dt
                experiment: transfer
                base: {T: 8, epochs: 1, batch: 32, hidden: 16, dataset: mnist-sample, dt: 1.0, eval_substeps: 64}
                axes:
                  eval_dt: [1e-36]
                """);
        SpikestepException e = assertThrows(SpikestepException.class, () -> sweep(config, dir.resolve("o"), data));
        assertTrue(e.getMessage().contains("axes.eval_dt 1.0E-36 (eval_substeps 64; 0 = as trained) is refused for the "
                + "evaluated neuron: its tau 2.0 is too large for a sub-step of dt 1.0E-36 / 64 sub-steps"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("o").resolve(SweepResults.RUNS)), "refused before any point ran");
    }

    @Test
    void anEvalIntegratorNoModelDefinesIsAnError() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, """
                name: bad
                experiment: transfer
                base: {model: lif, eval_integrator: symplectic}
                """);
        SpikestepException e = assertThrows(SpikestepException.class, () -> SweepConfig.load(config));
        assertTrue(e.getMessage().contains("eval_integrator 'symplectic' is not defined for model lif"), e.getMessage());
    }
}
