#!/usr/bin/python3
"""PyTorch oracle for tests/pytorch-oracle.test.ts.

Usage: /usr/bin/python3 tests/oracle/mlp_oracle.py IN.json OUT.json

IN.json (written by the node test) holds, per case: the layer spec (the engine's LayerSpec JSON),
the parameters in the engine's describeParams order with their initial values (Dense W stored
(in, out) row-major, as the engine keeps it), the batches (x rows, integer labels), the optimizer
spec (the user-facing OptimizerSpec), clipNorm and lr. This script builds the same model
from torch.nn.Linear (weight = W transposed), trains it for len(batches) steps with
CrossEntropyLoss(mean) and torch.optim.{SGD,Adam,AdamW} (+ clip_grad_norm_), once in float32 and
once in float64, and writes per precision the final parameters (back in the engine's layout), the
per-step losses and the per-step global gradient norms (before clipping). The optimizer gets only
the hyperparameters the case's OptimizerSpec sets, so torch's defaults (betas 0.9/0.999, eps 1e-8,
AdamW weight_decay 0.01) are checked against the engine's optimizerConfig defaults.
"""
import json
import sys

try:
    import torch
    import torch.nn as nn
except ImportError as e:  # the node test turns this into a failure with the message below
    sys.stderr.write(f"PYTORCH_MISSING: {e}\n")
    sys.exit(3)


class Residual(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


def act_module(name):
    if name in (None, "none"):
        return None
    if name == "relu":
        return nn.ReLU()
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "leaky_relu":
        return nn.LeakyReLU(0.01)
    raise ValueError(f"activation {name!r} not supported by the oracle")


def build(layers, width, linears):
    """Returns (nn.Sequential, out width); appends every Linear to `linears` in describeParams order."""
    mods = []
    for l in layers:
        k = l["kind"]
        if k == "dense":
            lin = nn.Linear(width, l["units"])
            linears.append(lin)
            mods.append(lin)
            a = act_module(l.get("activation"))
            if a is not None:
                mods.append(a)
            width = l["units"]
        elif k == "activation":
            mods.append(act_module(l["fn"]))
        elif k == "residual":
            inner, w2 = build(l["layers"], width, linears)
            if w2 != width:
                raise ValueError("residual changes the width")
            mods.append(Residual(inner))
        else:
            raise ValueError(f"layer kind {k!r} not supported by the oracle")
    return nn.Sequential(*mods), width


def run_case(case, dtype, clip_override=None):
    torch.manual_seed(0)  # nn.Linear's own init is overwritten below; this only fixes its draws
    linears = []
    model, _ = build(case["layers"], case["inputDim"], linears)
    model = model.to(dtype)
    params = case["params"]
    if len(params) != 2 * len(linears):
        raise ValueError(f"{case['name']}: {len(params)} params for {len(linears)} Linear layers")
    with torch.no_grad():
        for i, lin in enumerate(linears):
            W, b = params[2 * i], params[2 * i + 1]
            fin, fout = W["shape"]
            # Engine W is (in, out) row-major; torch weight is (out, in).
            w = torch.tensor(W["init"], dtype=dtype).reshape(fin, fout).t().contiguous()
            assert lin.weight.shape == w.shape, (lin.weight.shape, w.shape)
            lin.weight.copy_(w)
            lin.bias.copy_(torch.tensor(b["init"], dtype=dtype))

    tparams = []
    for lin in linears:
        tparams += [lin.weight, lin.bias]
    # Only the fields the OptimizerSpec sets are passed; torch fills in its own defaults.
    o = case["optimizer"]
    kw = {"lr": case["lr"]}
    if "weightDecay" in o:
        kw["weight_decay"] = o["weightDecay"]
    if o["kind"] == "sgd":
        for k, tk in (("momentum", "momentum"), ("nesterov", "nesterov")):
            if k in o:
                kw[tk] = o[k]
        opt = torch.optim.SGD(tparams, **kw)
    elif o["kind"] in ("adam", "adamw"):
        if "beta1" in o or "beta2" in o:
            kw["betas"] = (o.get("beta1", 0.9), o.get("beta2", 0.999))
        if "eps" in o:
            kw["eps"] = o["eps"]
        opt = (torch.optim.Adam if o["kind"] == "adam" else torch.optim.AdamW)(tparams, **kw)
    else:
        raise ValueError(o["kind"])
    hyper = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    clip = case["clipNorm"] if clip_override is None else clip_override

    loss_fn = nn.CrossEntropyLoss(reduction="mean")
    D = case["inputDim"]
    losses, norms = [], []
    for bt in case["batches"]:
        x = torch.tensor(bt["x"], dtype=dtype).reshape(-1, D)
        y = torch.tensor(bt["y"], dtype=torch.long)
        opt.zero_grad(set_to_none=False)
        loss = loss_fn(model(x), y)
        loss.backward()
        norms.append(float(torch.sqrt(sum((p.grad.double() ** 2).sum() for p in tparams))))
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(tparams, clip)
        opt.step()
        losses.append(float(loss))

    final = []
    for i, lin in enumerate(linears):
        final.append(lin.weight.detach().t().contiguous().reshape(-1).double().tolist())  # back to (in, out)
        final.append(lin.bias.detach().double().tolist())
    hyper = {k: v for k, v in hyper.items() if isinstance(v, (int, float, bool, tuple, list))}
    return {"params": final, "losses": losses, "gradNorms": norms, "hyper": hyper}


def main():
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    out = {"torch": torch.__version__, "cases": {}}
    for case in cfg["cases"]:
        r = {"f32": run_case(case, torch.float32), "f64": run_case(case, torch.float64)}
        if case["clipNorm"] > 0:
            # The same run without clipping: shows that clipping changes the result by more than the
            # test's tolerance (a clip the engine silently skipped would be caught).
            r["f64NoClip"] = run_case(case, torch.float64, clip_override=0)
        out["cases"][case["name"]] = r
    with open(sys.argv[2], "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
