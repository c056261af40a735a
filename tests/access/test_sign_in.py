"""Sign-in: API tokens and OpenID Connect JWTs; every bad token is 401 with a reason, an audit row, no data."""

from __future__ import annotations

import json
import time

import jwt
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from engine.database import db
from engine.identity import revoke_tokens, revoke_user
from engine.store import ApiToken, AuditEvent, User
from tests.access.conftest import ORGS
from tests.api.conftest import signed_in, user_token

ISSUER, AUDIENCE = "https://idp.example.se", "sip"


def jwk(key, kid):
    public = key.public_key()
    algorithm = jwt.algorithms.RSAAlgorithm if isinstance(key, rsa.RSAPrivateKey) else jwt.algorithms.ECAlgorithm
    data = json.loads(algorithm.to_jwk(public))
    data.update(kid=kid, use="sig")
    return data


@pytest.fixture(scope="module")
def keys():
    return {"rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
            "ec": ec.generate_private_key(ec.SECP256R1()),
            "stranger": rsa.generate_private_key(public_exponent=65537, key_size=2048)}


@pytest.fixture
def oidc(app, keys):
    app.config.update(OIDC_ISSUER=ISSUER, OIDC_AUDIENCE=AUDIENCE,
                      OIDC_JWKS=json.dumps({"keys": [jwk(keys["rsa"], "rsa1"), jwk(keys["ec"], "ec1")]}))

    def token(key="rsa", kid=None, **claims):
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "sub-1", "hsa_id": "SE2321000016-ABC1", "name": "Per Berg",
                "org": ORGS["vardcentral"][0], "iat": now, "exp": now + 300}
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        algorithm = "ES256" if key == "ec" else "RS256"
        return jwt.encode(body, keys[key], algorithm=algorithm,
                          headers={"kid": kid or {"rsa": "rsa1", "ec": "ec1", "stranger": "rsa1"}[key]})
    return token


def last_audit() -> AuditEvent:
    db.session.expire_all()
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def assert_refused(app, token, reason, header=None):
    client = app.test_client()
    headers = {"Authorization": header if header is not None else f"Bearer {token}"}
    for path in ("/api/v1/cases", "/api/v1/tasks"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401, response.json
        assert response.mimetype == "application/problem+json"
        assert response.json["reason"] == reason
        assert "items" not in response.json
        event = last_audit()
        assert (event.action, event.outcome, event.detail["reason"]) == ("sign_in", "failed", reason)
        assert event.remote_addr == "127.0.0.1"


def test_api_tokens_are_stored_hashed(app):
    token = user_token("eva")
    stored = db.session.scalars(sa.select(ApiToken.token_hash)).all()
    assert token not in stored and len(stored[0]) == 64
    assert signed_in(app, token).get("/api/v1/cases").status_code == 200


def test_no_or_malformed_or_unknown_token_is_401(app):
    assert_refused(app, None, "missing", header="")
    assert_refused(app, None, "malformed", header="Basic ZXZhOmV2YQ==")
    assert_refused(app, "garbage", "malformed")
    assert_refused(app, "sip_" + "x" * 40, "unknown_token")


def test_revoked_token_and_revoked_user_are_401(app):
    token = user_token("eva")
    revoke_tokens("eva")
    db.session.commit()
    assert_refused(app, token, "revoked")
    token = user_token("per")
    revoke_user("per")
    db.session.commit()
    assert_refused(app, token, "revoked")
    assert last_audit().user == "per"


def test_user_of_no_organisation_is_401(app):
    token = user_token("nobody", organisation=None)
    assert_refused(app, token, "no_organisation")


def test_health_and_api_documents_need_no_token(app):
    client = app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/openapi.json").json["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_valid_oidc_tokens_sign_in_as_the_organisation_they_assert(app, world, oidc):
    case_id = world.shared()
    for key in ("rsa", "ec"):
        client = app.test_client()
        response = client.get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {oidc(key=key)}"})
        assert response.status_code == 200, response.json
    user = db.session.scalars(sa.select(User).where(User.username == "SE2321000016-ABC1")).one()
    assert user.organisation.name == ORGS["vardcentral"][0] and user.roles == ["staff"]
    # without the HSA-id the subject names the user; another organisation sees nothing of the case
    token = oidc(hsa_id=None, sub="stockholm-1", org=ORGS["stockholm"][0])
    response = app.test_client().get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 404


def test_bad_oidc_tokens_are_401_with_the_reason(app, world, oidc):
    now = int(time.time())
    assert_refused(app, oidc(exp=now - 3600, iat=now - 7200), "expired")
    assert_refused(app, oidc(aud="another-service"), "audience")
    assert_refused(app, oidc(iss="https://evil.example"), "issuer")
    assert_refused(app, oidc(key="stranger"), "signature")
    assert_refused(app, oidc(kid="unknown"), "unknown_key")
    assert_refused(app, oidc(exp=None), "claims")
    assert_refused(app, oidc(org=None), "no_organisation")
    assert_refused(app, oidc(org="Okänd organisation"), "no_organisation")
    header, _, signature = oidc().split(".")
    _, claims, _ = oidc(org=ORGS["kommun"][0]).split(".")
    assert_refused(app, f"{header}.{claims}.{signature}", "signature")  # another organisation, the old signature
    unsigned = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now + 60, "org": ORGS["kommun"][0]},
                          key=None, algorithm="none")
    assert_refused(app, unsigned, "algorithm")


def test_oidc_user_revoked_locally_is_401(app, world, oidc):
    assert app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {oidc()}"}).status_code == 200
    revoke_user("SE2321000016-ABC1")
    db.session.commit()
    assert_refused(app, oidc(), "revoked")


def test_oidc_not_configured_refuses_jwts(app, keys):
    token = jwt.encode({"sub": "x"}, keys["rsa"], algorithm="RS256")
    assert_refused(app, token, "oidc_not_configured")


def test_a_role_stays_with_the_organisation_it_was_given_for(app, world, oidc):
    """The provider asserts another organisation for a process owner (a move): there the user is staff only,
    with the API's tokens too; asserted for the first organisation again, the role given there holds again."""
    from io import BytesIO

    from engine.identity import ensure_organisation, ensure_user, issue_token

    owner_of = ORGS["stockholm"]
    ensure_user("SE2321000016-ABC1", "Per Berg", ensure_organisation(*owner_of), ["staff", "process_owner"])
    token = issue_token("SE2321000016-ABC1")
    db.session.commit()

    def me(header):
        response = app.test_client().get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 200, response.json
        return response.json["organisation"], response.json["region"], response.json["roles"]

    def deploy(header, region):
        data = {"region": region, "dry_run": "true",
                "files": (BytesIO(b'<?xml version="1.0"?><definitions/>'), "annan.bpmn")}
        return app.test_client().post("/api/v1/deployments", data=data, content_type="multipart/form-data",
                                      headers={"Authorization": header}).status_code

    assert me(f"Bearer {token}") == (owner_of[0], "stockholm", ["staff", "process_owner"])
    assert deploy(f"Bearer {token}", "stockholm") != 403

    moved = f"Bearer {oidc(org=ORGS['vardcentral'][0])}"
    assert me(moved) == (ORGS["vardcentral"][0], "kristianstad", ["staff"])
    assert me(f"Bearer {token}") == (ORGS["vardcentral"][0], "kristianstad", ["staff"])
    for region in ("kristianstad", "stockholm"):
        assert deploy(moved, region) == 403
        assert deploy(f"Bearer {token}", region) == 403
    db.session.expire_all()
    user = db.session.scalars(sa.select(User).where(User.username == "SE2321000016-ABC1")).one()
    assert user.roles == ["staff"]
    assert sorted((g.organisation.name, g.role) for g in user.grants) == [
        (ORGS["vardcentral"][0], "staff"), (owner_of[0], "process_owner"), (owner_of[0], "staff")]

    back = f"Bearer {oidc(org=owner_of[0])}"
    assert me(back) == (owner_of[0], "stockholm", ["staff", "process_owner"])
    assert deploy(back, "stockholm") != 403
