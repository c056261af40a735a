"""How a task's form behaves while it is filled in: a row just added to a list is work in progress (the draft is
saved without it, no error is shown, and the focus moves into it)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.web.test_task_pages import COORDINATOR, complete, first_task, start


def test_forms_while_they_are_filled_in(page_as, api_as, axe):
    eva = api_as("demo.eva")
    case = start(eva, "Anna Andersson", "19121212-1212")
    consent = complete(eva, first_task(case), {"initierad_av": "kommun", "huvudperson": {"namn": "Anna Andersson"},
                                               "samordningsansvarig": COORDINATOR, "sip_behovs": True})
    consent_id = consent["next_tasks"][0]["id"]

    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{consent_id}")
    expect(page.get_by_role("heading", level=1, name="Inhämta samtycke")).to_be_visible()

    # A row added to a list of single values: nothing typed yet, so nothing wrong; the draft is saved without it.
    page.get_by_role("radio", name="Samtycker").check()
    page.get_by_role("button", name="Lägg till i Huvudmän som får delta").click()
    expect(page.get_by_role("status").filter(has_text="Utkast sparat kl.")).to_be_visible()
    expect(page.get_by_text("Utkastet sparades inte")).to_have_count(0)
    expect(page.locator(".field-error")).to_have_count(0)
    status, task = eva("GET", f"/tasks/{consent_id}")
    assert status == 200 and task["draft"]["data"].get("samtycke_huvudman", []) == [], task["draft"]
    axe(page, "a list with a new, empty row")
