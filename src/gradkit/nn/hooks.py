"""The machinery of module hooks, as in ``torch.utils.hooks``: :class:`RemovableHandle`
and :class:`BackwardHook`, which shows a module's full backward hooks the gradients with
respect to its inputs and outputs.

How the backward hooks see those gradients (PyTorch's scheme): the module's positional
tensor inputs that require grad pass through an identity op before ``forward``, and its
tensor outputs through another one after it, each op one graph node for all of its
tensors. In backward the output node is reached first, with ``grad_output``: the backward
pre-hooks run there and may replace it. The input node is reached once every gradient
with respect to the inputs is known: the full backward hooks run there with
``(grad_input, grad_output)`` and may replace ``grad_input``. Entries are None for
arguments that are not tensors and for outputs that received no gradient; a tensor input
that got no gradient gets zeros, as in PyTorch.
"""

from __future__ import annotations

import itertools
import warnings
import weakref
from collections.abc import Callable, Sequence

from gradkit.autograd.function import TensorBase, new_tensor, version_of
from gradkit.backend import xp
from gradkit.tensor import Function, Tensor, is_grad_enabled


class RemovableHandle:
    """Returned by every ``register_*_hook``: ``remove()`` unregisters the hook; as a
    context manager it removes the hook on exit (``torch.utils.hooks.RemovableHandle``).

    Examples
    --------
    >>> import gradkit as gk
    >>> lin = gk.nn.Linear(2, 2)
    >>> seen = []
    >>> with lin.register_forward_hook(lambda m, args, out: seen.append(out.shape)):
    ...     _ = lin(gk.ones(3, 2))
    >>> _ = lin(gk.ones(1, 2))
    >>> seen
    [(3, 2)]
    """

    _ids = itertools.count()

    def __init__(self, hooks_dict: dict, *, extra_dict: dict | Sequence[dict] | None = None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(RemovableHandle._ids)
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra_dict)

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            hooks = ref()
            if hooks is not None:
                hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class BackwardHookFunction(Function):
    """Identity on any number of tensors, recorded as one node whose backward hands the
    gradients (one per output, None where none arrived) to ``hook`` and returns what it
    gives back."""

    differentiable_backward = True  # the identity; the hooks see Tensors then

    @staticmethod
    def forward(ctx, *arrays, hook):
        ctx.hook = hook
        return arrays

    @staticmethod
    def backward(ctx, *grads):
        return ctx.hook(grads)


def _share_storage(out: Tensor, inp: Tensor) -> None:
    """Make the identity's output a view of its input (same storage, same version
    counter), so an in-place change of either is seen by the other's saved values."""
    out._vbox = version_of(inp)
    root = inp._base
    out._base = inp if root is None else root
    out._view = () if root is None else inp._view


def _hook_name(hook: Callable) -> str:
    return getattr(hook, "__qualname__", None) or type(hook).__name__


class BackwardHook:
    """One module call's backward hooks: wraps its inputs (:meth:`setup_input_hook`)
    and outputs (:meth:`setup_output_hook`) and calls ``user_pre_hooks(module,
    grad_output)`` and ``user_hooks(module, grad_input, grad_output)`` in backward."""

    def __init__(self, module, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None  # positions of the tensor arguments
        self.input_meta = ()  # (shape, dtype) of each tensor input, for zero gradients
        self.as_tensors = False  # gradients arrive as Tensors (create_graph=True)

    # ------------------------------------------------------------------ forward side
    def _apply_on_tensors(self, values: tuple, hook: Callable) -> tuple[tuple, list | None]:
        """Pass the tensors among ``values`` that require grad through one identity node
        with ``hook``; returns the new values and the positions of all tensors (None when
        no graph is recorded)."""
        index = [i for i, v in enumerate(values) if isinstance(v, TensorBase)]
        through = [i for i in index if values[i].requires_grad]
        if not (through and is_grad_enabled()):
            return values, None

        def on_grads(grads):
            full = [None] * len(index)
            for k, g in zip(through, grads):
                full[index.index(k)] = g
            full = hook(full)
            return tuple(full[index.index(k)] for k in through)

        outs = BackwardHookFunction.apply(*[values[i] for i in through], hook=on_grads)
        new = list(values)
        for i, out in zip(through, outs):
            _share_storage(out, values[i])
            new[i] = out
        return tuple(new), index

    def setup_input_hook(self, args: tuple) -> tuple:
        """Wrap the positional tensor inputs; the full backward hooks fire on them."""
        self.input_meta = tuple(
            (a.shape, a.dtype) if isinstance(a, TensorBase) else None for a in args
        )
        args, self.input_index = self._apply_on_tensors(args, self._input_grads)
        self.n_inputs = len(args)
        return args

    def setup_output_hook(self, result):
        """Wrap the module's output (a tensor or a tuple); the pre-hooks fire on it."""
        is_tuple = isinstance(result, tuple)
        values = result if is_tuple else (result,)
        values, self.output_index = self._apply_on_tensors(values, self._output_grads)
        self.n_outputs = len(values)
        return values if is_tuple else values[0]

    # ------------------------------------------------------------------ backward side
    def _to_user(self, grads: list) -> list:
        """Engine gradients (arrays, or Tensors under create_graph) as Tensors."""
        self.as_tensors = any(isinstance(g, TensorBase) for g in grads)
        if self.as_tensors:
            return grads
        return [None if g is None else new_tensor(g) for g in grads]

    def _to_engine(self, values: Sequence) -> list:
        """Gradients returned to the engine: arrays, or Tensors under create_graph."""
        out = []
        for g in values:
            if g is not None:
                if self.as_tensors:
                    g = g if isinstance(g, TensorBase) else new_tensor(xp.asarray(g))
                else:
                    g = g._data if isinstance(g, TensorBase) else xp.asarray(g)
            out.append(g)
        return out

    def _checked(self, kind: str, hook, new, old: tuple) -> tuple:
        """A hook's replacement gradients, checked against the ones it was given."""
        if not isinstance(new, (tuple, list)):
            raise TypeError(
                f"{kind} hook {_hook_name(hook)} of {self.module._get_name()} must return "
                f"None or a tuple of {len(old)} gradients, got {type(new).__name__}"
            )
        if len(new) != len(old):
            what = "grad_input" if kind == "backward" else "grad_output"
            raise RuntimeError(
                f"{kind} hook {_hook_name(hook)} of {self.module._get_name()} returned an "
                f"invalid number of {what}, got {len(new)}, but expected {len(old)}"
            )
        for i, (g, ref) in enumerate(zip(new, old)):
            if g is not None and ref is not None and tuple(g.shape) != tuple(ref.shape):
                raise RuntimeError(
                    f"{kind} hook {_hook_name(hook)} of {self.module._get_name()} returned a "
                    f"gradient of shape {tuple(g.shape)} at index {i}; expected "
                    f"{tuple(ref.shape)}"
                )
        return tuple(new)

    def _pack(self, index: list, values: list, size: int) -> tuple:
        res = [None] * size
        for i, v in zip(index, values):
            res[i] = v
        return tuple(res)

    def _output_grads(self, grads: list) -> list:
        """At the output node: record grad_output, run the pre-hooks (and, when no input
        requires grad, the full hooks); returns the gradients to pass on."""
        user = self._to_user(grads)
        self.grad_outputs = self._pack(self.output_index, user, self.n_outputs)
        for hook in self.user_pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is not None:
                self.grad_outputs = self._checked("backward pre", hook, new, self.grad_outputs)
        local = self.grad_outputs
        if self.input_index is None:
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients.",
                stacklevel=2,
            )
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(g is None for g in res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return self._to_engine([local[i] for i in self.output_index])

    def _input_grads(self, grads: list) -> list:
        """At the input node: run the full hooks with (grad_input, grad_output); returns
        the (possibly replaced) gradients w.r.t. the inputs."""
        if self.grad_outputs is None:
            # the gradient reached the inputs without passing through the outputs
            # (double backward): nothing to report
            return grads
        user = self._to_user(grads)
        for k, i in enumerate(self.input_index):
            if user[k] is None:  # materialized as zeros, as in PyTorch
                shape, dtype = self.input_meta[i]
                user[k] = new_tensor(xp.zeros(shape, dtype))
        res = self._pack(self.input_index, user, self.n_inputs)
        for hook in self.user_hooks:
            new = hook(self.module, res, self.grad_outputs)
            if new is not None:
                res = self._checked("backward", hook, new, res)
        self.grad_outputs = None
        return self._to_engine([res[i] for i in self.input_index])


def call_with_hooks(module, args: tuple, kwargs: dict):
    """Run ``module.forward`` with its hooks, in PyTorch's order: forward pre-hooks, the
    backward hooks' wrapping of the inputs, ``forward``, forward hooks, the wrapping of
    the output. If something raises, the ``always_call`` forward hooks that have not run
    yet are called before the error propagates."""
    d = module.__dict__
    result = None
    called = set()
    try:
        pre_with_kwargs = d["_forward_pre_hooks_with_kwargs"]
        for hook_id, hook in list(d["_forward_pre_hooks"].items()):
            if hook_id in pre_with_kwargs:
                new = hook(module, args, kwargs)
                if new is not None:
                    if not (isinstance(new, tuple) and len(new) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {new}."
                        )
                    args, kwargs = new
            else:
                new = hook(module, args)
                if new is not None:
                    args = new if isinstance(new, tuple) else (new,)
        backward_hook = None
        if d["_backward_hooks"] or d["_backward_pre_hooks"]:
            backward_hook = BackwardHook(
                module, list(d["_backward_hooks"].values()), list(d["_backward_pre_hooks"].values())
            )
            args = backward_hook.setup_input_hook(args)
        result = module.forward(*args, **kwargs)
        with_kwargs, always = d["_forward_hooks_with_kwargs"], d["_forward_hooks_always_called"]
        for hook_id, hook in list(d["_forward_hooks"].items()):
            if hook_id in always:
                called.add(hook_id)
            if hook_id in with_kwargs:
                new = hook(module, args, kwargs, result)
            else:
                new = hook(module, args, result)
            if new is not None:
                result = new
        if backward_hook is not None:
            if not isinstance(result, (TensorBase, tuple)):
                warnings.warn(
                    "For backward hooks to be called, module output should be a Tensor or a "
                    f"tuple of Tensors but received {type(result)}",
                    stacklevel=3,
                )
            result = backward_hook.setup_output_hook(result)
        return result
    except Exception:
        _run_always_called(module, called, args, kwargs, result)
        raise


def _run_always_called(module, called: set, args: tuple, kwargs: dict, result) -> None:
    d = module.__dict__
    always, with_kwargs = d["_forward_hooks_always_called"], d["_forward_hooks_with_kwargs"]
    for hook_id, hook in list(d["_forward_hooks"].items()):
        if hook_id not in always or hook_id in called:
            continue
        try:
            if hook_id in with_kwargs:
                new = hook(module, args, kwargs, result)
            else:
                new = hook(module, args, result)
            if new is not None:
                result = new
        except Exception as exc:  # the original error is the one to report
            warnings.warn(
                "module forward hook with ``always_call=True`` raised an exception that was "
                f"silenced as another error was raised in forward: {exc}",
                stacklevel=3,
            )
