"""How a task's form behaves while it is filled in: a row just added to a list is work in progress (the draft is
saved without it, no error is shown, and the focus moves into it); a list required only for some answers starts
empty, so that the other answer needs no row removed first; a group shown only for one answer (`visibleWhen`)
is hidden otherwise, and what was typed there is not sent. And the pages' code is fetched before they are opened."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.routine.walk import KOMMUN, CaseWalk
from tests.web.walking import field, group


def test_forms_while_they_are_filled_in(page_as, api_as, axe):
    page = page_as("demo.eva")
    # Once the first page is shown, the next pages' chunks are fetched: opening a task or a case waits for none.
    page.wait_for_function("""() => ["TaskPage", "CasePage"].every((chunk) => performance.getEntriesByType("resource")
        .some((entry) => new RegExp(`/assets/${chunk}-[^/]*\\.js$`).test(entry.name)))""")

    # A row added to a list of single values: nothing typed yet, so nothing wrong; the draft is saved without it.
    walk = CaseWalk.start(huvudperson={"namn": "Anna Andersson"})
    walk.initiate().consent().prepare().acknowledge_all().premeeting()
    meeting = walk.task("genomfor_sip_mote")
    page.goto(f"/uppgifter/{meeting.id}")
    expect(page.get_by_role("heading", level=1, name="Genomför SIP-möte")).to_be_visible()
    page.get_by_role("button", name="Lägg till i Mål").click()
    field(page, "Mål").last.fill("Trygg i hemmet")
    page.get_by_role("button", name="Lägg till i Delmål").click()
    expect(field(page, "Delmål 1")).to_be_focused()  # the focus follows the new row
    expect(page.get_by_role("status").filter(has_text="Utkast sparat kl.")).to_be_visible()
    expect(page.get_by_text("Utkastet sparades inte")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(0)
    status, task = api_as("demo.eva")("GET", f"/tasks/{meeting.id}")
    draft = task["draft"]["data"]
    assert status == 200 and [goal.get("delmal", []) for goal in draft["mal"]] == [[]], draft
    axe(page, "a list with a new, empty row")

    # The commitments: "no action" is answered at once, with no empty row to remove first.
    walk = CaseWalk.start(huvudperson={"namn": "Bertil Berg"})
    walk.initiate().consent().prepare().acknowledge_all().premeeting().meeting()
    ours = (KOMMUN["organisation"], "kommun_sol")
    documenting = next(t for t in walk.tasks() if t.name == "dokumentera_ataganden" and t.candidate_group in ours)
    page.goto(f"/uppgifter/{documenting.id}")
    expect(page.get_by_role("heading", level=1, name="Dokumentera egna åtaganden")).to_be_visible()
    expect(group(page, "Insatser").get_by_text("Inga ännu.")).to_be_visible()
    page.get_by_role("checkbox", name="Ingen insats från oss").check()
    field(page, "Motivering").fill("Bertil har redan det stöd han behöver från kommunen.")
    page.get_by_role("button", name="Slutför uppgiften").click()
    expect(page.get_by_role("status").filter(has_text="Uppgiften är slutförd.")).to_be_visible()

    # The officials' pre-meeting: a new coordinator only when the coordination moves.
    walk = CaseWalk.start(huvudperson={"namn": "Cecilia Carlsson"})
    walk.initiate().consent().prepare().acknowledge_all()
    page.goto(f"/uppgifter/{walk.task('genomfor_tjanstemannamote').id}")
    expect(page.get_by_role("heading", level=1, name="Genomför tjänstemannamöte")).to_be_visible()
    new_coordinator = group(page, "Ny samordningsansvarig")
    expect(new_coordinator).to_have_count(0)
    moves = page.get_by_role("checkbox", name="Samordningsansvaret flyttas till en annan huvudman")
    moves.check()
    expect(new_coordinator).to_be_visible()
    field(new_coordinator, "Namn").fill("Per Berg")
    axe(page, "the officials' pre-meeting, the coordination moving")
    moves.uncheck()
    expect(new_coordinator).to_have_count(0)
    chair = group(page, "Ordförande på SIP-mötet")
    field(chair, "Namn").fill("Eva Ek")
    field(chair, "Organisation").fill(KOMMUN["organisation"])
    page.get_by_role("button", name="Slutför uppgiften").click()
    expect(page.get_by_role("status").filter(has_text="Uppgiften är slutförd.")).to_be_visible()
    assert "ny_samordningsansvarig" not in walk.case.data
