"""The conversation service: one inbound message in, replies out, everything saved in one transaction.

Every channel (console, Slack, Teams) calls `handle`. The service finds the person, takes the locks,
loads the board's shared draft, runs one engine step, writes the changes (each audited, with the
registration's version checked) and the new state, and commits. If another writer got in between,
the whole step is run again on fresh data."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.changes import AddLocalGoal, Change, DeleteLocalGoal, MarkReady, SetAnswer, SetLocale, Submit
from dialogs.engine import BoardInfo, Context, advance
from dialogs.messages import Inbound, Reply
from dialogs.notices import render_notice
from dialogs.state import State
from dialogs.strategy import Strategy, parse_strategy
from dialogs.texts import Texts, texts
from storage import conversations, people, registrations, strategies
from storage.db import Database
from storage.models import Person, RegistrationStatus, Role
from storage.models import Strategy as StrategyRow
from storage.registrations import DraftWriter, QuestionKinds, StaleRegistration

RETRIES = 3


@dataclass(frozen=True, slots=True)
class PersonRef:
    id: int
    name: str
    email: str
    locale: str | None


@lru_cache(maxsize=16)
def _parse_cached(strategy_id: int, loaded_at: datetime, definition_json: str) -> Strategy:
    return parse_strategy(json.loads(definition_json))


def strategy_of(row: StrategyRow) -> Strategy:
    """The validated strategy of a database row (parsed once per loaded version)."""
    return _parse_cached(row.id, row.loaded_at, json.dumps(row.definition, sort_keys=True, default=str))


def kinds_of(strategy: Strategy) -> QuestionKinds:
    return QuestionKinds(strategy.first_question.key, {q.key: q.kind.value for q in strategy.questions})


class ConversationService:
    def __init__(
        self,
        db: Database,
        *,
        default_locale: str = "da",
        timezone: str = "Europe/Copenhagen",
        contact: str = "forvaltningen",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.default_locale = default_locale
        self.tz = ZoneInfo(timezone)
        self.contact = contact
        self.clock = clock or (lambda: datetime.now(UTC))

    def today(self) -> date:
        return self.clock().astimezone(self.tz).date()

    def texts_for(self, locale: str | None) -> Texts:
        return texts(locale or self.default_locale)

    async def identify(self, platform: str, user_key: str, email: str | None = None) -> PersonRef | None:
        """The person behind a platform user: by a known identity, else by email (then remembered)."""
        async with self.db.transaction() as s:
            person = await people.person_by_identity(s, platform, user_key)
            if person is None and email:
                person = await people.person_by_email(s, email)
                if person is not None:
                    await people.link_identity(s, person, platform, user_key)
            return PersonRef(person.id, person.name, person.email, person.locale) if person else None

    def unknown_user(self, locale: str | None = None) -> Reply:
        t = self.texts_for(locale)
        return Reply(
            t(
                "Hello! I cannot find you among the boards I know, so I cannot help you register yet. "
                "Please contact {contact} and ask them to add you.",
                contact=self.contact,
            ),
            kind="error",
        )

    async def handle(self, inbound: Inbound) -> list[Reply]:
        for attempt in range(RETRIES):
            try:
                return await self._handle_once(inbound)
            except StaleRegistration:
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    async def _handle_once(self, inbound: Inbound) -> list[Reply]:
        async with self.db.transaction() as s:
            person = await people.person_by_identity(s, inbound.platform, inbound.user_key)
            if person is None:
                return [self.unknown_user()]
            row = await strategies.active_strategy(s)
            if row is None:
                t = self.texts_for(person.locale)
                return [Reply(t("No strategy has been loaded yet. Please contact {contact}.", contact=self.contact))]
            strategy = strategy_of(row)
            kinds = kinds_of(strategy)
            boards = await people.boards_of(s, person.id)
            regs = {}
            for board in boards:
                reg = await registrations.ensure_registration(s, board.institution_id, row.id)
                regs[reg.id] = board
            for reg_id in sorted(regs):  # lock in a fixed order so two writers cannot deadlock
                await registrations.lock_registration(s, reg_id)
            state_row = await conversations.lock_state(s, person.id, inbound.platform)
            state = State.from_json(state_row.data)
            if state.registration_id is not None and state.registration_id not in regs:
                state = State()  # no longer on that board, or a new strategy
            drafts = {reg_id: await registrations.load_draft(s, reg_id, kinds) for reg_id in regs}
            others: tuple[registrations.ChangeSeen, ...] = ()
            if state.registration_id is not None:
                others = tuple(
                    await registrations.changes_by_others(s, state.registration_id, state.seen_version, person.id)
                )
            ctx = Context(
                strategy=strategy,
                person_name=person.name,
                locale=person.locale or self.default_locale,
                boards=tuple(BoardInfo(reg_id, b.institution_name, b.role, b.can_submit) for reg_id, b in regs.items()),
                drafts=drafts,
                today=self.today(),
                others=others,
            )
            notices = await conversations.take_notices(s, person.id)
            step = advance(ctx, state, inbound)
            await self._apply(s, person, step.changes, kinds, regs)
            new_state = step.state
            if new_state.registration_id is not None:
                current = await registrations.lock_registration(s, new_state.registration_id)
                new_state = replace(new_state, seen_version=current.version)
            conversations.save_state(state_row, new_state.to_json())
            t = self.texts_for(person.locale)
            shown = [Reply(render_notice(t, n.kind, n.params), kind="notice") for n in notices]
            return shown + list(step.replies)

    async def _apply(
        self,
        s: AsyncSession,
        person: Person,
        changes: tuple[Change, ...],
        kinds: QuestionKinds,
        regs: dict[int, people.Board],
    ) -> None:
        writers: dict[int, DraftWriter] = {}
        for change in changes:
            if isinstance(change, SetLocale):
                person.locale = change.locale
                continue
            reg_id = change.registration_id
            if reg_id not in writers:
                writers[reg_id] = DraftWriter(s, await registrations.lock_registration(s, reg_id), kinds, person.id)
            writer = writers[reg_id]
            board = regs[reg_id]
            if isinstance(change, AddLocalGoal):
                await writer.add_local_goal(change.goal, change.text)
            elif isinstance(change, SetAnswer):
                await writer.set_answer(change.goal, change.position, change.key, change.value)
            elif isinstance(change, DeleteLocalGoal):
                await writer.delete_local_goal(change.goal, change.position)
            elif isinstance(change, Submit):
                await writer.set_status(RegistrationStatus.SUBMITTED)
                await self._notify(s, board, person, "submitted", (Role.MEMBER, Role.CHAIR, Role.LEADER))
            elif isinstance(change, MarkReady):
                await writer.mark_ready()
                await self._notify(s, board, person, "ready_for_chair", (Role.CHAIR, Role.LEADER))

    async def _notify(
        self, s: AsyncSession, board: people.Board, author: Person, kind: str, roles: tuple[Role, ...]
    ) -> None:
        params = {"name": author.name, "institution": board.institution_name}
        for other in await people.board_people(s, board.institution_id, tuple(r.value for r in roles)):
            if other.id != author.id:
                await conversations.add_notice(s, other.id, kind, params)
