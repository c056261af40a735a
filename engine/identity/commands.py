"""Administrators' commands: users, API tokens, the audit export, and the demo users."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask

from ..store.identity import HUVUDMAN_KINDS, ROLES


def register_identity_commands(app: Flask) -> None:
    @app.cli.group("users")
    def users():
        """Users and their organisations."""

    @users.command("add")
    @click.option("--user", "username", required=True, help="The user name (HSA-id or the like).")
    @click.option("--name", help="The person's name.")
    @click.option("--organisation", required=True, help="The organisation's name, as case data names it.")
    @click.option("--kind", type=click.Choice(HUVUDMAN_KINDS), help="The organisation's huvudman kind.")
    @click.option("--region", help="The organisation's region.")
    @click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), default=["staff"], show_default=True)
    @click.option("--email", help="Where the user's notifications go (they can change it under Inställningar).")
    def add_user(username, name, organisation, kind, region, roles, email):
        """Add or update a user (and the organisation, given its kind and region)."""
        import sqlalchemy as sa

        from ..database import db
        from ..store import Organisation
        from .tokens import ensure_organisation, ensure_user

        org = db.session.scalars(sa.select(Organisation).where(Organisation.name == organisation)).first()
        if kind and region:
            org = ensure_organisation(organisation, kind, region)
        if org is None:
            raise click.UsageError("Unknown organisation: give --kind and --region to register it")
        user = ensure_user(username, name, org, list(roles))
        if email:
            user.email = email
        db.session.commit()
        click.echo(f"user {username} of {organisation}: {', '.join(roles)}")

    @users.command("revoke")
    @click.option("--user", "username", required=True)
    def revoke_user_command(username):
        """Revoke a user: no more sign-in, with any token or through OpenID Connect."""
        from ..database import db
        from .tokens import revoke_user

        revoke_user(username)
        db.session.commit()
        click.echo(f"user {username} revoked")

    @app.cli.group("tokens")
    def tokens():
        """API tokens (stored hashed; shown once)."""

    @tokens.command("issue")
    @click.option("--user", "username", required=True)
    @click.option("--label", help="What the token is for.")
    def issue(username, label):
        """Issue a token for a user; it is printed once and stored only as its SHA-256."""
        from ..database import db
        from .tokens import issue_token

        token = issue_token(username, label)
        db.session.commit()
        click.echo(token)

    @tokens.command("revoke")
    @click.option("--user", "username", required=True)
    def revoke(username):
        """Revoke every token of a user."""
        from ..database import db
        from .tokens import revoke_tokens

        count = revoke_tokens(username)
        db.session.commit()
        click.echo(f"revoked {count} token(s) of {username}")

    @app.cli.group("audit")
    def audit_group():
        """The audit trail."""

    @audit_group.command("export")
    @click.option("--case", "case_id", help="The audit trail of one case.")
    @click.option("--personal-number", help="The audit trail of one person: every case of theirs, every lookup.")
    @click.option("--output", type=click.Path(dir_okay=False, writable=True), help="A file (default: stdout).")
    def export(case_id, personal_number, output):
        """Export an audit trail as CSV, for a log review."""
        from .. import audit
        from ..people.personal_number import InvalidPersonalNumber, parse_personal_number
        from ..privacy import number_hash

        if bool(case_id) == bool(personal_number):
            raise click.UsageError("Give either --case or --personal-number")
        subject = None
        if personal_number:
            try:
                subject = number_hash(parse_personal_number(personal_number).number)
            except InvalidPersonalNumber as err:
                raise click.UsageError(f"not a valid personnummer or samordningsnummer: {err}") from err
        events = audit.events_for(case_id=case_id, subject_hash=subject)
        text = audit.to_csv(events)
        audit.record_now("export_audit", None, user="cli", case_id=case_id, subject_hash=subject,
                         detail={"rows": len(events)})
        if output:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        else:
            sys.stdout.write(text)

    @app.cli.command("demo")
    def demo():
        """Load demo organisations and users of the four seed regions; print them with fresh tokens as JSON."""
        from .demo import load_demo

        people = load_demo()
        click.echo(json.dumps({"users": people}, ensure_ascii=False, indent=2))
