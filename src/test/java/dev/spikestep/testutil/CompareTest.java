package dev.spikestep.testutil;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class CompareTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    @Test
    void spikesEqualPassesOnIdenticalTrainsOfEveryType() {
        assertDoesNotThrow(() -> Compare.spikesEqual("s", new byte[] {0, 1, 1}, new byte[] {0, 1, 1}));
        assertDoesNotThrow(() -> Compare.spikesEqual("s", new float[] {0, 1, 1}, new byte[] {0, 1, 1}));
        assertDoesNotThrow(() -> Compare.spikesEqual("s", new int[] {0, 1, 1}, new float[] {0f, 1f, 1f}));
        assertDoesNotThrow(() -> Compare.spikesEqual("s", new float[] {0f, -0f}, new float[] {-0f, 0f}));
    }

    @Test
    void spikesEqualReportsCountAndFirstMismatches() {
        byte[] e = new byte[100];
        byte[] a = new byte[100];
        for (int i = 0; i < 100; i++) {
            e[i] = (byte) (i % 2);
            a[i] = (byte) (i < 30 ? 1 - i % 2 : i % 2);
        }
        AssertionFailedError err = assertThrows(AssertionFailedError.class,
                () -> Compare.spikesEqual("hidden", e, a));
        String m = err.getMessage();
        assertTrue(m.startsWith("hidden: 30 of 100 spikes differ"), m);
        assertTrue(m.contains("[0] expected 0, actual 1"), m);
        assertTrue(m.contains("[9] expected 1, actual 0"), m);
        assertTrue(!m.contains("[10] expected"), "only the first 10 are listed: " + m);
        assertTrue(m.contains("(20 more)"), m);
    }

    @Test
    void spikesEqualFailsOnLengthMismatchAndOnNaN() {
        assertThrows(AssertionFailedError.class, () -> Compare.spikesEqual("s", new int[] {0, 1}, new int[] {0}));
        assertThrows(AssertionFailedError.class, () -> Compare.spikesEqual("s", new float[] {NAN}, new byte[] {0}));
    }

    @Test
    void closePassesWithinTolerance() {
        float[] e = {1f, -2f, 1000f, 0f};
        float[] a = {1f + 1e-6f, -2f - 1e-6f, 1000.005f, 5e-6f};
        assertDoesNotThrow(() -> Compare.close("v", e, a, 1e-5f, 1e-5f));
    }

    @Test
    void closeTreatsNaNAndSameInfinitiesAsEqual() {
        float[] e = {NAN, INF, -INF, 3f};
        float[] a = {NAN, INF, -INF, 3f};
        assertDoesNotThrow(() -> Compare.close("v", e, a, 0f, 0f));
    }

    @Test
    void closeFailsOnNaNVersusNumberAndOnInfinityMismatches() {
        assertThrows(AssertionFailedError.class, () -> Compare.close("v", new float[] {NAN}, new float[] {0f}, 1, 1));
        assertThrows(AssertionFailedError.class, () -> Compare.close("v", new float[] {0f}, new float[] {NAN}, 1, 1));
        assertThrows(AssertionFailedError.class, () -> Compare.close("v", new float[] {INF}, new float[] {-INF}, 1, 1));
        // atol + rtol*|inf| is inf: an infinite expectation must still not accept a finite value
        assertThrows(AssertionFailedError.class, () -> Compare.close("v", new float[] {INF}, new float[] {1e30f}, 1, 1));
        assertThrows(AssertionFailedError.class, () -> Compare.close("v", new float[] {1e30f}, new float[] {INF}, 1, 1));
    }

    @Test
    void closeReportsCountMaxErrorAndIndices() {
        float[] e = new float[50];
        float[] a = new float[50];
        for (int i = 0; i < 50; i++) {
            e[i] = i;
            a[i] = i;
        }
        a[3] = 3.5f;
        a[17] = 20f;   // the largest error, 3
        a[40] = NAN;
        AssertionFailedError err = assertThrows(AssertionFailedError.class,
                () -> Compare.close("grad_x", e, a, 1e-5f, 1e-4f));
        String m = err.getMessage();
        assertTrue(m.startsWith("grad_x: 3 of 50 values differ"), m);
        assertTrue(m.contains("max abs error among finite 3 at [17]"), m);
        assertTrue(m.contains("[3] expected 3, actual 3.5"), m);
        assertTrue(m.contains("[40] expected 40, actual NaN"), m);
    }

    @Test
    void closeRelativeToleranceScalesWithExpected() {
        // 1e-4 off at 1e3 is within rtol 1e-5 * 1e3 = 1e-2; 1e-4 off at 1 is not within 1e-5 + 1e-5
        assertDoesNotThrow(() -> Compare.close("v", new float[] {1000f}, new float[] {1000.0001f}, 1e-5f, 1e-5f));
        assertThrows(AssertionFailedError.class,
                () -> Compare.close("v", new float[] {1f}, new float[] {1.0001f}, 1e-5f, 1e-5f));
    }

    @Test
    void closeFailsOnLengthMismatch() {
        AssertionFailedError err = assertThrows(AssertionFailedError.class,
                () -> Compare.close("v", new float[2], new float[3], 1, 1));
        assertTrue(err.getMessage().contains("expected 2 values, actual has 3"), err.getMessage());
    }
}
