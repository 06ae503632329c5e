#!/usr/bin/python3
"""Writes src/test/resources/fixtures/torch_state_dict.safetensors: the state_dict of the notebook's
LIFSNN (hidden 16, torch.manual_seed(12)), saved as safetensors with numpy only, plus
torch_state_dict.json with what the Java test checks (shapes, first values, float64 sums).
Spikestep's tests read both (CI has no torch); rerun this only to change the fixture:

    /usr/bin/python3 src/test/python/write_torch_fixture.py
"""
import json
import os

import numpy as np
import torch

from notebook_model import LIFSNN
import safetensors_np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "fixtures")

torch.manual_seed(12)
model = LIFSNN(hidden=16)
sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
assert list(sd) == ["fc1.weight", "fc_out.weight"], list(sd)
os.makedirs(OUT, exist_ok=True)
safetensors_np.save(os.path.join(OUT, "torch_state_dict.safetensors"), sd)
summary = {k: {"shape": list(a.shape), "first": [float(x) for x in a.reshape(-1)[:4]],
               "sum": float(a.astype(np.float64).sum())} for k, a in sd.items()}
with open(os.path.join(OUT, "torch_state_dict.json"), "w") as f:
    json.dump(summary, f, indent=1)
    f.write("\n")
# The round trip through the numpy reader gives the state_dict back, and load_state_dict takes it.
back, _ = safetensors_np.load(os.path.join(OUT, "torch_state_dict.safetensors"))
LIFSNN(hidden=16).load_state_dict({k: torch.from_numpy(v) for k, v in back.items()})
print("wrote", OUT, {k: v["shape"] for k, v in summary.items()})
