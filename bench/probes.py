"""Measurements that need fresh processes: W7 peak memory and W8 import time / package size."""

import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Entry
from bench.libs import ADDED_PATHS, NUMPY_STYLE, Lib, LibSpec, load, one_line

HERE = Path(__file__).resolve().parent
RUN = HERE / "run.py"
IMPORT_REPEATS = 5
MEMORY_REPEATS = 3
PROBE_TIMEOUT = 300
# A fixed glibc mmap threshold stops malloc from raising it after large frees, so big buffers
# always go back to the OS when freed and the RSS peak tracks live memory (without it the W7
# peak varies from 12 to 31 MB between identical runs).
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072"}


# --- W7 peak memory -------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _start_peak_window() -> tuple[int, str]:
    """Reset the RSS high-water mark where Linux allows it; return (baseline kB, method)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS"), "VmHWM after reset (clear_refs) - VmRSS"
    except OSError:
        pass
    rss = _status_kb("VmRSS")
    if rss is not None:
        return rss, "VmHWM (not resettable, upper bound) - VmRSS"
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "ru_maxrss growth (lower bound)"


def _peak_kb() -> int:
    peak = _status_kb("VmHWM")
    if peak is not None:
        return peak
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure_memory(spec: LibSpec, n: int) -> dict:
    """Run in a fresh process: peak RSS growth of one W7 gradient over the data already in RAM."""
    from bench.cases import w7_builders  # imported late: cases imports this module

    lib = load(spec)
    if lib.error:
        return {"error": lib.error}
    variant, small = next(iter(w7_builders(10).get(lib.style, {}).items()))
    small(lib.api)()  # trigger lazy initialisation outside the measured window
    step = w7_builders(n)[lib.style][variant](lib.api)  # creates the data
    gc.collect()
    base, method = _start_peak_window()
    step()
    extra_mb = max(0, _peak_kb() - base) / 1024
    return {"variant": variant, "extra_mb": extra_mb, "method": method}


def _run_probe(args: list[str]) -> dict:
    cmd = [sys.executable, str(RUN), *args]
    env = os.environ | MALLOC_ENV
    done = subprocess.run(
        cmd, check=False, capture_output=True, text=True, env=env, timeout=PROBE_TIMEOUT
    )
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return {"error": f"probe failed: {tail[:160]}"}


def _w7_libs(libs: list[Lib]) -> list[Lib]:
    from bench.cases import w7_builders

    styles = w7_builders(10)
    return [lib for lib in libs if lib.runs("W7") and (lib.error or lib.style in styles)]


def _probe_once(lib: Lib, n: int) -> dict:
    try:
        return _run_probe(["--probe-mem", lib.spec.encode(), "--n", str(n)])
    except subprocess.TimeoutExpired:
        return {"error": f"memory probe timed out after {PROBE_TIMEOUT} s"}


def memory_probe(n: int):
    """Peak extra RSS of one W7 gradient, one fresh process per library and repeat."""

    def probe(libs: list[Lib], budget) -> list[Entry]:
        chosen = _w7_libs(libs)
        entries = [Entry(lib.label, "backward", error=lib.error) for lib in chosen]
        for round_ in range(1 if budget.quick else MEMORY_REPEATS):
            pairs = list(zip(chosen, entries, strict=True))
            for lib, entry in pairs if round_ % 2 == 0 else reversed(pairs):
                if entry.error:
                    continue
                found = _probe_once(lib, n)
                entry.variant = found.get("variant", entry.variant)
                entry.error, entry.note = found.get("error"), found.get("method", "")
                if "extra_mb" in found:
                    entry.samples.append(found["extra_mb"])
        return entries

    return probe


# --- W8 import time and package size --------------------------------------------------------


def _import_code(module: str) -> str:
    return (
        "import sys, time\n"
        f"sys.path[:0] = {ADDED_PATHS!r}\n"
        "start = time.perf_counter()\n"
        f"import {module}\n"
        "print(time.perf_counter() - start)\n"
    )


# Imports are timed as an installed package runs them: from compiled bytecode. A sandbox
# that sets PYTHONDONTWRITEBYTECODE would otherwise make every timed import compile its
# sources again (for chainrule that tripled the time); the cache goes to its own folder.
PYCACHE = Path(tempfile.gettempdir()) / "chainrule-bench-pycache"


def time_import(module: str) -> float:
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    cmd = [sys.executable, "-c", _import_code(module)]
    done = subprocess.run(
        cmd, check=False, capture_output=True, text=True, env=env, timeout=PROBE_TIMEOUT
    )
    if done.returncode != 0:
        raise RuntimeError((done.stderr.strip().splitlines() or ["import failed"])[-1])
    return float(done.stdout.strip().splitlines()[-1])


def _importable(libs: list[Lib]) -> list[Lib]:
    return [lib for lib in libs if lib.style != NUMPY_STYLE and lib.runs("W8")]


def import_probe(libs: list[Lib], budget) -> list[Entry]:
    """Median over fresh interpreters, alternating libraries; interpreter start-up not counted."""
    chosen = _importable(libs)
    entries = [Entry(lib.label, "import", error=lib.error) for lib in chosen]
    for lib, entry in zip(chosen, entries, strict=True):  # untimed: fills the bytecode cache
        if not entry.error:
            try:
                time_import(lib.spec.module)
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
                entry.error = one_line(exc)
    for round_ in range(IMPORT_REPEATS):
        pairs = list(zip(chosen, entries, strict=True))
        for lib, entry in pairs if round_ % 2 == 0 else reversed(pairs):
            if entry.error:
                continue
            try:
                entry.samples.append(time_import(lib.spec.module))
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
                entry.error = one_line(exc)
    return entries


def package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(spec.origin) if spec.origin else None


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total


def size_probe(libs: list[Lib], _budget) -> list[Entry]:
    entries = []
    for lib in _importable(libs):
        entry = Entry(lib.label, "package", error=lib.error)
        path = None if lib.error else package_dir(lib.spec.module)
        if path is not None:
            entry.samples, entry.note = [tree_bytes(path) / 2**20], str(path)
        elif not entry.error:
            entry.error = f"package directory of {lib.spec.module} not found"
        entries.append(entry)
    return entries


def run_probe_script(script: str, *args: str) -> float:
    """Run ``script --probe ARGS`` in a fresh interpreter (with MALLOC_ENV) and return the
    number it prints (bench/checkpoint_memory.py and bench/train_memory.py use this)."""
    cmd = [sys.executable, script, "--probe", *args]
    env = dict(os.environ, **MALLOC_ENV)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)
