"""``keras.optimizers.Optimizer``: the base of Keras 3's optimizers over gradkit weights.

``optimizer.apply(grads, variables)`` (or ``apply_gradients(zip(grads, vars))``), as
``fit`` calls it after ``loss.backward()``:

1. drop variables without a gradient (a warning names them);
2. divide by ``loss_scale_factor``; accumulate over ``gradient_accumulation_steps``;
3. clip: ``clipnorm`` per tensor (g · c / max(‖g‖, c)), else ``global_clipnorm``
   (all gradients by c / max(global norm, c)), else ``clipvalue`` (elementwise);
4. decoupled weight decay ``w ← w · (1 − weight_decay · lr)`` (AdamW's rule, for every
   optimizer given ``weight_decay``; ``exclude_from_weight_decay`` opts out);
5. the optimizer's ``update_step`` with lr = ``learning_rate`` (a float, or a
   schedule evaluated at ``iterations``, the number of updates done);
6. the variables' ``constraint``\\ s; EMA of the weights when ``use_ema``; then
   ``iterations += 1``.

Updates run in place on the NumPy storage in the variables' dtype (float32 scalars,
as Keras' torch backend computes them) and bump the tensors' version counters.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from gradkit.autograd.function import bump
from gradkit.keras.optimizers.schedules import LearningRateSchedule
from gradkit.keras.optimizers.schedules import deserialize as deserialize_schedule
from gradkit.keras.src.backend import auto_name
from gradkit.keras.src.variables import Variable
from gradkit.tensor import Tensor


def _array(grad):
    if grad is None:
        return None
    return grad._data if isinstance(grad, Tensor) else np.asarray(grad)


class Optimizer:
    """Base class; subclasses implement ``build`` (create slots with
    ``add_variable_from_reference``) and ``update_step(gradient, variable,
    learning_rate)`` working on NumPy arrays in place."""

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema: bool = False,
        ema_momentum: float = 0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ) -> None:
        if kwargs.pop("decay", None) is not None:
            warnings.warn(
                "Argument `decay` is no longer supported and will be ignored.", stacklevel=2
            )
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        self.name = name or auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        if gradient_accumulation_steps is not None and (
            not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2
        ):
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(
                f"`ema_momentum` must be in the range [0, 1]. Received: {ema_momentum}"
            )
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list = []
        self._index: dict[int, int] = {}
        self._iterations = Variable(np.asarray(0, dtype=np.int32), trainable=False,
                                    name="iteration")  # fmt: skip
        self._variables.append(self._iterations)
        if isinstance(learning_rate, LearningRateSchedule) or (
            callable(learning_rate) and not isinstance(learning_rate, (int, float))
        ):
            self._learning_rate = learning_rate
        else:
            if isinstance(learning_rate, bool) or not isinstance(
                learning_rate, (int, float, np.floating, np.integer)
            ):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance of "
                    "LearningRateSchedule, or a callable (that takes in the current "
                    f"iteration value and returns the corresponding learning rate value). "
                    f"Received instead: learning_rate={learning_rate!r}"
                )
            self._learning_rate = Variable(np.asarray(learning_rate, dtype=np.float32),
                                           trainable=False, name="learning_rate")  # fmt: skip
            self._variables.append(self._learning_rate)
        self._exclude_ids: set = set()
        self._exclude_pattern = None

    # ------------------------------------------------------------------ state
    @property
    def iterations(self) -> Variable:
        """The number of updates applied so far (a Variable)."""
        return self._iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self._iterations._data[...] = int(value)

    @property
    def learning_rate(self):
        """The current learning rate (float32); settable unless it is a schedule."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return np.float32(lr(int(self._iterations._data)))
        if isinstance(lr, Variable):
            return np.float32(lr._data)
        return np.float32(lr())

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if isinstance(value, LearningRateSchedule) or callable(value):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = value
            return
        if isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        if not isinstance(self._learning_rate, Variable):
            self._learning_rate = Variable(np.asarray(value, dtype=np.float32), trainable=False,
                                           name="learning_rate")  # fmt: skip
            self._variables.insert(1, self._learning_rate)
        self._learning_rate._data[...] = float(getattr(value, "_data", value))

    lr = learning_rate

    @property
    def variables(self) -> list:
        """Optimizer state: iterations, the learning rate (unless a schedule), slots."""
        return list(self._variables)

    def add_variable(self, shape, initializer="zeros", dtype=None, name=None) -> Variable:
        from gradkit.keras import initializers

        variable = Variable(initializer=initializers.get(initializer), shape=shape,
                            dtype=dtype or "float32", trainable=False, name=name)  # fmt: skip
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference, name=None, initializer="zeros") -> Variable:
        """A slot shaped like ``reference``, named ``<reference>_<name>``."""
        ref_name = getattr(reference, "path", getattr(reference, "name", "variable"))
        ref_name = str(ref_name).replace("/", "_")
        value = np.zeros(reference.shape, dtype=reference.dtype)
        if initializer != "zeros":
            from gradkit.keras import initializers

            value = np.asarray(
                initializers.get(initializer)(reference.shape, dtype=str(reference.dtype))._data
            )
        variable = Variable(value, trainable=False, name=f"{ref_name}_{name}")  # fmt: skip
        self._variables.append(variable)
        return variable

    def build(self, variables) -> None:
        """Record the trainable variables and create per-variable state."""
        self._trainable_variables = list(variables)
        self._index = {id(v): i for i, v in enumerate(self._trainable_variables)}
        if self.use_ema:
            self._ema = [
                self.add_variable_from_reference(v, "average") for v in self._trainable_variables
            ]
            for average, v in zip(self._ema, self._trainable_variables):
                average._data[...] = v._data
        if self.gradient_accumulation_steps:
            self._accumulated = [
                self.add_variable_from_reference(v, "gradient_accumulator")
                for v in self._trainable_variables
            ]
        self.built = True

    def _get_variable_index(self, variable) -> int:
        return self._index[id(variable)]

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Leave these variables (or those whose names match ``var_names``) out of
        weight decay; call before the optimizer is built."""
        if self.built:
            raise ValueError(
                "`exclude_from_weight_decay()` can only be configured before the optimizer "
                "is built."
            )
        self._exclude_ids = {id(v) for v in var_list or []}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        name = getattr(variable, "name", "")
        return not (self._exclude_pattern is not None and self._exclude_pattern.search(name))

    # ------------------------------------------------------------------ applying
    def apply_gradients(self, grads_and_vars) -> Variable:
        """``apply`` for ``[(grad, variable), ...]``; returns ``iterations``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    def apply(self, grads, trainable_variables=None) -> None:
        """One update of ``trainable_variables`` from ``grads`` (see the module
        docstring for the order of operations)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    f"Received a list of {len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._trainable_variables)} trainable variables."
                )
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if len(variables) != len(grads):
                raise ValueError(
                    f"apply() got {len(grads)} gradients for {len(variables)} variables"
                )
            if not self.built:
                self.build(variables)
            unknown = [v for v in variables if id(v) not in self._index]
            if unknown:
                names = [getattr(v, "path", getattr(v, "name", "?")) for v in unknown]
                raise ValueError(
                    f"Unknown variable: {names}. This optimizer can only be called for the "
                    "variables it was originally built with. When working with a new set of "
                    "variables, you should recreate a new optimizer instance."
                )
        arrays = [_array(g) for g in grads]
        kept = [(g, v) for g, v in zip(arrays, variables) if g is not None]
        missing = [getattr(v, "path", getattr(v, "name", "?")) for g, v in
                   zip(arrays, variables) if g is None]  # fmt: skip
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. If "
                "using `model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=2,
            )
        arrays = [g for g, _ in kept]
        variables = [v for _, v in kept]
        for g, v in kept:
            if tuple(g.shape) != tuple(v.shape):
                raise ValueError(
                    f"Gradient of shape {tuple(g.shape)} does not match variable "
                    f"{getattr(v, 'path', '?')} of shape {tuple(v.shape)}"
                )
        if self.loss_scale_factor is not None:
            arrays = [g / np.asarray(self.loss_scale_factor, g.dtype) for g in arrays]
        if self.gradient_accumulation_steps:
            steps = self.gradient_accumulation_steps
            accumulators = [self._accumulated[self._get_variable_index(v)] for v in variables]
            if (int(self._iterations._data) + 1) % steps == 0:
                arrays = [(g + acc._data) / np.asarray(steps, g.dtype) for g, acc in
                          zip(arrays, accumulators)]  # fmt: skip
                self._update(arrays, variables)
                for acc in accumulators:
                    acc._data[...] = 0
            else:
                for g, acc in zip(arrays, accumulators):
                    acc._data += g
        else:
            self._update(arrays, variables)
        if self.use_ema:
            self._update_ema()
        self._iterations._data[...] += 1

    def _update(self, arrays, variables) -> None:
        arrays = self._clip_gradients(arrays)
        lr = self.learning_rate
        if self.weight_decay is not None:
            for v in variables:
                if self._use_weight_decay(v):
                    factor = np.asarray(1 - self.weight_decay * lr, dtype=v._data.dtype)
                    v._data *= factor
        for g, v in zip(arrays, variables):
            g = g.astype(v._data.dtype, copy=False)
            self.update_step(g, v, np.asarray(lr, dtype=v._data.dtype))
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                from gradkit.tensor import no_grad

                with no_grad():
                    v._data[...] = _array(constraint(v.detach()))
            bump(v)

    def _clip_gradients(self, arrays):
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in arrays:
                l2 = np.sqrt(np.sum(np.square(g), dtype=g.dtype))
                c = np.asarray(self.clipnorm, g.dtype)
                out.append(g * c / np.maximum(l2, c))
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = np.sqrt(sum(np.sum(np.square(g), dtype=np.float32) for g in arrays))
            c = np.float32(self.global_clipnorm)
            scale = c * np.minimum(np.float32(1) / norm, np.float32(1) / c) + (norm - norm)
            return [g * scale.astype(g.dtype) for g in arrays]
        if self.clipvalue and self.clipvalue > 0:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in arrays]
        return arrays

    def _update_ema(self) -> None:
        momentum = self.ema_momentum if int(self._iterations._data) != 0 else 0.0
        for average, v in zip(self._ema, self._trainable_variables):
            average._data[...] = momentum * average._data + (1 - momentum) * v._data
        freq = self.ema_overwrite_frequency
        if freq and (int(self._iterations._data) + 1) % freq == 0:
            self.finalize_variable_values(self._trainable_variables)

    def finalize_variable_values(self, var_list) -> None:
        """With ``use_ema``, overwrite the weights with their moving averages (``fit``
        calls this at the end of training)."""
        if self.use_ema and self.built:
            for average, v in zip(self._ema, self._trainable_variables):
                v._data[...] = average._data
                bump(v)

    def update_step(self, gradient: np.ndarray, variable, learning_rate) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_step()")

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            from gradkit.keras.src.serialization import serialize_keras_object

            lr = serialize_keras_object(lr)
        elif isinstance(lr, Variable):
            lr = float(lr._data)
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = deserialize_schedule(config["learning_rate"], custom_objects)
        return cls(**config)

    def get_weights(self) -> list:
        return [np.array(v._data) for v in self._variables]

    def set_weights(self, weights) -> None:
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        for variable, weight in zip(self._variables, weights):
            weight = np.asarray(weight)
            if tuple(variable.shape) != tuple(weight.shape):
                raise ValueError(
                    f"Optimizer variable {variable.name} has shape {tuple(variable.shape)} not "
                    f"compatible with provided weight shape {tuple(weight.shape)}."
                )
            variable._data[...] = weight

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
