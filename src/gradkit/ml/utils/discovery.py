"""Estimator discovery (``sklearn.utils.discovery.all_estimators``)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

_KINDS = {
    "classifier": lambda c: getattr(c, "_estimator_type", None) == "classifier",
    "regressor": lambda c: getattr(c, "_estimator_type", None) == "regressor",
    "cluster": lambda c: getattr(c, "_estimator_type", None) == "clusterer",
    "transformer": lambda c: hasattr(c, "transform"),
}


def all_estimators(type_filter=None) -> list[tuple[str, type]]:
    """Every public estimator class of ``gradkit.ml``, as sorted ``(name, class)`` pairs.

    A class counts when it derives from :class:`gradkit.ml.base.BaseEstimator`, its name
    has no leading underscore and it is defined in a public module of ``gradkit.ml``.
    ``type_filter``: None, or one of / a list of 'classifier', 'regressor',
    'transformer', 'cluster'.

    Examples
    --------
    >>> names = [name for name, _ in all_estimators("regressor")]
    >>> "Ridge" in names and "KMeans" not in names
    True
    """
    import gradkit.ml as ml

    from ..base import BaseEstimator

    if type_filter is None:
        kinds = []
    else:
        kinds = [type_filter] if isinstance(type_filter, str) else list(type_filter)
    for kind in kinds:
        if kind not in _KINDS:
            raise ValueError(
                f"type_filter={kind!r}; valid are None or {sorted(_KINDS)} (or a list of them)."
            )
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(ml.__path__, prefix="gradkit.ml."):
        if any(part.startswith("_") and part != "__init__" for part in info.name.split(".")[2:]):
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                name.startswith("_")
                or not issubclass(cls, BaseEstimator)
                or cls is BaseEstimator
                or not cls.__module__.startswith("gradkit.ml.")
                or inspect.isabstract(cls)
            ):
                continue
            found[name] = cls
    pairs = sorted(found.items())
    if kinds:
        pairs = [(n, c) for n, c in pairs if any(_KINDS[k](c) for k in kinds)]
    return pairs
