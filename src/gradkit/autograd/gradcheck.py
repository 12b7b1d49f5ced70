"""Finite-difference gradient checking (concept T-AUTODIFF)."""

from __future__ import annotations

import numpy as np

from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.grad import grad
from gradkit.autograd.grad_mode import enable_grad, no_grad
from gradkit.backend import xp


class GradcheckError(AssertionError):
    """Analytic and numeric gradients disagree; the message names the worst element."""


def gradcheck(
    fn,
    *inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Compare backprop gradients of ``fn`` with float64 central differences.

    The scalar checked is L = Σ r ⊙ fn(*inputs) for a fixed random projection r (not
    ``fn(...).sum()``, whose all-ones upstream gradient hides transposed or mis-summed
    gradients). For every element x_i of every input that requires grad:

        ∂L/∂x_i ≈ (L(x + ε e_i) − L(x − ε e_i)) / (2ε)

    and the check passes when |analytic − numeric| ≤ atol + rtol·|numeric| everywhere.

    Parameters
    ----------
    fn : callable
        Takes the tensors in ``inputs`` and returns one tensor.
    *inputs : Tensor
        Float inputs are copied to float64; those with ``requires_grad`` are checked (all
        float inputs when none requires grad).
    eps, atol, rtol : float
        Step and tolerances.
    raise_exception : bool
        Raise :class:`GradcheckError` on failure (else return False).

    Returns
    -------
    bool
        True when every gradient matches.
    """
    tensors = [t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in inputs]
    floats = [t._data.dtype.kind == "f" for t in tensors]
    wanted = [t.requires_grad for t in tensors]
    if not any(wanted):
        wanted = floats
    args = [
        Tensor(np.array(t._data, dtype=np.float64, order="C"), requires_grad=w) if f else t
        for t, f, w in zip(tensors, floats, wanted)
    ]
    out = fn(*args)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    projection = np.random.default_rng(seed).standard_normal(out.shape)
    if out.requires_grad:
        out.backward(projection)

    def objective() -> float:
        with no_grad():
            return float(np.sum(fn(*args)._data * projection))

    worst = None
    for k, (arg, w) in enumerate(zip(args, wanted)):
        if not w:
            continue
        analytic = np.zeros_like(arg._data) if arg.grad is None else arg.grad._data
        numeric = np.zeros_like(arg._data)
        flat = arg._data.reshape(-1)  # a view: edits below change arg._data
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + eps
            up = objective()
            flat[i] = original - eps
            down = objective()
            flat[i] = original
            numeric.reshape(-1)[i] = (up - down) / (2 * eps)
        err = np.abs(analytic - numeric)
        excess = err - (atol + rtol * np.abs(numeric))
        if excess.size and excess.max() > 0:
            idx = np.unravel_index(int(np.argmax(excess)), excess.shape)
            if worst is None or excess[idx] > worst[0]:
                worst = (excess[idx], k, idx, analytic[idx], numeric[idx], err[idx])
    if worst is None:
        return True
    _, k, idx, a, n, e = worst
    message = (
        f"gradcheck failed for input {k} (shape {args[k].shape}) at element "
        f"{tuple(map(int, idx))}: "
        f"analytic {a:.8g} vs numeric {n:.8g} (abs error {e:.3g}, atol {atol}, rtol {rtol})"
    )
    if raise_exception:
        raise GradcheckError(message)
    return False


def gradgradcheck(
    fn,
    *inputs,
    grad_outputs=None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Check second derivatives: the gradients of ``fn`` computed with
    ``create_graph=True`` are themselves differentiated by backprop and compared with
    float64 central differences of those gradients.

    With v a fixed random upstream gradient (or ``grad_outputs``), the function checked
    is x ↦ ∂⟨v, fn(x)⟩/∂x, flattened and concatenated over the inputs; :func:`gradcheck`
    then compares its vector-Jacobian product (a Hessian-vector product of ⟨v, fn⟩)
    with finite differences.

    Examples
    --------
    >>> import gradkit as gk
    >>> gk.autograd.gradgradcheck(lambda a: (a * a.sin()).sum(), gk.randn(4))
    True
    """
    floats = [isinstance(t, Tensor) and t.dtype.kind == "f" for t in inputs]
    args = [
        Tensor(np.array(t._data, dtype=np.float64, order="C"), requires_grad=True) if f else t
        for t, f in zip(inputs, floats)
    ]
    with no_grad():
        shape = fn(*args).shape
    if grad_outputs is None:
        v = np.random.default_rng(seed + 1).standard_normal(shape)
    else:
        v = np.asarray(grad_outputs._data if isinstance(grad_outputs, Tensor) else grad_outputs)
        v = v.astype(np.float64)

    def first_grads(*xs):
        with enable_grad():
            wanted = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
            out = fn(*xs)
            grads = grad(out, wanted, grad_outputs=Tensor(v), create_graph=True,
                         allow_unused=True)  # fmt: skip
            pieces = [
                g.reshape(-1) if g is not None else Tensor(np.zeros(x.numel()))
                for g, x in zip(grads, wanted)
            ]
            return xp.concatenate(pieces)  # Tensors: dispatched to the recorded op

    return gradcheck(
        first_grads, *args, eps=eps, atol=atol, rtol=rtol, seed=seed,
        raise_exception=raise_exception,
    )  # fmt: skip
