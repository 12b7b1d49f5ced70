"""``keras.layers``: Keras 3's layers over gradkit's engine, channels_last.

Slice K1 provides the base class and the graph entry points; the concrete layers are
added below by slice K2.
"""

# Slice K1: the layer base class, input specs and the functional-graph entry points.
from gradkit.keras.src.input_layer import Input, InputLayer
from gradkit.keras.src.input_spec import InputSpec
from gradkit.keras.src.layer import Layer
from gradkit.keras.src.serialization import register_objects

# this namespace is the table recurrent/wrapper layers and saving look inner layers up
# in by class name (registered live, so the layers imported below are in it)
register_objects("layers", globals())

# Slice K2: the concrete layers.
# isort: split
from gradkit.keras.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax  # noqa: E402
from gradkit.keras.layers.attention import MultiHeadAttention  # noqa: E402
from gradkit.keras.layers.convolutional import (  # noqa: E402
    Conv1D,
    Conv2D,
    Conv2DTranspose,
    DepthwiseConv2D,
    SeparableConv2D,
)
from gradkit.keras.layers.core import (  # noqa: E402
    Activation,
    CategoryEncoding,
    Dense,
    Dropout,
    Embedding,
    Identity,
    Lambda,
    Masking,
    Rescaling,
)
from gradkit.keras.layers.merging import (  # noqa: E402
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from gradkit.keras.layers.noise import (  # noqa: E402
    ActivityRegularization,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)
from gradkit.keras.layers.normalization import (  # noqa: E402
    BatchNormalization,
    LayerNormalization,
    Normalization,
)
from gradkit.keras.layers.pooling import (  # noqa: E402
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)
from gradkit.keras.layers.recurrent import GRU, LSTM, RNN, SimpleRNN  # noqa: E402
from gradkit.keras.layers.reshaping import (  # noqa: E402
    Cropping1D,
    Cropping2D,
    Flatten,
    Permute,
    RepeatVector,
    Reshape,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from gradkit.keras.layers.rnn_cells import GRUCell, LSTMCell, SimpleRNNCell  # noqa: E402
from gradkit.keras.layers.wrappers import Bidirectional, TimeDistributed  # noqa: E402
