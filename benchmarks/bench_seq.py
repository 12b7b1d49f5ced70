"""Sequence-model training steps, gradkit vs PyTorch CPU in the same process.

LSTM and GRU character models (vocab 65, embedding 64, hidden 128, sequence 64, batch 32)
and a 2-layer causal transformer LM (d_model 128, 4 heads, feed-forward 512, sequence 64,
batch 32); one step = forward, cross-entropy, backward, Adam update. The two libraries
alternate in blocks of ``--block`` steps (the first ``--warmup`` of each block dropped)
so their thread pools do not fight; the medians are reported, and as the ratio the
median over rounds of the two neighbouring blocks' ratio.

    python benchmarks/bench_seq.py [--rounds 5] [--block 25]

``--train-char-lstm`` instead trains the character LSTM on Tiny Shakespeare (concept
NLP-GEN; first 90% train, last 10% validation) until the validation loss reaches
``--target`` nats per character, then prints the time and a sample.
"""

from __future__ import annotations

import os

THREADS = os.environ.get("BENCH_THREADS", "2")  # 2 for the comparison; set before numpy loads
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = THREADS

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gradkit as gk  # noqa: E402
from gradkit.models.seq import CharRNNLM, TransformerLM  # noqa: E402
from gradkit.nn import functional as F  # noqa: E402
from gradkit.optim import Adam  # noqa: E402

torch.set_num_threads(int(THREADS))
V, E, H, T, B = 65, 64, 128, 64, 32
D, HEADS, FF, LAYERS = 128, 4, 512, 2


class TorchCharLM(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.embed = torch.nn.Embedding(V, E)
        self.rnn = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](E, H, batch_first=True)
        self.head = torch.nn.Linear(H, V)

    def forward(self, ids):
        return self.head(self.rnn(self.embed(ids))[0])


class TorchTransformerLM(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(V, D)
        self.pos = torch.nn.Parameter(torch.randn(T, D) * 0.02)
        layer = torch.nn.TransformerEncoderLayer(D, HEADS, FF, 0.0, activation="gelu",
                                                 batch_first=True, norm_first=True)  # fmt: skip
        self.encoder = torch.nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False)
        self.norm = torch.nn.LayerNorm(D)
        self.head = torch.nn.Linear(D, V)
        self.register_buffer("mask", torch.nn.Transformer.generate_square_subsequent_mask(T))

    def forward(self, ids):
        h = self.encoder(self.embed(ids) + self.pos, mask=self.mask, is_causal=True)
        return self.head(self.norm(h))


def gk_stepper(name):
    gk.manual_seed(0)
    if name == "transformer":
        model = TransformerLM(V, D, HEADS, LAYERS, FF, max_len=T)
    else:
        model = CharRNNLM(V, E, H, cell=name)
    opt = Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_stepper(name):
    torch.manual_seed(0)
    model = TorchTransformerLM() if name == "transformer" else TorchCharLM(name)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        loss = torch.nn.functional.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


def time_block(step, batches, warmup, clock=time.perf_counter):
    times = []
    for x, y in batches:
        t0 = clock()
        step(x, y)
        times.append(clock() - t0)
    return times[warmup:]


def train_char_lstm(target: float, max_minutes: float) -> None:
    """Char LSTM (embedding 64, hidden 256), Adam 3e-3 with clipping at 1, batches of
    64 random windows of 64 characters; validation on 200 fixed windows every 250 steps."""
    from gradkit.data.text import CharDataset, CharVocab, load_tiny_shakespeare
    from gradkit.models.seq import sample_text
    from gradkit.optim import clip_grad_norm_

    text = load_tiny_shakespeare()
    vocab = CharVocab(text)
    ids = vocab.encode(text)
    split = int(0.9 * ids.size)
    train, val = CharDataset(ids[:split], 64), CharDataset(ids[split:], 64)
    rng = np.random.default_rng(0)
    vx, vy = val.random_batch(200, np.random.default_rng(1))
    gk.manual_seed(0)
    model = CharRNNLM(len(vocab), 64, 256, cell="lstm")
    opt = Adam(model.parameters(), lr=3e-3)
    start, step, val_loss = time.perf_counter(), 0, float("inf")
    while val_loss > target and time.perf_counter() - start < 60 * max_minutes:
        x, y = train.random_batch(64, rng)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % 250 == 0:
            with gk.no_grad():
                logits, _ = model(vx)
                val_loss = F.cross_entropy(logits.reshape(-1, len(vocab)), vy.reshape(-1)).item()
            print(f"step {step:5d}  train {loss.item():.3f}  val {val_loss:.3f}  "
                  f"{time.perf_counter() - start:7.1f} s", flush=True)  # fmt: skip
    print(f"final validation loss {val_loss:.3f} nats/char after {step} steps, "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    print(sample_text(model, vocab, "ROMEO:", 400, temperature=0.8, rng=np.random.default_rng(0)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--block", type=int, default=25)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--models", default="lstm,gru,transformer")
    ap.add_argument(
        "--clock", choices=["wall", "cpu"], default="wall",
        help="cpu: process CPU time, steadier on a machine shared with other jobs",
    )  # fmt: skip
    ap.add_argument("--train-char-lstm", action="store_true")
    ap.add_argument("--target", type=float, default=1.65)
    ap.add_argument("--max-minutes", type=float, default=30.0)
    args = ap.parse_args()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__},"
        f" gradkit {gk.__version__}; BLAS threads {THREADS}, torch {torch.get_num_threads()}"
    )
    if args.train_char_lstm:
        train_char_lstm(args.target, args.max_minutes)
        return
    rng = np.random.default_rng(0)
    data = [rng.integers(0, V, (B, T + 1)) for _ in range(args.block)]
    gk_batches = [(d[:, :-1], d[:, 1:]) for d in data]
    th_batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in gk_batches]
    clock = time.perf_counter if args.clock == "wall" else time.process_time
    print(f"{args.clock} clock, medians over {args.rounds} blocks of {args.block} steps")
    print(f"{'model':<12}{'gradkit ms':>12}{'torch ms':>10}{'ratio':>8}")
    for name in args.models.split(","):
        g_step, t_step = gk_stepper(name), torch_stepper(name)
        g_blocks, t_blocks = [], []
        for _ in range(args.rounds):
            g_blocks.append(time_block(g_step, gk_batches, args.warmup, clock))
            t_blocks.append(time_block(t_step, th_batches, args.warmup, clock))
        g_ms, t_ms = 1e3 * np.median(g_blocks), 1e3 * np.median(t_blocks)
        # the median over rounds of neighbouring blocks' ratios cancels slow drifts in
        # the machine's speed (see benchmarks/_common.compare)
        ratio = np.median([np.median(g) / np.median(t) for g, t in zip(g_blocks, t_blocks)])
        print(f"{name:<12}{g_ms:>12.2f}{t_ms:>10.2f}{ratio:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
