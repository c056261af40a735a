"""The diagram editor's panel offers what the region's routine has (/studio/<region>/bpmn/<file>): a process owner
picks a task's form and a business rule task's decision table from lists, is warned in words when a typed name is
not in the routine, sees a message event's message with what it stores and its correlation, chooses another message
and renames one, deploys, and the deployed diagrams say what was chosen. axe-core checks each step."""

from __future__ import annotations

import re

from lxml import etree
from playwright.sync_api import expect

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
SUMMONS = "bpmn/kallelse_och_forberedelse.bpmn"
MAIN = "bpmn/sip.bpmn"


def element(xml: str, element_id: str):
    root = etree.fromstring(xml.encode("utf-8"))
    return root, root.find(f".//*[@id='{element_id}']")


def task_property(xml: str, task: str, name: str) -> str | None:
    _, found = element(xml, task)
    prop = found.find(f".//{{{SPIFF}}}property[@name='{name}']")
    return prop.get("value") if prop is not None else None


def open_diagram(page, path: str):
    page.goto(f"/studio/kristianstad/bpmn/{path}")
    name = path.rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", level=1, name=f"Ändra diagrammet {name}")).to_be_visible()
    return page.locator("section.studio-checks")


def select(page, element_id: str):
    shape = page.locator(f".bpmn-editor__canvas .djs-element.djs-shape[data-element-id='{element_id}']")
    shape.click()
    expect(shape).to_have_class(re.compile(r"\bselected\b"))


def deploy(page, comment: str):
    page.get_by_label("Kommentar till driftsättningen").fill(comment)
    page.get_by_role("button", name="Driftsätt", exact=True).click()
    expect(page.get_by_text(re.compile(r"Driftsatt som version \d+ för Kristianstad"))).to_be_visible(
        timeout=20_000)


def test_a_process_owner_picks_a_form_a_decision_and_a_message_from_the_routine(page_as, api_as, axe):
    api = api_as("demo.eva")
    page = page_as("demo.eva")  # Eva Ek: process owner in Kristianstad
    checks = open_diagram(page, SUMMONS)
    panel = page.get_by_role("region", name="Egenskaper för valt element")

    # A user task: its form is one of the routine's, chosen from the list.
    select(page, "folj_upp_sen_kallelse")
    form_choice = panel.get_by_label("Välj formulär")
    expect(form_choice).to_have_value("folj_upp_sen_kallelse.schema.json")
    expect(form_choice.locator("option", has_text="Registrera avvikelse (registrera_avvikelse)")).to_have_count(1)
    # A name typed for a form the routine does not have is kept, and warned about.
    typed = panel.get_by_label("Formulär (JSON Schema-fil)")
    typed.fill("ny_uppfoljning.schema.json")
    warning = panel.get_by_text("Formuläret ny_uppfoljning.schema.json finns inte bland regionens formulär")
    expect(warning).to_be_visible()
    expect(form_choice).to_have_value("ny_uppfoljning.schema.json")
    axe(page, "a form the routine does not have, warned about in the panel")
    form_choice.select_option(label="Registrera avvikelse (registrera_avvikelse)")
    expect(typed).to_have_value("registrera_avvikelse.schema.json")
    expect(panel.get_by_label("Formulärets utseende (UI-schema-fil)")).to_have_value(
        "registrera_avvikelse.uischema.json")
    expect(warning).to_have_count(0)

    # The business rule task: its decision table chosen from the routine's.
    select(page, "kontrollera_kallelse")
    decision_choice = panel.get_by_label("Välj beslutstabell")
    expect(decision_choice).to_have_value("kallelse_krav")
    decision_typed = panel.get_by_label("Beslutstabellens id")
    decision_typed.fill("kallelse_krav_2027")
    decision_warning = panel.get_by_text("Beslutstabellen kallelse_krav_2027 finns inte i regionens rutin")
    expect(decision_warning).to_be_visible()
    expect(checks.get_by_text(re.compile(r"Utkastet har \d+ problem"))).to_be_visible(timeout=20_000)
    decision_choice.select_option(label="Mobilt vårdteam (mobilt_vardteam)")
    expect(decision_typed).to_have_value("mobilt_vardteam")
    expect(decision_warning).to_have_count(0)
    expect(checks.get_by_text("Utkastet klarar driftsättningens kontroller.")).to_be_visible(timeout=20_000)
    axe(page, "a decision table chosen from the list")
    deploy(page, "Sen kallelse registreras som avvikelse; kontrollen via mobilt vårdteam")

    _, deployed = api("GET", f"/regions/kristianstad/files/{SUMMONS}")
    assert deployed["source"] == "region"
    xml = deployed["content"]
    assert task_property(xml, "folj_upp_sen_kallelse", "formJsonSchemaFilename") == "registrera_avvikelse.schema.json"
    assert task_property(xml, "folj_upp_sen_kallelse", "formUiSchemaFilename") == "registrera_avvikelse.uischema.json"
    _, rule = element(xml, "kontrollera_kallelse")
    assert rule.find(f".//{{{SPIFF}}}calledDecisionId").text == "mobilt_vardteam"

    # A message event: its message, where its content goes, and its correlation.
    checks = open_diagram(page, MAIN)
    select(page, "uppfoljning_begars")
    expect(panel.get_by_text("Meddelande som tas emot", exact=True)).to_be_visible()
    message_choice = panel.get_by_label("Välj meddelande")
    name = panel.get_by_label("Meddelandets namn")
    expect(message_choice).to_have_value("id:msg_uppfoljning_begard")
    expect(name).to_have_value("uppfoljning_begard")
    expect(panel.get_by_label("Meddelandets innehåll sparas i (variabel)")).to_have_value("uppfoljning_begaran")
    expect(panel.get_by_text("Ingen korrelation: meddelandet når det ärende det skickas till.")).to_be_visible()
    axe(page, "a message event's message in the panel")
    # Another of the diagram's messages, chosen from the list, then back again.
    message_choice.select_option(label="mote_installt")
    expect(name).to_have_value("mote_installt")
    message_choice.select_option(label="uppfoljning_begard")
    expect(name).to_have_value("uppfoljning_begard")
    # Renamed: the routine has no message of the new name yet, which is said.
    name.fill("uppfoljning_onskas")
    expect(panel.get_by_text("Meddelandet uppfoljning_onskas finns inte i regionens rutin än.")).to_be_visible()
    expect(message_choice.locator("option", has_text="uppfoljning_onskas")).to_have_count(1)
    expect(checks.get_by_text("Utkastet klarar driftsättningens kontroller.")).to_be_visible(timeout=20_000)
    # A throwing event shows what it sends.
    select(page, "ny_sip_startas")
    expect(panel.get_by_text("Meddelande som skickas", exact=True)).to_be_visible()
    expect(panel.get_by_label("Välj meddelande")).to_have_value("id:msg_sip")
    expect(panel.get_by_label("Meddelandets innehåll (uttryck)")).to_have_value(re.compile(r'"huvudperson"'))
    expect(panel.get_by_text("Inget i rutinen tar emot")).to_have_count(0)  # it starts a new case of `sip`
    axe(page, "a throwing message event in the panel")
    deploy(page, "Uppföljning begärs heter nu uppfoljning_onskas")

    _, deployed = api("GET", f"/regions/kristianstad/files/{MAIN}")
    root, event = element(deployed["content"], "uppfoljning_begars")
    ref = event.find(f"{{{BPMN}}}messageEventDefinition").get("messageRef")
    assert root.find(f"{{{BPMN}}}message[@id='{ref}']").get("name") == "uppfoljning_onskas"
    _, catalog = api("GET", "/regions/kristianstad/routine/catalog")
    assert "uppfoljning_onskas" in {m["name"] for m in catalog["messages"]}
