"""Stockholm's routine walked over HTTP by its staff through a real gunicorn, each task completed by a user of the
organisation whose list it is in: the five-part meeting records in its opening part who of those summoned came
(chosen among them, ticked from their acknowledgements), a summoned service absent without a substitute becomes a
deviation naming it, and "Komplettera kallelsen" offers only the huvudmän the family consented to and refuses
another at its field. A kind of huvudman the summons needs but the family does not consent to is taken back to the
family ("Stäm av samtycket med familjen"): consented after all, it is summoned; not consented, the reason is
documented, the summons goes out to those who may take part, and the services summoned, the meeting and the printed
plan read why."""

from __future__ import annotations

import urllib.parse
from datetime import datetime

import pytest

from engine.services import cases
from tests.api.conftest import user_token
from tests.api.over_http import StockholmOverHttp, call
from tests.api.test_printed_plans import sections
from tests.regions.conftest import deploy_region
from tests.regions.walks import BUP, SKOLA_STHLM, SOCIALTJANST_BARN, local_day
from tests.servers import gunicorn

COORDINATOR = SOCIALTJANST_BARN["organisation"]
NOT_CONSENTED = "Familjen har inte samtyckt till att den här huvudmannen kallas"


@pytest.fixture
def server(app, migrated):
    with gunicorn(migrated, WORKERS=1) as base:
        yield base


@pytest.fixture
def walk(app, server):
    """A Stockholm case of Maja, started by the socialtjänst that coordinates, with a user of each service."""
    deploy_region(app, "stockholm")
    tokens = {
        p["organisation"]: user_token(f"staff{index}", (p["organisation"], p["huvudmannatyp"], "stockholm"))
        for index, p in enumerate([SOCIALTJANST_BARN, BUP, SKOLA_STHLM])
    }
    return StockholmOverHttp.started(server, tokens, "stockholm", "Maja Lind", COORDINATOR).initiate()


def opened(walk, organisation: str, name: str) -> dict:
    """The one open task `name` in the organisation's list, as its page reads it (form, data, instructions)."""
    found = walk.listed(organisation, name)
    assert len(found) == 1, (organisation, name, found)
    status, task = call(walk.base, walk.tokens[organisation], "GET", f"/tasks/{found[0]['id']}")
    assert status == 200, task
    return task


def names_for(walk, organisation: str) -> list[str]:
    """The case's tasks the organisation's list holds for it to do: its own, and the coordinator's for the
    coordinating organisation (which also sees the others' tasks of the case)."""
    query = urllib.parse.urlencode({"case_id": walk.case_id})
    status, body = call(walk.base, walk.tokens[organisation], "GET", f"/tasks?{query}")
    assert status == 200, body
    groups = {organisation, "samordningsansvarig"} if organisation == COORDINATOR else {organisation}
    return sorted(t["name"] for t in body["items"] if t["candidate_group"] in groups)


def completing(walk, organisation: str, task: dict, data: dict) -> tuple[int, dict]:
    return call(walk.base, walk.tokens[organisation], "POST", f"/tasks/{task['id']}/complete", {"data": data})


OPENING = {
    "motesdatum": "2026-12-10",
    "ordforande": {"namn": "Ali Haddad", "organisation": COORDINATOR},
    "sekreterare": {"namn": "Lena Holm", "organisation": SKOLA_STHLM["organisation"]},
    "huvudpersonen_deltar": "hela_motet",
    "den_enskilde_informerad": True,
}


def rest_of_the_meeting(walk) -> None:
    """Parts 2 to 5 of the meeting, as the coordinator records them."""
    walk.do(
        "mote_aktuell_situation",
        {
            "nuvarande_situation": "Maja har inte varit i skolan sedan oktober",
            "fungerar_bra": "Fotbollen två gånger i veckan",
        },
    )
    walk.do(
        "mote_behov",
        {
            "huvudmal": "Maja går i skolan igen",
            "mal": [
                {
                    "mal": "Maja är i skolan tre dagar i veckan",
                    "sikt": "kort",
                    "matbart": "Närvaron i skolan i februari",
                }
            ],
        },
    )
    walk.do(
        "mote_sammanfattning",
        {"sammanfattning": "BUP behandlar oron, skolan anpassar schemat", "overgripande_ansvar": COORDINATOR},
    )
    walk.do("mote_avslutning", {"uppfoljningsdatum": "2027-03-10", "om_hjalp_behovs": "Ring Ali på socialtjänsten"})


def test_the_opening_records_who_came_and_an_absent_service_without_a_substitute_is_a_deviation(walk):
    walk.family_premeeting()
    acknowledgements = {
        COORDINATOR: {"kommer": True, "namn": "Ali Haddad", "kartlaggning": "Familjen har stöd sedan i höstas"},
        BUP["organisation"]: {"kommer": False, "ersattare": "Karin Ek, psykolog", "kartlaggning": "Oro, sömn"},
        SKOLA_STHLM["organisation"]: {"kommer": True, "namn": "Lena Holm", "kartlaggning": "Frånvaro sedan oktober"},
    }
    walk.each("kvittera_kallelse", acknowledgements.__getitem__)

    # The opening part: who came is chosen among the services summoned, ticked from who said they would come
    # (BUP by its substitute).
    opening = opened(walk, COORDINATOR, "mote_inledning")
    attendance = opening["form"]["schema"]["properties"]["narvarande"]
    summoned = sorted([COORDINATOR, BUP["organisation"], SKOLA_STHLM["organisation"]])
    assert sorted(o["const"] for o in attendance["items"]["oneOf"]) == summoned
    assert sorted(opening["data"]["narvarande"]) == summoned
    assert "**Närvaro:**" in opening["instructions"]
    status, problem = completing(walk, COORDINATOR, opening, {**OPENING, "narvarande": ["Skolan"]})
    assert status == 422 and problem["errors"][0]["field"].startswith("narvarande"), problem

    # The school did not come after all, and sent no one.
    status, body = completing(walk, COORDINATOR, opening, {**OPENING, "narvarande": [COORDINATOR, BUP["organisation"]]})
    assert status == 200, body
    assert names_for(walk, COORDINATOR) == ["mote_aktuell_situation"], "no deviation before the meeting is over"
    rest_of_the_meeting(walk)

    deviation = opened(walk, COORDINATOR, "registrera_avvikelse_vid_motet")
    assert deviation["instructions"].startswith(
        f"**{SKOLA_STHLM['organisation']}** var kallad till SIP-mötet för Maja Lind den 10 december 2026"
    )
    assert local_day(datetime.fromisoformat(deviation["due_at"])) == "2026-12-14"
    assert "registrera_avvikelse_vid_motet" not in names_for(walk, SKOLA_STHLM["organisation"])
    assert names_for(walk, BUP["organisation"]) == ["dokumentera_ataganden"], "BUP came by its substitute"
    status, body = completing(
        walk, COORDINATOR, deviation, {"beskrivning": "Skolan uteblev utan att meddela förhinder."}
    )
    assert status == 200, body
    assert names_for(walk, COORDINATOR) == ["dokumentera_ataganden", "sip_kollen"]

    # The plan is documented as ever, the absent school too, and the case keeps the deviation.
    walk.document_all().approve_all().print_plan()
    walk.do("sip_kollen", {"sip_kollen_erbjuden": True})
    data = cases.get_case(walk.case_id).data
    assert data["plan_klar"] is True
    assert data["avvikelser_vid_motet"] == [
        {
            "organisation": SKOLA_STHLM["organisation"],
            "motesdatum": "2026-12-10",
            "beskrivning": "Skolan uteblev utan att meddela förhinder.",
        }
    ]


def test_no_deviation_from_the_meeting_when_every_summoned_service_came(walk):
    walk.family_premeeting().acknowledge_all()
    opening = opened(walk, COORDINATOR, "mote_inledning")
    assert len(opening["data"]["narvarande"]) == 3
    status, body = completing(walk, COORDINATOR, opening, OPENING)  # the ticks left as they were
    assert status == 200, body
    rest_of_the_meeting(walk)
    assert names_for(walk, COORDINATOR) == ["dokumentera_ataganden", "sip_kollen"]
    assert cases.get_case(walk.case_id).data["uteblivna_vid_motet"] == []


def test_completing_the_summons_offers_only_the_huvudman_the_family_consented_to(walk):
    # No health care summoned: the family consents to primary care, not to BUP.
    walk.family_premeeting(deltagare=[SOCIALTJANST_BARN, SKOLA_STHLM], samtycke_ovriga_huvudman=["primarvard"])
    task = opened(walk, COORDINATOR, "komplettera_kallelse")
    kind = task["form"]["schema"]["properties"]["deltagare"]["items"]["properties"]["huvudmannatyp"]
    assert [o["const"] for o in kind["oneOf"]] == ["kommun_sol", "primarvard", "skola"]

    status, problem = completing(walk, COORDINATOR, task, {"deltagare": [SOCIALTJANST_BARN, BUP, SKOLA_STHLM]})
    assert status == 422, problem
    assert problem["title"] == "Uppgifterna stämmer inte med formuläret"
    assert {
        "field": "deltagare/1/huvudmannatyp",
        "message": NOT_CONSENTED + ": lägg bara till huvudmän som samtycket gäller",
    } in problem["errors"]
    assert names_for(walk, COORDINATOR) == ["komplettera_kallelse"], "nobody is summoned"
    assert names_for(walk, BUP["organisation"]) == []


def test_a_huvudman_the_family_consented_to_beforehand_completes_the_summons(walk):
    walk.family_premeeting(deltagare=[BUP, SKOLA_STHLM], samtycke_ovriga_huvudman=["kommun_sol"])
    assert names_for(walk, COORDINATOR) == ["komplettera_kallelse"], "the consent covers what is missing"
    task = opened(walk, COORDINATOR, "komplettera_kallelse")
    assert "**Det som saknas:** Kalla minst en företrädare för socialtjänsten (SoL eller LSS)." in task["instructions"]
    kind = task["form"]["schema"]["properties"]["deltagare"]["items"]["properties"]["huvudmannatyp"]
    assert [o["const"] for o in kind["oneOf"]] == ["kommun_sol", "psykiatri", "skola"]
    status, body = completing(walk, COORDINATOR, task, {"deltagare": [SOCIALTJANST_BARN, BUP, SKOLA_STHLM]})
    assert status == 200, body
    for organisation in walk.tokens:
        assert names_for(walk, organisation) == ["kvittera_kallelse"], organisation
    assert "Samtycke saknas" not in opened(walk, BUP["organisation"], "kvittera_kallelse")["instructions"]


HEALTH_CARE = "hälso- och sjukvården (HSL) och öppenvården (primärvården eller den öppna psykiatrin)"
REASON = "Familjen har en egen psykolog & vill inte att BUP är med nu (<se journalen>)"
NOT_CONSENTED_NOTE = (f"**Samtycke saknas:** barnet/ungdomen och vårdnadshavarna har inte samtyckt till att "
                      f"{HEALTH_CARE} kallas ({REASON})")


def history_of(walk) -> list[str]:
    """The tasks the case's history shows as done, in order, as the coordinator reads the case."""
    status, case = call(walk.base, walk.tokens[COORDINATOR], "GET", f"/cases/{walk.case_id}")
    assert status == 200, case
    return [e["task_name"] for e in case["history"] if e["kind"] == "task_completed"]


def test_health_care_the_family_does_not_consent_to_is_documented_and_the_plan_is_made_and_printed_without_it(
        walk):
    # The family consents to the municipality's social services and the school, to no health care at all.
    walk.family_premeeting(deltagare=[SOCIALTJANST_BARN, SKOLA_STHLM])
    assert names_for(walk, COORDINATOR) == ["stam_av_samtycke"], "no summons the consent can never complete"
    task = opened(walk, COORDINATOR, "stam_av_samtycke")
    assert f"har inte samtyckt till att {HEALTH_CARE} kallas" in task["instructions"]
    assert task["due_at"] is not None

    status, problem = completing(walk, COORDINATOR, task, {"familjens_svar": "samtycker_inte"})
    assert status == 422, problem
    assert [e["field"] for e in problem["errors"]] == ["samtycke_saknas_motivering"]
    status, body = completing(walk, COORDINATOR, task,
                              {"familjens_svar": "samtycker_inte", "samtycke_saknas_motivering": REASON})
    assert status == 200, body

    # The summons goes out to the services that may take part, and each reads why health care is not there.
    assert names_for(walk, COORDINATOR) == ["kvittera_kallelse"]
    assert names_for(walk, BUP["organisation"]) == []
    acknowledgement = opened(walk, SKOLA_STHLM["organisation"], "kvittera_kallelse")
    assert NOT_CONSENTED_NOTE in acknowledgement["instructions"]
    walk.acknowledge_all()

    # The meeting is reached, and its chair reads it too; the history has the consent checked once, no summons
    # completed.
    opening = opened(walk, COORDINATOR, "mote_inledning")
    assert NOT_CONSENTED_NOTE in opening["instructions"]
    done = history_of(walk)
    assert done.count("stam_av_samtycke") == 1 and "komplettera_kallelse" not in done, done

    # The plan is made without health care, and where the coordinator is told to print it for the family, it says
    # which huvudman is missing and why, beside who takes part.
    walk.meeting().document_all().approve_all()
    assert names_for(walk, COORDINATOR) == ["sip_kollen", "skriv_ut_plan"]
    page, tree = walk.page(COORDINATOR, "/plan")
    printed = sections(tree)
    assert list(printed).index("Samtycke saknas") == list(printed).index("Vi som deltar") + 1
    missing = printed["Samtycke saknas"]
    assert missing.startswith("Enligt rutinen ska de här vara med, men samtycke till att de deltar saknas.")
    assert f"Hälso- och sjukvården (HSL) {REASON}" in missing
    assert f"Öppenvården (primärvården eller den öppna psykiatrin) {REASON}" in missing
    assert "(&lt;se journalen&gt;)" in page, "the reason is printed as written, never as markup"
    status, plan = call(walk.base, walk.tokens[SKOLA_STHLM["organisation"]], "GET", f"/cases/{walk.case_id}/plan")
    assert status == 200, plan
    assert plan["missing_consent"] == [
        {"requirement": "hsl", "huvudman": "hälso- och sjukvården (HSL)", "reason": REASON},
        {"requirement": "oppenvard", "huvudman": "öppenvården (primärvården eller den öppna psykiatrin)",
         "reason": REASON}]


def test_a_family_that_consents_after_all_has_the_service_summoned(walk):
    walk.family_premeeting(deltagare=[SOCIALTJANST_BARN, SKOLA_STHLM])
    task = opened(walk, COORDINATOR, "stam_av_samtycke")
    status, problem = completing(walk, COORDINATOR, task, {"familjens_svar": "samtycker"})
    assert status == 422 and [e["field"] for e in problem["errors"]] == ["samtycke_tillagt"], problem
    consented = {"familjens_svar": "samtycker", "samtycke_tillagt": ["psykiatri"]}
    status, body = completing(walk, COORDINATOR, task, consented)
    assert status == 200, body

    complete = opened(walk, COORDINATOR, "komplettera_kallelse")
    kind = complete["form"]["schema"]["properties"]["deltagare"]["items"]["properties"]["huvudmannatyp"]
    assert [o["const"] for o in kind["oneOf"]] == ["kommun_sol", "psykiatri", "skola"]
    status, body = completing(walk, COORDINATOR, complete, {"deltagare": [SOCIALTJANST_BARN, BUP, SKOLA_STHLM]})
    assert status == 200, body
    for organisation in walk.tokens:
        assert names_for(walk, organisation) == ["kvittera_kallelse"], organisation
    assert "Samtycke saknas" not in opened(walk, BUP["organisation"], "kvittera_kallelse")["instructions"]
    assert history_of(walk)[-2:] == ["stam_av_samtycke", "komplettera_kallelse"]
