"""T-TENSOR printing at the edges of PyTorch's rules (``torch/_tensor_str.py``): the
scientific-notation thresholds (ratio 1000, magnitude 1e8, 1e-4) on both sides, integral
values with NaN/inf, summarisation at exactly 2·edgeitems elements, widths of integer
tensors, empty and 0-d tensors, float32 and float64. Oracle: ``repr`` of the same tensor
in torch."""

import math

import pytest

import gradkit as gk

torch = pytest.importorskip("torch")

CASES = [
    [1.0, 1000.0],  # ratio exactly 1000: fixed
    [1.0, 1000.5],  # just above: scientific
    [1.0, 1001.0],
    [1e8, 2e8 / 2],  # high exactly 1e8: fixed (integral)
    [1e8 + 1, 1e8],  # above 1e8: scientific
    [1.5e-4, 2.5e-4],  # low just above 1e-4
    [1e-4, 2.5e-4],  # low exactly 1e-4: fixed
    [0.5e-4, 2.5e-4],
    [1.0, float("nan")],  # integral with NaN: "nan" has no point
    [2.0, float("inf"), -float("inf")],
    [0.0, float("nan")],
    [1.5, float("nan"), float("inf")],
    [123456789.0, 1.0],
    [0.0, 0.0, 0.0],
    [],
    [[1, 2, 3], [40, 500, 6000]],
    [-1, 10, -100],
    [[1.25, -2.5], [1e3, 4.0]],
]


@pytest.mark.parametrize("values", CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_repr_equals_torch(values, dtype):
    if dtype == "int64" and any(
        isinstance(v, float) and not math.isfinite(v) for v in _flat(values)
    ):
        pytest.skip("no NaN/inf in integers")
    want = repr(torch.tensor(values, dtype=getattr(torch, dtype)))
    got = repr(gk.tensor(values, dtype=getattr(gk, dtype)))
    assert got == want.replace("torch.", "")  # gradkit's dtypes print as NumPy names


def _flat(values):
    for v in values:
        if isinstance(v, list):
            yield from _flat(v)
        else:
            yield v


@pytest.mark.parametrize("n", [5, 6, 7])
def test_summarised_print_at_the_edge_count_equals_torch(n):
    """With threshold 4, a length-n axis is cut only when n > 2·edgeitems (3)."""
    try:
        for lib in (torch, gk):
            lib.set_printoptions(threshold=4)
        for shape in [(n,), (n, 2), (2, n)]:
            values = [float(i) / 3 for i in range(math.prod(shape))]
            t_ref = torch.tensor(values).reshape(shape)
            t_gk = gk.tensor(values).reshape(shape)
            assert repr(t_gk) == repr(t_ref)
    finally:
        for lib in (torch, gk):
            lib.set_printoptions(profile="default")


@pytest.mark.parametrize(
    "make",
    [
        lambda L: L.zeros(0, 3),
        lambda L: L.zeros(2, 0, dtype=L.int64),
        lambda L: L.zeros(0, dtype=L.bool),
        lambda L: L.zeros(0, dtype=L.float64, requires_grad=True),
        lambda L: L.zeros(0, dtype=L.int32),
        lambda L: L.zeros(0),
        lambda L: L.ones(2, dtype=L.complex64),
        lambda L: L.ones(2, dtype=L.complex128),
    ],
)
def test_empty_and_complex_repr_equal_torch(make):
    assert repr(make(gk)) == repr(make(torch)).replace("torch.", "")


def test_default_dtype_decides_which_dtype_is_named_like_torch():
    try:
        for lib in (torch, gk):
            lib.set_default_dtype(lib.float64)
        for dtype in ("float32", "float64", "complex128", "complex64"):
            want = repr(torch.ones(2, dtype=getattr(torch, dtype)))
            assert repr(gk.ones(2, dtype=getattr(gk, dtype))) == want.replace("torch.", "")
        assert repr(gk.zeros(0, dtype=gk.float32)) == "tensor([], dtype=float32)"
    finally:
        for lib in (torch, gk):
            lib.set_default_dtype(lib.float32)


def test_zero_dim_and_bool_repr_equal_torch():
    for v in (3.25, 7.0, float("nan"), -0.0):
        assert repr(gk.tensor(v)) == repr(torch.tensor(v))
    assert repr(gk.tensor(5)) == repr(torch.tensor(5))
    assert repr(gk.tensor([True, False])) == repr(torch.tensor([True, False]))


COMPLEX = [
    [1 + 2j, -0.5j],
    [1.5 + 2j, 3 - 4.25j, -1 + 0j],
    [1e5 + 1j, 2j],
    [[1 + 1j, 2 + 2j], [3.5 - 1j, 0j]],
    [complex(i, -i / 3) for i in range(30)],
    2 + 3j,
    -1 - 1j,
]


@pytest.mark.parametrize("values", COMPLEX, ids=str)
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_repr_equals_torch(values, dtype):
    want = repr(torch.tensor(values, dtype=getattr(torch, dtype)))
    got = repr(gk.tensor(values, dtype=getattr(gk, dtype)))
    assert got == want.replace("torch.", "")
    assert repr(gk.tensor(values)) == repr(torch.tensor(values)).replace("torch.", "")
