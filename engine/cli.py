"""Commands: ``flask --app engine init`` creates or upgrades the database and deploys the base routine."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_migrate import upgrade


def initialise_database():
    """Bring the database schema up to date and deploy the base routine if its files changed."""
    from .services.process_sets import BASE_REGION, deploy, read_process_folder

    upgrade(directory=current_app.extensions["migrate"].directory)
    files = read_process_folder(current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])
    definition, created = deploy(files, region=BASE_REGION, deployed_by="init")
    return definition, created


def register_commands(app: Flask) -> None:
    @app.cli.command("init")
    def init_command():
        """Create or upgrade the database and deploy the base SIP routine."""
        definition, created = initialise_database()
        state = "deployed" if created else "unchanged"
        click.echo(f"database ready; base routine {definition.key} v{definition.version} {state}")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Run one sweep and exit (for cron and tests).")
    @click.option("--interval", default=30.0, show_default=True, help="Seconds between sweeps.")
    @click.option("--batch", default=100, show_default=True, help="Most cases fired per sweep.")
    def worker_command(once, interval, batch):
        """Fire due timers: follow-up dates, deadlines and other BPMN timer events."""
        import time

        from .services.cases import fire_due_timers

        while True:
            fired = fire_due_timers(limit=batch)
            click.echo(f"fired timers of {len(fired)} case(s)")
            if once:
                return
            if len(fired) < batch:
                time.sleep(interval)
