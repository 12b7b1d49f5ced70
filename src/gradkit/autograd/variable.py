"""``autograd.Variable``: PyTorch's pre-0.4 wrapper, still in tutorials. Since PyTorch 0.4
a Variable *is* a Tensor, so this only makes tensors."""

from __future__ import annotations

from gradkit.autograd.function import TensorBase, new_tensor, version_of


class _VariableType(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, TensorBase)


class Variable(metaclass=_VariableType):
    """``Variable(t, requires_grad=False)``: a new tensor sharing ``t``'s storage and
    version counter, as PyTorch returns (``volatile`` is accepted and ignored)."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        if isinstance(data, TensorBase):
            out = new_tensor(data._data)
            out._vbox = version_of(data)
        else:
            out = TensorBase(data)
        if requires_grad:
            out.requires_grad_(True)
        return out
