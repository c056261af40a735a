"""Each user's notification settings over the API: their e-mail address and a choice per kind of event."""

from __future__ import annotations

from tests.api.conftest import signed_in, user_token


def test_a_user_reads_and_changes_what_they_are_told_and_where(app):
    client = signed_in(app, user_token("eva"))
    first = client.get("/api/v1/me/notifications")
    assert first.status_code == 200
    assert first.json["email"] is None
    assert set(first.json["preferences"].values()) == {"immediately"}, "told at once until chosen otherwise"
    assert {k["kind"]: k["title"] for k in first.json["kinds"]}["summons"] == "Kallelse till SIP-möte"

    changed = client.put("/api/v1/me/notifications", json={
        "email": "eva@kommun.example.se", "preferences": {"task_created": "daily", "case_closed": "never"}})
    assert changed.status_code == 200, changed.json
    again = client.get("/api/v1/me/notifications").json
    assert again["email"] == "eva@kommun.example.se"
    assert (again["preferences"]["task_created"], again["preferences"]["case_closed"],
            again["preferences"]["summons"]) == ("daily", "never", "immediately")

    other = signed_in(app, user_token("per")).get("/api/v1/me/notifications").json
    assert other["email"] is None and other["preferences"]["task_created"] == "immediately", "each user's own"


def test_wrong_settings_are_refused_naming_each_field_and_nothing_is_stored(app):
    client = signed_in(app, user_token("eva"))
    client.put("/api/v1/me/notifications", json={"email": "eva@kommun.example.se"})
    refused = client.put("/api/v1/me/notifications", json={
        "email": "inte en adress", "preferences": {"task_created": "ibland", "vaderleken": "daily",
                                                   "summons": "never"}})
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert {e["field"] for e in refused.json["errors"]} == {"email", "preferences/task_created",
                                                            "preferences/vaderleken"}
    assert next(e for e in refused.json["errors"] if e["field"] == "email")["message"] == \
        "ange en e-postadress som namn@exempel.se"
    kept = client.get("/api/v1/me/notifications").json
    assert kept["email"] == "eva@kommun.example.se" and kept["preferences"]["summons"] == "immediately"

    unknown = client.put("/api/v1/me/notifications", json={"adress": "x"})
    assert unknown.status_code == 400
    assert unknown.json["errors"][0]["field"] == "adress"

    removed = client.put("/api/v1/me/notifications", json={"email": ""})
    assert removed.status_code == 200 and removed.json["email"] is None
