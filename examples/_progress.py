"""The examples' progress bar: tqdm's when it is installed, else a plain one on stderr."""

from __future__ import annotations

import sys


def progress(iterable, desc: str):
    """Wrap ``iterable`` in a progress bar labelled ``desc``."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _plain_progress(iterable, desc)
    return tqdm(iterable, desc=desc, leave=False)


def _plain_progress(iterable, desc: str, width: int = 30):
    items = list(iterable)
    total = max(len(items), 1)
    every = max(total // 20, 1) if sys.stderr.isatty() else total  # redraw only on a terminal
    for i, item in enumerate(items, 1):
        if i % every == 0 or i == total:
            filled = width * i // total
            bar = "#" * filled + "." * (width - filled)
            sys.stderr.write(f"\r{desc}: [{bar}] {i}/{total}")
            sys.stderr.flush()
        yield item
    sys.stderr.write("\n")
