"""``keras.datasets``: MNIST and Fashion-MNIST as Keras returns them (uint8 arrays of
the published shapes), read from ``GRADKIT_DATA`` (concepts CNN-*)."""

from __future__ import annotations

import numpy as np
import pytest

from gradkit import keras
from gradkit.data._files import data_roots


def _available(folder: str) -> bool:
    return any((root / folder).is_dir() for root in data_roots())


@pytest.mark.parametrize(
    ("module", "folder"), [("mnist", "mnist"), ("fashion_mnist", "fashion-mnist")]
)
def test_load_data_shapes_and_dtypes(module, folder):
    if not _available(folder):
        pytest.skip(f"{folder} is not in GRADKIT_DATA")
    (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, module).load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert x_train.max() == 255 and set(np.unique(y_test)) == set(range(10))
    x_train[0, 0, 0] = 7  # writable copies, as Keras returns
    if module == "mnist":
        assert y_test[:5].tolist() == [7, 2, 1, 0, 4]
