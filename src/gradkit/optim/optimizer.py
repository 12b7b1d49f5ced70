"""The optimizer base class: parameter groups, per-parameter state, ``state_dict``.

Subclasses say how one parameter is updated (``_update``) and what state it keeps
(``_init_state``); the base class walks the groups, skips parameters without a
gradient, allocates state on first use and runs every update under ``no_grad`` so the
in-place writes into ``p.data`` are never recorded.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable
from typing import Any

from gradkit.autograd.function import bump
from gradkit.backend import xp
from gradkit.tensor import Tensor, enable_grad, no_grad

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


def check_hyper(
    owner: str,
    name: str,
    value,
    low: float = 0.0,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``float(value)`` after checking ``low <= value <= high`` (ends open if asked)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: {name} must be a number, got {value!r}") from None
    too_low = v <= low if low_open else v < low
    too_high = v >= high if high_open else v > high
    if not math.isfinite(v) or too_low or too_high:
        lo = "(" if low_open else "["
        hi = ")" if high_open or high == math.inf else "]"
        raise ValueError(f"{owner}: invalid {name} {value!r}; it must lie in {lo}{low}, {high}{hi}")
    return v


def implementation_defaults(
    *, foreach: bool | None, differentiable: bool, **switches: bool | None
) -> dict[str, Any]:
    """PyTorch's implementation switches, kept in every group so state dicts match.

    ``foreach`` and ``fused`` pick PyTorch's multi-tensor or fused kernels and
    ``capturable`` its CUDA-graph-safe path (``switches`` holds those an optimizer has);
    every gradkit update is the same NumPy code, so they change nothing.
    ``differentiable=True`` (backpropagating through the update) is refused.
    """
    return {"foreach": foreach, "differentiable": differentiable, **switches}


def _check_implementation(owner: str, group: dict[str, Any]) -> None:
    """Validate the implementation switches of ``group`` (see
    :func:`implementation_defaults`)."""
    for name in ("foreach", "fused"):
        if name in group and group[name] not in (None, True, False):
            raise TypeError(f"{owner}: {name} must be None, True or False, got {group[name]!r}")
    for name in ("capturable", "differentiable"):
        if name in group and group[name] not in (True, False):
            raise TypeError(f"{owner}: {name} must be True or False, got {group[name]!r}")
    if group.get("foreach") and group.get("fused"):
        raise ValueError(f"{owner}: fused and foreach cannot be True together")
    if group.get("differentiable"):
        raise NotImplementedError(
            f"{owner}: differentiable=True (gradients through the optimizer step) is not "
            "supported; gradkit updates parameters in place outside the graph."
        )


class Optimizer:
    """Base class of gradkit optimizers (PyTorch's ``torch.optim.Optimizer`` API).

    Parameters
    ----------
    params : iterable of Tensor or iterable of dict
        The tensors to optimize (leaves with ``requires_grad=True``), or parameter
        groups: dicts with a ``"params"`` list and per-group hyperparameters that
        override ``defaults``.
    defaults : dict
        Default hyperparameters of every group.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``"params"`` plus every hyperparameter. Schedulers change
        ``group["lr"]`` here.
    state : dict
        Per-parameter state (moment buffers, step counts), keyed by the parameter,
        allocated on the parameter's first update.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or dicts, "
                "got a single Tensor; wrap it in a list."
            )
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self._scratch: dict[tuple, list] = {}
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__} got an empty parameter list.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, e.g. a layer unfrozen while fine-tuning.

        Missing hyperparameters take the optimizer's defaults; all are validated.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters must be an ordered collection (a list); a set's "
                "order changes between runs."
            )
        elif params is None:
            raise ValueError("param_group needs a 'params' entry")
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.requires_grad:
                raise ValueError(
                    "optimizer got a tensor with requires_grad=False; freeze it "
                    "by leaving it out of the parameter list instead."
                )
            if not p.is_leaf:
                raise ValueError(
                    "can't optimize a non-leaf Tensor (the output of an op); "
                    "optimize the leaf tensors it was computed from."
                )
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            raise ValueError("a parameter appears twice in the same parameter group")
        for group in self.param_groups:
            if ids & {id(p) for p in group["params"]}:
                raise ValueError("some parameters appear in more than one parameter group")
        group = {**self.defaults, **param_group, "params": params}
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(
                f"{type(self).__name__}: unknown option(s) {sorted(unknown)}; "
                f"valid ones are {sorted(self.defaults)}"
            )
        _check_implementation(type(self).__name__, group)
        self._validate_group(group)
        self.param_groups.append(group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        """Check (and normalize to Python floats) the hyperparameters of ``group``."""

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: drop it (``None``) or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad._data[...] = 0
                    bump(p.grad)

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; return ``closure()`` if given.

        ``closure`` re-evaluates the model and returns the loss (it runs with gradient
        recording on, before the update).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state.get(p)
                    if state is None:
                        state = self.state[p] = self._init_state(p, group)
                    self._update(p, p.grad._data, state, group)
                    bump(p)  # an in-place change, as p.add_() would be
        return loss

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _update(self, p: Tensor, grad, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers
    def _buffers(self, p: Tensor, n: int) -> list:
        """``n`` scratch arrays shaped like ``p``, allocated once and shared by every
        parameter of the same shape and dtype (updates run one at a time)."""
        key = (p._data.shape, p._data.dtype)
        bufs = self._scratch.setdefault(key, [])
        while len(bufs) < n:
            bufs.append(xp.empty_like(p._data))
        return bufs

    @staticmethod
    def _effective_grad(p: Tensor, grad, wd: float, maximize: bool, out):
        """``g = ±grad + wd · p`` (minus when maximizing), written into ``out`` only when
        it differs from ``grad``; ``grad`` itself is never modified."""
        if wd == 0 and not maximize:
            return grad
        if wd == 0:
            return xp.negative(grad, out=out)
        xp.multiply(p._data, wd, out=out)
        if maximize:
            out -= grad
        else:
            out += grad
        return out

    # ------------------------------------------------------------------ state dict
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state, PyTorch's layout.

        ``{"state": {index: {name: array or number}}, "param_groups": [{hyperparameters,
        "params": [index, ...]}]}`` where parameters are numbered in group order. The
        arrays are the live buffers, not copies (``copy.deepcopy`` for a snapshot).
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        # as in PyTorch, a parameter without state (plain SGD) has no entry
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index and s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by :meth:`state_dict`.

        The groups must have the same sizes as this optimizer's. State arrays (NumPy
        arrays or Tensors) are copied and cast to their parameter's floating dtype.
        """
        try:
            saved_groups = state_dict["param_groups"]
            saved_state = state_dict["state"]
        except (KeyError, TypeError):
            raise ValueError("optimizer state_dict needs 'state' and 'param_groups' keys") from None
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        params: dict[int, Tensor] = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict has a parameter group of size "
                    f"{len(saved['params'])}, this optimizer's has "
                    f"{len(mine['params'])}"
                )
            for idx, p in zip(saved["params"], mine["params"]):
                params[int(idx)] = p
        new_groups = []
        for mine, saved in zip(self.param_groups, saved_groups):
            known = set(self.defaults) | {"initial_lr"}  # ignore e.g. torch's "foreach"
            group = {k: copy.deepcopy(v) for k, v in saved.items() if k in known}
            group = {**self.defaults, **group, "params": mine["params"]}
            _check_implementation(type(self).__name__, group)
            self._validate_group(group)
            new_groups.append(group)
        new_state: dict[Tensor, dict[str, Any]] = {}
        for key, entry in saved_state.items():
            p = params.get(int(key))
            if p is None:
                raise ValueError(f"state dict has state for parameter {key}, which no group has")
            new_state[p] = {name: _restore(value, p, name) for name, value in entry.items()}
        self.param_groups = new_groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")  # torch's blank line between groups
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"


def _restore(value, p: Tensor, name: str):
    """A private copy of a saved state entry; arrays are cast to ``p``'s dtype."""
    if isinstance(value, Tensor):
        value = value._data
    if isinstance(value, xp.ndarray | xp.generic):
        if name != "step" and value.shape == p._data.shape:
            dtype = p._data.dtype if value.dtype.kind == "f" else value.dtype
            return xp.array(value, dtype=dtype, copy=True)
        if value.ndim == 0:
            return value.item()
        raise ValueError(
            f"state '{name}' has shape {value.shape} but its parameter has shape {p._data.shape}"
        )
    return copy.deepcopy(value)
