"""A case the workflow engine cannot load again (its data nested too deeply, stored straight into the database):
staff opening its task are told in Swedish that the case cannot be loaded, and its case page shows the incident
beside everything else it can show."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.api.test_unloadable_cases import store_too_deep


def test_the_task_and_case_pages_of_a_case_too_deep_to_load_say_so(page_as, api_as, axe):
    eva = api_as("demo.eva")
    status, case = eva("POST", "/cases", {"region": "kristianstad", "variables": {},
                                          "person": {"personal_number": "19800515-4581", "name": "Bertil Berg"}})
    assert status == 201, case
    store_too_deep(case["id"], 900, keep_stage=False)

    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{case['open_tasks'][0]['id']}")
    expect(page.get_by_role("heading", level=1, name="Uppgiften kunde inte hämtas")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Ärendet kan inte läsas in")
    axe(page, "the task of a case that cannot be loaded")

    page.goto(f"/arenden/{case['id']}")
    expect(page.get_by_role("heading", level=1, name="Bertil Berg")).to_be_visible()
    expect(page.get_by_role("heading", name="Fel i rutinen")).to_be_visible()
    expect(page.get_by_text("Ärendet kan inte läsas in: dess data är nästlade för djupt").first).to_be_visible()
    axe(page, "the case page of a case that cannot be loaded")
