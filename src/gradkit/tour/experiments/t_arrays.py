"""Tour group T, arrays: tensors, element-wise products, constants/variables/placeholders,
devices and FFT convolution, shown working on data."""

from __future__ import annotations

import functools
import time

import numpy as np

import gradkit as gk
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_t.py"


def best_time(fn, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``fn()`` in seconds (the least disturbed by load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


@experiment(
    "T-TENSOR",
    group="T",
    title="Tensors: n-dimensional arrays with dtype, shape and broadcasting",
    claim="A Tensor is an n-dimensional array with a dtype and a shape; operands of "
    "different shapes broadcast as in NumPy and PyTorch.",
    formula="shapes (3, 1) and (1, 4) broadcast to (3, 4): z[i, j] = a[i, 0] + b[0, j]",
    code=("gradkit.tensor", "Tensor"),
    test=TEST,
)
def t_tensor(quick: bool) -> Finding:
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((3, 1)).astype(np.float32)
    b_np = rng.standard_normal((1, 4)).astype(np.float32)
    a, b = gk.tensor(a_np), gk.tensor(b_np)
    z = a + b
    same = np.array_equal(z.numpy(), a_np + b_np)
    t = gk.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    i = gk.tensor([1, 2, 3])
    promoted = (i * 0.5).dtype
    cube = gk.zeros(2, 3, 4)
    return Finding(
        checks=[
            Check(
                "a tensor carries a shape, a dtype (float32 by default) and a rank",
                f"tensor of nested lists: shape {tuple(t.shape)}, dtype {t.dtype}, "
                f"{t.ndim} dims; zeros(2, 3, 4): {cube.ndim} dims, {cube.numel()} elements",
                tuple(t.shape) == (2, 3) and t.dtype == gk.float32 and cube.numel() == 24,
            ),
            Check(
                "(3, 1) + (1, 4) broadcasts to (3, 4) with NumPy's values",
                f"shape {tuple(z.shape)}, equal to NumPy's sum: {same}",
                tuple(z.shape) == (3, 4) and same,
            ),
            Check(
                "int tensor × Python float promotes to the default float dtype (PyTorch's rule)",
                f"int64 tensor × 0.5 → {promoted}",
                promoted == gk.float32,
            ),
        ],
        numbers={"broadcast_shape": list(z.shape), "equal_to_numpy": bool(same)},
        draw=lambda fig: _draw_broadcast(fig, a_np, b_np, z.numpy()),
    )


def _draw_broadcast(fig, a, b, z) -> None:
    for k, (array, name) in enumerate(((a, "a (3, 1)"), (b, "b (1, 4)"), (z, "a + b (3, 4)"))):
        ax = fig.add_subplot(1, 3, k + 1)
        ax.imshow(array, cmap="coolwarm", vmin=-2.5, vmax=2.5)
        ax.set_title(name)
        ax.set_xticks(range(array.shape[1]))
        ax.set_yticks(range(array.shape[0]))


@experiment(
    "T-HADAMARD",
    group="T",
    title="Element-wise (Hadamard) product",
    claim="a * b multiplies element by element when the shapes are equal or broadcastable, "
    "and otherwise raises a clear error naming both shapes.",
    formula="(a ⊙ b)[i, j] = a[i, j] · b[i, j]",
    code=("gradkit.ops.elementwise", "Mul"),
    test=TEST,
)
def t_hadamard(quick: bool) -> Finding:
    a_np = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)
    b_np = np.array([[2.0, 0.5, -1.0], [1.0, 3.0, 0.0]], dtype=np.float32)
    product = (gk.tensor(a_np) * gk.tensor(b_np)).numpy()
    equal = np.array_equal(product, a_np * b_np)
    message = ""
    try:
        gk.ones(2, 3) * gk.ones(3, 2)
    except ValueError as exc:
        message = str(exc)
    names_both = "(2, 3)" in message and "(3, 2)" in message
    return Finding(
        checks=[
            Check(
                "equal shapes multiply element by element",
                f"(2, 3) ⊙ (2, 3) equals NumPy's a * b: {equal}",
                equal,
            ),
            Check(
                "mismatched shapes raise an error naming both shapes",
                f"(2, 3) * (3, 2) raised: {message or 'nothing'}",
                names_both,
            ),
        ],
        numbers={"error_message": message, "product": product.ravel().tolist()},
        draw=lambda fig: _draw_hadamard(fig, a_np, b_np, product, message),
    )


def _draw_hadamard(fig, a, b, product, message) -> None:
    for k, (array, name) in enumerate(((a, "a"), (b, "b"), (product, "a ⊙ b"))):
        ax = fig.add_subplot(2, 3, k + 1)
        ax.imshow(array, cmap="viridis")
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        for (i, j), v in np.ndenumerate(array):
            ax.text(j, i, f"{v:g}", ha="center", va="center", color="w")
    ax = fig.add_subplot(2, 1, 2)
    ax.axis("off")
    ax.text(0, 0.5, "ones(2, 3) * ones(3, 2):\n" + message.replace(" (each", "\n(each"),
            family="monospace", fontsize=9, va="center")  # fmt: skip


@experiment(
    "T-CONST-VAR-PH",
    group="T",
    title="Constants, variables and placeholders",
    claim="TensorFlow's three kinds of tensor map to gradkit: constants (tensors without "
    "grad) stay fixed, Parameters are the trainable variables an optimizer updates, and a "
    "model's symbolic Input stands for data of any batch size.",
    formula="θ ← θ − α ∇J(θ) for Parameters only; Input(shape=(3,)) has shape (None, 3)",
    code=("gradkit.nn.parameter", "Parameter"),
    test=TEST,
)
def t_const_var_ph(quick: bool) -> Finding:
    from gradkit import keras

    gk.manual_seed(0)
    const = gk.tensor([2.0, -1.0, 0.5])
    layer = gk.nn.Linear(3, 1)
    params = dict(layer.named_parameters())
    before = {k: v.detach().numpy().copy() for k, v in params.items()}
    opt = gk.optim.SGD(layer.parameters(), lr=0.1)
    loss = ((layer(const.reshape(1, 3)) - 1.0) ** 2).sum()
    loss.backward()
    opt.step()
    moved = {k: bool(np.any(v.detach().numpy() != before[k])) for k, v in params.items()}
    const_same = np.array_equal(const.numpy(), [2.0, -1.0, 0.5]) and const.grad is None
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    shapes = [tuple(model(np.ones((n, 3), np.float32)).shape) for n in (1, 7)]
    return Finding(
        checks=[
            Check(
                "a constant takes part in the computation and stays fixed",
                f"constant unchanged and without gradient after a step: {const_same}",
                const_same,
            ),
            Check(
                "Parameters are the trainable variables the optimizer updates",
                f"parameters {sorted(params)} changed by one SGD step: {moved}",
                sorted(params) == ["bias", "weight"] and all(moved.values()),
            ),
            Check(
                "a symbolic Input is a placeholder for any batch size",
                f"Input shape {tuple(inputs.shape)}; the model maps batches of 1 and 7 to "
                f"{shapes[0]} and {shapes[1]}",
                tuple(inputs.shape) == (None, 3) and shapes == [(1, 2), (7, 2)],
            ),
        ],
        numbers={"parameters": sorted(params), "output_shapes": [list(s) for s in shapes]},
    )


@experiment(
    "T-DEVICE",
    group="T",
    title="Training on CPU and GPU",
    claim="The same model code trains on the CPU, and on a GPU where a GPU backend is "
    "available; asking for a GPU that is not there fails with a clear error, never silently.",
    formula="model.to(device); x.to(device); one SGD step per batch",
    code=("gradkit.backend", "device"),
    test=TEST,
)
def t_device(quick: bool) -> Finding:
    gk.manual_seed(0)
    device = "cuda" if gk.cuda.is_available() else "cpu"
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((1024, 64)).astype(np.float32)
    y_np = (x_np[:, :8].sum(axis=1) > 0).astype(np.int64)
    model = gk.nn.Sequential(gk.nn.Linear(64, 128), gk.nn.ReLU(), gk.nn.Linear(128, 2))
    model.to("cpu")
    x, y = gk.tensor(x_np).to("cpu"), gk.tensor(y_np).to("cpu")
    opt = gk.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    steps = 100 if quick else 300
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        loss = gk.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    ms_per_step = (time.perf_counter() - start) / steps * 1e3
    gpu = gk.cuda.is_available()
    refusal = ""
    if not gpu:
        try:
            gk.ones(2).to("cuda")
        except RuntimeError as exc:
            refusal = str(exc)
    gpu_text = (
        "a GPU backend is available"
        if gpu
        else "no GPU backend is available here (gradkit.cuda.is_available() is False): "
        f"no GPU time measured; .to('cuda') raised: {refusal[:110]}"
    )
    return Finding(
        checks=[
            Check(
                "the model trains on the CPU",
                f"{steps} full-batch steps on {device}: loss {losses[0]:.3f} → {losses[-1]:.3f}, "
                f"{ms_per_step:.2f} ms per step",
                losses[-1] < 0.5 * losses[0],
            ),
            Check(
                "a GPU is used where one exists, and a missing one is refused clearly",
                gpu_text,
                gpu or ("not available" in refusal and "cpu" in refusal.lower()),
            ),
        ],
        numbers={
            "cpu_ms_per_step": ms_per_step,
            "gpu_available": gpu,
            "loss_first": losses[0],
            "loss_last": losses[-1],
        },  # fmt: skip
        draw=lambda fig: _draw_loss(fig, losses, f"CPU training: {ms_per_step:.2f} ms/step"),
    )


def _draw_loss(fig, losses, title) -> None:
    ax = fig.add_subplot()
    ax.plot(range(1, len(losses) + 1), losses)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)


@experiment(
    "T-FFT",
    group="T",
    title="FFT convolution",
    claim="Convolution by the FFT gives the same results as the direct (im2col) algorithm, "
    "and its cost does not grow with the kernel size, so it wins for large kernels.",
    formula="x ⋆ w = IFFT(FFT(x) · conj(FFT(w)))  (convolution theorem)",
    code=("gradkit.ops.fft_conv", "Conv2dFFT"),
    test=TEST,
)
def t_fft(quick: bool) -> Finding:
    F = gk.nn.functional
    gk.manual_seed(0)
    sizes = (3, 7, 11, 15) if quick else (3, 5, 7, 9, 11, 15, 21)
    n, side = (4, 48) if quick else (4, 64)
    x = gk.randn(n, 4, side, side)
    repeat = 3 if quick else 7
    direct_ms, fft_ms, errors = [], [], []
    with gk.no_grad():
        for k in sizes:
            w = gk.randn(8, 4, k, k) / k
            d = F.conv2d(x, w, algorithm="direct").numpy()
            f = F.conv2d(x, w, algorithm="fft").numpy()
            errors.append(float(np.max(np.abs(d - f)) / np.max(np.abs(d))))
            for algorithm, times in (("direct", direct_ms), ("fft", fft_ms)):
                run = functools.partial(F.conv2d, x, w, algorithm=algorithm)
                times.append(best_time(run, repeat) * 1e3)
    worst = max(errors)
    growth_direct = direct_ms[-1] / direct_ms[0]
    growth_fft = fft_ms[-1] / fft_ms[0]
    table = ", ".join(f"{k}×{k}: {d:.1f}/{f:.1f} ms" for k, d, f in zip(sizes, direct_ms, fft_ms))
    return Finding(
        checks=[
            Check(
                "FFT and direct convolution give the same result",
                f"largest relative difference over kernels {sizes[0]}…{sizes[-1]}: {worst:.1e} "
                "(float32)",
                worst < 1e-4,
            ),
            Check(
                "direct cost grows with the kernel, FFT cost hardly does; FFT wins for large "
                "kernels",
                f"direct/FFT time {table}; growth from {sizes[0]}×{sizes[0]} to "
                f"{sizes[-1]}×{sizes[-1]}: direct ×{growth_direct:.1f}, FFT ×{growth_fft:.1f}",
                growth_direct > 2 * growth_fft and fft_ms[-1] < direct_ms[-1],
            ),
        ],
        numbers={
            "kernel_sizes": list(sizes),
            "direct_ms": direct_ms,
            "fft_ms": fft_ms,
            "relative_errors": errors,
        },  # fmt: skip
        draw=lambda fig: _draw_fft(fig, sizes, direct_ms, fft_ms, n, side),
    )


def _draw_fft(fig, sizes, direct_ms, fft_ms, n, side) -> None:
    ax = fig.add_subplot()
    ax.plot(sizes, direct_ms, "o-", label="direct (im2col + GEMM)")
    ax.plot(sizes, fft_ms, "s-", label="FFT")
    ax.set_xlabel("kernel size k (k × k)")
    ax.set_ylabel("forward time (ms)")
    ax.set_title(f"conv2d, input {n}×4×{side}×{side}, 8 filters")
    ax.legend()
