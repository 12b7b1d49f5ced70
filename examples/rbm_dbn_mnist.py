"""RBM features + logistic regression, and a DBN, on binarized MNIST (GEN-RBM, GEN-DBN).

Run: GRADKIT_DATA=../shared/data python examples/rbm_dbn_mnist.py
Prints the RBM's pseudo-log-likelihood per epoch against scikit-learn's BernoulliRBM
(same hyperparameters), the test accuracy of logistic regression on the RBM features, and
the test accuracy of a two-RBM DBN after fine-tuning.
"""

import time

import numpy as np

from gradkit.data import load_mnist
from gradkit.ml.linear_model import LogisticRegression
from gradkit.models.rbm import DBN, RBM

X, y = load_mnist("train", flatten=True)
Xt, yt = load_mnist("test", flatten=True)
Xb, Xtb = (X > 0.5).astype(np.float32), (Xt > 0.5).astype(np.float32)

t = time.time()
rbm = RBM(256, learning_rate=0.05, batch_size=20, n_iter=4, momentum=0.5, random_state=0)
rbm.fit(Xb)
pll = np.round(rbm.history_["pseudo_log_likelihood"], 2)
print(f"RBM: PLL per epoch {pll} ({time.time() - t:.0f} s)")
flip = np.random.default_rng(1).integers(0, 784, len(Xtb))
print(f"RBM: test PLL {rbm.score_samples(Xtb, flip=flip).mean():.2f}")
t = time.time()
clf = LogisticRegression(C=1.0, solver="lbfgs", max_iter=300).fit(
    rbm.transform(Xb).astype(np.float64), y
)
acc = clf.score(rbm.transform(Xtb).astype(np.float64), yt)
print(f"RBM features + logistic regression: test accuracy {acc:.4f} ({time.time() - t:.0f} s)")

t = time.time()
dbn = DBN(
    hidden_layer_sizes=(500, 500),
    rbm_learning_rate=0.05,
    rbm_batch_size=20,
    rbm_n_iter=2,
    finetune_epochs=10,
    finetune_lr=0.1,
    finetune_batch_size=64,
    random_state=0,
    verbose=False,
).fit(Xb, y)
print(
    f"DBN 784-500-500-10: test accuracy {(dbn.predict(Xtb) == yt).mean():.4f}",
    f"({time.time() - t:.0f} s)",
)
