"""Loops refused at deployment: a loop with no wait state (the engine would go round it without end in one step),
a loop no gateway can leave (a parallel gateway's branch flowing back into it: every case reaching it would
fail), and a loop flowing back into a parallel gateway that waits for flows from before the loop too. Each
refusal names the diagram file, the loop's elements in order with their names, and the line of the first;
nothing is stored. A loop with a user task in it deploys, and cases go round it."""

from __future__ import annotations

import re

import pytest

from engine.services.deployments import deploy_path

from .conftest import FILES, PERSON, PROCESSES, count

KOMMUN = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol"}
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Anna Andersson", "alder": 82},
              "samordningsansvarig": KOMMUN}


def diagram(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


def line_of(name: str, element: str) -> int:
    """The line of an element's opening tag in a test diagram."""
    text = diagram(name)
    return text.count("\n", 0, text.index(f' id="{element}"')) + 1


REFUSED = [
    pytest.param("slinga_skripttask.bpmn", "uppgifter_kompletta",
                 ["uppgifter_kompletta ('Är uppgifterna kompletta?')", "komplettera ('Komplettera uppgifterna')"],
                 "has no wait state", id="exclusive gateway and script task"),
    pytest.param("slinga_tva_gateways.bpmn", "ny_kontroll",
                 ["ny_kontroll ('Ny kontroll')", "rakna_kontroller ('Räkna kontroller')",
                  "kontrollerat ('Kontrollerat?')"],
                 "has no wait state", id="two exclusive gateways"),
    pytest.param("slinga_parallell_gateway.bpmn", "dela_upp",
                 ["dela_upp ('Bedöm och inhämta samtycke')", "inhamta_samtycke ('Inhämta samtycke')"],
                 "has no gateway that decides whether to go round again", id="parallel branch flowing back"),
    pytest.param("slinga_parallell_via_gateway.bpmn", "dela_upp",
                 ["dela_upp ('Bedöm och inhämta samtycke')", "inhamta_samtycke ('Inhämta samtycke')",
                  "fraga_igen ('Fråga igen?')"],
                 "flows back into the parallel gateway dela_upp, where flows from before the loop come in too",
                 id="parallel branch flowing back through an exclusive gateway"),
]


@pytest.mark.parametrize(("name", "first", "elements", "reason"), REFUSED)
def test_a_loop_that_cannot_run_is_refused_naming_its_elements(client, upload, name, first, elements, reason):
    definitions = count("process_definitions")
    response = upload({name: diagram(name)}, region="kristianstad", deployed_by="tests")

    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["title"] == "Processfilerna kan inte driftsättas"
    loops = [p for p in body["problems"] if p["check"] == "loops"]
    assert len(loops) == 1, body["problems"]  # one problem per loop, and nothing else wrong with the file
    assert body["problems"] == loops
    found = loops[0]
    assert (found["file"], found["element"], found["line"]) == (f"bpmn/{name}", first, line_of(name, first))
    assert reason in found["message"]
    # The loop in order, from its first gateway round to it again.
    assert " → ".join([*elements, first]) in found["message"], found["message"]
    assert count("process_definitions") == definitions and count("deployments") == 0
    # The region still runs what it ran: the base.
    started = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})
    assert started.status_code == 201, started.json
    assert started.json["open_tasks"][0]["name"] == "bedom_behov_av_sip"


def test_a_dry_run_reports_the_loop_without_storing(client, upload):
    response = upload({"slinga_skripttask.bpmn": diagram("slinga_skripttask.bpmn")}, region="jonkoping",
                      dry_run=True)
    assert response.status_code == 200, response.json
    assert response.json["valid"] is False
    assert [p["element"] for p in response.json["problems"] if p["check"] == "loops"] == ["uppgifter_kompletta"]
    assert count("deployments") == 0


def test_the_command_line_refuses_a_loop_naming_file_line_and_elements(app, client, tmp_path):
    runner = app.test_cli_runner()
    name = "slinga_parallell_gateway.bpmn"
    (tmp_path / name).write_text(diagram(name), encoding="utf-8")
    for command in (["processes", "validate", str(tmp_path / name), "--region", "jonkoping"],
                    ["processes", "deploy", str(tmp_path / name), "--region", "jonkoping"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1, result.output
        assert f"bpmn/{name}: FAILED (1 problem(s))" in result.output
        problem_line = next(line for line in result.output.splitlines() if "[dela_upp]" in line)
        assert problem_line.strip().startswith(f"bpmn/{name}:{line_of(name, 'dela_upp')} [dela_upp]: The loop ")
        assert "inhamta_samtycke ('Inhämta samtycke')" in problem_line
    assert count("deployments") == 0 and count("process_definitions") == 1  # the base only


def test_a_loop_with_a_user_task_in_it_deploys_and_cases_go_round_it(client, upload):
    name = "slinga_med_anvandaruppgift.bpmn"
    response = upload({name: diagram(name)}, region="kristianstad", deployed_by="tests")
    assert response.status_code == 201, response.json

    started = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})
    assert started.status_code == 201, started.json
    case_id = started.json["id"]
    seen = set()
    for round_ in range(3):  # not needed: assessed again, each time as a new task
        task = client.get(f"/api/v1/cases/{case_id}").json["open_tasks"]
        assert [t["name"] for t in task] == ["bedom_behov_av_sip"], (round_, task)
        assert task[0]["id"] not in seen
        seen.add(task[0]["id"])
        done = client.post(f"/api/v1/tasks/{task[0]['id']}/complete", json={"data": {
            **ASSESSMENT, "sip_behovs": False, "skal_att_neka": "Behovet är oklart; bedöms igen"}})
        assert done.status_code == 200, done.json
    last = client.get(f"/api/v1/cases/{case_id}").json["open_tasks"][0]
    done = client.post(f"/api/v1/tasks/{last['id']}/complete", json={"data": {**ASSESSMENT, "sip_behovs": True}})
    assert done.status_code == 200, done.json
    case = client.get(f"/api/v1/cases/{case_id}").json
    assert (case["status"], case["open_tasks"], case["incident"]) == ("declined", [], None)


def test_every_diagram_of_the_base_and_of_each_region_deploys(app):
    """The routine has loops of its own (follow-up after follow-up, summons sent again): each waits."""
    folders = [PROCESSES / "regions" / region for region in ("kristianstad", "jonkoping", "vastra_gotaland",
                                                               "stockholm")]
    assert all(folder.is_dir() for folder in folders)
    for folder in folders:
        result = deploy_path(folder, folder.name, dry_run=True, replace=True)
        assert result.valid, [p for p in result.problems]
        assert not [p for p in result.problems if p["check"] == "loops"]


TIMER = ('<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"P1D"'
         '</bpmn:timeDuration></bpmn:timerEventDefinition>')


def with_elements(name: str, elements: str, shapes: str, old_flow: str | None = None, new_flow: str = "") -> str:
    """A test diagram with elements added to its process (and drawn), a flow replaced where given."""
    text = diagram(name)
    if old_flow is not None:
        assert old_flow in text
        text = text.replace(old_flow, new_flow, 1)
    text = text.replace("  </bpmn:process>", elements + "\n  </bpmn:process>", 1)
    return text.replace("    </bpmndi:BPMNPlane>", shapes + "\n    </bpmndi:BPMNPlane>", 1)


def shape(element: str) -> str:
    return (f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"><dc:Bounds x="700" y="300" width="36" '
            'height="36"/></bpmndi:BPMNShape>')


def edge(flow: str) -> str:
    return (f'<bpmndi:BPMNEdge id="{flow}_di" bpmnElement="{flow}"><di:waypoint x="700" y="300"/>'
            '<di:waypoint x="800" y="300"/></bpmndi:BPMNEdge>')


BACK = ('<bpmn:sequenceFlow id="flode_komplettera_uppgifter_kompletta" sourceRef="komplettera" '
        'targetRef="uppgifter_kompletta"/>')


def test_a_timer_on_the_loops_script_task_does_not_make_it_wait(upload):
    """A boundary timer waits only while its task does: a script task is done at once, so the loop still spins."""
    text = with_elements(
        "slinga_skripttask.bpmn",
        f'<bpmn:boundaryEvent id="komplettering_drojer" name="Kompletteringen dröjer" attachedToRef="komplettera">'
        f'{TIMER}</bpmn:boundaryEvent>'
        '<bpmn:sequenceFlow id="flode_drojer_klar" sourceRef="komplettering_drojer" targetRef="initiering_klar"/>',
        shape("komplettering_drojer") + edge("flode_drojer_klar"))
    response = upload({"slinga_skripttask.bpmn": text}, region="kristianstad")
    assert response.status_code == 422, response.json
    assert [(p["check"], p["element"]) for p in response.json["problems"]] == [("loops", "uppgifter_kompletta")]
    assert "has no wait state" in response.json["problems"][0]["message"]


def test_a_timer_in_the_loop_makes_it_wait_and_it_deploys(upload):
    text = with_elements(
        "slinga_skripttask.bpmn",
        f'<bpmn:intermediateCatchEvent id="vanta_pa_komplettering" name="Vänta på komplettering">{TIMER}'
        '</bpmn:intermediateCatchEvent>'
        '<bpmn:sequenceFlow id="flode_komplettera_vanta" sourceRef="komplettera" targetRef="vanta_pa_komplettering"/>'
        '<bpmn:sequenceFlow id="flode_vanta_uppgifter_kompletta" sourceRef="vanta_pa_komplettering" '
        'targetRef="uppgifter_kompletta"/>',
        shape("vanta_pa_komplettering") + edge("flode_komplettera_vanta") + edge("flode_vanta_uppgifter_kompletta"),
        old_flow=BACK)
    text = re.sub(r'<bpmndi:BPMNEdge id="flode_komplettera_uppgifter_kompletta_di".*?</bpmndi:BPMNEdge>', "", text,
                  flags=re.DOTALL)
    response = upload({"slinga_skripttask.bpmn": text}, region="kristianstad")
    assert response.status_code == 201, response.json


def test_a_case_that_would_start_the_next_at_once_is_refused(client, upload):
    """The message named like the routine starts a new case of it: sent before anything waits, each case would
    start the next, without end."""
    name = "startar_ny_sip_direkt.bpmn"
    response = upload({name: diagram(name)}, region="kristianstad", deployed_by="tests")
    assert response.status_code == 422, response.json
    [found] = response.json["problems"]
    assert (found["check"], found["file"], found["element"], found["line"]) == (
        "loops", f"bpmn/{name}", "ny_sip_startas", line_of(name, "ny_sip_startas"))
    assert "reaches ny_sip_startas ('Ny SIP startas'), which sends the message 'sip'" in found["message"]
    assert count("deployments") == 0 and count("cases") == 0

