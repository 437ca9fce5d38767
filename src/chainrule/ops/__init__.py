"""The derivative table, one file per op family. Importing this package installs every op."""

from . import (  # noqa: F401
    activations,
    arithmetic,
    combine,
    creation,
    decompositions,
    elementwise,
    indexing,
    inplace,
    joining,
    linalg,
    matrix_functions,
    products,
    reduce,
    scans,
    selection,
    shape,
    special,
)

inplace._install()  # the in-place forms wrap the out-of-place ops defined above
