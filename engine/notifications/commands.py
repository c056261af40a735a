"""The command `flask --app engine notify`: the sender, as a loop beside the timer worker (or once, for cron and
tests)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask


def register_notification_commands(app: Flask) -> None:
    @app.cli.command("notify")
    @click.option("--once", is_flag=True, help="Run one sweep (until nothing is due) and exit.")
    @click.option("--interval", default=10.0, show_default=True, help="Seconds between sweeps.")
    @click.option("--batch", default=50, show_default=True, help="Deliveries claimed at a time.")
    @click.option("--lease", default=120.0, show_default=True,
                  help="Seconds a claim holds: after that, a delivery a dead sender claimed is due again.")
    @click.option("--digest-now", is_flag=True, help="Send the waiting daily digests now, not at the digest hour.")
    def notify_command(once, interval, batch, lease, digest_now):
        """Deliver notifications: e-mails (with meeting invitations) and webhooks, each once, retrying with
        backoff. SIGTERM or SIGINT stops the sender after the sweep it is in."""
        from ..cli import stopped_by_signals
        from ..database import database_unavailable, db
        from .sender import sweep

        held = timedelta(seconds=lease)
        if once:
            click.echo(f"notifications: {sweep(batch, held, digest_now)}")
            return
        with stopped_by_signals() as stopping:
            while not stopping.is_set():
                try:
                    outcome = sweep(batch, held, digest_now)
                except Exception as err:
                    if not database_unavailable(err):
                        raise
                    db.session.remove()
                    click.echo(f"the database cannot be reached; trying again in {interval:g} s: {err}", err=True)
                    stopping.wait(interval)
                    continue
                click.echo(f"notifications: {outcome}")
                stopping.wait(interval)
        click.echo("stopped")
