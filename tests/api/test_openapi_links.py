"""The OpenAPI document names every operation and links an answer to the operations a client goes on with. A
client generated from it gets named methods; a client following the links from a started case reaches the
case, its plan, its tasks, and completes the first task, without knowing a single path."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import PERSON
from tests.api.test_openapi_conformance import ASSESSMENT

METHODS = ("get", "put", "post", "delete", "patch")


class Operations:
    """The document's operations by operationId: method, path template, parameters, responses."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.by_id: dict[str, dict] = {}
        self.ids: list[str] = []
        for path, item in spec["paths"].items():
            for method in METHODS:
                if method not in item:
                    continue
                operation = item[method]
                self.ids.append(operation.get("operationId"))
                parameters = item.get("parameters", []) + operation.get("parameters", [])
                self.by_id[operation.get("operationId")] = {
                    "method": method, "path": path, "operation": operation,
                    "parameters": {(p["in"], p["name"]) for p in parameters if "in" in p}}

    def links(self):
        """(source operationId, status, link name, link) of every link."""
        for source_id, source in self.by_id.items():
            for status, response in source["operation"]["responses"].items():
                for name, link in (response.get("links") or {}).items():
                    yield source_id, status, name, link

    def schema(self, node: dict) -> dict:
        while "$ref" in node:
            node = self.spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
        return node


@pytest.fixture
def operations(client):
    return Operations(client.get("/api/v1/openapi.json").json)


def test_every_operation_has_its_own_id(operations):
    assert all(operations.ids), [op["path"] for op in operations.by_id.values() if not op["operation"].get(
        "operationId")]
    assert len(set(operations.ids)) == len(operations.ids)
    assert all(re.fullmatch(r"[a-z][A-Za-z]+", name) for name in operations.ids), operations.ids


def test_every_link_names_an_operation_its_parameters_and_where_they_are_found(operations):
    links = list(operations.links())
    assert {source for source, *_ in links} >= {"startCase", "getCase", "listTasks", "getTask", "completeTask"}
    for source_id, status, name, link in links:
        where = f"{source_id} {status} {name}"
        target = operations.by_id.get(link["operationId"])
        assert target is not None, where
        assert link["operationId"] != source_id, where
        for parameter, expression in link["parameters"].items():
            assert parameter in {p for _, p in target["parameters"]}, (where, parameter)
            if expression.startswith("$request.path."):
                assert ("path", expression.removeprefix("$request.path.")) in \
                    operations.by_id[source_id]["parameters"], (where, expression)
                continue
            assert expression.startswith("$response.body#/"), (where, expression)
            # The pointer walks the documented answer down to a string property.
            response = operations.by_id[source_id]["operation"]["responses"][status]
            node = operations.schema(response["content"]["application/json"]["schema"])
            for step in expression.removeprefix("$response.body#/").split("/"):
                if step.isdigit():
                    assert node["type"] == "array", (where, step)
                    node = operations.schema(node["items"])
                else:
                    assert step in node.get("properties", {}), (where, step)
                    node = operations.schema(node["properties"][step])
            assert node.get("type") == "string", (where, node)


def resolve(expression: str, path_values: dict, body) -> str | None:
    """A link's runtime expression on a request's path values and its answer's body."""
    if expression.startswith("$request.path."):
        return path_values[expression.removeprefix("$request.path.")]
    node = body
    for step in expression.removeprefix("$response.body#/").split("/"):
        if isinstance(node, list):
            if int(step) >= len(node):
                return None
            node = node[int(step)]
        else:
            node = node[step]
    return node


def follow(client, operations: Operations, link: dict, path_values: dict, body, json=None):
    """Call the linked operation with the parameters the link finds in the answer; returns the target's path
    values and its response."""
    target = operations.by_id[link["operationId"]]
    values = {name: resolve(expression, path_values, body) for name, expression in link["parameters"].items()}
    path, query = target["path"], {}
    for name, value in values.items():
        if ("path", name) in target["parameters"]:
            path = path.replace("{" + name + "}", value)
        else:
            query[name] = value
    response = getattr(client, target["method"])(path, query_string=query, json=json)
    return values, response


def test_a_client_following_the_links_from_a_start_reaches_the_case_and_completes_its_first_task(client,
                                                                                                 operations):
    started = client.post("/api/v1/cases", json={"region": "kristianstad", "person": PERSON, "variables": {}})
    assert started.status_code == 201, started.json
    case_id, first_task = started.json["id"], started.json["open_tasks"][0]["id"]
    links = operations.by_id["startCase"]["operation"]["responses"]["201"]["links"]

    _, case = follow(client, operations, links["case"], {}, started.json)
    assert case.status_code == 200 and case.json["id"] == case_id
    _, plan = follow(client, operations, links["plan"], {}, started.json)
    assert plan.status_code == 200 and plan.json["case_id"] == case_id
    _, tasks = follow(client, operations, links["tasks"], {}, started.json)
    assert tasks.status_code == 200, tasks.json
    assert [t["id"] for t in tasks.json["items"]] == [first_task]
    _, audit = follow(client, operations, links["audit"], {}, started.json)
    assert audit.status_code == 200 and audit.json["total"] >= 1
    _, task = follow(client, operations, links["task"], {}, started.json)
    assert task.status_code == 200 and task.json["id"] == first_task and task.json["form"]["schema"]
    _, claimed = follow(client, operations, links["claim"], {}, started.json, json={})
    assert claimed.status_code == 200 and claimed.json["assignee"] == "eva"

    # From the task as read, on to completing it; from the completion, on to the next task.
    task_links = operations.by_id["getTask"]["operation"]["responses"]["200"]["links"]
    _, completed = follow(client, operations, task_links["complete"], {"task_id": first_task}, task.json,
                          json={"data": ASSESSMENT})
    assert completed.status_code == 200, completed.json
    assert completed.json["case"]["id"] == case_id
    next_links = operations.by_id["completeTask"]["operation"]["responses"]["200"]["links"]
    _, next_task = follow(client, operations, next_links["task"], {}, completed.json)
    assert next_task.status_code == 200
    assert next_task.json["id"] == completed.json["next_tasks"][0]["id"] != first_task
    _, again = follow(client, operations, next_links["case"], {}, completed.json)
    assert again.status_code == 200 and first_task not in [t["id"] for t in again.json["open_tasks"]]
