"""Which libraries take part, how they are imported, and the shims that adapt them.

A library spec is ``label=module``: ``label`` is the column it is reported under, ``module`` what is
imported. ``torch-as-chainrule`` is shorthand for ``chainrule=torch`` (debug the suite with torch
standing in for chainrule); so is the environment variable ``CHAINRULE_MODULE=torch``.
"""

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PRIMARY = ("chainrule", "torch")
OPTIONAL = ("autograd", "mygrad", "jax")
FLOOR = "numpy"

TORCH_STYLE = "torch"
FUNCTIONAL_STYLE = "functional"
NUMPY_STYLE = "numpy"

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
ADDED_PATHS: list[str] = []  # what add_source_path() put on sys.path (fresh processes copy it)

# mygrad runs the torch-like workloads through a shim that covers only these.
MYGRAD_WORKLOADS = frozenset({"W1", "W2", "W3", "W7", "W8"})


@dataclass(frozen=True)
class LibSpec:
    label: str
    module: str
    optional: bool = False

    def encode(self) -> str:
        return f"{self.label}={self.module}" + ("?" if self.optional else "")


def chainrule_module() -> str:
    return os.environ.get("CHAINRULE_MODULE", "chainrule")


def _parse_item(item: str) -> LibSpec:
    optional = item.endswith("?")
    item = item.rstrip("?")
    if "=" in item:
        label, module = item.split("=", 1)
    elif "-as-" in item:
        module, label = item.split("-as-", 1)
    else:
        label = item
        module = chainrule_module() if item == "chainrule" else item
    return LibSpec(label.strip(), module.strip(), optional)


def is_installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def add_source_path() -> None:
    """Put ``src/`` on sys.path when chainrule is not installed."""
    if SRC.is_dir() and str(SRC) not in sys.path and not is_installed("chainrule"):
        sys.path.insert(0, str(SRC))
        ADDED_PATHS.append(str(SRC))


def parse_specs(text: str | None, floor: bool = True) -> list[LibSpec]:
    """Parse ``--libs``; the default is chainrule, torch and the installed optional ones.

    ``floor`` appends the hand-written NumPy gradient (W7) unless ``numpy`` is already listed.
    """
    if text:
        specs = [_parse_item(item) for item in text.split(",") if item.strip()]
    else:
        specs = [_parse_item(name) for name in PRIMARY]
        specs += [LibSpec(name, name, True) for name in OPTIONAL if is_installed(name)]
    if floor and all(s.label != FLOOR for s in specs):
        specs.append(LibSpec(FLOOR, FLOOR, True))
    return specs


@dataclass(frozen=True)
class FunctionalAPI:
    """What the functional adapters need from HIPS autograd or jax."""

    xnp: object
    grad: object
    jacobian: object
    hessian: object
    asarray: object


class MygradShim:
    """Just enough of the torch-like API for mygrad to run the workloads in MYGRAD_WORKLOADS."""

    def __init__(self, mygrad):
        self._mg = mygrad

    def tensor(self, value, requires_grad: bool = False):
        array = np.asarray(value)
        if array.dtype.kind == "f":
            array = array.astype(np.float32)
        return self._mg.tensor(array, constant=not requires_grad)

    def __getattr__(self, name):
        return getattr(self._mg, name)


@dataclass
class Lib:
    spec: LibSpec
    style: str = TORCH_STYLE
    api: object = None
    version: str = "?"
    error: str | None = None
    workloads: frozenset | None = None  # None: every workload
    finish: Callable | None = None  # waits for asynchronous results (jax), inside the timing

    @property
    def label(self) -> str:
        return self.spec.label

    def runs(self, workload: str) -> bool:
        """Whether ``workload`` is reported for this library (optional ones vanish if broken)."""
        if self.error and self.spec.optional:
            return False
        return self.workloads is None or workload in self.workloads


def _adapt(module_name: str, module) -> tuple[str, object, frozenset | None]:
    """(style, API object handed to the builders, workloads it runs or None for all)."""
    if module_name == "autograd":
        ag = importlib.import_module("autograd.numpy")
        api = FunctionalAPI(ag, module.grad, module.jacobian, module.hessian, np.asarray)
        return FUNCTIONAL_STYLE, api, None
    if module_name == "jax":
        jnp = importlib.import_module("jax.numpy")
        return (
            FUNCTIONAL_STYLE,
            FunctionalAPI(jnp, module.grad, module.jacrev, module.hessian, jnp.asarray),
            None,
        )
    if module_name == "mygrad":
        return TORCH_STYLE, MygradShim(module), MYGRAD_WORKLOADS
    if module_name == FLOOR:
        return NUMPY_STYLE, module, frozenset({"W7"})
    return TORCH_STYLE, module, None


def one_line(exc: BaseException, limit: int = 160) -> str:
    """A one-line reason for a failure: ``Type: first line of the message``."""
    text = str(exc).strip().splitlines()
    line = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 3] + "..."


def load(spec: LibSpec) -> Lib:
    if spec.module == "jax":
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        module = importlib.import_module(spec.module)
        style, api, workloads = _adapt(spec.module, module)
    except Exception as exc:  # noqa: BLE001 - any import failure becomes a reported reason
        return Lib(spec, error=f"import {spec.module} failed: {one_line(exc)}")
    version = str(getattr(module, "__version__", "?"))
    finish = module.block_until_ready if spec.module == "jax" else None
    return Lib(spec, style, api, version, workloads=workloads, finish=finish)
