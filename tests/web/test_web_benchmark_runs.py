"""The benchmark of the web app's pages (bench/web_speed.py) still runs against the app as it is: a few hundred
cases, the first page loaded twice cold and twice warm, and the scripts of the task list, a task page and a case page
with its diagram opened, through a real gunicorn and Chromium. Nothing here is timed; the figures come from running
the benchmark itself (README, "Measured")."""

from __future__ import annotations

import shutil

import bench.web_speed as web_speed
from bench.common import gunicorn


def test_every_page_becomes_usable_and_its_scripts_are_counted(app, migrated, built_webapp, browser, capsys):
    people = web_speed.fill(app, 200)
    dist = web_speed.copy_of_build(built_webapp)
    try:
        with gunicorn(migrated, workers=2, env={"SIP_WEBAPP_DIR": str(dist)}) as base:
            web_speed.measure(browser, base, dist, people, which=web_speed.pages(2, 2)[:1], warm_up=0)
    finally:
        shutil.rmtree(dist.parent, ignore_errors=True)
    out = capsys.readouterr().out
    first = web_speed.pages(0, 0)[0].name
    for person in people:
        for setting in ("cold", "warm"):
            assert f"{first:<36} {person.label:<22} {setting}" in out
    assert "target: the first page usable within 1000 ms" in out
    assert "bpmn-js only once the diagram is opened: met" in out
    for page in ("task list (/ → Mina uppgifter)", "task page (a form)", "case page", "case page, diagram opened"):
        assert page in out
