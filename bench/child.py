"""One workload in one process: every library's cases run interleaved, results as JSON lines.

The parent (``bench/parent.py``) starts one such process per workload, so a library that crashes
the interpreter, exhausts memory or hangs costs only the case it was running.
"""

import gc
import json
from collections.abc import Callable

from bench.cases import Case, all_cases
from bench.harness import Budget, Entry, rel_error, run_interleaved, summary
from bench.libs import TORCH_STYLE, Lib, LibSpec, load, one_line

MARK = "@@bench "
REFERENCE_LIB = "torch"
Emit = Callable[[dict], None]


def _enter(entry: Entry) -> dict:
    return {"type": "enter", "lib": entry.lib, "variant": entry.variant}


def lib_info(lib: Lib) -> dict:
    info = {"label": lib.label, "module": lib.spec.module, "version": lib.version}
    info.update(style=lib.style, optional=lib.spec.optional, error=lib.error)
    get_threads = getattr(lib.api, "get_num_threads", None)
    if lib.style == TORCH_STYLE and callable(get_threads):
        info["threads"] = get_threads()
    return info


def _error_entries(case: Case, lib: Lib) -> list[Entry]:
    variants = case.builders.get(TORCH_STYLE, {}) or {"*": None}
    return [Entry(lib.label, variant, error=lib.error) for variant in variants]


def _finished(step, finish):
    return step if finish is None else lambda: finish(step())


def _build(case: Case, lib: Lib) -> list[Entry]:
    entries = []
    for variant, build in case.builders.get(lib.style, {}).items():
        entry = Entry(lib.label, variant)
        try:
            entry.step = _finished(build(lib.api), lib.finish)
        except Exception as exc:  # noqa: BLE001 - a missing feature is reported, not raised
            entry.error = one_line(exc)
        entries.append(entry)
    return entries


def build_entries(case: Case, libs: list[Lib]) -> list[Entry]:
    entries = []
    for lib in libs:
        if not lib.runs(case.workload):
            continue
        entries += _error_entries(case, lib) if lib.error else _build(case, lib)
    return entries


def check_gradients(entries: list[Entry]) -> Entry | None:
    """Compare every entry's first result with the reference (torch's first variant)."""
    done = [e for e in entries if e.check is not None]
    ref = next((e for e in done if e.lib == REFERENCE_LIB), done[0] if done else None)
    for entry in done:
        entry.grad_err = rel_error(entry.check, ref.check)
    for entry in done:
        entry.check = None  # free the arrays
    return ref


def _as_dict(entry: Entry, ref: Entry | None, rtol: float) -> dict:
    found = {"lib": entry.lib, "variant": entry.variant, "error": entry.error, "note": entry.note}
    found.update(summary(entry))
    found["grad_err"] = entry.grad_err
    found["grad_ref"] = entry is ref
    found["rtol"] = rtol
    return found


def run_case(case: Case, libs: list[Lib], budget: Budget, emit: Emit) -> list[dict]:
    if case.probe is not None:
        entries, ref = case.probe(libs, budget), None
    else:
        entries = build_entries(case, libs)
        run_interleaved(entries, budget, lambda e: emit(_enter(e)))
        emit({"type": "enter", "lib": None, "variant": None})  # no library call from here on
        ref = check_gradients(entries)
    found = [_as_dict(e, ref, case.rtol) for e in entries]
    del entries, ref
    gc.collect()
    return found


def run(
    workload: str, keys: list[str], specs: list[LibSpec], budget: Budget, full: bool, emit: Emit
) -> None:
    """Load the libraries, then run the selected cases of ``workload`` one after another."""
    libs = [load(spec) for spec in specs]
    emit({"type": "libs", "libs": [lib_info(lib) for lib in libs]})
    for case in all_cases(full):
        if case.workload == workload and case.key in keys:
            emit({"type": "start", "case": case.key})
            entries = run_case(case, libs, budget, emit)
            emit({"type": "case", "case": case.key, "entries": entries})


def _print(event: dict) -> None:
    print(MARK + json.dumps(event), flush=True)


def main(workload: str, keys: list[str], specs: list[LibSpec], budget: Budget, full: bool) -> int:
    run(workload, keys, specs, budget, full, _print)
    return 0
