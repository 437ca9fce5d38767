"""Machine description, target verdicts and the RESULTS.md / results.json writers."""

import datetime as dt
import importlib.metadata
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

from bench.cases import BEST, Case, Flat, Target

MINE, REF = "chainrule", "torch"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    """1/5/15-minute load averages: other processes competing for the cores add noise."""
    try:
        return " / ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


@dataclass(frozen=True)
class CpuSnapshot:
    """Machine-wide busy CPU seconds, this process tree's CPU seconds, the wall clock."""

    busy: float | None
    ours: float
    wall: float
    load: str


def _busy_seconds() -> float | None:
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, first)
    except (OSError, ValueError):
        return None
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _our_seconds() -> float:
    try:
        import resource
    except ImportError:
        return 0.0
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def cpu_snapshot() -> CpuSnapshot:
    return CpuSnapshot(_busy_seconds(), _our_seconds(), time.perf_counter(), load_average())


def foreign_cpu(start: CpuSnapshot, end: CpuSnapshot) -> float | None:
    """Share of the machine's CPU capacity that other processes used between two snapshots."""
    if start.busy is None or end.busy is None or end.wall <= start.wall:
        return None
    others = (end.busy - start.busy) - (end.ours - start.ours)
    return max(0.0, others) / ((end.wall - start.wall) * (os.cpu_count() or 1))


def machine_info(start: CpuSnapshot) -> dict:
    """Machine description; ``start`` is the snapshot taken when the run began."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    end = cpu_snapshot()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_start": start.load,
        "load_end": end.load,
        "foreign_cpu": foreign_cpu(start, end),
    }


# --- values ---------------------------------------------------------------------------------


def value(case: Case, entry: dict, key: str = "median") -> float | None:
    """An entry's number in report units: seconds per iteration or per op, or MB."""
    found = entry.get(key)
    if found is None or entry.get("error"):
        return None
    return found / case.ops if case.metric == "time" else found


def fmt(case: Case, number: float | None) -> str:
    if number is None:
        return "n/a"
    if case.metric != "time":
        return f"{number:.3g} MB"
    suffix = "/op" if case.per == "op" else ""
    for scale, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if number >= scale:
            return f"{number / scale:.3g} {unit}{suffix}"
    return f"{number / 1e-9:.3g} ns{suffix}"


def _pick(entries: list[dict], lib: str, variant: str) -> dict | None:
    mine = [e for e in entries if e["lib"] == lib]
    if variant == BEST:
        timed = [e for e in mine if e.get("median") is not None and not e.get("error")]
        return min(timed, key=lambda e: e["median"]) if timed else (mine[0] if mine else None)
    exact = [e for e in mine if e["variant"] in (variant, "*")]
    return exact[0] if exact else None


def _reason(entry: dict | None, lib: str) -> str:
    if entry is None:
        return f"{lib}: not run"
    return f"{lib}: {entry.get('error') or 'no timing'}"


def grad_bad(entry: dict) -> bool:
    """Whether an entry's gradient disagrees with the reference beyond the case tolerance."""
    err = entry.get("grad_err")
    return err is not None and err > entry.get("rtol", 1e-4)


def grad_status(entries: list[dict]) -> str:
    errors = [e["grad_err"] for e in entries if e.get("grad_err") is not None]
    if not errors:
        return "—"
    bad = [f"{e['lib']} {e['variant']}" for e in entries if grad_bad(e)]
    if bad:
        return f"**MISMATCH {max(errors):.1e}** ({', '.join(bad)})"
    return f"ok ({max(errors):.0e})"


def _verdict(ratio: float | None, limit: float | None) -> str:
    if ratio is None:
        return "n/a"
    if limit is None:
        return "info"
    return "met" if ratio <= limit else "**missed**"


def target_row(target: Target, cases: dict[str, Case], results: dict) -> dict:
    case, entries = cases.get(target.case), results.get(target.case)
    row = {"label": target.label, "limit": target.limit, "ratio": None}
    if case is None or entries is None:
        return row | {"status": "n/a", "why": "not selected", "mine": "", "ref": "", "grads": ""}
    mine, ref = _pick(entries, MINE, target.mine), _pick(entries, REF, target.ref)
    a, b = (value(case, e) if e else None for e in (mine, ref))
    ratio = a / b if a is not None and b else None
    row.update(ratio=ratio, status=_verdict(ratio, target.limit), grads=grad_status(entries))
    row["mine"] = fmt(case, a) + (f" ({mine['variant']})" if mine and target.mine == BEST else "")
    row["ref"] = fmt(case, b)
    row["why"] = (
        "" if ratio is not None else _reason(mine if a is None else ref, MINE if a is None else REF)
    )
    return row


def _spread(lib: str, keys: tuple[str, ...], cases: dict, results: dict) -> float | None:
    per_op = []
    for key in keys:
        entry = _pick(results.get(key, []), lib, "backward")
        per_op.append(value(cases[key], entry) if entry and key in cases else None)
    if not per_op or any(v is None for v in per_op):
        return None
    return max(per_op) / min(per_op)


def flat_row(target: Flat, cases: dict, results: dict) -> dict:
    mine = _spread(MINE, target.cases, cases, results)
    ref = _spread(REF, target.cases, cases, results)
    return {
        "label": target.label,
        "limit": target.limit,
        "ratio": mine,
        "status": _verdict(mine, target.limit),
        "mine": "n/a" if mine is None else f"spread {mine:.2f}",
        "ref": "n/a" if ref is None else f"spread {ref:.2f}",
        "grads": "",
        "why": "" if mine is not None else "needs every W2 size for chainrule",
    }


def target_rows(targets: list, cases: dict[str, Case], results: dict) -> list[dict]:
    """Verdict rows for the targets whose cases ran (``--only`` drops the others)."""
    rows = []
    for t in targets:
        if isinstance(t, Flat) and all(key in results for key in t.cases):
            rows.append(flat_row(t, cases, results))
        elif isinstance(t, Target) and t.case in results:
            rows.append(target_row(t, cases, results))
    return rows
