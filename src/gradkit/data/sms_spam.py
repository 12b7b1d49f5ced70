"""The UCI SMS Spam Collection (Almeida & Gómez Hidalgo, 2011): 5,574 labelled SMS (NLP-SPAM).

The file ``sms-spam/SMSSpamCollection`` is looked up in ``$GRADKIT_DATA`` and the user
cache; if missing, the UCI zip is downloaded, the member extracted, and its SHA-256
checked before it is stored.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from ._files import cache_dir, dataset_file, sha256_of

SUBDIR = "sms-spam"
FILENAME = "SMSSpamCollection"
SHA256 = "7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d"
ZIP_URL = "https://archive.ics.uci.edu/static/public/228/sms+spam+collection.zip"
N_MESSAGES = 5574


def _extract_from_zip(download: bool) -> Path:
    """Download the UCI zip (once), extract the collection, verify it, store it."""
    archive = dataset_file(SUBDIR, "sms+spam+collection.zip", urls=[ZIP_URL], download=download)
    with zipfile.ZipFile(archive) as zf:
        data = zf.read(FILENAME)
    target = cache_dir() / SUBDIR / FILENAME
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{FILENAME}.")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    if sha256_of(Path(tmp)) != SHA256:
        Path(tmp).unlink(missing_ok=True)
        raise OSError(f"{FILENAME} extracted from {archive} fails its SHA-256 check.")
    os.replace(tmp, target)
    return target


def load_sms_spam(*, download: bool = True) -> tuple[list[str], np.ndarray]:
    """The SMS Spam Collection as message texts and their labels.

    Returns
    -------
    texts : list of 5,574 str
    labels : ndarray of str, shape (5574,), 'ham' (4,827) or 'spam' (747)

    Raises
    ------
    FileNotFoundError if the file is absent and cannot be downloaded;
    ValueError if the file found is not the published one (checksum).
    """
    try:
        path = dataset_file(SUBDIR, FILENAME, download=False)
    except FileNotFoundError:
        if not download:
            raise
        path = _extract_from_zip(download)
    if sha256_of(path) != SHA256:
        raise ValueError(
            f"{path} is not the published SMS Spam Collection (SHA-256 mismatch; some copies "
            "add a header line). Replace it with the original file."
        )
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, text = line.rstrip("\n").split("\t", 1)
            labels.append(label)
            texts.append(text)
    return texts, np.asarray(labels)
