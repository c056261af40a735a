"""A small world of organisations and users, and cases in each state that matters for access: before
consent, shared, and after consent was withdrawn."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.conftest import PERSON, signed_in, user_token
from tests.routine.walk import KOMMUN, VARDCENTRAL, CaseWalk

ORGS = {
    "kommun": (KOMMUN["organisation"], "kommun_sol", "kristianstad"),
    "vardcentral": (VARDCENTRAL["organisation"], "primarvard", "kristianstad"),
    "hemsjukvard": ("Kristianstads kommun, hemsjukvården", "kommunal_halso_och_sjukvard", "kristianstad"),
    "stockholm": ("Stockholms stad, socialtjänst Södermalm", "kommun_sol", "stockholm"),
}
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Tolvan"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}


@dataclass
class World:
    app: object
    clients: dict
    tokens: dict

    def __getitem__(self, key):
        return self.clients[key]

    def start(self, who: str, region: str = "kristianstad") -> dict:
        response = self.clients[who].post("/api/v1/cases", json={"region": region, "person": PERSON})
        assert response.status_code == 201, response.json
        return response.json

    def pre_consent(self) -> str:
        """Started by the vårdcentral, which names the kommun coordinator; consent not yet asked."""
        case = self.start("vardcentral")
        task = case["open_tasks"][0]["id"]
        done = self.clients["vardcentral"].post(f"/api/v1/tasks/{task}/complete", json={"data": ASSESSMENT})
        assert done.status_code == 200, done.json
        return case["id"]

    def shared(self) -> str:
        """Started and coordinated by the kommun, consent given, the vårdcentral summoned."""
        case = self.start("kommun")
        task = case["open_tasks"][0]["id"]
        assert self.clients["kommun"].post(f"/api/v1/tasks/{task}/complete",
                                           json={"data": ASSESSMENT}).status_code == 200
        CaseWalk(case["id"]).consent().prepare()
        return case["id"]

    def withdrawn(self) -> str:
        """A plan in place, then the person withdraws consent."""
        case_id = self.shared()
        walk = CaseWalk(case_id)
        walk.acknowledge_all().premeeting().meeting().document_all().approve_all().print_plan()
        response = self.clients["kommun"].post(f"/api/v1/cases/{case_id}/messages/samtycke_aterkallat",
                                               json={"payload": {"datum": "2027-01-15"}})
        assert response.status_code == 200, response.json
        return case_id


@pytest.fixture
def world(app):
    tokens = {key: user_token(f"staff.{key}", org) for key, org in ORGS.items()}
    tokens["owner_kristianstad"] = user_token("owner.kristianstad", ORGS["kommun"], roles=("staff", "process_owner"))
    tokens["owner_stockholm"] = user_token("owner.stockholm", ORGS["stockholm"], roles=("staff", "process_owner"))
    tokens["admin"] = user_token("admin", ("SIP förvaltning", "annan", "base"), roles=("admin",))
    return World(app, {key: signed_in(app, token) for key, token in tokens.items()}, tokens)
