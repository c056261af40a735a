"""Browser fixtures: the built web app served by a real gunicorn (development setting, demo users, the base
routine and every region's variant deployed) on the test database, and real Chromium driven by Playwright.

A failing browser test leaves a screenshot of each of its pages in `test-results/`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
# SIP_TEST_WEBAPP_DIST: a build of the web app elsewhere (`vite build --outDir`), to test it while dist/ is rebuilt.
DIST = Path(os.environ.get("SIP_TEST_WEBAPP_DIST") or WEBAPP / "dist")
AXE = WEBAPP / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("SIP_TEST_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-results"


def _build_webapp() -> None:
    """The web app as the README's commands build it; built here only when nothing built it before."""
    if (DIST / "index.html").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to build the web app (webapp/)")
    if not (WEBAPP / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEBAPP, check=True)
    subprocess.run([npm, "run", "build"], cwd=WEBAPP, check=True)


@pytest.fixture(scope="session")
def built_webapp():
    _build_webapp()
    return DIST


@pytest.fixture
def demo(app):
    """Demo organisations and users (`flask --app engine demo`) and every region's variant deployed, as
    `flask --app engine init` does. Returns each demo user's details and API token by username."""
    from engine.cli import initialise_regions
    from engine.identity.demo import load_demo

    assert initialise_regions(echo=lambda *args, **kwargs: None)
    return {person["username"]: person for person in load_demo()}


@pytest.fixture(scope="session")
def serving(migrated, built_webapp):
    """gunicorn serving the product (API, sign-in pages and the built web app) in its development setting, for
    the whole session: one worker of four threads, which is all a test's pages need. Starting and stopping a
    server for each browser test cost it about four seconds; the server keeps nothing of a test that the next
    could see, as every state is in the database, which each test starts clean (`app`), and what it caches is
    keyed by the content of what it was read from."""
    with gunicorn(migrated, WORKERS=1, THREADS=4, ENVIRONMENT="development", WEBAPP_DIR=built_webapp) as base:
        yield base


@pytest.fixture
def web_server(app, demo, serving):
    """The served product's base URL, on a clean database with the demo users and every routine deployed."""
    return serving


@pytest.fixture(scope="session")
def playwright_driver():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def new_page(request, browser, web_server):
    """A page in a browser session of its own (its own cookies): `new_page()`. Screenshots on failure."""
    contexts = []

    def _new_page():
        context = browser.new_context(base_url=web_server, locale="sv-SE", timezone_id="Europe/Stockholm",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    failed = any(getattr(request.node, f"report_{when}", None) is not None
                 and getattr(request.node, f"report_{when}").failed for when in ("setup", "call"))
    for number, context in enumerate(contexts):
        if failed:
            SCREENSHOTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for index, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{number}-{index}.png"), full_page=True)
                except Exception:  # noqa: BLE001 (a screenshot must not hide the test's own failure)
                    pass
        context.close()


def sign_in(page, person: dict) -> None:
    """Sign in on the sign-in page by clicking the demo user, as a newcomer does."""
    page.goto("/logga-in")
    page.get_by_role("button", name=f"Logga in som {person['name']}").click()
    page.wait_for_url(re.compile(r"/uppgifter"))


@pytest.fixture
def page_as(new_page, demo):
    """A page signed in as a demo user (by username, e.g. ``demo.eva``), in a browser session of its own."""

    def _page_as(username: str):
        page = new_page()
        sign_in(page, demo[username])
        return page

    return _page_as


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate("""async () => await window.axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [v for v in results["violations"] if v.get("impact") in impacts]


@pytest.fixture
def axe():
    """`axe(page)` fails the test on any serious or critical WCAG 2.1 AA violation on the page as it is now."""

    def _check(page, what: str = ""):
        found = axe_violations(page)
        if found:
            lines = [f"{v['id']} ({v['impact']}): {v['help']} — "
                     + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else json.dumps(n["target"])
                                 for n in v["nodes"][:5]) for v in found]
            pytest.fail(f"axe-core on {what or page.url}:\n" + "\n".join(lines))

    return _check


@pytest.fixture
def api_as(web_server, demo):
    """`api_as(username)(method, path, body=None)` → (status, JSON): the API over HTTP with the demo user's
    token, to set up a case's state quickly where the page under test is not the one that makes it."""

    def _api_as(username: str):
        token = demo[username]["token"]

        def call(method: str, path: str, body=None, headers=None):
            data = None if body is None else json.dumps(body).encode()
            request = urllib.request.Request(f"{web_server}/api/v1{path}", data=data, method=method, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Accept": "application/json", **(headers or {})})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    text = response.read()
                    return response.status, (json.loads(text) if text else None)
            except urllib.error.HTTPError as err:
                return err.code, json.loads(err.read() or b"null")

        return call

    return _api_as
