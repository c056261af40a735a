"""Signing in through the browser with server-side sessions: the cookies and their flags, the API through the
session cookie with its CSRF token, sign-out, expiry, the demo sign-in of the development setting, where a
sign-in may go afterwards, and the built web app served behind it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import quote

import pytest
import sqlalchemy as sa
import time_machine

from engine.database import db
from engine.identity import revoke_user
from engine.store import AuditEvent, Case, SignInAttempt, WebSession
from engine.web.pages import safe_next
from engine.web.sessions import digest
from tests.api.conftest import PERSON, signed_in, user_token
from tests.web.oidc import fake_webapp

EVA = ("Eva Ek", "Kristianstads kommun, hemtjänst Norr")


@pytest.fixture
def web(app, tmp_path):
    """The app in its development setting, serving a small stand-in for the web app's build; no sessions."""
    app.config.update(ENVIRONMENT="development", WEBAPP_DIR=str(fake_webapp(tmp_path / "dist")))
    db.session.execute(sa.delete(WebSession))
    db.session.execute(sa.delete(SignInAttempt))
    db.session.commit()
    return app


@pytest.fixture
def demo_users(web):
    from engine.identity.demo import load_demo

    return {person["username"]: person for person in load_demo()}


def cookies_set(response) -> dict[str, str]:
    """Set-Cookie headers of an answer by cookie name (the whole header)."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def demo_sign_in(client, username: str = "demo.eva", next_path: str | None = None):
    """Sign in as a demo user the way the page does: its form, with the hidden login CSRF token and `next`."""
    page = client.get("/logga-in" + (f"?next={quote(next_path, safe='')}" if next_path else ""))
    assert page.status_code == 200
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.text))
    return client.post("/auth/demo", data={**{k: unescape(v) for k, v in hidden.items()}, "username": username})


def session_client(app, username: str = "demo.eva"):
    client = app.test_client()
    assert demo_sign_in(client, username).status_code == 303
    return client


def csrf(client) -> dict:
    return {"X-CSRF-Token": client.get_cookie("sip_csrf").value}


def last_audit() -> AuditEvent:
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def stored_sessions() -> list[WebSession]:
    db.session.expire_all()
    return db.session.scalars(sa.select(WebSession)).all()


# --- cookies ---------------------------------------------------------------------------------------------------

def test_a_sign_in_sets_an_httponly_session_cookie_and_a_readable_csrf_cookie(web, demo_users):
    client = web.test_client()
    response = demo_sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    cookies = cookies_set(response)
    session, csrf_cookie = cookies["sip_session"], cookies["sip_csrf"]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert "HttpOnly" not in csrf_cookie and "SameSite=Strict" in csrf_cookie and "Path=/" in csrf_cookie
    # development over plain http: not Secure, so that a developer's browser keeps them
    assert "Secure" not in session and "Secure" not in csrf_cookie
    # the database holds the token's hash, never the token
    token = client.get_cookie("sip_session").value
    [row] = stored_sessions()
    assert row.id == digest(token) != token and row.username == "demo.eva"
    assert row.csrf_token == client.get_cookie("sip_csrf").value
    event = last_audit()
    assert (event.action, event.outcome, event.user, event.detail["via"]) == ("sign_in", "ok", "demo.eva", "demo")


def test_cookies_are_secure_over_https_and_in_the_production_setting(web, demo_users):
    secure = web.test_client()
    secure.get("/logga-in", base_url="https://localhost")
    page = secure.get("/logga-in", base_url="https://localhost")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = secure.post("/auth/demo", base_url="https://localhost",
                           data={"csrf_token": token, "username": "demo.eva", "next": "/"})
    assert all("Secure" in header for header in cookies_set(response).values())
    # production: Secure even over plain http (TLS ends at a proxy that does not say so)
    client = session_client(web)
    web.config["ENVIRONMENT"] = "production"
    out = client.post("/auth/logga-ut", headers={**csrf(client), "Accept": "application/json"})
    assert out.status_code == 204
    cleared = cookies_set(out)
    assert {"sip_session", "sip_csrf"} <= set(cleared) and all("Secure" in h for h in cleared.values())


# --- the API through the session -------------------------------------------------------------------------------

def test_the_api_answers_the_session_as_the_signed_in_user(web, demo_users):
    client = session_client(web)
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json == {"username": "demo.eva", "name": "Eva Ek", "organisation": EVA[1],
                       "organisation_kind": "kommun_sol", "region": "kristianstad",
                       "roles": ["staff", "process_owner"], "via": "session"}
    started = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON}, headers=csrf(client))
    assert started.status_code == 201, started.json
    assert client.get(f"/api/v1/cases/{started.json['id']}").status_code == 200
    assert client.get("/api/v1/tasks").json["total"] == 1


def test_a_change_without_the_csrf_token_is_refused_and_stores_nothing(web, demo_users):
    client = session_client(web)
    body = {"region": "kristianstad", "person": PERSON}
    for headers in ({}, {"X-CSRF-Token": "not-the-token"}, {"X-CSRF-Token": ""}):
        refused = client.post("/api/v1/cases", json=body, headers=headers)
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
        assert refused.json["type"] == "/problems/csrf"
        assert refused.json["title"] == "Ogiltig säkerhetstoken"
        assert "Ladda om sidan" in refused.json["detail"]
    event = last_audit()
    assert (event.action, event.outcome, event.detail["reason"]) == ("sign_in", "denied", "csrf")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    # another session's token is no better
    other = session_client(web, "demo.per")
    assert client.post("/api/v1/cases", json=body, headers=csrf(other)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    # reads need no token
    assert client.get("/api/v1/cases").status_code == 200


def test_a_bearer_token_goes_first_and_needs_no_csrf_token(web, demo_users):
    client = session_client(web)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {demo_users['demo.per']['token']}"
    assert client.get("/api/v1/me").json["username"] == "demo.per"
    assert client.get("/api/v1/me").json["via"] == "token"
    assert client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON}).status_code == 201
    # and the API tokens work as before, without any cookie
    assert signed_in(web, user_token("eva")).get("/api/v1/me").json["via"] == "token"


def test_an_unknown_session_cookie_is_401_audited_and_cleared(web, demo_users):
    client = web.test_client()
    client.set_cookie("sip_session", "made-up")
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json["reason"] == "unknown_session"
    assert "sip_session" in cookies_set(response) and "Max-Age=0" in cookies_set(response)["sip_session"]
    event = last_audit()
    assert (event.action, event.outcome, event.detail["reason"]) == ("sign_in", "failed", "unknown_session")
    assert web.test_client().get("/api/v1/me").json["reason"] == "missing"


def test_a_revoked_user_is_signed_out(web, demo_users):
    client = session_client(web)
    revoke_user("demo.eva")
    db.session.commit()
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json["reason"] == "revoked"
    assert last_audit().user == "demo.eva"


# --- sign-out --------------------------------------------------------------------------------------------------

def test_sign_out_ends_the_session_on_the_server(web, demo_users):
    client = session_client(web)
    token = client.get_cookie("sip_session").value
    refused = client.post("/auth/logga-ut", headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.json["type"] == "/problems/csrf"
    assert client.get("/api/v1/me").status_code == 200  # still signed in
    out = client.post("/auth/logga-ut", data={"csrf_token": client.get_cookie("sip_csrf").value})
    assert out.status_code == 303 and out.headers["Location"] == "/logga-in"
    assert {"sip_session", "sip_csrf"} <= set(cookies_set(out))
    assert stored_sessions() == []
    assert last_audit().action == "sign_out" and last_audit().user == "demo.eva"
    # the old cookie, kept by someone, signs nobody in
    again = web.test_client()
    again.set_cookie("sip_session", token)
    response = again.get("/api/v1/me")
    assert response.status_code == 401 and response.json["reason"] == "unknown_session"


def test_sign_out_from_the_web_app_answers_204(web, demo_users):
    client = session_client(web)
    out = client.post("/auth/logga-ut", headers={**csrf(client), "Accept": "application/json"})
    assert out.status_code == 204 and stored_sessions() == []
    assert client.get("/api/v1/me").status_code == 401


# --- expiry ----------------------------------------------------------------------------------------------------

def test_a_session_ends_after_an_hour_without_requests(web, demo_users):
    with time_machine.travel(datetime(2027, 3, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        client = session_client(web)
        clock.shift(timedelta(seconds=30))
        assert client.get("/api/v1/me").status_code == 200
        [row] = stored_sessions()
        assert row.last_seen_at.replace(tzinfo=UTC) == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # not rewritten
        clock.shift(timedelta(minutes=59))
        assert client.get("/api/v1/me").status_code == 200  # 59.5 minutes idle: still on, and seen again
        clock.shift(timedelta(minutes=59))
        assert client.get("/api/v1/me").status_code == 200
        clock.shift(timedelta(minutes=61))
        response = client.get("/api/v1/me")
        assert response.status_code == 401 and response.json["reason"] == "session_expired"
        assert stored_sessions() == []
        event = last_audit()
        assert (event.action, event.outcome, event.user, event.detail["reason"]) == (
            "sign_in", "failed", "demo.eva", "session_expired")


def test_a_session_ends_eight_hours_after_sign_in_however_busy(web, demo_users):
    with time_machine.travel(datetime(2027, 3, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        client = session_client(web)
        for _ in range(9):
            clock.shift(timedelta(minutes=50))
            assert client.get("/api/v1/me").status_code == 200  # 7.5 hours
        clock.shift(timedelta(minutes=31))
        assert client.get("/api/v1/me").json["reason"] == "session_expired"
        assert client.get("/").status_code == 302


def test_session_lengths_are_settings(web, demo_users):
    web.config.update(SESSION_HOURS="1", SESSION_IDLE_MINUTES="5")
    with time_machine.travel(datetime(2027, 3, 1, 8, 0, tzinfo=UTC), tick=False) as clock:
        client = session_client(web)
        [row] = stored_sessions()
        assert row.expires_at.replace(tzinfo=UTC) == datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
        clock.shift(timedelta(minutes=6))
        assert client.get("/api/v1/me").status_code == 401


# --- the demo sign-in and the sign-in page ---------------------------------------------------------------------

def test_the_sign_in_page_lists_the_demo_users_by_region_in_development(web, demo_users):
    page = web.test_client().get("/logga-in")
    html = page.text
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert '<html lang="sv">' in html and html.count("<h1") == 1 and "<h1>Logga in</h1>" in html
    assert "<main" in html and "<header" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Referrer-Policy"] == "same-origin"
    assert "<script" not in html
    for region in ("Kristianstad", "Jönköping", "Västra Götaland", "Stockholm"):
        assert f"<h3>{region}</h3>" in html
    button = re.search(r'<button type="submit" name="username" value="demo.eva"[^>]*>([^<]*)</button>\s*'
                       r'<span class="organisation" id="org-demo.eva">([^<]*)</span>', html)
    assert button is not None and button.groups() == ("Logga in som Eva Ek", EVA[1])
    assert len(re.findall(r">Logga in som [^<]+</button>", html)) == len(demo_users)
    login_csrf = cookies_set(page)["sip_login_csrf"]
    assert "HttpOnly" in login_csrf and "SameSite=Strict" in login_csrf and "Max-Age=1800" in login_csrf
    # another sign-in page meanwhile (another tab, a redirect) keeps the first page's form valid
    client = web.test_client()
    first = client.get("/logga-in")
    client.get("/logga-in?next=/uppgifter/1")
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.text).group(1)
    assert client.post("/auth/demo", data={"csrf_token": token, "username": "demo.eva"}).headers["Location"] == "/"
    # OpenID Connect is not configured here: no such button
    assert "Logga in med din organisations inloggning" not in html


def test_no_demo_sign_in_outside_development(web, demo_users):
    web.config["ENVIRONMENT"] = "production"
    client = web.test_client()
    page = client.get("/logga-in")
    assert "Logga in som" not in page.text and "sip_login_csrf" not in cookies_set(page)
    client.set_cookie("sip_login_csrf", "x")
    response = client.post("/auth/demo", data={"csrf_token": "x", "username": "demo.eva"})
    assert response.status_code == 404 and stored_sessions() == []


def test_no_demo_sign_in_without_the_demo_users(web):
    user_token("eva")  # a user, but not a demo user
    client = web.test_client()
    page = client.get("/logga-in")
    assert "Logga in som" not in page.text and "Inloggning är inte inställd" in page.text
    client.set_cookie("sip_login_csrf", "x")
    response = client.post("/auth/demo", data={"csrf_token": "x", "username": "eva"})
    assert response.status_code == 303 and response.headers["Location"] == "/logga-in?fel=okand_anvandare"
    assert stored_sessions() == []
    assert "Användaren finns inte." in client.get(response.headers["Location"]).text


def test_the_demo_sign_in_needs_the_pages_login_token(web, demo_users):
    client = web.test_client()
    client.get("/logga-in")
    for data in ({"username": "demo.eva"}, {"username": "demo.eva", "csrf_token": "guessed"}):
        response = client.post("/auth/demo", data=data)
        assert response.status_code == 303 and response.headers["Location"] == "/logga-in?fel=sidan"
    fresh = web.test_client()  # a form posted from elsewhere: no cookie at all
    assert fresh.post("/auth/demo", data={"username": "demo.eva", "csrf_token": "x"}).headers[
        "Location"] == "/logga-in?fel=sidan"
    assert stored_sessions() == []
    event = last_audit()
    assert (event.action, event.outcome, event.detail["reason"]) == ("sign_in", "failed", "login_csrf")
    page = client.get("/logga-in?fel=sidan")
    assert '<p class="fel" role="alert" id="fel">Sidan hade hunnit bli för gammal. Försök igen.</p>' in page.text
    # text from the request is never shown
    assert "<script>" not in client.get("/logga-in?fel=<script>alert(1)</script>").text


def test_a_new_sign_in_replaces_the_browsers_session(web, demo_users):
    client = session_client(web)
    first = client.get_cookie("sip_session").value
    assert demo_sign_in(client, "demo.per").status_code == 303
    assert client.get_cookie("sip_session").value != first
    assert [row.username for row in stored_sessions()] == ["demo.per"]
    assert client.get("/api/v1/me").json["username"] == "demo.per"


@pytest.mark.parametrize(("given", "kept"), [
    ("/uppgifter/123", "/uppgifter/123"),
    ("/arenden?status=open&sida=2", "/arenden?status=open&sida=2"),
    ("/", "/"),
    (None, "/"),
    ("", "/"),
    ("//evil.example/path", "/"),
    ("https://evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("uppgifter", "/"),
    ("/logga-in?next=/x", "/"),
    ("/auth/logga-ut", "/"),
    ("/" + "a" * 2100, "/"),
])
def test_only_a_path_of_this_site_is_where_a_sign_in_goes(given, kept):
    assert safe_next(given) == kept


def test_next_is_carried_through_the_demo_sign_in_and_open_redirects_are_refused(web, demo_users):
    client = web.test_client()
    assert demo_sign_in(client, next_path="/uppgifter/123?flik=plan").headers["Location"] == (
        "/uppgifter/123?flik=plan")
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = demo_sign_in(web.test_client(), next_path=evil)
        assert response.status_code == 303 and response.headers["Location"] == "/", evil
    # a form changed by hand is checked too
    client = web.test_client()
    page = client.get("/logga-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/auth/demo", data={"csrf_token": token, "username": "demo.eva",
                                               "next": "//evil.example"})
    assert response.headers["Location"] == "/"


# --- the web app -----------------------------------------------------------------------------------------------

def test_the_web_app_is_served_to_a_signed_in_browser(web, demo_users):
    client = session_client(web)
    for path in ("/", "/uppgifter/123", "/arenden/abc/plan?flik=1", "/index.html"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "text/html" and '<div id="root">' in response.text
        assert response.headers["Cache-Control"] == "no-cache"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
        # Ajv compiles the forms' checks; scripts still come from the app's own files only, never inline.
        assert "script-src 'self' 'unsafe-eval';" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    asset = client.get("/assets/app-3f2a1b.js")
    assert asset.status_code == 200 and asset.text == "console.log('SIP');\n"
    assert asset.mimetype in ("text/javascript", "application/javascript")
    assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in asset.headers["Vary"]
    compressed = client.get("/assets/app-3f2a1b.js", headers={"Accept-Encoding": "gzip, br"})
    assert compressed.headers["Content-Encoding"] == "br"
    assert compressed.data == b"(the script, brotli-compressed)"
    assert compressed.mimetype in ("text/javascript", "application/javascript")
    assert client.get("/assets/nothing.js").status_code == 404
    assert client.get("/assets/app-3f2a1b.js.br").status_code == 404
    assert client.get("/assets/../index.html").status_code == 404
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert client.get("/favicon.ico").status_code == 404  # not in the build: not the app either


def test_the_web_app_sends_a_browser_without_a_session_to_sign_in(web, demo_users):
    client = web.test_client()
    for path, location in (("/", "/logga-in"), ("/uppgifter/123", "/logga-in?next=%2Fuppgifter%2F123"),
                           ("/arenden?status=open", "/logga-in?next=%2Farenden%3Fstatus%3Dopen")):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == location, path
    # the build's files need no session
    assert client.get("/assets/app-3f2a1b.js").status_code == 200
    assert client.get("/favicon.svg").status_code == 200
    # the redirect leads back after signing in
    assert demo_sign_in(client, next_path="/uppgifter/123").headers["Location"] == "/uppgifter/123"
    assert client.get("/uppgifter/123").status_code == 200


def test_the_api_and_sign_in_routes_are_never_the_web_app(web, demo_users):
    client = session_client(web)
    missing = client.get("/api/v1/hittepa")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get("/auth/hittepa").status_code == 404
    assert client.post("/api/v1/hittepa", headers=csrf(client)).status_code == 404
    assert client.get("/api/v1/openapi.json").is_json


def test_without_a_build_the_web_app_is_a_page_saying_how_to_build_it(web, demo_users, tmp_path):
    web.config["WEBAPP_DIR"] = str(tmp_path / "nothing-here")
    client = session_client(web)
    response = client.get("/uppgifter/1")
    assert response.status_code == 503 and response.mimetype == "text/html"
    assert '<html lang="sv">' in response.text and "Webbappen är inte byggd" in response.text
    assert "npm --prefix webapp ci &amp;&amp; npm --prefix webapp run build" in response.text
    assert client.get("/assets/app.js").status_code == 404
    assert client.get("/api/v1/me").status_code == 200  # the API is not affected


def test_get_me_is_documented(web):
    spec = web.test_client().get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/me"]["get"]
    assert operation["operationId"] == "getMe" and "401" in operation["responses"]
    assert {"bearer": []} in spec["security"] and {"session": []} in spec["security"]
    assert spec["components"]["securitySchemes"]["session"] == {
        "type": "apiKey", "in": "cookie", "name": "sip_session",
        "description": spec["components"]["securitySchemes"]["session"]["description"]}
