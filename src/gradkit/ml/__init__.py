"""Classical machine learning, laid out like scikit-learn (float64, NumPy + SciPy).

Import the submodules directly, e.g. ``from gradkit.ml.linear_model import Ridge``.
"""
