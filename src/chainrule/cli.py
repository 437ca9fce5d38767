"""The ``chainrule`` command: derivatives, gradients, Jacobians, plots, graphs, the chain rule.

    chainrule diff "2*x**3 + x" --at x=1
    chainrule grad "u*v + (u*v)**2" --at u=2 v=1
    chainrule explain "(x1 + 2*x2**3)**2" --at x1=1 x2=2
    chainrule tour

Expressions are parsed by :mod:`chainrule.expr` (never ``eval``). Numbers are printed as
chainrule prints tensors; ``--json`` gives plain numbers for scripts.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from ._cli_argv import OptionTable, RecordingParser, protect_dashes
from ._cli_bounds import MAX_DERIVATIVE_NODES, MAX_ELEMENT_WORK, MAX_MATRIX_ENTRIES, LimitError
from .expr import MAX_DEPTH, MAX_ELEMENTS, MAX_EXPONENT, MAX_LENGTH, MAX_TOTAL_ELEMENTS

EPILOGS = {
    "diff": """examples:
  chainrule diff "2*x**3 + x" --at x=1
  chainrule diff "sin(x)" --at x=pi/2 --order 3
  chainrule diff "x**2 * y" --at x=3 y=2 --wrt x --json""",
    "grad": """examples:
  chainrule grad "u*v + (u*v)**2" --at u=2 v=1
  chainrule grad "exp(2*x[0]) + x[1]**2" --at "x=[1, 2]"
  chainrule grad "sum((y - (b0 + b1*x))**2)" --at b0=1 b1=0.5 "x=[1, 2, 3]" "y=[2, 3, 5]\"""",
    "jacobian": """examples:
  chainrule jacobian "[sin(t), cos(t)]" --at t=1
  chainrule jacobian "[x*y, x+y, exp(x)]" --at x=1 y=2 --json""",
    "hessian": """examples:
  chainrule hessian "x**2*y + y**3" --at x=1 y=2
  chainrule hessian "sum(x**3)" --at "x=[1, 2]\"""",
    "plot": """examples:
  chainrule plot "x**3 - 3*x**2 + 4" --from -5 --to 5 --output f.png
  chainrule plot "sin(x)" --from 0 --to 2*pi --order 2 --output sin.svg""",
    "graph": """examples:
  chainrule graph "(x1 + 2*x2**3)**2" --at x1=1 x2=2 --output graph.svg
  chainrule graph "exp(2*x**3 + x)" --at x=1 --output graph.png
  chainrule graph "u*v + (u*v)**2" --at u=2 v=1 --output graph.dot""",
    "explain": """examples:
  chainrule explain "(x1 + 2*x2**3)**2" --at x1=1 x2=2
  chainrule explain "exp(2*x**3 + x)" --at x=1
  chainrule explain "exp(2*x[0]) + x[1]**2" --at "x=[1, 2]" --json""",
    "tour": """examples:
  chainrule tour
  chainrule tour --list
  chainrule tour --step 4 --plot f.png""",
}


MAX_ORDER = 10  # highest --order of diff
MAX_PLOT_ORDER = 5  # highest --order of plot
MAX_POINTS = 100_000  # most --points of plot

LIMITS = f"""values that start with '-' are taken as written: "-x**2", --from -pi, --at x=-1

limits (a command past one stops at once with an error, exit status 1 or 2):
  an expression or value: at most {MAX_LENGTH} characters, nested at most {MAX_DEPTH} deep,
  constant exponents at most {MAX_EXPONENT:g} in size (x**10**10 is refused)
  each value: at most {MAX_ELEMENTS:,} elements (list literals, broadcast results,
  all --at values together); all values one evaluation computes: {MAX_TOTAL_ELEMENTS:,}
  diff --order at most {MAX_ORDER}; plot --order at most {MAX_PLOT_ORDER}
  plot --points 2 to {MAX_POINTS:,}, --from and --to finite
  derivatives (diff, plot): at most {MAX_DERIVATIVE_NODES:,} graph nodes built in all, and
  nodes x elements at most {MAX_ELEMENT_WORK:,}: each order of a nested expression
  builds a larger graph, so the growth is projected and a step past the limit refused
  jacobian, hessian: at most {MAX_MATRIX_ENTRIES:,} entries, and rows x computed elements
  at most {MAX_ELEMENT_WORK:,}"""


class CommandError(Exception):
    """A problem to report in one line, with exit status 1."""


OPTIONS = OptionTable()  # each command's options, for values that start with "-"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="Derivatives of expressions, computed by chainrule's autograd, explained.",
        epilog=f"""examples:
  chainrule diff "2*x**3 + x" --at x=1
  chainrule diff "-x**2" --at x=-1
  chainrule grad "u*v + (u*v)**2" --at u=2 v=1
  chainrule explain "(x1 + 2*x2**3)**2" --at x1=1 x2=2
  chainrule graph "(x1 + 2*x2**3)**2" --at x1=1 x2=2 --output graph.svg
  chainrule plot "x**3 - 3*x**2 + 4" --from -5 --to 5 --output f.png
  chainrule tour

{LIMITS}

run 'chainrule COMMAND --help' for a command's options and examples""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=RecordingParser)
    sub.required = True

    def command(name, help_text):
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOGS[name] + "\n\nlimits: see 'chainrule --help'",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            table=OPTIONS,
            command=name,
        )

    def numeric(p, json_flag=True):
        p.add_argument("expression", help='a Python-syntax expression, e.g. "2*x**3 + x"')
        p.add_argument(
            "--at",
            nargs="+",
            default=[],
            metavar="NAME=VALUE",
            help='values of the variables: x=1, "x=[1, 2]", t=pi/4',
        )
        p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
        if json_flag:
            p.add_argument("--json", action="store_true", help="print plain JSON for scripts")

    p = command("diff", "f and its derivatives (d/dx, d2/dx2, ...) at a point")
    numeric(p)
    p.add_argument(
        "--order", type=int, default=1, help=f"highest derivative (default 1, at most {MAX_ORDER})"
    )
    p.add_argument("--wrt", help="the variable to differentiate by (default: the only one)")
    p = command("grad", "every partial derivative of a scalar expression")
    numeric(p)
    p = command("jacobian", "the Jacobian of a (vector) expression")
    numeric(p)
    p = command("hessian", "the Hessian (second partial derivatives) of a scalar expression")
    numeric(p)
    p = command("plot", "draw f and f' (and f'' with --order 2), computed by autograd")
    p.add_argument("expression", help='an expression of one variable, e.g. "x**3 - 3*x**2"')
    p.add_argument("--from", dest="start", default="-5", help="left end (default -5)")
    p.add_argument("--to", dest="stop", default="5", help="right end (default 5)")
    p.add_argument(
        "--order",
        type=int,
        default=1,
        help=f"highest derivative drawn (default 1, at most {MAX_PLOT_ORDER})",
    )
    p.add_argument(
        "--points", type=int, default=201, help=f"grid points (default 201, 2 to {MAX_POINTS:,})"
    )
    p.add_argument("--output", "-o", default="plot.png", help=".png, .svg or .pdf")
    p.add_argument("--title", help="the figure's title")
    p = command("graph", "draw the computation graph: each node's op, value and gradient")
    numeric(p, json_flag=False)
    p.add_argument("--output", "-o", default="graph.svg", help=".svg, .png, .pdf or .dot")
    p.add_argument("--no-values", action="store_true", help="leave the values out")
    p.add_argument("--no-grads", action="store_true", help="leave the gradients out")
    p.add_argument("--engine", choices=("auto", "graphviz", "builtin"), default="auto")
    p = command("explain", "the backward pass as a table: the chain rule in numbers")
    numeric(p)
    p = command("tour", "walk through the derivatives chapter, step by step")
    p.add_argument("--step", type=int, help="show only this step")
    p.add_argument("--list", action="store_true", help="list the steps")
    p.add_argument("--plot", default="", help="also save the f and f' plot to this file")
    return parser


def _version() -> str:
    from . import __version__

    return f"chainrule {__version__}"


# --------------------------------------------------------------------------- inputs


def _values(at: list, dtype_name: str) -> dict:
    """``["x=1", "y=[1, 2]"]`` -> {name: leaf tensor requiring grad}."""
    import chainrule

    from .expr import CONSTANTS, FUNCTIONS, ExprError, parse_value

    dtype = getattr(chainrule, dtype_name)
    values = {}
    elements = 0
    for item in at:
        item = item.strip()  # a value that starts with "-" arrives with a leading space
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExprError(f'--at takes NAME=VALUE, as in x=1 or "x=[1, 2]"; got {item!r}')
        if name in FUNCTIONS or name in CONSTANTS or name.startswith("_"):
            raise ExprError(f"'{name}' cannot be a variable name (it is a function or a constant)")
        value = parse_value(text).to(dtype)
        elements += value.numel()
        if elements > MAX_ELEMENTS:
            raise ExprError(f"the --at values have more than {MAX_ELEMENTS:,} elements in all")
        values[name] = value.requires_grad_(True)
    return values


def _prepare(args):
    """Parse the expression, build the leaves, evaluate: (expression, values, output, record)."""
    from .expr import parse

    expression = parse(args.expression)
    values = _values(args.at, args.dtype)
    unused = [name for name in values if name not in expression.variables]
    if unused:
        raise CommandError(f"--at gives '{unused[0]}', which the expression does not use")
    record = []
    output = expression.evaluate(values, record)
    output = _as_tensor(output, args.dtype)
    return expression, values, output, record


def _as_tensor(value, dtype_name):
    import chainrule

    if isinstance(value, chainrule.Tensor):
        return value
    return chainrule.tensor(float(value), dtype=getattr(chainrule, dtype_name))


def _plain(value):
    import chainrule

    if isinstance(value, chainrule.Tensor):
        return value.detach().tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _show(value) -> str:
    """A tensor printed as chainrule prints it (without its graph)."""
    import chainrule

    return repr(value.detach()) if isinstance(value, chainrule.Tensor) else repr(value)


def _header(expression, values) -> str:
    at = ", ".join(f"{name} = {_show(v)}" for name, v in values.items())
    return f"f = {expression.source}" + (f"   at {at}" if at else "")


# --------------------------------------------------------------------------- commands


def _largest(values, record, output) -> int:
    """Elements of the largest value an evaluation made (what each graph node holds)."""
    tensors = [output, *values.values(), *(t for _, t in record)]
    return max(t.numel() for t in tensors)


def cmd_diff(args, out) -> None:
    from ._cli_bounds import derivatives

    if args.order < 0:
        raise CommandError("--order must be 0 or more")
    if args.order > MAX_ORDER:
        raise CommandError(f"--order is at most {MAX_ORDER}")
    expression, values, output, record = _prepare(args)
    name = args.wrt or _only_variable(expression, values)
    if name not in values:
        raise CommandError(f"--wrt names '{name}', which has no value in --at")
    x = values[name]
    results = derivatives(output, x, args.order, _largest(values, record, output))
    labels = ["f"] + [_derivative_label(n, name) for n in range(1, args.order + 1)]
    if args.json:
        data = {"expression": expression.source, "at": _plain(values), "wrt": name}
        data["derivatives"] = [_plain(r) for r in results]
        out.write(json.dumps(data) + "\n")
        return
    out.write(_header(expression, values) + "\n")
    width = max(len(label) for label in labels)
    for label, value in zip(labels, results):
        out.write(f"{label.ljust(width)} = {_show(value)}\n")


def _derivative_label(n: int, name: str) -> str:
    return f"df/d{name}" if n == 1 else f"d{n}f/d{name}{n}"


def _only_variable(expression, values) -> str:
    if len(expression.variables) != 1:
        names = ", ".join(expression.variables) or "none"
        raise CommandError(
            f"diff needs one variable, the expression has {len(expression.variables)} "
            f"({names}): choose one with --wrt, or use 'chainrule grad'"
        )
    return expression.variables[0]


def _scalar(output, command) -> None:
    if output.numel() != 1:
        raise CommandError(
            f"{command} needs an expression with one value, this one has shape "
            f"{list(output.shape)} (sum it, or use 'chainrule jacobian')"
        )


def cmd_grad(args, out) -> None:
    import chainrule

    expression, values, output, _ = _prepare(args)
    _scalar(output, "grad")
    names = list(values)
    if not output.requires_grad:
        grads = [chainrule.zeros_like(values[n]) for n in names]
    else:
        grads = chainrule.autograd.grad(output, [values[n] for n in names], allow_unused=True)
        grads = [chainrule.zeros_like(values[n]) if g is None else g for n, g in zip(names, grads)]
    if args.json:
        data = {"expression": expression.source, "at": _plain(values), "value": _plain(output)}
        data["grad"] = {n: _plain(g) for n, g in zip(names, grads)}
        out.write(json.dumps(data) + "\n")
        return
    out.write(_header(expression, values) + "\n")
    labels = ["f"] + [f"df/d{n}" for n in names]
    width = max(len(label) for label in labels)
    for label, value in zip(labels, [output] + list(grads)):
        out.write(f"{label.ljust(width)} = {_show(value)}\n")


def _function_of(expression, names):
    def function(*tensors):
        return expression.evaluate(dict(zip(names, tensors)))

    return function


def cmd_jacobian(args, out) -> None:
    import chainrule

    from ._cli_bounds import check_matrix

    expression, values, output, record = _prepare(args)
    names = list(values)
    inputs = tuple(values[n].detach() for n in names)
    check_matrix("Jacobian", output.numel(), _numel(inputs), _computed(record))
    function = _function_of(expression, names)
    jac = chainrule.autograd.functional.jacobian(function, inputs)
    blocks = list(jac) if isinstance(jac, tuple) else [jac]
    if args.json:
        data = {"expression": expression.source, "at": _plain(values), "value": _plain(output)}
        data["jacobian"] = {n: _plain(b) for n, b in zip(names, blocks)}
        out.write(json.dumps(data) + "\n")
        return
    out.write(_header(expression, values) + "\n")
    out.write(f"f = {_show(output)}\n")
    for name, block in zip(names, blocks):
        out.write(f"df/d{name} =\n{_show(block)}\n")


def _numel(tensors) -> int:
    return sum(t.numel() for t in tensors)


def _computed(record) -> int:
    """Elements of all the values an evaluation computed (the size of its graph)."""
    return sum(t.numel() for _, t in record)


def cmd_hessian(args, out) -> None:
    import chainrule

    from ._cli_bounds import check_matrix

    expression, values, output, record = _prepare(args)
    _scalar(output, "hessian")
    names = list(values)
    inputs = tuple(values[n].detach() for n in names)
    check_matrix("Hessian", _numel(inputs), _numel(inputs), 3 * _computed(record))
    function = _function_of(expression, names)
    hess = chainrule.autograd.functional.hessian(lambda *t: function(*t).reshape(()), inputs)
    if args.json:
        data = {"expression": expression.source, "at": _plain(values), "value": _plain(output)}
        data["variables"] = names
        data["hessian"] = [[_plain(block) for block in row] for row in hess]
        out.write(json.dumps(data) + "\n")
        return
    out.write(_header(expression, values) + "\n")
    out.write(f"f = {_show(output)}\n")
    if all(v.numel() == 1 and v.dim() == 0 for v in inputs):
        matrix = chainrule.stack([chainrule.stack(list(row)) for row in hess])
        out.write(f"Hessian (rows and columns: {', '.join(names)}) =\n{_show(matrix)}\n")
        return
    for i, row in enumerate(hess):
        for j, block in enumerate(row):
            out.write(f"d2f/d{names[i]}d{names[j]} =\n{_show(block)}\n")


def cmd_plot(args, out) -> None:
    from .expr import parse, parse_value

    expression = parse(args.expression)
    if len(expression.variables) != 1:
        raise CommandError(
            f"plot needs an expression of one variable, this one has "
            f"{len(expression.variables)} ({', '.join(expression.variables) or 'none'})"
        )
    name = expression.variables[0]
    start, stop = float(parse_value(args.start)), float(parse_value(args.stop))
    if not start < stop:
        raise CommandError(f"--from ({start:g}) must be less than --to ({stop:g})")
    if not 0 <= args.order <= MAX_PLOT_ORDER:
        raise CommandError(f"--order must be between 0 and {MAX_PLOT_ORDER}")
    if not 2 <= args.points <= MAX_POINTS:
        raise CommandError(f"--points must be between 2 and {MAX_POINTS}")
    if not (math.isfinite(start) and math.isfinite(stop) and math.isfinite(stop - start)):
        raise CommandError(f"--from and --to must be finite numbers, got {start:g} and {stop:g}")
    _probe_plot(expression, name, (start + stop) / 2, args.order, args.points)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandError("plotting needs matplotlib: pip install 'chainrule[plot]'") from None
    from . import plot

    title = args.title or f"f({name}) = {expression.source}"
    fig = plot.derivatives(
        lambda x: _as_grid(expression.evaluate({name: x}), x),
        start,
        stop,
        args.order,
        args.points,
        title,
    )
    fig.axes[0].set_xlabel(name)
    plot.save(fig, args.output)
    out.write(
        f"plot of f and {args.order} derivative(s) on [{start:g}, {stop:g}] written to "
        f"{args.output}\n"
    )


def _probe_plot(expression, name, middle, order, points) -> None:
    """Refuse a plot whose derivatives are too much work, from one point's derivatives
    (the graphs of a grid have the same nodes, each holding ``points`` elements)."""
    import chainrule

    from ._cli_bounds import derivatives

    x = chainrule.tensor(middle, requires_grad=True)
    probe = _as_tensor(expression.evaluate({name: x}), "float32")
    derivatives(probe, x, order, points)


def _as_grid(value, x):
    import chainrule

    if not isinstance(value, chainrule.Tensor):
        return chainrule.full_like(x, float(value))
    return value if value.shape == x.shape else value.expand(x.shape)


def cmd_graph(args, out) -> None:
    from . import viz

    expression, values, output, record = _prepare(args)
    if not output.requires_grad:
        raise CommandError("the expression does not depend on any variable: no graph to draw")
    names = list(values.items()) + record  # a repeated sub-expression names each node
    viz.draw(output, args.output, not args.no_values, not args.no_grads, names, args.engine)
    out.write(f"graph of f = {expression.source} written to {args.output}\n")


def cmd_explain(args, out) -> None:
    from .explain import explain

    expression, values, output, record = _prepare(args)
    if not output.requires_grad:
        raise CommandError("the expression does not depend on any variable: nothing to explain")
    names = list(values.items()) + record  # a repeated sub-expression names each node
    table = explain(output, names=names, title=_header(expression, values))
    if args.json:
        data = table.to_dict()
        data["expression"] = expression.source
        data["at"] = _plain(values)
        out.write(json.dumps(data) + "\n")
        return
    out.write(str(table) + "\n")


def cmd_tour(args, out) -> None:
    from ._tour import run_tour

    run_tour(out, step=args.step, listing=args.list, plot_path=args.plot or None)


COMMANDS = {
    "diff": cmd_diff,
    "grad": cmd_grad,
    "jacobian": cmd_jacobian,
    "hessian": cmd_hessian,
    "plot": cmd_plot,
    "graph": cmd_graph,
    "explain": cmd_explain,
    "tour": cmd_tour,
}


def main(argv=None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 bad input)."""
    from .expr import ExprError

    parser = _parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(protect_dashes(argv, OPTIONS))
    try:
        COMMANDS[args.command](args, sys.stdout)
    except ExprError as error:
        print(f"chainrule {args.command}: error: {error}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"chainrule {args.command}: error: out of memory", file=sys.stderr)
        return 1
    except (CommandError, LimitError, ArithmeticError, RuntimeError, ValueError, OSError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"chainrule {args.command}: error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
