"""Datasets and data loading (PyTorch's ``torch.utils.data`` names) and dataset loaders.

``Dataset``, ``TensorDataset``, ``Subset``, ``random_split`` and ``DataLoader`` feed
mini-batches to training loops; ``load_mnist`` and ``load_fashion_mnist`` read the IDX
files from ``$GRADKIT_DATA``, the user cache, or their canonical mirrors. The text
loaders (``load_sms_spam``, ``load_tiny_shakespeare`` and the vocabularies) load on
first use.
"""

import importlib

from gradkit.data.dataloader import DataLoader, default_collate
from gradkit.data.dataset import Dataset, Subset, TensorDataset, random_split
from gradkit.data.datasets import IDXError, load_fashion_mnist, load_mnist, read_idx

_LAZY = {
    "load_sms_spam": "gradkit.data.sms_spam",
    "load_tiny_shakespeare": "gradkit.data.text",
    "CharVocab": "gradkit.data.text",
    "CharDataset": "gradkit.data.text",
    "WordVocab": "gradkit.data.text",
    "tokenize": "gradkit.data.text",
}

__all__ = [
    "DataLoader", "Dataset", "IDXError", "Subset", "TensorDataset", "default_collate",
    "load_fashion_mnist", "load_mnist", "random_split", "read_idx", *_LAZY,
]  # fmt: skip


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gradkit.data' has no attribute {name!r}")
