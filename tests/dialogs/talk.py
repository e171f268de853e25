"""A small harness for conversation tests: a `Talk` is one person chatting with the bot.

    talk = await world.talk("soeren.oestergaard")
    await talk.say("start")
    talk.expect("Hvilke lokale mål skal der til for at opnå mål 1")
    await talk.choose("Færdig")

`World` is the municipality behind it: a real database with the demo organisation and one or more
strategy files loaded, and a `ConversationService` with a fixed clock. `world.restart()` swaps in a
new service over the same database (as after a deploy); every `Talk` then uses the new one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.cleaning import fold
from dialogs.messages import Choice, Inbound, Reply
from dialogs.service import ConversationService
from dialogs.strategy import BUILTIN_DIR, DEFAULT_STRATEGY_FILE, load_strategy_file
from storage import strategies
from storage.db import Database
from storage.export import build_export
from storage.models import AuditEntry, Institution, Person, Registration
from storage.org import import_org
from storage.org_file import parse_org_file
from tests.snapshots import seed_once

PLATFORM = "test"
NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)
DEMO_ORG = Path(__file__).resolve().parents[2] / "bot" / "data" / "demo_org.yaml"
ALMEN = DEFAULT_STRATEGY_FILE
KLYNGE = BUILTIN_DIR / "klynge-vision.yaml"
DEMO_DOMAIN = "demo.maalbot.dk"


def reply_lines(reply: Reply) -> list[str]:
    """Everything a person can read in one reply: title, text, facts and button labels."""
    lines = [reply.title or "", reply.text]
    for label, value in reply.facts:
        lines += [label, value]
    lines += [c.label for c in reply.choices]
    return [line for line in lines if line]


@dataclass
class Talk:
    """One person in a direct conversation with the bot; keeps the replies to the last message."""

    world: World = field(repr=False)
    user_key: str
    name: str
    replies: list[Reply] = field(default_factory=list, repr=False)

    async def send(self, inbound: Inbound) -> list[Reply]:
        self.replies = await self.world.service.handle(inbound)
        return self.replies

    async def say(self, text: str) -> list[Reply]:
        return await self.send(Inbound(PLATFORM, self.user_key, text=text))

    async def choose(self, label_or_id: str) -> list[Reply]:
        """Press a button offered in the last replies, named by its label or its id."""
        choice = self.choice(label_or_id)
        return await self.send(Inbound(PLATFORM, self.user_key, choice=choice.id))

    async def press(self, choice_id: str) -> list[Reply]:
        """Send a button id as is, offered or not (an old message's button, a forged one)."""
        return await self.send(Inbound(PLATFORM, self.user_key, choice=choice_id))

    # -- reading the last replies ------------------------------------------------------------------
    @property
    def choices(self) -> list[Choice]:
        return [c for r in self.replies for c in r.choices]

    @property
    def text(self) -> str:
        return "\n".join(line for r in self.replies for line in reply_lines(r))

    def choice(self, label_or_id: str) -> Choice:
        for c in self.choices:
            if c.id == label_or_id or fold(c.label) == fold(label_or_id):
                return c
        for c in self.choices:
            if fold(label_or_id) in fold(c.label):
                return c
        raise AssertionError(f"{label_or_id!r} is not offered; the choices are {self.labels()}\n\n{self.text}")

    def labels(self) -> list[str]:
        return [c.label for c in self.choices]

    def expect(self, *substrings: str) -> Talk:
        for substring in substrings:
            assert substring in self.text, f"expected {substring!r} in the replies:\n\n{self.text}"
        return self

    def expect_not(self, *substrings: str) -> Talk:
        for substring in substrings:
            assert substring not in self.text, f"did not expect {substring!r} in the replies:\n\n{self.text}"
        return self

    def expect_choice(self, *labels: str) -> Talk:
        for label in labels:
            self.choice(label)
        return self

    def expect_no_choice(self, *labels: str) -> Talk:
        for label in labels:
            offered = [c.label for c in self.choices if fold(label) in fold(c.label) or c.id == label]
            assert not offered, f"did not expect a choice {label!r}; offered {self.labels()}"
        return self

    def kinds(self) -> list[str]:
        return [r.kind for r in self.replies]

    # -- a few steps people take again and again ---------------------------------------------------
    async def register_local_goal(
        self,
        text: str,
        interventions: Iterable[str] = ("Faste legegrupper",),
        method: str = "Trivselsmåling",
        when: str = "marts 2027",
        *,
        confirm_dates: bool = True,
    ) -> None:
        """Answer one local goal from its first question to the «another local goal?» question."""
        await self.say(text)
        self.expect("Beskrivelse af indsatser")
        await self.say("\n".join(interventions))
        await self.choose("Færdig")
        self.expect("Hvordan og hvornår måles effekten?")
        await self.say(method)
        self.expect("Og hvornår vil I måle det?")
        await self.say(when)
        if confirm_dates:
            self.expect("Passer det?")
            await self.choose("Ja")
        elif "Hvilken måned regner I med at måle?" in self.text:  # no date in it: keep it as written
            await self.choose("Behold det, vi skrev")
        self.expect("Vil I tilføje endnu et lokalt mål")

    async def export(self) -> dict[str, Any]:
        return await self.world.export()


@dataclass
class World:
    """The demo municipality in a real database, with a conversation service over it."""

    db: Database
    service: ConversationService = field(repr=False)
    talks: dict[str, Talk] = field(default_factory=dict, repr=False)
    seed_key: str | None = field(default=None, repr=False)  # what the database holds, when it is a kept seed

    async def once(self, key: str, play: Callable[[], Awaitable[None]]) -> None:
        """Play `play` (steps of this world's talks) once per session and copy the database after that
        (tests/snapshots.py): for a test that starts where a long conversation ends. Only right before
        anything else is written: the world must still be the seed the `world` fixture copied. The
        service is restarted and every talk's last replies forgotten either way, so that a test sees the
        same thing whether `play` ran or was copied."""
        assert self.seed_key is not None, "World.once needs a world straight from the seed"
        self.seed_key = f"{self.seed_key} + {key}"

        async def seed(_db: Database) -> None:
            await play()

        await seed_once(self.db, self.seed_key, seed)
        self.restart()
        for talk in self.talks.values():
            talk.replies = []

    @classmethod
    async def create(cls, db: Database, strategy_files: Iterable[Path] = (ALMEN,)) -> World:
        await import_org(db, parse_org_file(DEMO_ORG))
        world = cls(db, new_service(db))
        for path in strategy_files:
            await world.load_strategy(path)
        return world

    async def load_strategy(self, path: Path) -> None:
        """Load a strategy file; the one loaded last is the one boards register for."""
        strategy = load_strategy_file(path)
        async with self.db.transaction() as s:
            await strategies.save_strategy(s, strategy.model_dump(mode="json"))

    def restart(self) -> ConversationService:
        """A new service over the same database, as after a restart: nothing kept in memory."""
        self.service = new_service(self.db)
        return self.service

    async def talk(self, login: str, *, user_key: str | None = None) -> Talk:
        """A conversation with the demo person whose email is `login`@demo.maalbot.dk."""
        key = user_key or f"U-{login}"
        person = await self.service.identify(PLATFORM, key, email=f"{login}@{DEMO_DOMAIN}")
        assert person is not None, f"{login} is not in the demo organisation"
        talk = Talk(self, key, person.name)
        self.talks[login] = talk
        return talk

    def stranger(self, user_key: str = "U-stranger") -> Talk:
        """Someone the bot has never heard of."""
        return Talk(self, user_key, "Ukendt")

    async def export(self) -> dict[str, Any]:
        return await build_export(self.db)

    async def institution(self, name: str) -> dict[str, Any]:
        found: list[dict[str, Any]] = [i for i in (await self.export())["institutions"] if i["name"] == name]
        assert found, f"no institution {name!r} in the export"
        return found[0]

    async def registration(self, institution: str) -> Registration | None:
        """The institution's registration for the active strategy (None before anyone started)."""
        async with self.db.transaction() as s:
            return await _registration(s, institution)

    async def set_status(self, institution: str, status: str) -> None:
        """What the administration does from outside the chat (approve, return)."""
        async with self.db.transaction() as s:
            reg = await _registration(s, institution)
            assert reg is not None, f"{institution} has no registration yet"
            reg.status = status

    async def audit(self) -> list[tuple[str | None, str, str | None, str | None, int]]:
        """(person name, field, before, after, version) of every audit entry of registration content
        and status, oldest first (imports, roles and pauses are audited too, without a registration)."""
        async with self.db.transaction() as s:
            rows = (
                await s.execute(
                    select(Person.name, AuditEntry.field, AuditEntry.before, AuditEntry.after, AuditEntry.version)
                    .outerjoin(Person, Person.id == AuditEntry.person_id)
                    .where(AuditEntry.registration_id.is_not(None))
                    .order_by(AuditEntry.id)
                )
            ).all()
        return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    async def count(self, model: type[Any]) -> int:
        async with self.db.transaction() as s:
            return len((await s.scalars(select(model))).all())

    async def locale_of(self, login: str) -> str | None:
        async with self.db.transaction() as s:
            person = await s.scalar(select(Person).where(Person.email_key == f"{login}@{DEMO_DOMAIN}"))
            assert person is not None
            return person.locale


async def _registration(s: AsyncSession, institution: str) -> Registration | None:
    row = await strategies.active_strategy(s)
    assert row is not None, "no strategy loaded"
    reg: Registration | None = await s.scalar(
        select(Registration)
        .join(Institution, Institution.id == Registration.institution_id)
        .where(Institution.name == institution, Registration.strategy_id == row.id)
    )
    return reg


def new_service(db: Database) -> ConversationService:
    return ConversationService(db, clock=lambda: NOW)
