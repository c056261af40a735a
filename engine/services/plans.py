"""The SIP as a document: the four questions the law requires a plan to answer, goals, interventions and
participants. The diagrams assemble the plan in the process variable `plan`; this only presents it."""

from __future__ import annotations

from ..store import Case


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


def plan_document(case: Case) -> dict:
    data = case.data or {}
    plan = data.get("plan") or {}
    coordinator = data.get("samordningsansvarig") or {}
    documented = {a.get("organisation"): a for a in plan.get("aktorer", [])}
    participants = []
    for person in data.get("deltagare", []):
        own = documented.get(person.get("organisation"), {})
        participants.append({
            "name": person.get("namn"), "profession": person.get("yrke", ""),
            "organisation": person.get("organisation"), "kind": person.get("huvudmannatyp"),
            "contact": person.get("kontakt", ""),
            "no_action": bool(own.get("ingen_insats")), "no_action_reason": own.get("ingen_insats_motivering", ""),
        })
    interventions = [_intervention(i) for i in plan.get("insatser", [])]
    return {
        "case_id": case.id,
        "status": case.status,
        "ready": bool(data.get("plan_klar")) or _approved_by_everyone(data),
        "person": {"name": case.person_name},
        "current_situation": plan.get("nuvarande_situation", ""),
        "main_goal": plan.get("huvudmal", ""),
        "goals": plan.get("mal", []),
        # The four questions of 2 kap. 7 § SoL / 16 kap. 4 § HSL.
        "interventions": interventions,
        "providers": sorted({i["provided_by"] for i in interventions if i["provided_by"]}),
        "others_actions": [_intervention(i) for i in plan.get("ovriga_insatser", [])],
        # What the person (and relatives) do themselves, and whom to turn to when help is needed: the plan's
        # `egna_insatser` and `om_hjalp_behovs`, where a region's meeting records them.
        "own_actions": plan.get("egna_insatser") or "",
        "if_help_needed": plan.get("om_hjalp_behovs") or "",
        "overall_responsibility": plan.get("overgripande_ansvar") or coordinator.get("organisation"),
        "coordinator": coordinator or None,
        "participants": participants,
        "meeting_date": plan.get("motesdatum"),
        "follow_up_date": data.get("uppfoljningsdatum") if case.status == "active" else None,
        "latest_follow_up": plan.get("senaste_uppfoljning"),
    }
