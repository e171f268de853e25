"""SQLAlchemy models. Times are stored as UTC; see `storage.types.UTCDateTime`."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class InstitutionKind(StrEnum):
    DAGTILBUD = "dagtilbud"
    SKOLE = "skole"


class Role(StrEnum):
    MEMBER = "member"  # board member (bestyrelsesmedlem)
    CHAIR = "chair"  # formand
    LEADER = "leader"  # leader of one institution
    AREA_LEADER = "area_leader"
    ADMIN = "admin"  # forvaltningen


class RegistrationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Area(Base):
    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)  # casefolded name
    institutions: Mapped[list[Institution]] = relationship(back_populates="area")
    channels: Mapped[list[AreaChannel]] = relationship(
        order_by="AreaChannel.platform", cascade="all, delete-orphan", lazy="selectin"
    )

    def channel_map(self) -> dict[str, str]:
        """Platform -> channel where the area reads (its digest, submit summaries)."""
        return {c.platform: c.channel for c in self.channels}


class AreaChannel(Base):
    """Where an area reads on one platform: a Slack channel id or name, a Teams channel id. A row per
    platform, so a new platform needs no new column."""

    __tablename__ = "area_channels"
    __table_args__ = (UniqueConstraint("area_id", "platform"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(500))


class Institution(Base):
    __tablename__ = "institutions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), unique=True)  # casefolded name
    kind: Mapped[str] = mapped_column(String(20))  # InstitutionKind
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), index=True)
    area: Mapped[Area] = relationship(back_populates="institutions")


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)  # casefolded email
    locale: Mapped[str | None] = mapped_column(String(8))  # None: the municipality's default


class Identity(Base):
    """A person's user id on one platform (slack, teams, console)."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "user_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_key: Mapped[str] = mapped_column(String(320))


class Membership(Base):
    """A role: member/chair/leader of an institution, area_leader of an area, or admin (neither)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("person_id", "role", "institution_id", "area_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # Role
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)


class Strategy(Base):
    __tablename__ = "strategies"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)  # the validated YAML, as loaded
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    goals: Mapped[list[StrategicGoal]] = relationship(
        back_populates="strategy", order_by="StrategicGoal.number", cascade="all, delete-orphan"
    )


class StrategicGoal(Base):
    __tablename__ = "strategic_goals"
    __table_args__ = (UniqueConstraint("strategy_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    strategy: Mapped[Strategy] = relationship(back_populates="goals")


class Registration(Base):
    """One institution's answers for one strategy; the board's shared draft."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("institution_id", "strategy_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategies.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.DRAFT.value)
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every content change
    ready_for_chair: Mapped[bool] = mapped_column(default=False)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # approval (storage/approval.py): a board member changed it after it was sent in; cleared when sent in again
    changed_after_submit: Mapped[bool] = mapped_column(default=False, server_default=false())
    submitted_by: Mapped[Person | None] = relationship(viewonly=True, lazy="raise")  # loaded on demand
    local_goals: Mapped[list[LocalGoal]] = relationship(
        back_populates="registration",
        order_by="(LocalGoal.goal_number, LocalGoal.position)",
        cascade="all, delete-orphan",
    )


class LocalGoal(Base):
    """A board's local goal under one strategic goal. `text` answers the strategy's first question;
    other text and choice answers live in `answers` by question key."""

    __tablename__ = "local_goals"
    __table_args__ = (UniqueConstraint("registration_id", "goal_number", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    goal_number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)  # 1-based within the strategic goal
    text: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    registration: Mapped[Registration] = relationship(back_populates="local_goals")
    updated_by: Mapped[Person | None] = relationship(foreign_keys=[updated_by_id], viewonly=True, lazy="raise")
    interventions: Mapped[list[Intervention]] = relationship(
        order_by="(Intervention.question_key, Intervention.position)", cascade="all, delete-orphan"
    )
    measurements: Mapped[list[Measurement]] = relationship(cascade="all, delete-orphan")


class Intervention(Base):
    """One item of a `list` question (the default strategy's "Beskrivelse af indsatser")."""

    __tablename__ = "interventions"
    id: Mapped[int] = mapped_column(primary_key=True)
    local_goal_id: Mapped[int] = mapped_column(ForeignKey("local_goals.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Measurement(Base):
    """The answer to a `measurement` question: how (method) and when (text and parsed dates)."""

    __tablename__ = "measurements"
    __table_args__ = (UniqueConstraint("local_goal_id", "question_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    local_goal_id: Mapped[int] = mapped_column(ForeignKey("local_goals.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(Text)
    when_text: Mapped[str] = mapped_column(Text, default="")
    dates: Mapped[list[Any]] = mapped_column(JSON, default=list)  # ISO dates, confirmed by the board


class ConversationState(Base):
    """Where one person is in the conversation on one platform (JSON owned by dialogs/)."""

    __tablename__ = "conversation_states"
    __table_args__ = (UniqueConstraint("person_id", "platform"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditAction(StrEnum):
    ANSWER = "answer"  # registration content (field, before, after)
    STATUS = "status"  # submitted, approved, returned, reopened
    READY = "ready"  # the board told the chair it is ready
    FOLLOW_UP = "follow_up"
    PAUSE = "pause"
    IMPORT = "import"
    ROLE = "role"  # a role added or removed
    PERSON = "person"  # a person removed
    ERASURE = "erasure"


class AuditEntry(Base):
    """Append-only: every change (who, what, when, before, after).

    `actor_name` is the name of who did it as it was then (kept when the person is later removed;
    replaced by a pseudonym only by an erasure). `subject_person_id` is whom the entry is about
    (a role change, a removal, an erasure). Registration content changes carry the registration and
    its version; other entries carry the institution where there is one. On PostgreSQL a trigger
    refuses UPDATE and DELETE unless the transaction set `maalbot.audit_maintenance` (purge, erasure
    and removal do, see `storage.audit.allow_maintenance`)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int | None] = mapped_column(Integer, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    subject_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(30), default=AuditAction.ANSWER.value)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the registration's version after the change
    goal_number: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(300))  # e.g. "goal 1/local goal 2/interventions"
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class Notice(Base):
    """A message for a person that the bot could not say in the conversation at hand
    (e.g. "the board is ready for you" to the chair). Channels deliver them; the console shows
    them on the person's next message."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rendered in the reader's locale
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # being sent (delivered once accepted)


class ProcessedEvent(Base):
    """A platform event or activity already handled (Slack event_id, Teams activity id): retries and
    redeliveries are recognised here, also after a restart."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class InboxStatus(StrEnum):
    PENDING = "pending"  # acknowledged to the platform, the turn not done yet (replayed on start)
    DONE = "done"  # the turn committed: answers, state and replies (as outbox rows) are stored
    FAILED = "failed"  # given up (the person was told it was not saved); never replayed


class InboxItem(Base):
    """A platform request converted to a neutral job, stored BEFORE the platform is acknowledged.

    Unique on the platform's delivery key (Slack event_id / interaction / command trigger, Teams
    conversation id + activity id): a redelivery finds the row. Once done, the payload keeps only what
    is not personal text (data minimisation): key, status and times remain."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "delivery_key"),
        Index("ix_inbox_status_user", "status", "platform", "user_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    delivery_key: Mapped[str] = mapped_column(String(300))
    user_key: Mapped[str] = mapped_column(String(320))  # the platform user id: turns run in order per user
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the job (see dialogs.turns.Job)
    status: Mapped[str] = mapped_column(String(20), default=InboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConversationRef(Base):
    """Where the bot can write first: a person's personal chat or a channel, as the platform's JSON
    (a Teams conversation reference, a Slack channel id). `usable` turns false on 403/404."""

    __tablename__ = "conversation_refs"
    __table_args__ = (UniqueConstraint("platform", "conversation_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    conversation_key: Mapped[str] = mapped_column(String(500))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # personal | channel | group
    reference: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    usable: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # due (or waiting for a retry), not taken by any scheduler
    CLAIMED = "claimed"  # taken by `claimed_by`; being sent
    SENT = "sent"
    FAILED = "failed"  # a permanent failure, or transient failures until the retries ran out
    SKIPPED = "skipped"  # not sent on purpose: expired, paused, or no way to reach the recipient


class OutboxItem(Base):
    """A reminder that is due: what (rule), to whom (recipient), for which period. The unique key makes
    planning idempotent, so a restart or a second instance never produces the same message twice."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("rule", "recipient", "period"),
        Index("ix_outbox_status_due_at", "status", "due_at"),  # what every tick's claim looks for
        Index("ix_outbox_rule_period", "rule", "period"),  # which keys of this round exist (a tick's planning)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(50))  # digest | nudge | escalation | overdue | followup | ...
    recipient: Mapped[str] = mapped_column(String(200))  # "person:12" | "area:3:slack"
    period: Mapped[str] = mapped_column(String(200))  # "2026-W10" | "deadline:2026-12-01:-14" | ...
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # destination, rendered replies, why
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # not sent after this: skipped
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the shared rendered replies (issue 18); the payload then holds only this row's own part
    body_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_bodies.id", ondelete="RESTRICT"), index=True)


# -- issue 18: rendered texts shared by outbox rows (storage/outbox_bodies.py) ---------------------------


class OutboxBody(Base):
    """Rendered replies that many outbox rows share (the same nudge to six members of a board), stored
    once and keyed by a digest of their content; a row refers to one by `OutboxItem.body_id`."""

    __tablename__ = "outbox_bodies"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the replies (outbox_bodies.digest)
    replies: Mapped[list[Any]] = mapped_column(JSON, default=list)  # reply_to_json dicts, with placeholders
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # touched when written again


# -- end of issue 18's table -----------------------------------------------------------------------------


class FollowUpAnswerKind(StrEnum):
    ON_TRACK = "on_track"  # på sporet
    PARTLY = "partly"  # delvist
    OFF_TRACK = "off_track"  # ikke på sporet


class FollowUp(Base):
    """A measurement date of a local goal: when the board was asked, and what it answered.

    `answer` set with `answered_at` empty means the person in `answered_by_id` picked an answer and
    the bot is waiting for their few words about what the measurement showed."""

    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("local_goal_id", "measurement_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    local_goal_id: Mapped[int] = mapped_column(ForeignKey("local_goals.id", ondelete="CASCADE"), index=True)
    measurement_date: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(String(20))  # FollowUpAnswerKind
    text: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReminderPause(Base):
    """A person said "pause until DATE": no reminders reach them before `until` (a row, not a column on
    `people`, so older revisions' code that writes people keeps working)."""

    __tablename__ = "reminder_pauses"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TeamInstallation(Base):
    """A Teams team the bot is installed in: where its roster is read (`team_id`) and the reference the
    bot continues to read it proactively (service address, tenant, the bot's own account)."""

    __tablename__ = "team_installations"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(500), unique=True)
    tenant_id: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last complete roster read
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TeamMember(Base):
    """A person of the organisation file found in a team's roster (by email or UPN): what the bot needs
    to open a personal chat with them. People who are not in the organisation file are not stored."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("installation_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    installation_id: Mapped[int] = mapped_column(ForeignKey("team_installations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(320), index=True)  # the Teams user id, "29:…"
    aad_object_id: Mapped[str | None] = mapped_column(String(100))
    tenant_id: Mapped[str | None] = mapped_column(String(200))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # first found in this team


# -- the web chat (bot/webchat): sessions, one-time sign-in links, the conversation as shown ---------------


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebSignIn(Base):
    """A sign-in link that has been used (its nonce): a link works once."""

    __tablename__ = "web_sign_ins"
    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebMessage(Base):
    """One message of a person's web chat, as the page shows it: the person's own ("in", written when
    the inbox accepted it) and the bot's replies ("out", written by the deliverer from the outbox)."""

    __tablename__ = "web_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {"text"} or {"reply": reply_to_json}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChannelPreference(Base):
    """Where a person wants to be written to first (reminders): the platform they last used, or the
    one the organisation file sets (`source` "org" is not overwritten by use)."""

    __tablename__ = "channel_preferences"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(10), default="used")  # used | org
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- approval with eyes open (storage/snapshots.py, storage/approval.py) ----------------------------------


class ApprovalSnapshot(Base):
    """A registration's content as it was sent in («submitted») or sent back («returned»), the latest of
    each kind: what a resubmission is compared with. `content` is `storage.snapshots.Content`."""

    __tablename__ = "approval_snapshots"
    __table_args__ = (UniqueConstraint("registration_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # submitted | returned
    content: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=0)  # the registration's version when it was taken
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The meeting cycle's tables live in their own module on the same Base (imported last: it needs Base).
import storage.meeting_models  # noqa: E402, F401
