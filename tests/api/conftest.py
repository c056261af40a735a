"""HTTP fixtures: Flask's test client, and a real gunicorn serving the app on a free local port."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers import gunicorn

ROOT = Path(__file__).resolve().parents[2]
PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}


KOMMUN_ORG = ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad")


def user_token(username: str, organisation: tuple[str, str, str] | None = KOMMUN_ORG,
               roles=("staff",)) -> str:
    """A user of the organisation (name, huvudman kind, region) with a fresh API token."""
    from engine.database import db
    from engine.identity import ensure_organisation, ensure_user, issue_token

    org = ensure_organisation(*organisation) if organisation else None
    ensure_user(username, username.title(), org, list(roles))
    token = issue_token(username)
    db.session.commit()
    return token


def signed_in(app, token: str):
    """Flask's test client sending `Authorization: Bearer <token>` with every request."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


@pytest.fixture
def client(app):
    """Signed in as eva, staff of the coordinating organisation of the routine's walks."""
    return signed_in(app, user_token("eva"))


@pytest.fixture
def other_client(app):
    """Signed in as per, staff of the same organisation as eva."""
    return signed_in(app, user_token("per"))


@pytest.fixture
def start(client):
    def _start(region="kristianstad", **variables):
        response = client.post("/api/v1/cases", json={"region": region, "person": PERSON, "variables": variables})
        assert response.status_code == 201, response.json
        return response.json
    return _start


@pytest.fixture
def gunicorn_server(app, migrated):
    """gunicorn with several workers on the test database, as `docker-compose.yml` runs it."""
    with gunicorn(migrated, WORKERS=4) as base:
        yield base
