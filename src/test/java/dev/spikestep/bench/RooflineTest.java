package dev.spikestep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.net.PhaseTimes.Phase;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RooflineTest {
    // T 50, batch 128, 784 -> 256 -> 10, 150 live inputs per row, 0.4 of the hidden sites spiking.
    private static final Roofline.StepCounts C = new Roofline.StepCounts(50, 128, 784, 256, 10, 6400 * 150.0,
            6400 * 256 * 0.4, false);

    @Test
    void theWorkOfEachPhaseIsCountedFromItsData() {
        assertEquals(6400 * 150.0 * 256, Roofline.work(Phase.FC1, C).amount());
        assertEquals(Roofline.Ceiling.L1_ADD, Roofline.work(Phase.FC1, C).ceiling());
        assertEquals(6400 * 256 * 0.4 * 10, Roofline.work(Phase.FC_OUT, C).amount(), 1e-6);
        // 9 bytes per neuron-step forward (x, h, byte spike), 13 backward.
        assertEquals(9.0 * 6400 * 256, Roofline.work(Phase.NEURON_FORWARD, C).amount());
        assertEquals(13.0 * 6400 * 256, Roofline.work(Phase.NEURON_BACKWARD, C).amount());
        assertEquals(Roofline.Ceiling.DRAM_RW, Roofline.work(Phase.NEURON_BACKWARD, C).ceiling());
        // Izhikevich rk2, rk4 and K > 1 also keep w_seq: written forward, read with x_seq backward (+4, +8 bytes).
        Roofline.StepCounts stateful = new Roofline.StepCounts(50, 128, 784, 256, 10, 6400 * 150.0, 6400 * 256 * 0.4, true);
        assertEquals(13.0 * 6400 * 256, Roofline.work(Phase.NEURON_FORWARD, stateful).amount());
        assertEquals(21.0 * 6400 * 256, Roofline.work(Phase.NEURON_BACKWARD, stateful).amount());
        // 13 words of 8 bytes per row written, one byte per pixel read.
        assertEquals(6400 * 13 * 8.0 + 128 * 784, Roofline.work(Phase.ENCODE, C).amount());
        assertEquals(6400 * 150.0 * 256 + 6400 * 256 * 0.4 * 10 + 2.0 * 6400 * 10 * 256,
                Roofline.work(Phase.WEIGHT_GRADS, C).amount(), 1e-3);
        assertEquals((784 * 256 + 256 * 10) * 7 * 4.0, Roofline.work(Phase.OPTIMIZER, C).amount());
        assertEquals(6400 * 10 * 8.0, Roofline.work(Phase.READOUT_LOSS, C).amount());
    }

    @Test
    void recordsRejectWhatCannotBeAMeasurement() {
        assertThrows(IllegalArgumentException.class, () -> new Roofline.StepCounts(0, 1, 1, 1, 1, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Roofline.StepCounts(1, 1, 1, 1, 1, -1, 0, false));
        Map<Roofline.Ceiling, Double> per = new EnumMap<>(Roofline.Ceiling.class);
        Map<Roofline.Ceiling, Stats> secs = new EnumMap<>(Roofline.Ceiling.class);
        for (Roofline.Ceiling c : Roofline.Ceiling.values()) {
            per.put(c, 1e9);
            secs.put(c, Stats.of(new double[] {0.01}));
        }
        assertEquals(1e9, new Roofline.Ceilings(2, per, secs).of(Roofline.Ceiling.L2_READ));
        per.put(Roofline.Ceiling.L1_ADD, 0.0);
        assertThrows(IllegalArgumentException.class, () -> new Roofline.Ceilings(2, per, secs));
        per.remove(Roofline.Ceiling.L1_ADD);
        assertThrows(IllegalArgumentException.class, () -> new Roofline.Ceilings(2, per, secs));
    }

    @Test
    void everyCeilingIsMeasuredAsAFinitePositiveRate() {
        // The form of the numbers only: how fast each level is, is the bench's to say, not a unit test's.
        Roofline.Ceilings c = Roofline.measure(1, 1);
        assertEquals(java.util.EnumSet.allOf(Roofline.Ceiling.class), c.perSecond().keySet());
        for (Roofline.Ceiling k : Roofline.Ceiling.values()) {
            assertTrue(Double.isFinite(c.of(k)) && c.of(k) > 0, k + " " + c.of(k));
        }
    }
}
