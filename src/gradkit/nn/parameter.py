"""``Parameter``: a leaf tensor that a :class:`~gradkit.nn.Module` registers as learnable."""

from __future__ import annotations

from gradkit.backend import get_default_dtype, xp
from gradkit.tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a module parameter (PyTorch's ``nn.Parameter``).

    Assigning a ``Parameter`` to a module attribute registers it, so it appears in
    ``parameters()`` and ``state_dict()``. It is a leaf with ``requires_grad=True``
    unless told otherwise; the data is shared with ``data`` when that is a tensor or an
    array, not copied.

    Parameters
    ----------
    data : Tensor or array_like, optional
        Initial value (an empty float tensor when omitted).
    requires_grad : bool
        Whether the parameter is trained (default True).

    Examples
    --------
    >>> import gradkit as gk
    >>> from gradkit import nn
    >>> p = nn.Parameter(gk.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        if data is None:
            data = xp.empty(0, dtype=get_default_dtype())
        if _budget:
            _spend(data)
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (Parameter, (self._data, self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(self._data.copy(), self.requires_grad)
        if self.grad is not None:
            out.grad = Tensor(self.grad._data.copy())
        memo[id(self)] = out
        return out


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (lazy layers such as ``Dense``).

    ``materialize(shape)`` gives it data in place and turns it into a plain
    :class:`Parameter`, so references held elsewhere stay valid.
    """

    def __init__(self, requires_grad: bool = True, dtype=None) -> None:
        super().__init__(xp.empty(0, dtype=dtype or get_default_dtype()), requires_grad)

    def materialize(self, shape: tuple[int, ...]) -> None:
        self._data = xp.empty(tuple(shape), dtype=self._data.dtype)
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


# A model rebuilt from a file's config may not allocate more parameter bytes than the file
# holds: a 200-byte file declaring Linear(100000, 100000) must fail before any init pass
# writes 40 GB (see gradkit.train.model.load_model).
_budget: list = []


class parameter_budget:
    """``with parameter_budget(nbytes, what):`` makes every Parameter created inside
    draw on ``nbytes``; exceeding it raises a ``ValueError`` naming ``what``."""

    def __init__(self, nbytes: int, what: str) -> None:
        self.left, self.what, self.total = int(nbytes), what, int(nbytes)

    def __enter__(self):
        _budget.append(self)
        return self

    def __exit__(self, *exc) -> None:
        _budget.remove(self)


def _spend(data) -> None:
    budget = _budget[-1]
    budget.left -= getattr(data, "nbytes", 0)
    if budget.left < 0:
        raise ValueError(
            f"{budget.what}: its config declares parameters of more than "
            f"{budget.total} bytes, but the file holds only the weights for less; the "
            "config is corrupt or hostile (refused before allocating them)"
        )
