"""The studio's table and form editors as a process owner uses them in Chromium: a threshold of `mobilt_vardteam`
changed in dmn-js, tried with inputs on the page (first meeting the clash the half-done change makes, with the rules
named), and deployed with a comment; every decision table of the base and the regions opened in dmn-js and, saved
back unchanged, passing the deployment's checks; a field added to a form, seen in the live preview in the renderer
staff see and checked by the deployment while editing, deployed, after which a new case's task shows the field
while a case started before keeps its version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
PROCESS_OWNER = {"kristianstad": "demo.eva", "vastra_gotaland": "demo.anders", "jonkoping": "demo.karin",
                 "stockholm": "demo.helena"}
# Where each DMN file of the repository is opened: a base table in Kristianstad (which runs it), a region's own
# table in its region.
TABLES = [("kristianstad", path.name) for path in sorted((ROOT / "processes" / "dmn").glob("*.dmn"))] + [
    (path.parts[-3], path.name) for path in sorted((ROOT / "processes" / "regions").glob("*/dmn/*.dmn"))]
# Three of the six criteria of the mobile care team.
THREE = {"Antal kroniska diagnoser": "3", "Inläggningar på sjukhus senaste 12 månaderna": "3",
         "Antal stående läkemedel": "6", "Ålder": "60"}
NEW_FIELD = "Särskilda behov att känna till"


def cell(page: Page, text: str):
    """A cell of the open table by its text, as the person sees it."""
    return page.locator(".tjs-table td.cell [contenteditable]").filter(has_text=re.compile(f"^{re.escape(text)}$"))


def edit_cell(page: Page, text: str, new_text: str) -> None:
    """Click into a cell, replace what it says and leave it, as a person edits a table."""
    target = cell(page, text)
    expect(target).to_have_count(1)
    target.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(new_text)
    page.get_by_role("heading", level=1).click()
    expect(cell(page, new_text)).to_have_count(1)


def try_table(page: Page, values: dict[str, str], yes_no: dict[str, str]) -> None:
    trial = page.get_by_role("region", name="Prova tabellen")
    for label, value in values.items():
        trial.get_by_label(label, exact=True).fill(value)
    for label, value in yes_no.items():
        trial.get_by_label(label, exact=True).select_option(label=value)
    trial.get_by_role("button", name="Prova").click()


def result(page: Page):
    return page.get_by_role("region", name="Prova tabellen").get_by_role("status")


def test_a_process_owner_changes_a_threshold_tries_it_and_deploys_it(page_as, api_as, axe):
    page = page_as("demo.eva")
    page.goto("/studio/kristianstad/dmn/dmn/mobilt_vardteam.dmn")
    expect(page.get_by_role("heading", level=1, name="Beslutstabell: Mobilt vårdteam")).to_be_visible()
    expect(page.get_by_text("från basrutinen (version 1)")).to_be_visible()
    expect(cell(page, ">= 4")).to_be_visible()
    axe(page, "the decision table editor")

    # As deployed, three criteria are not enough.
    yes_no = {"Klarar sin personliga omvårdnad": "Ja", "Har hemsjukvård": "Nej"}
    try_table(page, THREE, yes_no)
    expect(result(page)).to_contain_text("Uppfyller kriterierna")
    expect(result(page).locator("dd").nth(1)).to_have_text("nej")

    # The first rule lowered to three: at three, both rules hold, which the hit policy UNIQUE refuses.
    edit_cell(page, ">= 4", ">= 3")
    expect(page.get_by_text("Utkastet har ändringar som inte är driftsatta.")).to_be_visible()
    page.get_by_role("region", name="Prova tabellen").get_by_role("button", name="Prova").click()
    clash = page.get_by_role("alert").filter(has_text="UNIQUE")
    expect(clash).to_contain_text("reglerna 1 och 2 samtidigt")
    expect(page.locator("td.studio-rule-marked[data-row-id='DecisionRule_1r7s2yc']").first).to_be_visible()
    axe(page, "the decision table editor with a failing try")

    # The second rule follows: three criteria now qualify.
    edit_cell(page, "< 4", "< 3")
    page.get_by_role("region", name="Prova tabellen").get_by_role("button", name="Prova").click()
    expect(result(page).locator("dd").nth(1)).to_have_text("ja")
    expect(result(page).locator("dd").nth(0)).to_have_text("3")
    expect(page.get_by_role("alert").filter(has_text="UNIQUE")).to_have_count(0)
    expect(page.locator("td.studio-rule-marked")).to_have_count(0)

    # Deployed with a comment (asked for when left out).
    deploy = page.get_by_role("region", name="Kontrollera och driftsätt")
    deploy.get_by_role("button", name="Driftsätt").click()
    expect(deploy.get_by_text("Skriv en kommentar om vad du ändrar och varför.")).to_be_visible()
    expect(deploy.get_by_label("Kommentar till driftsättningen")).to_be_focused()
    deploy.get_by_label("Kommentar till driftsättningen").fill("Tröskeln sänks till 3 av 6 kriterier")
    deploy.get_by_role("button", name="Driftsätt").click()
    expect(deploy.get_by_role("status")).to_contain_text("Driftsatt som version 2 för Kristianstad")
    expect(page.get_by_text("Utkastet har ändringar som inte är driftsatta.")).to_have_count(0)
    axe(page, "the decision table editor after deploying")

    # The region's routine now decides by the new table, and the editor opens it as the region's own.
    status, answer = api_as("demo.eva")("POST", "/decisions/mobilt_vardteam/evaluate", {
        "region": "kristianstad", "variables": {
            "kroniska_diagnoser": 3, "inlaggningar_12_man": 3, "staende_lakemedel": 6,
            "klarar_personlig_omvardnad": True, "alder": 60, "hemsjukvard": False}})
    assert status == 200 and answer["result"]["uppfyller_kriterier"] is True, answer
    page.reload()
    expect(cell(page, ">= 3")).to_be_visible()
    expect(page.get_by_text("regionens egen (version 2)")).to_be_visible()


def test_stockholms_requirement_status_table_is_tried_with_each_requirements_facts(page_as, axe):
    """The table reads the facts of one requirement at a time (`kravet.antal_kallade`, ...): the page asks for each
    and answers with the status a case would get."""
    page = page_as("demo.helena")
    page.goto("/studio/stockholm/dmn/dmn/kallelse_kravstatus.dmn")
    expect(page.get_by_role("heading", level=1, name="Beslutstabell: Kravets status i kallelsen (Stockholm)")
           ).to_be_visible()
    expect(cell(page, '"utan_samtycke"')).to_be_visible()
    none_summoned = {"Kallade verksamheter som uppfyller kravet": "0"}
    try_table(page, none_summoned, {"Familjen samtycker till en verksamhet som uppfyller kravet": "Nej",
                                    "Dokumenterat att familjen inte samtycker": "Nej"})
    expect(result(page)).to_contain_text("Kravets status")
    expect(result(page).locator("dd")).to_have_text("utan_samtycke")
    axe(page, "Stockholm's requirement status table tried")
    try_table(page, none_summoned, {"Dokumenterat att familjen inte samtycker": "Ja"})
    expect(result(page).locator("dd")).to_have_text("samtycke_saknas")
    try_table(page, {"Kallade verksamheter som uppfyller kravet": "2"}, {})
    expect(result(page).locator("dd")).to_have_text("kallad")


@pytest.mark.parametrize(("region", "name"), TABLES, ids=[f"{r}-{n}" for r, n in TABLES])
def test_every_table_saved_back_by_dmn_js_passes_the_deployments_checks_and_deploys(region, name, page_as, axe):
    page = page_as(PROCESS_OWNER[region])
    page.goto(f"/studio/{region}/dmn/dmn/{name}")
    expect(page.get_by_role("heading", level=1, name=re.compile("^Beslutstabell: "))).to_be_visible()
    expect(page.locator(".tjs-table")).to_be_visible()
    if name == "mobilt_vardteam.dmn":
        # Every table of the file opens, chosen by its name.
        page.get_by_label("Tabell i filen").select_option(label="Kriterier för mobilt vårdteam")
        expect(cell(page, ">= 75")).to_be_visible()
    deploy = page.get_by_role("region", name="Kontrollera och driftsätt")
    deploy.get_by_role("button", name="Kontrollera utkastet").click()
    expect(deploy.get_by_role("status")).to_contain_text("Utkastet klarar driftsättningens kontroller.")
    expect(deploy.get_by_role("alert")).to_have_count(0)
    axe(page, f"{name} in {region}")
    # And deployed: a table dmn-js writes as the file already was (as the repository keeps them) deploys nothing
    # new; one it writes otherwise becomes the region's own and opens again as it was saved.
    deploy.get_by_label("Kommentar till driftsättningen").fill("Sparad i tabellredigeraren utan ändringar")
    deploy.get_by_role("button", name="Driftsätt").click()
    outcome = deploy.get_by_role("status")
    expect(outcome).to_contain_text(re.compile(r"Driftsatt som version \d+|Innehållet är detsamma som version \d+"))
    if "Driftsatt" in outcome.inner_text():
        page.reload()
        expect(page.get_by_text(re.compile(r"regionens egen \(version \d+\)"))).to_be_visible()
        expect(page.locator(".tjs-table")).to_be_visible()


def start(call, name: str, personal_number: str) -> dict:
    status, case = call("POST", "/cases", {"region": "kristianstad", "variables": {},
                                           "person": {"personal_number": personal_number, "name": name}})
    assert status == 201, case
    return case


def test_a_process_owner_adds_a_field_to_a_form_sees_it_and_deploys_it(page_as, api_as, axe):
    eva = api_as("demo.eva")
    running = start(eva, "Anna Andersson", "19121212-1212")

    page = page_as("demo.eva")
    page.goto("/studio/kristianstad/formular/forms/bedom_behov_av_sip.schema.json")
    expect(page.get_by_role("heading", level=1, name="Redigera formulär: Bedöm behov av SIP")).to_be_visible()
    preview = page.get_by_role("region", name="Förhandsvisning")
    checks = page.get_by_role("region", name="Driftsättningens kontroller")
    expect(preview.get_by_text("SIP initieras av")).to_be_visible()
    expect(checks.get_by_role("status")).to_contain_text("Utkastet klarar driftsättningens kontroller.")
    axe(page, "the form editor")

    schema_box = page.get_by_label("JSON Schema (forms/bedom_behov_av_sip.schema.json)")
    ui_box = page.get_by_label("UI-schema (forms/bedom_behov_av_sip.uischema.json)")
    schema = json.loads(schema_box.input_value())
    ui = json.loads(ui_box.input_value())

    # A comma left out: the error is said in Swedish at the field, with its line, and the preview stays.
    text = json.dumps(schema, ensure_ascii=False, indent=2)
    schema_box.fill(text.replace('"type": "object",', '"type": "object"', 1))
    expect(schema_box).to_have_accessible_description(re.compile(r"^Ogiltig JSON\. På rad \d+, kolumn \d+: "))
    expect(preview.get_by_text("Förhandsvisningen visar den senaste versionen av utkastet som gick att läsa.")
           ).to_be_visible()
    expect(preview.get_by_text("SIP initieras av")).to_be_visible()
    axe(page, "the form editor with a JSON error")

    # The field added to the schema and to the UI schema's order: the preview shows it at once.
    schema["properties"]["sarskilda_behov"] = {"type": "string", "title": NEW_FIELD, "maxLength": 500}
    schema_box.fill(json.dumps(schema, ensure_ascii=False, indent=2))
    expect(schema_box).not_to_have_accessible_description(re.compile("Ogiltig JSON"))
    ui["ui:order"] = [*ui["ui:order"], "sarskilda_behov"]
    ui["sarskilda_behov"] = {"ui:widget": "textarea"}
    # First with a misspelt name in the UI schema, which the deployment's checks name.
    ui_box.fill(json.dumps({**ui, "sarskilda_behv": {"ui:widget": "textarea"}}, ensure_ascii=False, indent=2))
    expect(checks.get_by_role("status")).to_contain_text("Utkastet klarar inte driftsättningens kontroller")
    expect(checks.get_by_role("status")).to_contain_text("sarskilda_behv")
    axe(page, "the form editor with a problem of the deployment's checks")
    ui_box.fill(json.dumps(ui, ensure_ascii=False, indent=2))
    expect(checks.get_by_role("status")).to_contain_text("Utkastet klarar driftsättningens kontroller.")
    expect(preview.get_by_label(NEW_FIELD)).to_be_visible()
    preview.get_by_label(NEW_FIELD).fill("Behöver tolk")

    deploy = page.get_by_role("region", name="Kontrollera och driftsätt")
    deploy.get_by_label("Kommentar till driftsättningen").fill("Särskilda behov frågas redan vid bedömningen")
    deploy.get_by_role("button", name="Driftsätt").click()
    expect(deploy.get_by_role("status")).to_contain_text("Driftsatt som version 2 för Kristianstad")
    expect(page.get_by_text("Utkastet har ändringar som inte är driftsatta.")).to_have_count(0)
    expect(page.get_by_text("regionens egna (version 2)")).to_be_visible()
    axe(page, "the form editor after deploying")

    # A case started now shows the field; the case started before keeps its version's form.
    new = start(eva, "Bertil Berg", "19800515-4581")
    page.goto(f"/uppgifter/{new['open_tasks'][0]['id']}")
    expect(page.get_by_role("heading", level=1, name="Bedöm behov av SIP")).to_be_visible()
    expect(page.get_by_label(NEW_FIELD)).to_be_visible()
    axe(page, "a new case's task with the new field")
    page.goto(f"/uppgifter/{running['open_tasks'][0]['id']}")
    expect(page.get_by_role("heading", level=1, name="Bedöm behov av SIP")).to_be_visible()
    expect(page.get_by_role("group", name=re.compile("^SIP initieras av"))).to_be_visible()
    expect(page.get_by_label(NEW_FIELD)).to_have_count(0)


def test_staff_without_the_role_may_look_at_a_table_but_not_try_or_deploy_a_draft(page_as, axe):
    page = page_as("demo.lisa")
    page.goto("/studio/kristianstad/dmn/dmn/mobilt_vardteam.dmn")
    expect(page.get_by_role("heading", level=1, name="Beslutstabell: Mobilt vårdteam")).to_be_visible()
    deploy = page.get_by_role("region", name="Kontrollera och driftsätt")
    expect(deploy.get_by_text("Bara processägare för Kristianstad (Skåne) kan kontrollera och driftsätta")
           ).to_be_visible()
    expect(deploy.get_by_role("button", name="Driftsätt")).to_be_disabled()
    expect(deploy.get_by_role("button", name="Kontrollera utkastet")).to_be_disabled()
    try_table(page, THREE, {})
    expect(page.get_by_role("alert")).to_contain_text("Bara processägare för regionen kan prova utkast")
    axe(page, "the decision table editor for staff without the role")
