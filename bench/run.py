"""Benchmark chainrule against PyTorch (and optional autograd / mygrad / jax).

Usage from the repository root::

    python bench/run.py                 # every workload, ~2 s per library per case
    python bench/run.py --quick         # CI smoke run, ~0.2 s per case
    python bench/run.py --full          # adds W2 N=1,000,000, the big MLP, W7 N=10,000,000
    python bench/run.py --only W1,W3    # selected workloads (case keys like W2-10k work too)
    python bench/run.py --libs torch-as-chainrule,torch   # debug the suite without chainrule

See bench/README.md for what each workload measures.
"""

import argparse
import os
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# OpenBLAS worker threads busy-wait ~0.1 s after every call. On a machine with few cores that
# starves torch's OpenMP threads when the libraries alternate (a torch MLP step measured 50x
# slower right after a NumPy matmul). With a short timeout idle OpenBLAS threads sleep at once;
# NumPy's own matmul speed was unchanged. Must be set before NumPy is imported.
SETTINGS = {"OPENBLAS_THREAD_TIMEOUT": "4"}


def _bootstrap() -> None:
    """Import ``bench`` as a package from the repository root, not as loose modules."""
    for name, setting in SETTINGS.items():
        os.environ.setdefault(name, setting)
    if sys.path and Path(sys.path[0]).resolve() == HERE:
        sys.path.pop(0)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import libs

    libs.add_source_path()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="~0.1 s per library per case")
    mode.add_argument("--full", action="store_true", help="also the slow, large sizes")
    p.add_argument("--only", help="comma-separated workloads or case keys, e.g. W1,W3,W2-10k")
    p.add_argument(
        "--libs",
        help="comma-separated label[=module]; 'torch-as-chainrule' means "
        "chainrule=torch (also CHAINRULE_MODULE=torch). Default: chainrule,torch and "
        "whichever of autograd, mygrad, jax are installed",
    )
    p.add_argument(
        "--budget", type=float, help="seconds per library per case (default 2, 0.1 quick)"
    )
    p.add_argument("--timeout", type=float, help="seconds before a workload's child is killed")
    p.add_argument("--out", type=Path, default=HERE, help="where RESULTS.md/results.json go")
    p.add_argument("--no-write", action="store_true", help="print only, write no files")
    p.add_argument("--in-process", action="store_true", help="no child processes (debugging)")
    p.add_argument("--child", help=argparse.SUPPRESS)  # internal: run one workload
    p.add_argument("--cases", help=argparse.SUPPRESS)
    p.add_argument("--probe-mem", help=argparse.SUPPRESS)  # internal: W7 memory probe
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _budget(args: argparse.Namespace):
    from bench.harness import Budget

    seconds = args.budget if args.budget is not None else (0.1 if args.quick else 2.0)
    return Budget(seconds, quick=args.quick)


def _timeout(args: argparse.Namespace) -> float:
    if args.timeout is not None:
        return args.timeout
    return 180.0 if args.quick else 3600.0 if args.full else 900.0


def _internal(args: argparse.Namespace) -> int:
    import json

    from bench import child, probes
    from bench.libs import parse_specs

    if args.probe_mem:
        spec = parse_specs(args.probe_mem, floor=False)[0]
        print(json.dumps(probes.measure_memory(spec, args.n)), flush=True)
        return 0
    keys = args.cases.split(",") if args.cases else []
    specs = parse_specs(args.libs, floor=False)
    return child.main(args.child, keys, specs, _budget(args), args.full)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _bootstrap()
    if args.child or args.probe_mem:
        return _internal(args)
    from bench import session

    command = shlex.join(["python", "bench/run.py", *(sys.argv[1:] if argv is None else argv)])
    return session.run(args, _budget(args), _timeout(args), command)


if __name__ == "__main__":
    sys.exit(main())
