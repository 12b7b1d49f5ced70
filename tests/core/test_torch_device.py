"""T-DEVICE (CPU side): ``gradkit.device``, ``gradkit.cuda`` and ``gradkit.backends``
answer as PyTorch does on a machine without a GPU, so device-agnostic programs run and
GPU requests fail with a clear error."""

from __future__ import annotations

import pickle

import pytest

import gradkit as gk
from gradkit import nn
from parity import requires_torch, torch


@requires_torch
@pytest.mark.parametrize(
    "args", [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 2), ("cpu", 0), ("mps",), ("meta",)]
)
def test_device_objects_match_torch(args):
    ours, theirs = gk.device(*args), torch.device(*args)
    assert (ours.type, ours.index, str(ours), repr(ours)) == (
        theirs.type, theirs.index, str(theirs), repr(theirs),
    )  # fmt: skip
    assert ours == gk.device(str(theirs)) and hash(ours) == hash(gk.device(str(theirs)))
    assert pickle.loads(pickle.dumps(ours)) == ours


@requires_torch
@pytest.mark.parametrize("args", [("foo",), ("cuda:0", 1), ("cuda:-1",), ("cuda", -1), ("cpu:x",)])
def test_bad_device_strings_raise_like_torch(args):
    with pytest.raises(RuntimeError) as theirs:
        torch.device(*args)
    with pytest.raises(RuntimeError) as ours:
        gk.device(*args)
    assert str(ours.value) == str(theirs.value)


def test_devices_are_accepted_where_cpu_is_and_gpus_are_refused_clearly():
    cpu = gk.device("cpu")
    x = gk.ones(2, 3)
    assert x.device == cpu and x.device.type == "cpu" and str(x.device) == "cpu"
    assert x.to(cpu) is x and x.to("cpu") is x
    model = nn.Linear(3, 2)
    assert model.to(cpu) is model
    assert gk.Generator(device=cpu).device == "cpu"
    for gpu in (gk.device("cuda"), gk.device("cuda", 0), "cuda:1"):
        for move in (lambda d: x.to(d), lambda d: model.to(d)):
            with pytest.raises(RuntimeError, match="no CUDA GPU.*device='cpu'"):
                move(gpu)
    with pytest.raises(RuntimeError, match="'mps' is not available"):
        x.to(gk.device("mps"))
    with pytest.raises(RuntimeError, match="accelerator 0"):
        gk.device(0)
    assert gk.device(cpu) is cpu
    with gk.device("cpu"):
        assert gk.zeros(2).device == "cpu"
    with pytest.raises(RuntimeError, match="no CUDA GPU"), gk.device("cuda"):
        pass


def test_cuda_module_reports_no_gpu():
    device = gk.device("cuda" if gk.cuda.is_available() else "cpu")
    assert device == "cpu" and gk.cuda.device_count() == 0 and not gk.cuda.is_initialized()
    for seed_fn in (gk.cuda.manual_seed, gk.cuda.manual_seed_all):
        assert seed_fn(0) is None
    gk.cuda.seed()
    gk.cuda.seed_all()
    gk.cuda.empty_cache()
    for call in (
        gk.cuda.current_device,
        gk.cuda.get_device_name,
        gk.cuda.synchronize,
        gk.cuda.get_device_properties,
        lambda: gk.cuda.set_device(0),
    ):
        with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
            call()


@requires_torch
def test_cuda_and_backends_probes_match_torch_without_a_gpu():
    assert gk.cuda.is_available() == torch.cuda.is_available() is False
    assert gk.cuda.device_count() == torch.cuda.device_count() == 0
    assert gk.backends.mps.is_available() == torch.backends.mps.is_available()
    assert gk.backends.cudnn.is_available() == torch.backends.cudnn.is_available()
    for name in ("enabled", "benchmark", "deterministic"):
        assert getattr(gk.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name


def test_backend_flags_are_settable():
    import gradkit.backends.cudnn as cudnn

    before = (cudnn.deterministic, cudnn.benchmark)
    try:
        cudnn.deterministic, cudnn.benchmark = True, False
        assert gk.backends.cudnn.deterministic is True
        gk.backends.cuda.matmul.allow_tf32 = True
    finally:
        cudnn.deterministic, cudnn.benchmark = before
    assert gk.backends.mps.is_built() is False and gk.backends.cuda.is_built() is False
