"""Commands about running cases: ``flask --app engine cases migrate`` moves a region's cases to another version of
its routine, printing a line per case and a summary."""

from __future__ import annotations

import click
from flask import Flask


def parse_mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    """`old=new` pairs as a mapping of element ids; a malformed pair is a usage error naming it."""
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(f"{pair!r} is not old_id=new_id", param_hint="--map")
        mapping[old.strip()] = new.strip()
    return mapping


def case_line(verdict) -> str:
    """One case of a run: moved, would move, or why not."""
    if verdict.moved:
        state = "moved"
    elif verdict.can_move:
        state = "can move"
    else:
        state = "CANNOT move: " + "; ".join(
            (f"[{r['element']}] " if r["element"] else "") + r["message"] for r in verdict.reasons)
    retimed = f" (timers recalculated: {', '.join(verdict.retimed)})" if verdict.retimed and verdict.can_move else ""
    return f"  {verdict.case_id} v{verdict.from_version}: {state}{retimed}"


def register_case_commands(app: Flask) -> None:
    @app.cli.group("cases")
    def cases_group():
        """Running cases."""

    @cases_group.command("migrate")
    @click.option("--region", required=True, help="The region whose cases move.")
    @click.option("--from-version", type=int, default=None, help="Only the region's active cases on this version.")
    @click.option("--to-version", type=int, default=None, help="The version to move to (default: the latest).")
    @click.option("--case", "case_ids", multiple=True, help="Only this case (repeat for several).")
    @click.option("--map", "pairs", multiple=True, help="An element renamed in the new version: old_id=new_id.")
    @click.option("--dry-run", is_flag=True, help="Only report what would happen; store nothing of the cases.")
    @click.option("--by", default=None, help="Who moves the cases, for their history (default: the current user).")
    def migrate_command(region, from_version, to_version, case_ids, pairs, dry_run, by):
        """Move running cases of REGION to another version of its routine, each case in a transaction of its own;
        a case that cannot move is reported with the reasons and stays as it was. Exits 1 if any could not."""
        from .cli import _default_deployer
        from .services import case_migration as service
        from .services.errors import ServiceError

        request = service.Request(region=region, from_version=from_version, case_ids=list(case_ids) or None,
                                  to_version=to_version, mapping=parse_mapping(pairs))
        try:
            run = service.migrate(request, dry_run=dry_run, actor=by or _default_deployer(),
                                  progress=lambda verdict: click.echo(case_line(verdict)))
        except ServiceError as err:
            click.echo(f"error: {err.detail}", err=True)
            for found in err.extra.get("errors") or []:
                click.echo(f"  {found['field']}: {found['message']}", err=True)
            click.get_current_context().exit(2)
        verb = "would move" if dry_run else "moved"
        moved = run.total - run.refused if dry_run else run.moved
        click.echo(f"{region}: {run.total} case(s) to version {run.to_version}: {moved} {verb}, "
                   f"{run.refused} cannot move (run {run.id})")
        if run.refused:
            click.get_current_context().exit(1)
