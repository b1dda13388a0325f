#!/usr/bin/env python3
"""The PyTorch peer of `npm run bench:speed`: the same networks, batch, optimizer and DDIM sampler
as mixcast, timed on the same machine in the same run.

Usage (one JSON object on stdout):
  peer.py ref      --steps N --threads T               MLP 128 -> 3x256 -> 48, ReLU, MSE, Adam, batch 256
  peer.py train    --data F --steps N --threads T      mixcast's denoiser + training loop on the days in F
  peer.py sample   --data F --count N --steps S --threads T   DDIM (eta 0) with S steps, N rows
  peer.py ddpm     --data F --steps N --count C --threads T   plain DDPM (one zero center, no label,
                                                        no skip) trained N steps, then C samples (ddim:50)

F (written by bench/speed.ts) holds the model-space days `z`, component labels, centers, the
skip basis (U, lambda; absent = no skip), sampling bounds and the network/optimizer settings.
The denoiser mirrors src/nn/denoiser.ts: sinusoidal time features of 1000 t -> Linear -> SiLU ->
Linear (+ component embedding + context Linear) = c; h = Linear(x); per block h += W2 silu(W1 silu(h) + T silu(c) + b1);
out = Linear(silu(h)). Training mirrors src/train/index.ts: DDPM linear beta schedule (T = 1000),
t = i/T, eps-prediction MSE with the Gaussian skip added, Adam with linear warm-up and cosine decay,
global-norm clipping, EMA. The sampler mirrors src/diffusion (DDIM, x0 clipped to the bounds).
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def silu(x):
    return F.silu(x)


class Denoiser(nn.Module):
    def __init__(self, d, hidden, blocks, time_dim, components, label, context_dim=0):
        super().__init__()
        self.inp = nn.Linear(d, hidden)
        self.t1 = nn.Linear(time_dim, hidden)
        self.t2 = nn.Linear(hidden, hidden)
        self.emb = nn.Embedding(components, hidden) if label else None
        self.ctx = nn.Linear(context_dim, hidden, bias=False) if context_dim > 0 else None
        self.w1 = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(blocks)])
        self.temb = nn.ModuleList([nn.Linear(hidden, hidden, bias=False) for _ in range(blocks)])
        self.w2 = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(blocks)])
        self.out = nn.Linear(hidden, d)
        half = time_dim // 2
        self.register_buffer("freqs", torch.exp(-math.log(10000) * torch.arange(half) / max(1, half - 1)))

    def forward(self, x, t, k, u=None):
        arg = (1000 * t)[:, None] * self.freqs[None, :]
        feat = torch.cat([torch.sin(arg), torch.cos(arg)], 1)
        c = self.t2(silu(self.t1(feat)))
        if self.emb is not None:
            c = c + self.emb(k)
        if self.ctx is not None:
            c = c + self.ctx(u)
        tact = silu(c)
        h = self.inp(x)
        for w1, te, w2 in zip(self.w1, self.temb, self.w2):
            a = w1(silu(h)) + te(tact)
            h = h + w2(silu(a))
        return self.out(silu(h))


def alpha_bars(T=1000):
    b0, b1 = 1e-4 * (1000 / T), 0.02 * (1000 / T)
    betas = torch.tensor([min(0.999, b0 + (b1 - b0) * i / max(1, T - 1)) for i in range(T)], dtype=torch.float64)
    return torch.cat([torch.ones(1, dtype=torch.float64), torch.cumprod(1 - betas, 0)])


class Setup:
    def __init__(self, data, label=None, skip=None, centred=True):
        self.z = torch.tensor(data["z"], dtype=torch.float32)
        n, self.d = self.z.shape
        comps = data.get("components") or [0] * n
        self.k = torch.tensor(comps, dtype=torch.long)
        self.K = max(comps) + 1
        self.label = data.get("label", False) if label is None else label
        use_skip = (data.get("U") is not None) if skip is None else skip
        self.c = torch.tensor(data["centers"], dtype=torch.float32) if centred else torch.zeros(n, self.d)
        self.U = torch.tensor(data["U"], dtype=torch.float32) if use_skip and data.get("U") else None
        self.lam = torch.tensor(data["lambda"], dtype=torch.float32) if self.U is not None else None
        self.skip = use_skip
        # Context rows of the model's width; random stand-ins (the time per step does not depend on them).
        self.context_dim = data.get("contextDim", 0) or 0
        gen = torch.Generator().manual_seed(7)
        self.u = torch.randn(n, self.context_dim, generator=gen) if self.context_dim > 0 else None
        self.lo = torch.tensor(data["bounds"]["lo"], dtype=torch.float32)
        self.hi = torch.tensor(data["bounds"]["hi"], dtype=torch.float32)
        net = data.get("net", {})
        self.hidden = net.get("hidden", 128)
        self.blocks = net.get("blocks", 3)
        self.time_dim = net.get("timeDim", 64)
        self.batch = net.get("batch", 256)
        self.lr = net.get("lr", 2e-3)
        ab = alpha_bars(1000)
        self.alpha = ab.sqrt().float()
        self.sigma = (1 - ab).clamp(min=0).sqrt().float()

    def make_net(self, seed):
        torch.manual_seed(seed)
        return Denoiser(self.d, self.hidden, self.blocks, self.time_dim, self.K, self.label, self.context_dim)

    def skip_term(self, y, a, s):
        """eps*(y) = U diag(s / (a^2 lambda + s^2)) U^T y (or s/(a^2+s^2) y without a basis)."""
        if not self.skip:
            return 0
        if self.U is None:
            return y * (s / (a * a + s * s))
        gain = s / (a * a * self.lam[None, :] + s * s)
        return ((y @ self.U) * gain) @ self.U.T

    def eps(self, net, y, i, c, k, u=None):
        """The network's eps for centred y at grid index i (t = i/1000), rows with centers c and labels k."""
        a, s = self.alpha[i], self.sigma[i]
        t = i.float() / 1000 if torch.is_tensor(i) else torch.full((y.shape[0],), i / 1000)
        a_ = a[:, None] if torch.is_tensor(a) and a.dim() else a
        s_ = s[:, None] if torch.is_tensor(s) and s.dim() else s
        cin = 1 / torch.sqrt(a_ * a_ + s_ * s_)
        out = net((y + c) * cin, t, k, u)
        return out + self.skip_term(y, a_, s_)


def train(setup, steps, seed=1, warm=5, record=None):
    torch.manual_seed(seed)
    net = setup.make_net(seed)
    ema = [p.detach().clone() for p in net.parameters()]
    opt = torch.optim.Adam(net.parameters(), lr=setup.lr, betas=(0.9, 0.999), eps=1e-8)
    n = setup.z.shape[0]
    total = steps + warm

    def lr_at(step):
        w = min(1, (step + 1) / 100)
        prog = min(1, step / max(1, steps))
        return setup.lr * w * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * prog)))

    t0 = None
    c0 = None
    loss_v = float("nan")
    for step in range(total):
        if step == warm:
            t0 = time.perf_counter()
            c0 = time.process_time()
        s = step - warm if step >= warm else step
        for g in opt.param_groups:
            g["lr"] = lr_at(s)
        rows = torch.randint(0, n, (setup.batch,))
        i = torch.randint(1, 1001, (setup.batch,))
        x0, c, k = setup.z[rows], setup.c[rows], setup.k[rows]
        u = setup.u[rows] if setup.u is not None else None
        e = torch.randn_like(x0)
        a, sg = setup.alpha[i][:, None], setup.sigma[i][:, None]
        y = a * (x0 - c) + sg * e
        pred = setup.eps(net, y, i, c, k, u)
        loss = F.mse_loss(pred, e)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        decay = min(0.995, (1 + s) / (10 + s))
        with torch.no_grad():
            for m, p in zip(ema, net.parameters()):
                m.mul_(decay).add_(p.detach(), alpha=1 - decay)
        loss_v = loss.item()
        if step == warm - 1:
            # warm-up done: start the measured run from a fresh network and optimizer state
            net = setup.make_net(seed)
            ema = [p.detach().clone() for p in net.parameters()]
            opt = torch.optim.Adam(net.parameters(), lr=setup.lr, betas=(0.9, 0.999), eps=1e-8)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    with torch.no_grad():
        for m, p in zip(ema, net.parameters()):
            p.copy_(m)
    return net, {"steps": steps, "seconds": seconds, "cpuSeconds": cpu, "stepsPerSec": steps / seconds, "finalLoss": loss_v}


@torch.no_grad()
def ddim(setup, net, comps, steps, seed=1):
    torch.manual_seed(seed)
    n = len(comps)
    k = torch.tensor(comps, dtype=torch.long)
    c = setup.C[k] if hasattr(setup, "C") else torch.zeros(n, setup.d)
    y = torch.randn(n, setup.d)
    u = setup.u[torch.arange(n) % setup.u.shape[0]] if setup.u is not None else None
    grid = [round(1000 * (steps - j) / steps) for j in range(steps + 1)]
    for j in range(steps):
        ti, si = grid[j], grid[j + 1]
        e = setup.eps(net, y, ti, c, k, u)
        a, s = setup.alpha[ti], setup.sigma[ti]
        x0 = torch.minimum(torch.maximum(c + (y - s * e) / a, setup.lo), setup.hi)
        e = (y - a * (x0 - c)) / s
        y0 = (y - s * e) / a
        if si <= 0:
            y = y0
            break
        y = setup.alpha[si] * y0 + setup.sigma[si] * e
    return y + c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["ref", "train", "sample", "ddpm"])
    ap.add_argument("--data")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--sampler-steps", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    info = {"torch": torch.__version__, "threads": torch.get_num_threads(), "python": sys.version.split()[0]}

    if args.mode == "ref":
        torch.manual_seed(args.seed)
        sizes = [128, 256, 256, 256, 48]
        layers = []
        for i in range(4):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < 3:
                layers.append(nn.ReLU())
        net = nn.Sequential(*layers)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        x, y = torch.randn(256, 128), torch.randn(256, 48)

        def step():
            loss = F.mse_loss(net(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss.item()

        for _ in range(5):
            step()
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(args.steps):
            step()
        sec = time.perf_counter() - t0
        out = {"steps": args.steps, "seconds": sec, "cpuSeconds": time.process_time() - c0, "stepsPerSec": args.steps / sec,
               "params": sum(p.numel() for p in net.parameters())}
    else:
        with open(args.data) as f:
            data = json.load(f)
        if args.mode == "ddpm":
            setup = Setup(data, label=False, skip=False, centred=False)
            net, r = train(setup, args.steps, seed=args.seed)
            t0 = time.perf_counter()
            samples = ddim(setup, net, [0] * args.count, args.sampler_steps, seed=args.seed + 1)
            out = {**r, "sampleSeconds": time.perf_counter() - t0, "samples": samples.tolist()}
        else:
            setup = Setup(data)
            setup.C = torch.tensor(data["componentCenters"], dtype=torch.float32)
            if args.mode == "train":
                net, out = train(setup, args.steps, seed=args.seed)
                out["params"] = sum(p.numel() for p in net.parameters())
            else:
                net = setup.make_net(args.seed)
                comps = [i % setup.K for i in range(args.count)]
                ddim(setup, net, comps[:8], 5)  # warm-up
                t0, c0 = time.perf_counter(), time.process_time()
                ddim(setup, net, comps, args.sampler_steps, seed=args.seed)
                out = {"seconds": time.perf_counter() - t0, "cpuSeconds": time.process_time() - c0, "count": args.count,
                       "samplerSteps": args.sampler_steps}
    print(json.dumps({**info, **out}))


if __name__ == "__main__":
    main()
