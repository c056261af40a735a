"""Walking a SIP over HTTP as its staff do: each task found in the list of the organisation it is for and completed
with the token of one of its staff, through the same steps (and data) as the walks by the Python interface."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from lxml import html

from tests.regions.walks import KristianstadWalk, StockholmWalk, VastbusWalk
from tests.routine.walk import CaseWalk

PERSONAL_NUMBER = "19121212-1212"


class OverHttp:
    """A walk whose every step is a staff member's: the task is found in their list (`GET /tasks`) and completed
    with their token (`POST /tasks/{id}/complete`)."""

    base: str
    tokens: dict[str, str]  # organisation -> token of one of its staff

    @classmethod
    def started(cls, base: str, tokens: dict[str, str], region: str, person_name: str, by: str, **variables):
        status, body = call(base, tokens[by], "POST", "/cases", {
            "region": region, "person": {"personal_number": PERSONAL_NUMBER, "name": person_name},
            "variables": variables})
        assert status == 201, body
        walk = cls(body["id"])
        walk.base, walk.tokens = base, tokens
        return walk

    def listed(self, organisation: str, name: str) -> list[dict]:
        query = urllib.parse.urlencode({"case_id": self.case_id, "name": name})
        status, body = call(self.base, self.tokens[organisation], "GET", f"/tasks?{query}")
        assert status == 200, body
        return body["items"]

    def complete(self, organisation: str, task: dict, data: dict) -> None:
        status, body = call(self.base, self.tokens[organisation], "POST", f"/tasks/{task['id']}/complete",
                            {"data": data})
        assert status == 200, (organisation, task["name"], body)

    def do(self, name: str, data: dict, group: str | None = None):
        for organisation in self.tokens:
            for task in self.listed(organisation, name):
                if group is None or task["candidate_group"] == group:
                    return self.complete(organisation, task, data)
        raise AssertionError(f"nobody has {name} ({group}) in their list")

    def each(self, name: str, data_for):
        for organisation in self.tokens:
            for task in self.listed(organisation, name):
                self.complete(organisation, task, data_for(task["candidate_group"]))

    def page(self, organisation: str, path: str) -> tuple[str, html.HtmlElement]:
        request = urllib.request.Request(f"{self.base}/api/v1/cases/{self.case_id}{path}", headers={
            "Authorization": f"Bearer {self.tokens[organisation]}", "Accept": "text/html,*/*;q=0.8"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.headers.get_content_type() == "text/html"
            text = response.read().decode()
        return text, html.fromstring(text)


class KristianstadOverHttp(OverHttp, KristianstadWalk):
    pass


class StockholmOverHttp(OverHttp, StockholmWalk):
    pass


def call(base: str, token: str, method: str, path: str, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/api/v1{path}", data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


class VastbusOverHttp(OverHttp, VastbusWalk):
    pass


class BaseOverHttp(OverHttp, CaseWalk):
    """The base routine's steps, or a region's that differs from it only in its forms and decisions."""
