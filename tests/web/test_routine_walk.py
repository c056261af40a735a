"""A SIP carried from its start to the printed plan in the staff web app, in Swedish, by the people of each
organisation in browser sessions of their own: forms filled by their labels, tasks found in each organisation's
own task list as they appear there, and what each page shows checked when it shows it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.web.walking import (
    add_item,
    choose,
    complete,
    done_notice,
    fact,
    field,
    fill_actor,
    group,
    heading,
    in_days,
    menu,
    on_task,
    open_from_list,
    organisation_tasks,
    poll,
    printed_plan,
    section,
    signed_in,
    swedish,
    task_row,
    today,
)

PERSON = "Astrid Holm"
NUMBER = "19440612-2384"
EVA = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr",
       "verksamhet": "Kommunen, socialtjänst (SoL)", "yrke": "Biståndshandläggare", "kontakt": "044-13 50 00"}
PER = {"namn": "Per Berg", "organisation": "Region Skåne, vårdcentral Näsby", "verksamhet": "Primärvård (regionen)",
       "yrke": "Distriktssköterska", "kontakt": "044-30 90 00"}
OMAR = {"namn": "Omar Ali", "organisation": "Region Skåne, psykiatrisk öppenvård Kristianstad",
        "verksamhet": "Psykiatri (regionen)", "yrke": "Kurator", "kontakt": "044-30 95 00"}

SITUATION = "Jag bor ensam i min lägenhet sedan min man dog. Jag är rädd att ramla på natten."
MAIN_GOAL = "Astrid bor kvar hemma och känner sig trygg"
GOAL = "Trygg på nätterna"
SUB_GOAL = "Trygghetslarm installerat"
KOMMUN_INSATS = {"Vad (insats)": "Hemtjänst morgon och kväll", "Hur ofta": "Varje dag", "När": "Kl. 7 och kl. 19",
                 "Var": "Hemma", "Vem (ansvarig)": "Hemtjänst Norr"}
VARDCENTRAL_INSATS = {"Vad (insats)": "Mobilt vårdteam gör hembesök", "Hur ofta": "Varannan vecka",
                      "När": "Tisdagar", "Var": "Hemma", "Vem (ansvarig)": "Per Berg"}
NO_ACTION = "Astrid behöver ingen behandling hos oss nu; vårdcentralen hör av sig om oron växer"
FOLLOW_UP = in_days(182)


def test_a_sip_from_its_start_to_the_printed_plan_by_three_organisations(new_page, demo, axe):
    eva = signed_in(new_page, demo, "demo.eva", polled=True)
    per = signed_in(new_page, demo, "demo.per", polled=True)
    omar = signed_in(new_page, demo, "demo.omar", polled=True)
    # The vårdcentral and the psykiatri keep their organisation's task lists open: nothing for them yet.
    for page in (per, omar):
        organisation_tasks(page)
        expect(page.get_by_text("Din verksamhet har inga öppna uppgifter just nu.")).to_be_visible()
    axe(per, "an organisation's empty task list")

    # -- the kommun's coordinator starts the SIP and asks for consent --------------------------------------------
    menu(eva, "Starta SIP")
    expect(heading(eva, "Starta SIP")).to_be_visible()
    eva.get_by_label("Personnummer").fill(NUMBER)
    eva.get_by_label("Namn").fill(PERSON)
    expect(eva.get_by_label("Region")).to_have_value("kristianstad")
    axe(eva, "the start page, filled in")
    eva.get_by_role("button", name="Starta SIP").click()

    on_task(eva, "Bedöm behov av SIP")
    expect(eva.get_by_role("status").filter(has_text=f"SIP:en för {PERSON} är startad.")).to_be_focused()
    axe(eva, "the assessment")
    choose(eva, "SIP initieras av", "Kommunen")
    person = group(eva, "Den enskilde")
    expect(field(person, "Namn")).to_have_value(PERSON)
    field(person, "Ålder").fill("82")
    fill_actor(group(eva, "Samordningsansvarig (den som kallar)"), EVA)
    choose(eva, "Behövs en SIP?", "Ja")
    complete(eva)

    on_task(eva, "Inhämta samtycke")
    expect(done_notice(eva)).to_be_focused()
    axe(eva, "the consent")
    choose(eva, "Den enskildes svar", "Samtycker")
    field(eva, "Datum för samtycke").fill(today().isoformat())
    choose(eva, "Samtycker till informationsutbyte mellan huvudmännen", "Ja")
    consented = group(eva, "Huvudmän som får delta")
    for party in (EVA, PER, OMAR):
        consented.get_by_role("checkbox", name=party["verksamhet"], exact=True).check()
    field(eva, "Dokumentation").fill("Astrid samtycker muntligt, hennes dotter Maria var med.")
    axe(eva, "the consent, filled in")
    complete(eva)

    # -- the summons ---------------------------------------------------------------------------------------------
    on_task(eva, "Förbered den enskilde och planera mötet")
    axe(eva, "the preparation")
    summoned = group(eva, "Kallade huvudmän")
    for number, party in enumerate((EVA, PER, OMAR), start=1):
        fill_actor(add_item(summoned, "Kallade huvudmän", "Huvudman", number), party)
    relative = add_item(group(eva, "Närstående som deltar"), "Närstående som deltar", "Närstående", 1)
    field(relative, "Namn").fill("Maria Holm")
    field(relative, "Relation").fill("Dotter")
    field(eva, "Datum för SIP-mötet").fill(today().isoformat())
    field(eva, "Klockslag").fill("10:00")
    field(eva, "Plats").fill("Hemma hos Astrid")
    group(eva, "Stöd till den enskilde").get_by_role("checkbox", name="Lättläst").check()
    field(eva, "Förslag på tid och plats för tjänstemannamötet").fill("Samma dag kl. 8.30, Näsby vårdcentral")
    axe(eva, "the preparation, filled in")
    complete(eva)

    # Each summoned organisation finds its summons in its own list at the list's next poll, without a reload.
    for page in (per, omar):
        poll(page)
        row = task_row(page, "Kvittera kallelse", PERSON)
        expect(row).to_have_count(1)
        expect(page.get_by_role("status").filter(has_text="Listan har uppdaterats.")).to_have_count(1)
    axe(per, "an organisation's task list with its summons")

    # The coordinator is taken on to the kommun's own summons: the other two are the others'.
    on_task(eva, "Kvittera kallelse")
    aside = eva.get_by_role("complementary", name="Om ärendet")
    expect(aside.get_by_text(f"{swedish(today())}, kl. 10:00, Hemma hos Astrid")).to_be_visible()
    others = aside.get_by_role("listitem").filter(has=eva.get_by_role("link", name="Kvittera kallelse"))
    expect(others).to_have_count(2)
    expect(others.filter(has_text=PER["organisation"])).to_have_count(1)
    expect(others.filter(has_text=OMAR["organisation"])).to_have_count(1)
    axe(eva, "the summons")
    choose(eva, "Vi deltar i mötet", "Ja")
    field(eva, "Vem kommer").fill("Eva Ek")
    field(eva, "Kartläggning av nuläget").fill("Hemtjänst morgon och kväll sedan i våras. Orolig på nätterna.")
    complete(eva)

    # Nothing else is the kommun's to do: the app shows the case, where the two other summons are still open.
    expect(heading(eva, f"SIP för {PERSON}")).to_be_visible()
    participants = eva.get_by_role("region", name="Deltagare")
    for party in (EVA, PER, OMAR):
        expect(participants.get_by_role("row", name=re.compile(
            re.escape(party["organisation"]) + ".*" + re.escape(party["namn"])))).to_be_visible()
    work = eva.get_by_role("region", name="Gjort och kvar att göra")
    for party in (PER, OMAR):
        card = work.locator("div").filter(has=eva.get_by_role("heading", level=3, name=party["organisation"]))
        expect(card.last.get_by_role("link", name="Kvittera kallelse")).to_be_visible()
    history = eva.get_by_role("region", name="Historik").get_by_role("listitem")
    by_eva = f"Av {EVA['namn']}, {EVA['organisation']}"  # the signed-in user, by name, not a login
    for done in ("Bedöm behov av SIP", "Inhämta samtycke", "Förbered den enskilde och planera mötet",
                 "Kvittera kallelse"):
        expect(history.filter(has_text=f"{done} är gjord.").filter(has_text=by_eva)).to_have_count(1)
    axe(eva, "the case at its summons")

    # The vårdcentral and the psykiatri acknowledge theirs from their lists, each with its status mapping.
    for page, party, mapping in (
            (per, PER, "Diabetes och hjärtsvikt, sju stående läkemedel. Två inläggningar i år."),
            (omar, OMAR, "Oro och sömnsvårigheter sedan maken dog; ingen pågående behandling.")):
        task_row(page, "Kvittera kallelse", PERSON).get_by_role("link", name="Kvittera kallelse").click()
        on_task(page, "Kvittera kallelse")
        choose(page, "Vi deltar i mötet", "Ja")
        field(page, "Vem kommer").fill(party["namn"])
        field(page, "Kartläggning av nuläget").fill(mapping)
        complete(page)
        expect(heading(page, f"SIP för {PERSON}")).to_be_visible()
    axe(omar, "the case as a participant sees it")

    # -- the officials' pre-meeting: Kristianstad always asks the mobile care team's six criteria ------------------
    open_from_list(eva, "Genomför tjänstemannamöte", PERSON)
    axe(eva, "the officials' pre-meeting")
    chair = group(eva, "Ordförande på SIP-mötet")
    field(chair, "Namn").fill(EVA["namn"])
    field(chair, "Organisation").fill(EVA["organisation"])
    field(eva, "Ansvarsfördelning").fill("Kommunen samordnar; vårdcentralen tar läkemedlen; psykiatrin bedömer oron.")
    field(eva, "Vem skriver 'Min nuvarande situation'").fill("Eva Ek med Astrid")
    field(eva, "Vem skriver 'Huvudmål'").fill("Astrid själv, med Eva Ek")
    # Four of six: three chronic diagnoses, seven standing medicines, personal care not managed, 82 years old.
    field(eva, "Antal kroniska diagnoser").fill("3")
    field(eva, "Antal sjukhusinläggningar senaste 12 månaderna").fill("2")
    field(eva, "Antal stående läkemedel (ej ögondroppar, salvor)").fill("7")
    choose(eva, "Klarar sin personliga omvårdnad", "Nej")
    field(eva, "Ålder").fill("82")
    choose(eva, "Har hemsjukvård", "Nej")
    complete(eva)
    # The decision is primary care's: not the coordinator's to take, and in the vårdcentral's list.
    expect(heading(eva, f"SIP för {PERSON}")).to_be_visible()
    card = work.locator("div").filter(has=eva.get_by_role("heading", level=3, name="Primärvård (regionen)"))
    expect(card.last.get_by_role("link", name="Besluta om mobilt vårdteam")).to_be_visible()

    open_from_list(per, "Besluta om mobilt vårdteam", PERSON)
    axe(per, "the decision on the mobile care team")
    choose(per, "Beslut", "Mobilt vårdteam beviljas")
    complete(per)
    expect(heading(per, f"SIP för {PERSON}")).to_be_visible()

    # -- the SIP meeting -----------------------------------------------------------------------------------------
    open_from_list(eva, "Genomför SIP-möte", PERSON)
    axe(eva, "the SIP meeting")
    field(eva, "Mötesdatum").fill(today().isoformat())
    field(eva, "Min nuvarande situation").fill(SITUATION)
    field(eva, "Huvudmål").fill(MAIN_GOAL)
    goals = group(eva, "Mål")
    goal = add_item(goals, "Mål", "Mål", 1)
    field(goal, "Mål").fill(GOAL)
    add_item(goal, "Delmål", "Delmål", 1).fill(SUB_GOAL)
    field(eva, "Huvudman med övergripande ansvar").fill(EVA["organisation"])
    others = group(eva, "Insatser av andra än kommun och region")
    other = add_item(others, "Insatser av andra än kommun och region", "Insats", 1)
    field(other, "Vem").fill("Maria Holm, dotter")
    field(other, "Insats").fill("Handlar mat och följer med till vårdcentralen")
    field(other, "Hur ofta").fill("Varje vecka")
    field(eva, "Sammanfattning").fill("Hemtjänsten fortsätter, mobilt vårdteam börjar, psykiatrin finns till hands.")
    field(eva, "Datum för uppföljning").fill(FOLLOW_UP.isoformat())
    eva.get_by_role("checkbox", name="Den enskilde vet att mötet dokumenteras och får en utskriven kopia").check()
    axe(eva, "the SIP meeting, filled in")
    complete(eva)

    # -- each documents its own commitments; the last to do so goes on to approving the plan ---------------------
    on_task(eva, "Dokumentera egna åtaganden")  # the kommun's own, straight after the meeting
    expect(eva.get_by_text(f"{swedish(today())}, kl. 10:00, Hemma hos Astrid")).to_be_visible()
    axe(eva, "documenting one's commitments")
    document(eva, KOMMUN_INSATS)
    complete(eva)
    expect(heading(eva, f"SIP för {PERSON}")).to_be_visible()

    open_from_list(per, "Dokumentera egna åtaganden", PERSON)
    document(per, VARDCENTRAL_INSATS)
    complete(per)
    expect(heading(per, f"SIP för {PERSON}")).to_be_visible()

    open_from_list(omar, "Dokumentera egna åtaganden", PERSON)
    expect(group(omar, "Insatser").get_by_text("Inga ännu.")).to_be_visible()  # no row to remove first
    omar.get_by_role("checkbox", name="Ingen insats från oss").check()
    field(omar, "Motivering").fill(NO_ACTION)
    complete(omar)

    on_task(omar, "Godkänn planen")
    axe(omar, "approving the plan")
    approve(omar, OMAR)
    open_from_list(per, "Godkänn planen", PERSON)
    approve(per, PER)
    open_from_list(eva, "Godkänn planen", PERSON)
    approve(eva, EVA)

    # -- the coordinator is told to print the plan, and the plan printed from there is the one agreed -------------
    on_task(eva, "Skriv ut planen till den enskilde")
    axe(eva, "printing the plan")
    plan = printed_plan(eva, re.compile("^Planen för utskrift"))
    expect(plan.get_by_text("Planen är inte färdig")).to_have_count(0)
    expect(plan.get_by_text(f"SIP-möte {swedish(today())}")).to_be_visible()
    expect(plan.get_by_text(SITUATION)).to_be_visible()
    expect(plan.get_by_text(f"Huvudmål: {MAIN_GOAL}")).to_be_visible()
    expect(plan.get_by_role("listitem").filter(has_text=GOAL).get_by_role("listitem").filter(
        has_text=SUB_GOAL)).to_be_visible()
    for party, insats in ((EVA, KOMMUN_INSATS), (PER, VARDCENTRAL_INSATS)):
        row = plan.get_by_role("row").filter(has_text=insats["Vad (insats)"])
        expect(row).to_contain_text(party["organisation"])
        expect(row).to_contain_text(insats["Hur ofta"])
    expect(plan.get_by_text(f"{OMAR['organisation']} deltar utan egen insats: {NO_ACTION}.")).to_be_visible()
    expect(plan.get_by_role("row").filter(has_text="Handlar mat")).to_contain_text("Maria Holm, dotter")
    expect(section(plan, "Vem har det övergripande ansvaret?").first).to_have_text(EVA["organisation"])
    for party in (EVA, PER, OMAR):  # each with who approved for it, as signed in (the party's own user here)
        expect(plan.get_by_role("row", name=" ".join(
            party[key] for key in ("namn", "yrke", "organisation", "kontakt", "namn")), exact=True)).to_be_visible()
    expect(plan.get_by_text(f"Planen följs upp senast {swedish(FOLLOW_UP)}.")).to_be_visible()
    axe(plan, "the printed plan")
    plan.close()

    eva.get_by_role("checkbox", name="Den enskilde har erbjudits en utskriven kopia").check()
    eva.get_by_role("checkbox", name="En kopia finns i hemmet").check()
    eva.get_by_role("checkbox", name="En kopia finns där personalen når den").check()
    complete(eva)

    # -- the plan is set, and the follow-up is watched for ---------------------------------------------------------
    expect(heading(eva, f"SIP för {PERSON}")).to_be_visible()
    expect(eva.get_by_text("Ingen uppgift är öppen just nu.")).to_be_visible()
    expect(fact(eva, "Nästa bevakning")).to_have_text(swedish(FOLLOW_UP))  # the follow-up's reminder
    plan_section = eva.get_by_role("region", name="Planen hittills")
    expect(plan_section.get_by_text("Alla som deltar har dokumenterat och godkänt planen.")).to_be_visible()
    expect(history.filter(has_text="Skriv ut planen till den enskilde är gjord.")).to_have_count(1)
    axe(eva, "the case with its plan set")


def document(page, insats: dict) -> None:
    """One intervention of the organisation's, by the form's labels, in a row added to the list."""
    item = add_item(group(page, "Insatser"), "Insatser", "Insats", 1)
    for label, value in insats.items():
        field(item, label).fill(value)


def approve(page, party: dict) -> None:
    on_task(page, "Godkänn planen")
    page.get_by_role("checkbox", name=re.compile("^Vi godkänner planen")).check()
    expect(page.get_by_label(re.compile("^Godkänd av"))).to_have_count(0)  # the engine records who approves
    complete(page)


# -- Stockholm: the family's pre-meeting, the services' pre-meeting, the meeting in five parts, SIP-kollen ------------

MAJA = "Maja Lind"
HELENA = {"namn": "Helena Sjö", "organisation": "Stockholms stad, socialtjänst Södermalm",
          "verksamhet": "Kommunen, socialtjänst (SoL)", "yrke": "Socialsekreterare", "kontakt": "08-508 000 00"}
DAVID = {"namn": "David Ruiz", "organisation": "Region Stockholm, BUP Södermalm", "verksamhet": "Psykiatri (regionen)",
         "yrke": "Psykolog", "kontakt": "08-123 450 00"}
YUSUF = {"namn": "Yusuf Kaya", "organisation": "Stockholms stad, Södermalmsskolan", "verksamhet": "Skola",
         "yrke": "Kurator", "kontakt": "08-508 400 00"}
FAMILY_OWN = "Mamma följer Maja till skolan på måndagar"
IF_HELP = "Ring Helena på socialtjänsten"
KINDS = {"Kommunen, socialtjänst (SoL)": "kommun_sol", "Psykiatri (regionen)": "psykiatri", "Skola": "skola"}


def api_party(party: dict) -> dict:
    return {"namn": party["namn"], "organisation": party["organisation"], "huvudmannatyp": KINDS[party["verksamhet"]],
            "yrke": party["yrke"], "kontakt": party["kontakt"]}


def api_complete(call, case_id: str, name: str, data: dict, group: str | None = None) -> None:
    status, tasks = call("GET", f"/tasks?case_id={case_id}&name={name}")
    assert status == 200, tasks
    task = next(t for t in tasks["items"] if group is None or t["candidate_group"] == group)
    status, answer = call("POST", f"/tasks/{task['id']}/complete", {"data": data})
    assert status == 200, answer


def test_stockholm_a_child_s_sip_with_the_family_s_pre_meeting_and_the_meeting_in_five_parts(page_as, api_as, axe):
    helena_api = api_as("demo.helena")
    status, case = helena_api("POST", "/cases", {"region": "stockholm", "variables": {},
                                                 "person": {"personal_number": "20090315-4565", "name": MAJA}})
    assert status == 201, case
    case_id = case["id"]
    api_complete(helena_api, case_id, "bedom_behov_av_sip", {  # the assessment, as in the base walk
        "initierad_av": "kommun", "huvudperson": {"namn": MAJA, "alder": 17},
        "samordningsansvarig": api_party(HELENA), "sip_behovs": True})

    helena = page_as("demo.helena")
    open_from_list(helena, "Förmöte med barnet och vårdnadshavarna", MAJA)
    axe(helena, "the family's pre-meeting")
    choose(helena, "Barnets och vårdnadshavarnas inställning till SIP", "Positiv: samtycker till SIP")
    guardian = add_item(group(helena, "Vårdnadshavare"), "Vårdnadshavare", "Vårdnadshavare", 1)
    field(guardian, "Namn").fill("Sofia Lind")
    field(guardian, "Kontaktuppgifter").fill("070-111 22 33")
    helena.get_by_role("checkbox", name=re.compile(
        "^Skriftligt samtycke att häva sekretessen mellan verksamheterna")).check()
    field(helena, "Datum för samtycket").fill(today().isoformat())
    field(helena, "Hur barnet/ungdomen är delaktigt").fill("Maja är med hela mötet och börjar berätta")
    field(helena, "Frågeställning").fill("Hur kan Maja komma tillbaka till skolan?")
    called = group(helena, "Verksamheter som kallas")
    for number, party in enumerate((HELENA, DAVID, YUSUF), start=1):
        fill_actor(add_item(called, "Verksamheter som kallas", "Verksamhet", number), party)
    field(helena, "Datum för SIP-mötet").fill(in_days(7).isoformat())
    field(helena, "Klockslag").fill("15:00")
    field(helena, "Hur långt mötet är").fill("90 minuter")
    field(helena, "Plats").fill("Södermalmsskolan")
    choose(helena, "Mötesform", "Fysiskt")
    given = group(helena, "Information som lämnats")
    given.get_by_role("checkbox", name="Information om SIP").check()
    given.get_by_role("checkbox", name="Folder: SIP för dig som är 13–18 år").check()
    helena.get_by_role("checkbox", name="Förmöte med de berörda verksamheterna behövs").check()
    axe(helena, "the family's pre-meeting, filled in")
    complete(helena)

    # The summons are answered as in the base walk; then the services meet without the family.
    on_task(helena, "Kvittera kallelse")
    for party in (HELENA, DAVID, YUSUF):
        api_complete(api_as("demo.helena"), case_id, "kvittera_kallelse",
                     {"kommer": True, "namn": party["namn"]}, party["organisation"])
    open_from_list(helena, "Förmöte med berörda verksamheter", MAJA)
    axe(helena, "the services' pre-meeting")
    choose(helena, "Frågeställningarna är klara", "Ja")
    choose(helena, "Alla har mandat att fatta beslut på SIP-mötet", "Ja")
    possible = add_item(group(helena, "Möjliga insatser och rimlig turordning"),
                        "Möjliga insatser och rimlig turordning", "Möjlig insats", 1)
    field(possible, "Möjlig insats").fill("Anpassat schema")
    field(possible, "Verksamhet").fill(YUSUF["organisation"])
    field(possible, "Turordning").fill("1")
    field(helena, "Oenigheter mellan verksamheterna").fill("Vem som bekostar extra stöd i skolan")
    choose(helena, "Mötesform", "Fysiskt")
    complete(helena)

    # The meeting, part by part: each completed part leads straight to the next.
    on_task(helena, "Inledning")
    axe(helena, "the meeting's opening")
    field(helena, "Mötesdatum").fill(today().isoformat())
    for role, party in (("Ordförande (initiativtagaren)", HELENA), ("Sekreterare", YUSUF)):
        part = group(helena, role)
        field(part, "Namn").fill(party["namn"])
        field(part, "Verksamhet").fill(party["organisation"])
    choose(helena, "Hur huvudpersonen deltar", "Hela mötet")
    helena.get_by_role("checkbox", name=re.compile("^Huvudpersonen vet att mötet dokumenteras")).check()
    complete(helena)

    on_task(helena, "Aktuell situation")
    axe(helena, "the meeting's current situation")
    field(helena, "Min nuvarande situation").fill("Jag har inte varit i skolan sedan oktober.")
    field(helena, "Vad fungerar bra").fill("Fotbollen två gånger i veckan")
    field(helena, "Vad fungerar mindre bra").fill("Morgnarna")
    complete(helena)

    on_task(helena, "Behov")
    axe(helena, "the meeting's needs")
    field(helena, "Huvudmål").fill("Maja går i skolan igen")
    goal = group(group(helena, "Mål"), "Mål 1")
    field(goal, "Mål").fill("Maja är i skolan tre dagar i veckan")
    choose(goal, "Sikt", "Kort sikt")
    field(goal, "Hur vi vet att målet är nått").fill("Närvaron i skolan i februari")
    field(helena, "Vad huvudpersonen och familjen kan göra själva").fill(FAMILY_OWN)
    other = add_item(group(helena, "Insatser av andra än kommun och region"),
                     "Insatser av andra än kommun och region", "Insats", 1)
    field(other, "Vem").fill("Fotbollstränaren")
    field(other, "Insats").fill("Peppar Maja")
    field(other, "Hur ofta").fill("Varje träning")
    complete(helena)

    on_task(helena, "Sammanfattning")
    axe(helena, "the meeting's summary")
    field(helena, "Sammanfattning").fill("BUP behandlar oron, skolan anpassar schemat.")
    field(helena, "Det vi inte är överens om").fill("Vem som bekostar extra stöd i skolan")
    field(helena, "Huvudman med övergripande ansvar").fill(HELENA["organisation"])
    complete(helena)

    on_task(helena, "Avslutning")
    axe(helena, "the meeting's closing")
    field(helena, "Datum för uppföljning").fill(in_days(90).isoformat())
    field(helena, "Om familjen behöver hjälp eller något inte fungerar").fill(IF_HELP)
    complete(helena)

    # After the meeting: SIP-kollen beside the documentation, both open at once.
    open_from_list(helena, "Erbjud SIP-kollen", MAJA)
    axe(helena, "SIP-kollen")
    helena.get_by_role("checkbox", name="SIP-kollen har erbjudits huvudpersonen").check()
    helena.get_by_role("checkbox", name="Huvudpersonen har besvarat SIP-kollen").check()
    field(helena, "Hur huvudpersonen upplevde mötet").fill("Maja kände sig lyssnad på")
    complete(helena)

    # Documentation and approval as in the base walk; the coordinator prints the plan for the family.
    for party, insats in ((HELENA, "Familjestöd i hemmet"), (DAVID, "Samtal om oron"), (YUSUF, "Anpassat schema")):
        api_complete(api_as("demo.helena"), case_id, "dokumentera_ataganden",
                     {"insatser": [{"insats": insats, "hur_ofta": "Varje vecka", "ansvarig": party["namn"]}]},
                     party["organisation"])
    for party in (HELENA, DAVID, YUSUF):
        api_complete(api_as("demo.helena"), case_id, "godkann_plan", {"godkand": True},
                     party["organisation"])
    open_from_list(helena, "Skriv ut planen till familjen", MAJA)
    plan = printed_plan(helena, re.compile("^Planen för utskrift"))
    expect(plan.get_by_text("Planen är inte färdig")).to_have_count(0)
    expect(plan.get_by_text("Huvudmål: Maja går i skolan igen")).to_be_visible()
    expect(plan.get_by_role("listitem").filter(has_text="Maja är i skolan tre dagar i veckan")).to_be_visible()
    for insats, party in (("Familjestöd i hemmet", HELENA), ("Samtal om oron", DAVID)):
        expect(plan.get_by_role("row").filter(has_text=insats)).to_contain_text(party["organisation"])
    # The school is no huvudman of the law's (kommun or region): its part is among the others'.
    expect(plan.get_by_role("row").filter(has_text="Anpassat schema")).to_contain_text(YUSUF["namn"])
    expect(plan.get_by_role("row").filter(has_text="Peppar Maja")).to_contain_text("Fotbollstränaren")
    expect(plan.get_by_text("Vem som bekostar")).to_have_count(0)  # never shown to the child and the family
    expect(plan.get_by_role("heading", name="Samtycke saknas")).to_have_count(0)  # the family consented to all
    axe(plan, "the family's printed plan")


# -- the consent, from the task list to its completion, with the keyboard alone --------------------------------------

def focused(page, target) -> None:
    """The control has the focus, and the focus shows: the browser draws it as keyboard focus, visibly."""
    expect(target).to_be_focused()
    shown = target.evaluate("""element => {
        const style = getComputedStyle(element);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        return element.matches(':focus-visible') && (outline || style.boxShadow !== 'none');
    }""")
    assert shown, f"no visible focus on {target}"


def tab_to(page, target, key: str = "Tab", limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            focused(page, target)
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} never reached {target}")


def date_by_arrow_keys(page, date, day) -> None:
    """Set a date field with the arrow keys. Its parts (year, month, day) come in the order of the browser's
    language, so each part is told by what the up arrow changes in it, and stepped to the day wanted."""
    keys = page.keyboard
    for key in ("ArrowUp", "ArrowRight", "ArrowUp", "ArrowRight", "ArrowUp"):  # this year, January, the 1st
        keys.press(key)
    keys.press("ArrowLeft")
    keys.press("ArrowLeft")
    for position in range(3):
        before = date.input_value().split("-")
        keys.press("ArrowUp")
        after = date.input_value().split("-")
        keys.press("ArrowDown")
        part = next(index for index in range(3) if before[index] != after[index])  # 0 year, 1 month, 2 day
        for _ in range((day.year, day.month, day.day)[part] - int(before[part])):
            keys.press("ArrowUp")
        if position < 2:
            keys.press("ArrowRight")


def test_the_consent_asked_with_the_keyboard_alone_from_the_task_list(page_as, api_as, axe):
    call = api_as("demo.eva")
    status, case = call("POST", "/cases", {"region": "kristianstad", "variables": {},
                                           "person": {"personal_number": "19470921-1124", "name": "Bertil Berg"}})
    assert status == 201, case
    api_complete(call, case["id"], "bedom_behov_av_sip", {
        "initierad_av": "kommun", "huvudperson": {"namn": "Bertil Berg"}, "sip_behovs": True,
        "samordningsansvarig": {"namn": EVA["namn"], "organisation": EVA["organisation"],
                                "huvudmannatyp": "kommun_sol"}})

    page = page_as("demo.eva")
    keys = page.keyboard
    views = page.get_by_role("navigation", name="Vyer")
    tab_to(page, views.get_by_role("link", name=re.compile("^Min verksamhets uppgifter")))
    keys.press("Enter")
    link = task_row(page, "Inhämta samtycke", "Bertil Berg").get_by_role("link", name="Inhämta samtycke")
    tab_to(page, link)
    keys.press("Enter")

    on_task(page, "Inhämta samtycke")
    tab_to(page, group(page, "Den enskildes svar").get_by_role("radio", name="Samtycker"))
    keys.press("Space")
    date = field(page, "Datum för samtycke")
    tab_to(page, date)
    date_by_arrow_keys(page, date, today())
    expect(date).to_have_value(today().isoformat())
    tab_to(page, group(page, "Samtycker till informationsutbyte mellan huvudmännen").get_by_role("radio", name="Ja"))
    keys.press("Space")
    tab_to(page, group(page, "Huvudmän som får delta").get_by_role("checkbox", name=EVA["verksamhet"], exact=True))
    keys.press("Space")
    tab_to(page, field(page, "Dokumentation"))
    keys.type("Bertil samtycker muntligt.")
    axe(page, "the consent filled in with the keyboard")
    tab_to(page, page.get_by_role("button", name="Slutför uppgiften"))
    keys.press("Enter")

    on_task(page, "Förbered den enskilde och planera mötet")
    expect(done_notice(page)).to_be_focused()
    # The summons offers the huvudman Bertil consented to, and no other.
    row = add_item(group(page, "Kallade huvudmän"), "Kallade huvudmän", "Huvudman", 1)
    options = field(row, "Huvudmannens verksamhet").get_by_role("option")
    expect(options).to_have_text(["Välj …", EVA["verksamhet"]])
    status, done = call("GET", f"/tasks?case_id={case['id']}&name=inhamta_samtycke&state=completed")
    assert status == 200 and done["total"] == 1
    _, consent = call("GET", f"/tasks/{done['items'][0]['id']}")
    assert {key: consent["data"][key] for key in ("samtycke", "samtycke_datum", "samtycke_informationsutbyte",
                                                  "samtycke_huvudman", "samtycke_kommentar")} == {
        "samtycke": "givet", "samtycke_datum": today().isoformat(), "samtycke_informationsutbyte": True,
        "samtycke_huvudman": ["kommun_sol"], "samtycke_kommentar": "Bertil samtycker muntligt."}


NO_HEALTH_CARE = "Familjen har en egen psykolog & vill inte att BUP är med nu (<se journalen>)"


def stockholm_at_its_print_step(api_as) -> str:
    """A Stockholm case walked over the API to the step where the coordinator prints the plan for the family: the
    family consents to the social services and the school, not to health care, and why is documented."""
    call = api_as("demo.helena")
    status, case = call("POST", "/cases", {"region": "stockholm", "variables": {},
                                           "person": {"personal_number": "20090315-4565", "name": MAJA}})
    assert status == 201, case
    case_id = case["id"]
    parties = [api_party(party) for party in (HELENA, YUSUF)]
    chair = {"namn": HELENA["namn"], "organisation": HELENA["organisation"]}
    steps = [
        ("bedom_behov_av_sip", {"initierad_av": "kommun", "huvudperson": {"namn": MAJA, "alder": 17},
                                "samordningsansvarig": parties[0], "sip_behovs": True}),
        ("formote_med_familjen", {
            "installning": "positiv", "vardnadshavare": [{"namn": "Sofia Lind"}], "samtycke_skriftligt": True,
            "samtycke_datum": today().isoformat(), "barnets_delaktighet": "Hela mötet",
            "fragestallning": "Hur kan Maja komma tillbaka till skolan?", "deltagare": parties,
            "motesdatum_planerat": today().isoformat(), "motestid": "15:00", "motesplats": "Södermalmsskolan",
            "motesform": "fysiskt"}),
        ("stam_av_samtycke", {"familjens_svar": "samtycker_inte", "samtycke_saknas_motivering": NO_HEALTH_CARE}),
        *[("kvittera_kallelse", {"kommer": True, "namn": p["namn"]}, p["organisation"]) for p in parties],
        ("mote_inledning", {"motesdatum": today().isoformat(), "ordforande": chair, "sekreterare": chair,
                            "huvudpersonen_deltar": "hela_motet", "den_enskilde_informerad": True}),
        ("mote_aktuell_situation", {"nuvarande_situation": "Hemma sedan oktober", "fungerar_bra": "Fotbollen"}),
        ("mote_behov", {"huvudmal": "Maja går i skolan igen", "familjens_egna_insatser": FAMILY_OWN,
                        "mal": [{"mal": "Tre dagar i veckan", "sikt": "kort", "matbart": "Närvaron i februari"}]}),
        ("mote_sammanfattning", {"sammanfattning": "Skolan anpassar schemat",
                                 "overgripande_ansvar": HELENA["organisation"]}),
        ("mote_avslutning", {"uppfoljningsdatum": in_days(90).isoformat(), "om_hjalp_behovs": IF_HELP}),
        ("sip_kollen", {"sip_kollen_erbjuden": True}),
        *[("dokumentera_ataganden", {"insatser": [{"insats": f"Stöd från {p['namn']}"}]}, p["organisation"])
          for p in parties],
        *[("godkann_plan", {"godkand": True}, p["organisation"]) for p in parties],
    ]
    for name, data, *group_of in steps:
        api_complete(call, case_id, name, data, *group_of)
    return case_id


def test_stockholm_the_family_s_printed_plan_says_what_the_family_does_whom_to_call_and_whom_it_did_not_consent_to(
        page_as, api_as, axe):
    case_id = stockholm_at_its_print_step(api_as)
    helena = page_as("demo.helena")
    helena.goto(f"/arenden/{case_id}")  # the case page's plan so far says it too
    missing_so_far = helena.get_by_role("region", name="Planen hittills").get_by_role(
        "table", name="Huvudmän som saknar samtycke")
    expect(missing_so_far.get_by_role("row").filter(has_text="Hälso- och sjukvården (HSL)")).to_contain_text(
        NO_HEALTH_CARE)
    axe(helena, "the case page with consent missing")
    open_from_list(helena, "Skriv ut planen till familjen", MAJA)
    plan = printed_plan(helena, re.compile("^Planen för utskrift"))
    expect(plan.get_by_text("Huvudmål: Maja går i skolan igen")).to_be_visible()
    expect(section(plan, "Vad gör jag själv, mina närstående och andra?").filter(has_text=FAMILY_OWN)).to_have_count(1)
    expect(plan.get_by_text(IF_HELP)).to_be_visible()
    missing = plan.get_by_role("heading", level=2, name="Samtycke saknas")
    expect(missing).to_be_visible()
    for huvudman in ("Hälso- och sjukvården (HSL)", "Öppenvården (primärvården eller den öppna psykiatrin)"):
        expect(section(plan, "Samtycke saknas").get_by_role("row").filter(has_text=huvudman)).to_contain_text(
            NO_HEALTH_CARE)
    axe(plan, "the printed plan with consent missing")
    plan.emulate_media(media="print")
    expect(missing).to_be_visible()
