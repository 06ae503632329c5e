package dev.spikestep.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spikestep.SpikestepException;
import org.junit.jupiter.api.Test;

class DatasetTest {
    private static Dataset sample(int n) {
        return new Dataset("t", 2, 3, 10, Fixtures.images(n, 2, 3, 0).data(), Fixtures.labels(n));
    }

    @Test
    void accessors() {
        Dataset d = new Dataset("t", 2, 3, 10, new byte[12], new byte[] {9, 4});
        assertEquals(2, d.size());
        assertEquals(6, d.pixels());
        assertEquals(9, d.label(0));
        assertEquals(4, d.label(1));
    }

    @Test
    void labelsAreUnsigned() {
        Dataset d = new Dataset("t", 1, 1, 256, new byte[1], new byte[] {(byte) 250});
        assertEquals(250, d.label(0));
    }

    @Test
    void headTakesThePrefix() {
        Dataset d = sample(5);
        Dataset h = d.head(2);
        assertEquals(2, h.size());
        assertArrayEquals(java.util.Arrays.copyOf(d.images(), 12), h.images());
        assertArrayEquals(new byte[] {0, 1}, h.labels());
        assertSame(d, d.head(5));
        assertSame(d, d.head(100));
        assertThrows(SpikestepException.class, () -> d.head(0));
    }

    @Test
    void rejectsInconsistentSizes() {
        String msg = assertThrows(SpikestepException.class,
                () -> new Dataset("bad", 2, 3, 10, new byte[11], new byte[2])).getMessage();
        assertTrue(msg.contains("bad") && msg.contains("12"), msg);
    }

    @Test
    void rejectsEmpty() {
        assertThrows(SpikestepException.class, () -> new Dataset("e", 2, 3, 10, new byte[0], new byte[0]));
    }

    @Test
    void rejectsLabelOutOfRange() {
        String msg = assertThrows(SpikestepException.class,
                () -> new Dataset("l", 1, 1, 10, new byte[2], new byte[] {3, 10})).getMessage();
        assertTrue(msg.contains("label 10 of sample 1"), msg);
    }

    @Test
    void rejectsBadShape() {
        assertThrows(SpikestepException.class, () -> new Dataset("s", 0, 3, 10, new byte[0], new byte[1]));
        assertThrows(SpikestepException.class, () -> new Dataset("c", 1, 1, 0, new byte[1], new byte[1]));
    }
}
