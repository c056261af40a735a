"""A process owner changes a diagram of the region's routine in the browser (/studio/<region>/bpmn/<file>): the
deployed diagram opens in the bpmn-js modeler, a task is moved by dragging it, a broken form reference typed in the
properties panel is marked on the task and listed with a way to it, fixing it clears the mark, the draft is tried
in a walk (with another answer chosen), and the draft is deployed with a comment: a new case starts on the new
version while a case already running keeps its own. axe-core checks the page as it is at each step."""

from __future__ import annotations

import re

from lxml import etree
from playwright.sync_api import expect

PATH = "bpmn/initiering_och_samtycke.bpmn"
TASK = "bedom_behov_av_sip"
TASK_NAME = "Bedöm behov av SIP"
PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"


def shape_y(xml: str, element: str) -> float:
    """Where the diagram draws the element: the y of its shape's bounds."""
    root = etree.fromstring(xml.encode("utf-8"))
    shape = root.find(f".//{{{BPMNDI}}}BPMNShape[@bpmnElement='{element}']")
    return float(shape.find(f"{{{DC}}}Bounds").get("y"))


def start_case(api) -> dict:
    status, case = api("POST", "/cases", {"region": "kristianstad", "person": PERSON})
    assert status == 201, case
    return case


def test_a_process_owner_moves_a_task_fixes_a_problem_tries_and_deploys(page_as, api_as, axe):
    api = api_as("demo.eva")
    running = start_case(api)
    old_version = running["process"]["version"]
    _, deployed = api("GET", f"/regions/kristianstad/files/{PATH}")
    old_y = shape_y(deployed["content"], TASK)

    page = page_as("demo.eva")  # Eva Ek: process owner in Kristianstad
    # The modeler is fetched only when an editor opens: not with the task list, nor with what it preloads.
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto("/uppgifter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_timeout(2500)  # the task list preloads the next pages' chunks when the browser is idle
    assert not [url for url in fetched if "DiagramModeler" in url]
    page.goto(f"/studio/kristianstad/bpmn/{PATH}")
    expect(page.get_by_role("heading", level=1, name="Ändra diagrammet initiering_och_samtycke.bpmn")).to_be_visible()
    task = page.locator(f".bpmn-editor__canvas .djs-element.djs-shape[data-element-id='{TASK}']")
    expect(task).to_be_visible()
    expect(page.get_by_text("Utkastet kontrolleras när du ändrar något.")).to_be_visible()
    assert [url for url in fetched if "DiagramModeler" in url]
    axe(page, "the diagram opened in the modeler")

    # Move the task by dragging it down, as a person does with the mouse.
    box = task.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 30, steps=5)
    page.mouse.move(x, y + 60, steps=5)
    page.mouse.up()
    moved = task.bounding_box()
    assert moved["y"] > box["y"] + 40, (box, moved)
    checks = page.locator("section.studio-checks")
    expect(checks.get_by_text("Utkastet klarar driftsättningens kontroller.")).to_be_visible(timeout=20_000)

    # A form file that does not exist, typed in the properties panel of the moved task (still selected): the
    # check marks the task.
    expect(task).to_have_class(re.compile(r"\bselected\b"))
    form_field = page.get_by_label("Formulär (JSON Schema-fil)")
    expect(form_field).to_have_value(f"{TASK}.schema.json")
    form_field.fill("bedom_behov.schema.json")
    expect(checks.get_by_text(re.compile(r"Utkastet har 1 problem"))).to_be_visible(timeout=20_000)
    expect(task).to_have_class(re.compile(r"\bsip-problem\b"))
    badge = page.locator(f".djs-overlays[data-container-id='{TASK}'] .sip-problem-badge")
    expect(badge).to_have_text("Problem")
    # The mark on the task says the server's Swedish message: which task, in which diagram, and what is wrong.
    said = (f"Användaruppgiften {TASK} ('{TASK_NAME}') i diagrammet {PATH}, rad ")
    expect(badge).to_have_attribute("title", re.compile(
        "^" + re.escape(said) + r"\d+, anger formulärfilen bedom_behov\.schema\.json \(formJsonSchemaFilename\), "
        "som inte finns bland rutinens filer"))
    problems = page.get_by_role("list", name="Problem i utkastet")
    item = problems.get_by_role("listitem").filter(has_text="bedom_behov.schema.json")
    expect(item).to_contain_text(said)
    expect(item).to_contain_text("som inte finns bland rutinens filer. Ladda upp formuläret eller skriv namnet på ett "
                                 "som finns")
    expect(item).not_to_contain_text("which is not in the process set")
    axe(page, "a problem marked on the task")

    # The problem's link selects the task (after selecting something else).
    page.locator(".bpmn-editor__canvas .djs-element[data-element-id='inhamta_samtycke']").first.click()
    expect(form_field).to_have_value("inhamta_samtycke.schema.json")
    item.get_by_role("button", name=TASK_NAME).click()
    expect(task).to_have_class(re.compile(r"\bselected\b"))
    expect(form_field).to_have_value("bedom_behov.schema.json")

    # Fixed: the mark and the problem are gone.
    form_field.fill(f"{TASK}.schema.json")
    expect(checks.get_by_text("Utkastet klarar driftsättningens kontroller.")).to_be_visible(timeout=20_000)
    expect(task).not_to_have_class(re.compile(r"\bsip-problem\b"))
    expect(badge).to_have_count(0)

    # A due date that is no expression: marked on the task and said in Swedish; emptied, it is gone again.
    due = page.get_by_label("Senast klar (uttryck)")
    due.fill("arbetsdagar_efter(idag(), 2")
    expect(problems.get_by_role("listitem")).to_contain_text(re.compile(
        re.escape(f"Uttrycket för när uppgiften ska vara klar (dueDate) i diagrammet {PATH}, vid elementet {TASK} "
                  f"('{TASK_NAME}'), rad ") + r"\d+ godtas inte av reglerna för skript och uttryck"), timeout=20_000)
    expect(task).to_have_class(re.compile(r"\bsip-problem\b"))
    expect(badge).to_have_attribute("title", re.compile(r"^Uttrycket för när uppgiften ska vara klar \(dueDate\)"))
    due.fill("")
    expect(checks.get_by_text("Utkastet klarar driftsättningens kontroller.")).to_be_visible(timeout=20_000)

    # Try the draft: the tasks that come, for whom; then with consent refused the routine ends declined.
    page.get_by_role("button", name="Prova utkastet").click()
    steps = page.get_by_role("list", name="Uppgifterna i provkörningen")
    expect(steps.get_by_role("listitem").first).to_contain_text(f"{TASK_NAME} för samordningsansvarig",
                                                                 timeout=20_000)
    expect(steps).to_contain_text("Kvittera kallelse")
    walk_section = page.locator("section.studio-walk")
    expect(walk_section.get_by_role("status")).to_contain_text("Rutinen slutar: ärendet blir avslutad")
    walk_section.get_by_text("Välj svar för Inhämta samtycke").click()
    walk_section.get_by_label("Den enskildes svar", exact=True).select_option(label="Avböjer SIP")
    expect(walk_section.get_by_role("status")).to_contain_text("Rutinen slutar: ärendet blir avböjd",
                                                                timeout=20_000)
    expect(steps).not_to_contain_text("Kvittera kallelse")
    axe(page, "the walk of the draft")

    # Deploy with a comment.
    page.get_by_label("Kommentar till driftsättningen").fill("Uppgiften flyttad så att flödet läses uppifrån")
    page.get_by_role("button", name="Driftsätt", exact=True).click()
    expect(page.get_by_text(re.compile(r"Driftsatt som version \d+ för Kristianstad"))).to_be_visible(
        timeout=20_000)
    own = re.compile(r"Regionens egen version av diagrammet \(rutinens version \d+\)")
    expect(page.get_by_text(own)).to_be_visible()  # the page shows the file as the region now runs it
    axe(page, "after deploying")

    _, deployed = api("GET", f"/regions/kristianstad/files/{PATH}")
    assert deployed["source"] == "region"
    assert shape_y(deployed["content"], TASK) > old_y + 40
    new_case = start_case(api)
    assert new_case["process"]["version"] == deployed["routine"]["version"] > old_version
    _, still = api("GET", f"/cases/{running['id']}")
    assert still["process"]["version"] == old_version


def test_staff_without_the_role_look_at_a_diagram_but_neither_check_try_nor_deploy(page_as, axe):
    page = page_as("demo.per")  # Per Berg: staff at a health centre in Kristianstad, no process owner
    page.goto(f"/studio/kristianstad/bpmn/{PATH}")
    task = page.locator(f".bpmn-editor__canvas .djs-element.djs-shape[data-element-id='{TASK}']")
    expect(task).to_be_visible()
    expect(page.get_by_text("Driftsättningens kontroller körs för processägare för Kristianstad")).to_be_visible()
    task.click()
    page.get_by_label("Formulär (JSON Schema-fil)").fill("bedom_behov.schema.json")
    page.wait_for_timeout(2000)  # longer than the pause after which an owner's draft is checked
    expect(page.get_by_text("Kontrollerar utkastet …")).to_have_count(0)
    expect(task).not_to_have_class(re.compile(r"\bsip-problem\b"))
    expect(page.get_by_role("button", name="Prova utkastet")).to_have_count(0)
    expect(page.get_by_role("button", name="Driftsätt", exact=True)).to_be_disabled()
    axe(page, "the diagram editor for staff without the role")
