"""Keras-style training on top of any ``nn.Module`` (concepts NN-SEQ-API, NN-BACKPROP).

``fit`` runs exactly the loop one would write by hand — batch → forward → loss →
``backward()`` → ``optimizer.step()`` — so the explicit loop and ``fit`` stay
interchangeable::

    model = gk.Sequential([gk.nn.Dense(64, activation="relu", input_shape=[784]),
                           gk.nn.Dense(10)])
    model.compile(optimizer="adam", loss="cross_entropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=5, batch_size=128, validation_split=0.1)
"""

from __future__ import annotations

import numpy as np

from gradkit.backend import xp
from gradkit.nn.module import Module
from gradkit.random import numpy_rng
from gradkit.tensor import Tensor, no_grad
from gradkit.train.callbacks import Callback, History
from gradkit.train.losses import LossSpec, resolve_loss
from gradkit.train.metrics import resolve_metric
from gradkit.train.progress import ProgressBar
from gradkit.validation import check_int, check_probability

_OPTIMIZERS = {  # Keras' default learning rates
    "sgd": ("SGD", 0.01),
    "adam": ("Adam", 0.001),
    "adamw": ("AdamW", 0.001),
    "rmsprop": ("RMSprop", 0.001),
    "adagrad": ("Adagrad", 0.001),
}


class Model(Module):
    """Wrap a module with ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

    Parameters
    ----------
    module : Module
        The network; ``Model`` forwards calls, ``parameters()`` and ``state_dict()``
        to it (state-dict keys are prefixed ``module.``).
    """

    def __init__(self, module: Module | None = None) -> None:
        super().__init__()
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"Model wraps an nn.Module, got {type(module).__name__}")
        self.module = module
        self.optimizer = None
        self.loss_spec: LossSpec | None = None
        self.metric_fns: list = []
        self.stop_training = False
        self.history: History | None = None
        self._optimizer_factory = None

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="rmsprop", loss=None, metrics=None) -> None:
        """Choose the optimizer, the loss and the metrics reported by ``fit``.

        Parameters
        ----------
        optimizer : str, Optimizer, or callable
            A name (``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``, ``"adagrad"``,
            with Keras' default learning rates), an optimizer instance, or a factory
            ``params -> Optimizer`` such as ``functools.partial(gk.optim.SGD, lr=0.1)``.
            Names and factories are instantiated when the model is built, so lazily
            shaped layers (``Dense`` without an input size) work.
        loss : str, loss module, or callable ``(output, target) -> Tensor``
            See ``gradkit.train.losses`` for the names.
        metrics : list of str or callables, optional
            ``"accuracy"``, ``"mae"``, ``"mse"`` or ``fn(output, target) -> float``.
        """
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='mse' or loss='cross_entropy'")
        self.loss_spec = resolve_loss(loss)
        self.metric_fns = [resolve_metric(m) for m in (metrics or [])]
        self.optimizer = None
        self._optimizer_factory = None
        if isinstance(optimizer, str):
            key = optimizer.lower()
            if key not in _OPTIMIZERS:
                raise ValueError(
                    f"Unknown optimizer {optimizer!r}; valid names are {sorted(_OPTIMIZERS)}"
                )
            self._optimizer_factory = _named_optimizer(key)
        elif hasattr(optimizer, "step") and hasattr(optimizer, "param_groups"):
            self.optimizer = optimizer
        elif callable(optimizer):
            self._optimizer_factory = optimizer
        else:
            raise TypeError(
                f"optimizer must be a name, an Optimizer or a factory, got {optimizer!r}"
            )

    def _build(self, sample: Tensor) -> None:
        """Materialize lazy layers with one forward pass, then create the optimizer."""
        if self.optimizer is not None:
            return
        if self._optimizer_factory is None:
            raise RuntimeError("Call compile(optimizer, loss) before fit().")
        with no_grad():
            was_training = self.training
            self.eval()
            self.module(sample[:1])
            self.train(was_training)
        self.optimizer = self._optimizer_factory(list(self.parameters()))

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x=None,
        y=None,
        epochs: int = 1,
        batch_size: int = 32,
        validation_split: float = 0.0,
        validation_data=None,
        shuffle: bool = True,
        callbacks: list[Callback] | None = None,
        verbose: int = 1,
        initial_epoch: int = 0,
        seed: int | None = None,
        distributed: bool = False,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)``.

        ``validation_split`` holds out the *last* fraction of the samples before any
        shuffling (Keras semantics); ``validation_data`` is an ``(x, y)`` pair. Logs per
        epoch: ``loss``, each metric, and ``val_`` versions when validating. Returns the
        :class:`History`.

        ``distributed=True`` trains data-parallel over the MPI job this process belongs
        to (``gradkit launch -n N script.py``; optional extra ``[mpi]``): every rank
        passes the same data and the same arguments, ``batch_size`` is the global batch
        that the ranks split, gradients are averaged, and callbacks (logging,
        checkpoints, early stopping) run on rank 0, whose decisions every rank follows.
        See :mod:`gradkit.train.distributed`.
        """
        if self.loss_spec is None:
            raise RuntimeError("Call compile(optimizer, loss) before fit().")
        x, y = _as_arrays(x, y, "fit")
        if y is None:
            raise ValueError("fit() needs targets y: call fit(x, y, ...)")
        epochs = check_int("fit", "epochs", epochs, low=0)
        initial_epoch = check_int("fit", "initial_epoch", initial_epoch, low=0, high=epochs)
        batch_size = check_int("fit", "batch_size", batch_size)
        validation_split = check_probability(
            "fit", "validation_split", validation_split, high_open=True
        )
        if validation_split and validation_data is not None:
            raise ValueError("Pass either validation_split or validation_data, not both.")
        if validation_split:
            n_val = int(len(x) * validation_split)
            if n_val == 0:
                raise ValueError(
                    f"validation_split={validation_split} of {len(x)} samples leaves no "
                    "validation samples"
                )
            x, x_val, y, y_val = x[:-n_val], x[-n_val:], y[:-n_val], y[-n_val:]
            validation_data = (x_val, y_val)
        elif validation_data is not None:
            validation_data = _as_arrays(*validation_data, "validation_data")
        par = None
        if distributed:
            from gradkit.train.distributed import DataParallelFit

            par = DataParallelFit(len(x), batch_size, seed)
            seed = par.seed
        # without a seed, shuffling draws from gradkit's global generator (manual_seed)
        rng = np.random.default_rng(seed) if seed is not None else numpy_rng()
        self._build(_to_tensor(x[:1]))
        net = par.wrap(self.module) if par else self.module

        history = History()
        last_logs: dict = {}
        if par and not par.is_chief:  # rank 0 alone logs, checkpoints and decides
            callbacks, verbose = [], 0
        callbacks = [*(callbacks or []), history]  # last, so it sees what others logged
        # with callbacks on rank 0, every round of them ends with rank 0's decisions
        # broadcast; without any, nothing needs syncing per step
        sync = par.comm.bcast(len(callbacks) > 1, root=0) if par else False
        for cb in callbacks:
            cb.set_model(self)
        self.stop_training = False
        for cb in callbacks:
            cb.on_train_begin({})
        if sync:
            par.sync_control(self)
        steps = -(-len(x) // batch_size)
        for epoch in range(initial_epoch, epochs):
            for cb in callbacks:
                cb.on_epoch_begin(epoch, {})
            if sync:
                par.sync_control(self)
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}")
            bar = ProgressBar(steps) if verbose else None
            order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
            self.train()
            totals: dict[str, float] = {}
            seen = 0
            for step in range(steps):
                idx = order[step * batch_size : (step + 1) * batch_size]
                scale = 1.0
                if par:
                    if len(idx) < par.world:
                        break  # a last batch smaller than the job (warned about)
                    idx, scale = par.shard(idx)
                for cb in callbacks:
                    cb.on_train_batch_begin(step, {})
                if sync:
                    par.sync_control(self)
                logs = self._step(net, x[idx], y[idx], scale)
                n = len(idx)
                seen += n
                for key, value in logs.items():
                    totals[key] = totals.get(key, 0.0) + value * n
                running = {k: v / seen for k, v in totals.items()}
                for cb in callbacks:
                    cb.on_train_batch_end(step, logs)
                halt = self.stop_training and not np.isfinite(logs["loss"])
                if sync:
                    halt = par.sync_control(self, halt)
                if bar:
                    bar.update(step + 1, running)
                if halt:
                    break
            if par:
                epoch_logs = par.reduce_means(totals, seen)
            else:
                epoch_logs = {k: v / max(seen, 1) for k, v in totals.items()}
            last_logs = epoch_logs
            if validation_data is not None:
                if par:
                    val = par.evaluate(self, *validation_data, batch_size=batch_size)
                else:
                    val = self.evaluate(*validation_data, batch_size=batch_size, return_dict=True)
                epoch_logs.update({f"val_{k}": v for k, v in val.items()})
            if bar:
                bar.update(steps, epoch_logs, final=True)
            for cb in callbacks:
                cb.on_epoch_end(epoch, epoch_logs)
            if sync:
                par.sync_control(self)
            if self.stop_training:
                break
        for cb in callbacks:
            cb.on_train_end(dict(last_logs))
        if par:
            par.finish(self, history)
        self.history = history
        return history

    def train_step(self, xb: np.ndarray, yb: np.ndarray) -> dict[str, float]:
        """One optimization step on a batch: forward, loss, backward, update."""
        return self._step(self.module, xb, yb, 1.0)

    def _step(self, net: Module, xb: np.ndarray, yb: np.ndarray, scale: float) -> dict:
        """``train_step`` through ``net`` (the module, or its data-parallel wrapper), the
        loss multiplied by ``scale`` before backward (this rank's share of the batch)."""
        out = net(_to_tensor(xb))
        loss = self.loss_spec.fn(out, _to_tensor(yb))
        self.optimizer.zero_grad()
        (loss if scale == 1.0 else loss * scale).backward()
        self.optimizer.step()
        logs = {"loss": float(loss._data)}
        for name, fn in self.metric_fns:
            logs[name] = fn(out._data, yb, self.loss_spec)
        return logs

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(self, x=None, y=None, batch_size: int = 32, verbose: int = 0, return_dict=False):
        """Loss and metrics on ``(x, y)`` in eval mode (sample-weighted means over batches).

        Returns the loss alone when there are no metrics, else ``[loss, *metrics]``
        (Keras), or a dict with ``return_dict=True``.
        """
        if self.loss_spec is None:
            raise RuntimeError("Call compile(optimizer, loss) before evaluate().")
        x, y = _as_arrays(x, y, "evaluate")
        if y is None:
            raise ValueError("evaluate() needs targets y: call evaluate(x, y)")
        batch_size = check_int("evaluate", "batch_size", batch_size)
        totals: dict[str, float] = {}
        was_training = self.training
        self.eval()
        with no_grad():
            for start in range(0, len(x), batch_size):
                xb, yb = x[start : start + batch_size], y[start : start + batch_size]
                out = self.module(_to_tensor(xb))
                logs = {"loss": float(self.loss_spec.fn(out, _to_tensor(yb))._data)}
                for name, fn in self.metric_fns:
                    logs[name] = fn(out._data, yb, self.loss_spec)
                for key, value in logs.items():
                    totals[key] = totals.get(key, 0.0) + value * len(xb)
        self.train(was_training)
        result = {k: v / len(x) for k, v in totals.items()}
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in result.items()))
        if return_dict:
            return result
        values = list(result.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """Model outputs for ``x`` in eval mode, batch by batch, as one NumPy array."""
        x = _as_arrays(x, None, "predict")[0]
        batch_size = check_int("predict", "batch_size", batch_size)
        was_training = self.training
        self.eval()
        outs = []
        with no_grad():
            for start in range(0, len(x), batch_size):
                outs.append(self.module(_to_tensor(x[start : start + batch_size]))._data)
        self.train(was_training)
        return np.concatenate(outs, axis=0)

    # ------------------------------------------------------------------ weights
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every state-dict array (parameters and buffers), in order."""
        return [t._data.copy() for t in self.module.state_dict().values()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        state = self.module.state_dict()
        if len(weights) != len(state):
            raise ValueError(f"set_weights got {len(weights)} arrays, the model has {len(state)}")
        for (name, t), w in zip(state.items(), weights):
            if t.shape != np.shape(w):
                raise ValueError(f"set_weights: {name} has shape {t.shape}, got {np.shape(w)}")
            t._data[...] = w

    def save_weights(self, path) -> None:
        """Write the state dict (safetensors layout, atomic)."""
        from gradkit import io

        io.save(self.module.state_dict(), path)

    def load_weights(self, path, strict: bool = True):
        from gradkit import io

        return self.module.load_state_dict(io.load_checkpoint(path).state, strict=strict)

    def save(self, path) -> None:
        """Write weights and architecture (JSON config) so ``gradkit.load_model`` can
        rebuild the model without the code that made it."""
        from gradkit import io
        from gradkit.train.serialize import module_config

        config = {"format": "gradkit.model/1", "module": module_config(self.module)}
        io.save(self.module.state_dict(), path, config=config)

    def summary(self, input_shape=None, print_fn=print) -> str:
        """Print layers, output shapes and parameter counts (concept NN-CAPACITY)."""
        from gradkit.train.summary import summarize

        text = summarize(self, input_shape)
        if print_fn is not None:
            print_fn(text)
        return text


class Sequential(Model):
    """Keras' ``Sequential``: a stack of layers with ``compile``/``fit``; ``add()`` appends.

    Examples
    --------
    >>> import gradkit as gk
    >>> model = gk.Sequential([gk.nn.Dense(units=1, input_shape=[3])])
    >>> model.compile(optimizer="sgd", loss="mean_squared_error")
    """

    def __init__(self, layers=None) -> None:
        from gradkit.nn import Sequential as Stack

        super().__init__(Stack(*(layers or [])))

    def add(self, layer: Module) -> None:
        if self.optimizer is not None:
            raise RuntimeError("Cannot add layers after the model has been built by fit().")
        self.module.append(layer)

    @property
    def layers(self) -> list[Module]:
        return list(self.module)


def load_model(path, custom_objects: dict | None = None) -> Model:
    """Rebuild a model written by ``Model.save``: architecture from the JSON config,
    then the weights. Never unpickles."""
    from gradkit import io
    from gradkit.nn.parameter import parameter_budget
    from gradkit.train.serialize import module_from_config

    state, config, _ = io.load_checkpoint(path)
    if not isinstance(config, dict) or config.get("format") != "gradkit.model/1":
        raise ValueError(
            f"{path} holds weights but no gradkit model config; build the model in code and "
            "call load_weights() instead."
        )
    if not isinstance(state, dict):
        raise io.CheckpointError(f"{path}: the weights are not a name -> tensor mapping")
    held = sum(getattr(a, "nbytes", 0) for a in state.values())
    try:
        with parameter_budget(2 * held + (1 << 20), str(path)):
            module = module_from_config(config.get("module"), custom_objects or {}, path)
    except MemoryError:
        raise io.CheckpointError(
            f"{path}: its config declares a model too large to allocate"
        ) from None
    module.load_state_dict(state)
    return Model(module)


def _named_optimizer(key: str):
    from gradkit import optim

    cls_name, lr = _OPTIMIZERS[key]
    return lambda params: getattr(optim, cls_name)(params, lr=lr)


def _as_arrays(x, y, where: str):
    if x is None:
        raise ValueError(f"{where}() needs input data x")
    x = x._data if isinstance(x, Tensor) else np.asarray(x)
    if y is not None:
        y = y._data if isinstance(y, Tensor) else np.asarray(y)
        if len(x) != len(y):
            raise ValueError(
                f"{where}(): x has {len(x)} samples but y has {len(y)}; they must match"
            )
        if y.dtype.kind == "f" and not np.isfinite(y).all():
            raise ValueError(f"{where}(): y contains NaN or infinity")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        raise ValueError(f"{where}(): x contains NaN or infinity")
    if len(x) == 0:
        raise ValueError(f"{where}(): x is empty")
    return x, y


def _to_tensor(a: np.ndarray) -> Tensor:
    """Batches become tensors: float data as float32 (unless float64 was asked for by the
    model's dtype), integer labels stay int64."""
    if a.dtype == np.float64:
        a = a.astype(xp.float32)
    return Tensor(a)
