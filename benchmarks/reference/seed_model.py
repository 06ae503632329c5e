#!/usr/bin/env python3
"""The seed notebook's model as PyTorch runs it: a per-step Python loop (encoder, fc1, neuron,
fc_out every step), autograd BPTT, Adam. Timed the way benchmarks/cpu-vs-pytorch.sh times
Spikestep: full training steps on real batches after warm-up, median seconds per step.

The neurons are the SPEC's equations (the spikingjelly fork's LIFNode/IzhikevichNode with
`integrator` and `dt`) written in plain torch, stateful per step as spikingjelly runs them, with the
sigmoid surrogate (alpha 4) and the reset not detached. Needs Debian's python3-torch:

    /usr/bin/python3 benchmarks/reference/seed_model.py --data data/mnist-sample --model lif \
        --integrator exp --dt 5 --threads 2 --warmup 2 --repeats 5
"""
import argparse
import gzip
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn


class SigmoidSpike(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        return (z >= 0).to(z.dtype)

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.saved_tensors
        s = torch.sigmoid(4.0 * z)
        return g * 4.0 * s * (1 - s)


class LIF(nn.Module):
    def __init__(self, integrator, dt, tau=2.0, v_th=1.0, v_reset=0.0):
        super().__init__()
        self.integrator, self.dt, self.tau, self.v_th, self.v_reset = integrator, dt, tau, v_th, v_reset
        self.e = math.exp(-dt / tau)
        self.v = None

    def forward(self, x):
        v = torch.full_like(x, self.v_reset) if self.v is None else self.v
        if self.integrator == "euler":
            h = v + self.dt * (x - (v - self.v_reset)) / self.tau
        else:
            h = v * self.e + (self.v_reset + x) * (1 - self.e)
        s = SigmoidSpike.apply(h - self.v_th)
        self.v = (1 - s) * h + s * self.v_reset
        return s


class Izh(nn.Module):
    def __init__(self, integrator, dt):
        super().__init__()
        self.integrator, self.dt = integrator, dt
        self.tau, self.v_c, self.a0, self.v_th, self.v_reset = 2.0, 0.8, 1.0, 1.0, 0.0
        self.v_rest, self.w_rest, self.tau_w, self.a, self.b = -0.1, 0.0, 2.0, 0.02, 0.2
        self.v = self.w = None

    def forward(self, x):
        v = torch.full_like(x, self.v_reset) if self.v is None else self.v
        w = torch.full_like(x, self.w_rest) if self.w is None else self.w
        charge = lambda v, w: v + self.dt * (x + self.a0 * (v - self.v_rest) * (v - self.v_c) - w) / self.tau
        adapt = lambda v, w: w + self.dt * (self.a * (v - self.v_rest) - w) / self.tau_w
        if self.integrator == "euler":
            v = charge(v, w)
            w = adapt(v, w)
        else:
            w = adapt(v, w)
            v = charge(v, w)
        s = SigmoidSpike.apply(v - self.v_th)
        self.v = (1 - s) * v + s * self.v_reset
        self.w = w + self.b * s
        return s


class SeedNet(nn.Module):
    def __init__(self, neuron, T):
        super().__init__()
        self.fc1 = nn.Linear(784, 256, bias=False)
        self.neuron = neuron
        self.fc_out = nn.Linear(256, 10, bias=False)
        self.T = T

    def forward(self, x, dt):
        self.neuron.v = None
        if hasattr(self.neuron, "w"):
            self.neuron.w = None
        p = 1 - torch.exp(-x.clamp(min=0) * dt)  # PoissonEncoderWithDt, method 'exact'
        out_max = None
        for _ in range(self.T):
            x_t = (torch.rand_like(p) < p).to(x.dtype)
            s = self.neuron(self.fc1(x_t))
            out = self.fc_out(s)
            out_max = out if out_max is None else torch.maximum(out_max, out)
        return out_max


def read_idx(path):
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            data = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
            ndim = data[3]
            dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    sys.exit(f"error: {path}[.gz] not found (prepare it with: spikestep data mnist-sample)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="directory with the IDX training files")
    ap.add_argument("--model", choices=["lif", "izh"], default="lif")
    ap.add_argument("--integrator", default=None)
    ap.add_argument("--dt", type=float, default=5.0)
    ap.add_argument("--T", type=int, default=50)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu", help="torch device: cpu, or cuda for the GPU reference")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    integ = args.integrator or ("exp" if args.model == "lif" else "symplectic")
    neuron = LIF(integ, args.dt) if args.model == "lif" else Izh(integ, args.dt)
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        sys.exit("error: --device cuda but torch sees no GPU (torch.cuda.is_available() is False)")
    net = SeedNet(neuron, args.T).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    images = torch.from_numpy(read_idx(os.path.join(args.data, "train-images-idx3-ubyte")).copy())
    labels = torch.from_numpy(read_idx(os.path.join(args.data, "train-labels-idx1-ubyte")).copy()).long()
    x_all = (images.reshape(len(images), -1).float() / 255.0).to(dev)
    labels = labels.to(dev)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    times = []
    for k in range(args.warmup + args.repeats):
        first = (k * args.batch) % (len(x_all) - args.batch)
        x, y = x_all[first:first + args.batch], labels[first:first + args.batch]
        sync()
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x, args.dt), y)
        loss.backward()
        opt.step()
        sync()  # CUDA work is asynchronous: the step ends when the GPU is done
        if k >= args.warmup:
            times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(json.dumps({"impl": "pytorch-per-step", "torch": torch.__version__, "device": str(dev), "threads": args.threads,
                      "model": args.model, "integrator": integ, "dt": args.dt, "T": args.T, "batch": args.batch,
                      "steps": len(times), "median_step_s": median, "min_step_s": min(times),
                      "max_step_s": max(times), "samples_per_s": args.batch / median,
                      "s_per_60k_epoch": (60000 // args.batch) * median}))


if __name__ == "__main__":
    main()
