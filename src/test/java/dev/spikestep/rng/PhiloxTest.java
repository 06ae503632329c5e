package dev.spikestep.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PhiloxTest {
    /** Random123's kat_vectors for philox4x32 with 10 rounds: counter[4], key[2] -> output[4]. */
    @Test
    void matchesRandom123KnownAnswers() {
        check(new int[] {0, 0, 0, 0}, new int[] {0, 0},
                new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
        check(new int[] {-1, -1, -1, -1}, new int[] {-1, -1},
                new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
        check(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[] {0xa4093822, 0x299f31d0},
                new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    private static void check(int[] ctr, int[] key, int[] expected) {
        int[] out = new int[4];
        Philox.philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
        assertArrayEquals(expected, out, () -> "got " + Arrays.toString(Arrays.stream(out).mapToObj(Integer::toHexString).toArray()));
    }

    @Test
    void uniformIsTop24BitsInUnitInterval() {
        assertEquals(0f, Philox.toUniform(0));
        assertEquals(1f - 0x1p-24f, Philox.toUniform(-1));
        assertEquals(0.5f, Philox.toUniform(0x80000000));
        assertTrue(Philox.toUniform(0xFFFFFF00) < 1f);
    }

    @Test
    void permutationIsASeededPermutation() {
        int[] p = Streams.permutation(7, 3, 1000);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertArrayEquals(p, Streams.permutation(7, 3, 1000));
        assertTrue(!Arrays.equals(p, Streams.permutation(7, 4, 1000)), "another epoch shuffles differently");
        assertTrue(!Arrays.equals(p, Streams.permutation(8, 3, 1000)), "another seed shuffles differently");
        int fixed = 0;
        for (int i = 0; i < p.length; i++) {
            fixed += p[i] == i ? 1 : 0;
        }
        assertTrue(fixed < 10, "a shuffle leaves few elements in place, got " + fixed);
    }
}
