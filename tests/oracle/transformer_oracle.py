"""PyTorch oracle for the transformer block stack (tests/pytorch-transformer.test.ts).

Reads a JSON file of cases: input x (B, T, D), the engine's parameters per block in its layout
(ln1.gamma, ln1.beta, W_qkv (D, 3D), b_qkv, W_o (D, D), b_o, ln2.gamma, ln2.beta, W1 (D, M), b1,
W2 (M, D), b2; x @ W, so torch's weights are the transposes) and the upstream gradient dout.
The block is written here with torch ops (layer_norm, linear, softmax over q k^T / sqrt(dh) with
an optional causal mask, exact GELU, residuals, pre- or post-LN), and cross-checked against
torch's own nn.TransformerEncoderLayer with the same weights. Returns y and the gradients of
L = sum(dout * y) with respect to x and every parameter, engine layout, float32 and float64.
Usage: transformer_oracle.py IN.json OUT.json
"""
import json
import math
import sys

import torch
import torch.nn.functional as F

NAMES = ["ln1.gamma", "ln1.beta", "W_qkv", "b_qkv", "W_o", "b_o", "ln2.gamma", "ln2.beta", "W1", "b1", "W2", "b2"]


def block(x, p, heads, causal, post):
    B, T, D = x.shape
    dh = D // heads

    def attn(h):
        qkv = h @ p["W_qkv"] + p["b_qkv"]  # (B, T, 3D)
        q, k, v = qkv.split(D, dim=-1)
        split = lambda t: t.reshape(B, T, heads, dh).transpose(1, 2)  # (B, heads, T, dh)
        q, k, v = split(q), split(k), split(v)
        s = q @ k.transpose(-1, -2) / math.sqrt(dh)
        if causal:
            s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        a = torch.softmax(s, dim=-1) @ v  # (B, heads, T, dh)
        return a.transpose(1, 2).reshape(B, T, D) @ p["W_o"] + p["b_o"]

    def mlp(h):
        return F.gelu(h @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]

    ln1 = lambda h: F.layer_norm(h, (D,), p["ln1.gamma"], p["ln1.beta"], 1e-5)
    ln2 = lambda h: F.layer_norm(h, (D,), p["ln2.gamma"], p["ln2.beta"], 1e-5)
    if post:
        x = ln1(x + attn(x))
        return ln2(x + mlp(x))
    x = x + attn(ln1(x))
    return x + mlp(ln2(x))


def module_block(x, p, heads, causal, post, dtype):
    """torch's nn.TransformerEncoderLayer with the same weights (no dropout, exact GELU)."""
    B, T, D = x.shape
    M = p["W1"].shape[1]
    m = torch.nn.TransformerEncoderLayer(D, heads, M, dropout=0.0, activation="gelu", batch_first=True, norm_first=not post).to(dtype)
    with torch.no_grad():
        m.self_attn.in_proj_weight.copy_(p["W_qkv"].t())
        m.self_attn.in_proj_bias.copy_(p["b_qkv"])
        m.self_attn.out_proj.weight.copy_(p["W_o"].t())
        m.self_attn.out_proj.bias.copy_(p["b_o"])
        m.linear1.weight.copy_(p["W1"].t())
        m.linear1.bias.copy_(p["b1"])
        m.linear2.weight.copy_(p["W2"].t())
        m.linear2.bias.copy_(p["b2"])
        m.norm1.weight.copy_(p["ln1.gamma"])
        m.norm1.bias.copy_(p["ln1.beta"])
        m.norm2.weight.copy_(p["ln2.gamma"])
        m.norm2.bias.copy_(p["ln2.beta"])
    m.eval()
    mask = torch.full((T, T), float("-inf"), dtype=dtype).triu(1) if causal else None
    with torch.no_grad():
        return m(x, src_mask=mask)


def run(case, dtype):
    B, T, D, L = case["B"], case["T"], case["D"], case["layers"]
    params = [torch.tensor(q["values"], dtype=dtype).reshape(q["shape"]).requires_grad_(True) for q in case["params"]]
    x = torch.tensor(case["x"], dtype=dtype).reshape(B, T, D).requires_grad_(True)
    h = x
    check = x.detach()
    worst_module = 0.0
    for k in range(L):
        p = dict(zip(NAMES, params[12 * k: 12 * k + 12]))
        want = module_block(check, {n: t.detach() for n, t in p.items()}, case["heads"], case["causal"], case["norm"] == "post", dtype)
        h = block(h, p, case["heads"], case["causal"], case["norm"] == "post")
        worst_module = max(worst_module, (h.detach() - want).abs().max().item())
        check = h.detach()
    dout = torch.tensor(case["dout"], dtype=dtype).reshape(h.shape)
    (h * dout).sum().backward()
    return {
        "y": h.detach().reshape(-1).tolist(),
        "dx": x.grad.reshape(-1).tolist(),
        "dparams": [t.grad.reshape(-1).tolist() for t in params],
        "module_diff": worst_module,
    }


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        cases = json.load(f)
    torch.set_num_threads(1)
    out = {"torch": torch.__version__, "cases": {}}
    for c in cases:
        out["cases"][c["name"]] = {"f32": run(c, torch.float32), "f64": run(c, torch.float64)}
    with open(dst, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
