package dev.spikestep.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import dev.spikestep.neuron.LifSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A checkpoint's metadata read with types: malformed values are one-line errors naming the key. */
class MetaTest {
    @Test
    void readsWellFormedValuesAndDefaults() {
        Map<String, String> m = Map.of("T", "50", "seed", "7", "dt", "0.5", "v_th", "1.25", "soft_reset", "true");
        assertEquals(50, Meta.integer(m, "T", null));
        assertEquals(7L, Meta.longInteger(m, "seed", "0"));
        assertEquals(0L, Meta.longInteger(m, "epoch", "0"));
        assertEquals(0.5, Meta.number(m, "dt", "1"));
        assertEquals(1.25f, Meta.single(m, "v_th", "1"));
        assertTrue(Meta.bool(m, "soft_reset", "false"));
        assertFalse(Meta.bool(m, "decay_input", "false"));
    }

    @Test
    void malformedValuesNameTheKey() {
        Map<String, String> m = Map.of("epoch", "x", "tau", "abc", "soft_reset", "maybe", "T", "99999999999");
        assertEquals("the checkpoint's metadata has epoch = 'x', not an integer",
                assertThrows(SpikestepException.class, () -> Meta.longInteger(m, "epoch", "0")).getMessage());
        assertEquals("the checkpoint's metadata has T = '99999999999', not an integer",
                assertThrows(SpikestepException.class, () -> Meta.integer(m, "T", null)).getMessage());
        assertEquals("the checkpoint's metadata has soft_reset = 'maybe', not true or false",
                assertThrows(SpikestepException.class, () -> Meta.bool(m, "soft_reset", "false")).getMessage());
        assertEquals("the checkpoint's metadata has no 'adam_step'",
                assertThrows(SpikestepException.class, () -> Meta.integer(m, "adam_step", null)).getMessage());
        // Checkpoints.neuron reads through it
        assertEquals("the checkpoint's metadata has tau = 'abc', not a number",
                assertThrows(SpikestepException.class, () -> Checkpoints.neuron(m)).getMessage());
        assertEquals(2.0, ((LifSpec) Checkpoints.neuron(Map.of("model", "lif"))).tau());
    }
}
