"""Trying a deployed decision table over the API: a table that gives no result for the values tried (two rules
matching under UNIQUE, a cell that cannot be computed) answers a problem document naming the rules, never 500."""

from __future__ import annotations

from engine.services.process_sets import deploy, overlay, read_process_folder

from .conftest import ROOT

NONE_CALLED = {"antal_hsl": 0, "antal_sol_lss": 0, "antal_oppenvard": 1}


def deploy_kallelse_krav(app, policy: str) -> None:
    text = (ROOT / "processes" / "dmn" / "kallelse_krav.dmn").read_text(encoding="utf-8")
    assert 'hitPolicy="FIRST"' in text
    base = read_process_folder(app.config["PROCESSES_DIR"], app.config["FORMS_DIR"])
    deploy(overlay(base, {"dmn/kallelse_krav.dmn": text.replace('hitPolicy="FIRST"', f'hitPolicy="{policy}"')}),
           region="stockholm", deployed_by="tests")


def test_two_rules_matching_under_unique_answer_422_naming_the_rules(app, client):
    deploy_kallelse_krav(app, "UNIQUE")
    response = client.post("/api/v1/decisions/kallelse_krav/evaluate",
                           json={"region": "stockholm", "variables": NONE_CALLED})
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["type"] == "/problems/decision-failed"
    assert body["title"] == "Beslutstabellen ger inget svar"
    assert "gäller reglerna 1 och 2 samtidigt" in body["detail"] and "UNIQUE" in body["detail"]
    assert body["rules"] == [{"number": 1, "id": "DecisionRule_0ingen_hsl"},
                             {"number": 2, "id": "DecisionRule_1ingen_sol"}]
    assert {p["element"] for p in body["problems"]} == {"DecisionRule_0ingen_hsl", "DecisionRule_1ingen_sol"}
    assert all(p["file"] == "dmn/kallelse_krav.dmn" for p in body["problems"])


def test_the_same_table_with_first_answers_the_first_rule(app, client):
    response = client.post("/api/v1/decisions/kallelse_krav/evaluate",
                           json={"region": "stockholm", "variables": NONE_CALLED})
    assert response.status_code == 200, response.json
    assert response.json["result"]["kallelse_komplett"] is False
    assert "hälso- och sjukvården" in response.json["result"]["kallelse_saknas"]


def test_an_unknown_decision_is_404(client):
    response = client.post("/api/v1/decisions/finns_inte/evaluate", json={"variables": {}})
    assert response.status_code == 404 and "finns_inte" in response.json["detail"]
