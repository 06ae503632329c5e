package dev.spikestep.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The tiled GEMM kernel (the products without cuBLAS) past CUDA's gridDim.y limit of 65535 row
 * tiles: M = T*B reaches 2.7M rows (1,048,560 is the most 65535 tiles of 16 hold), so the kernel
 * strides over the row tiles. Shown on a small M with fewer row blocks than tiles, and the grid of a
 * large M capped. Through JCuda on a GPU or the emulated driver.
 */
class CudaTiledGemmTest {
    @Test
    void rowTilesBeyondTheGridAreComputedByStriding() {
        int M = 83;
        int N = 21;
        int K = 37;
        SplittableRandom rnd = new SplittableRandom(9);
        float[] a = new float[M * K];
        float[] b = new float[K * N];
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.round(rnd.nextDouble(-4, 4) * 8) / 8f; // dyadic: exact sums in any order
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = Math.round(rnd.nextDouble(-4, 4) * 8) / 8f;
        }
        float[] expected = new float[M * N];
        for (int r = 0; r < M; r++) {
            for (int c = 0; c < N; c++) {
                float s = 0;
                for (int k = 0; k < K; k++) {
                    s += a[r * K + k] * b[k * N + c];
                }
                expected[r * N + c] = s;
            }
        }
        try (CudaDevice dev = CudaTests.device(false)) {
            DeviceBuffer da = dev.alloc(4L * a.length);
            DeviceBuffer db = dev.alloc(4L * b.length);
            DeviceBuffer dc = dev.alloc(4L * M * N);
            dev.upload(da, a, a.length);
            dev.upload(db, b, b.length);
            Gemm g = new Gemm(false, false, da, K, db, N, dc, N).rows(M, N, K);
            assertEquals(6, g.tiled.grid[1], "83 rows are 6 tiles");
            for (int blocksY : new int[] {6, 2, 1}) { // one row tile per block, 3 each, all 6 in one
                dev.zero(dc);
                g.tiled.grid(g.tiled.grid[0], blocksY);
                dev.launch(g.tiled);
                float[] c = new float[M * N];
                dev.download(dc, c, c.length);
                assertArrayEquals(expected, c, "C with " + blocksY + " row blocks");
            }
            assertEquals(Gemm.MAX_GRID_Y, g.rows(2_000_000, N, K).tiled.grid[1], "2M rows: the grid is capped, not refused");
        }
    }
}
