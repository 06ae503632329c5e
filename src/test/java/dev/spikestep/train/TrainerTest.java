package dev.spikestep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.BadValueException;
import dev.spikestep.SpikestepException;
import dev.spikestep.data.Dataset;
import dev.spikestep.data.DatasetLocator;
import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.IzhSpec;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.neuron.NeuronSpec;
import dev.spikestep.rng.PoissonEncoder;
import dev.spikestep.testutil.SyntheticDigits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    private TrainConfig config(NeuronSpec neuron, int epochs, int threads, Path out) {
        return config(neuron, 12, epochs, threads, out);
    }

    private TrainConfig config(NeuronSpec neuron, int T, int epochs, int threads, Path out) {
        return new TrainConfig(neuron, T, epochs, 3, Readout.MAX, 32, 3e-3, PoissonEncoder.Method.EXACT, 48,
                "mnist-sample", dir.toString(), out.toString(), "cpu", threads, 0, 0);
    }

    private List<EpochResult> train(TrainConfig cfg, DatasetLocator.Split split) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(sink, true, StandardCharsets.UTF_8);
        return new Trainer(cfg, ps, ps, false).run(split);
    }

    @Test
    void learnsSeparableBandsAndWritesResults() throws Exception {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 640, 1), SyntheticDigits.bands("test", 200, 2));
        Path out = dir.resolve("out");
        List<EpochResult> r = train(config(LifSpec.notebook(Integrator.EXP, 1.0), 3, 2, out), split);
        assertEquals(3, r.size());
        EpochResult last = r.get(2);
        assertTrue(last.testAcc() > 90, "test accuracy " + last.testAcc());
        assertTrue(r.get(0).loss() > last.loss(), "loss decreases: " + r.get(0).loss() + " -> " + last.loss());
        assertTrue(last.spikeRate() > 0 && last.spikeRate() < 1);
        assertEquals(1.0, last.spikeRate() + last.silentFrac(), 1e-12);
        assertEquals(0, last.nonFinite());

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(2, csv.size());
        assertEquals(String.join(",", Trainer.CSV_HEADER), csv.get(0));
        assertTrue(csv.get(1).startsWith("lif,exp,3,1,12,max,"), csv.get(1));
        List<String> jsonl = Files.readAllLines(out.resolve("epochs.jsonl"));
        assertEquals(3, jsonl.size());
        assertTrue(jsonl.get(2).contains("\"epoch\":2") && jsonl.get(2).contains("\"test_acc\":"), jsonl.get(2));
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 160, 5), SyntheticDigits.bands("test", 64, 6));
        NeuronSpec izh = IzhSpec.notebook(Integrator.SYMPLECTIC, 1.0);
        List<EpochResult> one = train(config(izh, 2, 1, dir.resolve("a")), split);
        List<EpochResult> two = train(config(izh, 2, 2, dir.resolve("b")), split);
        List<EpochResult> again = train(config(izh, 2, 2, dir.resolve("c")), split);
        for (int e = 0; e < 2; e++) {
            assertEquals(one.get(e).loss(), two.get(e).loss(), 0.0, "loss of epoch " + e);
            assertEquals(one.get(e).testAcc(), two.get(e).testAcc(), 0.0);
            assertEquals(one.get(e).spikeRate(), two.get(e).spikeRate(), 0.0);
            assertEquals(two.get(e).loss(), again.get(e).loss(), 0.0, "same seed, same run");
        }
    }

    @Test
    void izhEulerAtDt5DivergesAndIsReported() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 64, 7), SyntheticDigits.bands("test", 64, 8));
        // dt/tau_w = 2.5 > 2: the euler recovery variable grows by 1.5x per step until v*v overflows,
        // and the hard reset then turns inf into NaN (0 * inf). 50 steps are enough, as in the notebook.
        List<EpochResult> r = train(config(IzhSpec.notebook(Integrator.EULER, 5.0), 50, 1, 2, dir.resolve("d")), split);
        EpochResult last = r.get(0);
        assertTrue(last.nonFinite() > 0, "the euler step overflows at dt 5");
        assertTrue(last.trainNonFinite() > 0);
        assertEquals(0.0, last.spikeRate(), "a diverged (NaN) neuron never fires");
    }

    @Test
    void batchLargerThanTheTrainingSetIsAClearError() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 20, 1), SyntheticDigits.bands("test", 20, 2));
        SpikestepException e = assertThrows(SpikestepException.class,
                () -> train(config(LifSpec.notebook(Integrator.EXP, 1.0), 1, 1, dir.resolve("e")), split));
        assertEquals("--batch 32 is more than the 20 samples the run trains on: an epoch needs at least one full batch",
                e.getMessage());
    }

    @Test
    void moreTrainSamplesThanTheSetHoldsIsAnErrorNotAClamp() {
        DatasetLocator.Split split = new DatasetLocator.Split(SyntheticDigits.bands("train", 40, 1), SyntheticDigits.bands("test", 20, 2));
        TrainConfig all = config(LifSpec.notebook(Integrator.EXP, 1.0), 1, 1, dir.resolve("f"));
        TrainConfig tooMany = new TrainConfig(all.neuron(), all.T(), all.epochs(), all.seed(), all.readout(), all.batch(),
                all.lr(), all.encoder(), all.hidden(), all.dataset(), all.dataDir(), all.outDir(), all.backend(),
                all.threads(), 41, 0);
        BadValueException e = assertThrows(BadValueException.class, () -> train(tooMany, split));
        assertEquals("--train-samples 41 is more than the 40 samples of the mnist-sample training set (0 = all)",
                e.getMessage());
        assertEquals("train_samples", e.key());
        TrainConfig exact = new TrainConfig(all.neuron(), all.T(), all.epochs(), all.seed(), all.readout(), all.batch(),
                all.lr(), all.encoder(), all.hidden(), all.dataset(), all.dataDir(), all.outDir(), all.backend(),
                all.threads(), 40, 0);
        assertEquals(40, Trainer.trainingSet(exact, split.train()).size(), "the whole set may be asked for by its size");
        assertEquals(33, Trainer.trainingSet(new TrainConfig(all.neuron(), all.T(), all.epochs(), all.seed(), all.readout(),
                all.batch(), all.lr(), all.encoder(), all.hidden(), all.dataset(), all.dataDir(), all.outDir(),
                all.backend(), all.threads(), 33, 0), split.train()).size());
    }

    @Test
    void configRejectsBadValues() {
        LifSpec lif = LifSpec.notebook(Integrator.EXP, 1.0);
        SpikestepException e = assertThrows(SpikestepException.class, () -> new TrainConfig(lif, 0, 1, 0, Readout.MAX,
                32, 1e-3, PoissonEncoder.Method.EXACT, 8, "mnist", "d", "o", "cpu", 1, 0, 0));
        assertTrue(e.getMessage().contains("--T"));
        e = assertThrows(SpikestepException.class, () -> new TrainConfig(lif, 5, 1, 0, Readout.MAX,
                32, -1, PoissonEncoder.Method.EXACT, 8, "mnist", "d", "o", "cpu", 1, 0, 0));
        assertTrue(e.getMessage().contains("--lr"));
    }
}
