"""bpmnlint's recommended rules (`.bpmnlintrc`) pass on every diagram of the routine, as `npm --prefix webapp run
lint:bpmn` runs them: the diagrams are ones a modeler and a reader understand (every flow node connected and
saying which flows come in and go out, explicit starts, ends and joins)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
BPMNLINT = WEBAPP / "node_modules" / "bpmnlint" / "bin" / "bpmnlint.js"


def run(*args: str) -> subprocess.CompletedProcess:
    if not BPMNLINT.is_file():
        pytest.fail("bpmnlint is not installed: run 'npm --prefix webapp ci'")
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_diagram_passes_bpmnlint_recommended():
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to run bpmnlint (webapp/)")
    result = run(npm, "--prefix", str(WEBAPP), "run", "--silent", "lint:bpmn")
    assert result.returncode == 0, result.stdout + result.stderr


def test_bpmnlint_refuses_a_diagram_whose_flow_nodes_do_not_name_their_flows(tmp_path):
    text = (ROOT / "processes" / "bpmn" / "avslut.bpmn").read_text(encoding="utf-8")
    stripped = "\n".join(line for line in text.splitlines()
                         if "<bpmn:incoming>" not in line and "<bpmn:outgoing>" not in line)
    diagram = tmp_path / "avslut.bpmn"
    diagram.write_text(stripped, encoding="utf-8")
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run bpmnlint (webapp/)")
    result = run(node, str(BPMNLINT), "--config", str(ROOT / ".bpmnlintrc"), str(diagram))
    assert result.returncode != 0
    assert "no-disconnected" in result.stdout and "no-implicit-start" in result.stdout
