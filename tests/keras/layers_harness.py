"""One harness for the layer parity tests of ``gradkit.keras.layers`` against real Keras 3
on its torch backend (``tests/keras/test_layers_*.py``).

``check_layer`` builds the same layer in both libraries, copies Keras's weights into the
gradkit layer with ``get_weights`` → ``set_weights`` (so it also checks that the two
agree on the weights' number, order and shapes), runs both on the same float32 inputs and
compares the outputs, then the gradient of a random projection ⟨R, y⟩ of the outputs with
respect to the inputs and every trainable weight. Keras's gradient comes from
``torch.autograd`` (its weights are torch tensors on this backend).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":  # another test chose a backend first
    pytest.skip("Keras is not on its torch backend", allow_module_level=True)

import gradkit as gk  # noqa: E402
from gradkit import keras as gk_keras  # noqa: E402

ATOL = RTOL = 1e-5


def randn(*shape, seed=0, scale=1.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def _flat(out):
    if isinstance(out, (list, tuple)):
        return [y for item in out for y in _flat(item)]
    if isinstance(out, dict):
        return [y for key in sorted(out) for y in _flat(out[key])]
    return [out]


def _as_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    if isinstance(t, gk.Tensor):
        return t.detach().numpy().copy()
    return np.asarray(t)


def _pack(inputs, make):
    if isinstance(inputs, (list, tuple)):
        return [make(a) for a in inputs]
    if isinstance(inputs, dict):
        return {k: make(v) for k, v in inputs.items()}
    return make(inputs)


def _leaves(packed):
    if isinstance(packed, list):
        return packed
    if isinstance(packed, dict):
        return [packed[k] for k in sorted(packed)]
    return [packed]


def _differentiable(a) -> bool:
    return np.asarray(a).dtype.kind == "f"


def check_layer(
    gk_layer,
    k_layer,
    inputs,
    *,
    call_kwargs=None,
    gk_call_kwargs=None,
    training=(None,),
    grad=True,
    weights=None,
    atol=ATOL,
    rtol=RTOL,
):
    """Outputs and gradients of ``gk_layer`` and ``k_layer`` agree on ``inputs``.

    ``inputs`` is one array or a list/dict of them (passed as the first argument);
    ``call_kwargs`` go to both calls (arrays in it are converted per library);
    ``training`` lists the modes to compare (None: the layer's default); ``weights``
    replaces Keras's initial weights (set in both) when given.
    Returns the gradkit outputs of the last mode, as NumPy arrays.
    """
    call_kwargs = dict(call_kwargs or {})
    gk_extra = dict(gk_call_kwargs or {})

    def k_kwargs():
        return {
            k: _pack(v, lambda a: torch.from_numpy(np.asarray(a))) if _is_arrayish(v) else v
            for k, v in call_kwargs.items()
        }

    def g_kwargs():
        out = {
            k: _pack(v, lambda a: gk.tensor(np.asarray(a))) if _is_arrayish(v) else v
            for k, v in call_kwargs.items()
        }
        out.update(gk_extra)
        return out

    k_in = _pack(inputs, lambda a: torch.from_numpy(np.array(a)))
    k_layer(k_in, **k_kwargs())  # builds
    if weights is not None:
        k_layer.set_weights(weights)
    k_weights = k_layer.get_weights()
    g_in = _pack(inputs, lambda a: gk.tensor(np.array(a)))
    gk_layer(g_in, **g_kwargs())  # builds
    g_shapes = [tuple(w.shape) for w in gk_layer.get_weights()]
    assert g_shapes == [w.shape for w in k_weights], (g_shapes, [w.shape for w in k_weights])
    assert [w.name for w in gk_layer.weights] == [w.name for w in k_layer.weights]
    gk_layer.set_weights(k_weights)

    result = None
    for mode in training:
        kw_mode = {} if mode is None else {"training": mode}
        k_in = _pack(
            inputs,
            lambda a: torch.from_numpy(np.array(a)).requires_grad_(grad and _differentiable(a)),
        )
        g_in = _pack(
            inputs,
            lambda a: gk.tensor(np.array(a), requires_grad=grad and _differentiable(a)),
        )
        k_out = _flat(k_layer(k_in, **k_kwargs(), **kw_mode))
        g_out = _flat(gk_layer(g_in, **g_kwargs(), **kw_mode))
        assert len(k_out) == len(g_out)
        for i, (k, g) in enumerate(zip(k_out, g_out)):
            k, g = _as_numpy(k), _as_numpy(g)
            assert g.shape == k.shape, f"output {i}: shape {g.shape} vs Keras {k.shape}"
            np.testing.assert_allclose(g, k, atol=atol, rtol=rtol, err_msg=f"output {i}")
        result = [_as_numpy(g) for g in g_out]
        if not grad:
            continue
        rng = np.random.default_rng(123)
        projections = [rng.standard_normal(_as_numpy(k).shape).astype(np.float32) for k in k_out]
        k_loss = sum((k * torch.from_numpy(r)).sum() for k, r in zip(k_out, projections))
        g_loss = sum((g * gk.tensor(r)).sum() for g, r in zip(g_out, projections))
        k_x = [t for t in _leaves(k_in) if t.requires_grad]
        k_w = [w.value for w in k_layer.trainable_weights]
        k_grads = torch.autograd.grad(k_loss, k_x + k_w, allow_unused=True)
        g_loss.backward()
        g_x = [t for t in _leaves(g_in) if t.requires_grad]
        g_grads = [t.grad for t in g_x] + [w.grad for w in gk_layer.trainable_weights]
        names = [f"input {i}" for i in range(len(k_x))] + [
            w.path for w in k_layer.trainable_weights
        ]
        assert len(g_grads) == len(k_grads)
        for name, k, g in zip(names, k_grads, g_grads):
            if k is None:
                assert g is None or not np.any(_as_numpy(g)), name
                continue
            assert g is not None, f"no gradkit gradient for {name}"
            np.testing.assert_allclose(
                _as_numpy(g), _as_numpy(k), atol=atol, rtol=rtol, err_msg=f"gradient of {name}"
            )
        for w in gk_layer.trainable_weights:
            w.grad = None
    return result


def _is_arrayish(v) -> bool:
    if isinstance(v, np.ndarray):
        return True
    if isinstance(v, (list, tuple)) and v and all(isinstance(a, np.ndarray) for a in v):
        return True
    return False


def k_layers():
    return keras.layers


def g_layers():
    return gk_keras.layers
