"""Karpathy's GPT from "Let's build GPT" (``gpt.py``), shrunk, on Tiny Shakespeare, on
PyTorch or gradkit.

Follows the program of karpathy/ng-video-lecture ``gpt.py`` (commit
52201428ed7b46804849dea0b3ccf0de9df1a5c3) step for step: character vocabulary, 90/10
split, random blocks from ``get_batch``, ``estimate_loss`` under ``@torch.no_grad()``,
causal self-attention heads (a ``tril`` buffer and ``masked_fill``) concatenated and
projected, feed-forward blocks with pre-LayerNorm residuals, token + position
embeddings, the N(0, 0.02) init applied with ``self.apply``, AdamW, and sampling with
``torch.multinomial``. It is written for this repository (the lecture's text is not
copied); every place where it does something other than that program says so with
``# gradkit:``. The model is shrunk through the hyperparameter lines alone (the
original: batch 64, block 256, 5000 steps at lr 3e-4, 384 wide, 6 heads, 6 layers,
about 10.8M parameters) so that it trains in a minute on one CPU core.

    python examples/pytorch/nanogpt_shakespeare.py            # PyTorch
    python examples/pytorch/nanogpt_shakespeare.py --gradkit  # gradkit (or GRADKIT=1)

The last line printed is ``RESULT {json}``: the train and validation losses at every
evaluation, and the cross-entropy of the training set's character frequencies on the
validation text (the unigram baseline, 3.35 nats) that a model must beat to have
learnt anything about context.
"""

# ruff: noqa: UP015 - the original's own idioms are kept
# ---- gradkit: header (not in the original): library switch and size knobs ----------
import argparse
import json
import math
import os
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--gradkit", action="store_true", help="run on gradkit, not PyTorch")
parser.add_argument("--max-iters", type=int, default=500)
parser.add_argument("--eval-interval", type=int, default=100)
parser.add_argument("--eval-iters", type=int, default=20)
parser.add_argument("--new-tokens", type=int, default=500, help="characters sampled at the end")
parser.add_argument("--seed", type=int, default=1337, help="the original seeds with 1337")
args = parser.parse_args()

if args.gradkit or os.environ.get("GRADKIT") == "1":
    import gradkit as torch
    import gradkit.nn as nn
    from gradkit.nn import functional as F
else:
    import torch
    import torch.nn as nn
    from torch.nn import functional as F

DATA = Path(
    os.environ.get("GRADKIT_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data"
)
# ---- end of header ------------------------------------------------------------------

# hyperparameters (gradkit: shrunk; the original's values in the comments)
batch_size = 16  # sequences per step (64)
block_size = 32  # context length (256)
max_iters = args.max_iters  # 500 by default (5000)
eval_interval = args.eval_interval  # 100 by default (500)
learning_rate = 1e-3  # (3e-4; the small model takes a larger step)
device = "cuda" if torch.cuda.is_available() else "cpu"
eval_iters = args.eval_iters  # 20 by default (200)
n_embd = 64  # (384)
n_head = 4  # (6)
n_layer = 2  # (6)
dropout = 0.2
# ------------

torch.manual_seed(args.seed)  # gradkit: the seed is a knob (the original: 1337)

# gradkit: the text comes from shared/data (the original reads ./input.txt)
with open(DATA / "tinyshakespeare" / "input.txt", "r", encoding="utf-8") as f:
    text = f.read()

# the characters of the text, and maps between them and integers
chars = sorted(list(set(text)))
vocab_size = len(chars)
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for i, ch in enumerate(chars)}
encode = lambda s: [stoi[c] for c in s]  # noqa: E731 - string -> list of integers
decode = lambda l: "".join([itos[i] for i in l])  # noqa: E731, E741 - and back

# the first 90% trains, the rest validates
data = torch.tensor(encode(text), dtype=torch.long)
n = int(0.9 * len(data))
train_data = data[:n]
val_data = data[n:]


def get_batch(split):
    # batch_size random blocks of the split as inputs x, the same shifted by one as targets y
    data = train_data if split == "train" else val_data
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([data[i : i + block_size] for i in ix])
    y = torch.stack([data[i + 1 : i + block_size + 1] for i in ix])
    x, y = x.to(device), y.to(device)
    return x, y


@torch.no_grad()
def estimate_loss():
    out = {}
    model.eval()
    for split in ["train", "val"]:
        losses = torch.zeros(eval_iters)
        for k in range(eval_iters):
            X, Y = get_batch(split)
            logits, loss = model(X, Y)
            losses[k] = loss.item()
        out[split] = losses.mean()
    model.train()
    return out


class Head(nn.Module):
    """One head of causal self-attention."""

    def __init__(self, head_size):
        super().__init__()
        self.key = nn.Linear(n_embd, head_size, bias=False)
        self.query = nn.Linear(n_embd, head_size, bias=False)
        self.value = nn.Linear(n_embd, head_size, bias=False)
        self.register_buffer("tril", torch.tril(torch.ones(block_size, block_size)))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        # x: (B, T, C) -> (B, T, head_size)
        B, T, C = x.shape
        k = self.key(x)
        q = self.query(x)
        wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5  # (B, T, T) scaled scores
        wei = wei.masked_fill(self.tril[:T, :T] == 0, float("-inf"))  # no peeking ahead
        wei = F.softmax(wei, dim=-1)
        wei = self.dropout(wei)
        v = self.value(x)
        out = wei @ v  # (B, T, T) @ (B, T, hs) -> (B, T, hs)
        return out


class MultiHeadAttention(nn.Module):
    """Several heads side by side, then a projection."""

    def __init__(self, num_heads, head_size):
        super().__init__()
        self.heads = nn.ModuleList([Head(head_size) for _ in range(num_heads)])
        self.proj = nn.Linear(head_size * num_heads, n_embd)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        out = torch.cat([h(x) for h in self.heads], dim=-1)
        out = self.dropout(self.proj(out))
        return out


class FeedFoward(nn.Module):
    """Linear, ReLU, linear (four times wider inside)."""

    def __init__(self, n_embd):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd),
            nn.ReLU(),
            nn.Linear(4 * n_embd, n_embd),
            nn.Dropout(dropout),
        )

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    """Attention then feed-forward, each on a LayerNormed input, each added back."""

    def __init__(self, n_embd, n_head):
        super().__init__()
        head_size = n_embd // n_head
        self.sa = MultiHeadAttention(n_head, head_size)
        self.ffwd = FeedFoward(n_embd)
        self.ln1 = nn.LayerNorm(n_embd)
        self.ln2 = nn.LayerNorm(n_embd)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        x = x + self.ffwd(self.ln2(x))
        return x


class GPTLanguageModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.token_embedding_table = nn.Embedding(vocab_size, n_embd)
        self.position_embedding_table = nn.Embedding(block_size, n_embd)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head=n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        # idx, targets: (B, T) integers
        tok_emb = self.token_embedding_table(idx)  # (B, T, C)
        pos_emb = self.position_embedding_table(torch.arange(T, device=device))  # (T, C)
        x = tok_emb + pos_emb
        x = self.blocks(x)
        x = self.ln_f(x)
        logits = self.lm_head(x)  # (B, T, vocab_size)

        if targets is None:
            loss = None
        else:
            B, T, C = logits.shape
            logits = logits.view(B * T, C)
            targets = targets.view(B * T)
            loss = F.cross_entropy(logits, targets)

        return logits, loss

    def generate(self, idx, max_new_tokens):
        # idx: (B, T) indices; append max_new_tokens sampled ones
        for _ in range(max_new_tokens):
            idx_cond = idx[:, -block_size:]  # at most block_size of context
            logits, loss = self(idx_cond)
            logits = logits[:, -1, :]  # the last step: (B, C)
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)  # (B, 1)
            idx = torch.cat((idx, idx_next), dim=1)  # (B, T+1)
        return idx


model = GPTLanguageModel()
m = model.to(device)
print(sum(p.numel() for p in m.parameters()) / 1e6, "M parameters")

optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)

history = []  # gradkit: every evaluation, kept for the RESULT line
for iter in range(max_iters):
    # now and then, the mean loss on both splits
    if iter % eval_interval == 0 or iter == max_iters - 1:
        losses = estimate_loss()
        print(f"step {iter}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
        history.append([iter, losses["train"].item(), losses["val"].item()])  # gradkit

    xb, yb = get_batch("train")

    logits, loss = model(xb, yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()

# sample from the model, starting from a single newline (index 0)
context = torch.zeros((1, 1), dtype=torch.long, device=device)
sample = decode(m.generate(context, max_new_tokens=args.new_tokens)[0].tolist())  # gradkit
print(sample)

# gradkit: the unigram baseline (training-set character frequencies scored on the
# validation text) and the result, for tests/programs/test_pytorch_tutorials.py
train_text, val_text = text[:n], text[n:]
freq = {ch: train_text.count(ch) / len(train_text) for ch in chars}
unigram = -sum(math.log(freq[ch]) for ch in val_text) / len(val_text)
result = {"evals": history, "unigram_val_loss": unigram, "sample_chars": len(sample)}
print("RESULT " + json.dumps(result))
