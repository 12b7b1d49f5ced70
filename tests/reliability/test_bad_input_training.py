"""Bad input at the training entry points gets a clear error naming the argument and
the value (issue #19; DESIGN.md "Errors and bad input"): layer constructors, fit /
evaluate / predict, callbacks, the CLI and the RL planners and agents. Each case asserts
the exception type *and* that the message names the problem."""

from __future__ import annotations

import numpy as np
import pytest

import gradkit as gk
from gradkit import cli, nn
from gradkit.rl import MDP, QLearning, value_iteration
from gradkit.rl.gridworld import GridWorld
from gradkit.train.callbacks import ModelCheckpoint

LAYER_CASES = [
    (lambda: nn.Linear(2.5, 3), TypeError, r"`in_features` must be an int >= 0, got 2.5"),
    (lambda: nn.Linear(-1, 3), ValueError, r"`in_features` must be an int >= 0, got -1"),
    (lambda: nn.Linear(3, "4"), TypeError, r"`out_features` must be an int"),
    (lambda: nn.Linear(True, 3), TypeError, r"`in_features` must be an int"),
    (lambda: nn.Conv2d(1, 2, 3, stride=0), ValueError, r"Conv2d: `stride` must be an int >= 1, got 0"),
    (lambda: nn.Conv2d(1, 2, 3, stride=2.5), TypeError, r"`stride` must be an int, got 2.5"),
    (lambda: nn.Conv2d(1, 2, 0), ValueError, r"`kernel_size` must be an int >= 1, got 0"),
    (lambda: nn.Conv2d(1, 2, (3, 3, 3)), ValueError, r"`kernel_size` must be an int or 2 ints"),
    (lambda: nn.Conv2d(0, 2, 3), ValueError, r"`in_channels` must be an int >= 1, got 0"),
    (lambda: nn.Conv2d(1, 2, 3, padding=-1), ValueError, r"`padding` must be an int >= 0, got -1"),
    (lambda: nn.Conv2d(1, 2, 3, padding="full"), ValueError, r"`padding` must be one of 'valid', 'same'; got 'full'"),
    (lambda: nn.Conv2d(1, 2, 3, dilation=0), ValueError, r"`dilation` must be an int >= 1, got 0"),
    (lambda: nn.Conv2d(2, 3, 3, groups=2), ValueError, r"divisible by groups"),
    (lambda: nn.Conv2d(2, 4, 3, groups=0), ValueError, r"`groups` must be an int >= 1, got 0"),
    (lambda: nn.Conv1d(1, 2, 3, stride=0), ValueError, r"Conv1d: `stride` must be an int >= 1, got 0"),
    (lambda: nn.ConvTranspose2d(1, 2, 3, stride=0), ValueError, r"ConvTranspose2d: `stride` must be an int >= 1"),
    (lambda: gk.nn.functional.conv2d(gk.randn(1, 1, 5, 5), gk.randn(1, 1, 3, 3), stride=0), ValueError, r"stride, dilation and kernel size must be >= 1, got stride=0"),
    (lambda: nn.Linear(3, 2)(gk.ones(2, 3, dtype=gk.int64)), RuntimeError, r"Linear: the input is int64 but the weight is float32"),
]  # fmt: skip


@pytest.mark.parametrize("make, kind, message", LAYER_CASES)
def test_layer_arguments_are_checked(make, kind, message):
    with pytest.raises(kind, match=message):
        make()


def _model():
    model = gk.Sequential([nn.Linear(3, 1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


X, Y = np.ones((8, 3), np.float32), np.ones((8, 1), np.float32)

FIT_CASES = [
    (lambda m: m.fit(X, Y, batch_size=0, verbose=0), ValueError, r"fit: `batch_size` must be an int >= 1, got 0"),
    (lambda m: m.fit(X, Y, batch_size=-8, verbose=0), ValueError, r"`batch_size` must be an int >= 1, got -8"),
    (lambda m: m.fit(X, Y, batch_size=2.5, verbose=0), TypeError, r"`batch_size` must be an int >= 1, got 2.5"),
    (lambda m: m.fit(X, Y, epochs=-3, verbose=0), ValueError, r"`epochs` must be an int >= 0, got -3"),
    (lambda m: m.fit(X, Y, epochs=2, initial_epoch=5, verbose=0), ValueError, r"`initial_epoch` must be an int in \[0, 2\], got 5"),
    (lambda m: m.fit(X, None, verbose=0), ValueError, r"fit\(\) needs targets y"),
    (lambda m: m.fit(None, Y, verbose=0), ValueError, r"fit\(\) needs input data x"),
    (lambda m: m.fit(X, Y[:5], verbose=0), ValueError, r"x has 8 samples but y has 5"),
    (lambda m: m.fit(X, Y, validation_split=1.0, verbose=0), ValueError, r"`validation_split` must be a real number in \[0.0, 1.0\)"),
    (lambda m: m.fit(X, Y, validation_split=float("nan"), verbose=0), ValueError, r"`validation_split`"),
    (lambda m: m.fit(X * np.nan, Y, verbose=0), ValueError, r"x contains NaN"),
    (lambda m: m.evaluate(X, Y, batch_size=0), ValueError, r"evaluate: `batch_size` must be an int >= 1, got 0"),
    (lambda m: m.evaluate(X, None), ValueError, r"evaluate\(\) needs targets y"),
    (lambda m: m.predict(X, batch_size=0), ValueError, r"predict: `batch_size` must be an int >= 1, got 0"),
]  # fmt: skip


@pytest.mark.parametrize("call, kind, message", FIT_CASES)
def test_fit_evaluate_predict_arguments_are_checked(call, kind, message):
    with pytest.raises(kind, match=message):
        call(_model())


def test_fit_accepts_what_keras_accepts():
    """epochs=0 and initial_epoch == epochs train nothing and return an empty history,
    as in Keras."""
    assert _model().fit(X, Y, epochs=0, verbose=0).history == {}
    assert _model().fit(X, Y, epochs=2, initial_epoch=2, verbose=0).history == {}


def test_fit_without_seed_is_reproducible_under_manual_seed():
    runs = []
    for _ in range(2):
        gk.manual_seed(5)
        model = _model()
        model.fit(np.random.default_rng(0).random((32, 3)).astype(np.float32), np.ones((32, 1), np.float32), epochs=2, batch_size=4, verbose=0)  # fmt: skip
        runs.append(model.module[0].weight.detach().numpy().copy())
    np.testing.assert_array_equal(runs[0], runs[1])


def test_checkpoint_template_naming_a_missing_log_key_says_which(tmp_path):
    model = _model()
    cb = ModelCheckpoint(str(tmp_path / "m-{val_loss:.2f}.safetensors"))
    with pytest.raises(
        ValueError, match=r"names 'val_loss', which is not in this epoch's logs \['loss'\]"
    ):
        model.fit(X, Y, epochs=1, callbacks=[cb], verbose=0)


def test_checkpoint_warns_when_the_monitored_value_is_not_finite(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "m.safetensors"), monitor="loss", save_best_only=True)
    cb.set_model(_model())
    with pytest.warns(RuntimeWarning, match="did not save: loss is nan"):
        cb.on_epoch_end(0, {"loss": float("nan")})
    assert not (tmp_path / "m.safetensors").exists()


CLI_CASES = [
    ("--batch-size 0", "argument --batch-size: must be an int >= 1, got 0"),
    ("--batch-size 2.5", "argument --batch-size: must be an int >= 1, got 2.5"),
    ("--epochs 0", "argument --epochs: must be an int >= 1, got 0"),
    ("--limit -100", "argument --limit: must be an int >= 0, got -100"),
    ("--lr -1", "argument --lr: must be a real number in (0.0, inf), got -1"),
    ("--lr nan", "argument --lr: must be a real number"),
    ("--dropout 1", "argument --dropout: must be a real number in [0.0, 1.0), got 1"),
    ("--validation-split 1.5", "argument --validation-split: must be a real number in [0.0, 1.0)"),
    ("--epochs abc", "argument --epochs: 'abc' is not a number"),
    ("--hidden 0", "argument --hidden: must be an int >= 1, got 0"),
    ("--seed -1", "argument --seed: must be an int >= 0, got -1"),
    ("--optimizer adagrad", "argument --optimizer: invalid choice: 'adagrad'"),
]


@pytest.mark.parametrize("args, message", CLI_CASES)
def test_cli_refuses_bad_arguments_before_any_work(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", *args.split()])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


RL_CASES = [
    (lambda env: QLearning(env, lr=-0.5), ValueError, r"`lr` must be a real number in \(0.0, 1.0\], got -0.5"),
    (lambda env: QLearning(env, lr=0.0), ValueError, r"`lr` must be a real number in \(0.0, 1.0\]"),
    (lambda env: QLearning(env, lr="fast"), TypeError, r"`lr` must be a float or a callable"),
    (lambda env: QLearning(env, epsilon=1.5), ValueError, r"`epsilon` must be a real number in \[0.0, 1.0\]"),
    (lambda env: QLearning(env, gamma=1.5), ValueError, r"gamma must lie in \[0, 1\]"),
]  # fmt: skip


@pytest.mark.parametrize("make, kind, message", RL_CASES)
def test_rl_agent_arguments_are_checked(make, kind, message):
    with pytest.raises(kind, match=message):
        make(GridWorld())


PLANNER_CASES = [
    (dict(V0=[np.nan] * 12), ValueError, r"value_iteration: `V0` contains 12 NaN or infinite"),
    (dict(V0=[0.0] * 3), ValueError, r"`V0` must have shape \(12,\), got \(3,\)"),
    (dict(tol=0.0), ValueError, r"`tol` must be a real number in \(0.0, inf\)"),
    (dict(max_iter=0), ValueError, r"`max_iter` must be an int >= 1, got 0"),
]  # fmt: skip


@pytest.mark.parametrize("kwargs, kind, message", PLANNER_CASES)
def test_value_iteration_arguments_are_checked(kwargs, kind, message):
    with pytest.raises(kind, match=message):
        value_iteration(MDP.from_gymnasium(GridWorld(), gamma=0.9), **kwargs)


def _params():
    return [gk.nn.Parameter(gk.randn(2))]


def _sgd():
    return gk.optim.SGD(_params(), lr=0.1)


MORE_LAYER_AND_OPTIMIZER_CASES = [
    (lambda: nn.Dropout(1.5), ValueError, r"dropout probability has to be between 0 and 1, but got 1.5"),
    (lambda: nn.Dropout("a"), TypeError, r"Dropout: `p` must be a real number, got 'a'"),
    (lambda: nn.BatchNorm1d(0), ValueError, r"BatchNorm1d: `num_features` must be an int >= 1, got 0"),
    (lambda: nn.BatchNorm2d(2.5), TypeError, r"BatchNorm2d: `num_features` must be an int >= 1, got 2.5"),
    (lambda: nn.BatchNorm1d(3, eps=-1), ValueError, r"`eps` must be a real number in \(0.0, inf\), got -1"),
    (lambda: nn.BatchNorm1d(3, momentum=2), ValueError, r"`momentum` must be a real number in \[0.0, 1.0\], got 2"),
    (lambda: nn.LayerNorm(0), ValueError, r"LayerNorm: `normalized_shape` must be an int >= 1, got 0"),
    (lambda: nn.LayerNorm(4, eps=0), ValueError, r"LayerNorm: `eps` must be a real number in \(0.0, inf\)"),
    (lambda: nn.Embedding(0, 3), ValueError, r"Embedding: `num_embeddings` must be an int >= 1, got 0"),
    (lambda: nn.Embedding(10, -3), ValueError, r"Embedding: `embedding_dim` must be an int >= 0, got -3"),
    (lambda: nn.Embedding(10, 3, padding_idx=10), ValueError, r"padding_idx 10 must be within num_embeddings=10"),
    (lambda: nn.Embedding(10, 3, padding_idx=1.5), TypeError, r"`padding_idx` must be an int, got 1.5"),
    (lambda: nn.Flatten(1.5), TypeError, r"Flatten: `start_dim` must be an int, got 1.5"),
    (lambda: nn.LSTM(3, 0), ValueError, r"hidden_size must be a positive integer, got 0"),
    (lambda: nn.LSTM(3, 4, num_layers=0), ValueError, r"num_layers must be a positive integer, got 0"),
    (lambda: nn.GRU(3, 4, dropout=1.5), ValueError, r"dropout must be in \[0, 1\), got 1.5"),
    (lambda: nn.RNN(3, 4, nonlinearity="sig"), ValueError, r"nonlinearity must be one of .*'tanh'.*got 'sig'"),
    (lambda: nn.MultiheadAttention(6, 4), ValueError, r"embed_dim \(6\) must be a positive multiple of num_heads \(4\)"),
    (lambda: gk.optim.SGD(_params(), lr=-1), ValueError, r"SGD: invalid lr -1"),
    (lambda: gk.optim.Adam(_params(), betas=(1.5, 0.9)), ValueError, r"Adam: invalid betas\[0\] 1.5"),
    (lambda: gk.optim.Adam([]), ValueError, r"Adam got an empty parameter list"),
    (lambda: gk.optim.Adam(gk.randn(2, requires_grad=True)), TypeError, r"got a single Tensor; wrap it in a list"),
    (lambda: gk.optim.lr_scheduler.StepLR(_sgd(), step_size=0), ValueError, r"StepLR: step_size must be a positive integer, got 0"),
    (lambda: gk.optim.lr_scheduler.StepLR(_sgd(), step_size=2, gamma=-1), ValueError, r"StepLR: `gamma` must be a real number in \(0.0, inf\), got -1"),
    (lambda: gk.optim.lr_scheduler.MultiStepLR(_sgd(), [2], gamma=0), ValueError, r"MultiStepLR: `gamma` must be"),
    (lambda: gk.optim.lr_scheduler.ExponentialLR(_sgd(), gamma=float("nan")), ValueError, r"ExponentialLR: `gamma` must be"),
    (lambda: gk.optim.lr_scheduler.CosineAnnealingLR(_sgd(), T_max=0), ValueError, r"T_max must be positive, got 0"),
    (lambda: gk.optim.lr_scheduler.ReduceLROnPlateau(_sgd(), mode="up"), ValueError, r"mode must be 'min' or 'max', got 'up'"),
    (lambda: gk.optim.lr_scheduler.ReduceLROnPlateau(_sgd(), factor=1.0), ValueError, r"factor must lie in \(0, 1\), got 1.0"),
    (lambda: gk.nn.utils.clip_grad_norm_(_params(), -1), ValueError, r"clip_grad_norm_: `max_norm` must be a real number in \[0.0, inf\), got -1"),
    (lambda: gk.train.callbacks.EarlyStopping(patience=-1), ValueError, r"EarlyStopping: `patience` must be an int >= 0, got -1"),
    (lambda: gk.train.callbacks.EarlyStopping(mode="x"), ValueError, r"Unknown mode 'x'; valid modes are \['auto', 'max', 'min'\]"),
    (lambda: gk.Sequential([1]), TypeError, r"Sequential: int is not a Module"),
    (lambda: _model().compile(optimizer="adamw2", loss="mse"), ValueError, r"Unknown optimizer 'adamw2'; valid names are \[.*'adam'"),
    (lambda: _model().compile(optimizer="sgd", loss="msee"), ValueError, r"Unknown loss 'msee'; valid names are"),
]  # fmt: skip


@pytest.mark.parametrize("make, kind, message", MORE_LAYER_AND_OPTIMIZER_CASES)
def test_layer_optimizer_and_callback_arguments_are_checked(make, kind, message):
    with pytest.raises(kind, match=message):
        make()


def test_callbacks_get_every_hook_with_logs_and_the_keras_batch_aliases():
    """NN-SEQ-API: a callback that overrides Keras's older ``on_batch_end`` is called every
    step (it was never called), and every hook receives a logs dict (issue #17)."""

    class Recorder(gk.train.callbacks.Callback):
        def __init__(self):
            self.calls = []

        def on_train_begin(self, logs=None):
            self.calls.append(("train_begin", logs))

        def on_batch_end(self, batch, logs=None):
            self.calls.append(("batch_end", batch, sorted(logs)))

        def on_train_end(self, logs=None):
            self.calls.append(("train_end", sorted(logs)))

    rec = Recorder()
    _model().fit(X, Y, epochs=2, batch_size=4, callbacks=[rec], verbose=0)
    assert rec.calls[0] == ("train_begin", {})
    assert [c for c in rec.calls if c[0] == "batch_end"] == [
        ("batch_end", b, ["loss"]) for b in (0, 1) * 2
    ]
    assert rec.calls[-1] == ("train_end", ["loss"])
