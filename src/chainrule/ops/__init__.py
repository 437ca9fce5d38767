"""The derivative table, one file per op family. Importing this package installs every op."""

from . import creation, elementwise, reduce, shape, linalg  # noqa: F401
from . import inplace  # noqa: E402

inplace._install()
