"""PyTorch oracle for the recurrent layers (tests/pytorch-rnn.test.ts).

Reads a JSON file of cases: input x (B, T, I), the engine's parameters per sub-layer in its
layout (W_ih (I, G*H), W_hh (H, G*H), b_ih, b_hh; torch stores the transposes), and the upstream
gradient dout of the output (the whole sequence, or the last step). Builds nn.LSTM / nn.GRU /
nn.RNN(tanh) with batch_first=True and those weights, zero initial state, and returns the output
and the gradients of L = sum(dout * y) with respect to x and every parameter, in the engine's
layout, for float32 and float64. Usage: rnn_oracle.py IN.json OUT.json
"""
import json
import sys

import torch


def run(case, dtype):
    B, T, I = case["B"], case["T"], case["I"]
    H, L, cell = case["hidden"], case["layers"], case["cell"]
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    kw = {"nonlinearity": "tanh"} if cell == "rnn" else {}
    m = cls(I, H, num_layers=L, batch_first=True, **kw).to(dtype)
    params = case["params"]
    with torch.no_grad():
        for k in range(L):
            fin = I if k == 0 else H
            G = params[4 * k + 2]["shape"][0]
            w_ih = torch.tensor(params[4 * k]["values"], dtype=dtype).reshape(fin, G)
            w_hh = torch.tensor(params[4 * k + 1]["values"], dtype=dtype).reshape(H, G)
            getattr(m, f"weight_ih_l{k}").copy_(w_ih.t())
            getattr(m, f"weight_hh_l{k}").copy_(w_hh.t())
            getattr(m, f"bias_ih_l{k}").copy_(torch.tensor(params[4 * k + 2]["values"], dtype=dtype))
            getattr(m, f"bias_hh_l{k}").copy_(torch.tensor(params[4 * k + 3]["values"], dtype=dtype))
    x = torch.tensor(case["x"], dtype=dtype).reshape(B, T, I).requires_grad_(True)
    out, _ = m(x)  # zero initial state
    y = out if case["returnSequences"] else out[:, -1, :]
    dout = torch.tensor(case["dout"], dtype=dtype).reshape(y.shape)
    (y * dout).sum().backward()
    grads = []
    for k in range(L):
        grads.append(getattr(m, f"weight_ih_l{k}").grad.t().reshape(-1).tolist())
        grads.append(getattr(m, f"weight_hh_l{k}").grad.t().reshape(-1).tolist())
        grads.append(getattr(m, f"bias_ih_l{k}").grad.reshape(-1).tolist())
        grads.append(getattr(m, f"bias_hh_l{k}").grad.reshape(-1).tolist())
    return {"y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(), "dparams": grads}


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
