// Export to PyTorch: a self-contained Python script that defines the same model with torch.nn,
// loads the playground's .safetensors weights, and trains on the same task with the same
// hyperparameters, on one device or many (torchrun + DistributedDataParallel).
// The exported model keeps the engine's layouts (NHWC images, Dense weights (in, out) transposed
// into nn.Linear on load), so flattening and weight files match the browser exactly.
import type { LayerSpec, ModelSpec } from '../spec/types.ts';

interface Emitted {
  modules: string[]; // Python expressions, one per layer of an nn.Sequential
  params: [string, string, boolean][]; // engine name, state_dict key, transpose on load
}

const ACT: Record<string, string> = {
  relu: 'nn.ReLU()', leaky_relu: 'nn.LeakyReLU(0.01)', gelu: 'nn.GELU()', tanh: 'nn.Tanh()', sigmoid: 'nn.Sigmoid()',
};

function emit(layers: LayerSpec[], inShape: number[], enginePrefix: string, torchPrefix: string): Emitted & { shape: number[] } {
  const modules: string[] = [];
  const params: [string, string, boolean][] = [];
  let shape = inShape;
  layers.forEach((l, i) => {
    const e = `${enginePrefix}.${i}`;
    const t = `${torchPrefix}${modules.length}`;
    switch (l.kind) {
      case 'dense': {
        const fin = shape[shape.length - 1];
        const act = l.activation && l.activation !== 'none' ? ACT[l.activation] : null;
        modules.push(act ? `nn.Sequential(nn.Linear(${fin}, ${l.units}), ${act})` : `nn.Sequential(nn.Linear(${fin}, ${l.units}))`);
        params.push([`${e}.W`, `${t}.0.weight`, true], [`${e}.b`, `${t}.0.bias`, false]);
        shape = [...shape.slice(0, -1), l.units];
        break;
      }
      case 'activation':
        modules.push(ACT[l.fn]);
        break;
      case 'dropout':
        modules.push(`nn.Dropout(${l.rate})`);
        break;
      case 'flatten':
        modules.push('nn.Flatten()');
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'residual': {
        const inner = emit(l.layers, shape, `${e}.layers`, `${t}.block.`);
        modules.push(`Residual(nn.Sequential(\n        ${inner.modules.join(',\n        ')}))`);
        params.push(...inner.params);
        break;
      }
      default:
        throw new Error(`Export to PyTorch does not support layer kind "${(l as { kind: string }).kind}" yet.`);
    }
  });
  return { modules, params, shape };
}

const py = (v: unknown) => JSON.stringify(v).replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b/g, 'None');

export function exportPyTorch(spec: ModelSpec): string {
  const { modules, params } = emit(spec.layers, [28, 28, 1], 'layers', '');
  const t = spec.train;
  const o = t.optimizer;
  const opt =
    o.kind === 'sgd'
      ? `torch.optim.SGD(params, lr=lr, momentum=${o.momentum ?? 0}, nesterov=${o.nesterov ? 'True' : 'False'}, weight_decay=${o.weightDecay ?? 0})`
      : `torch.optim.${o.kind === 'adam' ? 'Adam' : 'AdamW'}(params, lr=lr, betas=(${o.beta1 ?? 0.9}, ${o.beta2 ?? 0.999}), eps=${o.eps ?? 1e-8}, weight_decay=${o.weightDecay ?? (o.kind === 'adamw' ? 0.01 : 0)})`;
  return `#!/usr/bin/env python3
"""${(spec.name ?? 'model').replace(/[^\w .-]/g, '_')}: exported from the WebGPU NN playground.

  python3 model.py --data DIR                      train on MNIST idx files in DIR (as the playground did)
  python3 model.py --data DIR --weights W.safetensors --epochs 0   evaluate browser-trained weights
  torchrun --nproc_per_node=N model.py --data DIR  train on N processes/GPUs with DistributedDataParallel

Inputs are NHWC (batch, 28, 28, 1) floats in [0, 1], as in the playground.
"""
import argparse, array, json, math, os, struct
import torch
import torch.nn as nn
import torch.nn.functional as F

SPEC = json.loads(${JSON.stringify(JSON.stringify(spec))})
# (playground tensor name, state_dict key, transposed): Dense weights are (in, out) in the playground.
PARAMS = ${py(params)}


class Residual(nn.Module):
    def __init__(self, block):
        super().__init__()
        self.block = block

    def forward(self, x):
        return x + self.block(x)


def build_model():
    return nn.Sequential(
        ${modules.join(',\n        ')})


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {e['dtype']} is not F32")
        b, en = e["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[8 + n + b:8 + n + en]), dtype=torch.float32).reshape(e["shape"])
    return out


def load_weights(model, path):
    tensors = load_safetensors(path)
    state = model.state_dict()
    for name, key, transposed in PARAMS:
        if name not in tensors:
            raise KeyError(f"{path} has no tensor {name}")
        w = tensors[name].t() if transposed else tensors[name]
        if tuple(w.shape) != tuple(state[key].shape):
            raise ValueError(f"{name}: {tuple(w.shape)} does not fit {key} {tuple(state[key].shape)}")
        state[key] = w.contiguous()
    model.load_state_dict(state)


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return torch.frombuffer(bytearray(data[4 + 4 * len(dims):]), dtype=torch.uint8).reshape(dims)


def mnist(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte")).float().div(255).unsqueeze(-1)  # (N, 28, 28, 1)
    y = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte")).long()
    return x, y


def lr_at(step, base):
    """The playground's schedule: optional linear warm-up, then constant / step / exponential / cosine."""
    t = SPEC["train"]
    s = t["schedule"]
    warm = t.get("warmupSteps", 0) or 0
    if warm and step < warm:
        return base * (step + 1) / warm
    k = step - warm
    if s["kind"] == "step":
        return base * s["gamma"] ** (k // s["everySteps"])
    if s["kind"] == "exponential":
        return base * s["gamma"] ** (k / 1000)
    if s["kind"] == "cosine":
        lo = s.get("minLr", 0) or 0
        return lo + 0.5 * (base - lo) * (1 + math.cos(math.pi * min(1.0, k / s["totalSteps"])))
    return base


def main():
    t = SPEC["train"]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="mnist", help="directory with the four MNIST idx files")
    ap.add_argument("--weights", help="a .safetensors file saved by the playground")
    ap.add_argument("--epochs", type=int, default=t["epochs"])
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--batch", type=int, default=t["batchSize"])
    ap.add_argument("--lr", type=float, default=t["lr"])
    ap.add_argument("--seed", type=int, default=SPEC["seed"])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--predict", type=int, default=0, help="print the logits of the first N test images as JSON and exit")
    ap.add_argument("--save", help="write the trained weights (playground layout) to this .safetensors path")
    args = ap.parse_args()

    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    rank = 0
    if distributed:
        torch.distributed.init_process_group("nccl" if args.device.startswith("cuda") else "gloo")
        rank = torch.distributed.get_rank()
        if args.device.startswith("cuda"):
            args.device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
            torch.cuda.set_device(args.device)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    model = build_model().to(device)
    if args.weights:
        load_weights(model, args.weights)
    if args.predict:
        x, _ = mnist(args.data, "test")
        model.eval()
        with torch.no_grad():
            print(json.dumps(model(x[:args.predict].to(device)).cpu().tolist()))
        return

    x_train, y_train = mnist(args.data, "train")
    x_test, y_test = mnist(args.data, "test")
    train_set = torch.utils.data.TensorDataset(x_train, y_train)
    sampler = torch.utils.data.distributed.DistributedSampler(train_set, seed=args.seed) if distributed else None
    loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch, shuffle=sampler is None, sampler=sampler, drop_last=True)
    net = nn.parallel.DistributedDataParallel(model) if distributed else model
    params = net.parameters()
    lr = args.lr
    opt = ${opt}
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: lr_at(step, args.lr) / args.lr)
    clip = t.get("clipNorm", 0) or 0
    step = 0
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        net.train()
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = F.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            if clip > 0:
                nn.utils.clip_grad_norm_(net.parameters(), clip)
            opt.step()
            sched.step()
            step += 1
            if rank == 0 and (step % 50 == 0 or args.steps):
                print(json.dumps({"step": step, "epoch": epoch, "loss": loss.item()}), flush=True)
            if args.steps and step >= args.steps:
                break
        if args.steps and step >= args.steps:
            break
        if rank == 0:
            net.eval()
            with torch.no_grad():
                correct = sum((model(x_test[i:i + 1000].to(device)).argmax(1).cpu() == y_test[i:i + 1000]).sum().item() for i in range(0, len(x_test), 1000))
            print(json.dumps({"epoch": epoch + 1, "test_accuracy": correct / len(x_test)}), flush=True)
    if rank == 0 and args.save:
        save_safetensors(model, args.save)
    if distributed:
        torch.distributed.destroy_process_group()


def save_safetensors(model, path):
    state = model.state_dict()
    header, blobs, offset = {"__metadata__": {"spec": json.dumps(SPEC)}}, [], 0
    for name, key, transposed in PARAMS:
        w = state[key].detach().cpu().float()
        w = (w.t() if transposed else w).contiguous()
        b = array.array("f", w.flatten().tolist()).tobytes()  # little-endian f32, no numpy needed
        header[name] = {"dtype": "F32", "shape": list(w.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - (len(h) + 8) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    main()
`;
}
