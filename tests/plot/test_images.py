"""image_grid tiles hold the images (channels-last or -first), filters the conv kernels
(CNN-CONV), each min-max scaled, from a gradkit Conv2d, a Keras Conv2D or an array."""

import numpy as np
import pytest

import gradkit
from gradkit import plot


def _tile(mosaic, i, ncols, h, w, pad=1, band=0):
    r, c = divmod(i, ncols)
    top = r * (h + pad + band) + band
    return mosaic[top : top + h, c * (w + pad) : c * (w + pad) + w]


def test_image_grid_tiles_are_the_images_with_labels(ax):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (10, 6, 5))
    plot.image_grid(images, labels=list("abcdefghij"), ncols=4, ax=ax)
    mosaic = ax.images[0].get_array()
    band = 2  # max(2, ceil(0.3 * 6))
    assert mosaic.shape == (3 * (6 + 1 + band) - 1, 4 * 6 - 1)
    for i in range(10):
        np.testing.assert_array_equal(_tile(mosaic, i, 4, 6, 5, band=band), images[i])
    assert [t.get_text() for t in ax.texts] == list("abcdefghij")
    tops = [t.get_position()[1] for t in ax.texts]
    assert tops[0] == tops[3] < tops[4]  # one label row per row of tiles
    with pytest.raises(ValueError, match="3 labels for 10 images"):
        plot.image_grid(images, labels=[1, 2, 3])


def test_image_grid_channels_first_colour_and_normalize():
    rng = np.random.default_rng(1)
    chw = rng.integers(0, 256, (3, 3, 4, 4)).astype(np.uint8)  # (n, C, H, W)
    ax = plot.image_grid(chw, ncols=3)
    mosaic = ax.images[0].get_array()
    assert mosaic.shape == (4, 14, 3)
    np.testing.assert_allclose(_tile(mosaic, 2, 3, 4, 4), np.moveaxis(chw[2], 0, -1) / 255.0)
    hwc = np.moveaxis(chw, 1, -1)  # (3, 4, 4, 3): guessed channels-last
    ax = plot.image_grid(hwc)
    np.testing.assert_allclose(_tile(ax.images[0].get_array(), 1, 8, 4, 4), hwc[1] / 255.0)
    odd = rng.uniform(0, 1, (2, 3, 5, 3))  # both axes could be channels: say which
    ax = plot.image_grid(odd, channels_last=True)
    np.testing.assert_array_equal(_tile(ax.images[0].get_array(), 1, 8, 3, 5), odd[1])
    ax = plot.image_grid(odd)  # default: channels-first, (n, C, H, W)
    np.testing.assert_array_equal(
        _tile(ax.images[0].get_array(), 1, 8, 5, 3), np.moveaxis(odd[1], 0, -1)
    )
    x = rng.normal(size=(2, 3, 3))
    ax = plot.image_grid(x, normalize=True)
    tile = _tile(ax.images[0].get_array(), 1, 8, 3, 3)
    np.testing.assert_allclose(tile, (x[1] - x[1].min()) / (x[1].max() - x[1].min()))
    single = plot.image_grid(np.eye(3))
    np.testing.assert_array_equal(single.images[0].get_array(), np.eye(3))
    with pytest.raises(ValueError, match=r"\(n, H, W, C\) or \(n, C, H, W\).*\(2, 5, 5, 7\)"):
        plot.image_grid(np.zeros((2, 5, 5, 7)))
    with pytest.raises(ValueError, match="must be 2-D or 3-D or 4-D"):
        plot.image_grid(np.zeros(5))
    with pytest.raises(ValueError, match="ncols"):
        plot.image_grid(np.zeros((2, 3, 3)), ncols=0)


def _scaled(k):
    return (k - k.min()) / (k.max() - k.min())


def test_filters_of_a_gradkit_conv2d_grey_and_rgb():
    gradkit.manual_seed(0)
    conv = gradkit.nn.Conv2d(1, 6, 5)
    ax = plot.filters(conv)
    mosaic = ax.images[0].get_array()
    w = conv.weight.detach().numpy().astype(np.float64)
    for i in range(6):
        np.testing.assert_allclose(_tile(mosaic, i, 6, 5, 5), _scaled(w[i, 0]), atol=1e-12)
    rgb = gradkit.nn.Conv2d(3, 4, 3)
    mosaic = plot.filters(rgb.weight).images[0].get_array()
    w = rgb.weight.detach().numpy().astype(np.float64)
    assert mosaic.shape == (3, 15, 3)
    np.testing.assert_allclose(
        _tile(mosaic, 3, 4, 3, 3), _scaled(np.moveaxis(w[3], 0, -1)), atol=1e-12
    )


def test_filters_of_a_keras_conv2d_and_many_input_channels():
    from gradkit import keras

    layer = keras.layers.Conv2D(2, (3, 3))
    layer.build((None, 8, 8, 5))
    kernel = np.asarray(layer.kernel.detach().numpy(), dtype=np.float64)  # (3, 3, 5, 2)
    mosaic = plot.filters(layer).images[0].get_array()
    assert mosaic.shape == (2 * 4 - 1, 5 * 4 - 1)  # a row per filter, a column per channel
    np.testing.assert_allclose(_tile(mosaic, 5 + 3, 5, 3, 3), _scaled(kernel[:, :, 3, 1]))
    with pytest.raises(ValueError, match="must be 3-D or 4-D"):
        plot.filters(np.zeros((3, 3)))
