"""In Chromium, as Kristianstad's coordinator: the summons offers the organisations the product knows as a select
(those of the region, of the kinds the person consented to), and choosing one sets its row's kind of huvudman to the
kind registered for it; cancelling the meeting asks why, refuses to go on without it, and sends it, so that the
history shows it and the next task opens with it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.test_case_pages import KOMMUN, VARDCENTRAL, complete, start
from tests.web.walking import add_item, field, group
from tests.web.walking import complete as complete_task

REASON = "Astrid har flyttat till sin dotter i Malmö"


def consented(call, name: str, personal_number: str) -> str:
    case_id = start(call, name, personal_number)
    complete(call, case_id, "bedom_behov_av_sip", {
        "initierad_av": "kommun", "huvudperson": {"namn": name, "alder": 82}, "samordningsansvarig": KOMMUN,
        "sip_behovs": True})
    complete(call, case_id, "inhamta_samtycke", {"samtycke": "givet", "samtycke_datum": "2026-11-27",
                                                 "samtycke_informationsutbyte": True,
                                                 "samtycke_huvudman": ["kommun_sol", "primarvard"]})
    return case_id


def at_the_summons(page_as, api_as):
    """Kristianstad's coordinator on the page of the summons (Förbered) of a consented case: the API as her, the
    case's id and the page."""
    call = api_as("demo.eva")
    case_id = consented(call, "Astrid Holm", "19121212-1212")
    _, case = call("GET", f"/cases/{case_id}")
    [prepare] = [t for t in case["open_tasks"] if t["name"] == "forbered_sip"]
    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{prepare['id']}")
    return call, case_id, page


def test_the_summons_offers_the_known_organisations_and_cancelling_asks_why(page_as, api_as, axe):
    call, case_id, page = at_the_summons(page_as, api_as)
    row = add_item(group(page, "Kallade huvudmän"), "Kallade huvudmän", "Huvudman", 1)
    organisation = field(row, "Organisation")
    expect(organisation).to_have_js_property("tagName", "SELECT")
    # Kristianstad's kommun and vårdcentral; not the psykiatri the person did not consent to, nor other regions'.
    expect(organisation.get_by_role("option")).to_have_text(
        ["Välj …", KOMMUN["organisation"], VARDCENTRAL["organisation"]])
    organisation.select_option(label=VARDCENTRAL["organisation"])
    expect(organisation.get_by_role("option", selected=True)).to_have_text(VARDCENTRAL["organisation"])
    axe(page, "the summons with an organisation chosen")

    complete(call, case_id, "forbered_sip", {
        "deltagare": [KOMMUN, VARDCENTRAL], "motesdatum_planerat": "2027-02-10", "motestid": "10:00",
        "motesplats": "Hemma hos Astrid", "tjanstemannamote_forslag": "2027-02-08 kl 13, Näsby vårdcentral"})
    page.goto(f"/arenden/{case_id}")
    page.get_by_role("button", name="Mötet ställs in").click()
    dialog = page.get_by_role("dialog", name="Mötet ställs in")
    reason = dialog.get_by_label("Varför ställs mötet in? (obligatoriskt)")
    expect(reason).to_be_visible()
    axe(page, "the cancellation asking why")
    dialog.get_by_role("button", name="Bekräfta").click()
    expect(dialog.get_by_text("Fyll i ”Varför ställs mötet in?”")).to_be_visible()
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    _, still = call("GET", f"/cases/{case_id}")
    assert "mote_installt" in [m["name"] for m in still["available_messages"]]  # nothing was sent

    reason.fill(REASON)
    dialog.get_by_role("button", name="Bekräfta").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status").filter(has_text="”Mötet ställs in” är registrerat.")).to_be_visible()
    history = page.get_by_role("region", name="Historik")
    expect(history.get_by_text(f"Händelsen ”Mötet ställs in” registrerades. Orsak: {REASON}.")).to_be_visible()
    axe(page, "the case after the cancellation")

    _, case = call("GET", f"/cases/{case_id}")
    [document] = [t for t in case["open_tasks"] if t["name"] == "dokumentera_installt_mote"]
    page.goto(f"/uppgifter/{document['id']}")
    expect(field(page, "Varför mötet ställs in")).to_have_value(REASON)


def test_choosing_an_organisation_sets_its_registered_kind_which_a_draft_keeps_and_a_contradiction_is_refused(
        page_as, api_as, axe):
    call, case_id, page = at_the_summons(page_as, api_as)
    summoned = group(page, "Kallade huvudmän")
    rows = []
    for number, (party, kind) in enumerate(((VARDCENTRAL, "Primärvård (regionen)"),
                                            (KOMMUN, "Kommunen, socialtjänst (SoL)")), start=1):
        row = add_item(summoned, "Kallade huvudmän", "Huvudman", number)
        field(row, "Namn").fill(party["namn"])
        expect(field(row, "Huvudmannens verksamhet").get_by_role("option", selected=True)).to_have_text("Välj …")
        field(row, "Organisation").select_option(label=party["organisation"])
        expect(field(row, "Huvudmannens verksamhet").get_by_role("option", selected=True)).to_have_text(kind)
        rows.append(row)
    field(page, "Datum för SIP-mötet").fill("2027-02-10")
    field(page, "Klockslag").fill("10:00")
    field(page, "Plats").fill("Hemma hos Astrid")
    axe(page, "the summons with the kinds set by the organisations chosen")
    expect(page.get_by_role("status").filter(has_text="Utkast sparat kl.")).to_be_visible()

    # The draft, reloaded, keeps the organisations and their kinds.
    page.reload()
    summoned = group(page, "Kallade huvudmän")
    rows = [group(summoned, f"Huvudman {number}") for number in (1, 2)]
    for row, party, kind in ((rows[0], VARDCENTRAL, "Primärvård (regionen)"),
                             (rows[1], KOMMUN, "Kommunen, socialtjänst (SoL)")):
        expect(field(row, "Organisation").get_by_role("option", selected=True)).to_have_text(party["organisation"])
        expect(field(row, "Huvudmannens verksamhet").get_by_role("option", selected=True)).to_have_text(kind)

    # The kind stays a field of its own: one that contradicts the registry is refused, with the API's message.
    field(rows[1], "Huvudmannens verksamhet").select_option(label="Primärvård (regionen)")
    page.get_by_role("button", name="Slutför uppgiften").click()
    message = "Kristianstads kommun, hemtjänst Norr är registrerad som Kommunen, socialtjänst (SoL): välj det"
    expect(page.get_by_role("alert").get_by_role("link", name=re.compile(re.escape(message)))).to_be_visible()
    expect(rows[1].get_by_text(message)).to_be_visible()
    axe(page, "the summons with a kind that contradicts the organisation")
    _, still = call("GET", f"/cases/{case_id}")
    assert [t["name"] for t in still["open_tasks"]] == ["forbered_sip"]

    # Choosing the organisation anew sets its kind again, and the summons goes.
    field(rows[1], "Organisation").select_option(label=VARDCENTRAL["organisation"])
    field(rows[1], "Organisation").select_option(label=KOMMUN["organisation"])
    expect(field(rows[1], "Huvudmannens verksamhet").get_by_role("option", selected=True)).to_have_text(
        "Kommunen, socialtjänst (SoL)")
    complete_task(page)
    _, case = call("GET", f"/cases/{case_id}")
    assert sorted((p["organisation"], p["kind"], p["name"]) for p in case["participants"]) == [
        (KOMMUN["organisation"], "kommun_sol", KOMMUN["namn"]),
        (VARDCENTRAL["organisation"], "primarvard", VARDCENTRAL["namn"])]
