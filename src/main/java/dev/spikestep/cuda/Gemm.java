package dev.spikestep.cuda;

/**
 * A row-major single-precision product {@code C[M, N] = op(A)[M, K] op(B)[K, N]} (alpha 1, beta 0),
 * lda/ldb/ldc the row strides as stored. Built once per call site; {@link #rows} updates the sizes
 * that depend on the batch. {@link Device#gemm} runs it with cuBLAS or with the tiled kernel of
 * {@code kernels/linear.cu}, whose {@link Launch} is prepared here.
 */
public final class Gemm {
    public final boolean transA;
    public final boolean transB;
    public final DeviceBuffer a;
    public final DeviceBuffer b;
    public final DeviceBuffer c;
    public final int lda;
    public final int ldb;
    public final int ldc;
    private final int[] m = new int[1];
    private final int[] n = new int[1];
    private final int[] k = new int[1];
    final Launch tiled;

    public static final int TILE = 16;

    /** CUDA's limit on gridDim.y: also the most runs a pack can hold (a packed launch's y is the run). */
    public static final int MAX_GRID_Y = 65535;

    public Gemm(boolean transA, boolean transB, DeviceBuffer a, int lda, DeviceBuffer b, int ldb, DeviceBuffer c, int ldc) {
        this.transA = transA;
        this.transB = transB;
        this.a = a;
        this.b = b;
        this.c = c;
        this.lda = lda;
        this.ldb = ldb;
        this.ldc = ldc;
        tiled = new Launch("gemm_tiled_kernel", Launch.i32(transA ? 1 : 0), Launch.i32(transB ? 1 : 0), m, n, k,
                Launch.f32(1f), a, Launch.i32(lda), b, Launch.i32(ldb), Launch.f32(0f), c, Launch.i32(ldc))
                .block(TILE, TILE);
    }

    /** Sets M, N, K (and the tiled kernel's grid). */
    public Gemm rows(int M, int N, int K) {
        m[0] = M;
        n[0] = N;
        k[0] = K;
        // gridDim.y is at most 65535: the kernel strides over the row tiles past it
        tiled.grid((N + TILE - 1) / TILE, Math.min((M + TILE - 1) / TILE, MAX_GRID_Y));
        return this;
    }

    public int m() {
        return m[0];
    }

    public int n() {
        return n[0];
    }

    public int k() {
        return k[0];
    }
}
