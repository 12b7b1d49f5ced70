"""gradkit: the canon of machine learning and deep learning, made real on NumPy.

``import gradkit`` loads NumPy alone; SciPy and the classical-ML, RL and time-series
packages (``gradkit.ml``, ``gradkit.rl``, ``gradkit.tsa``) load when imported.
"""

from gradkit import accelerator, autograd, data, io, nn, ops, optim, train
from gradkit.backend import get_default_dtype, set_default_device, set_default_dtype
from gradkit.backend import xp as _xp
from gradkit.creation import (
    arange,
    as_tensor,
    empty,
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
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from gradkit.ops import *  # noqa: F403 - the functional forms: gk.exp, gk.matmul, ...
from gradkit.random import (
    Generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from gradkit.tensor import Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from gradkit.threads import get_num_threads, set_num_threads
from gradkit.train import Model, Sequential, load_model

# issue 16 slice D: PyTorch's top-level forms of nn.functional ops (torch.cdist, ...)
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

float32, float64, int32, int64, bool_ = _xp.float32, _xp.float64, _xp.int32, _xp.int64, _xp.bool_
# PyTorch's short names: torch.float is float32, torch.double float64, torch.long int64
float, double, long, int, bool = float32, float64, int64, int32, bool_  # noqa: A001

# issue 16 slice C: dtypes, type promotion, creation and random functions
from gradkit.backend import (  # noqa: E402
    finfo,
    iinfo,
    is_floating_point,
    promote_types,
    result_type,
)
from gradkit.creation import empty_like, randint_like, randperm  # noqa: E402

float16 = half = _xp.float16
int16, short, int8, uint8 = _xp.int16, _xp.int16, _xp.int8, _xp.uint8
complex64 = cfloat = _xp.complex64
complex128 = cdouble = _xp.complex128


def __getattr__(name: str):
    if name == "bfloat16":  # asked for by name: say why it is missing
        from gradkit.backend import no_bfloat16

        raise AttributeError(f"module 'gradkit' has no attribute 'bfloat16': {no_bfloat16()}")
    raise AttributeError(f"module 'gradkit' has no attribute {name!r}")


__version__ = "0.1.0"

# issue 16 slice E: torch.utils.data, torch.cuda, torch.backends, torch.device,
# torch.save / torch.load
from gradkit import backends, cuda, utils  # noqa: E402
from gradkit.backend import device  # noqa: E402
from gradkit.io import load, save  # noqa: E402

# issue 16 slice B: shape ops, indexing rules, linear algebra
# isort: split
from gradkit import linalg  # noqa: E402

# PyTorch's pre-0.4 typed constructors, still in tutorials (gk.LongTensor(idxs))
from gradkit.legacy import (  # noqa: E402
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
from gradkit.ops.norms import tensor_norm as norm  # noqa: E402 - gradkit.ops.norm is a module
