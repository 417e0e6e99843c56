"""PyTorch oracle for the convolutional ops (tests/pytorch-conv.test.ts).

Reads a JSON list of cases (NHWC arrays as flat lists with shapes), computes forward outputs and
all gradients with torch in float64 (NCHW inside: activations permuted, conv weights (KH, KW, C, F)
permuted to torch's (F, C, KH, KW)), and writes the results back as JSON.
usage: conv_oracle.py IN.json OUT.json
"""
import json
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def t(a, shape, grad=False):
    x = torch.tensor(a, dtype=torch.float64).reshape(shape)
    if grad:
        x.requires_grad_(True)
    return x


def nchw(x):  # (N, H, W, C) -> (N, C, H, W)
    return x.permute(0, 3, 1, 2)


def nhwc(x):  # (N, C, H, W) -> (N, H, W, C)
    return x.permute(0, 2, 3, 1)


def flat(x):
    return x.detach().contiguous().reshape(-1).tolist()


def conv(c):
    x = t(c["x"], c["xShape"], True)
    w = t(c["w"], c["wShape"], True)  # (KH, KW, C, F)
    b = t(c["b"], [len(c["b"])], True)
    dy = t(c["dy"], c["yShape"])
    left, right, top, bottom = c["pads"]
    # Asymmetric ('same' with stride) padding as an explicit pad; negative amounts crop.
    xp = F.pad(nchw(x), (left, right, top, bottom))
    y = F.conv2d(xp, w.permute(3, 2, 0, 1), b, stride=c["stride"], dilation=c["dilation"])
    if c["act"] == "relu":
        y = torch.relu(y)
    y = nhwc(y)
    assert list(y.shape) == c["yShape"], (list(y.shape), c["yShape"])
    (y * dy).sum().backward()
    return {"y": flat(y), "dx": flat(x.grad), "dw": flat(w.grad), "db": flat(b.grad)}


def pool(c):
    x = t(c["x"], c["xShape"], True)
    dy = t(c["dy"], c["yShape"])
    if c["op"] == "max":
        y = F.max_pool2d(nchw(x), c["size"], c["stride"], c["padding"])
    else:
        y = F.avg_pool2d(nchw(x), c["size"], c["stride"], c["padding"], count_include_pad=True)
    y = nhwc(y)
    assert list(y.shape) == c["yShape"], (list(y.shape), c["yShape"])
    (y * dy).sum().backward()
    return {"y": flat(y), "dx": flat(x.grad)}


def batchnorm(c):
    shape = c["xShape"]
    C = shape[-1]
    x = t(c["x"], shape, True)
    dy = t(c["dy"], shape)
    bn = (torch.nn.BatchNorm2d if len(shape) == 4 else torch.nn.BatchNorm1d)(C, eps=c["eps"], momentum=c["momentum"])
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(c["gamma"]))
        bn.bias.copy_(torch.tensor(c["beta"]))
        bn.running_mean.copy_(torch.tensor(c["rm"]))
        bn.running_var.copy_(torch.tensor(c["rv"]))
    bn.train()
    y = bn(nchw(x)) if len(shape) == 4 else bn(x)
    if len(shape) == 4:
        y = nhwc(y)
    (y * dy).sum().backward()
    out = {
        "y": flat(y), "dx": flat(x.grad), "dgamma": flat(bn.weight.grad), "dbeta": flat(bn.bias.grad),
        "rm": flat(bn.running_mean), "rv": flat(bn.running_var),
    }
    bn.eval()
    ye = bn(nchw(x)) if len(shape) == 4 else bn(x)
    out["yEval"] = flat(nhwc(ye) if len(shape) == 4 else ye)
    return out


def main():
    cases = json.load(open(sys.argv[1]))
    fns = {"conv2d": conv, "pool2d": pool, "batchnorm": batchnorm}
    json.dump([fns[c["kind"]](c) for c in cases], open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
