"""Which organisations a case is shared with, and what its role groups mean, kept in the tables
`case_access` and `case_groups` on every change of the case (called from the store step of every service),
so that lists can be filtered in SQL.

The rules (docs/access.md):
- The initiating organisation (the starting user's) always sees the case. Before consent — or a menprövning
  that lets the SIP go ahead — it is the only one, and it acts as coordinator. The diagrams say when that
  moment has come, in the variable `sip_delas`.
- Once shared, the coordinator's organisation and every participant's see the case (`full`); where the person
  has named the huvudmän who may take part (`samtycke_huvudman`, a list of huvudman kinds), only participants
  of those kinds (as the organisation is registered, else as the case names it).
- After consent is withdrawn, when the case ends, or when an organisation leaves the plan, participants keep
  only what they documented themselves (`own`); nobody is added any more. The coordinator and the initiator
  keep the case.
- Role groups: `samordningsansvarig` → the acting coordinator; `deltagande_huvudman` → every participant;
  a huvudman kind (`primarvard`, `kommun_sol`, `psykiatri`, …) → the participants (and coordinator) of that
  kind. Before sharing, only the initiator, for `samordningsansvarig` and for its own kind.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from ..database import db
from ..store import Case, CaseAccess, CaseGroup, Organisation
from ..store.appended import append
from ..store.direct_writes import is_new, set_changed
from ..store.identity import HUVUDMAN_KINDS
from ..store.models import utcnow

COORDINATOR_GROUP = "samordningsansvarig"
PARTICIPANTS_GROUP = "deltagande_huvudman"


# The diagrams say whether a case is to be shared: the base routine sets it when consent is given or a
# menprövning lets the SIP go ahead, and clears it when consent is withdrawn.
SHARING_FLAG = "sip_delas"
# The variables that open a case to other organisations. Only the routine's own steps set them: a case
# started with one of them would be shared before anyone asked the person.
CONSENT_VARIABLES = (SHARING_FLAG, "samtycke", "menprovning_resultat")
# The huvudman kinds the person has consented to take part, where the diagrams record them.
CONSENTED_KINDS = "samtycke_huvudman"


def consent_given_unasked(names, asked=()) -> list[str]:
    """The consent variables among `names` (what a request would set) that were not `asked` for by a form."""
    return sorted(name for name in set(names) & set(CONSENT_VARIABLES) if name not in asked)


def consented(data: dict) -> bool:
    """Whether the case's data lets it be shared: `sip_delas` where the diagram has set it, else (a variant
    written before the flag) the consent variables of the base routine."""
    if SHARING_FLAG in data:
        return data[SHARING_FLAG] is True
    answer = data.get("samtycke")
    return answer == "givet" or (answer == "kan_inte_samtycka" and data.get("menprovning_resultat") == "sip_genomfors")


def withdrawn(case: Case) -> bool:
    data = case.data or {}
    return bool(data.get("aterkallelse")) or data.get("samtycke_aterkallat") is True \
        or case.closure_reason == "samtycke_aterkallat"


def _org(entry) -> str | None:
    return entry.get("organisation") if isinstance(entry, dict) and entry.get("organisation") else None


# What the sharing of a case follows: a store that changes none of these leaves its rows as they are.
SHARING_VARIABLES = ("samordningsansvarig", "deltagare", SHARING_FLAG, "samtycke", "menprovning_resultat",
                     "aterkallelse", "samtycke_aterkallat", CONSENTED_KINDS)


def consented_participants(data: dict, participants: set[str], kinds: dict[str, str]) -> set[str]:
    """The participants the person's consent covers: all, unless the case lists the huvudman kinds consented
    to; then those whose kind (as registered, else as the case names it) is listed."""
    allowed = data.get(CONSENTED_KINDS)
    if not isinstance(allowed, list) or not participants:
        return participants
    registered = dict(db.session.execute(
        sa.select(Organisation.name, Organisation.kind).where(Organisation.name.in_(sorted(participants)))).all())
    return {org for org in participants if registered.get(org, kinds.get(org)) in allowed}


def access_inputs(case: Case) -> tuple:
    """Everything `sync_case_access` reads of a case."""
    data = case.data or {}
    return (case.status, case.closure_reason, case.initiating_organisation,
            *(repr(data.get(name)) for name in SHARING_VARIABLES))


def stored_sharing(case_id: str) -> tuple[dict[str, CaseAccess], dict[tuple[str, str], CaseGroup]]:
    """The case's stored access rows by organisation and role groups by (group, organisation), in one
    statement: every role group belongs to an organisation with access."""
    access, groups = {}, {}
    for row, group in db.session.execute(_sharing_rows(), {"case_id": case_id}):
        access[row.organisation] = row
        if group is not None:
            groups[(group.group, group.organisation)] = group
    return access, groups


@functools.cache
def _sharing_rows():
    return (sa.select(CaseAccess, CaseGroup)
            .outerjoin(CaseGroup, sa.and_(CaseGroup.case_id == CaseAccess.case_id,
                                          CaseGroup.organisation == CaseAccess.organisation))
            .where(CaseAccess.case_id == sa.bindparam("case_id")))


def sync_case_access(case: Case, initiator_kind: str | None = None,
                     ) -> tuple[dict[str, tuple[str, bool]], set[tuple[str, str]]]:
    """Bring the case's `case_access` and `case_groups` rows in step with its data and status. Returns the
    sharing as it now stands: organisation → (scope, coordinator), and the (group, organisation) pairs.
    `initiator_kind`: the initiating organisation's kind where the caller knows it (else it is read)."""
    data = case.data or {}
    coordinator = _org(data.get("samordningsansvarig"))
    kinds: dict[str, str] = {}
    participants: set[str] = set()
    for entry in data.get("deltagare") or []:
        if org := _org(entry):
            participants.add(org)
            kinds[org] = entry.get("huvudmannatyp") or kinds.get(org)
    if coordinator:
        kinds.setdefault(coordinator, (data.get("samordningsansvarig") or {}).get("huvudmannatyp"))
    initiator = case.initiating_organisation

    new_case = is_new(case)  # nothing of it is stored yet
    with db.session.no_autoflush:
        existing, stored = ({}, {}) if new_case else stored_sharing(case.id)
        shared_now = case.status == "active" and consented(data) and not withdrawn(case)
        members: set[str] = {initiator} if initiator else set()
        if shared_now:
            participants = consented_participants(data, participants, kinds)
            members |= participants | ({coordinator} if coordinator else set())
            acting = coordinator or initiator
        elif coordinator and coordinator in existing:
            members.add(coordinator)  # the coordinator keeps the case after it ends
            acting = coordinator
        else:
            acting = initiator

        for org, row in existing.items():
            if org not in members:
                set_changed(row, scope="own", coordinator=False)
        if case.created_at is None:  # a new case, not stored yet: its moment, which its access rows copy
            case.created_at = utcnow()
        created_at = case.created_at
        for org in members:
            row = existing.get(org)
            if row is None and new_case:  # nothing to compare with later in this change: appended at commit
                append(db.session(), CaseAccess, case_id=case.id, organisation=org, scope="full",
                       coordinator=org == acting, initiator=org == initiator, created_at=created_at)
                continue
            if row is None:
                row = CaseAccess(case_id=case.id, organisation=org, created_at=created_at)
                db.session.add(row)
            set_changed(row, scope="full", coordinator=org == acting, initiator=org == initiator)

        groups: set[tuple[str, str]] = set()
        if acting:
            groups.add((COORDINATOR_GROUP, acting))
        if shared_now:
            groups |= {(PARTICIPANTS_GROUP, org) for org in participants}
            groups |= {(kind, org) for org, kind in kinds.items() if kind and org in members}
        elif initiator and acting == initiator:
            # The initiator's kind as the case already has it, else as registered.
            kind = next((g for g, org in stored if org == initiator and g in HUVUDMAN_KINDS), None) \
                or initiator_kind \
                or db.session.scalar(sa.select(Organisation.kind).where(Organisation.name == initiator))
            if kind:
                groups.add((kind, initiator))
        for key, row in stored.items():
            if key not in groups:
                db.session.delete(row)
        for group, org in groups - set(stored):
            if new_case:
                append(db.session(), CaseGroup, case_id=case.id, group=group, organisation=org)
            else:
                db.session.add(CaseGroup(case_id=case.id, group=group, organisation=org))
    access = {org: (row.scope, row.coordinator) for org, row in existing.items()}
    access.update({org: ("full", org == acting) for org in members})
    return access, groups
