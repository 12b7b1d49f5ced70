"""NLP-TFIDF (count / TF-IDF features vs scikit-learn, the worked example) and NLP-SPAM."""

import numpy as np
import pytest
import scipy.sparse as sp

from gradkit.ml.feature_extraction.text import (
    CountVectorizer,
    TfidfTransformer,
    TfidfVectorizer,
)
from needs_data import load_sms_spam_or_skip

pytest.importorskip("sklearn")
from sklearn.feature_extraction.text import CountVectorizer as SkCountVectorizer  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidfVectorizer  # noqa: E402


@pytest.fixture(scope="module")
def sms():
    return load_sms_spam_or_skip()


def test_nlp_spam_loader(sms):
    texts, labels = sms
    assert len(texts) == len(labels) == 5574
    assert (labels == "spam").sum() == 747 and (labels == "ham").sum() == 4827
    assert texts[0].startswith("Go until jurong point")


def test_nlp_tfidf_default_matches_sklearn_on_sms_spam(sms):
    """Acceptance: TF-IDF matrix within 1e-10 of scikit-learn's with default options."""
    texts, _ = sms
    ours = TfidfVectorizer()
    ref = SkTfidfVectorizer()
    A, B = ours.fit_transform(texts), ref.fit_transform(texts)
    assert sp.issparse(A) and A.shape == B.shape == (5574, 8713)
    assert ours.vocabulary_ == ref.vocabulary_
    np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-12)
    assert abs(A - B).max() < 1e-10
    assert abs(ours.transform(texts[:50]) - ref.transform(texts[:50])).max() < 1e-10


@pytest.mark.parametrize(
    "kw",
    [
        {"sublinear_tf": True},
        {"smooth_idf": False, "norm": "l1"},
        {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.5},
        {"analyzer": "char_wb", "ngram_range": (2, 3)},
        {"analyzer": "char", "ngram_range": (1, 2), "lowercase": False},
        {"stop_words": ["the", "to", "you"], "binary": True, "strip_accents": "unicode"},
        {"stop_words": "english", "ngram_range": (1, 2)},
        {"use_idf": False},
    ],
)
def test_nlp_tfidf_options_match_sklearn(sms, kw):
    texts = sms[0][:1500]
    ours, ref = TfidfVectorizer(**kw), SkTfidfVectorizer(**kw)
    A, B = ours.fit_transform(texts), ref.fit_transform(texts)
    assert ours.vocabulary_ == ref.vocabulary_
    assert abs(A - B).max() < 1e-10


def test_nlp_tfidf_stop_words_names():
    """NLP-TFIDF: "english" is scikit-learn's list; another name is refused, naming it."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    assert TfidfVectorizer(stop_words="english").get_stop_words() == ENGLISH_STOP_WORDS
    assert CountVectorizer().get_stop_words() is None
    assert CountVectorizer(stop_words=["a", "b"]).get_stop_words() == {"a", "b"}
    with pytest.raises(ValueError, match="not a built-in stop list: 'french'.*'english'"):
        CountVectorizer(stop_words="french").fit(["some text here"])


def test_nlp_tfidf_counts_match_sklearn(sms):
    texts = sms[0]
    A = CountVectorizer().fit_transform(texts)
    B = SkCountVectorizer().fit_transform(texts)
    assert A.dtype == B.dtype and (A != B).nnz == 0
    vocab = ["free", "call", "txt", "zzz-not-a-word"]
    A = CountVectorizer(vocabulary=vocab).fit_transform(texts)
    B = SkCountVectorizer(vocabulary=vocab).fit_transform(texts)
    assert (A != B).nnz == 0
    cv = CountVectorizer(max_features=50).fit(texts)
    counts = np.asarray(CountVectorizer().fit_transform(texts).sum(axis=0)).ravel()
    assert len(cv.vocabulary_) == 50
    assert (
        min(counts[CountVectorizer().fit(texts).vocabulary_[t]] for t in cv.vocabulary_)
        >= (np.sort(counts)[-50])
    )


def test_nlp_tfidf_textbook_worked_example():
    """NLP-TFIDF: tf = 3/100, idf = log10(10⁷/10³) = 4, tf·idf = 0.12.

    N/df = 10⁴ is kept with N = 10⁵ documents of which df = 10 contain the term.
    """
    n_docs = 100_000
    rows = [0, 0] + list(range(1, 10)) + list(range(10, n_docs))
    cols = [0, 1] + [0] * 9 + [1] * (n_docs - 10)
    vals = [3, 97] + [1] * 9 + [1] * (n_docs - 10)
    counts = sp.csr_matrix((vals, (rows, cols)), shape=(n_docs, 2))
    W = TfidfTransformer(tf="frequency", idf_base=10, norm=None).fit_transform(counts)
    assert W[0, 0] == pytest.approx(0.12, rel=1e-12)
    # the same through the vectorizer on a small corpus: tf 2/3, idf log10(3/1)
    tv = TfidfVectorizer(tf="frequency", idf_base=10, norm=None)
    X = tv.fit_transform(["whale whale sea", "sea ship", "ship"])
    assert X[0, tv.vocabulary_["whale"]] == pytest.approx(2 / 3 * np.log10(3), rel=1e-12)
    with pytest.raises(ValueError, match="valid choices"):
        TfidfVectorizer(norm="l3").fit(["a b"])
    with pytest.raises(ValueError, match="string object received"):
        CountVectorizer().fit("just one string")


@pytest.mark.slow
def test_nlp_spam_multinomial_nb_tfidf_cv_accuracy(sms):
    """NLP-SPAM acceptance: TF-IDF + multinomial naive Bayes ≥ 97% under 5-fold CV."""
    from gradkit.ml.model_selection import StratifiedKFold, cross_val_score
    from gradkit.ml.naive_bayes import MultinomialNB
    from gradkit.ml.pipeline import Pipeline

    texts, labels = sms
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("nb", MultinomialNB(alpha=0.1))])
    scores = cross_val_score(
        pipe, texts, labels == "spam", cv=StratifiedKFold(5, shuffle=True, random_state=0)
    )
    print(f"SMS spam, TF-IDF + MultinomialNB, 5-fold CV accuracy {scores.mean():.4f}")
    assert scores.mean() >= 0.97, scores
