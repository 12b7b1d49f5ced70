"""Text utilities for sequence models (concepts NLP-GEN, NLP-SENT, RNN-EMBED): a
character vocabulary, Tiny Shakespeare, a character-window dataset and a word
vocabulary for padded token sequences."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from gradkit.data._files import dataset_file
from gradkit.data.dataset import Dataset

TINY_SHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
)
TINY_SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def load_tiny_shakespeare(*, download: bool = True) -> str:
    """The Tiny Shakespeare text (1,115,394 ASCII characters, 65 distinct).

    Searched in ``$GRADKIT_DATA/tinyshakespeare/input.txt`` and the user cache, else
    downloaded and checked against its SHA-256.
    """
    path = dataset_file(
        "tinyshakespeare", "input.txt", urls=[TINY_SHAKESPEARE_URL],
        sha256=TINY_SHAKESPEARE_SHA256, download=download,
    )  # fmt: skip
    return path.read_text(encoding="ascii")


class CharVocab:
    """Bijection between the distinct characters of a text and ids 0..V−1 (sorted).

    Examples
    --------
    >>> v = CharVocab("hello")
    >>> len(v), v.encode("hell").tolist(), v.decode([3, 2])
    (4, [1, 0, 2, 2], 'ol')
    """

    def __init__(self, text: str) -> None:
        self.itos = sorted(set(text))
        if not self.itos:
            raise ValueError("CharVocab needs a non-empty text")
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> np.ndarray:
        """Character ids, int64 (T,); unknown characters raise a KeyError naming them."""
        try:
            return np.fromiter((self.stoi[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise KeyError(f"character {exc.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.itos[int(i)] for i in ids)


class CharDataset(Dataset):
    """Next-character windows over an id sequence: item i is
    (ids[i·s : i·s+T], ids[i·s+1 : i·s+T+1]) with stride s (default T).

    Shape: each item is two int64 arrays (T,); :meth:`random_batch` gives (B, T) pairs
    from uniformly random offsets.
    """

    def __init__(self, ids: np.ndarray, seq_len: int, stride: int | None = None) -> None:
        ids = np.asarray(ids, dtype=np.int64)
        if ids.ndim != 1 or ids.size < seq_len + 1:
            raise ValueError(
                f"CharDataset needs a 1-D id sequence longer than seq_len={seq_len}, got "
                f"shape {ids.shape}"
            )
        self.ids, self.seq_len, self.stride = ids, seq_len, stride or seq_len

    def __len__(self) -> int:
        return (self.ids.size - self.seq_len - 1) // self.stride + 1

    def __getitem__(self, index: int):
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} windows")
        start = (index % len(self)) * self.stride
        chunk = self.ids[start : start + self.seq_len + 1]
        return chunk[:-1], chunk[1:]

    def random_batch(self, batch_size: int, rng: np.random.Generator):
        """(x, y), each (batch_size, seq_len), from random offsets."""
        starts = rng.integers(0, self.ids.size - self.seq_len, size=batch_size)
        idx = starts[:, None] + np.arange(self.seq_len + 1)
        chunk = self.ids[idx]
        return chunk[:, :-1], chunk[:, 1:]


_TOKEN = re.compile(r"[a-z0-9£$]+|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words, numbers and single punctuation marks."""
    return _TOKEN.findall(text.lower())


class WordVocab:
    """Word ids for padded sequences: 0 is padding, 1 unknown, then words seen at least
    ``min_freq`` times in the fitting texts, most frequent first.

    Examples
    --------
    >>> v = WordVocab(["free prize now", "call now"])
    >>> v.encode(["call me now"], max_len=4).tolist()
    [[0, 5, 1, 2]]
    """

    PAD, UNK = 0, 1

    def __init__(self, texts: Iterable[str], min_freq: int = 1, max_size: int | None = None):
        counts = Counter(tok for text in texts for tok in tokenize(text))
        words = [w for w, c in counts.most_common(max_size) if c >= min_freq]
        self.itos = ["<pad>", "<unk>", *words]
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, texts: Sequence[str], max_len: int, pad_left: bool = True) -> np.ndarray:
        """(N, max_len) int64 ids, truncated to the last ``max_len`` tokens and padded
        with 0 on the left (so a left-to-right RNN ends on the last real token) or right."""
        out = np.zeros((len(texts), max_len), dtype=np.int64)
        for row, text in enumerate(texts):
            ids = [self.stoi.get(tok, self.UNK) for tok in tokenize(text)][-max_len:]
            if ids:
                if pad_left:
                    out[row, max_len - len(ids) :] = ids
                else:
                    out[row, : len(ids)] = ids
        return out
