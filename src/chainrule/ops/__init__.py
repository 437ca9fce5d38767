"""The derivative table, one file per op family. Importing this package installs every op."""

from . import (  # noqa: F401
    activations,
    arithmetic,
    bucketing,
    combine,
    composite,
    conv,
    creation,
    decompositions,
    elementwise,
    indexing,
    inplace,
    joining,
    linalg,
    matrix_functions,
    more_math,
    nn_more,
    nn_ops,
    norm_ops,
    pooling,
    products,
    reduce,
    scans,
    selection,
    shape,
    special,
    storage,
    strided,
)

inplace._install()  # the in-place forms wrap the out-of-place ops defined above
more_math.install_aliases()  # torch's other names (arccos, fix, ...) for ops defined above
