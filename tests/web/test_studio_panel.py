"""The diagram editor's panel offers what the region's routine has (/studio/<region>/bpmn/<file>): a process owner
picks a task's form and a business rule task's decision table from lists, is warned in words when a typed name is
not in the routine, sees a message event's message with what it stores and its correlation, chooses another message
and renames one, sets the notification a task sends and the form the person fills in, deploys, and the deployed
diagrams say what was chosen. axe-core checks each step."""

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


def open_diagram(page, path: str, region: str = "kristianstad"):
    page.goto(f"/studio/{region}/bpmn/{path}")
    name = path.rsplit("/", 1)[-1]
    expect(page.get_by_role("heading", level=1, name=f"Ändra diagrammet {name}")).to_be_visible()
    return page.locator("section.studio-checks")


def select(page, element_id: str):
    shape = page.locator(f".bpmn-editor__canvas .djs-element.djs-shape[data-element-id='{element_id}']")
    shape.click()
    expect(shape).to_have_class(re.compile(r"\bselected\b"))


def deploy(page, comment: str, region: str = "Kristianstad"):
    page.get_by_label("Kommentar till driftsättningen").fill(comment)
    page.get_by_role("button", name="Driftsätt", exact=True).click()
    expect(page.get_by_text(re.compile(rf"Driftsatt som version \d+ för {region}"))).to_be_visible(
        timeout=20_000)


def badge(page, element_id: str):
    """The mark of the draft's problems on the element."""
    return page.locator(f".djs-overlays[data-container-id='{element_id}'] .sip-problem-badge")


def task_properties(xml: str, task: str, name: str) -> list[str]:
    _, found = element(xml, task)
    return [prop.get("value") for prop in found.iter(f"{{{SPIFF}}}property") if prop.get("name") == name]


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


SUMMONS_TASK = "kvittera_kallelse"
SUMMONED = "kallelse datum=motesdatum_planerat tid=motestid plats=motesplats"


def test_a_process_owner_sets_the_summons_notification_of_a_user_task(page_as, api_as, axe):
    api = api_as("demo.eva")
    page = page_as("demo.eva")
    checks = open_diagram(page, SUMMONS)
    panel = page.get_by_role("region", name="Egenskaper för valt element")
    select(page, SUMMONS_TASK)
    # The panel's heading names the kind of element in Swedish, as the rest of the studio does.
    expect(panel.locator(".bio-properties-panel-header-type")).to_have_text("Användaruppgift", ignore_case=True)
    kind = panel.get_by_label("Avisering", exact=True)
    written = panel.get_by_label("Aviseringen som motorn läser (notification)")
    place = panel.get_by_label("Variabeln med mötets plats (plats=)")
    expect(kind).to_have_value("kallelse")
    expect(written).to_have_value(SUMMONED)
    expect(place).to_have_value("motesplats")
    # A user task is offered the summons only: the message kinds belong on an event that catches a message.
    expect(kind.locator("option")).to_have_text(["Ingen avisering", "Kallelse till SIP-mötet (kallelse)"])
    axe(page, "a user task's notification in the panel")

    # No notification: the property is gone, and so are the variables' fields.
    kind.select_option(label="Ingen avisering")
    expect(written).to_have_value("")
    expect(place).to_have_count(0)
    # The summons again, chosen: it needs its meeting's variables, which the deployment's check says at the task.
    kind.select_option(value="kallelse")
    expect(written).to_have_value("kallelse")
    task_badge = badge(page, SUMMONS_TASK)
    expect(task_badge).to_have_attribute("title", re.compile(
        r"kallelse behöver variablerna för mötets datum \(datum=…\), mötets tid \(tid=…\), mötets plats "
        r"\(plats=…\)"), timeout=20_000)
    panel.get_by_label("Variabeln med mötets datum (datum=)").fill("motesdatum_planerat")
    panel.get_by_label("Variabeln med mötets tid (tid=)").fill("motestid")
    place.fill("motesplatsen")  # no form or script of the routine sets it
    expect(written).to_have_value("kallelse datum=motesdatum_planerat tid=motestid plats=motesplatsen")
    expect(task_badge).to_have_attribute("title", re.compile(
        r"variabeln 'motesplatsen' för mötets plats \(plats=\) sätts inte av något formulär eller skript i "
        r"rutinen"), timeout=20_000)
    expect(checks.get_by_text(re.compile(r"variabeln 'motesplatsen' för mötets plats"))).to_be_visible()
    axe(page, "a notification with a problem at its task")
    place.fill("motesplats")
    expect(written).to_have_value(SUMMONED)
    expect(checks.get_by_text("Utkastet klarar driftsättningens kontroller.")).to_be_visible(timeout=20_000)
    expect(task_badge).to_have_count(0)
    deploy(page, "Kallelsens avisering vald i panelen")

    _, deployed = api("GET", f"/regions/kristianstad/files/{SUMMONS}")
    assert deployed["source"] == "region"
    assert task_properties(deployed["content"], SUMMONS_TASK, "notification") == [SUMMONED]


def test_a_notification_that_does_not_fit_its_element_is_a_problem_at_it(page_as, axe):
    page = page_as("demo.eva")
    checks = open_diagram(page, SUMMONS)
    panel = page.get_by_role("region", name="Egenskaper för valt element")
    select(page, SUMMONS_TASK)
    panel.get_by_label("Aviseringen som motorn läser (notification)").fill("mote_installt")
    expect(panel.get_by_label("Avisering", exact=True)).to_have_value("mote_installt")
    expect(panel.get_by_label("Avisering", exact=True).locator("option:checked")).to_have_text(
        "mote_installt (passar inte här)")
    said = "avisering mote_installt hör till en händelse som tar emot ett meddelande"
    expect(badge(page, SUMMONS_TASK)).to_have_attribute("title", re.compile(said), timeout=20_000)
    problem = checks.get_by_role("listitem").filter(has_text=said)
    expect(problem.get_by_role("button", name="Kvittera kallelse")).to_be_visible()
    axe(page, "a notification on an element it does not fit")

    # A message event that catches a message is offered the message kinds, and takes them.
    open_diagram(page, MAIN)
    select(page, "samtycke_aterkallas")
    kind = panel.get_by_label("Avisering", exact=True)
    expect(kind).to_have_value("samtycke_aterkallat")
    expect(kind.locator("option")).to_have_text(["Ingen avisering", "Mötet är inställt (mote_installt)",
                                                 "Samtycket är återkallat (samtycke_aterkallat)"])
    axe(page, "a message catch event's notification in the panel")


def test_a_process_owner_picks_the_form_the_person_fills_in(page_as, api_as, axe):
    api = api_as("demo.helena")
    page = page_as("demo.helena")  # Helena Sjö: process owner in Stockholm
    path = "bpmn/mote_och_dokumentation.bpmn"
    checks = open_diagram(page, path, "stockholm")
    panel = page.get_by_role("region", name="Egenskaper för valt element")
    select(page, "sip_kollen")
    choice = panel.get_by_label("Välj personens formulär")
    schema = panel.get_by_label("JSON Schema-fil för personens formulär")
    ui = panel.get_by_label("UI-schema-fil för personens formulär")
    expect(choice).to_have_value("sip_kollen_personen.schema.json")
    # Only forms the person's page can show are offered: not the staff's checklist of the same task.
    expect(choice.locator("option", has_text="(sip_kollen)")).to_have_count(0)
    choice.select_option(label="Inget formulär för personen")
    expect(schema).to_have_value("")
    expect(ui).to_have_value("")
    # The staff's form typed as the person's: the panel says the person's page cannot show it, and so does the check.
    schema.fill("sip_kollen.schema.json")
    expect(panel.get_by_text("Personens sida kan inte visa formuläret sip_kollen.schema.json")).to_be_visible()
    expect(checks.get_by_text(re.compile(r"sip_kollen\.schema\.json: personens sida kan inte visa fältet")).first
           ).to_be_visible(timeout=20_000)
    offered = choice.locator("option").filter(has_text="(sip_kollen_personen)")
    expect(offered).to_have_count(1)
    choice.select_option(label=offered.inner_text())
    expect(schema).to_have_value("sip_kollen_personen.schema.json")
    expect(ui).to_have_value("sip_kollen_personen.uischema.json")
    expect(checks.get_by_text("Utkastet klarar driftsättningens kontroller.")).to_be_visible(timeout=20_000)
    axe(page, "the person's form chosen from the list")
    deploy(page, "SIP-kollen för personen vald i panelen", "Region Stockholm")

    _, deployed = api("GET", f"/regions/stockholm/files/{path}")
    xml = deployed["content"]
    assert task_properties(xml, "sip_kollen", "personFormJsonSchemaFilename") == ["sip_kollen_personen.schema.json"]
    assert task_properties(xml, "sip_kollen", "personFormUiSchemaFilename") == ["sip_kollen_personen.uischema.json"]
