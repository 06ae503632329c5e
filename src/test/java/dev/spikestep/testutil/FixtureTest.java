package dev.spikestep.testutil;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

class FixtureTest {
    static Stream<String> allFixtures() {
        return Fixture.index().stream();
    }

    static Stream<String> neuronFixtures() {
        return Fixture.index().stream().filter(n -> n.startsWith("neuron_"));
    }

    static Stream<String> netFixtures() {
        return Fixture.index().stream().filter(n -> n.startsWith("net_"));
    }

    @Test
    void indexListsNeuronAndNetworkFixtures() {
        List<String> names = Fixture.index();
        assertEquals(names.size(), names.stream().distinct().count(), "duplicate names in index.txt");
        assertTrue(neuronFixtures().count() >= 44, "neuron fixtures: " + neuronFixtures().count());
        assertTrue(netFixtures().count() >= 18, "network fixtures: " + netFixtures().count());
        assertTrue(names.contains("neuron_izh_euler_hard_dt5.txt"), names.toString());
        assertTrue(names.contains("net_lif_exp_dt1_max.txt"), names.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allFixtures")
    void everyListedFileParses(String name) {
        Fixture f = Fixture.load(name);
        assertFalse(f.arrays().isEmpty(), name + " has no arrays");
        for (String a : f.arrays()) {
            int n = 1;
            for (int d : f.shape(a)) {
                n *= d;
            }
            assertEquals(n, f.floats(a).length, name + " " + a);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("neuronFixtures")
    void neuronFixtureHasTraces(String name) {
        Fixture f = Fixture.load(name);
        int t = f.metaInt("T");
        int n = f.metaInt("N");
        for (String a : List.of("x", "g", "h", "v", "w", "spike", "grad_x")) {
            assertArrayEquals(new int[] {t, n}, f.shape(a), name + " array " + a);
        }
        for (int s : f.ints("spike")) {
            assertTrue(s == 0 || s == 1, name + ": spike value " + s);
        }
        assertTrue(f.meta("neuron").equals("lif") || f.meta("neuron").equals("izh"), name);
        f.metaFloat("dt");
        f.metaFloat("tau");
        f.metaFloat("v_th");
        assertTrue(f.meta("reset").equals("hard") || f.meta("reset").equals("soft"), name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("netFixtures")
    void networkFixtureHasShapes(String name) {
        Fixture f = Fixture.load(name);
        int t = f.metaInt("T");
        int b = f.metaInt("B");
        int nIn = f.metaInt("n_in");
        int nH = f.metaInt("n_h");
        int nOut = f.metaInt("n_out");
        assertArrayEquals(new int[] {t, b, nIn}, f.shape("x_seq"), name);
        assertArrayEquals(new int[] {nH, nIn}, f.shape("w1"), name);
        assertArrayEquals(new int[] {nOut, nH}, f.shape("w_out"), name);
        assertArrayEquals(new int[] {b}, f.shape("labels"), name);
        assertArrayEquals(new int[] {b, nOut}, f.shape("logits"), name);
        assertArrayEquals(new int[] {1}, f.shape("loss"), name);
        assertArrayEquals(new int[] {t, b, nH}, f.shape("hidden_spike"), name);
        assertArrayEquals(new int[] {nH, nIn}, f.shape("grad_w1"), name);
        assertArrayEquals(new int[] {nOut, nH}, f.shape("grad_w_out"), name);
        assertArrayEquals(new int[] {nH, nIn}, f.shape("w1_adam2"), name);
        assertArrayEquals(new int[] {nOut, nH}, f.shape("w_out_adam2"), name);
        for (int l : f.ints("labels")) {
            assertTrue(l >= 0 && l < nOut, name + ": label " + l);
        }
        // weights are multiples of 1/1024, so every sum over binary inputs is exact in float32
        for (float w : f.floats("w1")) {
            assertEquals(w * 1024f, Math.rint(w * 1024f), 0f, name + ": w1 not on the 1/1024 grid: " + w);
        }
    }

    @Test
    void parsesNonFiniteValuesAndIntegerArrays() {
        Fixture f = Fixture.load("neuron_izh_euler_hard_dt5.txt");
        float[] h = f.floats("h");
        boolean nan = false;
        boolean inf = false;
        for (float v : h) {
            nan |= Float.isNaN(v);
            inf |= Float.isInfinite(v);
        }
        assertTrue(nan && inf, "izh euler dt=5 should contain the divergence (inf then NaN) in h");
        assertEquals(f.ints("spike").length, f.bytes("spike").length);
        assertEquals(Float.NaN, Fixture.parseFloat("nan", "t"));
        assertEquals(Float.NEGATIVE_INFINITY, Fixture.parseFloat("-inf", "t"));
        assertEquals(Float.POSITIVE_INFINITY, Fixture.parseFloat("inf", "t"));
        assertEquals(-0f, Fixture.parseFloat("-0", "t"));
        assertEquals(1.17549435e-38f, Fixture.parseFloat("1.17549435e-38", "t"));
    }

    @Test
    void missingArrayOrMetaFailsWithAClearMessage() {
        Fixture f = Fixture.load("neuron_lif_exp_decay_hard_dt1.txt");
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> f.floats("nope"));
        assertTrue(e.getMessage().contains("has no array 'nope'") && e.getMessage().contains("grad_x"), e.getMessage());
        assertThrows(AssertionFailedError.class, () -> f.meta("nope"));
        assertThrows(AssertionFailedError.class, () -> f.ints("x"));   // floats are not ints
        assertThrows(AssertionFailedError.class, () -> Fixture.load("no_such_fixture.txt"));
        assertFalse(f.has("nope"));
        assertTrue(f.has("grad_x"));
    }
}
