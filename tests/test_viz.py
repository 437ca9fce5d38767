"""Pictures of the graph: DOT text, SVG written directly, PNG through matplotlib."""

import xml.etree.ElementTree as ET

import pytest

import chainrule as torch
from chainrule import viz

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def example():
    x1 = torch.tensor(1.0, requires_grad=True)
    x2 = torch.tensor(2.0, requires_grad=True)
    return (x1 + 2 * x2**3) ** 2, {"x1": x1, "x2": x2}


def test_to_dot_lists_every_node_with_op_value_and_grad():
    f, names = example()
    dot = viz.to_dot(f, names=names)
    assert dot.startswith("digraph chainrule {") and dot.rstrip().endswith("}")
    assert dot.count("->") == 5
    assert 'label="x2\\nleaf\\nvalue = 2.\\ngrad = 816."' in dot
    assert 'label="x1\\nleaf\\nvalue = 1.\\ngrad = 34."' in dot
    assert "PowBackward0\\nvalue = 289.\\ngrad = 1." in dot
    assert "MulBackward0\\ngrad = 34." in dot
    assert f.requires_grad and names["x1"].grad is None  # drawing does not run backward


def test_to_dot_without_values_or_grads():
    f, names = example()
    dot = viz.to_dot(f, show_values=False, show_grads=False, names=names)
    assert "value =" not in dot and "grad =" not in dot
    assert "AddBackward0" in dot


def test_saved_outputs_give_values_and_named_tensors_their_labels():
    x = torch.tensor(0.0, requires_grad=True)
    y = torch.exp(x)  # exp saves its output: its value is known without naming it
    dot = viz.to_dot(y * 3, names={"x": x})
    assert "ExpBackward0\\nvalue = 1.\\ngrad = 3." in dot


def test_svg_is_xml_with_one_box_per_node(tmp_path):
    f, names = example()
    path = tmp_path / "graph.svg"
    viz.draw(f, path, names=names, engine="builtin")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    ns = "{http://www.w3.org/2000/svg}"
    boxes = [r for r in root.iter(ns + "rect") if r.get("rx")]
    assert len(boxes) == 6
    texts = [t.text for t in root.iter(ns + "text")]
    assert "grad = 816." in texts and "x2" in texts
    assert len(list(root.iter(ns + "polyline"))) == 5


def test_png_and_pdf_through_matplotlib(tmp_path):
    pytest.importorskip("matplotlib")
    f, names = example()
    viz.draw(f, tmp_path / "graph.png", names=names, engine="builtin")
    assert (tmp_path / "graph.png").read_bytes()[:8] == PNG_MAGIC
    viz.draw(f, tmp_path / "graph.pdf", names=names, engine="builtin")
    assert (tmp_path / "graph.pdf").read_bytes()[:5] == b"%PDF-"


def test_dot_file_and_jupyter_svg(tmp_path):
    f, names = example()
    viz.draw(f, tmp_path / "graph.dot", names=names)
    assert (tmp_path / "graph.dot").read_text() == viz.to_dot(f, names=names)
    picture = viz.graph(f, names=names, engine="builtin")
    ET.fromstring(picture._repr_svg_())


def test_layout_puts_the_output_on_top_and_inputs_below():
    f, names = example()
    boxes = viz._boxes(f, names)
    _, _, paths = viz._layout(boxes)
    for box in boxes:
        for source in box.inputs:
            assert source.y > box.y
    assert boxes[0].kind == "output" and boxes[0].y == min(b.y for b in boxes)
    assert len(paths) == 5


def test_edges_that_skip_layers_go_around_the_boxes_between():
    x = torch.tensor(1.0, requires_grad=True)
    z = torch.exp(2 * x**3 + x)  # x feeds the add directly and through pow and mul
    boxes = viz._boxes(z, {"x": x})
    _, _, paths = viz._layout(boxes)
    for points in paths:
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            for box in boxes:  # no segment passes through the inside of a box
                top, bottom = box.y - box.height / 2 + 1, box.y + box.height / 2 - 1
                left, right = box.x - box.width / 2, box.x + box.width / 2
                for t in (0.25, 0.5, 0.75):
                    px, py = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
                    assert not (left < px < right and top < py < bottom)


def test_after_backward_the_leaf_grads_are_still_shown():
    f, names = example()
    f.backward()
    dot = viz.to_dot(f, names=names)
    assert "grad = 816." in dot


def test_errors():
    with pytest.raises(RuntimeError, match="no graph to draw"):
        viz.to_dot(torch.tensor(1.0))
    f, names = example()
    with pytest.raises(ValueError, match="unknown picture format"):
        viz.draw(f, "graph.jpg")
    with pytest.raises(ValueError, match="engine"):
        viz.graph(f, engine="magic")
    if not viz.has_graphviz():
        with pytest.raises(RuntimeError, match="Graphviz 'dot' program is not installed"):
            viz.graph(f, engine="graphviz")
