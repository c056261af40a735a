"""What deploys runs: an element the engine cannot run is refused at deploy, naming the file, the element and
what to write instead (in Swedish and English); one deployed before the check fails as the case's incident,
never as a server error; a user task without a form is a confirmation step; a message whose correlation does
not match is a conflict listing what the case waits for. Each diagram in files/ replaces the base's first stage
with one small case of a defect an outside modeler writes."""

from __future__ import annotations

from engine.services.process_sets import deploy, overlay, read_process_folder

from .conftest import FILES, PERSON, base_text, count, line_of


def diagram(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")


def refused(upload, client, name: str) -> list[dict]:
    """Deploy one diagram; expect the refusal, nothing stored, and return the `runnable` problems."""
    definitions = count("process_definitions")
    response = upload({name: diagram(name)}, region="kristianstad", deployed_by="tests")
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert count("process_definitions") == definitions and count("deployments") == 0
    found = [p for p in response.json["problems"] if p["check"] == "runnable"]
    assert found, response.json["problems"]
    assert all(p["file"] == f"bpmn/{name}" for p in found)
    return found


def start(client):
    return client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON})


def test_a_service_task_is_refused_naming_it_and_what_to_use_instead(client, upload):
    found = refused(upload, client, "tjansteuppgift.bpmn")
    assert len(found) == 1
    (service,) = found
    assert service["element"] == "hamta_journal"
    assert service["line"] == line_of(diagram("tjansteuppgift.bpmn"), '<bpmn:serviceTask id="hamta_journal"')
    assert "Tjänsteuppgiften hamta_journal ('Hämta journal') kan inte köras" in service["message_sv"]
    assert "Använd en skriptuppgift" in service["message_sv"]
    assert "The service task hamta_journal ('Hämta journal') cannot run" in service["message"]
    assert "Use a script task" in service["message"]


def test_a_data_store_is_refused_naming_it(client, upload):
    (store,) = refused(upload, client, "datalager.bpmn")
    assert (store["element"], store["line"]) == (
        "kontaktregister", line_of(diagram("datalager.bpmn"), '<bpmn:dataStore id="kontaktregister"'))
    assert "Datalagret kontaktregister ('Kontaktregister') kan inte användas" in store["message_sv"]
    assert "The data store kontaktregister ('Kontaktregister') cannot be used" in store["message"]


def test_a_service_task_deployed_before_the_check_is_the_starts_incident_not_a_server_error(app, client):
    base = read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])
    deploy(overlay(base, {"bpmn/tjansteuppgift.bpmn": diagram("tjansteuppgift.bpmn")}), region="kristianstad",
           deployed_by="before service tasks were checked")
    cases_before = count("cases")
    for _ in range(2):  # every start, not only the first
        response = start(client)
        assert response.status_code == 422, response.json
        assert response.json["type"] == "/problems/process-incident"
        detail = response.json["detail"]
        assert ("Steget hamta_journal ('Hämta journal') i diagrammet bpmn/tjansteuppgift.bpmn kunde inte köras: "
                "tjänsteuppgiften kan inte köras") in detail
        assert "The step hamta_journal ('Hämta journal') in the diagram bpmn/tjansteuppgift.bpmn failed" in detail
        assert "'journal/Hamta'" in detail and "provides no connectors" in detail
    assert count("cases") == cases_before
    assert client.post("/api/v1/cases", json={"region": "jonkoping", "person": PERSON}).status_code == 201


def test_a_call_of_a_function_no_helper_defines_is_refused_with_the_file_line_and_name(client, upload):
    text = diagram("okand_funktion.bpmn")
    found = refused(upload, client, "okand_funktion.bpmn")
    # dubbla (a lambda the script assigns), arbetsdagar_efter and idag (helpers), len, sorted and range
    # (builtins) are known; only the two calls of functions nothing defines are refused.
    assert [(p["element"], p["line"]) for p in found] == [
        ("berakna", line_of(text, "svar = hamta_register(antal)")),
        ("bekrafta_kontakt", line_of(text, "rubrik = formatera(svar)")),
    ]
    script, pre_script = found
    assert ("I skriptet i berakna ('Beräkna uppföljning') anropas funktionen 'hamta_register' "
            f"(rad {script['line']}), som ingen hjälpfunktion definierar") in script["message_sv"]
    assert (f"The script of berakna ('Beräkna uppföljning') calls the function 'hamta_register' "
            f"(line {script['line']}), which no helper defines") in script["message"]
    assert "förskriptet i bekrafta_kontakt ('Bekräfta kontakten') anropas funktionen 'formatera'" \
        in pre_script["message_sv"]


def test_a_message_the_routine_cannot_receive_is_refused(client, upload):
    text = diagram("okant_meddelande.bpmn")
    found = refused(upload, client, "okant_meddelande.bpmn")
    assert [(p["element"], p["line"]) for p in found] == [
        ("vanta_pa_svar", line_of(text, 'messageRef="msg_finns_inte"')),
        ("vanta_pa_besked", line_of(text, "<bpmn:messageEventDefinition/>")),
    ]
    unknown, missing = found
    assert "vanta_pa_svar ('Svar kommer') anger meddelandet 'msg_finns_inte', som inte finns i filen" \
        in unknown["message_sv"]
    assert "names the message 'msg_finns_inte', which is not in the file" in unknown["message"]
    assert "vanta_pa_besked ('Besked kommer') anger inget meddelande (messageRef)" in missing["message_sv"]
    assert "names no message (messageRef)" in missing["message"]


def test_a_message_the_routine_sends_that_nothing_receives_is_refused(client, upload):
    text = diagram("meddelande_till_ingen.bpmn")
    (sent,) = refused(upload, client, "meddelande_till_ingen.bpmn")
    assert (sent["element"], sent["line"]) == ("skicka_besked", line_of(text, 'messageRef="msg_besked"'))
    assert ("skicka_besked ('Besked skickas') skickar meddelandet 'besked_till_vardcentralen', men inget i rutinen "
            "tar emot det") in sent["message_sv"]
    assert "sends the message 'besked_till_vardcentralen', but nothing in the routine receives it" in sent["message"]


def test_camunda_attributes_are_each_named_with_what_to_write_instead(client, upload):
    text = diagram("camunda.bpmn")
    found = refused(upload, client, "camunda.bpmn")
    by_attribute = {p["message_sv"].split()[1]: p for p in found}
    assert sorted(by_attribute) == ["camunda:candidateGroups", "camunda:decisionRef", "camunda:dueDate",
                                    "camunda:formKey"]
    instead = {
        "camunda:formKey": ('name="formJsonSchemaFilename"', "skriv formuläret", "write the form"),
        "camunda:candidateGroups": ('name="candidateGroups"', "skriv gruppen", "write the group"),
        "camunda:dueDate": ('name="dueDate"', "skriv förfallodagen", "write the due date"),
        "camunda:decisionRef": ("spiffworkflow:calledDecisionId", "skriv beslutstabellens id",
                                "write the decision's id"),
    }
    for attribute, (extension, swedish, english) in instead.items():
        message, english_message = by_attribute[attribute]["message_sv"], by_attribute[attribute]["message"]
        assert message.startswith(f"Attributet {attribute} på ")
        assert english_message.startswith(f"The attribute {attribute} on ")
        assert extension in message and swedish in message and english in english_message
    assert by_attribute["camunda:formKey"]["element"] == "bedom"
    assert by_attribute["camunda:formKey"]["line"] == line_of(text, 'camunda:formKey="')
    assert by_attribute["camunda:decisionRef"]["element"] == "regel"


def test_camunda_8_extensions_are_named_as_written_with_what_to_write_instead(client, upload):
    text = diagram("zeebe.bpmn")
    found = refused(upload, client, "zeebe.bpmn")
    assert [(p["element"], p["line"]) for p in found] == [
        ("bedom", line_of(text, "<zeebe:formDefinition")), ("bedom", line_of(text, "<zeebe:assignmentDefinition"))]
    form, group = found
    assert form["message_sv"].startswith("Tillägget zeebe:formDefinition på bedom ('Bedöm behov') läses inte av "
                                       "produkten: skriv formuläret")
    assert "The extension zeebe:formDefinition on bedom ('Bedöm behov') is not read" in form["message"]
    assert 'name="candidateGroups"' in group["message"] and "write the group" in group["message"]


def test_a_user_task_without_a_form_is_a_confirmation(client, upload):
    response = upload({"bekraftelse.bpmn": diagram("bekraftelse.bpmn")}, region="kristianstad")
    assert response.status_code == 201, response.json

    started = start(client)
    assert started.status_code == 201, started.json
    (task,) = started.json["open_tasks"]
    assert (task["name"], task["title"]) == ("bekrafta_kontakt", "Bekräfta kontakten")
    shown = client.get(f"/api/v1/tasks/{task['id']}").json
    assert shown["instructions"] == "Ring den enskilde och bekräfta att kontakten är tagen."
    assert not (shown.get("form") or {}).get("schema")

    # A confirmation takes no fields: what is sent is refused at its field, and nothing moves.
    extra = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {"sip_behovs": True}})
    assert extra.status_code == 422, extra.json
    assert extra.json["errors"] == [{"field": "data/sip_behovs", "message": "en bekräftelse tar inga fält"}]

    done = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": {}})
    assert done.status_code == 200, done.json
    assert [t["name"] for t in done.json["next_tasks"]] == ["bekrafta_planen"]


def test_a_message_whose_correlation_does_not_match_is_a_conflict_listing_what_the_case_waits_for(
        client, upload):
    response = upload({"korrelation.bpmn": diagram("korrelation.bpmn")}, region="kristianstad")
    assert response.status_code == 201, response.json
    case_id = start(client).json["id"]
    events = len(client.get(f"/api/v1/cases/{case_id}").json["history"])

    for payload in ({"arendenummer": "B-2"}, {"annat": "utan nummer"}):
        answer = client.post(f"/api/v1/cases/{case_id}/messages/svar", json={"payload": payload})
        assert answer.status_code == 409, answer.json
        assert answer.json["type"] == "/problems/conflict"
        assert answer.json["waiting_for"] == ["svar"]
        assert answer.json["correlation"] == [
            {"message": "svar", "event": "svar_kommer", "correlation": {"arendenummer": "A-17"}}]
        assert "arendenummer = 'A-17'" in answer.json["detail"]
    case = client.get(f"/api/v1/cases/{case_id}").json
    assert case["incident"] is None and len(case["history"]) == events and case["open_tasks"] == []

    matching = client.post(f"/api/v1/cases/{case_id}/messages/svar", json={"payload": {"arendenummer": "A-17"}})
    assert matching.status_code == 200, matching.json
    assert [t["name"] for t in matching.json["open_tasks"]] == ["bekrafta_kontakt"]


def test_a_script_task_drawn_without_a_script_deploys_and_does_nothing(client, upload):
    response = upload({"skripttask_utan_skript.bpmn": diagram("skripttask_utan_skript.bpmn")}, region="kristianstad")
    assert response.status_code == 201, response.json
    started = start(client)
    assert started.status_code == 201, started.json
    assert [t["name"] for t in started.json["open_tasks"]] == ["bekrafta_kontakt"]
    assert client.get(f"/api/v1/cases/{started.json['id']}").json["incident"] is None


def test_an_incident_names_the_diagram_the_element_and_its_name_in_swedish_and_english(app, client):
    """A variable no step sets, in a diagram deployed before the deployment refused such reads (see
    test_variables.py), is found when the script runs: the start answers the incident, which says where, in both
    languages."""
    base = read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])
    deploy(overlay(base, {"bpmn/okand_variabel.bpmn": diagram("okand_variabel.bpmn")}), region="kristianstad",
           deployed_by="before reads of variables nothing sets were checked")
    started = start(client)
    assert started.status_code == 422, started.json
    assert started.json["type"] == "/problems/process-incident"
    detail = started.json["detail"]
    assert detail.startswith("Steget summera ('Summera insatser') i diagrammet bpmn/okand_variabel.bpmn kunde inte "
                             "köras: skriptet på rad 2 använder namnet 'insatser_per_dag', som varken är en "
                             "variabel i ärendet eller en hjälpfunktion. / ")
    assert "The step summera ('Summera insatser') in the diagram bpmn/okand_variabel.bpmn failed" in detail
    assert "name 'insatser_per_dag' is not defined" in detail


def test_a_loop_limit_incident_names_its_element_in_swedish_and_english(client, upload):
    name = "slinga_tom_granskning_vid_start.bpmn"
    assert upload({name: diagram(name)}, region="kristianstad").status_code == 201
    started = start(client)
    assert started.status_code == 422, started.json
    detail = started.json["detail"]
    assert (f"Steget granskat ('Granskat av alla?') i diagrammet bpmn/{name} kunde inte köras: ärendet gick runt "
            "en slinga utan att stanna") in detail
    assert f"The step granskat ('Granskat av alla?') in the diagram bpmn/{name} failed: The case went round a loop" \
        in detail


def test_a_table_that_gives_no_answer_in_a_running_case_names_the_task_that_called_it(client, upload):
    table = base_text("dmn/kallelse_krav.dmn").replace('hitPolicy="FIRST"', 'hitPolicy="UNIQUE"')
    response = upload({"tabell_utan_svar.bpmn": diagram("tabell_utan_svar.bpmn"), "kallelse_krav.dmn": table},
                      region="kristianstad")
    assert response.status_code == 201, response.json
    started = start(client)
    assert started.status_code == 422, started.json
    detail = started.json["detail"]
    assert detail.startswith("Steget kontrollera_kallelsen ('Kontrollera kallelsen') i diagrammet "
                             "bpmn/tabell_utan_svar.bpmn kunde inte köras: steget fick svar från flera regler i "
                             "beslutstabellen, där bara en får gälla. / ")
    assert "rules 1 and 2 all match, but the hit policy UNIQUE allows only one" in detail
