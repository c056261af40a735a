"""The person's consent limits who takes part and who reads the case, walked over HTTP through a real gunicorn by
staff of several organisations, each completing only what is in their own list: the person consents to the SIP,
to information exchange and to which huvudmän take part (Kristianstad's routine and the base). Without consent
to information exchange nothing leaves the organisation that holds the case; with it, the summons offers the
huvudmän consented to and refuses any other, and an organisation outside the consent never reads the case."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.api.conftest import user_token
from tests.api.over_http import call
from tests.regions.conftest import deploy_region
from tests.servers import gunicorn

KOMMUN = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol",
          "yrke": "Biståndshandläggare", "kontakt": "044-13 50 00"}
VARDCENTRAL = {"namn": "Per Berg", "organisation": "Region Skåne, vårdcentral Näsby", "huvudmannatyp": "primarvard",
               "yrke": "Distriktssköterska", "kontakt": "044-30 90 00"}
PSYKIATRI = {"namn": "Omar Ali", "organisation": "Region Skåne, psykiatrisk öppenvård", "huvudmannatyp": "psykiatri",
             "yrke": "Kurator", "kontakt": "044-30 95 00"}
PARTIES = {"kommun": KOMMUN, "vardcentral": VARDCENTRAL, "psykiatri": PSYKIATRI}
REFUSED = "Den enskilde har inte samtyckt till att den här huvudmannen deltar: kalla bara de huvudmän samtycket gäller"
ORGANISATION_REFUSED = ("Välj en av organisationerna i listan: bara verksamheter i regionen, av de huvudmän den "
                        "enskilde har samtyckt till, kan kallas")


@pytest.fixture
def server(app, migrated):
    deploy_region(app, "kristianstad")
    deploy_region(app, "jonkoping")
    with gunicorn(migrated, WORKERS=1) as base:
        yield base


@pytest.fixture
def staff(app):
    """A token for one member of staff of each organisation, all of Kristianstad."""
    return {key: user_token(f"staff.{key}", (party["organisation"], party["huvudmannatyp"], "kristianstad"))
            for key, party in PARTIES.items()}


class Walk:
    """One case, every step done by the organisation in whose list the task is."""

    def __init__(self, base: str, staff: dict[str, str], region: str, by: str):
        self.base, self.staff, self.region = base, staff, region
        status, body = call(base, staff[by], "POST", "/cases", {
            "region": region, "person": {"personal_number": "19121212-1212", "name": "Astrid Holm"}})
        assert status == 201, body
        self.case_id = body["id"]

    def tasks(self, who: str, name: str | None = None) -> list[dict]:
        query = {"case_id": self.case_id, **({"name": name} if name else {})}
        status, body = call(self.base, self.staff[who], "GET", "/tasks?" + urllib.parse.urlencode(query))
        assert status == 200, body
        return body["items"]

    def task(self, who: str, name: str) -> dict:
        """The task in the organisation's list; of several (the coordinator sees all), the one addressed to it."""
        listed = self.tasks(who, name)
        [found] = [t for t in listed if t["candidate_group"] == PARTIES[who]["organisation"]] or listed
        status, body = call(self.base, self.staff[who], "GET", f"/tasks/{found['id']}")
        assert status == 200, body
        return body

    def complete(self, who: str, name: str, data: dict) -> tuple[int, dict]:
        return call(self.base, self.staff[who], "POST", f"/tasks/{self.task(who, name)['id']}/complete",
                    {"data": data})

    def do(self, who: str, name: str, data: dict) -> dict:
        status, body = self.complete(who, name, data)
        assert status == 200, (who, name, body)
        return body

    def reads(self, who: str) -> int:
        """The status of the case as the organisation asks for it (200, or 404: as if it did not exist)."""
        return call(self.base, self.staff[who], "GET", f"/cases/{self.case_id}")[0]

    def lists(self, who: str) -> bool:
        status, body = call(self.base, self.staff[who], "GET", "/cases")
        assert status == 200, body
        return self.case_id in {c["id"] for c in body["items"]}

    def assess(self, by: str, coordinator: dict = KOMMUN) -> Walk:
        data = {"initierad_av": "kommun", "huvudperson": {"namn": "Astrid Holm"}, "samordningsansvarig": coordinator,
                "sip_behovs": True}
        if self.region == "jonkoping":
            data["sip_vid_utskrivning"] = False
        self.do(by, "bedom_behov_av_sip", data)
        return self


def consent(informationsutbyte: bool, huvudman=None) -> dict:
    data = {"samtycke": "givet", "samtycke_datum": "2026-11-27", "samtycke_informationsutbyte": informationsutbyte}
    return data | ({"samtycke_huvudman": huvudman} if huvudman is not None else {})


def summons(*parties: dict) -> dict:
    return {"deltagare": list(parties), "motesdatum_planerat": "2026-12-10", "motestid": "10:00",
            "motesplats": "Hemma hos Astrid", "tjanstemannamote_forslag": "2026-12-08 kl 13, Näsby vårdcentral"}


def kinds_offered(task: dict) -> list[str]:
    kind = task["form"]["schema"]["properties"]["deltagare"]["items"]["properties"]["huvudmannatyp"]
    return [option["const"] for option in kind["oneOf"]]


@pytest.mark.parametrize("region", ["kristianstad", "jonkoping", "base"])
def test_without_consent_to_information_exchange_nothing_leaves_the_organisation_holding_the_case(
        server, staff, region):
    # The vårdcentral assesses and names the kommun as coordinator; the person consents to the SIP, not to
    # information exchange.
    walk = Walk(server, staff, region, by="vardcentral").assess("vardcentral")
    status, body = walk.complete("vardcentral", "inhamta_samtycke", consent(False))
    assert status == 200, body
    assert [t["name"] for t in body["next_tasks"]] == ["informationsutbyte_saknas"]

    # The named coordinator, another huvudman, does not get the case, nor does anyone else: nobody is summoned.
    for who in ("kommun", "psykiatri"):
        assert walk.reads(who) == 404 and not walk.lists(who) and walk.tasks(who) == []
    assert walk.reads("vardcentral") == 200
    told = walk.task("vardcentral", "informationsutbyte_saknas")
    assert told["title"] == "Samtycke till informationsutbyte saknas"
    assert "ingen SIP kan upprättas" in told["instructions"] and "syns bara för er organisation" in told["instructions"]

    # The person still does not want it: documented, and the case ends without a SIP, shared with nobody.
    status, body = walk.complete("vardcentral", "informationsutbyte_saknas", {"informationsutbyte_beslut": "avbojer"})
    assert status == 422 and body["errors"] == [
        {"field": "informationsutbyte_kommentar", "message": "Fyll i ”Dokumentation”"}]
    walk.do("vardcentral", "informationsutbyte_saknas", {
        "informationsutbyte_beslut": "avbojer", "informationsutbyte_kommentar": "Vill inte att vården och kommunen "
                                                                              "talar med varandra om henne"})
    status, case = call(server, staff["vardcentral"], "GET", f"/cases/{walk.case_id}")
    assert (case["status"], case["closure_reason"]) == ("declined", "informationsutbyte_avbojt")
    assert walk.reads("kommun") == 404


def test_consent_to_information_exchange_given_on_second_thought_opens_the_summons(server, staff):
    walk = Walk(server, staff, "kristianstad", by="kommun").assess("kommun")
    walk.do("kommun", "inhamta_samtycke", consent(False))
    walk.do("kommun", "informationsutbyte_saknas", {"informationsutbyte_beslut": "samtycker_nu"})
    # Back to documenting the consent, which now needs the huvudmän it covers.
    status, body = walk.complete("kommun", "inhamta_samtycke", consent(True))
    assert status == 422 and body["errors"] == [
        {"field": "samtycke_huvudman", "message": "Fyll i ”Huvudmän som får delta”"}]
    status, body = walk.complete("kommun", "inhamta_samtycke", consent(True, []))
    assert status == 422 and body["errors"] == [{"field": "samtycke_huvudman", "message": "Lägg till minst en rad"}]
    walk.do("kommun", "inhamta_samtycke", consent(True, ["kommun_sol", "primarvard"]))
    assert kinds_offered(walk.task("kommun", "forbered_sip")) == ["kommun_sol", "primarvard"]
    walk.do("kommun", "forbered_sip", summons(KOMMUN, VARDCENTRAL))
    assert walk.reads("vardcentral") == 200 and [t["name"] for t in walk.tasks("vardcentral")] == ["kvittera_kallelse"]


@pytest.mark.parametrize("region", ["kristianstad", "jonkoping", "base"])
def test_the_summons_offers_the_huvudman_consented_to_and_refuses_any_other(server, staff, region):
    walk = Walk(server, staff, region, by="kommun").assess("kommun")
    consent_task = walk.task("kommun", "inhamta_samtycke")
    chosen = consent_task["form"]["schema"]["properties"]["samtycke_huvudman"]
    assert chosen["type"] == "array" and chosen["uniqueItems"] is True
    assert {o["const"]: o["title"] for o in chosen["items"]["oneOf"]}.items() >= {
        "kommun_sol": "Kommunen, socialtjänst (SoL)", "primarvard": "Primärvård (regionen)",
        "psykiatri": "Psykiatri (regionen)"}.items()
    assert consent_task["form"]["ui_schema"]["samtycke_huvudman"]["ui:widget"] == "checkboxes"
    walk.do("kommun", "inhamta_samtycke", consent(True, ["kommun_sol", "primarvard"]))

    prepare = walk.task("kommun", "forbered_sip")
    assert kinds_offered(prepare) == ["kommun_sol", "primarvard"]
    data = summons(KOMMUN, VARDCENTRAL, PSYKIATRI)
    if region != "kristianstad":
        data = {k: v for k, v in data.items() if k != "tjanstemannamote_forslag"} | {"tjanstemannamote_behovs": True}
    revision = call(server, staff["kommun"], "GET", f"/cases/{walk.case_id}")[1]["revision"]

    # Neither a draft nor the completion takes the psykiatri, which the person did not name.
    status, body = call(server, staff["kommun"], "PUT", f"/tasks/{prepare['id']}/draft", {"data": data})
    # The psykiatri's unit is refused too: the summons offers the region's organisations of the kinds consented.
    refused = [{"field": "deltagare/2/huvudmannatyp", "message": REFUSED},
               {"field": "deltagare/2/organisation", "message": ORGANISATION_REFUSED}]
    assert status == 422 and body["errors"] == refused
    status, body = walk.complete("kommun", "forbered_sip", data)
    assert status == 422, body
    assert body["type"] == "/problems/validation-failed" and body["title"] == "Uppgifterna stämmer inte med formuläret"
    assert body["errors"] == refused
    assert call(server, staff["kommun"], "GET", f"/cases/{walk.case_id}")[1]["revision"] == revision
    # A kind the form does not have at all is told as any wrong choice is.
    status, body = walk.complete("kommun", "forbered_sip", data | {
        "deltagare": [KOMMUN, VARDCENTRAL | {"huvudmannatyp": "polisen"}]})
    assert status == 422 and body["errors"] == [
        {"field": "deltagare/1/huvudmannatyp", "message": "Välj ett av alternativen"}]

    walk.do("kommun", "forbered_sip", data | {"deltagare": [KOMMUN, VARDCENTRAL]})
    assert walk.reads("vardcentral") == 200
    assert [t["name"] for t in walk.tasks("vardcentral")] == ["kvittera_kallelse"]
    assert walk.reads("psykiatri") == 404 and not walk.lists("psykiatri") and walk.tasks("psykiatri") == []

    # The SIP goes on with those consented to: each acknowledges its own summons.
    for who in ("kommun", "vardcentral"):
        walk.do(who, "kvittera_kallelse", {"kommer": True, "namn": PARTIES[who]["namn"], "kartlaggning": "Nuläge"})
    assert [t["name"] for t in walk.tasks("kommun")] == ["genomfor_tjanstemannamote"]
    assert walk.reads("psykiatri") == 404


def test_an_organisation_outside_the_consent_does_not_read_the_case_even_when_named_under_another_kind(
        server, staff):
    # The psykiatri's unit written in as if it were primary care: the form sees a consented kind, but the
    # organisation is registered as psykiatri, which the person did not name.
    walk = Walk(server, staff, "kristianstad", by="kommun").assess("kommun")
    walk.do("kommun", "inhamta_samtycke", consent(True, ["kommun_sol", "primarvard"]))
    # The summons does not offer it: the organisation is chosen among those of the kinds consented.
    status, body = walk.complete("kommun", "forbered_sip",
                                 summons(KOMMUN, VARDCENTRAL, PSYKIATRI | {"huvudmannatyp": "primarvard"}))
    assert status == 422 and body["errors"] == [{"field": "deltagare/2/organisation", "message": ORGANISATION_REFUSED}]
    walk.do("kommun", "forbered_sip", summons(KOMMUN, VARDCENTRAL))
    assert walk.reads("vardcentral") == 200
    assert walk.reads("psykiatri") == 404 and walk.tasks("psykiatri") == []
