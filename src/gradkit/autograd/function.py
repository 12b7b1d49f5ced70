"""The reverse-mode engine: Function, Context, Node and the backward walk.

A differentiable op is a :class:`Function` whose ``forward(ctx, *arrays, **options)``
computes one array or a tuple of arrays and keeps on ``ctx`` only what its
``backward(ctx, *grads)`` needs (concept T-CACHE). ``ctx.needs_input_grad`` is set before
forward, so an op can skip saving (or computing) what no input will use.
``Function.apply`` records a :class:`Node` (the ``grad_fn``) whose edges point at the
nodes that produced its inputs, or at the leaf tensors themselves (concept T-GRAPH).

Every in-place op bumps the version counter of the tensor it changes and records the
change (which memory, which counter, which version) in a :class:`MutationLog`. Each node
remembers the log's sequence number when it was made; backward checks a node's saved
arrays against the changes made since, by memory overlap, and refuses to use one that
changed (PyTorch's rule), so a gradient never silently uses a value changed after
forward. In a training loop nothing changes between forward and backward, the sequence
number is unchanged, and the check costs one comparison per node.

The walk (:func:`run_backward`) sorts nodes topologically without recursion, calls each
backward once with the summed gradients of its outputs, undoes broadcasting in one place
(:func:`unbroadcast`) and accumulates into the leaves' ``.grad`` (concept T-AUTODIFF).
With ``create_graph=True`` the walk itself is recorded: gradients are Tensors, saved
arrays are handed back as the Tensors they came from, and backward formulas written with
NumPy calls run as gradkit ops through ``Tensor.__array_ufunc__`` /
``__array_function__``. Only Functions with ``differentiable_backward = True`` (checked by
``gradgradcheck``) may be walked that way; others refuse with a clear error.
"""

from __future__ import annotations

import warnings
import weakref

from gradkit.autograd.grad_mode import state as _mode
from gradkit.backend import xp

_ndarray = xp.ndarray
_new_object = object.__new__
_NO_GRAD = {n: (False,) * n for n in range(8)}


class Version:
    """The version counter shared by a tensor and its views; in-place ops bump it."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class MutationLog:
    """In-place changes in order: ``(seq, low, high, counter, version)`` with the byte
    range changed. Kept short by keeping only the newest change of each range; past
    ``max_ranges`` distinct ranges the oldest are dropped and ``floor`` remembers the
    newest dropped ``seq`` (older nodes can then no longer be fully checked)."""

    __slots__ = ("seq", "entries", "limit", "floor")
    max_ranges = 65536

    def __init__(self) -> None:
        self.seq = 0
        self.entries: list = []
        self.limit = 4096
        self.floor = 0

    def add(self, array, box: Version) -> None:
        self.seq += 1
        low, high = byte_bounds(array)
        self.entries.append((self.seq, low, high, box, box.value))
        if len(self.entries) > self.limit:
            self._compact()

    def _compact(self) -> None:
        newest = {}
        for entry in self.entries:
            newest[(entry[1], entry[2])] = entry
        entries = sorted(newest.values(), key=lambda e: e[0])
        keep = self.max_ranges // 2
        if len(entries) > keep:
            self.floor = entries[-keep - 1][0]
            entries = entries[-keep:]
        self.entries = entries
        self.limit = max(4096, 2 * len(entries))


_log = MutationLog()


def byte_bounds(array) -> tuple[int, int]:
    """The lowest and one-past-highest byte addresses an array's elements occupy."""
    info = array.__array_interface__
    low = high = info["data"][0]
    item = array.itemsize
    if array.size == 0:
        return low, low
    strides = info["strides"]
    if strides is None:
        return low, low + array.size * item
    for n, stride in zip(array.shape, strides):
        if stride < 0:
            low += (n - 1) * stride
        else:
            high += (n - 1) * stride
    return low, high + item


def bump(t) -> None:
    """Record an in-place change of ``t``'s storage: bump its version counter and log it
    (``.data`` tensors are not logged: their changes are invisible to autograd)."""
    box = t._vbox
    if box is None:
        box = t._vbox = Version()
    box.value += 1
    if not t._untracked:
        data = t._data
        if data.__class__ is _ndarray:
            _log.add(data, box)


class Context:
    """Scratch space an op's forward fills for its backward (``ctx.x = ...``).

    ``needs_input_grad[i]`` says whether input ``i`` wants a gradient; it is known before
    forward (all False under ``no_grad``). ``save_for_backward``/``saved_tensors`` are
    PyTorch's spelling of the same thing.
    """

    __slots__ = ("needs_input_grad", "__dict__")

    def save_for_backward(self, *arrays) -> None:
        self.saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        return self.saved


class GraphNode:
    """What the backward walk visits: a :class:`Node` or an :class:`OutputOf`."""

    __slots__ = ()


class Node(GraphNode):
    """One recorded op in the graph (a ``grad_fn``).

    ``inputs[i]`` is the node that produced input ``i`` (an :class:`OutputOf` when that
    node has several outputs), the leaf :class:`Tensor` itself, or ``None`` when input
    ``i`` needs no gradient. ``stamp`` is the mutation log's sequence number when the node
    was made; ``out_id`` the ``id`` of its output array (a tuple for several), from which
    ``create_graph`` recognises the inputs and outputs a ctx kept (``ids`` overrides that
    when an in-place op swapped a kept array for a copy).
    """

    __slots__ = ("fn", "ctx", "inputs", "shapes", "stamp", "out_id", "hooks", "outputs",
                 "__weakref__", "__dict__")  # fmt: skip
    ids = None  # set (in the instance dict) only when an in-place op swapped a saved array

    def __init__(self, fn, ctx, inputs, shapes, out_id=None) -> None:
        self.fn = fn
        self.ctx = ctx
        self.inputs = inputs
        self.shapes = shapes
        self.stamp = _log.seq
        self.out_id = out_id
        self.hooks = None
        self.outputs = None

    @property
    def name(self) -> str:
        return f"{self.fn.__name__}Backward"

    @property
    def next_functions(self) -> tuple:
        """PyTorch's view of the edges: ``((node or leaf accumulator, slot), ...)``."""
        out = []
        for edge in self.inputs:
            if isinstance(edge, OutputOf):
                out.append((edge.node, edge.slot))
            else:
                out.append((edge, 0))
        return tuple(out)

    def register_hook(self, hook) -> None:
        self._hook_list().append(hook)

    def _hook_list(self) -> list:
        if self.hooks is None:
            self.hooks = []
        return self.hooks

    def __repr__(self) -> str:
        return f"<{self.name}>"


class OutputOf(GraphNode):
    """Output ``slot`` of a multi-output node: a pass-through in the walk that hands its
    gradient to the node's ``slot``-th gradient."""

    __slots__ = ("node", "slot", "inputs", "hooks", "__weakref__")

    def __init__(self, node: Node, slot: int) -> None:
        self.node = node
        self.slot = slot
        self.inputs = (node,)
        self.hooks = None

    name = property(lambda self: self.node.name)
    register_hook = Node.register_hook
    _hook_list = Node._hook_list

    def __repr__(self) -> str:
        return f"<{self.node.name} output {self.slot}>"


class TensorBase:
    """Storage, graph links and version counter of a tensor; :class:`gradkit.Tensor`
    adds the methods. Op modules build results with :func:`new_tensor`, so they depend
    on this engine and not on ``gradkit.tensor``."""

    __slots__ = ("_data", "requires_grad", "_node", "__weakref__", "__dict__")

    # rarely set, so they live in the instance __dict__ only when used
    _base = None  # the tensor this one is a view of (PyTorch's ``_base``)
    _view = ()  # how to get this view from ``_base``: a tuple of (kind, argument) steps
    _hooks = None  # gradient hooks of a leaf
    _retains_grad = False
    _view_error = None  # why an in-place change of this view may not be recorded
    _untracked = False  # a ``.data`` tensor: its in-place changes are not logged
    _vbox = None  # the version counter, made at the first in-place change
    _grad = None

    def __init_subclass__(cls, concrete: bool = False, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if concrete:
            global _Concrete
            _Concrete = cls

    def __new__(cls, *args, **kwargs):
        return object.__new__(_Concrete if cls is TensorBase else cls)

    @property
    def grad(self):
        """The accumulated gradient (a Tensor of this tensor's shape) or None."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, TensorBase):
                raise TypeError(
                    "assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"assigned grad has shape {tuple(value.shape)}, but the tensor has shape "
                    f"{tuple(self._data.shape)}"
                )
        self._grad = value


_Concrete = TensorBase


def new_tensor(data, requires_grad: bool = False):
    """A tensor around ``data`` without conversions (the hot path of every op)."""
    out = object.__new__(_Concrete)
    out._data = data
    out._node = None
    out.requires_grad = requires_grad
    return out


def version_of(t: TensorBase) -> Version:
    box = t._vbox
    if box is None:
        box = t._vbox = Version()
    return box


class Function:
    """Base class of differentiable ops.

    Subclasses define ``forward(ctx, *arrays, **options)`` returning an array or a tuple
    of arrays, and ``backward(ctx, *grads)`` returning one gradient per tensor input
    (``None`` where an input needs none); a multi-output op's backward gets one gradient
    per output, ``None`` for an output that received none. Gradients may keep the
    broadcast shape of the output; the engine reduces them. Call ops through ``apply``.

    Class attributes: ``view`` names the view step (``"reshape"``, ``"getitem"``, ...)
    when the output shares the input's storage; ``differentiable_backward`` says the
    backward formula also runs on Tensors, so ``create_graph=True`` may go through it;
    ``broadcasts`` says forward broadcasts its first two inputs, so a ``ValueError`` it
    raises is explained by :func:`check_broadcast`.
    """

    view = None
    differentiable_backward = False
    broadcasts = False

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *tensors, **options):
        ctx = _new_object(Context)
        arrays = [t._data for t in tensors]
        if _mode.enabled:
            needs = tuple([t.requires_grad for t in tensors])
            record = True in needs
        else:
            needs = _NO_GRAD.get(len(tensors)) or (False,) * len(tensors)
            record = False
        ctx.needs_input_grad = needs
        try:
            raw = cls.forward(ctx, *arrays, **options)
        except ValueError:
            if cls.broadcasts:  # say which shapes clash instead of NumPy's words
                check_broadcast(cls.__name__.lower(), *arrays[:2])
            raise
        if type(raw) is tuple:
            outs = tuple([new_tensor(r) for r in raw])
            if cls.view is not None:
                for k, out in enumerate(outs):
                    _link_view(out, tensors[0], cls.view, options, k)
            if record:
                _record_many(cls, ctx, tensors, arrays, outs)
            return outs
        out = _new_object(_Concrete)  # new_tensor(raw), inlined
        out._data = raw
        out._node = None
        out.requires_grad = record
        if cls.view is not None:
            _link_view(out, tensors[0], cls.view, options, 0)
        if record:  # Node(cls, ctx, inputs, shapes, id(raw)), inlined: the hot path
            node = _new_object(Node)
            node.fn = cls
            node.ctx = ctx
            node.inputs = tuple([(t._node or t) if t.requires_grad else None for t in tensors])
            node.shapes = tuple([a.shape for a in arrays])
            node.stamp = _log.seq
            node.out_id = id(raw)
            node.hooks = node.outputs = None
            out._node = node
        return out


def _record_many(cls, ctx, tensors, arrays, outs) -> None:
    node = Node(
        cls,
        ctx,
        tuple([(t._node or t) if t.requires_grad else None for t in tensors]),
        tuple([a.shape for a in arrays]),
        tuple([id(o._data) for o in outs]),
    )
    refs = []
    for k, out in enumerate(outs):
        ref = OutputOf(node, k)
        refs.append(weakref.ref(ref))
        out._node = ref
        out.requires_grad = True
    node.outputs = refs


def saved_arrays(ctx):
    """``(attribute, position, array)`` of every array a ctx keeps (attributes, and the
    items of tuple or list attributes)."""
    out = []
    for name, value in ctx.__dict__.items():
        cls = value.__class__
        if cls is _ndarray or isinstance(value, xp.generic):
            out.append((name, None, value))
        elif cls is tuple or cls is list:
            for i, v in enumerate(value):
                if v.__class__ is _ndarray or isinstance(v, xp.generic):
                    out.append((name, i, v))
    return out


def _edge_id(edge):
    """``id`` of the array an edge's tensor held when the consumer was recorded."""
    if edge is None:
        return None
    if isinstance(edge, TensorBase):
        return id(edge._data)
    if edge.__class__ is OutputOf:
        return edge.node.out_id[edge.slot]
    return edge.out_id


def _ids(node: Node) -> tuple:
    if node.ids is not None:
        return node.ids
    outputs = node.out_id if node.outputs is not None else (node.out_id,)
    return tuple(_edge_id(e) for e in node.inputs), outputs


def which_saved(node: Node, array) -> int | None:
    """Input index of ``array`` among the node's inputs, ``-1 - k`` for output k, or None
    (a constant input, or a value derived in forward)."""
    ident = id(array)
    inputs, outputs = _ids(node)
    for i, x in enumerate(inputs):
        if x == ident:
            return i
    for k, x in enumerate(outputs):
        if x == ident:
            return -1 - k
    return None


def replace_saved(node: Node, old, new, which: int | None = None) -> None:
    """Make the node's ctx keep ``new`` wherever it kept ``old`` (by identity); ``new``
    takes ``old``'s place as input or output ``which`` for ``create_graph``."""
    attrs = node.ctx.__dict__
    for name, pos, value in saved_arrays(node.ctx):
        if value is old:
            if pos is None:
                attrs[name] = new
            else:
                items = list(attrs[name])
                items[pos] = new
                attrs[name] = type(attrs[name])(items)
    if which is not None:
        inputs, outputs = (list(x) for x in _ids(node))
        if which >= 0:
            inputs[which] = id(new)
        else:
            outputs[-1 - which] = id(new)
        node.ids = (tuple(inputs), tuple(outputs))


def _link_view(out, base, kind: str, options: dict, slot: int) -> None:
    """Make ``out`` a view of ``base``: same version counter, and the steps that rebuild
    it from the root base (used when an in-place op on the view must rewrite the base)."""
    data = out._data
    if data.base is None or not xp.may_share_memory(data, base._data):
        return  # NumPy copied (a reshape of a non-contiguous array): not a view
    out._vbox = version_of(base)
    if base._view_error:
        out._view_error = base._view_error
    elif kind == "split":
        out._view_error = "it is one of several views returned by split/chunk/unbind"
    elif not _mode.enabled:
        out._view_error = "it was created in no_grad mode"
    root = base._base
    steps = base._view if root is not None else ()
    out._base = root if root is not None else base
    out._view = steps + (view_step(kind, options, slot, base._data.shape),)


def view_step(kind: str, options: dict, slot: int, in_shape) -> tuple:
    if kind == "getitem":
        return ("getitem", options["index"])
    if kind == "split":
        return ("getitem", options["pieces"][slot])
    if kind == "reshape":
        return ("reshape", options["shape"], in_shape)
    if kind == "permute":
        return ("permute", options["axes"])
    return (kind, None)  # broadcast views: written only through an error


# ---------------------------------------------------------------- the backward walk
def check_broadcast(op: str, a, b) -> None:
    """Raise a clear error when two shapes cannot broadcast (concept T-HADAMARD)."""
    try:
        xp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} are not broadcastable "
            "(each trailing dimension must be equal or 1)."
        ) from None


def unbroadcast(grad, shape: tuple[int, ...]):
    """Sum ``grad`` over the axes that broadcasting added or stretched so it has
    ``shape``: the adjoint of ``broadcast_to(x, grad.shape)``. Works on arrays and on
    Tensors (``create_graph``)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:
        grad = grad.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def topological_order(roots) -> list:
    """Nodes reachable from ``roots``, each before every node it feeds (iterative DFS)."""
    order: list = []
    visited = set()
    for root in roots:
        if id(root) in visited:
            continue
        visited.add(id(root))
        stack = [(root, iter(root.inputs))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if isinstance(child, GraphNode):
                    if id(child) not in visited:
                        visited.add(id(child))
                        stack.append((child, iter(child.inputs)))
                        break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


class _Capture:
    """Where ``autograd.grad`` collects gradients instead of accumulating ``.grad``."""

    def __init__(self, inputs) -> None:
        self.leaves = {}
        self.nodes = {}
        for i, t in enumerate(inputs):
            if t._node is None:
                self.leaves.setdefault(id(t), []).append(i)
            else:
                self.nodes.setdefault(id(t._node), []).append(i)
        self.grads = [None] * len(inputs)

    def add(self, indices, g) -> None:
        for i in indices:
            prev = self.grads[i]
            self.grads[i] = g if prev is None else prev + g


_final_callbacks: list[list] = []  # one list per backward pass now running (nested: a stack)


def queue_callback(fn) -> None:
    """Run ``fn()`` once the backward pass now running has finished, after every
    gradient has been accumulated (PyTorch's ``Variable._execution_engine.queue_callback``).
    Call it from a backward formula or a gradient hook; data-parallel training uses it to
    average the gradients once per backward pass."""
    if not _final_callbacks:
        raise RuntimeError("queue_callback() is only valid while a backward pass is running")
    _final_callbacks[-1].append(fn)


def run_backward(roots, grads, retain_graph: bool, create_graph: bool = False, capture=None):
    """Propagate ``grads[i]`` from ``roots[i]`` (nodes or leaf tensors) to the leaves.

    Without ``capture`` gradients accumulate into ``.grad`` of the leaves (and of
    non-leaves that ``retain_grad()``); with it, they are collected for
    :func:`gradkit.autograd.grad` and no ``.grad`` changes.
    """
    pending = {}
    handed_out = set()  # arrays already owned elsewhere must be copied into .grad
    nodes = []
    for root, g in zip(roots, grads):
        handed_out.add(id(g))
        if isinstance(root, TensorBase):
            _to_leaf(root, g, handed_out, capture, create_graph)
            continue
        key = id(root)
        pending[key] = g if key not in pending else pending[key] + g
        nodes.append(root)
    order = topological_order(nodes)
    expand = None
    if capture is not None:
        order, expand = _prune(order, capture)
    prev_mode = _mode.enabled
    _mode.enabled = create_graph
    _final_callbacks.append([])
    try:
        for node in order:
            g = pending.pop(id(node), None)
            if g is None:
                continue
            if node.hooks is not None:
                g = _run_hooks(node.hooks, g, create_graph)
            if capture is not None:
                if id(node) in capture.nodes:
                    capture.add(capture.nodes[id(node)], g)
                if id(node) not in expand:
                    continue
            if node.__class__ is OutputOf:
                _pass_to_slot(pending, node, g)
                continue
            ctx = node.ctx
            if ctx is None:
                raise RuntimeError(
                    f"Trying to backward through the graph a second time ({node.name}'s "
                    "saved values were freed). Pass retain_graph=True to the first "
                    "backward() call."
                )
            if node.stamp != _log.seq:
                _check_mutations(node)
            if create_graph:
                if not node.fn.differentiable_backward:
                    raise RuntimeError(
                        f"{node.name} does not support double backward (create_graph=True): "
                        "its backward formula is fused NumPy code. Use an equivalent "
                        "composed op."
                    )
                ctx = _graph_context(node)
            if node.outputs is None:
                input_grads = node.fn.backward(ctx, g)
            else:
                input_grads = node.fn.backward(ctx, *g)
            if input_grads.__class__ is not tuple:
                input_grads = (
                    tuple(input_grads) if input_grads.__class__ is list else (input_grads,)
                )
            if not retain_graph:
                node.ctx = None
            for target, ig, shape in zip(node.inputs, input_grads, node.shapes):
                if target is None or ig is None:
                    continue
                if ig.shape != shape:
                    ig = unbroadcast(ig, shape)
                if target.__class__ is Node or target.__class__ is OutputOf:
                    key = id(target)
                    prev = pending.get(key)
                    pending[key] = ig if prev is None else prev + ig
                else:
                    _to_leaf(target, ig, handed_out, capture, create_graph)
    finally:
        _mode.enabled = prev_mode
        queued = _final_callbacks.pop()
    for fn in queued:
        fn()


def _prune(order: list, capture: _Capture) -> tuple[list, set]:
    """The nodes ``autograd.grad`` must visit, and of those the ones whose backward must
    run (they lie on a path to an input)."""
    expand = set()
    for node in reversed(order):
        for e in node.inputs:
            if e is None:
                continue
            if isinstance(e, TensorBase):
                if id(e) in capture.leaves:
                    expand.add(id(node))
                    break
            elif id(e) in expand or id(e) in capture.nodes:
                expand.add(id(node))
                break
    visit = [n for n in order if id(n) in expand or id(n) in capture.nodes]
    return visit, expand


def _pass_to_slot(pending: dict, ref: OutputOf, g) -> None:
    node = ref.node
    slots = pending.get(id(node))
    if slots is None:
        slots = pending[id(node)] = [None] * len(node.out_id)
    prev = slots[ref.slot]
    slots[ref.slot] = g if prev is None else prev + g


def _check_mutations(node: Node) -> None:
    """Refuse a node whose saved arrays were changed in place after it was made."""
    changes = []
    for entry in reversed(_log.entries):
        if entry[0] <= node.stamp:
            break
        changes.append(entry)
    if node.stamp < _log.floor and saved_arrays(node.ctx):
        warnings.warn(
            f"{node.name} was recorded before more than {MutationLog.max_ranges // 2} "
            "distinct buffers were changed in place; the oldest of those changes are no "
            "longer logged, so an in-place change of a value it saved may go unnoticed.",
            RuntimeWarning,
            stacklevel=3,
        )
    if not changes:
        return
    for _, _, array in saved_arrays(node.ctx):
        if array.__class__ is not _ndarray or array.size == 0:
            continue
        low, high = byte_bounds(array)
        for _, c_low, c_high, box, version in reversed(changes):  # oldest change first
            if c_low < high and low < c_high:
                which = which_saved(node, array)
                kind = (
                    "a value it saved" if which is None
                    else f"output {-1 - which}" if which < 0 else f"input {which}"
                )  # fmt: skip
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: [{array.dtype} {list(array.shape)}], which is "
                    f"{kind} of {node.name}, is at version {box.value}; expected version "
                    f"{version - 1} instead. Do the in-place change after backward(), or on "
                    "a copy (clone())."
                )


def _graph_context(node: Node):
    """A copy of ``node.ctx`` whose saved arrays are the Tensors they came from, linked
    into the graph, so a backward formula run on them is itself recorded."""
    ctx = Context()
    ctx.needs_input_grad = node.ctx.needs_input_grad
    attrs = dict(node.ctx.__dict__)
    for name, pos, array in saved_arrays(node.ctx):
        which = which_saved(node, array)
        if which is None:
            continue
        if which >= 0:
            t = _input_tensor(node.inputs[which], array)
        else:
            t = _output_tensor(node, -1 - which, array)
        if pos is None:
            attrs[name] = t
        else:
            value = list(attrs[name])
            value[pos] = t
            attrs[name] = tuple(value) if type(attrs[name]) is tuple else value
    ctx.__dict__.update(attrs)
    return ctx


def _input_tensor(edge, array):
    if isinstance(edge, TensorBase):
        return edge
    t = new_tensor(array)
    if edge is not None:
        t._node = edge
        t.requires_grad = True
    return t


def _output_tensor(node: Node, slot: int, array):
    t = new_tensor(array, True)
    if node.outputs is None:
        t._node = node
        return t
    ref = node.outputs[slot]() if node.outputs else None
    if ref is None:
        ref = OutputOf(node, slot)
        if node.outputs is not None:
            node.outputs[slot] = weakref.ref(ref)
    t._node = ref
    return t


def _run_hooks(hooks: list, g, create_graph: bool):
    """Call tensor gradient hooks in order; a hook's return value replaces the gradient."""
    as_tensor = not isinstance(g, TensorBase)
    for hook in hooks:
        result = hook(new_tensor(g) if as_tensor else g)
        if result is not None:
            if as_tensor:
                result = result._data if isinstance(result, TensorBase) else xp.asarray(result)
            if result.shape != g.shape:
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} returned a gradient of shape "
                    f"{tuple(result.shape)}; expected {tuple(g.shape)}"
                )
            g = result
    return g


def _to_leaf(leaf, g, handed_out: set, capture, create_graph: bool) -> None:
    """Add ``g`` into ``leaf._grad`` (after the leaf's hooks); copy when ``g`` is a view,
    read-only or shared, so in-place edits of one ``.grad`` never touch another array."""
    if leaf._hooks:
        g = _run_hooks(leaf._hooks, g, create_graph)
    if capture is not None:
        indices = capture.leaves.get(id(leaf))
        if indices is not None:
            capture.add(indices, g)
        return
    if create_graph:
        if g.dtype != leaf._data.dtype:
            g = g.astype(leaf._data.dtype)
        leaf._grad = g if leaf._grad is None else leaf._grad + g
        return
    if g.dtype != leaf._data.dtype:
        g = g.astype(leaf._data.dtype)
    elif not g.flags.writeable or g.base is not None or id(g) in handed_out:
        g = g.copy()
    if leaf._grad is None:
        handed_out.add(id(g))
        leaf._grad = new_tensor(g)
    else:
        grad = leaf._grad
        if grad.requires_grad:  # a .grad left by create_graph: accumulate out of place
            leaf._grad = new_tensor(grad._data + g)
        else:
            grad._data = grad._data + g
