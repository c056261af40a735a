"""The routine's forms, broken forms (broken/), and the staff web app's own form renderer run by node."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BROKEN = HERE / "broken"
WEBAPP = ROOT / "webapp"
FORM_DIRS = [ROOT / "forms", *sorted((ROOT / "processes" / "regions").glob("*/forms"))]
SCHEMAS = sorted(p for d in FORM_DIRS for p in d.glob("*.schema.json"))
# What the web app should give rjsf so that nothing is answered before a person answers it: a choice is not
# set to its first option, a required yes/no question is not set to "Nej" (the form's own defaults still are).
UNANSWERED = {"constAsDefaults": "skipOneOf", "requiredBooleanDefault": "skip"}


def ui_of(schema_path: Path) -> Path:
    return schema_path.with_name(schema_path.name.replace(".schema.json", ".uischema.json"))


def read(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def with_a_row_in_every_list(schema: dict):
    """Data with one row in each list of rows, so that the fields of a row are rendered too."""
    if schema.get("type") == "object":
        found = {}
        for key, prop in (schema.get("properties") or {}).items():
            value = with_a_row_in_every_list(prop)
            if value is not None:
                found[key] = value
        return found
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict) and not schema.get("uniqueItems"):
        row = with_a_row_in_every_list(schema["items"])
        return [row if row is not None else ""]
    return None


@pytest.fixture(scope="session")
def render():
    """Render forms with rjsf as the web app has it: [{name, schema, uiSchema, formData, behavior}] ->
    {name: (html, error)}. Skips where node or the web app's packages are not installed."""
    node = shutil.which("node")
    packages = WEBAPP / "node_modules" / "@rjsf"
    if not node or not all((packages / p / "package.json").exists() for p in ("core", "validator-ajv8")):
        pytest.skip("needs node and the web app's packages (npm ci in webapp/)")

    def _render(forms: list[dict]) -> dict[str, tuple[str, str | None]]:
        done = subprocess.run([node, str(HERE / "render_forms.cjs"), str(WEBAPP)], input=json.dumps(forms),
                              capture_output=True, text=True, timeout=120, check=True)
        return {r["name"]: (r["html"], r["error"]) for r in json.loads(done.stdout)}
    return _render
