"""A differential fuzzer: random programs run with torch and with chainrule, compared.

The generators and the comparison live in the package tools/fuzzing/ (see its docstring for
the program families and what is compared). This is the command line:

    python tools/fuzz_against_torch.py [N]          # N programs from seed 0 (default 500)
    python tools/fuzz_against_torch.py --many N     # the same, reporting progress
    python tools/fuzz_against_torch.py --show S     # print program S and both outcomes
    python tools/fuzz_against_torch.py --start K N  # N programs from seed K

Needs torch. Torch behaviour chainrule chooses not to follow is listed in
fuzzing.ALLOWED_DIFFERENCES (kept out of the generated programs or accepted by the
comparison); defects other branches are fixing are in fuzzing.PENDING.
"""

import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, HERE)

import fuzzing  # noqa: E402
from fuzzing import ALLOWED_DIFFERENCES, CATEGORIES, PENDING, compare, generate, run  # noqa: E402, F401

import chainrule  # noqa: E402

warnings.simplefilter("ignore")


def check(seed: int):
    """None when torch and chainrule agree on program ``seed``, else what differs."""
    return fuzzing.check(seed, chainrule)


def show(seed):
    lines, values, theirs = generate(seed)
    print(f"# program {seed} ({fuzzing.category_of(seed)})")
    for name, value in values.items():
        print(f"{name} = {value}")
    print("\n".join(lines))
    ours = run(chainrule, lines, values)
    print("torch:    ", theirs)
    print("chainrule:", ours)
    print("difference:", check(seed))


def main(argv):
    if len(argv) > 2 and argv[1] == "--show":
        show(int(argv[2]))
        return 0
    start = 0
    if len(argv) > 3 and argv[1] == "--start":
        start, argv = int(argv[2]), [argv[0], argv[3]]
    many = len(argv) > 2 and argv[1] == "--many"
    count = int(argv[2] if many else argv[1]) if len(argv) > 1 else 500
    problems = []
    for seed in range(start, start + count):
        problem = check(seed)
        if problem:
            problems.append((seed, problem))
        if many and (seed + 1 - start) % 500 == 0:
            print(f"{seed + 1 - start} programs, {len(problems)} problems", flush=True)
    for seed, problem in problems[:80]:
        print(seed, fuzzing.category_of(seed), problem[:300])
    print("programs", count, "problems", len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
