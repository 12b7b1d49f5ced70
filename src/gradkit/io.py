"""Save and load checkpoints in the safetensors format; nothing is ever unpickled.

File layout (the `safetensors <https://github.com/huggingface/safetensors>`_ format, so
the ``safetensors`` package reads our files and we read its files)::

    8 bytes      little-endian uint64 N, the header length
    N bytes      JSON: {name: {"dtype": "F32", "shape": [...], "data_offsets": [b, e]},
                        "__metadata__": {str: str}}   (padded with spaces)
    rest         the raw little-endian bytes of every tensor, back to back

Two levels of API:

* :func:`save_file` / :func:`load_file` (the names of ``safetensors.numpy``): a flat
  ``{name: array}`` dict plus optional string metadata.
* :func:`save` / :func:`load` / :func:`load_checkpoint`: any nest of dicts, lists and
  tuples whose leaves are arrays, Tensors, numbers, strings or ``None`` (a model's
  ``state_dict()``, an optimizer's ``state_dict()``, both together, an epoch count).
  Arrays become tensors named by their dotted path (``"state.0.exp_avg"``); the
  structure and the non-array leaves are stored as JSON in
  ``__metadata__["gradkit_tree"]``, and an optional ``config`` dict (how to rebuild the
  model) in ``__metadata__["gradkit_config"]``.

Writes are atomic: the file is written to a temporary name in the same directory,
flushed to disk (``fsync``) and renamed over the target, so an interrupted save leaves
the previous checkpoint intact. Any file that is truncated, corrupt or not a
safetensors file raises :class:`CheckpointError` (a ``ValueError``) naming the problem.

Examples
--------
>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "model.safetensors")
>>> save({"w": np.ones((2, 2), np.float32), "epoch": 3}, path, config={"hidden": 8})
>>> ckpt = load_checkpoint(path)
>>> ckpt.state["epoch"], ckpt.state["w"].dtype, ckpt.config
(3, dtype('float32'), {'hidden': 8})
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from gradkit.backend import xp
from gradkit.tensor import Tensor

__all__ = [
    "Checkpoint", "CheckpointError", "load", "load_checkpoint", "load_file", "read_metadata",
    "save", "save_file",
]  # fmt: skip

DTYPES = {
    "BOOL": xp.bool_, "U8": xp.uint8, "I8": xp.int8, "U16": xp.uint16, "I16": xp.int16,
    "F16": xp.float16, "U32": xp.uint32, "I32": xp.int32, "F32": xp.float32,
    "U64": xp.uint64, "I64": xp.int64, "F64": xp.float64,
}  # fmt: skip
_CODES = {xp.dtype(t): code for code, t in DTYPES.items()}
MAX_HEADER_BYTES = 100_000_000  # the safetensors limit
TREE_KEY, CONFIG_KEY = "gradkit_tree", "gradkit_config"

PathLike = str | os.PathLike


class CheckpointError(ValueError):
    """A checkpoint file that is truncated, corrupt or not a safetensors file."""


class Checkpoint(NamedTuple):
    """What :func:`load_checkpoint` returns."""

    state: Any
    """The saved object (nested dicts/lists with NumPy arrays as leaves)."""
    config: dict | None
    """The ``config`` passed to :func:`save`, or ``None``."""
    metadata: dict[str, str]
    """The user metadata of the header (gradkit's own keys removed)."""


# ---------------------------------------------------------------------------- writing
def _as_array(name: str, value):
    if isinstance(value, Tensor):
        value = value._data
    if not isinstance(value, xp.ndarray):
        raise TypeError(
            f"tensor {name!r}: expected a Tensor or NumPy array, got {type(value).__name__}"
        )
    if value.dtype.newbyteorder("=") not in _CODES:
        raise ValueError(
            f"tensor {name!r}: dtype {value.dtype} can't be stored; supported "
            f"dtypes are {', '.join(d.name for d in _CODES)}"
        )
    return value.astype(value.dtype.newbyteorder("<"), order="C", copy=False)


def save_file(
    tensors: Mapping[str, Any], filename: PathLike, metadata: Mapping[str, str] | None = None
) -> None:
    """Write ``{name: array or Tensor}`` to ``filename`` in the safetensors format.

    Parameters
    ----------
    tensors : mapping of str to Tensor or ndarray
        Supported dtypes: bool, uint8/16/32/64, int8/16/32/64, float16/32/64.
    filename : str or path
        Written atomically (temporary file, ``fsync``, rename).
    metadata : mapping of str to str, optional
        Free-form text stored in the header's ``__metadata__``.
    """
    arrays = {}
    for name, value in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise ValueError(
                f"tensor names must be strings other than '__metadata__', got {name!r}"
            )
        arrays[name] = _as_array(name, value)
    if metadata is not None:
        bad = [k for k, v in metadata.items() if not isinstance(k, str) or not isinstance(v, str)]
        if bad:
            raise TypeError(f"metadata keys and values must be strings; bad entries: {bad}")
    # Widest dtypes first so every tensor starts at a multiple of its item size.
    order = sorted(arrays, key=lambda n: -arrays[n].dtype.itemsize)
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    offset = 0
    for name in order:
        a = arrays[name]
        header[name] = {
            "dtype": _CODES[a.dtype.newbyteorder("=")],
            "shape": list(a.shape),
            "data_offsets": [offset, offset + a.nbytes],
        }
        offset += a.nbytes
    blob = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    blob += b" " * (-len(blob) % 8)
    head = len(blob).to_bytes(8, "little") + blob

    def write(f: BinaryIO) -> None:
        f.write(head)
        for name in order:
            _write_array(f, arrays[name])

    atomic_write(Path(filename), write)


def _write_array(f, array) -> None:
    if array.nbytes:
        f.write(memoryview(array.reshape(-1).view(xp.uint8)))


@functools.cache
def _file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temporary file next to ``path``, fsync it, then rename it
    over ``path``: readers see the old file or the complete new one, never a mix, and an
    interrupted write leaves the old file intact."""
    path = Path(path)
    directory = path.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable (POSIX; not possible on Windows)
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


# ---------------------------------------------------------------------------- reading
def _foreign_hint(head: bytes) -> str:
    if head[:1] == b"\x80":
        return " It looks like a pickle (torch.save / pickle.dump); gradkit never unpickles."
    if head[:2] == b"PK":
        return " It looks like a zip archive (a PyTorch .pt/.pth file or an .npz)."
    if head[:6] == b"\x93NUMPY":
        return " It looks like a NumPy .npy file."
    if head[:2] == b"\x1f\x8b":
        return " It looks like a gzip file."
    return ""


def _read_header(f, path) -> tuple[dict, dict[str, str], int]:
    """Parse and check the header; return (entries, metadata, data start)."""
    size = os.fstat(f.fileno()).st_size
    head = f.read(8)
    if len(head) < 8:
        raise CheckpointError(
            f"{path}: {size} bytes is too short for a safetensors "
            "checkpoint (truncated or empty file)"
        )
    n = int.from_bytes(head, "little")
    if n > MAX_HEADER_BYTES or 8 + n > size:
        raise CheckpointError(
            f"{path}: not a safetensors checkpoint, or truncated: its "
            f"header length field says {n} bytes but the file has "
            f"{size}." + _foreign_hint(head)
        )
    try:
        header = json.loads(f.read(n).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(
            f"{path}: the header is not valid JSON ({exc}); the file is "
            "corrupt or not a safetensors checkpoint." + _foreign_hint(head)
        ) from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path}: the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise CheckpointError(f"{path}: __metadata__ must map strings to strings")
    entries = {name: _check_entry(path, name, e) for name, e in header.items()}
    data_size = size - 8 - n
    spans = sorted((e[2], e[3], name) for name, e in entries.items())
    position = 0
    for begin, end, name in spans:
        if begin != position:
            raise CheckpointError(
                f"{path}: tensor {name!r} starts at byte {begin} of the data "
                f"but the previous one ends at {position} (overlap or hole)"
            )
        position = end
    if position != data_size:
        what = "truncated" if position > data_size else "has trailing bytes"
        raise CheckpointError(
            f"{path}: the header describes {position} bytes of tensor data "
            f"but the file holds {data_size}; it is {what}"
        )
    return entries, metadata, 8 + n


def _check_entry(path, name: str, entry) -> tuple:
    try:
        dtype = xp.dtype(DTYPES[entry["dtype"]])
        shape = tuple(entry["shape"])
        begin, end = entry["data_offsets"]
        ok = all(isinstance(d, int) and d >= 0 for d in (*shape, begin, end))
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        raise CheckpointError(f"{path}: bad header entry for tensor {name!r}: {entry!r}")
    if end - begin != math.prod(shape) * dtype.itemsize:
        raise CheckpointError(
            f"{path}: tensor {name!r} of shape {list(shape)} and dtype "
            f"{entry['dtype']} needs {math.prod(shape) * dtype.itemsize} "
            f"bytes, but its data_offsets span {end - begin}"
        )
    return dtype, shape, begin, end


def _read(filename: PathLike) -> tuple[dict[str, Any], dict[str, str]]:
    with open(filename, "rb") as f:
        entries, metadata, start = _read_header(f, filename)
        arrays = {}
        for name, (dtype, shape, begin, end) in sorted(entries.items(), key=lambda e: e[1][2]):
            array = xp.empty(shape, dtype=dtype)
            if end > begin:
                f.seek(start + begin)
                if f.readinto(memoryview(array.reshape(-1).view(xp.uint8))) != end - begin:
                    raise CheckpointError(f"{filename}: truncated while reading {name!r}")
            if sys.byteorder == "big":  # the file is little-endian
                array.byteswap(inplace=True)
            arrays[name] = array
    return arrays, metadata


def load_file(filename: PathLike) -> dict[str, Any]:
    """Read every tensor of a safetensors file into a ``{name: ndarray}`` dict (in the
    order they are stored)."""
    return _read(filename)[0]


def read_metadata(filename: PathLike) -> dict[str, str]:
    """The header's ``__metadata__`` (only the header is read)."""
    with open(filename, "rb") as f:
        return _read_header(f, filename)[1]


# ---------------------------------------------------------------------------- trees
def _encode(obj, path: str, tensors: dict[str, Any]):
    """JSON-able skeleton of ``obj``; arrays go to ``tensors`` under their dotted path."""
    if isinstance(obj, Tensor | xp.ndarray):
        name, k = path or "tensor", 1
        while name in tensors or name == "__metadata__":
            name, k = f"{path}#{k}", k + 1
        tensors[name] = obj
        return {"__tensor__": name}
    if isinstance(obj, xp.generic):
        obj = obj.item()
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    join = (lambda key: f"{path}.{key}") if path else str
    if isinstance(obj, Mapping):
        items = []
        for key, value in obj.items():
            if isinstance(key, xp.integer):
                key = int(key)
            if isinstance(key, bool) or not isinstance(key, str | int):
                raise TypeError(
                    f"can't save dict key {key!r} at {path or 'top level'}: keys "
                    "must be strings or integers"
                )
            items.append([key, _encode(value, join(key), tensors)])
        return {"__dict__": items}
    if isinstance(obj, list | tuple):
        encoded = [_encode(v, join(i), tensors) for i, v in enumerate(obj)]
        return encoded if isinstance(obj, list) else {"__tuple__": encoded}
    raise TypeError(
        f"can't save a {type(obj).__name__} at {path or 'top level'}: checkpoints "
        "hold arrays, Tensors, numbers, strings, None, lists, tuples and dicts "
        "(never pickled objects)"
    )


def _decode(node, arrays: dict[str, Any], path):
    if isinstance(node, list):
        return [_decode(v, arrays, path) for v in node]
    if isinstance(node, dict):
        if "__tensor__" in node:
            try:
                return arrays[node["__tensor__"]]
            except (KeyError, TypeError):
                raise CheckpointError(
                    f"{path}: the structure refers to a missing tensor {node['__tensor__']!r}"
                ) from None
        if "__tuple__" in node:
            return tuple(_decode(v, arrays, path) for v in node["__tuple__"])
        if "__dict__" in node:
            return {key: _decode(v, arrays, path) for key, v in node["__dict__"]}
        raise CheckpointError(f"{path}: unknown node in the saved structure: {node!r}")
    return node


def save(
    obj: Any,
    path: PathLike,
    config: Mapping[str, Any] | None = None,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Save a state dict (or any nest of dicts/lists of arrays and numbers) atomically.

    Parameters
    ----------
    obj : object
        Dicts (string or integer keys), lists and tuples whose leaves are Tensors,
        arrays, numbers, strings or ``None``; e.g. ``{"model": model.state_dict(),
        "optimizer": opt.state_dict(), "epoch": 5}``.
    path : str or path
        Target file (conventionally ``*.safetensors``); replaced atomically.
    config : dict, optional
        JSON-serializable description of the model (layer sizes, ...), returned by
        :func:`load_checkpoint` so a loader can rebuild the model before loading the
        weights.
    metadata : mapping of str to str, optional
        Extra free-form header entries.
    """
    tensors: dict[str, Any] = {}
    tree = _encode(obj, "", tensors)
    meta = dict(metadata or {})
    clash = {TREE_KEY, CONFIG_KEY, "format"} & set(meta)
    if clash:
        raise ValueError(f"metadata keys {sorted(clash)} are reserved by gradkit")
    meta["format"] = "gradkit"
    meta[TREE_KEY] = json.dumps(tree, separators=(",", ":"))
    if config is not None:
        try:
            meta[CONFIG_KEY] = json.dumps(dict(config), separators=(",", ":"))
        except TypeError as exc:
            raise TypeError(f"config must be JSON-serializable: {exc}") from None
    save_file(tensors, path, meta)


def load_checkpoint(path: PathLike) -> Checkpoint:
    """Load a file written by :func:`save` (or any safetensors file) with its config.

    Returns
    -------
    Checkpoint
        ``state``: the saved object, with NumPy arrays where Tensors or arrays were
        (a plain safetensors file gives a flat ``{name: ndarray}`` dict);
        ``config``: the saved config dict or ``None``; ``metadata``: other header text.
    """
    arrays, metadata = _read(path)
    meta = dict(metadata)
    tree, config = meta.pop(TREE_KEY, None), meta.pop(CONFIG_KEY, None)
    if meta.get("format") == "gradkit":
        meta.pop("format")
    try:
        state = arrays if tree is None else _decode(json.loads(tree), arrays, path)
        config = None if config is None else json.loads(config)
    except CheckpointError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise CheckpointError(f"{path}: corrupt gradkit metadata ({exc})") from None
    return Checkpoint(state, config, meta)


def load(path: PathLike) -> Any:
    """The object saved by :func:`save` (arrays come back as NumPy arrays); see
    :func:`load_checkpoint` for the config as well."""
    return load_checkpoint(path).state
