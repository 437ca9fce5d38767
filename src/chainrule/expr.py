"""A small, safe expression language for the ``chainrule`` command.

Expressions are written in Python's arithmetic syntax (``2*x**3 + x``, ``exp(2*x[0])``,
``[sin(t), cos(t)]``). They are parsed with :mod:`ast` and checked against a whitelist:
numbers, names, ``+ - * / **``, unary minus, calls of chainrule's maths functions,
the constants ``pi`` and ``e``, list literals and subscripts with integer constants.
Anything else (attributes, imports, lambdas, comprehensions, dunder names, ...) is
rejected with an :class:`ExprError` that points at the offending column. The tree is
then evaluated by walking it: nothing is ever passed to ``eval`` or ``exec``.

>>> expr = parse("2*x**3 + x")
>>> expr.variables
('x',)
>>> import chainrule
>>> expr.evaluate({"x": chainrule.tensor(1.0)})
tensor(3.)
"""

from __future__ import annotations

import ast
import difflib
import math
import warnings

MAX_LENGTH = 1000  # characters in one expression
MAX_DEPTH = 60  # nesting of the syntax tree
MAX_EXPONENT = 1000.0  # largest constant exponent allowed after ``**``
MAX_ELEMENTS = 100_000  # elements of any one value (a list literal, a broadcast result)
MAX_TOTAL_ELEMENTS = 20_000_000  # elements of all the values one evaluation computes

# name -> (chainrule function name, number of arguments)
FUNCTIONS = {
    "exp": ("exp", 1),
    "log": ("log", 1),
    "log2": ("log2", 1),
    "log10": ("log10", 1),
    "log1p": ("log1p", 1),
    "expm1": ("expm1", 1),
    "sin": ("sin", 1),
    "cos": ("cos", 1),
    "tan": ("tan", 1),
    "asin": ("asin", 1),
    "acos": ("acos", 1),
    "atan": ("atan", 1),
    "sinh": ("sinh", 1),
    "cosh": ("cosh", 1),
    "tanh": ("tanh", 1),
    "sigmoid": ("sigmoid", 1),
    "sqrt": ("sqrt", 1),
    "rsqrt": ("rsqrt", 1),
    "square": ("square", 1),
    "abs": ("abs", 1),
    "relu": ("relu", 1),
    "erf": ("erf", 1),
    "sign": ("sign", 1),
    "sum": ("sum", 1),
    "mean": ("mean", 1),
    "prod": ("prod", 1),
    "norm": ("norm", 1),
    "max": ("max", 1),
    "min": ("min", 1),
    "atan2": ("atan2", 2),
    "pow": ("pow", 2),
    "maximum": ("maximum", 2),
    "minimum": ("minimum", 2),
    "dot": ("dot", 2),
}
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

_FORBIDDEN = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.NamedExpr: "assignment (:=)",
    ast.IfExp: "a conditional expression",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.Tuple: "a tuple (use a list: [a, b])",
    ast.Starred: "*unpacking",
    ast.JoinedStr: "an f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


class ExprError(ValueError):
    """A bad expression: the message, then the expression with a caret under the column.

    >>> try:
    ...     parse("x.real")
    ... except ExprError as error:
    ...     print(error)
    attribute access is not allowed in an expression
      x.real
       ^
    """

    def __init__(self, message: str, source: str = "", column: int | None = None, line: int = 1):
        self.message = message
        self.source = source
        self.column = column
        self.line = line
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.source or self.column is None:
            return self.message
        text = _line_text(self.source, self.line)
        column = min(max(self.column, 0), len(text))
        return f"{self.message}\n  {text}\n  {' ' * column}^"


def _line_text(source: str, line: int) -> str:
    lines = source.splitlines() or [""]
    return lines[min(max(line, 1), len(lines)) - 1]


def _char_column(source: str, line: int, byte_offset: int) -> int:
    """ast columns count UTF-8 bytes; the caret needs characters."""
    text = _line_text(source, line)
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


class Expression:
    """A checked expression: its source, syntax tree and the variables it uses."""

    def __init__(self, source: str, tree: ast.Expression, variables: tuple):
        self.source = source
        self.tree = tree
        self.variables = variables

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def error(self, message: str, node: ast.AST) -> ExprError:
        """An ExprError pointing at ``node`` (at the operator of a binary operation)."""
        line = getattr(node, "lineno", 1)
        offset = getattr(node, "col_offset", 0)
        if isinstance(node, (ast.BinOp, ast.Attribute)):
            before = node.left if isinstance(node, ast.BinOp) else node.value
            if before.end_lineno == line:
                offset = before.end_col_offset
        column = _char_column(self.source, line, offset)
        text = _line_text(self.source, line)
        while column < len(text) - 1 and text[column] in " )":
            column += 1
        return ExprError(message, self.source, column, line)

    def text_of(self, node: ast.AST) -> str:
        """The source text of a sub-expression (for labels in tables and pictures)."""
        return ast.get_source_segment(self.source, node) or type(node).__name__

    def evaluate(self, values: dict, record: list | None = None):
        """Evaluate with ``values`` (name -> Tensor or number); returns a Tensor or a number.

        ``record``, when given, receives ``(source text, tensor)`` for every operation, in
        the order they ran: the CLI names the nodes of graphs and tables with them.

        >>> import chainrule
        >>> parse("u*v + (u*v)**2").evaluate({"u": chainrule.tensor(2.), "v": chainrule.tensor(1.)})
        tensor(6.)
        """
        missing = [name for name in self.variables if name not in values]
        if missing:
            node = _first_name(self.tree, missing[0])
            raise self.error(
                f"variable '{missing[0]}' is used but not given a value (give it with "
                f"--at {missing[0]}=...)" + _suggest(missing[0], list(values)),
                node,
            )
        return _Evaluator(self, values, record).run(self.tree.body)


def parse(source: str) -> Expression:
    """Check ``source`` against the whitelist and return an :class:`Expression`.

    >>> parse("exp(2*x[0]) + x[1]**2").variables
    ('x',)
    """
    if not isinstance(source, str):
        raise ExprError(f"an expression must be a string, not {type(source).__name__}")
    if len(source) > MAX_LENGTH:
        raise ExprError(f"the expression is too long ({len(source)} > {MAX_LENGTH} characters)")
    if not source.strip():
        raise ExprError("the expression is empty")
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal": the error says it
            warnings.simplefilter("ignore")
            tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        message = (error.msg or "invalid syntax").split(" (")[0]
        column = (error.offset or 0) - 1
        if column < 0:  # the input ended too early: point just past its end
            column = len(_line_text(source.strip(), error.lineno or 1))
        raise ExprError(
            f"syntax error: {message}", source.strip(), column, error.lineno or 1
        ) from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as error:
        raise ExprError(f"cannot parse the expression: {error}") from None
    source = source.strip()
    expression = Expression(source, tree, ())
    expression.variables = _check(expression)
    return expression


def _suggest(name: str, candidates) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _first_name(tree, name):
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == name:
            return node
    return tree.body


def _int_constant(node) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int


def _check(expression: Expression) -> tuple:
    """Walk the tree (iteratively) and refuse anything outside the whitelist."""
    variables = []
    stack = [(expression.tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise expression.error(f"the expression is nested too deeply (> {MAX_DEPTH})", node)
        children = _check_node(expression, node, variables)
        stack.extend((child, depth + 1) for child in reversed(children))
    return tuple(variables)


def _check_node(expression, node, variables) -> list:
    """The children to check next; raises for a node outside the language."""
    error = expression.error
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise error(f"{type(node.value).__name__} constants are not allowed", node)
        return []
    if isinstance(node, ast.Name):
        name = node.id
        if "__" in name or name.startswith("_"):
            raise error(f"the name '{name}' is not allowed (no names starting with _)", node)
        if name in FUNCTIONS:
            raise error(f"'{name}' is a function: call it, as in {name}(x)", node)
        if name not in CONSTANTS and name not in variables:
            variables.append(name)
        return []
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise error(f"the operator {type(node.op).__name__} is not allowed", node)
        if isinstance(node.op, ast.Pow):
            _check_exponent(expression, node.right)
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise error(f"the operator {type(node.op).__name__} is not allowed", node)
        return [node.operand]
    if isinstance(node, ast.Call):
        return _check_call(expression, node)
    if isinstance(node, ast.List):
        if not node.elts:
            raise error("an empty list has no value to differentiate", node)
        return list(node.elts)
    if isinstance(node, ast.Subscript):
        index = node.slice
        items = index.elts if isinstance(index, ast.Tuple) else [index]
        for item in items:
            if not _int_constant(item):
                raise error("indices must be integer constants, as in x[0] or x[0, 1]", item)
        return [node.value]
    what = _FORBIDDEN.get(type(node), type(node).__name__)
    raise error(f"{what} is not allowed in an expression", node)


def _check_call(expression, node) -> list:
    error = expression.error
    if not isinstance(node.func, ast.Name):
        if isinstance(node.func, ast.Attribute):
            raise error("attribute access is not allowed", node.func)
        paren = ast.Constant(0, lineno=node.func.end_lineno, col_offset=node.func.end_col_offset)
        raise error("only named functions can be called, as in exp(x)", paren)
    name = node.func.id
    if name not in FUNCTIONS:
        raise error(f"unknown function '{name}'" + _suggest(name, FUNCTIONS), node.func)
    if node.keywords:
        raise error(f"{name}() takes no keyword arguments", node.keywords[0].value)
    arity = FUNCTIONS[name][1]
    if len(node.args) != arity:
        plural = "s" if arity > 1 else ""
        raise error(f"{name}() takes {arity} argument{plural}, got {len(node.args)}", node)
    return list(node.args)


def _check_exponent(expression, node) -> None:
    value = _folded(node)
    if value is not None and not abs(value) <= MAX_EXPONENT:  # also refuses inf and nan
        raise expression.error(f"the exponent is too large (|{value:g}| > {MAX_EXPONENT:g})", node)


def _constant_value(node):
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * _as_float(node.value)
    return None


def _as_float(number) -> float:
    try:
        return float(number)
    except OverflowError:  # an integer literal beyond float's range
        return math.inf


_FOLD = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _folded(node, depth: int = 0):
    """The value of a constant sub-expression (numbers, pi, e, + - * / **), in floats;
    None when it uses a variable or a function, or is nested past MAX_DEPTH. A power
    too large for a float is inf (so ``x**10**10**10`` is refused, never computed)."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _as_float(node.value)
    if isinstance(node, ast.Name):
        return CONSTANTS.get(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _folded(node.operand, depth + 1)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD:
        left = _folded(node.left, depth + 1)
        right = _folded(node.right, depth + 1) if left is not None else None
        if right is None:
            return None
        try:
            value = _FOLD[type(node.op)](left, right)
        except OverflowError:
            return math.inf
        except ZeroDivisionError:
            return None  # evaluation reports it
        return None if isinstance(value, complex) else value
    return None


class _Evaluator:
    """Walks a checked tree with an explicit stack (no recursion limit to hit)."""

    def __init__(self, expression: Expression, values: dict, record):
        import chainrule

        self.torch = chainrule
        self.expression = expression
        self.values = values
        self.record = record
        self.elements = 0  # elements of every value computed so far

    def run(self, root):
        # post-order: push (node, False) to expand, (node, True) to compute from its children
        results = []
        stack = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if not ready:
                children = _children(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
                continue
            count = len(_children(node))
            args = results[len(results) - count :] if count else []
            del results[len(results) - count :]
            results.append(self._compute(node, args))
        return results[0]

    def _compute(self, node, args):
        try:
            if len(args) == 2:
                self._check_broadcast(node, args)
            value = self._apply(node, args)
        except ExprError:
            raise
        except (ArithmeticError, RuntimeError, ValueError, TypeError, IndexError) as error:
            message = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise self.expression.error(f"cannot evaluate: {message}", node) from None
        if isinstance(value, self.torch.Tensor) and not isinstance(node, ast.Name):
            self.elements += value.numel()
            if self.elements > MAX_TOTAL_ELEMENTS:
                raise self.expression.error(
                    f"the expression computes too many values (> {MAX_TOTAL_ELEMENTS:,} "
                    "elements in all): use fewer elements or a shorter expression",
                    node,
                )
        if self.record is not None and isinstance(value, self.torch.Tensor):
            if not isinstance(node, (ast.Name, ast.Constant)):
                self.record.append((self.expression.text_of(node), value))
        return value

    def _check_broadcast(self, node, args) -> None:
        """Refuse an operation whose broadcast result would be too large, before making it."""
        shapes = [tuple(a.shape) for a in args if isinstance(a, self.torch.Tensor)]
        if len(shapes) < 2:
            return
        try:
            shape = self.torch.broadcast_shapes(*shapes)
        except RuntimeError:
            return  # the operation itself reports shapes that do not broadcast
        if math.prod(shape) > MAX_ELEMENTS:
            raise self.expression.error(
                f"the result would have {math.prod(shape):,} elements (shape {list(shape)}; "
                f"the limit is {MAX_ELEMENTS:,})",
                node,
            )

    def _tensor(self, value):
        if isinstance(value, self.torch.Tensor):
            return value
        return self.torch.tensor(float(value))

    def _apply(self, node, args):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            value = self.values[node.id]
            return value if isinstance(value, self.torch.Tensor) else float(value)
        if isinstance(node, ast.UnaryOp):
            return -args[0] if isinstance(node.op, ast.USub) else args[0]
        if isinstance(node, ast.BinOp):
            return _binary(node.op, args[0], args[1])
        if isinstance(node, ast.Call):
            function = getattr(self.torch, FUNCTIONS[node.func.id][0])
            return function(*(self._tensor(a) for a in args))
        if isinstance(node, ast.List):
            return self._list(node, args)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, args[0])
        raise self.expression.error(f"{type(node).__name__} is not allowed", node)

    def _list(self, node, items):
        tensors = [self._tensor(item) for item in items]
        shapes = {tuple(t.shape) for t in tensors}
        if len(shapes) != 1:
            raise self.expression.error("the items of a list must all have the same shape", node)
        (shape,) = shapes
        if len(tensors) * math.prod(shape) > MAX_ELEMENTS:
            raise self.expression.error(f"the list is too large (> {MAX_ELEMENTS} elements)", node)
        return self.torch.stack(tensors)

    def _subscript(self, node, value):
        index = node.slice
        items = index.elts if isinstance(index, ast.Tuple) else [index]
        key = tuple(int(_constant_value(item)) for item in items)
        if not isinstance(value, self.torch.Tensor):
            raise self.expression.error("only tensors can be indexed", node)
        if len(key) > value.dim():
            raise self.expression.error(
                f"too many indices ({len(key)}) for a {value.dim()}-d value", node.slice
            )
        for size, i in zip(value.shape, key):
            if not -size <= i < size:
                raise self.expression.error(
                    f"index {i} is out of range for a dimension of size {size}", node.slice
                )
        return value[key[0] if len(key) == 1 else key]


def _binary(op, a, b):
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(a, float) and isinstance(b, float):
        result = a**b  # may raise OverflowError; a complex result is refused below
        if isinstance(result, complex):
            raise ValueError("a negative number to a fractional power has no real value")
        return result
    return a**b


def _children(node) -> list:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.List):
        return list(node.elts)
    if isinstance(node, ast.Subscript):
        return [node.value]
    return []


def parse_value(text: str):
    """A value for ``--at``: a number, a constant expression or a (nested) list, as a tensor.

    >>> parse_value("[1, 2]")
    tensor([1., 2.])
    >>> parse_value("pi/2")
    tensor(1.5708)
    """
    expression = parse(text)
    if expression.variables:
        name = expression.variables[0]
        raise expression.error(
            f"a value cannot use the variable '{name}'", _first_name(expression.tree, name)
        )
    value = expression.evaluate({})
    import chainrule

    if not isinstance(value, chainrule.Tensor):
        value = chainrule.tensor(float(value))
    return value.detach()
