"""O-SGD weight averaging (issue 24): every argument of torch.optim.swa_utils'
AveragedModel, update_bn and the EMA/SWA average functions: signatures, device, the
closed forms of the averages (default decay included) and update_bn's options.
Oracles: torch.optim.swa_utils and closed forms."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import gradkit as gk
from gradkit.optim import swa_utils

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    "name", ["AveragedModel", "update_bn", "get_ema_avg_fn", "get_ema_multi_avg_fn"]
)
def test_signature_matches_torch(name):
    def params(obj):
        obj = obj.__init__ if inspect.isclass(obj) else obj
        return [(p.name, p.kind, p.default) for p in inspect.signature(obj).parameters.values()]

    assert params(getattr(swa_utils, name)) == params(getattr(torch.optim.swa_utils, name))


def linear(value):
    net = gk.nn.Linear(2, 1, bias=False).double()
    net.weight.data[...] = value
    return net


def test_device_cpu_is_accepted_and_others_refused():
    net = linear(1.0)
    avg = swa_utils.AveragedModel(net, "cpu", swa_utils.get_ema_avg_fn(0.5))
    avg.update_parameters(net)
    avg.update_parameters(linear(3.0))
    np.testing.assert_allclose(avg.module.weight.detach().numpy(), [[2.0, 2.0]])
    swa_utils.AveragedModel(net, device=gk.device("cpu"))
    with pytest.raises(RuntimeError, match="cuda"):
        swa_utils.AveragedModel(net, device="cuda")
    swa_utils.update_bn([gk.zeros(1, 2)], net, device="cpu")
    with pytest.raises(RuntimeError, match="cuda"):
        swa_utils.update_bn([gk.zeros(1, 2)], net, device="cuda:0")


@pytest.mark.parametrize("fn", ["get_ema_avg_fn", "get_ema_multi_avg_fn"])
def test_ema_default_decay_is_0_999(fn):
    """With the default decay: θ̄ = 0.999 · 1 + 0.001 · 3 after the second update."""
    kw = {"avg_fn" if fn == "get_ema_avg_fn" else "multi_avg_fn": getattr(swa_utils, fn)()}
    avg = swa_utils.AveragedModel(linear(1.0), **kw)
    avg.update_parameters(linear(1.0))
    avg.update_parameters(linear(3.0))
    np.testing.assert_allclose(avg.module.weight.detach().numpy(), [[1.002, 1.002]], rtol=1e-14)


def test_swa_is_the_running_mean():
    """Equal weights: after w = 1, 2, 6, 7 the average is their mean, 4."""
    avg = swa_utils.AveragedModel(linear(0.0))
    for w in (1.0, 2.0, 6.0, 7.0):
        avg.update_parameters(linear(w))
    np.testing.assert_allclose(avg.module.weight.detach().numpy(), [[4.0, 4.0]], rtol=1e-14)
    assert int(avg.n_averaged.detach().numpy()) == 4


@pytest.mark.parametrize("decay", [0.0, 1.0])
def test_ema_decay_bounds(decay):
    """decay 0 follows the model, decay 1 keeps the first weights; outside [0, 1] fails."""
    for fn, key in ((swa_utils.get_ema_avg_fn, "avg_fn"),
                    (swa_utils.get_ema_multi_avg_fn, "multi_avg_fn")):  # fmt: skip
        avg = swa_utils.AveragedModel(linear(1.0), **{key: fn(decay)})
        avg.update_parameters(linear(1.0))
        avg.update_parameters(linear(5.0))
        expected = 1.0 if decay == 1.0 else 5.0
        np.testing.assert_allclose(avg.module.weight.detach().numpy(), [[expected] * 2])
    for bad in (-0.1, 1.1):
        with pytest.raises(ValueError, match="decay"):
            swa_utils.get_ema_avg_fn(bad)


def bn_net():
    gk.manual_seed(0)
    return gk.nn.Sequential(gk.nn.Linear(2, 3), gk.nn.BatchNorm1d(3)).double()


def test_buffers_copied_unless_use_buffers():
    """use_buffers=False copies the running statistics from the model (last value);
    use_buffers=True averages them like the weights (integer counters are copied)."""
    net = bn_net()
    copied = swa_utils.AveragedModel(net)
    averaged = swa_utils.AveragedModel(net, use_buffers=True)
    means = []
    for value in (1.0, 3.0):
        net[1].running_mean.data[...] = value
        net[1].num_batches_tracked.data[...] = int(value)
        means.append(value)
        copied.update_parameters(net)
        averaged.update_parameters(net)
    np.testing.assert_array_equal(copied.module[1].running_mean.detach().numpy(), [3.0] * 3)
    np.testing.assert_array_equal(averaged.module[1].running_mean.detach().numpy(), [2.0] * 3)
    assert int(averaged.module[1].num_batches_tracked.detach().numpy()) == 3


def test_update_bn_plain_batches_and_training_mode_restored():
    """Batches given as bare arrays or tensors; a model in training mode stays in it;
    the statistics are the plain mean and unbiased variance over all batches."""
    net = bn_net()
    net.train()
    rng = np.random.default_rng(0)
    batches = [rng.standard_normal((4, 2)), rng.standard_normal((6, 2))]
    swa_utils.update_bn([batches[0], gk.tensor(batches[1])], net)
    assert net.training and net[1].momentum == 0.1
    with gk.no_grad():
        feats = [net[0](gk.tensor(b)).detach().numpy() for b in batches]
    # cumulative average of the per-batch statistics, weighted equally per batch
    mean = np.mean([f.mean(0) for f in feats], axis=0)
    var = np.mean([f.var(0, ddof=1) for f in feats], axis=0)
    np.testing.assert_allclose(net[1].running_mean.detach().numpy(), mean, rtol=1e-12)
    np.testing.assert_allclose(net[1].running_var.detach().numpy(), var, rtol=1e-12)


def test_update_bn_without_batch_norm_leaves_model_alone():
    net = linear(2.0)
    net.eval()
    swa_utils.update_bn([np.ones((1, 2))], net)
    assert not net.training


def swalr_sequence(lib, kw, steps=14, last_epoch=-1):
    new = (
        (lambda: gk.zeros(1, requires_grad=True))
        if lib is gk
        else (lambda: torch.zeros(1, requires_grad=True))
    )
    opt = lib.optim.SGD([{"params": [new()]}, {"params": [new()], "lr": 0.3}], lr=1.0)
    if last_epoch != -1:
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    sched = lib.optim.swa_utils.SWALR(opt, last_epoch=last_epoch, **kw)
    out = [sched.get_last_lr()]
    for step in range(steps):
        opt.step()
        sched.step()
        if step == 6:  # another change of the rate: the annealing composes with it
            opt.param_groups[0]["lr"] *= 0.5
        out.append(sched.get_last_lr() + [g["swa_lr"] for g in opt.param_groups])
    return out


@pytest.mark.parametrize(
    "kw",
    [
        dict(swa_lr=0.05),
        dict(swa_lr=0.05, anneal_epochs=4, anneal_strategy="linear"),
        dict(swa_lr=[0.2, 0.01], anneal_epochs=3, anneal_strategy="cos"),
        dict(swa_lr=0.1, anneal_epochs=0),
        dict(swa_lr=0.1, anneal_epochs=1, anneal_strategy="linear"),
        dict(swa_lr=2.0, anneal_epochs=5),  # annealing up
    ],
    ids=str,
)
@pytest.mark.parametrize("last_epoch", [-1, 2])
def test_swalr_matches_torch(kw, last_epoch):
    ours = swalr_sequence(gk, kw, last_epoch=last_epoch)
    theirs = swalr_sequence(torch, kw, last_epoch=last_epoch)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_swalr_signature_and_errors():
    def params(cls):
        sig = inspect.signature(cls.__init__)
        return [(p.name, p.kind, p.default) for p in sig.parameters.values()]

    assert params(swa_utils.SWALR) == params(torch.optim.swa_utils.SWALR)
    opt = gk.optim.SGD([gk.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be 'cos' or 'linear'"):
        swa_utils.SWALR(opt, 0.1, anneal_strategy="exp")
    for bad in (-1, 2.5, True):
        with pytest.raises(ValueError, match="anneal_epochs must be an integer >= 0"):
            swa_utils.SWALR(opt, 0.1, anneal_epochs=bad)
    with pytest.raises(ValueError, match="expected 1 values for swa_lr, got 2"):
        swa_utils.SWALR(opt, [0.1, 0.2])
    with pytest.raises(TypeError, match="not a gradkit Optimizer"):
        swa_utils.SWALR(object(), 0.1)


def test_n_averaged_is_an_integer_buffer_and_forward_passes_keywords():
    net = linear(2.0)
    avg = swa_utils.AveragedModel(net)
    ref = torch.optim.swa_utils.AveragedModel(torch.nn.Linear(2, 1))
    assert avg.n_averaged.dtype == gk.int64 and ref.n_averaged.dtype == torch.long
    avg.update_parameters(net)
    x = gk.tensor([[1.0, 3.0]], dtype=gk.float64)
    np.testing.assert_array_equal(avg(input=x).detach().numpy(), [[8.0]])


def test_float32_weights_are_averaged():
    nets = [linear(v).float() for v in (1.0, 2.0, 6.0, 7.0)]
    avg = swa_utils.AveragedModel(nets[0])
    for n in nets:
        avg.update_parameters(n)
    assert avg.module.weight.dtype == gk.float32
    np.testing.assert_array_equal(avg.module.weight.detach().numpy(), [[4.0, 4.0]])


def test_first_update_copies_exactly_as_torch():
    """The first update copies the weights (d·w + (1 − d)·w would round: 0.3, 0.1)."""
    net = gk.nn.Linear(2, 1, bias=False).double()
    net.weight.data[...] = [[0.1, -1.3]]
    avg = swa_utils.AveragedModel(net, avg_fn=swa_utils.get_ema_avg_fn(0.3))
    avg.update_parameters(net)
    np.testing.assert_array_equal(avg.module.weight.detach().numpy(), [[0.1, -1.3]])


def test_custom_average_functions_get_the_count_like_torch():
    """avg_fn / multi_avg_fn receive the number of models averaged so far."""

    def harmonic(avg, cur, n):
        return avg * n / (n + 2) + cur * 2 / (n + 2)

    def multi(avgs, curs, n):
        for a, c in zip(avgs, curs):
            a += (c - a) / (n + 3)

    for key, fn in (("avg_fn", harmonic), ("multi_avg_fn", multi)):
        ours = swa_utils.AveragedModel(linear(0.0), **{key: fn})
        theirs = torch.optim.swa_utils.AveragedModel(
            torch.nn.Linear(2, 1, bias=False).double(), **{key: fn}
        )
        for w in (1.0, 5.0, -2.0, 4.0):
            ours.update_parameters(linear(w))
            tnet = torch.nn.Linear(2, 1, bias=False).double()
            with torch.no_grad():
                tnet.weight.fill_(w)
            theirs.update_parameters(tnet)
        np.testing.assert_allclose(
            ours.module.weight.detach().numpy(), theirs.module.weight.detach().numpy(),
            rtol=1e-14,
        )  # fmt: skip


@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_swalr_exact_rates_and_last_epoch_as_torch(strategy):
    """Every rate bit for bit (after the annealing it is exactly swa_lr) and the step
    counter, resumed at last_epoch=4."""
    for swa_lr in (0.05, 0.3, 1 / 3, 0.013, 2.0):
        for epochs in (0, 1, 3):
            seqs = []
            for lib in (gk, torch):
                w = lib.zeros(1, requires_grad=True)
                opt = lib.optim.SGD([{"params": [w], "initial_lr": 1.0}], lr=1.0)
                sched = lib.optim.swa_utils.SWALR(
                    opt, swa_lr, anneal_epochs=epochs, anneal_strategy=strategy, last_epoch=4
                )
                seq = []
                for _ in range(6):
                    opt.step()
                    sched.step()
                    seq.append((sched.get_last_lr()[0], sched.last_epoch))
                seqs.append(seq)
            assert seqs[0] == seqs[1]
            assert seqs[0][-1] == (swa_lr, 11)
