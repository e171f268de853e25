"""Teams rosters: the teams the bot is installed in, and the people of the organisation file in them.

A roster member is stored only when their email or user principal name is in the organisation file;
for them the bot keeps what it needs to open a personal chat (the Teams user id, the tenant, and the
team's reference for the service address), and links the user id to the person (`Identity`), like
the person's first message would. When a person leaves the last team the bot knows them from, and
the bot never had a personal chat with them, that identity is forgotten again: they are then
unreachable until they write to the bot or join a team where it is installed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import people
from storage.conversation_refs import CHANNEL, PERSONAL, StoredRef
from storage.db import Database
from storage.models import ConversationRef, Identity, Person, TeamInstallation, TeamMember
from storage.types import utcnow

PLATFORM = "teams"  # rosters are a Teams thing; the functions still take the platform string
NOT_A_DELIVERY_PLATFORM = ("console",)  # an identity there reaches nobody (see bot.console)


@dataclass(frozen=True, slots=True)
class Installation:
    team_id: str
    tenant_id: str | None
    reference: dict[str, Any]
    refreshed_at: datetime | None


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One member as the roster reports them (nothing is stored for people outside the organisation)."""

    user_id: str
    emails: tuple[str, ...]  # email, then user principal name
    aad_object_id: str | None = None
    tenant_id: str | None = None


def _installation(row: TeamInstallation) -> Installation:
    return Installation(row.team_id, row.tenant_id, dict(row.reference), row.refreshed_at)


async def install(db: Database, team_id: str, tenant_id: str | None, reference: dict[str, Any]) -> bool:
    """Remember that the bot is in this team. True when the team was not known before."""
    async with db.transaction() as s:
        row = await s.scalar(select(TeamInstallation).where(TeamInstallation.team_id == team_id))
        if row is None:
            s.add(TeamInstallation(team_id=team_id, tenant_id=tenant_id, reference=reference))
            return True
        row.reference = reference
        row.tenant_id = tenant_id or row.tenant_id
        return False


async def installation(db: Database, team_id: str) -> Installation | None:
    async with db.transaction() as s:
        row = await s.scalar(select(TeamInstallation).where(TeamInstallation.team_id == team_id))
        return _installation(row) if row else None


async def installations(db: Database, *, refreshed_before: datetime | None = None) -> list[Installation]:
    """Every known team (or those whose last complete read is older than `refreshed_before`)."""
    query = select(TeamInstallation).order_by(TeamInstallation.id)
    if refreshed_before is not None:
        query = query.where(
            (TeamInstallation.refreshed_at.is_(None)) | (TeamInstallation.refreshed_at < refreshed_before)
        )
    async with db.transaction() as s:
        return [_installation(row) for row in await s.scalars(query)]


async def channel_references(db: Database, platform: str) -> list[tuple[str, dict[str, Any]]]:
    """Usable channel references (key, reference): the teams the bot met before it kept rosters."""
    async with db.transaction() as s:
        rows = await s.scalars(
            select(ConversationRef).where(
                ConversationRef.platform == platform, ConversationRef.kind == CHANNEL, ConversationRef.usable.is_(True)
            )
        )
        return [(row.conversation_key, dict(row.reference)) for row in rows]


async def _release(session: AsyncSession, platform: str, user_ids: Iterable[str]) -> list[str]:
    """Forget the identity of user ids that are in no known team any more and never had a personal chat.
    Returns the user ids whose identity was forgotten."""
    released: list[str] = []
    for user_id in sorted(set(user_ids)):
        if await session.scalar(select(exists().where(TeamMember.user_id == user_id))):
            continue
        identity = await session.scalar(
            select(Identity).where(Identity.platform == platform, Identity.user_key == user_id)
        )
        if identity is None:
            continue
        chatted = await session.scalar(
            select(
                exists().where(
                    ConversationRef.platform == platform,
                    ConversationRef.kind == PERSONAL,
                    ConversationRef.person_id == identity.person_id,
                )
            )
        )
        if not chatted:
            await session.delete(identity)
            released.append(user_id)
    return released


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


async def _store(
    session: AsyncSession, team: TeamInstallation, platform: str, entries: Sequence[RosterEntry]
) -> set[str]:
    """Store the entries that are people of the organisation, and link their user ids to them; returns
    their user ids. A few set-wise queries, not one per member: a team may have thousands."""
    keys = sorted({people.email_key(e) for entry in entries for e in entry.emails})
    by_email: dict[str, Person] = {}
    for chunk in _chunks(keys):
        by_email.update(
            {p.email_key: p for p in await session.scalars(select(Person).where(Person.email_key.in_(chunk)))}
        )
    matched: dict[str, tuple[RosterEntry, Person]] = {}
    for entry in entries:
        person = next((by_email[k] for k in map(people.email_key, entry.emails) if k in by_email), None)
        if person is not None:
            matched[entry.user_id] = (entry, person)
    known = {
        m.user_id: m for m in await session.scalars(select(TeamMember).where(TeamMember.installation_id == team.id))
    }
    linked: dict[str, Identity] = {}
    for chunk in _chunks(sorted(matched)):
        query = select(Identity).where(Identity.platform == platform, Identity.user_key.in_(chunk))
        linked.update({i.user_key: i for i in await session.scalars(query)})
    now = utcnow()
    new_members: list[dict[str, Any]] = []
    new_identities: list[dict[str, Any]] = []
    for user_id, (entry, person) in matched.items():
        tenant = entry.tenant_id or team.tenant_id
        row = known.get(user_id)
        if row is None:
            new_members.append(
                {
                    "installation_id": team.id,
                    "user_id": user_id,
                    "person_id": person.id,
                    "aad_object_id": entry.aad_object_id,
                    "tenant_id": tenant,
                    "seen_at": now,
                }
            )
        elif (row.person_id, row.aad_object_id, row.tenant_id) != (person.id, entry.aad_object_id, tenant):
            row.person_id, row.aad_object_id, row.tenant_id = person.id, entry.aad_object_id, tenant
        identity = linked.get(user_id)
        if identity is None:
            new_identities.append({"person_id": person.id, "platform": platform, "user_key": user_id})
        elif identity.person_id != person.id:
            identity.person_id = person.id
    await session.flush()
    if new_members:  # set-wise (executemany), not one ORM object at a time
        await session.execute(insert(TeamMember), new_members)
    if new_identities:
        await session.execute(insert(Identity), new_identities)
    return set(matched)


async def add_members(db: Database, team_id: str, platform: str, entries: Sequence[RosterEntry]) -> int:
    """Members joined the team (or a partial read): store those of the organisation. Returns how many."""
    async with db.transaction() as s:
        team = await s.scalar(select(TeamInstallation).where(TeamInstallation.team_id == team_id))
        if team is None:
            return 0
        return len(await _store(s, team, platform, entries))


async def replace_roster(
    db: Database, team_id: str, platform: str, entries: Sequence[RosterEntry], now: datetime
) -> tuple[int, list[str]]:
    """A complete read of the team's roster: store it, forget who is no longer in it. Returns how many
    people of the organisation are in the team, and the user ids whose identity was forgotten."""
    async with db.transaction() as s:
        team = await s.scalar(select(TeamInstallation).where(TeamInstallation.team_id == team_id))
        if team is None:
            return 0, []
        stored = await _store(s, team, platform, entries)
        gone = [
            m
            for m in await s.scalars(select(TeamMember).where(TeamMember.installation_id == team.id))
            if m.user_id not in stored
        ]
        for member in gone:
            await s.delete(member)
        await s.flush()
        released = await _release(s, platform, [m.user_id for m in gone])
        team.refreshed_at = now
        return len(stored), released


async def remove_members(db: Database, team_id: str, platform: str, user_ids: Sequence[str]) -> list[str]:
    """Members left the team. Returns the user ids whose identity was forgotten."""
    async with db.transaction() as s:
        team_row = select(TeamInstallation.id).where(TeamInstallation.team_id == team_id).scalar_subquery()
        await s.execute(
            delete(TeamMember).where(TeamMember.installation_id == team_row, TeamMember.user_id.in_(user_ids))
        )
        return await _release(s, platform, user_ids)


async def forget_team(db: Database, team_id: str, platform: str) -> list[str]:
    """The bot was removed from the team (or the team was deleted): its roster no longer reaches anyone.
    Returns the user ids whose identity was forgotten."""
    async with db.transaction() as s:
        team = await s.scalar(select(TeamInstallation).where(TeamInstallation.team_id == team_id))
        if team is None:
            return []
        user_ids = list(await s.scalars(select(TeamMember.user_id).where(TeamMember.installation_id == team.id)))
        await s.execute(delete(TeamMember).where(TeamMember.installation_id == team.id))
        await s.delete(team)
        await s.flush()
        return await _release(s, platform, user_ids)


async def personal_base(db: Database, platform: str, user_id: str) -> StoredRef | None:
    """The reference of a team the user is in (service address, tenant, the bot's account), to open a
    personal chat with them; None when they are in no team the bot knows."""
    async with db.transaction() as s:
        row = await s.execute(
            select(TeamInstallation, TeamMember.tenant_id)
            .join(TeamMember, TeamMember.installation_id == TeamInstallation.id)
            .where(TeamMember.user_id == user_id)
            .order_by(TeamInstallation.refreshed_at.desc(), TeamInstallation.id.desc())
            .limit(1)
        )
        found = row.first()
    if found is None:
        return None
    team, tenant = found
    reference = dict(team.reference)
    if tenant:
        reference["conversation"] = {**reference.get("conversation", {}), "tenantId": tenant}
    return StoredRef(platform, team.team_id, CHANNEL, reference, None, True)


async def in_use(session: AsyncSession, platform: str = PLATFORM) -> bool:
    """Whether the bot has met anyone or any team on `platform` at all."""
    teams = await session.scalar(select(exists().where(TeamInstallation.id.is_not(None))))
    refs = await session.scalar(select(exists().where(ConversationRef.platform == platform)))
    return bool(teams or refs)


async def unreachable(
    session: AsyncSession, platform: str = PLATFORM, person_ids: Iterable[int] | None = None
) -> list[Person]:
    """People the bot cannot write to: in no team it is installed in, no usable personal chat on
    `platform`, and not seen on any other platform that delivers messages. By name; `person_ids`
    limits the question to those people (None: everyone in the organisation file)."""
    query = select(Person).order_by(Person.name, Person.id)
    if person_ids is not None:
        wanted = sorted(set(person_ids))
        if not wanted:
            return []
        query = query.where(Person.id.in_(wanted))
    query = query.where(
        ~exists().where(TeamMember.person_id == Person.id),
        ~exists().where(
            ConversationRef.person_id == Person.id,
            ConversationRef.platform == platform,
            ConversationRef.kind == PERSONAL,
            ConversationRef.usable.is_(True),
        ),
        ~exists().where(
            Identity.person_id == Person.id,
            Identity.platform != platform,
            Identity.platform.not_in(NOT_A_DELIVERY_PLATFORM),
        ),
    )
    return list((await session.scalars(query)).all())
