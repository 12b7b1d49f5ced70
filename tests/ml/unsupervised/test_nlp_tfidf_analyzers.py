"""NLP-TFIDF (issue 24): the options test_nlp_tfidf_options.py does not reach, against
scikit-learn on tiny synthetic corpora — decoding, callables, n-gram edges, document
frequency bounds, fixed vocabularies, the extensions' closed forms and the input checks."""

import numpy as np
import pytest
import scipy.sparse as sp

from gradkit.ml.exceptions import NotFittedError
from gradkit.ml.feature_extraction import text as gt

pytest.importorskip("sklearn")
from sklearn.feature_extraction import text as skt  # noqa: E402

# df: aa 1, bb 2, cc 3, dd 4, ee 6 (every document), ff 1; tf ties between bb and gg
DOCS = [
    "ee dd cc bb aa aa aa",
    "ee dd cc bb",
    "ee dd cc",
    "ee dd ff gg gg",
    "ee",
    "ee the a and",
]
NEW = ["aa aa zz", "", "ee ee ee dd", "qq"]


def _same(ours, ref, docs=DOCS, new=NEW, rtol=1e-12):
    A, B = ours.fit_transform(docs), ref.fit_transform(docs)
    assert ours.vocabulary_ == ref.vocabulary_
    assert A.dtype == B.dtype
    np.testing.assert_allclose(A.toarray(), B.toarray(), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(
        ours.transform(new).toarray(), ref.transform(new).toarray(), rtol=rtol, atol=1e-12
    )
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())


@pytest.mark.parametrize(
    "kw",
    [
        {"min_df": 2},
        {"min_df": 3, "max_df": 4},
        {"min_df": 0.5},  # 0.5 · 6 = 3 documents, inclusive
        {"max_df": 0.5},
        {"max_df": 4},
        {"min_df": 1.0},  # a float 1.0 is the fraction 100 %, not the count 1
        {"max_df": 1},  # an int 1 is the count 1, not 100 %
        {"max_features": 1},
        {"max_features": 3},
        {"max_features": 3, "binary": True},  # ranked by df once counts are 0/1
        {"max_features": 2, "min_df": 2},
        {"max_features": 50},
        {"binary": True, "min_df": 2},
        {"ngram_range": (2, 3)},
        {"ngram_range": (3, 3)},
        {"ngram_range": (1, 3), "stop_words": ["dd", "cc"]},
        {"ngram_range": (2, 2), "token_pattern": r"(?u)\b\w+\b"},
        {"token_pattern": r"(\w)\w"},  # one group: the group is the token
        {"stop_words": "english", "token_pattern": r"(?u)\b\w+\b"},
        {"analyzer": "char", "ngram_range": (1, 2)},
        {"analyzer": "char", "ngram_range": (3, 5)},
        {"analyzer": "char_wb", "ngram_range": (1, 1)},
        {"analyzer": "char_wb", "ngram_range": (2, 5)},
        {"lowercase": False, "analyzer": "char", "ngram_range": (2, 2)},
        {"dtype": np.float32},
        {"dtype": np.int32},
    ],
    ids=str,
)
def test_nlp_tfidf_count_options_match_sklearn(kw):
    docs = [d.upper() if i % 2 else d for i, d in enumerate(DOCS)] + ["ee  dd\t\tcc \n bb"]
    _same(gt.CountVectorizer(**kw), skt.CountVectorizer(**kw), docs=docs)
    if kw.get("dtype") not in (np.int32,):
        _same(gt.TfidfVectorizer(**kw), skt.TfidfVectorizer(**kw), docs=docs, rtol=1e-6)


@pytest.mark.parametrize(
    "kw",
    [
        {"sublinear_tf": True, "norm": "l1"},
        {"sublinear_tf": True, "smooth_idf": False, "norm": None},
        {"use_idf": False, "norm": "l1", "binary": True},
        {"smooth_idf": False, "norm": "l2", "ngram_range": (1, 2)},
        {"vocabulary": ["ee", "qq", "aa"], "smooth_idf": True},
    ],
    ids=str,
)
def test_nlp_tfidf_vectorizer_weighting_matches_sklearn(kw):
    ours, ref = gt.TfidfVectorizer(**kw), skt.TfidfVectorizer(**kw)
    _same(ours, ref)
    if kw.get("use_idf", True):
        np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-12)


def test_nlp_tfidf_bytes_encoding_and_decode_error_match_sklearn():
    docs = [b"caf\xe9 na\xefve caf\xe9", b"r\xe9sum\xe9 ok"]
    for kw in ({"encoding": "latin-1"}, {"decode_error": "ignore"}, {"decode_error": "replace"}):
        _same(gt.CountVectorizer(**kw), skt.CountVectorizer(**kw), docs=docs, new=docs[:1])
    with pytest.raises(UnicodeDecodeError):
        gt.CountVectorizer().fit(docs)


def test_nlp_tfidf_callables_replace_their_step_as_in_sklearn():
    def pre(doc):
        return doc.replace("e", "x")

    def tok(doc):
        return doc.split(" ")

    def ana(doc):
        return [w[::-1] for w in doc.split()]

    for kw in ({"preprocessor": pre}, {"tokenizer": tok}, {"analyzer": ana}):
        _same(gt.CountVectorizer(**kw), skt.CountVectorizer(**kw))
    # a callable analyzer still decodes bytes first
    cv = gt.CountVectorizer(analyzer=ana).fit([b"ab cd"])
    assert cv.vocabulary_ == {"ba": 0, "dc": 1}


def test_nlp_tfidf_strip_accents_functions_and_stop_lists_match_sklearn():
    for s in ("café", "naïve résumé", "plain", "ﬁ Ǆ"):
        assert gt.strip_accents_unicode(s) == skt.strip_accents_unicode(s)
        assert gt.strip_accents_ascii(s) == skt.strip_accents_ascii(s)
    for stop in (None, "english", ["a", "b"]):
        assert gt.CountVectorizer(stop_words=stop).get_stop_words() == (
            skt.CountVectorizer(stop_words=stop).get_stop_words()
        )
    with pytest.raises(ValueError, match="not a built-in stop list"):
        gt.CountVectorizer(stop_words="french").fit(DOCS)


@pytest.mark.parametrize(
    "vocab",
    [
        ["ee", "aa", "zz"],
        {"ee": 1, "aa": 0, "zz": 2},
        {"gg", "aa", "dd", "ee"},  # a set: sorted
        ("bb",),
    ],
    ids=["list", "dict", "set", "tuple"],  # a set's str() varies between workers
)
def test_nlp_tfidf_fixed_vocabulary_matches_sklearn(vocab):
    for kw in ({}, {"min_df": 3, "max_features": 1}, {"binary": True}):
        _same(
            gt.CountVectorizer(vocabulary=vocab, **kw), skt.CountVectorizer(vocabulary=vocab, **kw)
        )
        _same(
            gt.TfidfVectorizer(vocabulary=vocab, **kw), skt.TfidfVectorizer(vocabulary=vocab, **kw)
        )


def test_nlp_tfidf_stop_words_attribute_lists_the_pruned_terms():
    cv = gt.CountVectorizer(min_df=2, max_df=4).fit(DOCS)
    assert cv.stop_words_ == {"aa", "ff", "gg", "ee", "the", "and"}  # df 1, 1, 1, 6, 1, 1
    assert gt.CountVectorizer(vocabulary=["aa"]).fit(DOCS).stop_words_ == set()


def test_nlp_tfidf_frequency_tf_and_idf_base_closed_form():
    # tf = count / document length, idf = log_b(N / df)
    docs = ["spam spam eggs", "eggs ham", "ham"]
    tv = gt.TfidfVectorizer(tf="frequency", idf_base=10, norm=None).fit(docs)
    X = tv.transform(docs).toarray()
    v = tv.vocabulary_
    np.testing.assert_allclose(tv.idf_[[v["eggs"], v["ham"], v["spam"]]], np.log10([1.5, 1.5, 3]))
    np.testing.assert_allclose(X[0, v["spam"]], 2 / 3 * np.log10(3), rtol=1e-12)
    np.testing.assert_allclose(X[1, v["ham"]], 1 / 2 * np.log10(1.5), rtol=1e-12)
    # natural-log base and the plain count tf
    tv = gt.TfidfVectorizer(idf_base=np.e, norm=None).fit(docs)
    np.testing.assert_allclose(tv.transform(docs).toarray()[0, v["spam"]], 2 * np.log(3))
    # the worked example: 3 times in a 100-word document, in 10³ of 10⁷ documents
    tt = gt.TfidfTransformer(tf="frequency", idf_base=10, norm=None)
    tt.fit(sp.csr_matrix(np.array([[3.0, 97.0]]))).idf_ = np.array([4.0, 0.0])
    assert tt.transform(np.array([[3.0, 97.0]]))[0, 0] == pytest.approx(0.12)
    # a vocabulary term in no document gets idf 0 with idf_base (not inf)
    tv = gt.TfidfVectorizer(vocabulary=["ham", "zzz"], idf_base=2, norm="l1").fit(docs)
    np.testing.assert_array_equal(tv.idf_, [np.log2(1.5), 0.0])
    np.testing.assert_allclose(tv.transform(["ham zzz"]).toarray(), [[1.0, 0.0]])


def test_nlp_tfidf_transformer_input_forms_match_sklearn():
    dense = np.array([[0.1, 2.0, 0.0], [0.0, 0.0, 0.0], [3.0, 0.5, 1.0], [1.0, 0.0, 4.0]])
    coo = sp.coo_matrix(  # duplicates summed
        (np.array([1.0, 1.0, 2.0]), (np.array([0, 0, 2]), np.array([1, 1, 0]))), shape=(3, 3)
    )
    for X in (dense, sp.csr_matrix(dense), sp.csc_matrix(dense), coo):
        for kw in ({"sublinear_tf": True, "norm": "l1"}, {"smooth_idf": False}, {"norm": None}):
            ours, ref = gt.TfidfTransformer(**kw).fit(X), skt.TfidfTransformer(**kw).fit(X)
            np.testing.assert_allclose(
                ours.transform(X).toarray(), ref.transform(X).toarray(), rtol=1e-12
            )
            np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-12)
    # an explicitly stored zero is no occurrence (df and sublinear tf as without it)
    zero = sp.csr_matrix((np.array([2.0, 0.0]), np.array([0, 1]), np.array([0, 2, 2])), (2, 2))
    tt = gt.TfidfTransformer(sublinear_tf=True).fit(zero)
    np.testing.assert_allclose(tt.idf_, [np.log(3 / 2) + 1, np.log(3 / 1) + 1], rtol=1e-12)
    np.testing.assert_allclose(tt.transform(zero).toarray(), [[1.0, 0.0], [0.0, 0.0]])
    X = sp.csr_matrix(dense)
    before = X.copy()
    gt.TfidfTransformer(sublinear_tf=True).fit(X).transform(X)
    np.testing.assert_array_equal(X.toarray(), before.toarray())  # caller's matrix untouched


@pytest.mark.parametrize(
    ("make", "err", "match"),
    [
        (lambda: gt.CountVectorizer().fit("one string"), ValueError, "string object"),
        (lambda: gt.CountVectorizer().fit([1, 2]), ValueError, "must be a str"),
        (lambda: gt.CountVectorizer(input="filename").fit(DOCS), ValueError, "input"),
        (lambda: gt.CountVectorizer(analyzer="words").fit(DOCS), ValueError, "analyzer"),
        (lambda: gt.CountVectorizer(strip_accents="latin").fit(DOCS), ValueError, "strip"),
        (lambda: gt.CountVectorizer(ngram_range=(2, 1)).fit(DOCS), ValueError, "ngram_range"),
        (lambda: gt.CountVectorizer(ngram_range=(0, 1)).fit(DOCS), ValueError, "ngram_range"),
        (lambda: gt.CountVectorizer(ngram_range=(1.0, 2)).fit(DOCS), ValueError, "ngram_range"),
        (lambda: gt.CountVectorizer(token_pattern=r"(a)(b)").fit(DOCS), ValueError, "group"),
        (lambda: gt.CountVectorizer(stop_words="english").fit(["the a"]), ValueError, "empty"),
        (lambda: gt.CountVectorizer(min_df=1.5).fit(DOCS), ValueError, "min_df"),
        (lambda: gt.CountVectorizer(min_df=0).fit(DOCS), ValueError, "min_df"),
        (lambda: gt.CountVectorizer(max_df=-0.1).fit(DOCS), ValueError, "max_df"),
        (lambda: gt.CountVectorizer(max_df="1").fit(DOCS), ValueError, "max_df"),
        (lambda: gt.CountVectorizer(min_df=3, max_df=2).fit(DOCS), ValueError, "max_df"),
        (lambda: gt.CountVectorizer(min_df=0.9, max_df=0.2).fit(DOCS), ValueError, "max_df"),
        (lambda: gt.CountVectorizer(min_df=6, max_df=5).fit(DOCS), ValueError, "max_df"),
        (lambda: gt.CountVectorizer(min_df=5, max_df=5).fit(DOCS), ValueError, "no terms"),
        (lambda: gt.CountVectorizer(max_features=0).fit(DOCS), ValueError, "max_features"),
        (lambda: gt.CountVectorizer(max_features=2.0).fit(DOCS), ValueError, "max_features"),
        (lambda: gt.CountVectorizer(max_features=-1).fit(DOCS), ValueError, "max_features"),
        (lambda: gt.CountVectorizer(vocabulary={"a": 0, "b": 2}).fit(DOCS), ValueError, "indices"),
        (lambda: gt.CountVectorizer(vocabulary=["a", "a"]).fit(DOCS), ValueError, "Duplicate"),
        (lambda: gt.CountVectorizer(vocabulary=[]).fit(DOCS), ValueError, "empty vocabulary"),
        (lambda: gt.CountVectorizer().transform(DOCS), NotFittedError, ""),
        (lambda: gt.TfidfVectorizer().transform(DOCS), NotFittedError, ""),
        (lambda: gt.TfidfVectorizer().idf_, NotFittedError, ""),
        (lambda: gt.TfidfVectorizer(norm="max").fit(DOCS), ValueError, "norm"),
        (lambda: gt.TfidfVectorizer(tf="log").fit(DOCS), ValueError, "tf"),
        (lambda: gt.TfidfVectorizer(tf="frequency", sublinear_tf=True).fit(DOCS), ValueError, ""),
        (lambda: gt.TfidfVectorizer(idf_base=1).fit(DOCS), ValueError, "idf_base"),
        (lambda: gt.TfidfVectorizer(idf_base=0).fit(DOCS), ValueError, "idf_base"),
        (lambda: gt.TfidfVectorizer(idf_base=-2.0).fit(DOCS), ValueError, "idf_base"),
        (lambda: gt.TfidfTransformer().fit(np.ones(3)), ValueError, "2D"),
        (lambda: gt.TfidfTransformer().fit(np.array([[np.nan, 1.0]])), ValueError, "NaN"),
        (lambda: gt.TfidfTransformer().fit(np.array([[-1.0, 1.0]])), ValueError, "non-negative"),
        (
            lambda: gt.TfidfTransformer().fit(np.ones((2, 3))).transform(np.ones((2, 2))),
            ValueError,
            "3 features",
        ),
        (lambda: gt.TfidfTransformer().transform(np.ones((2, 2))), NotFittedError, ""),
    ],
)
def test_nlp_tfidf_bad_input_raises_a_clear_error(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_nlp_tfidf_boundary_limits_are_accepted():
    # the closed ends sklearn accepts: min_df=0.0, max_df=1.0 / 0.0-fraction edges, idf_base 0.5
    for kw in ({"min_df": 0.0}, {"max_df": 1.0, "min_df": 1}, {"min_df": 6, "max_df": 6}):
        _same(gt.CountVectorizer(**kw), skt.CountVectorizer(**kw))
    X = gt.TfidfVectorizer(idf_base=0.5, norm=None).fit_transform(["a1 b2", "a1"])
    assert np.all(np.isfinite(X.toarray()))
