"""The staff web app, served from its build (WEBAPP_DIR, default webapp/dist: `index.html` and `assets/`).

- `/assets/<file>`: the build's hashed files, cached for a year (`immutable`); a precompressed `.br` or `.gz`
  beside a file is sent to a browser that accepts it.
- Other files at the build's top (favicon, …): as they are, cached an hour.
- Every other GET path outside `/api/`, `/auth/` and `/logga-in` whose last segment has no dot: `index.html`
  (`no-cache`), for the app's own routing; without a valid session, a redirect to `/logga-in?next=<path>`
  instead. A missing file (a name with a dot) is 404.
- No build: a page in Swedish (503) saying how to build it."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Flask, abort, request, send_file
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

from ..config import setting
from . import sessions
from .pages import message_page, protect_app, to_sign_in

app_shell = Blueprint("app_shell", __name__)
app_shell.after_request(protect_app)

YEAR = 365 * 24 * 3600
HOUR = 3600
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
BUILD = "npm --prefix webapp ci && npm --prefix webapp run build"


class AppPathConverter(PathConverter):
    """A path of the web app: anything but the API, the sign-in routes, the sign-in page and the person's own
    view (engine/web/person_pages.py)."""

    regex = r"(?!(?:api|auth|logga-in|assets|min-plan)(?:/|$))[^/].*?"


def register_converter(app: Flask) -> None:
    app.url_map.converters["app_path"] = AppPathConverter


def build_dir() -> Path:
    return Path(setting("WEBAPP_DIR"))


def _not_built():
    return message_page(
        503, "Webbappen är inte byggd",
        "Servern är igång, men webbappen har inte byggts än, så det finns inget att visa här.",
        "Den som sköter servern bygger den med kommandot nedan och laddar sedan om sidan:",
        command=BUILD, link={"href": "/api/v1/docs", "text": "API:ts dokumentation finns ändå här"})


def _file(path: Path, max_age: int, immutable: bool = False):
    """The file, or a precompressed copy of it the browser accepts."""
    chosen, encoding = path, None
    for name, suffix in ENCODINGS:
        candidate = path.with_name(path.name + suffix)
        if request.accept_encodings[name] and candidate.is_file():
            chosen, encoding = candidate, name
            break
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = send_file(chosen, mimetype=mimetype, max_age=max_age, conditional=True)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    if any(path.with_name(path.name + suffix).is_file() for _, suffix in ENCODINGS):
        response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    if immutable:
        response.cache_control.immutable = True
    return response


def _under(root: Path, name: str) -> Path | None:
    joined = safe_join(str(root), name)
    if joined is None:
        return None
    path = Path(joined)
    return path if path.is_file() and not path.name.endswith((".br", ".gz")) else None


@app_shell.get("/assets/<path:name>")
def asset(name: str):
    path = _under(build_dir() / "assets", name)
    if path is None:
        abort(404)
    return _file(path, YEAR, immutable=True)


@app_shell.get("/")
@app_shell.get("/<app_path:path>")
def shell(path: str = ""):
    root = build_dir()
    index = root / "index.html"
    if path and path != "index.html" and (found := _under(root, path)) is not None:
        return _file(found, HOUR)
    # A file the build does not have (a browser's /favicon.ico, say) is not a page of the app; the studio's editor
    # pages end in the path of the routine's file they edit (/studio/<region>/dmn/dmn/mobilt_vardteam.dmn).
    if "." in path.rsplit("/", 1)[-1] and path != "index.html" and not path.startswith("studio/"):
        abort(404)
    if not index.is_file():
        return _not_built()
    if sessions.signed_in() is None:
        here = quote(request.path) + ("?" + request.query_string.decode("latin-1") if request.query_string else "")
        return to_sign_in(next_path=here, status=302)
    response = send_file(index, mimetype="text/html", max_age=0, conditional=True)
    response.headers["Cache-Control"] = "no-cache"
    return response
