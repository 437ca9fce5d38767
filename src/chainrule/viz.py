"""Pictures of the computation graph: every node with its op, value and gradient.

:func:`to_dot` gives Graphviz DOT text; :func:`draw` writes SVG, PNG, PDF or DOT. The
Graphviz ``dot`` program is used when it is installed; otherwise a small built-in
layered layout is drawn (SVG written directly, PNG and PDF through matplotlib), so
pictures need nothing beyond NumPy and matplotlib. In Jupyter, the :class:`Graph` that
:func:`graph` returns displays itself as SVG.

>>> import chainrule as torch
>>> x = torch.tensor(1., requires_grad=True)
>>> print(torch.viz.to_dot(x ** 2, names={"x": x}).splitlines()[0])
digraph chainrule {
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess

from ._graph import FREED, AccumulateGrad, SavedOutput
from ._tensor import Tensor, edge
from .explain import backward_steps, cell, graph_nodes, name_pairs, node_labels

CHAR_WIDTH = 7.3  # px per character of 12px monospace text
LINE_HEIGHT = 16
PADDING = 10
GAP_X, GAP_Y = 24, 48
COLORS = {"output": "#d9f2d9", "leaf": "#dbe9f7", "op": "#fdf3d0"}


class _Box:
    """A node as drawn: its text lines, kind (colour) and the boxes it feeds."""

    __slots__ = ("key", "lines", "kind", "inputs", "x", "y", "width", "height")

    def __init__(self, key, lines, kind):
        self.key = key
        self.lines = lines
        self.kind = kind
        self.inputs = []
        self.x = self.y = 0.0
        self.width = max(len(line) for line in lines) * CHAR_WIDTH + 2 * PADDING
        self.height = len(lines) * LINE_HEIGHT + PADDING


def _known_values(root: Tensor, names) -> dict:
    """Node -> value for the nodes whose output we can see: root, leaves, named, saved."""
    values = {}
    for _, tensor in name_pairs(names) + [("", root)]:
        if isinstance(tensor, Tensor) and tensor.requires_grad:
            node, output_nr = edge(tensor)
            if output_nr == 0:
                values[node] = tensor.detach()
    for node in graph_nodes(root):
        if type(node) is AccumulateGrad:
            values.setdefault(node, node.variable.detach())
        elif node._saved not in (None, FREED):
            for saved in node._saved:
                if type(saved) is SavedOutput and saved.output_nr == 0 and node._nout == 1:
                    values.setdefault(node, saved.tensor)
    return values


def _gradients(root: Tensor, labels) -> dict:
    """Node -> gradient flowing into it (d output / d node output), when still computable."""
    try:
        return {step.node: step.incoming for step in backward_steps(root, labels=labels)}
    except RuntimeError:  # saved values freed by an earlier backward: show leaves' .grad only
        return {
            node: node.variable.grad
            for node in graph_nodes(root)
            if type(node) is AccumulateGrad and node.variable.grad is not None
        }


def _boxes(root: Tensor, names=None, show_values=True, show_grads=True) -> list:
    if not isinstance(root, Tensor):
        raise TypeError(f"expected a Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError(
            "this tensor has no graph to draw: it does not require grad (create the inputs "
            "with requires_grad=True)"
        )
    nodes = graph_nodes(root)
    labels = node_labels(root, names)
    values = _known_values(root, names) if show_values else {}
    grads = _gradients(root, labels) if show_grads else {}
    start = edge(root)[0]
    boxes = {}
    for node in nodes:
        leaf = type(node) is AccumulateGrad
        lines = [labels[node], "leaf" if leaf else type(node).__name__]
        if node in values:
            lines.append(f"value = {cell(values[node])}")
        if node in grads:
            lines.append(f"grad = {cell(grads[node])}")
        kind = "output" if node is start else "leaf" if leaf else "op"
        boxes[node] = _Box(len(boxes), lines, kind)
    for node in nodes:
        for nxt, _ in node.next_functions:
            if nxt is not None and boxes[nxt] not in boxes[node].inputs:
                boxes[node].inputs.append(boxes[nxt])
    return list(boxes.values())


def to_dot(tensor: Tensor, show_values: bool = True, show_grads: bool = True, names=None) -> str:
    """The graph of ``tensor`` as Graphviz DOT text (inputs at the bottom, output on top).

    Each node shows its label (a name from ``names``, or its op), its grad_fn class, its
    value where known and the gradient of ``tensor`` with respect to it.

    >>> import chainrule as torch
    >>> x = torch.tensor(2., requires_grad=True)
    >>> "grad = 4." in torch.viz.to_dot(x ** 2)
    True
    """
    boxes = _boxes(tensor, names, show_values, show_grads)
    lines = [
        "digraph chainrule {",
        "  rankdir=BT;",
        '  node [shape=box, style="rounded,filled", fontname="Courier", fontsize=11];',
    ]
    for box in boxes:
        label = "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in box.lines)
        lines.append(f'  n{box.key} [label="{label}", fillcolor="{COLORS[box.kind]}"];')
    for box in boxes:
        for source in box.inputs:
            lines.append(f"  n{source.key} -> n{box.key};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- built-in layout


def _layout(boxes: list) -> tuple:
    """Place the boxes: (width, height, edge routes).

    Layers by longest path from the output (on top); an edge that skips layers passes
    through a narrow invisible box in each layer it crosses, so it never runs through a
    node; in each layer boxes are ordered by the mean x of what they feed.
    """
    consumers = {box.key: [] for box in boxes}
    for box in boxes:
        for source in box.inputs:
            consumers[source.key].append(box)
    order = _topological(boxes, consumers)
    layer = {}
    for box in order:  # every consumer is placed before the boxes it consumes
        layer[box.key] = 1 + max((layer[c.key] for c in consumers[box.key]), default=-1)
    rows = {}
    for box in order:
        rows.setdefault(layer[box.key], []).append(box)
    parents = {id(box): [] for box in boxes}  # what each box (or waypoint) feeds, one layer up
    routes = []
    for box in boxes:
        for source in box.inputs:
            above, waypoints = box, []
            for depth in range(layer[box.key] + 1, layer[source.key]):
                point = _Box(-1, [""], "waypoint")
                point.width, point.height = 8.0, 0.0
                parents[id(point)] = [above]
                rows[depth].append(point)
                waypoints.append(point)
                above = point
            parents[id(source)].append(above)
            routes.append((source, waypoints, box))
    width = max(sum(b.width for b in row) + GAP_X * (len(row) - 1) for row in rows.values())
    y = PADDING
    for depth in sorted(rows):
        row = rows[depth]
        if depth:
            row.sort(key=lambda b: sum(p.x for p in parents[id(b)]) / len(parents[id(b)]))
        total = sum(b.width for b in row) + GAP_X * (len(row) - 1)
        x = PADDING + (width - total) / 2
        height = max(b.height for b in row)
        for box in row:
            box.x, box.y = x + box.width / 2, y + height / 2
            x += box.width + GAP_X
        y += height + GAP_Y
    paths = []
    for source, waypoints, box in routes:  # from the top of the input to the bottom of its user
        points = [(source.x, source.y - source.height / 2)]
        points += [(p.x, p.y) for p in reversed(waypoints)]
        points.append((box.x, box.y + box.height / 2))
        paths.append(points)
    return width + 2 * PADDING, y - GAP_Y + PADDING, paths


def _topological(boxes, consumers) -> list:
    """Boxes with every consumer before the boxes it consumes (Kahn, stable)."""
    waiting = {box.key: len(consumers[box.key]) for box in boxes}
    ready = [box for box in boxes if waiting[box.key] == 0]
    order = []
    while ready:
        box = ready.pop(0)
        order.append(box)
        for source in box.inputs:
            waiting[source.key] -= 1
            if waiting[source.key] == 0:
                ready.append(source)
    return order


def to_svg(boxes: list) -> str:
    """SVG text of the built-in layout."""
    width, height, paths = _layout(boxes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans Mono, Courier, '
        'monospace" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/>'
        "</marker></defs>",
        f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
    ]
    for points in paths:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        out.append(
            f'<polyline points="{coords}" fill="none" stroke="#555" stroke-width="1.2" '
            'marker-end="url(#arrow)"/>'
        )
    for box in boxes:
        left, top = box.x - box.width / 2, box.y - box.height / 2
        out.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{box.width:.1f}" height="{box.height:.1f}"'
            f' rx="6" fill="{COLORS[box.kind]}" stroke="#333"/>'
        )
        for i, line in enumerate(box.lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            y = top + PADDING / 2 + (i + 0.75) * LINE_HEIGHT
            out.append(
                f'<text x="{box.x:.1f}" y="{y:.1f}" text-anchor="middle"{weight}>'
                f"{html.escape(line)}</text>"
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _save_matplotlib(boxes: list, path: str) -> None:
    """PNG or PDF of the built-in layout, drawn with matplotlib (Agg)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    width, height, paths = _layout(boxes)
    dpi = 100
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    for points in paths:
        xs, ys = zip(*points[:-1])
        ax.plot(xs, ys, color="#555", linewidth=1.2)
        ax.annotate(
            "", xy=points[-1], xytext=points[-2], arrowprops={"arrowstyle": "-|>", "color": "#555"}
        )
    for box in boxes:
        left, top = box.x - box.width / 2, box.y - box.height / 2
        patch = FancyBboxPatch(
            (left, top),
            box.width,
            box.height,
            boxstyle="round,pad=0,rounding_size=6",
            facecolor=COLORS[box.kind],
            edgecolor="#333",
        )
        ax.add_patch(patch)
        for i, line in enumerate(box.lines):
            ax.text(
                box.x,
                top + PADDING / 2 + (i + 0.5) * LINE_HEIGHT,
                line,
                ha="center",
                va="center",
                family="monospace",
                fontsize=8.6,
                fontweight="bold" if i == 0 else "normal",
            )
    fig.savefig(path, dpi=dpi * 1.5, facecolor="white")


# --------------------------------------------------------------------------- public API


def has_graphviz() -> bool:
    """Whether the Graphviz ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


class Graph:
    """A drawable graph: ``.source`` is DOT text; shows itself as SVG in Jupyter.

    >>> import chainrule as torch
    >>> x = torch.tensor(3., requires_grad=True)
    >>> picture = torch.viz.graph(x.exp(), names={"x": x})
    >>> picture.svg().startswith("<svg") or picture.svg().startswith("<?xml")
    True
    """

    def __init__(self, tensor, show_values=True, show_grads=True, names=None, engine="auto"):
        if engine not in ("auto", "graphviz", "builtin"):
            raise ValueError(f"engine must be 'auto', 'graphviz' or 'builtin', not {engine!r}")
        if engine == "graphviz" and not has_graphviz():
            raise RuntimeError(
                "the Graphviz 'dot' program is not installed (apt install graphviz, brew install "
                "graphviz or conda install graphviz); use engine='builtin' to draw without it"
            )
        self._boxes = _boxes(tensor, names, show_values, show_grads)
        self.source = to_dot(tensor, show_values, show_grads, names)
        self.engine = "graphviz" if engine == "auto" and has_graphviz() else engine
        if self.engine == "auto":
            self.engine = "builtin"

    def _graphviz(self, fmt_name: str, path: str | None = None) -> bytes:
        command = ["dot", f"-T{fmt_name}"] + (["-o", path] if path else [])
        done = subprocess.run(command, input=self.source.encode(), capture_output=True, check=True)
        return done.stdout

    def svg(self) -> str:
        """The picture as SVG text."""
        if self.engine == "graphviz":
            return self._graphviz("svg").decode()
        return to_svg(self._boxes)

    def _repr_svg_(self) -> str:
        return self.svg()

    def save(self, path) -> str:
        """Write the picture; the format comes from the extension (.svg, .png, .pdf, .dot)."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        if ext not in ("svg", "png", "pdf", "dot", "gv"):
            raise ValueError(f"unknown picture format '.{ext}': use .svg, .png, .pdf or .dot")
        if ext in ("dot", "gv"):
            with open(path, "w", encoding="utf-8") as file:
                file.write(self.source)
        elif self.engine == "graphviz":
            self._graphviz(ext, path)
        elif ext == "svg":
            with open(path, "w", encoding="utf-8") as file:
                file.write(to_svg(self._boxes))
        else:
            _save_matplotlib(self._boxes, path)
        return path


def graph(tensor: Tensor, show_values=True, show_grads=True, names=None, engine="auto") -> Graph:
    """The graph of ``tensor`` as a :class:`Graph` (displays as SVG in Jupyter)."""
    return Graph(tensor, show_values, show_grads, names, engine)


def draw(tensor: Tensor, path, show_values=True, show_grads=True, names=None, engine="auto"):
    """Draw the graph of ``tensor`` into ``path`` (.svg, .png, .pdf or .dot); returns the Graph.

    >>> import chainrule as torch, tempfile, os
    >>> x = torch.tensor(1., requires_grad=True)
    >>> path = os.path.join(tempfile.mkdtemp(), "graph.svg")
    >>> _ = torch.viz.draw(torch.exp(2 * x), path, names={"x": x})
    >>> open(path).read().startswith("<svg")
    True
    """
    picture = Graph(tensor, show_values, show_grads, names, engine)
    picture.save(path)
    return picture
