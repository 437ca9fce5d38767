"""The top-level run: pick cases, run each workload in a child, print progress, write results."""

import sys
from itertools import groupby

from bench import output, parent, report
from bench.cases import all_cases, select, targets
from bench.libs import parse_specs


def _progress(cases: dict):
    def on_event(event: dict) -> None:
        if event["type"] == "case":
            print("\n".join(output.console_lines(cases[event["case"]], event["entries"])))
            sys.stdout.flush()

    return on_event


def _mode(args, budget) -> str:
    name = "quick" if args.quick else "full" if args.full else "default"
    return f"{name} mode, {budget.seconds:g} s per library per case"


def _summary(rows: list[dict], problems: list[str]) -> None:
    print("\nTargets (ratio = median chainrule / median torch):")
    for r in rows:
        ratio = "n/a" if r["ratio"] is None else f"{r['ratio']:.3g}"
        limit = "" if r["limit"] is None else f"<= {r['limit']}"
        print(f"  {r['label']:<44} {ratio:>8} {limit:>8}  {r['status'].replace('*', '')}")
    for line in problems:
        print(f"WARNING: gradient mismatch {line}", file=sys.stderr)


def run(args, budget, timeout: float, command: str) -> int:
    chosen = select(all_cases(args.full), args.only)
    if not chosen:
        print(f"no workload matches --only {args.only}", file=sys.stderr)
        return 2
    cases = {case.key: case for case in chosen}
    specs = parse_specs(args.libs)
    opts = parent.Options(budget, args.full, timeout, args.in_process)
    print(f"{_mode(args, budget)}; libraries: {', '.join(s.encode() for s in specs)}")
    start = report.cpu_snapshot()
    results, libraries = {}, None
    for workload, group in groupby(chosen, key=lambda c: c.workload):
        keys = [case.key for case in group]
        outcome = parent.run_workload(workload, keys, specs, opts, _progress(cases))
        libraries = libraries or outcome.libs
        results.update({key: outcome.results[key] for key in keys})
    rows = report.target_rows(targets(args.full), cases, results)
    run_info = {
        "command": command,
        "mode": _mode(args, budget),
        "budget_s": budget.seconds,
        "machine": report.machine_info(start),
        "libraries": libraries,
    }
    _summary(rows, output.mismatches(cases, results))
    if not args.no_write:
        output.write(args.out, run_info, cases, results, rows)
        print(f"wrote {args.out / 'RESULTS.md'} and {args.out / 'results.json'}")
    return 0
