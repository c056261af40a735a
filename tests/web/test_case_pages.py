"""The case pages as staff use them: starting a SIP, the case list and the search by personal number, a case at
a stage (tasks, participants, history, the routine's diagram), and an event reported with a confirmation."""

from __future__ import annotations

import re

from playwright.sync_api import expect

KOMMUN = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol",
          "yrke": "Biståndshandläggare", "kontakt": "044-13 50 00"}
VARDCENTRAL = {"namn": "Per Berg", "organisation": "Region Skåne, vårdcentral Näsby", "huvudmannatyp": "primarvard",
               "yrke": "Distriktssköterska", "kontakt": "044-30 90 00"}


def start(call, name: str, personal_number: str) -> str:
    status, case = call("POST", "/cases", {"region": "kristianstad", "variables": {},
                                           "person": {"personal_number": personal_number, "name": name}})
    assert status == 201, case
    return case["id"]


def complete(call, case_id: str, task_name: str, data: dict) -> None:
    _, case = call("GET", f"/cases/{case_id}")
    task = next(t for t in case["open_tasks"] if t["name"] == task_name)
    status, answer = call("POST", f"/tasks/{task['id']}/complete", {"data": data})
    assert status == 200, answer


def summoned(call, name: str, personal_number: str) -> str:
    """A Kristianstad case whose participants are summoned: each acknowledges the summons next."""
    case_id = start(call, name, personal_number)
    complete(call, case_id, "bedom_behov_av_sip", {
        "initierad_av": "kommun", "huvudperson": {"namn": name, "alder": 82}, "samordningsansvarig": KOMMUN,
        "sip_behovs": True})
    complete(call, case_id, "inhamta_samtycke", {"samtycke": "givet", "samtycke_datum": "2026-11-27",
                                                 "samtycke_informationsutbyte": True,
                                                 "samtycke_huvudman": ["kommun_sol", "primarvard"]})
    complete(call, case_id, "forbered_sip", {
        "deltagare": [KOMMUN, VARDCENTRAL], "motesdatum_planerat": "2027-02-10", "motestid": "10:00",
        "motesplats": "Hemma hos den enskilde", "tjanstemannamote_forslag": "2027-02-08 kl 13, Näsby vårdcentral"})
    return case_id


def loaded_scripts(page) -> list[str]:
    return page.evaluate("performance.getEntriesByType('resource').map(e => e.name).filter(n => n.endsWith('.js'))")


def test_start_a_sip_from_the_page(page_as, api_as, axe):
    page = page_as("demo.eva")
    page.goto("/arenden/ny")
    expect(page.get_by_role("heading", level=1, name="Starta SIP")).to_be_visible()
    expect(page.get_by_label("Region")).to_have_value("kristianstad")  # the user's own region
    axe(page, "the start page")

    number = page.get_by_label("Personnummer")
    number.fill("19121212-1213")
    expect(page.get_by_text("Personnumret har fel kontrollsiffra")).to_be_visible()
    expect(number).to_have_attribute("aria-invalid", "true")
    number.fill("1912121")
    expect(page.get_by_text("Personnumret har fel kontrollsiffra")).to_be_hidden()
    number.fill("19121272-1219")  # a samordningsnummer: day + 60
    expect(page.get_by_text("samordningsnummer")).to_be_visible()
    expect(number).not_to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Starta SIP").click()
    expect(page.get_by_role("heading", name="Det gick inte att starta SIP:en")).to_be_visible()
    axe(page, "the start page with its errors")
    page.get_by_role("link", name="Namn: Skriv personens namn").click()
    expect(page.get_by_label("Namn")).to_be_focused()
    page.get_by_label("Namn").fill("Sara Samordning")
    page.get_by_role("button", name="Starta SIP").dblclick()

    page.wait_for_url(re.compile(r"/uppgifter/[\w-]+$"))
    status, found = api_as("demo.eva")("GET", "/cases?personal_number=19121272-1219")
    assert status == 200 and [c["person_name"] for c in found["items"]] == ["Sara Samordning"]  # one, not two


def test_case_list_filters_and_the_search_by_personal_number(page_as, api_as, axe):
    call = api_as("demo.eva")
    start(call, "Alma Ahlström", "19450101-1235")
    start(call, "Bo Berglund", "19800515-4581")
    page = page_as("demo.eva")
    page.goto("/arenden")
    expect(page.get_by_role("heading", level=1, name="Ärenden")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Alma Ahlström")).to_be_visible()
    expect(table.get_by_role("link", name="Bo Berglund")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="av 2 ärenden")).to_be_visible()
    axe(page, "the case list")

    page.get_by_label("Personens namn").fill("berg")
    page.get_by_role("button", name="Filtrera").click()
    expect(table.get_by_role("link", name="Bo Berglund")).to_be_visible()
    expect(table.get_by_role("link", name="Alma Ahlström")).to_be_hidden()
    page.get_by_role("link", name="Ärenden jag samordnar").click()  # the user started it, and so coordinates it
    expect(page.get_by_role("heading", level=2, name="Ärenden jag samordnar")).to_be_visible()
    expect(table.get_by_role("link", name="Bo Berglund")).to_be_visible()

    search = page.get_by_role("region", name="Sök på personnummer")
    search.get_by_label("Personnummer").fill("1945-01")
    search.get_by_role("button", name="Sök").click()
    expect(search.get_by_text("Skriv personnumret som ÅÅÅÅMMDD-NNNN")).to_be_visible()
    # Fullwidth digits and dash, as an East Asian keyboard or a pasted document writes them: the same number.
    search.get_by_label("Personnummer").fill("１９４５０１０１－１２３５")
    search.get_by_role("button", name="Sök").click()
    expect(search.get_by_text("1 ärende hittades.")).to_be_visible()
    expect(search.get_by_role("link", name="Alma Ahlström")).to_be_visible()
    assert "1945" not in page.url  # the number never lands in the address or the browser's history
    axe(page, "the case list with a search")

    search.get_by_role("link", name="Alma Ahlström").click()
    expect(page.get_by_role("heading", level=1, name="SIP för Alma Ahlström")).to_be_visible()


def test_a_case_at_its_summons_and_the_routine_with_where_it_stands(page_as, api_as, axe):
    case_id = summoned(api_as("demo.eva"), "Anna Andersson", "19121212-1212")
    page = page_as("demo.eva")
    page.goto(f"/arenden/{case_id}")
    expect(page.get_by_role("heading", level=1, name="SIP för Anna Andersson")).to_be_visible()

    participants = page.get_by_role("region", name="Deltagare")
    per = participants.get_by_role("row", name=re.compile("Region Skåne, vårdcentral Näsby.*Per Berg"))
    expect(per).to_be_visible()
    work = page.get_by_role("region", name="Gjort och kvar att göra")
    expect(work.get_by_role("link", name="Kvittera kallelse")).to_have_count(2)
    expect(work.get_by_text("Inhämta samtycke")).to_be_visible()
    history = page.get_by_role("region", name="Historik").get_by_role("listitem")
    expect(history.filter(has_text="Förbered den enskilde och planera mötet är gjord.")).to_be_visible()
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Skriv ut planen").click()
    printable = opened.value
    expect(printable.get_by_role("heading", level=1, name="Samordnad individuell plan")).to_be_visible()
    printable.close()
    axe(page, "the case page")
    assert not any("NavigatedViewer" in name for name in loaded_scripts(page))  # bpmn-js only when asked for

    page.get_by_role("button", name="Rutinen").click()
    picture = page.get_by_role("img", name=re.compile("Rutinens bild"))
    expect(picture).to_have_attribute("aria-label", re.compile("Pågår: .*Förberedelse och kallelse"))
    assert any("NavigatedViewer" in name for name in loaded_scripts(page))
    page.get_by_role("button", name="Visa steget Förberedelse och kallelse").click()
    crumbs = page.get_by_role("navigation", name="Var i rutinen")
    expect(crumbs.get_by_text("Förberedelse och kallelse")).to_be_focused()
    expect(picture).to_have_attribute("aria-label", re.compile("Pågår: Kvittera kallelse"))
    expect(page.get_by_role("region", name="Rutinen").get_by_role("listitem").filter(
        has_text="Förbered den enskilde")).to_be_visible()  # listed as done beside the picture
    axe(page, "the case page with its routine")
    crumbs.get_by_role("button", name="SIP").click()
    expect(page.get_by_role("button", name="Visa steget Förberedelse och kallelse")).to_be_visible()


def test_consent_withdrawn_after_a_confirmation(page_as, api_as, axe):
    case_id = summoned(api_as("demo.eva"), "Cecilia Carlsson", "19851203-9879")
    page = page_as("demo.eva")
    page.goto(f"/arenden/{case_id}")
    withdraw = page.get_by_role("button", name="Samtycket återkallas")

    withdraw.click()
    dialog = page.get_by_role("dialog", name="Samtycket återkallas")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Avbryt")).to_be_focused()
    axe(page, "the confirmation")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(withdraw).to_be_focused()

    withdraw.click()
    dialog.get_by_role("button", name="Bekräfta").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="”Samtycket återkallas” är registrerat.")).to_be_visible()
    expect(page.get_by_role("button", name="Samtycket återkallas")).to_be_hidden()
    history = page.get_by_role("region", name="Historik")
    expect(history.get_by_text("Händelsen ”Samtycket återkallas” registrerades.")).to_be_visible()
    work = page.get_by_role("region", name="Gjort och kvar att göra")
    expect(work.get_by_role("link", name="Dokumentera avslut")).to_be_visible()
    expect(work.get_by_role("heading", name="Avbrutet")).to_have_count(2)  # each summons no longer acknowledged
    _, case = api_as("demo.eva")("GET", f"/cases/{case_id}")
    assert case["open_tasks"] and all(t["name"] != "kvittera_kallelse" for t in case["open_tasks"])
