"""gradkit: the canon of machine learning and deep learning, made real on NumPy.

``import gradkit as torch`` gives PyTorch's top-level names (tensors, dtypes, creation and
random functions, the functional ops, ``nn``, ``optim``, ``utils.data``, ``linalg``,
``save``/``load``, ``cuda``, ``device``). ``import gradkit`` loads NumPy alone; SciPy and
the classical-ML, RL and time-series packages (``gradkit.ml``, ``gradkit.rl``,
``gradkit.tsa``) load when imported.
"""

from gradkit import (
    accelerator,
    autograd,
    backends,
    cuda,
    data,
    io,
    linalg,
    nn,
    ops,
    optim,
    train,
    utils,
)
from gradkit._printing import set_printoptions
from gradkit.autograd.grad_mode import inference_mode, is_inference_mode_enabled
from gradkit.backend import (
    device,
    finfo,
    get_default_dtype,
    iinfo,
    is_floating_point,
    promote_types,
    result_type,
    set_default_device,
    set_default_dtype,
)
from gradkit.backend import xp as _xp
from gradkit.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from gradkit.io import load, save
from gradkit.legacy import (  # PyTorch's pre-0.4 typed constructors, still in tutorials
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from gradkit.ops import *  # noqa: F403 - the functional forms: gk.exp, gk.matmul, ...
from gradkit.ops.norms import tensor_norm as norm  # gradkit.ops.norm is a module
from gradkit.random import (
    Generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from gradkit.runtime import (
    are_deterministic_algorithms_enabled,
    compile,
    is_deterministic_algorithms_warn_only_enabled,
    is_tensor,
    numel,
    use_deterministic_algorithms,
)
from gradkit.tensor import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from gradkit.threads import get_num_threads, set_num_threads
from gradkit.train import Model, Sequential, load_model

# PyTorch's top-level forms of some nn.functional ops (torch.cdist, torch.selu, ...)
# isort: split
from gradkit.nn.functional import (
    bilinear,
    cdist,
    celu,
    cosine_similarity,
    hardshrink,
    pairwise_distance,
    prelu,
    rrelu,
    selu,
    threshold,
)

# dtypes under PyTorch's names: torch.float is float32, torch.double float64, torch.long
# int64, torch.int int32, torch.half float16, torch.short int16
float32, float64, float16 = _xp.float32, _xp.float64, _xp.float16
int64, int32, int16, int8, uint8 = _xp.int64, _xp.int32, _xp.int16, _xp.int8, _xp.uint8
bool_ = _xp.bool_
complex64 = cfloat = _xp.complex64
complex128 = cdouble = _xp.complex128
float, double, half = float32, float64, float16  # noqa: A001
long, int, short, bool = int64, int32, int16, bool_  # noqa: A001

__version__ = "0.1.0"


def __getattr__(name: str):
    if name in ("distributed", "plot", "tour"):  # on first use: mpi4py / matplotlib stay unloaded
        import importlib

        return importlib.import_module(f"gradkit.{name}")
    if name == "bfloat16":  # asked for by name: say why it is missing
        from gradkit.backend import no_bfloat16

        raise AttributeError(f"module 'gradkit' has no attribute 'bfloat16': {no_bfloat16()}")
    raise AttributeError(f"module 'gradkit' has no attribute {name!r}")
