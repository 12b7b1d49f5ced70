"""L-CCE (issue 24): cross_entropy and nll_loss against PyTorch for every option
combination — ignore_index with and without class weights or label smoothing, reduction,
class probabilities as targets — on (N, C) and (N, C, d1[, d2]) inputs, values and
gradients."""

import itertools

import numpy as np
import pytest

import gradkit as gk
import gradkit.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

SHAPES = [(6, 4), (3, 4, 5), (3, 4, 2, 5)]
OPTIONS = [
    {},
    {"weight": True},
    {"label_smoothing": 0.1},
    {"weight": True, "label_smoothing": 0.2},
    {"ignore_index": 2},
    {"ignore_index": 2, "weight": True},
    {"ignore_index": 2, "label_smoothing": 0.1},
    {"ignore_index": 2, "weight": True, "label_smoothing": 0.1},
]


def check(fn, tfn, x, target):
    xg, xt = gk.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    tg, tt = gk.tensor(target), torch.tensor(target)
    y, u = fn(xg, tg), tfn(xt, tt)
    assert tuple(y.shape) == tuple(u.shape)
    np.testing.assert_allclose(y.detach().numpy(), u.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(2).normal(size=tuple(u.shape))
    y.backward(gk.tensor(g))
    u.backward(torch.tensor(g))
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def data(shape, ignore):
    rng = np.random.default_rng(len(shape))
    x = rng.normal(size=shape)
    t = rng.integers(0, shape[1], size=(shape[0],) + shape[2:])
    t.flat[1] = 2
    t.flat[0] = 2 if ignore else -100  # -100 is the default ignore_index
    return x, t


@pytest.mark.parametrize(
    ("shape", "opts", "reduction"),
    list(itertools.product(SHAPES, OPTIONS, ["mean", "sum", "none"])),
)
def test_l_cce_options_match_torch(shape, opts, reduction):
    x, t = data(shape, "ignore_index" in opts)
    w = np.random.default_rng(5).uniform(0.5, 2.0, shape[1])
    kg = {k: (gk.tensor(w) if k == "weight" else v) for k, v in opts.items()}
    kt = {k: (torch.tensor(w) if k == "weight" else v) for k, v in opts.items()}
    check(
        lambda a, b: F.cross_entropy(a, b, reduction=reduction, **kg),
        lambda a, b: TF.cross_entropy(a, b, reduction=reduction, **kt),
        x,
        t,
    )
    if "label_smoothing" not in opts:
        lp = x - np.log(np.exp(x).sum(1, keepdims=True))
        check(
            lambda a, b: F.nll_loss(a, b, reduction=reduction, **kg),
            lambda a, b: TF.nll_loss(a, b, reduction=reduction, **kt),
            lp,
            t,
        )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_l_cce_probability_targets_match_torch(shape, smoothing):
    rng = np.random.default_rng(3)
    x = rng.normal(size=shape)
    p = np.moveaxis(rng.dirichlet(np.ones(shape[1]), size=(shape[0],) + shape[2:]), -1, 1)
    check(
        lambda a, b: F.cross_entropy(a, b, label_smoothing=smoothing),
        lambda a, b: TF.cross_entropy(a, b, label_smoothing=smoothing),
        x,
        p,
    )


def test_l_cce_ignore_index_closed_form():
    # the ignored sample neither adds to the sum nor to the count of the mean
    x = np.log(np.array([[0.5, 0.5], [0.25, 0.75], [0.9, 0.1]]))
    got = F.cross_entropy(gk.tensor(x), gk.tensor([0, 1, 0]), ignore_index=0).item()
    assert got == pytest.approx(-np.log(0.75), rel=1e-12)
