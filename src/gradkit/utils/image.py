"""Write (and read back) PNG images with the standard library alone (zlib + struct), for
grids of generated samples; no Pillow needed.

A PNG file is the 8-byte signature followed by chunks ``length · type · data · CRC-32``:
IHDR (width, height, bit depth 8, colour type 0 = grey or 2 = RGB), one or more IDAT
(the zlib-compressed scanlines, each prefixed by its filter byte, here 0 = none) and IEND.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from gradkit.io import atomic_write

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _to_uint8(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    if not np.isfinite(image).all():
        raise ValueError("image contains NaN or inf")
    return np.round(np.clip(image, 0.0, 1.0) * 255).astype(np.uint8)


def write_png(path, image) -> Path:
    """Save a grey (H, W) or RGB (H, W, 3) image as an 8-bit PNG, atomically.

    Floats are taken to lie in [0, 1] (clipped), uint8 as is. Returns the path.
    """
    pixels = _to_uint8(image)
    if pixels.ndim == 2:
        colour = 0
    elif pixels.ndim == 3 and pixels.shape[2] == 3:
        colour = 2
    else:
        raise ValueError(f"write_png needs shape (H, W) or (H, W, 3), got {pixels.shape}")
    h, w = pixels.shape[:2]
    rows = pixels.reshape(h, -1)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rows], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0)
    blob = (
        _SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda f: f.write(blob))
    return path


def _unfilter(filt: int, line: np.ndarray, prev: np.ndarray, bpp: int) -> np.ndarray:
    out = line.astype(np.int32)
    prev = prev.astype(np.int32)
    if filt == 0:
        return out.astype(np.uint8)
    if filt == 2:
        return ((out + prev) & 0xFF).astype(np.uint8)
    for i in range(len(out)):
        a = out[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if filt == 1:
            pred = a
        elif filt == 3:
            pred = (a + b) // 2
        else:  # Paeth
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out[i] = (out[i] + pred) & 0xFF
    return out.astype(np.uint8)


def read_png(path) -> np.ndarray:
    """Read an 8-bit grey or RGB, non-interlaced PNG into a uint8 array (H, W) or
    (H, W, 3). Enough to check what :func:`write_png` wrote."""
    data = Path(path).read_bytes()
    if data[:8] != _SIGNATURE:
        raise ValueError(f"{path} is not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"{path}: bad CRC in chunk {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None:
        raise ValueError(f"{path}: no IHDR chunk")
    w, h, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in (0, 2) or interlace:
        raise ValueError(f"{path}: only 8-bit grey/RGB non-interlaced PNGs are supported")
    bpp = 1 if colour == 0 else 3
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * bpp)
    rows = np.zeros((h, w * bpp), np.uint8)
    prev = np.zeros(w * bpp, np.uint8)
    for r in range(h):
        rows[r] = prev = _unfilter(int(raw[r, 0]), raw[r, 1:], prev, bpp)
    return rows.reshape(h, w) if colour == 0 else rows.reshape(h, w, 3)


def image_grid(images, nrow: int | None = None, padding: int = 2, pad_value: float = 1.0):
    """Tile images (N, H, W), (N, 1, H, W), (N, 3, H, W) or flat (N, H·W) square images
    into one picture with ``nrow`` images per row (default ⌈√N⌉), as
    ``torchvision.utils.make_grid``. Returns (H', W') or (H', W', 3) floats."""
    x = np.asarray(images, dtype=np.float64)
    if x.ndim == 2:
        side = int(round(np.sqrt(x.shape[1])))
        if side * side != x.shape[1]:
            raise ValueError(f"flat images of {x.shape[1]} pixels are not square")
        x = x.reshape(-1, side, side)
    if x.ndim == 4:
        if x.shape[1] not in (1, 3):
            raise ValueError(f"expected 1 or 3 channels, got shape {x.shape}")
        x = x[:, 0] if x.shape[1] == 1 else x.transpose(0, 2, 3, 1)
    if x.ndim not in (3, 4):
        raise ValueError(f"image_grid needs (N, H, W) or (N, C, H, W), got shape {x.shape}")
    n, h, w = x.shape[:3]
    nrow = nrow or int(np.ceil(np.sqrt(n)))
    ncol = int(np.ceil(n / nrow))
    grid = np.full(
        (ncol * (h + padding) + padding, nrow * (w + padding) + padding, *x.shape[3:]), pad_value
    )
    for k in range(n):
        r, c = divmod(k, nrow)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[top : top + h, left : left + w] = x[k]
    return grid


def save_image_grid(path, images, nrow: int | None = None, padding: int = 2) -> Path:
    """Tile ``images`` (values in [0, 1]) with :func:`image_grid` and write a PNG."""
    return write_png(path, image_grid(images, nrow=nrow, padding=padding))
