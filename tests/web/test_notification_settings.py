"""The notification settings page in Chromium: reached from the main menu, it says in Swedish what a user is told
and how, refuses a wrong address at its field, and keeps what was saved; axe-core on every state it shows."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_a_user_chooses_how_they_are_told_and_finds_it_kept(page_as, axe):
    page = page_as("demo.per")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Inställningar").click()
    page.wait_for_url(re.compile(r"/installningar$"))
    expect(page.get_by_role("heading", level=1, name="Inställningar")).to_be_visible()
    expect(page).to_have_title("Inställningar – SIP")
    new_task = page.get_by_label("Ny uppgift")
    expect(new_task).to_have_value("immediately")
    expect(page.get_by_label("Kallelse till SIP-möte")).to_have_value("immediately")
    axe(page, "the settings page")

    page.get_by_label("E-postadress").fill("per på vårdcentralen")
    page.get_by_role("button", name="Spara").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("E-postadress: ange en e-postadress som namn@exempel.se")
    expect(page.get_by_label("E-postadress")).to_have_attribute("aria-invalid", "true")
    axe(page, "the settings page with an error")

    page.get_by_label("E-postadress").fill("per@vc.example.se")
    new_task.select_option(label="En sammanfattning varje morgon")
    page.get_by_label("SIP avslutad").select_option(label="Inget")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status").filter(has_text="Inställningarna är sparade.")).to_be_visible()
    expect(summary).to_have_count(0)
    axe(page, "the settings page, saved")

    page.reload()
    expect(page.get_by_label("E-postadress")).to_have_value("per@vc.example.se")
    expect(page.get_by_label("Ny uppgift")).to_have_value("daily")
    expect(page.get_by_label("SIP avslutad")).to_have_value("never")
    expect(page.get_by_label("Kallelse till SIP-möte")).to_have_value("immediately")
