"""Commands: ``flask --app engine init`` creates or upgrades the database and deploys the base routine and
the regions' variants; ``processes validate`` and ``processes deploy`` check and deploy process files."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import upgrade


def initialise_database():
    """Bring the database schema up to date and deploy the base routine (checked like every deployment)
    if its files changed. Returns the base's definition and whether it is new."""
    from .services.deployments import deploy_path
    from .services.process_sets import BASE_REGION

    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
    result = deploy_path(current_app.config["PROCESSES_DIR"], BASE_REGION, deployed_by="init", replace=True,
                         source="init")
    return result.definition, result.changed


def region_folders() -> list[Path]:
    """The regions' variant folders: processes/regions/<region id>/."""
    root = Path(current_app.config["PROCESSES_DIR"]) / "regions"
    return sorted(p for p in root.glob("*") if p.is_dir()) if root.is_dir() else []


def initialise_regions(echo=click.echo) -> bool:
    """Deploy every region's variant folder (the folder is the region's whole variant); True if all went."""
    from .deployment.files import read_path
    from .services.deployments import deploy_path
    from .services.errors import ServiceError

    ok = True
    for folder in region_folders():
        region = folder.name
        if not read_path(folder):
            echo(f"region {region}: no files yet, runs the base")
            continue
        try:
            result = deploy_path(folder, region, deployed_by="init", replace=True, source="init")
        except ServiceError as err:
            ok = False
            echo(f"region {region}: NOT deployed: {err.detail}", err=True)
            for found in err.extra.get("problems") or []:
                echo("  " + format_problem(found), err=True)
            continue
        state = "deployed" if result.changed else "unchanged"
        echo(f"region {region}: {result.key} v{result.version} {state}")
    return ok


def format_problem(found: dict) -> str:
    where = found.get("file") or "(process set)"
    if found.get("line"):
        where += f":{found['line']}"
    if found.get("element"):
        where += f" [{found['element']}]"
    return f"{where}: {found.get('message')}"


def run_deployment(path: str, region: str, dry_run: bool, replace: bool, deployed_by: str | None,
                   comment: str | None = None) -> None:
    """Validate (and unless `dry_run` deploy) PATH, one progress line per file, then a summary; exits
    non-zero listing every problem when it fails."""
    from .services.deployments import DeploymentRefused, deploy_path
    from .services.errors import ServiceError

    ctx = click.get_current_context()
    try:
        result = deploy_path(path, region, deployed_by=deployed_by, dry_run=dry_run, replace=replace,
                             comment=comment)
    except FileNotFoundError as err:
        click.echo(f"error: {err}", err=True)
        ctx.exit(2)
    except DeploymentRefused as err:
        result = err.result
    except ServiceError as err:
        click.echo(f"error: {err.detail}", err=True)
        for found in err.extra.get("problems") or []:
            click.echo("  " + format_problem(found), err=True)
        ctx.exit(1)
    for line in result.file_reports():
        if line["source"] != "upload" and not line["problems"]:
            continue
        state = "ok" if not line["problems"] else f"FAILED ({line['problems']} problem(s))"
        source = "" if line["source"] == "upload" else f" (from the {line['source']})"
        click.echo(f"  {line['path']}{source}: {state}")
    set_problems = [p for p in result.problems if not p.get("file")]
    if set_problems:
        click.echo(f"  (process set): FAILED ({len(set_problems)} problem(s))")
    if not result.valid:
        click.echo(f"{len(result.problems)} problem(s); nothing was deployed:", err=True)
        for found in result.problems:
            click.echo("  " + format_problem(found), err=True)
        ctx.exit(1)
    summary = f"{region}: {len(result.uploaded)} file(s) valid, {len(result.merged)} in the merged set; "
    if dry_run:
        summary += (f"would deploy {result.key} v{result.version}" if result.changed
                    else f"unchanged, {result.key} v{result.version} stays")
    else:
        summary += (f"deployed {result.key} v{result.version}" if result.changed
                    else f"unchanged, nothing new deployed ({result.key} v{result.version})")
    click.echo(summary)


def _default_deployer() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def register_commands(app: Flask) -> None:
    from .case_commands import register_case_commands
    from .identity.commands import register_identity_commands
    from .notifications.commands import register_notification_commands

    register_case_commands(app)
    register_identity_commands(app)
    register_notification_commands(app)

    @app.cli.command("init")
    def init_command():
        """Create or upgrade the database, deploy the base SIP routine and every region's variant."""
        definition, created = initialise_database()
        state = "deployed" if created else "unchanged"
        click.echo(f"database ready; base routine {definition.key} v{definition.version} {state}")
        if not initialise_regions():
            click.get_current_context().exit(1)

    @app.cli.group("processes")
    def processes_group():
        """Validate and deploy BPMN, DMN and form files."""

    @processes_group.command("validate")
    @click.argument("path", type=click.Path(exists=True))
    @click.option("--region", default="base", show_default=True,
                  help="Validate as a deployment to this region (merged with its earlier overrides).")
    def validate_command(path, region):
        """Check PATH (a folder with bpmn/, dmn/, forms/ or a single file) laid over the base; stores nothing."""
        run_deployment(path, region, dry_run=True, replace=False, deployed_by=None)

    @processes_group.command("deploy")
    @click.argument("path", type=click.Path(exists=True))
    @click.option("--region", required=True, help="The region id (lower-case a-z, 0-9, _), or base.")
    @click.option("--replace", is_flag=True, help="PATH is the region's whole variant: drop earlier overrides.")
    @click.option("--dry-run", is_flag=True, help="Only validate and report.")
    @click.option("--deployed-by", default=None, help="Who deploys (default: the current user).")
    @click.option("--comment", default=None, help="Why: shown in the region's version history.")
    def deploy_command(path, region, replace, dry_run, deployed_by, comment):
        """Deploy PATH (a folder with bpmn/, dmn/, forms/ or a single file) to a region."""
        run_deployment(path, region, dry_run=dry_run, replace=replace, deployed_by=deployed_by or _default_deployer(),
                       comment=comment)

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Run one sweep and exit (for cron and tests).")
    @click.option("--interval", default=30.0, show_default=True, help="Seconds between sweeps.")
    @click.option("--batch", default=100, show_default=True, help="Most cases fired per sweep.")
    def worker_command(once, interval, batch):
        """Fire due timers: follow-up dates, deadlines and other BPMN timer events; and carry on the case
        migration runs whose process stopped (their heartbeat stale, or released), one at a time beside the sweeps.
        SIGTERM or SIGINT stops the worker after the sweep it is in (`docker stop`, a deployment's restart); a run it
        is carrying on stops after the case it is moving and is released, for another process to take over at
        once."""
        from .database import database_unavailable, db
        from .notifications.outbox import sweep_deadlines
        from .services import case_migration
        from .services.cases import fire_due_timers

        if once:
            fired = fire_due_timers(limit=batch)
            click.echo(f"fired timers of {len(fired)} case(s); {sweep_deadlines()} deadline notice(s)")
            with stopped_by_signals(case_migration.leaving) as stopping:
                while not stopping.is_set() and (taken := case_migration.take_over_stale(lambda work: work())):
                    click.echo(f"carried on migration run {taken[0]}, which had stopped")
                    if taken[1].status == "released":
                        click.echo(f"released migration run {taken[0]} after the case it was moving")
            return
        carrying = None  # the thread carrying on a migration run, one at a time
        with stopped_by_signals(case_migration.leaving) as stopping:
            while not stopping.is_set():
                try:
                    fired = fire_due_timers(limit=batch)
                    notices = sweep_deadlines()
                    if carrying is None or not carrying.is_alive():
                        taken = case_migration.take_over_stale(case_migration.in_thread)
                        carrying = taken[1] if taken else None
                        if taken:
                            click.echo(f"carrying on migration run {taken[0]}, which had stopped")
                except Exception as err:
                    # The database restarts or cannot be reached: what the sweep fired was committed, the rest is
                    # still due; the next sweep fires it once the database answers again.
                    if not database_unavailable(err):
                        raise
                    db.session.remove()
                    click.echo(f"the database cannot be reached; trying again in {interval:g} s: {err}", err=True)
                    stopping.wait(interval)
                    continue
                click.echo(f"fired timers of {len(fired)} case(s); {notices} deadline notice(s)")
                if len(fired) < batch:
                    stopping.wait(interval)
            if carrying is not None and carrying.is_alive():
                click.echo("releasing the migration run it carries on after the case it is moving")
                case_migration.leave()
        click.echo("stopped")


@contextmanager
def stopped_by_signals(stopping: threading.Event | None = None):
    """An event (`stopping`, or a new one) that SIGTERM and SIGINT set, instead of ending the process wherever it
    is; the signals' earlier handlers come back on the way out. As a container's first process, a command that does
    not handle SIGTERM does not see it at all, and is killed only when `docker stop` gives up waiting."""
    stopping = stopping if stopping is not None else threading.Event()
    numbers = (signal.SIGTERM, signal.SIGINT)
    earlier = {number: signal.signal(number, lambda *_: stopping.set()) for number in numbers}
    try:
        yield stopping
    finally:
        for number, handler in earlier.items():
            signal.signal(number, handler)
