"""Random draws shaped by tensors: multinomial, normal, bernoulli, poisson and the
in-place fills random_ and geometric_ (PyTorch's names and arguments).

Every function takes ``generator=`` (a :class:`gradkit.Generator`, a NumPy generator, an
int seed, or None for the global generator that ``gradkit.manual_seed`` reseeds). The
draws come from NumPy's PCG64, so they differ from PyTorch's stream; their
distributions are the same. As in PyTorch, a draw whose parameters require grad gets
gradient 0 with respect to them (the samples are not reparameterised).
"""

from __future__ import annotations

from gradkit import random as _random
from gradkit.autograd.function import Function
from gradkit.autograd.function import TensorBase as Tensor
from gradkit.autograd.function import new_tensor as _new_tensor
from gradkit.backend import get_default_dtype, result_type, to_dtype, xp
from gradkit.ops import inplace as _ip


class _Draw(Function):
    """Samples whose distribution depends on the inputs; ∂/∂inputs = 0, as PyTorch."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, *params, sample=None):
        return sample

    @staticmethod
    def backward(ctx, g):
        return tuple(g * 0 for _ in ctx.needs_input_grad)


def _result(sample, *params) -> Tensor:
    tensors = [p for p in params if isinstance(p, Tensor)]
    if any(t.requires_grad for t in tensors):
        return _Draw.apply(*tensors, sample=sample)
    return _new_tensor(sample)


def _floats(name: str, x: Tensor):
    data = x._data
    if data.dtype.kind != "f":
        raise TypeError(f"{name}: needs a floating point tensor, got {data.dtype}")
    return data


# ---------------------------------------------------------------- multinomial
def multinomial(
    input: Tensor,  # noqa: A002 - torch's name
    num_samples: int,
    replacement: bool = False,
    *,
    generator=None,
) -> Tensor:
    """Indices drawn from the categorical distribution of each row of ``input``.

    The weights of a row are non-negative and need not sum to 1: category j is drawn
    with probability w_j / Σ_k w_k. Without replacement a drawn category is removed
    and the rest renormalised (categories of weight 0 come only after all others).

    Shape: input (C,) → output (num_samples,); input (N, C) → (N, num_samples), int64.

    Examples
    --------
    >>> import gradkit as gk
    >>> gk.multinomial(gk.tensor([0.0, 1.0, 0.0]), 2, replacement=True).tolist()
    [1, 1]
    """
    w = input._data if isinstance(input, Tensor) else xp.asarray(input)
    if w.dtype.kind != "f":
        raise TypeError(f"multinomial only supports floating-point dtypes for input, got {w.dtype}")
    if w.ndim not in (1, 2):
        raise ValueError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {tuple(w.shape)}")
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples ({num_samples})")
    rows = w.reshape(-1, w.shape[-1]).astype(xp.float64)
    categories = rows.shape[1]
    if not replacement and num_samples > categories:
        raise RuntimeError(
            f"multinomial: cannot sample n_sample ({num_samples}) > prob_dist.size(-1) "
            f"({categories}) samples without replacement"
        )
    if not xp.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError(
            "multinomial: probability tensor contains either inf, nan or element < 0"
        )
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        bad = int(xp.flatnonzero(totals <= 0)[0])
        raise RuntimeError(
            "multinomial: invalid multinomial distribution (sum of probabilities <= 0 in "
            f"row {bad})"
        )
    gen = _random.numpy_rng(generator)
    if replacement:
        cdf = rows.cumsum(axis=1)
        cdf /= cdf[:, -1:]
        u = gen.random((rows.shape[0], num_samples))
        out = xp.stack([xp.searchsorted(c, v, side="right") for c, v in zip(cdf, u)])
        out = xp.minimum(out, categories - 1)
    else:
        # Sequential draws without replacement ≡ the num_samples largest keys w_j / E_j
        # with E_j ~ Exp(1) (Efraimidis–Spirakis); weight 0 gives key 0, drawn last.
        keys = -rows / gen.standard_exponential(rows.shape)
        if num_samples < categories:  # the largest keys without sorting them all
            top = xp.argpartition(keys, num_samples - 1, axis=1)[:, :num_samples]
            order = xp.argsort(xp.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
            out = xp.take_along_axis(top, order, axis=1)
        else:
            out = xp.argsort(keys, axis=1, kind="stable")
    out = out.astype(xp.int64)
    return _new_tensor(out.reshape(num_samples) if w.ndim == 1 else out)


# ---------------------------------------------------------------- normal, bernoulli, poisson
def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, requires_grad=False):
    """Samples of N(mean, std²) (``torch.normal``).

    ``mean`` and ``std`` are tensors (broadcast together; the result has their shape
    and floating dtype) or numbers (then ``size`` gives the shape, in the default float
    dtype or ``dtype``).
    """
    gen = _random.numpy_rng(generator)
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal: with a number mean and std, give the shape as size=(...)")
        shape = (int(size),) if isinstance(size, int) else tuple(int(s) for s in size)
        dtype = to_dtype(dtype) if dtype is not None else xp.dtype(get_default_dtype())
        if dtype.kind != "f":
            raise TypeError(f"normal: dtype must be a floating point dtype, got {dtype.name}")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, got {std}")
        sample = (mean + std * gen.standard_normal(shape)).astype(dtype)
        return _new_tensor(sample, requires_grad) if requires_grad else _new_tensor(sample)
    dtype = result_type(*tensors)
    if dtype.kind != "f":
        raise TypeError(f"normal: mean and std must be floating point tensors, got {dtype.name}")
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if (xp.asarray(s) < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    try:
        shape = xp.broadcast_shapes(xp.shape(m), xp.shape(s))
    except ValueError:
        raise ValueError(
            f"normal: mean of shape {xp.shape(m)} and std of shape {xp.shape(s)} do not broadcast"
        ) from None
    if size is not None and tuple(size) != shape:
        raise ValueError(f"normal: size {tuple(size)} does not match the parameters' {shape}")
    sample = (m + s * gen.standard_normal(shape)).astype(dtype)
    return _result(sample, mean, std)


def bernoulli(input: Tensor, p=None, *, generator=None) -> Tensor:  # noqa: A002
    """0/1 samples, 1 with probability ``input`` element-wise (or with the number ``p``
    for every element), in input's dtype (``torch.bernoulli``)."""
    probs = _floats("bernoulli", input)
    if p is not None:
        probs = xp.full(probs.shape, p, dtype=xp.float64)
    if ((probs < 0) | (probs > 1)).any() or xp.isnan(probs).any():
        raise RuntimeError("bernoulli: every probability must be in [0, 1]")
    sample = (_random.numpy_rng(generator).random(probs.shape) < probs).astype(input.dtype)
    return _result(sample, input)


def poisson(input: Tensor, generator=None) -> Tensor:  # noqa: A002
    """Poisson samples with the rates in ``input`` (≥ 0), in input's dtype."""
    rates = _floats("poisson", input)
    if (rates < 0).any() or xp.isnan(rates).any():
        raise RuntimeError("poisson: every rate must be non-negative")
    sample = _random.numpy_rng(generator).poisson(rates).astype(input.dtype)
    return _result(sample, input)


# ---------------------------------------------------------------- in-place fills
def _integer_range(dtype) -> tuple[int, int]:
    """The default [low, high] of ``random_()``: what the dtype holds exactly."""
    if dtype.kind == "b":
        return 0, 1
    if dtype.kind == "f":
        return 0, 2 ** (xp.finfo(dtype).nmant + 1)
    return 0, int(xp.iinfo(dtype).max)


def random_(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
    """Fill with integers drawn uniformly from [from, to − 1] (``Tensor.random_``):
    ``random_(to)`` draws from [0, to − 1], ``random_(from, None)`` from [from, max],
    ``random_()`` from [0, 2^mantissa] for floats and [0, max] for integers."""
    bounds = dict(zip(("from", "to"), args if len(args) != 1 else (0, args[0])))
    for key in ("from", "to"):
        if key in kwargs:
            bounds[key] = kwargs.pop(key)
    if kwargs or len(args) > 2:
        raise TypeError(f"random_() takes from and to, got {args} and {sorted(kwargs)}")
    low, high = _integer_range(self._data.dtype)
    low = int(bounds.get("from", low))
    if bounds.get("to") is not None:
        high = int(bounds["to"]) - 1
    if low > high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high + 1}"
        )
    gen = _random.numpy_rng(generator)

    def sample(a):
        return gen.integers(low, high, size=a.shape, endpoint=True).astype(a.dtype)

    def fast(a):
        a[...] = sample(a)

    return _ip.inplace(self, "random_", _ip._constant(sample), fast)


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if not 0 < p <= 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1], got {p}")
    gen = _random.numpy_rng(generator)

    def sample(a):
        return gen.geometric(p, size=a.shape).astype(a.dtype)

    def fast(a):
        a[...] = sample(a)

    return _ip.inplace(self, "geometric_", _ip._constant(sample), fast)


def bernoulli_method(self: Tensor, p=None, *, generator=None) -> Tensor:
    """``Tensor.bernoulli()``: :func:`bernoulli` of this tensor's probabilities."""
    return bernoulli(self, p, generator=generator)
