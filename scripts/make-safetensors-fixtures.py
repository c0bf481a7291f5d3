#!/usr/bin/python3
"""Writes test/fixtures/safetensors/: the PyTorch side of the safetensors interop tests
(test/nn/safetensors-torch.test.ts). Development-time only, never run by the tests; needs Debian's
python3-torch (1.13) and node:
    /usr/bin/python3 scripts/make-safetensors-fixtures.py

Every zoo model is defined here in PyTorch with the attribute names of its ecgrad class (src/models/*.ts),
so the state-dict names are the same but for BatchNorm's buffers (running_mean, ...). Two directions:

1. ecgrad -> PyTorch, every zoo model: scripts/safetensors-fixtures-ecgrad.ts writes each model (weights
   from a seeded generator, test/export/zoo-cases.ts) as a safetensors file; this script loads it into the
   PyTorch model (load_state_dict, strict), and records the file's SHA-256 and PyTorch's eval-mode logits
   on the fixed batch, plus PyTorch's own state-dict names, shapes and dtypes (expected.json). The files
   themselves are not kept: the test rebuilds them byte for byte (checked by the SHA-256).
2. PyTorch -> ecgrad, four models: PyTorch's default init (torch.manual_seed), BatchNorm statistics set
   from a seeded generator, saved as <name>.torch.safetensors (arrhythminet-v2 in float16, the others in
   float32) with the logits PyTorch computes (for the float16 file, with the float16 weights cast back).

There is no Debian package of the safetensors library, so save_file/load_file below implement the format
(https://github.com/huggingface/safetensors, "Format") the way its reference writer lays it out: the
header JSON with tensors sorted by dtype size (largest first) then name, padded with spaces to 8 bytes.
"""
import hashlib, json, os, struct, subprocess, sys, tempfile
import numpy as np
import torch
import torch.nn as nn

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.normpath(os.path.join(here, '..'))
out_dir = os.path.join(root, 'test', 'fixtures', 'safetensors')

# ---- safetensors, the format ---------------------------------------------------------------------------
DT = {torch.float32: ('F32', '<f4'), torch.float16: ('F16', '<f2'), torch.int64: ('I64', '<i8'), torch.float64: ('F64', '<f8')}
NP = {'F32': '<f4', 'F16': '<f2', 'I64': '<i8', 'F64': '<f8', 'BF16': None}


def save_file(state, path, metadata=None):
    items = []
    for k, v in state.items():
        dtype, npt = DT[v.dtype]
        items.append((k, dtype, list(v.shape), v.detach().contiguous().numpy().astype(npt).tobytes()))
    items.sort(key=lambda t: (-np.dtype(NP[t[1]]).itemsize, t[0]))
    header, off = {}, 0
    if metadata:
        header['__metadata__'] = metadata
    for k, dtype, shape, b in items:
        header[k] = {'dtype': dtype, 'shape': shape, 'data_offsets': [off, off + len(b)]}
        off += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(t[3] for t in items))


def load_file(path):
    data = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    header.pop('__metadata__', None)
    buf = data[8 + n:]
    out = {}
    for k, e in header.items():
        a, b = e['data_offsets']
        arr = np.frombuffer(buf[a:b], dtype=NP[e['dtype']]).reshape(e['shape'])
        out[k] = torch.from_numpy(arr.copy())
    return out


# ---- the zoo in PyTorch (src/models/*.ts, layer for layer, same attribute names) ------------------------
def cbr(cin, cout, k, stride=1, dilation=1):
    return [nn.Conv1d(cin, cout, k, stride=stride, dilation=dilation, padding=(dilation * (k - 1)) // 2, bias=False), nn.BatchNorm1d(cout), nn.ReLU()]


class GAP(nn.Module):
    def forward(self, x):
        return x.mean(-1)


def join_rr(h, rr):
    return h if rr is None else torch.cat([h, rr], 1)


class ANN(nn.Module):
    def __init__(self, i, hidden=(128, 64)):
        super().__init__()
        width = i['channels'] * i['length'] + i['rrFeatures']
        self.n = len(hidden)
        for k, h in enumerate(hidden):
            setattr(self, f'fc{k + 1}', nn.Linear(width, h))
            setattr(self, f'drop{k + 1}', nn.Dropout(0.3))
            width = h
        self.out = nn.Linear(width, i['classes'])

    def forward(self, x, rr=None):
        h = join_rr(x.reshape(x.shape[0], -1), rr)
        for k in range(self.n):
            h = getattr(self, f'drop{k + 1}')(torch.relu(getattr(self, f'fc{k + 1}')(h)))
        return self.out(h)


class CNN(nn.Module):
    def __init__(self, i):
        super().__init__()
        C = i['channels']
        self.features = nn.Sequential(*cbr(C, 16, 7), nn.MaxPool1d(2), *cbr(16, 32, 5), nn.MaxPool1d(2), *cbr(32, 64, 5), nn.MaxPool1d(2),
                                      *cbr(64, 64, 3), nn.AdaptiveAvgPool1d(8), nn.Flatten())
        self.fc1 = nn.Linear(512 + i['rrFeatures'], 64)
        self.drop = nn.Dropout(0.3)
        self.fc2 = nn.Linear(64, i['classes'])

    def forward(self, x, rr=None):
        return self.fc2(self.drop(torch.relu(self.fc1(join_rr(self.features(x), rr)))))


class KachueeBlock(nn.Module):
    def __init__(self, c, k):
        super().__init__()
        self.conv1 = nn.Conv1d(c, c, k, padding=(k - 1) // 2)
        self.conv2 = nn.Conv1d(c, c, k, padding=(k - 1) // 2)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))) + x)


class KachueeResNet(nn.Module):
    def __init__(self, i, blocks=5, filters=32):
        super().__init__()
        L = i['length']
        for _ in range(blocks):
            L = (L - 5) // 2 + 1
        self.stem = nn.Conv1d(i['channels'], filters, 5, padding=2)
        self.nblocks = blocks
        for b in range(blocks):
            setattr(self, f'block{b + 1}', KachueeBlock(filters, 5))
        self.pool = nn.MaxPool1d(5, stride=2)
        self.fc1 = nn.Linear(filters * L + i['rrFeatures'], 32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, i['classes'])

    def forward(self, x, rr=None):
        h = self.stem(x)
        for b in range(self.nblocks):
            h = self.pool(getattr(self, f'block{b + 1}')(h))
        h = join_rr(h.flatten(1), rr)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(h)))))


class Recurrent(nn.Module):
    def __init__(self, kind, i, hidden=64):
        super().__init__()
        self.frontEnd = nn.Sequential(*cbr(i['channels'], 16, 5, 2), *cbr(16, 32, 5, 2))
        self.rnn = (nn.LSTM if kind == 'lstm' else nn.GRU)(32, hidden, batch_first=True)
        self.fc1 = nn.Linear(2 * hidden + i['rrFeatures'], 32)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(32, i['classes'])

    def forward(self, x, rr=None):
        out, _ = self.rnn(self.frontEnd(x).transpose(1, 2))
        t = out.transpose(1, 2)
        h = join_rr(torch.cat([t.mean(-1), t.amax(-1)], 1), rr)
        return self.fc2(self.drop(torch.relu(self.fc1(h))))


def odd_kernel(seconds, fs):
    return max(1, 2 * int(np.floor(seconds * fs / 2)) + 1)


class FTCNN(nn.Module):
    def __init__(self, i, f=16):
        super().__init__()
        C, fs = i['channels'], i['fs']
        self.qrs = nn.Sequential(*cbr(C, f, odd_kernel(0.1, fs)))
        self.p = nn.Sequential(*cbr(C, f, odd_kernel(0.05, fs), 1, 2))
        self.t = nn.Sequential(*cbr(C, f, odd_kernel(0.2, fs)))
        self.features = nn.Sequential(nn.MaxPool1d(2), *cbr(3 * f, 64, 7), nn.MaxPool1d(2), *cbr(64, 64, 5), nn.MaxPool1d(2), *cbr(64, 128, 3), GAP())
        self.drop1 = nn.Dropout(0.3)
        self.fc1 = nn.Linear(128 + i['rrFeatures'], 64)
        self.drop2 = nn.Dropout(0.3)
        self.fc2 = nn.Linear(64, i['classes'])

    def forward(self, x, rr=None):
        h0 = torch.cat([self.qrs(x), self.p(x), self.t(x)], 1)
        h = join_rr(self.drop1(self.features(h0)), rr)
        return self.fc2(self.drop2(torch.relu(self.fc1(h))))


class SeparableConv1d(nn.Module):
    def __init__(self, cin, cout, k, stride):
        super().__init__()
        self.depthwise = nn.Conv1d(cin, cin, k, stride=stride, padding=(k - 1) // 2, groups=cin, bias=False)
        self.pointwise = nn.Conv1d(cin, cout, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


V1 = (32, [(64, 7, 1), (96, 7, 2), (104, 5, 1), (128, 5, 2), (128, 5, 1), (176, 3, 2)])
V2 = (24, [(48, 7, 1), (64, 7, 2), (64, 5, 1), (96, 5, 2), (96, 5, 1), (120, 3, 2)])


class ArrhythmiNet(nn.Module):
    def __init__(self, i, plan):
        super().__init__()
        stem, blocks = plan
        layers = [nn.Conv1d(i['channels'], stem, 7, stride=2, padding=3, bias=False), nn.BatchNorm1d(stem), nn.ReLU()]
        c = stem
        for out, k, s in blocks:
            layers += [SeparableConv1d(c, out, k, s), nn.BatchNorm1d(out), nn.ReLU()]
            c = out
        layers.append(GAP())
        self.features = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.2)
        self.fc = nn.Linear(c + i['rrFeatures'], i['classes'])

    def forward(self, x, rr=None):
        return self.fc(join_rr(self.drop(self.features(x)), rr))


# The reference models: ../shared/baselines/torch_bench.py's classes (its benchmark code is not run).
bench_path = os.path.join(root, '..', 'shared', 'baselines', 'torch_bench.py')
bench = {}
argv = sys.argv
sys.argv = ['torch_bench.py', '1', 'none']
exec(compile(open(bench_path).read().split('def timeit')[0], bench_path, 'exec'), bench)
sys.argv = argv

BUILD = {
    'ann': ANN, 'cnn': CNN, 'resnet': KachueeResNet, 'lstm': lambda i: Recurrent('lstm', i), 'gru': lambda i: Recurrent('gru', i),
    'ft-cnn': FTCNN, 'arrhythminet-v1': lambda i: ArrhythmiNet(i, V1), 'arrhythminet-v2': lambda i: ArrhythmiNet(i, V2),
    'std-cnn': lambda i: bench['StdCNN'](), 'ds-cnn': lambda i: bench['DSCNN'](), 'lstm-net': lambda i: bench['LSTMNet'](),
}
# PyTorch -> ecgrad: these four are saved from PyTorch and committed (the dtype each is written in).
FROM_TORCH = {'ds-cnn': torch.float32, 'lstm-net': torch.float32, 'gru': torch.float32, 'arrhythminet-v2': torch.float16}


def logits(model, i, x, rr):
    model.eval()
    with torch.no_grad():
        return model(x, rr) if i['rrFeatures'] else model(x)


def main():
    os.makedirs(out_dir, exist_ok=True)
    tmp = tempfile.mkdtemp()
    subprocess.run(['node', '--import', 'tsx', os.path.join(here, 'safetensors-fixtures-ecgrad.ts'), tmp], cwd=root, check=True)
    batch = json.load(open(os.path.join(tmp, 'batch.json')))
    cases = json.load(open(os.path.join(tmp, 'cases.json')))
    x = torch.tensor(batch['x'], dtype=torch.float32).reshape(4, 1, 187)
    rr6 = torch.tensor(batch['rr'], dtype=torch.float32).reshape(4, 6)
    expected = {'torch': torch.__version__, 'batch': batch, 'models': {}}
    for name, i in cases.items():
        rr = rr6[:, :i['rrFeatures']] if i['rrFeatures'] else None
        torch.manual_seed(0)
        model = BUILD[name](i)
        names = [[k, list(v.shape), DT[v.dtype][0]] for k, v in model.state_dict().items()]
        path = os.path.join(tmp, f'{name}.safetensors')
        digest = hashlib.sha256(open(path, 'rb').read()).hexdigest()
        model.load_state_dict(load_file(path), strict=True)
        entry = {'input': i, 'stateDict': names, 'fromEcgrad': {'sha256': digest, 'logits': logits(model, i, x, rr).flatten().tolist()}}
        if name in FROM_TORCH:
            torch.manual_seed(1)
            model = BUILD[name](i)
            g = torch.Generator().manual_seed(7)
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, nn.BatchNorm1d):
                        m.weight.uniform_(0.5, 1.5, generator=g)
                        m.bias.uniform_(-0.2, 0.2, generator=g)
                        m.running_mean.uniform_(-0.3, 0.3, generator=g)
                        m.running_var.uniform_(0.5, 2.0, generator=g)
                        m.num_batches_tracked.fill_(1234)
            dtype = FROM_TORCH[name]
            state = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in model.state_dict().items()}
            model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
            file = f'{name}.torch.safetensors'
            save_file(state, os.path.join(out_dir, file), {'format': 'pt'})
            entry['fromTorch'] = {'file': file, 'dtype': DT[dtype][0], 'logits': logits(model, i, x, rr).flatten().tolist()}
        expected['models'][name] = entry
        print(name, 'ok', entry.get('fromTorch', {}).get('file', ''))
    with open(os.path.join(out_dir, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)


main()
