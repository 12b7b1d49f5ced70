"""gradkit.Generator and manual_seed follow torch.Generator's API (T-TENSOR)."""

import numpy as np
import pytest

import gradkit as gk
from gradkit.data import DataLoader, TensorDataset


def test_manual_seed_returns_the_global_generator_and_replays_draws():
    g = gk.manual_seed(3)
    assert isinstance(g, gk.Generator) and gk.initial_seed() == 3
    a = gk.randn(4)
    gk.manual_seed(3)
    np.testing.assert_array_equal(gk.randn(4).numpy(), a.numpy())


def test_generator_keyword_is_independent_of_the_global_stream():
    g = gk.Generator().manual_seed(7)
    a = gk.rand(5, generator=g)
    gk.manual_seed(0)  # reseeding the global generator does not touch g
    b = gk.rand(5, generator=gk.Generator().manual_seed(7))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(gk.rand(5, generator=g).numpy(), a.numpy())


def test_get_state_set_state_restores_the_position():
    g = gk.Generator().manual_seed(1)
    state = g.get_state()
    assert state.dtype == np.uint8
    first = gk.randn(3, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(gk.randn(3, generator=g).numpy(), first.numpy())
    with pytest.raises(ValueError, match="set_state"):
        g.set_state(gk.tensor(np.zeros(4, np.uint8)))


def test_dataloader_and_init_accept_a_generator():
    ds = TensorDataset(np.arange(10))
    order = [
        b[0].tolist()
        for b in DataLoader(ds, 5, shuffle=True, generator=gk.Generator().manual_seed(2))
    ]
    again = [
        b[0].tolist()
        for b in DataLoader(ds, 5, shuffle=True, generator=gk.Generator().manual_seed(2))
    ]
    assert order == again and sorted(sum(order, [])) == list(range(10))
    w = gk.empty(3, 3)
    gk.nn.init.normal_(w, generator=gk.Generator().manual_seed(4))
    assert np.isfinite(w.numpy()).all()


def test_bad_generator_is_refused_with_the_accepted_types():
    with pytest.raises(TypeError, match="gradkit.Generator"):
        gk.randn(2, generator="seed")
