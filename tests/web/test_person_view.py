"""The person's own view in Chromium, accessibility checked on every page: the coordinator sends a one-time link
from the case page, the person opens it, reads the plan, withdraws consent after a confirmation that says what
happens, and the coordinator sees the case closed with that reason; a used or expired link is refused in Swedish;
in Stockholm a guardian answers SIP-kollen and the answers reach the case."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from engine.database import db
from engine.person.links import digest, make_link
from engine.services import cases
from engine.store import CaseEvent
from engine.store.person_access import PersonLink
from tests.api.over_http import KristianstadOverHttp
from tests.regions.walks import BUP, SKOLA_STHLM, SOCIALTJANST_BARN, StockholmWalk
from tests.routine.walk import KOMMUN, VARDCENTRAL, register_organisations


def test_the_person_opens_the_link_reads_the_plan_and_withdraws_consent(page_as, new_page, demo, web_server, axe):
    tokens = {KOMMUN["organisation"]: demo["demo.eva"]["token"], VARDCENTRAL["organisation"]: demo["demo.per"]["token"]}
    walk = KristianstadOverHttp.started(web_server, tokens, "kristianstad", "Tolvan Tolvansson", KOMMUN["organisation"])
    walk.initiate().consent().prepare()

    coordinator = page_as("demo.eva")
    coordinator.goto(f"/arenden/{walk.case_id}")
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Tolvan Tolvansson")
    coordinator.get_by_role("button", name="Skicka länk till personen").click()
    field = coordinator.get_by_label("Länk till Tolvan Tolvansson")
    expect(field).to_have_value(re.compile(r"/min-plan/lank/[\w-]{40,}$"))
    expect(coordinator.get_by_text("Den fungerar en gång")).to_be_visible()
    axe(coordinator, "the case page with the link made")
    link = field.input_value()

    person = new_page()
    person.goto(link)
    expect(person.get_by_role("heading", level=1, name="Se din plan")).to_be_visible()
    axe(person, "the link's page")
    person.get_by_role("button", name="Öppna planen").click()
    expect(person.get_by_role("heading", level=1, name="Min plan")).to_be_visible()
    expect(person.get_by_text("Planen pågår.")).to_be_visible()
    expect(person.get_by_text("Eva Ek", exact=False).first).to_be_visible()
    expect(person.get_by_text(re.compile(r"Nästa möte är 10 december 2026 klockan 10:00"))).to_be_visible()
    axe(person, "the person's page")

    person.get_by_role("link", name="Läs planen").click()
    expect(person.get_by_role("heading", level=1, name="Min plan")).to_be_visible()
    expect(person.get_by_role("heading", name="Om något inte fungerar")).to_be_visible()
    axe(person, "the easy-read plan")
    person.get_by_role("link", name="Tillbaka till Min plan").click()

    person.get_by_role("link", name=re.compile("ta tillbaka ditt samtycke")).click()
    expect(person.get_by_role("heading", level=1, name="Ditt samtycke")).to_be_visible()
    expect(person.get_by_text("Planen avslutas. Ni gör inga fler möten om planen.")).to_be_visible()
    axe(person, "the consent page")
    person.get_by_role("button", name="Ja, jag tar tillbaka mitt samtycke").click()
    expect(person.get_by_role("status")).to_have_text(re.compile("Du har tagit tillbaka samtycket"))
    expect(person.get_by_text("Samtycket är taget tillbaka. Planen avslutas nu.")).to_be_visible()
    axe(person, "the person's page after withdrawing")
    expect(person.get_by_role("link", name=re.compile("ta tillbaka ditt samtycke"))).to_have_count(0)

    walk.close()  # the routine's closure: the coordinator documents it, the participants acknowledge
    coordinator.reload()
    expect(coordinator.locator(".facts").first).to_contain_text("Avslutad: samtycket återkallades")
    expect(coordinator.get_by_role("button", name="Skicka länk till personen")).to_have_count(0)
    history = coordinator.get_by_role("region", name="Historik")
    expect(history).to_contain_text("Av Huvudpersonen (Min plan)")
    person.reload()
    expect(person.get_by_text("Du har tagit tillbaka ditt samtycke. Därför är planen avslutad.")).to_be_visible()

    again = new_page()
    again.goto(link)
    expect(again.get_by_role("heading", level=1, name="Länken är redan använd")).to_be_visible()
    expect(again.get_by_text("Be den som samordnar din plan om en ny länk.")).to_be_visible()
    axe(again, "a used link")


def test_an_expired_link_is_refused_in_swedish(new_page, app, demo, web_server, axe):
    case = cases.start_case("kristianstad", {}, person_name="Tolvan Tolvansson", personal_number="191212121212")
    made = make_link(case.id, None)
    db.session.execute(sa.update(PersonLink).where(PersonLink.id == digest(made.token))
                       .values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    db.session.commit()
    page = new_page()
    page.goto(f"/min-plan/lank/{made.token}")
    expect(page.get_by_role("heading", level=1, name="Länken gäller inte längre")).to_be_visible()
    expect(page.get_by_role("button", name="Öppna planen")).to_have_count(0)
    axe(page, "an expired link")
    page.get_by_role("link", name="Logga in med e-legitimation i stället").click()
    expect(page.get_by_role("heading", level=1, name="Logga in och se din plan")).to_be_visible()
    axe(page, "the person's sign-in page")


def test_a_guardian_answers_sip_kollen_in_stockholm(new_page, app, demo, web_server, axe):
    case = cases.start_case("stockholm", {"huvudperson": {"namn": "Maja Lind"}}, person_name="Maja Lind",
                            personal_number="201012122389")
    register_organisations("stockholm", SOCIALTJANST_BARN, BUP, SKOLA_STHLM)
    walk = StockholmWalk(case.id).initiate().family_premeeting()
    walk.acknowledge_all().meeting()
    made = make_link(case.id, None, "guardian", "Sofia Lind")

    page = new_page()
    page.goto(f"/min-plan/lank/{made.token}")
    expect(page.get_by_role("heading", level=1, name="Se ditt barns plan")).to_be_visible()
    page.get_by_role("button", name="Öppna planen").click()
    expect(page.get_by_role("heading", level=1, name="Planen för Maja Lind")).to_be_visible()
    expect(page.get_by_text("Du ser planen för att du är vårdnadshavare.")).to_be_visible()
    page.get_by_role("link", name="Svara på SIP-kollen").click()
    expect(page.get_by_role("heading", level=1, name="SIP-kollen: hur var mötet?")).to_be_visible()
    axe(page, "SIP-kollen")

    page.get_by_role("group", name="Lyssnade de andra på dig på mötet?").get_by_label("Ja").check()
    page.get_by_role("button", name="Skicka svaren").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Några frågor saknar svar")
    expect(alert.get_by_role("link", name="Vet du nu vem som ska göra vad?")).to_be_visible()
    expect(page.get_by_role("group", name="Lyssnade de andra på dig på mötet?").get_by_label("Ja")).to_be_checked()
    axe(page, "SIP-kollen with answers missing")
    for question, answer in [("Fick du säga det du ville säga?", "Delvis"), ("Förstod du det vi pratade om?", "Ja"),
                             ("Vet du nu vem som ska göra vad?", "Nej"),
                             ("Vet du vem du ska ringa om något inte fungerar?", "Ja")]:
        page.get_by_role("group", name=question).get_by_label(answer).check()
    page.get_by_label(re.compile("Vill du säga något mer om mötet")).fill("Skönt att skolan var med")
    page.get_by_role("button", name="Skicka svaren").click()
    expect(page.get_by_role("status")).to_have_text("Tack för dina svar! Den som samordnar planen får läsa dem.")
    expect(page.get_by_text("Du har svarat på SIP-kollen. Tack!")).to_be_visible()
    axe(page, "the guardian's page after SIP-kollen")

    db.session.expire_all()
    event = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.kind == "sip_kollen")).one()
    assert event.actor == "Vårdnadshavare Sofia Lind (Min plan)"
    assert "Vet du nu vem som ska göra vad? Nej." in event.detail["summary"]
    assert event.detail["answers"]["ovrigt"] == "Skönt att skolan var med"


def test_the_person_signs_in_with_e_legitimation_in_chromium(app, demo, migrated, built_webapp, browser, axe):
    """The local provider's demo person `tolvan` carries a personal number with two cases: both listed, each
    readable; signing out ends it. The provider's own login page is not the product's, and not checked here."""
    from tests.servers import free_port, gunicorn
    from tests.web.oidc import PASSWORD, OidcProvider

    first = cases.start_case("kristianstad", {}, person_name="Tolvan Tolvansson", personal_number="191212121212")
    cases.start_case("kristianstad", {}, person_name="Tolvan Tolvansson", personal_number="191212121212")
    port = free_port()
    provider = OidcProvider(free_port(), [f"http://127.0.0.1:{port}/min-plan/logga-in/svar"])
    try:
        with gunicorn(migrated, port, WORKERS=1, THREADS=4, ENVIRONMENT="development", WEBAPP_DIR=built_webapp,
                      **provider.settings()) as base:
            context = browser.new_context(base_url=base, locale="sv-SE", timezone_id="Europe/Stockholm")
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.goto("/min-plan")
            expect(page.get_by_role("heading", level=1, name="Logga in och se din plan")).to_be_visible()
            axe(page, "the person's sign-in page")
            page.get_by_role("link", name="Logga in med e-legitimation").click()
            page.get_by_label("Användarnamn").fill("tolvan")
            page.get_by_label("Lösenord").fill(PASSWORD)
            page.get_by_role("button", name="Logga in").click()
            expect(page.get_by_role("heading", level=1, name="Mina planer")).to_be_visible()
            expect(page.get_by_role("link", name=re.compile("^Plan från"))).to_have_count(2)
            axe(page, "the person's plans")
            page.goto(f"/min-plan/{first.id}")
            expect(page.get_by_role("heading", level=1, name="Min plan")).to_be_visible()
            expect(page.get_by_text("Du har inte sagt ja till en plan än.")).to_be_visible()
            page.goto("/min-plan/00000000-0000-0000-0000-000000000000")
            expect(page.get_by_role("heading", level=1, name="Sidan finns inte")).to_be_visible()
            axe(page, "a plan that is not theirs")
            page.get_by_role("button", name="Logga ut").click()
            expect(page.get_by_role("heading", level=1, name="Du är utloggad")).to_be_visible()
            axe(page, "signed out")
            page.goto(f"/min-plan/{first.id}")
            expect(page.get_by_role("heading", level=1, name="Logga in och se din plan")).to_be_visible()
            context.close()
    finally:
        provider.stop()
