"""T-TENSOR, T-AUTODIFF: the options and edge cases of ``ops/decomp.py`` against PyTorch
(issue 24): pinv's ``atol``/``rtol``/``hermitian`` on rank-deficient matrices, logdet's
sign cases, matrix_power for every small exponent, eigh's ``UPLO``, solve_triangular's
``upper``/``unitriangular``/``left``, det's gradient over a batch with singular members,
eigh with only eigenvalues or only eigenvectors differentiated, the "(Batch element k)"
of every error, and the input checks."""

import math

import numpy as np
import pytest

import gradkit as gk
from gradkit import linalg
from parity_order2 import assert_parity_order2

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(11)


def _rank_deficient(m, n, rank, batch=(), scale=None):
    u = RNG.normal(size=(*batch, m, rank))
    v = RNG.normal(size=(*batch, rank, n))
    a = u @ v
    if scale is not None:  # small singular values, to sit between the cutoffs
        a = a + scale * RNG.normal(size=a.shape)
    return a


# ---------------------------------------------------------------- pinv
@pytest.mark.parametrize(
    "kw",
    [{}, {"atol": 0.5}, {"rtol": 0.3}, {"atol": 0.05, "rtol": 0.2}, {"atol": 1e-3},
     {"rtol": 1e-12}, {"atol": 0.0, "rtol": 0.0}],
    ids=str,
)  # fmt: skip
def test_pinv_cutoffs_match_torch(kw):
    """Singular values ≤ max(atol, rtol·σ_max) are dropped; rtol defaults to max(m, n)·eps
    when atol is not given and to 0 when it is."""
    a = _rank_deficient(5, 4, 2, batch=(2,), scale=1e-2)
    ours = linalg.pinv(gk.tensor(a), **kw)
    theirs = torch.linalg.pinv(torch.tensor(a), **kw)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-9, atol=1e-9)


def test_pinv_default_cutoff_drops_round_off_singular_values_like_torch():
    """An exactly rank-2 4×4 matrix: σ₃, σ₄ are round-off (~1e-16 σ₁), below the default
    rtol = 4·eps, so they are dropped (keeping them would give entries ~1e15)."""
    a = _rank_deficient(4, 4, 2)
    ours = linalg.pinv(gk.tensor(a)).numpy()
    theirs = torch.linalg.pinv(torch.tensor(a)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-8)
    # atol alone turns the relative default off: a cutoff below σ₂ keeps two values
    s = np.linalg.svd(a, compute_uv=False)
    atol = float(s[1]) * 0.5
    np.testing.assert_allclose(
        linalg.pinv(gk.tensor(a), atol=atol).numpy(),
        torch.linalg.pinv(torch.tensor(a), atol=atol).numpy(),
        rtol=1e-8,
        atol=1e-8,
    )


def test_pinv_hermitian_matches_torch_and_refuses_non_square():
    a = RNG.normal(size=(3, 3))
    a = a + a.T
    ours = linalg.pinv(gk.tensor(a), hermitian=True)
    theirs = torch.linalg.pinv(torch.tensor(a), hermitian=True)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)
    with pytest.raises(RuntimeError, match="square"):
        linalg.pinv(gk.tensor(RNG.normal(size=(3, 4))), hermitian=True)
    np.testing.assert_allclose(  # not hermitian: a wide matrix is fine
        linalg.pinv(gk.tensor(RNG.normal(size=(3, 4)))).shape, (4, 3)
    )


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_pinv_gradients_and_second_order_match_torch(shape):
    a = RNG.normal(size=shape)
    assert_parity_order2(linalg.pinv, torch.linalg.pinv, [a], rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------- logdet, slogdet, det
def test_logdet_signs_match_torch():
    """log det: the log for det > 0, nan for det < 0, −inf for det = 0."""
    pos = np.array([[2.0, 0.5], [0.1, 1.0]])
    neg = np.array([[0.0, 1.0], [1.0, 0.0]])
    zero = np.array([[1.0, 2.0], [2.0, 4.0]])
    a = np.stack([pos, neg, zero, 3 * pos])
    ours, theirs = gk.logdet(gk.tensor(a)), torch.logdet(torch.tensor(a))
    np.testing.assert_array_equal(np.isnan(ours.numpy()), np.isnan(theirs.numpy()))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-14)
    assert ours.dtype == np.float64
    f32 = gk.logdet(gk.tensor(a.astype(np.float32)))
    assert f32.dtype == np.float32


def test_logdet_and_slogdet_gradients_match_torch():
    a = RNG.normal(size=(2, 3, 3))
    a[0] = a[0] @ a[0].T + 3 * np.eye(3)  # det > 0
    a[1] = -(a[1] @ a[1].T + 3 * np.eye(3))  # det < 0: logdet nan, slogdet fine
    assert_parity_order2(lambda x: linalg.slogdet(x)[1], lambda x: torch.linalg.slogdet(x)[1],
                         [a], rtol=1e-9)  # fmt: skip
    assert_parity_order2(gk.logdet, torch.logdet, [a[:1]], order2=False)
    sign = linalg.slogdet(gk.tensor(a)).sign
    np.testing.assert_array_equal(sign.numpy(), [1.0, -1.0])


def test_det_gradient_over_a_batch_with_singular_members_matches_torch():
    a = RNG.normal(size=(3, 3, 3))
    a[1, 2] = a[1, 0] + a[1, 1]  # exactly singular
    a[1, 2, 0] = a[1, 0, 0] + a[1, 1, 0]
    assert np.linalg.det(a[1]) == 0 or abs(np.linalg.det(a[1])) < 1e-15
    a[1] = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 1.0]]  # det exactly 0
    x = gk.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    v = np.array([0.7, -1.3, 2.1])
    linalg.det(x).backward(gk.tensor(v))
    torch.linalg.det(t).backward(torch.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- matrix_power
@pytest.mark.parametrize("n", [-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7])
def test_matrix_power_every_small_exponent_matches_torch(n):
    a = RNG.normal(size=(2, 3, 3)) / 2 + np.eye(3)
    if n == 0:
        for arr in (a, a.astype(np.float32)):
            ours = linalg.matrix_power(gk.tensor(arr), 0)
            theirs = torch.linalg.matrix_power(torch.tensor(arr), 0)
            assert ours.dtype == arr.dtype and ours.shape == tuple(theirs.shape)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    assert_parity_order2(
        lambda x: linalg.matrix_power(x, n),
        lambda x: torch.linalg.matrix_power(x, n),
        [a],
        rtol=1e-8,
        atol=1e-10,
        order2=n > 0,
    )


def test_matrix_power_of_integers_and_errors():
    a = np.array([[1, 2], [3, 4]])
    ours = linalg.matrix_power(gk.tensor(a), 3)
    theirs = torch.linalg.matrix_power(torch.tensor(a), 3)
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError, match="square"):
        linalg.matrix_power(gk.tensor(np.ones((2, 3))), 2)
    with pytest.raises(RuntimeError, match="square"):
        linalg.matrix_power(gk.tensor(np.ones(3)), 2)
    with pytest.raises(RuntimeError, match="floating point"):
        linalg.matrix_power(gk.tensor(a), -1)


# ---------------------------------------------------------------- eigh
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_uplo_reads_one_triangle_like_torch(uplo):
    """A non-symmetric input: only the ``UPLO`` triangle counts."""
    a = RNG.normal(size=(2, 4, 4))
    for fn, tfn in [
        (lambda x: linalg.eigh(x, UPLO=uplo).eigenvalues,
         lambda x: torch.linalg.eigh(x, UPLO=uplo).eigenvalues),
        (lambda x: linalg.eigh(x, uplo)[1] ** 2, lambda x: torch.linalg.eigh(x, uplo)[1] ** 2),
        (lambda x: linalg.eigvalsh(x, UPLO=uplo), lambda x: torch.linalg.eigvalsh(x, UPLO=uplo)),
    ]:  # fmt: skip
        assert_parity_order2(fn, tfn, [a], order2=False, rtol=1e-8, atol=1e-10)
    with pytest.raises(RuntimeError, match="UPLO"):
        linalg.eigh(gk.tensor(a), UPLO="X")


def test_eigh_both_outputs_differentiated_match_torch():
    a = RNG.normal(size=(3, 3))
    a = a + a.T
    assert_parity_order2(
        lambda x: linalg.eigh(x)[0][..., None] * linalg.eigh(x)[1] ** 2,
        lambda x: torch.linalg.eigh(x)[0][..., None] * torch.linalg.eigh(x)[1] ** 2,
        [a],
        order2=False,
        rtol=1e-8,
        atol=1e-10,
    )


# ---------------------------------------------------------------- solve_triangular
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("unit", [True, False])
@pytest.mark.parametrize("left", [True, False])
def test_solve_triangular_options_match_torch(upper, unit, left):
    a = RNG.normal(size=(2, 3, 3)) + 3 * np.eye(3)
    b = RNG.normal(size=(2, 3, 2) if left else (2, 2, 3))
    assert_parity_order2(
        lambda x, y: linalg.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit),
        lambda x, y: torch.linalg.solve_triangular(
            x, y, upper=upper, left=left, unitriangular=unit
        ),
        [a, b],
        order2=False,
        rtol=1e-9,
        atol=1e-11,
    )


def test_solve_triangular_needs_a_matrix_b():
    with pytest.raises(RuntimeError, match="B must have at least 2 dimensions"):
        linalg.solve_triangular(gk.tensor(np.eye(3)), gk.tensor(np.ones(3)), upper=True)


# ---------------------------------------------------------------- solve
def test_solve_options_and_only_b_differentiated_match_torch():
    a = RNG.normal(size=(2, 3, 3)) + 2 * np.eye(3)
    b = RNG.normal(size=(2, 3, 4))
    for frozen in ((0,), (1,)):
        assert_parity_order2(linalg.solve, torch.linalg.solve, [a, b], frozen=frozen,
                             rtol=1e-9, atol=1e-11)  # fmt: skip
    bl = RNG.normal(size=(4, 3))
    assert_parity_order2(
        lambda x, y: linalg.solve(x, y, left=False),
        lambda x, y: torch.linalg.solve(x, y, left=False),
        [a[0], bl],
        rtol=1e-9,
        atol=1e-11,
    )
    x = linalg.solve(gk.tensor(a[0]), [1.0, 2.0, 3.0])  # B as a list: a vector
    np.testing.assert_allclose(x.numpy(), np.linalg.solve(a[0], [1.0, 2.0, 3.0]))


# ---------------------------------------------------------------- errors
def _batch(singular_at, n=3, size=3):
    a = np.stack([np.eye(n) * (k + 1) for k in range(size)])
    a[singular_at] = np.ones((n, n))
    return a


@pytest.mark.parametrize("k", [0, 2])
@pytest.mark.parametrize(
    "name, call, tcall",
    [
        ("linalg.inv", lambda a: linalg.inv(a), lambda a: torch.linalg.inv(a)),
        ("solve", lambda a: linalg.solve(a, gk.ones(3, 3, 1, dtype=gk.float64)),
         lambda a: torch.linalg.solve(a, torch.ones(3, 3, 1, dtype=torch.float64))),
        ("linalg.cholesky", lambda a: linalg.cholesky(a), lambda a: torch.linalg.cholesky(a)),
    ],
)  # fmt: skip
def test_singular_errors_name_the_batch_element_like_torch(name, call, tcall, k):
    a = _batch(k)
    with pytest.raises(RuntimeError, match=rf"\(Batch element {k}\)") as theirs:
        tcall(torch.tensor(a))
    with pytest.raises(linalg.LinAlgError, match=rf"{name}: \(Batch element {k}\): ") as ours:
        call(gk.tensor(a))
    assert "(input of shape (3, 3, 3))" in str(ours.value)
    assert type(theirs.value).__name__.endswith("LinAlgError")


def test_singular_errors_of_one_matrix_have_no_batch_element():
    with pytest.raises(linalg.LinAlgError, match=r"^linalg.inv: the inversion could not") as e:
        linalg.inv(gk.tensor(np.ones((2, 2))))
    assert "(input of shape (2, 2))" in str(e.value)
    with pytest.raises(linalg.LinAlgError, match=r"^linalg.cholesky: The factorization"):
        linalg.cholesky(gk.tensor(-np.eye(2)))


def test_slogdet_backward_of_a_singular_matrix_is_a_clear_error():
    a = gk.tensor(np.stack([np.eye(2), np.ones((2, 2))]), requires_grad=True)
    sign, logabs = linalg.slogdet(a)
    assert sign.detach().numpy().tolist() == [1.0, 0.0] and logabs.detach().numpy()[1] == -math.inf
    with pytest.raises(linalg.LinAlgError, match=r"slogdet backward: \(Batch element 1\)"):
        logabs[0:1].sum().backward()


@pytest.mark.parametrize(
    "call",
    [linalg.inv, linalg.det, linalg.slogdet, gk.logdet, linalg.cholesky, linalg.eigh,
     linalg.eigvalsh, lambda a: linalg.solve(a, a)],
)  # fmt: skip
def test_square_ops_check_their_input_like_torch(call):
    with pytest.raises(RuntimeError, match="square matrices"):
        call(gk.tensor(np.ones((2, 3))))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        call(gk.tensor(np.ones(3)))
    with pytest.raises(RuntimeError, match="floating point"):
        call(gk.tensor(np.eye(3, dtype=np.int64)))
    with pytest.raises(TypeError, match="expected a Tensor"):
        call(np.eye(3))


@pytest.mark.parametrize("call", [linalg.qr, linalg.svd, linalg.svdvals, linalg.pinv])
def test_rectangular_ops_check_their_input(call):
    call(gk.tensor(np.ones((2, 3))))  # rectangular is fine
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        call(gk.tensor(np.ones(3)))
    with pytest.raises(RuntimeError, match="floating point"):
        call(gk.tensor(np.ones((2, 3), dtype=np.int64)))


# ---------------------------------------------------------------- pinv cutoffs, exactly
def _diag(values, dtype=np.float64, batch=None):
    a = np.diag(np.asarray(values, dtype=dtype))
    return a if batch is None else np.broadcast_to(a, (batch, *a.shape)).copy()


@pytest.mark.parametrize(
    "values, kw, dtype, batch",
    [([1.0, 0.5, 0.25], {"atol": 0.5}, np.float64, None),  # σ = cutoff counts as zero
     ([1.0, 1e-16, 0.5], {"atol": 1e-30}, np.float64, None),  # atol alone: rtol = 0
     ([1.0, 1e-16, 0.5], {}, np.float64, None),  # default rtol = 3·eps drops 1e-16
     ([1.0, 1.5e-15, 0.5], {}, np.float64, 10),  # max(m, n) is not the batch size
     ([1.0, 1e-7, 0.5], {}, np.float32, None),  # eps of the input's dtype
     ([1.0, 0.3, 0.5], {"rtol": 0.4}, np.float64, None)],
    ids=["atol-equal", "atol-only", "default", "batch", "float32", "rtol"],
)  # fmt: skip
def test_pinv_cutoff_boundaries_match_torch(values, kw, dtype, batch):
    """Diagonal matrices: the pseudo-inverse is exact, so the cutoff is seen bit for bit."""
    a = _diag(values, dtype, batch)
    ours = linalg.pinv(gk.tensor(a), **kw)
    theirs = torch.linalg.pinv(torch.tensor(a), **kw)
    assert ours.dtype == a.dtype
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- the ops' own defaults
def test_decomposition_ops_defaults_are_torchs():
    """``Eigh.apply(a)`` reads the lower triangle, ``QR.apply``/``SVD.apply`` are reduced,
    ``Pinv.apply`` uses atol 0 and the default rtol."""
    from gradkit.ops import decomp

    a = RNG.normal(size=(4, 3))
    s = RNG.normal(size=(3, 3))
    w, v = decomp.Eigh.apply(gk.tensor(s))
    np.testing.assert_allclose(w.numpy(), torch.linalg.eigvalsh(torch.tensor(s)).numpy())
    q, r = decomp.QR.apply(gk.tensor(a))
    assert q.shape == (4, 3) and r.shape == (3, 3)
    u, sv, vh = decomp.SVD.apply(gk.tensor(a))
    assert u.shape == (4, 3) and vh.shape == (3, 3)
    p = decomp.Pinv.apply(gk.tensor(_diag([1.0, 0.5, 1e-17])))
    np.testing.assert_allclose(p.numpy(), np.diag([1.0, 2.0, 0.0]))


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 4, 3)])
def test_svd_full_matrices_default_and_shapes_match_torch(shape):
    a = RNG.normal(size=shape)
    for kw in ({}, {"full_matrices": True}, {"full_matrices": False}):
        ours, theirs = linalg.svd(gk.tensor(a), **kw), torch.linalg.svd(torch.tensor(a), **kw)
        for o, t in zip(ours, theirs):
            assert o.shape == tuple(t.shape)
        np.testing.assert_allclose(ours.S.numpy(), theirs.S.numpy())


# ---------------------------------------------------------------- qr modes
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 5), (3, 3)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_modes_match_torch(shape, mode):
    a = RNG.normal(size=shape)
    ours, theirs = linalg.qr(gk.tensor(a), mode), torch.linalg.qr(torch.tensor(a), mode)
    assert ours.Q.shape == tuple(theirs.Q.shape) and ours.R.shape == tuple(theirs.R.shape)
    assert ours.Q.dtype == ours.R.dtype == np.float64
    np.testing.assert_allclose(np.abs(ours.R.numpy()), np.abs(theirs.R.numpy()), atol=1e-12)
    if mode == "r":
        with pytest.raises(RuntimeError, match="mode='r'"):
            linalg.qr(gk.tensor(a, requires_grad=True), mode="r")
    elif mode == "reduced" or shape[-2] <= shape[-1]:
        assert_parity_order2(
            lambda x: linalg.qr(x, mode).Q + linalg.qr(x, mode).R.sum(),
            lambda x: torch.linalg.qr(x, mode).Q + torch.linalg.qr(x, mode).R.sum(),
            [a],
            order2=False,
            rtol=1e-8,
            atol=1e-10,
        )
    with pytest.raises(RuntimeError, match="unrecognized mode 'R'"):
        linalg.qr(gk.tensor(a), "R")


def test_qr_backward_of_a_rank_deficient_matrix_is_a_clear_error():
    """R with an exact 0 on its diagonal: the gradient is undefined (PyTorch gives inf or
    nan); gradkit says so."""
    a = gk.tensor(np.diag([1.0, 0.0, 1.0]), requires_grad=True)
    q, r = linalg.qr(a)
    with pytest.raises(linalg.LinAlgError, match=r"^linalg.qr backward \(R is singular\): "):
        (q.sum() + r.sum()).backward()


# ---------------------------------------------------------------- second order
@pytest.mark.parametrize("frozen", [(), (0,), (1,)])
def test_solve_and_cholesky_second_order_match_torch(frozen):
    a = RNG.normal(size=(2, 3, 3)) + 3 * np.eye(3)
    b = RNG.normal(size=(2, 3, 2))
    assert_parity_order2(linalg.solve, torch.linalg.solve, [a, b], frozen=frozen, rtol=1e-8,
                         atol=1e-10)  # fmt: skip
    assert_parity_order2(
        lambda x, y: linalg.solve(x, y, left=False),
        lambda x, y: torch.linalg.solve(x, y, left=False),
        [a, np.swapaxes(b, -1, -2)],
        frozen=frozen,
        rtol=1e-8,
        atol=1e-10,
    )
    spd = a @ np.swapaxes(a, -1, -2)
    assert_parity_order2(linalg.cholesky, torch.linalg.cholesky, [spd], rtol=1e-8, atol=1e-10)
    assert_parity_order2(lambda x: linalg.cholesky(x, upper=True),
                         lambda x: torch.linalg.cholesky(x, upper=True), [spd], rtol=1e-8,
                         atol=1e-10)  # fmt: skip
    assert_parity_order2(linalg.inv, torch.linalg.inv, [a], rtol=1e-8, atol=1e-10)
    assert_parity_order2(linalg.det, torch.linalg.det, [a], rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- shapes of solve
def test_solve_shapes_match_torch():
    a4 = RNG.normal(size=(2, 2, 3, 3)) + 3 * np.eye(3)
    for sb in [(2, 2, 3), (2, 2, 3, 1), (3, 2), (2, 1, 3, 4)]:
        b = RNG.normal(size=sb)
        ours = linalg.solve(gk.tensor(a4), gk.tensor(b))
        theirs = torch.linalg.solve(torch.tensor(a4), torch.tensor(b))
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)
    a1 = RNG.normal(size=(1, 3, 3)) + 3 * np.eye(3)  # a batch of one with vectors
    b1 = RNG.normal(size=(1, 3))
    ours = linalg.solve(gk.tensor(a1), gk.tensor(b1))
    assert ours.shape == tuple(torch.linalg.solve(torch.tensor(a1), torch.tensor(b1)).shape)
    one = gk.tensor(np.array([[2.0]]))
    ours = linalg.solve(one, gk.tensor(np.array([4.0])))
    np.testing.assert_allclose(ours.numpy(), [2.0])
    with pytest.raises(RuntimeError):
        torch.linalg.solve(
            torch.eye(1, dtype=torch.float64), torch.tensor(2.0, dtype=torch.float64)
        )
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        linalg.solve(one, gk.tensor(np.array(2.0)))
    with pytest.raises(RuntimeError, match="Incompatible shapes"):
        linalg.solve(gk.tensor(np.eye(3)), gk.tensor(np.ones((2, 2))))
    with pytest.raises(RuntimeError, match="do not broadcast"):
        linalg.solve(gk.tensor(np.stack([np.eye(3)] * 2)), gk.tensor(np.ones((3, 3, 2))))
    with pytest.raises(RuntimeError, match="same dtype"):
        linalg.solve(gk.tensor(np.eye(3, dtype=np.float32)), gk.tensor(np.ones(3)))
    x = linalg.solve(gk.tensor(np.eye(3, dtype=np.float32) * 2), [1.0, 2.0, 3.0])
    assert x.dtype == np.float32  # a list B takes A's dtype
    np.testing.assert_allclose(x.numpy(), [0.5, 1.0, 1.5])


def test_four_d_batches_of_solve_triangular_and_matrix_power_match_torch():
    a = RNG.normal(size=(2, 2, 3, 3)) + 3 * np.eye(3)
    b = RNG.normal(size=(2, 2, 3, 1))
    for kw in ({"upper": True, "unitriangular": True}, {"upper": False, "unitriangular": True}):
        ours = linalg.solve_triangular(gk.tensor(a), gk.tensor(b), **kw)
        theirs = torch.linalg.solve_triangular(torch.tensor(a), torch.tensor(b), **kw)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)
    for n in (0, 2, -1):
        ours = linalg.matrix_power(gk.tensor(a), n)
        theirs = torch.linalg.matrix_power(torch.tensor(a), n)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10, atol=1e-14)
    with pytest.raises(RuntimeError, match="square"):
        linalg.matrix_power(gk.tensor(np.ones((2, 3, 4))), 2)


def test_singular_error_of_a_rank_two_matrix_in_a_4d_batch_names_it():
    a = np.broadcast_to(np.eye(3), (2, 2, 3, 3)).copy()
    a[1, 1] = [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 2.0]]  # rank 2
    with pytest.raises(linalg.LinAlgError, match=r"^linalg.inv: \(Batch element 3\): "):
        linalg.inv(gk.tensor(a))


@pytest.mark.parametrize(
    "name, call",
    [("linalg.inv", linalg.inv), ("linalg.det", linalg.det), ("linalg.slogdet", linalg.slogdet),
     ("logdet", gk.logdet), ("linalg.cholesky", linalg.cholesky), ("linalg.eigh", linalg.eigh),
     ("linalg.eigh", linalg.eigvalsh), ("linalg.solve", lambda a: linalg.solve(a, a)),
     ("linalg.solve_triangular", lambda a: linalg.solve_triangular(a, a, upper=True)),
     ("linalg.qr", linalg.qr), ("linalg.svd", linalg.svd), ("linalg.svdvals", linalg.svdvals),
     ("linalg.pinv", linalg.pinv), ("linalg.matrix_power", lambda a: linalg.matrix_power(a, -1))],
)  # fmt: skip
def test_input_errors_name_the_op(name, call):
    with pytest.raises(RuntimeError, match=rf"^{name}: Expected a floating point"):
        call(gk.tensor(np.eye(3, dtype=np.int64)))


# ---------------------------------------------------------------- float32 gradients stay float32
def _float32_grad_dtypes(fn, a):
    """The dtype of the gradient reaching a float32 intermediate (as PyTorch's hooks see
    it: always the tensor's own dtype) and of the leaf's .grad."""
    x = gk.tensor(a.astype(np.float32), requires_grad=True)
    y = x * 1
    seen = []
    y.register_hook(lambda g: seen.append(str(g.dtype)))
    out = fn(y)
    out.backward(gk.tensor(np.ones(out.shape, dtype=np.float32)))
    return seen, str(x.grad.dtype)


@pytest.mark.parametrize(
    "name, fn",
    [("eigh-values", lambda y: linalg.eigh(y + y.mT).eigenvalues),
     ("eigh-vectors", lambda y: linalg.eigh(y + y.mT).eigenvectors ** 2),
     ("svd-S", lambda y: linalg.svd(y, full_matrices=False).S),
     ("svd-U", lambda y: linalg.svd(y, full_matrices=False).U ** 2),
     ("svd-Vh-wide", lambda y: linalg.svd(y[..., :2, :], full_matrices=False).Vh ** 2),
     ("pinv", lambda y: linalg.pinv(y)),
     ("det-singular-member", lambda y: linalg.det(y * gk.tensor(
         np.array([1.0, 0.0, 1.0], dtype=np.float32)[:, None, None] * np.ones((3, 3, 3),
         dtype=np.float32)) + gk.tensor(np.array([0, 1, 0], dtype=np.float32)[:, None, None]
         * np.ones((3, 3, 3), dtype=np.float32))))],
)  # fmt: skip
def test_float32_gradients_stay_float32_through_decompositions(name, fn):
    a = RNG.normal(size=(3, 3, 3)) + 2 * np.eye(3)
    seen, leaf = _float32_grad_dtypes(fn, a)
    assert seen == ["float32"] and leaf == "float32", (seen, leaf)


def test_qr_mode_r_keeps_the_dtype_like_torch():
    a = RNG.normal(size=(4, 3)).astype(np.float32)
    ours, theirs = linalg.qr(gk.tensor(a), "r"), torch.linalg.qr(torch.tensor(a), "r")
    assert ours.Q.dtype == ours.R.dtype == np.float32
    assert theirs.Q.dtype == theirs.R.dtype == torch.float32


# ---------------------------------------------------------------- 4-d batches
def test_four_d_batches_of_det_and_cholesky_gradients_match_torch():
    a = RNG.normal(size=(2, 2, 3, 3)) + 2 * np.eye(3)
    a[0, 1] = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 1.0]]  # det exactly 0
    assert_parity_order2(linalg.det, torch.linalg.det, [a], order2=False, rtol=1e-9,
                         atol=1e-11)  # fmt: skip
    b = RNG.normal(size=(3, 2, 3, 3))  # shape[1] differs from n
    spd = b @ np.swapaxes(b, -1, -2) + 3 * np.eye(3)
    assert_parity_order2(linalg.cholesky, torch.linalg.cholesky, [spd], order2=False,
                         rtol=1e-9, atol=1e-11)  # fmt: skip


def test_cholesky_error_in_a_4d_batch_names_the_flat_element():
    a = np.broadcast_to(np.eye(3), (2, 2, 3, 3)).copy()
    a[0, 1] = -np.eye(3)
    with pytest.raises(RuntimeError, match=r"\(Batch element 1\)"):
        torch.linalg.cholesky(torch.tensor(a))
    with pytest.raises(linalg.LinAlgError, match=r"^linalg.cholesky: \(Batch element 1\): "):
        linalg.cholesky(gk.tensor(a))
