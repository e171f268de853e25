"""What one chat turn costs the database, through the real routes (issue 18: turn cost).

A wizard answer of a person the bot knows already, from the platform request to the reply accepted by
the fake platform API: on Slack and on Teams it is two transactions (the inbox row and the whole turn in
one, marking the reply sent in the other) and at most 15 SQL statements (BEGIN included), where it was
5-6 transactions and 22-24 statements. Counts, not times: a count is the same on every machine. The
turns still do their work: the answer is stored and the reply reaches the person."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select

from storage import conversations, people
from storage.db import Database
from storage.models import InboxItem, LocalGoal, Notice
from tests.slack.conftest import demo_db, fake_slack, slack_env, workspace
from tests.slack.workspace import Workspace
from tests.teams.conftest import Teams, connector, teams

__all__ = ["connector", "demo_db", "fake_slack", "slack_env", "teams", "workspace"]  # fixtures

SOEREN = "soeren.oestergaard@demo.maalbot.dk"
FATIMA = "fatima.ali@demo.maalbot.dk"
MAX_TRANSACTIONS = 2
MAX_STATEMENTS = 15


@dataclass
class Counted:
    transactions: int = 0
    statements: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.transactions = 0
        self.statements.clear()


def count(db: Database) -> Counted:
    counted = Counted()

    def begin(*_args: Any) -> None:
        counted.transactions += 1

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        counted.statements.append(" ".join(sql.split())[:80])

    event.listen(db.engine.sync_engine, "begin", begin)
    event.listen(db.engine.sync_engine, "before_cursor_execute", statement)
    return counted


async def local_goals(db: Database) -> list[str]:
    async with db.transaction() as s:
        return list((await s.scalars(select(LocalGoal.text).order_by(LocalGoal.id))).all())


async def pending_inbox(db: Database) -> int:
    async with db.transaction() as s:
        return len((await s.scalars(select(InboxItem.id).where(InboxItem.status == "pending"))).all())


async def test_a_slack_answer_is_two_transactions_and_at_most_15_statements(
    workspace: Workspace, demo_db: Database
) -> None:
    soeren = workspace.person("U0SOEREN", SOEREN)
    await soeren.say("start")  # first contact: linked by the email Slack knows (more statements, once)
    counted = count(demo_db)
    answer = await soeren.say("Alle børn har en fast voksen")
    assert answer, "the answer reached Søren"
    assert counted.transactions <= MAX_TRANSACTIONS, counted
    assert len(counted.statements) <= MAX_STATEMENTS, "\n".join(counted.statements)
    assert "Alle børn har en fast voksen" in await local_goals(demo_db)
    assert await pending_inbox(demo_db) == 0


async def test_a_teams_answer_is_two_transactions_and_at_most_15_statements(teams: Teams) -> None:
    soeren = teams.person("soeren", SOEREN)
    await soeren.say("start")  # first contact: looked up with the connector, linked, remembered
    counted = count(teams.db)
    answer = await soeren.say("Alle børn har en fast voksen")
    assert answer, "the answer reached Søren"
    assert counted.transactions <= MAX_TRANSACTIONS, counted
    assert len(counted.statements) <= MAX_STATEMENTS, "\n".join(counted.statements)
    assert "Alle børn har en fast voksen" in await local_goals(teams.db)
    assert await pending_inbox(teams.db) == 0


async def test_a_notice_left_by_someone_else_goes_out_after_the_next_turn(
    workspace: Workspace, demo_db: Database
) -> None:
    """The notices round after a turn is skipped when none wait, but one that waits (written outside
    any turn, e.g. by the web page) still goes out after the next turn of anyone."""
    soeren = workspace.person("U0SOEREN", SOEREN)
    fatima = workspace.person("U0FATIMA", FATIMA)
    await fatima.say("hej")  # linked on Slack
    await soeren.say("start")
    async with demo_db.transaction() as s:
        person = await people.person_by_email(s, FATIMA)
        assert person is not None
        await conversations.add_notice(s, person.id, "ready_for_chair", {"name": "Søren", "institution": "Solsikken"})
    before = len(workspace.fake.posted())
    await soeren.say("Alle børn har en fast voksen")
    to_fatima = [p for p in workspace.fake.posted()[before:] if p.get("channel") in (fatima.dm, "U0FATIMA")]
    assert to_fatima, "Fatima's notice went out after Søren's turn"
    async with demo_db.transaction() as s:
        waiting = (await s.scalars(select(Notice.id).where(Notice.delivered_at.is_(None)))).all()
    assert not waiting


async def test_a_teams_user_whose_link_was_removed_is_looked_up_again(teams: Teams) -> None:
    """The handler remembers linked users and skips the look-up; when the turn no longer knows one
    (the identity was removed meanwhile), it is rolled back, the user looked up again by email, and run."""
    soeren = teams.person("soeren", SOEREN)
    await soeren.say("start")
    async with teams.db.transaction() as s:
        person = await people.person_by_email(s, SOEREN)
        assert person is not None
        from storage.models import Identity

        identity = await s.scalar(select(Identity).where(Identity.person_id == person.id, Identity.platform == "teams"))
        assert identity is not None
        await s.delete(identity)
    answer = "\n".join(await soeren.say("Alle børn har en fast voksen"))
    assert "kan ikke finde dig" not in answer
    assert "Alle børn har en fast voksen" in await local_goals(teams.db)
