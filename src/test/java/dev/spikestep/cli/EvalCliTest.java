package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikestep.io.Safetensors;
import dev.spikestep.testutil.ConsoleCapture;
import dev.spikestep.testutil.SyntheticDigits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval}: a checkpoint under its own dynamics and others, and a PyTorch state_dict. */
class EvalCliTest extends ConsoleCapture {
    @TempDir
    Path dir;
    Path data;

    @BeforeEach
    void writeData() {
        data = SyntheticDigits.writeMnistSample(dir.resolve("data"), 192, 96);
    }

    /** The checkpoint file {@code name} that train wrote under {@code out}. */
    private static Path checkpoint(Path out, String name) throws Exception {
        try (Stream<Path> s = Files.walk(out.resolve("checkpoints"))) {
            return s.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
        }
    }

    private JsonNode lastEvalRow(Path out) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("eval.jsonl"));
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }

    /** Trains on mnist-sample into {@code out} (one thread, {@code options} added) and returns its checkpoint {@code name}. */
    private Path trained(Path out, String name, String... options) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", out.toString(), "--threads", "1"));
        args.addAll(List.of(options));
        assertEquals(0, Main.execute(args.toArray(String[]::new)), err());
        return checkpoint(out, name);
    }

    private static String[] withDataset(List<String> args, String dataset) {
        List<String> a = new java.util.ArrayList<>(args);
        a.addAll(List.of("--dataset", dataset));
        return a.toArray(String[]::new);
    }

    /** The soft reset that eval's options {@code args} evaluate a checkpoint trained with soft reset {@code trained} under. */
    private static String softResetUsed(String trained, String... args) {
        EvalCommand eval = new EvalCommand();
        List<String> a = new java.util.ArrayList<>(List.of(args));
        a.addAll(List.of("--weights", "w.safetensors", "--dataset", "mnist-sample"));
        new picocli.CommandLine(eval).parseArgs(a.toArray(String[]::new));
        Map<String, String> m = new java.util.HashMap<>(EvalOptions.NOTEBOOK);
        m.put("soft_reset", trained);
        return eval.dynamics.evaluatedWith(m).get("soft_reset");
    }

    @Test
    void softResetAloneIsTrueAsInTrainAndFalseOverridesTheCheckpoints() {
        assertEquals("true", softResetUsed("false", "--soft-reset")); // followed by another option
        assertEquals("false", softResetUsed("true", "--soft-reset", "false"));
        assertEquals("true", softResetUsed("true"), "left out: the checkpoint's");
        assertEquals("false", softResetUsed("false"), "left out: the checkpoint's");
        assertEquals("true", softResetUsed("false", "--soft-reset", "TRUE"));
        // a value that is no boolean is named as such, not left as an unmatched argument
        assertEquals("--soft-reset must be true or false (alone: true), got 'yes'", assertThrows(
                dev.spikestep.BadValueException.class, () -> softResetUsed("false", "--soft-reset", "yes")).getMessage());
    }

    @Test
    void anUnknownIntegratorIsToldTheCheckpointModelsIntegrators() throws Exception {
        Path out = dir.resolve("o");
        Path ckpt = trained(out, "epoch-000.safetensors", "--epochs", "1", "--hidden", "16", "--T", "6", "--batch", "24");
        assertEquals(2, Main.execute("eval", "--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", out.toString(), "--integrator", "rk5"));
        assertTrue(err().contains("error: --integrator 'rk5': unknown integrator; expected one of euler, exp, zoh, rk2, rk4 ("),
                "lif's integrators, no symplectic: " + err());
    }

    @Test
    void theCheckpointsOwnSettingsReproduceItsTestAccuracyAndOthersAreApplied() throws Exception {
        Path out = dir.resolve("o");
        Path ckpt = trained(out, "epoch-001.safetensors", "--epochs", "2", "--hidden", "24", "--T", "8", "--batch", "32",
                "--lr", "3e-3");
        double trainedAcc = Double.parseDouble(Safetensors.read(ckpt).metadata().get("test_acc"));
        assertTrue(trainedAcc > 30, "it learned: " + trainedAcc);
        String[] common = {"--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data", data.toString(), "--out",
            out.toString(), "--threads", "1"};
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--batch", "40"}, common)), err());
        JsonNode same = lastEvalRow(out);
        assertEquals(trainedAcc, same.get("test_acc").asDouble(), 1e-3, "same dynamics, same test pass: " + same);
        assertEquals("exp", same.get("integrator").asText());
        assertEquals(8, same.get("T").asInt());

        assertEquals(0, Main.execute(concat(new String[] {"eval", "--integrator", "euler", "--dt", "1", "--T", "16"}, common)),
                err());
        JsonNode other = lastEvalRow(out);
        assertEquals("euler", other.get("integrator").asText());
        assertEquals(1.0, other.get("dt").asDouble());
        assertEquals(16, other.get("T").asInt());
        assertEquals("exp", other.get("trained_integrator").asText());
        assertTrue(out().contains("integrator   | exp                      | euler                     *"), out());

        assertTrue(out().contains("decay_input  | true                     | true"), out());
        int mark = out().length();
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--model", "izh", "--dt", "5", "--T", "40"}, common)), err());
        JsonNode izh = lastEvalRow(out);
        assertEquals("symplectic", izh.get("integrator").asText(), "izh's default integrator when the model changes");
        // decay_input is lif's: an izh evaluation's table leaves it out, as its row does
        assertFalse(izh.has("decay_input"), izh.toString());
        assertFalse(out().substring(mark).contains("decay_input"), out().substring(mark));

        // Sub-steps (SPEC 9): rk4 with 2 charges per step, against the checkpoint's exp with 1.
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--integrator", "rk4", "--substeps", "2"}, common)),
                err());
        JsonNode sub = lastEvalRow(out);
        assertEquals("rk4", sub.get("integrator").asText());
        assertEquals(2, sub.get("substeps").asInt());
        assertTrue(out().contains("substeps     | 1                        | 2                         *"), out());
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--substeps", "65"}, common)));
        assertTrue(err().contains("substeps must be an integer in [1, 64], got 65"), err());

        // Every setting that changes a result is in the row: neuron parameters, encoder seed, the test pass's batches.
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--soft-reset", "true", "--v-th", "0.5", "--seed", "3",
            "--eval-batches", "2", "--batch", "16"}, common)), err());
        JsonNode soft = lastEvalRow(out);
        assertTrue(soft.get("soft_reset").asBoolean() && soft.get("decay_input").asBoolean(), soft.toString());
        assertEquals(0.5, soft.get("v_th").asDouble());
        assertEquals(2.0, soft.get("tau").asDouble());
        assertEquals(10_003 + 1, soft.get("encoder_seed").asLong(), "seed + 10000 + the checkpoint's epoch 1");
        assertEquals(2, soft.get("eval_batches").asInt());
        assertEquals(16, soft.get("batch").asInt());
        assertEquals(32, soft.get("eval_samples").asInt());
        assertTrue(out().contains("soft_reset   | false                    | true                      *"), out());
        assertTrue(out().contains("dataset      | mnist-sample             | mnist-sample            \n")
                || out().contains("dataset      | mnist-sample             | mnist-sample             \n"), out());
        assertEquals(1.0, same.get("v_th").asDouble());
        assertFalse(same.get("soft_reset").asBoolean());
        // an unchanged value given as an option reads unchanged (0, not 0.0)
        clearConsole();
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--v-reset", "0", "--eval-batches", "1"}, common)), err());
        assertTrue(out().contains("v_reset      | 0                        | 0                       \n")
                || out().contains("v_reset      | 0                        | 0                        \n"), out());
        // options the evaluated neuron would not use are refused, as train refuses them
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--model", "izh", "--decay-input", "false"}, common)));
        assertTrue(err().contains("--decay-input applies to lif only, not to izh"), err());
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--soft-reset", "true", "--v-reset", "0.2"}, common)));
        assertTrue(err().contains("--v-reset is the potential after a hard reset; with a soft reset (the --soft-reset "
                + "given) a spike subtracts v_th instead"), err());
        // an --out that cannot take eval.jsonl is said before the test pass
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        clearConsole();
        assertEquals(2, Main.execute("eval", "--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", file.toString(), "--threads", "1"));
        assertTrue(err().contains("error: --out " + file + " is a file, not a directory"), err());
        assertFalse(out().contains("test accuracy"), out());
    }

    @Test
    void aCheckpointTestedOnTheFirstBatchesIsEvaluatedOnTheSameSamples() throws Exception {
        Path out = dir.resolve("o");
        Path ckpt = trained(out, "epoch-000.safetensors", "--epochs", "1", "--hidden", "16", "--T", "6", "--batch", "24",
                "--eval-batches", "2");
        double trainedAcc = Double.parseDouble(Safetensors.read(ckpt).metadata().get("test_acc"));
        assertEquals(0, Main.execute("eval", "--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", out.toString(), "--threads", "1"), err());
        JsonNode row = lastEvalRow(out);
        assertEquals(48, row.get("eval_samples").asInt(), "its 2 test batches of 24, not all 96 nor 2 x 256");
        assertEquals(trainedAcc, row.get("test_acc").asDouble(), 1e-3);
        assertEquals(0, Main.execute("eval", "--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", out.toString(), "--threads", "1", "--eval-batches", "0"), err());
        assertEquals(96, lastEvalRow(out).get("eval_samples").asInt(), "--eval-batches 0: the whole test set");
    }

    @Test
    void evalBatchesPastTheEndOfTheTestSetAreAnErrorInTrainAndEval() throws Exception {
        Path out = dir.resolve("o");
        // 96 test samples in batches of 24 make 4 batches: a 5th is not there to evaluate
        assertEquals(2, Main.execute("train", "--dataset", "mnist-sample", "--data", data.toString(), "--out",
                out.toString(), "--threads", "1", "--epochs", "1", "--hidden", "16", "--T", "6", "--batch", "24",
                "--eval-batches", "5"));
        assertTrue(err().contains("error: --eval-batches 5 is more than the 4 batches of 24 in the mnist-sample test set "
                + "(96 samples; 0 = all)"), err());
        Path ckpt = trained(out, "epoch-000.safetensors", "--epochs", "1", "--hidden", "16", "--T", "6", "--batch", "24",
                "--eval-batches", "4");
        assertFalse(out().contains("test samples evaluated"), "all 4 batches are the whole test set: " + out());
        trained(dir.resolve("part"), "epoch-000.safetensors", "--epochs", "1", "--hidden", "16", "--T", "6", "--batch", "24",
                "--eval-batches", "3");
        assertTrue(out().contains("192 / 96 samples, 8 batches per epoch; 72 test samples evaluated"), "the start table "
                + "says how much of the test set --eval-batches evaluates: " + out());
        assertEquals(2, Main.execute("eval", "--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", out.toString(), "--threads", "1", "--eval-batches", "5"));
        assertTrue(err().contains("error: --eval-batches 5 is more than the 4 batches of 24 in the mnist-sample test set"),
                err());
        assertFalse(Files.exists(out.resolve("eval.jsonl")), "refused before the test pass");
        // the checkpoint's own 4 batches, past a test set of 2 batches of 48: not the user's mistake, all evaluated
        assertEquals(0, Main.execute("eval", "--weights", ckpt.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", out.toString(), "--threads", "1", "--batch", "48"), err());
        assertTrue(out().contains("note: the checkpoint's eval_batches 4 is more than the 2 batches of 48 in the "
                + "mnist-sample test set: all of its 96 samples are evaluated"), out());
        assertEquals(96, lastEvalRow(out).get("eval_samples").asInt());
        assertEquals(0, lastEvalRow(out).get("eval_batches").asInt());
    }

    @Test
    void aPyTorchStateDictIsEvaluatedWithTheNotebooksSettings() throws Exception {
        Path out = dir.resolve("o");
        assertEquals(0, Main.execute("eval", "--weights", "src/test/resources/fixtures/torch_state_dict.safetensors",
                "--dataset", "mnist-sample", "--data", data.toString(), "--out", out.toString(), "--T", "6",
                "--threads", "1"), err());
        assertTrue(out().contains("784 -> 16 -> 10, a state_dict without Spikestep metadata"), out());
        assertTrue(out().contains("dataset      | (mnist)                  | mnist-sample              *"), "the notebook's "
                + "dataset assumed, another marked: " + out());
        assertTrue(out().contains("seed         |                          | 0                       \n"), "the seed its "
                + "test pass used (encoder seed 10000): " + out());
        assertEquals(10000, lastEvalRow(out).get("encoder_seed").asLong());
        assertTrue(out().contains("integrator   | exp                      | exp                     \n"), "the notebook's "
                + "exp on both sides, not a change: " + out());
        JsonNode row = lastEvalRow(out);
        assertEquals("exp", row.get("integrator").asText());
        assertEquals(5.0, row.get("dt").asDouble());
        assertEquals(96, row.get("eval_samples").asInt());
    }

    @Test
    void badWeightsAreOneLineErrors() throws Exception {
        Path f = dir.resolve("x.safetensors");
        Files.writeString(f, "not a checkpoint at all");
        assertEquals(2, Main.execute("eval", "--weights", f.toString(), "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", dir.toString()));
        assertTrue(err().startsWith("error: ") && err().contains("is not a valid safetensors file"), err());
        assertEquals(1, err().lines().count(), err());
        assertEquals(2, Main.execute("eval", "--weights", "src/test/resources/fixtures/torch_state_dict.safetensors",
                "--dataset", "mnist-sample", "--data", data.toString(), "--out", dir.toString(), "--integrator", "symplectic"));
        assertTrue(err().contains("integrator 'symplectic' is not defined for lif"), err());

        // malformed or out-of-range metadata: named as the checkpoint's, one line, no stack trace
        Safetensors.Contents torch = Safetensors.read(Path.of("src/test/resources/fixtures/torch_state_dict.safetensors"));
        Path badMeta = dir.resolve("bad-meta.safetensors");
        Safetensors.write(badMeta, torch.tensors(), Map.of("model", "lif", "T", "0"));
        assertEquals(2, Main.execute("eval", "--weights", badMeta.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", dir.toString()));
        assertTrue(err().contains("error: --T must be within [1, 100000], got 0 (settings not given on the command line "
                + "come from the metadata of " + badMeta + ")"), err());
        Safetensors.write(badMeta, torch.tensors(), Map.of("model", "lif", "epoch", "x"));
        assertEquals(2, Main.execute("eval", "--weights", badMeta.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", dir.toString()));
        assertTrue(err().contains("error: the checkpoint's metadata has epoch = 'x', not an integer"), err());
        // a bias (or any tensor the notebook's network lacks) is refused, as strict load_state_dict refuses it
        Map<String, Safetensors.Tensor> withBias = new java.util.LinkedHashMap<>(torch.tensors());
        withBias.put("fc1.bias", new Safetensors.Tensor(new int[] {16}, new float[16]));
        Path biased = dir.resolve("biased.safetensors");
        Safetensors.write(biased, withBias, Map.of());
        clearConsole();
        assertEquals(2, Main.execute("eval", "--weights", biased.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", dir.toString()));
        assertTrue(err().contains("error: " + biased + ": tensors the notebook's network does not have: fc1.bias (it is "
                + "fc1.weight and fc_out.weight, without biases)"), err());
    }

    @Test
    void aSpikestepCheckpointMissingARecordedSettingIsRefusedNotGivenTheNotebooksValue() throws Exception {
        Safetensors.Contents torch = Safetensors.read(Path.of("src/test/resources/fixtures/torch_state_dict.safetensors"));
        Map<String, String> meta = new java.util.LinkedHashMap<>(Map.of("format", "spikestep-1", "model", "lif",
                "integrator", "exp", "dt", "1", "readout", "max", "encoder", "exact", "v_th", "1", "v_reset", "0",
                "soft_reset", "false"));
        meta.put("seed", "0");
        meta.put("epoch", "0");
        meta.put("eval_batches", "0");
        Path f = dir.resolve("no-T.safetensors");
        Safetensors.write(f, torch.tensors(), meta); // no T, no tau
        String[] common = {"--weights", f.toString(), "--dataset", "mnist-sample", "--data", data.toString(), "--out",
            dir.resolve("o").toString(), "--threads", "1"};
        assertEquals(2, Main.execute(concat(new String[] {"eval"}, common)));
        assertTrue(err().contains("error: " + f + ": its metadata has no T, tau (a damaged or hand-edited checkpoint); "
                + "give --T --tau to evaluate it"), err());
        assertEquals(1, err().lines().count(), err());

        // given on the command line, they stand in; substeps (before SPEC 9) defaults to 1 and is not asked for
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)), err());
        JsonNode row = lastEvalRow(dir.resolve("o"));
        assertEquals(6, row.get("T").asInt());
        assertEquals(1.0, row.get("dt").asDouble(), "the checkpoint's dt 1, not the notebook's 5");
        assertEquals(1, row.get("substeps").asInt());
        assertTrue(!out().contains("without Spikestep metadata"), out());

        // nor do the integrator, the seed, the epoch (the test pass's encoder seed) and eval_batches get a default
        String[][] gone = {
            {"integrator", "its metadata has no integrator (a damaged or hand-edited checkpoint); give --integrator"},
            {"seed", "its metadata has no seed (a damaged or hand-edited checkpoint); give --seed"},
            {"epoch", "its metadata has no epoch (a damaged or hand-edited checkpoint), so the encoder seed of its test "
                + "pass (seed + 10000 + epoch) is not known"},
            {"eval_batches", "its metadata has no eval_batches (a damaged or hand-edited checkpoint); give --eval-batches"},
        };
        for (String[] g : gone) {
            Map<String, String> m = new java.util.LinkedHashMap<>(meta);
            m.remove(g[0]);
            Safetensors.write(f, torch.tensors(), m);
            clearConsole();
            assertEquals(2, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)), g[0]);
            assertTrue(err().contains("error: " + f + ": " + g[1]), g[0] + ": " + err());
        }
        // a subset of the test set without its batch size is not training's test pass; a bad count names the file
        Map<String, String> subset = new java.util.LinkedHashMap<>(meta);
        subset.put("eval_batches", "2");
        Safetensors.write(f, torch.tensors(), subset);
        clearConsole();
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)));
        assertTrue(err().contains("error: " + f + ": its metadata has no batch (a damaged or hand-edited checkpoint), so "
                + "its first 2 test batches are unknown; give --batch"), err());
        clearConsole();
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2", "--batch", "16"}, common)),
                err());
        JsonNode subsetRow = lastEvalRow(dir.resolve("o"));
        assertEquals(32, subsetRow.get("eval_samples").asInt());
        assertTrue(subsetRow.get("trained_dt").isNumber() && subsetRow.get("trained_dt").asDouble() == 1.0, subsetRow.toString());
        assertTrue(subsetRow.get("trained_T").isNull(), "not recorded in this checkpoint: " + subsetRow);
        assertEquals("mnist-sample", subsetRow.get("dataset").asText());
        subset.put("T", "abc"); // malformed, but overridden by --T: the row is written, the value kept as written
        Safetensors.write(f, torch.tensors(), subset);
        clearConsole();
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2", "--batch", "16"}, common)),
                err());
        assertEquals("abc", lastEvalRow(dir.resolve("o")).get("trained_T").asText());
        subset.remove("T");
        subset.put("eval_batches", "x");
        Safetensors.write(f, torch.tensors(), subset);
        clearConsole();
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)));
        assertTrue(err().contains("(settings not given on the command line come from the metadata of " + f + ")"), err());
        Map<String, String> h = new java.util.LinkedHashMap<>(meta);
        h.put("hidden", "999");
        Safetensors.write(f, torch.tensors(), h);
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)));
        assertTrue(err().contains(f + ": its metadata says hidden 999 but fc1.weight is ["), err());
        Map<String, String> fashion = new java.util.LinkedHashMap<>(meta);
        fashion.put("dataset", "fashion");
        Safetensors.write(f, torch.tensors(), fashion);
        clearConsole();
        assertEquals(0, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)), err());
        assertTrue(out().contains("dataset      | fashion                  | mnist-sample              *"), out());
        // without --dataset: the checkpoint's (mnist-sample here; the mixin's default, mnist, is not in --data)
        List<String> noDataset = new java.util.ArrayList<>(List.of("eval", "--T", "6", "--tau", "2"));
        noDataset.addAll(List.of(common));
        int at = noDataset.indexOf("--dataset");
        noDataset.subList(at, at + 2).clear();
        Map<String, String> sample = new java.util.LinkedHashMap<>(meta);
        sample.put("dataset", "mnist-sample");
        Safetensors.write(f, torch.tensors(), sample);
        clearConsole();
        assertEquals(0, Main.execute(noDataset.toArray(String[]::new)), err());
        assertTrue(out().contains("dataset      | mnist-sample             | mnist-sample            "), out());
        sample.put("dataset", "cifar");
        Safetensors.write(f, torch.tensors(), sample);
        clearConsole();
        assertEquals(2, Main.execute(noDataset.toArray(String[]::new)));
        assertTrue(err().contains(f + ": its metadata names the dataset 'cifar', which is not one Spikestep knows; "
                + "give --dataset"), err());
        // a bad name given on the command line is the user's, not the checkpoint's
        clearConsole();
        assertEquals(2, Main.execute(withDataset(noDataset, "emnist")));
        assertTrue(err().contains("error: --dataset 'emnist': unknown dataset") && !err().contains("its metadata names"), err());
        meta.put("epoch", "-5");
        Safetensors.write(f, torch.tensors(), meta);
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)));
        assertTrue(err().contains("the checkpoint's epoch must be >= 0, got -5"), err());
        meta.put("epoch", "0");

        meta.put("format", "spikestep-2");
        Safetensors.write(f, torch.tensors(), meta);
        assertEquals(2, Main.execute(concat(new String[] {"eval", "--T", "6", "--tau", "2"}, common)));
        assertTrue(err().contains("checkpoint format 'spikestep-2' is not one this version reads (spikestep-1)"), err());

        // another tool's metadata (safetensors' own "format": "pt") is a plain state_dict: the notebook's settings
        Path pt = dir.resolve("pt.safetensors");
        Safetensors.write(pt, torch.tensors(), Map.of("format", "pt"));
        assertEquals(0, Main.execute("eval", "--weights", pt.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", dir.resolve("o").toString(), "--T", "6", "--threads", "1"), err());
        assertEquals(5.0, lastEvalRow(dir.resolve("o")).get("dt").asDouble());
        assertTrue(out().contains("a state_dict without Spikestep metadata"), out());
    }

    @Test
    void nonFiniteWeightsAreReportedAsTheWeightsNotAsTheIntegratorsDivergence() throws Exception {
        Safetensors.Contents torch = Safetensors.read(Path.of("src/test/resources/fixtures/torch_state_dict.safetensors"));
        Safetensors.Tensor w1 = torch.tensors().get("fc1.weight");
        float[] nan = w1.data().clone();
        java.util.Arrays.fill(nan, 0, 784, Float.NaN); // one hidden neuron's row: its potential turns NaN
        Path f = dir.resolve("nan.safetensors");
        Safetensors.write(f, Map.of("fc1.weight", new Safetensors.Tensor(w1.shape(), nan), "fc_out.weight",
                torch.tensors().get("fc_out.weight")), Map.of());
        Path out = dir.resolve("o");
        assertEquals(0, Main.execute("eval", "--weights", f.toString(), "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", out.toString(), "--T", "6", "--threads", "1"), err());
        assertTrue(err().contains("warning: 784 of the " + (16 * 784 + 10 * 16) + " weights in " + f + " are NaN or "
                + "infinite"), err());
        assertTrue(out().contains("(the weights are not finite)") && !out().contains("DIVERGED"), out());
        JsonNode row = lastEvalRow(out);
        assertEquals(784, row.get("nonfinite_weights").asLong());
        assertTrue(row.get("nonfinite").asLong() > 0, row.toString());
    }

    @Test
    void anRstdpCheckpointOrAnOptimizerStateIsNamedForWhatItIs() throws Exception {
        Safetensors.Contents torch = Safetensors.read(Path.of("src/test/resources/fixtures/torch_state_dict.safetensors"));
        Path f = dir.resolve("epoch-001.state.safetensors");
        Safetensors.write(f, torch.tensors(), Map.of("format", "spikestep-1", "kind", "adam-state"));
        assertEquals(2, Main.execute("eval", "--weights", f.toString(), "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", dir.toString()));
        assertTrue(err().contains("is the optimizer state that train saves beside a checkpoint"), err());
        Safetensors.write(f, Map.of("fc_in.weight", torch.tensors().get("fc1.weight"), "fc_out.weight",
                torch.tensors().get("fc_out.weight")), Map.of("format", "spikestep-1", "kind", "rstdp"));
        assertEquals(2, Main.execute("eval", "--weights", f.toString(), "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", dir.toString()));
        assertTrue(err().contains("is an R-STDP checkpoint (fc_in.weight)"), err());
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
