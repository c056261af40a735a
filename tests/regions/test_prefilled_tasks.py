"""Nothing typed twice, and guidance on every task, walked over HTTP against gunicorn: when a task is opened its
form's data already holds what the case knows (the person's name and age, whom the summons named, the meeting's
planned date, the person's age at the officials' pre-meeting), the instructions name what the case knows (the
meeting's date, time and place, who stays away, who has not documented), completing the form as it came works,
and who approved is the user signed in, not a name typed into a field."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, timedelta

import pytest

from engine.calendar import SWEDISH_TIME
from tests.api.conftest import PERSON, user_token
from tests.routine.walk import KOMMUN, PSYKIATRI, VARDCENTRAL
from tests.servers import gunicorn

KOMMUN_ORG = (KOMMUN["organisation"], "kommun_sol", "kristianstad")
VARDCENTRAL_ORG = (VARDCENTRAL["organisation"], "primarvard", "kristianstad")
PSYKIATRI_ORG = (PSYKIATRI["organisation"], "psykiatri", "kristianstad")
SWEDISH_MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
                  "november", "december")


def in_words(day: date) -> str:
    return f"{day.day} {SWEDISH_MONTHS[day.month - 1]} {day.year}"


def age_today(born: date) -> int:
    from datetime import datetime

    today = datetime.now(SWEDISH_TIME).date()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class Client:
    def __init__(self, base: str, token: str, organisation: str):
        self.base, self.token, self.organisation = base, token, organisation

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            f"{self.base}/api/v1{path}", method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                     "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return response.status, text, (json.loads(text) if text else None)
        except urllib.error.HTTPError as err:
            text = err.read().decode()
            return err.code, text, json.loads(text or "null")

    def open_task(self, case_id: str, name: str) -> tuple[dict, str]:
        """The task as its page reads it, and the answer as sent."""
        status, _, listed = self.call("GET", f"/tasks?case_id={case_id}&name={name}")
        assert status == 200, listed
        mine = [t for t in listed["items"] if t["candidate_group"] in (self.organisation, "samordningsansvarig")]
        assert mine or listed["items"], (name, listed)
        status, text, task = self.call("GET", f"/tasks/{(mine or listed['items'])[0]['id']}")
        assert status == 200, task
        return task, text

    def complete(self, task: dict, **typed) -> None:
        """Complete the form as the page sends it: the data it opened with (the form's own fields), and what the
        person typed."""
        fields = (task["form"]["schema"] or {}).get("properties") or {}
        data = {name: value for name, value in task["data"].items() if name in fields and value is not None}
        data.update(typed)
        status, _, answer = self.call("POST", f"/tasks/{task['id']}/complete", {"data": data})
        assert status == 200, (task["name"], answer)


def choices(prop: dict) -> list:
    items = prop.get("items") or {}
    return items.get("enum") or [each["const"] for each in items.get("oneOf") or items.get("anyOf") or []]


@pytest.fixture
def server(migrated, kristianstad):
    with gunicorn(migrated) as base:
        yield base


@pytest.fixture
def staff(app, server):
    return {who: Client(server, user_token(who, org), org[0]) for who, org in
            (("eva", KOMMUN_ORG), ("vera", VARDCENTRAL_ORG), ("omar", PSYKIATRI_ORG))}


def test_what_the_case_knows_fills_each_form_and_the_instructions_name_it(staff):
    eva, vera, omar = staff["eva"], staff["vera"], staff["omar"]
    status, _, case = eva.call("POST", "/cases", {"region": "kristianstad", "person": PERSON})
    assert status == 201, case
    case_id = case["id"]
    born, age = date(1912, 12, 12), age_today(date(1912, 12, 12))

    # The assessment opens with the person's name and age, read from the start; the number itself is nowhere.
    task, text = eva.open_task(case_id, "bedom_behov_av_sip")
    assert task["data"]["huvudperson"] == {"namn": PERSON["name"], "alder": age}
    assert PERSON["name"] in task["instructions"]
    assert "1212-1212" not in text and "121212" not in text and born.isoformat() not in text
    eva.complete(task, initierad_av="kommun", samordningsansvarig=KOMMUN, sip_behovs=True)

    task, _ = eva.open_task(case_id, "inhamta_samtycke")
    consent = {"samtycke": "givet", "samtycke_datum": date.today().isoformat(), "samtycke_informationsutbyte": True}
    if "samtycke_huvudman" in task["form"]["schema"]["properties"]:
        consent["samtycke_huvudman"] = choices(task["form"]["schema"]["properties"]["samtycke_huvudman"])
    eva.complete(task, **consent)

    planned = date.today() + timedelta(days=14)
    task, _ = eva.open_task(case_id, "forbered_sip")
    eva.complete(task, deltagare=[KOMMUN, VARDCENTRAL, PSYKIATRI], motesdatum_planerat=planned.isoformat(),
                 motestid="10:00", motesplats="Näsby vårdcentral")

    # The summons names the meeting's date, time and place, and opens with whom it was sent to as who comes.
    task, _ = vera.open_task(case_id, "kvittera_kallelse")
    assert task["data"]["namn"] == VARDCENTRAL["namn"]
    for fact in (PERSON["name"], in_words(planned), "klockan 10:00", "Näsby vårdcentral", KOMMUN["namn"],
                 VARDCENTRAL["organisation"]):
        assert fact in task["instructions"], (fact, task["instructions"])
    vera.complete(task, kommer=True)
    task, _ = eva.open_task(case_id, "kvittera_kallelse")
    assert task["data"]["namn"] == KOMMUN["namn"]
    eva.complete(task, kommer=True)
    task, _ = omar.open_task(case_id, "kvittera_kallelse")
    omar.complete(task, kommer=False, ersattare="")

    # The deviation names who stays away.
    task, _ = eva.open_task(case_id, "registrera_avvikelse")
    assert f"**{PSYKIATRI['organisation']}** är kallad till SIP-mötet" in task["instructions"]
    assert in_words(planned) in task["instructions"]
    eva.complete(task, beskrivning="Psykiatrin kom inte och skickade ingen ersättare.")

    # The officials' pre-meeting opens with the person's age for the mobile care team's criteria.
    task, _ = eva.open_task(case_id, "genomfor_tjanstemannamote")
    assert task["data"]["alder"] == age
    eva.complete(task, ordforande={"namn": KOMMUN["namn"], "organisation": KOMMUN["organisation"]},
                 samordning_flyttas=False, kroniska_diagnoser=1, inlaggningar_12_man=0, staende_lakemedel=2,
                 klarar_personlig_omvardnad=True, hemsjukvard=False)

    # The meeting opens with the date it was planned for; held earlier, the date is corrected in the form.
    task, _ = eva.open_task(case_id, "genomfor_sip_mote")
    assert task["data"]["motesdatum"] == planned.isoformat()
    assert in_words(planned) in task["instructions"] and "Näsby vårdcentral" in task["instructions"]
    held = date.today() - timedelta(days=10)
    eva.complete(task, motesdatum=held.isoformat(), huvudmal="Tolvan bor kvar hemma",
                 overgripande_ansvar=KOMMUN["organisation"],
                 uppfoljningsdatum=(date.today() + timedelta(days=180)).isoformat(), den_enskilde_informerad=True)

    for client in (eva, vera):
        task, _ = client.open_task(case_id, "dokumentera_ataganden")
        client.complete(task, ingen_insats=True, ingen_insats_motivering="Inga insatser behövs från oss")

    # Three working days after the meeting (passed already) the reminder fires, as the worker sweeps: it names
    # who is late.
    from engine.services import cases

    cases.fire_due_timers()
    task, _ = eva.open_task(case_id, "folj_upp_forsenad_dokumentation")
    assert f"**{PSYKIATRI['organisation']}** har ännu inte dokumenterat" in task["instructions"]
    assert KOMMUN["organisation"] not in task["instructions"] and in_words(held) in task["instructions"]
    task, _ = omar.open_task(case_id, "dokumentera_ataganden")
    omar.complete(task, ingen_insats=True, ingen_insats_motivering="Inga insatser behövs från oss")

    # Approving asks for no name: the engine records who approved; the history and the printed plan show them.
    for client in (eva, vera, omar):
        task, _ = client.open_task(case_id, "godkann_plan")
        assert set(task["form"]["schema"]["properties"]) == {"godkand"}
        client.complete(task, godkand=True)
    status, _, found = eva.call("GET", f"/cases/{case_id}")
    approvals = [e for e in found["history"] if e["task_name"] == "godkann_plan"]
    assert sorted(e["actor"] for e in approvals) == ["eva", "omar", "vera"]
    assert sorted((e["detail"]["by"]["name"], e["detail"]["by"]["organisation"]) for e in approvals) == [
        ("Eva", KOMMUN["organisation"]), ("Omar", PSYKIATRI["organisation"]), ("Vera", VARDCENTRAL["organisation"])]
    status, _, plan = eva.call("GET", f"/cases/{case_id}/plan")
    assert status == 200, plan
    assert {(p["organisation"], p["approved_by"]) for p in plan["participants"]} == {
        (KOMMUN["organisation"], "Eva"), (VARDCENTRAL["organisation"], "Vera"), (PSYKIATRI["organisation"], "Omar")}
    request = urllib.request.Request(f"{eva.base}/api/v1/cases/{case_id}/plan", headers={
        "Authorization": f"Bearer {eva.token}", "Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        printed = response.read().decode()
    assert "<th>Godkänt av</th>" in printed
    assert f"<td>{PSYKIATRI['organisation']}</td><td class=\"phone\"></td><td>Omar</td>" in printed


@pytest.fixture
def stockholm_staff(app, migrated, stockholm):
    from tests.regions.walks import BUP, SKOLA_STHLM, SOCIALTJANST_BARN

    with gunicorn(migrated) as base:
        yield {who: (Client(base, user_token(who, (party["organisation"], party["huvudmannatyp"], "stockholm")),
                            party["organisation"]), party)
               for who, party in (("ali", SOCIALTJANST_BARN), ("nora", BUP), ("lena", SKOLA_STHLM))}


def test_stockholm_the_summons_names_the_question_and_the_meeting_opens_on_its_planned_date(stockholm_staff):
    from tests.regions.walks import GUARDIANS

    (ali, ali_party), (nora, nora_party), (lena, lena_party) = (stockholm_staff[who] for who in ("ali", "nora",
                                                                                                  "lena"))
    status, _, case = ali.call("POST", "/cases", {"region": "stockholm", "person": {
        "personal_number": "20090315-4565", "name": "Maja Lind"}})
    assert status == 201, case
    case_id = case["id"]
    task, _ = ali.open_task(case_id, "bedom_behov_av_sip")
    assert task["data"]["huvudperson"] == {"namn": "Maja Lind", "alder": age_today(date(2009, 3, 15))}
    ali.complete(task, initierad_av="kommun", samordningsansvarig=ali_party, sip_behovs=True)

    planned = date.today() + timedelta(days=21)
    question = "Hur kan Maja komma tillbaka till skolan?"
    task, _ = ali.open_task(case_id, "formote_med_familjen")
    ali.complete(task, installning="positiv", vardnadshavare=GUARDIANS, samtycke_skriftligt=True,
                 samtycke_datum=date.today().isoformat(), barnets_delaktighet="Maja är med hela mötet",
                 fragestallning=question, deltagare=[ali_party, nora_party, lena_party],
                 motesdatum_planerat=planned.isoformat(), motestid="15:00", moteslangd="90 minuter",
                 motesplats="Eriksdalsskolan", motesform="fysiskt", information_lamnad=["information_om_sip"],
                 formote_verksamheter_behovs=False)

    # Each service's summons names the question, the meeting and the child; who comes is whom it named.
    for client, party in ((nora, nora_party), (lena, lena_party), (ali, ali_party)):
        task, _ = client.open_task(case_id, "kvittera_kallelse")
        assert task["data"]["namn"] == party["namn"]
        for fact in (question, in_words(planned), "klockan 15:00", "Eriksdalsskolan", "Maja Lind"):
            assert fact in task["instructions"], (fact, task["instructions"])
        client.complete(task, kommer=True)

    # The meeting's first part opens with the date it was planned for, named in its instructions too.
    task, _ = ali.open_task(case_id, "mote_inledning")
    assert task["data"]["motesdatum"] == planned.isoformat()
    assert "Del 1 av 5" in task["instructions"] and in_words(planned) in task["instructions"]
    ali.complete(task, ordforande={"namn": ali_party["namn"], "organisation": ali_party["organisation"]},
                 sekreterare={"namn": lena_party["namn"], "organisation": lena_party["organisation"]},
                 huvudpersonen_deltar="hela_motet", den_enskilde_informerad=True)
    task, _ = ali.open_task(case_id, "mote_aktuell_situation")
    assert question in task["instructions"]
