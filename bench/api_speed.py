"""The task-list API through HTTP against a real gunicorn (issue 4: the task-list API).

(a) start a SIP case and (b) complete its first user task (`bedom_behov_av_sip`): sequential requests from
one client, median and p95, in three settings:
- back to back, the targets' setting: one request after the other, as a client that keeps the server busy sends
  them. HTTP and SpiffWorkflow alone (same specs, same script engine, SpiffWorkflow's BpmnWorkflowSerializer
  with the specs included) take turns in blocks of BLOCK pairs, so both see the machine's drift alike.
  Targets: median < 5 ms, p95 < 15 ms, ratio <= 2;
- layer by layer: each sample through HTTP, Flask's test client, the service call and SpiffWorkflow alone in
  turn, to show where a request's time goes; every request then meets caches that the other layers' work has
  taken over, and is slower than back to back;
- after a pause: HTTP only, each request after PAUSE seconds of quiet, as a lone user's request meets an idle
  server (the machine wakes, the caches are cold).
When a target is missed, the same requests are profiled in-process (Flask test client) and the top costs
printed.
(c) `GET /api/v1/tasks?candidate_group=...&limit=50` with 100,000 open cases in the database: p95 for a
typical organisation and for one large group, and the query plans. Target p95 < 10 ms, an index read.
(d) throughput of task completions with N concurrent clients (PostgreSQL only).

    python bench/api_speed.py            # SQLite file
    SIP_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/api_speed.py

The PostgreSQL database is wiped. SIP_BENCH_CASES (default 100000) sets the number of open cases for (c).
"""

from __future__ import annotations

import cProfile
import os
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    LARGE_ORG,
    ORGANISATIONS,
    Client,
    captured_statements,
    describe_database,
    fill_open_cases,
    fresh_app,
    gunicorn,
    index_read,
    machine,
    median,
    organisation,
    p95,
    plan_reads_index,
    principal,
    print_costs,
    query_plan,
    sign_in,
    summary,
    timed,
    verdict,
)

SAMPLES = 200
WARMUP = 30
BLOCK = 25  # back to back: pairs per block before the other layer's turn
PAUSE = 0.02  # after a pause: seconds of quiet before each request
OPEN_CASES = int(os.environ.get("SIP_BENCH_CASES", "100000"))
LIST_USERS = 20  # typical organisations whose staff read their task list
LIST_SAMPLES = 300
LIST_SECONDS = 40.0  # at most this long per kind of organisation (then at least 20 samples)
THROUGHPUT_SECONDS = 10.0
THROUGHPUT_CLIENTS = (1, 2, 4, 8)

PERSON = {"personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}
REGION = "kristianstad"  # no variant of its own: runs the base routine
USER, USER_ORG = "bench", ("Kristianstads kommun, hemtjänst Norr", "kommun_sol", "kristianstad")
KOMMUN = {"namn": "Eva Ek", "organisation": "Kristianstads kommun, hemtjänst Norr", "huvudmannatyp": "kommun_sol",
          "yrke": "Biståndshandläggare", "kontakt": "044-13 50 00"}
# The first task of a case with valid data, as tests/routine/walk.py initiate() submits it.
ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Anna Andersson", "alder": 82},
              "samordningsansvarig": KOMMUN, "sip_behovs": True}


def main():
    app, url = fresh_app()
    postgres = url.startswith("postgresql")
    print(f"database: {describe_database(url)}; {machine()}")
    with gunicorn(url) as base:
        workers = os.environ.get("SIP_WORKERS") or f"{2 * (os.cpu_count() or 1) + 1} (gunicorn.conf.py default)"
        print(f"gunicorn: {base}, workers: {workers} (gthread, connections kept alive)")
        with app.app_context():
            token = sign_in(USER, USER_ORG)
        client = Client(base, token)
        warm_up(client, app, token)
        print("\n(a, b) sequential requests, one client (http.client, keep-alive requested)")
        targets = back_to_back(client, app)
        report_layers(f"back to back, HTTP and SpiffWorkflow alone taking turns in blocks of {BLOCK} pairs "
                      "(the targets' setting)", targets)
        met = report_targets(targets)
        print(f"    SpiffWorkflow alone stores a started case in {len(spiffworkflow_alone_steps(app)[0]()):,} bytes "
              "(specs included)")
        report_layers("layer by layer, each sample through every layer in turn (where the time goes)",
                      layers_side_by_side(client, app, token))
        report_layers(f"after a pause of {PAUSE * 1000:.0f} ms before each request (an idle server), HTTP only",
                      after_pause(client))
        report_connections(client)
        if not met:
            profile_in_process(app, token)
            engine_costs(app)
        tokens = task_list_speed(app, base)
        if postgres:
            throughput(app, base, tokens[LARGE_ORG[0]])
        else:
            print("\n(d) throughput of completions: measured with PostgreSQL only "
                  "(set SIP_BENCH_DATABASE_URL=postgresql://...)")
        client.close()


# -- (a) and (b) --------------------------------------------------------------------------------------
def start_case(client: Client) -> tuple[float, str]:
    status, body, ms = client.call("POST", "/api/v1/cases", {"region": REGION, "person": PERSON, "variables": {}})
    assert status == 201, (status, body)
    task_id = next(t["id"] for t in body["open_tasks"] if t["name"] == "bedom_behov_av_sip")
    return ms, task_id


def complete(client: Client, task_id: str) -> float:
    status, body, ms = client.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": ASSESSMENT})
    assert status == 200, (status, body)
    return ms


HTTP, ALONE = "HTTP through gunicorn", "SpiffWorkflow alone"


def layer_steps(client: Client, app, token: str, layers=None) -> dict[str, tuple]:
    """(start, finish) of each layer, as the HTTP layer's: start() -> (ms, what finish needs), finish(that) -> ms."""
    makers = {
        HTTP: lambda: (lambda: start_case(client), lambda task: complete(client, task)),
        "in-process Flask test client": lambda: timed_steps(*test_client_steps(app, token)),
        "service call (no HTTP)": lambda: timed_steps(*service_steps(app)),
        ALONE: lambda: timed_steps(*spiffworkflow_alone_steps(app)),
    }
    return {layer: make() for layer, make in makers.items() if layers is None or layer in layers}


def warm_up(client: Client, app, token: str) -> None:
    """Every worker restores the specs of the deployed routine once, and each layer fills its caches."""
    steps = layer_steps(client, app, token).values()
    for _ in range(WARMUP):
        for start, finish in steps:
            finish(start()[1])


def back_to_back(client: Client, app) -> dict[str, tuple[list[float], list[float]]]:
    """HTTP and SpiffWorkflow alone, each step right after the other within a block of BLOCK pairs (start a case,
    complete its task), the two layers taking turns block by block: both measured warm, as a busy server runs,
    and at the same stretch of the machine's drift. Returns (starts, completions) in ms by layer."""
    steps = layer_steps(client, app, None, layers=(HTTP, ALONE))
    starts = {layer: [] for layer in steps}
    completions = {layer: [] for layer in steps}
    for _ in range(SAMPLES // BLOCK):
        for layer, (start, finish) in steps.items():
            for _ in range(BLOCK):
                ms, started = start()
                starts[layer].append(ms)
                completions[layer].append(finish(started))
    return {layer: (starts[layer], completions[layer]) for layer in steps}


def after_pause(client: Client) -> dict[str, tuple[list[float], list[float]]]:
    """HTTP only, each request after PAUSE seconds in which nothing runs: what a lone user's request meets."""
    starts, completions = [], []
    for _ in range(SAMPLES):
        time.sleep(PAUSE)
        ms, task_id = start_case(client)
        starts.append(ms)
        time.sleep(PAUSE)
        completions.append(complete(client, task_id))
    return {HTTP: (starts, completions)}


def layers_side_by_side(client: Client, app, token: str) -> dict[str, tuple[list[float], list[float]]]:
    """Each step through every layer, one after the other, sample by sample: over HTTP, then through Flask's
    test client in this process, then as a service call, then in SpiffWorkflow alone. The machine's speed drifts
    within minutes; a ratio here compares samples of the same moments, but each request runs with the caches the
    other layers' work left. Returns (starts, completions) in ms by layer."""
    steps = layer_steps(client, app, token)
    starts = {layer: [] for layer in steps}
    completions = {layer: [] for layer in steps}
    for _ in range(SAMPLES):
        started = {}
        for layer, (start, _) in steps.items():
            ms, started[layer] = start()
            starts[layer].append(ms)
        for layer, (_, finish) in steps.items():
            completions[layer].append(finish(started[layer]))
    return {layer: (starts[layer], completions[layer]) for layer in steps}


def timed_steps(start, finish):
    """(start, finish) timed as the HTTP layer's steps are."""
    return (lambda: timed(start), lambda result: timed(finish, result)[0])


def test_client_steps(app, token: str):
    """Starting a case and completing its first task through Flask's test client in this process: the app's
    whole request path without gunicorn and sockets. Returns (start() -> task id, finish(task id))."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def start():
        response = client.post("/api/v1/cases", json={"region": REGION, "person": PERSON, "variables": {}})
        assert response.status_code == 201, response.json
        return next(t["id"] for t in response.json["open_tasks"] if t["name"] == "bedom_behov_av_sip")

    def finish(task_id):
        response = client.post(f"/api/v1/tasks/{task_id}/complete", json={"data": ASSESSMENT})
        assert response.status_code == 200, response.json

    return start, finish


def service_steps(app):
    """The same two steps as service calls (engine.services.cases), no HTTP, no API schemas: signed in as the
    same user, so with the same access checks and audit rows; each call in an app context of its own, as each
    request has. Returns (start() -> task id, finish(task id))."""
    from engine.people.personal_number import parse_personal_number
    from engine.services import cases

    number = parse_personal_number(PERSON["personal_number"]).number
    with app.app_context():
        me = principal(USER)

    def start():
        with app.app_context():
            case = cases.start_case(REGION, {"huvudperson": {"namn": PERSON["name"]}}, person_name=PERSON["name"],
                                    principal=me, personal_number=number)
            return next(t.id for t in cases.open_tasks(case.id) if t.name == "bedom_behov_av_sip")

    def finish(task_id):
        with app.app_context():
            cases.complete_task(task_id, ASSESSMENT, principal=me)

    return start, finish


def spiffworkflow_alone_steps(app):
    """The same two steps in SpiffWorkflow alone: a workflow on the same specs with the same script engine,
    stored with SpiffWorkflow's own serializer, specs included (what an app without spec sharing and
    compaction stores); completing a task restores the workflow from that, runs it and stores it again.
    Returns (start() -> stored workflow, complete_first(stored workflow) -> stored workflow)."""
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    from engine.runtime.serializer import SPEC_SERIALIZER
    from engine.scripting import SandboxedScriptEngine
    from engine.services.process_sets import require_definition, specs_of

    with app.app_context():
        spec, subprocess_specs = specs_of(require_definition(REGION))
    variables = {"huvudperson": {"namn": PERSON["name"]}}

    def start():
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=SandboxedScriptEngine())
        workflow.task_tree.data.update(variables)
        workflow.do_engine_steps()
        return SPEC_SERIALIZER.serialize_json(workflow)

    def complete_first(serialized: str):
        workflow = SPEC_SERIALIZER.deserialize_json(serialized)
        workflow.script_engine = SandboxedScriptEngine()
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        assert task.task_spec.bpmn_id == "bedom_behov_av_sip"
        task.data.update(ASSESSMENT)
        task.run()
        workflow.do_engine_steps()
        return SPEC_SERIALIZER.serialize_json(workflow)

    return start, complete_first


STEPS = ("start a case (POST /api/v1/cases)", "complete a user task (POST /api/v1/tasks/{id}/complete)")


def report_layers(title: str, layers: dict) -> None:
    """Median and p95 of each step by layer, with its ratio to SpiffWorkflow alone where that was measured."""
    print(f"  {title}")
    for index, step in enumerate(STEPS):
        print(f"    {step}")
        for layer, samples in layers.items():
            ratio = (f"   {median(samples[index]) / median(layers[ALONE][index]):5.2f}x SpiffWorkflow alone "
                     "(median)") if ALONE in layers else ""
            print(f"      {layer:<30} {summary(samples[index])}{ratio}")


def report_targets(layers: dict) -> bool:
    """The targets' verdicts on HTTP beside SpiffWorkflow alone; True when every one is met."""
    met = True
    for index, name in enumerate(("start", "complete")):
        http, spiff = layers[HTTP][index], layers[ALONE][index]
        checks = (median(http) < 5, p95(http) < 15, median(http) <= 2 * median(spiff))
        met = met and all(checks)
        print(f"    {name}: median < 5 ms {verdict(checks[0])}; p95 < 15 ms {verdict(checks[1])}; "
              f"HTTP <= 2x SpiffWorkflow alone {verdict(checks[2])} "
              f"(median {median(http) / median(spiff):.2f}x, p95 {p95(http) / p95(spiff):.2f}x)")
    return met


def report_connections(client: Client) -> None:
    if client.connections_closed_by_server:
        print(f"  note: the server closed the connection after {client.connections_closed_by_server} responses "
              "(a worker that does not keep connections alive); each such request paid a loopback connect")
    if client.idle_connections_closed:
        print(f"  note: {client.idle_connections_closed} requests found their idle connection closed by the server "
              "and were sent again on a new one")


def profile_in_process(app, token: str, n: int = 100):
    """The same requests through the Flask test client, under cProfile: what the time goes to."""
    start, finish = test_client_steps(app, token)
    for _ in range(10):
        finish(start())
    for label, prepare, step in (
        ("start a case", lambda: None, lambda _: start()),
        ("complete a user task", start, finish),
    ):
        inputs = [prepare() for _ in range(n)]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for each in inputs:
            step(each)
        profiler.disable()
        total = (time.perf_counter() - started) * 1000 / n
        print(f"\n  profile of '{label}' in-process (Flask test client, no gunicorn), {n} requests, "
              f"{total:.1f} ms per request under the profiler; ms per request by function, cumulative:")
        print_costs(profiler, n, COSTS)


# Where the time of a request goes: (label, file fragment, function name), cumulative per request.
COSTS = [
    ("whole request (Flask + flask-smorest)", "flask/app.py", "full_dispatch_request"),
    ("sign-in: token to principal", "engine/identity/authenticate.py", "authenticate"),
    ("audit rows (record, record_now)", "engine/audit/__init__.py", "record"),
    ("access: task visible? (require_task)", "engine/access/rules.py", "require_task"),
    ("access: sync_case_access on every store", "engine/access/sharing.py", "sync_case_access"),
    ("personal number protected (encrypt + hash)", "engine/privacy/__init__.py", "protect"),
    ("service: start_case", "engine/services/cases.py", "start_case"),
    ("service: complete_task", "engine/services/cases.py", "complete_task"),
    ("  ProcessDefinition row read (latest_definition)", "engine/services/process_sets.py", "latest_definition"),
    ("  form validation (jsonschema)", "engine/services/cases.py", "_validate_form"),
    ("  restore workflow state (CaseWorkflow.restore)", "engine/runtime/workflow.py", "restore"),
    ("  run SpiffWorkflow: new workflow + engine steps", "engine/runtime/workflow.py", "start"),
    ("  run SpiffWorkflow: complete + engine steps", "engine/runtime/workflow.py", "complete"),
    ("  store: state_to_json (compact + serialize)", "engine/runtime/serializer.py", "state_to_json"),
    ("    of which compaction", "engine/runtime/compaction.py", "compact"),
    ("    of which converting specs", "serializer/default/process_spec.py", "to_dict"),
    ("  task list / status bookkeeping (human_tasks)", "engine/runtime/workflow.py", "human_tasks"),
    ("  current_data", "engine/runtime/workflow.py", "current_data"),
    ("  commit (flush, SQL)", "sqlalchemy/orm/session.py", "commit"),
    ("response: case_out (plan, history, open tasks)", "engine/api/presenters.py", "case_out"),
    ("open_tasks query (store and response)", "engine/services/cases.py", "open_tasks"),
    ("response: marshmallow dump", "marshmallow/schema.py", "dump"),
]


def engine_costs(app, n: int = 50) -> None:
    """Costs inside the engine measured one by one (no profiler), to read beside the profile."""
    import sqlalchemy as sa

    from engine.database import db
    from engine.forms import validate_submission
    from engine.services import cases
    from engine.services.process_sets import require_definition
    from engine.store import Case

    def best_of(fn):
        return median([timed(fn)[0] for _ in range(n)])

    print(f"\n  engine costs measured one by one (median of {n}, no profiler):")
    with app.app_context():
        case_id = cases.start_case(REGION, {"huvudperson": {"namn": "Kostnad"}}, person_name="Kostnad",
                                   principal=principal(USER)).id

        def read_definition():
            db.session.rollback()
            db.session.expunge_all()
            return require_definition(REGION)

        print(f"    ProcessDefinition row read as the engine reads it (require_definition, fresh session): "
              f"{best_of(read_definition):.2f} ms")
        definition = require_definition(REGION)
        forms = definition.forms
        case = db.session.get(Case, case_id)
        cw = cases._load(case)
        print(f"    state_to_json of a started case (compact + serialize): {best_of(cw.dump):.2f} ms")
        row = cases.open_tasks(case.id)[0]
        schema = forms[row.form_schema]
        print(f"    form validation (jsonschema, validator built per call): "
              f"{best_of(lambda: validate_submission(schema, ASSESSMENT)):.2f} ms")
        from engine.api.presenters import case_out

        me = principal(USER)
        print(f"    case_out (the start response: plan, history, open tasks): "
              f"{best_of(lambda: case_out(case, me)):.2f} ms")
        db.session.rollback()

        def touch_and_commit():
            db.session.execute(sa.update(Case).where(Case.id == case.id).values(incident=None))
            db.session.commit()

        print(f"    a one-row UPDATE and COMMIT: {best_of(touch_and_commit):.2f} ms")


# -- (c) the task list with 100,000 open cases --------------------------------------------------------
def task_list_speed(app, base: str) -> dict[str, str]:
    """100,000 open cases (bench.common.fill_open_cases), each waiting at its first task in the group
    `samordningsansvarig`, the role every case's first task has; one large organisation holds a fifth of them,
    1,000 organisations share the rest.
    The staff of an organisation list `candidate_group=samordningsansvarig`: the API shows them only their
    own organisation's cases. Returns the API tokens by organisation name."""
    from engine.services.task_list import TaskFilter, list_tasks

    rng = random.Random(4)
    group = "samordningsansvarig"
    print(f"\n(c) GET /api/v1/tasks?candidate_group={group}&limit=50 with {OPEN_CASES:,} open cases")
    # What the list statement should read for each part: (table or alias in the plan, indexes that serve it).
    # The count reads the narrow index of the organisation and group, or (SQLite) any index starting so.
    reads = {
        "page (task_viewers, in order)": ("task_viewers", ("ix_task_viewers_group_due",)),
        "count (task_viewers)": ("counted", ("ix_task_viewers_group", "ix_task_viewers_group_due",
                                             "ix_task_viewers_group_created")),
        "the page's task rows (tasks, by id)": ("tasks", ("pk_tasks", "sqlite_autoindex_tasks_1")),
    }

    filled = fill_open_cases(app, OPEN_CASES, REGION, USER)
    assert filled.group == group, filled.group
    with app.app_context():
        tokens = {LARGE_ORG[0]: sign_in("large", LARGE_ORG)}
        sampled = rng.sample(range(ORGANISATIONS), LIST_USERS)
        for i in sampled:
            tokens[organisation(i)[0]] = sign_in(f"staff{i}", organisation(i))
    typical = OPEN_CASES - filled.large
    print(f"  filled by cloning one started case {filled.cases:,} times in {filled.seconds:.1f} s (state "
          f"{len(filled.template.case['state']):,} bytes per case, with its task, access, role-group and task viewer "
          f"rows): '{LARGE_ORG[0]}' holds {filled.large:,} cases, {ORGANISATIONS:,} organisations about "
          f"{typical // ORGANISATIONS} each; every open task is in the group '{group}'")

    clients = {org: Client(base, token) for org, token in tokens.items()}

    def listing(org: str) -> tuple[float, int]:
        status, body, ms = clients[org].call("GET", f"/api/v1/tasks?candidate_group={quote(group)}&limit=50")
        assert status == 200 and len(body["items"]) == min(50, body["total"]), (status, body)
        return ms, body["total"]

    for org in clients:
        for _ in range(2):
            listing(org)
    typical_orgs = [organisation(i)[0] for i in sampled]
    for label, orgs in (("typical organisation", [rng.choice(typical_orgs) for _ in range(LIST_SAMPLES)]),
                        ("large organisation", [LARGE_ORG[0]] * LIST_SAMPLES)):
        samples, totals = [], set()
        budget = time.monotonic() + LIST_SECONDS
        for org in orgs:
            ms, total = listing(org)
            samples.append(ms)
            totals.add(total)
            if time.monotonic() > budget and len(samples) >= 20:
                break  # slow requests: a bounded run, fewer samples
        print(f"  {label:<22} ({min(totals):,}-{max(totals):,} open tasks) {summary(samples)}  "
              f"p95 < 10 ms {verdict(p95(samples) < 10)}")
    for each in clients.values():
        each.close()

    with app.app_context():
        for label, (org, username) in (("typical organisation", (typical_orgs[0], f"staff{sampled[0]}")),
                                       ("large organisation", (LARGE_ORG[0], "large"))):
            who = principal(username)  # as sign-in makes it; its reads are not the list's
            with captured_statements() as statements:
                list_tasks(TaskFilter(candidate_group=group), "due", 50, 0, principal=who)
            print(f"  query plans for the {label} ({org}):")
            listing = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")
                       and ("task_viewers" in s or "FROM tasks" in s)]
            for statement, parameters in listing:
                plan = query_plan(statement, parameters)
                print(f"    {' '.join(statement.split())[:110]}...")
                for part, (table, wanted) in reads.items():
                    read = index_read(plan, table)
                    if read is not None:
                        # SQLite scans the page of 50 viewer rows it has materialised: not a table.
                        tables = [line for line in plan if line.strip() != "SCAN page"]
                        ok = read in wanted and plan_reads_index(tables, read)
                        print(f"      {part}: {f'index read ({read})' if ok else 'NOT an index read of ' + wanted[0]}")
                for line in plan:
                    print(f"        {line}")
            if not any("count(" in s.lower() for s, _ in listing):
                print("    count: none (the page was the last one)")
            read_statements = {s for s, _ in listing}
            others = [s.split(None, 3)[:3] for s, _ in statements if s not in read_statements]
            print(f"    other statements of the list (sign-in not included): {[' '.join(o) for o in others]}")
    return tokens


# -- (d) throughput -----------------------------------------------------------------------------------
def throughput(app, base: str, token: str) -> None:
    """Staff of the large organisation complete the first task of its cases (the clones of (c))."""
    import sqlalchemy as sa

    from engine.database import db
    from engine.store import Case, Task

    print(f"\n(d) throughput of task completions, N clients each completing the first task of its own "
          f"pre-started cases for {THROUGHPUT_SECONDS:.0f} s")
    with app.app_context():
        pool = db.session.scalars(
            sa.select(Task.id).join(Case, Case.id == Task.case_id)
            .where(Task.state == "open", Task.name == "bedom_behov_av_sip",
                   Case.initiating_organisation == LARGE_ORG[0]).limit(40_000)
        ).all()
    pool = list(pool)
    print(f"  {'clients':>7}  {'completions/s':>13}  {'latency':<44} errors")
    for n in THROUGHPUT_CLIENTS:
        share = min(4000, len(pool) // (2 * len(THROUGHPUT_CLIENTS))) // n
        mine = [pool[i * share:(i + 1) * share] for i in range(n)]
        del pool[:share * n]
        latencies, errors, elapsed, ran_out = complete_concurrently(base, token, mine, THROUGHPUT_SECONDS)
        print(f"  {n:>7}  {len(latencies) / elapsed:>13.1f}  {summary(latencies):<44} {errors}"
              + ("  (a client ran out of tasks before the time was up)" if ran_out else ""))


def complete_concurrently(base: str, token: str, task_lists: list[list[str]], seconds: float):
    """One client thread per list, each completing its tasks one after the other until `seconds` are up."""
    n = len(task_lists)
    latencies: list[list[float]] = [[] for _ in range(n)]
    errors = [0] * n
    barrier = threading.Barrier(n + 1)
    deadline = [0.0]

    def run(k):
        client = Client(base, token)
        barrier.wait()
        for task_id in task_lists[k]:
            if time.perf_counter() >= deadline[0]:
                break
            status, _, ms = client.call("POST", f"/api/v1/tasks/{task_id}/complete",
                                        {"data": ASSESSMENT})
            if status == 200:
                latencies[k].append(ms)
            else:
                errors[k] += 1
        client.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    started = time.perf_counter()
    deadline[0] = started + seconds
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ran_out = any(len(latencies[k]) + errors[k] >= len(task_lists[k]) for k in range(n))
    return [ms for each in latencies for ms in each], sum(errors), elapsed, ran_out


if __name__ == "__main__":
    main()
