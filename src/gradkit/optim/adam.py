"""Adam and AdamW: bias-corrected first and second moment estimates."""

from __future__ import annotations

from typing import Any

from gradkit.backend import xp
from gradkit.openblas import axpby
from gradkit.optim.optimizer import Optimizer, ParamsT, check_hyper, implementation_defaults
from gradkit.tensor import Tensor


class Adam(Optimizer):
    r"""Adam (concept O-ADAPTIVE; Kingma & Ba 2015), with AMSGrad (Reddi et al. 2018).

    With ``g_t = ∇f(θ_{t-1}) + λ θ_{t-1}`` (``-∇f`` when ``maximize``)::

        m_t = β₁ m_{t-1} + (1 − β₁) g_t
        v_t = β₂ v_{t-1} + (1 − β₂) g_t²
        v̂_t = max(v̂_{t-1}, v_t)  if amsgrad  else  v_t
        θ_t = θ_{t-1} − lr / (1 − β₁ᵗ) · m_t / (√v̂_t / √(1 − β₂ᵗ) + ε)

    Updates are in place; ``exp_avg``, ``exp_avg_sq`` (and ``max_exp_avg_sq``) are
    allocated once per parameter. With ``decoupled_weight_decay=True`` (as in
    :class:`AdamW`) the weights decay directly, ``θ ← θ (1 − lr · λ)`` before the step,
    instead of ``λ θ`` being added to the gradient.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Parameters or parameter groups.
    lr : float
        Learning rate, ``>= 0``.
    betas : (float, float)
        Decay rates (β₁, β₂) of the moment estimates, each in ``[0, 1)``.
    eps : float
        ε added to the denominator, ``>= 0``.
    weight_decay : float
        L2 penalty λ (added to the gradient in Adam, decoupled in AdamW).
    amsgrad : bool
        Use the running maximum of ``v_t`` (AMSGrad).
    maximize : bool
        Ascend the objective instead of descending it.
    foreach, fused, capturable : bool or None
        PyTorch's kernel and CUDA-graph switches, accepted and recorded; they change
        nothing here (``foreach`` and ``fused`` both True is an error, as in PyTorch).
    differentiable : bool
        Must be False (backpropagating through the step is not supported).
    decoupled_weight_decay : bool
        Decay the weights directly (AdamW) instead of through the gradient.

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> print(w.detach().numpy().round(4))
    [ 0.9 -1.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            **implementation_defaults(
                foreach=foreach, differentiable=differentiable, capturable=capturable, fused=fused
            ),
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        for key in ("lr", "eps", "weight_decay"):
            group[key] = check_hyper(name, key, group[key])
        betas = group["betas"]
        if not isinstance(betas, tuple | list) or len(betas) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(
            check_hyper(name, f"betas[{i}]", b, 0.0, 1.0, high_open=True)
            for i, b in enumerate(betas)
        )

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = {"step": 0, "exp_avg": xp.zeros_like(p._data), "exp_avg_sq": xp.zeros_like(p._data)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = xp.zeros_like(p._data)
        return state

    def _update(self, p: Tensor, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        tmp, work = self._buffers(p, 2)
        lr, wd = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        state["step"] += 1
        t = state["step"]
        if group["decoupled_weight_decay"]:
            if wd != 0:
                p._data *= 1 - lr * wd
            g = self._effective_grad(p, grad, 0.0, group["maximize"], tmp)
        else:
            g = self._effective_grad(p, grad, wd, group["maximize"], tmp)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        axpby(1 - beta1, g, beta1, m, work)  # m ← β₁ m + (1 − β₁) g
        xp.multiply(g, g, out=work)
        axpby(1 - beta2, work, beta2, v, work)  # v ← β₂ v + (1 − β₂) g²
        if group["amsgrad"]:
            v = xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
        xp.sqrt(v, out=work)
        work /= (1 - beta2**t) ** 0.5
        work += group["eps"]
        xp.divide(m, work, out=work)
        axpby(-lr / (1 - beta1**t), work, 1.0, p._data, work)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (concept O-ADAPTIVE; Loshchilov & Hutter 2019).

    ``Adam(..., decoupled_weight_decay=True)`` with ``weight_decay`` defaulting to
    ``1e-2``. The weights shrink before the Adam step instead of the gradient carrying
    ``λ θ``::

        θ ← θ (1 − lr · λ)
        θ_t = θ − lr / (1 − β₁ᵗ) · m_t / (√v̂_t / √(1 − β₂ᵗ) + ε)

    with ``m_t``, ``v̂_t`` as in :class:`Adam` computed from the raw gradient. The
    parameters are those of :class:`Adam`; ``weight_decay`` defaults to ``1e-2``.

    Examples
    --------
    >>> import gradkit as gk
    >>> w = gk.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.0)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> print(w.detach().numpy().round(4))
    [ 0.9 -1.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
