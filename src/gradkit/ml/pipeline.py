"""``Pipeline``: chain transformers and a final estimator behind one fit/predict."""

from __future__ import annotations

from .base import BaseEstimator, check_is_fitted
from .utils.metaestimators import available_if


def _final_has(attr: str):
    """available_if check: the final step has ``attr``."""

    def check(self) -> bool:
        return hasattr(self._final, attr)

    return check


def _can_transform(self) -> bool:
    return self._final is None or hasattr(self._final, "transform")


def _can_inverse_transform(self) -> bool:
    return all(
        hasattr(step, "inverse_transform")
        for _, step in self.steps
        if step is not None and step != "passthrough"
    )


class Pipeline(BaseEstimator):
    """Apply transformers in sequence, then the final estimator.

    ``fit`` calls ``fit_transform`` on every step but the last, and ``fit`` on the last;
    ``predict`` / ``transform`` / ``score`` push X through the fitted transformers first.
    Parameters of a step are addressed as ``<step name>__<param>`` (e.g. in a grid
    search); a step may be replaced by setting ``<step name>`` or disabled with
    'passthrough' / None.

    Examples
    --------
    >>> from gradkit.ml.preprocessing import StandardScaler
    >>> from gradkit.ml.decomposition import PCA
    >>> pipe = Pipeline([("scale", StandardScaler()), ("pca", PCA(n_components=1))])
    >>> pipe.fit_transform([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]).shape
    (3, 1)
    """

    def __init__(self, steps: list, *, verbose: bool = False):
        self.steps = steps
        self.verbose = verbose

    def _validate_steps(self) -> None:
        names = [name for name, _ in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"Names provided are not unique: {names!r}")
        for name in names:
            if "__" in name:
                raise ValueError(f"Step names must not contain __: got {name!r}")
        for name, step in self.steps[:-1]:
            if step is None or step == "passthrough":
                continue
            if not (hasattr(step, "fit") and hasattr(step, "transform")):
                raise TypeError(
                    f"All intermediate steps should be transformers with fit and transform; "
                    f"{name!r} ({step!r}) is not."
                )

    @property
    def named_steps(self) -> dict:
        return dict(self.steps)

    @property
    def _final(self):
        est = self.steps[-1][1]
        return None if est == "passthrough" else est

    def _transformers(self):
        for _, step in self.steps[:-1]:
            if step is not None and step != "passthrough":
                yield step

    def get_params(self, deep: bool = True) -> dict:
        out = {"steps": self.steps, "verbose": self.verbose}
        if deep:
            for name, step in self.steps:
                out[name] = step
                if hasattr(step, "get_params"):
                    for key, value in step.get_params(deep=True).items():
                        out[f"{name}__{key}"] = value
        return out

    def set_params(self, **params) -> Pipeline:
        if "steps" in params:
            self.steps = params.pop("steps")
        names = [n for n, _ in self.steps]
        for key in [k for k in params if k in names]:
            idx = names.index(key)
            self.steps = [*self.steps[:idx], (key, params.pop(key)), *self.steps[idx + 1 :]]
        nested: dict[str, dict] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name == "verbose" and not sub:
                self.verbose = value
            elif name in names and sub:
                nested.setdefault(name, {})[sub] = value
            else:
                raise ValueError(
                    f"Invalid parameter {key!r} for Pipeline; valid are 'steps', 'verbose', "
                    f"the step names {names} and '<step>__<param>'."
                )
        for name, sub_params in nested.items():
            self.named_steps[name].set_params(**sub_params)
        return self

    def _fit_transformers(self, X, y):
        self._validate_steps()
        for _, step in self.steps[:-1]:
            if step is None or step == "passthrough":
                continue
            X = (
                step.fit_transform(X, y)
                if hasattr(step, "fit_transform")
                else (step.fit(X, y).transform(X))
            )
        return X

    def _transform_through(self, X):
        for step in self._transformers():
            X = step.transform(X)
        return X

    def fit(self, X, y=None, **fit_params) -> Pipeline:
        Xt = self._fit_transformers(X, y)
        if self._final is not None:
            self._final.fit(Xt, y, **fit_params)
        self.n_features_in_ = getattr(self.steps[0][1], "n_features_in_", None)
        return self

    @available_if(_can_transform)
    def fit_transform(self, X, y=None, **fit_params):
        Xt = self._fit_transformers(X, y)
        last = self._final
        if last is None:
            return Xt
        if hasattr(last, "fit_transform"):
            return last.fit_transform(Xt, y, **fit_params)
        return last.fit(Xt, y, **fit_params).transform(Xt)

    def _check_fitted(self):
        check_is_fitted(self, "n_features_in_")

    @available_if(_final_has("predict"))
    def predict(self, X):
        self._check_fitted()
        return self._final.predict(self._transform_through(X))

    @available_if(_final_has("fit_predict"))
    def fit_predict(self, X, y=None, **fit_params):
        Xt = self._fit_transformers(X, y)
        self.n_features_in_ = getattr(self.steps[0][1], "n_features_in_", None)
        return self._final.fit_predict(Xt, y, **fit_params)

    @available_if(_final_has("predict_proba"))
    def predict_proba(self, X):
        self._check_fitted()
        return self._final.predict_proba(self._transform_through(X))

    @available_if(_final_has("predict_log_proba"))
    def predict_log_proba(self, X):
        self._check_fitted()
        return self._final.predict_log_proba(self._transform_through(X))

    @available_if(_final_has("decision_function"))
    def decision_function(self, X):
        self._check_fitted()
        return self._final.decision_function(self._transform_through(X))

    @available_if(_can_transform)
    def transform(self, X):
        self._check_fitted()
        Xt = self._transform_through(X)
        return Xt if self._final is None else self._final.transform(Xt)

    @available_if(_can_inverse_transform)
    def inverse_transform(self, X):
        self._check_fitted()
        steps = [s for _, s in self.steps if s is not None and s != "passthrough"]
        for step in reversed(steps):
            X = step.inverse_transform(X)
        return X

    @available_if(_final_has("score"))
    def score(self, X, y=None, sample_weight=None) -> float:
        self._check_fitted()
        Xt = self._transform_through(X)
        if sample_weight is None:
            return self._final.score(Xt, y)
        return self._final.score(Xt, y, sample_weight=sample_weight)

    @property
    def classes_(self):
        """The final estimator's classes (NotFittedError before fit)."""
        self._check_fitted()
        return self._final.classes_

    @property
    def _estimator_type(self):
        return getattr(self._final, "_estimator_type", None)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Pipeline(self.steps[index])
        if isinstance(index, str):
            return self.named_steps[index]
        return self.steps[index][1]


def _name_estimators(estimators) -> list[tuple[str, object]]:
    """(name, estimator) pairs named after the lowercased class ("passthrough" for
    strings); names used more than once get "-1", "-2", ... (scikit-learn's naming)."""
    names = [e if isinstance(e, str) else type(e).__name__.lower() for e in estimators]
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for name, est in zip(names, estimators, strict=True):
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}-{seen[name]}"
        out.append((name, est))
    return out


def make_pipeline(*steps, memory=None, transform_input=None, verbose: bool = False) -> Pipeline:
    """A :class:`Pipeline` whose step names are the lowercased class names.

    Examples
    --------
    >>> from gradkit.ml.preprocessing import StandardScaler
    >>> [name for name, _ in make_pipeline(StandardScaler(), StandardScaler()).steps]
    ['standardscaler-1', 'standardscaler-2']
    """
    if memory is not None or transform_input is not None:
        raise ValueError(
            "make_pipeline: memory and transform_input are not supported; leave them None."
        )
    return Pipeline(_name_estimators(list(steps)), verbose=verbose)
