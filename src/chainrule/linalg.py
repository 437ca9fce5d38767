"""torch.linalg: matrix decompositions, solvers and norms.

>>> import chainrule as torch
>>> torch.linalg.det(torch.tensor([[2., 1.], [1., 3.]]))
tensor(5.)
"""

from .ops.decompositions import LINALG as _LINALG
from .ops.decompositions import (
    LinAlgError,
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    lstsq,
    pinv,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
)
from .ops.linalg import matmul
from .ops.linalg_more import LINALG_MORE as _LINALG_MORE
from .ops.linalg_more import (
    cross,
    eig,
    eigvals,
    householder_product,
    inv_ex,
    lu,
    lu_factor,
    lu_solve,
    solve_triangular,
    vander,
    vecdot,
)
from .ops.matrix_functions import _vector_norm as vector_norm
from .ops.matrix_functions import (
    cond,
    matrix_exp,
    matrix_norm,
    matrix_power,
    multi_dot,
    norm,
)

assert set(_LINALG) | set(_LINALG_MORE) <= set(globals()), "every torch.linalg op is named here"

__all__ = [
    "LinAlgError",
    "cholesky",
    "cond",
    "cross",
    "det",
    "eig",
    "eigh",
    "eigvals",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
    "svd",
    "svdvals",
    "vander",
    "vecdot",
    "vector_norm",
]
