// Export to PyTorch: a self-contained Python script that defines the same model as an nn.Module (named submodules,
// a forward with the shape after every line), loads the playground's .safetensors weights, and trains on the same
// data with the same hyperparameters, on one device or many (torchrun + DistributedDataParallel).
import { taskInfo } from '../data/tasks.ts';
import { describeBuffers, describeParams } from '../nn/model.ts';
import { datasetInfo, resolveLayers } from '../model/shapes.ts';
import { layerDef } from '../layers/index.ts';
import type { ModelSpec } from '../model/types.ts';
import { emit, tshape, type Emitted } from './torch-layers.ts';
import { BLOCK, MNIST_SECTION, SINUSOIDAL, taskSection } from './torch-snippets.ts';

const py = (v: unknown) => JSON.stringify(v).replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b/g, 'None');

/** The exported script's file name: the spec's name as a file stem ("cnn-mnist.py"), or model.py. */
export const scriptName = (spec: ModelSpec): string => `${(spec.name ?? 'model').replace(/[^\w.-]+/g, '_')}.py`;

export function exportPyTorch(spec: ModelSpec): string {
  if (spec.dataset.kind === 'playground' || spec.dataset.kind === 'csv' || spec.dataset.kind === 'images') throw new Error(`Export to PyTorch does not cover ${spec.dataset.kind === 'csv' ? 'your own CSV data' : spec.dataset.kind === 'images' ? 'your own images' : 'playground datasets'} yet: it writes the data loading of MNIST and the sequence tasks only`);
  const layers = resolveLayers(spec); // an embedding's vocabulary is the task's unless set
  const inShape = datasetInfo(spec).inputShape;
  const m: Emitted = { init: [], forward: [], params: [], buffers: [], helpers: new Set(), embed: null };
  const outShape = emit(layers, inShape, 'layers', '', m);
  // The engine's own lists: a layer translated here with the wrong names or order fails loudly.
  const want = describeParams(layers, inShape).map((p) => p.name).join(',');
  const wantBuf = describeBuffers(layers, inShape).map((p) => p.name).join(',');
  if (want !== m.params.map((p) => p[0]).join(',') || wantBuf !== m.buffers.map((b) => b[0]).join(','))
    throw new Error('Export to PyTorch: the parameter list does not match the model (an exporter bug)');

  const task = spec.dataset.kind === 'task' ? taskInfo(spec.dataset) : null;
  const tokens = !!task && task.inputVocab > 0 && !!layers[0] && !!layerDef(layers[0].kind).tokenInput;
  const output = task ? task.output : { kind: 'class', V: 10 };
  const inputDoc = !task
    ? 'images (N, 1, 28, 28), floats in [0, 1]: NCHW as torch expects (the playground holds them as (N, 28, 28, 1))'
    : tokens
      ? `token ids (N, ${inShape.join(', ')}), a LongTensor (vocabulary ${task.inputVocab})`
      : `(N, ${inShape.join(', ')}) floats`;
  const t = spec.train;
  const o = t.optimizer;
  const opt =
    o.kind === 'sgd'
      ? `torch.optim.SGD(params, lr=lr, momentum=${o.momentum ?? 0}, nesterov=${o.nesterov ? 'True' : 'False'}, weight_decay=${o.weightDecay ?? 0})`
      : `torch.optim.${o.kind === 'adam' ? 'Adam' : 'AdamW'}(params, lr=lr, betas=(${o.beta1 ?? 0.9}, ${o.beta2 ?? 0.999}), eps=${o.eps ?? 1e-8}, weight_decay=${o.weightDecay ?? (o.kind === 'adamw' ? 0.01 : 0)})`;
  const dataHelp = !task
    ? 'directory with the four MNIST idx files'
    : task.name === 'char' ? 'the text file of the char task (public/text/shakespeare.txt)' : 'unused: the task is generated';
  const file = scriptName(spec); // the file the page downloads, so the help names the file the user has
  const usage = !task
    ? `  python3 ${file} --data DIR                      train on MNIST idx files in DIR (downloaded there if missing)
  python3 ${file} --data DIR --weights W.safetensors --epochs 0   evaluate browser-trained weights
  torchrun --nproc_per_node=N ${file} --data DIR  train on N processes/GPUs with DistributedDataParallel`
    : `  python3 ${file}                                 train on the ${task.name} task, generated here with the same rules
  python3 ${file} --weights W.safetensors --epochs 0   evaluate browser-trained weights
  torchrun --nproc_per_node=N ${file}             train on N processes/GPUs with DistributedDataParallel
The task data is drawn from Python's random module: the same task, not the playground's exact samples.`;

  return `#!/usr/bin/env python3
"""${(spec.name ?? 'model').replace(/[^\w .-]/g, '_')}: exported from the WebGPU NN playground.

${usage}
  python3 ${file} --weights W.safetensors --inputs X.json   print the outputs for samples in the playground's layout

Model input: ${inputDoc}.
Model output: ${tshape(outShape)}.
"""
import argparse, array, json, math, os, random, re, struct, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

SPEC = json.loads(${JSON.stringify(JSON.stringify(spec))})
INPUT_SHAPE = ${py(inShape)}  # one sample as the playground holds it
INPUT_DTYPE = torch.${tokens ? 'long' : 'float32'}
OUTPUT = ${py(output)}  # tokens: a class per position; class: one per sample; regression: values
# (playground tensor name, state_dict key, transform): see TO_TORCH.
PARAMS = ${py(m.params)}
# BatchNorm running statistics (torch buffers): the playground's checkpoints carry them.
BUFFERS = ${py(m.buffers)}
${m.helpers.has('sinusoidal') ? SINUSOIDAL : ''}${m.helpers.has('block') ? BLOCK : ''}

class Net(nn.Module):
    def __init__(self):
        super().__init__()
${m.init.map((s) => `        ${s}`).join('\n') || '        pass'}

    def forward(self, x):  # x: ${tshape(inShape)}
${m.forward.map((s) => `        ${s}`).join('\n')}
        return x


def build_model():
    return Net()


# The playground's layouts → torch's, and back (for --save).
TO_TORCH = {
    "": lambda w: w,
    "t": lambda w: w.t(),  # (in, out) → (out, in)
    "conv": lambda w: w.permute(3, 2, 0, 1),  # (KH, KW, C, F) → (F, C, KH, KW)
    "conv1x1": lambda w: w.t()[:, :, None, None],  # Dense over channels (C, F) → (F, C, 1, 1)
}
FROM_TORCH = {
    "": lambda w: w,
    "t": lambda w: w.t(),
    "conv": lambda w: w.permute(2, 3, 1, 0),
    "conv1x1": lambda w: w[:, :, 0, 0].t(),
}


def to_model_input(x):
    """Samples in the playground's layout (N, *INPUT_SHAPE) → the module's input."""
    x = x.reshape(-1, *INPUT_SHAPE)
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2)  # NHWC → NCHW
    return x.to(INPUT_DTYPE).contiguous()


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
    for name, key, how in PARAMS:
        if name not in tensors:
            raise KeyError(f"{path} has no tensor {name}")
        w = TO_TORCH[how](tensors[name])
        if tuple(w.shape) != tuple(state[key].shape):
            raise ValueError(f"{name}: {tuple(w.shape)} does not fit {key} {tuple(state[key].shape)}")
        state[key] = w.contiguous()
    missing = [name for name, _ in BUFFERS if name not in tensors]
    if missing:
        print(f"note: {path} has no BatchNorm running statistics ({', '.join(missing)}); evaluation uses mean 0, variance 1",
              file=sys.stderr)
    for name, key in BUFFERS:
        if name in tensors:
            state[key] = tensors[name].reshape(state[key].shape).contiguous()
    model.load_state_dict(state)

${task ? taskSection(spec) : MNIST_SECTION}

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


def loss_fn(out, y):
    if OUTPUT["kind"] == "tokens":  # (N, T, V) scores, (N, T) labels; -100 marks positions that do not count
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), ignore_index=-100)
    if OUTPUT["kind"] == "class":
        return F.cross_entropy(out, y)
    return F.mse_loss(out, y)


def evaluate(model, x, y, device):
    """Test accuracy (of counted tokens, for token outputs), or the mean squared error for regression."""
    hit, count, sq = 0, 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            out = model(x[i:i + 1000].to(device)).cpu()
            yb = y[i:i + 1000]
            if OUTPUT["kind"] == "regression":
                sq += ((out - yb) ** 2).sum().item()
                count += yb.numel()
            else:
                mask = yb != -100
                hit += ((out.argmax(-1) == yb) & mask).sum().item()
                count += mask.sum().item()
    return {"test_mse": sq / count} if OUTPUT["kind"] == "regression" else {"test_accuracy": hit / count}


def main():
    t = SPEC["train"]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=DEFAULT_DATA, help=${JSON.stringify(dataHelp)})
    ap.add_argument("--weights", help="a .safetensors file saved by the playground")
    ap.add_argument("--epochs", type=int, default=t["epochs"])
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--batch", type=int, default=t["batchSize"])
    ap.add_argument("--lr", type=float, default=t["lr"])
    ap.add_argument("--seed", type=int, default=SPEC["seed"])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--predict", type=int, default=0, help="print the outputs for the first N test samples as JSON and exit")
    ap.add_argument("--inputs", help="a JSON list of samples in the playground's layout: print the outputs as JSON and exit")
    ap.add_argument("--save", help="write the trained weights (playground layout) to this .safetensors path")
    ap.add_argument("--no-buffers", dest="save_buffers", action="store_false", help="--save without the BatchNorm running statistics")
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
    if args.inputs:
        with open(args.inputs) as f:
            x = to_model_input(torch.tensor(json.load(f), dtype=torch.float64))
        model.eval()
        with torch.no_grad():
            print(json.dumps(model(x.to(device)).cpu().tolist()))
        return

    x_train, y_train, x_test, y_test = load_data(args.data, args.seed, train=not args.predict)
    if args.predict:
        model.eval()
        with torch.no_grad():
            print(json.dumps(model(x_test[:args.predict].to(device)).cpu().tolist()))
        return
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
            loss = loss_fn(net(xb), yb)
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
            print(json.dumps({"epoch": epoch + 1, **evaluate(model, x_test, y_test, device)}), flush=True)
    if rank == 0 and args.save:
        save_safetensors(model, args.save, args.save_buffers)
    if distributed:
        torch.distributed.destroy_process_group()


def save_safetensors(model, path, with_buffers=False):
    state = model.state_dict()
    header, blobs, offset = {"__metadata__": {"spec": json.dumps(SPEC)}}, [], 0
    entries = PARAMS + ([(name, key, "") for name, key in BUFFERS] if with_buffers else [])
    for name, key, how in entries:
        w = FROM_TORCH[how](state[key].detach().cpu().float()).contiguous()
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
