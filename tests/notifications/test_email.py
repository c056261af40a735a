"""E-mails through a real SMTP server: each event's mail arrives once at each user who wants it, in Swedish,
with a link to the work in the web app and nothing about the person; a summons carries the meeting's invitation,
which a cancellation of the meeting cancels in a calendar client's terms."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.notifications import kinds
from engine.notifications.sender import sweep
from engine.services import cases
from engine.store import Notification, NotificationEvent, NotificationPreference
from tests.notifications.conftest import PERSON_NAME, PERSONAL_NUMBER, assert_nothing_personal
from tests.routine.walk import DELTAGARE, KOMMUN, VARDCENTRAL, CaseWalk


def started() -> CaseWalk:
    case = cases.start_case("base", {"huvudperson": {"namn": PERSON_NAME}}, person_name=PERSON_NAME,
                            personal_number=PERSONAL_NUMBER.replace("-", ""))
    return CaseWalk(case.id)


def summoned(place: str = "Hemma hos Anna") -> CaseWalk:
    walk = started().initiate().consent()
    walk.do("forbered_sip", {"deltagare": DELTAGARE, "motesdatum_planerat": "2026-12-10", "motestid": "13:30",
                             "motesplats": place, "tjanstemannamote_behovs": True})
    return walk


def body_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def invitation_of(message) -> icalendar.Calendar:
    parts = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "one invitation"
    return icalendar.Calendar.from_ical(parts[0].get_content())


def test_a_summons_reaches_each_summoned_organisations_staff_once_with_the_meeting_in_their_calendar(
        sending, staff, mailbox):
    walk = summoned(place="Näsby vårdcentral, rum 3")
    outcome = sweep()

    summons = {t.candidate_group: t for t in walk.tasks() if t.name == "kvittera_kallelse"}
    assert set(summons) == {KOMMUN["organisation"], VARDCENTRAL["organisation"]}
    for username, organisation in (("eva", KOMMUN), ("ola", KOMMUN), ("per", VARDCENTRAL)):
        mails = [m for m in mailbox.to(staff[username]) if "kallelse" in m["Subject"]]
        assert len(mails) == 1, f"{username} got {len(mails)} summons"
        mail = mails[0]
        assert mail["Subject"] == "Du har en ny uppgift i en SIP: en kallelse till SIP-möte"
        text = body_of(mail)
        assert f"https://sip.example.se/uppgifter/{summons[organisation['organisation']].id}" in text
        assert "Mötet: 10 december 2026 klockan 13:30, plats: Näsby vårdcentral, rum 3." in text
        calendar = invitation_of(mail)
        assert calendar["METHOD"] == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == f"sip-mote-{walk.case_id}@notiser.example.se"
        assert event["SEQUENCE"] == 0
        start = event.decoded("DTSTART")
        assert (start.isoformat(), str(start.tzinfo)) == ("2026-12-10T13:30:00+01:00", "Europe/Stockholm")
        assert str(event["LOCATION"]) == "Näsby vårdcentral, rum 3"
        assert str(event["ATTENDEE"]) == f"mailto:{staff[username]}"
    assert outcome.failed == 0 and outcome.retrying == 0

    again = sweep()
    assert again.sent == 0, "nothing is sent twice"
    ids = mailbox.message_ids()
    assert len(ids) == len(set(ids))


def test_no_mail_says_anything_about_the_person(sending, staff, mailbox):
    walk = summoned(place="Hemma hos Anna")
    cases.send_message(walk.case_id, "mote_installt", {"orsak": "Behovet finns inte längre"}, actor="test")
    sweep()
    assert len(mailbox.messages) >= 6
    for _, message in mailbox.messages:
        assert_nothing_personal(message.as_string())
        assert_nothing_personal(body_of(message))
        for part in message.iter_attachments():
            assert_nothing_personal(part.get_content())
    invitation = invitation_of(mailbox.to(staff["per"])[0])
    assert str(invitation.walk("VEVENT")[0]["LOCATION"]) == "Platsen står i kallelsen i SIP"
    stored = db.session.scalars(sa.select(NotificationEvent.detail)).all()
    assert_nothing_personal(repr(stored))


def test_a_cancelled_meeting_is_removed_from_the_calendar_it_was_put_in(sending, staff, mailbox):
    walk = summoned(place="Näsby vårdcentral")
    sweep()
    request = invitation_of(next(m for m in mailbox.to(staff["per"]) if "kallelse" in m["Subject"]))

    cases.send_message(walk.case_id, "mote_installt", {"orsak": "Behovet finns inte längre"}, actor="test")
    sweep()

    cancels = [m for m in mailbox.to(staff["per"]) if m["Subject"] == "Ett SIP-möte du är kallad till är inställt"]
    assert len(cancels) == 1
    assert f"https://sip.example.se/arenden/{walk.case_id}" in body_of(cancels[0])
    cancel = invitation_of(cancels[0])
    assert cancel["METHOD"] == "CANCEL"
    before, after = request.walk("VEVENT")[0], cancel.walk("VEVENT")[0]
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert str(after["STATUS"]) == "CANCELLED"
    assert after.decoded("DTSTART") == before.decoded("DTSTART")

    walk.do("dokumentera_installt_mote", {"installt_orsak": "Behovet finns inte längre",
                                          "parterna_informerade": True, "den_enskilde_informerad": True})
    sweep()
    acknowledge = walk.task("kvittera_installt_mote", VARDCENTRAL["organisation"])
    told = [m for m in mailbox.to(staff["per"]) if m["Subject"] == "Du har en ny uppgift i en SIP"]
    assert [f"https://sip.example.se/uppgifter/{acknowledge.id}" in body_of(m) for m in told] == [True]


def test_withdrawn_consent_and_the_closed_case_are_told_to_every_organisation_that_has_the_case(
        sending, staff, mailbox):
    walk = summoned(place="Näsby vårdcentral").acknowledge_all()
    sweep()
    cases.send_message(walk.case_id, "samtycke_aterkallat", {}, actor="test")
    sweep()
    for address in staff.values():
        withdrawn = [m for m in mailbox.to(address) if m["Subject"] == "Samtycket till en SIP har återkallats"]
        assert len(withdrawn) == 1, address
        assert f"https://sip.example.se/arenden/{walk.case_id}" in body_of(withdrawn[0])

    walk.close()
    sweep()
    assert walk.case.status != "active"
    for address in staff.values():
        closed = [m for m in mailbox.to(address) if m["Subject"] == "En SIP du deltar i är avslutad"]
        assert len(closed) == 1, address


def test_each_user_is_told_as_they_chose(sending, staff, mailbox):
    ids = {u.username: u.id for u in db.session.scalars(sa.select(__import__("engine").store.User))}
    db.session.add_all([
        NotificationPreference(user_id=ids["ola"], event_kind=kinds.SUMMONS, choice=kinds.NEVER),
        NotificationPreference(user_id=ids["per"], event_kind=kinds.SUMMONS, choice=kinds.DAILY),
        NotificationPreference(user_id=ids["per"], event_kind=kinds.TASK_CREATED, choice=kinds.DAILY)])
    db.session.commit()
    walk = summoned(place="Näsby vårdcentral")
    sweep()
    assert len(mailbox.to(staff["eva"])) >= 1
    assert not [m for m in mailbox.to(staff["ola"]) if "kallelse" in m["Subject"]], "ola chose never for summons"
    assert mailbox.to(staff["per"]) == [], "per waits for the digest"

    sweep(digest_now=True)
    digests = mailbox.to(staff["per"])
    assert len(digests) == 1
    text = body_of(digests[0])
    assert digests[0]["Subject"].startswith("Dagens sammanfattning från SIP")
    task = next(t for t in walk.tasks() if t.name == "kvittera_kallelse" and t.candidate_group ==
                VARDCENTRAL["organisation"])
    assert f"- Kallelse till SIP-möte: https://sip.example.se/uppgifter/{task.id}" in text
    assert_nothing_personal(digests[0].as_string())
    sweep(digest_now=True)
    assert len(mailbox.to(staff["per"])) == 1, "the digest carried them once"


def test_what_comes_after_the_digest_hour_waits_for_the_next_days_digest(sending, staff, mailbox):
    """The digest hour is Swedish time (07:00) while rows are stored in UTC: at 07:10 Swedish time (06:10 UTC) a
    new summons is not "before 07:00" and is not sent at once as a digest; it goes in the next morning's."""
    ids = {u.username: u.id for u in db.session.scalars(sa.select(__import__("engine").store.User))}
    db.session.add(NotificationPreference(user_id=ids["per"], event_kind=kinds.SUMMONS, choice=kinds.DAILY))
    db.session.add(NotificationPreference(user_id=ids["per"], event_kind=kinds.TASK_CREATED, choice=kinds.DAILY))
    db.session.commit()
    for moment in (datetime(2026, 12, 7, 6, 10, tzinfo=UTC), datetime(2026, 12, 7, 22, 50, tzinfo=UTC)):
        with time_machine.travel(moment, tick=False):
            summoned(place="Näsby vårdcentral")
            sweep()
        assert mailbox.to(staff["per"]) == [], moment
    with time_machine.travel(datetime(2026, 12, 8, 6, 5, tzinfo=UTC), tick=False):
        sweep()
    [digest] = mailbox.to(staff["per"])
    assert digest["Subject"].startswith("Dagens sammanfattning från SIP")


def test_a_mail_server_that_is_down_is_tried_again_later_and_the_mail_arrives_once(app, staff, mailbox):
    app.config.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "1", "SMTP_FROM": "sip@notiser.example.se"})
    summoned(place="Näsby vårdcentral")
    outcome = sweep()
    assert outcome.sent == 0 and outcome.retrying > 0
    waiting = db.session.scalars(sa.select(Notification).where(Notification.channel == "email")).all()
    assert {row.status for row in waiting} == {"pending"}
    assert all(row.last_error and row.attempts == 1 for row in waiting)

    app.config["SMTP_PORT"] = str(mailbox.port)
    db.session.execute(sa.update(Notification).values(next_attempt_at=sa.func.now()))  # the backoff has passed
    db.session.commit()
    outcome = sweep()
    assert outcome.sent == len(waiting)
    keys = mailbox.message_ids()
    assert len(keys) == len(set(keys)) == len(waiting)
