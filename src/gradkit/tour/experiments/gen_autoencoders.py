"""Tour experiments for the autoencoders: GEN-AE, GEN-DAE, GEN-CAE, GEN-SPARSE,
GEN-CONTRACT and GEN-DENOISE, all on MNIST digits (train subset → held-out test digits).

Each model comes from :mod:`gradkit.models.autoencoder` and is trained through
``gradkit.train.Model`` with the autoencoder's own loss, as a user would."""

from __future__ import annotations

import colorsys
import functools

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.ml.decomposition import PCA
from gradkit.models import (
    Autoencoder,
    GaussianNoise,
    add_gaussian_noise,
    contractive_penalty,
    conv_autoencoder,
    deep_autoencoder,
    jacobian_frobenius,
    psnr,
)
from gradkit.nn import Conv2d, Linear
from gradkit.optim import Adam
from gradkit.tour.experiments._gen_data import fit_autoencoder, mnist, mse, reconstruct, show, tile
from gradkit.tour.registry import Check, Finding, experiment
from gradkit.train import Model

CODE = 32  # code size shared by GEN-AE, GEN-DAE and GEN-CAE


def _sizes(quick: bool) -> dict:
    return dict(n_train=3000 if quick else 20000, n_test=1000 if quick else 5000)


@functools.lru_cache(maxsize=2)
def _linear_ae_and_pca(quick: bool) -> dict:
    """A linear autoencoder 784 → 32 → 784 and PCA(32) on the same digits (shared by
    GEN-AE and GEN-DAE)."""
    X, _, Xt, _ = mnist(**_sizes(quick))
    gk.manual_seed(0)
    ae = deep_autoencoder([784, CODE], output_activation=None)  # no non-linearity at all
    losses = fit_autoencoder(ae, X, epochs=8 if quick else 15, lr=5e-3, batch_size=64)
    pca = PCA(CODE, svd_solver="covariance_eigh").fit(X)
    # principal subspace overlap: mean cos² of the principal angles between the span of
    # the decoder's columns and the span of PCA's 32 components (1 = same subspace)
    q_ae, _ = np.linalg.qr(ae.decoder[0].weight.detach().numpy().astype(np.float64))
    q_pca, _ = np.linalg.qr(pca.components_.T.astype(np.float64))
    overlap = float(np.sum((q_pca.T @ q_ae) ** 2) / CODE)
    return dict(
        losses=losses,
        mse_ae=mse(reconstruct(ae, Xt), Xt),
        mse_pca=mse(pca.inverse_transform(pca.transform(Xt)), Xt),
        mse_mean=mse(np.broadcast_to(X.mean(axis=0), Xt.shape), Xt),
        overlap=overlap,
        pca_images=pca.inverse_transform(pca.transform(Xt[:8])),
        ae_images=reconstruct(ae, Xt[:8]),
    )


@experiment(
    "GEN-AE",
    group="GEN",
    title="Autoencoder: encoder → code → decoder",
    claim="An autoencoder trained to reproduce its input learns a code that reconstructs "
    "unseen inputs; a linear one with squared error finds PCA's principal subspace.",
    formula="z = f(x), x̂ = g(z), minimise mean ‖x − x̂‖²; linear f, g: span(g) → top-k PCs",
    code=("gradkit.models.autoencoder", "Autoencoder"),
    test="tests/tour/test_gen_autoencoders.py",
)
def gen_ae(quick: bool) -> Finding:
    r = _linear_ae_and_pca(quick)
    _, _, Xt, _ = mnist(**_sizes(quick))
    checks = [
        Check(
            "trained to reproduce its input, it reconstructs held-out digits far better "
            "than the mean image",
            f"test MSE: autoencoder (32-unit code) {r['mse_ae']:.4f}, mean image "
            f"{r['mse_mean']:.4f}",
            r["mse_ae"] < 0.5 * r["mse_mean"],
        ),
        Check(
            "a linear autoencoder with squared error approaches PCA, the best linear code",
            f"test MSE: linear AE {r['mse_ae']:.4f} vs PCA(32) {r['mse_pca']:.4f} "
            f"({r['mse_ae'] / r['mse_pca']:.3f}×)",
            r["mse_pca"] * 0.99 <= r["mse_ae"] <= 1.15 * r["mse_pca"],
        ),
        Check(
            "its decoder spans PCA's principal subspace",
            f"mean cos² of the principal angles between the two 32-d subspaces: "
            f"{r['overlap']:.3f} (1 = identical, random ≈ {CODE / 784:.3f})",
            r["overlap"] > 0.8,
        ),
    ]

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        names = ["mean image", "PCA(32)", "linear AE"]
        ax1.bar(names, [r["mse_mean"], r["mse_pca"], r["mse_ae"]], color=["grey", "C0", "C1"])
        ax1.set_ylabel("held-out MSE")
        show(
            fig.add_subplot(1, 2, 2),
            tile([Xt[:8], r["pca_images"], r["ae_images"]]),
            "digits / PCA / linear AE",
        )

    numbers = {k: r[k] for k in ("mse_ae", "mse_pca", "mse_mean", "overlap")}
    numbers["train_loss"] = r["losses"]
    return Finding(checks, numbers, draw)


@experiment(
    "GEN-DAE",
    group="GEN",
    title="Deep (stacked, symmetric) autoencoder",
    claim="A deep symmetric autoencoder (784-128-32-128-784, ReLU) reconstructs better than "
    "PCA and a linear autoencoder with the same 32-unit code.",
    formula="encoder 784 → 128 → 32, decoder mirrored 32 → 128 → 784",
    code=("gradkit.models.autoencoder", "deep_autoencoder"),
    test="tests/tour/test_gen_autoencoders.py",
)
def gen_dae(quick: bool) -> Finding:
    X, _, Xt, _ = mnist(**_sizes(quick))
    gk.manual_seed(0)
    ae = deep_autoencoder([784, 128, CODE])
    losses = fit_autoencoder(ae, X, epochs=10 if quick else 20, lr=5e-3, batch_size=32)
    deep = mse(reconstruct(ae, Xt), Xt)
    lin = _linear_ae_and_pca(quick)

    def widths(seq) -> list[int]:
        linears = [m for m in seq if isinstance(m, Linear)]
        return [m.weight.shape[1] for m in linears] + [linears[-1].weight.shape[0]]

    enc, dec = widths(ae.encoder), widths(ae.decoder)
    checks = [
        Check(
            "the stack is symmetric: the decoder mirrors the encoder",
            f"encoder widths {enc}, decoder widths {dec}",
            dec == enc[::-1],
        ),
        Check(
            "non-linear depth beats the best linear code of the same size (PCA)",
            f"test MSE: deep AE {deep:.4f}, PCA(32) {lin['mse_pca']:.4f}, linear AE "
            f"{lin['mse_ae']:.4f}",
            deep < 0.95 * lin["mse_pca"] and deep < lin["mse_ae"],
        ),
    ]
    images = reconstruct(ae, Xt[:8])

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        ax1.bar(
            ["PCA(32)", "linear AE", "deep AE"],
            [lin["mse_pca"], lin["mse_ae"], deep],
            color=["C0", "C1", "C2"],
        )
        ax1.set_ylabel("held-out MSE")
        show(fig.add_subplot(1, 2, 2), tile([Xt[:8], images]), "digits / deep AE")

    numbers = dict(
        mse_deep=deep, mse_pca=lin["mse_pca"], mse_linear=lin["mse_ae"], train_loss=losses
    )
    return Finding(checks, numbers, draw)


@experiment(
    "GEN-CAE",
    group="GEN",
    title="Convolutional autoencoder",
    claim="A convolutional autoencoder (stride-2 convolutions down, transposed convolutions "
    "up) reproduces its input images with weight-shared filters.",
    formula="28×28 → conv/2 → 14×14 → conv/2 → 7×7 → code → convT×2 → 28×28",
    code=("gradkit.models.autoencoder", "conv_autoencoder"),
    test="tests/tour/test_gen_autoencoders.py",
)
def gen_cae(quick: bool) -> Finding:
    X, _, Xt, _ = mnist(2000 if quick else 20000, 500 if quick else 5000)
    x, xt = X.reshape(-1, 1, 28, 28), Xt.reshape(-1, 1, 28, 28)
    gk.manual_seed(0)
    ae = conv_autoencoder(code_size=CODE, channels=(16, 32))
    losses = fit_autoencoder(ae, x, epochs=4 if quick else 10, lr=3e-3, batch_size=32)
    out = reconstruct(ae, xt)
    err = mse(out, xt)
    baseline = mse(np.broadcast_to(X.mean(axis=0), Xt.shape), Xt)
    conv = next(m for m in ae.encoder if isinstance(m, Conv2d))
    conv_params = sum(int(np.prod(p.shape)) for p in conv.parameters())
    with gk.no_grad():
        fmap = conv(gk.tensor(xt[:1]))
    dense_params = 784 * int(np.prod(fmap.shape[1:])) + int(np.prod(fmap.shape[1:]))
    checks = [
        Check(
            "it reproduces held-out digits with output shape = input shape",
            f"output {tuple(out.shape[1:])} for input {tuple(xt.shape[1:])}; test MSE "
            f"{err:.4f} vs mean image {baseline:.4f}",
            out.shape == xt.shape and err < 0.5 * baseline,
        ),
        Check(
            "a convolution shares its filters: far fewer weights than a dense layer with the "
            "same input and output",
            f"first conv 1×28×28 → {'×'.join(map(str, fmap.shape[1:]))}: {conv_params} "
            f"parameters; a dense layer: {dense_params:,}",
            conv_params * 1000 < dense_params,
        ),
    ]

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        ax1.plot(range(1, len(losses) + 1), losses, marker="o")
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("training MSE")
        show(fig.add_subplot(1, 2, 2), tile([Xt[:8], out[:8]]), "digits / conv AE")

    numbers = dict(
        mse_conv=err,
        mse_mean=baseline,
        conv_params=conv_params,
        dense_params=dense_params,
        train_loss=losses,
    )
    return Finding(checks, numbers, draw)


def _sigmoid_code_ae(quick: bool, **penalty):
    """A 784 → 64 (sigmoid) → 784 autoencoder, with the given penalty, and its held-out
    codes, reconstruction error and mean encoder Jacobian norm."""
    X, _, Xt, _ = mnist(2000 if quick else 10000, 500 if quick else 2000)
    gk.manual_seed(0)
    ae = deep_autoencoder([784, 64], code_activation="sigmoid", **penalty)
    fit_autoencoder(ae, X, epochs=5 if quick else 10, lr=1e-2, batch_size=32)
    shift = 0.05 * np.random.default_rng(0).standard_normal(Xt.shape).astype(np.float32)
    with gk.no_grad():
        code_train = ae.encode(gk.tensor(X)).detach().numpy()
        code_test = ae.encode(gk.tensor(Xt)).detach().numpy()
        code_shifted = ae.encode(gk.tensor(Xt + shift)).detach().numpy()
    # code change under small input noise, relative to the code distance between digits
    local = np.linalg.norm(code_shifted - code_test, axis=1).mean()
    between = np.linalg.norm(code_test - code_test[::-1], axis=1).mean()
    return dict(
        local_ratio=float(local / between),
        ae=ae,
        code_train=code_train,
        code_test=code_test,
        mse=mse(reconstruct(ae, Xt), Xt),
        jacobian=float(jacobian_frobenius(ae.encoder, gk.tensor(Xt[:200])).mean()),
    )


_plain_sigmoid_ae = functools.lru_cache(maxsize=2)(_sigmoid_code_ae)  # shared baseline

NEAR_ZERO = 0.05


@experiment(
    "GEN-SPARSE",
    group="GEN",
    title="Sparse autoencoder (KL sparsity on the code)",
    claim="A KL sparsity penalty drives each code unit's mean activation to the target ρ, "
    "so most code entries are near zero.",
    formula="loss = MSE + β Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j = batch mean of z_j",
    code=("gradkit.models.autoencoder", "kl_sparsity_penalty"),
    test="tests/tour/test_gen_autoencoders.py",
)
def gen_sparse(quick: bool) -> Finding:
    rho = 0.05
    plain = _plain_sigmoid_ae(quick)
    sparse = _sigmoid_code_ae(quick, sparsity="kl", sparsity_weight=0.03, rho=rho)
    mean_s, mean_p = float(sparse["code_train"].mean()), float(plain["code_train"].mean())
    zero_s = float((sparse["code_test"] < NEAR_ZERO).mean())
    zero_p = float((plain["code_test"] < NEAR_ZERO).mean())
    checks = [
        Check(
            f"the mean code activation moves to the target ρ = {rho}",
            f"mean activation on the training digits: sparse {mean_s:.4f}, plain {mean_p:.4f}",
            abs(mean_s - rho) <= 0.25 * rho and abs(mean_p - rho) > 5 * rho,
        ),
        Check(
            "the code is sparse: most entries near zero on unseen digits",
            f"code entries < {NEAR_ZERO} on held-out digits: sparse {zero_s:.0%}, plain "
            f"{zero_p:.0%} (reconstruction MSE {sparse['mse']:.4f} vs {plain['mse']:.4f})",
            zero_s >= 0.4 and zero_s >= 5 * zero_p,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        bins = np.linspace(0, 1, 41)
        ax.hist(plain["code_test"].ravel(), bins, alpha=0.6, label="plain AE")
        ax.hist(sparse["code_test"].ravel(), bins, alpha=0.6, label=f"sparse AE (ρ = {rho})")
        ax.set_xlabel("code activation (held-out digits)")
        ax.set_yscale("log")
        ax.legend()

    numbers = dict(
        mean_sparse=mean_s,
        mean_plain=mean_p,
        near_zero_sparse=zero_s,
        near_zero_plain=zero_p,
        mse_sparse=sparse["mse"],
        mse_plain=plain["mse"],
        mean_unit_activation_test=float(sparse["code_test"].mean()),
    )
    return Finding(checks, numbers, draw)


@experiment(
    "GEN-CONTRACT",
    group="GEN",
    title="Contractive autoencoder (penalty on the encoder Jacobian)",
    claim="The contractive penalty λ‖∂z/∂x‖²_F makes the code insensitive to small input "
    "changes: a lower encoder-Jacobian norm than a plain autoencoder's.",
    formula="‖J‖²_F = Σ_j (z_j(1 − z_j))² Σ_i W_ji² for z = σ(Wx + b)",
    code=("gradkit.models.autoencoder", "contractive_penalty"),
    test="tests/tour/test_gen_autoencoders.py",
)
def gen_contract(quick: bool) -> Finding:
    plain = _plain_sigmoid_ae(quick)
    contr = _sigmoid_code_ae(quick, contractive_weight=0.003)
    _, _, Xt, _ = mnist(2000 if quick else 10000, 500 if quick else 2000)
    ae = contr["ae"]
    x = gk.tensor(Xt[:50])
    with gk.no_grad():
        closed = float(contractive_penalty(ae.encoder(x), ae.encoder[0].weight).item())
    brute = float((jacobian_frobenius(ae.encoder, x) ** 2).mean())
    rel = abs(closed - brute) / brute
    jp, jc = plain["jacobian"], contr["jacobian"]
    checks = [
        Check(
            "the closed-form penalty is the squared Frobenius norm of the encoder Jacobian",
            f"closed form {closed:.5f} vs autograd Jacobian {brute:.5f} (relative gap {rel:.1e})",
            rel < 1e-3,
        ),
        Check(
            "the penalty contracts the encoder: lower ‖∂z/∂x‖_F on unseen digits",
            f"mean ‖J‖_F on 200 held-out digits: contractive {jc:.3f}, plain {jp:.3f} "
            f"(reconstruction MSE {contr['mse']:.4f} vs {plain['mse']:.4f})",
            jc < 0.5 * jp,
        ),
        Check(
            "it contracts locally, not globally: small input noise moves the code less, "
            "relative to the distance between different digits' codes",
            f"code change under σ = 0.05 noise ÷ code distance between digits: contractive "
            f"{contr['local_ratio']:.4f}, plain {plain['local_ratio']:.4f}",
            contr["local_ratio"] < 0.7 * plain["local_ratio"],
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.bar(["plain AE", "contractive AE"], [jp, jc], color=["C0", "C1"])
        ax.set_ylabel("mean ‖∂z/∂x‖_F (held-out)")

    numbers = dict(
        jacobian_plain=jp,
        jacobian_contractive=jc,
        closed_form=closed,
        autograd=brute,
        mse_plain=plain["mse"],
        mse_contractive=contr["mse"],
        local_ratio_plain=plain["local_ratio"],
        local_ratio_contractive=contr["local_ratio"],
    )
    return Finding(checks, numbers, draw)


PALETTE = np.array([colorsys.hsv_to_rgb(d / 10, 1, 1) for d in range(10)], np.float32)


def _colorize(x, labels) -> np.ndarray:
    """Digits painted in their class's colour (a hue per digit), (N, 3·784) RGB planes."""
    return (x[:, None, :] * PALETTE[labels][:, :, None]).reshape(len(x), -1)


def _colorization(quick: bool) -> dict:
    """Colorization as corrupt-and-restore: the corruption drops the colour, the
    autoencoder maps the grey digit back to its coloured version. The colour depends on
    the digit's class, so restoring it needs the shape to be understood."""
    X, y, Xt, yt = mnist(2000 if quick else 10000, 500 if quick else 2000)
    gk.manual_seed(0)
    ae = Autoencoder(
        nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 32)),
        nn.Sequential(nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 3 * 784), nn.Sigmoid()),
    )
    model = Model(ae)
    model.compile(optimizer=Adam(list(ae.parameters()), lr=3e-3), loss=ae.loss)
    model.fit(X, _colorize(X, y), epochs=6 if quick else 12, batch_size=32, verbose=0, seed=0)
    ae.eval()
    out = reconstruct(ae, Xt)
    rgb = out.reshape(len(out), 3, 784).sum(axis=2)
    rgb /= rgb.max(axis=1, keepdims=True)
    nearest = np.argmin(((rgb[:, None, :] - PALETTE[None]) ** 2).sum(axis=2), axis=1)
    target = _colorize(Xt, yt)
    grey_mean_colour = (Xt[:, None, :] * PALETTE.mean(axis=0)[None, :, None]).reshape(len(Xt), -1)
    return dict(
        colour_right=float((nearest == yt).mean()),
        psnr=float(psnr(out, target).mean()),
        psnr_baseline=float(psnr(grey_mean_colour, target).mean()),
        images=out[:8].reshape(8, 3, 28, 28).transpose(0, 2, 3, 1),
    )


@experiment(
    "GEN-DENOISE",
    group="GEN",
    title="Denoising autoencoder",
    claim="Trained to map corrupted inputs to clean ones, an autoencoder removes noise from "
    "unseen images (the same corrupt-and-restore training serves colorization).",
    formula="loss = ‖g(f(x + σε)) − x‖², ε ~ N(0, I); PSNR = 10 log₁₀(1 / MSE)",
    code=("gradkit.models.autoencoder", "GaussianNoise"),
    test="tests/tour/test_gen_autoencoders.py",
)
def gen_denoise(quick: bool) -> Finding:
    sigma = 0.5
    X, _, Xt, _ = mnist(2000 if quick else 10000, 500 if quick else 2000)
    noisy = add_gaussian_noise(Xt, sigma, 0.0, 1.0, generator=np.random.default_rng(1))
    results = {}
    for name, noise in (("denoising", GaussianNoise(sigma, 0.0, 1.0)), ("plain", None)):
        gk.manual_seed(0)
        ae = deep_autoencoder([784, 256, 64], noise=noise)
        fit_autoencoder(ae, X, epochs=5 if quick else 10, lr=2e-3, batch_size=64)
        results[name] = reconstruct(ae, noisy)
    p_noisy = float(psnr(noisy, Xt).mean())
    p_den = float(psnr(results["denoising"], Xt).mean())
    p_plain = float(psnr(results["plain"], Xt).mean())
    color = _colorization(quick)
    checks = [
        Check(
            "it removes noise from unseen digits (σ = 0.5 Gaussian noise)",
            f"mean PSNR against the clean digits: noisy input {p_noisy:.2f} dB, denoised "
            f"{p_den:.2f} dB (+{p_den - p_noisy:.2f} dB)",
            p_den - p_noisy >= 3.0,
        ),
        Check(
            "training on corrupted inputs is what teaches it: the same autoencoder trained "
            "on clean digits denoises less",
            f"PSNR on the noisy digits: denoising AE {p_den:.2f} dB, plain AE {p_plain:.2f} dB",
            p_den > p_plain + 0.5,
        ),
        Check(
            "colorization (colour removed as the corruption): from a grey digit it restores "
            "the colour, which here depends on the digit's class",
            f"held-out digits given the right one of 10 colours: {color['colour_right']:.0%} "
            f"(chance 10%); PSNR {color['psnr']:.2f} dB vs grey × mean colour "
            f"{color['psnr_baseline']:.2f} dB",
            color["colour_right"] > 0.5,
        ),
    ]

    def draw(fig):
        show(
            fig.add_subplot(2, 1, 1),
            tile([Xt[:8], noisy[:8], results["denoising"][:8], results["plain"][:8]]),
            "clean / noisy / denoising AE / plain AE",
        )
        ax = fig.add_subplot(2, 1, 2)
        ax.imshow(np.concatenate(list(color["images"]), axis=1))
        ax.set_title("colorized from grey")
        ax.set_xticks([])
        ax.set_yticks([])

    numbers = dict(
        psnr_noisy=p_noisy,
        psnr_denoised=p_den,
        psnr_plain_ae=p_plain,
        gain_db=p_den - p_noisy,
        colour_right=color["colour_right"],
        psnr_colorized=color["psnr"],
        psnr_grey_mean_colour=color["psnr_baseline"],
    )
    return Finding(checks, numbers, draw)
