#!/usr/bin/python3
"""Loads a checkpoint Spikestep wrote into the notebook's LIFSNN in PyTorch and evaluates it.

    /usr/bin/python3 src/test/python/check_checkpoint.py CKPT.safetensors DATA/mnist-sample [--batches N]

Reads the file with numpy only (safetensors_np: header parsed, np.frombuffer), builds the model from
the checkpoint's __metadata__ (integrator, dt, T, readout, hidden), load_state_dict(strict=True),
and runs the test set (IDX t10k files) with torch's own random numbers for the Poisson encoder. The
accuracy then differs from Spikestep's (other random spike trains) only by sampling noise: the check
passes when it is within --tolerance points of the checkpoint's test_acc.
"""
import argparse
import gzip
import os
import sys

import numpy as np
import torch

from notebook_model import LIFSNN
import safetensors_np


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(d, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    sys.exit(f"error: no {stem} in {d}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("data")
    ap.add_argument("--batches", type=int, default=0, help="test batches of 256, 0 = all")
    ap.add_argument("--tolerance", type=float, default=3.0)
    a = ap.parse_args()
    tensors, meta = safetensors_np.load(a.checkpoint)
    assert meta.get("format") == "spikestep-1", meta
    assert meta["model"] == "lif" and meta.get("decay_input", "true") == "true", "the notebook model is LIF, decay_input"
    model = LIFSNN(integrator=meta["integrator"], dt=float(meta["dt"]), T=int(meta["T"]), readout=meta["readout"],
                   hidden=tensors["fc1.weight"].shape[0], tau=float(meta["tau"]), v_th=float(meta["v_th"]),
                   v_reset=float(meta["v_reset"]))
    model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    images = torch.from_numpy(idx(find(a.data, "t10k-images-idx3-ubyte")).astype(np.float32) / 255.0)
    labels = torch.from_numpy(idx(find(a.data, "t10k-labels-idx1-ubyte")).astype(np.int64))
    g = torch.Generator().manual_seed(0)
    correct = n = 0
    spikes = 0.0
    with torch.no_grad():
        for k in range(0, len(images), 256):
            if a.batches and k // 256 >= a.batches:
                break
            logits, s = model(images[k:k + 256], g)
            correct += int((logits.argmax(1) == labels[k:k + 256]).sum())
            n += len(logits)
            spikes += s
    acc = 100.0 * correct / n
    rate = spikes / (n * model.T * model.fc1.out_features)
    want = float(meta["test_acc"])
    print(f"PyTorch LIFSNN with {a.checkpoint}: test accuracy {acc:.2f}% on {n} samples, hidden spike rate {rate:.4f}; "
          f"Spikestep's {want:.2f}% (epoch {meta['epoch']}, {meta['integrator']} dt {meta['dt']} T {meta['T']})")
    if abs(acc - want) > a.tolerance:
        sys.exit(f"FAIL: {acc:.2f}% vs {want:.2f}% differs by more than {a.tolerance} points")
    print("OK")


if __name__ == "__main__":
    main()
