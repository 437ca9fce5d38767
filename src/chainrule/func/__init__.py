"""torch.func: composable transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap).

>>> import chainrule as torch
>>> from chainrule.func import grad, vmap
>>> vmap(grad(lambda x: (x ** 3).sum()))(torch.tensor([[1.0], [2.0]]))
tensor([[ 3.],
        [12.]])
"""

from ._forward import hessian, jacfwd, jvp
from ._functional_call import functional_call
from ._reverse import grad, grad_and_value, jacrev, vjp
from ._vmap import vmap

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "vjp",
    "vmap",
]
