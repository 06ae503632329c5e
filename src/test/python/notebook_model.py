"""The notebook's LIFSNN (seed notebook, cell "class LIFSNN"), written out in plain PyTorch without
spikingjelly: fc1 (784 -> hidden, no bias) -> LIF node (tau 2, v_th 1, v_reset 0, decay_input,
integrator euler or exp) -> fc_out (hidden -> 10, no bias) every step, readout max/mean/sum/last.
Its state_dict holds exactly fc1.weight and fc_out.weight, the names of a Spikestep checkpoint.
"""
import math

import torch
import torch.nn as nn


class LIFSNN(nn.Module):
    def __init__(self, integrator="exp", dt=5.0, T=50, readout="max", hidden=256, tau=2.0, v_th=1.0, v_reset=0.0):
        super().__init__()
        self.integrator, self.dt, self.T, self.readout = integrator, float(dt), int(T), readout
        self.tau, self.v_th, self.v_reset = float(tau), float(v_th), float(v_reset)
        self.fc1 = nn.Linear(28 * 28, hidden, bias=False)
        self.fc_out = nn.Linear(hidden, 10, bias=False)

    def charge(self, v, x):
        # SPEC 2, decay_input = true
        if self.integrator == "euler":
            return v + self.dt * (x - (v - self.v_reset)) / self.tau
        e = math.exp(-self.dt / self.tau)
        return v * e + (self.v_reset + x) * (1 - e)

    def forward(self, x, generator):
        x = x.view(x.size(0), -1)
        p = 1 - torch.exp(-x.clamp(min=0) * self.dt)  # the "exact" Poisson encoder, SPEC 1
        v = torch.full((x.size(0), self.fc1.out_features), self.v_reset)
        acc = None
        spikes = 0.0
        for _ in range(self.T):
            x_t = (torch.rand(x.shape, generator=generator) < p).float()
            h = self.charge(v, self.fc1(x_t))
            s = (h >= self.v_th).float()
            spikes += float(s.sum())
            v = (1 - s) * h + s * self.v_reset
            out = self.fc_out(s)
            if self.readout == "max":
                acc = out if acc is None else torch.maximum(acc, out)
            elif self.readout == "last":
                acc = out
            else:
                acc = out if acc is None else acc + out
        if self.readout == "mean":
            acc = acc / self.T
        return acc, spikes
