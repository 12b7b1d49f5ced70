"""Keras 3's optimizers and their update rules (g: gradient, lr: learning rate, t: the
1-based step). They differ from PyTorch's in places, and follow Keras:

* ``SGD``: m ← μm − lr·g; w ← w + m (Nesterov: w ← w − lr·g + μm); plain: w ← w − lr·g
* ``Adam``: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
  w ← w − m·α / (√v + ε) with α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ) (ε outside the bias
  correction, default ε = 1e-7); ``amsgrad`` uses max(v̂, v)
* ``AdamW``: Adam with decoupled weight decay (default 0.004)
* ``RMSprop``: v ← ρv + (1−ρ)g²; Δ = lr·g/√(v + ε) (ε inside the root);
  centered: √(v − ḡ² + ε); with momentum: m ← μm + Δ, w ← w − m
* ``Adagrad``: a ← a + g² (a₀ = 0.1); w ← w − lr·g/√(a + ε)
* ``Adadelta``: a ← ρa + (1−ρ)g²; Δ = −√(d + ε)·g/√(a + ε); d ← ρd + (1−ρ)Δ²;
  w ← w + lr·Δ
* ``Adamax``: m ← β₁m + (1−β₁)g; u ← max(β₂u, |g|); w ← w − lr·m/((u + ε)(1−β₁ᵗ))
* ``Nadam``: Dozat's momentum schedule μₜ = β₁(1 − ½·0.96ᵗ), as in Keras
"""

from __future__ import annotations

import numpy as np

from gradkit.keras.optimizers.optimizer import Optimizer

_f32 = np.float32


def _scalar(value, like: np.ndarray):
    return np.asarray(value, dtype=like.dtype)


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum; Keras default lr 0.01."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="SGD", **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)  # fmt: skip
        if not isinstance(momentum, float | int) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = momentum, nesterov

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = [
            self.add_variable_from_reference(v, "momentum") if self.momentum != 0 else None
            for v in self._trainable_variables
        ]

    def update_step(self, g, variable, lr) -> None:
        w = variable._data
        if self.momentum != 0:
            m = self.momentums[self._get_variable_index(variable)]._data
            mu = _scalar(self.momentum, w)
            m *= mu
            m -= lr * g
            if self.nesterov:
                w -= lr * g
                w += mu * m
            else:
                w += m
        else:
            w -= lr * g

    def get_config(self) -> dict:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam (Kingma & Ba), Keras' form; defaults lr 0.001, β 0.9/0.999, ε 1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adam", **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)  # fmt: skip
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = [], []
        for v in self._trainable_variables:  # interleaved, as Keras creates them
            self._momentums.append(self.add_variable_from_reference(v, "momentum"))
            self._velocities.append(self.add_variable_from_reference(v, "velocity"))
        if self.amsgrad:
            self._velocity_hats = [self.add_variable_from_reference(v, "velocity_hat")
                                   for v in self._trainable_variables]  # fmt: skip

    def update_step(self, g, variable, lr) -> None:
        w = variable._data
        i = self._get_variable_index(variable)
        m, v = self._momentums[i]._data, self._velocities[i]._data
        step = _scalar(int(self._iterations._data) + 1, w)
        b1_power = np.power(_scalar(self.beta_1, w), step)
        b2_power = np.power(_scalar(self.beta_2, w), step)
        alpha = lr * np.sqrt(_scalar(1, w) - b2_power) / (_scalar(1, w) - b1_power)
        m *= _scalar(self.beta_1, w)
        m += _scalar(1 - self.beta_1, w) * g
        v *= _scalar(self.beta_2, w)
        v += _scalar(1 - self.beta_2, w) * (g * g)
        if self.amsgrad:
            v_hat = self._velocity_hats[i]._data
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        w -= (m * alpha) / (np.sqrt(v) + _scalar(self.epsilon, w))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}  # fmt: skip


class AdamW(Adam):
    """Adam with decoupled weight decay w ← w(1 − λ·lr) (default λ = 0.004)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adamw", **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)  # fmt: skip
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class RMSprop(Optimizer):
    """RMSprop, Keras' form (ε inside the square root); defaults lr 0.001, ρ 0.9."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="rmsprop", **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)  # fmt: skip
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._velocities = [self.add_variable_from_reference(v, "velocity")
                            for v in self._trainable_variables]  # fmt: skip
        self._momentums = (
            [self.add_variable_from_reference(v, "momentum") for v in self._trainable_variables]
            if self.momentum > 0
            else []
        )
        self._average_gradients = (
            [
                self.add_variable_from_reference(v, "average_gradient")
                for v in self._trainable_variables
            ]
            if self.centered
            else []
        )

    def update_step(self, g, variable, lr) -> None:
        w = variable._data
        i = self._get_variable_index(variable)
        v = self._velocities[i]._data
        rho = _scalar(self.rho, w)
        v *= rho
        v += _scalar(1 - self.rho, w) * (g * g)
        denominator = v + _scalar(self.epsilon, w)
        if self.centered:
            avg = self._average_gradients[i]._data
            avg *= rho
            avg += _scalar(1 - self.rho, w) * g
            denominator = denominator - avg * avg
        increment = (g * lr) / np.sqrt(denominator)
        if self.momentum > 0:
            m = self._momentums[i]._data
            m *= _scalar(self.momentum, w)
            m += increment
            w -= m
        else:
            w -= increment

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}  # fmt: skip


class Adagrad(Optimizer):
    """Adagrad, Keras' form (accumulator starts at 0.1, ε inside the root)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adagrad",
                 **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)  # fmt: skip
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulators = []
        for v in self._trainable_variables:
            acc = self.add_variable_from_reference(v, "accumulator")
            acc._data[...] = self.initial_accumulator_value
            self._accumulators.append(acc)

    def update_step(self, g, variable, lr) -> None:
        w = variable._data
        acc = self._accumulators[self._get_variable_index(variable)]._data
        acc += g * g
        w -= (g * lr) / np.sqrt(acc + _scalar(self.epsilon, w))

    def get_config(self) -> dict:
        return {**super().get_config(), "epsilon": self.epsilon,
                "initial_accumulator_value": self.initial_accumulator_value}  # fmt: skip


class Adadelta(Optimizer):
    """Adadelta, Keras' form (lr scales the step; defaults lr 0.001, ρ 0.95)."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name="adadelta", **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)  # fmt: skip
        self.rho, self.epsilon = rho, epsilon

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads = [self.add_variable_from_reference(v, "accumulated_grad")
                                   for v in self._trainable_variables]  # fmt: skip
        self._accumulated_delta_vars = [
            self.add_variable_from_reference(v, "accumulated_delta_var")
            for v in self._trainable_variables
        ]

    def update_step(self, g, variable, lr) -> None:
        w = variable._data
        i = self._get_variable_index(variable)
        acc_g, acc_d = self._accumulated_grads[i]._data, self._accumulated_delta_vars[i]._data
        rho, eps = _scalar(self.rho, w), _scalar(self.epsilon, w)
        acc_g *= rho
        acc_g += _scalar(1 - self.rho, w) * (g * g)
        delta = -((np.sqrt(acc_d + eps) * g) / np.sqrt(acc_g + eps))
        acc_d *= rho
        acc_d += _scalar(1 - self.rho, w) * (delta * delta)
        w += lr * delta

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """Adamax (the infinity-norm Adam); defaults lr 0.001, β 0.9/0.999, ε 1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="adamax",
                 **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)  # fmt: skip
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._m = [self.add_variable_from_reference(v, "momentum")
                   for v in self._trainable_variables]  # fmt: skip
        self._u = [self.add_variable_from_reference(v, "norm")
                   for v in self._trainable_variables]  # fmt: skip

    def update_step(self, g, variable, lr) -> None:
        w = variable._data
        i = self._get_variable_index(variable)
        m, u = self._m[i]._data, self._u[i]._data
        step = _scalar(int(self._iterations._data) + 1, w)
        b1_power = np.power(_scalar(self.beta_1, w), step)
        m *= _scalar(self.beta_1, w)
        m += _scalar(1 - self.beta_1, w) * g
        u *= _scalar(self.beta_2, w)
        np.maximum(u, np.abs(g), out=u)
        w -= (m * lr) / ((u + _scalar(self.epsilon, w)) * (_scalar(1, w) - b1_power))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}  # fmt: skip


class Nadam(Optimizer):
    """Nesterov Adam with Dozat's momentum schedule, as Keras computes it."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name="nadam",
                 **kwargs) -> None:  # fmt: skip
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm,
                         use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)  # fmt: skip
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables) -> None:
        if self.built:
            return
        super().build(variables)
        self._momentums = [self.add_variable_from_reference(v, "momentum")
                           for v in self._trainable_variables]  # fmt: skip
        self._velocities = [self.add_variable_from_reference(v, "velocity")
                            for v in self._trainable_variables]  # fmt: skip
        self._u_product = self.add_variable((), initializer="ones", name="u_product")
        self._u_step = -1

    def _apply_u_product(self, dtype) -> tuple:
        step = int(self._iterations._data)
        local_step, next_step = (
            _scalar(step + 1, np.empty(0, dtype)),
            _scalar(step + 2, np.empty(0, dtype)),
        )
        decay = _scalar(0.96, np.empty(0, dtype))
        beta_1 = _scalar(self.beta_1, np.empty(0, dtype))
        u_t = beta_1 * (_scalar(1.0, decay) - _scalar(0.5, decay) * np.power(decay, local_step))
        u_t_1 = beta_1 * (_scalar(1.0, decay) - _scalar(0.5, decay) * np.power(decay, next_step))
        if self._u_step != step:  # once per optimizer step, shared by all variables
            self._u_product._data[...] = np.asarray(self._u_product._data, dtype) * u_t
            self._u_step = step
        u_product_t = np.asarray(self._u_product._data, dtype)
        return u_t, u_t_1, u_product_t, u_product_t * u_t_1

    def update_step(self, g, variable, lr) -> None:
        w = variable._data
        i = self._get_variable_index(variable)
        u_t, u_t_1, u_product_t, u_product_t_1 = self._apply_u_product(w.dtype)
        step = _scalar(int(self._iterations._data) + 1, w)
        b2_power = np.power(_scalar(self.beta_2, w), step)
        m, v = self._momentums[i]._data, self._velocities[i]._data
        m *= _scalar(self.beta_1, w)
        m += _scalar(1 - self.beta_1, w) * g
        v *= _scalar(self.beta_2, w)
        v += _scalar(1 - self.beta_2, w) * (g * g)
        one = _scalar(1, w)
        m_hat = (m * u_t_1) / (one - u_product_t_1) + (g * (one - u_t)) / (one - u_product_t)
        v_hat = v / (one - b2_power)
        w -= (m_hat * lr) / (np.sqrt(v_hat) + _scalar(self.epsilon, w))

    def get_config(self) -> dict:
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}  # fmt: skip
