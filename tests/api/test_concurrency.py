"""Two staff completing the same task at the same moment, through gunicorn with several workers."""

import json
import threading
import urllib.error
import urllib.request

from engine.database import db
from engine.identity import find_user, principal_of
from engine.services import cases
from tests.api.conftest import user_token
from tests.routine.walk import KOMMUN, CaseWalk

ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Anna"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}


def post(url: str, body: dict, token: str) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def race(base: str, task_id: str, tokens: list[str]) -> list[int]:
    contenders = len(tokens)
    barrier = threading.Barrier(contenders)
    statuses = []

    def contender(n):
        barrier.wait()
        statuses.append(post(f"{base}/api/v1/tasks/{task_id}/complete", {"data": ASSESSMENT}, tokens[n]))

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


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
