"""Two staff completing the same task at the same moment, through gunicorn with several workers."""

import json
import threading
import urllib.error
import urllib.request

from engine.database import db
from engine.identity import find_user, principal_of
from engine.services import cases, task_list
from tests.api.conftest import PERSON, user_token
from tests.routine.walk import KOMMUN, CaseWalk

ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Anna"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}


def post(url: str, body: dict, token: str, **headers) -> tuple[int, dict]:
    """The status and the JSON answer of a POST."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def simultaneously(calls) -> list:
    """Each call's result, the calls made at the same moment from threads of their own."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def contender(n):
        barrier.wait()
        results[n] = calls[n]()

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def race(base: str, task_id: str, tokens: list[str]) -> list[int]:
    url = f"{base}/api/v1/tasks/{task_id}/complete"
    answers = simultaneously([lambda token=token: post(url, {"data": ASSESSMENT}, token) for token in tokens])
    return sorted(status for status, _ in answers)


def test_exactly_one_of_simultaneous_completions_succeeds(app, gunicorn_server):
    tokens = [user_token(f"staff{n}") for n in range(6)]
    initiator = principal_of(find_user("staff0"), None, "token")
    for _ in range(5):
        case = cases.start_case("base", {"huvudperson": {"namn": "Anna Andersson"}}, person_name="Anna Andersson",
                                principal=initiator)
        walk = CaseWalk(case.id)
        task_id = walk.task("bedom_behov_av_sip").id
        statuses = race(gunicorn_server, task_id, tokens)
        db.session.expire_all()
        assert statuses == [200] + [409] * 5, statuses
        history = cases.case_history(walk.case_id)
        assert [e.kind for e in history].count("task_completed") == 1
        assert walk.names() == ["inhamta_samtycke"]
    status = urllib.request.urlopen(f"{gunicorn_server}/api/v1/health", timeout=5).status
    assert status == 200


def test_simultaneous_retries_of_a_start_start_one_case(app, gunicorn_server):
    token = user_token("staff0")
    body = {"region": "base", "person": PERSON, "variables": {}}
    for attempt in range(3):
        headers = {"Idempotency-Key": f"start-{attempt}"}
        answers = simultaneously([lambda h=headers: post(f"{gunicorn_server}/api/v1/cases", body, token, **h)
                                  for _ in range(4)])
        assert sorted(status for status, _ in answers) == [200, 200, 200, 201], answers
        assert len({answer["id"] for _, answer in answers}) == 1
    db.session.expire_all()
    assert task_list.list_cases()[1] == 3


def test_simultaneous_retries_of_a_completion_complete_it_once(app, gunicorn_server):
    token = user_token("staff0")
    initiator = principal_of(find_user("staff0"), None, "token")
    for attempt in range(3):
        case = cases.start_case("base", {"huvudperson": {"namn": "Anna Andersson"}}, person_name="Anna Andersson",
                                principal=initiator)
        walk = CaseWalk(case.id)
        url = f"{gunicorn_server}/api/v1/tasks/{walk.task('bedom_behov_av_sip').id}/complete"
        headers = {"Idempotency-Key": f"done-{attempt}"}
        answers = simultaneously([lambda u=url, h=headers: post(u, {"data": ASSESSMENT}, token, **h)
                                  for _ in range(4)])
        assert [status for status, _ in answers] == [200] * 4, answers
        db.session.expire_all()
        assert [e.kind for e in cases.case_history(case.id)].count("task_completed") == 1
        assert walk.names() == ["inhamta_samtycke"]
