"""Fit / predict time of every supervised gradkit estimator against scikit-learn.

Run: ``python benchmarks/bench_ml_supervised.py [--repeat N] [--only NAME]``. BLAS is
pinned to one thread (set before NumPy is imported); both libraries run in the same
process on the same fixed split, each timing the median of ``--repeat`` runs, and the
table reports gradkit / scikit-learn ratios (target ≤ 2).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import sklearn  # noqa: E402
from sklearn import datasets  # noqa: E402
from sklearn import discriminant_analysis as sk_da  # noqa: E402
from sklearn import ensemble as sk_ens  # noqa: E402
from sklearn import linear_model as sk_lm  # noqa: E402
from sklearn import naive_bayes as sk_nb  # noqa: E402
from sklearn import neighbors as sk_nn  # noqa: E402
from sklearn import svm as sk_svm  # noqa: E402
from sklearn import tree as sk_tree  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from gradkit.ml import (  # noqa: E402  # noqa: E402
    discriminant_analysis,
    ensemble,
    linear_model,
    naive_bayes,
    neighbors,
    svm,
    tree,
)

CLF_DATA = ("iris", "wine", "breast_cancer", "digits")

# name, gradkit factory, scikit-learn factory, datasets
CASES = [
    ("LinearRegression", linear_model.LinearRegression, sk_lm.LinearRegression, ("diabetes",)),
    ("Ridge", linear_model.Ridge, sk_lm.Ridge, ("diabetes",)),
    (
        "Lasso",
        lambda: linear_model.Lasso(alpha=0.05),
        lambda: sk_lm.Lasso(alpha=0.05),
        ("diabetes",),
    ),
    (
        "ElasticNet",
        lambda: linear_model.ElasticNet(alpha=0.01),
        lambda: sk_lm.ElasticNet(alpha=0.01),
        ("diabetes",),
    ),
    (
        "LogisticRegression",
        linear_model.LogisticRegression,
        lambda: sk_lm.LogisticRegression(max_iter=1000),
        CLF_DATA,
    ),
    (
        "SoftmaxRegression",
        lambda: linear_model.SoftmaxRegression(penalty="l2"),
        lambda: sk_lm.LogisticRegression(max_iter=1000),
        CLF_DATA,
    ),
    (
        "Perceptron",
        lambda: linear_model.Perceptron(random_state=0),
        lambda: sk_lm.Perceptron(random_state=0),
        CLF_DATA,
    ),
    ("SVC", svm.SVC, sk_svm.SVC, CLF_DATA),
    ("LinearSVC", svm.LinearSVC, lambda: sk_svm.LinearSVC(max_iter=10_000), CLF_DATA),
    (
        "GDA",
        discriminant_analysis.GaussianDiscriminantAnalysis,
        lambda: sk_da.LinearDiscriminantAnalysis(solver="lsqr"),
        CLF_DATA,
    ),
    ("GaussianNB", naive_bayes.GaussianNB, sk_nb.GaussianNB, CLF_DATA),
    ("MultinomialNB", naive_bayes.MultinomialNB, sk_nb.MultinomialNB, ("digits",)),
    ("BernoulliNB", naive_bayes.BernoulliNB, sk_nb.BernoulliNB, ("digits",)),
    (
        "DecisionTreeClassifier",
        tree.DecisionTreeClassifier,
        sk_tree.DecisionTreeClassifier,
        CLF_DATA,
    ),
    (
        "DecisionTreeRegressor",
        tree.DecisionTreeRegressor,
        sk_tree.DecisionTreeRegressor,
        ("diabetes",),
    ),
    (
        "RandomForestClassifier",
        lambda: ensemble.RandomForestClassifier(random_state=0),
        lambda: sk_ens.RandomForestClassifier(random_state=0),
        CLF_DATA,
    ),
    (
        "RandomForestRegressor",
        lambda: ensemble.RandomForestRegressor(random_state=0),
        lambda: sk_ens.RandomForestRegressor(random_state=0),
        ("diabetes",),
    ),
    (
        "BaggingClassifier",
        lambda: ensemble.BaggingClassifier(random_state=0),
        lambda: sk_ens.BaggingClassifier(random_state=0),
        CLF_DATA,
    ),
    (
        "AdaBoostClassifier",
        lambda: ensemble.AdaBoostClassifier(random_state=0),
        lambda: sk_ens.AdaBoostClassifier(random_state=0),
        CLF_DATA,
    ),
    (
        "GradientBoostingClassifier",
        ensemble.GradientBoostingClassifier,
        sk_ens.GradientBoostingClassifier,
        ("iris", "wine", "breast_cancer"),
    ),
    (
        "GradientBoostingRegressor",
        ensemble.GradientBoostingRegressor,
        sk_ens.GradientBoostingRegressor,
        ("diabetes",),
    ),
    ("KNeighborsClassifier", neighbors.KNeighborsClassifier, sk_nn.KNeighborsClassifier, CLF_DATA),
    (
        "KNeighborsRegressor",
        neighbors.KNeighborsRegressor,
        sk_nn.KNeighborsRegressor,
        ("diabetes",),
    ),
]


def load(name: str, scale: bool):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    if scale:
        X = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1.0)
    strat = None if name == "diabetes" else y
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=strat)


def timed(factory, Xtr, ytr, Xte, repeat: int) -> tuple[float, float]:
    fits, preds = [], []
    for _ in range(repeat):
        est = factory()
        t0 = time.perf_counter()
        est.fit(Xtr, ytr)
        t1 = time.perf_counter()
        est.predict(Xte)
        preds.append(time.perf_counter() - t1)
        fits.append(t1 - t0)
    return float(np.median(fits)), float(np.median(preds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=None, help="run the cases whose name contains this")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}  numpy {np.__version__}  scipy {scipy.__version__}"
        f"  scikit-learn {sklearn.__version__}  BLAS threads "
        f"{os.environ['OPENBLAS_NUM_THREADS']}  repeat {args.repeat}"
    )
    header = f"{'estimator':<28}{'data':<15}{'fit ms':>9}{'sk ms':>9}{'ratio':>7}"
    header += f"{'pred ms':>9}{'sk ms':>9}{'ratio':>7}"
    print(header)
    fit_ratios, pred_ratios = [], []
    for name, ours, ref, names in CASES:
        if args.only and args.only not in name:
            continue
        for data in names:
            scale = name in (
                "SVC",
                "LinearSVC",
                "LogisticRegression",
                "SoftmaxRegression",
                "Perceptron",
            )
            Xtr, Xte, ytr, _ = load(data, scale)
            f1, p1 = timed(ours, Xtr, ytr, Xte, args.repeat)
            f2, p2 = timed(ref, Xtr, ytr, Xte, args.repeat)
            fit_ratios.append(f1 / f2)
            pred_ratios.append(p1 / p2)
            print(
                f"{name:<28}{data:<15}{f1 * 1e3:9.2f}{f2 * 1e3:9.2f}{f1 / f2:7.2f}"
                f"{p1 * 1e3:9.2f}{p2 * 1e3:9.2f}{p1 / p2:7.2f}"
            )
    gmean = lambda r: float(np.exp(np.mean(np.log(r))))  # noqa: E731
    print(f"geometric-mean ratio: fit {gmean(fit_ratios):.2f}, predict {gmean(pred_ratios):.2f}")


if __name__ == "__main__":
    main()
