import numpy as np
import pytest


@pytest.fixture(scope="session")
def mnist():
    """Flattened MNIST in [0, 1] from $GRADKIT_DATA: (X, y, X_test, y_test)."""
    from gradkit.data import load_mnist

    X, y = load_mnist("train", flatten=True)
    Xt, yt = load_mnist("test", flatten=True)
    return X, y, Xt, yt


@pytest.fixture(scope="session")
def mnist_binary(mnist):
    """MNIST thresholded at 0.5 (float32 zeros and ones)."""
    X, y, Xt, yt = mnist
    return (X > 0.5).astype(np.float32), y, (Xt > 0.5).astype(np.float32), yt
