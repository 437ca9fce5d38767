"""Console progress lines and the RESULTS.md / results.json files."""

import json
from pathlib import Path

from bench.cases import Case
from bench.report import REF, fmt, grad_bad, grad_status, value

MISMATCH = "MISMATCH"
BUSY_SHARE = 0.05  # CPU share used by other processes above which RESULTS.md warns
TARGET_HEADER = "Row|chainrule|torch|ratio|target|status|gradients|why n/a".split("|")
MEASUREMENT_HEADER = (
    "Case|Library|Variant|Median|Min|Repeats × calls|÷ fastest torch|Gradient rel. err|Note"
).split("|")
RATIO_NOTE = (
    "ratio = median chainrule / median torch, measured in the same process with interleaved "
    "repeats (per op for W2/W3, MB for memory and size)."
)


def _rel(entry: dict) -> str:
    err = entry.get("grad_err")
    if err is None:
        return ""
    if entry.get("grad_ref"):
        return "reference"
    return f"**{MISMATCH} {err:.1e}**" if grad_bad(entry) else f"{err:.0e}"


def _fastest_ref(case: Case, entries: list[dict]) -> float | None:
    found = [value(case, e) for e in entries if e["lib"] == REF]
    found = [v for v in found if v is not None]
    return min(found) if found else None


def measurement_rows(case: Case, entries: list[dict]) -> list[list[str]]:
    """One row per entry: MEASUREMENT_HEADER's columns."""
    fastest = _fastest_ref(case, entries)
    rows = []
    for e in entries:
        median = value(case, e)
        ratio = f"{median / fastest:.2f}" if median is not None and fastest else ""
        timed = f"{e.get('repeats', 0)} × {e.get('number', 1)}" if median is not None else ""
        low = fmt(case, value(case, e, "min"))
        note = e.get("error") or e.get("note") or ""
        rows.append([case.key, e["lib"], e["variant"], fmt(case, median), low, timed, ratio])
        rows[-1] += [_rel(e), note]
    return rows


def console_lines(case: Case, entries: list[dict]) -> list[str]:
    lines = [f"{case.key:<10} {case.title}"]
    for row in measurement_rows(case, entries):
        _key, lib, variant, median, low, _timed, ratio, rel, note = row
        extra = f"  {MISMATCH}" if MISMATCH in rel else ""
        detail = f"x{ratio} of fastest torch" if ratio else ""
        head = f"    {lib:<10} {variant:<38}"
        if median == "n/a":
            lines.append(f"{head} n/a: {note}")
        else:
            lines.append(f"{head} {median:>14} (min {low}) {detail}{extra}".rstrip())
    return lines


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    clean = [[str(cell).replace("|", "\\|").replace("\n", " ") for cell in row] for row in rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in clean]


def _target_table(rows: list[dict]) -> list[str]:
    body = []
    for r in rows:
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.3g}"
        limit = "—" if r["limit"] is None else f"≤ {r['limit']}"
        body.append([r["label"], r["mine"], r["ref"], ratio, limit, r["status"], r["grads"]])
        body[-1].append(r.get("why", ""))
    return _table(TARGET_HEADER, body)


def _share(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0%} of capacity"


def _machine_lines(machine: dict, libraries: list[dict] | None) -> list[str]:
    cores = f"{machine['cores']} logical cores ({machine['usable_cores']} usable)"
    lines = [
        f"- CPU: {machine['cpu']}, {cores}",
        f"- Platform: {machine['platform']}",
        f"- Python {machine['python']}, NumPy {machine['numpy']}, torch {machine['torch']}",
        f"- Date: {machine['date']}",
        f"- Load average (1/5/15 min) at start: {machine['load_start']}, "
        f"at end: {machine['load_end']}",
        f"- CPU used by other processes during the run: {_share(machine.get('foreign_cpu'))}",
    ]
    for lib in libraries or []:
        state = lib["error"] or f"version {lib['version']}"
        threads = f", {lib['threads']} intra-op threads" if "threads" in lib else ""
        lines.append(f"- `{lib['label']}` = module `{lib['module']}`: {state}{threads}")
    return lines


def _busy(machine: dict) -> str | None:
    """A warning when other processes took a noticeable share of the CPU during the run."""
    share = machine.get("foreign_cpu")
    if share is None or share <= BUSY_SHARE:
        return None
    return (
        f"> **Other processes used {share:.0%} of the machine's CPU during this run: "
        "multithreaded torch suffers most from them; rerun on a quiet machine before trusting "
        "the ratios.**"
    )


def _banners(run: dict, mismatches: list[str]) -> list[str]:
    libraries = run["libraries"]
    lines = [line for line in [_busy(run["machine"])] if line]
    for lib in libraries or []:
        if lib["label"] == "chainrule" and lib["module"] != "chainrule":
            lines.append(f"> **Debug run: the chainrule column is module `{lib['module']}`.**")
    if mismatches:
        lines.append("> **GRADIENT MISMATCH (beyond tolerance): " + "; ".join(mismatches) + "**")
    return lines + ([""] if lines else [])


def mismatches(cases: dict[str, Case], results: dict) -> list[str]:
    found = []
    for key, entries in results.items():
        status = grad_status(entries)
        if MISMATCH in status and key in cases:
            found.append(f"{key}: {status.replace('**', '')}")
    return found


def markdown(run: dict, cases: dict[str, Case], results: dict, rows: list[dict]) -> str:
    lines = ["# chainrule benchmark results", ""]
    lines += _banners(run, mismatches(cases, results))
    lines += [f"Command: `{run['command']}` — {run['mode']}.", "", "## Machine", ""]
    lines += _machine_lines(run["machine"], run["libraries"])
    lines += ["", "## Targets", "", RATIO_NOTE, ""]
    lines += _target_table(rows)
    body = [row for key, found in results.items() for row in measurement_rows(cases[key], found)]
    lines += ["", "## All measurements", ""] + _table(MEASUREMENT_HEADER, body) + [""]
    return "\n".join(lines)


def results_json(run: dict, cases: dict[str, Case], results: dict, rows: list[dict]) -> str:
    found = []
    for key, entries in results.items():
        case = cases[key]
        found.append({"key": key, "workload": case.workload, "title": case.title})
        found[-1].update(metric=case.metric, per=case.per, ops=case.ops, entries=entries)
    return json.dumps(run | {"cases": found, "targets": rows}, indent=2) + "\n"


def write(out_dir: Path, run: dict, cases: dict[str, Case], results: dict, rows: list[dict]):
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "RESULTS.md").write_text(markdown(run, cases, results, rows))
    (out_dir / "results.json").write_text(results_json(run, cases, results, rows))
