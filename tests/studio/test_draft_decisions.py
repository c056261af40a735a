"""Trying a draft decision table over HTTP, as the studio does while a process owner edits it: the draft's own
rules decide (not the deployed table's), a table that gives no result answers 422 saying why in Swedish and naming
the clashing rules, never 500, and nothing is stored. Also reading the deployed files the editors open."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.database import db
from engine.store import ProcessDefinition
from tests.api.conftest import signed_in, user_token

ROOT = Path(__file__).resolve().parents[2]
TABLE = (ROOT / "processes" / "dmn" / "mobilt_vardteam.dmn").read_text(encoding="utf-8")
EVALUATE = "/api/v1/studio/decisions/evaluate"
# Three of the six criteria: chronic diagnoses, admissions and medications.
THREE = {"kroniska_diagnoser": 3, "inlaggningar_12_man": 3, "staende_lakemedel": 6,
         "klarar_personlig_omvardnad": True, "alder": 60, "hemsjukvard": False}
# The threshold lowered to three criteria in the first rule only: at three, both rules match under UNIQUE.
CLASHING = TABLE.replace("<text>&gt;= 4</text>", "<text>&gt;= 3</text>")
LOWERED = CLASHING.replace("<text>&lt; 4</text>", "<text>&lt; 3</text>")


@pytest.fixture
def owner(app):
    """A process owner of Kristianstad, whose routine (the base's table) is deployed."""
    from engine.cli import initialise_regions

    assert initialise_regions(echo=lambda *args, **kwargs: None)
    return signed_in(app, user_token("ella", roles=("staff", "process_owner")))


def trial(client, dmn: str, variables: dict, decision_id: str = "mobilt_vardteam", **extra):
    return client.post(EVALUATE, json={"region": "kristianstad", "dmn": dmn, "decision_id": decision_id,
                                       "variables": variables, **extra})


def versions() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProcessDefinition))


def test_the_drafts_rules_decide_not_the_deployed_tables(owner):
    deployed = owner.post("/api/v1/decisions/mobilt_vardteam/evaluate",
                          json={"region": "kristianstad", "variables": THREE})
    assert deployed.status_code == 200
    assert deployed.json["result"] == {"antal_kriterier": 3, "uppfyller_kriterier": False}

    before = versions()
    answer = trial(owner, LOWERED, THREE, path="dmn/mobilt_vardteam.dmn")
    assert answer.status_code == 200, answer.json
    assert answer.json == {"decision_id": "mobilt_vardteam",
                           "result": {"antal_kriterier": 3, "uppfyller_kriterier": True}}
    # The required table of the same file counts too: two criteria stay below the lowered threshold.
    two = {**THREE, "staende_lakemedel": 2}
    assert trial(owner, LOWERED, two).json["result"] == {"antal_kriterier": 2, "uppfyller_kriterier": False}
    # Nothing was deployed: the routine still answers as before.
    assert versions() == before
    again = owner.post("/api/v1/decisions/mobilt_vardteam/evaluate", json={"region": "kristianstad",
                                                                          "variables": THREE})
    assert again.json["result"]["uppfyller_kriterier"] is False


def test_two_rules_matching_under_unique_is_a_422_naming_the_rules(owner):
    answer = trial(owner, CLASHING, THREE, path="dmn/mobilt_vardteam.dmn")
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    problem = answer.json
    assert problem["type"] == "/problems/decision-failed"
    assert problem["title"] == "Beslutstabellen ger inget svar"
    assert "reglerna 1 och 2" in problem["detail"] and "UNIQUE" in problem["detail"]
    assert problem["decision"] == "mobilt_vardteam"
    assert problem["rules"] == [{"number": 1, "id": "DecisionRule_0g4t1nb"},
                                {"number": 2, "id": "DecisionRule_1r7s2yc"}]
    assert [p["element"] for p in problem["problems"]] == ["DecisionRule_0g4t1nb", "DecisionRule_1r7s2yc"]
    assert {p["file"] for p in problem["problems"]} == {"dmn/mobilt_vardteam.dmn"}
    # With four criteria only the first rule matches: the same draft answers.
    four = {**THREE, "alder": 80}
    assert trial(owner, CLASHING, four).json["result"] == {"antal_kriterier": 4, "uppfyller_kriterier": True}


def test_a_draft_that_cannot_be_read_says_where(owner):
    spoilt = TABLE.replace('<output id="Output_0p2m8sa"', '<output id="Output_0p2m8sa" <')
    line = next(n for n, text in enumerate(spoilt.splitlines(), 1) if 'Output_0p2m8sa" <' in text)
    broken = trial(owner, spoilt, THREE)
    assert broken.status_code == 422
    assert broken.json["problems"][0]["line"] == line and f"rad {line}" in broken.json["detail"]

    cell = trial(owner, TABLE.replace("&gt;= 75", "&gt;=="), THREE)
    assert cell.status_code == 422
    assert "regel 5" in cell.json["detail"] and "Ålder" in cell.json["detail"]
    assert cell.json["problems"][0]["line"]

    missing = trial(owner, TABLE, THREE, decision_id="finns_inte")
    assert missing.status_code == 400
    assert missing.json["errors"] == [{"field": "decision_id",
                                       "message": "Tabellen har inget beslut med id finns_inte"}]


def test_a_draft_may_require_a_table_the_region_runs_in_another_file(owner):
    draft = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="Prov" namespace="http://x">
  <decision id="prioritet" name="Prioritet">
    <informationRequirement id="r"><requiredDecision href="#mobilt_vardteam_kriterier" /></informationRequirement>
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i" label="Antal kriterier"><inputExpression id="ie" typeRef="integer"><text>antal_kriterier</text>
      </inputExpression></input>
      <output id="o" label="Prioritet" name="prioritet" typeRef="string" />
      <rule id="hog"><inputEntry id="a"><text>&gt;= 5</text></inputEntry><outputEntry id="b"><text>"hög"</text>
      </outputEntry></rule>
      <rule id="vanlig"><inputEntry id="c"><text>-</text></inputEntry><outputEntry id="d"><text>"vanlig"</text>
      </outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""
    answer = trial(owner, draft, {**THREE, "alder": 80, "hemsjukvard": True}, decision_id="prioritet",
                   path="dmn/prioritet.dmn")
    assert answer.status_code == 200, answer.json
    assert answer.json["result"] == {"prioritet": "hög"}


@pytest.mark.parametrize("dmn", [
    "inte xml",
    "<definitions/>",
    TABLE.replace("hitPolicy=\"COLLECT\"", "hitPolicy=\"NÅGOT\""),
    TABLE.replace("<text>antal_kriterier</text>", "<text>antal_kriterier / 0</text>", 1),
    TABLE.replace("<text>true</text>", "<text>okand_funktion(1)</text>", 1),
    TABLE.replace('href="#mobilt_vardteam_kriterier"', 'href="#mobilt_vardteam"'),
    TABLE.replace("<text>&gt;= 3</text>", "<text>[1..</text>", 1),
    TABLE.replace("<text>&gt;= 4</text>", "<text>&gt;= 4</text></inputEntry><inputEntry id=\"x\"><text>1</text>", 1),
], ids=["text", "empty", "hit-policy", "division", "unknown-function", "cycle", "range", "extra-cell"])
def test_a_broken_draft_is_never_a_500(owner, dmn):
    answer = trial(owner, dmn, {**THREE, "alder": "sjuttio"})
    assert answer.status_code in (200, 400, 422), answer.json
    if answer.status_code != 200:
        assert answer.mimetype == "application/problem+json" and answer.json["detail"]


def test_only_the_regions_process_owners_try_its_drafts(app, owner):
    staff = signed_in(app, user_token("stig"))
    assert trial(staff, TABLE, THREE).status_code == 403
    other = owner.post(EVALUATE, json={"region": "jonkoping", "dmn": TABLE, "decision_id": "mobilt_vardteam",
                                       "variables": THREE})
    assert other.status_code == 403
    assert owner.post(EVALUATE, json={"region": "kristianstad", "decision_id": "x"}).status_code == 400


def test_the_editors_read_a_deployed_file_marked_base_or_the_regions_own(app, owner):
    table = owner.get("/api/v1/regions/kristianstad/files/dmn/mobilt_vardteam.dmn")
    assert table.status_code == 200
    assert table.json["content"] == TABLE
    assert table.json["kind"] == "dmn" and table.json["source"] == "base"
    assert table.json["routine"]["region"] == "kristianstad"
    first = table.json["routine"]["version"]

    own = owner.get("/api/v1/regions/kristianstad/files/bpmn/tjanstemannamote.bpmn")
    assert own.json["source"] == "region"
    form = owner.get("/api/v1/regions/kristianstad/files/forms/bedom_behov_av_sip.schema.json")
    assert form.json["kind"] == "form" and form.json["source"] == "base"

    from io import BytesIO
    deployed = owner.post("/api/v1/deployments", content_type="multipart/form-data", data={
        "region": "kristianstad", "files": [(BytesIO(LOWERED.encode()), "mobilt_vardteam.dmn")]})
    assert deployed.status_code == 201, deployed.json
    now = owner.get("/api/v1/regions/kristianstad/files/dmn/mobilt_vardteam.dmn")
    assert now.json["source"] == "region" and now.json["content"] == LOWERED
    assert now.json["routine"]["version"] == first + 1
    earlier = owner.get(f"/api/v1/regions/kristianstad/files/dmn/mobilt_vardteam.dmn?version={first}")
    assert earlier.json["content"] == TABLE and earlier.json["source"] == "base"

    # A region without a version of its own reads the base's.
    base_read = owner.get("/api/v1/regions/ingen_egen/files/dmn/mobilt_vardteam.dmn")
    assert base_read.status_code == 200 and base_read.json["routine"]["region"] == "base"
    for path in ("/api/v1/regions/kristianstad/files/dmn/finns_inte.dmn",
                 "/api/v1/regions/kristianstad/files/dmn/mobilt_vardteam.dmn?version=999"):
        missing = owner.get(path)
        assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert owner.get("/api/v1/regions/kristianstad/files/x?version=0").status_code == 400
