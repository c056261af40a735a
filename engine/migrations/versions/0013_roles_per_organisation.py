"""roles per organisation: a role is given to a user for one organisation (and so its region), and holds only
while the user acts for it; the roles a user held move to the organisation they belong to now

Revision ID: 0013
Revises: 0012
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ROLES = ("staff", "process_owner", "admin")


def _listed(value) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [role for role in value or [] if role in ROLES]


def upgrade():
    user_roles = op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"],
                                name=op.f("fk_user_roles_organisation_id_organisations")),
        sa.PrimaryKeyConstraint("user_id", "organisation_id", "role", name=op.f("pk_user_roles")),
    )
    conn = op.get_bind()
    users = conn.execute(sa.text("SELECT id, organisation_id, roles FROM users WHERE organisation_id IS NOT NULL"))
    rows = [{"user_id": user_id, "organisation_id": organisation_id, "role": role}
            for user_id, organisation_id, roles in users for role in sorted(set(_listed(roles)))]
    if rows:
        op.bulk_insert(user_roles, rows)
    # Not a batch (copy and rename) on SQLite: dropping the old users table would break the rows that refer to it.
    op.execute("ALTER TABLE users DROP COLUMN roles")


def downgrade():
    op.add_column("users", sa.Column("roles", sa.JSON(), nullable=False, server_default="[]"))
    conn = op.get_bind()
    held: dict[int, list[str]] = {}
    for user_id, role in conn.execute(sa.text(
            "SELECT r.user_id, r.role FROM user_roles r JOIN users u ON u.id = r.user_id "
            "AND u.organisation_id = r.organisation_id")):
        held.setdefault(user_id, []).append(role)
    for (user_id,) in conn.execute(sa.text("SELECT id FROM users")).all():
        roles = [role for role in ROLES if role in held.get(user_id, [])]
        conn.execute(sa.text("UPDATE users SET roles = :roles WHERE id = :id"),
                     {"roles": json.dumps(roles), "id": user_id})
    op.drop_table("user_roles")
