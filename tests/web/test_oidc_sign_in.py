"""Signing in through the organisation's OpenID Connect provider: the authorization code flow with PKCE done by
the server, against the real local provider (webapp/scripts/oidc-provider.mjs), driven over HTTP with a
cookie-keeping client; every failure back at the sign-in page with a message in Swedish and no session."""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.identity import ensure_organisation, revoke_user
from engine.store import AuditEvent, SignInAttempt, User, WebSession
from tests.api.conftest import PERSON
from tests.servers import free_port, gunicorn
from tests.web.oidc import Browser, OidcProvider, fake_webapp, form_action, sign_in_at_provider

EVA_ORG = ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad")
TEST_CLIENT_CALLBACK = "http://localhost/auth/oidc/callback"  # Flask's test client is "localhost"


@pytest.fixture(scope="module")
def server_port():
    return free_port()


@pytest.fixture(scope="module")
def provider(server_port):
    provider = OidcProvider(free_port(), [TEST_CLIENT_CALLBACK, f"http://127.0.0.1:{server_port}/auth/oidc/callback"])
    yield provider
    provider.stop()


@pytest.fixture
def web(app, provider, tmp_path):
    """The app in its production setting, signing in through the provider; no sessions yet."""
    app.config.update(ENVIRONMENT="production", WEBAPP_DIR=str(fake_webapp(tmp_path / "dist")),
                      **provider.settings())
    db.session.execute(sa.delete(WebSession))
    db.session.execute(sa.delete(SignInAttempt))
    db.session.commit()
    return app


@pytest.fixture
def eva_org(web):
    ensure_organisation(*EVA_ORG)
    db.session.commit()


def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def last_audit() -> AuditEvent:
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def sessions_stored() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WebSession))


def to_provider(client, next_path: str | None = None):
    """Start signing in from the test client; the provider's authorization URL."""
    start = client.get("/auth/oidc/start" + (f"?next={urllib.parse.quote(next_path, safe='')}" if next_path else ""))
    assert start.status_code == 302, start.text
    return start


def code_answer(authorization_url: str, login: str = "eva") -> str:
    """Sign in at the provider as `login`; the callback URL (path and query) it sends the browser back to."""
    browser = Browser(stop_at=("http://localhost/",))
    page = browser.open(authorization_url)
    assert page.status == 200 and "/interaction/" in page.url, page.text[:300]
    answer = sign_in_at_provider(browser, page, login)
    assert answer.status in (302, 303) and answer.location.startswith(TEST_CLIENT_CALLBACK), answer.text[:300]
    parts = urllib.parse.urlsplit(answer.location)
    return f"{parts.path}?{parts.query}"


def query_of(url: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


# --- the whole flow over real HTTP -----------------------------------------------------------------------------

def test_signing_in_through_the_provider_over_http(app, migrated, provider, server_port, tmp_path):
    ensure_organisation(*EVA_ORG)
    db.session.execute(sa.delete(WebSession))
    db.session.commit()
    audited_before = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    settings = {"WORKERS": 1, "THREADS": 4, "ENVIRONMENT": "development", "WEBAPP_DIR": fake_webapp(tmp_path / "dist"),
                **provider.settings()}
    with gunicorn(migrated, server_port, **settings) as base:
        browser = Browser()
        # a link into the web app, without a session: the sign-in page, which keeps where it was going
        page = browser.open(f"{base}/uppgifter/7?flik=plan")
        assert page.status == 200 and page.url == f"{base}/logga-in?next=%2Fuppgifter%2F7%3Fflik%3Dplan"
        link = unescape(page.text.split('<a class="knapp" href="', 1)[1].split('"', 1)[0])
        assert page.text.count("Logga in med din organisations inloggning") == 1
        assert link == "/auth/oidc/start?next=%2Fuppgifter%2F7%3Fflik%3Dplan"
        # the organisation's sign-in, with PKCE
        login = browser.open(base + link)
        assert login.status == 200 and login.url.startswith(provider.issuer + "/interaction/")
        wrong = sign_in_at_provider(browser, login, "eva", "fel")
        assert "Fel användarnamn eller lösenord." in wrong.text
        landed = sign_in_at_provider(browser, wrong, "eva")
        assert landed.status == 200 and landed.url == f"{base}/uppgifter/7?flik=plan"
        assert '<div id="root">' in landed.text
        # no token reached the browser: only the session's cookies (and the provider's own)
        ours = {c.name for c in browser.jar if c.domain == "127.0.0.1"}
        assert ours == {"sip_session", "sip_csrf"}
        me = browser.open(f"{base}/api/v1/me")
        assert me.status == 200 and '"via":"session"' in me.text.replace(" ", "")
        assert '"username":"demo.eva"' in me.text.replace(" ", "")
        headers = {"Content-Type": "application/json", "X-CSRF-Token": browser.cookie("sip_csrf")}
        body = json.dumps({"region": "kristianstad", "person": PERSON}).encode()
        started = browser.open(f"{base}/api/v1/cases", data=body, headers=headers, method="POST")
        assert started.status == 201, started.text
        refused = browser.open(f"{base}/api/v1/cases", data=body, method="POST",
                               headers={"Content-Type": "application/json"})
        assert refused.status == 403 and "/problems/csrf" in refused.text
        # the first sign-in made the user, as staff of the organisation the provider asserts
        db.session.expire_all()
        user = db.session.scalars(sa.select(User).where(User.username == "demo.eva")).one()
        assert (user.name, user.organisation.name, user.roles) == ("Eva Ek", EVA_ORG[0], ["staff"])
        signed_in = db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.id > audited_before, AuditEvent.action == "sign_in", AuditEvent.outcome == "ok")).one()
        assert signed_in.detail == {"via": "oidc"} and signed_in.organisation == EVA_ORG[0]
        # sign out: the session is gone on the server
        out = browser.open(f"{base}/auth/logga-ut", data=b"", method="POST",
                           headers={"X-CSRF-Token": browser.cookie("sip_csrf"), "Accept": "application/json"})
        assert out.status == 204
        assert browser.open(f"{base}/api/v1/me").status == 401
        assert sessions_stored() == 0


# --- the flow step by step, through Flask's test client --------------------------------------------------------

def test_the_server_starts_the_code_flow_with_pkce_and_binds_the_browser(web, eva_org, provider):
    client = web.test_client()
    start = to_provider(client, "/uppgifter/7")
    location = start.headers["Location"]
    assert location.startswith(provider.issuer + "/auth?")
    query = query_of(location)
    assert query["response_type"] == "code" and query["client_id"] == "sip-web"
    assert query["redirect_uri"] == TEST_CLIENT_CALLBACK and query["scope"] == "openid profile"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert "code_verifier" not in query and "client_secret" not in location
    state_cookie = set_cookies(start)["sip_oidc_state"]
    assert f"sip_oidc_state={query['state']};" in state_cookie
    assert "HttpOnly" in state_cookie and "Path=/auth/oidc/" in state_cookie and "SameSite=Lax" in state_cookie
    assert "Secure" in state_cookie and "Max-Age=600" in state_cookie
    [attempt] = db.session.scalars(sa.select(SignInAttempt)).all()
    assert attempt.next_path == "/uppgifter/7" and attempt.id != query["state"]

    callback = client.get(code_answer(location))
    assert callback.status_code == 303 and callback.headers["Location"] == "/uppgifter/7"
    cookies = set_cookies(callback)
    # the production setting: Secure, even over plain http
    assert "Secure" in cookies["sip_session"] and "HttpOnly" in cookies["sip_session"]
    assert "Secure" in cookies["sip_csrf"] and "HttpOnly" not in cookies["sip_csrf"]
    assert "Max-Age=0" in cookies["sip_oidc_state"]
    assert client.get("/api/v1/me").json["username"] == "demo.eva"
    assert db.session.scalars(sa.select(SignInAttempt)).all() == []  # used once, then gone


def test_extra_scopes_are_asked_for(web, eva_org):
    web.config["OIDC_SCOPES"] = "email openid"
    assert query_of(to_provider(web.test_client()).headers["Location"])["scope"] == "openid profile email"


def test_a_tampered_state_is_refused_without_a_session(web, eva_org):
    client = web.test_client()
    callback = code_answer(to_provider(client, "/uppgifter/7").headers["Location"])
    tampered = callback.replace("state=", "state=x", 1)
    response = client.get(tampered)
    assert response.status_code == 303 and response.headers["Location"] == "/logga-in?fel=misslyckades"
    assert "sip_session" not in set_cookies(response) and sessions_stored() == 0
    event = last_audit()
    assert (event.action, event.outcome, event.detail) == ("sign_in", "failed", {"reason": "state", "via": "oidc"})
    page = client.get(response.headers["Location"])
    assert "Inloggningen misslyckades. Försök igen." in page.text and 'role="alert"' in page.text
    assert client.get("/api/v1/me").status_code == 401


def test_a_callback_from_another_browser_is_refused(web, eva_org):
    callback = code_answer(to_provider(web.test_client()).headers["Location"])
    stranger = web.test_client()  # has not started this sign-in: no state cookie
    response = stranger.get(callback)
    assert response.headers["Location"] == "/logga-in?fel=misslyckades" and sessions_stored() == 0


def test_a_code_is_good_only_with_its_own_attempts_verifier(web, eva_org):
    client = web.test_client()
    first = to_provider(client).headers["Location"]
    second = to_provider(client).headers["Location"]  # the browser now holds the second state
    callback = code_answer(first)
    swapped = callback.replace(query_of(first)["state"], query_of(second)["state"])
    response = client.get(swapped)
    assert response.headers["Location"] == "/logga-in?fel=misslyckades" and sessions_stored() == 0
    assert last_audit().detail["reason"] == "token_endpoint"  # PKCE: the provider refused the other verifier


def test_a_callback_answers_once(web, eva_org):
    client = web.test_client()
    start = to_provider(client)
    callback = code_answer(start.headers["Location"])
    assert client.get(callback).headers["Location"] == "/"
    client.set_cookie("sip_oidc_state", query_of(start.headers["Location"])["state"], path="/auth/oidc/")
    again = client.get(callback)
    assert again.headers["Location"] == "/logga-in?fel=misslyckades"
    assert last_audit().detail["reason"] == "unknown_state" and sessions_stored() == 1


def test_a_sign_in_left_too_long_is_refused(web, eva_org):
    client = web.test_client()
    with time_machine.travel(datetime.now(UTC), tick=True) as clock:
        location = to_provider(client, "/uppgifter/7").headers["Location"]
        callback = code_answer(location)
        clock.shift(timedelta(minutes=11))
        response = client.get(callback)
    assert response.headers["Location"] == "/logga-in?fel=tidsgrans&next=%2Fuppgifter%2F7"
    assert sessions_stored() == 0 and last_audit().detail["reason"] == "attempt_expired"
    assert "Inloggningen tog för lång tid. Försök igen." in client.get(response.headers["Location"]).text


def test_an_organisation_not_registered_here_cannot_sign_in(web):
    client = web.test_client()
    response = client.get(code_answer(to_provider(client).headers["Location"]))
    assert response.headers["Location"] == "/logga-in?fel=organisation" and sessions_stored() == 0
    assert last_audit().detail == {"reason": "no_organisation", "via": "oidc"}
    assert "Din organisation är inte ansluten till SIP." in client.get("/logga-in?fel=organisation").text


def test_a_revoked_user_cannot_sign_in(web, eva_org):
    client = web.test_client()
    assert client.get(code_answer(to_provider(client).headers["Location"])).headers["Location"] == "/"
    revoke_user("demo.eva")
    db.session.commit()
    other = web.test_client()
    response = other.get(code_answer(to_provider(other).headers["Location"]))
    assert response.headers["Location"] == "/logga-in?fel=sparrad"
    assert (last_audit().user, last_audit().detail["reason"]) == ("demo.eva", "revoked")


def test_a_process_owner_signed_in_for_another_organisation_has_only_the_roles_given_there(web, eva_org):
    from engine.identity import ensure_user

    elsewhere = ("Stockholms stad, socialtjänst Södermalm", "kommun_sol", "stockholm")
    ensure_user("demo.eva", "Eva Ek", ensure_organisation(*elsewhere), ["staff", "process_owner"])
    db.session.commit()
    client = web.test_client()
    assert client.get(code_answer(to_provider(client).headers["Location"])).headers["Location"] == "/"
    me = client.get("/api/v1/me").json
    assert (me["organisation"], me["region"], me["roles"]) == (EVA_ORG[0], "kristianstad", ["staff"])
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.username == "demo.eva")).one()
    assert user.organisation.name == EVA_ORG[0] and user.roles == ["staff"]
    assert ("process_owner", elsewhere[0]) in {(g.role, g.organisation.name) for g in user.grants}


def test_cancelling_at_the_provider_comes_back_with_a_message(web, eva_org):
    client = web.test_client()
    browser = Browser(stop_at=("http://localhost/",))
    page = browser.open(to_provider(client, "/uppgifter/7").headers["Location"])
    answer = browser.open(urllib.parse.urljoin(page.url, form_action(page.text, "/abort")), form={})
    callback = urllib.parse.urlsplit(answer.location)
    assert query_of(answer.location)["error"] == "access_denied"
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.headers["Location"] == "/logga-in?fel=avbruten&next=%2Fuppgifter%2F7"
    assert sessions_stored() == 0
    assert "Inloggningen avbröts." in client.get(response.headers["Location"]).text


def test_an_unreachable_provider_is_a_message_not_an_error(web):
    web.config["OIDC_ISSUER"] = f"http://127.0.0.1:{free_port()}"
    response = web.test_client().get("/auth/oidc/start?next=/uppgifter/7")
    assert response.status_code == 303
    assert response.headers["Location"] == "/logga-in?fel=leverantor&next=%2Fuppgifter%2F7"
    assert last_audit().detail == {"reason": "discovery", "via": "oidc"}


def test_the_sign_in_page_offers_the_provider_when_configured(web):
    client = web.test_client()
    page = client.get("/logga-in?next=/uppgifter/7").text
    assert '<a class="knapp" href="/auth/oidc/start?next=%2Fuppgifter%2F7">' in page
    assert "Logga in med din organisations inloggning" in page and "Logga in som" not in page
    assert 'href="/auth/oidc/start">' in client.get("/logga-in?next=//evil.example").text
    web.config.update(OIDC_ISSUER=None, OIDC_CLIENT_ID=None)
    assert "Logga in med din organisations inloggning" not in client.get("/logga-in").text
    response = client.get("/auth/oidc/start")
    assert response.headers["Location"] == "/logga-in?fel=ej_konfigurerad"


def test_the_provider_requires_pkce(provider):
    browser = Browser(stop_at=("http://localhost/",))
    query = urllib.parse.urlencode({"response_type": "code", "client_id": "sip-web", "scope": "openid profile",
                                    "redirect_uri": TEST_CLIENT_CALLBACK, "state": "s", "nonce": "n"})
    answer = browser.open(f"{provider.issuer}/auth?{query}")
    assert query_of(answer.location)["error"] == "invalid_request"
    assert "PKCE" in query_of(answer.location)["error_description"]


def test_client_secret_post(app, tmp_path):
    provider = OidcProvider(free_port(), [TEST_CLIENT_CALLBACK], token_auth="client_secret_post")
    try:
        app.config.update(ENVIRONMENT="production", WEBAPP_DIR=str(tmp_path),
                          OIDC_TOKEN_AUTH_METHOD="client_secret_post", **provider.settings())
        ensure_organisation(*EVA_ORG)
        db.session.commit()
        client = app.test_client()
        assert client.get(code_answer(to_provider(client).headers["Location"])).headers["Location"] == "/"
        assert client.get("/api/v1/me").json["via"] == "session"
    finally:
        provider.stop()
