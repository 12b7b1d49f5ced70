"""``torch.backends.cuda``: CUDA matmul switches, settable with no effect."""

from types import SimpleNamespace

#: ``backends.cuda.matmul.allow_tf32 = True`` is accepted (no GPU, no effect).
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)


def is_built() -> bool:
    """Whether this build has CUDA: no."""
    return False
