"""The summons names organisations the product knows: staff choose each summoned unit among the organisations
registered in the case's region, of the huvudman kinds the person consented to, and the summoned unit's staff
find its tasks in their own list. Walked over HTTP through a real gunicorn by staff of each organisation, in the
base routine, Kristianstad, Västra Götaland and Stockholm (the forms that summon: forbered_sip, Stockholm's
formote_med_familjen and komplettera_kallelse). A message whose routine keeps a reason asks for it: the meeting
is cancelled with its reason, which the following task shows instead of asking again."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from jsonschema import Draft202012Validator

from tests.api.conftest import user_token
from tests.api.over_http import call
from tests.regions.conftest import deploy_region
from tests.servers import gunicorn

REFUSED = ("Välj en av organisationerna i listan: bara verksamheter i regionen, av de huvudmän den enskilde har "
           "samtyckt till, kan kallas")

# name, huvudman kind, region
ORGANISATIONS = {
    "kommun": ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad"),
    "vardcentral": ("Region Skåne, vårdcentral Näsby", "primarvard", "kristianstad"),
    "psykiatri": ("Region Skåne, psykiatrisk öppenvård Kristianstad", "psykiatri", "kristianstad"),
    "oxnehaga": ("Region Jönköpings län, vårdcentralen Öxnehaga", "primarvard", "jonkoping"),
    "gbg_soc": ("Göteborgs Stad, socialtjänst Centrum", "kommun_sol", "vastra_gotaland"),
    "gbg_bup": ("Västra Götalandsregionen, BUP Göteborg", "psykiatri", "vastra_gotaland"),
    "gbg_skola": ("Göteborgs Stad, grundskola Centrum", "skola", "vastra_gotaland"),
    "gbg_vc": ("Västra Götalandsregionen, vårdcentralen Centrum", "primarvard", "vastra_gotaland"),
    "sthlm_soc": ("Stockholms stad, socialtjänst Södermalm", "kommun_sol", "stockholm"),
    "sthlm_bup": ("Region Stockholm, BUP Södermalm", "psykiatri", "stockholm"),
    "sthlm_skola": ("Stockholms stad, Södermalmsskolan", "skola", "stockholm"),
    "sthlm_vc": ("Region Stockholm, vårdcentral Rosenlund", "primarvard", "stockholm"),
}


def party(key: str, namn: str = "Företrädare") -> dict:
    name, kind, _region = ORGANISATIONS[key]
    return {"namn": namn, "organisation": name, "huvudmannatyp": kind, "yrke": "Handläggare", "kontakt": "010-100 00"}


@pytest.fixture
def server(app, migrated):
    for region in ("kristianstad", "vastra_gotaland", "stockholm"):
        deploy_region(app, region)
    with gunicorn(migrated, WORKERS=1) as base:
        yield base


@pytest.fixture
def staff(app):
    """A token for one member of staff of each organisation."""
    return {key: user_token(f"staff.{key}", org) for key, org in ORGANISATIONS.items()}


class Walk:
    def __init__(self, base: str, staff: dict[str, str], region: str, by: str):
        self.base, self.staff = base, staff
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
        """The task as its form is shown to the organisation: of several, the one addressed to it."""
        listed = self.tasks(who, name)
        assert listed, (who, name)
        [found] = [t for t in listed if t["candidate_group"] == ORGANISATIONS[who][0]] or listed[:1]
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

    def case(self, who: str) -> dict:
        status, body = call(self.base, self.staff[who], "GET", f"/cases/{self.case_id}")
        assert status == 200, body
        return body


def organisations_offered(task: dict, list_field: str = "deltagare") -> list[str]:
    """The organisations the form offers; checked on the way: the bound schema is valid JSON Schema and tells the
    web app the row's kind field and each offered organisation's registered kind, which it sets on choosing."""
    Draft202012Validator.check_schema(task["form"]["schema"])
    field = task["form"]["schema"]["properties"][list_field]["items"]["properties"]["organisation"]
    assert "minLength" not in field and field["type"] == "string"
    offered = [option["const"] for option in field["oneOf"]]
    registered = {name: kind for name, kind, _region in ORGANISATIONS.values()}
    assert field["organisationsFrom"]["kindField"] == "huvudmannatyp"
    assert field["organisationsFrom"]["kinds"] == {name: registered[name] for name in offered}
    return offered


def names(*keys: str) -> list[str]:
    return sorted(ORGANISATIONS[key][0] for key in keys)


def assess(walk: Walk, who: str, coordinator: dict, **extra) -> None:
    walk.do(who, "bedom_behov_av_sip", {"initierad_av": "kommun", "huvudperson": {"namn": "Astrid Holm", "alder": 80},
                                        "samordningsansvarig": coordinator, "sip_behovs": True, **extra})


def consent(walk: Walk, who: str, kinds: list[str]) -> None:
    walk.do(who, "inhamta_samtycke", {"samtycke": "givet", "samtycke_datum": "2026-11-27",
                                      "samtycke_informationsutbyte": True, "samtycke_huvudman": kinds})


@pytest.mark.parametrize("region", ["base", "kristianstad"])
def test_the_summons_offers_the_regions_organisations_of_the_kinds_consented_and_the_task_reaches_the_chosen(
        server, staff, region):
    walk = Walk(server, staff, region, by="kommun")
    assess(walk, "kommun", party("kommun", "Eva Ek"))
    consent(walk, "kommun", ["kommun_sol", "primarvard"])

    # Shown: the organisations of Kristianstad (where the case's organisation is) of the kinds consented; not the
    # psykiatri the person did not name, nor a vårdcentral of another region.
    prepare = walk.task("kommun", "forbered_sip")
    assert organisations_offered(prepare) == names("kommun", "vardcentral")
    summons = {"motesdatum_planerat": "2026-12-10", "motestid": "10:00", "motesplats": "Hemma hos Astrid",
               **({"tjanstemannamote_forslag": "2026-12-08 kl 13"} if region == "kristianstad"
                  else {"tjanstemannamote_behovs": False})}
    revision = walk.case("kommun")["revision"]

    # Refused, in a draft and a completion: an organisation of another region, one typed that nobody knows.
    for refused in (party("oxnehaga"), party("vardcentral") | {"organisation": "Vårdcentralen Påhittad"}):
        data = summons | {"deltagare": [party("kommun"), refused]}
        status, body = call(server, staff["kommun"], "PUT", f"/tasks/{prepare['id']}/draft", {"data": data})
        assert status == 422 and body["errors"] == [{"field": "deltagare/1/organisation", "message": REFUSED}]
        status, body = walk.complete("kommun", "forbered_sip", data)
        assert status == 422, body
        assert body["title"] == "Uppgifterna stämmer inte med formuläret"
        assert body["errors"] == [{"field": "deltagare/1/organisation", "message": REFUSED}]
    # Refused: a row whose kind contradicts the registry's (the vårdcentral summoned as the municipality's).
    data = summons | {"deltagare": [party("kommun"), party("vardcentral") | {"huvudmannatyp": "kommun_sol"}]}
    mismatch = [{"field": "deltagare/1/huvudmannatyp",
                 "message": "Region Skåne, vårdcentral Näsby är registrerad som Primärvård (regionen): välj det"}]
    status, body = call(server, staff["kommun"], "PUT", f"/tasks/{prepare['id']}/draft", {"data": data})
    assert status == 422 and body["errors"] == mismatch
    status, body = walk.complete("kommun", "forbered_sip", data)
    assert status == 422 and body["errors"] == mismatch
    assert walk.case("kommun")["revision"] == revision

    walk.do("kommun", "forbered_sip", summons | {"deltagare": [party("kommun", "Eva Ek"), party("vardcentral")]})
    # The vårdcentral chosen finds its acknowledgement in its own list and does it; the psykiatri finds nothing.
    [acknowledge] = walk.tasks("vardcentral", "kvittera_kallelse")
    assert acknowledge["candidate_group"] == ORGANISATIONS["vardcentral"][0]
    walk.do("vardcentral", "kvittera_kallelse", {"kommer": True, "namn": "Per Berg", "kartlaggning": "Nuläge"})
    assert walk.tasks("psykiatri") == [] and walk.tasks("oxnehaga") == []


def test_vastra_gotaland_summons_the_childs_services_among_those_registered(server, staff):
    walk = Walk(server, staff, "vastra_gotaland", by="gbg_soc")
    assess(walk, "gbg_soc", party("gbg_soc", "Anders Berg"))
    consent(walk, "gbg_soc", ["kommun_sol", "psykiatri", "skola"])
    prepare = walk.task("gbg_soc", "forbered_sip")
    assert organisations_offered(prepare) == names("gbg_soc", "gbg_bup", "gbg_skola")
    data = {"vastbus_malgrupp": True, "vardnadshavare": [{"namn": "Sofia Strand", "relation": "Mamma"}],
            "barnets_delaktighet": "del_av_motet", "barnets_delaktighet_motivering": "Elias vill vara med en stund",
            "motesdatum_planerat": "2026-12-10", "motestid": "14:00", "motesplats": "Skolan",
            "tjanstemannamote_behovs": False}
    status, body = walk.complete("gbg_soc", "forbered_sip", data | {
        "deltagare": [party("gbg_soc"), party("gbg_vc") | {"huvudmannatyp": "psykiatri"}]})
    assert status == 422 and body["errors"] == [{"field": "deltagare/1/organisation", "message": REFUSED}]
    walk.do("gbg_soc", "forbered_sip", data | {"deltagare": [party("gbg_soc"), party("gbg_bup"), party("gbg_skola")]})
    for who in ("gbg_bup", "gbg_skola"):
        assert [t["candidate_group"] for t in walk.tasks(who, "kvittera_kallelse")] == [ORGANISATIONS[who][0]]
    walk.do("gbg_bup", "kvittera_kallelse", {"kommer": True, "namn": "Fatima Noor", "kartlaggning": "Nuläge"})
    assert walk.tasks("gbg_vc") == []


def test_stockholm_chooses_the_services_at_the_family_premeeting_and_completes_the_summons_among_those_consented(
        server, staff):
    walk = Walk(server, staff, "stockholm", by="sthlm_soc")
    assess(walk, "sthlm_soc", party("sthlm_soc", "Helena Sjö"))
    premeeting = walk.task("sthlm_soc", "formote_med_familjen")
    assert organisations_offered(premeeting) == names("sthlm_soc", "sthlm_bup", "sthlm_skola", "sthlm_vc")
    data = {"installning": "positiv", "vardnadshavare": [{"namn": "Sofia Lind", "kontakt": "070-111 22 33"}],
            "samtycke_skriftligt": True, "samtycke_datum": "2026-11-27",
            "barnets_delaktighet": "Maja är med hela mötet", "fragestallning": "Hur kommer Maja tillbaka till skolan?",
            "motesdatum_planerat": "2026-12-10", "motestid": "15:00", "moteslangd": "90 minuter",
            "motesplats": "Södermalmsskolan", "motesform": "fysiskt",
            "information_lamnad": ["information_om_sip", "folder_13_18"], "samtycke_ovriga_huvudman": ["kommun_sol"]}
    status, body = walk.complete("sthlm_soc", "formote_med_familjen", data | {
        "deltagare": [party("sthlm_bup"), party("gbg_skola")]})
    assert status == 422 and body["errors"] == [{"field": "deltagare/1/organisation", "message": REFUSED}]
    # Without the social services the summons is incomplete: the coordinator completes it among those consented.
    walk.do("sthlm_soc", "formote_med_familjen", data | {"deltagare": [party("sthlm_bup"), party("sthlm_skola")]})
    complete = walk.task("sthlm_soc", "komplettera_kallelse")
    assert organisations_offered(complete) == names("sthlm_soc", "sthlm_bup", "sthlm_skola")
    status, body = walk.complete("sthlm_soc", "komplettera_kallelse", {
        "deltagare": [party("sthlm_vc") | {"huvudmannatyp": "kommun_sol"}, party("sthlm_bup"), party("sthlm_skola")]})
    assert status == 422 and {"field": "deltagare/0/organisation", "message": REFUSED} in body["errors"]
    walk.do("sthlm_soc", "komplettera_kallelse", {
        "deltagare": [party("sthlm_soc", "Helena Sjö"), party("sthlm_bup"), party("sthlm_skola")]})
    for who in ("sthlm_soc", "sthlm_bup", "sthlm_skola"):
        assert ORGANISATIONS[who][0] in [t["candidate_group"] for t in walk.tasks(who, "kvittera_kallelse")]
    walk.do("sthlm_skola", "kvittera_kallelse", {"kommer": True, "namn": "Yusuf Kaya", "kartlaggning": "Nuläge"})
    assert walk.tasks("sthlm_vc") == []


def test_the_meeting_is_cancelled_with_its_reason_which_the_next_tasks_show_without_asking_again(server, staff):
    walk = Walk(server, staff, "kristianstad", by="kommun")
    assess(walk, "kommun", party("kommun", "Eva Ek"))
    consent(walk, "kommun", ["kommun_sol", "primarvard"])
    walk.do("kommun", "forbered_sip", {
        "deltagare": [party("kommun", "Eva Ek"), party("vardcentral")], "motesdatum_planerat": "2026-12-10",
        "motestid": "10:00", "motesplats": "Hemma hos Astrid"})
    offered = {m["name"]: m for m in walk.case("kommun")["available_messages"]}
    assert offered["mote_installt"]["reason"] == {"field": "orsak", "label": "Varför ställs mötet in?",
                                                  "required": True}
    assert offered["samtycke_aterkallat"]["reason"] is None
    revision = walk.case("kommun")["revision"]

    path = f"/cases/{walk.case_id}/messages/mote_installt"
    for payload in ({}, {"orsak": "   "}):
        status, body = call(server, staff["kommun"], "POST", path, {"payload": payload})
        assert status == 422, body
        assert body["title"] == "Orsak saknas"
        assert body["errors"] == [{"field": "payload/orsak", "message": "Fyll i ”Varför ställs mötet in?”"}]
    status, body = call(server, staff["kommun"], "POST", path, {"payload": {"orsak": ["inte", "text"]}})
    assert status == 422 and body["errors"] == [{"field": "payload/orsak", "message": "Skriv orsaken som text"}]
    assert walk.case("kommun")["revision"] == revision

    reason = "Astrid har flyttat till sin dotter i Malmö"
    status, body = call(server, staff["kommun"], "POST", path, {"payload": {"orsak": reason}})
    assert status == 200, body
    history = [e for e in walk.case("kommun")["history"] if e["kind"] == "message"]
    assert history[-1]["detail"]["payload"] == {"orsak": reason}
    # The coordinator's documentation opens with the reason given; the vårdcentral reads it in its task.
    document = walk.task("kommun", "dokumentera_installt_mote")
    assert document["data"]["installt_orsak"] == reason
    walk.do("kommun", "dokumentera_installt_mote", {"installt_orsak": document["data"]["installt_orsak"],
                                                    "parterna_informerade": True, "den_enskilde_informerad": True})
    acknowledge = walk.task("vardcentral", "kvittera_installt_mote")
    assert reason in acknowledge["instructions"]
