"""How a tensor prints: PyTorch's rules (``torch/_tensor_str.py``), so a tutorial's
``print(x)`` shows what it shows under PyTorch.

Floats print with 4 decimals (``0.1235``); integral floats as ``1.``; scientific notation
(``1.0000e-05``) when the finite non-zero magnitudes span more than a factor of 1000,
exceed 1e8 or (non-integral) fall below 1e-4. Every element is right-aligned to the
widest one; more than 1000 elements are summarised with ``...`` (3 at each edge).
"""

from __future__ import annotations

import numpy as np

PRECISION = 4
LINE_WIDTH = 80
EDGE_ITEMS = 3
THRESHOLD = 1000
SCI_MODE = None  # None: chosen per tensor; True/False: forced (set_printoptions)

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, float("inf"), 3, 80),
}


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """PyTorch's ``torch.set_printoptions``: digits after the point, the element count
    above which a print is summarised, the items kept at each edge when it is, the line
    width, a ``profile`` ("default", "short", "full") setting all four, and ``sci_mode``
    (True/False forces scientific notation on or off; None, also when not passed,
    chooses per tensor).

    Examples
    --------
    >>> import gradkit as gk
    >>> gk.set_printoptions(precision=2)
    >>> gk.tensor([1.12345])
    tensor([1.12])
    >>> gk.set_printoptions(profile="default")
    >>> gk.tensor([1.12345])
    tensor([1.1235])
    """
    global PRECISION, THRESHOLD, EDGE_ITEMS, LINE_WIDTH, SCI_MODE
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: unknown profile {profile!r}; valid: {', '.join(_PROFILES)}"
            )
        PRECISION, THRESHOLD, EDGE_ITEMS, LINE_WIDTH = _PROFILES[profile]
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGE_ITEMS = edgeitems
    if linewidth is not None:
        LINE_WIDTH = linewidth
    SCI_MODE = sci_mode


def _float_formatter(data: np.ndarray):
    values = np.asarray(data, dtype=np.float64).ravel()
    finite = values[np.isfinite(values) & (values != 0)]
    sci, integral, width = False, True, 1
    if finite.size:
        magnitudes = np.abs(finite)
        low, high = magnitudes.min(), magnitudes.max()
        integral = bool(np.all(finite == np.ceil(finite)))
        sci = high / low > 1000.0 or high > 1.0e8 or (not integral and low < 1.0e-4)
        if SCI_MODE is not None:
            sci = SCI_MODE
        if sci:
            width = max(len(f"{v:.{PRECISION}e}") for v in finite)
        elif integral:
            width = max(len(f"{v:.0f}") + 1 for v in finite)
        else:
            width = max(len(f"{v:.{PRECISION}f}") for v in finite)

    def fmt(value) -> str:
        value = float(value)
        if sci:
            text = f"{value:.{PRECISION}e}"
        elif integral:
            text = f"{value:.0f}" + ("" if np.isnan(value) or np.isinf(value) else ".")
        else:
            text = f"{value:.{PRECISION}f}"
        return text.rjust(width)

    return fmt, width


def add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """``text`` closed with ``, dtype=...``-style suffixes, each moved to a new line
    (indented) when it would pass the line width, as PyTorch lays them out; the width
    counts a dtype as PyTorch names it (``torch.float64``), so lines break where its
    do."""
    last = len(text) - text.rfind("\n") + 1  # PyTorch's count (one more without "\n")
    parts = [text]
    for suffix in suffixes:
        size = len(suffix) + (len("torch.") if suffix.startswith("dtype=") else 0)
        if last + size + 2 > LINE_WIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + size
        else:
            parts.append(", " + suffix)
            last += size + 2
    return "".join(parts) + ")"


def _complex_formatter(data: np.ndarray):
    """Real and imaginary parts each formatted as a float tensor of their own, joined as
    PyTorch joins them: ``1.+2.0000j``, ``-0.-0.5000j``."""
    real, real_width = _float_formatter(data.real)
    imag, imag_width = _float_formatter(data.imag)

    def fmt(value) -> str:
        value = complex(value)
        imag_text = (imag(value.imag) + "j").lstrip()
        sign = "" if imag_text[0] in "+-" else "+"
        return real(value.real) + sign + imag_text

    return fmt, real_width + imag_width + 1


def _plain_formatter(data: np.ndarray):
    width = max((len(str(v)) for v in np.asarray(data).ravel()), default=1)
    return (lambda value: str(value).rjust(width)), width


def format_array(data: np.ndarray, prefix: str = "tensor(") -> str:
    """The body of ``repr(tensor)``: ``data`` laid out as PyTorch lays it out."""
    data = np.asarray(data)
    summarize = data.size > THRESHOLD
    shown = _edges(data) if summarize else data
    if data.dtype.kind == "c":
        fmt, width = _complex_formatter(shown)
    elif data.dtype.kind == "f":
        fmt, width = _float_formatter(shown)
    else:
        fmt, width = _plain_formatter(shown)
    if data.ndim == 0:
        return fmt(data.item()).strip()
    return _nested(data, len(prefix), summarize, fmt, width)


def _nested(data: np.ndarray, indent: int, summarize: bool, fmt, width: int) -> str:
    n = data.shape[0]
    cut = summarize and n > 2 * EDGE_ITEMS
    rows = [*range(EDGE_ITEMS), None, *range(n - EDGE_ITEMS, n)] if cut else range(n)
    if data.ndim == 1:
        items = [" ..." if i is None else fmt(data[i]) for i in rows]
        per_line = max(1, (LINE_WIDTH - indent) // (width + 2))
        lines = [", ".join(items[k : k + per_line]) for k in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    parts = [
        "..." if i is None else _nested(data[i], indent + 1, summarize, fmt, width) for i in rows
    ]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _edges(data: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows (3 at each edge of every axis)."""
    for axis, n in enumerate(data.shape):
        if n > 2 * EDGE_ITEMS:
            keep = [*range(EDGE_ITEMS), *range(n - EDGE_ITEMS, n)]
            data = np.take(data, keep, axis)
    return data
