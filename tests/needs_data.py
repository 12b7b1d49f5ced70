"""Loaders for the tests that need a data set: they skip, naming the data set and
GRADKIT_DATA, when its files are absent (never error, never download)."""

import pytest


def load_sms_spam_or_skip():
    """NLP-SPAM: (texts, labels) of the SMS Spam Collection, or skip the running test."""
    from gradkit.data.sms_spam import load_sms_spam

    try:
        return load_sms_spam(download=False)
    except FileNotFoundError:
        pytest.skip(
            "SMS Spam Collection (sms-spam/SMSSpamCollection) not found: set GRADKIT_DATA "
            "to the folder holding sms-spam/"
        )


def require_files(*paths: str) -> None:
    """Skip the running test unless every ``folder/file`` is in a data root
    (``$GRADKIT_DATA`` first), naming the missing file and GRADKIT_DATA."""
    from gradkit.data._files import dataset_file

    for path in paths:
        folder, _, filename = path.partition("/")
        try:
            dataset_file(folder, filename, download=False)
        except FileNotFoundError:
            pytest.skip(f"{path} not found: set GRADKIT_DATA to the folder holding {folder}/")
