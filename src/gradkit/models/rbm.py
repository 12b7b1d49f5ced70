"""Restricted Boltzmann machine and deep belief network (concepts GEN-RBM, GEN-DBN).

A Bernoulli RBM has binary visible units v ∈ {0, 1}^D and hidden units h ∈ {0, 1}^H
joined by weights W (H × D), with no links inside a layer. Its energy and free energy:

    E(v, h) = −bᵀv − cᵀh − hᵀW v
    F(v)    = −log Σ_h e^{−E(v, h)} = −bᵀv − Σ_j softplus(c_j + W_j v)

and p(v) = e^{−F(v)} / Z. Both conditionals factorize:
p(h_j = 1 | v) = σ(c_j + W_j v), p(v_i = 1 | h) = σ(b_i + W_{:,i}ᵀ h).

The log-likelihood gradient is ⟨v hᵀ⟩_data − ⟨v hᵀ⟩_model. Contrastive divergence
(CD-k) estimates the model term by k Gibbs steps started at the data; persistent CD
(PCD) keeps the negative chains running across mini-batches instead of restarting them.
"""

from __future__ import annotations

import numpy as np

from gradkit.ml.base import (
    BaseEstimator,
    ClassifierMixin,
    TransformerMixin,
    check_array,
    check_is_fitted,
    check_random_state,
)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e^{−x}) without overflow."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _bernoulli(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sample binary states with P(1) = p, in p's dtype."""
    return (rng.random(p.shape, dtype=p.dtype) < p).astype(p.dtype)


class RBM(TransformerMixin, BaseEstimator):
    """Bernoulli restricted Boltzmann machine trained by CD-k or persistent CD (GEN-RBM).

    Energy E(v, h) = −bᵀv − cᵀh − hᵀWv; free energy
    F(v) = −bᵀv − Σ_j log(1 + exp(c_j + W_j v)). One update on a mini-batch V of size B:

        h⁰ = σ(c + V Wᵀ)                      (positive phase, probabilities)
        v^k, h^k after k Gibbs steps from V (CD-k) or from the persistent chains (PCD)
        W ← W + η (h⁰ᵀ V − h^kᵀ v^k) / B
        b ← b + η Σ(V − v^k) / B,   c ← c + η Σ(h⁰ − h^k) / B

    with sampled visible states v^k and hidden probabilities h^k, as in
    :class:`sklearn.neural_network.BernoulliRBM` (which is PCD-1 with B chains).

    Parameters
    ----------
    n_components : int
        Number of hidden units H.
    learning_rate : float
        η, applied to the mini-batch mean of the gradient estimate.
    batch_size : int
    n_iter : int
        Epochs over the training data.
    k : int
        Gibbs steps per update (CD-k / PCD-k).
    persistent : bool
        Persistent CD: the negative chains continue from the previous update.
    momentum, weight_decay : float
        Classical momentum on the updates and an L2 penalty on W.
    random_state : None, int or Generator
    verbose : bool
        Print the pseudo-log-likelihood after each epoch.

    Attributes
    ----------
    components_ : ndarray, shape (H, D)
        W.
    intercept_hidden_ : ndarray, shape (H,)
        c.
    intercept_visible_ : ndarray, shape (D,)
        b.
    h_samples_ : ndarray, shape (batch_size, H)
        The persistent chains' hidden states (PCD).
    history_ : dict
        ``"pseudo_log_likelihood"``: the mean PLL of a fixed subset (up to 1,000 rows)
        of the training data after each epoch, with fixed flipped bits, so epochs compare.

    Examples
    --------
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    >>> rbm = RBM(n_components=2, n_iter=5, random_state=0).fit(X)
    >>> rbm.transform(X).shape
    (4, 2)
    """

    def __init__(
        self,
        n_components: int = 256,
        learning_rate: float = 0.1,
        batch_size: int = 10,
        n_iter: int = 10,
        k: int = 1,
        persistent: bool = False,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        random_state=None,
        verbose: bool = False,
    ) -> None:
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ conditionals
    def _mean_hiddens(self, v: np.ndarray) -> np.ndarray:
        return _sigmoid(v @ self.components_.T + self.intercept_hidden_)

    def _mean_visibles(self, h: np.ndarray) -> np.ndarray:
        return _sigmoid(h @ self.components_ + self.intercept_visible_)

    def transform(self, X) -> np.ndarray:
        """Hidden probabilities p(h = 1 | v) = σ(c + V Wᵀ), shape (N, H)."""
        check_is_fitted(self)
        return self._mean_hiddens(self._check_X(X, reset=False))

    def inverse_transform(self, H) -> np.ndarray:
        """Visible probabilities p(v = 1 | h) = σ(b + H W), shape (N, D)."""
        check_is_fitted(self)
        return self._mean_visibles(np.asarray(H, dtype=self.components_.dtype))

    def free_energy(self, X) -> np.ndarray:
        """F(v) = −bᵀv − Σ_j softplus(c_j + W_j v) for each row, shape (N,)."""
        check_is_fitted(self)
        return self._free_energy(self._check_X(X, reset=False))

    def _free_energy(self, v: np.ndarray) -> np.ndarray:
        return -(v @ self.intercept_visible_) - np.logaddexp(
            0, v @ self.components_.T + self.intercept_hidden_
        ).sum(axis=1)

    def gibbs(self, v, n_steps: int = 1, random_state=None) -> np.ndarray:
        """Run ``n_steps`` of block Gibbs sampling v → h ~ p(h|v) → v ~ p(v|h).

        Returns the sampled visible states, shape (N, D).
        """
        check_is_fitted(self)
        if random_state is not None:
            rng = check_random_state(random_state)
        else:
            if not hasattr(self, "_rng"):
                self._rng = check_random_state(self.random_state)
            rng = self._rng
        v = self._check_X(v, reset=False)
        for _ in range(n_steps):
            h = _bernoulli(self._mean_hiddens(v), rng)
            v = _bernoulli(self._mean_visibles(h), rng)
        return v

    def score_samples(self, X, flip=None) -> np.ndarray:
        """Pseudo-log-likelihood as :meth:`sklearn.neural_network.BernoulliRBM.score_samples`
        defines it: with ṽ the row v with one bit i flipped,

            PLL(v) = D · log σ(F(ṽ) − F(v))

        an unbiased one-sample estimate of Σ_i log p(v_i | v_{−i}).

        Parameters
        ----------
        X : array_like, shape (N, D)
            Binary rows.
        flip : array_like of int, shape (N,), optional
            Which bit to flip in each row; drawn from ``random_state`` when omitted
            (so repeated calls with an int ``random_state`` agree).
        """
        check_is_fitted(self)
        v = self._check_X(X, reset=False)
        if flip is None:
            flip = check_random_state(self.random_state).integers(0, v.shape[1], v.shape[0])
        rows = np.arange(v.shape[0])
        v_flip = v.copy()
        v_flip[rows, flip] = 1 - v_flip[rows, flip]
        diff = self._free_energy(v_flip) - self._free_energy(v)
        return -v.shape[1] * np.logaddexp(0, -diff)

    def score(self, X, y=None) -> float:
        """Mean pseudo-log-likelihood of the rows of X."""
        return float(self.score_samples(X).mean())

    # ------------------------------------------------------------------ training
    def _check_X(self, X, reset: bool) -> np.ndarray:
        X = check_array(X, dtype=None)
        if X.dtype.kind != "f":
            X = X.astype(np.float64)
        if not reset and X.shape[1] != self.components_.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} features but the RBM was fitted with "
                f"{self.components_.shape[1]}."
            )
        if X.size and (X.min() < 0 or X.max() > 1):
            raise ValueError("RBM expects values in [0, 1] (binary or probabilities).")
        return X

    def _init_params(self, n_features: int, dtype) -> None:
        rng = self._rng
        self.components_ = (0.01 * rng.standard_normal((self.n_components, n_features))).astype(
            dtype
        )
        self.intercept_hidden_ = np.zeros(self.n_components, dtype=dtype)
        self.intercept_visible_ = np.zeros(n_features, dtype=dtype)
        self.h_samples_ = np.zeros((self.batch_size, self.n_components), dtype=dtype)
        self._velocity = [
            np.zeros_like(self.components_),
            np.zeros_like(self.intercept_hidden_),
            np.zeros_like(self.intercept_visible_),
        ]

    def _negative_phase(self, v_pos: np.ndarray, h_pos: np.ndarray):
        """The model-side statistics (v^k sampled, h^k probabilities)."""
        rng = self._rng
        if self.persistent:
            h = self.h_samples_[: len(v_pos)]
        else:
            h = _bernoulli(h_pos, rng)
        for step in range(self.k):
            v_neg = _bernoulli(self._mean_visibles(h), rng)
            h_neg = self._mean_hiddens(v_neg)
            if step + 1 < self.k:
                h = _bernoulli(h_neg, rng)
        if self.persistent:
            self.h_samples_[: len(v_pos)] = _bernoulli(h_neg, rng)
        return v_neg, h_neg

    def _update(self, v_pos: np.ndarray) -> None:
        h_pos = self._mean_hiddens(v_pos)
        v_neg, h_neg = self._negative_phase(v_pos, h_pos)
        lr = self.learning_rate / len(v_pos)
        grads = (
            h_pos.T @ v_pos - h_neg.T @ v_neg,
            h_pos.sum(axis=0) - h_neg.sum(axis=0),
            v_pos.sum(axis=0) - v_neg.sum(axis=0),
        )
        params = (self.components_, self.intercept_hidden_, self.intercept_visible_)
        for i, (p, g, vel) in enumerate(zip(params, grads, self._velocity)):
            step = lr * g
            if i == 0 and self.weight_decay:
                step -= self.learning_rate * self.weight_decay * p
            if self.momentum:
                vel *= self.momentum
                vel += step
                step = vel
            p += step

    def partial_fit(self, X, y=None) -> RBM:
        """One update on the mini-batch X (initializing the model on the first call)."""
        first = not hasattr(self, "components_")
        X = self._check_X(X, reset=first)
        if first:
            self._rng = check_random_state(self.random_state)
            self._init_params(X.shape[1], X.dtype)
        self._update(X)
        return self

    def fit(self, X, y=None) -> RBM:
        """Train for ``n_iter`` epochs of shuffled mini-batches; returns self."""
        X = self._check_X(X, reset=True)
        self._rng = check_random_state(self.random_state)
        self._init_params(X.shape[1], X.dtype)
        n = X.shape[0]
        monitor = X[: min(n, 1000)]
        flip = self._rng.integers(0, X.shape[1], len(monitor))
        self.history_ = {"pseudo_log_likelihood": []}
        for epoch in range(self.n_iter):
            order = self._rng.permutation(n)
            for start in range(0, n, self.batch_size):
                self._update(X[order[start : start + self.batch_size]])
            pll = float(self.score_samples(monitor, flip=flip).mean())
            self.history_["pseudo_log_likelihood"].append(pll)
            if self.verbose:
                print(f"[RBM] epoch {epoch + 1}/{self.n_iter}, pseudo-log-likelihood {pll:.2f}")
        return self

    def sample(self, n_samples: int, n_steps: int = 1000, random_state=None) -> np.ndarray:
        """Draw visible samples by ``n_steps`` of Gibbs sampling from random visible
        states, shape (n_samples, D)."""
        check_is_fitted(self)
        rng = check_random_state(random_state)
        v0 = (rng.random((n_samples, self.components_.shape[1])) < 0.5).astype(
            self.components_.dtype
        )
        return self.gibbs(v0, n_steps=n_steps, random_state=rng)


class DBN(ClassifierMixin, BaseEstimator):
    """Deep belief network: greedily stacked RBMs, then supervised fine-tuning (GEN-DBN).

    Pre-training (Hinton, Osindero & Teh 2006): RBM 1 models the data; RBM l models the
    hidden probabilities p(h^{l−1} = 1 | ·) of RBM l − 1 on the training set. Fine-tuning
    turns the stack into a sigmoid network x → σ(W_1 x + c_1) → … → softmax(V h_L + a),
    initialized from the RBMs' (W_l, c_l), and trains all of it by back-propagation of
    the cross-entropy with the ``gradkit.nn`` / ``gradkit.train`` stack.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int
        Hidden units of each RBM, bottom first.
    rbm_learning_rate, rbm_batch_size, rbm_n_iter, k, persistent
        Passed to each :class:`RBM`.
    finetune_epochs, finetune_lr, finetune_momentum, finetune_batch_size
        SGD with momentum on the cross-entropy.
    random_state : None or int
    verbose : bool

    Attributes
    ----------
    rbms_ : list of RBM
    module_ : gradkit.nn.Sequential
        The fine-tuned network (outputs logits).
    classes_ : ndarray
    """

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (256, 256),
        rbm_learning_rate: float = 0.1,
        rbm_batch_size: int = 10,
        rbm_n_iter: int = 10,
        k: int = 1,
        persistent: bool = False,
        finetune_epochs: int = 10,
        finetune_lr: float = 0.1,
        finetune_momentum: float = 0.9,
        finetune_batch_size: int = 64,
        random_state: int | None = None,
        verbose: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.rbm_learning_rate = rbm_learning_rate
        self.rbm_batch_size = rbm_batch_size
        self.rbm_n_iter = rbm_n_iter
        self.k = k
        self.persistent = persistent
        self.finetune_epochs = finetune_epochs
        self.finetune_lr = finetune_lr
        self.finetune_momentum = finetune_momentum
        self.finetune_batch_size = finetune_batch_size
        self.random_state = random_state
        self.verbose = verbose

    def pretrain(self, X) -> DBN:
        """Greedy layer-wise training of the RBM stack on X (no labels); returns self."""
        X = check_array(X, dtype=np.float32)
        seeds = np.random.SeedSequence(self.random_state).spawn(len(self.hidden_layer_sizes))
        self.rbms_ = []
        layer_input = X
        for size, seed in zip(self.hidden_layer_sizes, seeds):
            rbm = RBM(
                n_components=size,
                learning_rate=self.rbm_learning_rate,
                batch_size=self.rbm_batch_size,
                n_iter=self.rbm_n_iter,
                k=self.k,
                persistent=self.persistent,
                random_state=np.random.default_rng(seed),
                verbose=self.verbose,
            ).fit(layer_input)
            self.rbms_.append(rbm)
            layer_input = rbm.transform(layer_input)
        return self

    def transform(self, X) -> np.ndarray:
        """The top RBM's hidden probabilities after one deterministic up-pass."""
        check_is_fitted(self, "rbms_")
        out = check_array(X, dtype=np.float32)
        for rbm in self.rbms_:
            out = rbm.transform(out)
        return out

    def to_module(self, n_classes: int):
        """The pre-trained stack as ``Sequential(Linear, Sigmoid, …, Linear(H_L, n_classes))``."""
        from gradkit import nn

        check_is_fitted(self, "rbms_")
        layers = []
        for rbm in self.rbms_:
            lin = nn.Linear(rbm.components_.shape[1], rbm.n_components)
            lin.weight._data[...] = rbm.components_
            lin.bias._data[...] = rbm.intercept_hidden_
            layers += [lin, nn.Sigmoid()]
        head = nn.Linear(self.rbms_[-1].n_components, n_classes)
        rng = np.random.default_rng(self.random_state)
        head.weight._data[...] = 0.01 * rng.standard_normal(head.weight.shape)
        head.bias._data[...] = 0
        return nn.Sequential(*layers, head)

    def fit(self, X, y) -> DBN:
        """Pre-train the RBMs on X, then fine-tune the whole network on (X, y)."""
        from gradkit.ml.base import check_X_y, encode_labels
        from gradkit.optim import SGD
        from gradkit.train import Model

        X, y = check_X_y(X, y, dtype=np.float32)
        self.classes_, codes = encode_labels(y)
        self.pretrain(X)
        self.module_ = self.to_module(len(self.classes_))
        model = Model(self.module_)
        opt = SGD(
            list(self.module_.parameters()), lr=self.finetune_lr, momentum=self.finetune_momentum
        )
        model.compile(optimizer=opt, loss="cross_entropy", metrics=["accuracy"])
        self.history_ = model.fit(
            X,
            codes.astype(np.int64),
            epochs=self.finetune_epochs,
            batch_size=self.finetune_batch_size,
            verbose=int(self.verbose),
            seed=self.random_state,
        ).history
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities softmax(network(X)), shape (N, n_classes)."""
        from gradkit.tensor import Tensor, no_grad

        check_is_fitted(self, "module_")
        X = check_array(X, dtype=np.float32)
        self.module_.eval()
        with no_grad():
            logits = self.module_(Tensor(X))._data
        logits = logits - logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
