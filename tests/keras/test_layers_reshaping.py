"""Reshaping layers against real Keras 3 (torch backend): Flatten, Reshape, Permute,
RepeatVector, UpSampling, ZeroPadding, Cropping (concepts CNN-PAD, CNN-SIZE)."""

from __future__ import annotations

import numpy as np
import pytest
from layers_harness import check_layer, gk_keras, keras, randn

KL, GL = keras.layers, gk_keras.layers

CASES = [
    ("Flatten", {}, (2, 3, 4, 5)),
    ("Flatten", {"data_format": "channels_first"}, (2, 3, 4, 5)),
    ("Reshape", {"target_shape": (6, -1)}, (2, 3, 4, 5)),
    ("Reshape", {"target_shape": (5, 12)}, (2, 3, 4, 5)),
    ("Permute", {"dims": (2, 1)}, (2, 3, 4)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5)),
    ("RepeatVector", {"n": 3}, (2, 4)),
    ("UpSampling1D", {"size": 3}, (2, 3, 4)),
    ("UpSampling2D", {}, (2, 3, 4, 5)),
    ("UpSampling2D", {"size": (2, 3), "data_format": "channels_first"}, (2, 3, 4, 5)),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, (2, 3, 4, 5)),
    ("UpSampling2D", {"size": 3, "interpolation": "bilinear", "data_format": "channels_first"},
     (2, 3, 4, 5)),
    ("ZeroPadding1D", {"padding": (1, 2)}, (2, 3, 4)),
    ("ZeroPadding2D", {}, (2, 3, 4, 5)),
    ("ZeroPadding2D", {"padding": ((1, 0), (2, 3))}, (2, 3, 4, 5)),
    ("ZeroPadding2D", {"padding": (1, 2), "data_format": "channels_first"}, (2, 3, 4, 5)),
    ("Cropping1D", {"cropping": (1, 0)}, (2, 5, 4)),
    ("Cropping2D", {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 3)),
    ("Cropping2D", {"cropping": 1, "data_format": "channels_first"}, (2, 3, 4, 5)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES)
def test_reshaping_layer_matches_keras(name, kwargs, shape):  # CNN-PAD, CNN-SIZE
    check_layer(getattr(GL, name)(**kwargs), getattr(KL, name)(**kwargs), randn(*shape))


@pytest.mark.parametrize(("name", "kwargs", "shape"), CASES)
def test_symbolic_shape_matches_keras(name, kwargs, shape):
    k_out = getattr(KL, name)(**kwargs)(keras.Input(shape[1:]))
    g_out = getattr(GL, name)(**kwargs)(gk_keras.Input(shape[1:]))
    assert g_out.shape == tuple(k_out.shape)


def test_reshape_size_mismatch_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"reshape.*\(3, 4\).*\(5, 5\)"):
        GL.Reshape((5, 5))(np.zeros((2, 3, 4), np.float32))


def test_wrong_rank_names_layer_and_shape():
    rank = r"repeat_vector.*expected ndim=2, found ndim=3.*\(2, 3, 4\)"
    with pytest.raises(ValueError, match=rank):
        GL.RepeatVector(2, name="repeat_vector")(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="interpolation.*nearest.*bilinear.*'area'"):
        GL.UpSampling2D(interpolation="area")
    with pytest.raises(ValueError, match="dims"):
        GL.Permute((1, 3))
    with pytest.raises(ValueError, match="removes all"):
        GL.Cropping2D(2)(np.zeros((1, 4, 4, 1), np.float32))
