"""PyTorch oracle for the recurrent layers (tests/pytorch-rnn.test.ts).

Reads a JSON file of cases: input x (B, T, I), the engine's parameters per sub-layer in its
layout (W_ih (I, G*H), W_hh (H, G*H), b_ih, b_hh; torch stores the transposes; then h0 (H) and,
for an LSTM, c0 (H) when the layer learns its initial state), and the upstream gradient dout of
the output (the whole sequence, or the last step). Builds nn.LSTM / nn.GRU / nn.RNN(tanh) with
batch_first=True and those weights, and returns the output and the gradients of L = sum(dout * y)
with respect to x and every parameter, in the engine's layout, for float32 and float64.

Initial state, per case["state"]:
  "zero"    torch's default (no h0/c0 argument);
  "input"   explicit per-sample h0 (and c0) of shape (layers, B, H) from the case, whose
            gradients come back as "dh0" / "dc0" (flattened in the same layout);
  "learned" the engine's learned (H) vectors per sub-layer as leaf tensors (layers, 1, H),
            expanded over the batch, their gradients returned with the other parameters.
Usage: rnn_oracle.py IN.json OUT.json
"""
import json
import sys

import torch


def run(case, dtype):
    B, T, I = case["B"], case["T"], case["I"]
    H, L, cell = case["hidden"], case["layers"], case["cell"]
    state = case.get("state", "zero")
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    kw = {"nonlinearity": "tanh"} if cell == "rnn" else {}
    m = cls(I, H, num_layers=L, batch_first=True, **kw).to(dtype)
    params = case["params"]
    names = ["h0", "c0"] if cell == "lstm" else ["h0"]
    per = 4 + (len(names) if state == "learned" else 0)  # parameters per sub-layer
    learned = {n: [] for n in names}
    with torch.no_grad():
        for k in range(L):
            p = params[per * k: per * (k + 1)]
            fin = I if k == 0 else H
            G = p[2]["shape"][0]
            w_ih = torch.tensor(p[0]["values"], dtype=dtype).reshape(fin, G)
            w_hh = torch.tensor(p[1]["values"], dtype=dtype).reshape(H, G)
            getattr(m, f"weight_ih_l{k}").copy_(w_ih.t())
            getattr(m, f"weight_hh_l{k}").copy_(w_hh.t())
            getattr(m, f"bias_ih_l{k}").copy_(torch.tensor(p[2]["values"], dtype=dtype))
            getattr(m, f"bias_hh_l{k}").copy_(torch.tensor(p[3]["values"], dtype=dtype))
            if state == "learned":
                for i, n in enumerate(names):
                    learned[n].append(torch.tensor(p[4 + i]["values"], dtype=dtype).reshape(1, 1, H))
    x = torch.tensor(case["x"], dtype=dtype).reshape(B, T, I).requires_grad_(True)
    init = {}
    if state == "input":
        for n in names:
            init[n] = torch.tensor(case[n], dtype=dtype).reshape(L, B, H).requires_grad_(True)
        hx = (init["h0"], init["c0"]) if cell == "lstm" else init["h0"]
    elif state == "learned":
        for n in names:
            init[n] = [v.requires_grad_(True) for v in learned[n]]
        # (L, 1, H) leaves expanded to (L, B, H): autograd sums the per-sample gradients.
        exp = {n: torch.cat(init[n], 0).expand(L, B, H).contiguous() for n in names}
        hx = (exp["h0"], exp["c0"]) if cell == "lstm" else exp["h0"]
    else:
        hx = None
    out, _ = m(x, hx)
    y = out if case["returnSequences"] else out[:, -1, :]
    dout = torch.tensor(case["dout"], dtype=dtype).reshape(y.shape)
    (y * dout).sum().backward()
    grads = []
    for k in range(L):
        grads.append(getattr(m, f"weight_ih_l{k}").grad.t().reshape(-1).tolist())
        grads.append(getattr(m, f"weight_hh_l{k}").grad.t().reshape(-1).tolist())
        grads.append(getattr(m, f"bias_ih_l{k}").grad.reshape(-1).tolist())
        grads.append(getattr(m, f"bias_hh_l{k}").grad.reshape(-1).tolist())
        if state == "learned":
            for n in names:
                grads.append(init[n][k].grad.reshape(-1).tolist())
    res = {"y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(), "dparams": grads}
    if state == "input":
        for n in names:
            res["d" + n] = init[n].grad.reshape(-1).tolist()
    return res


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
