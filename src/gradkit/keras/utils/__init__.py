"""``keras.utils``: seeding, label encoding and small array helpers."""

# Slice K1
from gradkit.keras.src.backend import clear_session
from gradkit.keras.utils.numerical import normalize, set_random_seed, to_categorical

__all__ = ["clear_session", "normalize", "set_random_seed", "to_categorical"]
