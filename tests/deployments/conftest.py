"""Deployments over real HTTP (Flask's test client) with real process files: the base's files, changed
where a test needs it, and the attack files in files/."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.database import db

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
FILES = Path(__file__).resolve().parent / "files"
PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}


def base_text(path: str) -> str:
    """A base file by its path in the set: bpmn/…, dmn/… or forms/…."""
    folder, name = path.split("/", 1)
    return ((FORMS if folder == "forms" else PROCESSES / folder) / name).read_text(encoding="utf-8")


def changed(path: str, old: str, new: str) -> str:
    """A base file with one piece of text replaced (the test fails if the text is not there)."""
    text = base_text(path)
    assert old in text, f"{old!r} is not in {path}"
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    """The line (from 1) where `needle` first occurs in `text`: where a problem about it must point."""
    assert needle in text, f"{needle!r} is not in the text"
    return text[: text.index(needle)].count("\n") + 1


def signed_in(app, username: str, region: str, roles=("staff",)):
    """Flask's test client signed in (API token) as a user of an organisation in `region`."""
    from engine.identity import ensure_organisation, ensure_user, issue_token

    org = ensure_organisation(f"Kommunen i {region}", "kommun_sol", region)
    ensure_user(username, username, org, list(roles))
    token = issue_token(username)
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def client(app):
    """Signed in as staff of an organisation in Kristianstad: reads what is deployed and starts cases."""
    db.session.execute(sa.text("DELETE FROM deployments"))
    db.session.commit()
    return signed_in(app, "eva", "kristianstad")


@pytest.fixture
def owner(app, client):
    """A client signed in as a process owner of the region (one user per region)."""
    owners = {}

    def _owner(region: str):
        if region not in owners:
            owners[region] = signed_in(app, f"agare_{region}", region, roles=("staff", "process_owner"))
        return owners[region]
    return _owner


@pytest.fixture
def upload(owner):
    """POST /api/v1/deployments as a process owner of the region, with files (name -> text or bytes) and
    form fields."""
    def _upload(files: dict[str, str | bytes], region: str = "kristianstad", as_client=None, **form):
        data = {"region": region, **{k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()}}
        data["files"] = [(io.BytesIO(c.encode("utf-8") if isinstance(c, str) else c), name)
                         for name, c in files.items()]
        sender = as_client or owner(region if region and region.isidentifier() and region.islower() else "x")
        return sender.post("/api/v1/deployments", data=data, content_type="multipart/form-data")
    return _upload


@pytest.fixture
def start(client):
    def _start(region: str):
        response = client.post("/api/v1/cases", json={"region": region, "person": PERSON})
        assert response.status_code == 201, response.json
        return response.json
    return _start


def count(table: str) -> int:
    return db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {table}"))
