"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from typing import Any

from gradkit.backend import xp
from gradkit.openblas import axpby
from gradkit.optim.optimizer import Optimizer, ParamsT, check_hyper, implementation_defaults
from gradkit.tensor import Tensor


class Adagrad(Optimizer):
    r"""Adagrad (concept O-ADAPTIVE; Duchi, Hazan & Singer 2011).

    With ``g_t = ∇f(θ_{t-1}) + λ θ_{t-1}`` (``-∇f`` when ``maximize``)::

        η_t = lr / (1 + (t − 1) · lr_decay)
        G_t = G_{t-1} + g_t²                (G_0 = initial_accumulator_value)
        θ_t = θ_{t-1} − η_t · g_t / (√G_t + ε)

    Coordinates with large past gradients take small steps. Updates are in place; the
    accumulator ``sum`` is allocated once per parameter.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float
        Learning rate, ``>= 0``.
    lr_decay : float
        Learning-rate decay per step, ``>= 0``.
    weight_decay : float
        L2 penalty λ added to the gradient.
    initial_accumulator_value : float
        Starting value of ``G``, ``>= 0``.
    eps : float
        ε added to the denominator, ``>= 0``.
    foreach, fused : bool or None
        PyTorch's kernel choices, accepted and recorded; they change nothing here
        (both True is an error, as in PyTorch).
    maximize : bool
        Ascend the objective instead of descending it.
    differentiable : bool
        Must be False (backpropagating through the step is not supported).

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.5000, -1.5000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
            **implementation_defaults(foreach=foreach, differentiable=differentiable, fused=fused),
        )
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            group[name] = check_hyper("Adagrad", name, group[name])

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": 0, "sum": xp.full_like(p._data, group["initial_accumulator_value"])}

    def _update(self, p: Tensor, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        tmp, denom = self._buffers(p, 2)
        state["step"] += 1
        g = self._effective_grad(p, grad, group["weight_decay"], group["maximize"], tmp)
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"]
        xp.multiply(g, g, out=denom)
        total += denom
        xp.sqrt(total, out=denom)
        denom += group["eps"]
        xp.divide(g, denom, out=denom)
        axpby(-clr, denom, 1.0, p._data, denom)
