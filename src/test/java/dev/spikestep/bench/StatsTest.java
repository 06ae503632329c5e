package dev.spikestep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddCountIsTheMiddleSample() {
        Stats s = Stats.of(new double[] {5, 1, 3});
        assertEquals(3, s.median());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(3, s.mean());
        assertEquals(3, s.n());
    }

    @Test
    void medianOfEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, Stats.of(new double[] {4, 1, 3, 2}).median());
    }

    @Test
    void percentilesInterpolateLinearlyAsNumpy() {
        // numpy.percentile([1..11], 10) = 2, 90 -> 10; [0, 10] -> 1 and 9.
        double[] v = new double[11];
        for (int i = 0; i < v.length; i++) {
            v[i] = 11 - i;
        }
        Stats s = Stats.of(v);
        assertEquals(2, s.p10(), 1e-12);
        assertEquals(10, s.p90(), 1e-12);
        Stats two = Stats.of(new double[] {10, 0});
        assertEquals(1, two.p10(), 1e-12);
        assertEquals(9, two.p90(), 1e-12);
    }

    @Test
    void oneSampleHasNoSpreadAndInputIsNotReordered() {
        double[] v = {3, 1, 2};
        Stats.of(v);
        assertEquals(3, v[0]);
        Stats one = Stats.of(new double[] {7});
        assertEquals(7, one.p10());
        assertEquals(7, one.p90());
    }

    @Test
    void scaledChangesUnits() {
        Stats ms = Stats.of(new double[] {0.001, 0.003}).scaled(1e3);
        assertEquals(2, ms.median(), 1e-12);
        assertEquals(3, ms.max(), 1e-12);
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
    }
}
