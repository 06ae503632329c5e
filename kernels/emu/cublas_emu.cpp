// cublas_emu.cpp: a stand-in for libcublas.so.12 beside the emulated driver (cuda_emu.cpp), so that
// CudaDevice.gemm's row-major to column-major mapping runs through JCublas2 without a GPU. It has
// what Spikestep calls: cublasCreate_v2, cublasSetStream_v2, cublasSgemm_v2 (column-major, op N/T,
// lda/ldb/ldc, alpha/beta read from the host at the call, queued on the handle's stream like a
// kernel) and cublasDestroy_v2; every other entry point answers CUBLAS_STATUS_NOT_SUPPORTED.
#include <cstdio>
#include <mutex>
#include <string>

#include "emu.h"

typedef int cublasStatus_t;

namespace {
enum : cublasStatus_t {
    STATUS_SUCCESS = 0,
    STATUS_NOT_INITIALIZED = 1,
    STATUS_INVALID_VALUE = 7,
    STATUS_EXECUTION_FAILED = 13,
    STATUS_NOT_SUPPORTED = 15,
};
const int OP_N = 0, OP_T = 1;

struct Handle {
    void* ctx;
    void* stream = nullptr;
};

cublasStatus_t fail(cublasStatus_t s, const std::string& msg) {
    std::fprintf(stderr, "spikestep-emu: cuBLAS status %d: %s\n", s, msg.c_str());
    std::fflush(stderr);
    return s;
}
}  // namespace

using spikestep_emu::lock;

extern "C" {

cublasStatus_t cublasCreate_v2(Handle** out) {
    std::lock_guard<std::recursive_mutex> g(lock());
    void* ctx;
    if (spikestep_emu::current_context(&ctx, "cublasCreate_v2")) return fail(STATUS_NOT_INITIALIZED, "cublasCreate_v2: no usable current context");
    *out = new Handle{ctx};
    return STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy_v2(Handle* h) {
    if (!h) return fail(STATUS_NOT_INITIALIZED, "cublasDestroy_v2: NULL handle");
    delete h;
    return STATUS_SUCCESS;
}

// No check that the stream is of the handle's context: cuBLAS documents none (only SUCCESS and
// NOT_INITIALIZED); a stream of another context fails at the next cublasSgemm_v2, as its launch would.
cublasStatus_t cublasSetStream_v2(Handle* h, void* stream) {
    if (!h) return fail(STATUS_NOT_INITIALIZED, "cublasSetStream_v2: NULL handle");
    h->stream = stream;
    return STATUS_SUCCESS;
}

// C[m, n] = alpha op(A)[m, k] op(B)[k, n] + beta C, all column-major (element (i, j) of X at i + j*ldX).
cublasStatus_t cublasSgemm_v2(Handle* h, int transa, int transb, int m, int n, int k, const float* alpha,
                              const float* A, int lda, const float* B, int ldb, const float* beta, float* C, int ldc) {
    std::lock_guard<std::recursive_mutex> g(lock());
    if (!h) return fail(STATUS_NOT_INITIALIZED, "cublasSgemm_v2: NULL handle");
    // cuBLAS requires the handle's device to be current and launches its kernel in the current
    // context; a launch into a stream of another context fails, which cuBLAS returns as
    // EXECUTION_FAILED. (On the NULL stream a GPU would run it on the wrong device instead.)
    void* current;
    if (spikestep_emu::current_context(&current, "cublasSgemm_v2") || current != h->ctx)
        return fail(STATUS_EXECUTION_FAILED, "cublasSgemm_v2: the handle's context is not the current one (make the "
                                             "context current that was current at cublasCreate_v2)");
    if ((transa != OP_N && transa != OP_T) || (transb != OP_N && transb != OP_T))
        return fail(STATUS_INVALID_VALUE, "cublasSgemm_v2: only CUBLAS_OP_N and CUBLAS_OP_T are emulated");
    int a_rows = transa == OP_N ? m : k, a_cols = transa == OP_N ? k : m;
    int b_rows = transb == OP_N ? k : n, b_cols = transb == OP_N ? n : k;
    if (m < 0 || n < 0 || k < 0 || lda < (a_rows > 1 ? a_rows : 1) || ldb < (b_rows > 1 ? b_rows : 1) ||
        ldc < (m > 1 ? m : 1))
        return fail(STATUS_INVALID_VALUE, "cublasSgemm_v2: m " + std::to_string(m) + ", n " + std::to_string(n) + ", k " +
                                              std::to_string(k) + " with lda " + std::to_string(lda) + ", ldb " +
                                              std::to_string(ldb) + ", ldc " + std::to_string(ldc) +
                                              ": a leading dimension is smaller than its matrix's rows");
    if (m == 0 || n == 0) return STATUS_SUCCESS;
    auto extent = [](int rows, int cols, int ld) { return cols == 0 ? 0 : ((std::size_t)(cols - 1) * ld + rows) * 4; };
    struct M {
        const char* name;
        const void* p;
        std::size_t bytes;
    } ms[] = {{"A", A, extent(a_rows, a_cols, lda)}, {"B", B, extent(b_rows, b_cols, ldb)}, {"C", C, extent(m, n, ldc)}};
    for (auto& x : ms) {
        if (!x.bytes) continue;
        std::string why = spikestep_emu::device_range(h->ctx, x.p, x.bytes);
        if (!why.empty()) return fail(STATUS_INVALID_VALUE, std::string("cublasSgemm_v2: matrix ") + x.name + ": " + why);
    }
    float al = *alpha, be = *beta; // host pointer mode: read at the call
    int r = spikestep_emu::enqueue_op(h->ctx, h->stream, "cublasSgemm_v2", [=] {
        for (int j = 0; j < n; j++)
            for (int i = 0; i < m; i++) {
                float s = 0.0f;
                for (int l = 0; l < k; l++) {
                    float a = transa == OP_N ? A[i + (std::size_t)l * lda] : A[l + (std::size_t)i * lda];
                    float b = transb == OP_N ? B[l + (std::size_t)j * ldb] : B[j + (std::size_t)l * ldb];
                    s += a * b;
                }
                float* c = &C[i + (std::size_t)j * ldc];
                // beta 0: C is not read (it may hold NaN), as cuBLAS documents.
                *c = be == 0.0f ? al * s : al * s + be * *c;
            }
        return std::string();
    });
    return r ? fail(STATUS_EXECUTION_FAILED, "cublasSgemm_v2: the handle's stream is not usable") : STATUS_SUCCESS;
}

}  // extern "C"

#define SPIKESTEP_EMU_UNSUPPORTED(name)                                                             \
    extern "C" cublasStatus_t name() {                                                              \
        return fail(STATUS_NOT_SUPPORTED, #name " is not emulated (Spikestep does not call it)");   \
    }
#include "cublas_unsupported.inc"
