"""Tensor and the reverse-mode autograd engine.

A :class:`Tensor` wraps an array. Every differentiable op is a :class:`Function` whose
``forward(ctx, *arrays)`` computes the result and saves on ``ctx`` only what its
``backward(ctx, grad)`` needs (concept T-CACHE). ``Function.apply`` records a
:class:`Node` (the ``grad_fn``) that links the output to its inputs' nodes, so the graph
is made of nodes, not of tensors: intermediate arrays stay alive only if an op saved them
(concept T-GRAPH).

``Tensor.backward`` sorts the nodes topologically (iteratively, so a 10,000-op chain is
fine), walks them in reverse, reduces each input gradient to the input's shape (the one
place where broadcasting is undone) and accumulates gradients into the leaves' ``.grad``
(concept T-AUTODIFF).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from gradkit.backend import DEVICE, as_array, check_device, is_device, xp

_grad_enabled = True


def is_grad_enabled() -> bool:
    """Whether ops currently record the graph."""
    return _grad_enabled


class set_grad_enabled:
    """Turn graph recording on or off; a context manager and a decorator."""

    def __init__(self, mode: bool) -> None:
        global _grad_enabled
        self.prev = _grad_enabled
        self.mode = bool(mode)
        _grad_enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self.prev

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad:
    """Run without recording the graph (concept T-NOGRAD): ``with no_grad(): ...`` or
    as a decorator ``@no_grad()``."""

    def __enter__(self) -> None:
        global _grad_enabled
        self.prev = _grad_enabled
        _grad_enabled = False

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self.prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        return wrapper


class enable_grad(no_grad):
    """Record the graph even inside ``no_grad``."""

    def __enter__(self) -> None:
        global _grad_enabled
        self.prev = _grad_enabled
        _grad_enabled = True

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with enable_grad():
                return fn(*args, **kwargs)

        return wrapper


class Context:
    """Scratch space an op's forward fills for its backward (``ctx.x = ...``).

    ``needs_input_grad[i]`` tells backward whether input ``i`` wants a gradient, so it
    can skip work (a matmul's weight gradient when the weight is frozen, say).
    """

    needs_input_grad: tuple[bool, ...] = ()


class Node:
    """One recorded op in the graph (a ``grad_fn``).

    ``inputs[i]`` is the producing :class:`Node` of input ``i``, the leaf
    :class:`Tensor` itself (its gradient is accumulated into ``.grad``), or ``None``
    when that input needs no gradient.
    """

    __slots__ = ("fn", "ctx", "inputs", "shapes", "retained")

    def __init__(self, fn, ctx, inputs, shapes) -> None:
        self.fn = fn
        self.ctx = ctx
        self.inputs = inputs
        self.shapes = shapes
        self.retained = None

    @property
    def name(self) -> str:
        return f"{self.fn.__name__}Backward"

    def __repr__(self) -> str:
        return f"<{self.name}>"


class Function:
    """Base class of differentiable ops.

    Subclasses define ``forward(ctx, *arrays, **options) -> array`` and
    ``backward(ctx, grad) -> grad or tuple of grads`` (one per tensor input, ``None``
    where an input needs none) as static methods and are called through ``apply``.
    Gradients may keep the broadcast shape of the output; the engine reduces them.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError

    @classmethod
    def apply(cls, *tensors: Tensor, **options) -> Tensor:
        ctx = Context()
        out = _new_tensor(cls.forward(ctx, *[t.data for t in tensors], **options))
        if _grad_enabled:
            needs = tuple([t.requires_grad for t in tensors])
            if True in needs:
                ctx.needs_input_grad = needs
                out._node = Node(
                    cls,
                    ctx,
                    tuple([(t._node or t) if t.requires_grad else None for t in tensors]),
                    tuple([t.data.shape for t in tensors]),
                )
                out.requires_grad = True
        return out


def _new_tensor(data) -> Tensor:
    """A result tensor without the constructor's conversions (the hot path of every op)."""
    out = Tensor.__new__(Tensor)
    out.data = data
    out.grad = None
    out._node = None
    out.requires_grad = False
    return out


def unbroadcast(grad, shape: tuple[int, ...]):
    """Sum ``grad`` over the axes that broadcasting added or stretched so it has
    ``shape``: the adjoint of ``broadcast_to(x, grad.shape)``."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


class _Size(int):
    """Element count that is also callable like ``torch.Tensor.size(dim=None)``."""

    def __new__(cls, count: int, shape: tuple[int, ...]):
        obj = super().__new__(cls, count)
        obj._shape = shape
        return obj

    def __call__(self, dim: int | None = None):
        return self._shape if dim is None else self._shape[dim]


class Tensor:
    """An n-dimensional array that can record the ops applied to it (concept T-TENSOR).

    Parameters
    ----------
    data : array_like
        Python floats and float lists become ``float32`` (the default dtype); NumPy
        arrays keep their dtype.
    requires_grad : bool
        Record ops on this tensor and accumulate ``d(output)/d(self)`` into ``.grad``.
    dtype : optional
        Convert the data to this dtype.

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("data", "requires_grad", "grad", "_node", "__weakref__", "__dict__")
    __array_priority__ = 1000  # make ``ndarray * Tensor`` call Tensor.__rmul__

    def __init__(self, data, requires_grad: bool = False, dtype=None) -> None:
        if isinstance(data, Tensor):
            data = data.data
        self.data = as_array(data, dtype)
        self.grad = None
        self._node = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        """Number of elements; ``t.size()`` also returns the shape, as in PyTorch."""
        return _Size(self.data.size, self.data.shape)

    def numel(self) -> int:
        return self.data.size

    def dim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self) -> Node | None:
        return self._node

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, got shape {self.shape}"
            )
        return self.data.item()

    def numpy(self):
        """The underlying array (shared, not copied). Refuses tensors in a graph."""
        if self.requires_grad and _grad_enabled:
            raise RuntimeError(
                "Can't call numpy() on a tensor that requires grad; use detach().numpy()."
            )
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"The truth value of a tensor with {self.data.size} elements is ambiguous; "
                "use .any() or .all()."
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        return int(self.data.__index__())

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        body = xp.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype not in (xp.float32, xp.int64, xp.bool_):
            extras.append(f"dtype={self.data.dtype.name}")
        if self._node is not None:
            extras.append(f"grad_fn={self._node!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    # ------------------------------------------------------------------ autograd
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_() can only change leaf tensors; use detach() for a new leaf."
            )
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Only floating point tensors can require gradients, got {self.data.dtype}."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new leaf sharing the data, cut from the graph."""
        return Tensor(self.data)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._node is not None:
            self._node.retained = self

    def backward(self, grad=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · grad into every leaf's ``.grad``.

        ``grad`` defaults to 1 for a one-element tensor. The graph's saved values are
        freed afterwards unless ``retain_graph=True``.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad and has no grad_fn."
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for one-element outputs; this "
                    f"tensor has shape {self.shape}. Pass backward(grad) of that shape."
                )
            grad = xp.ones(self.data.shape, dtype=self.data.dtype)
        else:
            grad = as_array(grad.data if isinstance(grad, Tensor) else grad, self.dtype)
            if grad.shape != self.data.shape:
                raise RuntimeError(
                    f"backward: grad has shape {grad.shape} but the tensor has shape "
                    f"{self.data.shape}."
                )
        if self._node is None:
            _accumulate_leaf(self, grad, set())
            return
        run_backward(self._node, grad, retain_graph)

    # ------------------------------------------------------------------ dtype
    def astype(self, dtype) -> Tensor:
        """A copy converted to ``dtype`` (differentiable between float dtypes)."""
        from gradkit.ops.elementwise import Cast

        if xp.dtype(dtype) == self.data.dtype:
            return self
        if xp.dtype(dtype).kind == "f" and self.data.dtype.kind == "f":
            return Cast.apply(self, dtype=xp.dtype(dtype))
        return Tensor(self.data.astype(dtype))

    @property
    def device(self) -> str:
        """Where the data lives: always ``"cpu"`` with the NumPy backend."""
        return DEVICE

    def to(self, dtype_or_device=None, dtype=None) -> Tensor:
        """Convert to a dtype and/or move to a device (``t.to("cpu")``, ``t.to(float64)``)."""
        if is_device(dtype_or_device):
            check_device(dtype_or_device)
        elif dtype_or_device is not None:
            dtype = dtype_or_device
        return self if dtype is None else self.astype(dtype)

    def cpu(self) -> Tensor:
        return self

    def float(self) -> Tensor:
        return self.astype(xp.float32)

    def double(self) -> Tensor:
        return self.astype(xp.float64)

    def long(self) -> Tensor:
        return self.astype(xp.int64)

    def int(self) -> Tensor:
        return self.astype(xp.int32)

    def bool(self) -> Tensor:
        return self.astype(xp.bool_)

    # ------------------------------------------------------------------ in place
    def _check_inplace(self) -> None:
        if _grad_enabled and self.requires_grad:
            raise RuntimeError(
                "In-place change of a tensor that requires grad while recording the graph; "
                "do it under gradkit.no_grad() or on .detach()."
            )

    def zero_(self) -> Tensor:
        self._check_inplace()
        self.data[...] = 0
        return self

    def fill_(self, value) -> Tensor:
        self._check_inplace()
        self.data[...] = value
        return self

    def copy_(self, src) -> Tensor:
        self._check_inplace()
        src = src.data if isinstance(src, Tensor) else xp.asarray(src)
        if src.shape != self.data.shape:
            xp.broadcast_shapes(src.shape, self.data.shape)
        self.data[...] = src
        return self

    def add_(self, other, alpha: float = 1.0) -> Tensor:
        self._check_inplace()
        other = other.data if isinstance(other, Tensor) else other
        self.data += other if alpha == 1 else alpha * other
        return self

    def sub_(self, other, alpha: float = 1.0) -> Tensor:
        return self.add_(other, -alpha)

    def mul_(self, other) -> Tensor:
        self._check_inplace()
        self.data *= other.data if isinstance(other, Tensor) else other
        return self

    def div_(self, other) -> Tensor:
        self._check_inplace()
        self.data /= other.data if isinstance(other, Tensor) else other
        return self

    def clamp_(self, min=None, max=None) -> Tensor:  # noqa: A002 - torch's names
        self._check_inplace()
        xp.clip(self.data, min, max, out=self.data)
        return self

    def __setitem__(self, index, value) -> None:
        self._check_inplace()
        if isinstance(index, Tensor):
            index = index.data
        self.data[index] = value.data if isinstance(value, Tensor) else value

    # The ops below are attached in gradkit/ops/__init__.py (Tensor methods such as
    # __add__, sum, reshape, matmul ...), keeping this file to the engine.


def _topological_order(root: Node) -> list[Node]:
    """Nodes reachable from ``root``, each after all nodes that consume it (iterative DFS)."""
    order: list[Node] = []
    visited = {id(root)}
    stack = [(root, iter(root.inputs))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if isinstance(child, Node) and id(child) not in visited:
                visited.add(id(child))
                stack.append((child, iter(child.inputs)))
                break
        else:
            stack.pop()
            order.append(node)
    order.reverse()
    return order


def run_backward(root: Node, grad, retain_graph: bool) -> None:
    """Propagate ``grad`` from ``root`` through the graph to the leaves."""
    grads = {id(root): grad}
    handed_out = {id(grad)}  # arrays already owned elsewhere must be copied into .grad
    for node in _topological_order(root):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        if node.ctx is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (its saved values were "
                "freed). Pass retain_graph=True to the first backward() call."
            )
        if node.retained is not None:
            _accumulate_leaf(node.retained, g, handed_out)
        input_grads = node.fn.backward(node.ctx, g)
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if not retain_graph:
            node.ctx = None
        for target, ig, shape in zip(node.inputs, input_grads, node.shapes):
            if target is None or ig is None:
                continue
            if ig.shape != shape:
                ig = unbroadcast(ig, shape)
            if isinstance(target, Node):
                key = id(target)
                prev = grads.get(key)
                grads[key] = ig if prev is None else prev + ig
            else:
                _accumulate_leaf(target, ig, handed_out)


def _accumulate_leaf(leaf: Tensor, g, handed_out: set) -> None:
    """Add ``g`` into ``leaf.grad``; copy when ``g`` is a view, read-only or shared, so
    in-place edits of one ``.grad`` (clipping, say) never touch another array."""
    if g.dtype != leaf.data.dtype:
        g = g.astype(leaf.data.dtype)
    elif not g.flags.writeable or g.base is not None or id(g) in handed_out:
        g = g.copy()
    if leaf.grad is None:
        handed_out.add(id(g))
        leaf.grad = Tensor(g)
    else:
        leaf.grad.data = leaf.grad.data + g


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def as_tensor_args(values: Sequence) -> list[Tensor]:
    return [v if isinstance(v, Tensor) else Tensor(v) for v in values]
