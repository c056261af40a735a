"""`flask --app engine cases migrate`: a line per case, a summary, and an exit status that says whether every case
moved."""

from __future__ import annotations

from engine.services import cases

from .conftest import REGION, Walk, deploy_version, edited, renamed, routine


def migrate(app, *args):
    return app.test_cli_runner().invoke(args=["cases", "migrate", "--region", REGION, "--by", "agare", *args])


def test_a_dry_run_then_a_real_one_print_each_case_and_a_summary(app, first):
    blocked = Walk()
    cases.save_draft(blocked.task("fyll_i").id, {"antal": 3}, user="eva")
    waiting = Walk().at_timer()
    deploy_version(edited(routine(), "forms/fyll_i.schema.json", '"antal": {"type": "integer"',
                          '"antal": {"type": "string"'))

    dry = migrate(app, "--from-version", "1", "--dry-run")
    assert dry.exit_code == 1, dry.output
    assert f"  {waiting.case_id} v1: can move" in dry.output
    assert f"  {blocked.case_id} v1: CANNOT move: [fyll_i] Det sparade utkastet" in dry.output
    assert "2 case(s) to version 2: 1 would move, 1 cannot move" in dry.output
    assert waiting.case.definition.version == 1

    done = migrate(app, "--case", waiting.case_id)
    assert done.exit_code == 0, done.output
    assert f"  {waiting.case_id} v1: moved" in done.output
    assert "1 case(s) to version 2: 1 moved, 0 cannot move" in done.output
    assert waiting.case.definition.version == 2


def test_a_renamed_element_is_mapped_and_a_bad_pair_is_a_usage_error(app, first):
    walk = Walk()
    deploy_version(renamed(routine(), "bpmn/flytt.bpmn", "fyll_i", "fyll_i_nu"))

    bad = migrate(app, "--map", "fyll_i")
    assert bad.exit_code == 2 and "'fyll_i' is not old_id=new_id" in bad.output
    unknown = migrate(app, "--map", "fyll_i=hittepa")
    assert unknown.exit_code == 2 and "mapping/fyll_i: 'hittepa' finns inte i version 2" in unknown.output

    moved = migrate(app, "--map", "fyll_i=fyll_i_nu")
    assert moved.exit_code == 0, moved.output
    assert [t.name for t in walk.tasks()] == ["fyll_i_nu"]
