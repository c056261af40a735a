"""Walking a SIP through the staff web app as staff do: signing in, finding a task in the task list, filling its
form by the labels a person reads and completing it, and following the app to wherever it goes next."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.web.conftest import sign_in

DONE = "Uppgiften är slutförd."
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december"]


# How a required field's label ends: a "*" that is seen and an "(obligatoriskt)" that is heard.
REQUIRED = r"(?: \*)?(?: \(obligatoriskt\))?"


def today() -> date:
    """The day it is in Sweden, as the pages count days."""
    return datetime.now(ZoneInfo("Europe/Stockholm")).date()


def in_days(days: int) -> date:
    return today() + timedelta(days=days)


def swedish(day: date) -> str:
    """A day as the pages write it: "4 december 2026"."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def signed_in(new_page, demo: dict, username: str, *, polled: bool = False) -> Page:
    """A page of its own signed in as a demo user from the sign-in page. `polled`: the page's clock is one the
    test can move on (`page.clock.fast_forward`), so a list that polls every ten seconds polls when told."""
    page = new_page()
    if polled:
        page.clock.install()
    sign_in(page, demo[username])
    return page


def heading(page: Page, title: str) -> Locator:
    return page.get_by_role("heading", level=1, name=title, exact=True)


def on_task(page: Page, title: str) -> None:
    """The page is the task `title`, open, with its form."""
    expect(heading(page, title)).to_be_visible()
    expect(page.get_by_role("button", name="Slutför uppgiften")).to_be_visible()


def done_notice(page: Page) -> Locator:
    return page.get_by_role("status").filter(has_text=DONE)


def complete(page: Page) -> None:
    """Complete the task on the page, and wait for the page the app goes on to, with its notice."""
    before = page.url
    page.get_by_role("button", name="Slutför uppgiften").click()
    try:
        page.wait_for_url(lambda url: url != before)
    except Exception as error:  # the form stayed: say what it says is wrong
        alerts = page.get_by_role("alert").all_inner_texts()
        raise AssertionError(f"the task was not completed: {alerts}") from error
    expect(done_notice(page)).to_be_visible()


def menu(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name, exact=True).click()


def organisation_tasks(page: Page) -> Locator:
    """To the task list, its view of the organisation's tasks (a summons is for the organisation, not for anyone
    in it yet); returns the list's table."""
    menu(page, "Uppgifter")
    views = page.get_by_role("navigation", name="Vyer")
    views.get_by_role("link", name=re.compile("^Min verksamhets uppgifter")).click()
    expect(page.get_by_role("heading", level=2, name="Min verksamhets uppgifter")).to_be_visible()
    return page.get_by_role("table", name="Min verksamhets uppgifter")


def task_row(page: Page, title: str, person: str) -> Locator:
    """The task list's row of the task `title` in `person`'s case."""
    return (page.get_by_role("table").get_by_role("row")
            .filter(has=page.get_by_role("link", name=title, exact=True))
            .filter(has=page.get_by_role("link", name=person, exact=True)))


def poll(page: Page) -> None:
    """Let the ten seconds pass after which an open task list asks the server again."""
    page.clock.fast_forward(10_000)


def open_from_list(page: Page, title: str, person: str) -> None:
    """From the organisation's task list to the task, by its link in its row."""
    organisation_tasks(page)
    task_row(page, title, person).get_by_role("link", name=title, exact=True).click()
    on_task(page, title)


def group(scope: Page | Locator, name: str) -> Locator:
    """A group of fields (a fieldset) by its legend, as a screen reader names it."""
    return scope.get_by_role("group", name=re.compile("^" + re.escape(name) + REQUIRED + "$"))


def field(scope: Page | Locator, label: str) -> Locator:
    """A field by its label, as seen ("Namn *") or heard ("Namn (obligatoriskt)") where the field is required."""
    return scope.get_by_label(re.compile("^" + re.escape(label) + REQUIRED + "$"))


def choose(scope: Page | Locator, question: str, answer: str) -> None:
    """Answer a question asked with radio buttons: the group named by the question, the button by its answer."""
    group(scope, question).get_by_role("radio", name=answer, exact=True).check()


def add_item(scope: Page | Locator, list_title: str, item_title: str, number: int) -> Locator:
    """Add a row to a list of the form ("Lägg till i Kallade huvudmän") and return the new row: its group of
    fields, or its one field where each row is a single value."""
    scope.get_by_role("button", name=f"Lägg till i {list_title}", exact=True).click()
    name = re.compile("^" + re.escape(f"{item_title} {number}") + REQUIRED + "$")
    item = scope.get_by_role("group", name=name).or_(scope.get_by_label(name))
    expect(item).to_be_visible()
    return item


def fill_actor(scope: Locator, person: dict) -> None:
    """Name, organisation, kind of huvudman, profession and contact of a person acting for a huvudman."""
    field(scope, "Namn").fill(person["namn"])
    organisation = field(scope, "Organisation")
    if organisation.evaluate("element => element.tagName") == "SELECT":  # chosen among the organisations known
        organisation.select_option(label=person["organisation"])
    else:
        organisation.fill(person["organisation"])
    field(scope, "Huvudmannens verksamhet").select_option(label=person["verksamhet"])
    if "yrke" in person:
        field(scope, "Yrke/profession").fill(person["yrke"])
    if "kontakt" in person:
        field(scope, "Kontaktuppgifter").fill(person["kontakt"])


def printed_plan(page: Page, link_name: str | re.Pattern) -> Page:
    """Open the printable plan from its link on the page (a new tab) and return the tab."""
    with page.expect_popup() as opened:
        page.get_by_role("link", name=link_name).click()
    plan = opened.value
    expect(plan.get_by_role("heading", level=1, name="Samordnad individuell plan")).to_be_visible()
    return plan


def fact(page: Page, term: str) -> Locator:
    """What a list of facts says of `term` (a description list's term and its description)."""
    return page.get_by_role("term").filter(has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::*[1]")


def section(page: Page, title: str) -> Locator:
    """A section of the printed plan: the text under its heading up to the next one."""
    return page.locator(f"xpath=//h2[normalize-space()={quote(title)}]/following-sibling::*"
                        f"[preceding-sibling::h2[1][normalize-space()={quote(title)}]]")


def quote(text: str) -> str:
    return '"' + text + '"' if '"' not in text else "'" + text + "'"
