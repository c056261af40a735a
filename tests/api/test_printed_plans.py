"""The printed plan and the easy-read plan, read over HTTP at the moment the coordinator is told to print them: each
region's routine walked by its staff through a real gunicorn, every task completed by a user of the organisation
whose list it is in. Everything the forms gathered for the plan is on the printed plan; the easy-read plan says in
plain words, with dates as people say them, what the person wants, the help they get, what they do themselves,
whom to call and when everyone meets again."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import user_token
from tests.api.over_http import BaseOverHttp, KristianstadOverHttp, StockholmOverHttp, VastbusOverHttp
from tests.regions.conftest import deploy_region
from tests.regions.walks import BUP, SKOLA_STHLM, SOCIALTJANST_BARN
from tests.routine.walk import KOMMUN, VARDCENTRAL
from tests.servers import gunicorn

RELATIVE = {"namn": "Maria Andersson", "relation": "Dotter", "kontakt": "070-555 12 34"}
# Words of the trade the easy-read plan must not use (it says "hjälp", "håller ihop din plan", …).
JARGON = ("huvudman", "insats", "samordningsansvarig", "uppföljning")


@pytest.fixture
def server(app, migrated):
    with gunicorn(migrated, WORKERS=1) as base:
        yield base


class StockholmWithDisagreement(StockholmOverHttp):
    """The services disagree on something at the meeting, and record it (never raised in front of the family)."""

    def do(self, name: str, data: dict, group: str | None = None):
        if name == "mote_sammanfattning":
            data = {**data, "oenigheter": "Vem som betalar skolskjutsen"}
        return super().do(name, data, group)


def staff(region: str, *participants: dict) -> dict[str, str]:
    """A token for one staff member of each participating organisation, the coordinator's first."""
    return {p["organisation"]: user_token(f"staff{index}", (p["organisation"], p["huvudmannatyp"], region))
            for index, p in enumerate(participants)}


def text_of(node) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


def cells_of(node) -> str:
    """The text of a node with its table cells apart: "Handlar mat Dottern Maria"."""
    return re.sub(r"\s+", " ", " ".join(node.itertext())).strip()


def sections(tree) -> dict[str, str]:
    """The printed plan's text under each of its headings (h2), by heading."""
    found: dict[str, list[str]] = {}
    current = None
    for node in tree.body.iterchildren():
        if node.tag == "h2":
            current = text_of(node)
            found[current] = []
        elif current is not None:
            found[current].append(text_of(node) if node.tag == "p" else cells_of(node))  # a sentence as read
    return {heading: " ".join(texts) for heading, texts in found.items()}


def easy_read_sections(tree) -> dict[str, str]:
    return {text_of(section.find(".//h2")): text_of(section) for section in tree.iter("section")}


def at_print_step(walk) -> None:
    assert [t["name"] for t in walk.listed(next(iter(walk.tokens)), "skriv_ut_plan")] == ["skriv_ut_plan"], \
        "the coordinator is told to print the plan now"


def test_kristianstads_plan_is_printed_with_relatives_and_in_easy_read_when_the_coordinator_is_to_print_it(
        app, server):
    deploy_region(app, "kristianstad")
    tokens = staff("kristianstad", KOMMUN, VARDCENTRAL)
    walk = KristianstadOverHttp.started(server, tokens, "kristianstad", "Anna Andersson", KOMMUN["organisation"])
    walk.initiate().consent().prepare(narstaende=[RELATIVE]).acknowledge_all().premeeting()
    walk.meeting(motesdatum="2026-12-10", uppfoljningsdatum="2027-06-10",
                 mal=[{"mal": "Trygg i hemmet", "matbart": "Anna ringer larmet högst en gång i veckan"}],
                 egna_insatser="Anna går en promenad varje dag").document_all()
    before = text_of(walk.page(KOMMUN["organisation"], "/plan/easy-read")[1].body)
    assert "Planen är inte klar än. Alla har inte sagt ja till planen ännu." in before
    walk.approve_all()
    at_print_step(walk)

    page, tree = walk.page(KOMMUN["organisation"], "/plan")
    printed = sections(tree)
    assert "Planen är inte färdig" not in page, "everyone has approved it: this is the plan to print"
    assert "SIP-möte 10 december 2026" in text_of(tree.body)
    assert "Hemtjänst morgon och kväll" in printed["Vilka insatser behövs, och vem ansvarar för dem?"]
    assert "Så vet vi att målet är nått: Anna ringer larmet högst en gång i veckan" in printed["Mål"]
    assert "Anna går en promenad varje dag" in printed["Vad gör jag själv, mina närstående och andra?"]
    assert "Handlar mat Dottern Maria Varje vecka" in printed["Vad gör jag själv, mina närstående och andra?"]
    assert "Kontakta samordningsansvarig: Eva Ek, Kristianstads kommun, hemtjänst Norr, 044-13 50 00." in \
        printed["Om jag behöver hjälp eller något inte fungerar"]
    together = printed["Vi som deltar"]
    assert "Eva Ek" in together and "Per Berg" in together and "044-30 90 00" in together
    assert "Vårdnadshavare och närstående" in together
    assert "Maria Andersson Dotter 070-555 12 34" in together
    assert "Planen följs upp senast 10 juni 2027." in printed["Uppföljning"]
    assert "Samtycke saknas" not in printed, "consent covers everyone the routine requires"
    assert tree.xpath("//nav//a[text()='Lättläst plan']/@href") == ["plan/easy-read"]

    page, tree = walk.page(VARDCENTRAL["organisation"], "/plan/easy-read")  # any participant may print it
    easy = easy_read_sections(tree)
    body = text_of(tree.body)
    assert tree.find(".//h1").text_content() == "Min plan"
    assert "Anna Andersson" in body and "Vi bestämde det på mötet 10 december 2026." in body
    assert "Planen är inte klar" not in body
    assert "Anna bor kvar hemma och känner sig trygg" in easy["Det här vill du"]
    assert "Hemtjänst morgon och kväll. Dagligen, 07 och 19, Hemma." in easy["Den här hjälpen får du"]
    assert "Det gör Kristianstads kommun, hemtjänst Norr." in easy["Den här hjälpen får du"]  # the unit said once
    assert "Dottern Maria: Handlar mat, varje vecka." in easy["Det här gör du själv och andra runt dig"]
    assert "Anna går en promenad varje dag" in easy["Det här gör du själv och andra runt dig"]
    assert "Så vet vi att det har gått bra: Anna ringer larmet högst en gång i veckan" in easy["Det här vill du"]
    assert "Ring Eva Ek på Kristianstads kommun, hemtjänst Norr. Telefon: 044-13 50 00." in \
        easy["Om något inte fungerar"]
    assert "Maria Andersson, dotter. Telefon: 070-555 12 34" in easy["De här är med i din plan"]
    assert "Per Berg, distriktssköterska, Region Skåne, vårdcentral Näsby. Telefon: 044-30 90 00" in \
        easy["De här är med i din plan"]
    assert "Det blir senast 10 juni 2027." in easy["Nästa gång vi ses"]
    assert not [word for word in JARGON if word in body.lower()], body
    assert not re.search(r"\d{4}-\d{2}-\d{2}", body), "dates are written as people say them"
    assert tree.xpath("//nav//a/@href") == ["../plan"]

    walk.print_plan()  # and once printed, the same plan
    assert walk.page(KOMMUN["organisation"], "/plan/easy-read")[0].count("044-13 50 00") == 1


def test_stockholms_plan_holds_the_question_the_familys_part_whom_to_call_and_the_school_among_the_huvudman(
        app, server):
    deploy_region(app, "stockholm")
    tokens = staff("stockholm", SOCIALTJANST_BARN, BUP, SKOLA_STHLM)
    walk = StockholmWithDisagreement.started(server, tokens, "stockholm", "Maja Lind",
                                             SOCIALTJANST_BARN["organisation"])
    walk.initiate().family_premeeting().acknowledge_all()
    walk.meeting(motesdatum="2026-12-10", uppfoljningsdatum="2027-03-10")
    commitments = {
        SKOLA_STHLM["organisation"]: {"insatser": [{"insats": "Anpassat schema", "hur_ofta": "Varje skoldag",
                                                    "var": "Eriksdalsskolan", "ansvarig": "Mentorn"}]},
        BUP["organisation"]: {"insatser": [{"insats": "Samtal om oron", "hur_ofta": "Varannan vecka",
                                            "var": "BUP Södermalm", "ansvarig": "Nora Berg"}]},
        SOCIALTJANST_BARN["organisation"]: {"ingen_insats": True,
                                            "ingen_insats_motivering": "Samordnar planen"}}
    walk.each("dokumentera_ataganden", commitments.__getitem__)
    walk.approve_all()
    at_print_step(walk)

    page, tree = walk.page(SOCIALTJANST_BARN["organisation"], "/plan")
    printed = sections(tree)
    assert "Planen är inte färdig" not in page
    assert printed["Frågeställning"] == "Hur kan Maja komma tillbaka till skolan?"
    assert "Det här fungerar bra: Fotbollen två gånger i veckan" in printed["Min nuvarande situation"]
    goals = printed["Mål"]
    assert "Maja är i skolan tre dagar i veckan (kort sikt)" in goals
    assert "Så vet vi att målet är nått: Närvaron i skolan i februari" in goals
    huvudman = printed["Vilka insatser behövs, och vem ansvarar för dem?"]
    assert "Anpassat schema Eriksdalsskolan, elevhälsan" in huvudman, "the school is a huvudman here"
    assert "Samtal om oron Region Stockholm, BUP Södermalm" in huvudman
    assert "Stockholms stad, socialtjänsten barn och unga deltar utan egen insats: Samordnar planen." in huvudman
    others = printed["Vad gör jag själv, mina närstående och andra?"]
    assert "Anpassat schema" not in others
    assert "Mamma följer Maja till skolan på måndagar" in others and "Peppar Maja Fotbollstränaren" in others
    assert printed["Sammanfattning"] == "BUP behandlar oron, skolan anpassar schemat"
    assert "Ring Ali på socialtjänsten" in printed["Om jag behöver hjälp eller något inte fungerar"]
    assert "Sofia Lind Vårdnadshavare 070-111 22 33" in printed["Vi som deltar"]
    assert "Planen följs upp senast 10 mars 2027." in printed["Uppföljning"]
    assert "skolskjutsen" not in page, "what the services disagree on is not for the family's copy"
    assert "Samtycke saknas" not in page, "the family consented to everyone the summons requires"

    _, tree = walk.page(SKOLA_STHLM["organisation"], "/plan/easy-read")
    easy = easy_read_sections(tree)
    body = text_of(tree.body)
    assert "Maja Lind" in body
    assert easy["Det här vill vi hitta svar på"].endswith("Hur kan Maja komma tillbaka till skolan?")
    assert "Maja går i skolan igen" in easy["Det här vill du"]
    assert "Så vet vi att det har gått bra: Närvaron i skolan i februari" in easy["Det här vill du"]
    help_ = easy["Den här hjälpen får du"]
    assert "Anpassat schema. Varje skoldag, Eriksdalsskolan." in help_ and "Samtal om oron" in help_
    own = easy["Det här gör du själv och andra runt dig"]
    assert "Mamma följer Maja till skolan på måndagar" in own and "Fotbollstränaren: Peppar Maja" in own
    call_ = easy["Om något inte fungerar"]
    assert "Ring Ali Haddad på Stockholms stad, socialtjänsten barn och unga. Telefon: 08-508 000 00." in call_
    assert "Ring Ali på socialtjänsten" in call_
    assert "Sofia Lind, vårdnadshavare. Telefon: 070-111 22 33" in easy["De här är med i din plan"]
    assert "Det blir senast 10 mars 2027." in easy["Nästa gång vi ses"]
    assert "skolskjutsen" not in body
    assert not [word for word in JARGON if word in body.lower()], body


def test_a_vastbus_plan_names_the_guardians_and_lists_the_school_among_the_huvudman(app, server):
    deploy_region(app, "vastra_gotaland")
    tokens = staff("vastra_gotaland", SOCIALTJANST_BARN, BUP, SKOLA_STHLM)
    walk = VastbusOverHttp.started(server, tokens, "vastra_gotaland", "Elias Strand",
                                   SOCIALTJANST_BARN["organisation"])
    walk.do("bedom_behov_av_sip", {"initierad_av": "kommun", "huvudperson": {"namn": "Elias Strand", "alder": 12},
                                   "samordningsansvarig": SOCIALTJANST_BARN, "sip_behovs": True})
    walk.consent()
    walk.prepare(vardnadshavare=[{"namn": "Sofia Strand", "relation": "Mamma", "kontakt": "070-222 33 44",
                                  "deltar_i_motet": True},
                                 {"namn": "Jonas Strand", "relation": "Pappa", "deltar_i_motet": False}])
    walk.acknowledge_all()
    walk.meeting(motesdatum="2026-12-10", uppfoljningsdatum="2027-05-20", huvudmal="Elias trivs i skolan")
    commitments = {
        SKOLA_STHLM["organisation"]: {"insatser": [{"insats": "Extra stöd i matematik", "ansvarig": "Speciallärare",
                                                    "hur_ofta": "Två gånger i veckan"}]},
        BUP["organisation"]: {"insatser": [{"insats": "Samtal med Elias", "hur_ofta": "Varje vecka"}]},
        SOCIALTJANST_BARN["organisation"]: {"ingen_insats": True, "ingen_insats_motivering": "Samordnar planen"}}
    walk.each("dokumentera_ataganden", commitments.__getitem__)
    walk.approve_all()
    at_print_step(walk)

    page, tree = walk.page(BUP["organisation"], "/plan")
    printed = sections(tree)
    assert "Planen är inte färdig" not in page
    assert "Extra stöd i matematik Eriksdalsskolan, elevhälsan" in \
        printed["Vilka insatser behövs, och vem ansvarar för dem?"], "the school is a huvudman in Västbus"
    assert "Extra stöd i matematik" not in printed["Vad gör jag själv, mina närstående och andra?"]
    relatives = printed["Vi som deltar"]
    assert "Sofia Strand Mamma 070-222 33 44" in relatives
    assert "Jonas Strand Pappa" in relatives, "a guardian is on the child's plan though not at the meeting"

    _, tree = walk.page(SOCIALTJANST_BARN["organisation"], "/plan/easy-read")
    easy = easy_read_sections(tree)
    assert "Elias trivs i skolan" in easy["Det här vill du"]
    assert "Extra stöd i matematik. Två gånger i veckan." in easy["Den här hjälpen får du"]
    assert "Det gör Eriksdalsskolan, elevhälsan (Speciallärare)." in easy["Den här hjälpen får du"]
    assert "Sofia Strand, mamma. Telefon: 070-222 33 44" in easy["De här är med i din plan"]
    assert "Ring Ali Haddad på Stockholms stad, socialtjänsten barn och unga. Telefon: 08-508 000 00." in \
        easy["Om något inte fungerar"]
    assert "Det blir senast 20 maj 2027." in easy["Nästa gång vi ses"]


def test_a_discharge_plan_says_from_where_and_whom_at_the_vardcentral_to_call(app, server):
    deploy_region(app, "jonkoping")
    vardcentral = {"namn": "Vera Samordnare", "organisation": "Region Jönköpings län, vårdcentralen Öxnehaga",
                   "huvudmannatyp": "primarvard", "yrke": "Vårdsamordnare", "kontakt": "036-32 40 00"}
    kommun = {"namn": "Karin Holm", "organisation": "Jönköpings kommun, socialtjänsten", "huvudmannatyp": "kommun_sol",
              "yrke": "Biståndshandläggare", "kontakt": "036-10 50 00"}
    sjukhus = {"organisation": "Region Jönköpings län, Länssjukhuset Ryhov", "huvudmannatyp": "slutenvard"}
    tokens = staff("jonkoping", vardcentral, kommun, sjukhus)
    walk = BaseOverHttp.started(server, tokens, "jonkoping", "Bo Ek", sjukhus["organisation"],
                                sip_vid_utskrivning=True, utskrivningsklar="2026-11-23")
    walk.do("bedom_behov_av_sip", {
        "initierad_av": "slutenvard", "huvudperson": {"namn": "Bo Ek", "alder": 88}, "samordningsansvarig": vardcentral,
        "sip_behovs": True, "sip_vid_utskrivning": True, "utskrivningsklar": "2026-11-23",
        "sjukhus_avdelning": "Länssjukhuset Ryhov, avdelning 5"})
    walk.consent().prepare(deltagare=[vardcentral, kommun], tjanstemannamote=False).acknowledge_all()
    walk.meeting(motesdatum="2026-11-25", uppfoljningsdatum="2027-02-25", overgripande_ansvar=kommun["organisation"])
    walk.each("dokumentera_ataganden", lambda group: {"insatser": [{"insats": f"Stöd från {group}"}]})
    walk.approve_all()
    at_print_step(walk)

    _, tree = walk.page(vardcentral["organisation"], "/plan")
    assert "SIP vid utskrivning från sjukhus: Länssjukhuset Ryhov, avdelning 5, utskrivningsklar 23 november 2026." \
        in text_of(tree.body)
    _, tree = walk.page(kommun["organisation"], "/plan/easy-read")
    body = text_of(tree.body)
    assert "Vi gjorde planen när du skulle åka hem från sjukhuset (Länssjukhuset Ryhov, avdelning 5)." in body
    assert "Ring Vera Samordnare på Region Jönköpings län, vårdcentralen Öxnehaga. Telefon: 036-32 40 00." in \
        easy_read_sections(tree)["Om något inte fungerar"]
    assert "Det blir senast 25 februari 2027." in easy_read_sections(tree)["Nästa gång vi ses"]
