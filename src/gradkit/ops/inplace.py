"""In-place ops (``add_``, ``-=``, ``x[i] = v``, ...) with PyTorch's semantics.

* Not recording (``no_grad``, or nothing involved requires grad): the storage changes in
  place, and every view of it sees the change.
* Recording, on a leaf that requires grad (or a view of one): refused, as in PyTorch —
  the leaf's value is what its gradient is taken at.
* Recording, on any other tensor: the op runs out of place as a recorded op, its result
  is written into the tensor's storage and the tensor takes the op's node as its
  ``grad_fn``, so the change is differentiable. On a view, the base tensor is rewritten
  too (:class:`CopySlices`), so gradients through the base see the change.

Every in-place op bumps the version counter shared by a tensor and its views; backward
refuses a saved tensor whose version moved.
"""

from __future__ import annotations

from gradkit import random as _random
from gradkit.autograd.function import (
    Function,
    OutputOf,
    TensorBase,
    bump,
    new_tensor,
    replace_saved,
    saved_arrays,
    which_saved,
)
from gradkit.autograd.function import _log as mutation_log
from gradkit.autograd.grad_mode import state as _mode
from gradkit.backend import xp
from gradkit.ops import elementwise as ew
from gradkit.ops import shape as sh


class CopySlices(Function):
    """base' = base with ``view(base')`` replaced by ``value``: how an in-place change of
    a view rewrites its base. ∂/∂base = g with the view's region zeroed; ∂/∂value =
    view(g)."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, base, value, steps=()):
        ctx.steps = steps
        out = base.copy()
        view_of(out, steps)[...] = value
        mask = xp.ones(base.shape, dtype=bool)
        view_of(mask, steps)[...] = False
        ctx.keep = mask
        return out

    @staticmethod
    def backward(ctx, g):
        nb, nv = ctx.needs_input_grad
        gb = g * ctx.keep if nb else None
        gv = view_of(g, ctx.steps) if nv else None
        return gb, gv


def view_of(a, steps):
    """Apply the view steps recorded by ``Function.apply`` to an array or a Tensor."""
    for step in steps:
        kind = step[0]
        if kind == "getitem":
            a = a[step[1]]
        elif kind == "reshape":
            a = a.reshape(step[1])
        elif kind == "permute":
            a = xp.transpose(a, step[1])
        else:
            raise RuntimeError(f"cannot write through a {kind} view")
    return a


def _clear_error(op: str, self, exc: Exception) -> Exception:
    text = str(exc)
    if "read-only" in text:
        return RuntimeError(
            f"{op}: this tensor is a broadcast view (expand/broadcast_to) whose elements share "
            "memory; write into a clone() instead."
        )
    if "cannot cast" in text.lower():  # NumPy's casting error ("broadcast" is not one)
        return RuntimeError(
            f"{op}: the result cannot be stored in a tensor of dtype {self.dtype} "
            f"({text}); convert the tensor first, e.g. .float()."
        )
    return ValueError(f"{op}: {text} (tensor shape {tuple(self.shape)})")


def _requires_grad(values) -> bool:
    return any(isinstance(v, TensorBase) and v.requires_grad for v in values)


def inplace(self, op: str, compute, fast, others=()):
    """Run an in-place op on ``self``.

    ``compute(t)`` returns the new value of ``t`` as a recorded, out-of-place result;
    ``fast(array)`` changes the array in place (used whenever nothing must be recorded).
    """
    base = self._base
    base_grad = base is not None and base.requires_grad
    if not (_mode.enabled and (self.requires_grad or base_grad or _requires_grad(others))):
        if self._data.__class__ is not xp.ndarray:  # a 0-d result held as a NumPy scalar
            self._data = xp.asarray(self._data)
        try:
            fast(self._data)
        except (ValueError, TypeError) as exc:
            raise _clear_error(op, self, exc) from None
        bump(self)
        return self
    if self._node is None and self.requires_grad:
        raise RuntimeError(
            f"{op}: In-place operation on a leaf tensor that requires grad (a leaf Variable "
            "that requires grad is being used in an in-place operation). Do it under "
            "gradkit.no_grad(), or on a clone()."
        )
    if base is not None and base._node is None and base.requires_grad:
        raise RuntimeError(
            f"{op}: a view of a leaf tensor that requires grad is being used in an in-place "
            "operation. Do it under gradkit.no_grad(), or on a clone()."
        )
    if base is not None and self._view_error and (base.requires_grad or _requires_grad(others)):
        raise RuntimeError(
            f"{op}: this view is being modified in place while recording the graph, but "
            f"{self._view_error}; such views cannot be modified in place. Use clone() on it "
            "first, or do the change under no_grad."
        )
    if self._data.__class__ is not xp.ndarray:
        self._data = xp.asarray(self._data)
    if not self._data.flags.writeable:
        raise _clear_error(op, self, ValueError("read-only"))
    out = compute(self)
    if out.shape != self.shape:
        raise RuntimeError(
            f"{op}: the result has shape {tuple(out.shape)}, which does not match the "
            f"tensor's shape {tuple(self.shape)} (in-place ops cannot broadcast the tensor)."
        )
    if out.dtype != self.dtype:
        if self.dtype.kind != "f":
            raise RuntimeError(
                f"{op}: result type {out.dtype} can't be cast to the tensor's dtype {self.dtype}"
            )
        out = out.astype(self.dtype)
    _unsave(out, self._data)
    if base is None:
        xp.copyto(self._data, out._data)
        bump(self)
        _adopt(self, out)
        return self
    steps = self._view
    new_base = CopySlices.apply(base, out, steps=steps)
    xp.copyto(self._data, out._data)
    bump(self)
    _node_of(out).stamp = mutation_log.seq
    _adopt(base, new_base)
    _adopt(self, _replay(base, steps))
    return self


def _node_of(t):
    node = t._node
    return node.node if isinstance(node, OutputOf) else node


def _unsave(out, array) -> None:
    """The op just recorded saved the tensor about to be overwritten: keep a copy."""
    node = _node_of(out)
    if node is None or node.ctx is None:
        return
    if not any(saved is array for _, _, saved in saved_arrays(node.ctx)):
        return
    which = which_saved(node, array)  # None for an input that needs no gradient
    if which is None or which >= 0:
        replace_saved(node, array, array.copy(), which)


_STALE = object()  # stands for an input whose storage an in-place op has overwritten


def _adopt(self, out) -> None:
    """``self`` takes ``out``'s place in the graph (its storage already holds out's
    value); a saved output of the op now lives in ``self``'s storage."""
    node = _node_of(out)
    if node is not None:
        if node.ctx is not None and which_saved(node, out._data) is not None:
            replace_saved(node, out._data, self._data, which_saved(node, out._data))
        if node.ctx is not None:
            # an input recorded by the storage's identity now names the op's output (its
            # old value, if saved, was copied by _unsave): forget it, so create_graph sees
            # a saved output as the output and not as that input
            which = which_saved(node, self._data)
            while which is not None and which >= 0:
                replace_saved(node, _STALE, _STALE, which)
                which = which_saved(node, self._data)
        slot = out._node.slot if isinstance(out._node, OutputOf) else None
        if slot is None:
            node.out_id = id(self._data)  # the output now lives in self's storage
        else:
            ids = list(node.out_id)
            ids[slot] = id(self._data)
            node.out_id = tuple(ids)
        node.stamp = mutation_log.seq  # made after the write it records
    hook = self._retains_grad
    if hook:  # retain_grad follows the tensor to its new grad_fn
        old = self._node.hooks if self._node is not None else None
        if old and hook in old:
            old.remove(hook)
    self._node = out._node
    self.requires_grad = out.requires_grad
    if hook:
        self._node._hook_list().append(hook)


def _replay(base, steps):
    """The view ``steps`` applied to ``base`` as recorded ops (the view's new grad_fn)."""
    t = base
    for step in steps:
        kind = step[0]
        if kind == "getitem":
            t = sh.getitem(t, step[1])
        elif kind == "reshape":
            t = sh.reshape(t, step[1])
        else:
            t = sh.permute(t, *step[1])
    return t


# ---------------------------------------------------------------- the public ops
def _array(value):
    return value._data if isinstance(value, TensorBase) else value


def _scaled(other, alpha):
    if alpha == 1:
        return other
    return other * alpha


def add_(self, other, *, alpha=1):
    def fast(a):
        a += _scaled(_array(other), alpha)

    return inplace(self, "add_", lambda t: ew.add(t, _scaled(other, alpha)), fast, (other,))


def sub_(self, other, *, alpha=1):
    def fast(a):
        a -= _scaled(_array(other), alpha)

    return inplace(self, "sub_", lambda t: ew.sub(t, _scaled(other, alpha)), fast, (other,))


def mul_(self, other):
    def fast(a):
        a *= _array(other)

    return inplace(self, "mul_", lambda t: ew.mul(t, other), fast, (other,))


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is not None:
        raise NotImplementedError("div_ with rounding_mode is not supported; use floor_()")

    def fast(a):
        a /= _array(other)

    return inplace(self, "div_", lambda t: ew.div(t, other), fast, (other,))


def pow_(self, exponent):
    def fast(a):
        a **= _array(exponent)

    return inplace(self, "pow_", lambda t: ew.pow(t, exponent), fast, (exponent,))


def iadd(self, other):
    return add_(self, other)


def isub(self, other):
    return sub_(self, other)


def imul(self, other):
    return mul_(self, other)


def itruediv(self, other):
    return div_(self, other)


def ipow(self, other):
    return pow_(self, other)


def _unary(self, name: str, op, ufunc):
    """``self`` replaced by ``op(self)``; ``ufunc`` writes it in place when not recording."""

    def fast(a):
        ufunc(a, out=a)

    return inplace(self, name, op, fast)


def _sigmoid_into(a, out):
    xp.copyto(out, ew._sigmoid(a))


def _relu_into(a, out):
    xp.maximum(a, 0, out=out)


def _reciprocal(t):
    return ew.div(1.0, t)


# one function per op (not built by a factory at import time, where a mutation test could
# not reach them)
def neg_(self):
    """In-place ``neg``."""
    return _unary(self, "neg_", ew.neg, xp.negative)


def abs_(self):
    """In-place ``abs``."""
    return _unary(self, "abs_", ew.abs, xp.absolute)


def exp_(self):
    """In-place ``exp``."""
    return _unary(self, "exp_", ew.exp, xp.exp)


def log_(self):
    """In-place ``log``."""
    return _unary(self, "log_", ew.log, xp.log)


def log1p_(self):
    """In-place ``log1p``."""
    return _unary(self, "log1p_", ew.log1p, xp.log1p)


def sqrt_(self):
    """In-place ``sqrt``."""
    return _unary(self, "sqrt_", ew.sqrt, xp.sqrt)


def sin_(self):
    """In-place ``sin``."""
    return _unary(self, "sin_", ew.sin, xp.sin)


def cos_(self):
    """In-place ``cos``."""
    return _unary(self, "cos_", ew.cos, xp.cos)


def tanh_(self):
    """In-place ``tanh``."""
    return _unary(self, "tanh_", ew.tanh, xp.tanh)


def sigmoid_(self):
    """In-place ``sigmoid``."""
    return _unary(self, "sigmoid_", ew.sigmoid, _sigmoid_into)


def relu_(self):
    """In-place ``relu``."""
    return _unary(self, "relu_", ew.relu, _relu_into)


def reciprocal_(self):
    """In-place ``reciprocal``."""
    return _unary(self, "reciprocal_", _reciprocal, xp.reciprocal)


def floor_(self):
    """In-place ``floor``."""
    return _unary(self, "floor_", ew.floor, xp.floor)


def ceil_(self):
    """In-place ``ceil``."""
    return _unary(self, "ceil_", ew.ceil, xp.ceil)


def round_(self):
    """In-place ``round``."""
    return _unary(self, "round_", ew.round, xp.round)


def trunc_(self):
    """In-place ``trunc``."""
    return _unary(self, "trunc_", ew.trunc, xp.trunc)


def sign_(self):
    """In-place ``sign``."""
    return _unary(self, "sign_", ew.sign, xp.sign)


def clamp_(self, min=None, max=None):  # noqa: A002 - torch's names
    if min is None and max is None:
        raise ValueError("clamp_ needs at least one of min and max")

    def fast(a):
        xp.clip(a, _array(min), _array(max), out=a)

    return inplace(self, "clamp_", lambda t: ew.clip(t, min, max), fast)


def addcmul_(self, tensor1, tensor2, *, value=1):
    """self += value · tensor1 ⊙ tensor2."""

    def fast(a):
        a += value * (_array(tensor1) * _array(tensor2))

    return inplace(
        self, "addcmul_", lambda t: t + value * (tensor1 * tensor2), fast, (tensor1, tensor2)
    )


def addcdiv_(self, tensor1, tensor2, *, value=1):
    """self += value · tensor1 / tensor2."""

    def fast(a):
        a += value * (_array(tensor1) / _array(tensor2))

    return inplace(
        self, "addcdiv_", lambda t: t + value * (tensor1 / tensor2), fast, (tensor1, tensor2)
    )


def lerp_(self, end, weight):
    """self += weight · (end − self)."""

    def fast(a):
        a += _array(weight) * (_array(end) - a)

    return inplace(self, "lerp_", lambda t: t + weight * (end - t), fast, (end, weight))


def _constant(value_of):
    """A recorded in-place op whose new value does not depend on the old one."""

    def compute(t):
        return ew.Rounding.apply(t, fn=lambda a: value_of(a))

    return compute


def zero_(self):
    def fast(a):
        a[...] = 0

    return inplace(self, "zero_", _constant(xp.zeros_like), fast)


def fill_(self, value):
    if isinstance(value, TensorBase) and value.requires_grad:
        return copy_(self, value)

    def fast(a):
        a[...] = _array(value)

    return inplace(self, "fill_", _constant(lambda a: xp.full_like(a, _array(value))), fast)


def copy_(self, src, non_blocking: bool = False):
    """Copy ``src`` (broadcast to this tensor's shape) into this tensor's storage;
    differentiable with respect to ``src``."""
    src_array = _array(src)
    if not isinstance(src_array, xp.ndarray):
        src_array = xp.asarray(src_array)
    try:
        if xp.broadcast_shapes(src_array.shape, self.shape) != self.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(
            f"copy_: source of shape {tuple(src_array.shape)} does not broadcast to the "
            f"destination's shape {tuple(self.shape)}"
        ) from None

    def fast(a):
        xp.copyto(a, src_array, casting="unsafe")

    def compute(t):
        return _PutValue.apply(t, _value_tensor(src, t), index=Ellipsis)

    return inplace(self, "copy_", compute, fast, (src,))


def masked_fill_(self, mask, value):
    mask_array = _array(mask)

    def fast(a):
        xp.copyto(a, _array(value), where=xp.broadcast_to(mask_array, a.shape))

    return inplace(self, "masked_fill_", lambda t: ew.masked_fill(t, mask, value), fast, (value,))


def setitem(self, index, value) -> None:
    """``self[index] = value``: a copy into the indexed region (a view) of ``self``."""
    index = sh.numpy_index(index, self.shape)[0]
    value_array = _array(value)

    def fast(a):
        try:
            a[index] = value_array
        except IndexError as exc:
            raise IndexError(
                f"index {index!r} is invalid for a tensor of shape {self.shape}: {exc}"
            ) from None

    def compute(t):
        return _PutValue.apply(t, _value_tensor(value, t), index=index)

    inplace(self, "__setitem__", compute, fast, (value,))


def _value_tensor(value, like):
    if isinstance(value, TensorBase):
        return value
    return new_tensor(xp.asarray(value, dtype=like.dtype))


class _PutValue(Function):
    """y = x with y[index] = v (v broadcast to the region): ∂/∂x is g with the region
    zeroed, ∂/∂v is g[index] summed back to v's shape."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x, v, index=None):
        out = x.copy()
        out[index] = v
        keep = xp.ones(x.shape, dtype=bool)
        keep[index] = False
        ctx.keep, ctx.index = keep, index
        return out

    @staticmethod
    def backward(ctx, g):
        nx, nv = ctx.needs_input_grad
        gx = g * ctx.keep if nx else None
        gv = g[ctx.index] if nv else None
        return gx, gv


# ---------------------------------------------------------------- random fills
def _fill_random(self, name: str, draw, generator):
    """``self`` filled with ``draw(gen, shape)`` from ``generator`` (or the global one),
    in ``self``'s dtype; recorded, the gradient to the old values is zero."""
    gen = _random.numpy_rng(generator)

    def sample(a):
        return xp.asarray(draw(gen, a.shape)).astype(a.dtype, copy=False)

    def fast(a):
        a[...] = sample(a)

    return inplace(self, name, _constant(sample), fast)


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with U(a, b) draws (PyTorch's ``from``, ``to``)."""
    return _fill_random(self, "uniform_", lambda gen, shape: gen.uniform(a, b, shape), generator)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with N(mean, std²) draws."""
    return _fill_random(self, "normal_", lambda gen, shape: gen.normal(mean, std, shape), generator)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with Bernoulli(p) draws (0 or 1; ``p`` a number or a tensor of probabilities)."""
    return _fill_random(
        self, "bernoulli_", lambda gen, shape: gen.random(shape) < _array(p), generator
    )


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with Exp(lambd) draws (mean 1/lambd)."""
    return _fill_random(
        self, "exponential_", lambda gen, shape: gen.exponential(1.0 / lambd, shape), generator
    )
