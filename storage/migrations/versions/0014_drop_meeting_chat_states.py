"""drop meeting_chat_states: the meeting conversation keeps its place in the conversation state now

Since the meeting conversation became a flow of the engine (issue 16), where a person is in it lives in
the same conversation state as the registration (`MeetingPending`); nothing reads or writes this table.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 03:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("meeting_chat_states")


def downgrade() -> None:
    op.create_table(
        "meeting_chat_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_meeting_chat_states_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_chat_states")),
        sa.UniqueConstraint("person_id", name=op.f("uq_meeting_chat_states_person_id")),
    )
