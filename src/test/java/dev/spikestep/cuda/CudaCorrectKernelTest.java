package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikestep.net.Loss;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * loss.cu's correct_kernel against its Java twin {@link Loss#argmax} on rows with ties and NaN
 * (a diverged network's logits): the first on ties, the first NaN if any, as torch.argmax. Through
 * JCuda on a GPU or the emulated driver.
 */
class CudaCorrectKernelTest {
    @Test
    void correctCountsTheArgmaxOfTorchWithTiesAndNaN() {
        float nan = Float.NaN;
        float[] logits = {
            1, 3, 3, // tie: 1
            nan, 9, 2, // first NaN: 0
            4, nan, nan, // first NaN: 1
            5, 1, 7, // 2
            2, 2, 2, // all tied: 0
        };
        int C = 3;
        int B = logits.length / C;
        int[] expectedWinners = {1, 0, 1, 2, 0};
        for (int b = 0; b < B; b++) {
            assertEquals(expectedWinners[b], Loss.argmax(logits, b, C), "the Java twin, row " + b);
        }
        try (CudaDevice dev = CudaTests.device(false)) {
            DeviceBuffer dLogits = dev.alloc(4L * logits.length);
            DeviceBuffer dLabels = dev.alloc(4L * B);
            DeviceBuffer count = dev.alloc(8L * 4);
            dev.upload(dLogits, logits, logits.length);
            Launch correct = new Launch("correct_kernel", dLogits, dLabels, Launch.i32(B), Launch.i32(C), count).cover(B, 32);
            // every label a winner of its row, then every label another: B and 0 correct
            for (int shift : new int[] {0, 1, 2}) {
                int[] labels = new int[B];
                int expected = 0;
                for (int b = 0; b < B; b++) {
                    labels[b] = (expectedWinners[b] + shift) % C;
                    expected += shift == 0 ? 1 : 0;
                }
                dev.upload(dLabels, labels, B);
                dev.zero(count);
                dev.launch(correct);
                ByteBuffer out = dev.hostBuffer(8).order(ByteOrder.LITTLE_ENDIAN);
                dev.download(count, out, 8);
                assertEquals(expected, out.getLong(0), "correct with the labels shifted by " + shift);
            }
        }
    }
}
