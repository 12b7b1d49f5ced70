"""Find a dataset file: ``$GRADKIT_DATA``, then the user cache, else download and verify.

Every loader goes through :func:`dataset_file`, so the search order and the checksum
check live in one place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def data_roots() -> list[Path]:
    """Directories searched in order: ``$GRADKIT_DATA`` then the user cache."""
    roots = []
    if os.environ.get("GRADKIT_DATA"):
        roots.append(Path(os.environ["GRADKIT_DATA"]).expanduser())
    roots.append(cache_dir())
    return roots


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/gradkit`` (default ``~/.cache/gradkit``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "gradkit"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_file(
    subdir: str,
    filename: str,
    *,
    urls: list[str] | tuple[str, ...] = (),
    sha256: str | None = None,
    download: bool = True,
) -> Path:
    """Path of ``subdir/filename`` from a data root, downloading it if allowed.

    A downloaded file is written to a temporary name, checked against ``sha256`` and only
    then renamed into the cache, so a failed or corrupt download never leaves a file
    that looks valid.
    """
    for root in data_roots():
        path = root / subdir / filename
        if path.is_file():
            return path
    searched = ", ".join(str(r / subdir) for r in data_roots())
    if not download or not urls:
        raise FileNotFoundError(
            f"Dataset file {subdir}/{filename} not found (searched {searched}). "
            "Set GRADKIT_DATA to the folder that holds it."
        )
    import urllib.request  # only a download needs it; `import gradkit` loads NumPy alone

    target = cache_dir() / subdir / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    errors = []
    for url in urls:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{filename}.")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as resp:
                shutil.copyfileobj(resp, out)
            if sha256 is not None and sha256_of(Path(tmp)) != sha256:
                raise OSError(f"checksum mismatch for {url}")
            os.replace(tmp, target)
            return target
        except OSError as exc:  # URLError is an OSError
            errors.append(f"{url}: {exc}")
            Path(tmp).unlink(missing_ok=True)
    raise FileNotFoundError(
        f"Dataset file {subdir}/{filename} not found (searched {searched}) and the download "
        f"failed: {'; '.join(errors)}. Set GRADKIT_DATA to a folder that holds it."
    )
