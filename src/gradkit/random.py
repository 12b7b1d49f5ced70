"""Random generators for deep learning: ``gradkit.manual_seed``, ``gradkit.Generator``.

Every random op (``randn``, init, dropout, ``DataLoader`` shuffling, ``multinomial``)
takes ``generator=``: a :class:`Generator`, a ``numpy.random.Generator``, an int seed,
or None for the global generator that ``manual_seed`` reseeds.
"""

from __future__ import annotations

import json

from gradkit.autograd.function import new_tensor
from gradkit.backend import xp


class Generator:
    """A seedable random generator, as ``torch.Generator`` (CPU only).

    ``manual_seed(n)`` reseeds it and returns it, so ``Generator().manual_seed(0)`` is a
    one-liner; ``get_state()``/``set_state()`` save and restore its exact position. The
    draws come from NumPy's PCG64 (``self.rng``), so they differ from PyTorch's stream.

    Examples
    --------
    >>> g = Generator().manual_seed(0)
    >>> a = g.rng.random(); _ = g.manual_seed(0)
    >>> a == g.rng.random()
    True
    """

    def __init__(self, device: str = "cpu") -> None:
        from gradkit.backend import check_device

        check_device(device)
        self.device = "cpu"
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        seed = int(seed)
        if seed < 0:  # torch accepts negative seeds by wrapping them to 64 bits
            seed &= (1 << 64) - 1
        self._initial_seed = seed
        self.rng = xp.random.default_rng(seed)
        return self

    def seed(self) -> int:
        """Reseed from fresh OS entropy and return the new seed."""
        seed = int(xp.random.SeedSequence().generate_state(1, xp.uint64)[0])
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._initial_seed

    def get_state(self):
        """The generator's state as a uint8 tensor (pass it to ``set_state``)."""
        state = json.dumps(self.rng.bit_generator.state).encode()
        return new_tensor(xp.frombuffer(state, dtype=xp.uint8).copy())

    def set_state(self, state) -> Generator:
        data = state._data if hasattr(state, "_data") else xp.asarray(state)
        try:
            self.rng.bit_generator.state = json.loads(bytes(xp.asarray(data, xp.uint8)))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(
                f"set_state: not a state returned by Generator.get_state() ({exc})"
            ) from None
        return self

    def __repr__(self) -> str:
        return f"<gradkit.Generator(initial_seed={self._initial_seed})>"


_default = Generator().manual_seed(int(xp.random.SeedSequence().generate_state(1)[0]))


def manual_seed(seed: int) -> Generator:
    """Seed the global generator behind ``randn``, ``rand``, layer initialization,
    dropout and ``DataLoader`` shuffling; returns it, as ``torch.manual_seed`` does."""
    return _default.manual_seed(seed)


def initial_seed() -> int:
    return _default.initial_seed()


def seed() -> int:
    """Reseed the global generator from OS entropy; returns the seed."""
    return _default.seed()


def get_rng_state():
    return _default.get_state()


def set_rng_state(state) -> None:
    _default.set_state(state)


def default_generator() -> xp.random.Generator:
    """The global generator's ``numpy.random.Generator``."""
    return _default.rng


def numpy_rng(generator=None) -> xp.random.Generator:
    """The ``numpy.random.Generator`` behind ``generator=``: a :class:`Generator`, a
    NumPy generator, a new one seeded by an int, or the global one for ``None``."""
    if generator is None:
        return _default.rng
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, xp.random.Generator):
        return generator
    if isinstance(generator, int | xp.integer) and not isinstance(generator, bool):
        return xp.random.default_rng(int(generator))
    raise TypeError(
        "generator must be a gradkit.Generator, a numpy.random.Generator, an int seed or "
        f"None, got {type(generator).__name__}"
    )
