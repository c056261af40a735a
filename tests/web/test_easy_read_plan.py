"""The easy-read plan as the coordinator opens it from the case page when she is to print the plan for the person:
plain words, dates as people say them, whom to call, what the person does; accessible, and on one printed page
without the page's navigation."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.api.over_http import KristianstadOverHttp
from tests.routine.walk import KOMMUN, VARDCENTRAL

RELATIVE = {"namn": "Maria Andersson", "relation": "Dotter", "kontakt": "070-555 12 34"}


def printed_pages(page) -> int:
    """How many A4 pages the page prints on, as Chromium lays it out for printing."""
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_easy_read_plan_is_opened_from_the_case_page_and_prints_on_one_page(page_as, demo, web_server, axe):
    tokens = {KOMMUN["organisation"]: demo["demo.eva"]["token"], VARDCENTRAL["organisation"]: demo["demo.per"]["token"]}
    walk = KristianstadOverHttp.started(web_server, tokens, "kristianstad", "Anna Andersson", KOMMUN["organisation"])
    walk.initiate().consent().prepare(narstaende=[RELATIVE]).acknowledge_all().premeeting()
    walk.meeting(motesdatum="2026-12-10", uppfoljningsdatum="2027-06-10").document_all().approve_all()

    page = page_as("demo.eva")
    page.goto(f"/arenden/{walk.case_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anna Andersson")
    expect(page.get_by_role("region", name="Planen hittills")).to_contain_text("Maria Andersson, Dotter, 070-555 12 34")
    easy_link = page.locator(".print-link").get_by_role("link", name=re.compile(r"^Lättläst plan"))
    expect(easy_link).to_be_visible()
    with page.context.expect_page() as opened:
        easy_link.click()
    plan = opened.value
    plan.wait_for_load_state()
    assert plan.url.endswith(f"/api/v1/cases/{walk.case_id}/plan/easy-read")

    expect(plan.get_by_role("heading", level=1, name="Min plan")).to_be_visible()
    expect(plan.get_by_text("Vi bestämde det på mötet 10 december 2026.")).to_be_visible()
    expect(plan.get_by_text("Planen är inte klar")).to_have_count(0)
    call = plan.get_by_role("region", name="Om något inte fungerar")
    expect(call).to_contain_text("Ring Eva Ek på Kristianstads kommun, hemtjänst Norr. Telefon: 044-13 50 00.")
    help_given = plan.get_by_role("region", name="Den här hjälpen får du")
    expect(help_given).to_contain_text("Hemtjänst morgon och kväll")
    # Who gives it, once: the unit is part of the organisation's name, not said again in brackets.
    expect(help_given).to_contain_text("Det gör Kristianstads kommun, hemtjänst Norr.")
    expect(help_given).not_to_contain_text("(Hemtjänst Norr)")
    expect(plan.get_by_role("region", name="Det här gör du själv och andra runt dig")).to_contain_text(
        "Dottern Maria: Handlar mat, varje vecka.")
    expect(plan.get_by_role("region", name="De här är med i din plan")).to_contain_text(
        "Maria Andersson, dotter. Telefon: 070-555 12 34")
    expect(plan.get_by_role("region", name="Nästa gång vi ses")).to_contain_text("Det blir senast 10 juni 2027.")
    nav = plan.get_by_role("navigation", name="Planen i andra former")
    expect(nav.get_by_role("link", name="Hela planen")).to_be_visible()
    # A telephone number is read in one piece: no number broken over two lines.
    phones = plan.locator(".phone")
    assert phones.count() >= 2
    assert phones.evaluate_all("(all) => all.map((e) => e.getClientRects().length)") == [1] * phones.count()
    axe(plan, "the easy-read plan")

    plan.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(call).to_be_visible()
    assert printed_pages(plan) == 1, "the easy-read plan fits on one sheet"

    # The full plan is one link away, and offers the easy-read one back.
    plan.emulate_media(media="screen")
    nav.get_by_role("link", name="Hela planen").click()
    expect(plan.get_by_role("heading", level=1, name="Samordnad individuell plan")).to_be_visible()
    expect(plan.get_by_text("Planen är inte färdig")).to_have_count(0)
    back = plan.get_by_role("navigation", name="Planen i andra former").get_by_role("link", name="Lättläst plan")
    expect(back).to_be_visible()
    axe(plan, "the printed plan")
    plan.emulate_media(media="print")
    expect(back).to_be_hidden()
