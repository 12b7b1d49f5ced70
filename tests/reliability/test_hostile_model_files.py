"""Hostile and broken model files are refused cheaply and clearly (issue #19): special
files before opening, lying headers before allocating, deep nesting and duplicates by
name, configs that declare huge layers before any weight is filled; saves leave no
litter and keep the file's mode. Every case runs in bounded time."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading

import numpy as np
import pytest

import gradkit as gk
from gradkit import io
from gradkit.io import CheckpointError


def _write(path, header: dict, data: bytes = b"") -> None:
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def _raw_header(path, text: str, data: bytes = b"") -> None:
    raw = text.encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)


def _model_file(tmp_path, config_module=None, tree=None):
    """A real model file whose config (or saved structure) is replaced."""
    model = gk.Sequential([gk.nn.Linear(3, 2)])
    path = tmp_path / "m.safetensors"
    model.save(path)
    n = struct.unpack("<Q", path.read_bytes()[:8])[0]
    raw = path.read_bytes()
    header = json.loads(raw[8 : 8 + n])
    meta = header["__metadata__"]
    if config_module is not None:
        config = json.loads(meta["gradkit_config"])
        config["module"] = config_module
        meta["gradkit_config"] = json.dumps(config)
    if tree is not None:
        meta["gradkit_tree"] = tree
    _write(path, header, raw[8 + n :])
    return path


def _bounded(call, seconds=20):
    """Run ``call`` in a thread; fail (not hang) if it does not return in time."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes")
def test_a_named_pipe_is_refused_before_it_is_opened(tmp_path):
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    with pytest.raises(CheckpointError, match=r"is a named pipe \(FIFO\), not a checkpoint file"):
        _bounded(lambda: io.load(fifo))


def test_directories_and_symlink_loops_are_refused(tmp_path):
    with pytest.raises(CheckpointError, match="is a directory"):
        io.load_file(tmp_path)
    loop = tmp_path / "loop.safetensors"
    os.symlink(loop, loop)
    with pytest.raises(CheckpointError, match="can't read it"):
        io.load(loop)
    with pytest.raises(FileNotFoundError, match="no such checkpoint file"):
        io.load(tmp_path / "missing.safetensors")


HEADER_CASES = [
    ("[" * 100_000 + "]" * 100_000, CheckpointError, r"nests deeper than 64 levels"),
    ('{"a": ' + "[" * 200 + "]" * 200 + "}", CheckpointError, r"nests deeper than 64 levels"),
    ('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', CheckpointError, r"the header names 'w' twice"),
    ('{"w": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}}', CheckpointError, r"tensor 'w' has dtype 'Q7', which gradkit can't read \(it reads .*BF16\)"),
    ('{"w": {"dtype": "F32", "shape": [100000, 100000], "data_offsets": [0, 4]}}', CheckpointError, r"needs 40000000000 bytes, but its data_offsets span 4"),
    ('{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}', CheckpointError, r"bad header entry for tensor 'w'"),
    ('{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}', CheckpointError, r"describes 8 bytes of tensor data but the file holds 4"),
    ('{"__metadata__": {"a": 1}}', CheckpointError, r"__metadata__ must map strings to strings"),
    ("[1, 2]", CheckpointError, r"the header is not a JSON object"),
    ("\xff\xfe", CheckpointError, r"not valid JSON"),
]  # fmt: skip


@pytest.mark.parametrize("text, kind, message", HEADER_CASES, ids=range(len(HEADER_CASES)))
def test_lying_or_hostile_headers_are_refused_naming_the_file(tmp_path, text, kind, message):
    path = tmp_path / "bad.safetensors"
    _raw_header(path, text, b"\0" * 4)
    with pytest.raises(kind, match=message) as info:
        _bounded(lambda: io.load(path))
    assert "bad.safetensors" in str(info.value)


def test_an_absurd_header_length_is_refused_before_reading_it(tmp_path):
    path = tmp_path / "big.safetensors"
    path.write_bytes(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(
        CheckpointError, match=r"header length field says 4611686018427387904 bytes"
    ):
        io.load(path)


def test_bfloat16_tensors_are_read_as_float32(tmp_path):
    values = np.array([1.0, -2.5, 3.140625, 0.0], np.float32)  # exact in bfloat16
    words = (values.view(np.uint32) >> 16).astype("<u2")
    path = tmp_path / "bf16.safetensors"
    _write(path, {"w": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}, words.tobytes())
    loaded = io.load_file(path)["w"]
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, values)


CONFIG_CASES = [
    ({"class": "gradkit.nn.containers.Sequential", "args": [{"__module__": {"class": "gradkit.nn.linear.Linear", "args": [100000, 100000], "kwargs": {}}}], "kwargs": {}}, r"declares (parameters of more than \d+ bytes|a model too large to allocate)"),
    ({"class": "gradkit.nn.containers.Sequential", "args": [{"__module__": {"class": "gradkit.nn.linear.Linear", "args": [10000, 10000], "kwargs": {}}}], "kwargs": {}}, r"declares parameters of more than \d+ bytes"),
    ([1, 2], r"a module entry of the config must be an object with a 'class' string"),
    ({"class": 7}, r"must be an object with a 'class' string"),
    ({"class": "gradkit.nn.linear.Linear", "args": {"a": 1}}, r"'args' must be a list and 'kwargs' an object"),
    ({"class": "os.system", "args": ["echo hi"], "kwargs": {}}, r"names class 'os.system', which is not part of gradkit"),
    ({"class": "gradkit.nn.linear.Nope", "args": [], "kwargs": {}}, r"names unknown class 'gradkit.nn.linear.Nope'"),
    ({"class": "gradkit.nn.linear.Linear", "args": [3, 2], "kwargs": {"dtype": {"__dtype__": "nope"}}}, r"unknown dtype 'nope' in the config"),
    ({"class": "gradkit.nn.linear.Linear", "args": [3], "kwargs": {}}, r"can't build gradkit.nn.linear.Linear from the stored arguments"),
    ({"class": "gradkit.nn.linear.Linear", "args": [2.5, 3], "kwargs": {}}, r"`in_features` must be an int >= 0, got 2.5"),
]  # fmt: skip


@pytest.mark.parametrize("module, message", CONFIG_CASES, ids=range(len(CONFIG_CASES)))
def test_malformed_or_oversized_configs_are_refused_before_allocating(tmp_path, module, message):
    path = _model_file(tmp_path, config_module=module)
    with pytest.raises(ValueError, match=message) as info:
        _bounded(lambda: gk.load_model(path))
    assert "m.safetensors" in str(info.value) or "os.system" in str(info.value)


def test_deeply_nested_saved_structure_is_refused(tmp_path):
    path = _model_file(tmp_path, tree="[" * 5000 + "]" * 5000)
    with pytest.raises(CheckpointError, match=r"the saved structure nests deeper than 64 levels"):
        io.load(path)


def test_a_tiny_file_declaring_a_huge_layer_stays_small_in_memory(tmp_path):
    """Under a 1 GB address-space cap (a 37 GB allocation would fail loudly), loading a
    few-hundred-byte file that declares Linear(100000, 100000) is refused cleanly."""
    path = _model_file(tmp_path, config_module=CONFIG_CASES[0][0])
    assert path.stat().st_size < 1024
    script = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "import gradkit as gk\n"
        f"try:\n    gk.load_model({str(path)!r})\n"
        "except ValueError as exc:\n    print('refused:', exc); sys.exit(0)\n"
        "sys.exit(3)\n"
    )
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "refused:" in done.stdout and "m.safetensors: its config declares" in done.stdout


def test_saves_remove_litter_of_killed_saves_and_keep_the_file_mode(tmp_path):
    path = tmp_path / "model.safetensors"
    io.save({"w": np.ones(3, np.float32)}, path)
    os.chmod(path, 0o600)
    dead = tmp_path / ".model.safetensors.999999999.abcd1234.tmp"  # no such process
    alive = tmp_path / f".model.safetensors.{os.getppid()}.efgh5678.tmp"  # a live one
    dead.write_bytes(b"x" * 100)
    alive.write_bytes(b"x")
    io.save({"w": np.zeros(3, np.float32)}, path)
    assert not dead.exists() and alive.exists()
    assert (path.stat().st_mode & 0o777) == 0o600
    np.testing.assert_array_equal(io.load(path)["w"], np.zeros(3))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_save_killed_midway_leaves_the_old_checkpoint_and_the_next_save_cleans_up(tmp_path):
    path = tmp_path / "model.safetensors"
    io.save({"w": np.ones(4, np.float32)}, path)
    script = (
        "import os, signal, numpy as np\n"
        "from gradkit import io\n"
        "def write(f):\n"
        "    f.write(b'partial')\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        f"io.atomic_write(io.Path({str(path)!r}), write)\n"
    )
    subprocess.run([sys.executable, "-c", script], timeout=60)
    litter = list(tmp_path.glob(".model.safetensors.*.tmp"))
    assert litter, "the killed save should have left its temporary file"
    np.testing.assert_array_equal(io.load(path)["w"], np.ones(4))  # the old one is intact
    io.save({"w": np.zeros(4, np.float32)}, path)
    assert not list(tmp_path.glob(".model.safetensors.*.tmp"))
