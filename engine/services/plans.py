"""The SIP as a document: the four questions the law requires a plan to answer, goals, interventions and
participants. The diagrams assemble the plan in the process variable `plan`; this only presents it."""

from __future__ import annotations

from ..store import Case

# Kinds of huvudman whose interventions the plan lists under the huvudmän: municipality and region, and the school,
# which the routines of Jönköping, Västbus and Stockholm summon as a huvudman of its own. Anything else summoned
# (kind `annan`) and what relatives and others do is listed beside them, as the law's third question asks.
HUVUDMAN_KINDS = frozenset({"kommun_sol", "kommun_lss", "kommunal_halso_och_sjukvard", "primarvard", "psykiatri",
                            "slutenvard", "skola"})


def _intervention(item: dict) -> dict:
    return {
        "what": item.get("insats") or "",
        "provided_by": item.get("huvudman") or item.get("aktor") or "",
        "kind_of_provider": item.get("huvudmannatyp"),
        "how_often": item.get("hur_ofta") or "",
        "when": item.get("nar") or "",
        "where": item.get("var") or "",
        "who": item.get("ansvarig") or item.get("aktor") or "",
    }


def _approved_by_everyone(data: dict) -> bool:
    """Every summoned participant has approved the plan (the approvals the diagrams collect in `godkannanden`,
    one per participant as each approves): the plan is agreed, to be printed, before the routine marks the
    meeting's stage done (`plan_klar`) after the printing."""
    approved = {a.get("organisation") for a in data.get("godkannanden") or [] if isinstance(a, dict)}
    summoned = {p.get("organisation") for p in data.get("deltagare") or [] if isinstance(p, dict)}
    return bool(summoned) and summoned <= approved


def _relatives(data: dict) -> list[dict]:
    """Guardians and the relatives who take part, as the preparation recorded them (`vardnadshavare`,
    `narstaende`): a guardian is a party to a child's plan whether or not they come to the meeting."""
    people = []
    for key, guardian in (("vardnadshavare", True), ("narstaende", False)):
        for person in data.get(key) or []:
            if not isinstance(person, dict) or not person.get("namn"):
                continue
            people.append({"name": person["namn"], "relation": person.get("relation") or "",
                           "contact": person.get("kontakt") or "", "guardian": guardian})
    return people


def _missing_consent(data: dict) -> list[dict]:
    """What the routine requires to take part but lacks consent, as a region's routine documents it in
    `samtycke_saknas` (one entry per requirement: `krav`, the `huvudman` missing in words, the `motivering`)."""
    return [{"requirement": item.get("krav") or "", "huvudman": item["huvudman"],
             "reason": item.get("motivering") or ""}
            for item in data.get("samtycke_saknas") or []
            if isinstance(item, dict) and isinstance(item.get("huvudman"), str) and item["huvudman"]]


def _text(plan: dict, data: dict, key: str) -> str:
    """A text of the plan; where the region's diagram did not copy it into the plan, as the meeting recorded it."""
    value = plan.get(key)
    if value is None:
        value = data.get(key)
    return value if isinstance(value, str) else ""


def plan_document(case: Case) -> dict:
    data = case.data or {}
    plan = data.get("plan") or {}
    coordinator = data.get("samordningsansvarig") or {}
    documented = {a.get("organisation"): a for a in plan.get("aktorer", [])}
    # Who approved for each organisation: the user signed in when it did, as the engine recorded it.
    approved = {a.get("organisation"): a.get("namn") for a in data.get("godkannanden") or [] if isinstance(a, dict)}
    participants = []
    for person in data.get("deltagare", []):
        own = documented.get(person.get("organisation"), {})
        participants.append({
            "name": person.get("namn"), "profession": person.get("yrke", ""),
            "organisation": person.get("organisation"), "kind": person.get("huvudmannatyp"),
            "contact": person.get("kontakt", ""),
            "no_action": bool(own.get("ingen_insats")), "no_action_reason": own.get("ingen_insats_motivering", ""),
            "approved_by": approved.get(person.get("organisation")) or None,
        })
    # Whom the person calls: the coordinator, reached as recorded, or else as their organisation takes part.
    contact = None
    if coordinator.get("namn") or coordinator.get("organisation"):
        same = next((p for p in participants if p["organisation"] == coordinator.get("organisation")), {})
        contact = {"name": coordinator.get("namn") or same.get("name") or "",
                   "organisation": coordinator.get("organisation") or "",
                   "contact": coordinator.get("kontakt") or same.get("contact") or ""}
    # A summoned school's interventions are a huvudman's, whichever list the region's diagram put them in.
    recorded_others = plan.get("ovriga_insatser", [])
    by_huvudman = [i for i in recorded_others if i.get("huvudman") and i.get("huvudmannatyp") in HUVUDMAN_KINDS]
    interventions = [_intervention(i) for i in [*plan.get("insatser", []), *by_huvudman]]
    return {
        "case_id": case.id,
        "status": case.status,
        "ready": bool(data.get("plan_klar")) or _approved_by_everyone(data),
        "person": {"name": case.person_name},
        # Stockholm's question for the SIP, formulated with the child and guardians before the meeting.
        "question": _text(plan, data, "fragestallning"),
        "current_situation": plan.get("nuvarande_situation", ""),
        "works_well": _text(plan, data, "fungerar_bra"),
        "works_less_well": _text(plan, data, "fungerar_mindre_bra"),
        "main_goal": plan.get("huvudmal", ""),
        "goals": plan.get("mal", []),
        # The four questions of 2 kap. 7 § SoL / 16 kap. 4 § HSL.
        "interventions": interventions,
        "providers": sorted({i["provided_by"] for i in interventions if i["provided_by"]}),
        "others_actions": [_intervention(i) for i in recorded_others if i not in by_huvudman],
        # What the person (and relatives) do themselves, and whom to turn to when help is needed: the plan's
        # `egna_insatser` and `om_hjalp_behovs`, where the meeting records them.
        "own_actions": _text(plan, data, "egna_insatser"),
        "if_help_needed": plan.get("om_hjalp_behovs") or "",
        # A SIP at discharge from hospital (Lag 2017:612, Jönköping's routine): from where, ready when.
        "discharge": {"hospital": data.get("sjukhus_avdelning") or "", "ready_on": data.get("utskrivningsklar")}
        if data.get("sip_vid_utskrivning") else None,
        "summary": _text(plan, data, "sammanfattning"),
        "relatives": _relatives(data),
        "missing_consent": _missing_consent(data),
        "overall_responsibility": plan.get("overgripande_ansvar") or coordinator.get("organisation"),
        "coordinator": coordinator or None,
        "whom_to_call": contact,
        "participants": participants,
        "meeting_date": plan.get("motesdatum"),
        "follow_up_date": data.get("uppfoljningsdatum") if case.status == "active" else None,
        "latest_follow_up": plan.get("senaste_uppfoljning"),
    }
