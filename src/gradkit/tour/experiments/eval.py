"""Evidence tour, group EVAL: splitting, cross-validation, fit and metrics.

EVAL-SPLIT, EVAL-KFOLD, EVAL-FIT (on a neural network) and EVAL-METRICS.
"""

from __future__ import annotations

import numpy as np

from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_eval.py"


@experiment(
    "EVAL-SPLIT",
    group="EVAL",
    title="Train / validation / test split",
    claim="Models are fitted on the training set, chosen on the validation set and scored "
    "once on the test set; the score of the model chosen on a set is optimistic for that set.",
    formula="D = D_train ⊔ D_val ⊔ D_test (e.g. 60/20/20), stratified by class",
    code=("gradkit.ml.model_selection", "train_test_split"),
    test=TEST,
)
def eval_split(quick: bool) -> Finding:
    from gradkit.ml.model_selection import train_test_split
    from gradkit.ml.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    n = 600  # the validation set's size sets the optimism: keep it in both modes
    X = rng.normal(size=(n, 20))
    y = rng.integers(0, 2, n)  # labels independent of X: every model is a coin flip
    idx = np.arange(n)
    i_rest, i_test = train_test_split(idx, test_size=0.2, random_state=0, stratify=y)
    i_train, i_val = train_test_split(i_rest, test_size=0.25, random_state=0, stratify=y[i_rest])
    sizes = (len(i_train), len(i_val), len(i_test))
    disjoint = len(np.unique(np.r_[i_train, i_val, i_test])) == n
    share = [float(y[i].mean()) for i in (i_train, i_val, i_test)]
    # pick the best of many models on the validation set, then look at the test set
    n_models = 60 if quick else 200
    best_val, best_test = -1.0, 0.0
    for m in range(n_models):
        cols = np.random.default_rng(m).choice(20, 3, replace=False)
        model = KNeighborsClassifier(n_neighbors=1 + 2 * (m % 10)).fit(
            X[i_train][:, cols], y[i_train]
        )
        val = float(np.mean(model.predict(X[i_val][:, cols]) == y[i_val]))
        if val > best_val:
            best_val = val
            best_test = float(np.mean(model.predict(X[i_test][:, cols]) == y[i_test]))
    checks = [
        Check(
            "the three parts are disjoint, cover the data, have the asked sizes and keep the "
            "class balance",
            f"sizes {sizes} of {n}; share of class 1: " + ", ".join(f"{s:.3f}" for s in share),
            disjoint
            and sizes == (int(0.6 * n), int(0.2 * n), int(0.2 * n))
            and max(share) - min(share) < 0.01,
        ),
        Check(
            "the best validation score over many models is optimistic; the untouched test set "
            "is not (labels are coin flips)",
            f"best of {n_models} models: validation accuracy {best_val:.3f}, test accuracy "
            f"{best_test:.3f} (chance 0.5)",
            best_val - best_test > 0.05 and abs(best_test - 0.5) < 0.08,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.bar(["validation (selected on)", "test (held out)"], [best_val, best_test])
        ax.axhline(0.5, color="k", ls=":", label="chance")
        ax.set_ylabel("accuracy of the selected model")
        ax.legend()

    return Finding(
        checks,
        {"sizes": list(sizes), "class_share": share, "best_val": best_val, "best_test": best_test},
        draw,
    )


@experiment(
    "EVAL-KFOLD",
    group="EVAL",
    title="k-fold cross-validation",
    claim="k-fold cross-validation tests every sample exactly once and averages k scores, "
    "giving a less variable estimate than a single hold-out split.",
    formula="CV = 1/k Σ_f score(model fitted on D∖D_f, D_f)",
    code=("gradkit.ml.model_selection", "cross_val_score"),
    test=TEST,
)
def eval_kfold(quick: bool) -> Finding:
    from gradkit.ml.datasets import make_classification
    from gradkit.ml.linear_model import LogisticRegression
    from gradkit.ml.model_selection import KFold, cross_val_score, train_test_split

    X, y = make_classification(n_samples=200, n_features=10, n_informative=4, random_state=0)
    folds = list(KFold(n_splits=5, shuffle=True, random_state=0).split(X))
    counts = np.zeros(len(y), dtype=int)
    for train, test in folds:
        counts[test] += 1
        assert not np.intersect1d(train, test).size
    scores = cross_val_score(LogisticRegression(), X, y, cv=KFold(5, shuffle=True, random_state=0))
    by_hand = [
        np.mean(LogisticRegression().fit(X[tr], y[tr]).predict(X[te]) == y[te]) for tr, te in folds
    ]
    gap = float(np.max(np.abs(scores - by_hand)))
    repeats = 20 if quick else 100
    cv_means, holdouts = [], []
    for r in range(repeats):
        cv = KFold(5, shuffle=True, random_state=r)
        cv_means.append(float(cross_val_score(LogisticRegression(), X, y, cv=cv).mean()))
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=r)
        holdouts.append(float(np.mean(LogisticRegression().fit(Xtr, ytr).predict(Xte) == yte)))
    sd_cv, sd_hold = float(np.std(cv_means)), float(np.std(holdouts))
    checks = [
        Check(
            "each sample is in exactly one test fold; cross_val_score is the loop over folds",
            f"test-fold count per sample: min {counts.min()}, max {counts.max()}; scores "
            f"{np.round(scores, 3).tolist()} match the hand loop to {gap:.1e}",
            counts.min() == counts.max() == 1 and gap == 0.0,
        ),
        Check(
            "the 5-fold estimate varies less than a single 80/20 hold-out estimate",
            f"std over {repeats} reshuffles: 5-fold CV {sd_cv:.4f}, hold-out {sd_hold:.4f}",
            sd_cv < 0.5 * sd_hold,
        ),
    ]

    def draw(fig):
        ax = fig.add_subplot(1, 1, 1)
        ax.hist(holdouts, bins=12, alpha=0.6, label="single hold-out")
        ax.hist(cv_means, bins=12, alpha=0.6, label="5-fold CV mean")
        ax.set_xlabel("estimated accuracy")
        ax.legend()

    return Finding(
        checks,
        {"fold_scores": np.round(scores, 4).tolist(), "std_cv": sd_cv, "std_holdout": sd_hold},
        draw,
    )


def _regression_data(n: int, seed: int):
    """y = sin(2πx) + N(0, 0.3²) on x ∈ [−1, 1], as float32 column tensors."""
    import gradkit

    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1)).astype(np.float32)
    y = (np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=x.shape)).astype(np.float32)
    return gradkit.from_numpy(x), gradkit.from_numpy(y)


def _fit_curves(net, X, Y, X_val, Y_val, steps: int, every: int, lr: float = 0.01):
    """Full-batch Adam on the mean squared error; train and validation MSE every ``every``."""
    import gradkit

    opt = gradkit.optim.Adam(net.parameters(), lr=lr)
    train, val = [], []
    for step in range(steps + 1):
        opt.zero_grad()
        loss = ((net(X) - Y) ** 2).mean()
        if step % every == 0:
            with gradkit.no_grad():
                train.append(loss.item())
                val.append(((net(X_val) - Y_val) ** 2).mean().item())
        if step < steps:
            loss.backward()
            opt.step()
    return np.array(train), np.array(val)


def _wide_net(width: int):
    from gradkit import nn

    return nn.Sequential(
        nn.Linear(1, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(), nn.Linear(width, 1)
    )


@experiment(
    "EVAL-FIT",
    group="EVAL",
    title="Under- and over-fitting a neural network",
    claim="Too simple a model under-fits (high bias: training and validation errors both high); "
    "too flexible a model on too little data over-fits (high variance: low training error, "
    "validation error far above it and rising); more data closes the gap.",
    formula="noise floor E[(y − f(x))²] = σ² = 0.09",
    code=("gradkit.ml.model_selection", "learning_curve"),
    test=TEST,
)
def eval_fit(quick: bool) -> Finding:
    import gradkit
    from gradkit import nn

    noise = 0.09
    X_val, Y_val = _regression_data(1000, seed=99)
    X, Y = _regression_data(20, seed=0)
    steps = 2000 if quick else 5000
    gradkit.manual_seed(0)
    lin_train, lin_val = _fit_curves(nn.Linear(1, 1), X, Y, X_val, Y_val, steps, 50)
    gradkit.manual_seed(0)
    big_train, big_val = _fit_curves(_wide_net(64), X, Y, X_val, Y_val, steps, 50)
    best = int(np.argmin(big_val))
    # learning curve: the same wide net trained on more data
    sizes = [20, 80, 320] if quick else [20, 40, 80, 160, 320, 640]
    lc_train, lc_val = [], []
    for n in sizes:
        Xn, Yn = _regression_data(n, seed=0)
        gradkit.manual_seed(0)
        tr, va = _fit_curves(
            _wide_net(64), Xn, Yn, X_val, Y_val, 1500 if quick else 4000, 1500 if quick else 4000
        )
        lc_train.append(float(tr[-1]))
        lc_val.append(float(va[-1]))
    # the same diagnosis with the library's learning_curve, on regression trees
    from gradkit.ml.model_selection import KFold, learning_curve
    from gradkit.ml.tree import DecisionTreeRegressor

    Xt, Yt = (a.numpy().astype(np.float64) for a in _regression_data(500, seed=1))
    tree_sizes, tree_gap, tree_val = [50, 400], {}, {}
    for depth in (1, 6):
        _, tr, va = learning_curve(
            DecisionTreeRegressor(max_depth=depth, random_state=0),
            Xt,
            Yt.ravel(),
            train_sizes=tree_sizes,
            cv=KFold(5, shuffle=True, random_state=0),
            scoring="neg_mean_squared_error",
        )
        tree_gap[depth] = (tr.mean(axis=1) - va.mean(axis=1)).tolist()
        tree_val[depth] = (-va.mean(axis=1)).tolist()
    checks = [
        Check(
            "a linear model under-fits: both errors stay far above the noise floor",
            f"linear: train MSE {lin_train[-1]:.3f}, validation {lin_val[-1]:.3f} (noise 0.09)",
            lin_train[-1] > 3 * noise and lin_val[-1] > 3 * noise,
        ),
        Check(
            "a wide 2-hidden-layer net on 20 points over-fits: training error below the noise, "
            "validation error rising after its minimum",
            f"wide net: train MSE {big_train[-1]:.3f}, validation {big_val[-1]:.3f} (best "
            f"{big_val[best]:.3f} at step {best * 50})",
            big_train[-1] < 0.5 * noise
            and big_val[-1] > 3 * big_train[-1]
            and big_val[-1] > 1.2 * big_val[best],
        ),
        Check(
            "more training data closes the over-fitting gap",
            "validation − train MSE at n = "
            + ", ".join(f"{n}: {v - t:.3f}" for n, t, v in zip(sizes, lc_train, lc_val)),
            (lc_val[-1] - lc_train[-1]) < 0.25 * (lc_val[0] - lc_train[0]),
        ),
        Check(
            "learning_curve tells the two apart: a stump's validation error stays high with "
            "more data, a depth-6 tree's gap to its training error shrinks",
            f"validation MSE at n = 50, 400: stump {tree_val[1][0]:.3f}, {tree_val[1][1]:.3f}; "
            f"depth 6 {tree_val[6][0]:.3f}, {tree_val[6][1]:.3f} (gap "
            f"{tree_gap[6][0]:.3f} → {tree_gap[6][1]:.3f})",
            tree_val[1][1] > 3 * noise
            and tree_val[1][1] > 0.8 * tree_val[1][0]
            and tree_gap[6][1] < 0.7 * tree_gap[6][0]
            and tree_val[6][1] < tree_val[1][1],
        ),
    ]

    def draw(fig):
        from gradkit.plot import learning_curve

        ax = fig.add_subplot(1, 2, 1)
        epochs = np.arange(len(big_train)) * 50
        ax.plot(epochs, lin_train, "C0--", label="linear, train")
        ax.plot(epochs, lin_val, "C0-", label="linear, validation")
        ax.plot(epochs, big_train, "C3--", label="wide net, train")
        ax.plot(epochs, big_val, "C3-", label="wide net, validation")
        ax.axhline(noise, color="k", ls=":", label="noise floor")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel("MSE")
        ax.legend(fontsize="small")
        learning_curve(
            np.array(sizes),
            -np.array(lc_train)[:, None],
            -np.array(lc_val)[:, None],
            ax=fig.add_subplot(1, 2, 2),
        )

    return Finding(
        checks,
        {
            "linear_train": float(lin_train[-1]),
            "linear_val": float(lin_val[-1]),
            "wide_train": float(big_train[-1]),
            "wide_val": float(big_val[-1]),
            "wide_val_best": float(big_val[best]),
            "sizes": sizes,
            "curve_train": lc_train,
            "curve_val": lc_val,
            "tree_val": {"stump": tree_val[1], "depth6": tree_val[6]},
            "tree_gap_depth6": tree_gap[6],
        },
        draw,
    )


@experiment(
    "EVAL-METRICS",
    group="EVAL",
    title="Classification and regression metrics",
    claim="Accuracy, precision, recall, F1, the confusion matrix, ROC AUC, log loss, MSE and "
    "R² are the stated functions of the predictions.",
    formula="precision tp/(tp+fp), recall tp/(tp+fn), F1 = 2PR/(P+R), AUC = P(s₊ > s₋), "
    "R² = 1 − SS_res/SS_tot",
    code=("gradkit.ml.metrics", "roc_auc_score"),
    test=TEST,
)
def eval_metrics(quick: bool) -> Finding:
    from gradkit.ml import metrics
    from gradkit.ml.datasets import make_classification, make_regression
    from gradkit.ml.linear_model import LinearRegression, LogisticRegression
    from gradkit.ml.model_selection import train_test_split

    n = 600 if quick else 6000
    X, y = make_classification(n_samples=n, n_features=8, flip_y=0.1, weights=[0.7], random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=0)
    clf = LogisticRegression().fit(Xtr, ytr)
    pred, score = clf.predict(Xte), clf.predict_proba(Xte)[:, 1]
    tp = int(np.sum((pred == 1) & (yte == 1)))
    fp = int(np.sum((pred == 1) & (yte == 0)))
    fn = int(np.sum((pred == 0) & (yte == 1)))
    tn = int(np.sum((pred == 0) & (yte == 0)))
    P, R = tp / (tp + fp), tp / (tp + fn)
    pos, neg = score[yte == 1], score[yte == 0]
    auc = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    logloss = -np.mean(yte * np.log(score) + (1 - yte) * np.log(1 - score))
    Xr, yr = make_regression(n_samples=n, n_features=5, noise=20.0, random_state=0)
    yhat = LinearRegression().fit(Xr[: n // 2], yr[: n // 2]).predict(Xr[n // 2 :])
    yt = yr[n // 2 :]
    mse = np.mean((yt - yhat) ** 2)
    r2 = 1 - np.sum((yt - yhat) ** 2) / np.sum((yt - yt.mean()) ** 2)
    pairs = {
        "accuracy": (metrics.accuracy_score(yte, pred), (tp + tn) / len(yte)),
        "precision": (metrics.precision_score(yte, pred), P),
        "recall": (metrics.recall_score(yte, pred), R),
        "F1": (metrics.f1_score(yte, pred), 2 * P * R / (P + R)),
        "ROC AUC": (metrics.roc_auc_score(yte, score), auc),
        "log loss": (metrics.log_loss(yte, score), logloss),
        "MSE": (metrics.mean_squared_error(yt, yhat), mse),
        "R²": (metrics.r2_score(yt, yhat), r2),
    }
    gaps = {k: float(abs(a - b) / max(1.0, abs(b))) for k, (a, b) in pairs.items()}
    cm = metrics.confusion_matrix(yte, pred)
    checks = [
        Check(
            "the confusion matrix holds [[tn, fp], [fn, tp]]",
            f"confusion_matrix {cm.tolist()}; counted tn={tn}, fp={fp}, fn={fn}, tp={tp}",
            cm.tolist() == [[tn, fp], [fn, tp]],
        ),
        Check(
            "each metric equals its definition computed from the counts, the pairs of scores "
            "(AUC) or the residuals",
            ", ".join(f"{k} {pairs[k][0]:.4f}" for k in pairs)
            + f"; largest relative gap {max(gaps.values()):.1e}",
            max(gaps.values()) < 1e-12,
        ),
    ]

    def draw(fig):
        from gradkit.plot import confusion_matrix, roc_curve

        confusion_matrix(yte, pred, ax=fig.add_subplot(1, 2, 1))
        roc_curve(yte, score, ax=fig.add_subplot(1, 2, 2))

    return Finding(
        checks,
        {
            "metrics": {k: float(v[0]) for k, v in pairs.items()},
            "gaps": gaps,
            "confusion": cm.tolist(),
        },
        draw,
    )
