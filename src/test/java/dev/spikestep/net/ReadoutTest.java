package dev.spikestep.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.spikestep.SpikestepException;
import org.junit.jupiter.api.Test;

class ReadoutTest {
    // out_seq [T=4, BC=2]
    private static final float[] OUT = {
        1f, 0f,
        3f, 0f,
        2f, 0f,
        3f, 5f,
    };

    @Test
    void forwardOfEachReadout() {
        float[] l = new float[2];
        Readout.LAST.forward(OUT, 4, 2, l);
        assertArrayEquals(new float[] {3f, 5f}, l);
        Readout.MAX.forward(OUT, 4, 2, l);
        assertArrayEquals(new float[] {3f, 5f}, l);
        Readout.SUM.forward(OUT, 4, 2, l);
        assertArrayEquals(new float[] {9f, 5f}, l);
        Readout.MEAN.forward(OUT, 4, 2, l);
        assertArrayEquals(new float[] {2.25f, 1.25f}, l);
    }

    @Test
    void maxBackwardSplitsTiesLikeTorchMaximum() {
        float[] g = new float[8];
        Readout.MAX.backward(OUT, 4, 2, new float[] {1f, 1f}, g);
        // Column 0: running max 1,3,3,3. t=3 ties with acc (3 == 3): half to t=3, half back;
        // t=2 (2 < 3) gets nothing; t=1 (3 > 1) takes the remaining half; t=0 nothing.
        // Column 1: running max 0,0,0,5: t=3 is larger and takes everything.
        assertArrayEquals(new float[] {0f, 0f, 0.5f, 0f, 0f, 0f, 0.5f, 1f}, g);
    }

    @Test
    void maxBackwardOnAllEqualStepsHalvesDownTheChain() {
        float[] out = new float[3]; // T=3, BC=1, all zero: acc = max(max(o0, o1), o2)
        float[] g = new float[3];
        Readout.MAX.backward(out, 3, 1, new float[] {1f}, g);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.5f}, g);
    }

    @Test
    void meanAndSumAndLastBackward() {
        float[] g = new float[8];
        Readout.MEAN.backward(OUT, 4, 2, new float[] {1f, 2f}, g);
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.25f, 0.5f, 0.25f, 0.5f, 0.25f, 0.5f}, g);
        Readout.SUM.backward(OUT, 4, 2, new float[] {1f, 2f}, g);
        assertArrayEquals(new float[] {1f, 2f, 1f, 2f, 1f, 2f, 1f, 2f}, g);
        Readout.LAST.backward(OUT, 4, 2, new float[] {1f, 2f}, g);
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f, 0f, 0f, 1f, 2f}, g);
    }

    @Test
    void parseNamesTheChoices() {
        assertEquals(Readout.MAX, Readout.parse("Max"));
        SpikestepException e = assertThrows(SpikestepException.class, () -> Readout.parse("median"));
        assertEquals("--readout 'median': unknown readout; expected last, max, mean or sum", e.getMessage());
    }

    @Test
    void crossEntropyAndArgmax() {
        float[] logits = {0f, 0f, 0f, 0f, 2f, 2f};
        float[] grad = new float[6];
        float loss = Loss.crossEntropy(logits, new int[] {0, 2}, 2, 3, grad);
        // Row 0: uniform over 3 -> ln 3. Row 1: softmax (1/(1+2e^2), e^2/(..), e^2/(..)).
        double z = 1 + 2 * Math.exp(2);
        double expected = (Math.log(3) + (Math.log(z) - 2)) / 2;
        assertEquals(expected, loss, 1e-6);
        assertEquals((1 / 3.0 - 1) / 2, grad[0], 1e-7);
        assertEquals((Math.exp(2) / z - 1) / 2, grad[5], 1e-7);
        assertEquals(0, Loss.argmax(logits, 0, 3), "ties go to the first index");
        assertEquals(1, Loss.argmax(logits, 1, 3));
        // NaN compares greater than every number in torch.argmax: the first NaN wins
        float nan = Float.NaN;
        assertEquals(1, Loss.argmax(new float[] {5f, nan, 9f, nan}, 0, 4));
        assertEquals(0, Loss.argmax(new float[] {nan, 9f}, 0, 2));
        assertEquals(2, Loss.argmaxAt(new float[] {0f, 1f, 3f, 7f, 9f}, 1, 3), "offset o, n values");
    }
}
