"""What the person (or their guardian) reads of their own case and may do there.

They read their plan (the easy-read rendering), who coordinates and who takes part, when the next meeting and
the follow-up are, and what they consented to. They never read the case's tasks, drafts, deviations, notes, history
or audit trail: nothing here hands those out. Every page read is audited as a read by the person, and a case not
theirs is 404 as if it did not exist.

Withdrawing consent is the routine's own message `samtycke_aterkallat`, sent as the person: the routine then
closes the case with that reason, and whatever the routine (and the notifications of a delivered message) does
for a withdrawal made by staff, it does for this one."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from .. import audit
from ..api.presenters import meeting_of, plan_out
from ..database import db
from ..services import cases as case_service
from ..services.errors import Conflict, InvalidData, NotFound
from ..store import Case, CaseEvent, Task
from ..store.direct_writes import update_now
from . import sip_kollen
from .sessions import Person

WITHDRAWAL = "samtycke_aterkallat"
KIND_WORDS = {
    "kommun_sol": "Kommunens socialtjänst",
    "kommun_lss": "Kommunens stöd enligt LSS",
    "kommunal_halso_och_sjukvard": "Kommunens hälso- och sjukvård, till exempel hemsjukvården",
    "primarvard": "Vårdcentralen",
    "psykiatri": "Psykiatrin",
    "slutenvard": "Sjukhuset",
    "skola": "Skolan",
    "annan": "Andra som hjälper dig",
}
ENDED = {
    "samtycke_aterkallat": "Du har tagit tillbaka ditt samtycke. Därför är planen avslutad.",
    "mal_uppfyllda": "Målen i planen är uppfyllda. Därför är planen avslutad.",
    "samordning_behovs_inte": "Ni behöver inte längre hjälp att samordna. Därför är planen avslutad.",
    "ny_sip": "Ni gör en ny plan i stället för den här.",
    "mote_installt": "Mötet blev inställt. Det blir ingen plan nu.",
    "samtycke_avbojt": "Du sa nej till en SIP. Det blir ingen plan.",
    "informationsutbyte_avbojt": "Du sa nej till att vi delar information. Det blir ingen plan.",
    "sip_nekad": "Det blir ingen SIP.",
    "menprovning": "Det blir ingen SIP.",
}


def actor(person: Person, case: Case | None = None) -> str:
    """How the case's history and the audit trail name the person acting: never by personal number."""
    if person.role == "guardian":
        return f"Vårdnadshavare {person.guardian_name or ''}".strip() + " (Min plan)"
    return "Huvudpersonen (Min plan)"


def cases_of(person: Person) -> list[Case]:
    """The cases the person may open: the one their link opened, or every case of their personal number."""
    if person.case_id is not None:
        case = db.session.get(Case, person.case_id)
        return [case] if case is not None else []
    if not person.subject_hash:
        return []
    return list(db.session.scalars(sa.select(Case).where(Case.personal_number_hash == person.subject_hash)
                                   .order_by(Case.created_at.desc())).all())


def _detail(person: Person, page: str) -> dict:
    detail = {"as": person.role, "via": person.via, "page": page}
    if person.link_id:
        detail["link"] = person.link_id[:12]
    return detail


def own_case(person: Person, case_id: str, page: str, action: str = "read_case") -> Case:
    """The person's case; NotFound (audited) for any other, exactly as for one that does not exist."""
    case = None
    if person.case_id is not None:
        if case_id == person.case_id:
            case = db.session.get(Case, case_id)
    elif person.subject_hash:
        found = db.session.get(Case, case_id)
        if found is not None and found.personal_number_hash == person.subject_hash:
            case = found
    if case is None:
        db.session.rollback()
        audit.record_now(action, None, user=actor(person), case_id=case_id[:64], outcome="not_found",
                         detail=_detail(person, page))
        raise NotFound("Det finns ingen sådan plan för dig")
    return case


def read(person: Person, case_id: str, page: str, action: str = "read_case") -> Case:
    """The person's case, its read audited as the person's (the personal number's keyed hash with it)."""
    case = own_case(person, case_id, page, action)
    audit.record_now(action, None, user=actor(person), case_id=case.id, subject_hash=case.personal_number_hash,
                     detail=_detail(person, page))
    return case


def read_list(person: Person) -> list[Case]:
    found = cases_of(person)
    audit.record_now("list_cases", None, user=actor(person), subject_hash=person.subject_hash,
                     detail={**_detail(person, "list"), "cases": len(found)})
    return found


def plan_of(case: Case) -> dict:
    """The plan as the person reads it: all of it, as the easy-read page shows it."""
    return plan_out(case, "full")


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def overview(case: Case, person: Person, today: date) -> dict:
    """The person's page of a case: where it stands, who coordinates and takes part, when they meet, what they
    consented to, and what they can do now."""
    data = case.data or {}
    plan = plan_of(case)
    meeting = meeting_of(data) or {}
    held = _day(data.get("motesdatum"))
    planned = _day(data.get("motesdatum_planerat"))
    next_meeting = None
    if case.status == "active" and planned and not held and planned >= today:
        next_meeting = {"date": planned, "time": meeting.get("time"), "place": meeting.get("place")}
    follow_up = _day(plan["follow_up_date"]) if case.status == "active" else None
    return {
        "case": case,
        "name": case.person_name or "",
        "active": case.status == "active",
        "ended_text": None if case.status == "active" else ENDED.get(case.closure_reason or "", "Planen är avslutad."),
        "withdrawn": data.get("avslutsorsak") == WITHDRAWAL or case.closure_reason == WITHDRAWAL,
        "coordinator": plan["whom_to_call"],
        "participants": [p for p in plan["participants"]
                         if not plan["whom_to_call"] or p["organisation"] != plan["whom_to_call"]["organisation"]
                         or p["name"] != plan["whom_to_call"]["name"]],
        "relatives": plan["relatives"],
        "next_meeting": next_meeting,
        "meeting_held": held,
        "follow_up": follow_up,
        "consent": consent_of(case),
        "can_withdraw": can_withdraw(case),
        "sip_kollen": sip_kollen_state(case, person),
        "plan_ready": plan["ready"],
    }


def consent_of(case: Case) -> dict:
    """What the person consented to, as the routine recorded it, in easy words."""
    data = case.data or {}
    given = data.get("samtycke") == "givet"
    exchange = data.get("samtycke_informationsutbyte") is True or data.get("samtycke_skriftligt") is True
    kinds = [k for k in data.get("samtycke_huvudman") or [] if isinstance(k, str)]
    return {
        "given": given,
        "date": _day(data.get("samtycke_datum")),
        "information_exchange": exchange,
        "who": [KIND_WORDS.get(k, k) for k in kinds],
        "harm_assessment": data.get("menprovning_resultat") == "sip_genomfors",
        "withdrawn": data.get("avslutsorsak") == WITHDRAWAL or case.closure_reason == WITHDRAWAL,
    }


def waits_for(case: Case) -> set[str]:
    return {c[0] for c in case_service.waiting_catches(case) or []}


def can_withdraw(case: Case) -> bool:
    """Consent can be withdrawn while the routine waits for the withdrawal: after consent, before the case ends."""
    return case.status == "active" and WITHDRAWAL in waits_for(case)


def withdraw(person: Person, case_id: str) -> Case:
    """Withdraw consent: the routine's message `samtycke_aterkallat`, sent as the person, once per session
    (a second click is the same request). Conflict when the case does not wait for it (not yet consented, or
    already ending)."""
    case = own_case(person, case_id, "withdraw", "message")
    if not can_withdraw(case):
        raise Conflict("Planen väntar inte på att samtycket tas tillbaka just nu")
    case, _ = case_service.send_message(case.id, WITHDRAWAL, {"via": "min_plan", "av": person.role},
                                        actor=actor(person), idempotency_key=f"min-plan:{person.session_id}")
    return case


def _answers(case_id: str) -> list[CaseEvent]:
    return list(db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                              CaseEvent.kind == "sip_kollen")).all())


def sip_kollen_form(case: Case) -> sip_kollen.Questionnaire | None:
    """The questionnaire the case's routine offers the person (the form a task of the case names with
    `personFormJsonSchemaFilename`) once the case has reached that task; None where it has not, or offers none."""
    from ..services.process_sets import specs_of

    offering = sip_kollen.offering_tasks(*specs_of(case.definition))
    if not offering:
        return None
    reached = db.session.scalars(sa.select(Task.name).where(
        Task.case_id == case.id, Task.name.in_(sorted(offering))).limit(1)).first()
    if reached is None:
        return None
    schema_file, ui_file = offering[reached]
    forms = case_service.forms_of(case.definition)
    schema = forms.get(schema_file)
    if not isinstance(schema, dict):
        return None
    return sip_kollen.questionnaire(schema, forms.get(ui_file) if ui_file else None)


def sip_kollen_state(case: Case, person: Person) -> str | None:
    """`open` (the person may answer), `answered` (they have), or None (not offered in this case, or no longer:
    the case has ended)."""
    if sip_kollen_form(case) is None:
        return None
    if any((e.detail or {}).get("role") == person.role for e in _answers(case.id)):
        return "answered"
    return "open" if case.status == "active" else None


def answer_sip_kollen(person: Person, case_id: str, form) -> Case:
    """Record the person's SIP-kollen answers in the case's history, under the case's lock, once per person and
    once per guardian. InvalidData (Swedish, per field) for a form that needs another answer."""
    case = own_case(person, case_id, "sip_kollen", "sip_kollen")
    questionnaire = sip_kollen_form(case)
    state = sip_kollen_state(case, person)
    if state is None or questionnaire is None:
        raise NotFound("SIP-kollen finns inte för den här planen")
    answers, errors = sip_kollen.check(questionnaire, form)
    if errors:
        raise InvalidData("Några frågor behöver svar", errors)
    with case_service.transaction(case.id):
        case = case_service._lock_case(case.id)
        if sip_kollen_state(case, person) != "open":
            raise Conflict("Du har redan svarat på SIP-kollen")
        by = {"name": actor(person).removesuffix(" (Min plan)")}
        case_service.history(case_id=case.id, kind="sip_kollen", actor=actor(person), detail={
            "role": person.role, "answers": answers, "summary": sip_kollen.summary(questionnaire, answers), "by": by})
        update_now(db.session(), case, updated_at=case_service.now())  # the case's revision: a change of it
        audit.record("sip_kollen", None, case_id=case.id, user=actor(person), subject_hash=case.personal_number_hash,
                     detail=_detail(person, "sip_kollen"))
    return case
