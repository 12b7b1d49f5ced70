"""Layers and activations against PyTorch (forward, input and parameter gradients) and
float64 finite differences. Concepts NN-ACT, NN-NEURON, NN-BATCHNORM, NN-DROPOUT,
RNN-EMBED; test ids name the layer."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import nn
from gradkit.autograd import gradcheck
from gradkit.nn import functional as F
from parity import assert_parity, random_inputs, requires_torch, torch


def copy_params(gk_module: nn.Module, torch_module: torch.nn.Module) -> None:
    """Copy gradkit's (float64) parameters and buffers into the torch module."""
    with torch.no_grad():
        for name, value in gk_module.state_dict().items():
            torch_module.state_dict()[name].copy_(
                torch.from_numpy(np.array(value.detach().numpy()))
            )


def module_parity(gk_module, torch_module, arrays, **tol):
    """assert_parity on the inputs, then the parameter gradients of both modules."""
    gk_module.double()
    torch_module.double()
    copy_params(gk_module, torch_module)
    assert_parity(gk_module, torch_module, arrays, **tol)
    torch_params = dict(torch_module.named_parameters())
    for name, p in gk_module.named_parameters():
        expected = torch_params[name].grad
        np.testing.assert_allclose(
            p.grad.detach().numpy(),
            expected.numpy(),
            atol=1e-9,
            rtol=1e-7,
            err_msg=f"grad of {name}",
        )


# ---------------------------------------------------------------- NN-ACT
def _torch_layer(name, *args, **kwargs):
    """``torch.nn.<name>(*args, **kwargs)``, built when called: the tables below are also
    read by torch-free tests."""
    return lambda x: getattr(torch.nn, name)(*args, **kwargs)(x)


# (id, gradkit layer, torch reference, input shape)
ACTIVATIONS = [
    ("Sigmoid", nn.Sigmoid(), _torch_layer("Sigmoid"), (3, 4)),
    ("Tanh", nn.Tanh(), _torch_layer("Tanh"), (3, 4)),
    ("ReLU", nn.ReLU(), _torch_layer("ReLU"), (4, 5)),
    ("LeakyReLU", nn.LeakyReLU(0.1), _torch_layer("LeakyReLU", 0.1), (4, 5)),
    ("ELU", nn.ELU(1.3), _torch_layer("ELU", 1.3), (4, 5)),
    ("GELU-erf", nn.GELU(), _torch_layer("GELU"), (4, 5)),
    ("GELU-tanh", nn.GELU("tanh"), _torch_layer("GELU", "tanh"), (4, 5)),
    ("SiLU", nn.SiLU(), _torch_layer("SiLU"), (3, 4)),
    ("Swish-beta", nn.Swish(1.7), lambda x: x * torch.sigmoid(1.7 * x), (3, 4)),
    ("Softsign", nn.Softsign(), _torch_layer("Softsign"), (3, 4)),
    ("Softplus", nn.Softplus(), _torch_layer("Softplus"), (3, 4)),
    ("Softplus-beta-threshold", nn.Softplus(2.0, 1.0), _torch_layer("Softplus", 2.0, 1.0), (5, 4)),
    ("Softmax", nn.Softmax(dim=1), _torch_layer("Softmax", dim=1), (3, 4, 2)),
    ("LogSoftmax", nn.LogSoftmax(dim=0), _torch_layer("LogSoftmax", dim=0), (3, 4)),
    ("Identity-linear", nn.Identity(), _torch_layer("Identity"), (3, 4)),
    ("BinaryStep", nn.BinaryStep(), lambda x: (x >= 0).to(x.dtype) + 0 * x, (3, 4)),
    ("Maxout", nn.Maxout(3), lambda x: x.unflatten(-1, (2, 3)).amax(-1), (4, 6)),
    ("Maxout-dim1", nn.Maxout(2, dim=1), lambda x: x.unflatten(1, (2, 2)).amax(2), (2, 4, 3)),
]


@requires_torch
@pytest.mark.parametrize(
    "layer, reference, shape", [c[1:] for c in ACTIVATIONS], ids=[c[0] for c in ACTIVATIONS]
)
def test_activation_parity_NN_ACT(layer, reference, shape):
    x = random_inputs([shape], seed=3)[0] * 2
    assert_parity(layer, reference, [x])


@pytest.mark.parametrize(
    "layer, shape", [(c[1], c[3]) for c in ACTIVATIONS], ids=[c[0] for c in ACTIVATIONS]
)
def test_activation_gradcheck_NN_ACT(layer, shape):
    x = random_inputs([shape], seed=4)[0] * 2
    x[np.abs(x) < 1e-3] += 0.01  # keep finite differences off the kinks at 0
    assert gradcheck(layer, gk.tensor(x, requires_grad=True))


def test_activations_keep_float32_NN_ACT():
    x = gk.randn(4, 6)
    for _, layer, _, _ in ACTIVATIONS:
        assert layer(x).dtype == np.float32, layer


def test_softplus_and_elu_do_not_overflow_NN_ACT():
    x = gk.tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(
            F.softplus(x).detach().numpy(), [0, np.exp(-50.0), np.log(2), 50, 1000]
        )
        F.elu(x)
        F.silu(x)


def test_functional_forms_match_layers_NN_ACT():
    x = gk.randn(3, 4)
    assert np.array_equal(
        F.leaky_relu(x, 0.2).detach().numpy(), nn.LeakyReLU(0.2)(x).detach().numpy()
    )
    assert np.array_equal(
        F.gelu(x, approximate="tanh").detach().numpy(), nn.GELU("tanh")(x).detach().numpy()
    )
    assert F.identity(x) is x
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(x, approximate="fast")
    with pytest.raises(ValueError, match="multiple of pool_size"):
        F.maxout(gk.randn(2, 5), 2)


# ---------------------------------------------------------------- NN-NEURON
@requires_torch
@pytest.mark.parametrize("bias", [True, False], ids=["Linear", "Linear-nobias"])
def test_linear_parity_NN_NEURON(bias):
    x = random_inputs([(6, 5)])[0]
    module_parity(nn.Linear(5, 3, bias=bias), torch.nn.Linear(5, 3, bias=bias), [x])


@requires_torch
def test_linear_batched_input_parity_NN_NEURON():
    x = random_inputs([(2, 4, 5)])[0]
    module_parity(nn.Linear(5, 3), torch.nn.Linear(5, 3), [x])


def test_linear_gradcheck_NN_NEURON():
    x, w, b = (gk.tensor(a, requires_grad=True) for a in random_inputs([(4, 3), (2, 3), (2,)]))
    assert gradcheck(F.linear, x, w, b)
    assert gradcheck(lambda v, w: F.linear(v, w), gk.tensor(np.ones(3), requires_grad=True), w)


def test_linear_shape_error_names_shapes_NN_NEURON():
    with pytest.raises(ValueError, match=r"\(4, 7\).*\(3, 5\)"):
        nn.Linear(5, 3)(gk.zeros(4, 7))


def test_dense_infers_input_size_NN_NEURON():
    built = nn.Dense(units=1, input_shape=[3])
    assert built.weight.shape == (1, 3) and built.in_features == 3
    lazy = nn.Dense(4, activation="relu")
    assert lazy.in_features is None
    out = lazy(gk.randn(2, 5))
    assert out.shape == (2, 4) and lazy.weight.shape == (4, 5)
    assert (out.detach().numpy() >= 0).all()
    assert type(lazy.weight) is nn.Parameter
    with pytest.raises(ValueError, match="unknown activation"):
        nn.Dense(2, activation="relux")


@requires_torch
def test_dense_matches_linear_with_activation_NN_NEURON():
    dense = nn.Dense(3, activation="tanh", input_dim=4).double()
    linear = torch.nn.Linear(4, 3).double()
    copy_params(dense, linear)
    x = random_inputs([(5, 4)])[0]
    assert_parity(dense, lambda v: torch.tanh(linear(v)), [x])


@requires_torch
def test_flatten_layer():
    x = random_inputs([(2, 3, 4, 5)])[0]
    assert_parity(nn.Flatten(), torch.nn.Flatten(), [x])
    assert_parity(nn.Flatten(0, 1), torch.nn.Flatten(0, 1), [x])


# ---------------------------------------------------------------- NN-BATCHNORM
BATCHNORMS = [
    ("BatchNorm1d-2d-input", nn.BatchNorm1d, "BatchNorm1d", (8, 3), {}),
    ("BatchNorm1d-3d-input", nn.BatchNorm1d, "BatchNorm1d", (4, 3, 5), {}),
    ("BatchNorm2d", nn.BatchNorm2d, "BatchNorm2d", (4, 3, 5, 2), {}),
    (
        "BatchNorm2d-no-affine",
        nn.BatchNorm2d,
        "BatchNorm2d",
        (4, 3, 2, 2),
        {"affine": False},
    ),
    ("BatchNorm1d-momentum-None", nn.BatchNorm1d, "BatchNorm1d", (6, 3), {"momentum": None}),
    (
        "BatchNorm1d-no-running-stats",
        nn.BatchNorm1d,
        "BatchNorm1d",
        (6, 3),
        {"track_running_stats": False},
    ),
]


@requires_torch
@pytest.mark.parametrize(
    "gk_cls, torch_name, shape, kwargs", [c[1:] for c in BATCHNORMS], ids=[c[0] for c in BATCHNORMS]
)
def test_batchnorm_train_then_eval_parity_NN_BATCHNORM(gk_cls, torch_name, shape, kwargs):
    gk_bn, th_bn = gk_cls(3, **kwargs), getattr(torch.nn, torch_name)(3, **kwargs)
    if gk_bn.affine:
        gk_bn.weight.data[...] = [0.5, 1.5, -2.0]
        gk_bn.bias.data[...] = [0.1, 0.0, 0.3]
    gk_bn.double()
    th_bn.double()
    copy_params(gk_bn, th_bn)
    for seed in range(3):  # training steps: batch statistics, running statistics updated
        x = random_inputs([shape], seed=seed)[0] * 2 + 1
        assert_parity(gk_bn, th_bn, [x])
    for name, buf in th_bn.named_buffers():
        np.testing.assert_allclose(
            gk_bn.state_dict()[name].detach().numpy(), buf.numpy(), rtol=1e-12, err_msg=name
        )
    gk_bn.eval()
    th_bn.eval()
    x = random_inputs([shape], seed=7)[0]
    assert_parity(gk_bn, th_bn, [x])  # eval: running statistics (or batch, if untracked)
    if gk_bn.affine:
        for name, p in th_bn.named_parameters():
            np.testing.assert_allclose(
                getattr(gk_bn, name).grad.detach().numpy(), p.grad.numpy(), rtol=1e-7
            )


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batchnorm_gradcheck_NN_BATCHNORM(training):
    x, w, b = (gk.tensor(a, requires_grad=True) for a in random_inputs([(5, 3, 2), (3,), (3,)]))
    rm, rv = gk.tensor(np.zeros(3) + 0.2), gk.tensor(np.ones(3) * 1.5)
    assert gradcheck(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=training), x, w, b)


def test_batchnorm_errors_NN_BATCHNORM():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(gk.zeros(2, 3))
    with pytest.raises(ValueError, match="num_features=3"):
        nn.BatchNorm1d(3)(gk.zeros(2, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(gk.zeros(1, 3))


def test_batchnorm_float32_stays_float32_NN_BATCHNORM():
    bn = nn.BatchNorm2d(3)
    y = bn(gk.randn(4, 3, 2, 2))
    assert y.dtype == np.float32 and bn.running_var.dtype == np.float32


@requires_torch
@pytest.mark.parametrize(
    "shape, normalized, affine",
    [
        ((4, 5), (5,), True),
        ((2, 3, 4), (3, 4), True),
        ((3, 6), 6, False),
        ((300, 7, 64), (64,), True),  # 2100 rows: three blocks of rows, the last partial
        ((1500, 64), 64, False),
    ],
    ids=[
        "LayerNorm",
        "LayerNorm-2axes",
        "LayerNorm-no-affine",
        "LayerNorm-blocks",
        "blocks-no-affine",
    ],
)
def test_layernorm_parity(shape, normalized, affine):
    gk_ln = nn.LayerNorm(normalized, elementwise_affine=affine)
    th_ln = torch.nn.LayerNorm(normalized, elementwise_affine=affine)
    if affine:
        gk_ln.weight.data[...] = np.random.default_rng(0).standard_normal(gk_ln.weight.shape)
        gk_ln.bias.data[...] = np.random.default_rng(1).standard_normal(gk_ln.bias.shape)
    x = random_inputs([shape])[0] * 3
    module_parity(gk_ln, th_ln, [x])


def test_layernorm_gradcheck():
    x, w, b = (gk.tensor(a, requires_grad=True) for a in random_inputs([(3, 4), (4,), (4,)]))
    assert gradcheck(lambda x, w, b: F.layer_norm(x, 4, w, b), x, w, b)


# ---------------------------------------------------------------- NN-DROPOUT
@requires_torch
def test_dropout_matches_torch_with_its_mask_NN_DROPOUT():
    gk.manual_seed(0)
    layer = nn.Dropout(0.3)
    x = random_inputs([(40, 50)])[0] + 10  # no zeros, so the mask is visible in y
    y = layer(gk.tensor(x))
    mask = torch.from_numpy((y.detach().numpy() != 0).astype(np.float64))
    assert_parity(lambda t: (gk.manual_seed(0), layer(t))[1], lambda t: t * mask / 0.7, [x])
    assert abs(1 - mask.mean().item() - 0.3) < 0.03  # drop rate p


def test_dropout_is_deterministic_and_off_in_eval_NN_DROPOUT():
    layer = nn.Dropout(0.5)
    x = gk.ones(100, 10)
    gk.manual_seed(3)
    a = layer(x).detach().numpy()
    gk.manual_seed(3)
    b = layer(x).detach().numpy()
    assert np.array_equal(a, b) and set(np.unique(a)) == {0.0, 2.0}
    assert layer(x).dtype == np.float32
    layer.eval()
    assert layer(x) is x
    assert np.array_equal(nn.Dropout(1.0)(x).detach().numpy(), np.zeros((100, 10)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


# ---------------------------------------------------------------- RNN-EMBED
@requires_torch
@pytest.mark.parametrize(
    "num, dim, idx_shape, padding_idx",
    [(10, 4, (3, 5), None), (10, 4, (3, 5), 2), (5000, 3, (1000,), None)],
    ids=["Embedding", "Embedding-padding_idx", "Embedding-large-vocab"],
)
def test_embedding_parity_RNN_EMBED(num, dim, idx_shape, padding_idx):
    idx = np.random.default_rng(0).integers(0, min(num, 12), size=idx_shape)
    gk_emb = nn.Embedding(num, dim, padding_idx=padding_idx)
    th_emb = torch.nn.Embedding(num, dim, padding_idx=padding_idx)
    if padding_idx is not None:
        assert not gk_emb.weight.detach().numpy()[padding_idx].any()
    module_parity(gk_emb, th_emb, [idx])


def test_embedding_gradcheck_and_errors_RNN_EMBED():
    w = gk.tensor(random_inputs([(6, 3)])[0], requires_grad=True)
    idx = gk.tensor(np.array([[0, 5, 5], [2, 0, 1]]))
    assert gradcheck(lambda w: F.embedding(idx, w), w)
    with pytest.raises(IndexError, match="index 6 is out of range for 6"):
        F.embedding(gk.tensor(np.array([6])), w)
    with pytest.raises(TypeError, match="integer indices"):
        F.embedding(gk.tensor([0.0]), w)
