"""PyTorch side of `npm run bench:node` (scripts/bench-node.ts): the same four reference models,
sizes, optimizer (Adam, lr 1e-3) and batch sizes as this engine's benchmark (scripts/bench/ours.ts,
scripts/bench/tfjs-models.ts), plus torch.matmul, timed the same way (scripts/bench/measure.ts:
a warm-up step, a probe that sizes the repetitions, then the median over repetitions of the time
per step, each repetition ending in a wait for the device).

fp32 throughout: TF32 is disabled for matmuls, cuDNN convolutions and RNNs (the engine computes in
fp32) through both the legacy switches (allow_tf32) and, on PyTorch >= 2.9, fp32_precision, and
checked with a product and a convolution whose TF32 results differ from fp32's. Every item reads
the switches again and records them (tf32, tf32_off); an item where they are not off is an error.
cudnn.benchmark is on.

Training items also read the loss outside the timed window, as scripts/bench/measure.ts does:
loss_start is the mean loss of the first k steps (batches 0 .. k-1), loss_end that of the same k
batches visited again after the last repetition (the Node side refuses a line whose loss is not
finite or did not fall).

Variants, each model trained from a fresh initialisation:
  eager       the usual loop: zero_grad(set_to_none), forward, backward, Adam step (foreach).
  cuda-graph  (CUDA only) forward, backward and a capturable Adam step captured once in a CUDA graph
              (torch.cuda.graph after a warm-up on a side stream, as PyTorch's docs show), then
              one replay per step.
Data lives on the device in both; each step gathers its batch by an index read from a device-side
step counter that the step itself advances, so a step needs no host-to-device copy (and the graph
is the whole step).

Batch sizes: each model trains at its reference batch (REF_BATCH: mlp 128, cnn 64, lstm 32,
transformer 32; item "train <model>"), and CONFIG's "runs" ([[model, batch], ...], from bench:node's
--batch) adds items "train <model> batch=<B>" at other sizes, eager and CUDA graph alike. Every
training item records its "batch".

Usage:
  torch_bench.py CONFIG.json OUT.json   (what the Node benchmark runs; CONFIG names the data files)
  torch_bench.py [--quick] [--batch 8,512]   (alone: synthetic data of the same shapes, JSON on stdout)
"""
import json
import math
import os
import statistics
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")
CUDA = torch.cuda.is_available()
DEV = torch.device("cuda" if CUDA else "cpu")
QUIET = False


def log(msg):
    if not QUIET:
        print(f"torch_bench: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- precision

def disable_tf32():
    """fp32 matmuls/convolutions/RNNs; returns a description of what was set."""
    # The legacy switches first: PyTorch >= 2.9 raises on reading them when they disagree with
    # fp32_precision (and its top-level setter does not reach cudnn.conv/rnn), so both say "off".
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    how = None
    if hasattr(torch.backends, "fp32_precision"):  # PyTorch >= 2.9: the new API (mixing it with allow_tf32 is an error)
        try:
            torch.backends.fp32_precision = "ieee"
            torch.backends.cuda.matmul.fp32_precision = "ieee"
            torch.backends.cudnn.fp32_precision = "ieee"
            torch.backends.cudnn.conv.fp32_precision = "ieee"
            torch.backends.cudnn.rnn.fp32_precision = "ieee"
            how = "fp32_precision=ieee"
        except Exception as e:  # noqa: BLE001
            log(f"fp32_precision: {err_text(e)}; using allow_tf32")
    if how is None:
        how = "allow_tf32=False"
    torch.backends.cudnn.benchmark = True
    return how


def tf32_check():
    """True when a product is computed in fp32 (with TF32, 1.0001 rounds to 1 and the sum is 1024)."""
    a = torch.full((1024, 1024), 1.0001, device=DEV)
    b = torch.ones(1024, 1024, device=DEV)
    v = (a @ b)[0, 0].item()
    return abs(v - 1024.1024) < 0.01


def tf32_conv_check():
    """The same for a cuDNN convolution: 1,024 input channels of 1.0001 under a 1x1 kernel of ones."""
    x = torch.full((1, 1024, 4, 4), 1.0001, device=DEV)
    w = torch.ones(1, 1024, 1, 1, device=DEV)
    v = F.conv2d(x, w)[0, 0, 0, 0].item()
    return abs(v - 1024.1024) < 0.01


PRECISIONS = ("cuda.matmul", "cudnn.conv", "cudnn.rnn")


def tf32_flags():
    """The TF32 switches as they read now: allow_tf32 for matmul and cuDNN, and fp32_precision where it exists."""
    f = {}
    for key, get in (("matmul_allow_tf32", lambda: torch.backends.cuda.matmul.allow_tf32),
                     ("cudnn_allow_tf32", lambda: torch.backends.cudnn.allow_tf32)):
        try:
            f[key] = bool(get())
        except Exception as e:  # noqa: BLE001 (PyTorch >= 2.9 raises on mixed legacy/new settings)
            f[key] = err_text(e)
    if hasattr(torch.backends, "fp32_precision"):
        for name in PRECISIONS:
            mod = torch.backends
            try:
                for part in name.split("."):
                    mod = getattr(mod, part)
                f[f"{name}.fp32_precision"] = str(mod.fp32_precision)
            except Exception as e:  # noqa: BLE001
                f[f"{name}.fp32_precision"] = err_text(e)
    return f


def tf32_problems(f):
    """Why TF32 may be on for matmul or cuDNN convolutions (empty: off)."""
    new_api = [f"{n}.fp32_precision" for n in PRECISIONS if f"{n}.fp32_precision" in f]
    ieee = bool(new_api) and all(f[k] == "ieee" for k in new_api)
    bad = [f"{k} = {f[k]}" for k in new_api if f[k] != "ieee"]
    for k in ("matmul_allow_tf32", "cudnn_allow_tf32"):
        if f[k] is True:
            bad.append(f"{k} = True")
        elif f[k] is not False and not ieee:  # unreadable, and no fp32_precision saying ieee
            bad.append(f"{k} unreadable ({f[k]})")
    return bad


def with_tf32(item):
    """Records the switches in an item; an item measured with TF32 possibly on becomes an error."""
    f = tf32_flags()
    bad = tf32_problems(f)
    item["tf32"], item["tf32_off"] = f, not bad
    if bad and "error" not in item:
        item["error"] = "TF32 is not off: " + "; ".join(bad)
    return item


# ---------------------------------------------------------------- timing

def sync():
    if CUDA:
        torch.cuda.synchronize()


def measure(step, o, train=None):
    """As scripts/bench/measure.ts with calibrate: returns (median ms, all, iters, losses).

    train: (loss, rewind, learn_steps) for training: loss() reads the latest step's loss, rewind()
    makes the next step train batch 0 again, and the second window waits until learn_steps steps
    have run (scripts/bench/ours.ts LSTM_LEARN_STEPS); losses is then (loss_start, loss_end), both
    read outside the timed window (the mean over the first k steps, and over the same k batches
    after the last repetition).
    """
    steps = [0]

    def counted():
        steps[0] += 1
        step()

    t0 = time.perf_counter()
    counted()
    sync()
    warm = (time.perf_counter() - t0) * 1e3
    k = max(1, int(o.get("lossSteps", 3)))
    head = []
    if train:
        head.append(train[0]())
        for _ in range(1, k):
            counted()
            head.append(train[0]())
    per = warm
    target, max_iters = o["targetMs"], o["maxIters"]
    if warm < target / 4:
        n = 1
        while True:
            t = time.perf_counter()
            for _ in range(n):
                step()
            sync()
            dt = (time.perf_counter() - t) * 1e3
            steps[0] += n
            per = dt / n
            if dt >= target / 8 or 2 * n > max_iters:
                break
            n *= 2
    iters = max(1, min(max_iters, round(target / max(per, 1e-3))))
    reps = min(3, o["reps"]) if o.get("slowMs") is not None and warm > o["slowMs"] else o["reps"]
    all_ms = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(iters):
            step()
        sync()
        all_ms.append((time.perf_counter() - t) * 1e3 / iters)
        steps[0] += iters
    losses = None
    if train:
        timed = train[0]()
        if steps[0] < train[2]:  # the steps this model needs before its loss reliably falls (untimed)
            while steps[0] < train[2]:
                counted()
            if math.isfinite(timed):
                timed = train[0]()
        train[1]()
        tail = []
        for _ in range(k):
            step()
            tail.append(train[0]())
        losses = (statistics.mean(head), statistics.mean(tail) if math.isfinite(timed) else timed)
    return statistics.median(all_ms), all_ms, iters, losses


# ---------------------------------------------------------------- data

def load_data(cfg):
    """The arrays the Node side wrote (identical data), or synthetic ones of the same shapes."""
    d = cfg.get("data")
    if d:
        def arr(name, dtype, shape):
            with open(os.path.join(d["dir"], name), "rb") as f:
                return torch.frombuffer(bytearray(f.read()), dtype=dtype).reshape(shape).clone()
        m, s, t = d["mnist"], d["seq"], d["tokens"]
        return {
            "mnist_x": arr("mnist_x.f32", torch.float32, (m["n"], 784)),
            "mnist_y": arr("mnist_y.i32", torch.int32, (m["n"],)).long(),
            "seq_x": arr("seq_x.f32", torch.float32, (s["n"], s["T"], s["I"])),
            "seq_y": arr("seq_y.f32", torch.float32, (s["n"], 1)),
            "ids": arr("tok_ids.i32", torch.int32, (t["n"], t["T"])).long(),
            "labels": arr("tok_labels.i32", torch.int32, (t["n"], t["T"])).long(),
            "weights": arr("tok_weights.f32", torch.float32, (t["n"], t["T"])),
            "shapes": {"seq": s, "tokens": t}, "synthetic": False,
        }
    g = torch.Generator().manual_seed(12)
    n, T, I, H, tn, TT, V = 2048, 32, 8, 128, 1024, 32, 16
    x = torch.rand(n, 784, generator=g)
    sx = torch.rand(1024, T, I, generator=g) * 2 - 1
    w = torch.zeros(tn, TT)
    w[:, TT // 2:] = 1  # the copy task scores the answer half
    return {
        "mnist_x": x, "mnist_y": torch.randint(0, 10, (n,), generator=g),
        "seq_x": sx, "seq_y": (0.5 * sx[:, -1, 0] + 0.5 * sx[:, 0, 0]).reshape(-1, 1),
        "ids": torch.randint(0, V, (tn, TT), generator=g), "labels": torch.randint(0, V, (tn, TT), generator=g), "weights": w,
        "shapes": {"seq": {"n": 1024, "T": T, "I": I, "H": H}, "tokens": {"n": tn, "T": TT, "V": V, "D": 64, "heads": 4, "mlp": 256, "layers": 2}},
        "synthetic": True,
    }


# ---------------------------------------------------------------- models

class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))

    def forward(self, x):
        return self.net(x)


class Cnn(nn.Module):
    """conv 8@5x5 same ReLU, maxpool 2, conv 16@5x5 same ReLU, maxpool 2, dense 10 (NCHW)."""
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(7 * 7 * 16, 10))

    def forward(self, x):
        return self.net(x.view(-1, 1, 28, 28))


class Lstm(nn.Module):
    """LSTM input I, hidden H over T steps, dense 1 on the last hidden state."""
    def __init__(self, I, H):
        super().__init__()
        self.rnn = nn.LSTM(I, H, batch_first=True)
        self.out = nn.Linear(H, 1)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.out(y[:, -1])


SDPA = hasattr(F, "scaled_dot_product_attention")


class Block(nn.Module):
    """Pre-LN: x + attn(ln1(x)), then x + mlp(ln2(x)); causal; exact GELU."""
    def __init__(self, D, heads, M):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.qkv, self.o = nn.Linear(D, 3 * D), nn.Linear(D, D)
        self.fc1, self.fc2 = nn.Linear(D, M), nn.Linear(M, D)

    def attn(self, h):
        B, T, D = h.shape
        q, k, v = self.qkv(h).view(B, T, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        if SDPA:
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            s = q @ k.transpose(-1, -2) / math.sqrt(D // self.heads)
            s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=h.device).triu(1), float("-inf"))
            a = torch.softmax(s, dim=-1) @ v
        return self.o(a.transpose(1, 2).reshape(B, T, D))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Transformer(nn.Module):
    """Token embedding + learned positions, pre-LN blocks, final LayerNorm, dense V."""
    def __init__(self, V, T, D, heads, M, layers):
        super().__init__()
        self.emb = nn.Embedding(V, D)
        self.pos = nn.Parameter(torch.empty(T, D).uniform_(-0.1, 0.1))
        self.blocks = nn.ModuleList([Block(D, heads, M) for _ in range(layers)])
        self.ln = nn.LayerNorm(D)
        self.out = nn.Linear(D, V)

    def forward(self, ids):
        h = self.emb(ids) + self.pos
        for b in self.blocks:
            h = b(h)
        return self.out(self.ln(h))


# As scripts/bench/ours.ts referenceBatch: the specs' train.batchSize and the LSTM's B.
REF_BATCH = {"mlp-mnist": 128, "cnn-mnist": 64, "lstm": 32, "transformer": 32}


def build(name, data, B=None):
    """(model, batch size, n, loss(idx)) with the data on the device; B: the batch (default REF_BATCH[name])."""
    if name not in REF_BATCH:
        raise ValueError(f"unknown model {name}")
    B = REF_BATCH[name] if B is None else int(B)
    if name in ("mlp-mnist", "cnn-mnist"):
        X, Y = data["mnist_x"].to(DEV), data["mnist_y"].to(DEV)
        model = (Mlp() if name == "mlp-mnist" else Cnn()).to(DEV)
        n = X.shape[0]
    elif name == "lstm":
        s = data["shapes"]["seq"]
        X, Y = data["seq_x"].to(DEV), data["seq_y"].to(DEV)
        model = Lstm(s["I"], s["H"]).to(DEV)
        n = X.shape[0]
    else:
        n = data["ids"].shape[0]
    if not 1 <= B <= n:
        raise ValueError(f"train {name}: batch {B} must be from 1 to the {n} training rows it has")
    if name in ("mlp-mnist", "cnn-mnist"):
        return model, B, n, lambda idx: F.cross_entropy(model(X.index_select(0, idx)), Y.index_select(0, idx))
    if name == "lstm":
        return model, B, n, lambda idx: F.mse_loss(model(X.index_select(0, idx)), Y.index_select(0, idx))
    if name == "transformer":
        t = data["shapes"]["tokens"]
        ids, lab, w = data["ids"].to(DEV), data["labels"].to(DEV), data["weights"].to(DEV)
        model = Transformer(t["V"], t["T"], t["D"], t["heads"], t["mlp"], t["layers"]).to(DEV)

        def loss(idx):
            logits = model(ids.index_select(0, idx))
            ww = w.index_select(0, idx).reshape(-1)
            ce = F.cross_entropy(logits.reshape(-1, t["V"]), lab.index_select(0, idx).reshape(-1), reduction="none")
            return (ce * ww).sum() / (ww > 0).sum().clamp(min=1)  # mean over the scored positions
        return model, B, n, loss


def train_step_fn(name, data, graph, B=None):
    """A step closure (eager, or one CUDA-graph replay) and the loss tensor it updates."""
    torch.manual_seed(1)
    model, B, n, loss_of = build(name, data, B)
    S = max(1, n // B)
    batches = torch.arange(S * B, device=DEV).view(S, B)  # batch s: rows s·B … s·B + B − 1, as ours
    ctr = torch.zeros(1, dtype=torch.long, device=DEV)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"capturable": True} if graph else {}))
    last = {}

    def body():
        idx = batches.index_select(0, ctr % S).view(-1)
        ctr.add_(1)
        loss = loss_of(idx)
        loss.backward()
        opt.step()
        return loss

    def eager():
        opt.zero_grad(set_to_none=True)
        last["loss"] = body()

    def rewind():
        ctr.zero_()  # the next step trains batch 0 (also inside the graph, which reads ctr)

    if not graph:
        return eager, last, B, rewind
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            eager()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(g):
        last["loss"] = body()
    return g.replay, last, B, rewind


# ---------------------------------------------------------------- items

def err_text(e):
    return (f"{type(e).__name__}: {e}").split("\n")[0][:300]


def bench_matmul(n, o):
    g = torch.Generator(device=DEV).manual_seed(n)
    a = torch.rand(n, n, device=DEV, generator=g) * 2 - 1
    b = torch.rand(n, n, device=DEV, generator=g) * 2 - 1
    c = torch.empty(n, n, device=DEV)
    ms, all_ms, iters, _ = measure(lambda: torch.matmul(a, b, out=c), o)
    return {"value": 2 * n ** 3 / ms / 1e6, "unit": "GFLOP/s", "ms": ms, "all": all_ms, "iters": iters}


# As scripts/bench/ours.ts LSTM_LEARN_STEPS: the LSTM regression's loss drifts for its first Adam steps.
LEARN_STEPS = {"lstm": 16}


def bench_train(name, data, o, graph, B=None):
    step, last, B, rewind = train_step_fn(name, data, graph, B)
    ms, all_ms, iters, (start, end) = measure(step, o, (lambda: float(last["loss"].item()), rewind, LEARN_STEPS.get(name, 0)))
    return {"value": 1000 * B / ms, "unit": "samples/s", "ms": ms, "all": all_ms, "iters": iters, "batch": B,
            "loss_start": start, "loss_end": end}


def main():
    global QUIET
    args = sys.argv[1:]
    out_path = None
    if len(args) >= 2 and not args[0].startswith("--"):
        with open(args[0]) as f:
            cfg = json.load(f)
        out_path = args[1]
    else:
        quick = "--quick" in args
        batches = [int(b) for b in args[args.index("--batch") + 1].split(",")] if "--batch" in args else []
        models = ["mlp-mnist", "cnn-mnist", "lstm", "transformer"]
        cfg = {
            "runs": [[m, b] for m in models for b in batches if b != REF_BATCH[m]],
            "matmul": [256, 512, 1024] + ([] if quick else [2048]) + ([4096] if CUDA else []),
            "models": models,
            "ops": {"reps": 3, "targetMs": 500, "maxIters": 1000} if quick else {"reps": 5, "targetMs": 1000, "maxIters": 10000, "slowMs": 20000},
            "train": {"reps": 3, "targetMs": 1000, "maxIters": 1000} if quick else {"reps": 5, "targetMs": 1000, "maxIters": 10000, "slowMs": 20000},
        }
    QUIET = bool(cfg.get("quiet"))
    if cfg.get("threads"):
        torch.set_num_threads(int(cfg["threads"]))
    how = disable_tf32()
    meta = {
        "torch": torch.__version__, "cuda": CUDA, "cuda_version": torch.version.cuda,
        "device": torch.cuda.get_device_name(0) if CUDA else "cpu",
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "threads": torch.get_num_threads(), "tf32": how, "attention": "scaled_dot_product_attention" if SDPA else "explicit softmax(q·kᵀ)·v",
        "variants": ["eager", "cuda-graph"] if CUDA else ["eager"],
        "note": None if CUDA else "no CUDA: PyTorch eager on the CPU only (no CUDA graph)",
    }
    try:
        meta["fp32_verified"] = tf32_check()
    except Exception as e:  # noqa: BLE001
        meta["fp32_verified"] = err_text(e)
    try:
        meta["fp32_conv_verified"] = tf32_conv_check()
    except Exception as e:  # noqa: BLE001
        meta["fp32_conv_verified"] = err_text(e)
    meta["tf32_flags"] = tf32_flags()
    data = load_data(cfg)
    meta["synthetic_data"] = data["synthetic"]
    items = []
    for n in cfg.get("matmul", []):
        log(f"matmul n={n}")
        try:
            r = bench_matmul(n, cfg["ops"])
        except Exception as e:  # noqa: BLE001
            r = {"error": err_text(e), "unit": "GFLOP/s"}
        items.append(with_tf32({"name": f"matmul n={n}", "variant": "eager", **r}))
        if CUDA:
            torch.cuda.empty_cache()
    runs = [(m, None) for m in cfg.get("models", [])] + [(m, int(b)) for m, b in cfg.get("runs", [])]
    for m, B in runs:
        name = f"train {m}" if B is None else f"train {m} batch={B}"
        for graph in ([False, True] if CUDA else [False]):
            variant = "cuda-graph" if graph else "eager"
            log(f"{name} {variant}")
            try:
                r = bench_train(m, data, cfg["train"], graph, B)
            except Exception as e:  # noqa: BLE001
                r = {"error": err_text(e), "unit": "samples/s", "batch": REF_BATCH.get(m) if B is None else B}
            items.append(with_tf32({"name": name, "variant": variant, **r}))
            if CUDA:
                torch.cuda.synchronize()
                torch.cuda.empty_cache()
    res = {"meta": meta, "items": items}
    if out_path:
        with open(out_path, "w") as f:
            json.dump(res, f)
    else:
        print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
