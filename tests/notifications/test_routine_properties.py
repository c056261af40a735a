"""What makes a summons, a moved and a cancelled meeting is the diagram's `notification` property, not a name in
the code: a region that renames the summons task and the meeting's variables, deployed over the API, still sends
the invitation through the real sender to a real SMTP server, and moves and cancels it; a property the product
cannot read is refused at deploy, naming the element, in Swedish and English."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from engine.database import db
from engine.identity import ensure_organisation, ensure_user, issue_token
from engine.notifications.sender import sweep
from engine.services import cases
from tests.notifications.conftest import PERSON_NAME, PERSONAL_NUMBER, assert_nothing_personal
from tests.notifications.test_email import body_of, invitation_of
from tests.notifications.test_outbox import MEETING_FORM, MOVABLE_MEETING
from tests.routine.walk import DELTAGARE, VARDCENTRAL, CaseWalk

ROOT = Path(__file__).resolve().parents[2]
REGION = "vastra_gotaland"
RENAMED = {"motesdatum_planerat": "mote_dag", "motestid": "mote_klockslag", "motesplats": "mote_lokal"}


def renamed_variant() -> dict[str, str]:
    """The base's summons diagram and planning form with the summons task called `bekrafta_inbjudan` and the
    meeting held in `mote_dag`, `mote_klockslag` and `mote_lokal`."""
    bpmn = (ROOT / "processes/bpmn/kallelse_och_forberedelse.bpmn").read_text(encoding="utf-8")
    assert 'value="kallelse datum=motesdatum_planerat tid=motestid plats=motesplats"' in bpmn
    bpmn = re.sub(r"\bkvittera_kallelse\b(?!\.)", "bekrafta_inbjudan", bpmn)
    files = {"kallelse_och_forberedelse.bpmn": bpmn,
             "forbered_sip.schema.json": (ROOT / "forms/forbered_sip.schema.json").read_text(encoding="utf-8"),
             "forbered_sip.uischema.json": (ROOT / "forms/forbered_sip.uischema.json").read_text(encoding="utf-8")}
    for name, text in files.items():
        for old, new in RENAMED.items():
            assert old in text, f"{old} is not in {name}"
            text = text.replace(old, new)
        files[name] = text
    return files


def upload(app, files: dict[str, str]):
    """POST /api/v1/deployments as the region's process owner; the summoned organisations are the region's."""
    for participant in DELTAGARE:
        ensure_organisation(participant["organisation"], participant["huvudmannatyp"], REGION)
    org = ensure_organisation("Västra Götalandsregionen", "primarvard", REGION)
    ensure_user("agare_vg", "Ägare", org, ["staff", "process_owner"])
    token = issue_token("agare_vg")
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    data = {"region": REGION, "files": [(io.BytesIO(text.encode()), name) for name, text in files.items()]}
    return client.post("/api/v1/deployments", data=data, content_type="multipart/form-data")


def test_a_region_that_renames_the_summons_and_the_meeting_still_sends_moves_and_cancels_the_invitation(
        sending, staff, mailbox):
    deployed = upload(sending, renamed_variant())
    assert deployed.status_code == 201, deployed.json

    case = cases.start_case(REGION, {"huvudperson": {"namn": PERSON_NAME}}, person_name=PERSON_NAME,
                            personal_number=PERSONAL_NUMBER.replace("-", ""))
    walk = CaseWalk(case.id).initiate().consent()
    walk.do("forbered_sip", {"deltagare": DELTAGARE, "mote_dag": "2026-12-10", "mote_klockslag": "13:30",
                             "mote_lokal": "Näsby vårdcentral, rum 3", "tjanstemannamote_behovs": True})
    assert {t.name for t in walk.tasks()} >= {"bekrafta_inbjudan"}
    assert "motesdatum_planerat" not in walk.case.data
    sweep()

    summons = [m for m in mailbox.to(staff["per"]) if "kallelse" in m["Subject"]]
    assert len(summons) == 1, [m["Subject"] for m in mailbox.to(staff["per"])]
    assert "Mötet: 10 december 2026 klockan 13:30, plats: Näsby vårdcentral, rum 3." in body_of(summons[0])
    invitation = invitation_of(summons[0])
    event = invitation.walk("VEVENT")[0]
    assert invitation["METHOD"] == "REQUEST"
    assert event.decoded("DTSTART").isoformat() == "2026-12-10T13:30:00+01:00"
    assert str(event["LOCATION"]) == "Näsby vårdcentral, rum 3"
    task = next(t for t in walk.tasks() if t.candidate_group == VARDCENTRAL["organisation"])
    assert f"https://sip.example.se/uppgifter/{task.id}" in body_of(summons[0])

    # Each summoned organisation acknowledges; then the coordinator cancels the meeting: the invitation goes.
    walk.each("bekrafta_inbjudan", lambda group: {"kommer": True, "namn": "Företrädare", "kartlaggning": "Nuläge"})
    cases.send_message(walk.case_id, "mote_installt", {"orsak": "Behovet finns inte längre"}, actor="test")
    sweep()
    cancelled = [m for m in mailbox.to(staff["per"]) if m is not summons[0]]
    cancellations = [invitation_of(m) for m in cancelled
                     if any(p.get_content_type() == "text/calendar" for p in m.iter_attachments())]
    assert [c["METHOD"] for c in cancellations] == ["CANCEL"]
    assert str(cancellations[0].walk("VEVENT")[0]["UID"]) == str(event["UID"])
    for _, message in mailbox.messages:
        assert_nothing_personal(message.as_string())


def test_a_meeting_moved_in_the_renamed_variables_moves_in_the_calendar(sending, staff, mailbox):
    from engine.services.process_sets import deploy

    diagram = re.sub(r"\bkvittera_kallelse\b", "bekrafta_inbjudan", MOVABLE_MEETING)
    form = json.dumps(MEETING_FORM)
    for old, new in RENAMED.items():
        diagram, form = diagram.replace(old, new), form.replace(old, new)
    assert "motes" not in diagram + form
    deploy({"bpmn/sip.bpmn": diagram, "forms/mote.schema.json": form}, region="flytt")
    case = cases.start_case("flytt", {})
    plan = next(t for t in cases.open_tasks(case.id) if t.name == "planera")
    cases.complete_task(plan.id, {"mote_dag": "2026-12-10", "mote_klockslag": "10:00", "mote_lokal": "Rum 1"})
    cases.complete_task(next(t for t in cases.open_tasks(case.id) if t.name == "bekrafta_inbjudan").id, {})
    move = next(t for t in cases.open_tasks(case.id) if t.name == "flytta_mote")
    cases.complete_task(move.id, {"mote_dag": "2026-12-11", "mote_klockslag": "14:15", "mote_lokal": "Rum 2"})
    sweep()

    mails = mailbox.to(staff["per"])
    assert [m["Subject"] for m in mails] == ["Du har en ny uppgift i en SIP: en kallelse till SIP-möte",
                                             "Ett SIP-möte du är kallad till har ändrats"]
    first, moved = (invitation_of(m).walk("VEVENT")[0] for m in mails)
    assert str(moved["UID"]) == str(first["UID"]) and moved["SEQUENCE"] == first["SEQUENCE"] + 1
    assert moved.decoded("DTSTART").isoformat() == "2026-12-11T14:15:00+01:00"
    assert str(moved["LOCATION"]) == "Rum 2"


def test_a_notification_property_the_product_cannot_read_is_refused_naming_the_element(sending):
    files = renamed_variant()
    bpmn = files["kallelse_och_forberedelse.bpmn"]
    for value, sv, en in (
            ("inbjudan datum=mote_dag tid=mote_klockslag plats=mote_lokal",
             "okänt slag av avisering 'inbjudan'", "unknown kind of notification 'inbjudan'"),
            ("kallelse datum=mote_dag tid=mote_klockslag",
             "kallelse behöver variablerna för mötets plats (plats=…)",
             "kallelse needs the variables for the meeting's place (plats=…)"),
            ("kallelse datum=mote_dag tid=mote_klockslag plats=motesplats",
             "variabeln 'motesplats' för mötets plats (plats=) sätts inte av något formulär eller skript",
             "the variable 'motesplats' for the meeting's place (plats=) is set by no form or script")):
        broken = bpmn.replace('value="kallelse datum=mote_dag tid=mote_klockslag plats=mote_lokal"', f'value="{value}"')
        assert broken != bpmn
        refused = upload(sending, {**files, "kallelse_och_forberedelse.bpmn": broken})
        assert refused.status_code == 422, refused.json
        problems = [p for p in json.dumps(refused.json, ensure_ascii=False).split("},") if "notifications" in p]
        assert len(problems) == 1, refused.json
        assert "bekrafta_inbjudan ('Kvittera kallelse')" in problems[0]
        assert sv in problems[0] and en in problems[0]
