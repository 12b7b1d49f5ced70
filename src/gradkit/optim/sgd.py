"""Stochastic gradient descent with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

import math
from typing import Any

from gradkit.openblas import axpby
from gradkit.optim.optimizer import Optimizer, ParamsT, check_hyper, implementation_defaults
from gradkit.tensor import Tensor


class SGD(Optimizer):
    r"""Stochastic gradient descent (concepts O-GD, O-SGD, O-MOMENTUM).

    With ``g_t = ∇f(θ_{t-1}) + λ θ_{t-1}`` (``-∇f`` when ``maximize``)::

        b_1 = g_1,  b_t = μ b_{t-1} + (1 − τ) g_t      (momentum μ > 0, dampening τ)
        d_t = g_t + μ b_t   if nesterov   else   b_t  (d_t = g_t when μ = 0)
        θ_t = θ_{t-1} − lr · d_t

    Plain gradient descent is ``momentum=0`` with the full-data gradient; SGD is the
    same step on a mini-batch gradient. Updates are in place; the momentum buffer is
    allocated once per parameter.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float
        Learning rate, ``>= 0``.
    momentum : float
        Momentum factor μ, ``>= 0`` (0 turns momentum off).
    dampening : float
        Dampening τ of the momentum buffer.
    weight_decay : float
        L2 penalty λ added to the gradient.
    nesterov : bool
        Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).
    maximize : bool
        Ascend the objective instead of descending it.
    foreach, fused : bool or None
        PyTorch's kernel choices, accepted and recorded; they change nothing here
        (both True is an error, as in PyTorch).
    differentiable : bool
        Must be False (backpropagating through the step is not supported).

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            **implementation_defaults(foreach=foreach, differentiable=differentiable, fused=fused),
        )
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "momentum", "weight_decay"):
            group[name] = check_hyper("SGD", name, group[name])
        group["dampening"] = check_hyper("SGD", "dampening", group["dampening"], -math.inf)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        if group["momentum"] == 0:
            return {}
        return {"momentum_buffer": None}

    def _update(self, p: Tensor, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, mu = group["lr"], group["momentum"]
        tmp, tmp2 = self._buffers(p, 2)
        g = self._effective_grad(p, grad, group["weight_decay"], group["maximize"], tmp)
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                axpby(1 - group["dampening"], g, mu, buf, tmp2)
            if group["nesterov"]:  # θ −= lr (g + μ b)
                axpby(-lr, g, 1.0, p._data, tmp2)
                axpby(-lr * mu, buf, 1.0, p._data, tmp2)
                return
            g = buf
        axpby(-lr, g, 1.0, p._data, tmp2)
