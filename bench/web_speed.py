"""The staff web app's pages in real Chromium, with 100,000 open cases in the database.

The database is filled as for api_speed.py's task list (bench.common.fill_open_cases): 100,000 open cases, one
large organisation with 20,000 of them, 1,000 organisations with about 80 each. Two users are measured, one of
the large organisation and one of a typical one; each has claimed CLAIMED of their organisation's open tasks, so
that the first page, "Mina uppgifter", has rows to show. They are signed in as the web app is: a server-side
session made by engine.web.sessions, its token in the `sip_session` cookie of the browser context.

The product is served by gunicorn as configured (gunicorn.conf.py), with a copy of the built web app
(webapp/dist, taken at the start, so a rebuild during the run changes nothing). Chromium (Playwright, Debian's
/usr/bin/chromium) opens each page:
- cold: a new browser context for each sample (no cache, no connection, no earlier page);
- warm: the page reloaded in a context that has loaded it before (its cache and connections kept).

(a) Time to usable: from the start of the navigation (the document's time origin) to the moment the page shows
    what a user came for, with its scripts run and its data fetched: for the task lists the first row's task
    link, for the case list the first case link, for a case its heading, for a task its form's submit button.
    A MutationObserver installed before any of the page's scripts notes the moment; the element is then checked
    to be visible. Also DOMContentLoaded and load (Navigation Timing) and the largest contentful paint so far.
    Target: the first page (`/`, which goes to `/uppgifter`) usable within 1 s, median and p95.
(b) The JavaScript each page loaded before it was usable (Resource Timing): bytes as built, gzip level 9, and
    as transferred (the product sends a precompressed `.br` or `.gz` copy where the build has one). Target
    under 300 KB compressed; bpmn-js (the chunk with bpmn.io's `bjs-powered-by` mark) is not loaded before the
    case page's diagram is opened.

    python bench/web_speed.py            # SQLite file
    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/sip_bench python bench/web_speed.py

The PostgreSQL database is wiped. SIP_BENCH_CASES (default 100000) sets the number of open cases. Build the web
app first: `npm --prefix webapp run build`.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_speed import REGION, USER, USER_ORG  # noqa: E402
from bench.common import (  # noqa: E402
    LARGE_ORG,
    LARGE_SHARE,
    ORGANISATIONS,
    ROOT,
    describe_database,
    fill_open_cases,
    fresh_app,
    gunicorn,
    machine,
    median,
    organisation,
    p95,
    sign_in,
    verdict,
)

CASES = int(os.environ.get("SIP_BENCH_CASES", "100000"))
CHROMIUM = os.environ.get("SIP_BENCH_CHROMIUM", "/usr/bin/chromium")
FIRST_SAMPLES = 30  # the first page, cold and warm, each user
OTHER_SAMPLES = 10  # every other page
WARM_UP = 2  # untimed loads of each page first, so that every gunicorn worker has served the app once
CLAIMED = 40  # open tasks each measured user holds
USABLE_MS = 1000.0
JS_BUDGET = 300_000  # bytes, compressed
BPMN_JS_MARK = b"bjs-powered-by"

# What a page shows once usable: a JavaScript expression, true from that moment on.
TASK_ROW = "document.querySelector('tr[id^=\"uppgift-\"] a[href^=\"/uppgifter/\"]')"
CASE_ROW = "document.querySelector('main table a[href^=\"/arenden/\"]')"
CASE_HEADING = "[...document.querySelectorAll('main h1')].find((h) => h.textContent.startsWith('SIP för'))"
TASK_FORM = "document.querySelector('main form button[type=\"submit\"]')"
DIAGRAM_DRAWN = "#rutinen-innehall .djs-element.state-open"

# Installed before any script of the page: notes when the page became usable, and the largest contentful paint.
WATCH = """(() => {
  const usable = () => %s;
  const check = () => {
    if (window.__usable === undefined && usable()) {
      window.__usable = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {childList: true, subtree: true, characterData: true});
  window.__lcp = null;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__lcp = entry.startTime;
  }).observe({type: "largest-contentful-paint", buffered: true});
})();"""

READ = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    usable: window.__usable, lcp: window.__lcp,
    document: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    resources: performance.getEntriesByType("resource").map((r) => ({
      url: r.name, start: r.startTime, end: r.responseEnd, encoded: r.encodedBodySize,
      decoded: r.decodedBodySize, transfer: r.transferSize})),
  };
}"""

OPEN_DIAGRAM = """async (selector) => {
  const start = performance.now();
  document.querySelector('button[aria-controls="rutinen-innehall"]').click();
  await new Promise((resolve) => {
    const check = () => { if (document.querySelector(selector)) { observer.disconnect(); resolve(); } };
    const observer = new MutationObserver(check);
    observer.observe(document, {childList: true, subtree: true, attributes: true});
    check();
  });
  return {start, drawn: performance.now()};
}"""


@dataclass
class Person:
    """A measured user: their session's cookies, a task they hold and its case."""

    label: str
    username: str
    organisation: str
    cookies: list[dict]
    task_id: str
    case_id: str


@dataclass
class Load:
    usable: float
    document: float
    dcl: float
    load: float
    lcp: float | None
    resources: list[dict]
    encodings: dict[str, str] = field(default_factory=dict)  # asset path -> Content-Encoding as sent


# -- the database ---------------------------------------------------------------------------------------
def fill(app, count: int) -> list[Person]:
    """`count` open cases (bench.common.fill_open_cases) and the two measured users, each holding CLAIMED of
    their organisation's tasks (the typical organisation's user about half of its), each with a browser
    session. Returns the users."""
    import sqlalchemy as sa

    from engine.database import db
    from engine.store import Task

    large = int(count * LARGE_SHARE)
    typical_index = (count - 1) % ORGANISATIONS
    typical = organisation(typical_index)
    every = max(1, large // CLAIMED)

    def claimed_by(i: int, org: str) -> str | None:
        if org == LARGE_ORG[0] and i % every == 0 and i // every < CLAIMED:
            return "web.large"
        if org == typical[0] and (i // ORGANISATIONS) % 2 == 0:
            return "web.typical"
        return None

    with app.app_context():
        sign_in(USER, USER_ORG)
    filled = fill_open_cases(app, count, REGION, USER, claimed_by)
    people = []
    with app.app_context():
        for label, username, org in (("large organisation", "web.large", LARGE_ORG),
                                     ("typical organisation", "web.typical", typical)):
            sign_in(username, org)
            task = db.session.execute(sa.select(Task.id, Task.case_id).where(Task.assignee == username)
                                      .order_by(Task.id).limit(1)).one()
            people.append(Person(label, username, org[0], session_cookies(app, username), task.id, task.case_id))
        held = {p.username: db.session.scalar(sa.select(sa.func.count()).select_from(Task)
                                              .where(Task.assignee == p.username)) for p in people}
    print(f"filled by cloning one started case {filled.cases:,} times in {filled.seconds:.1f} s: "
          f"'{LARGE_ORG[0]}' holds {filled.large:,} cases, {ORGANISATIONS:,} organisations about "
          f"{(filled.cases - filled.large) // ORGANISATIONS} each")
    for person in people:
        print(f"  {person.label}: {person.username} of '{person.organisation}', holding {held[person.username]} of "
              "its open tasks, signed in with a server-side session (cookie sip_session)")
    return people


def session_cookies(app, username: str) -> list[dict]:
    """A session as sign-in makes it (engine.web.sessions), as the browser's cookies."""
    from engine.web import sessions

    with app.test_request_context("/"):
        token, session = sessions.create(username)
    return [{"name": sessions.SESSION_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/",
             "httpOnly": True, "sameSite": "Lax"},
            {"name": sessions.CSRF_COOKIE, "value": session.csrf_token, "domain": "127.0.0.1", "path": "/",
             "sameSite": "Strict"}]


# -- the web app ----------------------------------------------------------------------------------------
def copy_of_build(source: Path) -> Path:
    """The built web app, copied: the run serves what was built when it started."""
    if not (source / "index.html").is_file():
        sys.exit(f"no build in {source}: run `npm --prefix webapp run build` first")
    target = Path(tempfile.mkdtemp(prefix="bench-webapp-")) / "dist"
    shutil.copytree(source, target)
    return target


def describe_build(dist: Path) -> str:
    entry = re.search(r'src="(/assets/[^"]+\.js)"', (dist / "index.html").read_text())
    compressed = sorted({p.suffix for p in (dist / "assets").iterdir() if p.suffix in (".gz", ".br")})
    built = datetime.fromtimestamp((dist / "index.html").stat().st_mtime, UTC)
    return (f"web app: built {built:%Y-%m-%d %H:%M} UTC, entry {entry.group(1) if entry else '?'}, "
            f"precompressed copies: {', '.join(compressed) or 'none'}")


# -- loading pages --------------------------------------------------------------------------------------
class Pages:
    """Loads of the product's pages in Chromium, as a user with a session."""

    def __init__(self, browser, base: str):
        self.browser = browser
        self.base = base

    def context(self, person: Person, usable: str):
        context = self.browser.new_context(base_url=self.base, locale="sv-SE", timezone_id="Europe/Stockholm",
                                           viewport={"width": 1280, "height": 900})
        context.set_default_timeout(60_000)
        context.add_cookies(person.cookies)
        context.add_init_script(WATCH % usable)
        page = context.new_page()
        encodings: dict[str, str] = {}
        page.on("response", lambda r: encodings.__setitem__(urlsplit(r.url).path,
                                                            r.headers.get("content-encoding", "")))
        page.encodings = encodings
        return context, page

    def measure(self, page, navigate) -> Load:
        page.encodings.clear()
        navigate()
        page.wait_for_function("() => window.__usable !== undefined")
        page.wait_for_load_state("load")
        found = page.evaluate(READ)
        return Load(found["usable"], found["document"], found["dcl"], found["load"], found["lcp"], found["resources"],
                    dict(page.encodings))

    def cold(self, person: Person, path: str, usable: str, then=None) -> Load:
        context, page = self.context(person, usable)
        try:
            load = self.measure(page, lambda: page.goto(path, wait_until="commit"))
            visible(page, usable)
            if then is not None:
                then(page, load)
            return load
        finally:
            context.close()

    def warm(self, person: Person, path: str, usable: str, n: int) -> list[Load]:
        context, page = self.context(person, usable)
        try:
            self.measure(page, lambda: page.goto(path, wait_until="commit"))
            loads = []
            for _ in range(n):
                loads.append(self.measure(page, lambda: page.reload(wait_until="commit")))
                visible(page, usable)
            return loads
        finally:
            context.close()


def visible(page, usable: str) -> None:
    assert page.evaluate(f"() => {{ const e = {usable}; const r = e && e.getBoundingClientRect(); "
                         "return Boolean(r && r.width > 0 && r.height > 0); }"), f"not visible: {usable}"


def scripts_before(load: Load, moment: float) -> list[dict]:
    """The web app's scripts the page had fetched by `moment` (ms since its navigation started)."""
    return [r for r in load.resources
            if urlsplit(r["url"]).path.startswith("/assets/") and urlsplit(r["url"]).path.endswith(".js")
            and r["end"] <= moment]


def api_requests(load: Load) -> dict[str, float]:
    """The API requests a load made before it was usable: ms each, by path (ids and queries left out)."""
    found = {}
    for r in load.resources:
        path = urlsplit(r["url"]).path
        if path.startswith("/api/") and r["end"] <= load.usable:
            path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", path)
            found[path + ("?assignee=me…" if "assignee=me" in r["url"] else "")] = r["end"] - r["start"]
    return found


STEPS = ("document", "scripts", "signed in", "data asked", "data in", "usable")


def steps(load: Load) -> dict[str, float]:
    """When a load reached each step, ms since its navigation started: the document received, the last script
    it needed received, who is signed in (/api/v1/me) answered, the page's first other API request sent and its
    last answered, usable."""
    before = [r for r in load.resources if r["end"] <= load.usable]
    scripts = scripts_before(load, load.usable)
    me = [r["end"] for r in before if urlsplit(r["url"]).path == "/api/v1/me"]
    data = [r for r in before if urlsplit(r["url"]).path.startswith("/api/")
            and urlsplit(r["url"]).path != "/api/v1/me"]
    return {"document": load.document, "scripts": max((r["end"] for r in scripts), default=load.document),
            "signed in": me[0] if me else float("nan"), "data asked": min((r["start"] for r in data), default=0),
            "data in": max((r["end"] for r in data), default=0), "usable": load.usable}


# -- (a) time to usable -----------------------------------------------------------------------------------
@dataclass
class Page:
    name: str
    path: str  # may name {task_id} and {case_id}
    usable: str
    samples: int


def pages(first_samples: int, other_samples: int) -> list[Page]:
    return [
        Page("first page: / → Mina uppgifter", "/", TASK_ROW, first_samples),
        Page("Min verksamhets uppgifter", "/uppgifter?vy=verksamhet", TASK_ROW, other_samples),
        Page("case list /arenden", "/arenden", CASE_ROW, other_samples),
        Page("case page /arenden/<id>", "/arenden/{case_id}", CASE_HEADING, other_samples),
        Page("task page /uppgifter/<id> (a form)", "/uppgifter/{task_id}", TASK_FORM, other_samples),
    ]


def time_to_usable(loader: Pages, people: list[Person], which: list[Page],
                   warm_up: int = WARM_UP) -> dict[tuple[str, str, str], list[Load]]:
    """Cold and warm loads of each page for each user: {(page, user, setting): loads}."""
    print("\n(a) time to usable: navigation start → the page shows its first row (or heading, or form) with its "
          "scripts run; median / p95 in ms")
    print(f"  {'page':<36} {'user':<22} {'setting':<5} {'usable':>17} {'DOMContentLoaded':>17} {'load':>17} "
          f"{'LCP':>17}")
    results = {}
    for page in which:
        for person in people:
            path = page.path.format(task_id=person.task_id, case_id=person.case_id)
            for _ in range(warm_up):
                loader.cold(person, path, page.usable)
            cold = [loader.cold(person, path, page.usable) for _ in range(page.samples)]
            warm = loader.warm(person, path, page.usable, page.samples)
            for setting, loads in (("cold", cold), ("warm", warm)):
                results[page.name, person.label, setting] = loads
                lcps = [x.lcp for x in loads if x.lcp is not None]
                print(f"  {page.name:<36} {person.label:<22} {setting:<5} "
                      f"{figures([x.usable for x in loads]):>17} {figures([x.dcl for x in loads]):>17} "
                      f"{figures([x.load for x in loads]):>17} {figures(lcps) if lcps else '-':>17}")
    return results


def figures(samples: list[float]) -> str:
    return f"{median(samples):7.0f} / {p95(samples):5.0f}"


def report_usable(results, first: str) -> bool:
    ok = True
    print(f"  target: the first page usable within {USABLE_MS:.0f} ms (median and p95; n = "
          f"{len(next(iter(results.values())))} each)")
    for (page, user, setting), loads in results.items():
        if page != first:
            continue
        times = [x.usable for x in loads]
        met = p95(times) < USABLE_MS
        ok &= met
        print(f"    {user:<22} {setting:<5} median {median(times):6.0f} ms  p95 {p95(times):6.0f} ms  "
              f"{verdict(met)}")
    print("  where the time goes: each step's moment since the navigation started, median ms (a lazily loaded page "
          "asks for its data once React shows it; React 19 shows a suspended page no sooner than 300 ms after its "
          "'Laddar …' placeholder)")
    print(f"    {'page':<36} {'user':<22} {'':<5} " + " ".join(f"{step:>10}" for step in STEPS))
    for (page, user, setting), loads in results.items():
        moments = [steps(load) for load in loads]
        print(f"    {page:<36} {user:<22} {setting:<5} "
              + " ".join(f"{median([m[step] for m in moments]):>10.0f}" for step in STEPS))
    print("  the API requests of the first page, cold (ms each, median / p95):")
    for (page, user, setting), loads in results.items():
        if page != first or setting != "cold":
            continue
        by_path = defaultdict(list)
        for load in loads:
            for path, ms in api_requests(load).items():
                by_path[path].append(ms)
        print(f"    {user:<22} " + "; ".join(f"{path} {median(ms):.0f} / {p95(ms):.0f}"
                                              for path, ms in sorted(by_path.items())))
    return ok


# -- (b) JavaScript before usable --------------------------------------------------------------------------
def javascript(loader: Pages, person: Person, dist: Path) -> bool:
    """The scripts of the task list, a task page, a case page and the case page with its diagram opened, as
    a first visit (cold) loads them before the page is usable."""
    print("\n(b) JavaScript loaded before the page was usable (cold: a first visit), bytes")
    sizes = {}
    for path in (dist / "assets").glob("*.js"):
        raw = path.read_bytes()
        sizes[path.name] = (len(raw), len(gzip.compress(raw, 9)), BPMN_JS_MARK in raw)
    opened = {}

    def open_diagram(page, load):
        moments = page.evaluate(OPEN_DIAGRAM, DIAGRAM_DRAWN)
        after = page.evaluate(READ)
        opened["load"] = Load(moments["drawn"], load.document, load.dcl, load.load, load.lcp, after["resources"],
                              {**load.encodings, **page.encodings})
        opened["ms"] = moments["drawn"] - moments["start"]

    loads = {
        "task list (/ → Mina uppgifter)": loader.cold(person, "/", TASK_ROW),
        "task page (a form)": loader.cold(person, f"/uppgifter/{person.task_id}", TASK_FORM),
        "case page": loader.cold(person, f"/arenden/{person.case_id}", CASE_HEADING, then=open_diagram),
    }
    loads["case page, diagram opened"] = opened["load"]
    ok, uncompressed = True, False
    print(f"  {'page':<32} {'files':>5} {'as built':>10} {'gzip -9':>10} {'transferred':>12}  bpmn-js  files")
    for name, load in loads.items():
        scripts = scripts_before(load, load.usable)
        files = [urlsplit(r["url"]).path.rsplit("/", 1)[-1] for r in scripts]
        raw = sum(sizes[f][0] for f in files)
        packed = sum(sizes[f][1] for f in files)
        sent = sum(r["encoded"] for r in scripts)
        encodings = sorted({load.encodings.get(f"/assets/{f}") or "identity" for f in files})
        bpmn = any(sizes[f][2] for f in files)
        ok &= packed < JS_BUDGET
        uncompressed |= encodings == ["identity"]
        print(f"  {name:<32} {len(files):>5} {raw:>10,} {packed:>10,} {sent:>12,}  {'yes' if bpmn else 'no':<7}  "
              f"{', '.join(files)} ({'/'.join(encodings)})")
    print(f"  target: under {JS_BUDGET:,} bytes compressed (gzip -9) before usable: {verdict(ok)}")
    if uncompressed:
        print("  NOTE: scripts were sent as built, uncompressed: the build has no .gz/.br copies (`npm run build` "
              "makes them)")
    bpmn_early = [name for name in ("task list (/ → Mina uppgifter)", "task page (a form)", "case page")
                  if any(sizes[urlsplit(r["url"]).path.rsplit("/", 1)[-1]][2]
                         for r in scripts_before(loads[name], loads[name].usable))]
    bpmn_opened = any(sizes[urlsplit(r["url"]).path.rsplit("/", 1)[-1]][2]
                      for r in scripts_before(opened["load"], opened["load"].usable))
    print(f"  bpmn-js only once the diagram is opened: {verdict(not bpmn_early and bpmn_opened)}"
          + (f" (loaded early on: {', '.join(bpmn_early)})" if bpmn_early else "")
          + (" (not loaded when the diagram was opened)" if not bpmn_opened else ""))
    print(f"  the diagram drawn, with where the case stands, {opened['ms']:.0f} ms after 'Rutinen' was clicked "
          "(bpmn-js fetched, the diagram's API answered, drawn)")
    assert not bpmn_early and bpmn_opened, "bpmn-js is loaded before the diagram is opened"
    return ok


# -- the run ---------------------------------------------------------------------------------------------
def measure(browser, base: str, dist: Path, people: list[Person], which: list[Page] | None = None,
            warm_up: int = WARM_UP) -> tuple[bool, bool]:
    """(a) for `which` pages (all, FIRST_SAMPLES and OTHER_SAMPLES each) and (b) against a running server;
    whether the targets were met."""
    loader = Pages(browser, base)
    which = which or pages(FIRST_SAMPLES, OTHER_SAMPLES)
    results = time_to_usable(loader, people, which, warm_up)
    usable = report_usable(results, which[0].name)
    small = javascript(loader, people[-1], dist)
    return usable, small


def main():
    from playwright.sync_api import sync_playwright

    app, url = fresh_app()
    print(f"database: {describe_database(url)}; {machine()}")
    dist = copy_of_build(ROOT / "webapp" / "dist")
    print(describe_build(dist))
    people = fill(app, CASES)
    with gunicorn(url, env={"SIP_WEBAPP_DIR": str(dist)}) as base, sync_playwright() as driver:
        workers = os.environ.get("SIP_WORKERS") or f"{2 * (os.cpu_count() or 1) + 1} (gunicorn.conf.py default)"
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        print(f"gunicorn: {base}, workers: {workers}; Chromium {browser.version} (headless)")
        try:
            usable, small = measure(browser, base, dist, people)
        finally:
            browser.close()
    print(f"\nverdicts: the first page usable within 1 s: {verdict(usable)}; JavaScript before usable under "
          f"300 KB compressed: {verdict(small)}")
    shutil.rmtree(dist.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
