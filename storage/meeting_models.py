"""Tables of the meeting cycle (seeds 001 and 004): meetings, who takes part, the prepared answers,
agenda points, agreements and the meeting conversation's state. On the same declarative `Base` as
`storage.models` (which imports this module at its end, so the metadata always holds these tables)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


class ParticipantRole(StrEnum):
    PREPARER = "preparer"  # answers the template's questions before the meeting (and attends)
    ATTENDEE = "attendee"


class AgreementStatus(StrEnum):
    OPEN = "open"
    KEPT = "kept"  # «Er aftalen holdt?» – ja
    PARTLY = "partly"
    NOT_KEPT = "not_kept"


class Meeting(Base):
    """One planned meeting of a template: about an institution (dialogue), an area (area meeting) or the
    whole municipality (cross-area meeting)."""

    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_held_on", "held_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    template_key: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # MeetingKind, copied so reads need no template
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str | None] = mapped_column(String(5))  # "09:00", local time
    status: Mapped[str] = mapped_column(String(20), default=MeetingStatus.PLANNED.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    participants: Mapped[list[MeetingParticipant]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingParticipant.id"
    )


class MeetingParticipant(Base):
    __tablename__ = "meeting_participants"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # ParticipantRole
    meeting: Mapped[Meeting] = relationship(back_populates="participants")


class MeetingAnswer(Base):
    """A prepared answer to one of the template's questions (`joint_results:1`: per joint intervention)."""

    __tablename__ = "meeting_answers"
    __table_args__ = (UniqueConstraint("meeting_id", "question_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AgendaPoint(Base):
    __tablename__ = "meeting_agenda_points"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Agreement(Base):
    """An agreement (aftale) made at a meeting: what, who owns it, by when; and whether it was kept."""

    __tablename__ = "agreements"
    __table_args__ = (Index("ix_agreements_status_due_on", "status", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=AgreementStatus.OPEN.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followed_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    follow_up_text: Mapped[str | None] = mapped_column(Text)
