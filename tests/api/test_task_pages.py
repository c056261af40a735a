"""What the staff web app's task pages read over HTTP, walked through the routine: the summary it polls (counts,
kinds, and a version that changes with the organisation's open tasks and only then), the list found by kind
of task and by the person's name, and a task with its case beside the form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.api.conftest import PERSON, signed_in, user_token
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk

VARDCENTRAL_ORG = (VARDCENTRAL["organisation"], "primarvard", "kristianstad")
STOCKHOLM_ORG = ("Stockholms stad, socialtjänst Södermalm", "kommun_sol", "stockholm")
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}


@pytest.fixture
def staff(app):
    """Two users of the coordinating kommun, one of the vårdcentral, one of a Stockholm organisation."""
    return {"eva": signed_in(app, user_token("eva")), "per": signed_in(app, user_token("per")),
            "vera": signed_in(app, user_token("vera", VARDCENTRAL_ORG)),
            "sara": signed_in(app, user_token("sara", STOCKHOLM_ORG))}


def start(client, region: str = "base", name: str = PERSON["name"]) -> dict:
    response = client.post("/api/v1/cases", json={"region": region, "person": {**PERSON, "name": name}})
    assert response.status_code == 201, response.json
    return response.json


def summary(client) -> dict:
    response = client.get("/api/v1/tasks/summary")
    assert response.status_code == 200, response.json
    return response.json


def listed(client, **query) -> list[str]:
    body = client.get("/api/v1/tasks", query_string=query).json
    assert body["total"] == len(body["items"]), body
    return [t["id"] for t in body["items"]]


def test_the_summary_counts_the_organisations_open_tasks_and_its_version_follows_them(staff):
    eva, per, sara = staff["eva"], staff["per"], staff["sara"]
    empty = summary(eva)
    assert {k: v for k, v in empty.items() if k != "version"} == {
        "mine": 0, "organisation": 0, "unassigned": 0, "overdue": 0, "due_today": 0, "kinds": []}

    case = start(eva)
    first = summary(eva)
    assert (first["organisation"], first["unassigned"], first["mine"]) == (1, 1, 0)
    assert first["kinds"] == [{"name": "bedom_behov_av_sip", "title": "Bedöm behov av SIP", "count": 1}]
    assert first["version"] != empty["version"]
    assert summary(eva) == first  # nothing changed: the same answer, the same version
    assert summary(per) == first  # a colleague sees the same tasks

    start(sara, region="stockholm")  # another organisation's case changes nothing of ours
    assert summary(eva) == first
    assert summary(sara)["organisation"] == 1 and summary(sara)["version"] != first["version"]

    task_id = case["open_tasks"][0]["id"]
    assert eva.post(f"/api/v1/tasks/{task_id}/claim", json={}).status_code == 200
    claimed = summary(eva)
    assert (claimed["mine"], claimed["unassigned"], claimed["organisation"]) == (1, 0, 1)
    assert claimed["version"] != first["version"]
    assert (summary(per)["mine"], summary(per)["version"]) == (0, claimed["version"])
    assert eva.post(f"/api/v1/tasks/{task_id}/unclaim", json={}).status_code == 200
    assert summary(eva) == first  # the tasks are as they were, and so is the version

    assert eva.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT}).status_code == 200
    done = summary(eva)
    assert done["kinds"] == [{"name": "inhamta_samtycke", "title": "Inhämta samtycke", "count": 1}]
    assert done["organisation"] == 1 and done["version"] not in (first["version"], claimed["version"])


def test_overdue_and_due_today_are_counted_by_the_swedish_day(staff):
    eva = staff["eva"]
    walk = CaseWalk.start().initiate().consent().prepare().acknowledge_all().premeeting()
    walk.meeting(motesdatum="2026-12-10")  # each participant documents within two working days: 2026-12-14
    assert sorted(t.name for t in walk.tasks()) == ["dokumentera_ataganden", "dokumentera_ataganden"]
    counts = {}
    for label, moment in (("the 13th, 23:30 in Sweden", datetime(2026, 12, 13, 22, 30, tzinfo=UTC)),
                          ("the 14th, 00:30 in Sweden", datetime(2026, 12, 13, 23, 30, tzinfo=UTC)),
                          ("the 14th, 23:30 in Sweden", datetime(2026, 12, 14, 22, 30, tzinfo=UTC)),
                          ("the 15th, 00:30 in Sweden", datetime(2026, 12, 14, 23, 30, tzinfo=UTC))):
        with time_machine.travel(moment, tick=False):
            counts[label] = summary(eva)
    assert [(c["due_today"], c["overdue"]) for c in counts.values()] == [(0, 0), (2, 0), (2, 0), (0, 2)]
    assert len({c["version"] for c in counts.values()}) == 1  # time passing changes no task
    assert {c["organisation"] for c in counts.values()} == {2}


def test_the_list_finds_tasks_by_kind_and_person_and_never_another_organisations(staff):
    eva, vera, sara = staff["eva"], staff["vera"], staff["sara"]
    asa = start(eva, name="Åsa Öberg")
    tolvan = start(eva)
    theirs = start(sara, region="stockholm", name="Åsa Öberg")
    asa_first = asa["open_tasks"][0]["id"]
    assert eva.post(f"/api/v1/tasks/{asa_first}/complete", json={"data": ASSESSMENT}).status_code == 200
    asa_consent = [t["id"] for t in eva.get("/api/v1/tasks", query_string={"case_id": asa["id"]}).json["items"]]

    assert listed(eva, person="åSA öB") == asa_consent  # any case, Swedish letters too
    assert listed(eva, person="ÅSA", name="inhamta_samtycke") == asa_consent
    assert listed(eva, name="bedom_behov_av_sip") == [tolvan["open_tasks"][0]["id"]]
    assert listed(eva, name="bedom_behov_av_sip", person="tolv") == [tolvan["open_tasks"][0]["id"]]
    assert listed(eva, name="inhamta_samtycke", person="tolv") == []
    assert listed(eva, person="%") == [] and listed(eva, person="_") == []  # searched as written
    assert listed(eva, person="Åsa", state="completed") == [asa_first]
    # Stockholm finds its own Åsa Öberg, and only her; the vårdcentral sees nothing of either organisation.
    assert listed(sara, person="åsa") == [theirs["open_tasks"][0]["id"]]
    assert listed(sara, name="inhamta_samtycke") == []
    assert listed(vera, person="åsa") == [] and listed(vera, name="bedom_behov_av_sip") == []
    page = eva.get("/api/v1/tasks", query_string={"person": "S", "sort": "-due", "limit": 1, "offset": 1}).json
    assert page["total"] == 2 and len(page["items"]) == 1
    bad = eva.get("/api/v1/tasks", query_string={"person": ""})
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "person"


def test_a_task_shows_its_case_beside_the_form_as_the_organisation_may_see_it(staff):
    eva, vera = staff["eva"], staff["vera"]
    case = start(eva)
    first = eva.get(f"/api/v1/tasks/{case['open_tasks'][0]['id']}").json
    # the diagram's text, with the person's name filled in
    assert first["instructions"].startswith(f"Bedöm om {PERSON['name']} behöver en samordnad individuell plan")
    assert first["case"] == {
        "id": case["id"], "person_name": PERSON["name"], "status": "active", "stage": "Initiering och samtycke",
        "coordinator": None, "meeting": None, "participants": [],
        "open_tasks": [{"id": first["id"], "name": "bedom_behov_av_sip", "title": "Bedöm behov av SIP",
                        "candidate_group": "samordningsansvarig", "assignee": None, "due_at": None}]}

    walk = CaseWalk(case["id"]).initiate().consent().prepare()
    mine = walk.task("kvittera_kallelse", VARDCENTRAL["organisation"]).id
    assert vera.post(f"/api/v1/tasks/{mine}/claim", json={}).status_code == 200
    task = vera.get(f"/api/v1/tasks/{mine}").json
    assert task["instructions"].startswith(  # the summons as the vårdcentral reads it: the meeting's facts filled in
        f"Er verksamhet ({VARDCENTRAL['organisation']}) är kallad till SIP-möte för Anna Andersson den "
        "**10 december 2026** klockan 10:00, plats: **Näsby vårdcentral**. Samordningsansvarig: Eva Ek, "
        f"{KOMMUN['organisation']}, {KOMMUN['kontakt']}. Kvittera kallelsen och ange vem som kommer.")
    context = task["case"]
    assert (context["stage"], context["status"]) == ("Förberedelse och kallelse", "active")
    assert context["coordinator"] == {"organisation": KOMMUN["organisation"], "name": "Eva Ek"}
    assert context["meeting"] == {"date": "2026-12-10", "time": "10:00", "place": "Näsby vårdcentral"}
    assert [p["organisation"] for p in context["participants"]] == [KOMMUN["organisation"],
                                                                   VARDCENTRAL["organisation"]]
    # The vårdcentral sees its own task of the case; the coordinator sees both, and who holds which.
    assert [(t["id"], t["assignee"]) for t in context["open_tasks"]] == [(mine, "vera")]
    ours = walk.task("kvittera_kallelse", KOMMUN["organisation"]).id
    seen = eva.get(f"/api/v1/tasks/{ours}").json["case"]["open_tasks"]
    assert sorted((t["id"], t["assignee"]) for t in seen) == sorted([(mine, "vera"), (ours, None)])

    # Consent withdrawn: the vårdcentral keeps the tasks addressed to it, without the case.
    withdrawn = eva.post(f"/api/v1/cases/{case['id']}/messages/samtycke_aterkallat", json={})
    assert withdrawn.status_code == 200, withdrawn.json
    walk.do("dokumentera_avslut", {"avslutsorsak": "samtycke_aterkallat", "avslutsdatum": "2027-01-20",
                                   "den_enskilde_informerad": True})
    receipt = walk.task("kvittera_avslut", VARDCENTRAL["organisation"]).id
    shown = vera.get(f"/api/v1/tasks/{receipt}").json
    assert (shown["case"], shown["data"]) == (None, {})
    # The instructions tell what to do without the case's facts: not even the person's name.
    assert shown["instructions"].startswith("Planen för den enskilde avslutas")
    assert "Anna" not in shown["instructions"] and "Kvittera för er verksamhet" in shown["instructions"]
