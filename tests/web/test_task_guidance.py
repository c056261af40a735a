"""A task's page tells the person what the case knows at the moment they open it: the summons names the meeting's
date, time and place and opens with who the summons named as the one who comes, the deviation names who stays
away; the form as it opened is completed without typing again."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from playwright.sync_api import expect

KOMMUN = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol"}
VARDCENTRAL = {"namn": "Per Berg", "organisation": "Region Skåne, vårdcentral Näsby", "huvudmannatyp": "primarvard"}
PSYKIATRI = {"namn": "Omar Ali", "organisation": "Region Skåne, psykiatrisk öppenvård Kristianstad",
             "huvudmannatyp": "psykiatri"}
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")


def task_of(call, case_id: str, name: str, organisation: str | None = None) -> dict:
    status, listed = call("GET", f"/tasks?case_id={case_id}&name={name}")
    assert status == 200, listed
    found = [t for t in listed["items"] if organisation is None or t["candidate_group"] == organisation]
    assert found, (name, organisation, listed)
    return found[0]


def complete(call, task_id: str, data: dict) -> None:
    status, answer = call("POST", f"/tasks/{task_id}/complete", {"data": data})
    assert status == 200, answer


def completed(call, task_id: str) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, task = call("GET", f"/tasks/{task_id}")
        if status == 200 and task["state"] == "completed":
            return True
        time.sleep(0.2)
    return False


def test_the_summons_and_the_deviation_show_the_meeting_and_who_stays_away(page_as, api_as, axe):
    eva, per, omar = api_as("demo.eva"), api_as("demo.per"), api_as("demo.omar")
    status, case = eva("POST", "/cases", {"region": "kristianstad", "variables": {},
                                          "person": {"personal_number": "19400307-1232", "name": "Greta Gran"}})
    assert status == 201, case
    case_id = case["id"]
    first = task_of(eva, case_id, "bedom_behov_av_sip")
    status, opened = eva("GET", f"/tasks/{first['id']}")
    assert opened["data"]["huvudperson"]["namn"] == "Greta Gran"
    complete(eva, first["id"], {"initierad_av": "kommun", "huvudperson": opened["data"]["huvudperson"],
                                "samordningsansvarig": KOMMUN, "sip_behovs": True})
    complete(eva, task_of(eva, case_id, "inhamta_samtycke")["id"], {
        "samtycke": "givet", "samtycke_datum": date.today().isoformat(), "samtycke_informationsutbyte": True,
        "samtycke_huvudman": ["kommun_sol", "primarvard", "psykiatri"]})
    planned = date.today() + timedelta(days=10)
    complete(eva, task_of(eva, case_id, "forbered_sip")["id"], {
        "deltagare": [KOMMUN, VARDCENTRAL, PSYKIATRI], "motesdatum_planerat": planned.isoformat(),
        "motestid": "13:30", "motesplats": "Näsby vårdcentral, rum 4"})

    # Per opens the summons: the meeting's facts in the instructions, himself as the one who comes.
    summons = task_of(per, case_id, "kvittera_kallelse", VARDCENTRAL["organisation"])
    page = page_as("demo.per")
    page.goto(f"/uppgifter/{summons['id']}")
    instructions = page.get_by_role("region", name="Instruktioner")
    expect(instructions).to_contain_text(f"{planned.day} {MONTHS[planned.month - 1]} {planned.year}")
    expect(instructions).to_contain_text("klockan 13:30")
    expect(instructions).to_contain_text("Näsby vårdcentral, rum 4")
    expect(instructions).to_contain_text("Greta Gran")
    expect(instructions.locator("strong", has_text="Näsby vårdcentral, rum 4")).to_be_visible()
    expect(page.get_by_label(re.compile("^Vem kommer"))).to_have_value("Per Berg")
    axe(page, "the summons with the meeting's facts")
    page.get_by_role("group", name=re.compile("^Vi deltar i mötet")).get_by_role("radio", name="Ja").check()
    page.get_by_role("button", name="Slutför uppgiften").click()
    assert completed(per, summons["id"]), "the summons, completed as it opened, was not accepted"

    complete(eva, task_of(eva, case_id, "kvittera_kallelse", KOMMUN["organisation"])["id"], {"kommer": True,
                                                                                             "namn": "Eva Ek"})
    complete(omar, task_of(omar, case_id, "kvittera_kallelse", PSYKIATRI["organisation"])["id"],
             {"kommer": False, "ersattare": ""})

    # Eva opens the deviation: it names the psykiatri, which stays away without a substitute.
    deviation = task_of(eva, case_id, "registrera_avvikelse")
    status, opened = eva("GET", f"/tasks/{deviation['id']}")
    acknowledged = {k["organisation"]: k for k in opened["data"]["kvitteringar"]}
    assert acknowledged[VARDCENTRAL["organisation"]]["namn"] == "Per Berg", "who comes, as the summons opened"
    page = page_as("demo.eva")
    page.goto(f"/uppgifter/{deviation['id']}")
    instructions = page.get_by_role("region", name="Instruktioner")
    expect(instructions.locator("strong", has_text=PSYKIATRI["organisation"])).to_be_visible()
    expect(instructions).to_contain_text("kommer inte och skickar ingen ersättare")
    axe(page, "the deviation naming who stays away")

    # The case's history says who acknowledged, by name and organisation as they signed in.
    page.goto(f"/arenden/{case_id}")
    history = page.get_by_role("region", name="Historik")
    expect(history.get_by_text(f"Av Per Berg, {VARDCENTRAL['organisation']}")).to_be_visible()
