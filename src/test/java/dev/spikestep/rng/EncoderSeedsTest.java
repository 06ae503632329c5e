package dev.spikestep.rng;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikestep.net.Readout;
import dev.spikestep.neuron.Integrator;
import dev.spikestep.neuron.LifSpec;
import dev.spikestep.train.TrainConfig;
import org.junit.jupiter.api.Test;

/** The notebook's encoder seeds, which train, rstdp and eval take from one place. */
class EncoderSeedsTest {
    @Test
    void trainIsSeedPlusEpochAndTestSeedPlusTenThousandPlusEpoch() {
        assertEquals(5, EncoderSeeds.train(3, 2));
        assertEquals(10_005, EncoderSeeds.test(3, 2));
        assertEquals(Long.MIN_VALUE + 9_999, EncoderSeeds.test(Long.MAX_VALUE, 0)); // wraps as a long, as before
        TrainConfig cfg = new TrainConfig(LifSpec.notebook(Integrator.EXP, 5.0), 10, 3, 7, Readout.MAX, 32, 1e-3,
                PoissonEncoder.Method.EXACT, 16, "mnist-sample", "data", "out", "cpu", 1, 0, 0);
        assertEquals(9, cfg.trainEncoderSeed(2));
        assertEquals(10_009, cfg.testEncoderSeed(2));
    }
}
