"""chainrule: automatic differentiation with PyTorch's tensor API, on NumPy.

>>> import chainrule as torch
>>> x = torch.tensor(1., requires_grad=True)
>>> y = 2 * x ** 3 + x
>>> y.backward()
>>> x.grad
tensor(7.)
"""

import math  # torch exposes Python's math module as torch.math

from . import _backend
from ._backend import (
    bool_ as bool,  # noqa: A001 (torch.bool)
    dtype,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    uint8,
)
from ._graph import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from ._printing import get_printoptions, printoptions, set_printoptions
from ._registry import FUNCTIONS as _FUNCTIONS
from ._tensor import Size, Tensor, device, is_tensor
from . import ops as _ops  # installs every op on Tensor and in FUNCTIONS
from . import autograd
from . import func
from .func import vmap
from . import linalg
from . import cuda
from . import nn
from . import optim
from . import utils
from .serialization import load, save
from .ops.creation import default_generator  # noqa: F401
from ._info import *  # noqa: F403 (finfo, iinfo, get_rng_state, typename, ...)
from ._legacy import *  # noqa: F403 (FloatTensor, LongTensor, ...)
from . import special
from . import distributions
from ._compat import *  # noqa: F403 (constants, testing, backends, compile, ...)
from ._compat import function_forms_of_inplace_methods as _inplace_functions
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled

globals().update(_FUNCTIONS)
_inplace_functions(globals())  # torch.relu_(x), torch.clamp_(x, 0), ...

float = float32  # noqa: A001 (torch.float)
double = float64
half = float16
long = int64
int = int32  # noqa: A001 (torch.int)
short = int16
__version__ = "0.1.0"


def get_default_dtype():
    """The dtype of new floating tensors (float32 unless changed)."""
    return _backend.defaults.float_dtype


def set_default_dtype(d):
    """Make ``d`` (float32 or float64) the dtype of new floating tensors."""
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    _backend.defaults.float_dtype = d


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype an operation on these two operands would produce."""
    from ._registry import result_dtype

    return result_dtype(tensor1, tensor2)


del _ops


def __getattr__(name):  # chainrule.explain, .viz, .plot, .expr load on first use
    if name in ("explain", "viz", "plot", "expr"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
