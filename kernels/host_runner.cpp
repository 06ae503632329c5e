// host_runner.cpp: runs one kernel of kernels/*.cu on the CPU through host_emu.h, the way
// cuLaunchKernel would run it on a GPU. Built by `make runner` into target/kernel-runner; the Java
// tests (HostDevice) write each launch's arguments and buffers to files, call this program, and
// read the buffers back, so that the CUDA backend's own launch sequence runs on a machine without GPU.
//
// Usage: kernel-runner ARGS_FILE (one launch), or kernel-runner --serve (many: reads one ARGS_FILE
// path per line from stdin, runs it, answers "ok" on stdout; an error is reported on stderr and
// ends the process, as in one-shot mode), where ARGS_FILE has one line each:
//   kernel NAME | grid X Y Z | block X Y Z, then the kernel's arguments in order:
//   buf PATH BYTES (device memory: read from PATH, written back after the launch) | null |
//   i32 V | i64 V | f32 BITS (the float's IEEE bits as a signed decimal)
#include "host_emu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "adam.cu"
#include "encoder.cu"
#include "linear.cu"
#include "loss.cu"
#include "neuron.cu"
#include "readout.cu"
#include "rstdp.cu"
#include "stats.cu"

// Calls f with its arguments read from the kernelParams-style array (params[i] points at argument i).
template <class... A, std::size_t... I>
static void invoke(void (*f)(A...), void** params, std::index_sequence<I...>) {
    f(*static_cast<std::remove_cv_t<A>*>(params[I])...);
}

struct Kernel {
    std::function<void(void**)> call;
    bool sync; // uses __syncthreads: threads of a block run concurrently
    int arity;
};

template <class... A>
static Kernel make_kernel(void (*f)(A...), bool sync) {
    return Kernel{[f](void** p) { invoke(f, p, std::index_sequence_for<A...>{}); }, sync, (int)sizeof...(A)};
}

static std::map<std::string, Kernel> kernels() {
    return {
        {"poisson_encode_bits_kernel", make_kernel(poisson_encode_bits_kernel, false)},
        {"lif_forward_from_kernel", make_kernel(lif_forward_from_kernel, false)},
        {"rstdp_begin_kernel", make_kernel(rstdp_begin_kernel, false)},
        {"rstdp_hidden_current_kernel", make_kernel(rstdp_hidden_current_kernel, false)},
        {"rstdp_count_spikes_kernel", make_kernel(rstdp_count_spikes_kernel, false)},
        {"rstdp_output_current_kernel", make_kernel(rstdp_output_current_kernel, false)},
        {"rstdp_output_wta_kernel", make_kernel(rstdp_output_wta_kernel, false)},
        {"rstdp_sample_totals_kernel", make_kernel(rstdp_sample_totals_kernel, false)},
        {"rstdp_reward_kernel", make_kernel(rstdp_reward_kernel, false)},
        {"rstdp_update_weights_kernel", make_kernel(rstdp_update_weights_kernel, false)},
        {"lif_forward_kernel", make_kernel(lif_forward_kernel, false)},
        {"lif_backward_kernel", make_kernel(lif_backward_kernel, false)},
        {"izh_forward_kernel", make_kernel(izh_forward_kernel, false)},
        {"izh_backward_kernel", make_kernel(izh_backward_kernel, false)},
        {"izh_backward_stages_kernel", make_kernel(izh_backward_stages_kernel, false)},
        {"readout_forward_kernel", make_kernel(readout_forward_kernel, false)},
        {"readout_backward_kernel", make_kernel(readout_backward_kernel, false)},
        {"cross_entropy_kernel", make_kernel(cross_entropy_kernel, false)},
        {"correct_kernel", make_kernel(correct_kernel, false)},
        {"spike_stats_kernel", make_kernel(spike_stats_kernel, false)},
        {"adam_kernel", make_kernel(adam_kernel, false)},
        {"adam_runs_kernel", make_kernel(adam_runs_kernel, false)},
        {"spike_linear_forward_bits_kernel", make_kernel(spike_linear_forward_bits_kernel, false)},
        {"spike_linear_weight_grad_bits_kernel", make_kernel(spike_linear_weight_grad_bits_kernel, false)},
        {"gemm_tiled_kernel", make_kernel(gemm_tiled_kernel, true)},
    };
}

[[noreturn]] static void die(const std::string& msg) {
    std::cerr << "kernel-runner: " << msg << std::endl;
    std::exit(2);
}

// One launch: reads ARGS_FILE, runs the kernel, writes every buffer back to its file.
static void run(const std::string& args_file) {
    std::ifstream in(args_file);
    if (!in) die("cannot read " + args_file);
    std::string name;
    dim3 grid, block;
    struct Buf {
        std::string path;
        std::vector<double> data; // double-typed storage: 8-byte aligned like device memory
        std::size_t bytes;
    };
    std::vector<std::unique_ptr<Buf>> bufs;
    std::vector<std::unique_ptr<unsigned char[]>> values; // storage of each argument
    std::vector<void*> params;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::istringstream ls(line);
        std::string kind;
        ls >> kind;
        auto value = [&](const void* src, std::size_t n) {
            values.emplace_back(new unsigned char[8]());
            std::memcpy(values.back().get(), src, n);
            params.push_back(values.back().get());
        };
        if (kind == "kernel") {
            ls >> name;
        } else if (kind == "grid") {
            ls >> grid.x >> grid.y >> grid.z;
        } else if (kind == "block") {
            ls >> block.x >> block.y >> block.z;
        } else if (kind == "buf") {
            auto b = std::make_unique<Buf>();
            ls >> b->path >> b->bytes;
            b->data.assign((b->bytes + 7) / 8 + 1, 0.0);
            std::ifstream f(b->path, std::ios::binary);
            if (!f.read(reinterpret_cast<char*>(b->data.data()), (std::streamsize)b->bytes))
                die("cannot read " + std::to_string(b->bytes) + " bytes from " + b->path);
            void* ptr = b->data.data();
            value(&ptr, sizeof ptr);
            bufs.push_back(std::move(b));
        } else if (kind == "null") {
            void* ptr = nullptr;
            value(&ptr, sizeof ptr);
        } else if (kind == "i32") {
            long long v;
            ls >> v;
            int i = (int)v;
            value(&i, 4);
        } else if (kind == "i64") {
            long long v;
            ls >> v;
            value(&v, 8);
        } else if (kind == "f32") {
            long long bits;
            ls >> bits;
            std::int32_t b32 = (std::int32_t)bits;
            value(&b32, 4);
        } else {
            die("unknown line: " + line);
        }
    }
    static const auto table = kernels();
    auto it = table.find(name);
    if (it == table.end()) die("unknown kernel '" + name + "'");
    if ((int)params.size() != it->second.arity)
        die(name + " takes " + std::to_string(it->second.arity) + " arguments, got " + std::to_string(params.size()));
    emu::launch(grid, block, it->second.sync, [&] { it->second.call(params.data()); });
    for (auto& b : bufs) {
        std::ofstream f(b->path, std::ios::binary | std::ios::trunc);
        if (!f.write(reinterpret_cast<const char*>(b->data.data()), (std::streamsize)b->bytes))
            die("cannot write " + b->path);
    }
}

int main(int argc, char** argv) {
    if (argc != 2) die("usage: kernel-runner ARGS_FILE | kernel-runner --serve");
    if (std::string(argv[1]) != "--serve") {
        run(argv[1]);
        return 0;
    }
    // A persistent runner saves a process start per launch (the tests make thousands).
    std::string path;
    while (std::getline(std::cin, path)) {
        if (path.empty()) continue;
        run(path);
        std::cout << "ok" << std::endl; // endl flushes: the caller waits for this line
    }
    return 0;
}
