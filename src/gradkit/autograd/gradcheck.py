"""Finite-difference gradient checking (concept T-AUTODIFF)."""

from __future__ import annotations

import numpy as np

from gradkit.tensor import Tensor, no_grad


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
    floats = [t.data.dtype.kind == "f" for t in tensors]
    wanted = [t.requires_grad for t in tensors]
    if not any(wanted):
        wanted = floats
    args = [
        Tensor(t.data.astype(np.float64), requires_grad=w) if f else t
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
            return float(np.sum(fn(*args).data * projection))

    worst = None
    for k, (arg, w) in enumerate(zip(args, wanted)):
        if not w:
            continue
        analytic = np.zeros_like(arg.data) if arg.grad is None else arg.grad.data
        numeric = np.zeros_like(arg.data)
        flat = arg.data.reshape(-1)  # a view: edits below change arg.data
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
