"""The task pages as staff use them: the task list (the user's and the organisation's tasks, filters kept in the
address, claiming from the row, overdue said in words, a new task shown without a reload), a task's form filled
in by label with a draft that outlives a reload and the server's errors at their fields, a task completed with
the keyboard alone, and what a second user on the same task is told."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.api.conftest import user_token
from tests.routine.walk import CaseWalk

COORDINATOR = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol"}


def start(call, name: str, personal_number: str) -> dict:
    status, case = call("POST", "/cases", {"region": "kristianstad", "variables": {},
                                           "person": {"personal_number": personal_number, "name": name}})
    assert status == 201, case
    return case


def first_task(case: dict) -> str:
    return case["open_tasks"][0]["id"]


def complete(call, task_id: str, data: dict) -> dict:
    status, answer = call("POST", f"/tasks/{task_id}/complete", {"data": data})
    assert status == 200, answer
    return answer


def consented(call, name: str, personal_number: str) -> str:
    """A case past its assessment and consent: the coordinator prepares the meeting next (its task's id)."""
    case = start(call, name, personal_number)
    answer = complete(call, first_task(case), {"initierad_av": "kommun", "huvudperson": {"namn": name},
                                               "samordningsansvarig": COORDINATOR, "sip_behovs": True})
    answer = complete(call, answer["next_tasks"][0]["id"], {
        "samtycke": "givet", "samtycke_datum": date.today().isoformat(), "samtycke_informationsutbyte": True,
        "samtycke_huvudman": ["kommun_sol", "primarvard", "psykiatri"]})
    return answer["next_tasks"][0]["id"]


def tab_to(page, target, limit: int = 60) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_the_task_list_its_views_filters_claims_and_refreshing(page_as, api_as, demo, axe):
    eva = api_as("demo.eva")
    # A meeting held three weeks ago: each participant's documentation was due two working days after it.
    walk = CaseWalk.start(huvudperson={"namn": "Anna Andersson"})
    walk.initiate().consent().prepare().acknowledge_all().premeeting()
    walk.meeting(motesdatum=(date.today() - timedelta(days=21)).isoformat(),
                 uppfoljningsdatum=(date.today() + timedelta(days=180)).isoformat())
    start(eva, "Bertil Berg", "19800515-4581")
    demo["elin"] = {"token": user_token("elin")}  # a colleague of Eva's, in the same organisation

    page = page_as("demo.eva")
    page.clock.install()  # the list polls every ten seconds: the test moves the clock instead of waiting
    page.goto("/uppgifter")
    expect(page.get_by_role("heading", level=1, name="Uppgifter")).to_be_visible()
    expect(page.get_by_text("Du har inga uppgifter just nu.")).to_be_visible()
    axe(page, "the task list, empty")

    page.get_by_role("link", name=re.compile("Min verksamhets uppgifter")).click()
    table = page.get_by_role("table")
    # Anna's documentation, one task per participant: the coordinator's organisation sees each.
    overdue = table.get_by_role("row").filter(has=page.get_by_role("link", name="Dokumentera egna åtaganden"))
    expect(overdue.first.get_by_role("link", name="Anna Andersson")).to_be_visible()
    expect(overdue.first.get_by_text("Försenad")).to_be_visible()
    bertil = table.get_by_role("row").filter(has=page.get_by_role("link", name="Bertil Berg"))
    expect(bertil.get_by_text("Inget datum")).to_be_visible()
    expect(bertil.get_by_text("Försenad")).to_be_hidden()
    expect(page.get_by_text(re.compile(r"Visar 1–\d+ av \d+"))).to_be_visible()
    axe(page, "the organisation's task list")

    # Filters: by kind and by due date, kept in the address so a reload keeps them.
    page.get_by_label("Typ av uppgift").select_option("bedom_behov_av_sip")
    page.get_by_role("button", name="Filtrera").click()
    expect(bertil).to_be_visible()
    expect(overdue).to_have_count(0)
    assert "typ=bedom_behov_av_sip" in page.url
    page.reload()
    expect(page.get_by_label("Typ av uppgift")).to_have_value("bedom_behov_av_sip")
    expect(overdue).to_have_count(0)
    page.get_by_role("button", name="Rensa filter").click()
    page.get_by_label("Förfallodatum").select_option(label="Försenade")
    page.get_by_role("button", name="Filtrera").click()
    expect(overdue.first).to_be_visible()
    expect(bertil).to_be_hidden()
    page.go_back()
    expect(bertil).to_be_visible()

    # Taking a task and giving it back, from its row.
    bertil.get_by_role("button", name=re.compile("^Ta uppgiften")).click()
    expect(page.get_by_text("Du har tagit uppgiften ”Bedöm behov av SIP” för Bertil Berg.")).to_be_visible()
    expect(bertil.get_by_role("cell", name="Du", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Mina uppgifter (1)")).to_be_visible()
    bertil.get_by_role("button", name=re.compile("^Lämna tillbaka")).click()
    expect(bertil.get_by_role("cell", name="Ingen", exact=True)).to_be_visible()

    # A colleague takes it meanwhile, before the list has shown it (its poll is held at what it was): taking it
    # then is refused, in Swedish, and the row shows who has it.
    _, before = eva("GET", "/tasks/summary")
    page.route("**/api/v1/tasks/summary", lambda route: route.fulfill(json=before))
    status, _ = api_as("elin")("POST", f"/tasks/{bertil_task(api_as('elin'))}/claim", {})
    assert status == 200
    bertil.get_by_role("button", name=re.compile("^Ta uppgiften")).click()
    expect(page.get_by_role("alert")).to_contain_text("Uppgiften har redan tagits av någon annan")
    expect(bertil.get_by_role("cell", name="elin", exact=True)).to_be_visible()
    page.unroute("**/api/v1/tasks/summary")

    # A new task shows up by itself at the next poll, and the change is announced.
    start(eva, "Cecilia Carlsson", "19851203-9879")
    page.clock.fast_forward(10_000)
    expect(table.get_by_role("link", name="Cecilia Carlsson")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Listan har uppdaterats.")).to_have_count(1)


def bertil_task(call) -> str:
    status, page = call("GET", "/tasks?name=bedom_behov_av_sip&person=Bertil")
    assert status == 200 and page["items"], page
    return page["items"][0]["id"]


def test_a_form_with_a_draft_and_the_servers_errors_at_their_fields(page_as, api_as, axe):
    task_id = consented(api_as("demo.eva"), "Anna Andersson", "19121212-1212")
    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{task_id}")
    expect(page.get_by_role("heading", level=1, name="Förbered den enskilde och planera mötet")).to_be_visible()
    aside = page.get_by_role("complementary", name="Om ärendet")
    expect(aside.get_by_text("Anna Andersson")).to_be_visible()
    expect(aside.get_by_role("link", name="Gå till ärendet")).to_have_attribute("href", re.compile("/arenden/"))
    axe(page, "a task's page")

    # Typed in by label; what the server refuses in the draft is shown at its field, in Swedish.
    page.get_by_label(re.compile("^Plats")).fill("Näsby vårdcentral")
    page.get_by_label("Klockslag").fill("kl 10")
    expect(page.get_by_role("status").filter(has_text="Utkastet sparades inte")).to_be_visible()
    # A draft's error waits at its field until the person leaves the field.
    expect(page.get_by_label("Klockslag")).not_to_have_accessible_description(re.compile("format|tt:mm"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Klockslag")).to_have_accessible_description(re.compile("format|tt:mm"))
    axe(page, "a task's page with an error at a field")
    page.get_by_label("Klockslag").fill("10:00")
    expect(page.get_by_role("status").filter(has_text=re.compile(r"Utkast sparat kl\. \d\d:\d\d"))).to_be_visible()
    expect(page.get_by_label("Klockslag")).not_to_have_accessible_description(re.compile("format|tt:mm"))

    page.reload()
    expect(page.get_by_text("Formuläret är ifyllt från ett utkast som du sparade")).to_be_visible()
    expect(page.get_by_label(re.compile("^Plats"))).to_have_value("Näsby vårdcentral")
    expect(page.get_by_label("Klockslag")).to_have_value("10:00")

    # The form's own checks, before anything is sent: a summary whose links lead to the fields.
    page.get_by_role("button", name="Slutför uppgiften").click()
    summary = page.get_by_role("alert").filter(has_text="behöver rättas")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("^Datum för SIP-mötet")).click()
    expect(page.get_by_label("Datum för SIP-mötet")).to_be_focused()

    page.get_by_role("button", name="Kasta utkastet").click()
    expect(page.get_by_role("status").filter(has_text="Utkastet är kastat")).to_be_visible()
    expect(page.get_by_label(re.compile("^Plats"))).to_have_value("")


def test_a_task_completed_with_the_keyboard_alone(page_as, api_as, axe):
    case = start(api_as("demo.eva"), "Bertil Berg", "19800515-4581")
    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{first_task(case)}")
    expect(page.get_by_role("heading", level=1, name="Bedöm behov av SIP")).to_be_visible()
    keys = page.keyboard

    tab_to(page, page.get_by_role("radio", name="Kommunen"))
    keys.press("Space")
    tab_to(page, page.get_by_label("Huvudmannens verksamhet"))
    keys.press("ArrowDown")
    tab_to(page, page.get_by_label("Namn").nth(1))
    keys.type("Eva Ek")
    tab_to(page, page.get_by_label("Organisation"))
    keys.type("Kristianstads kommun, hemtjänst Norr")
    tab_to(page, page.get_by_role("radio", name="Ja"))
    keys.press("Space")
    tab_to(page, page.get_by_role("button", name="Slutför uppgiften"))
    keys.press("Enter")

    # On to the next task of the case, with the notice where the focus is.
    expect(page.get_by_role("heading", level=1, name="Inhämta samtycke")).to_be_visible()
    notice = page.get_by_role("status").filter(has_text="Uppgiften är slutförd.")
    expect(notice).to_be_focused()
    axe(page, "the next task, with the notice")


def test_a_second_user_on_the_same_task_is_told_what_happened(page_as, api_as, demo):
    case = start(api_as("demo.eva"), "Cecilia Carlsson", "19851203-9879")
    task_id = first_task(case)
    demo["elin"] = {"token": user_token("elin")}
    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{task_id}")
    page.get_by_role("radio", name="Kommunen").check()
    page.get_by_label("Huvudmannens verksamhet").select_option(label="Kommunen, socialtjänst (SoL)")
    page.get_by_label("Namn").nth(1).fill("Eva Ek")
    page.get_by_label("Organisation").fill("Kristianstads kommun, hemtjänst Norr")
    page.get_by_role("radio", name="Ja").check()

    complete(api_as("elin"), task_id, {"initierad_av": "kommun", "huvudperson": {"namn": "Cecilia Carlsson"},
                                       "samordningsansvarig": COORDINATOR, "sip_behovs": True})
    page.get_by_role("button", name="Slutför uppgiften").click()
    conflict = page.get_by_role("alert").filter(has_text="Uppgiften har redan slutförts eller tagits av någon annan")
    expect(conflict).to_be_focused()
    conflict.get_by_role("button", name="Ladda om sidan").click()
    expect(page.get_by_text("Uppgiften är slutförd.")).to_be_visible()
    expect(page.get_by_role("button", name="Slutför uppgiften")).to_be_hidden()

    page.goto("/uppgifter/finns-inte")
    expect(page.get_by_text("Uppgiften finns inte eller så har din verksamhet inte tillgång till den.")).to_be_visible()
