"""A script or expression that reads a variable nothing in the routine sets is refused at deploy, naming the
diagram, the element and its name, the line and the variable, with what to do, in Swedish and English: it would
deploy and stop the case at its first run. A read that something can set -- a form field, a decision's output, a
script of a calling or called process -- or that the script guards (`finns("x")`) deploys and runs. The routine's
own diagrams, the base and every region's, deploy as before (tests/processes, tests/regions)."""

from __future__ import annotations

import json

from .conftest import FILES, FORMS, PROCESSES, base_text, changed, count, line_of

STAGE = "okand_variabel.bpmn"  # the base's first stage: a script reading insatser_per_dag, then a confirmation
SCRIPT = "antal = 2\nsumma = sum(insatser_per_dag) * antal"


def stage(script: str = SCRIPT, before: str = "", after: str = "") -> str:
    """The small first stage with its script replaced, and text put in before or after the confirmation's
    documentation (extension elements)."""
    text = (FILES / STAGE).read_text(encoding="utf-8")
    assert SCRIPT in text
    text = text.replace(SCRIPT, script)
    documentation = "<bpmn:documentation>Ring den enskilde och bekräfta att kontakten är tagen.</bpmn:documentation>"
    return text.replace(documentation, before + documentation + after)


def refused(upload, files: dict[str, str]) -> list[dict]:
    """Deploy; expect the refusal with nothing stored, and return the `variables` problems."""
    definitions, deployments = count("process_definitions"), count("deployments")
    response = upload(files, region="kristianstad", deployed_by="tests")
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert (count("process_definitions"), count("deployments")) == (definitions, deployments)
    found = [p for p in response.json["problems"] if p["check"] == "variables"]
    assert found, response.json["problems"]
    return found


def deploys_and_starts(upload, client, files: dict[str, str]) -> dict:
    """Deploy; expect it stored, and a case of it started without an incident."""
    response = upload(files, region="kristianstad", deployed_by="tests")
    assert response.status_code == 201, response.json
    started = client.post("/api/v1/cases", json={"region": "kristianstad",
                                                "person": {"personal_number": "19121212-1212", "name": "Tolvan"}})
    assert started.status_code == 201, started.json
    assert client.get(f"/api/v1/cases/{started.json['id']}").json["incident"] is None
    return started.json


def test_a_script_reading_a_variable_nothing_sets_is_refused_with_where_and_what_to_do(client, upload):
    text = stage()
    (found,) = refused(upload, {STAGE: text})
    line = line_of(text, "summa = sum(insatser_per_dag)")
    assert (found["file"], found["element"], found["line"]) == (f"bpmn/{STAGE}", "summera", line)
    swedish, english = found["message_sv"], found["message"]
    assert swedish.startswith(f"I skriptet i summera ('Summera insatser') läses variabeln 'insatser_per_dag' (rad "
                              f"{line}), men inget i rutinen sätter den")
    assert "Sätt variabeln i ett tidigare steg" in swedish
    assert 'insatser_per_dag if finns("insatser_per_dag") else None' in swedish
    assert english.startswith(f"The script of summera ('Summera insatser') reads the variable 'insatser_per_dag' "
                              f"(line {line}), but nothing in the routine sets it")
    assert "Set the variable in an earlier step" in english
    # `antal` is assigned by the script itself and `sum` is a builtin: only the one read is named.
    assert "'antal'" not in swedish and "'sum'" not in swedish


def test_a_condition_reading_a_misspelt_variable_is_refused_naming_its_flow(client, upload):
    text = changed("bpmn/initiering_och_samtycke.bpmn", ">not sip_behovs<", ">not sip_behov<")
    (found,) = refused(upload, {"initiering_och_samtycke.bpmn": text})
    assert found["line"] == line_of(text, ">not sip_behov<")
    assert found["element"].startswith("flode_")
    assert f"I villkoret i {found['element']}" in found["message_sv"]
    assert "läses variabeln 'sip_behov'" in found["message_sv"]
    assert "reads the variable 'sip_behov'" in found["message"]


def test_a_pre_script_and_a_due_date_reading_variables_nothing_sets_are_each_refused(client, upload):
    text = stage(
        script="antal = 2\nsumma = antal",
        after="<bpmn:extensionElements><spiffworkflow:preScript>rubrik = arendets_rubrik</spiffworkflow:preScript>"
              '<spiffworkflow:properties><spiffworkflow:property name="dueDate" value="svarsdatum"/>'
              "</spiffworkflow:properties></bpmn:extensionElements>")
    found = refused(upload, {STAGE: text})
    assert [(p["element"], p["line"]) for p in found] == [
        ("bekrafta_kontakt", line_of(text, "arendets_rubrik")), ("bekrafta_kontakt", line_of(text, "svarsdatum"))]
    pre_script, due = found
    assert ("I förskriptet i bekrafta_kontakt ('Bekräfta kontakten') läses variabeln 'arendets_rubrik'"
            in pre_script["message_sv"])
    assert "The pre-script of bekrafta_kontakt ('Bekräfta kontakten') reads" in pre_script["message"]
    assert "I uttrycket för dueDate i bekrafta_kontakt ('Bekräfta kontakten') läses variabeln 'svarsdatum'" \
        in due["message_sv"]


def test_a_guarded_read_deploys_and_runs(client, upload):
    text = stage('antal = 2\nsumma = sum(insatser_per_dag) * antal if finns("insatser_per_dag") else 0')
    started = deploys_and_starts(upload, client, {STAGE: text})
    assert [t["name"] for t in started["open_tasks"]] == ["bekrafta_kontakt"]


def form_first(script: str, form: str | None) -> str:
    """The stage with its confirmation first (asking with `form`, where given) and its script after it."""
    text = stage(script)
    flows = {"flode_0": ("initiering_start", "bekrafta_kontakt"), "flode_1": ("bekrafta_kontakt", "summera"),
             "flode_2": ("summera", "initiering_slut")}
    for flow, (source, target) in flows.items():
        start = text.index(f'<bpmn:sequenceFlow id="{flow}"')
        end = text.index("/>", start) + 2
        text = text[:start] + f'<bpmn:sequenceFlow id="{flow}" sourceRef="{source}" targetRef="{target}"/>' + text[end:]
    script_task = text[text.index('<bpmn:scriptTask id="summera"'):text.index("</bpmn:scriptTask>")]
    user_task = text[text.index('<bpmn:userTask id="bekrafta_kontakt"'):text.index("</bpmn:userTask>")]
    text = text.replace(script_task, script_task.replace("flode_1", "flode_2").replace("flode_0", "flode_1"))
    text = text.replace(user_task, user_task.replace("flode_1", "flode_0").replace("flode_2", "flode_1"))
    if form:
        documentation = "Ring den enskilde och bekräfta att kontakten är tagen.</bpmn:documentation>"
        text = text.replace(documentation, documentation + '<bpmn:extensionElements><spiffworkflow:properties>'
                            f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}"/>'
                            "</spiffworkflow:properties></bpmn:extensionElements>")
    return text


def test_a_variable_a_form_field_sets_deploys_and_the_script_runs_after_the_form(client, upload):
    (found,) = refused(upload, {STAGE: form_first("summa = antal_insatser * 2", None)})
    assert "läses variabeln 'antal_insatser'" in found["message_sv"]

    form = {"type": "object", "required": ["antal_insatser"], "properties": {
        "antal_insatser": {"type": "integer", "title": "Antal insatser", "minimum": 0, "maximum": 50}}}
    text = form_first("summa = antal_insatser * 2", "antal_insatser.schema.json")
    started = deploys_and_starts(upload, client, {STAGE: text, "antal_insatser.schema.json": json.dumps(form)})
    (task,) = started["open_tasks"]
    assert task["name"] == "bekrafta_kontakt"
    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"antal_insatser": 3}})
    assert done.status_code == 200, done.json
    assert client.get(f"/api/v1/cases/{started['id']}").json["incident"] is None


def test_a_decisions_output_counts_as_set_and_renaming_it_refuses_the_condition_that_reads_it(client, upload):
    table = changed("dmn/kallelse_krav.dmn", 'name="kallelse_komplett"', 'name="kallelse_ar_komplett"')
    found = refused(upload, {"kallelse_krav.dmn": table})
    assert {p["file"] for p in found} == {"bpmn/kallelse_och_forberedelse.bpmn"}
    reading = base_text("bpmn/kallelse_och_forberedelse.bpmn")
    assert [p["line"] for p in found] == [line_of(reading, ">not kallelse_komplett<")]
    assert "läses variabeln 'kallelse_komplett'" in found[0]["message_sv"]

    # Only the table sets kallelse_komplett: a script reading it deploys (the order of steps is not checked).
    response = upload({STAGE: stage("summa = 1 if kallelse_komplett else 2")}, region="kristianstad",
                      deployed_by="tests")
    assert response.status_code == 201, response.json


def test_a_variable_the_calling_process_sets_deploys_and_the_called_stage_reads_it(client, upload):
    # initierad_datum is set only by sip.bpmn's first script, before it calls this stage.
    started = deploys_and_starts(upload, client, {STAGE: stage("antal = 2\nsumma = initierad_datum[:4]")})
    assert [t["name"] for t in started["open_tasks"]] == ["bekrafta_kontakt"]


def test_every_real_diagram_reads_only_variables_something_sets():
    """The base routine and every region's variant pass the check as they stand (and so deploy)."""
    from engine.deployment.validation import validate_process_set
    from engine.services.process_sets import overlay, read_process_folder, read_region_folder

    base = read_process_folder(PROCESSES, FORMS)
    sets = {"base": base, **{region.name: overlay(base, read_region_folder(region))
                             for region in sorted((PROCESSES / "regions").iterdir()) if region.is_dir()}}
    assert len(sets) == 5
    for name, files in sets.items():
        report = validate_process_set(files)
        assert report.problems == [], (name, report.problems)
