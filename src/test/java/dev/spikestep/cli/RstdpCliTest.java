package dev.spikestep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.data.DatasetLocator;
import dev.spikestep.data.IdxImages;
import dev.spikestep.data.IdxWriter;
import dev.spikestep.testutil.ConsoleCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spikestep rstdp} as a user meets it: exit codes, messages, files written. */
class RstdpCliTest extends ConsoleCapture {
    @TempDir
    Path dir;


    /** A tiny mnist-sample folder: 28x28 digits that are bright bands, one height per class. */
    private Path writeData(int nTrain, int nTest) {
        Path d = dir.resolve("data/mnist-sample");
        SplittableRandom rnd = new SplittableRandom(1);
        for (int split = 0; split < 2; split++) {
            int n = split == 0 ? nTrain : nTest;
            byte[] img = new byte[n * 784];
            byte[] lab = new byte[n];
            for (int i = 0; i < n; i++) {
                int c = i % 10;
                lab[i] = (byte) c;
                for (int p = 0; p < 784; p++) {
                    int row = p / 28;
                    img[i * 784 + p] = (byte) (row >= 2 + 2 * c && row < 6 + 2 * c ? 200 + rnd.nextInt(56) : 0);
                }
            }
            IdxWriter.writeImages(d.resolve(split == 0 ? DatasetLocator.TRAIN_IMAGES : DatasetLocator.TEST_IMAGES),
                    new IdxImages(n, 28, 28, img), false);
            IdxWriter.writeLabels(d.resolve(split == 0 ? DatasetLocator.TRAIN_LABELS : DatasetLocator.TEST_LABELS), lab,
                    false);
        }
        return dir.resolve("data");
    }

    @Test
    void shortRunPrintsTheTableAndEpochsAndAppendsResults() throws Exception {
        Path data = writeData(64, 40);
        Path o = dir.resolve("res");
        int rc = Main.execute("rstdp", "--integrator", "exp", "--dt", "0.5", "--T", "20", "--epochs", "2",
                "--reward", "onehot", "--batch", "16", "--test-batch", "16", "--max-train-batches", "2",
                "--max-test-batches", "1", "--hidden", "32", "--time-chunk", "7", "--dataset", "mnist-sample",
                "--data", data.toString(), "--out", o.toString(), "--threads", "2");
        assertEquals(0, rc, err());
        String text = out();
        assertTrue(text.contains("| reward ") && text.contains("onehot"), text);
        assertTrue(text.contains("| T                 | 20 (simulated 7 steps at a time)"), text);
        assertTrue(text.contains("epoch |   teach | pseudo_ce | train_acc | test_acc |  H_rate |  O_rate | no_spike_out"), text);
        assertTrue(text.contains("final test (all 40 samples)"), text);
        List<String> csv = Files.readAllLines(o.resolve("rstdp_results.csv"));
        assertEquals(2, csv.size());
        assertTrue(csv.get(1).startsWith("exp,0,0.5,20,"), csv.get(1));
        // Both weight matrices after every epoch, in the notebook's R-STDP state_dict names (SPEC 10).
        try (var dirs = Files.list(o.resolve("checkpoints"))) {
            Path run = dirs.findFirst().orElseThrow();
            assertTrue(run.getFileName().toString().startsWith("rstdp-exp-dt0.5-T20-seed0-"), run.toString());
            dev.spikestep.io.Safetensors.Contents c = dev.spikestep.io.Safetensors.read(run.resolve("epoch-001.safetensors"));
            assertEquals(List.of(32, 784), List.of(c.tensors().get("fc_in.weight").shape()[0], c.tensors().get("fc_in.weight").shape()[1]));
            assertEquals(List.of(10, 32), List.of(c.tensors().get("fc_out.weight").shape()[0], c.tensors().get("fc_out.weight").shape()[1]));
            assertEquals("rstdp", c.metadata().get("kind"));
            assertEquals("onehot", c.metadata().get("reward"));
        }
        assertTrue(csv.get(1).contains(",onehot,0.05,1,0.95,2,16,16,2,1,32,1,"), csv.get(1));
        assertEquals(2, Files.readAllLines(o.resolve("rstdp_epochs.jsonl")).size());
        // a second run appends to the same files
        assertEquals(0, Main.execute("rstdp", "--T", "5", "--epochs", "1", "--batch", "16", "--max-train-batches", "1",
                "--max-test-batches", "1", "--hidden", "8", "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", o.toString()), err());
        assertEquals(3, Files.readAllLines(o.resolve("rstdp_results.csv")).size());
        // the same run again is refused: its checkpoints are not overwritten nor its row written twice
        byte[] ckpt;
        try (var dirs = Files.list(o.resolve("checkpoints"))) {
            ckpt = Files.readAllBytes(dirs.filter(p -> p.getFileName().toString().startsWith("rstdp-euler"))
                    .findFirst().orElseThrow().resolve("epoch-000.safetensors"));
        }
        assertEquals(2, Main.execute("rstdp", "--T", "5", "--epochs", "1", "--batch", "16", "--max-train-batches", "1",
                "--max-test-batches", "1", "--hidden", "8", "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", o.toString()));
        assertTrue(err().contains("already holds checkpoints of this run (epochs [0]); add --resume to continue it, "
                + "or choose another --out"), err());
        assertEquals(3, Files.readAllLines(o.resolve("rstdp_results.csv")).size());
        // with --resume the finished run is left as it is
        clearConsole();
        assertEquals(0, Main.execute("rstdp", "--T", "5", "--epochs", "1", "--batch", "16", "--max-train-batches", "1",
                "--max-test-batches", "1", "--hidden", "8", "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", o.toString(), "--resume"), err());
        assertTrue(out().contains("already finished (1 epochs"), out());
        assertEquals(3, Files.readAllLines(o.resolve("rstdp_results.csv")).size());
        // --resume with options no run in OUT had names the closest run's differences
        clearConsole();
        assertEquals(2, Main.execute("rstdp", "--T", "5", "--epochs", "1", "--batch", "16", "--max-train-batches", "1",
                "--max-test-batches", "1", "--hidden", "8", "--lr", "0.5", "--dataset", "mnist-sample", "--data",
                data.toString(), "--out", o.toString(), "--resume"));
        assertTrue(err().contains("had other options: --lr 0.5 (the checkpoint has 0.05)"), err());
        Path euler;
        try (var dirs = Files.list(o.resolve("checkpoints"))) {
            euler = dirs.filter(p -> p.getFileName().toString().startsWith("rstdp-euler")).findFirst().orElseThrow();
            org.junit.jupiter.api.Assertions.assertArrayEquals(ckpt, Files.readAllBytes(euler.resolve("epoch-000.safetensors")));
        }
        // ... and so is it with its checkpoints moved away: its epoch rows, which name the run, would be written twice
        Files.move(euler, dir.resolve("moved"));
        clearConsole();
        assertEquals(2, Main.execute("rstdp", "--T", "5", "--epochs", "1", "--batch", "16", "--max-train-batches", "1",
                "--max-test-batches", "1", "--hidden", "8", "--dataset", "mnist-sample", "--data", data.toString(),
                "--out", o.toString()));
        assertTrue(err().contains("rstdp_epochs.jsonl already holds epochs [0] of run " + euler.getFileName()
                + ", whose checkpoints are gone from " + o.resolve("checkpoints").resolve(euler.getFileName())
                + ": running it again here would write its rows twice; choose another --out"), err());
        assertEquals(3, Files.readAllLines(o.resolve("rstdp_epochs.jsonl")).size(), "no epoch row written twice");
    }

    @Test
    void subStepsAreRecordedAndAForeignResultsFileIsRefusedBeforeTraining() throws Exception {
        Path data = writeData(64, 40);
        Path o = dir.resolve("k");
        String[] run = {"rstdp", "--T", "5", "--epochs", "1", "--batch", "16", "--max-train-batches", "1",
            "--max-test-batches", "1", "--hidden", "8", "--substeps", "3", "--dataset", "mnist-sample", "--data",
            data.toString(), "--out", o.toString()};
        Files.createDirectories(o);
        Files.writeString(o.resolve("rstdp_results.csv"), "name,value\n");
        assertEquals(2, Main.execute(run));
        assertTrue(err().contains("already exists with other columns (name,value)"), err());
        assertTrue(!Files.exists(o.resolve("checkpoints")) && !Files.exists(o.resolve("rstdp_epochs.jsonl")), "nothing ran");
        Files.delete(o.resolve("rstdp_results.csv"));
        assertEquals(0, Main.execute(run), err());
        List<String> csv = Files.readAllLines(o.resolve("rstdp_results.csv"));
        int k = List.of(csv.get(0).split(",")).indexOf("substeps");
        assertEquals("3", csv.get(1).split(",")[k]);
        assertTrue(Files.readString(o.resolve("rstdp_epochs.jsonl")).contains("\"substeps\":3"));
        try (var dirs = Files.list(o.resolve("checkpoints"))) {
            Path ckpt = dirs.findFirst().orElseThrow().resolve("epoch-000.safetensors");
            assertEquals("3", dev.spikestep.io.Safetensors.read(ckpt).metadata().get("substeps"));
        }
    }

    @Test
    void badOptionValuesAreClearErrors() {
        String d = dir.toString();
        assertEquals(2, Main.execute("rstdp", "--reward", "stdp", "--data", d));
        assertTrue(err().contains("error: --reward 'stdp': unknown reward; expected pm1 or onehot"), err());
        assertEquals(2, Main.execute("rstdp", "--integrator", "rk5", "--data", d));
        // rstdp's LIF network's integrators, not izh's symplectic
        assertTrue(err().contains("error: --integrator 'rk5': unknown integrator; expected one of euler, exp, zoh, rk2, "
                + "rk4\n"), err());
        assertEquals(2, Main.execute("rstdp", "--integrator", "symplectic", "--data", d));
        assertTrue(err().contains("error: integrator 'symplectic' is not defined for lif: use euler, exp, zoh, rk2 or rk4"),
                err());
        assertEquals(2, Main.execute("rstdp", "--lr", "1e39", "--data", d));
        assertTrue(err().contains("error: --lr must be a finite float32 >= 0, got 1.0E39"), err());
        assertEquals(2, Main.execute("rstdp", "--substeps", "65", "--data", d));
        assertTrue(err().contains("error: --substeps must be an integer in [1, 64], got 65"), err());
        // auto says which backend it picked, then the run goes on (here: to the missing data)
        assertEquals(2, Main.execute("rstdp", "--backend", "auto", "--dataset", "mnist", "--data", d));
        assertTrue(err().contains("backend auto: "), err());
        assertTrue(err().contains("spikestep data mnist"), err());
        assertEquals(2, Main.execute("rstdp", "--backend", "tpu", "--data", d));
        assertTrue(err().contains("error: unknown --backend tpu: use cpu, cuda or auto"), err());
        assertEquals(2, Main.execute("rstdp", "--T", "0", "--data", d));
        assertTrue(err().contains("error: --T must be within [1, 100000], got 0"), err());
        assertEquals(2, Main.execute("rstdp", "--teach", "-1", "--data", d));
        assertTrue(err().contains("error: --teach must be a finite float32 >= 0"), err());
        int mark = err().length();
        assertEquals(2, Main.execute("rstdp", "--dataset", "mnist", "--data", d));
        assertTrue(err().substring(mark).contains("spikestep data mnist --data " + d), "missing data says how to get it: "
                + err());
        assertTrue(!err().contains("\tat "), "no stack trace: " + err());
    }

    @Test
    void limitsOfSeveralOptionsAreRefusedBeforeTheTableAndOut() {
        String data = writeData(32, 16).toString();
        Path o = dir.resolve("never");
        // a time chunk past one buffer: 20000 x 256 (the default --test-batch) x 784 floats
        assertEquals(2, Main.execute("rstdp", "--T", "20000", "--time-chunk", "20000", "--epochs", "1", "--dataset",
                "mnist-sample", "--data", data, "--out", o.toString()));
        assertTrue(err().contains("error: time chunk 20000 x batch 256 (the larger of the train and test batch) x layer width 784 = "
                + "4014080000 floats does not fit one buffer (2^31); lower the batch sizes, or the time chunk "
                + "(rstdp --time-chunk; a sweep keeps it at 50)"), err());
        // each finite alone, epoch 2's teacher current 1e60 is not a float32
        assertEquals(2, Main.execute("rstdp", "--T", "5", "--epochs", "3", "--teach-decay", "1e30", "--max-train-batches",
                "1", "--max-test-batches", "1", "--batch", "16", "--test-batch", "16", "--hidden", "16", "--dataset",
                "mnist-sample", "--data", data, "--out", o.toString()));
        assertTrue(err().contains("error: the teacher current of epoch 2, teach 1 x teach decay 1e+30^2 = 1e+60, is not a finite "
                + "float32; lower the teacher current or its decay, or train fewer epochs"), err());
        assertTrue(!out().contains("reward-modulated STDP"), "no start-up table: " + out());
        assertTrue(!Files.exists(o), "OUT untouched, no lock taken");
        assertTrue(!err().contains("\tat "), "no stack trace: " + err());
    }

    @Test
    void helpListsTheCommandAndTheNotebookDefaults() {
        assertEquals(0, Main.execute("--help"));
        assertTrue(out().contains("rstdp"), out());
        assertEquals(0, Main.execute("rstdp", "--help"));
        String help = out().replaceAll("\\s+", " "); // picocli wraps long lines
        assertTrue(help.contains("--teach-decay=F Factor applied to the teacher current after every epoch (default: 0.95)"), help);
        assertTrue(help.contains("--max-train-batches=N Training batches per epoch, 0 = all (default: 1000)"), help);
        assertTrue(help.contains("--reward=pm1|onehot pm1:") && help.contains("(default: pm1)"), help);
    }
}
