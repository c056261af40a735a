"""Helpers for signing in through the browser in tests: the local OpenID Connect provider
(webapp/scripts/oidc-provider.mjs, run with node), a cookie-keeping HTTP client, and a tiny stand-in for the web
app's build. gunicorn itself is served by tests/servers.py."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SCRIPT = ROOT / "webapp" / "scripts" / "oidc-provider.mjs"
CLIENT_ID, CLIENT_SECRET, PASSWORD = "sip-web", "test-secret", "demo"


class OidcProvider:
    """The local provider on `port`, as `node webapp/scripts/oidc-provider.mjs` runs it; stop() ends it."""

    def __init__(self, port: int, redirect_uris: list[str], *, issuer: str | None = None,
                 token_auth: str = "client_secret_basic"):
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("node is needed for the local OpenID Connect provider")
        self.issuer = issuer or f"http://localhost:{port}"
        command = [node, str(PROVIDER_SCRIPT), "--port", str(port), "--issuer", self.issuer,
                   "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--token-auth", token_auth,
                   "--password", PASSWORD]
        for uri in redirect_uris:
            command += ["--redirect-uri", uri]
        self.errors = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(command, cwd=ROOT / "webapp", stdout=subprocess.PIPE,
                                        stderr=self.errors, text=True)
        ready = threading.Event()
        lines: list[str] = []

        def read():
            for line in self.process.stdout:
                lines.append(line)
                if line.startswith("ready "):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(30):
            self.stop()
            raise RuntimeError("the OpenID Connect provider did not start: " + "".join(lines)
                               + (self.errors.seek(0) or self.errors.read())[-2000:])

    def settings(self) -> dict:
        """The app's settings for signing in through this provider."""
        return {"OIDC_ISSUER": self.issuer, "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET}

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Answer:
    status: int
    url: str
    headers: object
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str | None:
        return self.headers.get("Location")


@dataclass
class Browser:
    """An HTTP client that keeps cookies and follows redirects as a browser does, except to a URL starting
    with one of `stop_at` (the answer redirecting there is returned instead)."""

    stop_at: tuple[str, ...] = ()
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def __post_init__(self):
        browser = self

        class Redirects(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, req, fp, code, msg, headers, newurl):
                if newurl.startswith(browser.stop_at):
                    return None
                return super().redirect_request(req, fp, code, msg, headers, newurl)

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), Redirects)

    def open(self, url: str, form: dict | None = None, headers: dict | None = None, method: str | None = None,
             data: bytes | None = None) -> Answer:
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with self.opener.open(request, timeout=30) as answer:
                return Answer(answer.status, answer.url, answer.headers, answer.read())
        except urllib.error.HTTPError as err:
            return Answer(err.code, err.url, err.headers, err.read())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


def form_action(html: str, ending: str) -> str:
    """The action of the page's form whose action ends with `ending`."""
    for action in re.findall(r'<form[^>]*action="([^"]+)"', html):
        if unescape(action).endswith(ending):
            return unescape(action)
    raise AssertionError(f"no form posting to …{ending} in the page")


def sign_in_at_provider(browser: Browser, page: Answer, login: str, password: str = PASSWORD) -> Answer:
    """Fill in the provider's login page (fields Användarnamn and Lösenord) and send it."""
    assert 'for="login">Användarnamn<' in page.text and 'for="password">Lösenord<' in page.text, page.text[:500]
    action = urllib.parse.urljoin(page.url, form_action(page.text, "/login"))
    return browser.open(action, form={"login": login, "password": password})


def fake_webapp(root: Path) -> Path:
    """A tiny build of the web app: index.html, a hashed script (and its brotli copy), a favicon."""
    (root / "assets").mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text('<!DOCTYPE html><html lang="sv"><head><title>SIP</title>'
                                     '<script type="module" src="/assets/app-3f2a1b.js"></script></head>'
                                     '<body><div id="root"></div></body></html>', encoding="utf-8")
    (root / "assets" / "app-3f2a1b.js").write_text("console.log('SIP');\n", encoding="utf-8")
    (root / "assets" / "app-3f2a1b.js.br").write_bytes(b"(the script, brotli-compressed)")
    (root / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    return root
