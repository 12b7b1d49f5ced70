"""NLP-TFIDF (issue 24): every CountVectorizer / TfidfVectorizer / TfidfTransformer
option against scikit-learn on a small corpus (no data set needed), fitted and on unseen
documents — binary at transform time, char_wb on words shorter than the n-gram, dtype."""

import warnings

import numpy as np
import pytest

from gradkit.ml.feature_extraction import text as gt

pytest.importorskip("sklearn")
from sklearn.feature_extraction import text as skt  # noqa: E402

DOCS = [
    "ab cd ab ef ab",
    "I am ok ok ok",
    "x yz x yz xyz yz",
    "Héllo wörld, héllo! Ça va",
    "to be or not to be",
    "cd cd cd ef",
]
TEST = ["ab ab ab cd zz", "ok ok x yz", "be be be ça"]
TFIDF_ONLY = ("use_idf", "norm", "sublinear_tf", "smooth_idf")
OPTIONS = [
    {},
    {"binary": True},
    {"binary": True, "use_idf": False, "norm": None},
    {"analyzer": "char_wb", "ngram_range": (2, 4)},
    {"analyzer": "char_wb", "ngram_range": (1, 3), "binary": True},
    {"analyzer": "char", "ngram_range": (2, 3)},
    {"token_pattern": r"(?u)\b\w+\b"},
    {"lowercase": False},
    {"max_features": 4},
    {"min_df": 2},
    {"min_df": 0.3},
    {"max_df": 0.2},
    {"max_df": 1},
    {"vocabulary": ["ab", "cd", "ok", "be", "zz"]},
    {"strip_accents": "ascii"},
    {"strip_accents": "unicode"},
    {"stop_words": ["ab", "to"]},
    {"stop_words": "english"},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 2), "max_features": 3},
    {"sublinear_tf": True},
    {"smooth_idf": False},
    {"norm": "l1"},
    {"use_idf": False},
]


@pytest.mark.parametrize("kw", OPTIONS, ids=str)
@pytest.mark.parametrize("tfidf", [True, False])
def test_nlp_tfidf_vectorizer_options_match_sklearn(kw, tfidf):
    if not tfidf:
        if any(k in kw for k in TFIDF_ONLY):
            pytest.skip("a TfidfVectorizer-only option")
        ours, ref = gt.CountVectorizer(**kw), skt.CountVectorizer(**kw)
    else:
        ours, ref = gt.TfidfVectorizer(**kw), skt.TfidfVectorizer(**kw)
    A, B = ours.fit_transform(DOCS), ref.fit_transform(DOCS)
    assert ours.vocabulary_ == ref.vocabulary_
    np.testing.assert_allclose(A.toarray(), B.toarray(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        ours.transform(TEST).toarray(), ref.transform(TEST).toarray(), rtol=1e-12, atol=1e-12
    )
    assert A.dtype == B.dtype


def test_nlp_tfidf_binary_at_transform_closed_form():
    cv = gt.CountVectorizer(binary=True).fit(["ab cd"])
    np.testing.assert_array_equal(cv.transform(["ab ab ab cd"]).toarray(), [[1, 1]])
    tv = gt.TfidfVectorizer(binary=True, norm=None, use_idf=False).fit(["ab cd"])
    np.testing.assert_array_equal(tv.transform(["ab ab ab cd"]).toarray(), [[1.0, 1.0]])


def test_nlp_tfidf_char_wb_short_words_closed_form():
    # " a " yields one padded bigram per side; a word shorter than n yields itself once
    cv = gt.CountVectorizer(analyzer="char_wb", ngram_range=(3, 3)).fit(["a bc"])
    assert sorted(cv.vocabulary_) == [" a ", " bc", "bc "]
    np.testing.assert_array_equal(cv.transform(["a a"]).toarray().sum(), 2)
    for doc in (["a bb ccc"], ["ab"]):
        for ng in ((1, 1), (2, 2), (1, 3), (3, 5)):
            ours = gt.CountVectorizer(analyzer="char_wb", ngram_range=ng).fit(doc)
            ref = skt.CountVectorizer(analyzer="char_wb", ngram_range=ng).fit(doc)
            assert ours.vocabulary_ == ref.vocabulary_
            np.testing.assert_array_equal(
                ours.transform(doc).toarray(), ref.transform(doc).toarray()
            )


@pytest.mark.parametrize(
    "kw", [{}, {"norm": "l1"}, {"use_idf": False}, {"smooth_idf": False}, {"sublinear_tf": True}]
)
def test_nlp_tfidf_transformer_options_match_sklearn(kw):
    counts = skt.CountVectorizer().fit_transform(DOCS)
    ours, ref = gt.TfidfTransformer(**kw).fit(counts), skt.TfidfTransformer(**kw).fit(counts)
    np.testing.assert_allclose(
        ours.transform(counts).toarray(), ref.transform(counts).toarray(), rtol=1e-12
    )
    if kw.get("use_idf", True):
        np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-12)


def test_nlp_tfidf_dtype_matches_sklearn():
    for dtype in (np.float32, np.float64):
        A = gt.TfidfVectorizer(dtype=dtype).fit_transform(DOCS)
        B = skt.TfidfVectorizer(dtype=dtype).fit_transform(DOCS)
        assert A.dtype == B.dtype == dtype
        np.testing.assert_allclose(A.toarray(), B.toarray(), rtol=1e-6)
    with pytest.warns(UserWarning, match="float64"):
        A = gt.TfidfVectorizer(dtype=np.int64).fit_transform(DOCS)
    assert A.dtype == np.float64
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gt.CountVectorizer(dtype=np.int32).fit_transform(DOCS)
