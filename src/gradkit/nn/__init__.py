"""Neural-network building blocks with PyTorch's names: Module, Parameter, layers,
activations, losses, initializers (``nn.init``) and the functional forms
(``nn.functional``)."""

from gradkit.nn import functional, init, utils
from gradkit.nn.activation import (
    ELU,
    GELU,
    BinaryStep,
    LeakyReLU,
    LogSoftmax,
    Maxout,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Softsign,
    Swish,
    Tanh,
    get_activation,
)
from gradkit.nn.attention import MultiheadAttention
from gradkit.nn.containers import ModuleDict, ModuleList, Sequential
from gradkit.nn.conv import Conv1d, Conv2d, ConvTranspose2d
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
from gradkit.nn.transformer import (
    LearnedPositionalEncoding,
    SinusoidalPositionalEncoding,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from gradkit.nn.upsample import Upsample, ZeroPad2d

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
]  # fmt: skip
