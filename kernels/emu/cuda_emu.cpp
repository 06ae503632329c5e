// cuda_emu.cpp: a stand-in for the NVIDIA driver (libcuda.so.1), so that the CUDA backend's JCuda
// code runs, unchanged, on a machine without a GPU. `make emu` builds it into target/emu/ with the
// kernels of kernels/*.cu compiled in (kernels.cpp); it is selected only by
// LD_LIBRARY_PATH=target/emu and names its device "Spikestep emulated CUDA device (CPU, no GPU)".
//
// It is as strict as a GPU and compute-sanitizer where our code could go wrong:
// - streams are asynchronous: launches, async copies, memsets and event records are queued and run
//   only when the host synchronises (stream/event/context synchronise, a synchronous copy, a free);
// - memory: copies, memsets and pointer arguments must lie inside one live allocation of the
//   context's device; allocations sit between PROT_NONE guard pages, so an out-of-bounds access in
//   a kernel faults at once (turned into CUDA_ERROR_ILLEGAL_ADDRESS naming kernel, argument and
//   allocation); freed memory stays PROT_NONE (use after free faults); new memory is 0xFF bytes
//   (a NaN in every float), not zeros;
// - launch limits of an H200 (threads, block and grid dimensions, static + dynamic shared memory,
//   registers per thread from ptxas -v, allocated per warp as sm_90 does); a pointer argument not
//   aligned to its element's size fails the launch at the next synchronisation
//   (CUDA_ERROR_MISALIGNED_ADDRESS, sticky, as a GPU's kernel faults);
// - CUDA_VISIBLE_DEVICES selects and renumbers devices as the driver does;
// - PTX: cuModuleLoadDataEx parses .version, .target and every .entry with its .param list; a
//   launch fails when the PTX's parameters differ from the compiled kernel's signature;
// - SPIKESTEP_EMU_ORDER=reverse runs blocks and threads in reverse order.
// Every error is printed on stderr ("spikestep-emu: ...") and returned by cuGetErrorString for its
// code, so the Java side can put the detail in its exception.
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../host_emu.h"
#include "emu.h"

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

namespace spikestep_emu {
namespace {

enum : CUresult {
    SUCCESS = 0,
    INVALID_VALUE = 1,
    OUT_OF_MEMORY = 2,
    NOT_INITIALIZED = 3,
    NO_DEVICE = 100,
    INVALID_DEVICE = 101,
    INVALID_IMAGE = 200,
    INVALID_CONTEXT = 201,
    NO_BINARY_FOR_GPU = 209,
    INVALID_PTX = 218,
    UNSUPPORTED_PTX_VERSION = 222,
    INVALID_HANDLE = 400,
    NOT_FOUND = 500,
    NOT_READY = 600,
    ILLEGAL_ADDRESS = 700,
    LAUNCH_OUT_OF_RESOURCES = 701,
    MISALIGNED_ADDRESS = 716,
    CONTEXT_IS_DESTROYED = 709,
    NOT_SUPPORTED = 801,
};

const char* error_name(CUresult r) {
    switch (r) {
        case SUCCESS: return "CUDA_SUCCESS";
        case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
        case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case NO_BINARY_FOR_GPU: return "CUDA_ERROR_NO_BINARY_FOR_GPU";
        case INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
        case UNSUPPORTED_PTX_VERSION: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
        case INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case NOT_READY: return "CUDA_ERROR_NOT_READY";
        case ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        case LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
        case MISALIGNED_ADDRESS: return "CUDA_ERROR_MISALIGNED_ADDRESS";
        case CONTEXT_IS_DESTROYED: return "CUDA_ERROR_CONTEXT_IS_DESTROYED";
        case NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
        default: return "CUDA_ERROR_UNKNOWN";
    }
}

// --- the emulated device: an H200's attributes -------------------------------------------------
const char* const DEVICE_NAME = "Spikestep emulated CUDA device (CPU, no GPU)";
const int DRIVER_VERSION = 13000;
const std::size_t H200_MEMORY = 143771ull << 20; // 140.4 GiB, as an H200 reports
const int MAX_THREADS = 1024, MAX_BLOCK_X = 1024, MAX_BLOCK_Y = 1024, MAX_BLOCK_Z = 64;
const unsigned MAX_GRID_X = 2147483647u, MAX_GRID_Y = 65535, MAX_GRID_Z = 65535;
const int SHARED_PER_BLOCK = 48 << 10, REGISTERS_PER_BLOCK = 65536;
const int SM_MAJOR = 9, SM_MINOR = 0;

bool attribute_value(int attr, int* v) {
    switch (attr) {
        case 1: *v = MAX_THREADS; return true;                 // MAX_THREADS_PER_BLOCK
        case 2: *v = MAX_BLOCK_X; return true;                 // MAX_BLOCK_DIM_X
        case 3: *v = MAX_BLOCK_Y; return true;
        case 4: *v = MAX_BLOCK_Z; return true;
        case 5: *v = (int)MAX_GRID_X; return true;             // MAX_GRID_DIM_X
        case 6: *v = (int)MAX_GRID_Y; return true;
        case 7: *v = (int)MAX_GRID_Z; return true;
        case 8: *v = SHARED_PER_BLOCK; return true;            // MAX_SHARED_MEMORY_PER_BLOCK
        case 9: *v = 65536; return true;                       // TOTAL_CONSTANT_MEMORY
        case 10: *v = 32; return true;                         // WARP_SIZE
        case 12: *v = REGISTERS_PER_BLOCK; return true;        // MAX_REGISTERS_PER_BLOCK
        case 13: *v = 1980000; return true;                    // CLOCK_RATE (kHz)
        case 16: *v = 132; return true;                        // MULTIPROCESSOR_COUNT
        case 31: *v = 1; return true;                          // CONCURRENT_KERNELS
        case 32: *v = 1; return true;                          // ECC_ENABLED
        case 36: *v = 3201000; return true;                    // MEMORY_CLOCK_RATE (kHz)
        case 37: *v = 6144; return true;                       // GLOBAL_MEMORY_BUS_WIDTH (bits)
        case 38: *v = 50 << 20; return true;                   // L2_CACHE_SIZE
        case 39: *v = 2048; return true;                       // MAX_THREADS_PER_MULTIPROCESSOR
        case 41: *v = 1; return true;                          // UNIFIED_ADDRESSING
        case 75: *v = SM_MAJOR; return true;                   // COMPUTE_CAPABILITY_MAJOR
        case 76: *v = SM_MINOR; return true;
        case 81: *v = 233472; return true;                     // MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
        case 82: *v = 65536; return true;                      // MAX_REGISTERS_PER_MULTIPROCESSOR
        case 97: *v = 232448; return true;                     // MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
        default: return false;
    }
}

// --- state --------------------------------------------------------------------------------------
std::recursive_mutex mu;
bool initialised = false;
int device_count = 1;
std::size_t total_memory = H200_MEMORY;  // SPIKESTEP_EMU_MEMORY_MIB: a smaller device, to run out of memory on purpose
int driver_version = DRIVER_VERSION;     // SPIKESTEP_EMU_DRIVER_VERSION: an older driver, to refuse newer PTX on purpose
bool reverse_order = false;
std::string env_error;  // a malformed SPIKESTEP_EMU_* variable: cuInit fails with it
std::map<CUresult, std::string> details; // the last message of each error code, for cuGetErrorString
const std::size_t PAGE = 4096;

struct Context;

struct Allocation {
    int id;
    int device;
    char* base;      // what cuMemAlloc returned
    std::size_t bytes;
    char* map;       // [guard page][slack][bytes][guard page]
    std::size_t map_len;
    bool live = true;
};

struct Op {
    std::uint64_t id;
    std::string what;
    std::function<std::string()> run; // "" or why it failed
    CUresult failure;                 // the code a failure gets
};

struct Stream {
    Context* ctx;
    int id;
    std::deque<Op> queue;
};

struct Event {
    Context* ctx;
    int id;
    bool disable_timing;
    bool recorded = false;
    bool done = false;
    std::uint64_t op = 0; // the queued record
    std::chrono::steady_clock::time_point when;
};

struct Function;

struct Module {
    Context* ctx;
    int id;
    std::string target;
    std::map<std::string, std::unique_ptr<Function>> functions;
    std::vector<std::string> entries; // in PTX order, for messages
};

struct PtxEntry {
    std::vector<std::size_t> param_sizes;
    int static_shared = 0;
    bool syncs = false;
};

struct Function {
    Module* module;
    std::string name;
    PtxEntry ptx;
    const Kernel* kernel;
};

struct Context {
    int device;
    int refs = 0;
    bool active = false;
    CUresult sticky = SUCCESS; // an error during execution leaves the context unusable, as on a GPU
    std::unique_ptr<Stream> legacy; // the NULL stream
    std::set<Stream*> streams;
    std::set<Event*> events;
    std::set<Module*> modules;
    std::set<Function*> functions;
    std::size_t used = 0;
};

std::vector<std::unique_ptr<Context>> contexts; // one primary context per device
thread_local Context* current = nullptr;
std::map<std::uintptr_t, std::unique_ptr<Allocation>> allocations; // by map start; freed ones stay
std::map<std::uintptr_t, std::size_t> pinned;                     // host allocations: start -> bytes
int next_allocation = 1, next_stream = 1, next_event = 1, next_module = 1;
std::uint64_t next_op = 1;

std::string hex(const void* p) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)(std::uintptr_t)p);
    return b;
}

CUresult fail(CUresult code, const std::string& msg) {
    details[code] = msg;
    std::fprintf(stderr, "spikestep-emu: %s: %s\n", error_name(code), msg.c_str());
    std::fflush(stderr);
    return code;
}

// The allocation whose mapping (guard pages included) holds p, live or freed; null if none.
Allocation* mapping_of(const void* p) {
    auto a = (std::uintptr_t)p;
    auto it = allocations.upper_bound(a);
    if (it == allocations.begin()) return nullptr;
    --it;
    Allocation* al = it->second.get();
    return a < (std::uintptr_t)al->map + al->map_len ? al : nullptr;
}

std::string describe(const Allocation* a) {
    std::ostringstream s;
    s << "allocation #" << a->id << " (" << a->bytes << " bytes at " << hex(a->base) << " on device " << a->device
      << (a->live ? "" : ", freed by cuMemFree") << ")";
    return s.str();
}

// "" when [p, p + n) lies inside one live allocation of `device`; else why not. A pointer one past
// the end passes with n = 0 (a pointer argument may be an empty slice).
std::string check_range(int device, const void* p, std::size_t n) {
    Allocation* a = mapping_of(p);
    if (!a) return hex(p) + " is not device memory (no allocation holds it)";
    const char* c = (const char*)p;
    const char* end = a->base + a->bytes;
    if (!a->live) return hex(p) + " is in " + describe(a) + ": use after free";
    if (a->device != device)
        return hex(p) + " is in " + describe(a) + ", memory of another device than the current context's (" +
               std::to_string(device) + ")";
    if (c < a->base) return hex(p) + " is " + std::to_string(a->base - c) + " bytes before the start of " + describe(a);
    if (c > end)
        return hex(p) + " is " + std::to_string(c - end) + " bytes past the end of " + describe(a);
    if (c + n > end)
        return "[" + hex(p) + ", +" + std::to_string(n) + " bytes) runs " + std::to_string((c + n) - end) +
               " bytes past the end of " + describe(a);
    return "";
}

// How many of the `emulated` devices CUDA_VISIBLE_DEVICES leaves visible (renumbered from 0), by
// the driver's rule: unset, all of them; else the comma-separated ordinals up to the first entry
// that is not one of them (a UUID, a number out of range, a repeat, an empty entry), so "" and
// "-1" leave none. The emulated devices are alike, so which ones are listed does not matter.
int visible_devices(int emulated) {
    const char* v = std::getenv("CUDA_VISIBLE_DEVICES");
    if (!v) return emulated;
    std::set<long> seen;
    std::istringstream list(v);
    std::string entry;
    while (std::getline(list, entry, ',')) {
        char* end = nullptr;
        long k = std::strtol(entry.c_str(), &end, 10);
        if (entry.empty() || *end != '\0' || k < 0 || k >= emulated || !seen.insert(k).second) break;
    }
    return (int)seen.size();
}

// --- faults in kernels: guard pages -> an error instead of a crash ------------------------------
struct sigaction previous_segv, previous_bus;
thread_local sigjmp_buf* fault_jump = nullptr;
thread_local const void* fault_address = nullptr;
thread_local bool fault_write = false;

void on_fault(int sig, siginfo_t* info, void* uc) {
    if (fault_jump) {
        fault_address = info->si_addr;
        // x86-64: bit 1 of the page-fault error code says write.
        fault_write = (((ucontext_t*)uc)->uc_mcontext.gregs[REG_ERR] & 2) != 0;
        siglongjmp(*fault_jump, 1);
    }
    // Not ours (the JVM uses SIGSEGV itself): chain to the handler that was there before.
    struct sigaction& prev = sig == SIGSEGV ? previous_segv : previous_bus;
    if (prev.sa_flags & SA_SIGINFO) {
        prev.sa_sigaction(sig, info, uc);
    } else if (prev.sa_handler == SIG_DFL) {
        signal(sig, SIG_DFL);
        raise(sig);
    } else if (prev.sa_handler != SIG_IGN) {
        prev.sa_handler(sig);
    }
}

void install_fault_handler() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
    sigaction(SIGBUS, &sa, &previous_bus);
}

// host_emu's guard: runs one thread's share of a grid; false if it touched memory it must not.
bool guard(void (*body)(void*), void* c) {
    sigjmp_buf jb;
    if (sigsetjmp(jb, 1)) {
        fault_jump = nullptr;
        return false;
    }
    fault_jump = &jb;
    body(c);
    fault_jump = nullptr;
    return true;
}

// --- streams: lazy execution --------------------------------------------------------------------
// Runs the queue of s up to and including op `until` (0: all), for the call `by`. A failing op
// makes the context's error sticky and drops the rest of the queue.
CUresult drain(Stream* s, const char* by, std::uint64_t until = 0) {
    Context* ctx = s->ctx;
    while (!s->queue.empty()) {
        Op op = std::move(s->queue.front());
        s->queue.pop_front();
        if (ctx->sticky == SUCCESS) {
            std::string why = op.run();
            if (!why.empty()) {
                ctx->sticky = op.failure;
                fail(op.failure, std::string(by) + ": " + op.what + ": " + why);
                for (Stream* t : ctx->streams) t->queue.clear();
                ctx->legacy->queue.clear();
            }
        }
        if (until && op.id >= until) break;
    }
    return ctx->sticky;
}

CUresult drain_all(Context* ctx, const char* by) {
    drain(ctx->legacy.get(), by);
    for (Stream* s : ctx->streams) drain(s, by);
    return ctx->sticky;
}

CUresult sticky(Context* ctx, const char* call) {
    if (ctx->sticky == SUCCESS) return SUCCESS;
    return fail(ctx->sticky, std::string(call) + ": the context is unusable after an earlier " +
                                 error_name(ctx->sticky) + " (release the primary context to reset it)");
}

// The current context, active and without a sticky error, or an error naming the call.
CUresult need_context(const char* call, Context** out) {
    if (!initialised) return fail(NOT_INITIALIZED, std::string(call) + ": cuInit has not been called");
    if (!current) return fail(INVALID_CONTEXT, std::string(call) + ": no current context on this thread (cuCtxSetCurrent)");
    if (!current->active)
        return fail(CONTEXT_IS_DESTROYED, std::string(call) + ": the current context was released (cuDevicePrimaryCtxRelease)");
    *out = current;
    return sticky(current, call);
}

CUresult stream_of(Context* ctx, void* handle, const char* call, Stream** out) {
    if (!handle) {
        *out = ctx->legacy.get();
        return SUCCESS;
    }
    Stream* s = (Stream*)handle;
    if (!ctx->streams.count(s))
        return fail(INVALID_HANDLE, std::string(call) + ": stream " + hex(handle) + " is not a live stream of the current context");
    *out = s;
    return SUCCESS;
}

void enqueue(Stream* s, std::string what, std::function<std::string()> run, CUresult failure = ILLEGAL_ADDRESS) {
    s->queue.push_back(Op{next_op++, std::move(what), std::move(run), failure});
}

// --- allocations --------------------------------------------------------------------------------
void release_allocation(Allocation* a) {
    // PROT_NONE and no longer backed: any later access faults, and the address is never reused.
    madvise(a->map, a->map_len, MADV_DONTNEED);
    mprotect(a->map, a->map_len, PROT_NONE);
    a->live = false;
}

void deactivate(Context* ctx) {
    drain_all(ctx, "cuDevicePrimaryCtxRelease");
    for (auto& [k, a] : allocations)
        if (a->live && a->device == ctx->device) release_allocation(a.get());
    for (Stream* s : ctx->streams) delete s;
    for (Event* e : ctx->events) delete e;
    for (Module* m : ctx->modules) delete m;
    ctx->streams.clear();
    ctx->events.clear();
    ctx->modules.clear();
    ctx->functions.clear();
    ctx->legacy->queue.clear();
    ctx->sticky = SUCCESS;
    ctx->used = 0;
    ctx->active = false;
}

// --- PTX ----------------------------------------------------------------------------------------
std::size_t ptx_type_size(const std::string& t) {
    static const std::regex bits("\\.[bsuf](8|16|32|64)");
    std::smatch m;
    if (std::regex_match(t, m, bits)) return (std::size_t)std::stoi(m[1]) / 8;
    return 0;
}

// Parses the .version, .target and every .entry's .param list, static shared memory and barriers.
CUresult parse_ptx(const std::string& text, std::string* target, std::map<std::string, PtxEntry>* entries,
                   std::vector<std::string>* order) {
    std::smatch m;
    static const std::regex version("\\.version\\s+(\\d+)\\.(\\d+)");
    static const std::regex tgt("\\.target\\s+(sm_(\\d+)[a-z]?)");
    if (!std::regex_search(text, m, version))
        return fail(INVALID_PTX, "cuModuleLoadDataEx: the image has no .version directive (not PTX text?)");
    // The CUDA release that brought each PTX ISA 7.x-9.x (NVIDIA's PTX release history; CudaModule's table):
    // a driver reads the PTX of its own release and older. An ISA past the table is newer than any driver here.
    static const std::vector<std::vector<int>> cuda_of_isa = {
        {11000, 11010, 11020, 11030, 11040, 11050, 11060, 11070, 11080},
        {12000, 12010, 12020, 12030, 12040, 12050, 12070, 12080, 12090},
        {13000, 13010}};
    int major = std::stoi(m[1]), minor = std::stoi(m[2]);
    int need = major < 7 ? 0 : major - 7 < (int)cuda_of_isa.size() && minor < (int)cuda_of_isa[major - 7].size()
                                   ? cuda_of_isa[major - 7][minor] : 1 << 30;
    auto cuda = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
    if (need > driver_version)
        return fail(UNSUPPORTED_PTX_VERSION, "cuModuleLoadDataEx: PTX ISA " + m[1].str() + "." + m[2].str() + " needs " +
                                                 (need == 1 << 30 ? "a driver newer than CUDA 13.1" : "CUDA " + cuda(need)) +
                                                 " but this driver is CUDA " + cuda(driver_version));
    if (!std::regex_search(text, m, tgt)) return fail(INVALID_PTX, "cuModuleLoadDataEx: the PTX has no .target sm_XX directive");
    *target = m[1];
    if (std::stoi(m[2]) > SM_MAJOR * 10 + SM_MINOR)
        return fail(NO_BINARY_FOR_GPU, "cuModuleLoadDataEx: PTX for " + *target + " cannot run on the emulated sm_90");
    // Plain searches for the markers (std::regex over a megabyte of PTX is slow), regexes on the
    // short pieces only.
    static const std::regex entry("\\.entry\\s+(\\w+)\\s*\\(");
    std::size_t at = 0;
    while ((at = text.find(".entry", at)) != std::string::npos) {
        std::size_t paren = text.find('(', at);
        if (paren == std::string::npos) return fail(INVALID_PTX, "cuModuleLoadDataEx: an .entry has no parameter list");
        std::string head = text.substr(at, paren + 1 - at);
        if (!std::regex_match(head, m, entry)) return fail(INVALID_PTX, "cuModuleLoadDataEx: cannot read '" + head + "'");
        std::string name = m[1];
        auto params_start = text.cbegin() + (long)paren + 1;
        auto close = std::find(params_start, text.cend(), ')');
        if (close == text.cend()) return fail(INVALID_PTX, "cuModuleLoadDataEx: .entry " + name + " has no closing ')'");
        PtxEntry e;
        std::string params(params_start, close);
        std::istringstream ps(params);
        std::string decl;
        while (std::getline(ps, decl, ',')) {
            std::istringstream ts(decl);
            std::string tok;
            std::size_t size = 0;
            bool seen = false;
            while (ts >> tok) {
                if (tok == ".param") seen = true;
                else if (seen && !size) size = ptx_type_size(tok);
                auto lb = tok.find('[');
                if (seen && lb != std::string::npos) size *= (std::size_t)std::stoul(tok.substr(lb + 1));
            }
            if (!seen) continue;
            if (!size) return fail(INVALID_PTX, "cuModuleLoadDataEx: .entry " + name + ": cannot read parameter '" + decl + "'");
            e.param_sizes.push_back(size);
        }
        // The body: from the first '{' after the parameters to its matching '}'.
        auto open = std::find(close, text.cend(), '{');
        int depth = 0;
        auto end = open;
        for (; end != text.cend(); ++end) {
            if (*end == '{') depth++;
            if (*end == '}' && --depth == 0) break;
        }
        if (end == text.cend()) return fail(INVALID_PTX, "cuModuleLoadDataEx: .entry " + name + " has no closing '}'");
        std::string body(open, end);
        static const std::regex shared("\\.shared\\s+(?:\\.align\\s+\\d+\\s+)?(\\.[bsuf]\\d+)\\s+\\w+(?:\\[(\\d+)\\])?");
        for (std::size_t sh = body.find(".shared"); sh != std::string::npos; sh = body.find(".shared", sh + 1)) {
            std::string line = body.substr(sh, body.find('\n', sh) - sh);
            std::smatch d;
            if (line.find(".extern") == std::string::npos && std::regex_search(line, d, shared)) {
                std::size_t n = d[2].matched ? std::stoul(d[2]) : 1;
                e.static_shared += (int)(n * ptx_type_size(d[1]));
            }
        }
        e.syncs = body.find("bar.sync") != std::string::npos || body.find("barrier.sync") != std::string::npos;
        (*entries)[name] = e;
        order->push_back(name);
        at = (std::size_t)(end - text.cbegin());
    }
    if (entries->empty()) return fail(INVALID_PTX, "cuModuleLoadDataEx: the PTX declares no .entry");
    return SUCCESS;
}

const Kernel* compiled(const std::string& name) {
    for (const Kernel& k : kernels())
        if (k.name == name) return &k;
    return nullptr;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

struct Init {
    Init() {
        // Whole-string parses: atoi read "2x" as 2 and "abc" as 0.
        const char* n = std::getenv("SPIKESTEP_EMU_DEVICES");
        if (n && *n) {
            char* end = nullptr;
            long v = std::strtol(n, &end, 10);
            if (*end != '\0' || v < 1 || v > 64)
                env_error = std::string("SPIKESTEP_EMU_DEVICES must be an integer 1..64, not '") + n + "'";
            else
                device_count = static_cast<int>(v);
        }
        const char* mib = std::getenv("SPIKESTEP_EMU_MEMORY_MIB");
        if (mib && *mib) {
            char* end = nullptr;
            long v = std::strtol(mib, &end, 10);
            if (*end != '\0' || v < 1 || v > (long)(H200_MEMORY >> 20))
                env_error = std::string("SPIKESTEP_EMU_MEMORY_MIB must be an integer 1..") +
                            std::to_string(H200_MEMORY >> 20) + ", not '" + mib + "'";
            else
                total_memory = (std::size_t)v << 20;
        }
        const char* dv = std::getenv("SPIKESTEP_EMU_DRIVER_VERSION");
        if (dv && *dv) {
            char* end = nullptr;
            long v = std::strtol(dv, &end, 10);
            if (*end != '\0' || v < 11000 || v > 13010 || v % 10 != 0)
                env_error = std::string("SPIKESTEP_EMU_DRIVER_VERSION must be a CUDA version 11000..13010 as "
                                        "cuDriverGetVersion gives it (1000 major + 10 minor, e.g. 12040), not '") + dv + "'";
            else
                driver_version = static_cast<int>(v);
        }
        const char* o = std::getenv("SPIKESTEP_EMU_ORDER");
        reverse_order = o && std::string(o) == "reverse";
        if (o && *o && std::string(o) != "reverse" && std::string(o) != "forward")
            env_error = std::string("SPIKESTEP_EMU_ORDER must be forward or reverse, not '") + o + "'";
    }
} init_env;

}  // namespace

// --- what the emulated cuBLAS (cublas_emu.cpp) uses ---------------------------------------------
std::recursive_mutex& lock() { return mu; }

int current_context(void** ctx, const char* call) {
    Context* c;
    CUresult r = need_context(call, &c);
    *ctx = c;
    return r;
}

std::string device_range(void* ctx, const void* p, std::size_t bytes) {
    return check_range(((Context*)ctx)->device, p, bytes);
}

int enqueue_op(void* ctx, void* stream, const std::string& what, std::function<std::string()> run) {
    Stream* s;
    CUresult r = stream_of((Context*)ctx, stream, what.c_str(), &s);
    if (r) return r;
    enqueue(s, what, std::move(run));
    return SUCCESS;
}

int report(int code, const std::string& msg) { return fail(code, msg); }

}  // namespace spikestep_emu

using namespace spikestep_emu;

#define LOCK std::lock_guard<std::recursive_mutex> guard_(mu)
#define NEED_CONTEXT(call)              \
    Context* ctx;                       \
    if (CUresult r_ = need_context(call, &ctx)) return r_

extern "C" {

CUresult cuInit(unsigned int flags) {
    LOCK;
    if (flags != 0) return fail(INVALID_VALUE, "cuInit: flags must be 0");
    if (!env_error.empty()) return fail(INVALID_VALUE, "cuInit: " + env_error);
    if (!initialised) {
        int visible = visible_devices(device_count);
        if (visible == 0)
            return fail(NO_DEVICE, std::string("cuInit: CUDA_VISIBLE_DEVICES='") + std::getenv("CUDA_VISIBLE_DEVICES") +
                                       "' makes none of the " + std::to_string(device_count) +
                                       " emulated devices visible (list ordinals 0.." + std::to_string(device_count - 1) +
                                       "; SPIKESTEP_EMU_DEVICES)");
        device_count = visible;
        for (int d = 0; d < device_count; d++) {
            auto c = std::make_unique<Context>();
            c->device = d;
            c->legacy = std::make_unique<Stream>();
            c->legacy->ctx = c.get();
            c->legacy->id = 0;
            contexts.push_back(std::move(c));
        }
        install_fault_handler();
        initialised = true;
    }
    return SUCCESS;
}

CUresult cuDriverGetVersion(int* v) {
    if (!v) return fail(INVALID_VALUE, "cuDriverGetVersion: NULL");
    *v = driver_version;
    return SUCCESS;
}

CUresult cuDeviceGetCount(int* n) {
    LOCK;
    if (!initialised) return fail(NOT_INITIALIZED, "cuDeviceGetCount: cuInit has not been called");
    *n = device_count;
    return SUCCESS;
}

static CUresult check_device(CUdevice d, const char* call) {
    if (!initialised) return fail(NOT_INITIALIZED, std::string(call) + ": cuInit has not been called");
    if (d < 0 || d >= device_count)
        return fail(INVALID_DEVICE, std::string(call) + ": device " + std::to_string(d) + " does not exist (" +
                                        std::to_string(device_count) + " emulated; SPIKESTEP_EMU_DEVICES)");
    return SUCCESS;
}

CUresult cuDeviceGet(CUdevice* d, int ordinal) {
    LOCK;
    if (CUresult r = check_device(ordinal, "cuDeviceGet")) return r;
    *d = ordinal;
    return SUCCESS;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
    LOCK;
    if (CUresult r = check_device(d, "cuDeviceGetName")) return r;
    if (!name || len <= 0) return fail(INVALID_VALUE, "cuDeviceGetName: no buffer");
    std::snprintf(name, (std::size_t)len, "%s", DEVICE_NAME);
    return SUCCESS;
}

CUresult cuDeviceTotalMem_v2(std::size_t* bytes, CUdevice d) {
    LOCK;
    if (CUresult r = check_device(d, "cuDeviceTotalMem")) return r;
    *bytes = total_memory;
    return SUCCESS;
}

CUresult cuDeviceGetAttribute(int* v, int attr, CUdevice d) {
    LOCK;
    if (CUresult r = check_device(d, "cuDeviceGetAttribute")) return r;
    if (!attribute_value(attr, v))
        return fail(INVALID_VALUE, "cuDeviceGetAttribute: attribute " + std::to_string(attr) + " is not emulated");
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(void** out, CUdevice d) {
    LOCK;
    if (CUresult r = check_device(d, "cuDevicePrimaryCtxRetain")) return r;
    Context* c = contexts[(std::size_t)d].get();
    c->refs++;
    c->active = true;
    *out = c;
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    LOCK;
    if (CUresult r = check_device(d, "cuDevicePrimaryCtxRelease")) return r;
    Context* c = contexts[(std::size_t)d].get();
    if (c->refs == 0) return fail(INVALID_CONTEXT, "cuDevicePrimaryCtxRelease: device " + std::to_string(d) + "'s primary context is not retained");
    if (--c->refs == 0) deactivate(c); // what a GPU does: the context and all its memory go
    return SUCCESS;
}

CUresult cuDevicePrimaryCtxGetState(CUdevice d, unsigned int* flags, int* active) {
    LOCK;
    if (CUresult r = check_device(d, "cuDevicePrimaryCtxGetState")) return r;
    if (!flags || !active) return fail(INVALID_VALUE, "cuDevicePrimaryCtxGetState: NULL");
    *flags = 0;
    *active = contexts[(std::size_t)d]->refs > 0 ? 1 : 0;  // a GPU's: active while retained
    return SUCCESS;
}

CUresult cuMemGetInfo_v2(std::size_t* free, std::size_t* total) {
    LOCK;
    NEED_CONTEXT("cuMemGetInfo");
    if (!free || !total) return fail(INVALID_VALUE, "cuMemGetInfo: NULL");
    *total = total_memory;
    *free = total_memory - ctx->used;
    return SUCCESS;
}

CUresult cuCtxSetCurrent(void* c) {
    LOCK;
    if (!initialised) return fail(NOT_INITIALIZED, "cuCtxSetCurrent: cuInit has not been called");
    if (c && std::none_of(contexts.begin(), contexts.end(), [&](auto& x) { return x.get() == c; }))
        return fail(INVALID_CONTEXT, "cuCtxSetCurrent: " + hex(c) + " is not a context");
    current = (Context*)c;
    return SUCCESS;
}

CUresult cuCtxGetCurrent(void** c) {
    *c = current;
    return SUCCESS;
}

CUresult cuCtxSynchronize() {
    LOCK;
    NEED_CONTEXT("cuCtxSynchronize");
    return drain_all(ctx, "cuCtxSynchronize");
}

// --- memory -------------------------------------------------------------------------------------
CUresult cuMemAlloc_v2(CUdeviceptr* out, std::size_t bytes) {
    LOCK;
    NEED_CONTEXT("cuMemAlloc");
    if (bytes == 0) return fail(INVALID_VALUE, "cuMemAlloc: 0 bytes");
    if (ctx->used + bytes > total_memory)
        return fail(OUT_OF_MEMORY, "cuMemAlloc: " + std::to_string(bytes) + " bytes exceed the device's free memory");
    // The data ends where the upper guard page starts, its start aligned to the largest power of two
    // (at most 256) dividing the size: a read one element past the end faults.
    std::size_t align = 256;
    while (align > 1 && bytes % align) align /= 2;
    std::size_t data_pages = (bytes + align - 1 + PAGE - 1) / PAGE + 1;
    std::size_t map_len = (data_pages + 2) * PAGE;
    void* m = mmap(nullptr, map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return fail(OUT_OF_MEMORY, "cuMemAlloc: host mmap of " + std::to_string(map_len) + " bytes failed");
    char* map = (char*)m;
    char* upper_guard = map + map_len - PAGE;
    char* base = (char*)(((std::uintptr_t)(upper_guard - bytes)) & ~(std::uintptr_t)(align - 1));
    char* first = (char*)((std::uintptr_t)base & ~(std::uintptr_t)(PAGE - 1));
    mprotect(first, (std::size_t)(upper_guard - first), PROT_READ | PROT_WRITE);
    std::memset(base, 0xFF, bytes); // not zeros: a missing initialisation shows as NaN
    auto a = std::make_unique<Allocation>();
    a->id = next_allocation++;
    a->device = ctx->device;
    a->base = base;
    a->bytes = bytes;
    a->map = map;
    a->map_len = map_len;
    allocations[(std::uintptr_t)map] = std::move(a);
    ctx->used += bytes;
    *out = (CUdeviceptr)(std::uintptr_t)base;
    return SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
    LOCK;
    NEED_CONTEXT("cuMemFree");
    if (drain_all(ctx, "cuMemFree")) return ctx->sticky;
    Allocation* a = mapping_of((void*)p);
    if (!a || a->base != (char*)p)
        return fail(INVALID_VALUE, "cuMemFree: " + hex((void*)p) + " is not the start of an allocation" +
                                       (a ? " (it is inside " + describe(a) + ")" : ""));
    if (!a->live) return fail(INVALID_VALUE, "cuMemFree: " + describe(a) + " was already freed");
    release_allocation(a);
    ctx->used -= a->bytes;
    return SUCCESS;
}

CUresult cuMemAllocHost_v2(void** out, std::size_t bytes) {
    LOCK;
    NEED_CONTEXT("cuMemAllocHost");
    if (bytes == 0) return fail(INVALID_VALUE, "cuMemAllocHost: 0 bytes");
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return fail(OUT_OF_MEMORY, "cuMemAllocHost: " + std::to_string(bytes) + " bytes");
    pinned[(std::uintptr_t)m] = bytes;
    *out = m;
    return SUCCESS;
}

CUresult cuMemFreeHost(void* p) {
    LOCK;
    auto it = pinned.find((std::uintptr_t)p);
    if (it == pinned.end()) return fail(INVALID_VALUE, "cuMemFreeHost: " + hex(p) + " was not allocated by cuMemAllocHost");
    for (auto& c : contexts)
        if (c->active) drain_all(c.get(), "cuMemFreeHost"); // a queued copy may still read or write it
    munmap(p, it->second);
    pinned.erase(it);
    return SUCCESS;
}

// Whether [p, p + n) is page-locked host memory from cuMemAllocHost (async copies stay async).
static bool is_pinned(const void* p, std::size_t n, std::string* why) {
    auto a = (std::uintptr_t)p;
    auto it = pinned.upper_bound(a);
    if (it == pinned.begin()) return false;
    --it;
    if (a >= it->first + it->second) return false;
    if (a + n > it->first + it->second) {
        *why = "host range [" + hex(p) + ", +" + std::to_string(n) + " bytes) runs past the end of its cuMemAllocHost block (" +
               std::to_string(it->second) + " bytes)";
    }
    return true;
}

enum Direction { HTOD, DTOH, DTOD };

static CUresult copy(const char* call, Direction dir, void* dst, const void* src, std::size_t n, void* stream, bool async) {
    LOCK;
    NEED_CONTEXT(call);
    std::string why;
    if (dir != HTOD && (why = check_range(ctx->device, src, n)).size())
        return fail(INVALID_VALUE, std::string(call) + ": source " + why);
    if (dir != DTOH && (why = check_range(ctx->device, dst, n)).size())
        return fail(INVALID_VALUE, std::string(call) + ": destination " + why);
    const void* host = dir == HTOD ? src : dir == DTOH ? dst : nullptr;
    bool pin = host && is_pinned(host, n, &why);
    if (!why.empty()) return fail(INVALID_VALUE, std::string(call) + ": " + why);
    Stream* s;
    if (CUresult r = stream_of(ctx, stream, call, &s)) return r;
    if (async && (pin || dir == DTOD)) {
        // Runs when the stream does: the host must not touch the pinned buffer before synchronising.
        enqueue(s, call, [=] {
            std::memmove(dst, src, n);
            return std::string();
        });
        return SUCCESS;
    }
    // Synchronous (or from pageable memory, which the driver stages at once): the work queued
    // before it runs first.
    if (async) {
        if (drain(s, call)) return ctx->sticky;
    } else if (drain_all(ctx, call)) {
        return ctx->sticky;
    }
    std::memmove(dst, src, n);
    return SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, std::size_t n) {
    return copy("cuMemcpyHtoD", HTOD, (void*)dst, src, n, nullptr, false);
}
CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, std::size_t n) {
    return copy("cuMemcpyDtoH", DTOH, dst, (void*)src, n, nullptr, false);
}
CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, std::size_t n) {
    return copy("cuMemcpyDtoD", DTOD, (void*)dst, (void*)src, n, nullptr, false);
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, std::size_t n, void* stream) {
    return copy("cuMemcpyHtoDAsync", HTOD, (void*)dst, src, n, stream, true);
}
CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, std::size_t n, void* stream) {
    return copy("cuMemcpyDtoHAsync", DTOH, dst, (void*)src, n, stream, true);
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, std::size_t n, void* stream) {
    return copy("cuMemcpyDtoDAsync", DTOD, (void*)dst, (void*)src, n, stream, true);
}

static CUresult memset8(const char* call, CUdeviceptr dst, unsigned char value, std::size_t n, void* stream, bool async) {
    LOCK;
    NEED_CONTEXT(call);
    std::string why = check_range(ctx->device, (void*)dst, n);
    if (!why.empty()) return fail(INVALID_VALUE, std::string(call) + ": destination " + why);
    Stream* s;
    if (CUresult r = stream_of(ctx, stream, call, &s)) return r;
    auto run = [=] {
        std::memset((void*)dst, value, n);
        return std::string();
    };
    if (async) {
        enqueue(s, call, run);
        return SUCCESS;
    }
    if (drain_all(ctx, call)) return ctx->sticky;
    run();
    return SUCCESS;
}

CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, std::size_t n, void* stream) {
    return memset8("cuMemsetD8Async", dst, value, n, stream, true);
}
CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, std::size_t n) {
    return memset8("cuMemsetD8", dst, value, n, nullptr, false);
}

// --- streams and events -------------------------------------------------------------------------
CUresult cuStreamCreate(void** out, unsigned int flags) {
    LOCK;
    NEED_CONTEXT("cuStreamCreate");
    if (flags > 1) return fail(INVALID_VALUE, "cuStreamCreate: flags must be CU_STREAM_DEFAULT or CU_STREAM_NON_BLOCKING");
    Stream* s = new Stream();
    s->ctx = ctx;
    s->id = next_stream++;
    ctx->streams.insert(s);
    *out = s;
    return SUCCESS;
}

CUresult cuStreamDestroy_v2(void* stream) {
    LOCK;
    NEED_CONTEXT("cuStreamDestroy");
    Stream* s;
    if (!stream) return fail(INVALID_HANDLE, "cuStreamDestroy: the NULL stream cannot be destroyed");
    if (CUresult r = stream_of(ctx, stream, "cuStreamDestroy", &s)) return r;
    drain(s, "cuStreamDestroy"); // its queued work still completes
    ctx->streams.erase(s);
    delete s;
    return ctx->sticky;
}

CUresult cuStreamSynchronize(void* stream) {
    LOCK;
    NEED_CONTEXT("cuStreamSynchronize");
    Stream* s;
    if (CUresult r = stream_of(ctx, stream, "cuStreamSynchronize", &s)) return r;
    return stream ? drain(s, "cuStreamSynchronize") : drain_all(ctx, "cuStreamSynchronize");
}

static Stream* stream_holding(Context* ctx, std::uint64_t op) {
    for (Stream* s : ctx->streams)
        for (auto& o : s->queue)
            if (o.id == op) return s;
    for (auto& o : ctx->legacy->queue)
        if (o.id == op) return ctx->legacy.get();
    return nullptr;
}

static CUresult event_of(Context* ctx, void* handle, const char* call, Event** out) {
    Event* e = (Event*)handle;
    if (!ctx->events.count(e)) return fail(INVALID_HANDLE, std::string(call) + ": " + hex(handle) + " is not a live event of the current context");
    *out = e;
    return SUCCESS;
}

CUresult cuEventCreate(void** out, unsigned int flags) {
    LOCK;
    NEED_CONTEXT("cuEventCreate");
    Event* e = new Event();
    e->ctx = ctx;
    e->id = next_event++;
    e->disable_timing = (flags & 2) != 0;
    ctx->events.insert(e);
    *out = e;
    return SUCCESS;
}

CUresult cuEventDestroy_v2(void* event) {
    LOCK;
    NEED_CONTEXT("cuEventDestroy");
    Event* e;
    if (CUresult r = event_of(ctx, event, "cuEventDestroy", &e)) return r;
    // A queued record of it still writes into it: run its stream up to that record first.
    if (e->recorded && !e->done) {
        if (Stream* owner = stream_holding(ctx, e->op)) drain(owner, "cuEventDestroy", e->op);
    }
    ctx->events.erase(e);
    delete e;
    return SUCCESS;
}

CUresult cuEventRecord(void* event, void* stream) {
    LOCK;
    NEED_CONTEXT("cuEventRecord");
    Event* e;
    Stream* s;
    if (CUresult r = event_of(ctx, event, "cuEventRecord", &e)) return r;
    if (CUresult r = stream_of(ctx, stream, "cuEventRecord", &s)) return r;
    e->recorded = true;
    e->done = false;
    e->op = next_op;
    enqueue(s, "cuEventRecord", [e] {
        e->when = std::chrono::steady_clock::now(); // the host clock when the stream reaches it
        e->done = true;
        return std::string();
    });
    return SUCCESS;
}

CUresult cuEventSynchronize(void* event) {
    LOCK;
    NEED_CONTEXT("cuEventSynchronize");
    Event* e;
    if (CUresult r = event_of(ctx, event, "cuEventSynchronize", &e)) return r;
    if (e->recorded && !e->done) {
        Stream* s = stream_holding(ctx, e->op);
        if (s && drain(s, "cuEventSynchronize", e->op)) return ctx->sticky;
    }
    return SUCCESS;
}

CUresult cuEventQuery(void* event) {
    LOCK;
    NEED_CONTEXT("cuEventQuery");
    Event* e;
    if (CUresult r = event_of(ctx, event, "cuEventQuery", &e)) return r;
    return e->recorded && !e->done ? NOT_READY : SUCCESS;
}

CUresult cuEventElapsedTime(float* ms, void* start, void* end) {
    LOCK;
    NEED_CONTEXT("cuEventElapsedTime");
    Event *a, *b;
    if (CUresult r = event_of(ctx, start, "cuEventElapsedTime", &a)) return r;
    if (CUresult r = event_of(ctx, end, "cuEventElapsedTime", &b)) return r;
    if (a->disable_timing || b->disable_timing)
        return fail(INVALID_HANDLE, "cuEventElapsedTime: an event was created with CU_EVENT_DISABLE_TIMING");
    if (!a->recorded || !b->recorded) return fail(INVALID_HANDLE, "cuEventElapsedTime: an event was never recorded");
    if (!a->done || !b->done)
        return fail(NOT_READY, "cuEventElapsedTime: an event has not completed yet (synchronise on it first)");
    *ms = (float)(std::chrono::duration<double, std::milli>(b->when - a->when).count());
    return SUCCESS;
}

// --- modules and launches -----------------------------------------------------------------------
CUresult cuModuleLoadDataEx(void** out, const void* image, unsigned int, void*, void**) {
    LOCK;
    NEED_CONTEXT("cuModuleLoadDataEx");
    if (!image) return fail(INVALID_VALUE, "cuModuleLoadDataEx: NULL image");
    std::string text((const char*)image);
    auto m = std::make_unique<Module>();
    std::map<std::string, PtxEntry> entries;
    // A module is loaded for every network: parse each distinct PTX text once.
    struct Parsed {
        std::string target;
        std::map<std::string, PtxEntry> entries;
        std::vector<std::string> order;
    };
    static std::map<std::string, Parsed> parsed;
    auto hit = parsed.find(text);
    if (hit == parsed.end()) {
        Parsed p;
        if (CUresult r = parse_ptx(text, &p.target, &p.entries, &p.order)) return r;
        hit = parsed.emplace(text, std::move(p)).first;
    }
    m->target = hit->second.target;
    entries = hit->second.entries;
    m->entries = hit->second.order;
    m->ctx = ctx;
    m->id = next_module++;
    for (auto& [name, e] : entries) {
        auto f = std::make_unique<Function>();
        f->module = m.get();
        f->name = name;
        f->ptx = e;
        f->kernel = compiled(name);
        m->functions[name] = std::move(f);
    }
    *out = m.get();
    ctx->modules.insert(m.release());
    return SUCCESS;
}

CUresult cuModuleUnload(void* module) {
    LOCK;
    NEED_CONTEXT("cuModuleUnload");
    Module* m = (Module*)module;
    if (!ctx->modules.count(m)) return fail(INVALID_HANDLE, "cuModuleUnload: not a loaded module");
    drain_all(ctx, "cuModuleUnload");
    for (auto& [n, f] : m->functions) ctx->functions.erase(f.get());
    ctx->modules.erase(m);
    delete m;
    return SUCCESS;
}

CUresult cuModuleGetFunction(void** out, void* module, const char* name) {
    LOCK;
    NEED_CONTEXT("cuModuleGetFunction");
    Module* m = (Module*)module;
    if (!ctx->modules.count(m)) return fail(INVALID_HANDLE, "cuModuleGetFunction: not a module loaded in the current context");
    auto it = m->functions.find(name);
    if (it == m->functions.end())
        return fail(NOT_FOUND, std::string("cuModuleGetFunction: the PTX of module #") + std::to_string(m->id) +
                                   " has no .entry named '" + name + "' (it has: " + join(m->entries) + ")");
    if (!it->second->kernel)
        return fail(NOT_FOUND, std::string("cuModuleGetFunction: the PTX declares '") + name +
                                   "' but the emulated driver has no compiled kernel of that name (built from other "
                                   "sources than this PTX: rebuild both with make kernels emu)");
    ctx->functions.insert(it->second.get());
    *out = it->second.get();
    return SUCCESS;
}

CUresult cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared_bytes, void* stream, void** params, void** extra) {
    LOCK;
    NEED_CONTEXT("cuLaunchKernel");
    Function* f = (Function*)function;
    if (!ctx->functions.count(f)) return fail(INVALID_HANDLE, "cuLaunchKernel: not a function of the current context (cuModuleGetFunction)");
    std::string call = "cuLaunchKernel(" + f->name + ")";
    Stream* s;
    if (CUresult r = stream_of(ctx, stream, call.c_str(), &s)) return r;
    if (extra) return fail(NOT_SUPPORTED, call + ": the 'extra' argument list is not emulated (use kernelParams)");
    std::ostringstream dims;
    dims << "grid (" << gx << ", " << gy << ", " << gz << "), block (" << bx << ", " << by << ", " << bz << ")";
    unsigned long long threads = (unsigned long long)bx * by * bz;
    if (!gx || !gy || !gz || !bx || !by || !bz) return fail(INVALID_VALUE, call + ": " + dims.str() + ": a dimension is 0");
    if (bx > (unsigned)MAX_BLOCK_X || by > (unsigned)MAX_BLOCK_Y || bz > (unsigned)MAX_BLOCK_Z || threads > (unsigned)MAX_THREADS)
        return fail(INVALID_VALUE, call + ": " + dims.str() + ": a block has at most 1024 threads, (1024, 1024, 64) in each dimension");
    if (gx > MAX_GRID_X || gy > MAX_GRID_Y || gz > MAX_GRID_Z)
        return fail(INVALID_VALUE, call + ": " + dims.str() + ": the grid is at most (2^31-1, 65535, 65535)");
    if ((long long)f->ptx.static_shared + shared_bytes > SHARED_PER_BLOCK)
        return fail(INVALID_VALUE, call + ": " + std::to_string(f->ptx.static_shared) + " bytes of static shared memory (PTX) + " +
                                       std::to_string(shared_bytes) + " dynamic exceed the 49152 bytes of a block");
    // sm_90 hands out registers per warp in units of 256, i.e. per thread rounded up to a multiple
    // of 8: 85 registers take 88, so 768 threads need 67584 (85 x 768 would fit).
    unsigned long long per_thread = ((unsigned long long)f->kernel->registers + 7) / 8 * 8;
    unsigned long long regs = per_thread * 32 * ((threads + 31) / 32);
    if (regs > (unsigned long long)REGISTERS_PER_BLOCK)
        return fail(LAUNCH_OUT_OF_RESOURCES, call + ": " + std::to_string(f->kernel->registers) + " registers per thread (ptxas -v, sm_90; " +
                                                 std::to_string(per_thread) + " as allocated per warp) x " +
                                                 std::to_string((threads + 31) / 32) + " warps of 32 threads = " +
                                                 std::to_string(regs) + " exceed the 65536 registers of a block");
    const Kernel& k = *f->kernel;
    if (f->ptx.param_sizes.size() != k.sizes.size())
        return fail(INVALID_VALUE, call + ": the PTX declares " + std::to_string(f->ptx.param_sizes.size()) +
                                       " parameters but the compiled kernel takes " + std::to_string(k.sizes.size()) +
                                       " (stale PTX, or a .cu changed without make kernels)");
    for (std::size_t i = 0; i < k.sizes.size(); i++)
        if (f->ptx.param_sizes[i] != k.sizes[i])
            return fail(INVALID_VALUE, call + ": parameter " + std::to_string(i) + " (" + k.params[i] + ") is " +
                                           std::to_string(f->ptx.param_sizes[i]) + " bytes in the PTX but " +
                                           std::to_string(k.sizes[i]) + " in the compiled kernel (stale PTX)");
    if (!params && !k.sizes.empty()) return fail(INVALID_VALUE, call + ": kernelParams is NULL");
    // The values are read now, as on a GPU: the caller may change its holders after this returns.
    auto values = std::make_shared<std::vector<unsigned long long>>(k.sizes.size());
    std::string misaligned;
    for (std::size_t i = 0; i < k.sizes.size(); i++) {
        if (!params[i]) return fail(INVALID_VALUE, call + ": kernelParams[" + std::to_string(i) + "] is NULL");
        std::memcpy(&(*values)[i], params[i], k.sizes[i]);
        if (k.pointers[i] && (*values)[i]) {
            std::string why = check_range(ctx->device, (void*)(*values)[i], 0);
            if (!why.empty())
                return fail(INVALID_VALUE, call + ": argument " + std::to_string(i) + " (" + k.params[i] + "): " + why);
            if ((*values)[i] % k.alignments[i] && misaligned.empty())
                misaligned = "argument " + std::to_string(i) + " (" + k.params[i] + ") = " + hex((void*)(*values)[i]) +
                             " is not a multiple of " + std::to_string(k.alignments[i]) + ", the size of its element";
        }
    }
    if (!misaligned.empty()) {
        // x86 reads a misaligned float, a GPU does not: there the launch succeeds and the kernel's
        // first access faults, a sticky error the next synchronisation returns. So the launch is
        // queued as a failure in its place (whether or not the kernel would touch the pointer).
        enqueue(s, call, [misaligned] { return misaligned; }, MISALIGNED_ADDRESS);
        return SUCCESS;
    }
    bool sync = f->ptx.syncs;
    enqueue(s, call, [values, &k, gx, gy, gz, bx, by, bz, sync, call] {
        std::vector<void*> ptrs(values->size());
        for (std::size_t i = 0; i < ptrs.size(); i++) ptrs[i] = &(*values)[i];
        emu::Options o;
        o.reverse = reverse_order;
        o.guard = guard;
        if (run(k, gx, gy, gz, bx, by, bz, sync, ptrs.data(), o)) return std::string();
        // Which allocation the faulting address belongs to (a guard page or freed memory), and which
        // arguments point into it.
        const void* at = fault_address;
        std::ostringstream why;
        why << "illegal " << (fault_write ? "write" : "read") << " at " << hex(at);
        Allocation* a = mapping_of(at);
        if (a) {
            const char* c = (const char*)at;
            if (!a->live) why << ": use after free of " << describe(a);
            else if (c >= a->base + a->bytes) why << ", " << (c - (a->base + a->bytes)) << " bytes past the end of " << describe(a);
            else why << ", " << (a->base - c) << " bytes before the start of " << describe(a);
            std::string args;
            for (std::size_t i = 0; i < k.sizes.size(); i++)
                if (k.pointers[i] && (*values)[i] && mapping_of((void*)(*values)[i]) == a)
                    args += (args.empty() ? "" : ", ") + std::string("argument ") + std::to_string(i) + " (" + k.params[i] + ")";
            if (!args.empty()) why << ", which " << args << " points into";
        } else {
            why << " (in no allocation)";
        }
        return why.str();
    });
    return SUCCESS;
}

// --- errors and the profiler --------------------------------------------------------------------
CUresult cuGetErrorName(CUresult r, const char** s) {
    *s = error_name(r);
    return SUCCESS;
}

CUresult cuGetErrorString(CUresult r, const char** s) {
    LOCK;
    auto it = details.find(r);
    *s = it != details.end() ? it->second.c_str() : error_name(r);
    return SUCCESS;
}

CUresult cuProfilerStart() { return SUCCESS; } // no profiler to start: nsys/ncu need a GPU
CUresult cuProfilerStop() { return SUCCESS; }

}  // extern "C"

// Every other entry point JCuda links: an honest "not emulated" naming the call.
#define SPIKESTEP_EMU_UNSUPPORTED(name)                                                              \
    extern "C" CUresult name() {                                                                     \
        LOCK;                                                                                        \
        return fail(NOT_SUPPORTED, #name " is not emulated (Spikestep does not call it)");           \
    }
#include "cuda_unsupported.inc"
