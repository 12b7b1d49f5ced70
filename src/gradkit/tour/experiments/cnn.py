"""Evidence tour, group CNN (part 1): convolution, padding, output size, stride, pooling.

Each experiment runs gradkit's convolution and pooling layers on real MNIST digits or
on a sweep of sizes and measures what the canon says about them. The architecture
experiments (flatten + FC head, LeNet/VGG, ResNet, translation invariance) are in
:mod:`gradkit.tour.experiments.cnn_arch`.
"""

from __future__ import annotations

import numpy as np

import gradkit as gk
import gradkit.nn.functional as F
from gradkit.tour.experiments._tourdata import first_test_digit
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_cnn.py"

# Hand-set 3×3 kernels (cross-correlation, as every deep-learning "convolution").
KERNELS = {
    "vertical edges (Sobel x)": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "horizontal edges (Sobel y)": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "blur (3×3 box)": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
}


def _conv(img: np.ndarray, kernels: np.ndarray, stride: int = 1, padding=1) -> np.ndarray:
    """(H, W) image through (K, 3, 3) kernels → (K, H', W') responses."""
    x = gk.tensor(img[None, None].astype(np.float32))
    w = gk.tensor(np.asarray(kernels, dtype=np.float32)[:, None])
    return F.conv2d(x, w, stride=stride, padding=padding).numpy()[0]


def _total_variation(a: np.ndarray) -> float:
    """Σ |a[i+1, j] − a[i, j]| + |a[i, j+1] − a[i, j]|: how much the image changes
    between neighbouring pixels (blur lowers it, sharpening raises it)."""
    return float(np.abs(np.diff(a, axis=0)).sum() + np.abs(np.diff(a, axis=1)).sum())


def _local_range(img: np.ndarray) -> np.ndarray:
    """max − min of each pixel's 3×3 neighbourhood (zero-padded)."""
    p = np.pad(img, 1)
    windows = np.lib.stride_tricks.sliding_window_view(p, (3, 3))
    return windows.max(axis=(-1, -2)) - windows.min(axis=(-1, -2))


@experiment(
    "CNN-CONV",
    group="CNN",
    title="Convolution: hand-set filters and parameter sharing",
    claim=(
        "A convolution slides one small learned filter over the whole input: hand-set "
        "kernels detect edges, blur and sharpen, and the layer has far fewer parameters "
        "than a dense layer on the same input."
    ),
    formula="y[k, i, j] = b_k + Σ_c Σ_u Σ_v w[k, c, u, v] · x[c, i+u, j+v]",
    code=("gradkit.nn", "Conv2d"),
    test=TEST,
)
def cnn_conv(quick: bool) -> Finding:
    img = first_test_digit(7)
    names = list(KERNELS)
    resp = _conv(img, np.array([KERNELS[n] for n in names]))
    gx, gy, blur, sharp = resp
    rng_ = _local_range(img)
    flat, edge = rng_ < 1e-6, rng_ > 0.3
    edge_mag = np.abs(gx) + np.abs(gy)
    flat_max = float(edge_mag[flat].max())
    edge_mean = float(edge_mag[edge].mean())
    edge_share = float(edge_mag[edge].sum() / edge_mag.sum())
    # orientation: on a vertical bar the x-gradient fires, on a horizontal bar the y one
    bar = np.zeros((12, 12), np.float32)
    bar[2:10, 5:7] = 1.0
    vx, vy = _conv(bar, np.array([KERNELS[names[0]], KERNELS[names[1]]]))
    hx, hy = _conv(bar.T.copy(), np.array([KERNELS[names[0]], KERNELS[names[1]]]))
    v_ratio = float(np.abs(vx).sum() / max(np.abs(vy).sum(), 1e-12))
    h_ratio = float(np.abs(hy).sum() / max(np.abs(hx).sum(), 1e-12))
    tv = _total_variation(img)
    blur_tv, sharp_tv = _total_variation(blur) / tv, _total_variation(sharp) / tv
    blur_mass = float(blur.sum() / img.sum())
    resharp = _conv(blur, np.array([KERNELS["sharpen"]]))[0]
    blur_err = float(np.linalg.norm(blur - img))
    resharp_err = float(np.linalg.norm(resharp - img))
    # parameters: a conv producing 8 maps of 28×28 vs a dense layer producing the same
    # 8·28·28 outputs from the same 784 pixels
    gk.manual_seed(0)
    conv = gk.nn.Conv2d(1, 8, 3, padding=1)
    out_units = 8 * 28 * 28
    dense = gk.nn.Linear(28 * 28, out_units)
    conv_params = sum(p.numel() for p in conv.parameters())
    dense_params = sum(p.numel() for p in dense.parameters())
    checks = [
        Check(
            "edge kernels detect edges (zero on flat regions, strong on stroke borders)",
            f"|Sobel x| + |Sobel y| on a real 7: max {flat_max:.1e} on flat pixels, mean "
            f"{edge_mean:.2f} on border pixels, which hold {edge_share:.0%} of the response",
            flat_max < 1e-5 and edge_mean > 1.0 and edge_share > 0.9,
        ),
        Check(
            "edge kernels are oriented",
            f"vertical bar: Sobel x / Sobel y response = {v_ratio:.1f}; horizontal bar: "
            f"Sobel y / Sobel x = {h_ratio:.1f}",
            v_ratio > 2 and h_ratio > 2,
        ),
        Check(
            "a box kernel blurs and a sharpen kernel sharpens",
            f"total variation × {blur_tv:.2f} after blur (ink kept: {blur_mass:.3f}), × "
            f"{sharp_tv:.2f} after sharpen; sharpening the blurred digit brings it closer to "
            f"the original (error {blur_err:.2f} → {resharp_err:.2f})",
            blur_tv < 0.8
            and abs(blur_mass - 1) < 0.01
            and sharp_tv > 1.2
            and resharp_err < blur_err,
        ),  # fmt: skip
        Check(
            "a conv layer has far fewer parameters than a dense layer on the same input",
            f"Conv2d(1, 8, 3): {conv_params} parameters; Linear(784, {out_units}) with the "
            f"same output size: {dense_params:,} ({dense_params / conv_params:,.0f}×)",
            dense_params > 1000 * conv_params,
        ),
    ]
    numbers = {
        "flat_response_max": flat_max,
        "edge_response_mean": edge_mean,
        "edge_share": edge_share,
        "vertical_bar_ratio": v_ratio,
        "horizontal_bar_ratio": h_ratio,
        "blur_tv_ratio": blur_tv,
        "blur_mass_ratio": blur_mass,
        "sharpen_tv_ratio": sharp_tv,
        "blur_error": blur_err,
        "resharpened_error": resharp_err,
        "conv_params": conv_params,
        "dense_params": dense_params,
    }

    def draw(fig):
        panels = [("digit", img)] + list(zip(["Sobel x", "Sobel y", "blur", "sharpen"], resp))
        for k, (name, a) in enumerate(panels):
            ax = fig.add_subplot(1, len(panels), k + 1)
            ax.imshow(a, cmap="gray" if k in (0, 3, 4) else "RdBu_r")
            ax.set_title(name, fontsize=7)
            ax.axis("off")

    return Finding(checks, numbers, draw)


def _out_side(module, side: int) -> int:
    with gk.no_grad():
        return int(module(gk.zeros(1, 1, side, side)).shape[-1])


@experiment(
    "CNN-PAD",
    group="CNN",
    title="Valid and same padding",
    claim=(
        "Valid padding (none) shrinks the output to n − f + 1; same padding adds "
        "zeros so the output keeps the input size."
    ),
    formula="valid: N = W − F + 1;  same (stride 1): P_total = F − 1, N = W",
    code=("gradkit.nn", "Conv2d"),
    test=TEST,
)
def cnn_pad(quick: bool) -> Finding:
    sides = range(5, 21) if quick else range(3, 65)
    kernels = range(1, 8)
    bad_valid = bad_same = n = 0
    for f in kernels:
        valid = gk.nn.Conv2d(1, 1, f, padding="valid")
        same = gk.nn.Conv2d(1, 1, f, padding="same")
        for w in sides:
            if w < f:
                continue
            n += 1
            bad_valid += _out_side(valid, w) != w - f + 1
            bad_same += _out_side(same, w) != w
    img = first_test_digit(3)
    x = gk.tensor(img[None, None])
    with gk.no_grad():
        digit_valid = tuple(gk.nn.Conv2d(1, 4, 5, padding="valid")(x).shape[-2:])
        digit_same = tuple(gk.nn.Conv2d(1, 4, 5, padding="same")(x).shape[-2:])
    # how many 28×28 inputs does a 5×5 stack see after 4 layers?
    depth_valid = 28 - 4 * (5 - 1)
    checks = [
        Check(
            "valid padding gives n − f + 1",
            f"{n - bad_valid}/{n} (W, F) pairs (W {sides[0]}–{sides[-1]}, F 1–7) match; "
            f"a 28×28 digit through a 5×5 valid conv: {digit_valid[0]}×{digit_valid[1]}",
            bad_valid == 0 and digit_valid == (24, 24),
        ),
        Check(
            "same padding keeps the input size",
            f"{n - bad_same}/{n} pairs keep W (odd and even F; an even F pads one zero more "
            f"after, as PyTorch); the digit stays {digit_same[0]}×{digit_same[1]}",
            bad_same == 0 and digit_same == (28, 28),
        ),
    ]
    numbers = {
        "pairs": n,
        "valid_mismatches": int(bad_valid),
        "same_mismatches": int(bad_same),
        "digit_valid": list(digit_valid),
        "digit_same": list(digit_same),
        "side_after_four_valid_5x5": depth_valid,
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        w = np.arange(8, 33)
        for f in (3, 5, 7):
            ax.plot(w, w - f + 1, label=f"valid, F={f}")
        ax.plot(w, w, "k--", label="same (any F)")
        ax.set_xlabel("input side W")
        ax.set_ylabel("output side N")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)


@experiment(
    "CNN-SIZE",
    group="CNN",
    title="Output size N = (W − F + 2P)/S + 1",
    claim=(
        "A convolution or pooling window of size F with padding P and stride S maps a "
        "side of W to N = (W − F + 2P)/S + 1 (rounded down), and a shape that does not "
        "fit is refused with an error quoting the formula."
    ),
    formula="N = ⌊(W − F + 2P) / S⌋ + 1   (S is the stride)",
    code=("gradkit.nn.functional", "conv_output_size"),
    test=TEST,
    note=(
        "The seed text leaves S undefined in N = (W − F + 2P)/S + 1: S is the stride, the "
        "step between window positions. When (W − F + 2P) is not a multiple of S the last "
        "partial window is dropped, so the division rounds down."
    ),
)
def cnn_size(quick: bool) -> Finding:
    sides = range(6, 15) if quick else range(4, 40)
    n = bad = floored = 0
    pool_n = pool_bad = 0
    for f in (1, 2, 3, 5):
        for p in (0, 1, 2):
            for s in (1, 2, 3):
                conv = gk.nn.Conv2d(1, 1, f, stride=s, padding=p)
                pool = gk.nn.MaxPool2d(f, stride=s, padding=p) if 2 * p <= f else None
                for w in sides:
                    if w - f + 2 * p < 0:
                        continue
                    formula = (w - f + 2 * p) // s + 1
                    n += 1
                    floored += (w - f + 2 * p) % s != 0
                    got = _out_side(conv, w)
                    bad += got != formula or F.conv_output_size(w, f, s, p) != formula
                    if pool is not None:
                        pool_n += 1
                        pool_bad += _out_side(pool, w) != formula
    try:
        gk.nn.Conv2d(1, 1, 5)(gk.zeros(1, 1, 3, 3))
        message = ""
    except ValueError as exc:
        message = str(exc)
    quotes = "(W − F + 2P)/S + 1" in message and "S stride" in message
    checks = [
        Check(
            "conv output side follows N = (W − F + 2P)/S + 1",
            f"{n - bad}/{n} (W, F, P, S) combinations match the formula and "
            f"conv_output_size; {floored} of them round down (S does not divide W − F + 2P)",
            bad == 0 and floored > 0,
        ),
        Check(
            "pooling windows follow the same formula",
            f"{pool_n - pool_bad}/{pool_n} MaxPool2d combinations match",
            pool_bad == 0 and pool_n > 0,
        ),
        Check(
            "a shape that does not fit raises an error quoting the formula",
            f"5×5 kernel on a 3×3 input: {message[:150]}…",
            quotes,
        ),
    ]
    numbers = {
        "combinations": n,
        "mismatches": int(bad),
        "rounded_down": int(floored),
        "pool_combinations": pool_n,
        "pool_mismatches": int(pool_bad),
        "error_quotes_formula": bool(quotes),
    }

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        w = np.arange(5, 33)
        for s in (1, 2, 3):
            ax.step(w, (w - 3 + 2) // s + 1, where="post", label=f"F=3, P=1, S={s}")
        ax.set_xlabel("input side W")
        ax.set_ylabel("output side N")
        ax.legend(fontsize=7)

    return Finding(checks, numbers, draw)


@experiment(
    "CNN-STRIDE",
    group="CNN",
    title="Downsampling by stride",
    claim=(
        "A stride of S moves the window S pixels at a time: the output is the stride-1 "
        "output sampled every S pixels, about S² times smaller and cheaper."
    ),
    formula="y_S[i, j] = y_1[S·i, S·j];  N = ⌊(W − F + 2P)/S⌋ + 1",
    code=("gradkit.nn", "Conv2d"),
    test=TEST,
)
def cnn_stride(quick: bool) -> Finding:
    img = first_test_digit(5)
    rng = np.random.default_rng(0)
    kernels = rng.standard_normal((4, 3, 3)).astype(np.float32)
    full = _conv(img, kernels, stride=1)
    strides = (1, 2, 3, 4)
    sides, diffs, macs = [], [], []
    for s in strides:
        out = _conv(img, kernels, stride=s)
        sides.append(int(out.shape[-1]))
        diffs.append(float(np.abs(out - full[:, ::s, ::s]).max()))
        macs.append(int(out.size * 9))
    expect = [(28 - 3 + 2) // s + 1 for s in strides]
    cost_ratio = [macs[0] / m for m in macs]
    checks = [
        Check(
            "stride S samples the stride-1 output every S pixels",
            f"max |y_S − y_1[::S, ::S]| over S = 1–4: {max(diffs):.1e}",
            max(diffs) < 1e-5,
        ),
        Check(
            "stride downsamples: a 28×28 digit with a 3×3 kernel, padding 1",
            f"sides {sides} for S = {list(strides)} (formula {expect}); multiply-adds "
            f"÷{cost_ratio[1]:.1f}, ÷{cost_ratio[2]:.1f}, ÷{cost_ratio[3]:.1f}",
            sides == expect and cost_ratio[1] > 3.5,
        ),
    ]
    numbers = {"sides": sides, "max_subsample_diff": max(diffs), "cost_ratio": cost_ratio}

    def draw(fig):
        for k, s in enumerate(strides):
            ax = fig.add_subplot(1, len(strides), k + 1)
            ax.imshow(_conv(img, kernels[:1], stride=s)[0], cmap="gray")
            ax.set_title(f"S={s}: {sides[k]}×{sides[k]}", fontsize=8)
            ax.axis("off")

    return Finding(checks, numbers, draw)


@experiment(
    "CNN-POOL",
    group="CNN",
    title="Max and average pooling",
    claim=(
        "A 2×2 pooling window with stride 2 keeps the max (or mean) of each block and "
        "halves each side: 6×6 → 3×3. Min pooling is −maxpool(−x)."
    ),
    formula="maxpool(x)[i, j] = max_{u,v<2} x[2i+u, 2j+v];  N = (W − 2)/2 + 1 = W/2",
    code=("gradkit.nn", "MaxPool2d"),
    test=TEST,
    note=(
        "The seed text says pooling 'maintains the size of an image'. It does the "
        "opposite: a 2×2 window with stride 2 halves each side (a quarter of the "
        "values remain); pooling is used to shrink feature maps."
    ),
)
def cnn_pool(quick: bool) -> Finding:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 10, (6, 6)).astype(np.float32)
    x = gk.tensor(a[None, None])
    mx = gk.nn.MaxPool2d(2, 2)(x).numpy()[0, 0]
    av = gk.nn.AvgPool2d(2, 2)(x).numpy()[0, 0]
    mn = -gk.nn.MaxPool2d(2, 2)(-x).numpy()[0, 0]
    blocks = a.reshape(3, 2, 3, 2)
    exact = (
        np.array_equal(mx, blocks.max(axis=(1, 3)))
        and np.allclose(av, blocks.mean(axis=(1, 3)))
        and np.array_equal(mn, blocks.min(axis=(1, 3)))
    )
    img = first_test_digit(0)
    pooled = gk.nn.MaxPool2d(2, 2)(gk.tensor(img[None, None])).numpy()[0, 0]
    sides = list(range(2, 29, 2)) if quick else list(range(2, 129, 2))
    halved = all(_out_side(gk.nn.MaxPool2d(2, 2), w) == w // 2 for w in sides)
    ink_kept = float(pooled.max() / img.max())
    checks = [
        Check(
            "2×2 stride-2 pooling: 6×6 → 3×3 with the block max / mean / min",
            f"shape {a.shape} → {mx.shape}; max, average and min (−maxpool(−x)) equal the "
            f"2×2 block statistics exactly: {exact}",
            mx.shape == (3, 3) and exact,
        ),
        Check(
            "pooling shrinks the image (it does not maintain its size)",
            f"every even side 2–{sides[-1]} is halved: {halved}; a 28×28 digit → "
            f"{pooled.shape[0]}×{pooled.shape[1]} ({pooled.size / img.size:.0%} of the "
            f"values), brightest stroke kept ({ink_kept:.2f})",
            halved and pooled.shape == (14, 14),
        ),
    ]
    numbers = {
        "example": a.tolist(),
        "max_pooled": mx.tolist(),
        "avg_pooled": av.tolist(),
        "min_pooled": mn.tolist(),
        "digit_pooled_shape": list(pooled.shape),
        "all_halved": bool(halved),
    }

    def draw(fig):
        for k, (title, m) in enumerate(
            [("6×6 input", a), ("max 2×2/2", mx), ("avg 2×2/2", av), ("min 2×2/2", mn)]
        ):
            ax = fig.add_subplot(1, 4, k + 1)
            ax.imshow(m, cmap="viridis", vmin=0, vmax=9)
            for (i, j), v in np.ndenumerate(m):
                ax.text(j, i, f"{v:g}", ha="center", va="center", fontsize=6, color="w")
            ax.set_title(title, fontsize=8)
            ax.axis("off")

    return Finding(checks, numbers, draw)
