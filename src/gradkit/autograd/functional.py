"""Higher-level autodiff: Jacobians, Hessians and their products with vectors, as
PyTorch's ``torch.autograd.functional`` (concepts T-AUTODIFF, O-NEWTON).

Every function takes ``func`` and ``inputs`` (one Tensor or a tuple of Tensors), runs
``func(*inputs)`` on detached copies of the inputs and differentiates it with
:func:`gradkit.autograd.grad`. Results come back in PyTorch's structure: a Tensor for a
Tensor, a tuple for a tuple, and ``J[i][j]`` of shape ``outputs[i].shape +
inputs[j].shape`` when both are tuples. With ``create_graph=True`` the results stay in the
graph and can be differentiated again (a gradient penalty on a Jacobian, a Newton step
inside a meta-learning loop).

gradkit has reverse-mode autodiff only. Forward-mode products (``jvp``, ``hvp``) use the
double-backward trick PyTorch uses: for u ↦ uᵀJ (linear in u), Jv = ∂(uᵀJ v)/∂u, so two
reverse passes give one forward one; every op on the path must support double backward
(``differentiable_backward``), and the engine names the one that does not.
"""

from __future__ import annotations

from collections.abc import Callable

from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor
from gradkit.autograd.grad import grad
from gradkit.autograd.grad_mode import enable_grad, is_grad_enabled, set_grad_enabled
from gradkit.backend import xp

_STRATEGIES = ("reverse-mode", "forward-mode")


# ---------------------------------------------------------------- shared plumbing
def _as_tuple(value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """(was it a tuple, the value as a tuple), every element checked to be a Tensor."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but {where} has type {type(el).__name__}."
            )
    return is_tuple, items


def _tuple_postprocess(res, to_unpack):
    """Undo :func:`_as_tuple`: unwrap the levels that the caller gave as plain Tensors;
    ``to_unpack`` is one flag, or (outputs were a tuple, inputs were a tuple)."""
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _identity(t: Tensor) -> Tensor:
    """A view of ``t`` that is a new graph node (PyTorch's ``t.view_as(t)``), so that
    gradients with respect to it flow on to ``t`` when ``create_graph=True``."""
    return t[...]


def _grad_preprocess(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Fresh tensors to differentiate with respect to: an identity view of an input that
    requires grad when ``create_graph`` (the result stays linked to it), else a detached
    leaf that requires grad when ``need_graph``."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(_identity(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _grad_postprocess(values: tuple, create_graph: bool) -> tuple:
    """Detach the results unless the caller asked for a differentiable graph."""
    if create_graph:
        return values
    if values and isinstance(values[0], Tensor):
        return tuple(v.detach() for v in values)
    return tuple(_grad_postprocess(v, create_graph) for v in values)


def _validate_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    if len(v) != len(other):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, other)):
        if tuple(el_v.shape) != tuple(el_other.shape):
            raise RuntimeError(
                f"Entry {i} in v has invalid size: should be {tuple(el_other.shape)} but got "
                f"{tuple(el_v.shape)}."
            )


_NO_GRAD_MESSAGES = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
    "outputs must be computed in a differentiable manner from the input when running in "
    "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of "
    "the user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not allowed in "
    "strict mode. You should ensure that your function is twice differentiable and that the "
    "jacobian depends on the inputs (this would be violated by a linear function for "
    "example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
    "independent of the input. This is not allowed in strict mode. You should ensure that "
    "your function is thrice differentiable and that the hessian depends on the inputs.",
}


def _check_requires_grad(values: tuple, kind: str, strict: bool) -> None:
    """In strict mode, refuse a value that is missing or cut from the inputs."""
    if not strict:
        return
    for i, t in enumerate(values):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This "
                "is not allowed in strict mode."
            )
        if not t.requires_grad:
            raise RuntimeError(_NO_GRAD_MESSAGES[kind].format(i=i))


def _autograd_grad(
    outputs: tuple, inputs: tuple, grad_outputs=None, create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple:  # fmt: skip
    """``grad`` over the outputs that are in the graph (None for every input when none
    is); an input the outputs do not reach gets None."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept, seeds = [], []
    for out, g in zip(outputs, grad_outputs):
        if out is not None and out.requires_grad:
            kept.append(out)
            seeds.append(g)
    if not kept:
        return (None,) * len(inputs)
    return grad(
        kept, inputs, seeds, retain_graph=retain_graph, create_graph=create_graph,
        allow_unused=True,
    )  # fmt: skip


_ZERO_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
    "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str):
    """Zeros shaped like ``refs[i]`` where ``grads[i]`` is None (the mathematically right
    value); strict mode refuses instead."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MESSAGES[stage].format(i=i))
            g = new_tensor(xp.zeros_like(ref._data))
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This "
                "is not allowed in strict mode when create_graph=True."
            )
        out.append(g)
    return tuple(out)


def _single_scalar(outputs: tuple, is_tuple: bool, fn_name: str) -> None:
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0]._data.size != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a single "
            f"element; it has shape {tuple(outputs[0].shape)}"
        )


def _v_or_default(v, like: tuple, is_like_tuple: bool, create_graph: bool, fn_name: str, who):
    """``v`` as a tuple checked against ``like``; None is allowed only for one scalar."""
    if v is not None:
        _, v = _as_tuple(v, "v", fn_name)
        v = _grad_preprocess(v, create_graph=create_graph, need_graph=False)
        _validate_v(v, like, is_like_tuple)
        return v
    if len(like) != 1 or like[0]._data.size != 1:
        raise RuntimeError(
            f"The vector v can only be None if {who} a single Tensor with a single element."
        )
    return None


# ---------------------------------------------------------------- the public functions
def _pair_result(outputs, result, create_graph: bool, outputs_tuple: bool, result_tuple: bool):
    """``(func(inputs), product)`` detached unless ``create_graph``, each unpacked from a
    1-tuple when the caller passed a single tensor (torch's return structure)."""
    outputs = _grad_postprocess(outputs, create_graph)
    result = _grad_postprocess(result, create_graph)
    return _tuple_postprocess(outputs, outputs_tuple), _tuple_postprocess(result, result_tuple)


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """The vector-Jacobian product vᵀ J of ``func`` at ``inputs``, and ``func(inputs)``.

    For y = f(x): (vᵀJ)_k = Σ_i v_i ∂y_i/∂x_k, one reverse pass.

    Parameters
    ----------
    func : callable
        Takes the tensors of ``inputs`` and returns a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple of Tensor
    v : Tensor or tuple of Tensor, optional
        Shaped like the outputs; may be None only for a one-element output.
    create_graph : bool
        Keep the results in the graph (differentiable with respect to the inputs).
    strict : bool
        Raise, instead of returning zeros, when an input does not reach the outputs.

    Returns
    -------
    (outputs, vjp)
        ``func(inputs)`` (detached unless ``create_graph``), and vᵀJ shaped like
        ``inputs`` (a tuple when ``inputs`` is one).

    Examples
    --------
    >>> import gradkit as gk
    >>> out, vj = vjp(lambda x: x**2, gk.tensor([1.0, 2.0]), gk.tensor([1.0, 10.0]))
    >>> vj.tolist()
    [2.0, 40.0]
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        v = _v_or_default(
            v, outputs, is_outputs_tuple, create_graph, "vjp",
            "the user-provided function returns",
        )  # fmt: skip
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return _pair_result(outputs, result, create_graph, is_outputs_tuple, is_inputs_tuple)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """The Jacobian-vector product J v of ``func`` at ``inputs``, and ``func(inputs)``.

    (Jv)_i = Σ_k ∂y_i/∂x_k v_k, by the double-backward trick: g(u) = uᵀJ is linear in
    the dummy cotangent u, so Jv = ∂(g(u)·v)/∂u; every op of ``func`` must support
    double backward.

    Parameters
    ----------
    func : callable
    inputs : Tensor or tuple of Tensor
    v : Tensor or tuple of Tensor, optional
        Shaped like the inputs; may be None only for a one-element input.
    create_graph, strict : bool
        As in :func:`vjp`.

    Returns
    -------
    (outputs, jvp)
        ``func(inputs)``, and Jv shaped like the outputs.

    Examples
    --------
    >>> import gradkit as gk
    >>> out, jv = jvp(lambda x: x**2, gk.tensor([1.0, 2.0]), gk.tensor([1.0, 10.0]))
    >>> jv.tolist()
    [2.0, 40.0]
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        v = _v_or_default(
            v, inputs, is_inputs_tuple, create_graph, "jvp",
            "the input to the user-provided function is",
        )  # fmt: skip
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jvp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        # the backward pass is linear in its seed, so the seed's value never enters the
        # double-backward graph: zeros (finite) are enough
        seeds = tuple(new_tensor(xp.zeros_like(out._data), True) for out in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, seeds, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(grad_inputs, seeds, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return _pair_result(outputs, result, create_graph, is_outputs_tuple, is_outputs_tuple)


def _jacobian_block(out: Tensor, inputs: tuple, create_graph: bool, strict: bool, i: int):
    """∂out/∂inputs[j] for every j, each shaped out.shape + inputs[j].shape: one reverse
    pass per element of ``out``, seeded with the one-hot e_m (row m of the Jacobian)."""
    rows: list[list] = [[] for _ in inputs]
    n = out._data.size
    for m in range(n):
        if out.requires_grad:
            seed = xp.zeros(out._data.shape, dtype=out._data.dtype)
            seed.flat[m] = 1
            vj = grad(
                [out], inputs, [seed], retain_graph=True, create_graph=create_graph,
                allow_unused=True,
            )  # fmt: skip
        else:
            vj = (None,) * len(inputs)
        for j, (g, inp) in enumerate(zip(vj, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input "
                        f"{j}. This is not allowed in strict mode."
                    )
                g = new_tensor(xp.zeros_like(inp._data))
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {j}. "
                    "This is not allowed in strict mode when create_graph=True."
                )
            rows[j].append(g)
    block = []
    for j, inp in enumerate(inputs):
        shape = out._data.shape + inp._data.shape
        if n == 0:
            block.append(new_tensor(xp.zeros(shape, dtype=inp._data.dtype)))
        elif create_graph:
            block.append(xp.stack(rows[j]).reshape(shape))  # a recorded gradkit stack
        else:
            block.append(new_tensor(xp.stack([g._data for g in rows[j]]).reshape(shape)))
    return tuple(block)


def _check_strategy(strategy: str, fn_name: str, arg: str) -> None:
    if strategy not in _STRATEGIES:
        raise ValueError(f"{fn_name}: unknown {arg}={strategy!r}; valid choices are {_STRATEGIES}")
    if strategy == "forward-mode":
        raise NotImplementedError(
            f"{fn_name}: {arg}='forward-mode' is not available: gradkit has reverse-mode "
            "autodiff only. Use 'reverse-mode' (the same result, one backward pass per "
            "output element)."
        )


def jacobian(
    func: Callable, inputs, create_graph: bool = False, strict: bool = False,
    vectorize: bool = False, strategy: str = "reverse-mode",
):  # fmt: skip
    """The Jacobian of ``func`` at ``inputs``, J_ik = ∂y_i/∂x_k.

    One reverse pass per output element: row m is the vector-Jacobian product e_mᵀJ.

    Parameters
    ----------
    func : callable
        Takes the tensors of ``inputs``; returns a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple of Tensor
    create_graph : bool
        Keep the Jacobian in the graph, differentiable with respect to the inputs.
    strict : bool
        Raise, instead of returning zeros, when an output does not depend on an input.
    vectorize : bool
        Accepted for PyTorch compatibility; gradkit has no vmap, so the rows are computed
        one backward pass each either way (the same values). Not allowed with ``strict``.
    strategy : {"reverse-mode", "forward-mode"}
        Only "reverse-mode" is available; "forward-mode" raises NotImplementedError.

    Returns
    -------
    Tensor, tuple of Tensor, or tuple of tuples of Tensor
        J for one output and one input; ``J[j]`` per input or ``J[i]`` per output when
        one of them is a tuple; ``J[i][j]`` when both are.

    Shape
    -----
    ``J[i][j]``: ``outputs[i].shape + inputs[j].shape``.

    Examples
    --------
    >>> import gradkit as gk
    >>> jacobian(lambda x: x**2, gk.tensor([1.0, 2.0])).tolist()
    [[2.0, 0.0], [0.0, 4.0]]
    >>> dx, dy = jacobian(lambda x, y: x * y, (gk.tensor([3.0]), gk.tensor([5.0])))
    >>> dx.tolist(), dy.tolist()
    ([[5.0]], [[3.0]])
    """
    _check_strategy(strategy, "jacobian", "strategy")
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "jacobian: `strict=True` and `vectorized=True` are not supported together. "
                "Please either set `strict=False` or `vectorize=False`."
            )
        blocks = tuple(
            _jacobian_block(out, inputs, create_graph, strict, i) for i, out in enumerate(outputs)
        )
    blocks = _grad_postprocess(blocks, create_graph)
    return _tuple_postprocess(blocks, (is_outputs_tuple, is_inputs_tuple))


def hessian(
    func: Callable, inputs, create_graph: bool = False, strict: bool = False,
    vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode",
):  # fmt: skip
    """The Hessian of a scalar ``func`` at ``inputs``, H_kl = ∂²f/∂x_k∂x_l.

    The Jacobian of the gradient: the gradient is taken with ``create_graph=True``, then
    one more reverse pass per input element gives each row of H.

    Parameters
    ----------
    func : callable
        Takes the tensors of ``inputs`` and returns a Tensor with one element.
    inputs : Tensor or tuple of Tensor
    create_graph, strict, vectorize
        As in :func:`jacobian`.
    outer_jacobian_strategy : {"reverse-mode", "forward-mode"}
        Only "reverse-mode" is available.

    Returns
    -------
    Tensor or tuple of tuples of Tensor
        H for one input; ``H[i][j] = ∂²f/∂x_i∂x_j`` when ``inputs`` is a tuple.

    Shape
    -----
    ``H[i][j]``: ``inputs[i].shape + inputs[j].shape``.

    Examples
    --------
    >>> import gradkit as gk
    >>> hessian(lambda x: (x**3).sum(), gk.tensor([1.0, 2.0])).tolist()
    [[6.0, 0.0], [0.0, 12.0]]
    >>> (hxx, hxy), (hyx, hyy) = hessian(lambda x, y: (x * x * y).sum(),
    ...                                  (gk.tensor([1.0]), gk.tensor([3.0])))
    >>> [hxx.item(), hxy.item(), hyx.item(), hyy.item()]
    [6.0, 2.0, 2.0, 0.0]
    """
    _check_strategy(outer_jacobian_strategy, "hessian", "outer_jacobian_strategy")
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def scalar_func(*inp):
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        _single_scalar(t_out, is_out_tuple, "hessian")
        return out.reshape(())

    def jac_func(*inp):
        jac = jacobian(scalar_func, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize)  # fmt: skip
    return _tuple_postprocess(res, (is_inputs_tuple, is_inputs_tuple))


def _scalar_output_grad(func: Callable, inputs, v, create_graph: bool, strict: bool, name):
    """Shared start of ``vhp``/``hvp``: inputs and v prepared, f(x) and ∇f(x) in the graph."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
    inputs = _grad_preprocess(inputs, create_graph=create_graph, need_graph=True)
    v = _v_or_default(
        v, inputs, is_inputs_tuple, create_graph, name, "the input to the user-provided function is"
    )
    outputs = func(*inputs)
    is_outputs_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", name)
    _check_requires_grad(outputs, "outputs", strict)
    _single_scalar(outputs, is_outputs_tuple, name)
    jac = _autograd_grad(outputs, inputs, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """The vector-Hessian product vᵀH of a scalar ``func`` at ``inputs``, and ``func``.

    (vᵀH)_l = Σ_k v_k ∂²f/∂x_k∂x_l = ∂(∇f · v)/∂x_l: two reverse passes, no Hessian
    formed (the cost of a Newton–CG step, O-NEWTON).

    Parameters
    ----------
    func : callable
        Returns a Tensor with one element.
    inputs : Tensor or tuple of Tensor
    v : Tensor or tuple of Tensor, optional
        Shaped like the inputs; may be None only for a one-element input.
    create_graph, strict : bool
        As in :func:`vjp`.

    Returns
    -------
    (output, vhp)
        f(inputs) and vᵀH shaped like ``inputs``.

    Examples
    --------
    >>> import gradkit as gk
    >>> f = lambda x: (x**3).sum()
    >>> vhp(f, gk.tensor([1.0, 2.0]), gk.tensor([1.0, 1.0]))[1].tolist()
    [6.0, 12.0]
    """
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_output_grad(
            func, inputs, v, create_graph, strict, "vhp"
        )
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back")
    return _pair_result(outputs, result, create_graph, is_outputs_tuple, is_inputs_tuple)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """The Hessian-vector product H v of a scalar ``func`` at ``inputs``, and ``func``.

    (Hv)_k = Σ_l ∂²f/∂x_k∂x_l v_l, by the double-backward trick on the gradient (as
    PyTorch): u ↦ uᵀH is linear, so Hv = ∂((uᵀH)·v)/∂u; every op must be differentiable
    three times. For a twice continuously differentiable f, H is symmetric and
    :func:`vhp` gives the same vector in fewer passes.

    Parameters
    ----------
    func, inputs, v, create_graph, strict
        As in :func:`vhp`.

    Returns
    -------
    (output, hvp)
        f(inputs) and Hv shaped like ``inputs``.

    Examples
    --------
    >>> import gradkit as gk
    >>> f = lambda x: (x**3).sum()
    >>> hvp(f, gk.tensor([1.0, 2.0]), gk.tensor([1.0, 1.0]))[1].tolist()
    [6.0, 12.0]
    """
    with enable_grad():
        is_inputs_tuple, inputs, v, is_outputs_tuple, outputs, jac = _scalar_output_grad(
            func, inputs, v, create_graph, strict, "hvp"
        )
        seeds = tuple(new_tensor(xp.zeros_like(t._data), True) for t in inputs)
        double_back = _autograd_grad(jac, inputs, seeds, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        grads = _autograd_grad(double_back, seeds, v, create_graph=create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "double_back_trick")
    return _pair_result(outputs, result, create_graph, is_outputs_tuple, is_inputs_tuple)


__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]
