"""Two staff completing the same task at the same moment, through gunicorn with several workers."""

import json
import threading
import urllib.error
import urllib.request

from engine.database import db
from engine.services import cases
from tests.routine.walk import KOMMUN, CaseWalk

ASSESSMENT = {"initierad_av": "kommun", "huvudperson": {"namn": "Anna"}, "sip_behovs": True,
              "samordningsansvarig": KOMMUN}


def post(url: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def race(base: str, task_id: str, contenders: int) -> list[int]:
    barrier = threading.Barrier(contenders)
    statuses = []

    def contender(n):
        barrier.wait()
        statuses.append(post(f"{base}/api/v1/tasks/{task_id}/complete", {"data": ASSESSMENT, "user": f"staff{n}"}))

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(contenders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(statuses)


def test_exactly_one_of_simultaneous_completions_succeeds(app, gunicorn_server):
    for _ in range(5):
        walk = CaseWalk.start()
        task_id = walk.task("bedom_behov_av_sip").id
        statuses = race(gunicorn_server, task_id, contenders=6)
        db.session.expire_all()
        assert statuses == [200] + [409] * 5, statuses
        history = cases.case_history(walk.case_id)
        assert [e.kind for e in history].count("task_completed") == 1
        assert walk.names() == ["inhamta_samtycke"]
    status = urllib.request.urlopen(f"{gunicorn_server}/api/v1/health", timeout=5).status
    assert status == 200
