"""APP (recommendation): the RBM collaborative filter recovers held-out likes of a rating
matrix with known taste structure far better than item popularity."""

import numpy as np

from gradkit.models.recommend import RBMRecommender, make_taste_ratings


def test_rbm_recommender_beats_popularity():
    R, full = make_taste_ratings(n_users=100, random_state=0)
    rec = RBMRecommender(n_components=4, n_iter=200, learning_rate=0.1, random_state=0).fit(R)
    missing = np.isnan(R)
    acc = ((rec.predict_proba(R) > 0.5) == full)[missing].mean()
    popular = np.broadcast_to(np.nanmean(R, axis=0) > 0.5, R.shape)
    base = (popular == full)[missing].mean()
    print(f"held-out accuracy: RBM {acc:.3f}, item popularity {base:.3f}")
    assert acc >= 0.85 and acc > base + 0.2  # 10% of ratings are flipped: 0.9 is the ceiling
    top = rec.recommend(R, n=2)
    assert top.shape == (100, 2)
    enough = missing.sum(axis=1) >= 2  # users with two unseen items get two unseen items
    assert missing[np.arange(100)[:, None], top][enough].all()
