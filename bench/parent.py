"""Run each workload in a child process and survive children that crash or hang.

The child announces every library call it is about to make (``enter`` events). If it dies or
hits the time limit, the library it was running is charged with the failure for that case, the
case is rerun without that library in a fresh child, and the workload's remaining cases go on.
"""

import json
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import child
from bench.harness import Budget
from bench.libs import LibSpec

RUN = Path(__file__).resolve().parent / "run.py"
OnEvent = Callable[[dict], None]


@dataclass
class Options:
    budget: Budget
    full: bool
    timeout: float
    in_process: bool = False


@dataclass
class Outcome:
    """What one child reported before it ended."""

    libs: list[dict] | None = None
    results: dict[str, list[dict]] = field(default_factory=dict)
    current: str | None = None  # the case started but not finished
    running: tuple[str, str] | None = None  # (library, variant) last entered in that case
    failure: str | None = None  # why the child ended early
    timed_out: bool = False

    def take(self, event: dict) -> None:
        kind = event["type"]
        if kind == "libs":
            self.libs = event["libs"]
        elif kind == "start":
            self.current, self.running = event["case"], None
        elif kind == "enter":
            self.running = (event["lib"], event["variant"]) if event["lib"] else None
        elif kind == "case":
            self.results[event["case"]] = event["entries"]
            self.current = self.running = None


def _command(workload: str, keys: list[str], specs: list[LibSpec], opts: Options) -> list[str]:
    cmd = [sys.executable, str(RUN), "--child", workload, "--cases", ",".join(keys)]
    cmd += ["--libs", ",".join(s.encode() for s in specs), "--budget", str(opts.budget.seconds)]
    return cmd + (["--quick"] if opts.budget.quick else []) + (["--full"] if opts.full else [])


def _exit_reason(code: int, stderr: str) -> str:
    if code < 0:
        try:
            return f"process crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"process killed by signal {-code}"
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return f"process exited with status {code}" + (f": {lines[-1][:160]}" if lines else "")


def _read(proc: subprocess.Popen, outcome: Outcome, on_event: OnEvent) -> None:
    for line in proc.stdout:
        if line.startswith(child.MARK):
            event = json.loads(line[len(child.MARK) :])
            outcome.take(event)
            on_event(event)


def _spawn(cmd: list[str], timeout: float, on_event: OnEvent) -> Outcome:
    outcome = Outcome()

    def expire() -> None:
        outcome.timed_out = True
        proc.kill()

    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            _read(proc, outcome, on_event)
            code = proc.wait()
        finally:
            timer.cancel()
        err.seek(0)
        if outcome.timed_out:
            outcome.failure = f"timed out after {timeout:.0f} s"
        elif code != 0:
            outcome.failure = _exit_reason(code, err.read())
    return outcome


def _in_process(workload, keys, specs, opts, on_event) -> Outcome:
    outcome = Outcome()

    def emit(event: dict) -> None:
        outcome.take(event)
        on_event(event)

    child.run(workload, keys, specs, opts.budget, opts.full, emit)
    return outcome


def _run(workload, keys, specs, opts, on_event) -> Outcome:
    if opts.in_process:
        return _in_process(workload, keys, specs, opts, on_event)
    return _spawn(_command(workload, keys, specs, opts), opts.timeout, on_event)


def _failed(label: str, variant: str, reason: str) -> dict:
    return {"lib": label, "variant": variant, "error": reason, "median": None, "min": None}


def _recover(workload: str, outcome: Outcome, pending: list[str], specs, opts) -> tuple:
    """Entries for the case a failed child was running: the culprit's error plus the others."""
    key, reason = outcome.current or pending[0], outcome.failure or "process stopped early"
    if outcome.running is None:  # died outside any library call: nobody to single out
        return key, [_failed(s.label, "*", reason) for s in specs if not s.optional]
    label, variant = outcome.running
    others = [s for s in specs if s.label != label]
    entries = [_failed(label, variant, reason)]
    if others:
        rerun = run_workload(workload, [key], others, opts, lambda _event: None)
        entries += rerun.results.get(key, [])
    return key, entries


def run_workload(
    workload: str, keys: list[str], specs: list[LibSpec], opts: Options, on_event: OnEvent
) -> Outcome:
    """Run the cases ``keys`` of one workload; every case ends up with an entry list."""
    total = Outcome()
    pending = list(keys)
    while pending:
        outcome = _run(workload, pending, specs, opts, on_event)
        total.libs = total.libs or outcome.libs
        total.results.update(outcome.results)
        pending = [k for k in pending if k not in total.results]
        if not pending:
            break
        key, entries = _recover(workload, outcome, pending, specs, opts)
        total.results[key] = entries
        on_event({"type": "case", "case": key, "entries": entries})
        pending.remove(key)
    return total
