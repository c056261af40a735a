"""The task list's `total` as staff read it: exact at every request while it is small, and for a list larger than
`LARGE_TOTAL` counted in full at most every `TOTAL_FRESH_SECONDS` (engine.services.task_list), the page itself
always read anew. The bound is lowered here, so that a few cases make a large list."""

from __future__ import annotations

import pytest

from engine.services import task_list
from tests.api.test_tasks_api import ASSESSMENT

LIST = "/api/v1/tasks?name=bedom_behov_av_sip"  # the first task of a case, until it is done


@pytest.fixture
def large_above_three(monkeypatch):
    monkeypatch.setattr(task_list, "LARGE_TOTAL", 3)
    monkeypatch.setattr(task_list, "TOTAL_FRESH_SECONDS", 3600.0)
    monkeypatch.setattr(task_list, "_large_totals", {})


def listed(client, query: str = "") -> tuple[int, list[str]]:
    response = client.get(LIST + query)
    assert response.status_code == 200, response.json
    return response.json["total"], [t["case_id"] for t in response.json["items"]]


@pytest.mark.parametrize("order", ["", "&sort=-due", "&sort=created"])
def test_a_large_total_is_counted_in_full_then_kept_while_the_page_is_read_anew(client, start, large_above_three,
                                                                               order):
    started = [start()["id"] for _ in range(3)]
    assert listed(client, "&limit=2" + order)[0] == 3  # small: exact at every request
    started.append(start()["id"])
    assert listed(client, "&limit=2" + order)[0] == 4  # large: counted in full
    started.append(start()["id"])
    assert listed(client, "&limit=2" + order)[0] == 4  # as counted a moment ago
    everyone = set()
    for offset in (0, 2, 4):
        total, page = listed(client, f"&limit=2&offset={offset}" + order)
        everyone.update(page)
    assert everyone == set(started)  # every page is read anew: the fifth case is on one of them
    assert total == 5  # a last page not full says how many there are
    task_list.TOTAL_FRESH_SECONDS = 0.0
    assert listed(client, "&limit=2" + order)[0] == 5


def test_a_total_that_falls_below_the_bound_is_exact_again(client, start, large_above_three):
    cases = [start() for _ in range(5)]
    assert listed(client, "&limit=2")[0] == 5
    for case in cases[:3]:
        response = client.post(f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete", json={"data": ASSESSMENT})
        assert response.status_code == 200, response.json
    assert listed(client, "&limit=1")[0] == 5  # as counted a moment ago
    task_list.TOTAL_FRESH_SECONDS = 0.0
    assert listed(client, "&limit=1")[0] == 2  # counted again: small, and nothing kept of the large count
    task_list.TOTAL_FRESH_SECONDS = 3600.0
    assert listed(client, "&limit=1")[0] == 2
    response = client.post(f"/api/v1/tasks/{cases[3]['open_tasks'][0]['id']}/complete", json={"data": ASSESSMENT})
    assert response.status_code == 200, response.json
    assert listed(client, "&limit=1")[0] == 1


def test_each_filter_has_its_own_total(client, start, large_above_three):
    for _ in range(4):
        start()
    assert listed(client, "&limit=1")[0] == 4
    response = client.get(LIST + "&candidate_group=nobody&limit=1")
    assert response.json["total"] == 0
    response = client.get(LIST + "&limit=1&assignee=me")
    assert response.json["total"] == 0
