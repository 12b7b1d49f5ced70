"""``keras.layers``: Keras 3's layers over gradkit's engine, channels_last.

Slice K1 provides the base class and the graph entry points; the concrete layers are
added below by slice K2.
"""

# Slice K1: the layer base class, input specs and the functional-graph entry points.
from gradkit.keras.src.input_layer import Input, InputLayer
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
