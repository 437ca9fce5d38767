"""Op specs of the ops/decompositions.py family (see op_specs.py for the table's vocabulary)."""

from op_specs import spec  # noqa: F401
