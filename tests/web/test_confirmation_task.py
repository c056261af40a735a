"""A user task without a form is a confirmation step: its page shows the instructions and a "Klar" button, and
a click completes it with nothing filled in and opens the next task."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from engine.services.deployments import deploy_files

DIAGRAM = Path(__file__).resolve().parents[1] / "deployments" / "files" / "bekraftelse.bpmn"


def test_a_confirmation_step_shows_its_instructions_and_is_done_with_one_click(app, page_as, api_as, axe):
    deployed = deploy_files({"bekraftelse.bpmn": DIAGRAM.read_text(encoding="utf-8")}, "kristianstad",
                            deployed_by="tests")
    assert deployed.valid, deployed.problems
    eva = api_as("demo.eva")
    status, case = eva("POST", "/cases", {"region": "kristianstad", "variables": {},
                                          "person": {"personal_number": "19400307-1232", "name": "Greta Gran"}})
    assert status == 201, case
    (first,) = case["open_tasks"]

    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{first['id']}")
    expect(page.get_by_role("heading", level=1, name="Bekräfta kontakten")).to_be_visible()
    expect(page.get_by_role("region", name="Instruktioner")).to_contain_text(
        "Ring den enskilde och bekräfta att kontakten är tagen.")
    confirmation = page.get_by_role("region", name="Bekräftelse")
    expect(confirmation).to_contain_text("Uppgiften har inget formulär att fylla i.")
    expect(page.get_by_role("textbox")).to_have_count(0)
    axe(page, "a confirmation step")

    confirmation.get_by_role("button", name="Klar").click()
    expect(page.get_by_role("heading", level=1, name="Bekräfta planen")).to_be_visible()
    expect(page.get_by_role("region", name="Instruktioner")).to_contain_text(
        "Bekräfta att planen är skickad till den enskilde.")
    axe(page, "the next confirmation step")
    status, done = eva("GET", f"/tasks/{first['id']}")
    assert status == 200 and done["state"] == "completed", done
