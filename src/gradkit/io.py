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
* :func:`save` / :func:`load` (``gradkit.save`` / ``gradkit.load``, PyTorch's
  ``torch.save`` / ``torch.load``) and :func:`load_checkpoint`: any nest of dicts,
  lists and tuples whose leaves are Tensors, arrays, numbers, strings or ``None`` (a
  model's ``state_dict()``, an optimizer's ``state_dict()``, both together, an epoch
  count), to a path or a binary file object. Arrays become tensors named by their
  dotted path (``"state.0.exp_avg"``); the structure and the non-array leaves are
  stored as JSON in ``__metadata__["gradkit_tree"]``, and an optional ``config`` dict
  (how to rebuild the model) in ``__metadata__["gradkit_config"]``. :func:`load` gives
  Tensors back where Tensors were saved; :func:`load_checkpoint` gives NumPy arrays
  and the config.

Writes to a path are atomic: the file is written to a temporary name in the same directory,
flushed to disk (``fsync``) and renamed over the target, so an interrupted save leaves
the previous checkpoint intact. Any file that is truncated, corrupt or not a
safetensors file raises :class:`CheckpointError` (a ``ValueError``) naming the problem;
a pickled PyTorch file gets one that says how to convert it.

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
import glob
import io as io_module
import json
import math
import os
import stat
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from gradkit.backend import check_device, xp
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
#: dtypes NumPy lacks, read by upcasting: bfloat16 is the top half of a float32
UPCAST = {"BF16": xp.float32}
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
    elif _is_torch_tensor(value):  # converting a PyTorch checkpoint: gk.save(torch.load(f))
        value = value.detach().cpu().numpy()
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


def _is_torch_tensor(value) -> bool:
    torch = sys.modules.get("torch")  # never imported here; only seen if the caller has it
    return torch is not None and isinstance(value, getattr(torch, "Tensor", ()))


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
    atomic_write(Path(filename), _safetensors_writer(tensors, metadata))


def _safetensors_writer(
    tensors: Mapping[str, Any], metadata: Mapping[str, str] | None
) -> Callable[[BinaryIO], None]:
    """Check ``tensors`` and ``metadata``; return ``write(f)`` that writes the file."""
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

    return write


def _write_array(f, array) -> None:
    if array.nbytes:
        f.write(memoryview(array.reshape(-1).view(xp.uint8)))


MAX_JSON_DEPTH = 64  # far deeper than any real state dict or config nests


def parse_json(text: str, path, what: str):
    """``json.loads`` that refuses duplicate keys and nesting deeper than
    ``MAX_JSON_DEPTH`` (a hostile header must not exhaust the stack), naming the file."""

    def pairs(items):
        out = {}
        for key, value in items:
            if key in out:
                raise CheckpointError(f"{path}: the {what} names {key!r} twice")
            out[key] = value
        return out

    too_deep = CheckpointError(
        f"{path}: the {what} nests deeper than {MAX_JSON_DEPTH} levels; the file is "
        "corrupt or hostile"
    )
    try:
        value = json.loads(text, object_pairs_hook=pairs)
    except RecursionError:
        raise too_deep from None
    stack = [(value, 1)]
    while stack:  # measure the depth without recursing, so decoding it is safe
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise too_deep
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return value


@functools.cache
def _file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _remove_stale_temps(path: Path) -> None:
    """Delete the temporary files that earlier saves of ``path`` left when they were
    killed (``.model.safetensors.<pid>.<random>.tmp``): those whose process is gone. A
    save running now in another process keeps its file."""
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists but belongs to someone else (EPERM)
        return True
    return True


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(f)`` on a temporary file next to ``path``, fsync it, then rename it
    over ``path``: readers see the old file or the complete new one, never a mix, and an
    interrupted write leaves the old file intact."""
    path = Path(path)
    directory = path.parent
    _remove_stale_temps(path)
    try:  # a re-save keeps the target's permissions (0600 stays 0600)
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mode = _file_mode()
    prefix = f".{path.name}.{os.getpid()}."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
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
_CONVERT = (
    " Convert it once where PyTorch is installed:\n"
    "    sd = torch.load(path, map_location='cpu', weights_only=True)\n"
    "    safetensors.torch.save_file(sd, 'model.safetensors')  # a flat dict of tensors\n"
    "or, for any nest of dicts/lists of tensors and numbers (an optimizer's state, an "
    "epoch count), with gradkit installed there too:\n"
    "    gradkit.save(torch.load(path, map_location='cpu', weights_only=True), "
    "'ckpt.safetensors')\n"
    "then read it here with gradkit.load('model.safetensors') (or gradkit.io.load_file)."
)


def _foreign_hint(f, base: int, head: bytes) -> str:
    """What the file seems to be, when it is not a safetensors file."""
    if head[:1] == b"\x80":
        return (
            " It is a pickle (PyTorch's legacy torch.save format, or pickle.dump); gradkit "
            "never unpickles, because loading a pickle can run arbitrary code." + _CONVERT
        )
    if head[:2] == b"PK":
        import zipfile

        try:
            f.seek(base)
            with zipfile.ZipFile(f) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            names = []
        if any(name == "data.pkl" or name.endswith("/data.pkl") for name in names):
            return (
                " It is a PyTorch file written by torch.save (a zip archive holding "
                "data.pkl, a pickle); gradkit never unpickles, because loading a pickle "
                "can run arbitrary code." + _CONVERT
            )
        return " It looks like a zip archive (an .npz or another format), not safetensors."
    if head[:6] == b"\x93NUMPY":
        return " It looks like a NumPy .npy file."
    if head[:2] == b"\x1f\x8b":
        return " It looks like a gzip file."
    return ""


def _read_header(f, path) -> tuple[dict, dict[str, str], int]:
    """Parse and check the header of the file open at ``f`` (read from its current
    position); return (entries, metadata, absolute offset where the data starts)."""
    base = f.tell()
    size = f.seek(0, os.SEEK_END) - base
    f.seek(base)
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
            f"{size}." + _foreign_hint(f, base, head)
        )
    try:
        header = parse_json(f.read(n).decode("utf-8"), path, "header")
    except CheckpointError:
        raise
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError(
            f"{path}: the header is not valid JSON ({exc}); the file is "
            "corrupt or not a safetensors checkpoint." + _foreign_hint(f, base, head)
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
    return entries, metadata, base + 8 + n


def _check_entry(path, name: str, entry) -> tuple:
    if isinstance(entry, dict) and entry.get("dtype") in UPCAST:
        entry = {**entry, "dtype": "U16"}  # stored as raw 16-bit words
        checked = _check_entry(path, name, entry)
        return ("BF16", *checked[1:])
    if (
        isinstance(entry, dict)
        and isinstance(entry.get("dtype"), str)
        and (entry["dtype"] not in DTYPES)
    ):
        raise CheckpointError(
            f"{path}: tensor {name!r} has dtype {entry['dtype']!r}, which gradkit can't "
            f"read (it reads {', '.join([*DTYPES, *UPCAST])})"
        )
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


def check_regular_file(path: PathLike) -> None:
    """Refuse, before opening, anything but a regular file: opening a FIFO blocks
    forever, a device can be endless, a symlink loop fails deep in ``open``."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such checkpoint file") from None
    except OSError as exc:  # ELOOP, ENAMETOOLONG, EACCES, ...
        raise CheckpointError(f"{path}: can't read it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a directory" if stat.S_ISDIR(info.st_mode)
            else "a named pipe (FIFO)" if stat.S_ISFIFO(info.st_mode)
            else "a device or socket"
        )  # fmt: skip
        raise CheckpointError(f"{path}: is {kind}, not a checkpoint file")


def _read(source: PathLike | BinaryIO) -> tuple[dict[str, Any], dict[str, str]]:
    """The arrays and metadata of a safetensors file, given as a path or an open binary
    file object (read from its current position)."""
    if not hasattr(source, "read"):
        check_regular_file(source)
        with open(source, "rb") as f:
            return _read_open(f, source)
    f = source
    if not (getattr(f, "seekable", lambda: False)()):
        f = io_module.BytesIO(f.read())  # a pipe or socket: buffer it
    return _read_open(f, getattr(source, "name", None) or type(source).__name__)


def _read_open(f, path) -> tuple[dict[str, Any], dict[str, str]]:
    entries, metadata, start = _read_header(f, path)
    arrays = {}
    for name, (dtype, shape, begin, end) in sorted(entries.items(), key=lambda e: e[1][2]):
        bf16 = isinstance(dtype, str)  # "BF16", upcast after reading
        array = xp.empty(shape, dtype=xp.uint16 if bf16 else dtype)
        if end > begin:
            f.seek(start + begin)
            if _read_into(f, memoryview(array.reshape(-1).view(xp.uint8))) != end - begin:
                raise CheckpointError(f"{path}: truncated while reading {name!r}")
        if sys.byteorder == "big":  # the file is little-endian
            array.byteswap(inplace=True)
        if bf16:  # bfloat16 → float32: the 16 bits become the high half
            array = (array.astype(xp.uint32) << 16).view(xp.float32)
        arrays[name] = array
    return arrays, metadata


def _read_into(f, view: memoryview) -> int:
    if hasattr(f, "readinto"):
        return f.readinto(view)
    data = f.read(len(view))
    view[: len(data)] = data
    return len(data)


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
    if isinstance(obj, Tensor | xp.ndarray) or _is_torch_tensor(obj):
        name, k = path or "tensor", 1
        while name in tensors or name == "__metadata__":
            name, k = f"{path}#{k}", k + 1
        tensors[name] = obj
        if isinstance(obj, xp.ndarray):  # comes back from ``load`` as an array
            return {"__tensor__": name, "kind": "ndarray"}
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
        return {"__odict__" if isinstance(obj, OrderedDict) else "__dict__": items}
    if isinstance(obj, list | tuple):
        encoded = [_encode(v, join(i), tensors) for i, v in enumerate(obj)]
        return encoded if isinstance(obj, list) else {"__tuple__": encoded}
    raise TypeError(
        f"can't save a {type(obj).__name__} at {path or 'top level'}: checkpoints "
        "hold arrays, Tensors, numbers, strings, None, lists, tuples and dicts "
        "(never pickled objects)"
    )


def _decode(node, arrays: dict[str, Any], path, leaf: Callable):
    """The object whose skeleton is ``node``; ``leaf(array, node)`` makes each tensor."""
    if isinstance(node, list):
        return [_decode(v, arrays, path, leaf) for v in node]
    if isinstance(node, dict):
        if "__tensor__" in node:
            try:
                array = arrays[node["__tensor__"]]
            except (KeyError, TypeError):
                raise CheckpointError(
                    f"{path}: the structure refers to a missing tensor {node['__tensor__']!r}"
                ) from None
            return leaf(array, node)
        if "__tuple__" in node:
            return tuple(_decode(v, arrays, path, leaf) for v in node["__tuple__"])
        for kind, make in (("__dict__", dict), ("__odict__", OrderedDict)):
            if kind in node:
                return make((key, _decode(v, arrays, path, leaf)) for key, v in node[kind])
        raise CheckpointError(f"{path}: unknown node in the saved structure: {node!r}")
    return node


def _array_leaf(array, node):
    return array


FileLike = PathLike | BinaryIO


def save(
    obj: Any,
    f: FileLike,
    *,
    config: Mapping[str, Any] | None = None,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Save a state dict, or any nest of dicts/lists/tuples of tensors and numbers, as
    ``torch.save`` does, in the safetensors layout (never a pickle).

    Parameters
    ----------
    obj : object
        Dicts (string or integer keys; an ``OrderedDict`` stays one), lists and tuples
        whose leaves are Tensors, NumPy arrays, numbers, bools, strings or ``None``; e.g.
        ``model.state_dict()`` or ``{"model": model.state_dict(), "optimizer":
        opt.state_dict(), "epoch": 5}``. Every dtype and shape round-trips exactly
        (float16/32/64, int8–int64, uint8–uint64, bool, 0-d). PyTorch tensors are
        accepted too (converted to NumPy), so ``gradkit.save(torch.load(path), out)``
        converts a PyTorch checkpoint.
    f : str, path or binary file object
        A path is replaced atomically (temporary file, ``fsync``, rename); a file object
        (``open(..., "wb")``, ``io.BytesIO``) is written at its position and left open.
    config : dict, optional
        JSON-serializable description of the model (layer sizes, ...), returned by
        :func:`load_checkpoint` so a loader can rebuild the model before loading the
        weights.
    metadata : mapping of str to str, optional
        Extra free-form header entries.

    Examples
    --------
    >>> import io
    >>> from gradkit import tensor
    >>> buffer = io.BytesIO()
    >>> save({"w": tensor([[1, 2]]), "epoch": 3}, buffer)
    >>> _ = buffer.seek(0)
    >>> load(buffer)
    {'w': tensor([[1, 2]]), 'epoch': 3}
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
    write = _safetensors_writer(tensors, meta)
    if hasattr(f, "write"):
        write(f)
    elif isinstance(f, str | os.PathLike):
        atomic_write(Path(f), write)
    else:
        raise TypeError(f"save: f must be a path or a binary file object, got {type(f).__name__}")


def _read_tree(f: FileLike, leaf: Callable) -> Checkpoint:
    if not hasattr(f, "read") and not isinstance(f, str | os.PathLike):
        raise TypeError(f"load: f must be a path or a binary file object, got {type(f).__name__}")
    arrays, metadata = _read(f)
    path = f if isinstance(f, str | os.PathLike) else getattr(f, "name", type(f).__name__)
    meta = dict(metadata)
    tree, config = meta.pop(TREE_KEY, None), meta.pop(CONFIG_KEY, None)
    if meta.get("format") == "gradkit":
        meta.pop("format")
    try:
        if tree is None:  # a plain safetensors file: a flat dict
            state = {name: leaf(array, {}) for name, array in arrays.items()}
        else:
            state = _decode(parse_json(tree, path, "saved structure"), arrays, path, leaf)
        config = None if config is None else parse_json(config, path, "config")
    except CheckpointError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise CheckpointError(f"{path}: corrupt gradkit metadata ({exc})") from None
    return Checkpoint(state, config, meta)


def load_checkpoint(path: FileLike) -> Checkpoint:
    """Load a file written by :func:`save` (or any safetensors file) with its config.

    Returns
    -------
    Checkpoint
        ``state``: the saved object, with NumPy arrays where Tensors or arrays were
        (a plain safetensors file gives a flat ``{name: ndarray}`` dict);
        ``config``: the saved config dict or ``None``; ``metadata``: other header text.
    """
    return _read_tree(path, _array_leaf)


def load(f: FileLike, map_location=None, *, weights_only: bool | None = None, mmap=None) -> Any:
    """The object saved by :func:`save`, as ``torch.load`` returns it: Tensors where
    Tensors were saved (NumPy arrays where arrays were), the same dicts, lists, tuples
    and numbers. A plain safetensors file gives a flat ``{name: Tensor}`` dict.

    Parameters
    ----------
    f : str, path or binary file object
        Read from the object's current position (``io.BytesIO``, ``open(..., "rb")``).
    map_location : str, device, dict or callable, optional
        Where tensors go: every accepted place is the CPU (``"cpu"``,
        ``gradkit.device("cpu")``, ``{"cuda:0": "cpu"}``); a GPU raises a clear error.
        A callable is called as ``map_location(tensor, "cpu")`` and its result (when not
        None) replaces the tensor, as PyTorch does with storages.
    weights_only : bool, optional
        Accepted for PyTorch's signature. gradkit's format holds only tensors, numbers
        and strings, so loading never runs code, whatever its value.
    mmap : bool, optional
        Accepted for PyTorch's signature; the tensors are read into memory.

    A PyTorch file (``torch.save``'s zip or legacy pickle format) is refused with a
    :class:`CheckpointError` saying how to convert it.
    """
    locate = _map_location(map_location)

    def leaf(array, node):
        return array if node.get("kind") == "ndarray" else locate(Tensor(array))

    return _read_tree(f, leaf).state


def _map_location(map_location) -> Callable:
    """``tensor -> tensor`` for ``load``'s ``map_location`` (see there)."""
    if map_location is None:
        return lambda t: t
    if isinstance(map_location, str):
        check_device(map_location)
        return lambda t: t
    if isinstance(map_location, Mapping):
        for target in map_location.values():
            check_device(target)
        return lambda t: t
    if callable(map_location):

        def call(t):
            moved = map_location(t, "cpu")
            return t if moved is None else moved

        return call
    raise TypeError(
        "map_location must be a device string, a gradkit.device, a dict or a callable, "
        f"got {type(map_location).__name__}"
    )
