"""outbox bodies: rendered reminder texts shared by outbox rows (the row refers, it does not copy)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_bodies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_bodies")),
        sa.UniqueConstraint("digest", name=op.f("uq_outbox_bodies_digest")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_body_id"), ["body_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_body_id_outbox_bodies"), "outbox_bodies", ["body_id"], ["id"], ondelete="RESTRICT"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_body_id_outbox_bodies"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_body_id"))
        batch_op.drop_column("body_id")
    op.drop_table("outbox_bodies")
