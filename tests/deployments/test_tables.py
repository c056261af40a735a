"""Decision tables at deploy: a FEEL input expression with a dotted path (`huvudperson.alder`) deploys and runs,
as docs/expressions.md says; a cell the engine refuses is named (file, decision, rule, column, cell, line), and
every other decision of the file is still checked and reported on its own."""

from __future__ import annotations

from .conftest import base_text, count, line_of

TABLE = "dmn/mobilt_vardteam.dmn"
CRITERIA = {"kroniska_diagnoser": 0, "inlaggningar_12_man": 0, "staende_lakemedel": 0,
            "klarar_personlig_omvardnad": True, "hemsjukvard": False}


def test_a_dotted_path_as_an_input_expression_deploys_and_runs(client, upload):
    text = base_text(TABLE).replace("<text>alder</text>", "<text>huvudperson.alder</text>")
    assert "huvudperson.alder" in text
    response = upload({"mobilt_vardteam.dmn": text}, region="kristianstad")
    assert response.status_code == 201, response.json

    for age, counted in ((80, 1), (60, 0)):
        tried = client.post("/api/v1/decisions/mobilt_vardteam_kriterier/evaluate", json={
            "region": "kristianstad", "variables": {**CRITERIA, "huvudperson": {"alder": age}}})
        assert tried.status_code == 200, tried.json
        assert tried.json["result"] == {"antal_kriterier": counted}, (age, tried.json)


def test_a_refused_cell_is_named_and_the_other_decisions_are_still_checked(client, upload):
    text = base_text(TABLE)
    text = text.replace("<text>&gt;= 4</text>", "<text>&gt;= 4 ??? x</text>", 1)  # decision mobilt_vardteam
    text = text.replace("<text>&gt;= 75</text>", "<text>&gt;= 75 ??? x</text>", 1)  # mobilt_vardteam_kriterier
    definitions = count("process_definitions")
    response = upload({"mobilt_vardteam.dmn": text}, region="kristianstad")
    assert response.status_code == 422, response.json
    assert count("process_definitions") == definitions
    found = [p for p in response.json["problems"] if p["check"] == "tables"]
    assert [(p["file"], p["element"], p["line"]) for p in found] == [
        (TABLE, "UnaryTests_1m0k6pe", line_of(text, "&gt;= 4 ??? x")),
        (TABLE, "UnaryTests_0a5e", line_of(text, "&gt;= 75 ??? x")),
    ]
    first, second = found
    assert "decision 'mobilt_vardteam', rule 1, column 'Antal uppfyllda kriterier'" in first["message"]
    assert "'>= 4 ??? x'" in first["message"]
    assert "decision 'mobilt_vardteam_kriterier', rule 5, column 'Ålder'" in second["message"]
    assert "'>= 75 ??? x'" in second["message"]
