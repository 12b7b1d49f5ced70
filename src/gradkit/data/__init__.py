"""Datasets and data loading (PyTorch's ``torch.utils.data`` names) and dataset loaders.

The datasets (``Dataset``, ``IterableDataset``, ``TensorDataset``, ``ConcatDataset``,
``ChainDataset``, ``Subset``, ``random_split``), samplers (``Sampler``,
``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``,
``WeightedRandomSampler``, ``BatchSampler``, ``DistributedSampler``), ``DataLoader``
(with worker processes),
``default_collate``, ``default_convert`` and ``get_worker_info`` feed batches to
training loops; ``gradkit.utils.data`` is the same set under PyTorch's module path.
``load_mnist`` and ``load_fashion_mnist`` read the IDX
files from ``$GRADKIT_DATA``, the user cache, or their canonical mirrors. The text
loaders (``load_sms_spam``, ``load_tiny_shakespeare`` and the vocabularies) load on
first use.
"""

import importlib

from gradkit.data._worker import WorkerInfo, get_worker_info
from gradkit.data.collate import default_collate, default_convert
from gradkit.data.dataloader import DataLoader
from gradkit.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from gradkit.data.datasets import IDXError, load_fashion_mnist, load_mnist, load_mnist1d, read_idx
from gradkit.data.distributed import DistributedSampler
from gradkit.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

_LAZY = {
    "load_sms_spam": "gradkit.data.sms_spam",
    "load_tiny_shakespeare": "gradkit.data.text",
    "CharVocab": "gradkit.data.text",
    "CharDataset": "gradkit.data.text",
    "WordVocab": "gradkit.data.text",
    "tokenize": "gradkit.data.text",
}

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
    "DistributedSampler", "IDXError",
    "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "Subset",
    "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
    "default_collate", "default_convert", "get_worker_info", "load_fashion_mnist", "load_mnist1d",
    "load_mnist", "random_split", "read_idx", *_LAZY,
]  # fmt: skip


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gradkit.data' has no attribute {name!r}")
