"""``backward`` and ``grad``: the public entry points of the backward walk (T-AUTODIFF).

``grad(outputs, inputs, create_graph=True)`` returns gradients that are themselves
differentiable, which is what a gradient penalty (WGAN-GP), a Hessian-vector product or
a Newton step needs (concept O-NEWTON).
"""

from __future__ import annotations

from gradkit.autograd.function import TensorBase, _Capture, new_tensor, run_backward
from gradkit.backend import as_array, xp


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, TensorBase):
        return [value]
    return list(value)


def _root_grads(outputs: list, grads: list, create_graph: bool, caller: str) -> list:
    """The seed gradient of each output: ones for one-element outputs, else given."""
    if len(grads) < len(outputs):
        grads = grads + [None] * (len(outputs) - len(grads))
    if len(grads) != len(outputs):
        raise RuntimeError(
            f"{caller}: got {len(grads)} gradients for {len(outputs)} outputs; pass one each."
        )
    seeds = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if not isinstance(out, TensorBase):
            raise TypeError(f"{caller}: output {i} is a {type(out).__name__}, not a Tensor")
        if not out.requires_grad:
            raise RuntimeError(
                f"{caller}: output {i} does not require grad and has no grad_fn (was it "
                "computed under no_grad, or from tensors without requires_grad=True?)"
            )
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for one-element outputs; output "
                    f"{i} has shape {tuple(out.shape)}. Pass a gradient of that shape."
                )
            seed = xp.ones(out._data.shape, dtype=out._data.dtype)
            seeds.append(new_tensor(seed) if create_graph else seed)
            continue
        if isinstance(g, TensorBase):
            seed = g if create_graph else g._data
        else:
            seed = as_array(g, out._data.dtype)
            seed = new_tensor(seed) if create_graph else seed
        if tuple(seed.shape) != out._data.shape:
            raise RuntimeError(
                f"{caller}: the gradient for output {i} has shape {tuple(seed.shape)} but the "
                f"output has shape {out._data.shape}."
            )
        if not create_graph and seed.dtype != out._data.dtype:
            seed = seed.astype(out._data.dtype)
        seeds.append(seed)
    return seeds


def backward(
    tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
    inputs=None,
) -> None:  # fmt: skip
    """Accumulate the gradients of ``tensors`` (weighted by ``grad_tensors``) into the
    ``.grad`` of the leaves, as ``torch.autograd.backward``.

    With ``inputs``, only those tensors (leaves or non-leaves) receive ``.grad``.
    """
    outputs = _as_list(tensors)
    seeds = _root_grads(outputs, _as_list(grad_tensors), create_graph, "backward")
    if retain_graph is None:
        retain_graph = create_graph
    roots = [out._node if out._node is not None else out for out in outputs]
    if inputs is None:
        run_backward(roots, seeds, retain_graph, create_graph)
        return
    targets = _as_list(inputs)
    capture = _Capture(targets)
    run_backward(roots, seeds, retain_graph, create_graph, capture)
    for t, g in zip(targets, capture.grads):
        if g is None:
            continue
        if not isinstance(g, TensorBase):
            g = new_tensor(g.copy() if g.base is not None or not g.flags.writeable else g)
        t.grad = g if t.grad is None else t.grad + g


def grad(
    outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
    create_graph: bool = False, allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple:  # fmt: skip
    """The gradients of ``outputs`` with respect to ``inputs``, as ``torch.autograd.grad``.

    ``Σ_k grad_outputs[k] · ∂outputs[k]/∂inputs[i]`` for each input, returned as a tuple;
    no ``.grad`` changes. With ``create_graph=True`` the results are part of the graph,
    so they can be differentiated again (Hessian-vector products, gradient penalties).

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
    inputs : Tensor or sequence of Tensor
        Leaves or intermediate tensors of the graph behind ``outputs``.
    grad_outputs : optional
        One gradient per output; ``None`` means ones (one-element outputs only).
    retain_graph : bool, optional
        Keep the graph's saved values (default: ``create_graph``).
    allow_unused : bool
        Return ``None`` for an input the outputs do not depend on instead of raising.
    materialize_grads : bool
        Return zeros instead of ``None`` for unused inputs.

    Examples
    --------
    >>> import gradkit as gk
    >>> x = gk.tensor([1.0, 2.0], requires_grad=True)
    >>> (g,) = gk.autograd.grad((x ** 3).sum(), x, create_graph=True)
    >>> g
    tensor([ 3., 12.], grad_fn=<MulBackward>)
    >>> gk.autograd.grad(g.sum(), x)[0]
    tensor([ 6., 12.])
    """
    targets = _as_list(inputs)
    for i, t in enumerate(targets):
        if not isinstance(t, TensorBase):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    outs = _as_list(outputs)
    seeds = _root_grads(outs, _as_list(grad_outputs), create_graph, "grad")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    capture = _Capture(targets)
    roots = [out._node if out._node is not None else out for out in outs]
    run_backward(roots, seeds, retain_graph, create_graph, capture)
    result = []
    for i, (t, g) in enumerate(zip(targets, capture.grads)):
        if g is None:
            if materialize_grads:
                result.append(new_tensor(xp.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {tuple(t.shape)}) was not used to compute the "
                    "outputs; pass allow_unused=True to get None for it."
                )
            result.append(None)
            continue
        if not isinstance(g, TensorBase):
            if g.dtype != t._data.dtype:
                g = g.astype(t._data.dtype)
            g = new_tensor(g.copy() if g.base is not None or not g.flags.writeable else g)
        result.append(g)
    return tuple(result)
