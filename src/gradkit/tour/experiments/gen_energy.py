"""Tour experiments for energy-based and topological models: GEN-RBM (with the
collaborative-filtering use), GEN-BM, GEN-DBN and GEN-SOM."""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit import nn
from gradkit.ml.linear_model import LogisticRegression
from gradkit.models import (
    DBN,
    RBM,
    BoltzmannMachine,
    RBMRecommender,
    SelfOrganizingMap,
    make_taste_ratings,
)
from gradkit.models.boltzmann import all_states
from gradkit.optim import SGD
from gradkit.tour.experiments._gen_data import mnist, show, tile
from gradkit.tour.registry import Check, Finding, experiment
from gradkit.train import Model


@experiment(
    "GEN-RBM",
    group="GEN",
    title="Restricted Boltzmann machine trained by contrastive divergence",
    claim="CD-k training of an RBM lowers its reconstruction error and raises the "
    "pseudo-likelihood of the data, giving data lower free energy than noise; the same "
    "machine fills in missing ratings (collaborative filtering).",
    formula="F(v) = −bᵀv − Σ_j softplus(c_j + W_j v);  ΔW ∝ ⟨h vᵀ⟩_data − ⟨h vᵀ⟩_k",
    code=("gradkit.models.rbm", "RBM"),
    test="tests/tour/test_gen_energy.py",
)
def gen_rbm(quick: bool) -> Finding:
    X, _, Xt, _ = mnist(2000 if quick else 10000, 500 if quick else 2000, binary=True)
    X, Xt = X.astype(np.float64), Xt.astype(np.float64)
    epochs, batch = (5, 20) if quick else (10, 20)
    rbm = RBM(
        n_components=64 if quick else 256, learning_rate=0.05, batch_size=batch, k=1, random_state=0
    )
    order = np.random.default_rng(0)
    recon, pll = [], []
    flip = np.random.default_rng(1).integers(0, X.shape[1], len(Xt))
    for _ in range(epochs):  # CD-1 by mini-batches, measured after every epoch
        perm = order.permutation(len(X))
        for start in range(0, len(X), batch):
            rbm.partial_fit(X[perm[start : start + batch]])
        mean_v = rbm.inverse_transform(rbm.transform(Xt))
        recon.append(float(((mean_v - Xt) ** 2).mean()))
        pll.append(float(rbm.score_samples(Xt, flip=flip).mean()))
    noise = (np.random.default_rng(2).random(Xt.shape) < Xt.mean()).astype(np.float64)
    f_data, f_noise = float(rbm.free_energy(Xt).mean()), float(rbm.free_energy(noise).mean())

    R, full = make_taste_ratings(n_users=100, random_state=0)
    rec = RBMRecommender(n_components=4, n_iter=200, learning_rate=0.1, random_state=0).fit(R)
    missing = np.isnan(R)
    cf_acc = float(((rec.predict_proba(R) > 0.5) == full)[missing].mean())
    popular = np.broadcast_to(np.nanmean(R, axis=0) > 0.5, R.shape)
    cf_base = float((popular == full)[missing].mean())
    samples = rbm.gibbs(Xt[:8], n_steps=1, random_state=3)

    checks = [
        Check(
            "contrastive divergence lowers the reconstruction error, epoch after epoch",
            f"held-out reconstruction MSE by epoch: {', '.join(f'{e:.4f}' for e in recon)}",
            all(b < a for a, b in zip(recon, recon[1:])),
        ),
        Check(
            "training raises the pseudo-log-likelihood of unseen digits",
            f"held-out pseudo-log-likelihood: epoch 1 {pll[0]:.1f}, epoch {epochs} {pll[-1]:.1f}",
            pll[-1] > pll[0] + 5,
        ),
        Check(
            "an energy model: data has lower free energy (higher probability) than noise",
            f"mean free energy: held-out digits {f_data:.1f}, noise with the same pixel "
            f"density {f_noise:.1f}",
            f_data < f_noise - 50,
        ),
        Check(
            "recommendation: the RBM predicts held-out likes far better than item popularity",
            f"accuracy on hidden ratings: RBM {cf_acc:.3f}, popularity {cf_base:.3f} "
            "(10% of ratings flipped: 0.9 is the ceiling)",
            cf_acc >= 0.8 and cf_acc > cf_base + 0.2,
        ),
    ]

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        ax1.plot(range(1, epochs + 1), recon, marker="o")
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("held-out reconstruction MSE")
        show(fig.add_subplot(1, 2, 2), tile([Xt[:8], samples]), "digits / one Gibbs step")

    numbers = dict(
        recon_mse=recon,
        pseudo_log_likelihood=pll,
        free_energy_data=f_data,
        free_energy_noise=f_noise,
        cf_accuracy=cf_acc,
        cf_popularity=cf_base,
    )
    return Finding(checks, numbers, draw)


@experiment(
    "GEN-BM",
    group="GEN",
    title="Boltzmann machine with hidden units (exact, and sampled by annealing)",
    claim="A general Boltzmann machine learns a distribution by the clamped-minus-free "
    "gradient; hidden units let it model higher-order structure (XOR) that visible "
    "pairwise couplings cannot; annealed Gibbs sampling draws from the distribution.",
    formula="E(s) = −½ sᵀWs − bᵀs;  ΔW_ij ∝ ⟨s_i s_j⟩_clamped − ⟨s_i s_j⟩_free",
    code=("gradkit.models.boltzmann", "BoltzmannMachine"),
    test="tests/tour/test_gen_energy.py",
)
def gen_bm(quick: bool) -> Finding:
    v = all_states(2)
    data = np.repeat(np.c_[v, v[:, 0] != v[:, 1]].astype(float), 25, axis=0)  # v3 = v1 XOR v2
    n_iter = 2000 if quick else 5000
    kl = {}
    for hidden in (0, 2):
        bm = BoltzmannMachine(
            n_hidden=hidden,
            method="exact",
            n_iter=n_iter,
            learning_rate=1.0,
            init_std=1.0,
            random_state=0,
        ).fit(data)
        kl[hidden] = bm.history_["kl"]
    samples = bm.sample(5000 if quick else 20000, n_sweeps=30, random_state=1)
    empirical = np.bincount(bm._index(samples), minlength=8) / len(samples)
    exact = np.exp(bm.visible_log_probs())
    tv = float(0.5 * np.abs(empirical - exact).sum())
    diffs = np.diff(kl[2])
    log2 = float(np.log(2))
    checks = [
        Check(
            "exact gradient ascent lowers KL(data ‖ model) at every step",
            f"KL {kl[2][0]:.3f} → {kl[2][-1]:.4f} in {n_iter} steps, largest step change "
            f"{diffs.max():+.1e}",
            bool(diffs.max() <= 1e-12),
        ),
        Check(
            "hidden units are needed for XOR: pairwise couplings between visible units alone "
            "cannot represent it",
            f"final KL: no hidden units {kl[0][-1]:.4f} (log 2 = {log2:.4f}), 2 hidden units "
            f"{kl[2][-1]:.4f}",
            abs(kl[0][-1] - log2) < 0.01 and kl[2][-1] < 0.1,
        ),
        Check(
            "simulated annealing then Gibbs sweeps sample the model's distribution",
            f"total variation between {len(samples)} samples and the exact p(v): {tv:.3f}",
            tv < 0.05,
        ),
    ]

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        ax1.plot(kl[0], label="no hidden units")
        ax1.plot(kl[2], label="2 hidden units")
        ax1.axhline(log2, color="grey", ls=":", label="log 2")
        ax1.set_xlabel("gradient step")
        ax1.set_ylabel("KL(data ‖ model)")
        ax1.legend()
        ax2 = fig.add_subplot(1, 2, 2)
        x = np.arange(8)
        ax2.bar(x - 0.2, exact, 0.4, label="exact p(v)")
        ax2.bar(x + 0.2, empirical, 0.4, label="annealed Gibbs")
        ax2.set_xticks(x, [format(i, "03b") for i in x], rotation=60)
        ax2.legend()

    numbers = dict(
        kl_hidden=kl[2][-1],
        kl_visible_only=kl[0][-1],
        kl_start=kl[2][0],
        total_variation=tv,
        exact_p=exact.tolist(),
        sampled_p=empirical.tolist(),
    )
    return Finding(checks, numbers, draw)


@experiment(
    "GEN-DBN",
    group="GEN",
    title="Deep belief network: greedily stacked RBMs",
    claim="Greedy layer-wise RBM pre-training on unlabelled data gives features and an "
    "initialisation that beat raw pixels and random weights when labels are few.",
    formula="RBM_l models p(h_{l−1}); fine-tune x → σ(W_1x + c_1) → … → softmax",
    code=("gradkit.models.rbm", "DBN"),
    test="tests/tour/test_gen_energy.py",
)
def gen_dbn(quick: bool) -> Finding:
    n_unlabelled, n_labels = (3000, 300) if quick else (10000, 500)
    X, y, Xt, yt = mnist(n_unlabelled, 1000 if quick else 5000, binary=True)
    dbn = DBN(
        hidden_layer_sizes=(256, 64),
        rbm_learning_rate=0.05,
        rbm_batch_size=20,
        rbm_n_iter=5 if quick else 10,
        random_state=0,
    ).pretrain(X)
    Xl, yl = X[:n_labels], y[:n_labels]
    readout = {}
    layers = {"pixels": lambda a: a, "RBM 1": dbn.rbms_[0].transform, "RBM 2": dbn.transform}
    for name, features in layers.items():
        clf = LogisticRegression(max_iter=300).fit(features(Xl), yl)
        readout[name] = float((clf.predict(features(Xt)) == yt).mean())
    finetuned = {}
    for name in ("pre-trained", "random"):
        gk.manual_seed(0)
        if name == "pre-trained":
            net = dbn.to_module(10)
        else:
            net = nn.Sequential(
                nn.Linear(784, 256),
                nn.Sigmoid(),
                nn.Linear(256, 64),
                nn.Sigmoid(),
                nn.Linear(64, 10),
            )
        model = Model(net)
        model.compile(
            optimizer=SGD(list(net.parameters()), lr=0.1, momentum=0.9),
            loss="cross_entropy",
            metrics=["accuracy"],
        )
        model.fit(Xl, yl, epochs=20, batch_size=32, verbose=0, seed=0)
        finetuned[name] = float(model.evaluate(Xt, yt)[1])
    checks = [
        Check(
            "the first RBM's features beat raw pixels for a linear readout",
            f"logistic regression on {n_labels} labelled digits, test accuracy: pixels "
            f"{readout['pixels']:.3f}, RBM 1 {readout['RBM 1']:.3f}, stacked RBM 2 "
            f"{readout['RBM 2']:.3f}",
            readout["RBM 1"] > readout["pixels"] + 0.02,
        ),
        Check(
            "greedy pre-training initialises the deep net better than random weights",
            f"784-256-64-10 fine-tuned on {n_labels} labels, test accuracy: pre-trained "
            f"{finetuned['pre-trained']:.3f}, random init {finetuned['random']:.3f}",
            finetuned["pre-trained"] > finetuned["random"] + 0.05,
        ),
    ]

    def draw(fig):
        ax1 = fig.add_subplot(1, 2, 1)
        ax1.bar(list(readout), list(readout.values()), color=["grey", "C0", "C1"])
        ax1.set_ylim(0, 1)
        ax1.set_ylabel("linear readout accuracy")
        ax2 = fig.add_subplot(1, 2, 2)
        ax2.bar(list(finetuned), list(finetuned.values()), color=["C2", "grey"])
        ax2.set_ylim(0, 1)
        ax2.set_ylabel("fine-tuned accuracy")

    numbers = {f"readout_{k.replace(' ', '').lower()}": v for k, v in readout.items()}
    numbers.update(
        finetuned_pretrained=finetuned["pre-trained"], finetuned_random=finetuned["random"]
    )
    return Finding(checks, numbers, draw)


@experiment(
    "GEN-SOM",
    group="GEN",
    title="Self-organizing map (Kohonen)",
    claim="A self-organizing map quantises the data onto a grid whose neighbouring units "
    "hold similar inputs (topology preserved), shown by its U-matrix.",
    formula="w_u ← w_u + η(t) exp(−‖r_u − r_u*‖² / 2σ(t)²)(x − w_u)",
    code=("gradkit.models.som", "SelfOrganizingMap"),
    test="tests/tour/test_gen_energy.py",
)
def gen_som(quick: bool) -> Finding:
    X, _, Xt, _ = mnist(1000 if quick else 5000, 500 if quick else 2000)
    som = SelfOrganizingMap(
        10, 10, sigma=2.0, learning_rate=0.5, n_iter=4000 if quick else 25000, random_state=0
    ).fit(X)
    qe = som.quantization_errors_
    te = som.topographic_error(Xt)
    scrambled = SelfOrganizingMap(10, 10).set_params(**som.get_params())
    perm = np.random.default_rng(0).permutation(100)
    scrambled.weights_ = som.weights_.reshape(100, -1)[perm].reshape(som.weights_.shape)
    scrambled.n_features_in_ = som.n_features_in_
    te_scrambled = scrambled.topographic_error(Xt)
    qe_test, qe_scrambled = som.quantization_error(Xt), scrambled.quantization_error(Xt)
    umatrix = som.u_matrix()
    checks = [
        Check(
            "training lowers the quantisation error",
            f"mean distance to the best-matching unit after each pass: "
            f"{', '.join(f'{e:.2f}' for e in qe)}",
            qe[-1] < qe[0],
        ),
        Check(
            "the map preserves topology: an input's two best units are grid neighbours",
            f"topographic error on held-out digits {te:.3f}; the same 100 units on "
            f"scrambled grid positions {te_scrambled:.3f} (quantisation error "
            f"{qe_test:.3f} both)",
            te < 0.3 and te < 0.5 * te_scrambled and abs(qe_test - qe_scrambled) < 1e-9,
        ),
    ]

    def draw(fig):
        from gradkit import plot

        plot.som_umatrix(som, ax=fig.add_subplot(1, 2, 1))
        show(
            fig.add_subplot(1, 2, 2),
            tile([som.weights_[r] for r in range(10)]),
            "unit weights (10 × 10 grid)",
        )

    numbers = dict(
        quantization_errors=qe,
        topographic_error=te,
        topographic_error_scrambled=te_scrambled,
        quantization_error_test=qe_test,
        umatrix_max=float(umatrix.max()),
        umatrix_mean=float(umatrix.mean()),
    )
    return Finding(checks, numbers, draw)
