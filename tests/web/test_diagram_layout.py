"""Every diagram of the routine reads well as bpmn-js draws it in Chromium (the viewer staff and process owners
see): no name split inside a word, no text under a task's icon or marker, every label inside the lanes and off
other shapes, labels and lines, no boundary event on its activity's icon or marker, no flow drawn through a shape
it does not connect, and no two flows drawn on the same line. What is checked is the drawing itself: the text
lines bpmn-js laid out and the boxes it drew (`diagram_layout.js`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
VIEWER = ROOT / "webapp" / "node_modules" / "bpmn-js" / "dist" / "bpmn-navigated-viewer.production.min.js"
CHECKS = Path(__file__).resolve().parent / "diagram_layout.js"
DIAGRAMS = sorted(PROCESSES.glob("bpmn/*.bpmn")) + sorted(PROCESSES.glob("regions/*/bpmn/*.bpmn"))

DRAW_AND_CHECK = """async (xml) => {
    const viewer = new BpmnJS({container: '#canvas'});
    try {
        await viewer.importXML(xml);
        return layoutProblems(viewer);
    } finally {
        viewer.destroy();
    }
}"""


@pytest.fixture(scope="module")
def drawn(browser):
    """`drawn(xml)`: what a reader would stumble on in the diagram as bpmn-js draws it."""
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.set_content('<div id="canvas" style="width: 1600px; height: 900px"></div>')
    page.add_script_tag(path=str(VIEWER))
    page.add_script_tag(path=str(CHECKS))
    yield lambda xml: page.evaluate(DRAW_AND_CHECK, xml)
    page.close()


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: str(p.relative_to(PROCESSES)))
def test_the_diagram_reads_well_as_drawn(drawn, path):
    assert drawn(path.read_text(encoding="utf-8")) == []


def test_the_checks_see_what_a_reader_would_stumble_on(drawn):
    text = (PROCESSES / "bpmn" / "avslut.bpmn").read_text(encoding="utf-8")

    def bounds_of(element: str) -> str:
        return re.search(rf'bpmnElement="{element}"[^>]*>\s*<dc:Bounds [^>]*/>', text).group(0)

    task = bounds_of("dokumentera_avslut")
    narrow = text.replace(task, re.sub(r'width="\d+"', 'width="60"', task))
    label = re.search(r'bpmnElement="avslut_start">\s*<dc:Bounds [^>]*/>\s*<bpmndi:BPMNLabel>\s*<dc:Bounds [^>]*/>',
                      narrow).group(0)
    on_a_task = narrow.replace(label, re.sub(r'(<bpmndi:BPMNLabel>\s*<dc:Bounds )x="\d+" y="\d+"',
                                             r'\1x="330" y="130"', label))
    found = "\n".join(drawn(on_a_task))
    assert "dokumentera_avslut" in found and "split inside a word" in found
    assert 'label "Planen ska avslutas" lies on dokumentera_avslut' in found
