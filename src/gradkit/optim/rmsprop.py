"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from typing import Any

from gradkit.backend import xp
from gradkit.openblas import axpby
from gradkit.optim.optimizer import Optimizer, ParamsT, check_hyper, implementation_defaults
from gradkit.tensor import Tensor


class RMSprop(Optimizer):
    r"""RMSprop (concept O-ADAPTIVE; Hinton's lecture 6e, centered form from Graves 2013).

    With ``g_t = ∇f(θ_{t-1}) + λ θ_{t-1}`` (``-∇f`` when ``maximize``)::

        v_t = α v_{t-1} + (1 − α) g_t²
        m_t = α m_{t-1} + (1 − α) g_t            (centered only)
        s_t = √(v_t − m_t²) + ε   if centered   else   √v_t + ε
        b_t = μ b_{t-1} + g_t / s_t,  θ_t = θ_{t-1} − lr · b_t      (momentum μ > 0)
        θ_t = θ_{t-1} − lr · g_t / s_t                               (μ = 0)

    Centering divides by an estimate of the gradient's standard deviation instead of
    its root mean square. Updates are in place; state is allocated once per parameter.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float
        Learning rate, ``>= 0``.
    alpha : float
        Smoothing constant α in ``[0, 1]``.
    eps : float
        ε added to the denominator, ``>= 0``.
    weight_decay : float
        L2 penalty λ added to the gradient.
    momentum : float
        Momentum factor μ, ``>= 0``.
    centered : bool
        Normalize by the centered second moment.
    capturable, foreach : bool or None
        PyTorch's CUDA-graph and multi-tensor switches, accepted and recorded; they
        change nothing here.
    maximize : bool
        Ascend the objective instead of descending it.
    differentiable : bool
        Must be False (backpropagating through the step is not supported).

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = RMSprop([w], lr=0.01, alpha=0.99)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> print(w.detach().numpy().round(4))
    [ 0.9 -1.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
            maximize=maximize,
            **implementation_defaults(
                foreach=foreach, differentiable=differentiable, capturable=capturable
            ),
        )
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        for name in ("lr", "eps", "weight_decay", "momentum"):
            group[name] = check_hyper("RMSprop", name, group[name])
        group["alpha"] = check_hyper("RMSprop", "alpha", group["alpha"], 0.0, 1.0)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "square_avg": xp.zeros_like(p._data)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = xp.zeros_like(p._data)
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(p._data)
        return state

    def _update(self, p: Tensor, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        tmp, avg = self._buffers(p, 2)
        alpha = group["alpha"]
        state["step"] += 1
        g = self._effective_grad(p, grad, group["weight_decay"], group["maximize"], tmp)
        square_avg = state["square_avg"]
        xp.multiply(g, g, out=avg)
        axpby(1 - alpha, avg, alpha, square_avg, avg)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            axpby(1 - alpha, g, alpha, grad_avg, avg)
            xp.multiply(grad_avg, grad_avg, out=avg)
            xp.subtract(square_avg, avg, out=avg)
            xp.sqrt(avg, out=avg)
        else:
            xp.sqrt(square_avg, out=avg)
        avg += group["eps"]
        xp.divide(g, avg, out=avg)
        if group["momentum"] > 0:
            buf = axpby(1.0, avg, group["momentum"], state["momentum_buffer"], avg)
            axpby(-group["lr"], buf, 1.0, p._data, avg)
        else:
            axpby(-group["lr"], avg, 1.0, p._data, avg)
