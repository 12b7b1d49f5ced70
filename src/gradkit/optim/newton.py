"""Newton–Raphson driven by the autograd Hessian (concept O-NEWTON).

For a twice-differentiable loss ℓ of a parameter θ (any shape, flattened to p entries):

    g = ∇ℓ(θ),   H = ∇²ℓ(θ)      (one backward pass with create_graph=True for g,
                                   then p more for the rows of H)
    (H + λI) s = g                (λ = ``damping``, Levenberg-style regularisation)
    θ ← θ − t s                   (t = 1, or halved until ℓ decreases enough)

In one dimension the step is θ ← θ − ℓ'(θ)/ℓ''(θ). Near a minimum with H positive
definite convergence is quadratic. The run stops when the Newton decrement
λ² = gᵀs (twice the decrease the quadratic model predicts) falls below ``2·tol``.

:func:`newton` minimises a function of one tensor; :class:`Newton` is the same step as
a ``torch.optim``-style optimizer over a model's parameters (``step(closure)``, like
PyTorch's ``LBFGS``). Both form H densely: p up to a few thousand. Estimators with a
known Hessian (``LogisticRegression(solver="newton")``) use the closed form in
``gradkit.ml.optimize`` instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradkit.autograd.function import bump
from gradkit.autograd.grad import grad
from gradkit.optim.optimizer import Optimizer, ParamsT, check_hyper
from gradkit.tensor import Tensor, enable_grad, no_grad

_ARMIJO = 0.25  # accept t when ℓ(θ − t s) ≤ ℓ(θ) − c t gᵀs
_MIN_STEP = 1e-10


def gradient_and_hessian(loss: Tensor, params: Sequence[Tensor]) -> tuple[np.ndarray, np.ndarray]:
    """∇ℓ and ∇²ℓ of a one-element ``loss`` with respect to ``params``, flattened.

    The parameters are laid end to end (each flattened in C order) into one vector of p
    entries. An entry the loss does not depend on gets zero gradient and zero Hessian.

    Returns
    -------
    g : ndarray of shape (p,)
    H : ndarray of shape (p, p)

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.tensor([1.0, 2.0], requires_grad=True)
    >>> g, H = gradient_and_hessian((x**3).sum(), [x])
    >>> g.tolist(), H.tolist()
    ([3.0, 12.0], [[6.0, 0.0], [0.0, 12.0]])
    """
    params = list(params)
    sizes = [p._data.size for p in params]
    total = sum(sizes)
    grads = grad(loss, params, create_graph=True, allow_unused=True)
    g = np.zeros(total)
    H = np.zeros((total, total))
    row = 0
    for gk_, size in zip(grads, sizes):
        if gk_ is None:
            row += size
            continue
        g[row : row + size] = gk_._data.ravel()
        if not gk_.requires_grad:  # the gradient is constant: this block of H is zero
            row += size
            continue
        for m in range(size):
            seed = np.zeros(gk_.shape, dtype=gk_._data.dtype)
            seed.flat[m] = 1
            second = grad([gk_], params, [seed], retain_graph=True, allow_unused=True)
            col = 0
            for s, n in zip(second, sizes):
                if s is not None:
                    H[row + m, col : col + n] = s._data.ravel()
                col += n
        row += size
    return g, H


def _newton_direction(g: np.ndarray, H: np.ndarray, damping) -> np.ndarray:
    """s = (H + λI)⁻¹ g, the least-squares solution when that matrix is singular."""
    A = H + np.diag(np.broadcast_to(damping, g.shape))
    try:
        return np.linalg.solve(A, g)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(A, g, rcond=None)[0]


def _scalar_loss(value, caller: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{caller}: the loss must be a Tensor, got {type(value).__name__}")
    if value._data.size != 1:
        raise ValueError(
            f"{caller}: the loss must have one element, got shape {tuple(value.shape)}; "
            "reduce it with .sum() or .mean()"
        )
    return value


def newton(
    loss_fn: Callable[[Tensor], Tensor],
    theta,
    *,
    max_iter: int = 50,
    tol: float = 1e-10,
    damping: float = 0.0,
    line_search: bool = True,
) -> tuple[Tensor, dict[str, Any]]:
    """Minimise ``loss_fn(θ)`` by Newton–Raphson steps θ ← θ − t (H + λI)⁻¹ ∇ℓ(θ), with
    the gradient and Hessian from autograd (O-NEWTON).

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(theta) -> Tensor`` with one element, built from differentiable ops
        (every op on the path must support double backward).
    theta : Tensor or array_like
        Starting point, any shape; not modified. Work in float64 for tight tolerances.
    max_iter : int
        Maximum number of Newton steps.
    tol : float
        Stop when the predicted decrease λ²/2 = gᵀs/2 is at most ``tol`` (after taking
        that last, already computed step).
    damping : float
        λ ≥ 0 added to the Hessian's diagonal: 0 is the pure Newton step; larger values
        shorten the step towards gradient descent with rate 1/λ and keep H + λI
        invertible where H is singular or indefinite.
    line_search : bool
        Backtracking (Armijo): halve t until ℓ(θ − t s) ≤ ℓ(θ) − ¼ t gᵀs (up to the
        rounding error of ℓ, 8 ε |ℓ(θ)|, so full steps near the minimum pass). Where s is no
        descent direction (H + λI not positive definite along g) the step falls back to
        s = g. Without it every step is the full Newton step t = 1.

    Returns
    -------
    theta : Tensor
        The minimiser found, shaped and typed like the start.
    history : dict
        Per evaluated point: ``"loss"`` and ``"grad_norm"`` (‖g‖₂; index 0 is the start),
        per step ``"decrement"`` (λ²) and ``"step_size"`` (t); ``"n_iter"`` (steps taken)
        and ``"converged"`` (bool: λ²/2 ≤ ``tol``, or, where the line search finds no
        decrease left down to t = 1e-10, λ² ≤ 1e-10 · max(1, |ℓ|)).

    Examples
    --------
    >>> import gradkit as gk
    >>> start = gk.tensor([3.0, -1.0], dtype=gk.float64)
    >>> theta, hist = newton(lambda t: (t.exp() - 2 * t).sum(), start)
    >>> [round(v, 10) for v in theta.tolist()], hist["converged"]
    ([0.6931471806, 0.6931471806], True)
    """
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ValueError(f"newton: max_iter must be an integer >= 1, got {max_iter!r}")
    tol = check_hyper("newton", "tol", tol)
    damping = check_hyper("newton", "damping", damping)
    start = theta if isinstance(theta, Tensor) else Tensor(np.asarray(theta, dtype=np.float64))
    if start._data.dtype.kind != "f":
        raise TypeError(f"newton: theta must be floating point, got {start._data.dtype}")
    if not np.isfinite(start._data).all():
        raise ValueError("newton: theta contains NaN or inf")
    shape, dtype = start._data.shape, start._data.dtype
    eps = float(np.finfo(dtype).eps)

    def as_tensor(flat: np.ndarray, requires_grad: bool) -> Tensor:
        return Tensor(flat.reshape(shape).astype(dtype), requires_grad=requires_grad)

    def evaluate(flat: np.ndarray):
        t = as_tensor(flat, True)
        with enable_grad():
            loss = _scalar_loss(loss_fn(t), "newton")
            if not loss.requires_grad:
                raise RuntimeError(
                    "newton: loss_fn(theta) does not depend on theta through "
                    "differentiable ops (was it computed under no_grad or from .numpy()?)"
                )
            g, H = gradient_and_hessian(loss, [t])
        return float(loss._data), g, H

    def value_at(flat: np.ndarray) -> float:
        with no_grad():
            return float(_scalar_loss(loss_fn(as_tensor(flat, False)), "newton")._data)

    flat = start._data.astype(np.float64).ravel()
    value, g, H = evaluate(flat)
    if not math.isfinite(value):
        raise ValueError(f"newton: the loss at the starting point is {value}")
    history: dict[str, Any] = {
        "loss": [value], "grad_norm": [float(np.linalg.norm(g))], "decrement": [],
        "step_size": [], "n_iter": 0, "converged": False,
    }  # fmt: skip
    for it in range(1, max_iter + 1):
        s = _newton_direction(g, H, damping)
        decrement = float(g @ s)
        if line_search and not decrement > 0:  # not a descent direction: use the gradient
            s, decrement = g, float(g @ g)
        if decrement / 2 <= tol:
            flat = flat - s
            history["decrement"].append(decrement)
            history["step_size"].append(1.0)
            history["n_iter"], history["converged"] = it, True
            value, g, H = evaluate(flat)
            history["loss"].append(value)
            history["grad_norm"].append(float(np.linalg.norm(g)))
            break
        t = 1.0
        if line_search:
            # ℓ is known only to rounding: near the minimum the predicted decrease drops
            # below it, and the test must not reject the (then exact) full step for noise
            slack = 8 * eps * abs(value)
            while True:
                trial = value_at(flat - t * s)
                if math.isfinite(trial) and trial <= value - _ARMIJO * t * decrement + slack:
                    break
                t *= 0.5
                if t < _MIN_STEP:
                    break
            if t < _MIN_STEP:  # no decrease left at machine precision: at the minimum
                history["n_iter"] = it - 1
                history["converged"] = decrement <= 1e-10 * max(1.0, abs(value))
                break
        flat = flat - t * s
        value, g, H = evaluate(flat)
        history["loss"].append(value)
        history["grad_norm"].append(float(np.linalg.norm(g)))
        history["decrement"].append(decrement)
        history["step_size"].append(t)
        history["n_iter"] = it
    return as_tensor(flat, False), history


class Newton(Optimizer):
    """Newton–Raphson as a ``torch.optim``-style optimizer (O-NEWTON).

    Each ``step(closure)`` evaluates the loss, forms the gradient g and Hessian H over
    all parameters together (laid end to end), and updates them in place by

        θ ← θ − lr · (H + λI)⁻¹ g        (λ = ``damping`` of each parameter's group)

    ``lr=1`` with ``damping=0`` is the pure Newton step. There is no line search: use
    :func:`newton` for a safeguarded minimisation of one tensor.

    Parameters
    ----------
    params : iterable of Tensor or of dict
    lr : float
        Step scale t ∈ (0, ∞).
    damping : float
        λ ≥ 0 added to the Hessian's diagonal entries of the group's parameters.

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([2.0, 0.0], dtype=gk.float64, requires_grad=True)
    >>> opt = Newton([w])
    >>> for _ in range(8):
    ...     _ = opt.step(lambda: (w.exp() - 2 * w).sum())
    >>> [round(v, 8) for v in w.tolist()]
    [0.69314718, 0.69314718]
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, damping: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, damping=damping))

    def _validate_group(self, group: dict[str, Any]) -> None:
        group["lr"] = check_hyper("Newton", "lr", group["lr"], low_open=True)
        group["damping"] = check_hyper("Newton", "damping", group["damping"])

    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor:
        """One Newton step; ``closure()`` re-evaluates and returns the loss (it need not
        call ``backward``; the gradient and Hessian are taken from its graph). Returns
        the loss before the step."""
        if closure is None:
            raise RuntimeError(
                "Newton.step needs a closure that re-evaluates the model and returns the "
                "loss (as LBFGS does): opt.step(lambda: loss_fn(model(x), y))"
            )
        params = [p for group in self.param_groups for p in group["params"]]
        with enable_grad():
            loss = _scalar_loss(closure(), "Newton.step")
            g, H = gradient_and_hessian(loss, params)
        damping = np.concatenate(
            [np.full(p._data.size, group["damping"]) for group in self.param_groups
             for p in group["params"]]
        )  # fmt: skip
        s = _newton_direction(g, H, damping)
        offset = 0
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    n = p._data.size
                    update = group["lr"] * s[offset : offset + n].reshape(p._data.shape)
                    p._data -= update  # computed in float64, rounded once to p's dtype
                    bump(p)  # an in-place change, as p.sub_() would be
                    offset += n
        return loss.detach()


__all__ = ["Newton", "gradient_and_hessian", "newton"]
