"""The open-task list, read from `task_viewers`, holds exactly what the task rule gives, at every stage of the
routine: the same tasks, the same total, in the same order, page by page, under every filter and sort.

The rule is computed here from today's SQL conditions (`task_clause`, one principal per user of the
organisation, so a task claimed by any of its users counts) over `tasks`, `case_access` and `case_groups`,
and the order from the list's query over `tasks` without a principal."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from engine.access import Principal, task_clause
from engine.database import db
from engine.services import cases
from engine.services.task_list import TaskFilter, list_tasks
from engine.store import NO_DUE_DATE, Organisation, Task, TaskViewer, User
from tests.access.conftest import ORGS
from tests.api.conftest import signed_in, user_token
from tests.routine.walk import HEMSJUKVARD, KOMMUN, VARDCENTRAL, CaseWalk

SORTS = ("due", "-due", "created", "-created")
PAGE = 3
# A pre-meeting finding the person eligible for a mobile care team: primary care (a role group) decides.
ELIGIBLE = {"kroniska_diagnoser": 4, "inlaggningar_12_man": 3, "staende_lakemedel": 8,
            "klarar_personlig_omvardnad": False, "alder": 74, "hemsjukvard": False}


# -- the rule, as today's conditions give it ----------------------------------------------------------------
def principal_of(username: str, org: str) -> Principal:
    return Principal(username=username, organisation=org, organisation_kind="", region="")


def rule_ids(org: str) -> set[str]:
    """The open tasks the organisation sees by today's task rule, its users' claims included."""
    users = db.session.scalars(sa.select(User.username).join(Organisation, Organisation.id == User.organisation_id)
                               .where(Organisation.name == org)).all()
    clause = sa.or_(*(task_clause(principal_of(u, org), "open") for u in users or [""]))
    return set(db.session.scalars(sa.select(Task.id).where(Task.state == "open", clause)))


def expected(org: str, flt: dict, sort: str) -> list[str]:
    """The organisation's list in order: every open task matching the filters, as the list orders them,
    keeping those the rule lets it see."""
    visible = rule_ids(org)
    rows, _ = list_tasks(TaskFilter(**flt), sort, limit=100_000)
    return [t.id for t in rows if t.id in visible]


def listed(client, flt: dict, sort: str, total: int) -> list[str]:
    """Every page of the list over HTTP, each with the expected total, one page past the end included."""
    query = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in flt.items()}
    ids = []
    for offset in range(0, total + PAGE + 1, PAGE):
        body = client.get("/api/v1/tasks", query_string={**query, "sort": sort, "limit": PAGE, "offset": offset}).json
        assert body["total"] == total, (flt, sort, offset, body)
        assert len(body["items"]) == max(0, min(PAGE, total - offset)), (flt, sort, offset)
        ids += [t["id"] for t in body["items"]]
    return ids


def filters(case_ids: list[str]) -> list[dict]:
    cut = datetime(2026, 12, 10, tzinfo=UTC)
    groups = ("samordningsansvarig", "primarvard", "deltagande_huvudman", KOMMUN["organisation"],
              VARDCENTRAL["organisation"], HEMSJUKVARD["organisation"])
    return [{}, *({"candidate_group": g} for g in groups), {"assignee": "staff.vardcentral"},
            {"assignee": "per.vardcentral"}, *({"case_id": c} for c in case_ids),
            {"region": "kristianstad"}, {"region": "base"}, {"due_before": cut}, {"due_after": cut},
            {"candidate_group": KOMMUN["organisation"], "due_after": datetime(2026, 12, 1, tzinfo=UTC),
             "due_before": datetime(2026, 12, 31, tzinfo=UTC)}]


def assert_lists_follow_rule(world, case_ids: list[str]) -> None:
    """For every organisation, filter and sort: the same tasks, in the same order, with the same total, page
    by page; and the viewer table holds exactly the rule's rows with the tasks' current columns."""
    db.session.expire_all()
    for who in ORGS:
        org = ORGS[who][0]
        for flt in filters(case_ids):
            for sort in SORTS if flt in ({}, {"candidate_group": "samordningsansvarig"}) else ("due",):
                want = expected(org, flt, sort)
                assert listed(world[who], flt, sort, len(want)) == want, (who, flt, sort)
    assert_viewer_rows_follow_rule()


def assert_viewer_rows_follow_rule() -> None:
    db.session.expire_all()
    orgs = db.session.scalars(sa.select(Organisation.name)).all()
    want = {(task_id, org) for org in orgs for task_id in rule_ids(org)}
    rows = db.session.scalars(sa.select(TaskViewer)).all()
    assert {(r.task_id, r.organisation) for r in rows} == want
    for row in rows:
        task = db.session.get(Task, row.task_id)
        assert (row.case_id, row.candidate_group, row.region, row.assignee) == (
            task.case_id, task.candidate_group, task.region, task.assignee)
        assert (row.due_at, row.created_at) == (task.due_at, task.created_at)
        assert row.due_sort == (task.due_at if task.due_at is not None else as_stored(NO_DUE_DATE))


def as_stored(moment: datetime) -> datetime:
    """A datetime as the database gives it back (SQLite: without its UTC time zone)."""
    return moment.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else moment


def viewers_of(task_id: str) -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(TaskViewer.organisation).where(TaskViewer.task_id == task_id)))


def open_task(case_id: str, name: str, group: str | None = None) -> Task:
    db.session.expire_all()
    return next(t for t in cases.open_tasks(case_id) if t.name == name and group in (None, t.candidate_group))


def names(client, **flt) -> list[tuple[str, str]]:
    items = client.get("/api/v1/tasks", query_string=flt).json["items"]
    return sorted((t["name"], t["case_id"]) for t in items)


# -- the stages of the routine ------------------------------------------------------------------------------
def test_before_and_after_consent(world):
    pre = world.pre_consent()  # the vårdcentral started it and names the kommun coordinator
    own = world.start("kommun")["id"]
    vc, kommun = world["vardcentral"], world["kommun"]
    assert names(vc) == [("inhamta_samtycke", pre)]
    assert names(kommun) == [("bedom_behov_av_sip", own)]
    assert_lists_follow_rule(world, [pre, own])

    task = open_task(pre, "inhamta_samtycke").id
    assert vc.post(f"/api/v1/tasks/{task}/complete", json={"data": {
        "samtycke": "givet", "samtycke_datum": "2026-11-27", "samtycke_informationsutbyte": True,
        "samtycke_huvudman": ["kommun_sol", "primarvard"]}}).status_code == 200
    assert viewers_of(task) == set()  # completed: no rows left
    assert names(kommun) == sorted([("bedom_behov_av_sip", own), ("forbered_sip", pre)])
    assert names(vc) == []  # it keeps the case as initiator; the coordinator's task is not addressed to it
    assert_lists_follow_rule(world, [pre, own])


def test_shared_cases_by_role_group_and_name(world):
    summoned = world.shared()  # kommun coordinates, the vårdcentral is summoned
    team = world.shared()
    CaseWalk(team).acknowledge_all().premeeting(mobilt_vardteam_aktuellt=True, **ELIGIBLE)
    assert open_task(team, "besluta_mobilt_vardteam").candidate_group == "primarvard"
    other = CaseWalk.start().initiate().consent().prepare(deltagare=[KOMMUN, VARDCENTRAL, HEMSJUKVARD])
    vc, hs = world["vardcentral"], world["hemsjukvard"]
    assert names(vc) == sorted([("kvittera_kallelse", summoned), ("besluta_mobilt_vardteam", team),
                                ("kvittera_kallelse", other.case_id)])
    assert names(hs) == [("kvittera_kallelse", other.case_id)]
    every = {(t.name, c) for c in (summoned, team, other.case_id) for t in cases.open_tasks(c)}
    assert set(names(world["kommun"])) == every  # the coordinator sees every open task of its cases
    assert names(world["stockholm"]) == []
    assert_lists_follow_rule(world, [summoned, team, other.case_id])


def test_due_dates_sort_undated_tasks_last_and_filter(world):
    case_ids = []
    for day in ("2026-12-10", "2026-12-03", "2026-12-17"):
        case_id = world.shared()
        CaseWalk(case_id).acknowledge_all().premeeting().meeting(motesdatum=day, uppfoljningsdatum=day)
        case_ids.append(case_id)
    case_ids.append(world.shared())  # tasks without a due date
    kommun = world["kommun"]
    for sort in ("due", "-due"):
        items = kommun.get("/api/v1/tasks", query_string={"sort": sort, "limit": 200}).json["items"]
        dues = [t["due_at"] for t in items]
        dated = [d for d in dues if d is not None]
        assert dated and None in dues
        assert dues == dated + [None] * (len(dues) - len(dated))
        assert dated == sorted(dated, reverse=sort == "-due")
    assert_lists_follow_rule(world, case_ids)


def test_withdrawal_and_closure_leave_participants_only_tasks_addressed_to_them(world):
    withdrawn = world.withdrawn()
    running = world.shared()
    vc, kommun = world["vardcentral"], world["kommun"]
    assert names(vc) == [("kvittera_kallelse", running)]
    closing = open_task(withdrawn, "dokumentera_avslut")
    assert viewers_of(closing.id) == {KOMMUN["organisation"]}
    assert_lists_follow_rule(world, [withdrawn, running])
    assert kommun.post(f"/api/v1/tasks/{closing.id}/complete", json={"data": {
        "avslutsorsak": "samtycke_aterkallat", "avslutsdatum": "2027-01-16", "den_enskilde_informerad": True}}
    ).status_code == 200
    assert names(vc) == sorted([("kvittera_avslut", withdrawn), ("kvittera_kallelse", running)])
    assert_lists_follow_rule(world, [withdrawn, running])


def test_cancelled_tasks_leave_every_list(world):
    case_id = world.shared()
    summoned = [t.id for t in cases.open_tasks(case_id)]
    assert all(viewers_of(t) for t in summoned)
    response = world["kommun"].post(f"/api/v1/cases/{case_id}/messages/samtycke_aterkallat",
                                    json={"payload": {"datum": "2027-01-15"}})
    assert response.status_code == 200, response.json
    db.session.expire_all()
    assert {db.session.get(Task, t).state for t in summoned} == {"cancelled"}
    assert all(viewers_of(t) == set() for t in summoned)
    assert_lists_follow_rule(world, [case_id])


def test_a_claimed_task_stays_in_its_claimers_organisations_list(world):
    colleague = signed_in(world.app, user_token("per.vardcentral", ORGS["vardcentral"]))
    case_id = world.withdrawn()  # the vårdcentral keeps scope `own`
    closing = open_task(case_id, "dokumentera_avslut")
    assert names(world["vardcentral"], case_id=case_id) == []
    cases.claim_task(closing.id, user="per.vardcentral")  # by the system: the rule alone decides who sees it
    assert viewers_of(closing.id) == {KOMMUN["organisation"], VARDCENTRAL["organisation"]}
    for client in (colleague, world["vardcentral"]):
        assert names(client, case_id=case_id) == [("dokumentera_avslut", case_id)]
        assert names(client, assignee="per.vardcentral") == [("dokumentera_avslut", case_id)]
    assert names(world["hemsjukvard"], assignee="per.vardcentral") == []
    assert_lists_follow_rule(world, [case_id])
    cases.unclaim_task(closing.id, user="per.vardcentral")
    assert viewers_of(closing.id) == {KOMMUN["organisation"]}
    assert names(colleague, case_id=case_id) == []
    assert_lists_follow_rule(world, [case_id])


def test_claim_over_http_changes_the_copied_assignee(world):
    case_id = world.shared()
    task = open_task(case_id, "kvittera_kallelse", VARDCENTRAL["organisation"])
    vc = world["vardcentral"]
    assert vc.post(f"/api/v1/tasks/{task.id}/claim", json={}).status_code == 200
    assert names(world["kommun"], assignee="staff.vardcentral") == [("kvittera_kallelse", case_id)]
    assert names(vc, assignee="staff.vardcentral") == [("kvittera_kallelse", case_id)]
    assert_lists_follow_rule(world, [case_id])
    assert vc.post(f"/api/v1/tasks/{task.id}/unclaim", json={}).status_code == 200
    assert names(vc, assignee="staff.vardcentral") == []
    assert_lists_follow_rule(world, [case_id])


def test_the_migration_writes_the_rows_the_changes_keep(world):
    """Downgraded and upgraded again, the table is filled from the open tasks as they stand: the same rows
    the transactions of the changes had written."""
    from flask import current_app
    from flask_migrate import downgrade, upgrade

    pre = world.pre_consent()
    withdrawn = world.withdrawn()
    team = world.shared()
    CaseWalk(team).acknowledge_all().premeeting(mobilt_vardteam_aktuellt=True, **ELIGIBLE)
    cases.claim_task(open_task(withdrawn, "dokumentera_avslut").id, user="staff.vardcentral")
    columns = [c for c in TaskViewer.__table__.columns]

    def rows():
        db.session.expire_all()
        found = {tuple(r) for r in db.session.execute(sa.select(*columns)).all()}
        db.session.commit()
        return found

    before = rows()
    assert {r[0] for r in before} >= {open_task(pre, "inhamta_samtycke").id,
                                      open_task(team, "besluta_mobilt_vardteam").id}
    db.session.remove()
    directory = current_app.extensions["migrate"].directory
    try:
        downgrade(directory=directory, revision="0005")
    finally:
        upgrade(directory=directory, revision="heads")
    assert rows() == before
    assert_lists_follow_rule(world, [pre, withdrawn, team])


# -- the answer of a change ---------------------------------------------------------------------------------
class HttpWalk(CaseWalk):
    """The routine over HTTP: each task completed by the organisation it is addressed to (the vårdcentral
    for its own tasks, else the coordinating kommun). Every answer's next tasks must be what reading the case
    again gives that user."""

    def __init__(self, case_id: str, world):
        super().__init__(case_id)
        self.world = world

    def do(self, name: str, data: dict, group: str | None = None):
        self._complete(self.task(name, group), data)

    def each(self, name: str, data_for):
        for task in [t for t in self.tasks() if t.name == name]:
            self._complete(task, data_for(task.candidate_group))

    def _complete(self, task, data: dict) -> None:
        client = self.world["vardcentral" if task.candidate_group == VARDCENTRAL["organisation"] else "kommun"]
        answer = client.post(f"/api/v1/tasks/{task.id}/complete", json={"data": data})
        assert answer.status_code == 200, answer.json
        again = client.get(f"/api/v1/cases/{self.case_id}").json["open_tasks"]
        assert answer.json["next_tasks"] == again, task.name


def test_the_answer_of_every_change_lists_the_open_tasks_a_new_read_lists(world):
    started = world.start("kommun")
    assert started["open_tasks"] == world["kommun"].get(f"/api/v1/cases/{started['id']}").json["open_tasks"]
    walk = HttpWalk(started["id"], world)
    walk.to_plan(uppfoljningsdatum="2027-06-10")
    with time_machine.travel(datetime(2027, 6, 10, 9, tzinfo=UTC), tick=False):
        cases.fire_due_timers()
    walk.follow_up("2027-06-10", mal_uppfyllda=True).close()
    assert walk.case.status == "closed"
