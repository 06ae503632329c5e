package dev.spikestep.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spikestep.data.Dataset;
import org.junit.jupiter.api.Test;

/** The batches both step benches (CPU and CUDA) train on: step k takes batch k mod (size / batch). */
class TrainBenchBatchesTest {
    @Test
    void stepKTakesBatchKModuloTheWholeBatchesWithItsLabels() {
        // 7 samples of one pixel, labels 0..6; batches of 3 make 2 whole batches, the 7th sample unused
        Dataset train = new Dataset("t", 1, 1, 10, new byte[7], new byte[] {0, 1, 2, 3, 4, 5, 6});
        int[] order = {6, 5, 4, 3, 2, 1, 0};
        TrainBench.Batches batches = new TrainBench.Batches(train, order, 3);
        assertEquals(0, batches.first(0));
        assertArrayEquals(new int[] {6, 5, 4}, batches.labels());
        assertEquals(3, batches.first(1));
        assertArrayEquals(new int[] {3, 2, 1}, batches.labels());
        assertEquals(0, batches.first(2));
        assertEquals(3, batches.first(5));
        assertArrayEquals(new int[] {3, 2, 1}, batches.labels());
    }
}
