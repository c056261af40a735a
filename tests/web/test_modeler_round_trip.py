"""Every diagram of the routine survives the modelers process owners use: opened in bpmn-js's Modeler in Chromium
and saved back unchanged, it keeps every element, attribute and text (multi-instance collections, data
references, documentation, the spiffworkflow extensions), deploys through the API and runs the same."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from lxml import etree

from engine.services import cases
from tests.deployments.conftest import signed_in
from tests.routine.walk import DELTAGARE, CaseWalk, register_organisations

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
MODELER = ROOT / "webapp" / "node_modules" / "bpmn-js" / "dist" / "bpmn-modeler.production.min.js"
DIAGRAMS = sorted(PROCESSES.glob("bpmn/*.bpmn")) + sorted(PROCESSES.glob("regions/*/bpmn/*.bpmn"))
REGIONS = sorted(p.name for p in PROCESSES.glob("regions/*") if (p / "bpmn").is_dir())

OPEN_AND_SAVE = """async (xml) => {
    const modeler = new BpmnJS({container: '#canvas'});
    try {
        const {warnings} = await modeler.importXML(xml);
        const {xml: saved} = await modeler.saveXML({format: true});
        return {warnings: warnings.map((w) => w.message), saved};
    } finally {
        modeler.destroy();
    }
}"""


def name_of(path: Path) -> str:
    return str(path.relative_to(PROCESSES))


@pytest.fixture(scope="module")
def saved(browser) -> dict[str, dict]:
    """Each diagram (by its path under processes/) as bpmn-js's Modeler imports and saves it, in Chromium."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_content('<div id="canvas" style="width: 1400px; height: 900px"></div>')
    page.add_script_tag(path=str(MODELER))
    result = {name_of(path): page.evaluate(OPEN_AND_SAVE, path.read_text(encoding="utf-8")) for path in DIAGRAMS}
    page.close()
    return result


def content(xml: str) -> Counter:
    """What a diagram says, leaving out how it is written (indentation, quoting, attribute order, prefixes):
    every element by its path of tags and ids, with its attributes and its text."""
    found: Counter = Counter()

    def walk(element, path):
        if not isinstance(element.tag, str):
            return
        key = element.get("id") or element.get("bpmnElement") or ""
        here = f"{path}/{element.tag}[{key}]"
        found[(here, tuple(sorted(element.attrib.items())), (element.text or "").strip())] += 1
        for child in element:
            walk(child, here)

    walk(etree.fromstring(xml.encode("utf-8")), "")
    return found


@pytest.mark.parametrize("path", DIAGRAMS, ids=name_of)
def test_the_modeler_opens_the_diagram_and_saves_everything_it_says(saved, path):
    result = saved[name_of(path)]
    assert result["warnings"] == [], f"bpmn-js warned on import of {name_of(path)}"
    original, again = content(path.read_text(encoding="utf-8")), content(result["saved"])
    lost, added = original - again, again - original
    assert not lost and not added, f"lost: {sorted(lost)[:5]}\nadded: {sorted(added)[:5]}"
    # The multi-instance collections a plain bpmn-js used to drop are there, as the engine reads them.
    tree = etree.fromstring(result["saved"].encode("utf-8"))
    for loop in tree.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}multiInstanceLoopCharacteristics"):
        refs = [loop.findtext(f"{{http://www.omg.org/spec/BPMN/20100524/MODEL}}{tag}")
                for tag in ("loopDataInputRef", "loopDataOutputRef")]
        assert all(refs), f"a multi-instance task of {name_of(path)} lost its collection: {refs}"


def deploy(app, region: str, files: dict[str, str]):
    """POST /api/v1/deployments as a process owner of the region: stored, not a dry run."""
    owner = signed_in(app, f"agare_{region}", region, roles=("staff", "process_owner"))
    data = {"region": region, "files": [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]}
    response = owner.post("/api/v1/deployments", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    assert response.json["valid"] is True
    return response.json


def walked(region: str) -> tuple[list, str, set]:
    """A case of the region taken through the whole base routine (initiation, consent, summons, the officials'
    meeting, the SIP meeting, documentation, approval, printing, the follow-up its timer brings, which closes it,
    and the closure),
    with what was open after each step: task, title, for whom, form, instructions and due date."""
    if region != "base":
        register_organisations(region, *DELTAGARE)
    walk = CaseWalk.start(region)
    seen = []

    def look():
        seen.append(sorted((t.name, t.title, t.candidate_group or "", t.process, t.form_schema or "",
                            t.instructions or "", str(t.due_at)) for t in walk.tasks()))

    look()
    for step in (walk.initiate, walk.consent, walk.prepare, walk.acknowledge_all, walk.premeeting, walk.meeting,
                 walk.document_all, walk.approve_all, walk.print_plan):
        step()
        look()
    with time_machine.travel(datetime(2027, 6, 10, 8, tzinfo=UTC), tick=False):
        assert walk.case_id in cases.fire_due_timers()
        look()
        walk.follow_up("2027-06-10", mal_uppfyllda=True, behov_av_samordning=False)
        look()
        walk.close()
        look()
    return seen, walk.case.status, set(walk.case.data)


def test_the_base_saved_by_the_modeler_deploys_and_runs_as_the_base_does(app, saved):
    as_written = walked("base")
    assert as_written[1] == "closed", "the walk takes a case to its end"

    files = {Path(name).name: saved[name]["saved"] for name in saved if name.startswith("bpmn/")}
    body = deploy(app, "vastra_gotaland", files)
    assert {f["path"]: f["source"] for f in body["files"] if f["path"].startswith("bpmn/")} == {
        f"bpmn/{name}": "upload" for name in files}

    again = walked("vastra_gotaland")
    assert CaseWalk.start("vastra_gotaland").case.definition.region == "vastra_gotaland"
    assert again == as_written


@pytest.mark.parametrize("region", REGIONS)
def test_a_regions_diagrams_saved_by_the_modeler_deploy_and_start_as_they_did(app, saved, region):
    folder = PROCESSES / "regions" / region
    # The region's own forms and decision tables, as they are: only its diagrams go through the modeler.
    forms = {p.name: p.read_text(encoding="utf-8")
             for p in sorted([*(folder / "forms").glob("*.json"), *(folder / "dmn").glob("*.dmn")])}
    originals = {p.name: p.read_text(encoding="utf-8") for p in sorted((folder / "bpmn").glob("*.bpmn"))}
    deploy(app, region, {**originals, **forms})
    first = CaseWalk.start(region)
    before = sorted((t.name, t.title, t.candidate_group, t.form_schema) for t in first.tasks())

    resaved = {name: saved[f"regions/{region}/bpmn/{name}"]["saved"] for name in originals}
    assert deploy(app, region, {**resaved, **forms})["version"] == 2
    second = CaseWalk.start(region)
    assert second.case.definition.version == 2
    assert sorted((t.name, t.title, t.candidate_group, t.form_schema) for t in second.tasks()) == before


MOVE_AND_SAVE = """async ([xml, id]) => {
    const modeler = new BpmnJS({container: '#canvas'});
    try {
        await modeler.importXML(xml);
        const task = modeler.get('elementRegistry').get(id);
        modeler.get('modeling').moveElements([task], {x: 40, y: 0});
        const {xml: saved} = await modeler.saveXML({format: true});
        return saved;
    } finally {
        modeler.destroy();
    }
}"""


def test_a_multi_instance_task_moved_in_the_modeler_deploys_and_runs(app, browser):
    """What a process owner met first: moving one box of a diagram with a multi-instance task and saving it made
    a file the deployment refused, its collections gone."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_content('<div id="canvas" style="width: 1400px; height: 900px"></div>')
    page.add_script_tag(path=str(MODELER))
    original = (PROCESSES / "bpmn" / "avslut.bpmn").read_text(encoding="utf-8")
    moved = page.evaluate(MOVE_AND_SAVE, [original, "kvittera_avslut"])
    page.close()

    def x_of(xml: str) -> float:
        shape = etree.fromstring(xml.encode("utf-8")).find(
            ".//{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape[@bpmnElement='kvittera_avslut']")
        return float(shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds").get("x"))

    assert x_of(moved) == x_of(original) + 40
    assert "<bpmn:loopDataInputRef>deltagare</bpmn:loopDataInputRef>" in moved
    deploy(app, "vastra_gotaland", {"avslut.bpmn": moved})
    register_organisations("vastra_gotaland", *DELTAGARE)
    walk = CaseWalk.start("vastra_gotaland").to_plan(uppfoljningsdatum="2027-06-10")
    assert walk.case.definition.region == "vastra_gotaland"
    with time_machine.travel(datetime(2027, 6, 10, 8, tzinfo=UTC), tick=False):
        cases.fire_due_timers()
        walk.follow_up("2027-06-10", mal_uppfyllda=True, behov_av_samordning=False)
        assert not [t for t in walk.tasks() if t.name == "kvittera_avslut"]
        walk.do("dokumentera_avslut", {"avslutsorsak": walk.case.data["avslutsorsak"], "avslutsdatum": "2027-06-20",
                                       "den_enskilde_informerad": True})
        groups = sorted(t.candidate_group for t in walk.tasks() if t.name == "kvittera_avslut")
        assert len(groups) == 2, "each participating huvudman acknowledges the closure"
        walk.each("kvittera_avslut", lambda group: {"kvitterat": True})
    assert walk.case.status == "closed"
