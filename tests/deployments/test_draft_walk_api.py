"""Trying a draft before deploying it (POST /api/v1/studio/walk): the region's routine with a process owner's edited
files walked in memory by the real engine, each task answered by default or as chosen and checked by its real
form; the answer lists the tasks that come, for whom and due when, and where the routine stops. Nothing is
stored, and a draft that would not deploy answers 422 with its problems."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from engine.calendar import SWEDISH_TIME
from engine.database import db
from engine.runtime.workflow import parse_due
from engine.scripting.helpers import arbetsdagar_efter, dagar_efter, idag, manader_efter

from .conftest import changed

INITIATION = "bpmn/initiering_och_samtycke.bpmn"
FORM_PROPERTY = '<spiffworkflow:property name="formJsonSchemaFilename" value="bedom_behov_av_sip.schema.json"/>'


def every_count() -> dict[str, int]:
    """Rows in every table of the product: a walk must change none of them."""
    db.session.rollback()
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def walk(client, region: str, files: dict[str, str] | None = None, answers: dict | None = None, **form):
    data = {"region": region, **form}
    if answers is not None:
        data["answers"] = json.dumps(answers)
    if files:
        data["files"] = [(io.BytesIO(text.encode("utf-8")), name) for name, text in files.items()]
    return client.post("/api/v1/studio/walk", data=data, content_type="multipart/form-data")


def with_due_date(expression: str) -> str:
    """The base's initiation diagram with a due date on its first task."""
    return changed(INITIATION, FORM_PROPERTY,
                   FORM_PROPERTY + f'\n          <spiffworkflow:property name="dueDate" value="{expression}"/>')


def test_a_draft_is_walked_to_its_end_and_nothing_is_stored(owner):
    sender = owner("kristianstad")
    before = every_count()
    draft = {"initiering_och_samtycke.bpmn": with_due_date("arbetsdagar_efter(idag(), 2)").replace(
        'name="Bedöm behov av SIP"', 'name="Bedöm behovet av en SIP"', 1)}

    response = walk(sender, "kristianstad", draft)

    assert response.status_code == 200, response.json
    body = response.json
    steps = body["steps"]
    first = steps[0]
    assert (first["element"], first["name"]) == ("bedom_behov_av_sip", "Bedöm behovet av en SIP")
    assert first["candidate_group"] == "samordningsansvarig"
    assert first["due_at"] is not None
    assert parse_due(first["due_at"]) == parse_due(arbetsdagar_efter(idag(), 2))
    assert first["chosen"] is False and first["form"] == "bedom_behov_av_sip.schema.json"
    initiated_by = next(c for c in first["choices"] if c["field"] == "initierad_av")
    assert initiated_by["title"] == "SIP initieras av"
    assert initiated_by["options"][0] == {"value": "kommun", "title": "Kommunen"}
    # By default each form gets its first valid choice: consent given, so the routine goes through a summons
    # answered by each organisation summoned, the meeting, documentation and approval, to its end.
    elements = [s["element"] for s in steps]
    for expected in ("inhamta_samtycke", "forbered_sip", "kvittera_kallelse", "genomfor_tjanstemannamote",
                     "genomfor_sip_mote", "dokumentera_ataganden", "godkann_plan"):
        assert expected in elements, f"{expected} is not walked: {elements}"
    summoned = [s["candidate_group"] for s in steps if s["element"] == "kvittera_kallelse"]
    assert len(summoned) > 1 and len(set(summoned)) == len(summoned), summoned
    assert body["stop"]["kind"] == "ended" and body["stop"]["status"] == "closed"

    assert every_count() == before


def test_chosen_answers_take_the_routine_another_way(owner):
    sender = owner("kristianstad")
    before = every_count()
    answers = {"inhamta_samtycke": {"samtycke": "avbojer", "samtycke_kommentar": "Vill inte ha en SIP nu"}}

    body = walk(sender, "kristianstad", answers=answers).json

    consent = [s for s in body["steps"] if s["element"] == "inhamta_samtycke"]
    assert consent and consent[0]["chosen"] is True and consent[0]["answer"]["samtycke"] == "avbojer"
    assert body["stop"]["kind"] == "ended" and body["stop"]["status"] == "declined"
    assert "forbered_sip" not in [s["element"] for s in body["steps"]]
    assert every_count() == before


def test_an_answer_the_form_refuses_stops_the_walk_at_the_task(owner):
    body = walk(owner("kristianstad"), "kristianstad",
                answers={"bedom_behov_av_sip": {"initierad_av": "grannen"}}).json

    assert [s["element"] for s in body["steps"]] == ["bedom_behov_av_sip"]
    assert body["stop"]["kind"] == "invalid_answer" and body["stop"]["element"] == "bedom_behov_av_sip"
    assert [e["field"] for e in body["stop"]["errors"]] == ["initierad_av"]
    assert body["stop"]["errors"][0]["message"]  # in Swedish, as the task's page says it


def test_a_draft_that_would_not_deploy_answers_422_with_its_problems(owner):
    sender = owner("kristianstad")
    before = every_count()
    broken = changed(INITIATION, 'value="bedom_behov_av_sip.schema.json"', 'value="finns_inte.schema.json"')

    response = walk(sender, "kristianstad", {"initiering_och_samtycke.bpmn": broken})

    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    problems = response.json["problems"]
    named = [p for p in problems if p["element"] == "bedom_behov_av_sip"]
    assert named, problems
    assert named[0]["file"] == INITIATION and "finns_inte.schema.json" in named[0]["message"]
    assert every_count() == before


def test_answers_that_are_not_form_data_are_refused_naming_the_field(owner):
    sender = owner("kristianstad")
    response = walk(sender, "kristianstad", answers={"bedom_behov_av_sip": "ja"})
    assert response.status_code == 400
    assert response.json["errors"] == [{"field": "answers/bedom_behov_av_sip",
                                        "message": "form data (an object), or a list of them"}]
    response = sender.post("/api/v1/studio/walk", data={"region": "kristianstad", "answers": "{inte json"},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "answers"


def test_only_a_process_owner_of_the_region_walks_its_drafts(client, owner):
    assert walk(client, "kristianstad").status_code == 403  # staff, not a process owner
    assert walk(owner("jonkoping"), "kristianstad").status_code == 403  # another region's owner
    assert walk(owner("kristianstad"), "kristianstad").status_code == 200


def test_a_walk_stops_where_the_routine_waits_for_a_timer(owner):
    """A follow-up date two months ahead: the routine waits for it once the plan is made, and the walk says until
    when; a date beyond a year is brought forward to a year, as the routine demands a yearly follow-up."""
    soon, far = dagar_efter(idag(), 60), "2099-01-15"
    for chosen, expected in ((soon, soon), (far, manader_efter(idag(), 12))):
        body = walk(owner("kristianstad"), "kristianstad",
                    answers={"genomfor_sip_mote": {"uppfoljningsdatum": chosen}}).json
        assert body["stop"]["kind"] == "waiting", body["stop"]
        due = datetime.fromisoformat(body["stop"]["timer_due"]).astimezone(SWEDISH_TIME)
        assert due.date().isoformat() == expected
        assert "godkann_plan" in [s["element"] for s in body["steps"]]
        assert "genomfor_uppfoljning" not in [s["element"] for s in body["steps"]]


def test_a_due_date_that_is_no_date_stops_the_walk_as_an_incident(owner):
    body = walk(owner("kristianstad"), "kristianstad",
                {"initiering_och_samtycke.bpmn": with_due_date("&quot;snart&quot;")}).json
    assert body["steps"] == []
    assert body["stop"]["kind"] == "incident" and "snart" in body["stop"]["message"]


def test_start_variables_that_json_bodies_may_not_hold_are_refused(owner):
    sender = owner("kristianstad")
    for text, field in (('{"alder": NaN}', "variables/alder"), ('{"a": ' * 40 + "1" + "}" * 40, "variables/")):
        response = sender.post("/api/v1/studio/walk", data={"region": "kristianstad", "variables": text},
                               content_type="multipart/form-data")
        assert response.status_code == 400, response.json
        assert response.json["errors"][0]["field"].startswith(field)


def test_a_task_sent_back_unchanged_stops_the_walk(owner):
    """A summons of the social services alone is sent back to be completed (health care must be summoned too);
    answered the same again, it would go round without end: the walk stops and says which task."""
    alone = {"deltagare": [{"namn": "Siv", "organisation": "Socialtjänsten", "huvudmannatyp": "kommun_sol"}]}
    body = walk(owner("kristianstad"), "kristianstad", answers={"forbered_sip": alone}).json

    assert body["stop"]["kind"] == "repeats" and body["stop"]["element"] == "forbered_sip"
    summons = [s for s in body["steps"] if s["element"] == "forbered_sip"]
    assert len(summons) >= 2 and all(s["answer"]["deltagare"] == alone["deltagare"] for s in summons)
    assert "kvittera_kallelse" not in [s["element"] for s in body["steps"]]


@pytest.mark.parametrize("region", ["kristianstad", "jonkoping", "vastra_gotaland", "stockholm"])
def test_every_regions_routine_walks_to_its_end_by_default(app, owner, region):
    """Each region's own forms (a summons that must name primary care at a discharge, goals with their own fields)
    are answered by their own checks' first valid choice, so that trying a region's routine unchanged shows all of
    it: from the assessment, through the meeting and its plan, to the end."""
    from engine.cli import initialise_regions

    initialise_regions(echo=lambda *args, **kwargs: None)
    body = walk(owner(region), region).json

    assert body["stop"] == {"kind": "ended", "status": "closed", "reason": body["stop"]["reason"]}, body["stop"]
    elements = [s["element"] for s in body["steps"]]
    assert elements[0] == "bedom_behov_av_sip" and "godkann_plan" in elements, elements
