"""The person signs in to their own plan with e-legitimation: the region's OpenID Connect provider (the local one,
webapp/scripts/oidc-provider.mjs, whose demo person `tolvan` carries the Swedish profile's personal-number claim),
over real HTTP to gunicorn. The number is matched by its keyed hash and stored nowhere in clear."""

from __future__ import annotations

from html import unescape

import sqlalchemy as sa

from engine.database import db
from engine.privacy import number_hash
from engine.services import cases
from engine.store import AuditEvent
from engine.store.person_access import PersonSession
from tests.routine.walk import CaseWalk
from tests.servers import free_port, gunicorn
from tests.web.oidc import Browser, OidcProvider, fake_webapp, sign_in_at_provider

NUMBER = "191212121212"


def test_the_person_signs_in_with_e_legitimation_and_reads_their_own_plan(app, migrated, tmp_path):
    case = cases.start_case("kristianstad", {"huvudperson": {"namn": "Tolvan Tolvansson"}},
                            person_name="Tolvan Tolvansson", personal_number=NUMBER)
    CaseWalk(case.id).initiate().consent()
    someone_else = cases.start_case("kristianstad", {}, person_name="Anna Annan", personal_number="194504082525")
    port = free_port()
    provider = OidcProvider(free_port(), [f"http://127.0.0.1:{port}/min-plan/logga-in/svar"])
    audited_before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    try:
        with gunicorn(migrated, port, WORKERS=1, THREADS=4, ENVIRONMENT="development",
                      WEBAPP_DIR=fake_webapp(tmp_path / "dist"), **provider.settings()) as base:
            browser = Browser()
            page = browser.open(f"{base}/min-plan")
            assert page.url == f"{base}/min-plan/logga-in" and "Logga in och se din plan" in page.text
            link = unescape(page.text.split('<a class="knapp" href="', 1)[1].split('"', 1)[0])
            assert link == "/min-plan/logga-in/start"
            login = browser.open(base + link)
            assert login.url.startswith(provider.issuer + "/interaction/")
            landed = sign_in_at_provider(browser, login, "tolvan")
            assert landed.status == 200 and landed.url == f"{base}/min-plan/{case.id}", landed.url
            assert "<h1>Min plan</h1>" in landed.text and "Eva Ek" in landed.text
            assert {c.name for c in browser.jar if c.domain == "127.0.0.1"} == {"sip_person_session"}
            assert browser.open(f"{base}/api/v1/me").status == 401, "no staff API for the person"
            assert browser.open(f"{base}/api/v1/cases/{case.id}").status == 401
            assert browser.open(f"{base}/min-plan/{someone_else.id}").status == 404

            staff = Browser()
            login = staff.open(f"{base}/min-plan/logga-in/start")
            refused = sign_in_at_provider(staff, login, "eva")
            assert refused.url == f"{base}/min-plan/logga-in?fel=ingen_plan"
            assert "Vi hittar ingen plan för dig. Fråga den som samordnar din plan." in refused.text
            assert not any(c.name == "sip_person_session" for c in staff.jar)
    finally:
        provider.stop()
    db.session.expire_all()
    session = db.session.scalars(sa.select(PersonSession)).one()
    assert (session.via, session.role, session.subject_hash) == ("oidc", "person", number_hash(NUMBER))
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > audited_before)).all()
    signed = [r for r in rows if r.action == "sign_in" and r.detail.get("via") == "person_oidc"]
    assert [(r.outcome, r.detail.get("reason")) for r in signed] == [("ok", None), ("failed", "no_personal_number")]
    assert signed[0].subject_hash == number_hash(NUMBER)
    assert all(NUMBER not in repr((r.user, r.detail)) and "19121212" not in repr(r.detail) for r in rows)
