// Export to PyTorch, Python source: the optional helper definitions (sinusoidal positions, a
// transformer Block with dropout) and the data section (MNIST idx loading, or the task generator).
import { CHAR_ALPHABET, taskInfo } from '../data/tasks.ts';
import type { ModelSpec } from '../model/types.ts';

export const SINUSOIDAL = `

def sinusoidal_table(T, D):
    """The playground's fixed positions: PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(...), float64 then float32."""
    pe = [[0.0] * D for _ in range(T)]
    for t in range(T):
        for i in range(0, D, 2):
            a = t / math.pow(10000, i / D)
            pe[t][i] = math.sin(a)
            if i + 1 < D:
                pe[t][i + 1] = math.cos(a)
    return torch.tensor(pe, dtype=torch.float32)
`;

export const BLOCK = `

class Block(nn.Module):
    """The playground's transformer block with dropout: nn.TransformerEncoderLayer's maths and parameter
    names (exact GELU, LayerNorm eps 1e-5), but attn_dropout on the attention probabilities and dropout on
    the attention projection and MLP outputs only. (nn.TransformerEncoderLayer has one rate for both and
    also drops the MLP hidden units.)"""

    def __init__(self, d_model, nhead, dim_feedforward, dropout, attn_dropout, norm_first):
        super().__init__()
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=attn_dropout, batch_first=True)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=1e-5)
        self.norm2 = nn.LayerNorm(d_model, eps=1e-5)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.norm_first = norm_first

    def _attn(self, x, mask):  # softmax(q k^T / sqrt(dh) + mask) v per head, then the output projection
        return self.dropout1(self.self_attn(x, x, x, attn_mask=mask, need_weights=False)[0])

    def _mlp(self, x):
        return self.dropout2(self.linear2(F.gelu(self.linear1(x))))

    def forward(self, x, src_mask=None):
        if self.norm_first:  # pre-LN
            x = x + self._attn(self.norm1(x), src_mask)
            return x + self._mlp(self.norm2(x))
        x = self.norm1(x + self._attn(x, src_mask))  # post-LN
        return self.norm2(x + self._mlp(x))
`;

export const MNIST_SECTION = `DEFAULT_DATA = "mnist"


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)])
    return torch.frombuffer(bytearray(data[4 + 4 * len(dims):]), dtype=torch.uint8).reshape(dims)


MNIST_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
MNIST_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"  # torchvision's mirror of the original files


def ensure_mnist(data_dir):
    """Downloads the four MNIST idx files into data_dir where any is missing (about 11 MB gzipped)."""
    missing = [n for n in MNIST_FILES if not os.path.exists(os.path.join(data_dir, n))]
    if not missing:
        return
    import gzip
    import urllib.request
    os.makedirs(data_dir, exist_ok=True)
    for n in missing:
        print(f"downloading {n} into {data_dir}/ from {MNIST_MIRROR}", flush=True)
        with urllib.request.urlopen(MNIST_MIRROR + n + ".gz") as r:
            data = gzip.decompress(r.read())
        with open(os.path.join(data_dir, n), "wb") as f:
            f.write(data)


def load_data(data_dir, seed, train=True):
    """MNIST train (unless train=False) and test splits: model inputs (N, 1, 28, 28) in [0, 1] and labels (N)."""
    ensure_mnist(data_dir)
    def split(prefix):
        x = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte")).float().div(255)  # (N, 28, 28)
        y = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte")).long()
        return to_model_input(x), y
    return (*(split("train") if train else (None, None)), *split("t10k"))
`;

/** The task generator in Python: the playground's rules, drawn from Python's random module. */
export function taskSection(spec: ModelSpec): string {
  const d = spec.dataset as Extract<ModelSpec['dataset'], { kind: 'task' }>;
  const info = taskInfo(d);
  return `DEFAULT_DATA = ${JSON.stringify(d.name === 'char' ? 'shakespeare.txt' : '')}
TASK = {"name": ${JSON.stringify(d.name)}, "length": ${d.length}, "symbols": ${d.symbols ?? 8}, "horizon": ${d.horizon ?? 1}, "trainSize": ${info.trainSize}, "testSize": ${info.testSize}}
CHAR_ALPHABET = ${JSON.stringify(CHAR_ALPHABET)}
IGNORE = -100  # a target position that does not count (F.cross_entropy's ignore_index)


def encode_text(text):
    """Lower-cased, whitespace runs → one space, paragraph breaks → one newline, other characters dropped."""
    text = re.sub(r"\\n{2,}", "\\0", text.lower().replace("\\r", ""))
    text = re.sub(r"\\s+", " ", text).replace("\\0", "\\n")
    return [CHAR_ALPHABET.index(c) for c in text if c in CHAR_ALPHABET]


def sampler(text):
    """draw(rng, split) → (input, target, key): one sample of the task, as the playground defines it."""
    name, L = TASK["name"], TASK["length"]
    if name in ("copy", "reverse", "sort"):
        S = TASK["symbols"]

        def draw(rng, split):  # symbols 1..S, separator S+1, blanks 0; answers after the separator
            s = [1 + rng.randrange(S) for _ in range(L)]
            ans = s if name == "copy" else s[::-1] if name == "reverse" else sorted(s)
            return s + [S + 1] + [0] * (L - 1), [IGNORE] * L + ans, tuple(s)
    elif name == "addition":
        def draw(rng, split):  # a + b = sum, least-significant digit first; 10 '+', 11 '=', 12 blank
            a = [rng.randrange(10) for _ in range(L)]
            b = [rng.randrange(10) for _ in range(L)]
            total, digits = int("".join(map(str, a))) + int("".join(map(str, b))), []
            for _ in range(L + 1):
                digits.append(total % 10)
                total //= 10
            return a + [10] + b + [11] + [12] * L, [IGNORE] * (2 * L + 1) + digits, (tuple(a), tuple(b))
    elif name == "parity":
        def draw(rng, split):
            bits = [rng.randrange(2) for _ in range(L)]
            return bits, [sum(bits) % 2], tuple(bits)
    elif name == "parens":
        def balanced(s):
            depth = 0
            for c in s:
                depth += 1 if c == 0 else -1
                if depth < 0:
                    return False
            return depth == 0

        def draw(rng, split):  # half balanced; negatives mostly shuffles with equal counts
            want = rng.random() < 0.5
            while True:
                if not want and rng.random() < 0.125:
                    s = [rng.randrange(2) for _ in range(L)]
                else:
                    s = [0] * (L // 2) + [1] * (L - L // 2)
                    rng.shuffle(s)
                if balanced(s) == want:
                    return s, [int(want)], tuple(s)
    elif name == "sine":
        def draw(rng, split):
            A, w, phi = rng.uniform(0.5, 1), rng.uniform(0.2, 0.6), rng.uniform(0, 2 * math.pi)
            f = lambda t: A * math.sin(w * t + phi)
            return [[f(t)] for t in range(L)], [f(L + k) for k in range(TASK["horizon"])], (A, w, phi)
    elif name == "char":
        ids = encode_text(text)
        cut = int(len(ids) * 0.9)  # train windows in the first 90% of the text, test windows in the rest

        def draw(rng, split):
            lo, hi = (0, cut - L - 1) if split == "train" else (cut, len(ids) - L - 1)
            s = rng.randint(lo, hi)
            return ids[s:s + L], ids[s + 1:s + L + 1], (split, s)
    else:
        raise ValueError(f"unknown task {name}")
    return draw


def load_data(path, seed, train=True):
    """Train and test splits; no test sequence appears in train (char: disjoint text ranges)."""
    text = open(path, encoding="utf-8").read() if TASK["name"] == "char" else None
    draw, rng = sampler(text), random.Random(seed)
    unique = TASK["name"] != "char"

    def make(n, split, avoid):
        xs, ys, keys, misses = [], [], set(), 0
        while len(xs) < n:
            x, y, key = draw(rng, split)
            if key in avoid or (unique and split == "test" and key in keys):
                misses += 1
                if misses > 50 * n + 10000:  # the space is exhausted
                    break
                continue
            keys.add(key)
            xs.append(x)
            ys.append(y)
        x = to_model_input(torch.tensor(xs, dtype=torch.float64))
        if OUTPUT["kind"] == "regression":
            return x, torch.tensor(ys, dtype=torch.float32), keys
        y = torch.tensor(ys, dtype=torch.long)
        return x, (y[:, 0] if OUTPUT["kind"] == "class" else y), keys

    x_test, y_test, test_keys = make(TASK["testSize"], "test", set())
    x_train, y_train, _ = make(TASK["trainSize"], "train", test_keys)
    return x_train, y_train, x_test, y_test
`;
}
