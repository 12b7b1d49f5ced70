"""MNIST and Fashion-MNIST from their IDX files (``load_mnist``, ``load_fashion_mnist``).

The files are found by :func:`gradkit.data._files.dataset_file`: in ``$GRADKIT_DATA``,
then the user cache, else downloaded from the canonical mirrors and checked against the
published SHA-256 before use. IDX headers are validated, so a truncated or foreign file
raises :class:`IDXError` naming the file and the problem.
"""

from __future__ import annotations

import functools
import gzip
import zlib
from pathlib import Path

from gradkit.backend import xp
from gradkit.data._files import dataset_file

SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

# name -> (folder under the data roots, mirrors tried in order, sha256 of each file)
SOURCES = {
    "mnist": (
        "mnist",
        (
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        {
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",  # noqa: E501
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",  # noqa: E501
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",  # noqa: E501
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",  # noqa: E501
        },
    ),
    "fashion-mnist": (
        "fashion-mnist",
        ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
        {
            "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",  # noqa: E501
            "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",  # noqa: E501
            "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",  # noqa: E501
            "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",  # noqa: E501
        },
    ),
}

FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IDXError(ValueError):
    """An IDX file that is truncated, corrupt or not the expected kind."""


def read_idx(path: str | Path, ndim: int | None = None):
    """Parse an IDX file (gzip-compressed or raw) into a NumPy array.

    The header is a big-endian magic number ``0x0000TTDD`` (``TT`` the element type,
    ``DD`` the number of dimensions) followed by one uint32 per dimension; the data
    must fill exactly the product of the dimensions.

    Parameters
    ----------
    path : str or Path
    ndim : int, optional
        Required number of dimensions (3 for image files, 1 for label files).

    Raises
    ------
    IDXError
        Bad gzip stream, unknown magic, wrong ``ndim`` or a size that does not match
        the header.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise IDXError(
                f"{path}: corrupt or truncated gzip data ({exc}); delete the "
                "file so it is downloaded again"
            ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise IDXError(f"{path}: not an IDX file (magic bytes {raw[:4].hex() or 'missing'})")
    dims = raw[3]
    if ndim is not None and dims != ndim:
        raise IDXError(f"{path}: IDX file has {dims} dimensions, expected {ndim}")
    header = 4 + 4 * dims
    if len(raw) < header:
        raise IDXError(f"{path}: truncated IDX header")
    shape = tuple(int(d) for d in xp.frombuffer(raw, ">u4", count=dims, offset=4))
    dtype = xp.dtype(_IDX_DTYPES[raw[2]])
    expected = header + int(xp.prod(shape, dtype=xp.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise IDXError(
            f"{path}: IDX header says shape {shape} ({expected} bytes) but the "
            f"file holds {len(raw)} bytes; it is truncated or corrupt"
        )
    data = xp.frombuffer(raw, dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=False)


@functools.lru_cache(maxsize=4)
def _load_raw(name: str, split: str, download: bool):
    folder, mirrors, sums = SOURCES[name]
    images_name, labels_name = SPLITS[split]
    arrays = []
    for filename, ndim in ((images_name, 3), (labels_name, 1)):
        path = dataset_file(
            folder,
            filename,
            urls=[m + filename for m in mirrors],
            sha256=sums[filename],
            download=download,
        )
        arrays.append(read_idx(path, ndim))
    images, labels = arrays
    if images.shape[0] != labels.shape[0]:
        raise IDXError(f"{name} {split}: {images.shape[0]} images but {labels.shape[0]} labels")
    if images.shape[1:] != (28, 28) or images.dtype != xp.uint8:
        raise IDXError(
            f"{name} {split}: expected uint8 28x28 images, got {images.dtype} {images.shape[1:]}"
        )
    if labels.size and labels.max() > 9:
        raise IDXError(f"{name} {split}: labels must lie in 0..9, found {labels.max()}")
    images.flags.writeable = False
    labels = labels.astype(xp.int64)
    labels.flags.writeable = False
    return images, labels


def _load(name: str, split: str, normalize: bool, flatten: bool, download: bool):
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    images, labels = _load_raw(name, split, download)
    X = images.astype(xp.float32) if normalize else images.copy()
    if normalize:
        X /= xp.float32(255)
    if flatten:
        X = X.reshape(len(X), -1)
    return X, labels.copy()


def load_mnist(
    split: str = "train", *, normalize: bool = True, flatten: bool = False, download: bool = True
):
    """The MNIST handwritten digits (LeCun, Cortes & Burges): 60,000 train and 10,000
    test 28×28 grey images of the digits 0–9.

    Parameters
    ----------
    split : {"train", "test"}
    normalize : bool
        Scale pixels to float32 in [0, 1]; ``False`` keeps the raw uint8 values 0–255.
    flatten : bool
        Return images as rows of 784 pixels instead of 28×28.
    download : bool
        Download missing files (checked against their SHA-256) into the user cache.

    Returns
    -------
    X : ndarray, shape (N, 28, 28) or (N, 784)
        float32 in [0, 1] (uint8 if ``normalize=False``).
    y : ndarray of int64, shape (N,)
        The digits.

    Examples
    --------
    >>> X, y = load_mnist("test", flatten=True)  # doctest: +SKIP
    >>> X.shape, X.dtype, y[:5]                   # doctest: +SKIP
    ((10000, 784), dtype('float32'), array([7, 2, 1, 0, 4]))
    """
    return _load("mnist", split, normalize, flatten, download)


def load_fashion_mnist(
    split: str = "train", *, normalize: bool = True, flatten: bool = False, download: bool = True
):
    """Fashion-MNIST (Zalando Research): 60,000 train and 10,000 test 28×28 grey images
    of ten kinds of clothing (names in ``FASHION_CLASSES``), 6,000 + 1,000 per class.

    Same parameters and return values as :func:`load_mnist`.
    """
    return _load("fashion-mnist", split, normalize, flatten, download)


def load_mnist1d(split: str = "train", *, templates: bool = False):
    """MNIST-1D (Greydanus 2020): 4,000 train and 1,000 test signals of length 40 in the
    ten classes 0–9, each a class template (12 points) shifted, scaled, sheared, padded
    and noised — small enough to train on in seconds, hard enough to separate models.

    Read from ``$GRADKIT_DATA/mnist1d/mnist1d_data.npz`` (a plain ``.npz``; no download
    source: the original is a pickle, which gradkit never loads).

    Parameters
    ----------
    split : {"train", "test"}
    templates : bool
        Also return the ten class templates, float32 of shape (10, 12).

    Returns
    -------
    X : ndarray of float32, shape (N, 40)
    y : ndarray of int64, shape (N,)
    templates : ndarray of float32, shape (10, 12), only if ``templates=True``
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {sorted(SPLITS)}, got {split!r}")
    suffix = "" if split == "train" else "_test"
    with xp.load(dataset_file("mnist1d", "mnist1d_data.npz", download=False)) as data:
        X = data["x" + suffix].astype(xp.float32)
        y = data["y" + suffix].astype(xp.int64)
        shapes = data["templates_x"].astype(xp.float32) if templates else None
    return (X, y, shapes) if templates else (X, y)
