"""The command line: `processes validate PATH`, `processes deploy PATH --region REGION` and `init`, run through
Flask's CLI runner on the test database."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from engine import create_app
from engine.database import db

from .conftest import FORMS, PROCESSES, base_text, changed, count, line_of

THRESHOLD = ("dmn/mobilt_vardteam.dmn", "<text>&gt;= 4</text>", "<text>&gt;= 5</text>")


@pytest.fixture
def cli(client, app):
    runner = app.test_cli_runner()

    def _run(*args):
        return runner.invoke(args=[str(a) for a in args])
    return _run


def versions(region: str) -> list[int]:
    return list(db.session.scalars(sa.text(
        "SELECT version FROM process_definitions WHERE region = :r ORDER BY version"), {"r": region}))


def test_validate_a_variant_folder(cli):
    result = cli("processes", "validate", PROCESSES / "regions" / "kristianstad", "--region", "kristianstad")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    uploaded = [p for sub in ("bpmn", "dmn", "forms")
                for p in (PROCESSES / "regions" / "kristianstad" / sub).glob("*") if p.is_file()]
    assert len([line for line in lines if line.endswith(": ok")]) == len(uploaded)
    assert "would deploy sip v1" in lines[-1]
    assert count("deployments") == 0 and versions("kristianstad") == []


def test_validate_the_base_folder(cli):
    result = cli("processes", "validate", PROCESSES)
    assert result.exit_code == 0, result.output
    assert "unchanged, sip v1 stays" in result.output


def test_validate_reports_every_problem_and_fails(cli, tmp_path):
    (tmp_path / "bpmn").mkdir()
    (tmp_path / "dmn").mkdir()
    sip = changed("bpmn/sip.bpmn", 'calledElement="initiering_och_samtycke"', 'calledElement="finns_inte"')
    (tmp_path / "bpmn" / "sip.bpmn").write_text(sip)
    (tmp_path / "dmn" / "mobilt_vardteam.dmn").write_text(
        changed("dmn/mobilt_vardteam.dmn", "<text>&gt;= 4</text>", "<text>open('/etc/passwd')</text>"))
    result = cli("processes", "validate", tmp_path, "--region", "kristianstad")
    assert result.exit_code == 1
    assert "bpmn/sip.bpmn: FAILED (1 problem(s))" in result.output
    assert "dmn/mobilt_vardteam.dmn: FAILED (1 problem(s))" in result.output
    assert "2 problem(s); nothing was deployed" in result.output
    line = line_of(sip, 'calledElement="finns_inte"')
    assert f"bpmn/sip.bpmn:{line} [initiering]: The call activity calls the process 'finns_inte'" in result.output
    assert "dmn/mobilt_vardteam.dmn:19 [UnaryTests_1m0k6pe]:" in result.output and "'open'" in result.output


def test_deploy_a_variant_folder(cli, client):
    folder = PROCESSES / "regions" / "kristianstad"
    result = cli("processes", "deploy", folder, "--region", "kristianstad", "--deployed-by", "anna")
    assert result.exit_code == 0, result.output
    assert "kristianstad:" in result.output and "deployed sip v1" in result.output
    assert versions("kristianstad") == [1]
    record = client.get("/api/v1/deployments?region=kristianstad").json["items"][0]
    assert (record["source"], record["deployed_by"], record["version"]) == ("cli", "anna", 1)

    again = cli("processes", "deploy", folder, "--region", "kristianstad")
    assert again.exit_code == 0 and "unchanged, nothing new deployed (sip v1)" in again.output
    assert versions("kristianstad") == [1]

    case = client.post("/api/v1/cases", json={"region": "kristianstad", "person": {
        "personal_number": "19121212-1212", "name": "Tolvan Tolvansson"}}).json
    assert case["process"] == {**case["process"], "region": "kristianstad", "version": 1}


def test_deploy_a_single_file(cli, tmp_path):
    path = tmp_path / "mobilt_vardteam.dmn"
    path.write_text(changed(*THRESHOLD), encoding="utf-8")
    result = cli("processes", "deploy", path, "--region", "jonkoping")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].strip() == "dmn/mobilt_vardteam.dmn: ok"
    assert versions("jonkoping") == [1]


def test_deploy_refuses_a_bad_file_and_stores_nothing(cli, tmp_path):
    path = tmp_path / "sip.bpmn"
    path.write_text(base_text("bpmn/sip.bpmn").replace("</bpmn:definitions>", ""), encoding="utf-8")
    result = cli("processes", "deploy", path, "--region", "jonkoping")
    assert result.exit_code == 1
    assert "bpmn/sip.bpmn:" in result.output and "Not well-formed XML" in result.output
    assert versions("jonkoping") == [] and count("deployments") == 0


def test_deploy_needs_a_valid_region(cli):
    assert cli("processes", "deploy", PROCESSES / "dmn" / "mobilt_vardteam.dmn").exit_code == 2
    result = cli("processes", "deploy", PROCESSES / "dmn" / "mobilt_vardteam.dmn", "--region", "Skåne")
    assert result.exit_code == 1 and "region" in result.output


def test_init_deploys_the_base_and_every_region_folder(client, migrated, tmp_path):
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES / "bpmn", processes / "bpmn")
    shutil.copytree(PROCESSES / "dmn", processes / "dmn")
    (processes / "regions" / "alfa" / "dmn").mkdir(parents=True)
    (processes / "regions" / "alfa" / "dmn" / "mobilt_vardteam.dmn").write_text(changed(*THRESHOLD))
    (processes / "regions" / "tom").mkdir()
    app = create_app({"SQLALCHEMY_DATABASE_URI": migrated, "TESTING": True,
                      "PROCESSES_DIR": str(processes), "FORMS_DIR": str(FORMS)})

    def init():
        with app.app_context():  # the CLI runs in the current app context: this app's, not the fixture's
            try:
                return app.test_cli_runner().invoke(args=["init"])
            finally:
                db.session.remove()

    result = init()
    assert result.exit_code == 0, result.output
    assert "base routine sip v1 unchanged" in result.output
    assert "region alfa: sip v1 deployed" in result.output
    assert "region tom: no files yet, runs the base" in result.output
    assert versions("alfa") == [1] and versions("tom") == []

    again = init()
    assert again.exit_code == 0 and "region alfa: sip v1 unchanged" in again.output

    (processes / "regions" / "trasig" / "bpmn").mkdir(parents=True)
    (processes / "regions" / "trasig" / "bpmn" / "sip.bpmn").write_text("<inte xml")
    broken = init()
    assert broken.exit_code == 1
    assert "region trasig: NOT deployed" in broken.output and "bpmn/sip.bpmn:1" in broken.output
    assert versions("trasig") == []
