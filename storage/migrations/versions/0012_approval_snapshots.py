"""approval snapshots: the content as sent in and as sent back, and the «changed after submit» mark

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approval_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_approval_snapshots_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_snapshots")),
        sa.UniqueConstraint("registration_id", "kind", name=op.f("uq_approval_snapshots_registration_id")),
    )
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.add_column(sa.Column("changed_after_submit", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.drop_column("changed_after_submit")
    op.drop_table("approval_snapshots")
