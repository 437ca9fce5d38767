"""Benchmark suite comparing chainrule with PyTorch (run ``python bench/run.py``)."""
