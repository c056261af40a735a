"""The process studio's frame in Chromium: a process owner opens the studio from the navigation, sees the region's
routine with each file marked the base's ("Bas") or the region's own ("Regionens egen"), reads a diagram's
difference from the base, reads the version history with who, when, why and what changed, deploys an earlier
version again with a comment and sees it in the history, and asks whether the running cases of a version can move.
Staff without the role see no studio, and the API refuses them. axe-core checks every page as it is shown."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}
THRESHOLD = "<text>&gt;= 4</text>"


def deploy_lower_threshold(comment: str) -> int:
    """Kristianstad's next version with mobilt vårdteam's threshold at 3 criteria, deployed as its process owner
    would from the table editor."""
    from engine.services.deployments import deploy_files

    text = (ROOT / "processes" / "dmn" / "mobilt_vardteam.dmn").read_text(encoding="utf-8")
    assert THRESHOLD in text
    result = deploy_files({"dmn/mobilt_vardteam.dmn": text.replace(THRESHOLD, "<text>&gt;= 3</text>", 1)},
                          "kristianstad", deployed_by="demo.eva", comment=comment)
    return result.version


def test_a_process_owner_sees_the_regions_routine_marked_and_a_difference_from_the_base(page_as, axe):
    page = page_as("demo.eva")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Processtudio").click()
    expect(page.get_by_role("heading", level=1, name="Processtudio")).to_be_visible()
    axe(page, "the studio's front page")

    page.get_by_role("link", name="Kristianstad (Skåne)", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Rutinen i Kristianstad (Skåne)")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Version 1 är driftsatt. 5 filer är regionens egna")
    own = page.get_by_role("row", name=re.compile(r"^Tjänstemannamöte \(Kristianstad\)"))
    expect(own.get_by_role("cell").nth(1)).to_have_text("Regionens egen")
    expect(own.get_by_role("cell").nth(2)).to_have_text("Ändrad från basen")
    expect(own.get_by_role("link", name="Redigera Tjänstemannamöte (Kristianstad)")).to_have_attribute(
        "href", "/studio/kristianstad/bpmn/bpmn/tjanstemannamote.bpmn")
    base = page.get_by_role("row", name=re.compile(r"^Mobilt vårdteam"))
    expect(base.get_by_role("cell").nth(1)).to_have_text("Bas")
    expect(base.get_by_role("cell").nth(2)).to_have_text("Som basen")
    expect(base.get_by_role("link", name=re.compile("^Visa skillnad"))).to_have_count(0)
    form = page.get_by_role("row", name=re.compile(r"^Förbered den enskilde och planera mötet"))
    expect(form.get_by_role("cell").nth(1)).to_have_text("Regionens egen")
    expect(form.get_by_role("link", name=re.compile("^Förhandsgranska"))).to_have_attribute(
        "href", "/formular/kristianstad/forbered_sip")
    axe(page, "Kristianstad's routine")

    own.get_by_role("link", name="Visa skillnad mot basen för Tjänstemannamöte (Kristianstad)").click()
    expect(page.get_by_role("heading", level=1, name="Skillnad mot basen")).to_be_visible()
    section = page.get_by_role("region", name="bpmn/tjanstemannamote.bpmn")
    expect(section).to_contain_text("2 tillagda, 8 borttagna")
    expect(section.get_by_role("listitem").filter(
        has_text="Exklusiv grind ”Hålls tjänstemannamöte?” (tjanstemannamote_behovs_gw")).to_be_visible()
    renamed = section.get_by_role("listitem").filter(has_text="Process ”Tjänstemannamöte (Kristianstad)”")
    expect(renamed.first).to_contain_text("Namn: före: Tjänstemannamöte → efter: Tjänstemannamöte (Kristianstad)")
    axe(page, "the difference from the base")


def test_a_process_owner_deploys_an_earlier_version_again_with_a_comment(page_as, api_as, axe):
    assert deploy_lower_threshold("Tröskeln sänks till 3 kriterier") == 2
    status, case = api_as("demo.eva")("POST", "/cases", {"region": "kristianstad", "person": PERSON})
    assert status == 201 and case["process"]["version"] == 2

    page = page_as("demo.eva")
    page.goto("/studio/kristianstad/versioner")
    expect(page.get_by_role("heading", level=1, name="Versioner i Kristianstad (Skåne)")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Nya ärenden startar på version 2.")
    second = page.get_by_role("region", name="Version 2 Gäller nu")
    expect(second).to_contain_text("Tröskeln sänks till 3 kriterier")
    expect(second).to_contain_text("av demo.eva")
    expect(second).to_contain_text("Ändrade: dmn/mobilt_vardteam.dmn")
    expect(second).to_contain_text("1 pågående ärende kör versionen")
    axe(page, "the versions page")

    second.get_by_role("button", name="Visa ändringarna i detalj i version 2").click()
    change = second.get_by_role("listitem").filter(has_text=re.compile(r"^Villkor: Antal uppfyllda kriterier"))
    expect(change).to_have_text("Villkor: Antal uppfyllda kriterier: före: >= 4 → efter: >= 3")
    axe(page, "a version's changes in detail")

    first = page.get_by_role("region", name="Version 1", exact=True)
    first.get_by_role("button", name="Driftsätt version 1 igen …").click()
    first.get_by_label("Kommentar: varför driftsätts version 1 igen?").fill("Tillbaka till 4 kriterier tills vidare")
    axe(page, "the form to deploy version 1 again")
    first.get_by_role("button", name="Driftsätt version 1 igen").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Version 1 är driftsatt igen, som version 3. Nya ärenden startar på den")
    third = page.get_by_role("region", name="Version 3 Gäller nu")
    expect(third).to_contain_text("Tillbaka till 4 kriterier tills vidare")
    expect(third).to_contain_text("Samma som version 1, som driftsattes igen")
    expect(third).to_contain_text("0 pågående ärenden kör versionen")
    second = page.get_by_role("region", name="Version 2", exact=True)
    expect(second).to_contain_text("1 pågående ärende kör versionen")
    axe(page, "the versions page after deploying version 1 again")

    # Version 2's files as deployed: its threshold was the region's own, and is not edited from an earlier version.
    second.get_by_role("link", name="Visa versionens filer (version 2)").click()
    expect(page.get_by_role("heading", level=1, name="Rutinen i Kristianstad (Skåne), version 2")).to_be_visible()
    table = page.get_by_role("row", name=re.compile(r"^Mobilt vårdteam"))
    expect(table.get_by_role("cell").nth(1)).to_have_text("Regionens egen")
    expect(table.get_by_role("cell").nth(2)).to_have_text("Ändrad från basen")
    expect(table.get_by_role("link", name=re.compile("^(Redigera|Öppna)"))).to_have_count(0)
    axe(page, "an earlier version's files")
    page.go_back()
    second = page.get_by_role("region", name="Version 2", exact=True)

    # The running case keeps version 2; a new one starts on version 3.
    assert api_as("demo.eva")("GET", f"/cases/{case['id']}")[1]["process"]["version"] == 2
    status, fresh = api_as("demo.eva")("POST", "/cases", {"region": "kristianstad", "person": PERSON})
    assert status == 201 and fresh["process"]["version"] == 3

    # Whether version 2's running case can move to version 3: the migration plan, or word that there is none.
    planned, plan = api_as("demo.eva")("POST", "/migrations/plan", {"region": "kristianstad", "from_version": 2})
    second.get_by_role("button", name=re.compile("^Kan ärendena flyttas till version 3")).click()
    if planned in (404, 405):
        expect(second.get_by_role("alert")).to_have_text(
            "Att flytta ärenden mellan versioner finns inte i den här installationen ännu.")
    else:
        assert planned == 200, plan
        summary = plan["summary"]
        expect(second.get_by_role("status")).to_contain_text(
            f"{summary['total']} ärende{'' if summary['total'] == 1 else 'n'} på version 2: "
            f"{summary['can_move']} kan flyttas till version {plan['to_version']}, {summary['cannot_move']} kan inte")
    axe(page, "the migration check")


def test_staff_without_the_role_see_no_studio_and_the_api_refuses_them(page_as, api_as, axe):
    page = page_as("demo.lisa")
    expect(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppgifter")).to_be_visible()
    expect(page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Processtudio")).to_have_count(0)
    page.goto("/studio/kristianstad/versioner")
    expect(page.get_by_role("heading", level=1, name="Ingen åtkomst till processtudion")).to_be_visible()
    axe(page, "the studio refused")
    for path in ("/regions/kristianstad/routine", "/regions/kristianstad/versions"):
        status, problem = api_as("demo.lisa")("GET", path)
        assert status == 403 and problem["title"] == "Åtkomst nekad"
    status, _ = api_as("demo.lisa")("POST", "/regions/kristianstad/versions/1/restore", {"comment": "Nej"})
    assert status == 403
