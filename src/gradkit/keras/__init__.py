"""``from gradkit import keras``: Keras 3's public API over gradkit's engine.

Layers are ``gradkit.nn.Module`` subclasses computing on gradkit Tensors; weights are
``gradkit.nn.Parameter``s in Keras' layout (Dense ``kernel (in, out)``, conv kernel
``(kh, kw, in, out)``), data is channels_last. See ``gradkit.keras.src.layer`` for the
layer contract.
"""

# Slice K1: the package skeleton, the layer base and the functional-graph entry points.
from gradkit.keras import (
    activations,
    backend,
    callbacks,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    regularizers,
    saving,
    utils,
)
from gradkit.keras.src.input_layer import Input
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.keras_tensor import KerasTensor
from gradkit.keras.src.layer import Layer
from gradkit.keras.src.model import Model, Sequential
from gradkit.keras.src.ops_layer import symbolic_op as _symbolic_op  # registers x + y on inputs
from gradkit.keras.src.serialization import register_keras_serializable
from gradkit.keras.src.variables import Variable

__version__ = "3.15.0"
