"""privacy: audit every change (who as it was, what, about whom), append-only on PostgreSQL

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION maalbot_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('maalbot.audit_maintenance', true), '') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("registration_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("institution_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("subject_person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("action", sa.String(length=30), nullable=False, server_default="answer"))
        batch_op.create_index(batch_op.f("ix_audit_log_institution_id"), ["institution_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_subject_person_id"), ["subject_person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
    # the names as they were, and the institutions, for the entries written before this revision
    op.execute(
        "UPDATE audit_log SET actor_name = (SELECT name FROM people WHERE people.id = audit_log.person_id), "
        "institution_id = (SELECT institution_id FROM registrations WHERE registrations.id = audit_log.registration_id)"
    )
    op.execute("UPDATE audit_log SET action = 'status' WHERE field = 'status'")
    op.execute("UPDATE audit_log SET action = 'ready' WHERE field = 'ready for chair'")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION maalbot_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS maalbot_audit_append_only()")
    op.execute("DELETE FROM audit_log WHERE registration_id IS NULL")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
        batch_op.drop_index(batch_op.f("ix_audit_log_subject_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_institution_id"))
        batch_op.drop_column("action")
        batch_op.drop_column("subject_person_id")
        batch_op.drop_column("actor_name")
        batch_op.drop_column("institution_id")
        batch_op.alter_column("registration_id", existing_type=sa.Integer(), nullable=False)
