"""scikit-learn's own estimator checks on our unsupervised estimators and scalers.

Skipped checks, with reasons, are listed in ``EXPECTED_FAILED``.
"""

import pytest

from gradkit.ml.cluster import AgglomerativeClustering, KMeans
from gradkit.ml.decomposition import PCA, FactorAnalysis
from gradkit.ml.mixture import GaussianMixture
from gradkit.ml.preprocessing import (
    FunctionTransformer,
    MinMaxScaler,
    Normalizer,
    StandardScaler,
)

pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

ESTIMATORS = [
    KMeans(n_clusters=3, random_state=0),
    GaussianMixture(n_components=2, random_state=0),
    FactorAnalysis(n_components=2),
    PCA(n_components=2),
    StandardScaler(),
    MinMaxScaler(),
    Normalizer(),
    FunctionTransformer(),
    AgglomerativeClustering(),
]

COMMON_FAILED = {
    "check_estimators_unfitted": (
        "the check demands sklearn.exceptions.NotFittedError itself; gradkit raises its own "
        "NotFittedError (a ValueError and AttributeError, like scikit-learn's) because the "
        "library must not import scikit-learn"
    ),
}
EXPECTED_FAILED: dict[str, dict[str, str]] = {
    "KMeans": {
        "check_sample_weight_equivalence_on_dense_data": (
            "k-means++ seeding draws with probability proportional to the weights, the same "
            "distribution as repeating samples, but the random stream is consumed "
            "differently so the two fits start from different seeds; with a fixed init "
            "weights equal repetition (test_u_kmeans_sample_weight_equals_repetition), and "
            "scikit-learn marks its own KMeans the same way"
        ),
    },
}


def _expected(estimator):
    # the unfitted check only calls predict-like methods: it applies to KMeans and
    # GaussianMixture, not to transform-only estimators
    common = (
        COMMON_FAILED
        if hasattr(estimator, "predict") and not isinstance(estimator, AgglomerativeClustering)
        else {}
    )
    return {**common, **EXPECTED_FAILED.get(type(estimator).__name__, {})}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected)
def test_u_sklearn_compatible(estimator, check):
    check(estimator)
