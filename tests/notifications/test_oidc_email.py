"""Staff signing in through the organisation's OpenID Connect provider get notifications at the address it vouches
for, until they choose another."""

from __future__ import annotations

from engine.identity import ensure_organisation
from tests.access.test_sign_in import ORGS, keys, oidc  # noqa: F401 (fixtures)


def test_the_providers_verified_address_is_where_notifications_go_until_the_user_chooses_one(app, oidc):  # noqa: F811
    ensure_organisation(*ORGS["vardcentral"])
    from engine.database import db

    db.session.commit()
    client = app.test_client()

    def settings(token, **body):
        headers = {"Authorization": f"Bearer {token}"}
        if body:
            return client.put("/api/v1/me/notifications", json=body, headers=headers).json
        return client.get("/api/v1/me/notifications", headers=headers).json

    unverified = oidc(email="per.berg@vc.example.se", email_verified=False)
    assert settings(unverified)["email"] is None, "an address the provider does not vouch for is not used"
    verified = oidc(email="per.berg@vc.example.se", email_verified=True)
    assert settings(verified)["email"] == "per.berg@vc.example.se"
    assert settings(verified, email="per@annan.example.se")["email"] == "per@annan.example.se"
    assert settings(oidc(email="per.berg@vc.example.se"))["email"] == "per@annan.example.se", "the user's choice stays"
