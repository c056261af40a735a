"""The person's own view over HTTP (Flask's test client on the real database, the real routine): the coordinator
makes a one-time link, the person opens it once and reads their case only, withdraws consent through the routine's
own message, and answers Stockholm's SIP-kollen; a guardian of a child through a link made for them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.privacy import number_hash
from engine.services import cases
from engine.store import AuditEvent, CaseEvent
from engine.store.person_access import PersonLink, PersonSession
from tests.api.conftest import PERSON, signed_in, user_token
from tests.regions.conftest import REGIONS_DIR, deploy_region
from tests.regions.walks import StockholmWalk
from tests.routine.walk import CaseWalk

NUMBER = "191212121212"
OTHER_REGION_ORG = ("Region Skåne, vårdcentral Näsby", "primarvard", "kristianstad")


def text_of(response) -> str:
    """The page as a person reads it: tags dropped, entities and spaces folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))).strip()


def csrf_of(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.fixture
def consented(client, start):
    """A Kristianstad case of PERSON started by eva (the coordinator's organisation), consent given."""
    case = start("kristianstad")
    CaseWalk(case["id"]).initiate().consent()
    return case["id"]


def make_link(client, case_id: str, **body) -> str:
    answer = client.post(f"/api/v1/cases/{case_id}/person-links", json=body)
    assert answer.status_code == 201, answer.json
    expires = datetime.fromisoformat(answer.json["expires_at"])
    assert expires.utcoffset() == timedelta(0) and expires - datetime.now(UTC) > timedelta(hours=71)
    return urlsplit(answer.json["url"]).path


def open_link(app, path: str):
    """A browser of its own opens the link and presses "Öppna planen"; (its client, the page it lands on)."""
    person = app.test_client()
    page = person.get(path)
    assert page.status_code == 200 and "Öppna planen" in text_of(page)
    opened = person.post(path)
    assert opened.status_code == 303, text_of(opened)
    return person, person.get(opened.headers["Location"])


def test_a_link_opens_the_persons_plan_once_and_each_read_is_audited_as_theirs(app, client, consented):
    path = make_link(client, consented)
    assert re.fullmatch(r"/min-plan/lank/[\w-]{40,}", path)
    assert db.session.scalar(sa.select(PersonLink.id)) != path.rsplit("/", 1)[1], "only the token's hash is stored"
    person, page = open_link(app, path)
    assert page.status_code == 200
    words = text_of(page)
    assert "Min plan" in words and "Planen pågår." in words
    assert "Eva Ek" in words, "who coordinates"
    assert "Du har sagt ja till planen 27 november 2026" in words
    reads = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == consented,
                                                           AuditEvent.action == "read_case")).all()
    assert [(r.user, r.outcome, r.subject_hash, r.detail["via"]) for r in reads][-1] == (
        "Huvudpersonen (Min plan)", "ok", number_hash(NUMBER), "link")

    plan = person.get(f"/min-plan/{consented}/plan")
    assert plan.status_code == 200 and "Det här vill du" in text_of(plan)
    assert "Tillbaka till Min plan" in text_of(plan) and "Hela planen" not in text_of(plan)
    db.session.expire_all()
    assert db.session.scalars(sa.select(AuditEvent.user).where(
        AuditEvent.case_id == consented, AuditEvent.action == "read_plan")).all() == ["Huvudpersonen (Min plan)"]

    back = person.get(path)
    assert back.status_code == 303 and back.headers["Location"].endswith(f"/min-plan/{consented}"), \
        "the browser that used it goes back to its plan"
    again = app.test_client().get(path)
    assert again.status_code == 410
    assert "Länken är redan använd" in text_of(again)
    assert "Be den som samordnar din plan om en ny länk" in text_of(again)
    assert app.test_client().post(path).status_code == 410, "a used link opens no session"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonSession)) == 1


def test_an_expired_link_is_refused_in_swedish(app, client, consented):
    path = make_link(client, consented)
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=73)):
        page = app.test_client().get(path)
        assert page.status_code == 410
        assert "Länken gäller inte längre" in text_of(page)
        assert app.test_client().post(path).status_code == 410
    unknown = app.test_client().get("/min-plan/lank/" + "x" * 43)
    assert unknown.status_code == 404 and "Länken fungerar inte" in text_of(unknown)


def test_the_persons_session_reaches_their_own_case_only_and_no_staff_page(app, client, consented, start):
    other = start("kristianstad")["id"]
    person, _ = open_link(app, make_link(client, consented))
    for path in (f"/min-plan/{other}", f"/min-plan/{other}/plan", f"/min-plan/{other}/samtycke",
                 "/min-plan/00000000-0000-0000-0000-000000000000"):
        answer = person.get(path)
        assert answer.status_code == 404, path
        assert "Det finns ingen sådan sida eller plan för dig" in text_of(answer)
    refused = person.post(f"/min-plan/{other}/samtycke", data={"csrf_token": "x"})
    assert refused.status_code in (403, 404)
    assert db.session.scalar(sa.select(AuditEvent.outcome).where(
        AuditEvent.case_id == other, AuditEvent.user == "Huvudpersonen (Min plan)")) == "not_found"
    for path in (f"/api/v1/cases/{consented}", f"/api/v1/cases/{consented}/plan/easy-read", "/api/v1/tasks"):
        assert person.get(path).status_code == 401, path
    assert person.get("/uppgifter").status_code == 302, "the staff web app sends them to staff's sign-in"
    assert app.test_client().get(f"/min-plan/{consented}").status_code == 303, "no session, no plan"


def test_only_the_coordinator_makes_a_link_and_a_guardian_link_names_a_recorded_guardian(app, client, consented):
    other_org = signed_in(app, user_token("per", OTHER_REGION_ORG))
    assert other_org.post(f"/api/v1/cases/{consented}/person-links", json={}).status_code in (403, 404)
    refused = client.post(f"/api/v1/cases/{consented}/person-links", json={"role": "guardian",
                                                                            "guardian_name": "Okänd"})
    assert refused.status_code == 422
    assert refused.json["errors"] == [{"field": "role", "message": "ärendet har inga vårdnadshavare registrerade"}]
    bad = client.post(f"/api/v1/cases/{consented}/person-links", json={"role": "granne"})
    assert bad.status_code == 400 and bad.json["errors"][0]["field"] == "role"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonLink)) == 0


def test_withdrawing_consent_closes_the_case_through_the_routine(app, client, consented):
    person, page = open_link(app, make_link(client, consented))
    consent = person.get(f"/min-plan/{consented}/samtycke")
    words = text_of(consent)
    assert "Att de som är med i planen får berätta för varandra om dig" in words
    assert "Vårdcentralen" in words and "Planen avslutas." in words, "it says what happens"
    assert person.post(f"/min-plan/{consented}/samtycke", data={"csrf_token": "fel"}).status_code == 403
    assert cases.get_case(consented).data.get("avslutsorsak") == ""
    done = person.post(f"/min-plan/{consented}/samtycke", data={"csrf_token": csrf_of(consent)})
    assert done.status_code == 303
    assert "Du har tagit tillbaka samtycket" in text_of(person.get(done.headers["Location"]))
    db.session.expire_all()
    walk = CaseWalk(consented)
    assert walk.case.data["avslutsorsak"] == "samtycke_aterkallat"
    assert walk.names() == ["dokumentera_avslut"], "the routine's own closure: the coordinator documents it"
    event = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == consented,
                                                         CaseEvent.kind == "message")).one()
    assert (event.actor, event.detail["message"]) == ("Huvudpersonen (Min plan)", "samtycke_aterkallat")
    second = person.post(f"/min-plan/{consented}/samtycke", data={"csrf_token": csrf_of(consent)})
    assert second.status_code == 409 and "Planen väntar inte på det" in text_of(second)
    walk.close()
    assert (walk.case.status, walk.case.closure_reason) == ("closed", "samtycke_aterkallat")
    assert "Du har tagit tillbaka ditt samtycke. Därför är planen avslutad." in text_of(
        person.get(f"/min-plan/{consented}"))
    staff = client.get(f"/api/v1/cases/{consented}").json
    assert (staff["status"], staff["closure_reason"]) == ("closed", "samtycke_aterkallat")


def test_the_person_reads_no_tasks_history_or_deviations(app, client, consented):
    user_token("per", OTHER_REGION_ORG)  # the vårdcentral summoned is one the region's registry knows
    CaseWalk(consented).prepare().acknowledge_all()
    person, page = open_link(app, make_link(client, consented))
    words = text_of(page)
    assert "Nästa möte är 10 december 2026 klockan 10:00, Näsby vårdcentral" in words
    for internal in ("Kvittera", "kallelse", "Historik", "avvikelse", "Tjänstemannamöte", "Uppgift", "eva"):
        assert internal not in words, internal


@pytest.fixture
def stockholm_case(app):
    """A Stockholm case of a child, past the meeting: SIP-kollen is offered."""
    deploy_region(app, "stockholm")
    case = cases.start_case("stockholm", {"huvudperson": {"namn": "Maja Lind"}}, person_name="Maja Lind",
                            personal_number=NUMBER)
    walk = StockholmWalk(case.id).initiate().family_premeeting()
    walk.acknowledge_all().meeting()
    return walk


def test_sip_kollen_answers_reach_the_case_once_per_person_and_guardian(app, stockholm_case):
    from engine.person.links import make_link as made

    walk = stockholm_case
    link = made(walk.case_id, None, "guardian", "Sofia Lind")
    guardian, page = open_link(app, f"/min-plan/lank/{link.token}")
    words = text_of(page)
    assert "Planen för Maja Lind" in words and "Du ser planen för att du är vårdnadshavare." in words
    assert "Svara på SIP-kollen" in words
    form = guardian.get(f"/min-plan/{walk.case_id}/sip-kollen")
    missing = guardian.post(f"/min-plan/{walk.case_id}/sip-kollen",
                            data={"csrf_token": csrf_of(form), "lyssnad_pa": "ja"})
    assert missing.status_code == 422
    assert "Några frågor saknar svar" in text_of(missing) and "Välj ja, delvis eller nej." in text_of(missing)
    assert 'value="ja" required checked' in missing.get_data(as_text=True), "what was answered stays"
    answers = {"lyssnad_pa": "ja", "fick_saga_sitt": "delvis", "forstod": "ja", "vet_vem_gor_vad": "nej",
               "vet_vem_ringa": "ja", "ovrigt": "Bra att skolan var med"}
    done = guardian.post(f"/min-plan/{walk.case_id}/sip-kollen", data={"csrf_token": csrf_of(form), **answers})
    assert done.status_code == 303
    assert "Tack för dina svar!" in text_of(guardian.get(done.headers["Location"]))
    db.session.expire_all()
    event = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == walk.case_id,
                                                         CaseEvent.kind == "sip_kollen")).one()
    assert event.actor == "Vårdnadshavare Sofia Lind (Min plan)"
    assert event.detail["answers"]["vet_vem_gor_vad"] == "nej"
    assert "Vet du nu vem som ska göra vad? Nej." in event.detail["summary"]
    assert "Övrigt: Bra att skolan var med" in event.detail["summary"]
    again = guardian.post(f"/min-plan/{walk.case_id}/sip-kollen", data={"csrf_token": csrf_of(form), **answers})
    assert again.status_code == 303 and "Du har redan svarat" in text_of(guardian.get(again.headers["Location"]))

    person, page = open_link(app, f"/min-plan/lank/{made(walk.case_id, None).token}")
    assert "Svara på SIP-kollen" in text_of(page), "the child answers for themself too"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == walk.case_id, CaseEvent.kind == "sip_kollen")) == 1


def test_sip_kollens_questions_are_stockholms_form_and_a_changed_question_shows_on_the_page(app):
    """The questions, their answers and the checks come from the form the routine names
    (`sip_kollen_personen.schema.json`): a new version of it with another question and answer shows them."""
    from engine.person.links import make_link as made

    form = (REGIONS_DIR / "stockholm" / "forms" / "sip_kollen_personen.schema.json").read_text(encoding="utf-8")
    old, new = "Lyssnade de andra på dig på mötet?", "Kände du att de andra lyssnade på dig?"
    assert old in form and '"title": "Delvis"' in form
    changed = form.replace(old, new).replace('"title": "Delvis"', '"title": "Lite grann"')
    deploy_region(app, "stockholm", {"forms/sip_kollen_personen.schema.json": changed})
    case = cases.start_case("stockholm", {"huvudperson": {"namn": "Maja Lind"}}, person_name="Maja Lind",
                            personal_number=NUMBER)
    walk = StockholmWalk(case.id).initiate().family_premeeting()
    walk.acknowledge_all().meeting()

    person, _ = open_link(app, f"/min-plan/lank/{made(walk.case_id, None).token}")
    page = person.get(f"/min-plan/{walk.case_id}/sip-kollen")
    words = text_of(page)
    assert new in words and old not in words
    assert "Lite grann" in words and "Delvis" not in words
    assert "Förstod du det vi pratade om?" in words, "the questions the new version kept"
    missing = person.post(f"/min-plan/{walk.case_id}/sip-kollen", data={"csrf_token": csrf_of(page)})
    assert missing.status_code == 422
    assert "Välj ja, lite grann eller nej." in text_of(missing)
    refused = person.post(f"/min-plan/{walk.case_id}/sip-kollen", data={
        "csrf_token": csrf_of(page), "lyssnad_pa": "kanske", "fick_saga_sitt": "ja", "forstod": "ja",
        "vet_vem_gor_vad": "ja", "vet_vem_ringa": "ja", "ovrigt": "x" * 2001})
    assert refused.status_code == 422, "an answer the form does not offer, a text over its maxLength"
    assert "Skriv högst 2000 tecken." in text_of(refused)
    answers = {"lyssnad_pa": "delvis", "fick_saga_sitt": "ja", "forstod": "ja", "vet_vem_gor_vad": "nej",
               "vet_vem_ringa": "ja", "ovrigt": ""}
    done = person.post(f"/min-plan/{walk.case_id}/sip-kollen", data={"csrf_token": csrf_of(page), **answers})
    assert done.status_code == 303
    db.session.expire_all()
    event = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == walk.case_id,
                                                         CaseEvent.kind == "sip_kollen")).one()
    assert f"{new} Lite grann." in event.detail["summary"]
    assert event.detail["answers"]["lyssnad_pa"] == "delvis"


def test_sip_kollen_is_not_offered_where_the_routine_has_no_such_step(app, client, consented):
    person, page = open_link(app, make_link(client, consented))
    assert "SIP-kollen" not in text_of(page)
    assert person.get(f"/min-plan/{consented}/sip-kollen").status_code == 404


def test_a_link_for_the_case_of_a_staff_start_shows_nothing_of_another_person(app, client, start, consented):
    """Two cases of the same number, one link: the link's session reaches only the case it was made for."""
    second = start("kristianstad")["id"]
    person, _ = open_link(app, make_link(client, consented))
    assert person.get("/min-plan").headers["Location"].endswith(f"/min-plan/{consented}")
    assert person.get(f"/min-plan/{second}").status_code == 404
    assert PERSON["personal_number"].replace("-", "") == NUMBER


def signed_in_by_number(app, number: str):
    """A browser signed in as e-legitimation signs in (engine.web.person_pages.oidc_callback): a session holding
    the number's keyed hash."""
    from engine.person import sessions as person_sessions

    with app.test_request_context("/min-plan/logga-in/svar"):
        token, _ = person_sessions.create("person", "oidc", subject_hash=number_hash(number))
    browser = app.test_client()
    browser.set_cookie(person_sessions.COOKIE, token, path="/min-plan")
    return browser


def test_signed_in_by_number_the_person_reaches_every_case_of_theirs_and_no_other(app, client, start, consented):
    second = start("kristianstad")["id"]
    other = cases.start_case("kristianstad", {}, person_name="Anna Annan", personal_number="194504082525")
    before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    person = signed_in_by_number(app, NUMBER)
    listing = person.get("/min-plan")
    assert listing.status_code == 200 and "Mina planer" in text_of(listing)
    hrefs = re.findall(r'href="/min-plan/([0-9a-f-]{36})"', listing.get_data(as_text=True))
    assert sorted(hrefs) == sorted([consented, second])
    assert person.get(f"/min-plan/{second}").status_code == 200
    assert person.get(f"/min-plan/{other.id}").status_code == 404
    db.session.expire_all()
    listed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "list_cases",
                                                           AuditEvent.user == "Huvudpersonen (Min plan)")).one()
    assert listed.subject_hash == number_hash(NUMBER) and listed.detail["cases"] == 2


def test_the_session_ends_when_idle_and_at_sign_out(app, client, consented):
    person, page = open_link(app, make_link(client, consented))
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=21)):
        ended = person.get(f"/min-plan/{consented}")
        assert ended.status_code == 303 and ended.headers["Location"].endswith("/min-plan/logga-in?fel=session")
        assert "Du har blivit utloggad" in text_of(person.get(ended.headers["Location"]))
    person, page = open_link(app, make_link(client, consented))
    assert person.post("/min-plan/logga-ut", data={"csrf_token": "fel"}).status_code == 403
    out = person.post("/min-plan/logga-ut", data={"csrf_token": csrf_of(page)})
    assert out.status_code == 200 and "Du är utloggad" in text_of(out)
    assert person.get(f"/min-plan/{consented}").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonSession)) == 0


def test_two_browsers_opening_one_link_at_once_get_one_session(app, gunicorn_server, consented):
    """Over real HTTP, several workers: the link is used by one conditional UPDATE, so one browser gets the
    session and the other is told the link is used."""
    import http.client
    import threading

    from engine.person.links import make_link as made

    token = made(consented, None).token
    host, port = urlsplit(gunicorn_server).hostname, urlsplit(gunicorn_server).port
    start_line = threading.Barrier(4)
    answers = []

    def open_it():
        connection = http.client.HTTPConnection(host, port, timeout=30)
        start_line.wait()
        connection.request("POST", f"/min-plan/lank/{token}", body=b"",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        reply = connection.getresponse()
        answers.append((reply.status, reply.getheader("Set-Cookie") or ""))
        connection.close()

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [303, 410, 410, 410]
    assert [cookie for status, cookie in answers if status == 303][0].startswith("sip_person_session=")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonSession)) == 1


def test_consent_cannot_be_withdrawn_before_it_is_given(app, client, start):
    case_id = start("kristianstad")["id"]
    CaseWalk(case_id).initiate()
    person, page = open_link(app, make_link(client, case_id))
    assert "Du har inte sagt ja till en plan än." in text_of(page)
    consent = person.get(f"/min-plan/{case_id}/samtycke")
    assert "Ja, jag tar tillbaka mitt samtycke" not in text_of(consent)
    refused = person.post(f"/min-plan/{case_id}/samtycke", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 409 and "Planen väntar inte på det" in text_of(refused)
    assert CaseWalk(case_id).names() == ["inhamta_samtycke"], "nothing changed"
