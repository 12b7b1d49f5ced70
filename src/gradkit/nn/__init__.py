"""Neural-network building blocks with PyTorch's names: Module, Parameter, layers,
activations, losses, initializers (``nn.init``) and the functional forms
(``nn.functional``)."""

from gradkit.nn import functional, init, parallel, utils
from gradkit.nn.activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    BinaryStep,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Maxout,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Swish,
    Tanh,
    Tanhshrink,
    Threshold,
    get_activation,
)
from gradkit.nn.attention import MultiheadAttention
from gradkit.nn.containers import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from gradkit.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from gradkit.nn.distance import CosineSimilarity, PairwiseDistance
from gradkit.nn.dropout import Dropout
from gradkit.nn.embedding import Embedding
from gradkit.nn.linear import Dense, Flatten, Identity, Linear, Unflatten
from gradkit.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeLoss,
    L1Loss,
    LeastSquaresLoss,
    LogisticLoss,
    MSELoss,
    NLLLoss,
    SoftMarginLoss,
    SquaredHingeLoss,
)
from gradkit.nn.module import Module
from gradkit.nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from gradkit.nn.padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from gradkit.nn.parameter import Parameter, UninitializedParameter
from gradkit.nn.pool import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
    MaxUnpool1d,
    MaxUnpool2d,
)
from gradkit.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from gradkit.nn.sync_batchnorm import SyncBatchNorm
from gradkit.nn.transformer import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from gradkit.nn.upsample import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = [
    "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "Conv1d", "Conv2d", "ConvTranspose2d", "GRU",
    "GRUCell", "LSTM", "LSTMCell", "LearnedPositionalEncoding", "MaxPool1d", "MaxPool2d",
    "MultiheadAttention", "RNN", "RNNCell", "SinusoidalPositionalEncoding", "TransformerEncoder",
    "TransformerEncoderLayer", "Upsample", "ZeroPad2d",
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "BinaryStep",
    "CrossEntropyLoss", "Dense", "Dropout", "ELU", "Embedding", "Flatten", "GELU", "HingeLoss",
    "Identity", "L1Loss", "LayerNorm", "LeakyReLU", "LeastSquaresLoss", "Linear", "LogSoftmax",
    "LogisticLoss", "MSELoss", "Maxout", "Module", "ModuleDict", "ModuleList", "NLLLoss",
    "Parameter", "ReLU", "Sequential", "SiLU", "Sigmoid", "SoftMarginLoss", "Softmax",
    "Softplus", "Softsign", "SquaredHingeLoss", "Swish", "Tanh", "Unflatten",
    "UninitializedParameter",
    "AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "MaxUnpool1d", "MaxUnpool2d",
    "functional", "get_activation", "init",
    "CELU", "GLU", "SELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid",
    "Mish", "PReLU", "ReLU6", "RReLU", "Softmin", "Softshrink", "Tanhshrink", "Threshold",
    "CosineSimilarity", "PairwiseDistance", "ParameterDict", "ParameterList",
    "CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
    "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
    "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad3d",
    "UpsamplingBilinear2d", "UpsamplingNearest2d", "SyncBatchNorm", "parallel",
]  # fmt: skip
