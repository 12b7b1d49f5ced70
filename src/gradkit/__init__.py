"""gradkit: the canon of machine learning and deep learning, made real on NumPy."""

__version__ = "0.1.0"
