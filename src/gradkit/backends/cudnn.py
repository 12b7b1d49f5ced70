"""``torch.backends.cudnn``: settable switches with no effect (there is no cuDNN)."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Whether cuDNN can be used: never with the NumPy backend."""
    return False


def version() -> None:
    """cuDNN's version: None, as PyTorch reports without cuDNN."""
    return None
