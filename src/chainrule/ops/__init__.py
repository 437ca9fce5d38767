"""The derivative table, one file per op family. Importing this package installs every op."""

from . import creation, elementwise, inplace, linalg, reduce, shape  # noqa: F401

inplace._install()  # the in-place forms wrap the out-of-place ops defined above
