"""area channels: a row per (area, platform) instead of a column per platform

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 19:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLATFORMS = (("slack", "slack_channel"), ("teams", "teams_channel"))  # the columns this revision replaces


def upgrade() -> None:
    op.create_table(
        "area_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_area_channels_area_id_areas"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_channels")),
        sa.UniqueConstraint("area_id", "platform", name=op.f("uq_area_channels_area_id")),
    )
    for platform, column in PLATFORMS:  # the existing channels are kept, as rows
        op.execute(
            sa.text(
                f"INSERT INTO area_channels (area_id, platform, channel) SELECT id, :platform, {column} "
                f"FROM areas WHERE {column} IS NOT NULL AND {column} <> ''"
            ).bindparams(platform=platform)
        )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_column("teams_channel")
        batch_op.drop_column("slack_channel")


def downgrade() -> None:
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slack_channel", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("teams_channel", sa.String(length=500), nullable=True))
    for platform, column in PLATFORMS:  # other platforms' channels have no column to go back to
        op.execute(
            sa.text(
                f"UPDATE areas SET {column} = (SELECT channel FROM area_channels "
                "WHERE area_channels.area_id = areas.id AND area_channels.platform = :platform)"
            ).bindparams(platform=platform)
        )
    op.drop_table("area_channels")
